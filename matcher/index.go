package matcher

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math/bits"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/zhida/zhida/corpus"
)

// Set is a compiled set of benefits with its predicate index. It is
// immutable once built and safe for concurrent use.
//
// Indexing follows Whang et al., "Indexing Boolean Expressions" (VLDB 2009),
// reduced to what condition trees need: a benefit's root conjunction yields
// atoms that must all hold; each benefit is posted under the one such atom
// that rules out the most profiles (a region within X, tags has T, an enum
// value, a numeric threshold), per subject kind. For a profile, the posting
// lists its values reach give the candidates; a benefit not reached has its
// posted atom definitely false for the profile, so its tree is false. A
// profile that lacks the posted key reaches every benefit posted on that key
// (a missing key is unknown, never false), so unknown verdicts are never lost.
type Set struct {
	at    corpus.Date
	atYMD int32
	nodes []cnode
	atoms []catom
	ext   []atomExt
	progs []program
	hot   []hotProg
	// checks and kids hold the hot programs' atoms and nodes (see hotProg).
	checks, kids []uint32
	scoreTab     []float64
	// byKind lists, per subject kind, the benefits whose audience includes it.
	byKind [3][]int32
	// src keeps each compiled benefit as written (a copy), for explanations.
	src []corpus.Benefit
	// atomIDs dedupes atoms while compiling; nil afterwards.
	atomIDs map[string]uint32
	// idx is the index per subject kind (Enterprise, Resident).
	idx [3]*kindIndex
}

// Match is one non-ineligible outcome of a sweep: a benefit (an index into
// the set, see Set.Benefit) whose tree is true or unknown for the profile.
type Match struct {
	Benefit int32
	Verdict Tri
	Grant   bool
	Score   float64
}

// CompileOptions configure Compile.
type CompileOptions struct {
	// At is the evaluation date: ages, 上年度, whole years since a date.
	At corpus.Date
	// Sample, when given, is a sample of the profiles to be swept; the index
	// uses it to post each benefit under its most selective atom. Without
	// it, selectivity is estimated from the atom's form.
	Sample []Profile
}

// Compile compiles the benefits of the policies (numbered in order: policy
// 0's benefits first) and builds the index.
func Compile(pols []Policy, opts CompileOptions) (*Set, error) {
	if opts.At.IsZero() {
		return nil, errors.New("compile: no evaluation date")
	}
	s := &Set{at: opts.At, atYMD: ymd(opts.At), atomIDs: map[string]uint32{}}
	for pi := range pols {
		for bi := range pols[pi].Benefits {
			b := &pols[pi].Benefits[bi]
			tree := b.Conditions
			if tree == nil {
				tree = &corpus.Cond{All: []corpus.Cond{}}
			}
			root := uint32(len(s.nodes))
			if err := s.compileTree(tree, opts.At.Year); err != nil {
				return nil, fmt.Errorf("compile %s benefit %d: %w", pols[pi].Name, bi, err)
			}
			pg := program{policy: pi, benefit: bi, applyFree: b.ApplyFree,
				audience: Audience(b, pols[pi].Audience), root: root}
			pg.must = s.mustAtoms(root, nil)
			s.progs = append(s.progs, pg)
			src := *b
			if b.Conditions != nil {
				c := b.Conditions.Clone()
				src.Conditions = &c
			}
			s.src = append(s.src, src)
		}
	}
	s.atomIDs = nil
	if len(s.progs) > 1<<31-1 {
		return nil, errors.New("compile: too many benefits")
	}
	sel := newSelCache(s, opts.Sample)
	s.buildHot(sel)
	for _, k := range []Kind{Enterprise, Resident} {
		s.idx[k] = s.buildIndex(k, sel)
		for b := range s.progs {
			if s.progs[b].audience.Includes(k.Audience()) {
				s.byKind[k] = append(s.byKind[k], int32(b))
			}
		}
	}
	return s, nil
}

// Len returns the number of compiled benefits.
func (s *Set) Len() int { return len(s.progs) }

// Benefit returns the policy and benefit index of compiled benefit i.
func (s *Set) Benefit(i int) (policy, benefit int) { return s.progs[i].policy, s.progs[i].benefit }

// Explain evaluates compiled benefit i on p with the reference evaluator,
// with the explanation (met, unmet, missing, check, unverified) a sweep's
// Match leaves out.
func (s *Set) Explain(i int, p *Profile) BenefitResult {
	return EvalBenefit(&s.src[i], s.progs[i].audience, p, s.at)
}

