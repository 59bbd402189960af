package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/zhida/zhida/corpus"
	"github.com/zhida/zhida/corpus/region"
	"github.com/zhida/zhida/matcher"
	"github.com/zhida/zhida/matcher/sweep/sweeptest"
)

func newBenchMatchCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "bench-match [-profiles N] [-policies M] [-json]",
		Short: "Sweep speed: compiled, indexed sweep against every-benefit-vs-every-profile",
		Long: `bench-match generates synthetic profiles and policies shaped like a provincial
deployment (-province; 100000 for a national one) (most local policies scoped to a city or county, tag and threshold
conditions, ages for residents, a share of unparsed clauses), imports the
profiles through the CONTRACT parser, compiles the benefits, and times the
indexed sweep and the naive sweep (every benefit against every profile, the
same compiled evaluator, the same workers). Both must find the same matches.
The *_cpu_s fields are the process CPU time of each sweep: on a shared
machine they measure the work better than wall time.

With -postgres URL (or ZHIDA_TEST_POSTGRES set) it also runs the SQL
baseline: the profiles loaded into an indexed PostgreSQL table, one query per
benefit on -sql-sample benefits, the time scaled to all benefits (sql_s;
loading the table is not counted). Without it sql_s and speedup_vs_sql are
null. With more than -naive-max profiles the naive sweep runs on
the first -naive-max and its time is scaled up (naive_extrapolated).`,
		// Go-style single-dash flags (-profiles N), parsed with package flag.
		DisableFlagParsing: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			var o benchMatchOpts
			fs := flag.NewFlagSet("bench-match", flag.ContinueOnError)
			fs.SetOutput(cmd.ErrOrStderr())
			fs.IntVar(&o.profiles, "profiles", 100000, "number of synthetic profiles")
			fs.IntVar(&o.policies, "policies", 100, "number of synthetic policies (1-3 benefits each)")
			fs.IntVar(&o.naiveMax, "naive-max", 200000, "run the naive sweep on at most this many profiles and scale its time")
			fs.IntVar(&o.perPolicy, "benefits-per-policy", 0, "benefits per policy (0: 1 to 3 at random)")
			fs.Uint64Var(&o.seed, "seed", 1, "random seed")
			fs.StringVar(&o.province, "province", "440000", "province of the synthetic deployment (100000: the whole country)")
			asJSON := fs.Bool("json", false, "print one compact JSON object")
			fs.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the indexed sweep to this file")
			fs.StringVar(&o.postgres, "postgres", os.Getenv("ZHIDA_TEST_POSTGRES"), "PostgreSQL URL for the SQL baseline (empty: skip it)")
			fs.IntVar(&o.sqlSample, "sql-sample", 20, "benefits the SQL baseline queries (its time is scaled to all)")
			if err := fs.Parse(args); err != nil {
				if errors.Is(err, flag.ErrHelp) {
					return nil
				}
				return err
			}
			if fs.NArg() > 0 {
				return fmt.Errorf("unexpected argument %q", fs.Arg(0))
			}
			res, err := runBenchMatch(cmd.Context(), o)
			if err != nil {
				return err
			}
			return writeJSON(cmd.OutOrStdout(), res, !*asJSON)
		},
	}
	return cmd
}

type benchMatchOpts struct {
	profiles, policies, naiveMax int
	perPolicy                    int
	seed                         uint64
	province, cpuProfile         string
	// postgres, when set, also runs the SQL baseline (bench_sql.go) on
	// sqlSample benefits and scales its time to all of them.
	postgres  string
	sqlSample int
}

