package matcher

import (
	"cmp"
	"math"
	"slices"
	"strings"

	"github.com/zhida/zhida/corpus"
	"github.com/zhida/zhida/corpus/region"
)

// Tri is a three-valued (Kleene) truth value. The order False < Unknown <
// True makes conjunction the minimum and disjunction the maximum.
type Tri uint8

// The truth values.
const (
	False Tri = iota
	Unknown
	True
)

// Verdict returns the CONTRACT verdict word: eligible, ineligible or unknown.
func (t Tri) Verdict() string {
	switch t {
	case True:
		return "eligible"
	case False:
		return "ineligible"
	}
	return "unknown"
}

// String is the verdict word.
func (t Tri) String() string { return t.Verdict() }

func not(t Tri) Tri { return True - t }

// atomScore is an atom's contribution to the near-miss score.
func atomScore(t Tri) float64 {
	switch t {
	case True:
		return 1
	case False:
		return 0
	}
	return 0.5
}

// The near-miss score of a node, in [0,1], is 1 exactly when the node is
// true. Otherwise: an atom scores 0 when false and ½ when unknown; a
// conjunction the mean of its children (so a benefit missing one condition of
// five ranks above one missing four); a disjunction its best child; a
// negation 1 − its child's score. A false or unknown node always scores
// below 1, so ranking by score never puts a non-eligible benefit level with an
// eligible one.

// DefaultYear is the relative year of a per-year atom that states none:
// the last completed year (上年度).
const DefaultYear = -1

// allVisible is the visibility mask of a full evaluation; a grant check
// passes the profile's verified keys instead.
const allVisible = ^fieldSet(0)

// BenefitResult is the outcome of one benefit for one profile.
type BenefitResult struct {
	Name    string
	Verdict Tri
	// Score ranks near-misses: 1 when eligible, lower the more is unmet.
	Score float64
	// Grant is true when the benefit is apply-free and its tree is true on
	// the verified keys alone (CONTRACT §2).
	Grant bool
	// Met and Unmet are the texts of the atoms that count for and against the
	// benefit (an atom under a negation counts for it when false).
	Met, Unmet []string
	// Missing lists the profile keys whose absence left atoms unknown.
	Missing []string
	// Check lists the clauses the vocabulary could not express (unparsed
	// atoms): a person must check them.
	Check []string
	// Unverified lists, for an eligible apply-free benefit that is not
	// granted, the keys its conditions use that no authoritative source
	// confirmed: verifying them is what a grant would need.
	Unverified []string
}

// PolicyResult is the outcome of one policy for one profile.
type PolicyResult struct {
	// Verdict is eligible if any benefit is, else unknown if any is, else
	// ineligible (CONTRACT §3).
	Verdict  Tri
	Score    float64 // the best benefit's score
	Grant    bool    // some apply-free benefit is granted
	Benefits []BenefitResult
}

// Eval evaluates a condition tree on a profile at date at: its Kleene value
// and its near-miss score. This is the reference evaluator; it walks the tree
// as written.
func Eval(c *corpus.Cond, p *Profile, at corpus.Date) (Tri, float64) {
	return refNode(c, p, at, allVisible)
}

// EvalVerified evaluates the tree on the profile cut down to its verified
// keys, as an apply-free grant requires.
func EvalVerified(c *corpus.Cond, p *Profile, at corpus.Date) Tri {
	t, _ := refNode(c, p, at, p.verified)
	return t
}

// Audience returns who a benefit is for: its own audience, else the
// policy's when that is one kind, else the kind its tree's fields and tags
// belong to, else both.
func Audience(b *corpus.Benefit, policy corpus.Audience) corpus.Audience {
	if b.Audience == corpus.AudienceEnterprise || b.Audience == corpus.AudienceResident {
		return b.Audience
	}
	if policy == corpus.AudienceEnterprise || policy == corpus.AudienceResident {
		return policy
	}
	if b.Conditions == nil {
		return corpus.AudienceBoth
	}
	ent, res := false, false
	for _, a := range b.Conditions.Atoms() {
		if f, ok := corpus.LookupField(a.Field); ok {
			switch f.Audience {
			case corpus.AudienceEnterprise:
				ent = true
			case corpus.AudienceResident:
				res = true
			}
		}
		if a.Field == "tags" {
			for _, t := range tagValues(a.Value) {
				switch {
				case slices.Contains(corpus.EnterpriseTags(), t):
					ent = true
				case slices.Contains(corpus.ResidentTags(), t):
					res = true
				}
			}
		}
	}
	switch {
	case ent && !res:
		return corpus.AudienceEnterprise
	case res && !ent:
		return corpus.AudienceResident
	}
	return corpus.AudienceBoth
}