// At returns the evaluation date the set was compiled for.
func (s *Set) At() corpus.Date { return s.at }

// kindIndex is the predicate index over the benefits that reach one kind.
type kindIndex struct {
	always  []int32 // benefits with no posted atom
	region  [2]regionPost
	tagBits [64][]int32
	tagStr  map[string][]int32
	tagAll  []int32 // every tag-posted benefit (for profiles without tags)
	enums   []enumPost
	nums    []numPost
	posted  int // benefits in some posting list
}

type regionPost struct {
	field  fieldID
	byCode map[uint32][]int32 // outer code → benefits
	// belowProv and belowCity hold, per province (code/10000) and city
	// (code/100), the benefits whose outer code lies strictly inside it:
	// a profile that names only that province or city is unknown for them.
	belowProv map[uint32][]int32
	belowCity map[uint32][]int32
	all       []int32
}

type enumPost struct {
	field  fieldID
	slot   uint8
	byCode [16][]int32 // 1 + enum index → benefits
	all    []int32
}

type threshold struct {
	x      float64
	strict bool
	b      int32
}

type numPost struct {
	probe catom       // the getter: field, slot, year and needed keys
	up    []threshold // gt/gte: candidates have x below the value; ascending
	down  []threshold // lt/lte: candidates have x above the value; descending
	all   []int32
}

// selCache measures, on the sample, the share of profiles of a kind for
// which an atom is not false, once per atom and kind: the index and the
// order of checks both ask for it many times.
type selCache struct {
	s      *Set
	sample []Profile
	n      [3]int // sample profiles per kind
	pass   map[uint64]float64
}

func newSelCache(s *Set, sample []Profile) *selCache {
	c := &selCache{s: s, sample: sample, pass: map[uint64]float64{}}
	for i := range sample {
		if int(sample[i].Kind) < len(c.n) {
			c.n[sample[i].Kind]++
		}
	}
	return c
}

// passShare is the measured share of kind k's sample profiles for which atom
// ai is not false; ok is false when the sample has too few of them.
func (c *selCache) passShare(ai uint32, k Kind) (float64, bool) {
	if c.n[k] < 50 {
		return 0, false
	}
	key := uint64(ai)<<2 | uint64(k)
	if v, ok := c.pass[key]; ok {
		return v, true
	}
	pass := 0
	for i := range c.sample {
		if c.sample[i].Kind == k && c.s.evalAtom(&c.s.atoms[ai], &c.sample[i], allVisible) != False {
			pass++
		}
	}
	v := float64(pass) / float64(c.n[k])
	c.pass[key] = v
	return v, true
}

// selectivity estimates the share of profiles of kind k for which atom ai
// is not false (lower prunes more); ok is false for atoms the index cannot
// post. With a sample it is measured, otherwise guessed from the form.
func (c *selCache) selectivity(ai uint32, k Kind) (float64, bool) {
	s, a := c.s, &c.s.atoms[ai]
	var guess float64
	switch a.code {
	case cRegionWithin:
		guess = map[uint32]float64{1: 0.01, 100: 0.08, 10000: 0.3}[a.div]
	case cTags:
		if a.neg || bits.OnesCount64(a.bits)+len(s.extOf(a).strs) != 1 {
			return 0, false
		}
		guess = 0.1
	case cEnum:
		if a.neg || len(fieldInfos[a.field].Enum) == 0 {
			return 0, false
		}
		guess = float64(bits.OnesCount32(a.mask)) / float64(len(fieldInfos[a.field].Enum))
	case cNum:
		switch a.op {
		case opGt, opGte, opLt, opLte:
			guess = 0.5
		default:
			return 0, false
		}
	default:
		return 0, false
	}
	if v, ok := c.passShare(ai, k); ok {
		return v, true
	}
	return guess, true
}