// benchMatchResult is the one JSON object bench-match prints.
type benchMatchResult struct {
	Profiles          int      `json:"profiles"`
	Policies          int      `json:"policies"`
	Benefits          int      `json:"benefits"`
	Workers           int      `json:"workers"`
	ImportS           float64  `json:"import_s"`
	CompileS          float64  `json:"compile_s"`
	SweepS            float64  `json:"sweep_s"`
	SweepCPUS         float64  `json:"sweep_cpu_s"`
	NaiveS            float64  `json:"naive_s"`
	NaiveCPUS         float64  `json:"naive_cpu_s"`
	NaiveExtrapolated bool     `json:"naive_extrapolated"`
	SpeedupVsNaive    float64  `json:"speedup_vs_naive"`
	SQLS              *float64 `json:"sql_s"`
	SpeedupVsSQL      *float64 `json:"speedup_vs_sql"`
	SQLNote           string   `json:"sql_note"`
	PeakRSSMB         float64  `json:"peak_rss_mb"`
	Eligible          int64    `json:"eligible"`
	Unknown           int64    `json:"unknown"`
	Grants            int64    `json:"grants"`
	PostedShare       float64  `json:"posted_share"`
	// Trees evaluated per profile: the index's candidates, and every
	// benefit of the subject's kind for the naive sweep.
	EvaluatedPerProfile      float64 `json:"evaluated_per_profile"`
	NaiveEvaluatedPerProfile float64 `json:"naive_evaluated_per_profile"`
	MatchesPerProfile        float64 `json:"matches_per_profile"`
	Agree                    bool    `json:"agree"`
}

func runBenchMatch(ctx context.Context, o benchMatchOpts) (benchMatchResult, error) {
	res := benchMatchResult{Profiles: o.profiles, Policies: o.policies, Workers: runtime.GOMAXPROCS(0),
		SQLNote: "not measured: pass -postgres URL (or set ZHIDA_TEST_POSTGRES) for the SQL baseline"}
	if o.profiles <= 0 || o.policies <= 0 {
		return res, fmt.Errorf("-profiles and -policies must be positive")
	}
	g, err := newSynth(o.province)
	if err != nil {
		return res, err
	}
	at := corpus.MustDate("2025-06-30")

	t0 := time.Now()
	profiles, err := g.profiles(ctx, o.profiles, o.seed)
	if err != nil {
		return res, err
	}
	res.ImportS = time.Since(t0).Seconds()

	r := rand.New(rand.NewPCG(o.seed, 99))
	pols := make([]matcher.Policy, o.policies)
	for i := range pols {
		pols[i] = g.policy(r, i, o.perPolicy)
		res.Benefits += len(pols[i].Benefits)
	}
	t0 = time.Now()
	set, err := matcher.Compile(pols, matcher.CompileOptions{At: at, Sample: profiles[:min(len(profiles), 2000)]})
	if err != nil {
		return res, err
	}
	res.CompileS = time.Since(t0).Seconds()
	st := set.Stats()
	res.PostedShare = float64(st.Posted[matcher.Enterprise]+st.Posted[matcher.Resident]) /
		float64(max(1, st.Posted[matcher.Enterprise]+st.Posted[matcher.Resident]+st.Always[matcher.Enterprise]+st.Always[matcher.Resident]))

	// Per-worker tallies, padded apart so workers do not share cache lines.
	type tally struct {
		elig, unk, grants int64
		_                 [40]byte
	}
	// digest[i] sums a hash of every match of profile i (order-free), so the
	// two sweeps can be compared match for match without keeping them.
	digest := make([]uint64, len(profiles))
	tallies := make([]tally, res.Workers)
	runtime.GC()
	if o.cpuProfile != "" {
		f, err := os.Create(o.cpuProfile)
		if err != nil {
			return res, err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return res, err
		}
	}
	t0, c0 := time.Now(), cpuSeconds()
	sweepStats, err := set.Sweep(ctx, profiles, func(w, i int, ms []matcher.Match) {
		digest[i] = matchDigest(ms)
		t := &tallies[w]
		for _, m := range ms {
			if m.Verdict == matcher.True {
				t.elig++
			} else {
				t.unk++
			}
			if m.Grant {
				t.grants++
			}
		}
	})
	if err != nil {
		return res, err
	}
	res.SweepS, res.SweepCPUS = time.Since(t0).Seconds(), cpuSeconds()-c0
	if o.cpuProfile != "" {
		pprof.StopCPUProfile()
	}
	for _, t := range tallies {
		res.Eligible += t.elig
		res.Unknown += t.unk
		res.Grants += t.grants
	}

	naiveN := min(len(profiles), o.naiveMax)
	res.NaiveExtrapolated = naiveN < len(profiles)
	agree := true
	var mu sync.Mutex
	runtime.GC()
	t0, c0 = time.Now(), cpuSeconds()
	naiveStats, err := set.SweepNaive(ctx, profiles[:naiveN], func(_, i int, ms []matcher.Match) {
		if matchDigest(ms) != digest[i] {
			mu.Lock()
			agree = false
			mu.Unlock()
		}
	})
	if err != nil {
		return res, err
	}
	scale := float64(len(profiles)) / float64(naiveN)
	res.NaiveS, res.NaiveCPUS = time.Since(t0).Seconds()*scale, (cpuSeconds()-c0)*scale
	res.Agree = agree
	res.EvaluatedPerProfile = math.Round(float64(sweepStats.Evaluated)/float64(max(1, sweepStats.Profiles))*10) / 10
	res.NaiveEvaluatedPerProfile = math.Round(float64(naiveStats.Evaluated)/float64(max(1, naiveStats.Profiles))*10) / 10
	res.MatchesPerProfile = math.Round(float64(sweepStats.Matches)/float64(max(1, sweepStats.Profiles))*10) / 10
	if res.SweepS > 0 {
		res.SpeedupVsNaive = math.Round(res.NaiveS/res.SweepS*100) / 100
	}
	if o.postgres != "" {
		sq, err := benchSQL(ctx, o.postgres, profiles, pols, at, o.sqlSample, o.seed)
		if err != nil {
			return res, fmt.Errorf("SQL baseline: %w", err)
		}
		sqlS := sq.SQLS
		res.SQLS = &sqlS
		if res.SweepS > 0 {
			sp := math.Round(sqlS/res.SweepS*10) / 10
			res.SpeedupVsSQL = &sp
		}
		res.SQLNote = fmt.Sprintf("one query per benefit (eligible and unknown counts) on %d of %d benefits, scaled to all; %d of %d sampled counts equal the matcher's; loading the table took %.1f s (not counted)",
			sq.Sampled, sq.Benefits, sq.Agree, sq.Sampled, sq.LoadS)
	}
	res.PeakRSSMB = peakRSSMB()
	for _, f := range []*float64{&res.ImportS, &res.CompileS, &res.SweepS, &res.NaiveS, &res.SweepCPUS, &res.NaiveCPUS, &res.PostedShare} {
		*f = math.Round(*f*1000) / 1000
	}
	if !agree {
		return res, fmt.Errorf("indexed and naive sweeps disagree")
	}
	return res, nil
}

