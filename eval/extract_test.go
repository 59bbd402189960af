package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestExtractDevF1 runs the extractor over the labelled dev cases and
// fails when atom F1 drops below what the rules reach today, so a change
// that loses conditions shows up as a failing test.
func TestExtractDevF1(t *testing.T) {
	cases, err := loadExtractCases([]string{"testdata/eval-dev", "testdata/cases"})
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) < 16 {
		t.Fatalf("found %d cases, want the 16 dev cases", len(cases))
	}
	results, total, err := runExtractEval(cases)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	printExtractTable(&buf, results, total, false)
	t.Log("\n" + buf.String())
	const minTotalF1 = 0.93
	if f := total.F1(); f < minTotalF1 {
		t.Errorf("total atom F1 = %.3f, want at least %.2f", f, minTotalF1)
	}
	// No single dev case may collapse: each keeps some of its atoms.
	for _, r := range results {
		if !strings.Contains(r.Case.Dir, "eval-dev") {
			continue
		}
		if r.Counts.F1() < 0.4 {
			t.Errorf("%s: F1 = %.3f, want at least 0.40", r.Case.Name, r.Counts.F1())
		}
	}
	// Matching the dev profiles against the extracted trees must never grant
	// money the gold labels do not grant.
	for _, r := range results {
		if r.Verdicts.FalseGrants > 0 {
			t.Errorf("%s: %d false apply-free grants from the extracted trees", r.Case.Name, r.Verdicts.FalseGrants)
		}
	}
	if !strings.Contains(buf.String(), "TOTAL") {
		t.Error("table has no total line")
	}
}
