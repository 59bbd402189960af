package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/metrics"
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
			printRematchBreakdown(cmd.OutOrStdout(), &res)
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
	// OwnCPUP50ms and OwnCPUP99ms are the CPU time of the rematching
	// thread alone (Linux; 0 elsewhere).
	OwnCPUP50ms float64 `json:"own_cpu_p50_ms"`
	OwnCPUP99ms float64 `json:"own_cpu_p99_ms"`
	// CPUP50ms and CPUP99ms are the process CPU time of the same rematches.
	CPUP50ms float64 `json:"cpu_p50_ms"`
	CPUP99ms float64 `json:"cpu_p99_ms"`
	// LiveCompileMs is the time to list and compile every live benefit
	// (Worker.Live with nothing cached).
	LiveCompileMs float64 `json:"live_compile_ms"`
	// Load is the load average when the run ended (the machine is shared).
	Load string `json:"load"`
	// FirstP50ms and FirstP99ms time the first match of a subject with
	// nothing stored (a new subject: every eligible or unknown row is new).
	FirstP50ms float64 `json:"first_p50_ms"`
	FirstP99ms float64 `json:"first_p99_ms"`
	// RowsWritten counts the rows the timed rematches wrote.
	RowsWritten   int     `json:"rows_written"`
	RowsPerChange float64 `json:"rows_per_change"`
	// Phases and FirstPhases break the rematch of a change and the first
	// match down (see sweep.RematchTimes); Kinds gives the latency per kind
	// of change; Tail describes the slowest 1% of the changes by wall time,
	// TailCPU by the rematching thread's CPU time (on a shared machine,
	// wall time mostly measures waiting for a core).
	Phases      []phaseStat `json:"phases"`
	FirstPhases []phaseStat `json:"first_phases"`
	Kinds       []kindStat  `json:"kinds"`
	// GCShare is the share of the changes during which a garbage
	// collection ended (compare with the tail's).
	GCShare float64  `json:"gc_share"`
	Tail    tailStat `json:"tail"`
	TailCPU tailStat `json:"tail_cpu"`
}

// rematchSample is one timed rematch of a change.
type rematchSample struct {
	kind      string // enterprise or resident, "+region" when the subject moved
	times     sweep.RematchTimes
	wall, cpu float64 // ms
	own       float64 // ms of CPU of the rematch's own thread
	gc        bool    // a garbage collection cycle ended during the rematch
}