// matchDigest hashes a profile's matches independently of their order.
func matchDigest(ms []matcher.Match) uint64 {
	var d uint64
	for _, m := range ms {
		h := uint64(m.Benefit)<<8 | uint64(m.Verdict)<<1
		if m.Grant {
			h |= 1
		}
		h ^= math.Float64bits(m.Score) * 0x9e3779b97f4a7c15
		h *= 0xff51afd7ed558ccd
		h ^= h >> 33
		d += h
	}
	return d + uint64(len(ms))
}

// cpuSeconds returns the CPU time (user and system) this process has used:
// on a machine shared with other jobs it measures the work better than the
// wall clock does.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

// peakRSSMB reads the process's peak resident set (VmHWM) on Linux.
func peakRSSMB() float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			return math.Round(kb/1024*10) / 10
		}
	}
	return 0
}

// synth generates a provincial deployment: profiles spread over the
// province's counties (a few big cities hold most), policies issued at the
// national, provincial, city and county level.
type synth struct {
	province string
	cities   []string            // city codes, biggest first
	counties map[string][]string // city → county codes
}

func newSynth(province string) (*synth, error) {
	rt := region.Default()
	national := province == region.National
	if len(province) != 6 || province[2:] != "0000" || !rt.Valid(province) {
		return nil, fmt.Errorf("-province %q: want a province code like 440000, or 100000", province)
	}
	g := &synth{province: province, counties: map[string][]string{}}
	seen := map[string]bool{}
	for _, n := range rt.Names() {
		for _, c := range rt.ByName(n) {
			if seen[c] || (!national && c[:2] != province[:2]) || c == province || c == region.National {
				continue
			}
			seen[c] = true
			city := c[:4] + "00"
			if c[4:] != "00" {
				g.counties[city] = append(g.counties[city], c)
			}
		}
	}
	for c := range g.counties {
		slices.Sort(g.counties[c])
		g.cities = append(g.cities, c)
	}
	slices.Sort(g.cities)
	if len(g.cities) == 0 {
		return nil, fmt.Errorf("-province %s: no counties in the region table", province)
	}
	return g, nil
}

