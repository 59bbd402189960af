package extract

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/zhida/zhida/corpus"
)

// candidate is a benefit before its shared conditions are added.
type candidate struct {
	u     *unit
	local []corpus.Cond
	order int // position among the grants, to keep text order
}

// assemble turns the collected units and conditions into benefits: one per
// grant with conditions of its own (or naming a class), each with the
// shared conditions of the document and of its own section repeated inside.
func (c *collector) assemble() ([]Benefit, []string) {
	// The same scope sentence may recur (a text that repeats itself); each
	// distinct condition of a section is shared once.
	seenShared := map[string]bool{}
	dedup := c.shared[:0]
	for _, s := range c.shared {
		k := fmt.Sprintf("%p|%s", s.section, treeKey(s.cond))
		if !seenShared[k] {
			seenShared[k] = true
			dedup = append(dedup, s)
		}
	}
	c.shared = dedup
	if len(c.units) == 0 && len(c.entUnits) > 0 {
		// Nothing measurable is granted: the services are the benefits, and
		// the sentences that grant them are not scope for the others.
		c.units = c.entUnits
		from := map[int]bool{}
		for _, u := range c.entUnits {
			from[u.sentence] = true
		}
		kept := c.shared[:0]
		for _, s := range c.shared {
			if !from[s.sentence] {
				kept = append(kept, s)
			}
		}
		c.shared = kept
	}
	secHasUnits := map[*block]bool{}
	for _, u := range c.units {
		secHasUnits[u.section] = true
	}
	titled := c.titleBenefitSections(secHasUnits)
	ownSection := map[*block]bool{}
	for _, sec := range titled {
		ownSection[sec] = true // its conditions are its own, not the text's
	}
	referenced := map[string]bool{}
	// Names a grant may refer to, in a stable order; a text defines a few
	// dozen at most, so only the first maxNames are looked for.
	names := make([]string, 0, len(c.named))
	for n := range c.named {
		names = append(names, n)
	}
	sort.Strings(names)
	if len(names) > maxNames {
		names = names[:maxNames]
	}
	var cands []candidate
	var prevLocal []corpus.Cond
	for _, u := range c.units {
		// A kind of firm the text defines (本公告所称小型微利企业…) is read
		// through its definition, not kept as unread.
		kept := u.hits[:0]
		for _, h := range u.hits {
			if h.list == "unread" && len(c.named[h.cond.Text]) > 0 {
				continue
			}
			kept = append(kept, h)
		}
		u.hits = kept
		for _, part := range splitSubjects(u) {
			var local []corpus.Cond
			if u.inherit {
				local = append(local, prevLocal...)
			}
			// A defined kind of subject listed beside other kinds (对增值税小规模
			// 纳税人、小型微利企业和个体工商户…) is one of the alternatives.
			var listed []corpus.Cond
			var refs []corpus.Cond
			for _, name := range names {
				if conds := c.named[name]; strings.Contains(u.text, name) {
					referenced[name] = true
					if listedBeside(u.text, name) {
						listed = append(listed, conj(conds))
					} else {
						refs = append(refs, conds...)
					}
				}
			}
			if len(listed) > 0 {
				var subj, other []hit
				for _, h := range part {
					if h.subject || h.grouped {
						subj = append(subj, h)
					} else {
						other = append(other, h)
					}
				}
				alts := listed
				for _, h := range subj {
					alts = append(alts, h.cond)
				}
				part = other
				if len(alts) == 1 {
					local = append(local, alts[0])
				} else {
					local = append(local, corpus.Any(alts...))
				}
			}
			if len(part) > 0 {
				local = append(local, treeOf(u.text, part))
			}
			local = append(local, refs...)
			cands = append(cands, candidate{u: u, local: local, order: len(cands)})
			prevLocal = local
		}
	}
	// A grant is its own benefit when it has conditions of its own: in its
	// clauses, or in the block it sits in (第二十六条 在本市居住的60周岁及
	// 以上老年人…可享受就餐补贴。补贴标准为…).
	ownBlock := map[*block]bool{}
	for _, s := range c.shared {
		if s.blk != nil && s.blk != s.section {
			ownBlock[s.blk] = true
		}
	}
	var chosen []candidate
	firstInBlock := map[*block]bool{}
	for i, cd := range cands {
		first := !firstInBlock[cd.u.blk]
		firstInBlock[cd.u.blk] = true
		// 可享受三年补贴，对…男满55周岁、女满45周岁的，可享受至退休: a grant
		// with no conditions of its own right before one with its own in the
		// same sentence run is the general case, and a benefit too.
		base := len(cd.local) == 0 && i+1 < len(cands) && cands[i+1].u.blk == cd.u.blk && len(cands[i+1].local) > 0 &&
			strings.HasPrefix(cands[i+1].u.text, "对") && sameSentenceRun(cd.u, cands[i+1].u)
		if len(cd.local) > 0 || base || first && ownBlock[cd.u.blk] && len(cd.u.blk.children) == 0 {
			chosen = append(chosen, cd)
		}
	}
	// Every section that grants something yields at least its first grant
	// (1、一次性创业资助 … 补贴标准：10000元 has its conditions around it),
	// and so does every numbered item of a list of grants (服务内容：1．…
	// 网点…支持金额不超过300万元 2．…网点补助金额不超过70万元): each item is
	// a thing granted, with an amount band of its own.
	hasChosen := map[*block]bool{}
	for _, cd := range chosen {
		hasChosen[cd.u.section] = true
		hasChosen[c.grantItemOf(cd.u.blk)] = true
	}
	// An item whose first grant only caps or times what another grants
	// (2．单家企业补贴金额不超过30万元，补贴期限不超过2年) adds no benefit.
	itemOK := map[*block]bool{}
	itemSeen := map[*block]bool{}
	for _, cd := range cands {
		if item := c.grantItemOf(cd.u.blk); item != nil && !itemSeen[item] {
			itemSeen[item] = true
			itemOK[item] = !capOnlyRe.MatchString(cd.u.text) && amountRe.MatchString(cd.u.amount)
		}
	}
	for _, cd := range cands {
		item := c.grantItemOf(cd.u.blk)
		if !itemOK[item] {
			item = nil
		}
		if !hasChosen[cd.u.section] || item != nil && !hasChosen[item] {
			hasChosen[cd.u.section] = true
			hasChosen[item] = true
			chosen = append(chosen, cd)
		}
	}
	sort.SliceStable(chosen, func(i, j int) bool { return chosen[i].order < chosen[j].order })
	// A policy grants a few dozen things at most; a text with more grants
	// (a compendium) keeps the rest as unread clauses, so that the work and
	// the output stay proportional to the input.
	var overflow []string
	if len(chosen) > maxBenefits {
		for _, cd := range chosen[maxBenefits:] {
			overflow = append(overflow, cd.u.text)
		}
		chosen = chosen[:maxBenefits]
	}
	// blockHasUnits marks the blocks that hold a grant, and their ancestors.
	blockHasUnits := map[*block]bool{}
	for _, u := range c.units {
		for b := u.blk; b != nil; b = b.parent {
			blockHasUnits[b] = true
		}
	}
	// A condition holds for a grant when it is global (its section grants
	// nothing), when it sits in the grant's own block or an enclosing one,
	// or when its block grants nothing itself (第二十四条 … 第二十六条).
	labels := c.labels
	applies := func(s condSource, u *unit) bool {
		// 申请条件 1.个人 … 贷款标准 1.个人 …: items that share a label go
		// together, and apart from the other labels'.
		if ls, lu := labelOf(s.blk, labels), labelOf(u.blk, labels); ls != "" && lu != "" {
			return ls == lu
		}
		if !secHasUnits[s.section] && !ownSection[s.section] && (s.section == nil || !s.section.measure) {
			return true
		}
		if s.section != u.section {
			return false
		}
		if s.blk == nil || !blockHasUnits[s.blk] {
			return true
		}
		for b := u.blk; b != nil; b = b.parent {
			if b == s.blk {
				return true
			}
		}
		return false
	}
	// 申报企业为小微或初创型企业。小微企业是指…；初创企业是指…: a clause
	// kept unparsed that names defined kinds joined by 或 is any of their
	// definitions, and the definitions are not required one and all.
	for i, s := range c.shared {
		if s.cond.Kind() != corpus.NodeAtom || s.cond.Field != corpus.FieldUnparsed || !orRe.MatchString(s.cond.Text) {
			continue
		}
		var alts []corpus.Cond
		var used []string
		for _, n := range names {
			core := definedCoreRe.ReplaceAllString(n, "")
			if runeLen(core) >= 2 && c.namedCond[n] && !referenced[n] && strings.Contains(s.cond.Text, core) {
				alts = append(alts, conj(c.named[n]))
				used = append(used, n)
			}
		}
		if len(alts) < 2 {
			continue
		}
		c.shared[i].cond = corpus.Any(alts...)
		for _, n := range used {
			referenced[n] = true
		}
	}
	// Thresholds given per kind of project go to the grants that name
	// those kinds; when no grant names any, each grant gets any of them.
	scopedNamed := map[int]bool{}
	for i, s := range c.shared {
		for _, cd := range chosen {
			if len(s.scoped) > 0 && len(scopedFor(s.scoped, cd.u)) > 0 {
				scopedNamed[i] = true
			}
		}
	}
	// pick chooses, for a grant that names several kinds of project with
	// thresholds of their own, one of them (0, 1 …) or none (-2); -1 keeps
	// any of them.
	sharedFor := func(u *unit, pick int) []corpus.Cond {
		var out []corpus.Cond
		var sec *block
		if u != nil {
			sec = u.section
		}
		for i, s := range c.shared {
			if u == nil && !secHasUnits[s.section] && !ownSection[s.section] || u != nil && applies(s, u) {
				if u != nil && scopedNamed[i] {
					alts := scopedFor(s.scoped, u)
					switch {
					case pick == -2:
					case pick >= 0 && pick < len(alts):
						out = append(out, alts[pick])
					case len(alts) == 1:
						out = append(out, alts[0])
					case len(alts) > 1:
						out = append(out, corpus.Any(alts...))
					}
					continue
				}
				out = append(out, s.cond)
			}
		}
		names := make([]string, 0, len(c.named))
		for n := range c.named {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			if !referenced[n] && c.namedCond[n] && (!secHasUnits[c.namedSec[n]] || c.namedSec[n] == sec) {
				out = append(out, c.named[n]...)
			}
		}
		return out
	}
	var out []Benefit
	if len(chosen) == 0 {
		shared := sharedFor(nil, -1)
		if len(shared) == 0 {
			return c.titleBenefits(titled), overflow
		}
		shared, overflow = capConds(shared, overflow)
		return append([]Benefit{{Name: "", Conditions: prune(fitAudience(simplify(shared), c.ctx.audience))}}, c.titleBenefits(titled)...), overflow
	}
	for _, cd := range chosen {
		// One benefit per kind of project with its own threshold, and one
		// for the kinds the item lists that no threshold names.
		picks := []int{-1}
		for i, s := range c.shared {
			if !scopedNamed[i] {
				continue
			}
			if n := len(scopedFor(s.scoped, cd.u)); n > 1 {
				picks = picks[:0]
				for k := 0; k < n; k++ {
					picks = append(picks, k)
				}
				if unscopedKinds(s.scoped, cd.u) {
					picks = append(picks, -2)
				}
			}
			break
		}
		for _, pick := range picks {
			conds := append(sharedFor(cd.u, pick), cd.local...)
			conds, overflow = capConds(conds, overflow)
			b := Benefit{Name: c.itemBenefitName(cd.u), Amount: cd.u.amount, Calc: parseAmount(cd.u.amount), Conditions: prune(fitAudience(simplify(conds), c.ctx.audience))}
			// The grant's own recipient decides its audience when it names
			// one (给予企业… in a text for residents; 对…的个人，给予… in one
			// for firms): a resident never qualifies for a firm's subsidy.
			if a := recipientAudience(cd.u.text); a != "" && a != c.ctx.audience {
				b.Audience = a
				b.Conditions = prune(fitAudience(b.Conditions, a))
			}
			out = append(out, b)
		}
	}
	return append(out, c.titleBenefits(titled)...), overflow
}

