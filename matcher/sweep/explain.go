package sweep

import (
	"encoding/json"
	"slices"

	"github.com/zhida/zhida/corpus"
	"github.com/zhida/zhida/matcher"
)

// Explanation is the stored JSON explanation of a match: the benefit's
// name, the texts and keys of matcher.BenefitResult, and for a grant the
// facts it rested on and the profile they were read from (read by
// pusher.ParseExplanation).
type Explanation struct {
	Benefit    string      `json:"benefit"`
	Met        []string    `json:"met,omitempty"`
	Unmet      []string    `json:"unmet,omitempty"`
	Missing    []string    `json:"missing,omitempty"`
	Check      []string    `json:"check,omitempty"`
	Unverified []string    `json:"unverified,omitempty"`
	Facts      []Fact      `json:"facts,omitempty"`
	Profile    *ProfileRef `json:"profile,omitempty"`
}

// Fact is one profile value the conditions of an apply-free grant read,
// for the audit: its key and value, whether it is verified (only verified
// facts decide a grant), and its source as the profile import carried it —
// the optional "sources" object (key → data owner, e.g. {"revenue":
// "国家税务总局广州市税务局"}) or else the line's "data_owner" — "" when the
// import named none.
type Fact struct {
	Key      string          `json:"key"`
	Value    json.RawMessage `json:"value,omitempty"`
	Verified bool            `json:"verified"`
	Source   string          `json:"source,omitempty"`
}

// ProfileRef names the stored profile a grant was decided on: when its
// data was taken (as_of) and the digest of what was stored.
type ProfileRef struct {
	AsOf string `json:"as_of,omitempty"`
	Hash string `json:"hash,omitempty"`
}

// ExplanationOf takes the explanation of a benefit result.
func ExplanationOf(r matcher.BenefitResult) Explanation {
	return Explanation{Benefit: r.Name, Met: r.Met, Unmet: r.Unmet, Missing: r.Missing, Check: r.Check, Unverified: r.Unverified}
}

// grantFacts lists the stored profile keys a benefit's conditions read (a
// derived field by its sources) that the profile has, with their values
// from the stored profile JSON, whether each is verified, and its source.
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
	var (
		sources map[string]string
		owner   string
	)
	if a := p.Attrs(); a != nil {
		// Malformed source attributes leave the sources empty; they do not
		// change the facts.
		_ = json.Unmarshal(a["sources"], &sources)
		_ = json.Unmarshal(a["data_owner"], &owner)
	}
	var out []Fact
	for _, k := range keys {
		v, ok := raw[k]
		if !ok {
			continue
		}
		src := sources[k]
		if src == "" {
			src = owner
		}
		out = append(out, Fact{Key: k, Value: v, Verified: p.Verified(k), Source: src})
	}
	return out
}
