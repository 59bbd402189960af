package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math"
	mrand "math/rand/v2"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/spf13/cobra"

	"github.com/zhida/zhida/corpus"
	"github.com/zhida/zhida/corpus/region"
	"github.com/zhida/zhida/matcher"
)

// sqlBenchResult is what the SQL baseline measured.
type sqlBenchResult struct {
	Profiles int     `json:"profiles"`
	Benefits int     `json:"benefits"`
	Sampled  int     `json:"sampled"`
	LoadS    float64 `json:"load_s"`
	// SQLS is the time to count eligible and unknown subjects of every
	// benefit (one query per benefit, scaled from the sample to all).
	SQLS float64 `json:"sql_s"`
	// SQLEligibleS counts only the eligible ones (WHERE pred: the form
	// indexes can serve), scaled the same way.
	SQLEligibleS float64 `json:"sql_eligible_s"`
	// Agree counts sampled benefits whose SQL counts equal the matcher's.
	Agree int `json:"sql_agree"`
}

// benchSQL is the SQL baseline of bench-match: it loads the profiles into an
// indexed PostgreSQL table in a schema of its own (dropped afterwards), one
// row per profile, a column per field (per-year fields as one column per
// year the policies need, dates as yyyymmdd integers, tags as a text[] with
// a GIN index), translates each sampled benefit's tree into one WHERE
// clause — SQL's NULL logic is Kleene's, so a missing key gives unknown for
// free — and times one query per benefit, scaled to all benefits.
func benchSQL(ctx context.Context, url string, profiles []matcher.Profile, pols []matcher.Policy, at corpus.Date, sample int, seed uint64) (sqlBenchResult, error) {
	var res sqlBenchResult
	res.Profiles = len(profiles)
	type ben struct {
		pi, bi int
	}
	var all []ben
	for pi := range pols {
		for bi := range pols[pi].Benefits {
			all = append(all, ben{pi, bi})
		}
	}
	res.Benefits = len(all)
	r := mrand.New(mrand.NewPCG(seed, 5))
	r.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
	picked := all[:min(sample, len(all))]
	res.Sampled = len(picked)
	if res.Sampled == 0 {
		return res, errors.New("no benefits to sample")
	}

	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return res, fmt.Errorf("connect: %w", err)
	}
	defer conn.Close(context.Background())
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "zhida_bench_" + hex.EncodeToString(b[:])
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema+"; SET search_path = "+schema); err != nil {
		return res, fmt.Errorf("create schema: %w", err)
	}
	defer conn.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE")

	tb := newSQLTable(pols, at)
	t0 := time.Now()
	if err := tb.load(ctx, conn, profiles); err != nil {
		return res, err
	}
	res.LoadS = time.Since(t0).Seconds()

	// The matcher's counts for the sampled benefits, to check the baseline.
	sub := make([]matcher.Policy, len(picked))
	for i, p := range picked {
		sub[i] = pols[p.pi]
		sub[i].Benefits = []corpus.Benefit{pols[p.pi].Benefits[p.bi]}
	}
	set, err := matcher.Compile(sub, matcher.CompileOptions{At: at})
	if err != nil {
		return res, err
	}
	want := make([][2]int64, len(picked))
	var mu sync.Mutex
	if _, err := set.Sweep(ctx, profiles, func(_, _ int, ms []matcher.Match) {
		mu.Lock()
		for _, m := range ms {
			if m.Verdict == matcher.True {
				want[m.Benefit][0]++
			} else {
				want[m.Benefit][1]++
			}
		}
		mu.Unlock()
	}); err != nil {
		return res, err
	}

	var both, elig time.Duration
	for i, p := range picked {
		bn := &pols[p.pi].Benefits[p.bi]
		where := tb.where(bn.Conditions)
		kind := "TRUE"
		if a := matcher.Audience(bn, pols[p.pi].Audience); a != corpus.AudienceBoth {
			kind = "kind = '" + string(a) + "'"
		}
		var e, u, e2 int64
		t := time.Now()
		q := "SELECT count(*) FILTER (WHERE (" + where + ") IS TRUE), count(*) FILTER (WHERE (" + where + ") IS NULL) FROM profiles WHERE " + kind
		if err := conn.QueryRow(ctx, q).Scan(&e, &u); err != nil {
			return res, fmt.Errorf("benefit %q: %w\n%s", bn.Name, err, q)
		}
		both += time.Since(t)
		t = time.Now()
		if err := conn.QueryRow(ctx, "SELECT count(*) FROM profiles WHERE "+kind+" AND ("+where+")").Scan(&e2); err != nil {
			return res, fmt.Errorf("benefit %q: %w", bn.Name, err)
		}
		elig += time.Since(t)
		if e == want[i][0] && u == want[i][1] && e2 == e {
			res.Agree++
		}
	}
	scale := float64(res.Benefits) / float64(res.Sampled)
	res.SQLS = round3(both.Seconds() * scale)
	res.SQLEligibleS = round3(elig.Seconds() * scale)
	res.LoadS = round3(res.LoadS)
	return res, nil
}

