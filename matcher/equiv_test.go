package matcher

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/zhida/zhida/corpus"
)

// Small value domains, so random atoms and profiles often sit exactly on
// each other's boundaries.
var (
	eqRegions    = []string{"100000", "110000", "110100", "110105", "110108", "120000", "120101", "440100", "440106", "440000"}
	eqIndustries = []string{"C", "C39", "C3911", "I65", "I6510", "A01"}
	eqTags       = []string{"高新技术企业", "科技型中小企业", "个体工商户", "残疾人", "低保对象", "退役军人", "自定义标签"}
	eqNumbers    = []float64{0, 1, 3, 18, 30, 31, 60, 0.03, 0.06, 2e7}
	eqDates      = []string{"1960-03-01", "1964-03-01", "2000-02-29", "2006-03-01", "2020-03-01", "2023-02-28"}
	eqAt         = corpus.MustDate("2024-03-01")
)

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

func randValue(r *rand.Rand, f corpus.Field) corpus.Value {
	switch f.Type {
	case corpus.TypeNumber:
		return corpus.Number(pick(r, eqNumbers))
	case corpus.TypeDate:
		return corpus.String(pick(r, eqDates))
	case corpus.TypeBool, corpus.TypeUnparsed:
		return corpus.Bool(r.IntN(2) == 0)
	case corpus.TypeRegion:
		return corpus.String(pick(r, eqRegions))
	case corpus.TypeIndustry:
		return corpus.String(pick(r, eqIndustries))
	case corpus.TypeTags:
		return corpus.String(pick(r, eqTags))
	case corpus.TypeString:
		if r.IntN(10) == 0 {
			return corpus.String("bogus")
		}
		return corpus.String(pick(r, f.Enum))
	}
	return corpus.Value{}
}

func randAtom(r *rand.Rand) corpus.Cond {
	fs := corpus.AllFields()
	f := pick(r, fs)
	op := pick(r, corpus.Ops())
	if r.IntN(4) != 0 { // mostly well-formed: an operator that applies to the type
		switch f.Type {
		case corpus.TypeNumber, corpus.TypeDate:
			op = pick(r, []corpus.Op{corpus.OpEq, corpus.OpNe, corpus.OpGt, corpus.OpGte, corpus.OpLt, corpus.OpLte, corpus.OpIn, corpus.OpNotIn})
		case corpus.TypeRegion, corpus.TypeIndustry:
			op = pick(r, []corpus.Op{corpus.OpWithin, corpus.OpWithin, corpus.OpEq, corpus.OpNe, corpus.OpIn, corpus.OpNotIn})
		case corpus.TypeTags:
			op = pick(r, []corpus.Op{corpus.OpHas, corpus.OpHas, corpus.OpHas, corpus.OpIn, corpus.OpNotIn})
		case corpus.TypeString:
			op = pick(r, []corpus.Op{corpus.OpEq, corpus.OpNe, corpus.OpIn, corpus.OpNotIn})
		case corpus.TypeBool, corpus.TypeUnparsed:
			op = pick(r, []corpus.Op{corpus.OpEq, corpus.OpNe})
		}
	}
	var v corpus.Value
	if op == corpus.OpIn || op == corpus.OpNotIn {
		n := 1 + r.IntN(3)
		vs := make([]corpus.Value, n)
		for i := range vs {
			vs[i] = randValue(r, f)
		}
		v = corpus.List(vs...)
	} else {
		v = randValue(r, f)
	}
	if r.IntN(20) == 0 { // a value of the wrong type
		v = corpus.Bool(true)
	}
	c := corpus.Atom(f.Name, op, v, fmt.Sprintf("%s %s %s", f.Name, op, v))
	if f.PerYear && r.IntN(3) > 0 {
		c = c.WithYear(pick(r, []int{-2, -1, 0}))
	}
	return c
}

func randTree(r *rand.Rand, depth int) corpus.Cond {
	if depth == 0 || r.IntN(3) == 0 {
		return randAtom(r)
	}
	switch r.IntN(5) {
	case 0:
		return corpus.Not(randTree(r, depth-1))
	case 1, 2:
		kids := make([]corpus.Cond, r.IntN(4))
		for i := range kids {
			kids[i] = randTree(r, depth-1)
		}
		return corpus.Any(kids...)
	}
	kids := make([]corpus.Cond, 1+r.IntN(4))
	for i := range kids {
		kids[i] = randTree(r, depth-1)
	}
	return corpus.All(kids...)
}

