package matcher

import (
	"context"
	"math/bits"
	"slices"
)

// A sweep matches profiles in blocks of up to 64 of one kind, one bit per
// profile (a lane): an atom is evaluated once for the whole block into two
// masks (lanes where it is true, lanes where it is false), and a benefit's
// root conjunction is then a few AND/OR operations per block instead of a
// walk per profile. Before blocking, each chunk of profiles is sorted by
// kind and region, so a block's profiles mostly live in one county: a
// benefit scoped to another place is false on every lane after one mask
// test and costs nothing more. The verdicts, scores and grants are those of
// Match (the equivalence test checks Sweep against the reference).

// blockLanes is the number of profiles in a block: the bits of a uint64.
const blockLanes = 64

// laneAtom is one atom's value over the current block.
type laneAtom struct {
	t, f uint64 // lanes where the atom is true / false (neither: unknown)
	// v holds the lanes whose profile has the atom's keys verified: there
	// the atom keeps its value in a grant check; elsewhere it is unknown.
	v      uint64
	epoch  uint32 // the block t and f belong to
	vEpoch uint32 // the block v belongs to (grant checks only)
}

// blockScratch holds one sweep worker's reusable buffers.
type blockScratch struct {
	atoms []laneAtom
	epoch uint32
	ps    []*Profile
	idx   []int
	out   [blockLanes][]Match
	keys  []uint64
	// groups holds the block's lanes by region and by residence code.
	groups     [2][]regionGroup
	groupEpoch [2]uint32
	// sc evaluates trees that are not flat, lane by lane, reading atoms
	// from the block's masks (sc.blk is this scratch).
	sc        Scratch
	evaluated int64
}

func newBlockScratch(atoms int) *blockScratch {
	bs := &blockScratch{atoms: make([]laneAtom, atoms)}
	bs.sc.blk = bs
	return bs
}

// regionGroup is the lanes of a block whose profiles have one region code.
type regionGroup struct {
	code  uint32
	lanes uint64
}

// regions returns the block's lanes grouped by their code of field which
// (fRegion or fResidence), leaving out lanes without it; computed once per
// block and field.
func (bs *blockScratch) regions(which fieldID) []regionGroup {
	w := 0
	if which == fResidence {
		w = 1
	}
	if bs.groupEpoch[w] == bs.epoch {
		return bs.groups[w]
	}
	gs := bs.groups[w][:0]
	for j, p := range bs.ps {
		if !p.has.has(which) {
			continue
		}
		code := p.regionOf(which)
		i := len(gs) - 1
		for ; i >= 0 && gs[i].code != code; i-- { // the last group, mostly
		}
		if i < 0 {
			gs = append(gs, regionGroup{code: code})
			i = len(gs) - 1
		}
		gs[i].lanes |= 1 << j
	}
	bs.groups[w], bs.groupEpoch[w] = gs, bs.epoch
	return gs
}

// start begins a new block: earlier masks become stale.
func (bs *blockScratch) start() {
	bs.epoch++
	if bs.epoch == 0 { // wrapped: clear so no old mask looks current
		clear(bs.atoms)
		bs.groupEpoch = [2]uint32{}
		bs.epoch = 1
	}
	for j := range bs.ps {
		bs.out[j] = bs.out[j][:0]
	}
}

// mask returns atom ai's masks over the block, evaluating it on first use.
func (s *Set) mask(bs *blockScratch, ai uint32) *laneAtom {
	m := &bs.atoms[ai]
	if m.epoch == bs.epoch {
		return m
	}
	m.t, m.f = s.laneEval(&s.atoms[ai], bs)
	m.epoch = bs.epoch
	return m
}

// laneVal is atom ai's value on one lane (for trees that are not flat).
func (s *Set) laneVal(bs *blockScratch, ai uint32, lane uint) Tri {
	m := s.mask(bs, ai)
	return Tri(1 + (m.t>>lane)&1 - (m.f>>lane)&1)
}

