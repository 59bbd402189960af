package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/zhida/zhida/corpus"
	"github.com/zhida/zhida/matcher"
)

func newMatchCmd() *cobra.Command {
	var dir string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "match",
		Short: "Verdict accuracy and apply-free false/missed grants on the eval-dev cases (gold trees)",
		Long: `match runs every eval-dev case with the gold condition trees of its case.json
as the policy (at and region from case.json) and compares with expected.jsonl:
verdict accuracy, apply-free false grants and missed grants, per case and in
total. It also runs the compiled, indexed sweep on the same cases and counts
the profiles where it disagrees with the reference evaluator. On gold trees
anything short of 100% accuracy and 0 false grants is an evaluator bug, and
the command then exits non-zero.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			rep, err := runMatchCases(cmd.Context(), dir)
			if err != nil {
				return err
			}
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				if err := enc.Encode(rep); err != nil {
					return err
				}
			} else {
				rep.print(cmd.OutOrStdout())
			}
			if t := rep.Total; t.Correct != t.Profiles || t.FalseGrants > 0 || t.MissedGrants > 0 || t.SweepDisagree > 0 {
				return errors.New("the gold trees are not reproduced: the evaluator is wrong")
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&dir, "dir", "eval/testdata/eval-dev", "case folder: kind/case/{case.json,profiles.jsonl,expected.jsonl} (eval-dev) or case/… (heldout, blind)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the report as JSON")
	return cmd
}

// matchCounts are the numbers for one case or the total.
type matchCounts struct {
	Case          string   `json:"case,omitempty"`
	Profiles      int      `json:"profiles"`
	Correct       int      `json:"correct"`
	Accuracy      float64  `json:"accuracy"`
	Grants        int      `json:"grants_expected"`
	FalseGrants   int      `json:"false_grants"`
	MissedGrants  int      `json:"missed_grants"`
	SweepDisagree int      `json:"sweep_disagree"`
	Wrong         []string `json:"wrong,omitempty"`
}

func (c *matchCounts) add(o matchCounts) {
	c.Profiles += o.Profiles
	c.Correct += o.Correct
	c.Grants += o.Grants
	c.FalseGrants += o.FalseGrants
	c.MissedGrants += o.MissedGrants
	c.SweepDisagree += o.SweepDisagree
}

func (c *matchCounts) finish() {
	if c.Profiles > 0 {
		c.Accuracy = float64(c.Correct) / float64(c.Profiles)
	}
}

type matchReport struct {
	Cases []matchCounts `json:"cases"`
	Total matchCounts   `json:"total"`
}

func (r matchReport) print(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "case\tprofiles\tverdict acc\tgrants\tfalse grants\tmissed grants\tsweep≠ref")
	for _, c := range append(r.Cases, r.Total) {
		name := c.Case
		if name == "" {
			name = "TOTAL"
		}
		fmt.Fprintf(tw, "%s\t%d\t%.1f%% (%d)\t%d\t%d\t%d\t%d\n", name, c.Profiles, 100*c.Accuracy, c.Correct,
			c.Grants, c.FalseGrants, c.MissedGrants, c.SweepDisagree)
	}
	tw.Flush()
	for _, c := range r.Cases {
		for _, wr := range c.Wrong {
			fmt.Fprintf(w, "  %s: %s\n", c.Case, wr)
		}
	}
}

// evalCase is what a case.json holds beyond the policy.
type evalCase struct {
	At     corpus.Date `json:"at"`
	Region string      `json:"region"`
}

type expectedLine struct {
	Subject        string `json:"subject"`
	Verdict        string `json:"verdict"`
	ApplyFreeGrant bool   `json:"apply_free_grant"`
	Why            string `json:"why"`
}

// runMatchCases scores every case under dir.
func runMatchCases(ctx context.Context, dir string) (matchReport, error) {
	var rep matchReport
	cases, err := filepath.Glob(filepath.Join(dir, "*", "*", "case.json"))
	if err != nil {
		return rep, err
	}
	// Held-out sets keep their cases one level down (heldout/enterprise-01-…).
	flat, err := filepath.Glob(filepath.Join(dir, "*", "case.json"))
	if err != nil {
		return rep, err
	}
	cases = append(cases, flat...)
	if len(cases) == 0 {
		return rep, fmt.Errorf("no cases under %s (run from the repository root or pass --dir)", dir)
	}
	for _, cj := range cases {
		c, err := runMatchCase(ctx, filepath.Dir(cj))
		if err != nil {
			return rep, err
		}
		rep.Cases = append(rep.Cases, c)
		rep.Total.add(c)
	}
	rep.Total.finish()
	return rep, nil
}

func runMatchCase(ctx context.Context, dir string) (matchCounts, error) {
	name := filepath.Base(filepath.Dir(dir)) + "/" + filepath.Base(dir)
	counts := matchCounts{Case: name}
	data, err := os.ReadFile(filepath.Join(dir, "case.json"))
	if err != nil {
		return counts, err
	}
	pol, err := matcher.ParsePolicyJSON("case.json", data)
	if err != nil {
		return counts, fmt.Errorf("%s: %w", name, err)
	}
	var meta evalCase
	if err := json.Unmarshal(data, &meta); err != nil {
		return counts, fmt.Errorf("%s: case.json: %w", name, err)
	}
	if pol.Region == "" {
		pol.Region = meta.Region
	}
	pf, err := os.Open(filepath.Join(dir, "profiles.jsonl"))
	if err != nil {
		return counts, err
	}
	defer pf.Close()
	profiles, lineErrs, err := matcher.NewParser(matcher.ParseOptions{IDCardKey: []byte("eval-match")}).ReadAll(pf)
	if err != nil {
		return counts, fmt.Errorf("%s: %w", name, err)
	}
	if len(lineErrs) > 0 {
		return counts, fmt.Errorf("%s: profiles.jsonl %v", name, lineErrs[0])
	}
	expected, err := readExpected(filepath.Join(dir, "expected.jsonl"))
	if err != nil {
		return counts, fmt.Errorf("%s: %w", name, err)
	}
	set, err := matcher.Compile([]matcher.Policy{pol}, matcher.CompileOptions{At: meta.At})
	if err != nil {
		return counts, fmt.Errorf("%s: %w", name, err)
	}
	// The sweep's policy verdict: the best non-ineligible benefit.
	sweepVerdict := make([]matcher.Tri, len(profiles))
	sweepGrant := make([]bool, len(profiles))
	_, err = set.Sweep(ctx, profiles, func(_, i int, ms []matcher.Match) {
		for _, m := range ms {
			sweepVerdict[i] = max(sweepVerdict[i], m.Verdict)
			sweepGrant[i] = sweepGrant[i] || m.Grant
		}
	})
	if err != nil {
		return counts, err
	}
	for i := range profiles {
		p := &profiles[i]
		want, ok := expected[p.ID]
		if !ok {
			return counts, fmt.Errorf("%s: no expected line for %s", name, p.ID)
		}
		got := matcher.EvalPolicy(&pol, p, meta.At)
		counts.Profiles++
		if want.ApplyFreeGrant {
			counts.Grants++
		}
		if got.Verdict.Verdict() == want.Verdict {
			counts.Correct++
		} else {
			counts.Wrong = append(counts.Wrong, fmt.Sprintf("%s: got %s, want %s (%s)", p.ID, got.Verdict, want.Verdict, want.Why))
		}
		switch {
		case got.Grant && !want.ApplyFreeGrant:
			counts.FalseGrants++
			counts.Wrong = append(counts.Wrong, fmt.Sprintf("%s: false grant (%s)", p.ID, want.Why))
		case !got.Grant && want.ApplyFreeGrant:
			counts.MissedGrants++
			counts.Wrong = append(counts.Wrong, fmt.Sprintf("%s: missed grant (%s)", p.ID, want.Why))
		}
		if sweepVerdict[i] != got.Verdict || sweepGrant[i] != got.Grant {
			counts.SweepDisagree++
		}
	}
	if len(expected) != counts.Profiles {
		return counts, fmt.Errorf("%s: expected.jsonl has %d lines for %d profiles", name, len(expected), counts.Profiles)
	}
	counts.finish()
	return counts, nil
}

func readExpected(path string) (map[string]expectedLine, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string]expectedLine{}
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		n++
		if len(sc.Bytes()) == 0 {
			continue
		}
		var e expectedLine
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			return nil, fmt.Errorf("%s line %d: %w", filepath.Base(path), n, err)
		}
		out[e.Subject] = e
	}
	return out, sc.Err()
}
