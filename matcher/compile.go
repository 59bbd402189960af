package matcher

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/zhida/zhida/corpus"
)

// A compiled benefit is a flat program: its tree's nodes in prefix order
// (each knows the size of its subtree, so siblings are found without
// pointers) over atoms whose field ids, relative years and values were
// resolved once at compile time. Evaluating it reads the profile's typed
// slots directly and allocates nothing.

type nodeKind uint8

const (
	nAtom nodeKind = iota
	nAll
	nAny
	nNot
)

type cnode struct {
	kind  nodeKind
	nkids uint32
	size  uint32 // nodes in this subtree, itself included
	atom  uint32 // index into Set.atoms, for nAtom
}

// atomCode is how a compiled atom is tested.
type atomCode uint8

const (
	cUnknown        atomCode = iota // unparsed, unknown field or malformed: always unknown
	cConstTrue                      // true whenever the key is present (within 100000)
	cConstFalse                     // false whenever the key is present
	cNum                            // a number (or date as yyyymmdd) compared with ncmp
	cEnum                           // enum value in a bit mask
	cBool                           // dishonest compared with want
	cRegionWithin                   // region code inside code at division div
	cRegionIn                       // region code one of codes
	cIndustryWithin                 // industry code has prefix str
	cIndustryIn                     // industry code one of strs
	cTags                           // tags contain any of bits/strs
)

// getter says how a numeric atom reads its value.
type getter uint8

const (
	gNum   getter = iota // num[slot]
	gYear                // per-year field at year
	gRD                  // rd_expense / revenue at year
	gYears               // whole years since date[slot] at the evaluation date
	gDate                // date[slot] as yyyymmdd
)

// cmpOp is a comparison, as a byte so the hot loop switches on integers.
type cmpOp uint8

const (
	opEq cmpOp = iota
	opNe
	opGt
	opGte
	opLt
	opLte
	opIn
	opNotIn
	opOther
)

func cmpOpOf(op corpus.Op) cmpOp {
	switch op {
	case corpus.OpEq:
		return opEq
	case corpus.OpNe:
		return opNe
	case corpus.OpGt:
		return opGt
	case corpus.OpGte:
		return opGte
	case corpus.OpLt:
		return opLt
	case corpus.OpLte:
		return opLte
	case corpus.OpIn:
		return opIn
	case corpus.OpNotIn:
		return opNotIn
	}
	return opOther
}

// catom is a compiled atom. It is kept small (the hot fields of every atom
// of a large set should stay in cache); lists and strings live in atomExt.
type catom struct {
	need  fieldSet // keys that must be present (and visible)
	x     float64  // numeric threshold (dates as yyyymmdd)
	bits  uint64   // tags: vocabulary bits
	mask  uint32   // enum: accepted values as bits 1+index
	div   uint32   // region: 1 county, 100 city, 10000 province
	rcode uint32   // region: the outer code divided by div
	ext   int32    // index into Set.ext, or -1
	year  int16    // per-year fields: the absolute year
	code  atomCode
	op    cmpOp
	neg   bool // negate the test (ne, not_in)
	want  bool // bool: the value compared with
	get   getter
	slot  uint8
	field fieldID
	which fieldID // region: fRegion or fResidence
}

// atomExt holds the variable-size parts of an atom.
type atomExt struct {
	xs    []float64 // numeric in / not_in
	codes []uint32  // region in / not_in
	strs  []string  // industry in / not_in, tags outside the vocabulary
	str   string    // industry within
}