// buildHot fills the hot records: each benefit's root-conjunction atoms,
// ordered so the one likeliest to be false for its audience comes first
// (measured on the sample; without one, the index's guesses, then the
// written order).
func (s *Set) buildHot(sel *selCache) {
	s.hot = make([]hotProg, len(s.progs))
	for bi := range s.progs {
		pg := &s.progs[bi]
		pass := func(ai uint32) float64 {
			sum, n := 0.0, 0
			for _, k := range []Kind{Enterprise, Resident} {
				if !pg.audience.Includes(k.Audience()) {
					continue
				}
				v, ok := sel.passShare(ai, k)
				if !ok {
					if v, ok = sel.selectivity(ai, k); !ok {
						v = 1
					}
				}
				sum, n = sum+v, n+1
			}
			if n == 0 {
				return 1
			}
			return sum / float64(n)
		}
		checks := slices.Clone(pg.must)
		shares := make(map[uint32]float64, len(checks))
		for _, ai := range checks {
			shares[ai] = pass(ai)
		}
		slices.SortStableFunc(checks, func(x, y uint32) int { return cmp.Compare(shares[x], shares[y]) })
		kids, lanes := s.laneKids(pg.root)
		if len(kids) >= 1<<7 { // more than the bit-sliced sums hold
			kids, lanes = nil, false
		}
		s.hot[bi] = hotProg{root: pg.root, off: uint32(len(s.checks)), n: uint32(len(checks)),
			koff: uint32(len(s.kids)), kn: uint32(len(kids)), soff: uint32(len(s.scoreTab)),
			slices: uint8(bits.Len(2 * uint(len(kids)))),
			flat:   s.isFlat(pg.root), lanes: lanes, applyFree: pg.applyFree}
		for v := 0; lanes && v <= 2*len(kids); v++ {
			// Tri values are twice the atom scores (0, ½, 1).
			s.scoreTab = append(s.scoreTab, float64(v)/2/float64(len(kids)))
		}
		s.checks = append(s.checks, checks...)
		s.kids = append(s.kids, kids...)
	}
}

func (s *Set) buildIndex(k Kind, sel *selCache) *kindIndex {
	ix := &kindIndex{tagStr: map[string][]int32{}}
	for w, f := range []fieldID{fRegion, fResidence} {
		ix.region[w] = regionPost{field: f, byCode: map[uint32][]int32{},
			belowProv: map[uint32][]int32{}, belowCity: map[uint32][]int32{}}
	}
	for bi := range s.progs {
		pg := &s.progs[bi]
		if !pg.audience.Includes(k.Audience()) {
			continue
		}
		b := int32(bi)
		best, bestSel := -1, 0.9 // an atom that passes 90% is not worth posting
		for j, ai := range pg.must {
			if v, ok := sel.selectivity(ai, k); ok && v < bestSel {
				best, bestSel = j, v
			}
		}
		if best < 0 {
			ix.always = append(ix.always, b)
			continue
		}
		ix.posted++
		a := &s.atoms[pg.must[best]]
		switch a.code {
		case cRegionWithin:
			rp := &ix.region[0]
			if a.which == fResidence {
				rp = &ix.region[1]
			}
			key := a.rcode * a.div
			rp.byCode[key] = append(rp.byCode[key], b)
			if key%10000 != 0 {
				rp.belowProv[key/10000] = append(rp.belowProv[key/10000], b)
			}
			if key%100 != 0 {
				rp.belowCity[key/100] = append(rp.belowCity[key/100], b)
			}
			rp.all = append(rp.all, b)
		case cTags:
			if a.bits != 0 {
				i := bits.TrailingZeros64(a.bits)
				ix.tagBits[i] = append(ix.tagBits[i], b)
			} else {
				t := s.extOf(a).strs[0]
				ix.tagStr[t] = append(ix.tagStr[t], b)
			}
			ix.tagAll = append(ix.tagAll, b)
		case cEnum:
			ep := ix.enumPost(a.field, a.slot)
			for c := 1; c < 16; c++ {
				if a.mask&(1<<c) != 0 {
					ep.byCode[c] = append(ep.byCode[c], b)
				}
			}
			ep.all = append(ep.all, b)
		case cNum:
			np := ix.numPost(a)
			t := threshold{x: a.x, strict: a.op == opGt || a.op == opLt, b: b}
			if a.op == opGt || a.op == opGte {
				np.up = append(np.up, t)
			} else {
				np.down = append(np.down, t)
			}
			np.all = append(np.all, b)
		}
	}
	for i := range ix.nums {
		np := &ix.nums[i]
		slices.SortStableFunc(np.up, func(x, y threshold) int { return cmp.Compare(x.x, y.x) })
		slices.SortStableFunc(np.down, func(x, y threshold) int { return cmp.Compare(y.x, x.x) })
	}
	return ix
}

func (ix *kindIndex) enumPost(f fieldID, slot uint8) *enumPost {
	for i := range ix.enums {
		if ix.enums[i].field == f {
			return &ix.enums[i]
		}
	}
	ix.enums = append(ix.enums, enumPost{field: f, slot: slot})
	return &ix.enums[len(ix.enums)-1]
}