// laneEval evaluates atom a on every profile of the block. The common tests
// are written as loops of their own (no per-profile switch); the rest go
// through evalAtom.
func (s *Set) laneEval(a *catom, bs *blockScratch) (t, f uint64) {
	ps := bs.ps
	if a.code == cUnknown {
		return 0, 0
	}
	switch a.code {
	case cRegionWithin:
		// Once per distinct code of the block (a handful: it is sorted by
		// region), not once per lane.
		if a.need == 1<<a.which {
			lo := a.rcode * a.div
			for _, g := range bs.regions(a.which) {
				switch {
				case g.code-lo < a.div:
					t |= g.lanes
				case coarseWithin(g.code, lo) == False:
					f |= g.lanes
				}
			}
			return t, f
		}
		// pc/div == rcode, without a division: pc in [lo, lo+div). A block
		// is sorted by region, so the last code's value is mostly reused.
		lo := a.rcode * a.div
		lastPC, last := uint32(1<<32-1), Unknown
		for j, p := range ps {
			if p.has&a.need != a.need {
				continue
			}
			if pc := p.regionOf(a.which); pc != lastPC {
				lastPC, last = pc, Unknown
				if pc-lo < a.div {
					last = True
				} else {
					last = coarseWithin(pc, lo)
				}
			}
			switch last {
			case True:
				t |= 1 << j
			case False:
				f |= 1 << j
			}
		}
		return t, f
	case cTags:
		if a.ext >= 0 {
			break
		}
		for j, p := range ps {
			if p.has&a.need != a.need {
				continue
			}
			if (p.tags&a.bits != 0) != a.neg {
				t |= 1 << j
			} else {
				f |= 1 << j
			}
		}
		return t, f
	case cEnum:
		for j, p := range ps {
			if p.has&a.need != a.need {
				continue
			}
			if (a.mask&(1<<p.enum[a.slot]) != 0) != a.neg {
				t |= 1 << j
			} else {
				f |= 1 << j
			}
		}
		return t, f
	case cNum:
		if a.op < opGt || a.op > opLte {
			break
		}
		for j, p := range ps {
			if p.has&a.need != a.need {
				continue
			}
			v := p.num[a.slot]
			if a.get != gNum {
				var ok bool
				if v, ok = a.numValue(p, s.atYMD); !ok {
					continue
				}
			}
			var ok bool
			switch a.op {
			case opGt:
				ok = v > a.x
			case opGte:
				ok = v >= a.x
			case opLt:
				ok = v < a.x
			default:
				ok = v <= a.x
			}
			if ok {
				t |= 1 << j
			} else {
				f |= 1 << j
			}
		}
		return t, f
	}
	for j, p := range ps {
		switch s.evalAtom(a, p, allVisible) {
		case True:
			t |= 1 << j
		case False:
			f |= 1 << j
		}
	}
	return t, f
}

// matchBlock matches the block's profiles (all of kind k) against every
// benefit for that kind, filling bs.out lane by lane in benefit order.
func (s *Set) matchBlock(k Kind, bs *blockScratch) {
	bs.start()
	n := len(bs.ps)
	if int(k) >= len(s.byKind) {
		return
	}
	valid := uint64(1)<<n - 1
	if n == blockLanes {
		valid = ^uint64(0)
	}
	for _, b := range s.byKind[k] {
		h := &s.hot[b]
		checks := s.checks[h.off : h.off+uint32(h.n)]
		live, allT := valid, valid
		for _, ai := range checks {
			m := s.mask(bs, ai)
			live &^= m.f
			if live == 0 {
				break
			}
			allT &= m.t
		}
		if live == 0 {
			continue
		}
		bs.evaluated += int64(bits.OnesCount64(live))
		if !h.lanes {
			// Verdicts for the whole block from the masks; only an
			// unknown lane needs its near-miss score, lane by lane.
			t, f := s.blockNode(bs, h.root, false)
			t &= live
			s.emitTrue(bs, b, t)
			for l := live &^ f &^ t; l != 0; l &= l - 1 {
				j := uint(bits.TrailingZeros64(l))
				bs.sc.lane = j
				_, score := s.evalRoot(h.root, bs.ps[j], &bs.sc)
				bs.out[j] = append(bs.out[j], Match{Benefit: b, Verdict: Unknown, Score: score})
			}
			continue
		}
		// The kids are plain: each lane's score is the sum of their Kleene
		// values (twice their scores) over 2·kn. The sums are kept bit-sliced
		// (sum bit i of every lane in c[i]), a few operations per kid.
		kids := s.kids[h.koff : h.koff+h.kn]
		var c [8]uint64
		ns := int(h.slices)
		t, f := valid, uint64(0)
		for _, ki := range kids {
			kt, kf := s.blockNode(bs, ki, false)
			t, f = t&kt, f|kf
			for _, x := range [2]uint64{^kf, kt} { // value = not-false + true
				for i := 0; x != 0 && i < ns; i++ {
					c[i], x = c[i]^x, c[i]&x
				}
			}
		}
		live &^= f
		t &= live
		s.emitTrue(bs, b, t)
		scores := s.scoreTab[h.soff : h.soff+2*h.kn+1]
		for l := live &^ t; l != 0; l &= l - 1 {
			j := uint(bits.TrailingZeros64(l))
			sum := uint64(0)
			for i := 0; i < ns; i++ {
				sum |= (c[i] >> j & 1) << i
			}
			bs.out[j] = append(bs.out[j], Match{Benefit: b, Verdict: Unknown, Score: scores[sum]})
		}
	}
}