// prune drops empty all()/any() nodes inside a tree: an empty conjunction
// left by a group with nothing read would be true, and an any() holding one
// would grant to everyone. A node left with one child is that child.
func prune(c corpus.Cond) corpus.Cond {
	var kids []corpus.Cond
	switch c.Kind() {
	case corpus.NodeAll, corpus.NodeAny:
		src := c.All
		if c.Kind() == corpus.NodeAny {
			src = c.Any
		}
		for _, x := range src {
			x = prune(x)
			if k := x.Kind(); k == corpus.NodeInvalid || (k == corpus.NodeAll && len(x.All) == 0) || (k == corpus.NodeAny && len(x.Any) == 0) {
				continue
			}
			kids = append(kids, x)
		}
		if len(kids) == 1 {
			return kids[0]
		}
		if c.Kind() == corpus.NodeAny {
			return corpus.Any(kids...)
		}
		return corpus.All(kids...)
	case corpus.NodeNot:
		n := prune(*c.Not)
		return corpus.Not(n)
	}
	return c
}

var (
	// firmRecipientRe and personRecipientRe name who receives a grant.
	firmRecipientRe   = regexp.MustCompile(`(?:给予|向|拨付给|发放给|补贴给)(?:该|相关|所在|符合条件的|用人)?(?:企业|单位|公司|经营主体|市场主体|用人单位)|^对[^，。；]{0,30}(?:企业|单位|公司|经营主体)[，,]`)
	personRecipientRe = regexp.MustCompile(`(?:给予|向|发放给|补贴给)(?:其|本人|该|符合条件的)?(?:个人|本人|人员|毕业生|老年人|老人|居民|家庭|残疾人|学生|幼儿|儿童|职工本人)|^对[^，。；]{0,30}(?:人员|毕业生|老年人|老人|居民|家庭|残疾人|学生|幼儿|儿童|个人)[，,]`)
)