func tagValues(v corpus.Value) []string {
	if s, ok := v.Str(); ok {
		return []string{s}
	}
	var out []string
	for _, it := range v.Items() {
		if s, ok := it.Str(); ok {
			out = append(out, s)
		}
	}
	return out
}

// EvalBenefit evaluates one benefit, whose audience is aud (see Audience),
// on a profile at date at, with the explanation.
func EvalBenefit(b *corpus.Benefit, aud corpus.Audience, p *Profile, at corpus.Date) BenefitResult {
	r := BenefitResult{Name: b.Name}
	if !aud.Includes(p.Kind.Audience()) {
		r.Verdict, r.Score = False, 0
		r.Unmet = []string{"适用对象: " + string(aud)}
		return r
	}
	tree := b.Conditions
	if tree == nil {
		tree = &corpus.Cond{All: []corpus.Cond{}}
	}
	r.Verdict, r.Score = refNode(tree, p, at, allVisible)
	if r.Verdict == True && b.ApplyFree {
		r.Grant = EvalVerified(tree, p, at) == True
		if !r.Grant {
			r.Unverified = unverifiedKeys(tree, p)
		}
	}
	explain(tree, p, at, false, &r)
	return r
}

// unverifiedKeys lists the stored keys the tree's atoms rest on that the
// profile has but has not verified, in document order.
func unverifiedKeys(c *corpus.Cond, p *Profile) []string {
	var out []string
	for _, a := range c.Atoms() {
		fi, ok := fieldByKey[a.Field]
		if !ok || fi.Type == corpus.TypeUnparsed {
			continue
		}
		need := fieldSet(1) << fi.id
		if fi.Derived {
			need = fi.sources
		}
		for i := range fieldInfos {
			k := fieldInfos[i].id
			if need.has(k) && p.has.has(k) && !p.verified.has(k) {
				name := fieldInfos[i].Name
				if p.fromIDCard.has(k) {
					name = "id_card" // birth_date/gender rest on the 身份证号
				}
				out = appendUnique(out, name)
			}
		}
	}
	return out
}

// EvalPolicy evaluates every benefit of a policy on a profile.
func EvalPolicy(pol *Policy, p *Profile, at corpus.Date) PolicyResult {
	out := PolicyResult{Verdict: False}
	for i := range pol.Benefits {
		b := &pol.Benefits[i]
		br := EvalBenefit(b, Audience(b, pol.Audience), p, at)
		out.Verdict = max(out.Verdict, br.Verdict)
		out.Score = max(out.Score, br.Score)
		out.Grant = out.Grant || br.Grant
		out.Benefits = append(out.Benefits, br)
	}
	return out
}

// explain fills the met/unmet/missing/check lists, walking atoms in
// document order; neg is true under an odd number of negations. Where an
// alternative already holds (an `any` that is true, or an `all` under a
// negation that is false), only the alternatives that hold are explained:
// the failed branch of a satisfied choice is not a reason against.
func explain(c *corpus.Cond, p *Profile, at corpus.Date, neg bool, r *BenefitResult) {
	switch c.Kind() {
	case corpus.NodeAll, corpus.NodeAny:
		kids := c.All
		if c.Kind() == corpus.NodeAny {
			kids = c.Any
		}
		disjunctive := (c.Kind() == corpus.NodeAny) != neg
		onlyTrue := false
		if disjunctive {
			t, _ := refNode(c, p, at, allVisible)
			onlyTrue = t == polar(True, neg)
		}
		for i := range kids {
			if onlyTrue {
				if t, _ := refNode(&kids[i], p, at, allVisible); t != polar(True, neg) {
					continue
				}
			}
			explain(&kids[i], p, at, neg, r)
		}
	case corpus.NodeNot:
		explain(c.Not, p, at, !neg, r)
	case corpus.NodeAtom:
		text := atomText(c)
		if c.Field == corpus.FieldUnparsed {
			r.Check = appendUnique(r.Check, text)
			return
		}
		switch polar(refAtom(c, p, at, allVisible), neg) {
		case True:
			r.Met = appendUnique(r.Met, text)
		case False:
			r.Unmet = appendUnique(r.Unmet, text)
		default:
			if fi, ok := fieldByKey[c.Field]; ok {
				for _, k := range missingKeys(fi, c, p, at) {
					r.Missing = appendUnique(r.Missing, k)
				}
			}
		}
	}
}

// polar returns t, negated under an odd number of negations.
func polar(t Tri, neg bool) Tri {
	if neg {
		return not(t)
	}
	return t
}