func round3(f float64) float64 { return math.Round(f*1000) / 1000 }

// sqlTable maps vocabulary fields to columns of the profiles table.
type sqlTable struct {
	at    corpus.Date
	atYMD int
	// years lists, per per-year field, the fiscal years the policies read.
	years map[string][]int
}

func newSQLTable(pols []matcher.Policy, at corpus.Date) *sqlTable {
	tb := &sqlTable{at: at, atYMD: at.Year*10000 + int(at.Month)*100 + at.Day, years: map[string][]int{}}
	add := func(f string, y int) {
		if !containsInt(tb.years[f], y) {
			tb.years[f] = append(tb.years[f], y)
		}
	}
	for _, p := range pols {
		for _, b := range p.Benefits {
			if b.Conditions == nil {
				continue
			}
			for _, a := range b.Conditions.Atoms() {
				y := at.Year + yearOf(&a)
				if f, ok := corpus.LookupField(a.Field); ok && f.PerYear {
					add(a.Field, y)
				}
				if a.Field == "rd_ratio" {
					add("revenue", y)
					add("rd_expense", y)
				}
			}
		}
	}
	return tb
}

func containsInt(xs []int, x int) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

func yearOf(a *corpus.Cond) int {
	if a.Year != nil {
		return *a.Year
	}
	return matcher.DefaultYear
}

// stored lists the stored (non-derived) fields in vocabulary order.
func storedFields() []corpus.Field {
	var out []corpus.Field
	for _, f := range corpus.AllFields() {
		if !f.Derived && f.Type != corpus.TypeUnparsed {
			out = append(out, f)
		}
	}
	return out
}

// columns returns the table's columns with their SQL types.
func (tb *sqlTable) columns() (names, types []string) {
	names, types = []string{"kind", "id"}, []string{"text", "text"}
	for _, f := range storedFields() {
		switch {
		case f.PerYear:
			for _, y := range tb.years[f.Name] {
				names, types = append(names, yearCol(f.Name, y)), append(types, "float8")
			}
		case f.Type == corpus.TypeNumber:
			names, types = append(names, f.Name), append(types, "float8")
		case f.Type == corpus.TypeDate:
			names, types = append(names, f.Name), append(types, "int")
		case f.Type == corpus.TypeBool:
			names, types = append(names, f.Name), append(types, "bool")
		case f.Type == corpus.TypeTags:
			names, types = append(names, f.Name), append(types, "text[]")
		default: // string, region, industry
			names, types = append(names, f.Name), append(types, "text")
		}
	}
	return names, types
}

func yearCol(field string, y int) string { return field + "_y" + strconv.Itoa(y) }

