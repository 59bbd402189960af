package main

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/zhida/zhida/corpus"
	"github.com/zhida/zhida/matcher"
	"github.com/zhida/zhida/store/postgres/pgtest"
)

// TestBenchSQLAgrees checks the SQL translation against the matcher: every
// sampled benefit's eligible and unknown counts must be equal.
func TestBenchSQLAgrees(t *testing.T) {
	url := pgtest.Schema(t)
	ctx := context.Background()
	g, err := newSynth("440000")
	if err != nil {
		t.Fatal(err)
	}
	profiles, err := g.profiles(ctx, 3000, 7)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(7, 99))
	pols := make([]matcher.Policy, 40)
	for i := range pols {
		pols[i] = g.policy(r, i, 0)
	}
	res, err := benchSQL(ctx, url, profiles, pols, corpus.MustDate("2025-06-30"), 1000, 7)
	if err != nil {
		t.Fatal(err)
	}
	if res.Sampled != res.Benefits || res.Agree != res.Sampled {
		t.Fatalf("SQL agrees with the matcher on %d of %d benefits (%d sampled)", res.Agree, res.Benefits, res.Sampled)
	}
}