// recipientAudience reads who a grant goes to from its own words: empty
// when it names no recipient, or both kinds.
func recipientAudience(text string) corpus.Audience {
	firm, person := firmRecipientRe.MatchString(text), personRecipientRe.MatchString(text)
	switch {
	case firm && !person:
		return corpus.AudienceEnterprise
	case person && !firm:
		return corpus.AudienceResident
	}
	return ""
}

// definedCoreRe is the generic tail of a defined kind's name (小微企业 →
// 小微), which a clause may leave off (小微或初创型文化企业).
var definedCoreRe = regexp.MustCompile(`(?:型)?(?:企业|公司|单位|人员|对象|家庭)$`)

// scopedFor returns the conditions of the kinds of project a grant names,
// in its own words or in the numbered item it sits in.
func scopedFor(sc []scopedCond, u *unit) []corpus.Cond {
	text := u.text + u.heading
	if item := grantItem(u.blk); item != nil {
		text += item.head + strings.Join(item.lines, "")
	} else if u.blk != nil {
		text += u.blk.head + strings.Join(u.blk.lines, "")
	}
	var out []corpus.Cond
	for _, x := range sc {
		for _, k := range x.kinds {
			if strings.Contains(text, k) {
				out = append(out, x.cond)
				break
			}
		}
	}
	return out
}

