package main

import (
	"context"
	"testing"
)

// TestBenchMatchSmall runs the benchmark at a small size: the synthetic
// profiles import cleanly, the index posts most benefits, and the indexed
// and naive sweeps agree match for match (agree is checked by digest).
func TestBenchMatchSmall(t *testing.T) {
	res, err := runBenchMatch(context.Background(), benchMatchOpts{profiles: 3000, policies: 60, naiveMax: 3000, seed: 7, province: "440000"})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Agree || res.Benefits < 60 || res.Eligible == 0 || res.Unknown == 0 || res.Grants == 0 {
		t.Fatalf("%+v", res)
	}
	if res.PostedShare < 0.5 {
		t.Errorf("only %.0f%% of benefits posted in the index", 100*res.PostedShare)
	}
	if res.SQLS != nil {
		t.Error("sql_s reported without a SQL baseline")
	}
}
