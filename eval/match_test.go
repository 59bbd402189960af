package main

import (
	"context"
	"testing"
)

// TestMatchGold: on the gold trees the evaluator must reproduce every
// labelled verdict and grant, and the indexed sweep must agree with it.
func TestMatchGold(t *testing.T) {
	rep, err := runMatchCases(context.Background(), "testdata/eval-dev")
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Cases) < 16 {
		t.Fatalf("ran %d cases, want the 16 eval-dev cases", len(rep.Cases))
	}
	tot := rep.Total
	if tot.Profiles < 190 || tot.Correct != tot.Profiles || tot.FalseGrants != 0 || tot.MissedGrants != 0 || tot.SweepDisagree != 0 {
		for _, c := range rep.Cases {
			for _, w := range c.Wrong {
				t.Errorf("%s: %s", c.Case, w)
			}
		}
		t.Fatalf("total: %+v", tot)
	}
	if tot.Grants == 0 {
		t.Fatal("no expected grants: the apply-free check was not exercised")
	}
}