// compileAtom resolves one atom. The semantics are those of refAtom; the
// equivalence test checks the two agree on random trees and profiles.
func compileAtom(c *corpus.Cond, atYear int) (catom, atomExt) {
	fi, ok := fieldByKey[c.Field]
	var e atomExt
	if !ok || fi.Type == corpus.TypeUnparsed {
		return catom{code: cUnknown}, e
	}
	a := catom{field: fi.id, op: cmpOpOf(c.Op)}
	if fi.Derived {
		a.need = fi.sources
	} else {
		a.need = 1 << fi.id
	}
	unknown := catom{code: cUnknown}
	isList := c.Op == corpus.OpIn || c.Op == corpus.OpNotIn
	if isList && (c.Value.Kind() != corpus.KindList || len(c.Value.Items()) == 0) {
		return unknown, e
	}
	a.neg = c.Op == corpus.OpNe || c.Op == corpus.OpNotIn
	items := []corpus.Value{c.Value}
	if isList {
		items = c.Value.Items()
	}
	strs := func() ([]string, bool) {
		out := make([]string, len(items))
		for i, v := range items {
			s, ok := v.Str()
			if !ok {
				return nil, false
			}
			out[i] = s
		}
		return out, true
	}
	eqOp := c.Op == corpus.OpEq || c.Op == corpus.OpNe || isList
	switch fi.Type {
	case corpus.TypeNumber, corpus.TypeDate:
		switch c.Op {
		case corpus.OpHas, corpus.OpWithin:
			return unknown, e
		}
		a.code = cNum
		for _, v := range items {
			var x float64
			if fi.Type == corpus.TypeDate {
				s, ok := v.Str()
				if !ok {
					return unknown, e
				}
				d, err := corpus.ParseDate(s)
				if err != nil {
					return unknown, e
				}
				x = float64(ymd(d))
			} else {
				n, ok := v.Num()
				if !ok {
					return unknown, e
				}
				x = n
			}
			e.xs = append(e.xs, x)
		}
		a.x = e.xs[0]
		a.year = int16(atYear + atomYear(c))
		switch {
		case fi.Type == corpus.TypeDate:
			a.get, a.slot = gDate, fi.slot
		case fi.store == stNum:
			a.get, a.slot = gNum, fi.slot
		case fi.store == stPerYear:
			a.get = gYear
		case fi.id == fRDRatio:
			a.get = gRD
		case fi.id == fAge:
			a.get, a.slot = gYears, fieldInfos[fBirthDate].slot
		case fi.id == fEstablishedYears:
			a.get, a.slot = gYears, fieldInfos[fEstablished].slot
		case fi.id == fGraduationYears:
			a.get, a.slot = gYears, fieldInfos[fGraduation].slot
		default:
			return unknown, e
		}
		return a, e
	case corpus.TypeString:
		ss, ok := strs()
		if !ok || !eqOp {
			return unknown, e
		}
		a.code = cEnum
		for _, s := range ss {
			if i := indexOf(fi.Enum, s); i >= 0 {
				a.mask |= 1 << (i + 1)
			}
		}
		a.slot = fi.slot
		return a, e
	case corpus.TypeBool:
		b, ok := c.Value.Boolean()
		if !ok || (c.Op != corpus.OpEq && c.Op != corpus.OpNe) {
			return unknown, e
		}
		a.code, a.want = cBool, b
		return a, e
	case corpus.TypeRegion:
		a.which = fi.id
		ss, ok := strs()
		if !ok {
			return unknown, e
		}
		if c.Op == corpus.OpWithin {
			return compileWithin(a, ss[0]), e
		}
		if !eqOp {
			return unknown, e
		}
		a.code = cRegionIn
		for _, s := range ss {
			if n, ok := regionNumber(s); ok {
				e.codes = append(e.codes, n)
			}
		}
		return a, e
	case corpus.TypeIndustry:
		ss, ok := strs()
		if !ok {
			return unknown, e
		}
		if c.Op == corpus.OpWithin {
			if ss[0] == "" {
				return unknown, e
			}
			a.code, e.str = cIndustryWithin, ss[0]
			return a, e
		}
		if !eqOp {
			return unknown, e
		}
		a.code, e.strs = cIndustryIn, ss
		return a, e
	case corpus.TypeTags:
		if c.Op != corpus.OpHas && !isList {
			return unknown, e
		}
		if c.Op == corpus.OpHas && c.Value.Kind() == corpus.KindList {
			return unknown, e
		}
		ss, ok := strs()
		if !ok {
			return unknown, e
		}
		a.code = cTags
		for _, s := range ss {
			if b, ok := tagBit[s]; ok {
				a.bits |= b
			} else {
				e.strs = append(e.strs, s)
			}
		}
		return a, e
	}
	return unknown, e
}