func (ix *kindIndex) numPost(a *catom) *numPost {
	for i := range ix.nums {
		q := &ix.nums[i].probe
		if q.get == a.get && q.field == a.field && q.slot == a.slot && q.year == a.year {
			return &ix.nums[i]
		}
	}
	ix.nums = append(ix.nums, numPost{probe: catom{code: cNum, get: a.get, field: a.field,
		slot: a.slot, year: a.year, need: a.need, ext: -1}})
	return &ix.nums[len(ix.nums)-1]
}

// candidates appends to buf the benefits whose posted atom is not false for
// p. Each benefit is posted once and a profile reaches each list at most
// once, so there are no duplicates.
func (ix *kindIndex) candidates(p *Profile, atYMD int32, buf []int32) []int32 {
	buf = append(buf, ix.always...)
	for w := range ix.region {
		rp := &ix.region[w]
		if len(rp.all) == 0 {
			continue
		}
		if !p.has.has(rp.field) {
			buf = append(buf, rp.all...)
			continue
		}
		code := p.regionOf(rp.field)
		if code == nationalCode { // inside every posted region or unknown for it
			buf = append(buf, rp.all...)
			continue
		}
		city, prov := code/100*100, code/10000*10000
		buf = append(buf, rp.byCode[code]...)
		if city != code {
			buf = append(buf, rp.byCode[city]...)
		}
		if prov != city {
			buf = append(buf, rp.byCode[prov]...)
		}
		// A province or city code leaves the finer regions inside it unknown.
		switch {
		case code == prov:
			buf = append(buf, rp.belowProv[code/10000]...)
		case code == city:
			buf = append(buf, rp.belowCity[code/100]...)
		}
	}
	if len(ix.tagAll) > 0 {
		if !p.has.has(fTags) {
			buf = append(buf, ix.tagAll...)
		} else {
			for t := p.tags; t != 0; t &= t - 1 {
				buf = append(buf, ix.tagBits[bits.TrailingZeros64(t)]...)
			}
			for _, x := range p.extraTags() {
				buf = append(buf, ix.tagStr[x]...)
			}
		}
	}
	for i := range ix.enums {
		ep := &ix.enums[i]
		if !p.has.has(ep.field) {
			buf = append(buf, ep.all...)
			continue
		}
		buf = append(buf, ep.byCode[p.enum[ep.slot]&15]...)
	}
	for i := range ix.nums {
		np := &ix.nums[i]
		v, ok := 0.0, p.has&np.probe.need == np.probe.need
		if ok {
			v, ok = np.probe.numValue(p, atYMD)
		}
		if !ok {
			buf = append(buf, np.all...)
			continue
		}
		for _, t := range np.up { // value must be above x
			if t.x > v {
				break
			}
			if t.x < v || !t.strict {
				buf = append(buf, t.b)
			}
		}
		for _, t := range np.down { // value must be below x
			if t.x < v {
				break
			}
			if t.x > v || !t.strict {
				buf = append(buf, t.b)
			}
		}
	}
	return buf
}

// Scratch holds one worker's reusable buffers, so matching a profile
// allocates nothing once they have grown.
type Scratch struct {
	// blk, when set, makes atoms read the block's masks at lane (a sweep
	// evaluating a tree that is not flat); memo is then unused.
	blk  *blockScratch
	lane uint
	cand []int32
	out  []Match
	// memo holds epoch<<2 | Tri per atom for the current profile.
	memo  []uint32
	epoch uint32
	// evaluated counts the benefit trees evaluated with this scratch.
	evaluated int64
}

// next starts a new profile: earlier memo entries become stale.
func (sc *Scratch) next(atoms int) {
	if len(sc.memo) != atoms || sc.epoch >= 1<<29 {
		sc.memo = make([]uint32, atoms)
		sc.epoch = 0
	}
	sc.epoch++
}

// Match returns the benefits that are eligible or unknown for p (verdict,
// score, apply-free grant), using the index. The slice is owned by sc and
// valid until its next use.
func (s *Set) Match(p *Profile, sc *Scratch) []Match {
	sc.out = sc.out[:0]
	if int(p.Kind) >= len(s.idx) || s.idx[p.Kind] == nil {
		return sc.out
	}
	sc.next(len(s.atoms))
	sc.cand = s.idx[p.Kind].candidates(p, s.atYMD, sc.cand[:0])
	sc.evaluated += int64(len(sc.cand))
	for _, b := range sc.cand {
		s.appendMatch(b, p, sc)
	}
	return sc.out
}