// randProfileJSON builds a random CONTRACT profile line.
func randProfileJSON(r *rand.Rand, i int) []byte {
	m := map[string]any{}
	enterprise := r.IntN(2) == 0
	maybe := func(k string, v func() any) {
		if r.IntN(3) > 0 {
			m[k] = v()
		}
	}
	num := func() any { return pick(r, eqNumbers) }
	years := func() any {
		out := map[string]float64{}
		for _, y := range []string{"2022", "2023", "2024"} {
			if r.IntN(3) > 0 {
				out[y] = pick(r, eqNumbers)
			}
		}
		return out
	}
	var keys []string
	if enterprise {
		m["kind"] = "enterprise"
		m["id"] = "91110105MA0000000X" // replaced below with a valid code
		m["id"] = validUSCC(r)
		maybe("established", func() any { return pick(r, eqDates) })
		maybe("registered_capital", num)
		maybe("employees", func() any { return pick(r, []float64{0, 1, 3, 18, 30, 31, 60}) })
		maybe("insured_employees", func() any { return pick(r, []float64{0, 1, 30, 31}) })
		maybe("industry", func() any { return pick(r, eqIndustries[1:]) })
		maybe("scale", func() any { return pick(r, []string{"large", "medium", "small", "micro"}) })
		for _, k := range []string{"revenue", "tax_paid", "rd_expense", "total_assets", "export_value"} {
			maybe(k, years)
		}
		maybe("layoff_rate", func() any { return pick(r, []float64{0, 0.03, 0.06, 1}) })
		maybe("dishonest", func() any { return r.IntN(2) == 0 })
		keys = enterpriseKeys
	} else {
		m["kind"] = "resident"
		m["id"] = fmt.Sprintf("r-%d", i)
		if r.IntN(4) == 0 {
			m["id_card"] = validIDCard(r)
		} else {
			maybe("birth_date", func() any { return pick(r, eqDates) })
			maybe("gender", func() any { return pick(r, []string{"male", "female"}) })
		}
		maybe("residence_region", func() any { return pick(r, eqRegions[1:]) })
		maybe("hukou_type", func() any { return pick(r, []string{"urban", "rural"}) })
		maybe("disability_level", func() any { return float64(1 + r.IntN(4)) })
		maybe("employment", func() any { return pick(r, []string{"employed", "unemployed", "student"}) })
		maybe("degree", func() any { return pick(r, []string{"none", "bachelor", "doctor"}) })
		maybe("graduation_date", func() any { return pick(r, eqDates) })
		maybe("income_per_capita_monthly", num)
		keys = residentKeys
	}
	maybe("region", func() any { return pick(r, eqRegions) })
	maybe("tags", func() any {
		var ts []string
		for _, t := range eqTags {
			if r.IntN(3) == 0 {
				ts = append(ts, t)
			}
		}
		if ts == nil {
			ts = []string{}
		}
		return ts
	})
	var ver []string
	for _, k := range append(slices.Clone(commonKeys[3:5]), keys...) {
		if r.IntN(2) == 0 {
			ver = append(ver, k)
		}
	}
	if r.IntN(2) == 0 {
		m["verified"] = ver
	}
	b, err := json.Marshal(m)
	if err != nil {
		panic(err)
	}
	return b
}

// validUSCC builds a random 统一社会信用代码 with both check characters right.
func validUSCC(r *rand.Rand) string {
	for {
		body := "91110105"
		for i := 0; i < 8; i++ {
			body += string(usccChars[r.IntN(10)])
		}
		for _, c := range "0123456789X" {
			if checkOrgCode(body[8:]+string(c)) == nil {
				body += string(c)
				break
			}
		}
		if len(body) != 17 {
			continue
		}
		for _, c := range usccChars {
			if CheckUSCC(body+string(c)) == nil {
				return body + string(c)
			}
		}
	}
}

// validIDCard builds a random 身份证号 with a right check character.
func validIDCard(r *rand.Rand) string {
	bd := pick(r, eqDates)
	s := "110105" + bd[0:4] + bd[5:7] + bd[8:10] + fmt.Sprintf("%03d", r.IntN(1000))
	sum := 0
	for i := 0; i < 17; i++ {
		sum += int(s[i]-'0') * idCardWeights[i]
	}
	return s + string(idCardCheck[sum%11])
}