// unscopedKinds reports whether the list of kinds in a grant's item
// (对社区菜店、生鲜超市、菜市场…等) names a kind no scoped threshold covers.
func unscopedKinds(sc []scopedCond, u *unit) bool {
	text := u.text
	if item := grantItem(u.blk); item != nil {
		text = item.head + strings.Join(item.lines, "")
	} else if u.blk != nil {
		text = u.blk.head + strings.Join(u.blk.lines, "")
	}
	for _, cl := range splitKeep(text, "，。；：") {
		if strings.Count(cl, "、") < 2 {
			continue
		}
		for _, it := range strings.Split(trimPunct(cl), "、") {
			it = strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(it), "对"), "等")
			if runeLen(it) < 2 {
				continue
			}
			covered := false
			for _, x := range sc {
				for _, k := range x.kinds {
					covered = covered || strings.Contains(it, k)
				}
			}
			if !covered {
				return true
			}
		}
		return false
	}
	return false
}

// grantItem returns the numbered item (1．, （一）…) of a section of amounts
// that a grant sits in, or nil when it sits elsewhere.
func grantItem(b *block) *block {
	for x := b; x != nil; x = x.parent {
		if x.level >= levelOne && (!x.heading || isSubjectLabel(x)) && x.parent != nil && x.parent.kind == kindAmount && x.parent.heading {
			return x
		}
	}
	return nil
}

