package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"slices"
	"time"

	"github.com/spf13/cobra"

	"github.com/zhida/zhida/corpus"
	"github.com/zhida/zhida/matcher/sweep"
	"github.com/zhida/zhida/store"
	"github.com/zhida/zhida/store/open"
)

func newBenchRematchCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "bench-rematch [-profiles N] [-policies M] [-samples K] [-postgres URL] [-json]",
		Short: "Latency of rematching one changed profile against every live benefit, through the store",
		Long: `bench-rematch stores N synthetic profiles and publishes M synthetic policies
(the bench-match generator, one benefit each) in the embedded store (or
PostgreSQL with -postgres), compiles the live benefits once as zhida serve
does, then times the matcher's Rematch of K random profiles: read the
profile, match it against every live benefit, write its results. It prints
p50, p99 and max in milliseconds.`,
		DisableFlagParsing: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			fs := flag.NewFlagSet("bench-rematch", flag.ContinueOnError)
			fs.SetOutput(cmd.ErrOrStderr())
			n := fs.Int("profiles", 100000, "synthetic profiles to store")
			m := fs.Int("policies", 1000, "synthetic policies (one benefit each) to publish")
			k := fs.Int("samples", 2000, "profiles to rematch")
			pg := fs.String("postgres", "", "PostgreSQL URL (empty: the embedded store in a temporary folder)")
			asJSON := fs.Bool("json", false, "print one compact JSON object")
			if err := fs.Parse(args); err != nil {
				if errors.Is(err, flag.ErrHelp) {
					return nil
				}
				return err
			}
			res, err := runBenchRematch(cmd.Context(), *n, *m, *k, *pg)
			if err != nil {
				return err
			}
			if *asJSON {
				return json.NewEncoder(cmd.OutOrStdout()).Encode(res)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "rematch of one profile against %d live benefits (%d profiles stored, %s): p50 %.2f ms, p99 %.2f ms, max %.2f ms over %d samples\n",
				res.Benefits, res.Profiles, res.Store, res.P50ms, res.P99ms, res.MaxMs, res.Samples)
			return nil
		},
	}
}

type benchRematchResult struct {
	Store    string  `json:"store"`
	Profiles int     `json:"profiles"`
	Benefits int     `json:"benefits"`
	Samples  int     `json:"samples"`
	LoadS    float64 `json:"load_s"`
	P50ms    float64 `json:"p50_ms"`
	P99ms    float64 `json:"p99_ms"`
	MaxMs    float64 `json:"max_ms"`
}

func runBenchRematch(ctx context.Context, n, m, k int, pg string) (benchRematchResult, error) {
	res := benchRematchResult{Store: "embedded", Profiles: n, Samples: k}
	if n <= 0 || m <= 0 || k <= 0 {
		return res, fmt.Errorf("-profiles, -policies and -samples must be positive")
	}
	dir, err := os.MkdirTemp("", "zhida-bench-rematch-")
	if err != nil {
		return res, err
	}
	defer os.RemoveAll(dir)
	if pg != "" {
		res.Store = "postgres"
	}
	st, err := open.Open(ctx, pg, dir)
	if err != nil {
		return res, err
	}
	defer st.Close()

	g, err := newSynth("440000")
	if err != nil {
		return res, err
	}
	t0 := time.Now()
	profiles, err := g.profiles(ctx, n, 1)
	if err != nil {
		return res, err
	}
	recs := make([]store.ProfileRecord, 0, 5000)
	var keys []store.ProfileRecord
	flush := func() error {
		if len(recs) == 0 {
			return nil
		}
		if _, err := st.UpsertProfiles(ctx, recs); err != nil {
			return err
		}
		recs = recs[:0]
		return nil
	}
	for i := range profiles {
		rec, err := sweep.Record(&profiles[i])
		if err != nil {
			return res, err
		}
		recs = append(recs, rec)
		keys = append(keys, store.ProfileRecord{Kind: rec.Kind, ID: rec.ID})
		if len(recs) == cap(recs) {
			if err := flush(); err != nil {
				return res, err
			}
		}
	}
	if err := flush(); err != nil {
		return res, err
	}
	rules := corpus.DefaultRules()
	r := rand.New(rand.NewPCG(1, 99))
	for i := 0; i < m; i++ {
		pol := g.policy(r, i, 1)
		doc := corpus.Document{Title: fmt.Sprintf("合成政策 %d", i), Region: pol.Region, Audience: pol.Audience,
			Category: corpus.CategoryOther, Benefits: pol.Benefits}
		if err := rules.Prepare(&doc); err != nil {
			return res, fmt.Errorf("synthetic policy %d: %w", i, err)
		}
		p, err := st.CreateDraft(ctx, doc)
		if err != nil {
			return res, err
		}
		if _, err := st.Publish(ctx, p.ID, nil); err != nil {
			return res, err
		}
		res.Benefits += len(doc.Benefits)
	}
	res.LoadS = time.Since(t0).Seconds()

	w := sweep.New(st, "bench-rematch", slog.New(slog.NewTextHandler(io.Discard, nil)))
	if _, err := w.Live(ctx); err != nil { // compile once, as serve does at start
		return res, err
	}
	lat := make([]float64, 0, k)
	for i := 0; i < k; i++ {
		key := keys[r.IntN(len(keys))]
		t := time.Now()
		if _, err := w.Rematch(ctx, key.Kind, key.ID); err != nil {
			return res, err
		}
		lat = append(lat, float64(time.Since(t).Microseconds())/1000)
	}
	slices.Sort(lat)
	res.P50ms = lat[len(lat)/2]
	res.P99ms = lat[min(len(lat)-1, len(lat)*99/100)]
	res.MaxMs = lat[len(lat)-1]
	return res, nil
}