func (tb *sqlTable) load(ctx context.Context, conn *pgx.Conn, profiles []matcher.Profile) error {
	names, types := tb.columns()
	var ddl strings.Builder
	ddl.WriteString("CREATE TABLE profiles (")
	for i := range names {
		if i > 0 {
			ddl.WriteString(", ")
		}
		ddl.WriteString(names[i] + " " + types[i])
	}
	ddl.WriteString(")")
	if _, err := conn.Exec(ctx, ddl.String()); err != nil {
		return fmt.Errorf("create table: %w", err)
	}
	rows := make([][]any, len(profiles))
	for i := range profiles {
		rows[i] = tb.row(&profiles[i])
	}
	if _, err := conn.CopyFrom(ctx, pgx.Identifier{"profiles"}, names, pgx.CopyFromRows(rows)); err != nil {
		return fmt.Errorf("copy profiles: %w", err)
	}
	for i, n := range names {
		if n == "id" {
			continue
		}
		using := ""
		if types[i] == "text[]" {
			using = " USING gin"
		}
		if _, err := conn.Exec(ctx, "CREATE INDEX ON profiles"+using+" ("+n+")"); err != nil {
			return fmt.Errorf("index %s: %w", n, err)
		}
	}
	if _, err := conn.Exec(ctx, "ANALYZE profiles"); err != nil {
		return fmt.Errorf("analyze: %w", err)
	}
	return nil
}