// capOnlyRe is a grant clause that only caps what another grants (单家企业
// …不超过30万元, 每人累计…).
var capOnlyRe = regexp.MustCompile(`^(?:单家|每家|单个|每个|每户|每人|同一)[^，。；]{0,16}(?:不超过|最高|最多|上限|累计)`)

// maxBenefits bounds the benefits read from one text.
const maxBenefits = 100

// maxNames bounds the defined names looked for in each grant.
const maxNames = 200

// splitSubjects splits a unit that lists several kinds of subject before
// its grant (中小微企业、以单位形式参保的个体经济组织按60%返还) into one part
// per kind; conditions outside the list go with every part.
func splitSubjects(u *unit) [][]hit {
	if len(u.hits) == 0 {
		return [][]hit{nil}
	}
	seg := func(pos int) int {
		if pos > len(u.text) {
			pos = len(u.text)
		}
		return strings.Count(u.text[:pos], "、") + strings.Count(u.text[:pos], "和") + strings.Count(u.text[:pos], "及")
	}
	clause := func(pos int) int {
		if pos > len(u.text) {
			pos = len(u.text)
		}
		return strings.Count(u.text[:pos], "，") + strings.Count(u.text[:pos], "；")
	}
	segs := map[int]bool{}
	var order []int
	firstClause := -1
	for _, h := range u.hits {
		if h.grouped {
			return [][]hit{u.hits} // alternatives of one grant, not separate grants
		}
	}
	for _, h := range u.hits {
		if !h.subject {
			continue
		}
		if firstClause < 0 {
			firstClause = clause(h.start)
		}
		if clause(h.start) != firstClause {
			continue
		}
		s := seg(h.start)
		if !segs[s] {
			segs[s] = true
			order = append(order, s)
		}
	}
	if len(order) < 2 {
		return [][]hit{u.hits}
	}
	var common []hit
	bySeg := map[int][]hit{}
	for _, h := range u.hits {
		s := seg(h.start)
		// A place before the list (湖北省上市公司、挂牌公司) qualifies every item.
		isPlace := h.cond.Kind() == corpus.NodeAtom && (h.cond.Field == "region" || h.cond.Field == "residence_region")
		if !isPlace && clause(h.start) == firstClause && segs[s] {
			bySeg[s] = append(bySeg[s], h)
		} else {
			common = append(common, h)
		}
	}
	var out [][]hit
	for _, s := range order {
		out = append(out, append(append([]hit(nil), common...), bySeg[s]...))
	}
	return out
}

func benefitName(u *unit) string {
	amt := u.amount
	if runeLen(amt) > 40 {
		amt = string([]rune(amt)[:40]) + "…"
	}
	if u.heading != "" && u.heading != amt {
		return u.heading + "（" + amt + "）"
	}
	return amt
}

// simplify flattens the conditions into one conjunction, drops repeated
// conditions, and drops a bound another bound of the same conjunction
// implies (age gte 60 beside age gte 80).
func simplify(conds []corpus.Cond) corpus.Cond {
	var flat []corpus.Cond
	var add func(c corpus.Cond)
	add = func(c corpus.Cond) {
		if c.Kind() == corpus.NodeAll {
			for _, x := range c.All {
				add(x)
			}
			return
		}
		flat = append(flat, c)
	}
	for _, c := range conds {
		add(c)
	}
	seen := map[string]bool{}
	var out []corpus.Cond
	for _, c := range flat {
		k := treeKey(c)
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, c)
	}
	// Implied bounds, among the age atoms only (few, so this stays cheap).
	var ages []corpus.Cond
	for _, c := range out {
		if c.Kind() == corpus.NodeAtom && c.Field == "age" {
			ages = append(ages, c)
		}
	}
	var kept []corpus.Cond
	ai := 0
	for _, c := range out {
		if c.Kind() == corpus.NodeAtom && c.Field == "age" {
			implied := impliedBy(c, ages, ai)
			ai++
			if implied {
				continue
			}
		}
		kept = append(kept, c)
	}
	if len(kept) == 1 {
		return kept[0]
	}
	return corpus.All(kept...)
}