// compileWithin turns region.Within(code, outer) into arithmetic on the
// numeric code: the whole country, a province (XX0000), a city (XXYY00) or
// one exact code.
func compileWithin(a catom, outer string) catom {
	if outer == corpus.RegionNational {
		a.code = cConstTrue
		return a
	}
	n, ok := regionNumber(outer)
	if !ok {
		a.code = cConstFalse
		return a
	}
	a.code = cRegionWithin
	switch {
	case outer[2:] == "0000":
		a.div = 10000
	case outer[4:] == "00":
		a.div = 100
	default:
		a.div = 1
	}
	a.rcode = n / a.div
	return a
}

// coarseWithin is the value of "pc within outer" when pc is not inside
// outer: unknown when pc is a larger area that contains outer (the whole
// country, a province or a city holding it), false otherwise.
func coarseWithin(pc, outer uint32) Tri {
	switch {
	case pc == nationalCode:
		return Unknown
	case pc%10000 == 0:
		if outer/10000 == pc/10000 {
			return Unknown
		}
	case pc%100 == 0:
		if outer/100 == pc/100 {
			return Unknown
		}
	}
	return False
}

// nationalCode is corpus.RegionNational as a number.
const nationalCode = 100000

// regionNumber parses a 6-digit code; profiles hold codes as numbers.
func regionNumber(s string) (uint32, bool) {
	if len(s) != 6 || s[0] == '0' {
		return 0, false
	}
	for i := 0; i < 6; i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseUint(s, 10, 32)
	return uint32(n), err == nil
}

// numValue reads a numeric atom's value from the profile.
func (a *catom) numValue(p *Profile, atYMD int32) (float64, bool) {
	switch a.get {
	case gNum:
		return p.num[a.slot], true
	case gDate:
		return float64(p.date[a.slot]), true
	case gYears:
		return float64(wholeYears(p.date[a.slot], atYMD)), true
	case gYear:
		return p.yearValue(a.field, int(a.year))
	case gRD:
		rd, ok1 := p.yearValue(fRDExpense, int(a.year))
		rev, ok2 := p.yearValue(fRevenue, int(a.year))
		if !ok1 || !ok2 || rev == 0 {
			return 0, false
		}
		return rd / rev, true
	}
	return 0, false
}

// testNum applies the atom's comparison to v.
func (s *Set) testNum(a *catom, v float64) Tri {
	switch a.op {
	case opEq:
		return triOf(v == a.x)
	case opNe:
		return triOf(v != a.x)
	case opGt:
		return triOf(v > a.x)
	case opGte:
		return triOf(v >= a.x)
	case opLt:
		return triOf(v < a.x)
	case opLte:
		return triOf(v <= a.x)
	case opIn, opNotIn:
		found := false
		for _, x := range s.ext[a.ext].xs {
			if v == x {
				found = true
				break
			}
		}
		return triOf(found != a.neg)
	}
	return Unknown
}