// reference returns the non-ineligible outcomes by the reference evaluator.
func reference(pols []Policy, p *Profile, at corpus.Date) []Match {
	var out []Match
	n := int32(0)
	for pi := range pols {
		for bi := range pols[pi].Benefits {
			b := &pols[pi].Benefits[bi]
			r := EvalBenefit(b, Audience(b, pols[pi].Audience), p, at)
			if r.Verdict != False {
				out = append(out, Match{Benefit: n, Verdict: r.Verdict, Grant: r.Grant, Score: r.Score})
			}
			n++
		}
	}
	return out
}

func sortedMatches(ms []Match) []Match {
	out := slices.Clone(ms)
	slices.SortFunc(out, func(a, b Match) int { return int(a.Benefit - b.Benefit) })
	return out
}

// TestCompiledSweepEqualsReference: on random profiles × random trees, the
// indexed compiled sweep, the naive compiled evaluation and the reference
// tree walk give exactly the same verdicts, scores and grants.
func TestCompiledSweepEqualsReference(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	ps := NewParser(ParseOptions{IDCardKey: []byte("k")})
	var profiles []Profile
	for i := 0; i < 600; i++ {
		line := randProfileJSON(r, i)
		p, err := ps.ParseLine(line, i+1)
		if err != nil {
			t.Fatalf("generated profile %s: %v", line, err)
		}
		profiles = append(profiles, p)
	}
	posted := 0
	for round := 0; round < equivRounds; round++ {
		var pols []Policy
		for i := 0; i < 10; i++ {
			pol := Policy{Name: fmt.Sprintf("p%d", i), Audience: pick(r, []corpus.Audience{"", corpus.AudienceBoth, corpus.AudienceEnterprise, corpus.AudienceResident})}
			for j := 0; j < 1+r.IntN(4); j++ {
				tree := randTree(r, 3)
				if r.IntN(2) == 0 { // most real trees are conjunctions with a scope
					tree = corpus.All(randAtom(r), randAtom(r), tree)
				}
				pol.Benefits = append(pol.Benefits, corpus.Benefit{Name: fmt.Sprintf("b%d", j), ApplyFree: r.IntN(2) == 0, Conditions: &tree})
			}
			pols = append(pols, pol)
		}
		var sample []Profile
		if round%2 == 1 {
			sample = profiles[:200]
		}
		set, err := Compile(pols, CompileOptions{At: eqAt, Sample: sample})
		if err != nil {
			t.Fatal(err)
		}
		ist := set.Stats()
		posted += ist.Posted[Enterprise] + ist.Posted[Resident]
		var sc Scratch
		for i := range profiles {
			p := &profiles[i]
			want := reference(pols, p, eqAt)
			got := sortedMatches(set.Match(p, &sc))
			naive := sortedMatches(set.MatchNaive(p, &sc))
			if !matchesEqual(got, want) || !matchesEqual(naive, want) {
				t.Fatalf("round %d profile %d (%s):\nindexed %v\nnaive   %v\nref     %v", round, i, p.ID, got, naive, want)
			}
			for _, m := range got {
				if e := set.Explain(int(m.Benefit), p); e.Verdict != m.Verdict || e.Grant != m.Grant {
					t.Fatalf("Explain(%d) = %s grant %v, sweep %s grant %v", m.Benefit, e.Verdict, e.Grant, m.Verdict, m.Grant)
				}
			}
		}
		// The parallel sweep (blocks of profiles, bit masks) sees the same
		// results, profile by profile, and each profile exactly once.
		var mu sync.Mutex
		count := 0
		swept := make([][]Match, len(profiles))
		seen := make([]int, len(profiles))
		st, err := set.Sweep(context.Background(), profiles, func(_, i int, ms []Match) {
			mu.Lock()
			count += len(ms)
			swept[i] = sortedMatches(slices.Clone(ms))
			seen[i]++
			mu.Unlock()
		})
		if err != nil {
			t.Fatal(err)
		}
		if st.Profiles != int64(len(profiles)) || st.Matches != int64(count) || st.Evaluated < st.Matches {
			t.Fatalf("sweep stats %+v for %d profiles, %d matches", st, len(profiles), count)
		}
		for i := range profiles {
			if want := reference(pols, &profiles[i], eqAt); seen[i] != 1 || !matchesEqual(swept[i], want) {
				t.Fatalf("round %d profile %d (%s) seen %d times:\nsweep %v\nref   %v", round, i, profiles[i].ID, seen[i], swept[i], want)
			}
		}
		// Blocks (the sweep's blocks on the caller's goroutine, a page at a
		// time as the store-backed sweeps use it) agrees too, with one
		// matcher reused across pages of uneven sizes.
		blk := set.Blocks()
		clear(seen)
		for lo := 0; lo < len(profiles); {
			hi := min(len(profiles), lo+1+(lo*7)%150)
			st := blk.Match(profiles[lo:hi], func(i int, ms []Match) {
				swept[lo+i] = sortedMatches(slices.Clone(ms))
				seen[lo+i]++
			})
			if st.Profiles != int64(hi-lo) || st.Evaluated < st.Matches {
				t.Fatalf("blocks stats %+v for %d profiles", st, hi-lo)
			}
			lo = hi
		}
		for i := range profiles {
			if want := reference(pols, &profiles[i], eqAt); seen[i] != 1 || !matchesEqual(swept[i], want) {
				t.Fatalf("round %d profile %d (%s) seen %d times:\nblocks %v\nref    %v", round, i, profiles[i].ID, seen[i], swept[i], want)
			}
		}
	}
	if posted == 0 {
		t.Fatal("no benefit was ever posted in the index: the test did not exercise pruning")
	}
}

