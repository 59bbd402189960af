package matcher

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/zhida/zhida/corpus"
)

// Policy is what matching needs of a policy: a name to report it by, its
// issuing region and audience, and its benefits with condition trees.
type Policy struct {
	Name     string
	Title    string
	Region   string
	Audience corpus.Audience
	Benefits []corpus.Benefit
}

// policyJSON reads both the CONTRACT `extract` output and an eval-dev
// case.json (which adds source, at and notes).
type policyJSON struct {
	Title    string           `json:"title"`
	Region   string           `json:"region"`
	Audience corpus.Audience  `json:"audience"`
	Benefits []corpus.Benefit `json:"benefits"`
}

// ParsePolicyJSON reads a policy from JSON: a CONTRACT `extract` output
// object or an eval-dev case.json. name is what results report it by. Every
// condition tree is checked against the vocabulary; an error names the
// benefit and the node.
func ParsePolicyJSON(name string, data []byte) (Policy, error) {
	var raw policyJSON
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&raw); err != nil {
		return Policy{}, fmt.Errorf("policy %s: %w", name, err)
	}
	if raw.Benefits == nil {
		return Policy{}, fmt.Errorf("policy %s: no \"benefits\" list", name)
	}
	if raw.Audience != "" && !raw.Audience.Valid() {
		return Policy{}, fmt.Errorf("policy %s: audience %q is not enterprise, resident or both", name, raw.Audience)
	}
	rules := corpus.DefaultRules()
	var errs []error
	for i := range raw.Benefits {
		b := &raw.Benefits[i]
		if b.Conditions == nil {
			continue
		}
		path := fmt.Sprintf("benefits[%d].conditions", i)
		if err := rules.CheckCond(*b.Conditions, path, Audience(b, raw.Audience)); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return Policy{}, fmt.Errorf("policy %s: %w", name, err)
	}
	return Policy{Name: name, Title: raw.Title, Region: raw.Region, Audience: raw.Audience, Benefits: raw.Benefits}, nil
}