// evalAtom tests atom a on p with the keys in mask visible.
func (s *Set) evalAtom(a *catom, p *Profile, mask fieldSet) Tri {
	if a.code == cUnknown || p.has&mask&a.need != a.need {
		return Unknown
	}
	switch a.code {
	case cConstTrue:
		return True
	case cConstFalse:
		return False
	case cNum:
		v, ok := a.numValue(p, s.atYMD)
		if !ok {
			return Unknown
		}
		return s.testNum(a, v)
	case cEnum:
		return triOf((a.mask&(1<<p.enum[a.slot]) != 0) != a.neg)
	case cBool:
		return triOf((p.dishonest == a.want) != a.neg)
	case cRegionWithin:
		pc := p.regionOf(a.which)
		if pc/a.div == a.rcode {
			return True
		}
		return coarseWithin(pc, a.rcode*a.div)
	case cRegionIn:
		r := p.regionOf(a.which)
		found := false
		for _, c := range s.ext[a.ext].codes {
			if c == r {
				found = true
				break
			}
		}
		return triOf(found != a.neg)
	case cIndustryWithin:
		// Written out again (not industryWithin) so that the equivalence
		// test compares two implementations.
		outer := s.ext[a.ext].str
		if strings.HasPrefix(p.industry, outer) {
			return True
		}
		if strings.HasPrefix(outer, p.industry) {
			return Unknown
		}
		return False
	case cIndustryIn:
		found := false
		for _, x := range s.ext[a.ext].strs {
			if x == p.industry {
				found = true
				break
			}
		}
		return triOf(found != a.neg)
	case cTags:
		found := p.tags&a.bits != 0
		if !found && a.ext >= 0 {
			for _, x := range s.ext[a.ext].strs {
				if containsString(p.extraTags(), x) {
					found = true
					break
				}
			}
		}
		return triOf(found != a.neg)
	}
	return Unknown
}

func (p *Profile) regionOf(f fieldID) uint32 {
	if f == fResidence {
		return p.residence
	}
	return p.region
}

// program is one compiled benefit.
type program struct {
	policy, benefit int
	applyFree       bool
	audience        corpus.Audience
	root            uint32   // index of the root node in Set.nodes
	must            []uint32 // atoms the tree needs true (root conjunction)
}

// hotProg is what matching a candidate reads first, kept small and in one
// array so a sweep touches little memory per benefit. checks[off:off+n] are
// the atoms of the root conjunction, the likeliest to be false first: one
// false atom drops the benefit. When flat (the tree is one atom, or a
// conjunction of atoms only) those atoms decide verdict and score alone.
//
// A sweep's blocks read kids[koff:koff+kn] instead when lanes: the root
// itself if it is plain, else the root conjunction's children, all plain
// (see isPlain); then masks decide the verdict and the score of each lane.
type hotProg struct {
	root     uint32
	off, n   uint32
	koff, kn uint32
	// soff indexes Set.scoreTab: the score of a lane whose kids' values
	// add up to v is scoreTab[soff+v], computed as evalNode does.
	soff      uint32
	slices    uint8 // bit slices the sum of kn values (at most 2·kn) needs
	flat      bool
	lanes     bool
	applyFree bool
}

// compileTree appends the tree's nodes and atoms to the set.
func (s *Set) compileTree(c *corpus.Cond, atYear int) error {
	at := len(s.nodes)
	if len(s.nodes) >= 1<<31 {
		return fmt.Errorf("compiled set too large")
	}
	switch c.Kind() {
	case corpus.NodeAll, corpus.NodeAny:
		kind, kids := nAll, c.All
		if c.Kind() == corpus.NodeAny {
			kind, kids = nAny, c.Any
		}
		s.nodes = append(s.nodes, cnode{kind: kind, nkids: uint32(len(kids))})
		for i := range kids {
			if err := s.compileTree(&kids[i], atYear); err != nil {
				return err
			}
		}
	case corpus.NodeNot:
		s.nodes = append(s.nodes, cnode{kind: nNot, nkids: 1})
		if err := s.compileTree(c.Not, atYear); err != nil {
			return err
		}
	default: // an atom, or an invalid node (unknown, like refNode)
		a, e := catom{code: cUnknown}, atomExt{}
		if c.Kind() == corpus.NodeAtom {
			a, e = compileAtom(c, atYear)
		}
		a.ext = -1
		// Identical atoms (same field, test and value) share one id, so a
		// sweep tests each once per profile.
		key := fmt.Sprintf("%+v|%+v", a, e)
		id, ok := s.atomIDs[key]
		if !ok {
			if e.xs != nil || e.codes != nil || e.strs != nil || e.str != "" {
				a.ext = int32(len(s.ext))
				s.ext = append(s.ext, e)
			}
			s.atoms = append(s.atoms, a)
			id = uint32(len(s.atoms) - 1)
			s.atomIDs[key] = id
		}
		s.nodes = append(s.nodes, cnode{kind: nAtom, atom: id})
	}
	s.nodes[at].size = uint32(len(s.nodes) - at)
	return nil
}

