package main

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/zhida/zhida/corpus"
	"github.com/zhida/zhida/matcher"
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

// BenchmarkSynthMatch measures matching one synthetic profile against the
// benefits of 1,000 synthetic policies (about 2,000 benefits), as
// bench-match's sweep does; ns/op is per profile.
func BenchmarkSynthMatch(b *testing.B) {
	for _, mode := range []string{"indexed", "naive"} {
		b.Run(mode, func(b *testing.B) {
			set, profiles := synthSet(b, 20000, 1000)
			var sc matcher.Scratch
			match := set.Match
			if mode == "naive" {
				match = set.MatchNaive
			}
			b.ResetTimer()
			c0 := cpuSeconds()
			for i := 0; i < b.N; i++ {
				match(&profiles[i%len(profiles)], &sc)
			}
			// CPU time per profile: on a shared machine it moves less than ns/op.
			b.ReportMetric((cpuSeconds()-c0)*1e9/float64(b.N), "cpu-ns/op")
		})
	}
}

func synthSet(tb testing.TB, n, m int) (*matcher.Set, []matcher.Profile) {
	tb.Helper()
	g, err := newSynth("440000")
	if err != nil {
		tb.Fatal(err)
	}
	profiles, err := g.profiles(context.Background(), n, 1)
	if err != nil {
		tb.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 99))
	pols := make([]matcher.Policy, m)
	for i := range pols {
		pols[i] = g.policy(r, i, 0)
	}
	set, err := matcher.Compile(pols, matcher.CompileOptions{At: corpus.MustDate("2025-06-30"), Sample: profiles[:min(n, 2000)]})
	if err != nil {
		tb.Fatal(err)
	}
	return set, profiles
}

// BenchmarkSynthSweep measures Set.Sweep over 20,000 synthetic profiles and
// the benefits of 1,000 synthetic policies; cpu-ns/op is per profile.
func BenchmarkSynthSweep(b *testing.B) {
	set, profiles := synthSet(b, 20000, 1000)
	b.ResetTimer()
	c0 := cpuSeconds()
	for i := 0; i < b.N; i++ {
		if _, err := set.Sweep(context.Background(), profiles, func(int, int, []matcher.Match) {}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric((cpuSeconds()-c0)*1e9/float64(b.N)/float64(len(profiles)), "cpu-ns/profile")
}