// blockNode is the Kleene value of the subtree at node i on every lane:
// the lanes where it is true and those where it is false. With verified,
// the profiles are cut down to their verified keys (evalTri with the
// verified mask): an atom whose keys are not all verified is unknown.
func (s *Set) blockNode(bs *blockScratch, i uint32, verified bool) (t, f uint64) {
	n := &s.nodes[i]
	switch n.kind {
	case nAtom:
		m := s.mask(bs, n.atom)
		if !verified {
			return m.t, m.f
		}
		if m.vEpoch != bs.epoch {
			a := &s.atoms[n.atom]
			m.v, m.vEpoch = 0, bs.epoch
			for j, p := range bs.ps {
				if p.has&p.verified&a.need == a.need {
					m.v |= 1 << j
				}
			}
		}
		return m.t & m.v, m.f & m.v
	case nAll, nAny:
		all := n.kind == nAll
		if all {
			t = ^uint64(0)
		} else {
			f = ^uint64(0)
		}
		j := i + 1
		for k := uint32(0); k < n.nkids; k++ {
			ct, cf := s.blockNode(bs, j, verified)
			if all {
				t, f = t&ct, f|cf
			} else {
				t, f = t|ct, f&cf
			}
			j += s.nodes[j].size
		}
		return t, f
	case nNot:
		ct, cf := s.blockNode(bs, i+1, verified)
		return cf, ct
	}
	return 0, 0
}

// emitTrue appends the eligible matches of benefit b on the lanes in t,
// with the apply-free grants: lanes where the tree is also true on the
// verified keys alone.
func (s *Set) emitTrue(bs *blockScratch, b int32, t uint64) {
	var grants uint64
	if h := &s.hot[b]; h.applyFree {
		grants, _ = s.blockNode(bs, h.root, true)
	}
	for l := t; l != 0; l &= l - 1 {
		j := uint(bits.TrailingZeros64(l))
		bs.out[j] = append(bs.out[j], Match{Benefit: b, Verdict: True, Grant: grants&(1<<j) != 0, Score: 1})
	}
}

// sweepChunk is how many profiles a worker takes at once and sorts into
// blocks: large enough that most blocks hold profiles of one county.
const sweepChunk = 16384

// sweepBlocks is Sweep: chunks of profiles sorted by kind and region, then
// matched a block at a time.
func (s *Set) sweepBlocks(ctx context.Context, profiles []Profile, fn SweepFunc) (SweepStats, error) {
	return inChunks(ctx, len(profiles), sweepChunk, func(w int, st *SweepStats) func(lo, hi int) {
		bs := newBlockScratch(len(s.atoms))
		return func(lo, hi int) {
			st.Matches += s.matchChunk(bs, profiles[lo:hi], func(i int, ms []Match) { fn(w, lo+i, ms) })
			st.Evaluated = bs.evaluated
		}
	})
}

// matchChunk sorts profiles (at most 1<<22) by kind and region, matches
// them a block at a time and calls fn with each profile's index and
// matches. It returns how many matches it passed on.
func (s *Set) matchChunk(bs *blockScratch, profiles []Profile, fn func(i int, ms []Match)) int64 {
	// kind (2 bits) | region (20) | residence (20) | offset (22)
	bs.keys = bs.keys[:0]
	for i := range profiles {
		p := &profiles[i]
		bs.keys = append(bs.keys, uint64(p.Kind&3)<<62|uint64(p.region&(1<<20-1))<<42|
			uint64(p.residence&(1<<20-1))<<22|uint64(i))
	}
	slices.Sort(bs.keys)
	var matches int64
	for a := 0; a < len(bs.keys); {
		kind := Kind(bs.keys[a] >> 62)
		bs.ps, bs.idx = bs.ps[:0], bs.idx[:0]
		for ; a < len(bs.keys) && len(bs.ps) < blockLanes && Kind(bs.keys[a]>>62) == kind; a++ {
			i := int(bs.keys[a] & (1<<22 - 1))
			bs.ps = append(bs.ps, &profiles[i])
			bs.idx = append(bs.idx, i)
		}
		s.matchBlock(kind, bs)
		for j, i := range bs.idx {
			matches += int64(len(bs.out[j]))
			fn(i, bs.out[j])
		}
	}
	return matches
}

// Blocks matches profiles the way Sweep does — 64 of one kind at a time
// with bit masks — but on the caller's goroutine, for callers that match
// a page at a time (the store-backed sweeps). It keeps its buffers from
// call to call; it is not safe for concurrent use: make one per goroutine.
type Blocks struct {
	s  *Set
	bs *blockScratch
}

// Blocks returns a block matcher over s.
func (s *Set) Blocks() *Blocks { return &Blocks{s: s, bs: newBlockScratch(len(s.atoms))} }

// Match calls fn once for every profile with its index in profiles and its
// matches, which are those Set.Match gives it; ms is valid only during the
// call. Profiles come grouped by kind and region, not in order.
func (b *Blocks) Match(profiles []Profile, fn func(i int, ms []Match)) SweepStats {
	st := SweepStats{Profiles: int64(len(profiles))}
	before := b.bs.evaluated
	for lo := 0; lo < len(profiles); lo += sweepChunk {
		hi := min(lo+sweepChunk, len(profiles))
		st.Matches += b.s.matchChunk(b.bs, profiles[lo:hi], func(i int, ms []Match) { fn(lo+i, ms) })
	}
	st.Evaluated = b.bs.evaluated - before
	return st
}