func treeKey(c corpus.Cond) string {
	if c.Kind() == corpus.NodeAtom {
		return atomKey(c)
	}
	var b strings.Builder
	switch c.Kind() {
	case corpus.NodeAll:
		b.WriteString("all(")
		for _, x := range c.All {
			b.WriteString(treeKey(x) + ";")
		}
	case corpus.NodeAny:
		b.WriteString("any(")
		for _, x := range c.Any {
			b.WriteString(treeKey(x) + ";")
		}
	case corpus.NodeNot:
		b.WriteString("not(" + treeKey(*c.Not))
	}
	b.WriteString(")")
	return b.String()
}

// impliedBy reports whether another atom of the conjunction is a tighter
// bound in the same direction on the same field and year.
func impliedBy(c corpus.Cond, all []corpus.Cond, self int) bool {
	v, ok := c.Value.Num()
	if !ok || c.Field != "age" {
		// Only age bands are folded (享受对象 80周岁以上 beside a 90-99周岁
		// band); other bounds are kept as written.
		return false
	}
	lower := c.Op == corpus.OpGte || c.Op == corpus.OpGt
	upper := c.Op == corpus.OpLte || c.Op == corpus.OpLt
	if !lower && !upper {
		return false
	}
	for j, d := range all {
		if j == self || d.Kind() != corpus.NodeAtom || d.Field != c.Field || !sameYear(c.Year, d.Year) {
			continue
		}
		w, ok := d.Value.Num()
		if !ok {
			continue
		}
		switch {
		case lower && (d.Op == corpus.OpGte || d.Op == corpus.OpGt):
			if w > v || (w == v && d.Op == corpus.OpGt && c.Op == corpus.OpGte) {
				return true
			}
		case upper && (d.Op == corpus.OpLte || d.Op == corpus.OpLt):
			if w < v || (w == v && d.Op == corpus.OpLt && c.Op == corpus.OpLte) {
				return true
			}
		}
	}
	return false
}

func sameYear(a, b *int) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

var (
	rateAmountRe = regexp.MustCompile(`(\d+(?:\.\d+)?)\s*%`)
	capRe        = regexp.MustCompile(`最高(?:不超过|不高于|可达|为)?\s*(\d+(?:\.\d+)?)\s*(亿元|万元|元)|(?:不超过|上限为?)\s*(\d+(?:\.\d+)?)\s*(亿元|万元|元)`)
	moneyRe      = regexp.MustCompile(`(\d+(?:\.\d+)?)\s*(亿元|万元|元)`)
	fractionRe   = regexp.MustCompile(`([一二三四五六七八九十])分之([一二三四五六七八九十])`)
)

// parseAmount reads the computable form of a grant: a rate with an
// optional cap (按30%给予补助，最高不超过5000万元), an amount per person,
// month or year, or a fixed sum. Nil when the grant states no amount.
func parseAmount(s string) *corpus.Amount {
	money := func(num, unit string) float64 {
		v, _ := strconv.ParseFloat(num, 64)
		switch unit {
		case "亿元":
			return v * 1e8
		case "万元":
			return v * 1e4
		}
		return v
	}
	capOf := func() float64 {
		if m := capRe.FindStringSubmatch(s); m != nil {
			if m[1] != "" {
				return money(m[1], m[2])
			}
			return money(m[3], m[4])
		}
		return 0
	}
	if m := fractionRe.FindStringSubmatch(s); m != nil {
		d, _ := parseNumber(m[1])
		n, _ := parseNumber(m[2])
		if d > 0 {
			return &corpus.Amount{Kind: corpus.AmountRate, Value: round6(n / d), Cap: capOf(), Text: s}
		}
	}
	if m := rateAmountRe.FindStringSubmatch(s); m != nil {
		v, _ := strconv.ParseFloat(m[1], 64)
		return &corpus.Amount{Kind: corpus.AmountRate, Value: round6(v / 100), Cap: capOf(), Text: s}
	}
	m := moneyRe.FindStringSubmatch(s)
	if m == nil {
		return nil
	}
	v := money(m[1], m[2])
	kind := corpus.AmountFixed
	switch {
	case strings.Contains(s, "每月") || strings.Contains(s, "每人每月") || strings.Contains(s, "/月"):
		kind = corpus.AmountPerMonth
	case strings.Contains(s, "每年") || strings.Contains(s, "/年"):
		kind = corpus.AmountPerYear
	case strings.Contains(s, "每人") || strings.Contains(s, "/人"):
		kind = corpus.AmountPerPerson
	}
	return &corpus.Amount{Kind: kind, Value: v, Text: s}
}

