package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/zhida/zhida/corpus"
	"github.com/zhida/zhida/corpus/extract"
	"github.com/zhida/zhida/eval/score"
)

// extractCase is one labelled policy: its text and the gold benefits.
type extractCase struct {
	Name     string
	Dir      string
	Region   string
	Policy   string
	Benefits []struct {
		Name       string      `json:"name"`
		ApplyFree  bool        `json:"apply_free"`
		Conditions corpus.Cond `json:"conditions"`
	}
}

// extractResult is the score of one case.
type extractResult struct {
	Case   extractCase
	Counts score.Counts
	Got    extract.Result
	// Missing and Extra name the atom keys that did not match.
	Missing, Extra map[string]int
	// Verdicts matches the case's profiles against the extracted trees
	// (HasVerdicts is false for a case without profiles).
	Verdicts    verdictCounts
	HasVerdicts bool
}

func newExtractCmd() *cobra.Command {
	var dirs []string
	var verbose bool
	cmd := &cobra.Command{
		Use:   "extract",
		Short: "Condition-atom precision/recall/F1 of `zhida extract` against the labelled cases",
		RunE: func(cmd *cobra.Command, args []string) error {
			cases, err := loadExtractCases(dirs)
			if err != nil {
				return err
			}
			results, total, err := runExtractEval(cases)
			if err != nil {
				return err
			}
			printExtractTable(cmd.OutOrStdout(), results, total, verbose)
			return nil
		},
	}
	cmd.Flags().StringSliceVar(&dirs, "cases", []string{"eval/testdata/eval-dev", "eval/testdata/cases", "eval/testdata/heldout"}, "folders searched for */case.json")
	cmd.Flags().BoolVarP(&verbose, "verbose", "v", false, "list missing and extra atoms per case")
	return cmd
}

// loadExtractCases reads every case.json (with policy.txt beside it) under
// the given folders, at any depth.
func loadExtractCases(dirs []string) ([]extractCase, error) {
	var out []extractCase
	for _, root := range dirs {
		if _, err := os.Stat(root); os.IsNotExist(err) {
			continue
		}
		err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() || d.Name() != "case.json" {
				return err
			}
			dir := filepath.Dir(path)
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			var c extractCase
			if err := json.Unmarshal(b, &c); err != nil {
				return fmt.Errorf("%s: %w", path, err)
			}
			pol, err := os.ReadFile(filepath.Join(dir, "policy.txt"))
			if err != nil {
				return fmt.Errorf("case %s: %w", dir, err)
			}
			c.Policy, c.Dir = string(pol), dir
			c.Name = filepath.Base(filepath.Dir(dir)) + "/" + filepath.Base(dir)
			out = append(out, c)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	if len(out) == 0 {
		return nil, fmt.Errorf("no case.json found under %v", dirs)
	}
	return out, nil
}

// runExtractEval extracts every case and scores its atoms.
func runExtractEval(cases []extractCase) ([]extractResult, score.Counts, error) {
	var results []extractResult
	var total score.Counts
	for _, c := range cases {
		got, err := extract.Extract(c.Policy, extract.Options{Region: c.Region})
		if err != nil {
			return nil, total, fmt.Errorf("case %s: %w", c.Name, err)
		}
		var gold, pred []corpus.Cond
		for _, b := range c.Benefits {
			gold = append(gold, b.Conditions)
		}
		for _, b := range got.Benefits {
			pred = append(pred, b.Conditions)
		}
		counts := score.Atoms(gold, pred)
		missing, extra := score.Diff(gold, pred)
		vc, has, err := extractedVerdicts(c, got)
		if err != nil {
			return nil, total, err
		}
		results = append(results, extractResult{Case: c, Counts: counts, Got: got, Missing: missing, Extra: extra, Verdicts: vc, HasVerdicts: has})
		total = total.Add(counts)
	}
	return results, total, nil
}

func printExtractTable(w io.Writer, results []extractResult, total score.Counts, verbose bool) {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "case\tgold\tpred\tmatched\tprecision\trecall\tF1\tbenefits gold/got\tverdicts (extracted trees)\tfalse/missed grants\t")
	var vt verdictCounts
	for _, r := range results {
		c := r.Counts
		v, g := "-", "-"
		if r.HasVerdicts {
			vt = vt.add(r.Verdicts)
			v = fmt.Sprintf("%d/%d", r.Verdicts.Correct, r.Verdicts.Profiles)
			g = fmt.Sprintf("%d/%d", r.Verdicts.FalseGrants, r.Verdicts.MissedGrants)
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%.3f\t%.3f\t%.3f\t%d/%d\t%s\t%s\t\n", r.Case.Name, c.Gold, c.Pred, c.Matched,
			c.Precision(), c.Recall(), c.F1(), len(r.Case.Benefits), len(r.Got.Benefits), v, g)
	}
	// Subtotals per folder (the labelled dev set, cases added here).
	sub := map[string]score.Counts{}
	var groups []string
	for _, r := range results {
		g := caseGroup(r.Case.Dir)
		if _, ok := sub[g]; !ok {
			groups = append(groups, g)
		}
		sub[g] = sub[g].Add(r.Counts)
	}
	if len(groups) > 1 {
		for _, g := range groups {
			c := sub[g]
			fmt.Fprintf(tw, "subtotal %s\t%d\t%d\t%d\t%.3f\t%.3f\t%.3f\t\t\n", g, c.Gold, c.Pred, c.Matched, c.Precision(), c.Recall(), c.F1())
		}
	}
	va := 0.0
	if vt.Profiles > 0 {
		va = float64(vt.Correct) / float64(vt.Profiles)
	}
	fmt.Fprintf(tw, "TOTAL (micro)\t%d\t%d\t%d\t%.3f\t%.3f\t%.3f\t\t%d/%d = %.3f\t%d/%d of %d\t\n", total.Gold, total.Pred, total.Matched,
		total.Precision(), total.Recall(), total.F1(), vt.Correct, vt.Profiles, va, vt.FalseGrants, vt.MissedGrants, vt.Grants)
	tw.Flush()
	if !verbose {
		return
	}
	for _, r := range results {
		fmt.Fprintf(w, "\n== %s\n", r.Case.Name)
		for _, k := range sortedKeys(r.Missing) {
			fmt.Fprintf(w, "  missing %dx %s\n", r.Missing[k], readableKey(k))
		}
		for _, k := range sortedKeys(r.Extra) {
			fmt.Fprintf(w, "  extra   %dx %s\n", r.Extra[k], readableKey(k))
		}
	}
}

func sortedKeys(m map[string]int) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func readableKey(k string) string { return strings.ReplaceAll(k, "\x00", " ") }

// caseGroup names the set a case belongs to: the folder below testdata
// (eval-dev, cases, heldout), or the case's grandparent elsewhere.
func caseGroup(dir string) string {
	parts := strings.Split(filepath.ToSlash(dir), "/")
	for i, p := range parts {
		if p == "testdata" && i+1 < len(parts) {
			return parts[i+1]
		}
	}
	return filepath.Base(filepath.Dir(filepath.Dir(dir)))
}