// city picks a city, the first ones (capital, big cities) far more often.
func (g *synth) city(r *rand.Rand) string {
	i := int(math.Floor(math.Abs(r.NormFloat64()) * float64(len(g.cities)) / 2.5))
	return g.cities[min(i, len(g.cities)-1)]
}

func (g *synth) county(r *rand.Rand) string {
	cs := g.counties[g.city(r)]
	return cs[r.IntN(len(cs))]
}

// profiles generates n profiles as CONTRACT JSON lines and imports them
// through the parser, in parallel chunks (the text is never held whole).
func (g *synth) profiles(ctx context.Context, n int, seed uint64) ([]matcher.Profile, error) {
	out := make([]matcher.Profile, n)
	ps := matcher.NewParser(matcher.ParseOptions{IDCardKey: []byte("bench-match")})
	workers := runtime.GOMAXPROCS(0)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(seed, uint64(w)))
			var buf []byte
			for i := w; i < n && ctx.Err() == nil; i += workers {
				buf = g.profileJSON(r, i, buf[:0])
				p, err := ps.ParseLine(buf, i+1)
				if err != nil {
					errs[w] = fmt.Errorf("synthetic profile %s: %w", buf, err)
					return
				}
				out[i] = p
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, ctx.Err()
}

var (
	benchEntTags = corpus.EnterpriseTags()
	benchResTags = corpus.ResidentTags()
)

// profileJSON appends one synthetic profile line to buf.
func (g *synth) profileJSON(r *rand.Rand, i int, buf []byte) []byte {
	m := map[string]any{}
	var verifiable []string
	set := func(k string, v any) { m[k] = v; verifiable = append(verifiable, k) }
	if r.Float64() < 0.95 {
		set("region", g.county(r))
	}
	tagged := r.Float64() < 0.85
	if r.Float64() < 0.6 {
		m["kind"] = "enterprise"
		m["id"] = sweeptest.USCC(i)
		if tagged {
			var ts []string
			for j, t := range benchEntTags {
				if r.Float64() < 0.12/float64(1+j%4) {
					ts = append(ts, t)
				}
			}
			set("tags", nonNilStrings(ts))
		}
		emp := int(math.Exp(r.NormFloat64()*1.5 + 3))
		if r.Float64() < 0.8 {
			set("employees", emp)
		}
		if r.Float64() < 0.6 {
			set("insured_employees", r.IntN(emp+1))
		}
		if r.Float64() < 0.8 {
			set("established", fmt.Sprintf("%04d-%02d-%02d", 1990+r.IntN(35), 1+r.IntN(12), 1+r.IntN(28)))
		}
		rev := math.Exp(r.NormFloat64()*2 + 15)
		if r.Float64() < 0.7 {
			set("revenue", map[string]float64{"2023": math.Round(rev * 0.9), "2024": math.Round(rev)})
		}
		if r.Float64() < 0.3 {
			set("rd_expense", map[string]float64{"2024": math.Round(rev * r.Float64() * 0.1)})
		}
		if r.Float64() < 0.7 {
			set("scale", benchScale(emp, rev))
		}
		if r.Float64() < 0.6 {
			set("dishonest", r.Float64() < 0.02)
		}
		if r.Float64() < 0.5 {
			set("layoff_rate", math.Round(r.Float64()*0.1*1000)/1000)
		}
		if r.Float64() < 0.3 {
			set("industry", []string{"C39", "C3911", "I6510", "F5123", "M7310", "A0141"}[r.IntN(6)])
		}
	} else {
		m["kind"] = "resident"
		m["id"] = "r" + strconv.Itoa(i)
		if tagged {
			var ts []string
			for j, t := range benchResTags {
				if r.Float64() < 0.1/float64(1+j%5) {
					ts = append(ts, t)
				}
			}
			set("tags", nonNilStrings(ts))
		}
		if r.Float64() < 0.9 {
			set("birth_date", fmt.Sprintf("%04d-%02d-%02d", 1930+r.IntN(95), 1+r.IntN(12), 1+r.IntN(28)))
			set("gender", []string{"male", "female"}[r.IntN(2)])
		}
		if r.Float64() < 0.5 {
			set("residence_region", g.county(r))
		}
		if r.Float64() < 0.6 {
			set("hukou_type", []string{"urban", "rural"}[r.IntN(2)])
		}
		if r.Float64() < 0.06 {
			set("disability_level", 1+r.IntN(4))
		}
		if r.Float64() < 0.6 {
			set("employment", []string{"employed", "unemployed", "self_employed", "retired", "student"}[r.IntN(5)])
		}
		if r.Float64() < 0.3 {
			set("graduation_date", fmt.Sprintf("%04d-07-01", 2015+r.IntN(10)))
		}
		if r.Float64() < 0.4 {
			set("income_per_capita_monthly", 500+r.IntN(8000))
		}
	}
	var ver []string
	for _, k := range verifiable {
		if r.Float64() < 0.5 {
			ver = append(ver, k)
		}
	}
	m["verified"] = nonNilStrings(ver)
	b, _ := json.Marshal(m)
	return append(buf, b...)
}