// atomKey is what makes two atoms the same condition (text aside).
func atomKey(a corpus.Cond) string {
	y := "-"
	if a.Year != nil {
		y = strconv.Itoa(*a.Year)
	}
	k := a.Field + "\x00" + string(a.Op) + "\x00" + a.Value.String() + "\x00" + y
	if a.Field == corpus.FieldUnparsed {
		k += "\x00" + a.Text // every unparsed clause is its own condition
	}
	return k
}

// maxTreeNodes keeps a benefit's tree inside corpus.MaxCondNodes with room
// for the nodes simplify adds.
const maxTreeNodes = corpus.MaxCondNodes - 16

// capConds keeps the conditions of one benefit within the size a stored
// tree may have; the clauses of the rest are listed as unread rather than
// dropped.
func capConds(conds []corpus.Cond, overflow []string) ([]corpus.Cond, []string) {
	n := 0
	for i, c := range conds {
		n += countNodes(c)
		if n > maxTreeNodes {
			for _, d := range conds[i:] {
				for _, a := range d.Atoms() {
					overflow = append(overflow, a.Text)
				}
			}
			return conds[:i], overflow
		}
	}
	return conds, overflow
}

func countNodes(c corpus.Cond) int {
	n := 0
	c.Walk(func(*corpus.Cond) bool { n++; return true })
	return n
}

// fitAudience turns an atom on a field of the other audience (an age in a
// text for enterprises) into an unparsed one: the benefit's subject has no
// such field, so a person must check the clause.
func fitAudience(c corpus.Cond, a corpus.Audience) corpus.Cond {
	if a != corpus.AudienceEnterprise && a != corpus.AudienceResident {
		return c
	}
	switch c.Kind() {
	case corpus.NodeAll:
		for i := range c.All {
			c.All[i] = fitAudience(c.All[i], a)
		}
	case corpus.NodeAny:
		for i := range c.Any {
			c.Any[i] = fitAudience(c.Any[i], a)
		}
	case corpus.NodeNot:
		n := fitAudience(*c.Not, a)
		c.Not = &n
	case corpus.NodeAtom:
		if f, ok := corpus.LookupField(c.Field); ok && f.Audience != corpus.AudienceBoth && f.Audience != a {
			return corpus.Unparsed(c.Text)
		}
		// 个体户经营者 in a text for residents: a person holds no firm's tag,
		// so whether they run one is for a person to check.
		if tag, ok := c.Value.Str(); ok && c.Field == "tags" && a == corpus.AudienceResident && slices.Contains(corpus.EnterpriseTags(), tag) {
			return corpus.Unparsed(c.Text)
		}
	}
	return c
}

// listedBeside reports whether name is an item of a 、/和/及/或 list in text.
func listedBeside(text, name string) bool {
	k := strings.Index(text, name)
	if k < 0 {
		return false
	}
	before := text[:k]
	after := text[k+len(name):]
	for _, sep := range []string{"、", "和", "及", "或"} {
		if strings.HasSuffix(before, sep) || strings.HasPrefix(after, sep) {
			return true
		}
	}
	return false
}

// sameSentenceRun reports two units read from one line of a block.
func sameSentenceRun(a, b *unit) bool {
	return a.blk == b.blk && a.line == b.line
}
