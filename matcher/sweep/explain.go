package sweep

import "github.com/zhida/zhida/matcher"

// Explanation is the stored JSON explanation of a match: the benefit's
// name, and the texts and keys of matcher.BenefitResult.
type Explanation struct {
	Benefit    string   `json:"benefit"`
	Met        []string `json:"met,omitempty"`
	Unmet      []string `json:"unmet,omitempty"`
	Missing    []string `json:"missing,omitempty"`
	Check      []string `json:"check,omitempty"`
	Unverified []string `json:"unverified,omitempty"`
}

// ExplanationOf takes the explanation of a benefit result.
func ExplanationOf(r matcher.BenefitResult) Explanation {
	return Explanation{Benefit: r.Name, Met: r.Met, Unmet: r.Unmet, Missing: r.Missing, Check: r.Check, Unverified: r.Unverified}
}