// gcCycles counts the garbage collection cycles completed so far.
func gcCycles() uint64 {
	m := []metrics.Sample{{Name: "/gc/cycles/total:gc-cycles"}}
	metrics.Read(m)
	return m[0].Value.Uint64()
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// phases names the phases of sweep.RematchTimes in order.
var phases = []struct {
	name string
	of   func(*sweep.RematchTimes) time.Duration
}{
	{"load", func(t *sweep.RematchTimes) time.Duration { return t.Load }},
	{"live", func(t *sweep.RematchTimes) time.Duration { return t.Live }},
	{"match", func(t *sweep.RematchTimes) time.Duration { return t.Match }},
	{"read", func(t *sweep.RematchTimes) time.Duration { return t.Read }},
	{"diff", func(t *sweep.RematchTimes) time.Duration { return t.Diff }},
	{"write", func(t *sweep.RematchTimes) time.Duration { return t.Write }},
}

type phaseStat struct {
	Phase string  `json:"phase"`
	P50ms float64 `json:"p50_ms"`
	P99ms float64 `json:"p99_ms"`
	MaxMs float64 `json:"max_ms"`
}

func phasePercentiles(ss []rematchSample) []phaseStat {
	out := make([]phaseStat, 0, len(phases))
	for _, ph := range phases {
		xs := make([]float64, len(ss))
		for i := range ss {
			xs[i] = ms(ph.of(&ss[i].times))
		}
		st := phaseStat{Phase: ph.name}
		st.P50ms, st.P99ms, st.MaxMs = msPercentiles(xs)
		out = append(out, st)
	}
	return out
}

type kindStat struct {
	Kind  string  `json:"kind"`
	N     int     `json:"n"`
	P50ms float64 `json:"p50_ms"`
	P99ms float64 `json:"p99_ms"`
	// Rows is the mean number of rows written, Stored of rows stored before.
	Rows   float64 `json:"rows"`
	Stored float64 `json:"stored"`
}

func kindPercentiles(ss []rematchSample) []kindStat {
	by := map[string][]rematchSample{}
	for _, s := range ss {
		by[s.kind] = append(by[s.kind], s)
	}
	var out []kindStat
	for _, kind := range slices.Sorted(maps.Keys(by)) {
		xs := make([]float64, len(by[kind]))
		st := kindStat{Kind: kind, N: len(xs)}
		for i, s := range by[kind] {
			xs[i] = s.wall
			st.Rows += float64(s.times.Rows)
			st.Stored += float64(s.times.Stored)
		}
		st.Rows /= float64(st.N)
		st.Stored /= float64(st.N)
		st.P50ms, st.P99ms, _ = msPercentiles(xs)
		out = append(out, st)
	}
	return out
}

// tailStat is the slowest 1% of the changes: how many of each kind, and
// their mean time per phase, rows written and process CPU time.
type tailStat struct {
	N       int                `json:"n"`
	Kinds   map[string]int     `json:"kinds"`
	PhaseMs map[string]float64 `json:"phase_ms"`
	Rows    float64            `json:"rows"`
	Stored  float64            `json:"stored"`
	// GC counts the changes during which a garbage collection ended.
	GC     int     `json:"gc"`
	WallMs float64 `json:"wall_ms"`
	CPUMs  float64 `json:"cpu_ms"`
	OwnMs  float64 `json:"own_cpu_ms"`
}

func tailOf(ss []rematchSample, by func(*rematchSample) float64) tailStat {
	ss = slices.Clone(ss)
	slices.SortFunc(ss, func(a, b rematchSample) int { return cmp.Compare(by(&b), by(&a)) })
	ss = ss[:max(1, len(ss)/100)]
	t := tailStat{N: len(ss), Kinds: map[string]int{}, PhaseMs: map[string]float64{}}
	for _, s := range ss {
		t.Kinds[s.kind]++
		for _, ph := range phases {
			t.PhaseMs[ph.name] += ms(ph.of(&s.times)) / float64(t.N)
		}
		t.Rows += float64(s.times.Rows) / float64(t.N)
		t.Stored += float64(s.times.Stored) / float64(t.N)
		if s.gc {
			t.GC++
		}
		t.WallMs += s.wall / float64(t.N)
		t.CPUMs += s.cpu / float64(t.N)
		t.OwnMs += s.own / float64(t.N)
	}
	return t
}

// totalMs is the wall time of all phases.
func totalMs(t *sweep.RematchTimes) float64 {
	return ms(t.Load + t.Live + t.Match + t.Read + t.Diff + t.Write)
}

// msPercentiles returns the median, 99th percentile and maximum of xs.
func msPercentiles(xs []float64) (p50, p99, maxV float64) {
	slices.Sort(xs)
	return xs[len(xs)/2], xs[min(len(xs)-1, len(xs)*99/100)], xs[len(xs)-1]
}

// changeProfile makes the kind of change a data owner sends: an enterprise
// gets a new year's revenue and a qualification, a resident a status and
// an employment change; a few move to another county of their city.
// It returns the kind of change: the subject's kind, "+first-tags" when the
// profile had no tags before, "+region" when it moved.
func changeProfile(ps *matcher.Parser, data []byte, r *rand.Rand) (store.ProfileRecord, string, error) {
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		return store.ProfileRecord{}, "", fmt.Errorf("stored profile: %w", err)
	}
	kind, _ := m["kind"].(string)
	if _, ok := m["tags"]; !ok {
		// tags absent: every tag atom was unknown; now most turn false.
		kind += "+first-tags"
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
		kind += "+region"
	}
	line, err := json.Marshal(m)
	if err != nil {
		return store.ProfileRecord{}, "", err
	}
	p, err := ps.ParseLine(line, 1)
	if err != nil {
		return store.ProfileRecord{}, "", fmt.Errorf("changed profile %s: %w", line, err)
	}
	rec, err := sweep.Record(&p)
	return rec, kind, err
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
		// A schema of its own, dropped afterwards: the database may be shared.
		res.Store = "postgres"
		urls, drop, err := benchSchemas(ctx, pg, "rematch", 1)
		if err != nil {
			return res, err
		}
		defer drop()
		pg = urls[0]
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
	tc := time.Now()
	if _, err := w.Live(ctx); err != nil { // compile once, as serve does at start
		return res, err
	}
	res.LiveCompileMs = ms(time.Since(tc))
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
	// On its own thread, the sampling goroutine's CPU time is measurable
	// apart from the process's (the WAL checkpointer, the GC workers).
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	first := make([]sweep.RematchTimes, 0, k)
	var changes []rematchSample
	picked := map[int]bool{}
	for i := 0; i < k; i++ {
		j := r.IntN(len(keys))
		for picked[j] && len(picked) < len(keys) { // each subject once: its first match finds nothing stored
			j = r.IntN(len(keys))
		}
		picked[j] = true
		key := keys[j]
		ft, err := w.RematchTimed(ctx, key.Kind, key.ID)
		if err != nil {
			return res, err
		}
		first = append(first, ft)
		rec, err := st.GetProfile(ctx, key.Kind, key.ID)
		if err != nil {
			return res, err
		}
		changed, kind, err := changeProfile(ps, rec.Data, r)
		if err != nil {
			return res, err
		}
		if _, err := st.UpsertProfiles(ctx, []store.ProfileRecord{changed}); err != nil {
			return res, err
		}
		gc0 := gcCycles()
		t, c, tc := time.Now(), cpuTime(), threadCPUTime()
		var rt sweep.RematchTimes
		pprof.Do(ctx, pprof.Labels("phase", "rematch"), func(ctx context.Context) {
			rt, err = w.RematchTimed(ctx, key.Kind, key.ID)
		})
		if err != nil {
			return res, err
		}
		changes = append(changes, rematchSample{kind: kind, times: rt,
			wall: float64(time.Since(t).Microseconds()) / 1000, cpu: float64((cpuTime() - c).Microseconds()) / 1000,
			own: ms(threadCPUTime() - tc), gc: gcCycles() != gc0})
		res.RowsWritten += rt.Rows
	}
	lat, cpu := make([]float64, len(changes)), make([]float64, len(changes))
	for i, c := range changes {
		lat[i], cpu[i] = c.wall, c.cpu
	}
	res.P50ms, res.P99ms, res.MaxMs = msPercentiles(lat)
	res.CPUP50ms, res.CPUP99ms, _ = msPercentiles(cpu)
	own := make([]float64, len(changes))
	for i, c := range changes {
		own[i] = c.own
	}
	res.OwnCPUP50ms, res.OwnCPUP99ms, _ = msPercentiles(own)
	res.Load = loadAvg()
	firstWall := make([]float64, len(first))
	for i, f := range first {
		firstWall[i] = totalMs(&f)
	}
	res.FirstP50ms, res.FirstP99ms, _ = msPercentiles(firstWall)
	res.RowsPerChange = float64(res.RowsWritten) / float64(k)
	res.Phases = phasePercentiles(changes)
	res.FirstPhases = phasePercentiles(func() []rematchSample {
		out := make([]rematchSample, len(first))
		for i, f := range first {
			out[i] = rematchSample{kind: "first", times: f, wall: totalMs(&f)}
		}
		return out
	}())
	res.Kinds = kindPercentiles(changes)
	for _, c := range changes {
		if c.gc {
			res.GCShare += 1 / float64(len(changes))
		}
	}
	res.Tail = tailOf(changes, func(s *rematchSample) float64 { return s.wall })
	res.TailCPU = tailOf(changes, func(s *rematchSample) float64 { return s.own })
	return res, nil
}