// missingKeys names the stored keys whose absence leaves the atom unknown.
func missingKeys(fi *fieldInfo, c *corpus.Cond, p *Profile, at corpus.Date) []string {
	var keys []fieldID
	if fi.Derived {
		for i := range fieldInfos {
			if fi.sources.has(fieldInfos[i].id) {
				keys = append(keys, fieldInfos[i].id)
			}
		}
	} else {
		keys = []fieldID{fi.id}
	}
	year := at.Year + atomYear(c)
	var out []string
	for _, k := range keys {
		kf := &fieldInfos[k]
		switch {
		case !p.has.has(k):
			out = append(out, kf.Name)
		case kf.store == stPerYear:
			if _, ok := p.yearValue(k, year); !ok {
				out = append(out, kf.Name)
			}
		}
	}
	return out
}

func appendUnique(ss []string, s string) []string {
	if slices.Contains(ss, s) {
		return ss
	}
	return append(ss, s)
}

// atomText is the policy text of an atom, or a rendering of it when the
// tree carries none.
func atomText(c *corpus.Cond) string {
	if c.Text != "" {
		return c.Text
	}
	return c.Field + " " + string(c.Op) + " " + c.Value.String()
}

func atomYear(c *corpus.Cond) int {
	if c.Year != nil {
		return *c.Year
	}
	return DefaultYear
}

// refNode is the reference Kleene evaluation with the near-miss score.
func refNode(c *corpus.Cond, p *Profile, at corpus.Date, mask fieldSet) (Tri, float64) {
	switch c.Kind() {
	case corpus.NodeAll:
		t, sum := True, 0.0
		for i := range c.All {
			ct, cs := refNode(&c.All[i], p, at, mask)
			t = min(t, ct)
			sum += cs
		}
		if t == True {
			return True, 1
		}
		return t, sum / float64(len(c.All))
	case corpus.NodeAny:
		t, best := False, 0.0
		for i := range c.Any {
			ct, cs := refNode(&c.Any[i], p, at, mask)
			t = max(t, ct)
			best = max(best, cs)
		}
		if t == True {
			return True, 1
		}
		return t, best
	case corpus.NodeNot:
		ct, cs := refNode(c.Not, p, at, mask)
		t := not(ct)
		if t == True {
			return True, 1
		}
		return t, 1 - cs
	case corpus.NodeAtom:
		t := refAtom(c, p, at, mask)
		return t, atomScore(t)
	}
	return Unknown, 0.5
}

// refAtom evaluates one atom. A key the profile lacks (or that the mask
// hides) makes it unknown; so does an atom the vocabulary cannot express or
// one malformed for its field (validation rejects those at publication;
// evaluation never turns them into a denial).
func refAtom(c *corpus.Cond, p *Profile, at corpus.Date, mask fieldSet) Tri {
	fi, ok := fieldByKey[c.Field]
	if !ok || fi.Type == corpus.TypeUnparsed || !p.present(fi, mask) {
		return Unknown
	}
	switch fi.Type {
	case corpus.TypeTags:
		return refTags(c, p)
	case corpus.TypeNumber:
		x, ok := refNumber(fi, c, p, at)
		if !ok {
			return Unknown
		}
		return cmpValue(c.Op, c.Value, func(v corpus.Value) (int, bool) {
			n, ok := v.Num()
			if !ok || math.IsNaN(n) {
				return 0, false
			}
			return cmp.Compare(x, n), true
		}, true)
	case corpus.TypeString:
		s, _ := p.Enum(fi.Name)
		return cmpValue(c.Op, c.Value, strCmp(s), false)
	case corpus.TypeBool:
		if fi.id != fDishonest || (c.Op != corpus.OpEq && c.Op != corpus.OpNe) {
			return Unknown
		}
		return cmpValue(c.Op, c.Value, func(v corpus.Value) (int, bool) {
			b, ok := v.Boolean()
			if !ok {
				return 0, false
			}
			if b == p.dishonest {
				return 0, true
			}
			return 1, true
		}, false)
	case corpus.TypeDate:
		d, _ := p.Date(fi.Name)
		return cmpValue(c.Op, c.Value, func(v corpus.Value) (int, bool) {
			s, ok := v.Str()
			if !ok {
				return 0, false
			}
			w, err := corpus.ParseDate(s)
			if err != nil {
				return 0, false
			}
			return d.Compare(w), true
		}, true)
	case corpus.TypeRegion:
		code := p.Region()
		if fi.id == fResidence {
			code = p.ResidenceRegion()
		}
		if c.Op == corpus.OpWithin {
			outer, ok := c.Value.Str()
			if !ok {
				return Unknown
			}
			if region.Within(code, outer) {
				return True
			}
			// A profile that names only a larger area containing the
			// outer region (110100 for a 朝阳区 atom) may or may not be
			// inside it: unknown, not a denial.
			if _, ok := regionNumber(outer); ok && code != outer && region.Within(outer, code) {
				return Unknown
			}
			return False
		}
		return cmpValue(c.Op, c.Value, strCmp(code), false)
	case corpus.TypeIndustry:
		if c.Op == corpus.OpWithin {
			outer, ok := c.Value.Str()
			if !ok || outer == "" {
				return Unknown
			}
			return industryWithin(p.industry, outer)
		}
		return cmpValue(c.Op, c.Value, strCmp(p.industry), false)
	}
	return Unknown
}