// atomVal evaluates atom ai on the whole profile, remembering the result
// for the rest of this profile: atoms are shared between benefits (the same
// region, tag or threshold recurs across policies), so most are tested once
// per profile. sc may be nil (no memo).
func (s *Set) atomVal(ai uint32, p *Profile, sc *Scratch) Tri {
	if sc == nil {
		return s.evalAtom(&s.atoms[ai], p, allVisible)
	}
	if sc.blk != nil {
		return s.laneVal(sc.blk, ai, sc.lane)
	}
	if m := sc.memo[ai]; m>>2 == sc.epoch {
		return Tri(m & 3)
	}
	t := s.evalAtom(&s.atoms[ai], p, allVisible)
	sc.memo[ai] = sc.epoch<<2 | uint32(t)
	return t
}

// isFlat reports whether the tree at node i is an atom or a conjunction of
// atoms only: then its verdict is the least of its atoms and its score
// their mean, in any order (atom scores are 0, ½ and 1, which add exactly).
func (s *Set) isFlat(i uint32) bool {
	n := &s.nodes[i]
	switch n.kind {
	case nAtom:
		return true
	case nAll:
		j := i + 1
		for k := uint32(0); k < n.nkids; k++ {
			if s.nodes[j].kind != nAtom { // an empty all/any is one node too
				return false
			}
			j++
		}
		return true
	}
	return false
}

// isPlain reports whether the subtree at node i scores exactly half its
// Kleene value (0, ½ or 1): an atom, or an any, not or one-child all of
// plain subtrees (a maximum, a complement or a copy of such scores).
func (s *Set) isPlain(i uint32) bool {
	n := &s.nodes[i]
	switch n.kind {
	case nAtom:
		return true
	case nNot:
		return s.isPlain(i + 1)
	case nAll, nAny:
		if n.kind == nAll && n.nkids > 1 {
			return false
		}
		j := i + 1
		for k := uint32(0); k < n.nkids; k++ {
			if !s.isPlain(j) {
				return false
			}
			j += s.nodes[j].size
		}
		return true
	}
	return false
}

// laneKids returns the nodes whose values give the tree's verdict and score
// on a block's lanes: the root if plain, else the children of a root
// conjunction whose children are all plain; ok is false otherwise.
func (s *Set) laneKids(root uint32) (kids []uint32, ok bool) {
	if s.isPlain(root) {
		return []uint32{root}, true
	}
	n := &s.nodes[root]
	if n.kind != nAll {
		return nil, false
	}
	j := root + 1
	for k := uint32(0); k < n.nkids; k++ {
		if !s.isPlain(j) {
			return nil, false
		}
		kids = append(kids, j)
		j += s.nodes[j].size
	}
	return kids, true
}

// evalHot is evalRoot through the benefit's hot record: the checks first,
// in their order (stopping at a false one), and for a flat tree the verdict
// and score from the same pass.
func (s *Set) evalHot(h *hotProg, p *Profile, sc *Scratch) (Tri, float64) {
	t, sum := True, 0
	memo, epoch := sc.memo, sc.epoch
	for _, ai := range s.checks[h.off : h.off+h.n] {
		// atomVal, written out: the hot loop of a sweep.
		var v Tri
		if m := memo[ai]; m>>2 == epoch {
			v = Tri(m & 3)
		} else {
			v = s.atomVal(ai, p, sc)
		}
		if v == False {
			return False, 0
		}
		t = min(t, v)
		sum += int(v)
	}
	if !h.flat {
		return s.evalRoot(h.root, p, sc)
	}
	if t == True {
		return True, 1
	}
	// Tri values are twice the atom scores (0, ½, 1).
	return t, float64(sum) / 2 / float64(h.n)
}