func nonNilStrings(ss []string) []string {
	if ss == nil {
		return []string{}
	}
	return ss
}

func benchScale(emp int, rev float64) string {
	switch {
	case emp >= 1000 || rev >= 4e8:
		return "large"
	case emp >= 300 || rev >= 2e7:
		return "medium"
	case emp >= 20 || rev >= 3e6:
		return "small"
	}
	return "micro"
}

// policy generates one policy: its level decides the region atom, its
// audience the kind of conditions.
func (g *synth) policy(r *rand.Rand, i, benefits int) matcher.Policy {
	var scope string // "" = no region atom
	switch x := r.Float64(); {
	case x < 0.1: // national
	case x < 0.3:
		scope = g.province
		if scope == region.National { // a provincial policy of some province
			scope = g.city(r)[:2] + "0000"
		}
	case x < 0.7:
		scope = g.city(r)
	default:
		scope = g.county(r)
	}
	if scope != "" && r.Float64() < 0.15 {
		scope = "" // the text names no place: no region atom (CONTRACT §2)
	}
	aud := corpus.AudienceEnterprise
	if r.Float64() < 0.4 {
		aud = corpus.AudienceResident
	}
	pol := matcher.Policy{Name: fmt.Sprintf("synthetic-%d", i), Region: scope, Audience: aud}
	if benefits <= 0 {
		benefits = 1 + r.IntN(3)
	}
	for j := 0; j < benefits; j++ {
		var atoms []corpus.Cond
		if scope != "" {
			atoms = append(atoms, corpus.Atom("region", corpus.OpWithin, corpus.String(scope), "本市户籍/注册"))
		}
		if aud == corpus.AudienceEnterprise {
			atoms = append(atoms, entConds(r)...)
		} else {
			atoms = append(atoms, resConds(r, g)...)
		}
		if r.Float64() < 0.3 {
			atoms = append(atoms, corpus.Unparsed("财务制度健全，具有独立法人资格"))
		}
		tree := corpus.All(atoms...)
		pol.Benefits = append(pol.Benefits, corpus.Benefit{Name: fmt.Sprintf("b%d", j+1), ApplyFree: r.Float64() < 0.1, Conditions: &tree})
	}
	return pol
}