func (tb *sqlTable) row(p *matcher.Profile) []any {
	row := []any{string(p.Kind.Audience()), p.ID}
	for _, f := range storedFields() {
		switch {
		case f.PerYear:
			for _, y := range tb.years[f.Name] {
				if v, ok := p.YearNumber(f.Name, y); ok {
					row = append(row, v)
				} else {
					row = append(row, nil)
				}
			}
		case f.Type == corpus.TypeNumber:
			if v, ok := p.Number(f.Name); ok {
				row = append(row, v)
			} else {
				row = append(row, nil)
			}
		case f.Type == corpus.TypeDate:
			if d, ok := p.Date(f.Name); ok {
				row = append(row, int32(d.Year*10000+int(d.Month)*100+d.Day))
			} else {
				row = append(row, nil)
			}
		case f.Type == corpus.TypeBool:
			if v, ok := p.Dishonest(); ok && f.Name == "dishonest" {
				row = append(row, v)
			} else {
				row = append(row, nil)
			}
		case f.Type == corpus.TypeTags:
			if ts, ok := p.Tags(); ok {
				row = append(row, ts)
			} else {
				row = append(row, nil)
			}
		case f.Type == corpus.TypeRegion:
			row = append(row, nullString(map[bool]string{true: p.Region(), false: p.ResidenceRegion()}[f.Name == "region"]))
		case f.Type == corpus.TypeIndustry:
			row = append(row, nullString(p.Industry()))
		default:
			if v, ok := p.Enum(f.Name); ok {
				row = append(row, v)
			} else {
				row = append(row, nil)
			}
		}
	}
	return row
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// sqlUnknown is an atom SQL cannot decide: unknown, like the matcher's.
const sqlUnknown = "NULL::boolean"

// where translates a condition tree into a boolean SQL expression whose NULL
// is the matcher's unknown.
func (tb *sqlTable) where(c *corpus.Cond) string {
	if c == nil {
		return "TRUE"
	}
	switch c.Kind() {
	case corpus.NodeAll, corpus.NodeAny:
		kids, op, empty := c.All, " AND ", "TRUE"
		if c.Kind() == corpus.NodeAny {
			kids, op, empty = c.Any, " OR ", "FALSE"
		}
		if len(kids) == 0 {
			return empty
		}
		parts := make([]string, len(kids))
		for i := range kids {
			parts[i] = tb.where(&kids[i])
		}
		return "(" + strings.Join(parts, op) + ")"
	case corpus.NodeNot:
		return "(NOT " + tb.where(c.Not) + ")"
	}
	return tb.atom(c)
}

func sqlLit(v corpus.Value) (string, bool) {
	if n, ok := v.Num(); ok {
		return strconv.FormatFloat(n, 'g', -1, 64), true
	}
	if s, ok := v.Str(); ok {
		return "'" + strings.ReplaceAll(s, "'", "''") + "'", true
	}
	if b, ok := v.Boolean(); ok {
		return strconv.FormatBool(b), true
	}
	return "", false
}

func sqlList(v corpus.Value) (string, bool) {
	items := v.Items()
	if v.Kind() != corpus.KindList {
		items = []corpus.Value{v}
	}
	var parts []string
	for _, it := range items {
		l, ok := sqlLit(it)
		if !ok {
			return "", false
		}
		parts = append(parts, l)
	}
	if len(parts) == 0 {
		return "", false
	}
	return strings.Join(parts, ", "), true
}

var sqlCmp = map[corpus.Op]string{corpus.OpEq: "=", corpus.OpNe: "<>", corpus.OpGt: ">",
	corpus.OpGte: ">=", corpus.OpLt: "<", corpus.OpLte: "<="}

func (tb *sqlTable) atom(c *corpus.Cond) string {
	f, ok := corpus.LookupField(c.Field)
	if !ok || f.Type == corpus.TypeUnparsed {
		return sqlUnknown
	}
	y := tb.at.Year + yearOf(c)
	var expr string
	switch {
	case f.Type == corpus.TypeTags:
		list, ok := sqlList(c.Value)
		if !ok {
			return sqlUnknown
		}
		arr := "ARRAY[" + list + "]::text[]"
		switch c.Op {
		case corpus.OpHas:
			return "(tags @> " + arr + ")"
		case corpus.OpIn:
			return "(tags && " + arr + ")"
		case corpus.OpNotIn:
			return "(NOT (tags && " + arr + "))"
		}
		return sqlUnknown
	case f.Type == corpus.TypeRegion && c.Op == corpus.OpWithin:
		s, ok := c.Value.Str()
		if !ok || len(s) != 6 {
			return sqlUnknown
		}
		switch {
		case s == region.National:
			return "(length(" + f.Name + ") = 6)"
		case s[2:] == "0000":
			return "(left(" + f.Name + ", 2) = '" + s[:2] + "')"
		case s[4:] == "00":
			return "(left(" + f.Name + ", 4) = '" + s[:4] + "')"
		}
		return "(" + f.Name + " = '" + s + "')"
	case f.Type == corpus.TypeIndustry && c.Op == corpus.OpWithin:
		s, ok := c.Value.Str()
		if !ok {
			return sqlUnknown
		}
		return "(" + f.Name + " LIKE '" + strings.ReplaceAll(s, "'", "''") + "%')"
	case f.PerYear && !f.Derived:
		if !containsInt(tb.years[f.Name], y) {
			return sqlUnknown
		}
		expr = yearCol(f.Name, y)
	case c.Field == "age":
		expr = "((" + strconv.Itoa(tb.atYMD) + " - birth_date) / 10000)"
	case c.Field == "established_years":
		expr = "((" + strconv.Itoa(tb.atYMD) + " - established) / 10000)"
	case c.Field == "graduation_years":
		expr = "((" + strconv.Itoa(tb.atYMD) + " - graduation_date) / 10000)"
	case c.Field == "rd_ratio":
		if !containsInt(tb.years["revenue"], y) {
			return sqlUnknown
		}
		expr = "(" + yearCol("rd_expense", y) + " / NULLIF(" + yearCol("revenue", y) + ", 0))"
	case f.Derived:
		return sqlUnknown
	case f.Type == corpus.TypeDate:
		return sqlUnknown // the vocabulary compares dates through derived years
	default:
		expr = f.Name
	}
	switch c.Op {
	case corpus.OpIn, corpus.OpNotIn:
		list, ok := sqlList(c.Value)
		if !ok {
			return sqlUnknown
		}
		if c.Op == corpus.OpIn {
			return "(" + expr + " IN (" + list + "))"
		}
		return "(" + expr + " NOT IN (" + list + "))"
	}
	op, ok := sqlCmp[c.Op]
	if !ok {
		return sqlUnknown
	}
	lit, ok := sqlLit(c.Value)
	if !ok {
		return sqlUnknown
	}
	return "(" + expr + " " + op + " " + lit + ")"
}

func newBenchSQLCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "bench-sql -postgres URL [-profiles N] [-policies M] [-sample K]",
		Short: "SQL baseline of bench-match: one WHERE per benefit on an indexed PostgreSQL table",
		Long: `bench-sql generates the same synthetic profiles and policies as bench-match
(same flags and seed), times the indexed sweep, loads the profiles into an
indexed PostgreSQL table (a schema of its own, dropped afterwards), runs one
query per benefit on -sample benefits (each tree translated into one SQL
WHERE; NULL is unknown) and scales that to all benefits. It prints sweep_s,
sql_s (eligible and unknown counts), sql_eligible_s (eligible only) and
speedup_vs_sql; sql_agree counts sampled benefits whose SQL counts equal
the matcher's. -postgres defaults to ZHIDA_TEST_POSTGRES; without either it
refuses to run.`,
		DisableFlagParsing: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			var o benchMatchOpts
			fs := flag.NewFlagSet("bench-sql", flag.ContinueOnError)
			fs.SetOutput(cmd.ErrOrStderr())
			url := fs.String("postgres", os.Getenv("ZHIDA_TEST_POSTGRES"), "PostgreSQL URL (default $ZHIDA_TEST_POSTGRES)")
			fs.IntVar(&o.profiles, "profiles", 100000, "number of synthetic profiles")
			fs.IntVar(&o.policies, "policies", 100, "number of synthetic policies")
			fs.IntVar(&o.perPolicy, "benefits-per-policy", 0, "benefits per policy (0: 1 to 3 at random)")
			fs.Uint64Var(&o.seed, "seed", 1, "random seed")
			fs.StringVar(&o.province, "province", "440000", "province of the synthetic deployment")
			sample := fs.Int("sample", 20, "benefits to query (time scaled to all)")
			if err := fs.Parse(args); err != nil {
				if errors.Is(err, flag.ErrHelp) {
					return nil
				}
				return err
			}
			if *url == "" {
				return errors.New("bench-sql needs -postgres URL (or ZHIDA_TEST_POSTGRES)")
			}
			out, err := runBenchSQL(cmd.Context(), o, *url, *sample)
			if err != nil {
				return err
			}
			return writeJSON(cmd.OutOrStdout(), out, true)
		},
	}
}