func (s *Set) appendMatch(b int32, p *Profile, sc *Scratch) {
	h := &s.hot[b]
	t, score := s.evalHot(h, p, sc)
	if t == False {
		return
	}
	grant := t == True && h.applyFree && s.evalTri(h.root, p, p.verified) == True
	sc.out = append(sc.out, Match{Benefit: b, Verdict: t, Grant: grant, Score: score})
}

// MatchNaive is Match without the index: every benefit is evaluated. It is
// the baseline the index is measured and tested against.
func (s *Set) MatchNaive(p *Profile, sc *Scratch) []Match {
	sc.out = sc.out[:0]
	sc.next(len(s.atoms))
	for b := range s.progs {
		pg := &s.progs[b]
		if !pg.audience.Includes(p.Kind.Audience()) {
			continue
		}
		sc.evaluated++
		s.appendMatch(int32(b), p, sc)
	}
	return sc.out
}

// SweepFunc receives the matches of profile i; it is called from several
// workers at once (worker says which), and ms is valid only during the call.
type SweepFunc func(worker, i int, ms []Match)

// SweepStats counts what a sweep did.
type SweepStats struct {
	Profiles  int64 // profiles matched
	Evaluated int64 // benefit trees evaluated (the index's candidates)
	Matches   int64 // eligible or unknown outcomes passed to the SweepFunc
}

// Sweep matches every profile on GOMAXPROCS workers, 64 profiles of one
// kind and (mostly) one region at a time with bit masks (see block.go); the
// results are those of Match. fn sees each profile once, in no particular
// order. On cancellation it stops between chunks of profiles and returns
// ctx.Err().
func (s *Set) Sweep(ctx context.Context, profiles []Profile, fn SweepFunc) (SweepStats, error) {
	return s.sweepBlocks(ctx, profiles, fn)
}

// SweepNaive is Sweep evaluating every benefit for every profile, one
// profile at a time (MatchNaive): the baseline of the measurements.
func (s *Set) SweepNaive(ctx context.Context, profiles []Profile, fn SweepFunc) (SweepStats, error) {
	return s.sweep(ctx, profiles, fn, s.MatchNaive)
}

func (s *Set) sweep(ctx context.Context, profiles []Profile, fn SweepFunc,
	match func(*Profile, *Scratch) []Match) (SweepStats, error) {
	return inChunks(ctx, len(profiles), 512, func(w int, st *SweepStats) func(lo, hi int) {
		var sc Scratch
		return func(lo, hi int) {
			for i := lo; i < hi; i++ {
				ms := match(&profiles[i], &sc)
				st.Matches += int64(len(ms))
				fn(w, i, ms)
			}
			st.Evaluated = sc.evaluated
		}
	})
}

// inChunks runs [0, n) in chunks of size on GOMAXPROCS workers and sums
// their stats. worker makes worker w's state and returns what it does with
// one chunk; Profiles is counted here. On cancellation it stops between
// chunks and returns ctx.Err().
func inChunks(ctx context.Context, n, size int, worker func(w int, st *SweepStats) func(lo, hi int)) (SweepStats, error) {
	workers := runtime.GOMAXPROCS(0)
	var next atomic.Int64
	var wg sync.WaitGroup
	stats := make([]SweepStats, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st := &stats[w]
			chunk := worker(w, st)
			for ctx.Err() == nil {
				lo := int(next.Add(int64(size))) - size
				if lo >= n {
					return
				}
				hi := min(lo+size, n)
				chunk(lo, hi)
				st.Profiles += int64(hi - lo)
			}
		}()
	}
	wg.Wait()
	var total SweepStats
	for _, st := range stats {
		total.Profiles += st.Profiles
		total.Evaluated += st.Evaluated
		total.Matches += st.Matches
	}
	return total, ctx.Err()
}

func (s *Set) extOf(a *catom) *atomExt {
	if a.ext < 0 {
		return &atomExt{}
	}
	return &s.ext[a.ext]
}

// Stats describes the index, for measurements.
type Stats struct {
	Benefits int
	Posted   [3]int // per kind: benefits in a posting list
	Always   [3]int // per kind: benefits every profile evaluates
}

// Stats returns how the benefits were indexed.
func (s *Set) Stats() Stats {
	st := Stats{Benefits: len(s.progs)}
	for _, k := range []Kind{Enterprise, Resident} {
		if ix := s.idx[k]; ix != nil {
			st.Posted[k], st.Always[k] = ix.posted, len(ix.always)
		}
	}
	return st
}