// printRematchBreakdown prints the phases, the kinds of change and the tail.
func printRematchBreakdown(w io.Writer, res *benchRematchResult) {
	fmt.Fprintf(w, "rematching thread's CPU p50 %.2f ms, p99 %.2f ms; ", res.OwnCPUP50ms, res.OwnCPUP99ms)
	fmt.Fprintf(w, "process CPU p50 %.2f ms, p99 %.2f ms; load average %s; compiling the live benefits took %.1f ms; a GC ended during %.1f%% of the changes\n",
		res.CPUP50ms, res.CPUP99ms, res.Load, res.LiveCompileMs, 100*res.GCShare)
	fmt.Fprintf(w, "%-8s %21s %21s\n", "phase", "change p50/p99/max", "first p50/p99/max")
	for i, ph := range res.Phases {
		f := res.FirstPhases[i]
		fmt.Fprintf(w, "%-8s %6.2f %6.2f %7.2f %6.2f %6.2f %7.2f\n", ph.Phase, ph.P50ms, ph.P99ms, ph.MaxMs, f.P50ms, f.P99ms, f.MaxMs)
	}
	for _, k := range res.Kinds {
		fmt.Fprintf(w, "change %-18s n %5d  p50 %6.2f ms  p99 %6.2f ms  rows written %6.1f of %6.1f stored\n", k.Kind, k.N, k.P50ms, k.P99ms, k.Rows, k.Stored)
	}
	for _, t := range []struct {
		by string
		t  tailStat
	}{{"wall", res.Tail}, {"thread CPU", res.TailCPU}} {
		fmt.Fprintf(w, "slowest %d changes by %s: %v, %d during a GC, mean wall %.2f ms (thread CPU %.2f, process %.2f), rows written %.1f of %.1f stored, phases (ms):",
			t.t.N, t.by, t.t.Kinds, t.t.GC, t.t.WallMs, t.t.OwnMs, t.t.CPUMs, t.t.Rows, t.t.Stored)
		for _, ph := range phases {
			fmt.Fprintf(w, " %s %.2f", ph.name, t.t.PhaseMs[ph.name])
		}
		fmt.Fprintln(w)
	}
}