func matchesEqual(a, b []Match) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Benefit != b[i].Benefit || a[i].Verdict != b[i].Verdict || a[i].Grant != b[i].Grant ||
			math.Abs(a[i].Score-b[i].Score) > 1e-12 {
			return false
		}
	}
	return true
}

// equivRounds is how many random policy sets the equivalence test tries.
var equivRounds = 8

// TestMatchDoesNotAllocate: once a worker's scratch has grown, matching a
// profile allocates nothing (the sweep's hot loop).
func TestMatchDoesNotAllocate(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	var profiles []Profile
	for i := 0; i < 200; i++ {
		p, err := testParser.ParseLine(randProfileJSON(r, i), i+1)
		if err != nil {
			t.Fatal(err)
		}
		profiles = append(profiles, p)
	}
	var pols []Policy
	for i := 0; i < 20; i++ {
		tree := corpus.All(randAtom(r), randTree(r, 3))
		pols = append(pols, Policy{Name: "p", Benefits: []corpus.Benefit{{Name: "b", ApplyFree: true, Conditions: &tree}}})
	}
	set, err := Compile(pols, CompileOptions{At: eqAt, Sample: profiles})
	if err != nil {
		t.Fatal(err)
	}
	var sc Scratch
	for i := range profiles {
		set.Match(&profiles[i], &sc)
		set.MatchNaive(&profiles[i], &sc)
	}
	allocs := testing.AllocsPerRun(5, func() {
		for i := range profiles {
			set.Match(&profiles[i], &sc)
		}
	})
	if allocs != 0 {
		t.Errorf("Match allocates %v times per 200 profiles", allocs)
	}
}

// TestMarshalRoundTrip: a profile written with MarshalJSON reads back to one
// that evaluates the same on random trees (verification included), and the
// clear 身份证号 is never written.
func TestMarshalRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	var orig, back []Profile
	for i := 0; i < 400; i++ {
		line := randProfileJSON(r, i)
		p, err := testParser.ParseLine(line, i+1)
		if err != nil {
			t.Fatal(err)
		}
		js, err := p.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		_ = json.Unmarshal(line, &m)
		if id, ok := m["id_card"].(string); ok && strings.Contains(string(js), id) {
			t.Fatalf("clear 身份证号 written: %s", js)
		}
		q, err := testParser.ParseLine(js, i+1)
		if err != nil {
			t.Fatalf("%s: %v", js, err)
		}
		if q.IDCardHash() != p.IDCardHash() || q.ID != p.ID || q.Kind != p.Kind {
			t.Fatalf("identity changed: %s", js)
		}
		js2, _ := q.MarshalJSON()
		if string(js2) != string(js) {
			t.Fatalf("not stable:\n%s\n%s", js, js2)
		}
		orig, back = append(orig, p), append(back, q)
	}
	var pols []Policy
	for i := 0; i < 40; i++ {
		tree := randTree(r, 3)
		pols = append(pols, Policy{Name: "p", Benefits: []corpus.Benefit{{Name: "b", ApplyFree: true, Conditions: &tree}}})
	}
	for i := range orig {
		if a, b := reference(pols, &orig[i], eqAt), reference(pols, &back[i], eqAt); !matchesEqual(a, b) {
			t.Fatalf("profile %d evaluates differently after a round trip:\n%v\n%v", i, a, b)
		}
	}
}