// runBenchSQL builds bench-match's data, times the indexed sweep and the
// SQL baseline.
func runBenchSQL(ctx context.Context, o benchMatchOpts, url string, sample int) (map[string]any, error) {
	g, err := newSynth(o.province)
	if err != nil {
		return nil, err
	}
	at := corpus.MustDate("2025-06-30")
	profiles, err := g.profiles(ctx, o.profiles, o.seed)
	if err != nil {
		return nil, err
	}
	r := mrand.New(mrand.NewPCG(o.seed, 99))
	pols := make([]matcher.Policy, o.policies)
	for i := range pols {
		pols[i] = g.policy(r, i, o.perPolicy)
	}
	set, err := matcher.Compile(pols, matcher.CompileOptions{At: at, Sample: profiles[:min(len(profiles), 2000)]})
	if err != nil {
		return nil, err
	}
	runtime.GC()
	t0 := time.Now()
	if _, err := set.Sweep(ctx, profiles, func(int, int, []matcher.Match) {}); err != nil {
		return nil, err
	}
	sweepS := time.Since(t0).Seconds()
	res, err := benchSQL(ctx, url, profiles, pols, at, sample, o.seed)
	if err != nil {
		return nil, err
	}
	out := map[string]any{}
	b, _ := json.Marshal(res)
	_ = json.Unmarshal(b, &out)
	out["sweep_s"] = round3(sweepS)
	out["workers"] = runtime.GOMAXPROCS(0)
	if sweepS > 0 {
		out["speedup_vs_sql"] = math.Round(res.SQLS/sweepS*10) / 10
	}
	return out, nil
}