// evalRoot evaluates a benefit's tree for a sweep. A false tree is dropped,
// so its score is not needed: a root conjunction stops at its first false
// child. Otherwise it is evalNode.
func (s *Set) evalRoot(i uint32, p *Profile, sc *Scratch) (Tri, float64) {
	n := &s.nodes[i]
	if n.kind != nAll {
		return s.evalNode(i, p, sc)
	}
	t, sum := True, 0.0
	j := i + 1
	for k := uint32(0); k < n.nkids; k++ {
		var ct Tri
		var cs float64
		if c := &s.nodes[j]; c.kind == nAtom {
			ct = s.atomVal(c.atom, p, sc)
			cs = atomScore(ct)
		} else {
			ct, cs = s.evalNode(j, p, sc)
		}
		if ct == False {
			return False, 0
		}
		t = min(t, ct)
		sum += cs
		j += s.nodes[j].size
	}
	if t == True {
		return True, 1
	}
	return t, sum / float64(n.nkids)
}

// evalNode evaluates the subtree at node i on the whole profile: Kleene
// value and near-miss score, computed in the same order as refNode so the
// scores are identical.
func (s *Set) evalNode(i uint32, p *Profile, sc *Scratch) (Tri, float64) {
	n := &s.nodes[i]
	switch n.kind {
	case nAtom:
		t := s.atomVal(n.atom, p, sc)
		return t, atomScore(t)
	case nAll:
		t, sum := True, 0.0
		j := i + 1
		for k := uint32(0); k < n.nkids; k++ {
			var ct Tri
			var cs float64
			if c := &s.nodes[j]; c.kind == nAtom {
				ct = s.atomVal(c.atom, p, sc)
				cs = atomScore(ct)
			} else {
				ct, cs = s.evalNode(j, p, sc)
			}
			t = min(t, ct)
			sum += cs
			j += s.nodes[j].size
		}
		if t == True {
			return True, 1
		}
		return t, sum / float64(n.nkids)
	case nAny:
		t, best := False, 0.0
		j := i + 1
		for k := uint32(0); k < n.nkids; k++ {
			var ct Tri
			var cs float64
			if c := &s.nodes[j]; c.kind == nAtom {
				ct = s.atomVal(c.atom, p, sc)
				cs = atomScore(ct)
			} else {
				ct, cs = s.evalNode(j, p, sc)
			}
			t = max(t, ct)
			best = max(best, cs)
			j += s.nodes[j].size
		}
		if t == True {
			return True, 1
		}
		return t, best
	case nNot:
		ct, cs := s.evalNode(i+1, p, sc)
		t := not(ct)
		if t == True {
			return True, 1
		}
		return t, 1 - cs
	}
	return Unknown, 0.5
}

// evalTri evaluates the subtree's Kleene value only, stopping early where
// the outcome is settled (for grant checks).
func (s *Set) evalTri(i uint32, p *Profile, mask fieldSet) Tri {
	n := &s.nodes[i]
	switch n.kind {
	case nAtom:
		return s.evalAtom(&s.atoms[n.atom], p, mask)
	case nAll:
		t := True
		j := i + 1
		for k := uint32(0); k < n.nkids && t != False; k++ {
			t = min(t, s.evalTri(j, p, mask))
			j += s.nodes[j].size
		}
		return t
	case nAny:
		t := False
		j := i + 1
		for k := uint32(0); k < n.nkids && t != True; k++ {
			t = max(t, s.evalTri(j, p, mask))
			j += s.nodes[j].size
		}
		return t
	case nNot:
		return not(s.evalTri(i+1, p, mask))
	}
	return Unknown
}

// mustAtoms lists the atoms in the root conjunction: each must be true for
// the tree to be true, so one that is false makes the tree false.
func (s *Set) mustAtoms(i uint32, out []uint32) []uint32 {
	n := &s.nodes[i]
	switch n.kind {
	case nAtom:
		return append(out, n.atom)
	case nAll:
		j := i + 1
		for k := uint32(0); k < n.nkids; k++ {
			out = s.mustAtoms(j, out)
			j += s.nodes[j].size
		}
	}
	return out
}
