package sweep

import (
	"encoding/json"
	"slices"

	"github.com/zhida/zhida/corpus"
	"github.com/zhida/zhida/matcher"
)

// Explanation is the stored JSON explanation of a match: the benefit's
// name, the texts and keys of matcher.BenefitResult, and for a grant the
// facts it rested on (read by pusher.ParseExplanation).
type Explanation struct {
	Benefit    string   `json:"benefit"`
	Met        []string `json:"met,omitempty"`
	Unmet      []string `json:"unmet,omitempty"`
	Missing    []string `json:"missing,omitempty"`
	Check      []string `json:"check,omitempty"`
	Unverified []string `json:"unverified,omitempty"`
	Facts      []Fact   `json:"facts,omitempty"`
}

// Fact is one profile value an apply-free grant rested on, for the audit.
// Source is "verified" (an authoritative source) — a grant rests on
// nothing else.
type Fact struct {
	Key    string          `json:"key"`
	Value  json.RawMessage `json:"value,omitempty"`
	Source string          `json:"source"`
}

// ExplanationOf takes the explanation of a benefit result.
func ExplanationOf(r matcher.BenefitResult) Explanation {
	return Explanation{Benefit: r.Name, Met: r.Met, Unmet: r.Unmet, Missing: r.Missing, Check: r.Check, Unverified: r.Unverified}
}

// grantFacts lists the stored profile keys a benefit's conditions read (a
// derived field by its sources) with their values from the stored profile
// JSON, for the keys the profile has verified.
func grantFacts(b *corpus.Benefit, p *matcher.Profile, data []byte) []Fact {
	if b.Conditions == nil {
		return nil
	}
	var keys []string
	for _, a := range b.Conditions.Atoms() {
		f, ok := corpus.LookupField(a.Field)
		if !ok || f.Type == corpus.TypeUnparsed {
			continue
		}
		src := []string{f.Name}
		if f.Derived {
			src = f.Source
		}
		for _, k := range src {
			if !slices.Contains(keys, k) {
				keys = append(keys, k)
			}
		}
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil
	}
	var out []Fact
	for _, k := range keys {
		if v, ok := raw[k]; ok && p.Verified(k) {
			out = append(out, Fact{Key: k, Value: v, Source: "verified"})
		}
	}
	return out
}
