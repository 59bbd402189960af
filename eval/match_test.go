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

// TestMatchGoldFlatSets runs the held-out sets, whose cases sit one level
// down (blind/enterprise-01-…): every case must be found and reproduced.
func TestMatchGoldFlatSets(t *testing.T) {
	for _, tc := range []struct {
		dir   string
		cases int
	}{
		{"testdata/heldout", 12},
		{"testdata/blind", 7},
		{"testdata/fresh", 7},
	} {
		rep, err := runMatchCases(context.Background(), tc.dir)
		if err != nil {
			t.Fatalf("%s: %v", tc.dir, err)
		}
		if len(rep.Cases) != tc.cases {
			t.Errorf("%s: ran %d cases, want %d", tc.dir, len(rep.Cases), tc.cases)
		}
		tot := rep.Total
		if tot.Correct != tot.Profiles || tot.FalseGrants != 0 || tot.MissedGrants != 0 || tot.SweepDisagree != 0 {
			for _, c := range rep.Cases {
				for _, w := range c.Wrong {
					t.Errorf("%s: %s", c.Case, w)
				}
			}
			t.Errorf("%s total: %+v", tc.dir, tot)
		}
	}
}
