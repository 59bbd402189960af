package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"os"
	"runtime/pprof"
	"slices"
	"time"

	"github.com/spf13/cobra"

	"github.com/zhida/zhida/corpus"
	"github.com/zhida/zhida/matcher"
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
does, then, for K random subjects: matches each once with nothing stored (a new
subject; first_p50/first_p99), changes the profile as a data owner would
(new revenue or status, a tag, sometimes the region) and times the
matcher's Rematch of the change: read the profile and the stored results,
match it against every live benefit, write the rows that differ. It prints
p50, p99 and max of the rematch of a change in milliseconds.`,
		DisableFlagParsing: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			fs := flag.NewFlagSet("bench-rematch", flag.ContinueOnError)
			fs.SetOutput(cmd.ErrOrStderr())
			n := fs.Int("profiles", 100000, "synthetic profiles to store")
			m := fs.Int("policies", 1000, "synthetic policies (one benefit each) to publish")
			k := fs.Int("samples", 2000, "profiles to rematch")
			pg := fs.String("postgres", "", "PostgreSQL URL (empty: the embedded store in a temporary folder)")
			asJSON := fs.Bool("json", false, "print one compact JSON object")
			cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the timed rematches to this file")
			if err := fs.Parse(args); err != nil {
				if errors.Is(err, flag.ErrHelp) {
					return nil
				}
				return err
			}
			res, err := runBenchRematch(cmd.Context(), *n, *m, *k, *pg, *cpuProfile)
			if err != nil {
				return err
			}
			if *asJSON {
				return json.NewEncoder(cmd.OutOrStdout()).Encode(res)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "rematch of one changed profile against %d live benefits (%d profiles stored, %s): p50 %.2f ms, p99 %.2f ms, max %.2f ms over %d samples (%.1f rows written each); first match of a new subject p50 %.2f ms, p99 %.2f ms\n",
				res.Benefits, res.Profiles, res.Store, res.P50ms, res.P99ms, res.MaxMs, res.Samples, res.RowsPerChange, res.FirstP50ms, res.FirstP99ms)
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
	// CPUP50ms and CPUP99ms are the process CPU time of the same rematches.
	CPUP50ms float64 `json:"cpu_p50_ms"`
	CPUP99ms float64 `json:"cpu_p99_ms"`
	// Load is the load average when the run ended (the machine is shared).
	Load string `json:"load"`
	// FirstP50ms and FirstP99ms time the first match of a subject with
	// nothing stored (a new subject: every eligible or unknown row is new).
	FirstP50ms float64 `json:"first_p50_ms"`
	FirstP99ms float64 `json:"first_p99_ms"`
	// RowsWritten counts the rows the timed rematches wrote.
	RowsWritten   int     `json:"rows_written"`
	RowsPerChange float64 `json:"rows_per_change"`
}

// msPercentiles returns the median, 99th percentile and maximum of xs.
func msPercentiles(xs []float64) (p50, p99, maxV float64) {
	slices.Sort(xs)
	return xs[len(xs)/2], xs[min(len(xs)-1, len(xs)*99/100)], xs[len(xs)-1]
}

// changeProfile makes the kind of change a data owner sends: an enterprise
// gets a new year's revenue and a qualification, a resident a status and
// an employment change; a few move to another county of their city.
func changeProfile(ps *matcher.Parser, data []byte, r *rand.Rand) (store.ProfileRecord, error) {
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		return store.ProfileRecord{}, fmt.Errorf("stored profile: %w", err)
	}
	tags, _ := m["tags"].([]any)
	if m["kind"] == "enterprise" {
		rev, _ := m["revenue"].(map[string]any)
		if rev == nil {
			rev = map[string]any{}
		}
		rev["2024"] = math.Round(math.Exp(r.NormFloat64()*2 + 15))
		m["revenue"] = rev
		m["tags"] = append(tags, benchEntTags[r.IntN(len(benchEntTags))])
	} else {
		m["tags"] = append(tags, benchResTags[r.IntN(len(benchResTags))])
		m["employment"] = []string{"employed", "unemployed", "retired"}[r.IntN(3)]
	}
	if reg, ok := m["region"].(string); ok && len(reg) == 6 && r.IntN(10) == 0 {
		m["region"] = reg[:4] + "00" // only the city is known now
	}
	line, err := json.Marshal(m)
	if err != nil {
		return store.ProfileRecord{}, err
	}
	p, err := ps.ParseLine(line, 1)
	if err != nil {
		return store.ProfileRecord{}, fmt.Errorf("changed profile %s: %w", line, err)
	}
	return sweep.Record(&p)
}

func runBenchRematch(ctx context.Context, n, m, k int, pg, cpuProfile string) (benchRematchResult, error) {
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
	if cpuProfile != "" {
		f, err := os.Create(cpuProfile)
		if err != nil {
			return res, err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return res, err
		}
		defer pprof.StopCPUProfile()
	}
	// Each sample is a subject first matched with nothing stored (a new
	// subject: every row is new), then changed as data owners change
	// profiles and rematched (the rows that differ are written).
	ps := matcher.NewParser(matcher.ParseOptions{})
	first := make([]float64, 0, k)
	lat := make([]float64, 0, k)
	cpu := make([]float64, 0, k) // process CPU time: on a shared machine, the work without the waiting
	for i := 0; i < k; i++ {
		key := keys[r.IntN(len(keys))]
		t := time.Now()
		if _, err := w.Rematch(ctx, key.Kind, key.ID); err != nil {
			return res, err
		}
		first = append(first, float64(time.Since(t).Microseconds())/1000)
		rec, err := st.GetProfile(ctx, key.Kind, key.ID)
		if err != nil {
			return res, err
		}
		changed, err := changeProfile(ps, rec.Data, r)
		if err != nil {
			return res, err
		}
		if _, err := st.UpsertProfiles(ctx, []store.ProfileRecord{changed}); err != nil {
			return res, err
		}
		t, c := time.Now(), cpuTime()
		var n int
		pprof.Do(ctx, pprof.Labels("phase", "rematch"), func(ctx context.Context) {
			n, err = w.Rematch(ctx, key.Kind, key.ID)
		})
		if err != nil {
			return res, err
		}
		lat = append(lat, float64(time.Since(t).Microseconds())/1000)
		cpu = append(cpu, float64((cpuTime()-c).Microseconds())/1000)
		res.RowsWritten += n
	}
	res.P50ms, res.P99ms, res.MaxMs = msPercentiles(lat)
	res.CPUP50ms, res.CPUP99ms, _ = msPercentiles(cpu)
	res.Load = loadAvg()
	res.FirstP50ms, res.FirstP99ms, _ = msPercentiles(first)
	res.RowsPerChange = float64(res.RowsWritten) / float64(k)
	return res, nil
}
