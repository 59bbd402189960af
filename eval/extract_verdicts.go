package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/zhida/zhida/corpus/extract"
	"github.com/zhida/zhida/matcher"
)

// verdictCounts is the end-to-end score of one case: its profiles matched
// against the extracted (not the gold) condition trees.
type verdictCounts struct {
	Profiles, Correct, Grants, FalseGrants, MissedGrants int
}

func (v verdictCounts) add(o verdictCounts) verdictCounts {
	return verdictCounts{v.Profiles + o.Profiles, v.Correct + o.Correct, v.Grants + o.Grants,
		v.FalseGrants + o.FalseGrants, v.MissedGrants + o.MissedGrants}
}

// extractedVerdicts matches the case's profiles against the policy as
// extracted and compares with expected.jsonl. ok is false for a case
// without profiles.
func extractedVerdicts(c extractCase, res extract.Result) (verdictCounts, bool, error) {
	var vc verdictCounts
	profPath := filepath.Join(c.Dir, "profiles.jsonl")
	if _, err := os.Stat(profPath); err != nil {
		return vc, false, nil
	}
	js, err := json.Marshal(res)
	if err != nil {
		return vc, false, err
	}
	pol, err := matcher.ParsePolicyJSON("policy.txt", js)
	if err != nil {
		return vc, false, fmt.Errorf("case %s: extracted policy: %w", c.Name, err)
	}
	var meta evalCase
	raw, err := os.ReadFile(filepath.Join(c.Dir, "case.json"))
	if err != nil {
		return vc, false, err
	}
	if err := json.Unmarshal(raw, &meta); err != nil {
		return vc, false, fmt.Errorf("case %s: %w", c.Name, err)
	}
	if pol.Region == "" {
		pol.Region = meta.Region
	}
	pf, err := os.Open(profPath)
	if err != nil {
		return vc, false, err
	}
	defer pf.Close()
	profiles, lineErrs, err := matcher.NewParser(matcher.ParseOptions{IDCardKey: []byte("eval-extract")}).ReadAll(pf)
	if err != nil {
		return vc, false, fmt.Errorf("case %s: %w", c.Name, err)
	}
	if len(lineErrs) > 0 {
		return vc, false, fmt.Errorf("case %s: profiles.jsonl %v", c.Name, lineErrs[0])
	}
	expected, err := readExpected(filepath.Join(c.Dir, "expected.jsonl"))
	if err != nil {
		return vc, false, fmt.Errorf("case %s: %w", c.Name, err)
	}
	for i := range profiles {
		p := &profiles[i]
		want, ok := expected[p.ID]
		if !ok {
			return vc, false, fmt.Errorf("case %s: no expected line for %s", c.Name, p.ID)
		}
		got := matcher.EvalPolicy(&pol, p, meta.At)
		vc.Profiles++
		if got.Verdict.Verdict() == want.Verdict {
			vc.Correct++
		}
		if want.ApplyFreeGrant {
			vc.Grants++
		}
		switch {
		case got.Grant && !want.ApplyFreeGrant:
			vc.FalseGrants++
		case !got.Grant && want.ApplyFreeGrant:
			vc.MissedGrants++
		}
	}
	return vc, true, nil
}