// industryWithin tests an industry code against a prefix; a profile code
// coarser than the atom's (C39 against C3911) is unknown, not false.
func industryWithin(code, outer string) Tri {
	switch {
	case strings.HasPrefix(code, outer):
		return True
	case strings.HasPrefix(outer, code):
		return Unknown
	}
	return False
}

func triOf(b bool) Tri {
	if b {
		return True
	}
	return False
}

func strCmp(s string) func(corpus.Value) (int, bool) {
	return func(v corpus.Value) (int, bool) {
		w, ok := v.Str()
		if !ok {
			return 0, false
		}
		if s == w {
			return 0, true
		}
		return 1, true // unequal; order is not defined for these types
	}
}

// cmpValue applies op given a comparison of the profile's value with a
// condition value (-1, 0, +1; ok false when the value has the wrong type).
// ordered says whether gt/gte/lt/lte apply.
func cmpValue(op corpus.Op, v corpus.Value, cmp func(corpus.Value) (int, bool), ordered bool) Tri {
	switch op {
	case corpus.OpIn, corpus.OpNotIn:
		if v.Kind() != corpus.KindList || len(v.Items()) == 0 {
			return Unknown
		}
		found := false
		for _, it := range v.Items() {
			r, ok := cmp(it)
			if !ok {
				return Unknown
			}
			found = found || r == 0
		}
		return triOf(found == (op == corpus.OpIn))
	}
	r, ok := cmp(v)
	if !ok {
		return Unknown
	}
	switch op {
	case corpus.OpEq:
		return triOf(r == 0)
	case corpus.OpNe:
		return triOf(r != 0)
	}
	if !ordered {
		return Unknown
	}
	switch op {
	case corpus.OpGt:
		return triOf(r > 0)
	case corpus.OpGte:
		return triOf(r >= 0)
	case corpus.OpLt:
		return triOf(r < 0)
	case corpus.OpLte:
		return triOf(r <= 0)
	}
	return Unknown
}

func refTags(c *corpus.Cond, p *Profile) Tri {
	switch c.Op {
	case corpus.OpHas:
		t, ok := c.Value.Str()
		if !ok {
			return Unknown
		}
		return triOf(p.HasTag(t))
	case corpus.OpIn, corpus.OpNotIn: // has any / has none of the listed tags
		if c.Value.Kind() != corpus.KindList || len(c.Value.Items()) == 0 {
			return Unknown
		}
		found := false
		for _, it := range c.Value.Items() {
			t, ok := it.Str()
			if !ok {
				return Unknown
			}
			found = found || p.HasTag(t)
		}
		return triOf(found == (c.Op == corpus.OpIn))
	}
	return Unknown
}

// refNumber reads a numeric field, derived ones computed at date at.
func refNumber(fi *fieldInfo, c *corpus.Cond, p *Profile, at corpus.Date) (float64, bool) {
	switch {
	case fi.store == stNum:
		return p.num[fi.slot], true
	case fi.store == stPerYear:
		return p.yearValue(fi.id, at.Year+atomYear(c))
	case fi.id == fAge, fi.id == fEstablishedYears, fi.id == fGraduationYears:
		src := "birth_date"
		switch fi.id {
		case fEstablishedYears:
			src = "established"
		case fGraduationYears:
			src = "graduation_date"
		}
		d, ok := p.Date(src)
		if !ok {
			return 0, false
		}
		return float64(d.WholeYearsUntil(at)), true
	case fi.id == fRDRatio:
		y := at.Year + atomYear(c)
		rd, ok1 := p.yearValue(fRDExpense, y)
		rev, ok2 := p.yearValue(fRevenue, y)
		if !ok1 || !ok2 || rev == 0 {
			return 0, false
		}
		return rd / rev, true
	}
	return 0, false
}