func entConds(r *rand.Rand) []corpus.Cond {
	var cs []corpus.Cond
	if r.Float64() < 0.5 {
		t := benchEntTags[r.IntN(len(benchEntTags))]
		if r.Float64() < 0.25 {
			u := benchEntTags[r.IntN(len(benchEntTags))]
			cs = append(cs, corpus.Any(corpus.Atom("tags", corpus.OpHas, corpus.String(t), t), corpus.Atom("tags", corpus.OpHas, corpus.String(u), u)))
		} else {
			cs = append(cs, corpus.Atom("tags", corpus.OpHas, corpus.String(t), t))
		}
	}
	if r.Float64() < 0.4 {
		op := corpus.OpGte
		if r.Float64() < 0.3 {
			op = corpus.OpLte
		}
		v := []float64{5e6, 1e7, 2e7, 5e7, 1e8, 2e8}[r.IntN(6)]
		cs = append(cs, corpus.Atom("revenue", op, corpus.Number(v), "上年度营业收入").WithYear(-1))
	}
	if r.Float64() < 0.3 {
		cs = append(cs, corpus.Atom("employees", corpus.OpLte, corpus.Number([]float64{20, 100, 300, 500}[r.IntN(4)]), "从业人员"))
	}
	if r.Float64() < 0.2 {
		cs = append(cs, corpus.Atom("insured_employees", corpus.OpGte, corpus.Number(1), "参保企业"))
	}
	if r.Float64() < 0.3 {
		cs = append(cs, corpus.Atom("scale", corpus.OpIn, corpus.Strings("small", "micro"), "小微企业"))
	}
	if r.Float64() < 0.2 {
		cs = append(cs, corpus.Atom("established_years", corpus.OpGte, corpus.Number(float64(1+r.IntN(5))), "成立满N年"))
	}
	if r.Float64() < 0.3 {
		cs = append(cs, corpus.Atom("dishonest", corpus.OpEq, corpus.Bool(false), "未被列入严重失信主体名单"))
	}
	if r.Float64() < 0.1 {
		cs = append(cs, corpus.Atom("rd_ratio", corpus.OpGte, corpus.Number(0.03), "研发费用占营业收入比例不低于3%").WithYear(-1))
	}
	return cs
}

func resConds(r *rand.Rand, g *synth) []corpus.Cond {
	var cs []corpus.Cond
	switch x := r.Float64(); {
	case x < 0.3:
		cs = append(cs, corpus.Atom("age", corpus.OpGte, corpus.Number([]float64{60, 65, 70, 80}[r.IntN(4)]), "年满N周岁"))
	case x < 0.45:
		cs = append(cs, corpus.Atom("age", corpus.OpGte, corpus.Number(16), "16周岁以上"),
			corpus.Any(
				corpus.All(corpus.Atom("gender", corpus.OpEq, corpus.String("female"), "女"), corpus.Atom("age", corpus.OpLte, corpus.Number(50), "女50周岁以下")),
				corpus.All(corpus.Atom("gender", corpus.OpEq, corpus.String("male"), "男"), corpus.Atom("age", corpus.OpLte, corpus.Number(60), "男60周岁以下"))))
	case x < 0.55:
		cs = append(cs, corpus.Atom("age", corpus.OpLte, corpus.Number(6), "6周岁以下"))
	}
	if r.Float64() < 0.5 {
		t := benchResTags[r.IntN(len(benchResTags))]
		cs = append(cs, corpus.Atom("tags", corpus.OpHas, corpus.String(t), t))
	}
	if r.Float64() < 0.05 {
		cs = append(cs, corpus.Atom("disability_level", corpus.OpLte, corpus.Number(2), "一、二级残疾"))
	}
	if r.Float64() < 0.1 {
		cs = append(cs, corpus.Atom("hukou_type", corpus.OpEq, corpus.String("rural"), "农村户籍"))
	}
	if r.Float64() < 0.15 {
		cs = append(cs, corpus.Atom("employment", corpus.OpEq, corpus.String("unemployed"), "失业"))
	}
	if r.Float64() < 0.05 {
		cs = append(cs, corpus.Atom("graduation_years", corpus.OpLt, corpus.Number(2), "毕业2年内"))
	}
	if r.Float64() < 0.15 {
		cs = append(cs, corpus.Atom("income_per_capita_monthly", corpus.OpLte, corpus.Number(float64(1000+r.IntN(2000))), "家庭人均月收入低于"))
	}
	if r.Float64() < 0.1 {
		cs = append(cs, corpus.Atom("residence_region", corpus.OpWithin, corpus.String(g.city(r)), "在本市居住"))
	}
	return cs
}
