package extract

import (
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/zhida/zhida/corpus"
)

var (
	// amountRe is a quantity a benefit is paid in.
	amountRe = regexp.MustCompile(`\d+(?:\.\d+)?\s*(?:亿元|万元|元|万|亿)|\d+(?:\.\d+)?\s*%|[一二三四五六七八九十]分之[一二三四五六七八九十]`)
	// durationRe is a benefit measured in time (补贴期限最长不超过3年).
	durationRe = regexp.MustCompile(`(?:期限|延长)[^，。；]{0,14}?(?:\d+|[一二三四五六七八九十])\s*(?:年|个月)|延长至退休|享受[^，。；]{0,6}(?:到达|达到|至)法定退休年龄|享受(?:\d+|[一二三四五六七八九十])\s*(?:年|个月)[^，。；]{0,6}(?:补贴|补助|津贴)`)
	grantRe    = regexp.MustCompile(`减按|减半征收|支持比例|支持金额|资金支持|每人每月|每人每年|每人每次|每月|每人\d|给予|奖励|返还|资助|补助|补贴|津贴|减征|减免|免收|免除|免征|免费|贴息|提至|提高至|提高到|可使用|发放|扣减|延长|奖补|一次性`)
	freeRe     = regexp.MustCompile(`出资帮助|出资为|代为缴纳|代缴|免收|免除|免征|(?:可|均可|予以|实行|给予)免费|免费(?:乘坐|入园|入读|入学|体检|参观|游览|发放|提供|享受|办理|培训|接种)|参照实施|参照执行|减免(?:[^税额]|$)|减免税(?:[^额限]|$)|免予|免于`)
	notGrantRe = regexp.MustCompile(`不得|不再|不能|限额为|不享受|不予|不超过同一`)

	applyFreeRe = regexp.MustCompile(`免申即享|免申请|免于申请|免予申请|无需申请|无须申请|不需申请|不需要申请|不用申请|无需申报|无须申报|免于申报|免予申报|免申报|直接兑付|直接拨付到|主动发放|主动兑付|取消[^，。；]{0,8}申请环节|无感兑现|发放到[^，。；]{0,10}手中|统一[^，。；]{0,6}补办`)

	skipRe = regexp.MustCompile(`叠加享受|不得重复|不重复(?:享受|支持|申报|申请)|不重复享受|不可叠加|就高不就低|只能选择|(?:共|已|累计|其中)获得|累计|共计|已发放|已兑现|\d+家|重点支持|优先支持|予以倾斜|给予倾斜|特制定|制定本|通知如下|明确如下|现印发|遵照执行|请径向|联系人|联系电话|数据显示|统计|预计|惠及|记者|划分标准|划型标准|参照制定|实施受理期限|原标题|执行期限|有效期(?:至|为|自|从)|(?:计算|换算|折算)公式|计税依据|^(?:信息|文章)?来源[：:]|按[^，。；]{0,4}(?:换算|折算|计算)[^，。；]{0,8}(?:限额|金额|额度|标准)`)
	procRe = regexp.MustCompile(`提交申请|提出申请|申请材料|申报材料|审核|审批|公示|受理|报送|上报|进行确认|工作日内|申请流程|申报流程|一同申报|申报时间`)
	// defRe is a definition: 本办法所称X，是指… / X是指…
	defRe = regexp.MustCompile(`^(?:本(?:办法|公告|通知|细则|方案|政策|条例|意见|规定|措施)所称)?([^，。；：]{2,20}?)[，,]?(?:是指|系指|包括|指的是)`)
	// namedRe is an item that names a class of subjects defined below it.
	namedRe = regexp.MustCompile(`^[^，。；]{0,10}(?:类|档)[^，。；]{0,8}(?:对象|人员|企业)?$`)
)

// unit is one clause run that grants something: the clauses since the last
// grant in its sentence, ending with the grant.
type unit struct {
	text   string // the clauses of the unit
	amount string // the grant clause
	hits   []hit
	// inherit: the unit begins with 其中 and narrows the unit before it.
	inherit  bool
	sentence int    // for entitlements: the sentence it came from
	line     int    // the line it was read from (counted over the text)
	section  *block // the top-level block it sits in
	blk      *block // the block it sits in
	heading  string
}

// condSource is a condition tree with where it came from.
type condSource struct {
	cond    corpus.Cond
	section *block
	// sentence numbers the sentence it came from, so that a sentence later
	// read as an entitlement is not also shared.
	sentence int
	blk      *block // the block it sits in
	// scoped holds the alternatives of a line that gives each kind of
	// project its own threshold; cond is then any of them.
	scoped []scopedCond
}

// scopedCond is a condition that holds for some kinds of project only.
type scopedCond struct {
	kinds []string
	cond  corpus.Cond
}

type collector struct {
	ctx      *docContext
	units    []*unit
	shared   []condSource
	named    map[string][]corpus.Cond // named classes and definitions
	namedSec map[string]*block
	// entUnits are grants of a service with no amount; sentenceNo counts
	// sentences read.
	entUnits   []*unit
	sentenceNo int
	// lineNo counts the lines read, so that units can tell they share one.
	lineNo int
	// listItem is set while reading an item of a list of conditions.
	listItem bool
	// namedCond marks names defined inside a list of conditions: they hold
	// even when no grant names them.
	namedCond map[string]bool
	// labels are the item titles used in parallel sections (parallel.go).
	labels map[string]bool
	// expansions are the groups a measure widened its subsidy to.
	expansions map[*block][]string
	// respItems holds the item of each sentence written out of a 分别 list
	// (respective.go), keyed by the sentence.
	respItems map[string]string
	// lastSubj is the kind of subject the last grant of block lastSubjBlk
	// named, for a grant that leaves it out (siblings.go).
	lastSubj    []hit
	lastSubjBlk *block
	// grantLists are the blocks whose numbered items list grants
	// (itemlist.go).
	grantLists map[*block]bool
	// curLine is the line being read, for rules that look past the
	// sentence (grantclause.go).
	curLine string
	// grantLine is the line of the last grant read, droppedLine that line
	// when the grant was not the audience's (thirdparty.go).
	grantLine, droppedLine int
}

// buildBenefits walks the block tree, collecting grants (units), the
// conditions around them and named classes, and assembles one benefit per
// distinct condition set.
func buildBenefits(root *block, ctx *docContext) ([]Benefit, []string) {
	col := &collector{ctx: ctx, named: map[string][]corpus.Cond{}, namedSec: map[string]*block{}, namedCond: map[string]bool{}, labels: parallelLabels(root), expansions: map[*block][]string{}, grantLists: grantLists(root)}
	skipTitle(root)
	for _, b := range append([]*block{root}, root.children...) {
		top := b
		if b == root {
			// Root's own lines only; children are walked as top blocks.
			col.walkLines(root, root, false)
			continue
		}
		col.walk(b, top, false, false)
	}
	return col.assemble()
}

// skipTitle drops the document's title line and the header lines around it
// from the root's own content: they name the policy, they are not clauses.
func skipTitle(root *block) {
	var kept []string
	for i, l := range root.lines {
		if i == 0 && !strings.ContainsAny(strings.TrimRight(l, "。"), "，；。") {
			continue
		}
		if metaLineRe.MatchString(l) {
			continue
		}
		kept = append(kept, l)
	}
	root.lines = kept
}

var metaLineRe = regexp.MustCompile(`^(?:发布日期|发表时间|发布时间|信息来源|来源|索引号|文号|成文日期|\d{4}-\d{2}-\d{2}|\d{4}年\s*\d{1,2}月\s*\d{1,2}\s*日$)|^[^，。；]{0,12}〔\d{4}〕\d+\s*号$`)

// walk visits a block and its children. inGroup is true inside a list
// introduced by 符合以下条件/情形; parentAny when that list says 之一.
func (c *collector) walk(b, top *block, inGroup, parentAny bool) {
	if b.measure {
		top = b // a measure item is a section of its own
	}
	if b.kind == kindProcedure || b.kind == kindMeta {
		return
	}
	// A section for the other audience (小微企业借款人申请条件 in a text for
	// residents) grants nothing to this one.
	if b.heading && otherAudience(b.head, c.ctx.audience) && !topicHeadingRe.MatchString(b.head) {
		return
	}
	// A named class (（一）第一类资助对象): its conditions are kept under its
	// name for the grants that name it.
	if b.heading && namedRe.MatchString(b.head) && len(b.children)+len(b.lines) > 0 {
		sub := &collector{ctx: c.ctx, named: c.named, namedSec: c.namedSec, namedCond: c.namedCond, labels: c.labels, expansions: c.expansions}
		sub.body(b, top, true, parentAny)
		var conds []corpus.Cond
		for _, s := range sub.shared {
			conds = append(conds, s.cond)
		}
		if len(sub.units) == 0 && len(conds) > 0 {
			name := strings.TrimRight(b.head, "。：:")
			c.named[name] = []corpus.Cond{conj(conds)}
			c.namedSec[name] = top
			c.namedCond[name] = true
			return
		}
		c.units = append(c.units, sub.units...)
		c.shared = append(c.shared, sub.shared...)
		return
	}
	c.body(b, top, inGroup, parentAny)
}

// body reads a block's own lines, then its children; the children of a
// list that says 之一 are alternatives.
func (c *collector) body(b, top *block, inGroup, parentAny bool) {
	c.walkLines(b, top, inGroup)
	own := strings.Join(b.lines, "") + b.head
	childGroup := inGroup || introRe.MatchString(own)
	if introRe.MatchString(own) {
		peopleItems(b) // a short last item (（二）无不良信用记录。) is an item, not a title
	}
	ownAny := anyIntroRe.MatchString(own)
	if peopleList(b) {
		ownAny = true // one group or another
		peopleItems(b)
		c.readPeopleHead(b, top)
	}
	anyMode := ownAny || (parentAny && !introRe.MatchString(own))
	before := len(c.shared)
	for _, ch := range b.children {
		c.walk(ch, top, childGroup, ownAny)
	}
	if len(c.shared)-before > 1 && anyMode {
		var alts []corpus.Cond
		for _, s := range c.shared[before:] {
			alts = append(alts, s.cond)
		}
		c.shared = append(c.shared[:before], condSource{cond: corpus.Any(alts...), section: top, blk: b})
	}
	c.shared = refusedCases(own, c.shared, before) // exclusion.go
}

var (
	introRe    = regexp.MustCompile(`条件|情形|以下|下列|如下|` + moreListIntros)
	anyIntroRe = regexp.MustCompile(`之一|任一|任何一|其中一|` + moreAnyIntros)
)

// walkLines reads the block's own lines.
func (c *collector) walkLines(b, top *block, inGroup bool) {
	if b.kind == kindProcedure || b.kind == kindMeta {
		return
	}
	condCtx := inGroup || b.kind == kindCondition || c.residentScope(b) || b.kind != kindAmount && labelOf(b, c.labels) != ""
	c.listItem = inGroup && b.level >= levelOne
	defer func() { c.listItem = false }()
	for _, line := range b.lines {
		c.lineNo++
		if metaLineRe.MatchString(line) {
			continue // 来源：…, 发布时间：… below the text
		}
		if c.respItems == nil {
			c.respItems = map[string]string{}
		}
		line = splitRespective(line, c.respItems) // 分别给予A、B: one grant per pair (respective.go)
		c.curLine = line
		before := len(c.shared)
		if cond, ok := c.exclusionList(line); ok {
			c.shared = append(c.shared, condSource{cond: cond, section: top, blk: b})
			continue
		}
		if sc := c.scopedThresholds(line); len(sc) > 1 {
			var alts []corpus.Cond
			for _, x := range sc {
				alts = append(alts, x.cond)
			}
			c.shared = append(c.shared, condSource{cond: corpus.Any(alts...), section: top, blk: b, scoped: sc})
			continue
		}
		unitsBefore := len(c.units)
		for _, s := range splitKeep(line, "。；！？") {
			for _, chunk := range chunks(s) {
				c.sentence(chunk, b, top, condCtx)
			}
		}
		// Grants of one line set apart by their subjects (siblings.go).
		keepSiblingSubjects(c.units[unitsBefore:], c.named)
		shareLineLeadIn(c.units[unitsBefore:])
		c.shared = append(c.shared[:before], partitionAlternatives(c.shared[before:])...)
		c.shared = append(c.shared[:before], fallbackAlternatives(c.shared[before:])...)
	}
}

// projectScopeRe opens a clause that names the kinds of project it is for
// (生鲜超市、便利店、药店项目申报单位…, 早餐及餐饮类项目…).
var projectScopeRe = regexp.MustCompile(`^([^，。；：]{2,60}?)(?:类)?项目(?:的)?(?:申报单位|申报主体|申报企业|申请单位|实施单位|单位|企业)?`)

// scopedThresholds reads a line whose clauses each give some kinds of
// project their own threshold (…超市项目申报单位年营业收入应在500万元以上；
// 早餐及餐饮项目申报单位年营业收入应在200万元以上): the thresholds are
// alternatives by kind of project, not all required. Nil unless at least two
// clauses have that shape and each yields a condition.
func (c *collector) scopedThresholds(line string) []scopedCond {
	if strings.Count(line, "项目") < 2 {
		return nil
	}
	var out []scopedCond
	for _, part := range splitKeep(line, "；。") {
		p := strings.TrimSpace(part)
		m := projectScopeRe.FindStringSubmatch(p)
		if m == nil {
			continue
		}
		hasNum := false
		for _, t := range readThresholds(p) {
			hasNum = hasNum || t.field != ""
		}
		if !hasNum {
			continue
		}
		cond, ok := c.clauseTree(p, true)
		if !ok {
			continue
		}
		out = append(out, scopedCond{kinds: projectKinds(m[1]), cond: cond})
	}
	if len(out) < 2 {
		return nil
	}
	return out
}

// projectKinds splits a list of kinds of project into names of two runes
// or more: 生鲜超市、便利店（社区超市）及药店 → 生鲜超市, 便利店, 社区超市, 药店.
func projectKinds(list string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(list, func(r rune) bool { return strings.ContainsRune("、，,及和与或（）等", r) }) {
		f = strings.TrimSpace(f)
		if runeLen(f) >= 2 {
			out = append(out, f)
		}
	}
	return out
}

// exclusionRe is the lead-in of a list of cases that are refused (有下列
// 情形的不予支持：…；…).
var exclusionRe = regexp.MustCompile(`^[^，。；：]{0,12}(?:下列|以下|如下)情形(?:之一)?的?[，]?(?:均|一律)?(?:不予|不得|不能|不再)(?:支持|申报|享受|受理|资助|补贴|奖励)[^，。；：]{0,6}[：]`)

// blacklistRe is being on a list of dishonest subjects (纳入…“黑名单”,
// 列入严重失信主体名单): dishonest is true.
var blacklistRe = regexp.MustCompile(`(?:列入|纳入)[^，。；]{0,16}(?:黑名单|失信)`)

// exclusionList reads a line that lists refused cases as not(any(cases)):
// a subject is refused when any case holds. Each case is one alternative,
// read by the rules or kept unparsed; ok is false for other lines.
func (c *collector) exclusionList(line string) (corpus.Cond, bool) {
	m := exclusionRe.FindStringIndex(line)
	if m == nil {
		return corpus.Cond{}, false
	}
	var alts []corpus.Cond
	var items []string
	for _, item := range splitKeep(line[m[1]:], "；。") {
		items = append(items, chunks(item)...) // bounded pieces keep the reader linear
	}
	for _, item := range items {
		t := trimPunct(item)
		if t == "" {
			continue
		}
		if k := blacklistRe.FindStringIndex(t); k != nil {
			alts = append(alts, corpus.Atom("dishonest", corpus.OpEq, corpus.Bool(true), t))
			continue
		}
		hits := sentenceHits(t, c.ctx)
		if len(hits) == 0 {
			alts = append(alts, corpus.Unparsed(t))
			continue
		}
		alts = append(alts, treeOf(t, hits))
	}
	if len(alts) == 0 {
		return corpus.Cond{}, false
	}
	if len(alts) == 1 {
		return corpus.Not(alts[0]), true
	}
	return corpus.Not(corpus.Any(alts...)), true
}

// sentence reads one sentence into units, shared conditions or a
// definition.
func (c *collector) sentence(s string, b, top *block, condCtx bool) {
	if skipRe.MatchString(maskStatsEntry(s)) {
		s = skippedTail(s)
	}
	if s == "" || skipRe.MatchString(maskStatsEntry(s)) || isDuty(s) || citationRe.MatchString(s) || nonConditionSentence(s) || notEligibility(s, c.ctx.audience, condCtx) {
		return
	}
	if b.kind == kindScope && !c.residentScope(b) {
		// A card's 服务对象 line names the kind of subject in open lists; only
		// a registration place counts.
		for _, h := range placeAtoms(s, c.ctx) {
			c.shared = append(c.shared, condSource{cond: h.cond, section: top, blk: b})
		}
		return
	}
	c.sentenceNo++
	condCtx = condCtx || peopleListIntro(s) // …的下列人员： states who is covered
	if c.ctx.audience == corpus.AudienceResident && operatorGrantRe.MatchString(s) {
		return // paid to the provider that serves residents, not to them
	}
	units := c.findUnits(s, top, b)
	if item := c.respItems[respKey(s)]; item != "" {
		keepRespectiveItem(units, item)
	}
	c.carrySubjects(units, b)
	if m := measureOf(b); m != nil {
		if g := expansionSubjects(s); g != nil && len(units) == 0 && c.expansions != nil {
			c.expansions[m] = g
			return // who the measure now reaches, read with its grant
		}
		if g := c.expansions[m]; g != nil && len(units) > 0 {
			units = c.expandUnits(units, g)
		}
	}
	if len(units) == 0 && procRe.MatchString(s) && !certifiedStatus(s) {
		return
	}
	if len(units) == 0 && !condCtx && !defRe.MatchString(s) {
		// Services granted without an amount (可申报…幼教班, 优先满足…入园需求)
		// count only when the text grants nothing measurable.
		for _, u := range c.findEntitlements(s, top, b) {
			u.sentence = c.sentenceNo
			c.entUnits = append(c.entUnits, u)
		}
	}
	if m := defRe.FindStringSubmatch(s); m != nil && len(units) == 0 {
		name := strings.TrimSpace(m[1])
		body := s[len(m[0]):]
		if cond, ok := c.clauseTree(body, true); ok {
			if extra, more := definitionRest(name, body, cond); more {
				cond = corpus.All(cond, extra)
			}
			c.named[name] = append(c.named[name], cond)
			c.namedSec[name] = top
			// 服务对象/资助对象 definitions scope the whole text.
			c.namedCond[name] = c.namedCond[name] || condCtx || scopeNameRe.MatchString(name)
		}
		return
	}
	if len(units) > 0 {
		for _, u := range units {
			if !personGrant(u.text, c.ctx.audience) && !firmGrant(u.text, c.ctx.audience) && !othersGrant(u.text, u.amount, c.ctx.audience) && !firmHeadedGrant(u.text, u.amount, c.ctx.audience) && !c.capAfterGrant(u) {
				c.units = append(c.units, u)
				c.grantLine, c.droppedLine = u.line, 0
			} else {
				c.grantLine, c.droppedLine = u.line, u.line
			}
		}
		// Clauses before the first unit that carry conditions of their own
		// are already part of it; nothing is shared from a grant sentence.
		return
	}
	if !condCtx && !condCueRe.MatchString(cueText(s)) {
		// Outside a list of conditions only a sentence that states who
		// qualifies counts (not 办理范围为…, 仍可使用原凭证).
		return
	}
	if purposeRe.MatchString(s) {
		return // 为贯彻落实…，不断提升…: why the text was written
	}
	if cond, ok := c.groupClauses(s, b); ok {
		c.shared = append(c.shared, condSource{cond: cond, section: top, sentence: c.sentenceNo, blk: b})
		return
	}
	if cond, ok := c.clauseTree(s, condCtx); ok {
		c.shared = append(c.shared, condSource{cond: cond, section: top, sentence: c.sentenceNo, blk: b})
	} else if cond, ok := peopleIntroCond(s, c.ctx); ok {
		c.shared = append(c.shared, condSource{cond: cond, section: top, sentence: c.sentenceNo, blk: b})
	}
}

// citationRe is a line that only cites a document (《…的公告》（…2022年第10号）):
// the basis of a policy grants nothing and sets no condition.
var citationRe = regexp.MustCompile(`^《[^》]*》(?:[、和及]《[^》]*》)*(?:（[^）]*）)?[。；，]?$`)

// residentScope reports a 服务对象 field in a text for residents: a service
// guide's 服务对象 names the groups of people served (就业困难人员、享受低保…),
// which are conditions, unlike an enterprise card's open list of firm types.
func (c *collector) residentScope(b *block) bool {
	return b.kind == kindScope && c.ctx.audience == corpus.AudienceResident
}

// entitlementRe is a clause granting a service or a right with no amount.
var entitlementRe = regexp.MustCompile(`可申报|可以申报|可申请|可以申请|可享受|可以享受|均可享受|优先(?:满足|安排|录取|入园|入学|保障|享受|办理)|可入读|可报名|可优先|纳入[^，。；]{0,10}(?:覆盖范围|保障范围|救助范围)`)

// findEntitlements splits a sentence at its entitlement clauses.
func (c *collector) findEntitlements(s string, top, b *block) []*unit {
	clauses := splitKeep(s, "，：")
	var out []*unit
	start := 0
	for i, cl := range clauses {
		if !entitlementRe.MatchString(cl) || notGrantRe.MatchString(cl) {
			continue
		}
		text := strings.Join(clauses[start:i+1], "")
		u := &unit{text: text, amount: trimPunct(cl), section: top, blk: b, heading: headingOf(b)}
		u.hits = sentenceHits(text, c.ctx)
		u.hits = append(u.hits, c.subjectLeftovers(text, u.hits)...)
		out = append(out, u)
		start = i + 1
	}
	return out
}

// dutyRe is a sentence that tells an office or provider what to do (供养服务
// 机构应当健全…, 各区民政部门要…): a duty, not a condition on the subject.
var dutyRe = regexp.MustCompile(`^[^，。；]{0,16}(?:机构|部门|政府|街道|街道办事处|镇|委员会|中心|单位|经办银行|服务商|平台)[^，。；]{0,4}(?:应当|应|要|须|负责)`)

// applicantRe opens a sentence whose 单位 is the one applying (申报单位须在
// 本市注册): its 须/应 are requirements on the applicant, not a duty.
var applicantRe = regexp.MustCompile(`^(?:对|凡)?(?:项目)?(?:申报|申请|参保|用人|项目|受资助|获奖)(?:单位|主体|机构)`)

// isDuty reports a sentence that tells an office or provider what to do.
func isDuty(s string) bool {
	return dutyRe.MatchString(s) && !applicantRe.MatchString(s)
}

// condCueRe marks a sentence that states who qualifies: 凡…, 符合…,
// …的，(a conditional), 须/应当/需, 申请/享受, 对象.
var condCueRe = regexp.MustCompile(`凡|符合|(?:^|[^必])须|应当|需|条件|对象|申请|申报|(?:可|均可|可以|申请)享受|享受(?:对象|条件)|具有|具备|的，|满足|限于|适用于|是指`)

// operatorGrantRe is a grant to a service provider (运营补贴 to a canteen
// operator), which a text for residents does not give to them.
var operatorGrantRe = regexp.MustCompile(`运营补贴|建设补贴|床位补贴|运营资助|建设资助`)

// scopeNameRe is the name of what a text is about (服务对象, 老年人助餐配餐
// 服务, 就餐补贴): its definition scopes every benefit of the text.
var scopeNameRe = regexp.MustCompile(`对象|服务$|补贴$|资助$|津贴$|救助$`)

// leadInRe is a sentence that introduces a list of conditions; the kind of
// subject it names (中小微企业在领取创新券时，须同时满足以下条件：) is the
// audience of the list, which the list itself defines.
var leadInRe = regexp.MustCompile(`(?:以下|下列|如下)(?:所有|全部|基本|主要)?(?:条件|情形|要求)[^，。；]{0,6}[：:]?$`)

// discretionRe is a clause leaving a measure to a lower level's discretion.
var discretionRe = regexp.MustCompile(`可根据实际情况|可视情况|可结合实际|可根据本地(?:区)?实际`)

// findUnits splits a sentence at its grant clauses.
func (c *collector) findUnits(s string, top, b *block) []*unit {
	clauses := splitGrantList(joinTierList(joinSplitGrants(splitKeep(s, "，：")))) // tiers.go, siblings.go
	var out []*unit
	start := 0
	firstGrant := -1
	for i, cl := range clauses {
		if discretionRe.MatchString(cl) && !amountRe.MatchString(cl) {
			// 各地可根据实际情况给予…支持: what a lower level may do grants
			// nothing; the next grant's subject starts after it.
			start = i + 1
			continue
		}
		// Under 补贴标准/支持标准 a bare amount (10000元) is the grant.
		bare := b.kind == kindAmount && moneyOrRateRe.MatchString(cl) && !notGrantRe.MatchString(cl) && !capWordRe.MatchString(cl) && !boundClauseRe.MatchString(cl)
		bare = bare || structuralGrant(cl, b, i == 0) || isTierList(cl) || leadBareAmount(c.curLine, cl)
		bare = bare && !subjectPays(cl) // 个人缴费标准为每人413元 is a fee, even under 标准
		if !isGrant(cl) && !bare {
			continue
		}
		text := strings.Join(clauses[start:i+1], "")
		amount := trimPunct(cl)
		if firstGrant < 0 {
			firstGrant = i
		}
		// A cap in the next clause belongs to the amount (最高不超过5000万元).
		if i+1 < len(clauses) && capStartRe.MatchString(clauses[i+1]) {
			amount += "，" + trimPunct(clauses[i+1])
		}
		u := &unit{text: text, amount: amount, section: top, blk: b, heading: headingOf(b), line: c.lineNo}
		u.inherit = strings.HasPrefix(text, "其中") || strings.Contains(text, "对其中")
		u.hits = sentenceHits(text, c.ctx)
		u.hits = append(u.hits, c.subjectLeftovers(text, u.hits)...)
		u.hits = append(u.hits, unreadSubjects(text, u.hits)...)
		u.hits = append(u.hits, asideRequirements(text)...)
		u.hits = append(u.hits, qualifierLeftovers(text, u.hits, measureOf(b) != nil)...)
		if cond := conditionalLeftovers(text, u.hits); cond != nil {
			u.hits = append(u.hits, cond...)
			// 合伙创业的，…: a case of the grant before it, whose subject
			// it keeps when it names none of its own.
			u.inherit = u.inherit || continuesSubject(cond[0].cond.Text) && c.lastUnitIn(out, b)
		}
		if bands := degreeBands(u); len(bands) > 1 {
			out = append(out, bands...)
		} else if tiers := tierBands(u, c.named); len(tiers) > 1 {
			out = append(out, tiers...)
		} else {
			out = append(out, u)
		}
		start = i + 1
	}
	if start < len(clauses) {
		// 对…的企业也进行奖励: a grant named without an amount after the
		// last one with an amount (namedgrant.go).
		if u := c.namelessGrant(clauses[start:], top, b); u != nil {
			out = append(out, u)
		}
	}
	keepSiblingSubjects(out, c.named)
	shareLeadIn(out, clauses, firstGrant)
	// Clauses after the last grant start another thought (60周岁至80周岁
	//老年人自费购买); they are not read as its conditions, unless they
	// state what its recipient must meet (tail.go).
	if len(out) > 0 {
		c.trailingRequirements(out[len(out)-1], clauses[start:])
	}
	return out
}

// degreeBandRe is one amount band of a grant paid by degree (博士每人10000元,
// 硕士研究生每人7000元, 其他每人5000元).
var degreeBandRe = regexp.MustCompile(`(博士研究生|硕士研究生|博士|硕士|研究生|本科|大专|专科|其他(?:人员)?)(?:学历)?(?:毕业生)?每人(?:每月|每年)?\d+(?:\.\d+)?\s*(?:元|万元)`)

// degreeBands splits a grant whose amount comes in bands by degree (按博士
// 每人10000元、硕士每人7000元、其他每人5000元给予补贴) into one unit per band,
// each with its degree as a condition: one benefit per amount band. 其他 is
// the rest of the degrees the grant's own degree condition allows; without
// one it gets no band. Nil when the amount is not written that way.
func degreeBands(u *unit) []*unit {
	ms := degreeBandRe.FindAllStringSubmatchIndex(u.amount, -1)
	if len(ms) < 2 {
		return nil
	}
	var allowed []string
	for _, h := range u.hits {
		if h.cond.Kind() == corpus.NodeAtom && h.cond.Field == "degree" && h.cond.Op == corpus.OpIn {
			allowed = nil
			for _, it := range h.cond.Value.Items() {
				if d, ok := it.Str(); ok {
					allowed = append(allowed, d)
				}
			}
		}
	}
	named := map[string]bool{}
	for _, m := range ms {
		if v, ok := degreeValue(u.amount[m[2]:m[3]], false); ok {
			d, _ := v.v.Str()
			named[d] = true
		}
	}
	var out []*unit
	for _, m := range ms {
		word, band := u.amount[m[2]:m[3]], u.amount[m[0]:m[1]]
		var c corpus.Cond
		if strings.HasPrefix(word, "其他") {
			var rest []string
			for _, d := range allowed {
				if !named[d] {
					rest = append(rest, d)
				}
			}
			if len(rest) == 0 {
				continue
			}
			c = corpus.Atom("degree", corpus.OpIn, corpus.Strings(rest...), band)
		} else {
			v, ok := degreeValue(word, false)
			if !ok {
				continue
			}
			c = corpus.Atom("degree", v.op, v.v, band)
		}
		b := *u
		b.amount = band
		b.hits = append(append([]hit(nil), u.hits...), hit{cond: c, start: len(u.text)})
		out = append(out, &b)
	}
	return out
}

func headingOf(b *block) string {
	for x := b; x != nil; x = x.parent {
		if t := measureTitle(x); t != "" {
			return t
		}
		if x.heading && x.kind != kindAmount && x.kind != kindCondition {
			return x.head
		}
		if x.heading && x.level <= levelOne {
			return x.head
		}
	}
	return ""
}

func isGrant(clause string) bool {
	if notGrantRe.MatchString(clause) || subjectPays(clause) {
		return false
	}
	// 免予申报 / 无需申请 say how a grant is paid, not that something is free.
	clause = applyFreeRe.ReplaceAllString(clause, "")
	if freeRe.MatchString(clause) {
		return true
	}
	return (amountRe.MatchString(clause) || durationRe.MatchString(clause)) && grantRe.MatchString(clause)
}

// payRe is what the subject itself pays (个人缴费标准为每人413元, 收费标准):
// a fee, not a grant.
var payRe = regexp.MustCompile(`个人缴费|个人缴纳|个人负担|个人自付|缴费标准|缴费金额|缴纳标准|缴存标准|收费标准|自付`)

// payGrantRe is a grant word that makes a clause about a fee a grant after
// all (按个人缴费的2/3给予补贴, 个人缴费部分予以返还).
var payGrantRe = regexp.MustCompile(`给予|发放|补贴|补助|奖励|资助|返还|减免|免收|免缴|免费|报销|代缴`)

// subjectPays reports a clause whose amount the subject pays, with no
// grant word.
func subjectPays(clause string) bool {
	return payRe.MatchString(clause) && !payGrantRe.MatchString(clause)
}

// predicateRe marks a clause that states a requirement (so an unread one is
// kept as unparsed rather than ignored).
var predicateRe = regexp.MustCompile(`\d+(?:\.\d+)?\s*(?:万元|亿元|元|%|人|个月|年)(?:（含）)?(?:以上|以下|以内)|复审|具有|具备|符合|无|未|没有|须|需|应|健全|规范|从事|属于|获得|取得|通过|坚持|持有|满足|参加|缴纳|签订|拥有|开展|纳入|入驻|实现|条件|不高于|不低于|不超过|低于|高于|首次|重新|新迁入|上规模|期满|园区|其他|失能|经济困难|纯老|劳动模范|优抚|残疾|挂牌|期货|刑满|农民|返乡|网络商户|院校毕业生|贫困|孤寡|` + moreConditionWords)

// leadWordsRe is the lead-in of a list of conditions; what follows it in
// the same sentence still qualifies the subject.
var leadWordsRe = regexp.MustCompile(`(?:以下|下列)(?:所有|全部)?(?:\d+|[一二三四五六七八九十两])?(?:个|项)?(?:条件|情形)(?:之一)?|符合条件`)

// fillerRe marks clauses that only lead into a list or state the outcome.
var fillerRe = regexp.MustCompile(`^自[^，。；]{0,24}起$|为限$|限额为|适当提高|最高不超过|免费|自行购票|自行承担|有关规定|需要确定|实际情况|^由|相关规定|^(?:应当|应|要|并)(?:同时)?(?:在|引导|做好|加强|及时|按|按照|根据|以|进行|健全|建立|落实)|可申请|可以申请|可申报|均可|申请享受|可享受|(?:以下|下列)(?:所有|全部|基本|主要)?(?:\d+|[一二三四五六七八九十两])?(?:个|项)?(?:基本)?(?:条件|情形)|如下|符合条件的|相关条件|按规定|参照执行|可按|予以|按照`)

// leftovers returns unparsed atoms for clauses of s that state a
// requirement but produced no condition. whole: s sits in a list of
// conditions, so a sentence with no condition at all is kept whole.
func (c *collector) leftovers(s string, hits []hit, whole bool) []hit {
	return c.leftoversIn(s, hits, whole, false)
}

// leftoversIn is leftovers; listItem says s is an item of a list of
// conditions (符合以下条件：1.… 2.…), where every item is a requirement.
func (c *collector) leftoversIn(s string, hits []hit, whole, listItem bool) []hit {
	if whole && len(hits) == 0 {
		t := trimPunct(s)
		if m := leadWordsRe.FindStringIndex(t); m != nil {
			// 符合以下条件之一的经济困难且失能的老年人：the words after the
			// lead-in still qualify the subject, one requirement per 且.
			rest := t[m[1]:]
			if k := strings.Index(rest, "的"); k >= 0 && k < 12 {
				rest = rest[k+len("的"):]
			}
			var out []hit
			for _, part := range strings.Split(rest, "且") {
				p := trimPunct(part)
				if p != "" && !fillerRe.MatchString(p) && predicateRe.MatchString(p) {
					out = append(out, hit{cond: corpus.Unparsed(p), start: 0})
				}
			}
			return out
		}
		// 经营状况良好，财务制度健全: each clause is a requirement of its own,
		// checked on its own. Split only when every clause reads as one
		// (not 经评审，项目…, whose first clause leads into the second).
		var out []hit
		clauses := splitKeep(t, "，")
		pos := 0
		for _, cl := range clauses {
			p := strings.TrimLeft(trimPunct(cl), "且并")
			start := pos
			pos += len(cl)
			if runeLen(p) >= 5 && !fillerRe.MatchString(p) && (predicateRe.MatchString(p) || listItem) {
				out = append(out, hit{cond: corpus.Unparsed(p), start: start})
			}
		}
		if fillerRe.MatchString(t) {
			// 足额缴纳…满1年以上，如有欠费的，补缴…后可以申请: a filler
			// clause does not make the requirement beside it filler too.
			if len(out) > 0 && len(clauses) > 1 && !fillerRe.MatchString(out[0].cond.Text) && permitRe.MatchString(clauses[len(clauses)-1]) && !fillerRe.MatchString(strings.Join(clauses[:len(clauses)-1], "")) {
				return []hit{{cond: corpus.Unparsed(t), start: 0}}
			}
			return nil
		}
		if len(out) > 1 && len(out) == len(clauses) {
			return out
		}
		if t != "" && (predicateRe.MatchString(t) || listItem && runeLen(t) >= 4) {
			return []hit{{cond: corpus.Unparsed(t), start: 0}}
		}
		return nil
	}
	var out []hit
	pos := 0
	for _, cl := range splitKeep(s, "，；。") {
		clStart := strings.Index(s[pos:], cl)
		if clStart < 0 {
			clStart = 0
		}
		clStart += pos
		clEnd := clStart + len(cl)
		pos = clEnd
		for _, part := range splitParts(cl) {
			pStart := clStart + strings.Index(cl, part)
			pEnd := pStart + len(part)
			has := false
			readTo := pStart
			for _, h := range hits {
				if h.start >= pStart && h.start < pEnd {
					has = true
					if h.end == 0 {
						readTo = pEnd
					} else {
						readTo = max(readTo, h.end)
					}
				}
			}
			t := trimPunct(part)
			if has && pEnd-readTo >= 15 {
				// 参保企业足额缴纳失业保险费12个月以上: the words after the one
				// read still state a requirement.
				if rest := trimPunct(s[readTo:pEnd]); predicateRe.MatchString(rest) && !fillerRe.MatchString(rest) {
					out = append(out, hit{cond: corpus.Unparsed(rest), start: readTo})
				}
				continue
			}
			if has || t == "" || fillerRe.MatchString(t) || grantRe.MatchString(t) && amountRe.MatchString(t) {
				continue
			}
			if isDuty(t) {
				continue
			}
			if historyRe.MatchString(t) || (predicateRe.MatchString(t) && (len(hits) > 0 || whole)) {
				out = append(out, hit{cond: corpus.Unparsed(t), start: pStart})
			}
		}
	}
	return out
}

// permitRe is a closing clause that only permits applying (…后可以申请):
// the clauses before it are the requirements.
var permitRe = regexp.MustCompile(`(?:可以|可|均可|方可)(?:申请|申报|享受)[。；]?$`)

// unreadSubjects finds the kinds of firm a grant names that no tag stands
// for: in a list that starts with a tagged kind (湖北省上市公司、挂牌公司),
// and right after a place (湖北省期货公司). Each is kept as an unparsed
// subject, so that it gets a benefit of its own.
func unreadSubjects(text string, hits []hit) []hit {
	var out []hit
	covered := func(a, b int, placesToo bool) bool {
		for _, h := range hits {
			isPlace := h.cond.Kind() == corpus.NodeAtom && (h.cond.Field == "region" || h.cond.Field == "residence_region")
			if h.start >= a && h.start < b && (placesToo || !isPlace) {
				return true
			}
		}
		return false
	}
	pos := 0
	for _, cl := range splitKeep(text, "，；：") {
		k := strings.Index(text[pos:], cl)
		if k < 0 {
			continue
		}
		clStart := pos + k
		pos = clStart + len(cl)
		items := listItems(cl)
		// 对增值税小规模纳税人、小型微利企业和个体工商户减按…: kinds of subject
		// listed beside a tagged kind, wherever it stands in the list.
		added := map[int]bool{}
		if len(items) >= 2 {
			tagged := false
			for _, it := range items {
				a, b := clStart+it[0], clStart+it[1]
				for _, h := range hits {
					if h.subject && h.start >= a && h.start < b && kindNounRe.MatchString(strings.TrimPrefix(strings.TrimSpace(text[a:b]), "对")) {
						tagged = true
					}
				}
			}
			for _, it := range items {
				a, b := clStart+it[0], clStart+it[1]
				item := strings.TrimPrefix(strings.TrimSpace(text[a:b]), "对")
				m := kindNounRe.FindStringIndex(item)
				if tagged && m != nil && m[1] == len(item) && !covered(a, b, false) && !nonEntRe.MatchString(item) {
					added[a] = true
					out = append(out, hit{cond: corpus.Unparsed(item), start: a, subject: true, list: "unread"})
				}
			}
		}
		chain := false
		for _, it := range items {
			a, b := clStart+it[0], clStart+it[1]
			item := strings.TrimSpace(text[a:b])
			if chain {
				m := subjectNounRe.FindStringIndex(item)
				if m == nil || nonEntRe.MatchString(item) {
					break
				}
				if !covered(a, b, false) && !added[a] {
					out = append(out, hit{cond: corpus.Unparsed(item[:m[1]]), start: a, subject: true, list: "unread"})
				}
				chain = m[1] == len(item)
				continue
			}
			for _, h := range hits {
				if h.subject && h.start >= a && h.start < b && subjectEndRe.MatchString(item) {
					chain = true
				}
			}
		}
	}
	for _, m := range placeNounRe.FindAllStringSubmatchIndex(text, -1) {
		noun := text[m[2]:m[3]]
		if !covered(m[2], m[3], false) && !nonEntRe.MatchString(noun) && !tagWordRe.MatchString(noun) {
			out = append(out, hit{cond: corpus.Unparsed(noun), start: m[2], subject: true, list: "unread"})
		}
	}
	return out
}

var (
	subjectEndRe = regexp.MustCompile(`(?:公司|企业|个体工商户|组织)$`)
	placeNounRe  = regexp.MustCompile(`(?:省|市|区|县)([^，。；、的省市区县级内外]{2,6}?(?:公司|企业))`)
	tagWordRe    = regexp.MustCompile(`上市|高新技术|科技型|专精特新|龙头|外贸|瞪羚|技术先进型|规模以上|限额以上|小微|中小|大型|工业企业`)
)

// subjectNounRe is a short name of a kind of firm at the start of an item.
// kindNounRe is a whole list item naming a kind of firm (小型微利企业,
// 增值税小规模纳税人).
var kindNounRe = regexp.MustCompile(`^[^，。；、的]{0,10}?(?:企业|公司|纳税人|经济组织|个体工商户)`)

var subjectNounRe = regexp.MustCompile(`^[^，。；、的]{1,8}?(?:公司|企业)`)

var capWordRe = regexp.MustCompile(`不超过|最高|最多|上限|总额|累计|封顶`)

var moneyOrRateRe = regexp.MustCompile(`\d\s*(?:亿元|万元|元)|\d\s*%`)

var capStartRe = regexp.MustCompile(`^(?:最高|最多|上限|单个|每家|每户|每人|不超过)[^，。；]{0,12}\d`)

// subjectLeftovers keeps the requirements written into the subject of a
// grant (鼓励…企业入驻市级产业园区，给予…; 对首次通过认定的企业给予…)
// that no rule reads: the text before the grant verb, clause by clause.
func (c *collector) subjectLeftovers(text string, hits []hit) []hit {
	// The grant is the last clause; its subject ends at its first grant verb.
	subj := text
	last := 0
	if cls := splitKeep(text, "，：；"); len(cls) > 0 {
		if k := strings.LastIndex(text, cls[len(cls)-1]); k >= 0 {
			last = k
		}
	}
	if m := grantVerbRe.FindStringIndex(text[last:]); m != nil {
		subj = text[:last+m[0]]
	}
	var out []hit
	pos := 0
	for _, cl := range splitKeep(subj, "，；：") {
		k := strings.Index(subj[pos:], cl)
		if k < 0 {
			continue
		}
		clStart := pos + k
		pos = clStart + len(cl)
		for _, part := range splitParts(cl) {
			pStart := clStart + strings.Index(cl, part)
			pEnd := pStart + len(part)
			t := trimPunct(strings.TrimPrefix(strings.TrimPrefix(part, "对"), "凡"))
			if t == "" || fillerRe.MatchString(t) || amountRe.MatchString(t) && grantRe.MatchString(t) {
				continue
			}
			has := false
			for _, h := range hits {
				if h.start >= pStart && h.start < pEnd {
					has = true
					break
				}
			}
			if historyRe.MatchString(t) || (!has && predicateRe.MatchString(t)) {
				out = append(out, hit{cond: corpus.Unparsed(t), start: pStart})
				continue
			}
			if has {
				out = append(out, c.unreadModifier(subj, pStart, pEnd, hits)...)
			}
		}
	}
	return out
}

// unreadModifier keeps the words before the first condition read in a part
// when they state a requirement no rule reads (对按时缴纳失业保险费24个月以上
// 的参保企业: the contribution history qualifies the 参保企业).
func (c *collector) unreadModifier(s string, pStart, pEnd int, hits []hit) []hit {
	first := pEnd
	for _, h := range hits {
		if h.start >= pStart && h.start < first {
			first = h.start
		}
	}
	// 参保企业按时缴纳…24个月以上: the words after the last condition read,
	// when every read condition knows where its words end.
	readTo := pStart
	for _, h := range hits {
		if h.start >= pStart && h.start < pEnd {
			if h.end <= h.start {
				readTo = pEnd
				break
			}
			readTo = max(readTo, h.end)
		}
	}
	if post := trimPunct(s[min(readTo, pEnd):pEnd]); runeLen(post) >= 6 && predicateRe.MatchString(post) && !fillerRe.MatchString(post) && len(sentenceHits(post, c.ctx)) == 0 {
		return []hit{{cond: corpus.Unparsed(post), start: readTo}}
	}
	pre := strings.TrimPrefix(strings.TrimPrefix(strings.TrimSpace(s[pStart:first]), "对"), "凡")
	if !strings.HasSuffix(pre, "的") {
		return nil // only a modifier of the subject noun (…以上的参保企业)
	}
	pre = trimPunct(strings.TrimSuffix(pre, "的"))
	if runeLen(pre) < 6 || !predicateRe.MatchString(pre) || fillerRe.MatchString(pre) || len(sentenceHits(pre, c.ctx)) > 0 {
		return nil
	}
	return []hit{{cond: corpus.Unparsed(pre), start: pStart}}
}

var grantVerbRe = regexp.MustCompile(`给予|按|可享受|可获得|享受|每人|每月|返还|奖励|补贴\d|免收|免除|免征|可在|可以在|参照实施|参照执行|可使用|提至|补贴期限|期限`)

// splitParts splits a clause at 或/且/并 so that one unread alternative is
// kept on its own.
var partRe = regexp.MustCompile(`或者|或|并且|且|并`)

func splitParts(cl string) []string {
	idx := partRe.FindAllStringIndex(cl, -1)
	if len(idx) == 0 {
		return []string{cl}
	}
	var out []string
	prev := 0
	for _, m := range idx {
		if m[0] > prev {
			out = append(out, cl[prev:m[0]])
		}
		prev = m[1]
	}
	if prev < len(cl) {
		out = append(out, cl[prev:])
	}
	return out
}

// purposeRe is a sentence that states the purpose of a text (为贯彻落实…,
// 为进一步…): it grants nothing and sets no condition.
var purposeRe = regexp.MustCompile(`^(?:为了?|根据|按照)(?:认真|深入|全面|进一步|切实|更好地?)?(?:贯彻|落实|推动|推进|促进|加快|优化|提升|支持|鼓励|做好|加强|深化|稳定|激发)`)

// groupClauses reads a sentence of a section that names who is served
// (服务对象：…就业困难人员，享受城市居民低保，重度残疾人，脱贫人口) as a list
// of groups written clause by clause: a person belongs to one of them, so
// the clauses are alternatives. It applies in a resident text's 对象
// section when at least two clauses name a group (a tag); ok is false
// otherwise.
func (c *collector) groupClauses(s string, b *block) (corpus.Cond, bool) {
	if c.ctx.audience != corpus.AudienceResident || !(c.residentScope(b) || b.kind == kindCondition && strings.Contains(b.head, "对象")) {
		return corpus.Cond{}, false
	}
	clauses := splitKeep(s, "，；")
	if len(clauses) < 3 || strings.Contains(s, "同时") {
		return corpus.Cond{}, false
	}
	var alts, reqs []corpus.Cond
	tagged := 0
	for _, cl := range clauses {
		hits := sentenceHits(cl, c.ctx)
		isTagged := false
		for _, h := range hits {
			if h.list == "tags" || h.cond.Kind() == corpus.NodeAtom && h.cond.Field == "tags" {
				isTagged = true
				break
			}
		}
		if isTagged {
			tagged++
		}
		hits = append(hits, c.leftoversIn(cl, hits, len(hits) == 0, false)...)
		if len(hits) == 0 {
			continue
		}
		t := trimPunct(cl)
		if !isTagged && activityRe.MatchString(t) && !personNounRe.MatchString(t) {
			// 从事灵活就业…并按时足额缴纳社会保险费 names no group: it is what
			// every group must do, not one more group.
			reqs = append(reqs, treeOf(cl, hits))
			continue
		}
		alts = append(alts, treeOf(cl, hits))
	}
	if tagged < 2 || len(alts) < 2 {
		return corpus.Cond{}, false
	}
	return conj(append(reqs, corpus.Any(alts...))), true
}

// activityRe opens a clause that says what someone does or has done, not
// who they are.
var activityRe = regexp.MustCompile(`^(?:从事|进行|按时|按规定|依法|缴纳|参加|签订|办理)`)

// clauseTree turns a condition sentence into a tree; ok is false when it
// holds no condition.
func (c *collector) clauseTree(s string, condCtx bool) (corpus.Cond, bool) {
	if cond, ok := subgroupRequirement(s, c.ctx); ok && condCtx {
		return cond, true // a duty of part of the subjects (subgroup.go)
	}
	hits := sentenceHits(s, c.ctx)
	if leadInRe.MatchString(strings.TrimSpace(s)) {
		kept := hits[:0]
		for _, h := range hits {
			if !h.subject {
				kept = append(kept, h)
			}
		}
		hits = kept
	}
	if len(hits) == 0 && !condCtx {
		return corpus.Cond{}, false
	}
	hits = append(hits, c.leftoversIn(s, hits, condCtx, c.listItem)...)
	if len(hits) == 0 {
		return corpus.Cond{}, false
	}
	if cond, ok := groupsJoined(s, hits); ok {
		return cond, true
	}
	return treeOf(s, hits), true
}

// personNounRe ends a noun for a group of people.
var personNounRe = regexp.MustCompile(`(?:人员|学生|毕业生|军人|士兵|人口|对象|干部|劳动者|老人|老年人|儿童|青年|妇女|家庭|残疾人|农民工|孤儿|居民|学员)$`)

// joinRe joins two nouns: 和, 及, 与, 以及.
var joinRe = regexp.MustCompile(`以及|和|及|与`)

// groupsJoined reads a clause that joins two groups of people with 和/及/与
// (毕业2年内的高校毕业生和年满50周岁的失业人员; 在校学生（含毕业2年内）和
// 退役军人): the groups are alternatives, each with its own qualifiers; a
// qualifier written once before both (本市户籍的高校毕业生及就业困难人员)
// holds for both. Requirements joined by 和 (具有本市户籍和年满60周岁的老年人)
// do not end in a group of people on both sides and stay a conjunction.
func groupsJoined(s string, hits []hit) (corpus.Cond, bool) {
	bounds := append(clauseBounds(s), len(s))
	a := 0
	for _, b := range bounds {
		cl := s[a:b]
		a0 := a
		a = b
		depth := 0
		pos := -1
		for i, r := range cl {
			switch r {
			case '（', '《', '“':
				depth++
			case '）', '》', '”':
				if depth > 0 {
					depth--
				}
			}
			if depth == 0 && pos < 0 {
				if m := joinRe.FindStringIndex(cl[i:]); m != nil && m[0] == 0 {
					pos = i
				}
			}
		}
		if pos <= 0 {
			continue
		}
		m := joinRe.FindStringIndex(cl[pos:])
		left := trimPunct(cl[:pos])
		right := trimPunct(cl[pos+m[1]:])
		lHead, lOK := groupHead(left)
		rHead, rOK := groupHead(right)
		if !lOK || !rOK || hireRe.MatchString(left) || strings.Contains(right, "中") || strings.Contains(right, "以及") || joinRe.MatchString(rHead) {
			continue
		}
		joinAt := a0 + pos
		rStart := a0 + pos + m[1]
		// Where each group's head noun starts: after its last 的.
		lHeadAt := a0 + strings.Index(cl, left) + len(left) - len(lHead)
		rHeadAt := rStart + strings.Index(cl[pos+m[1]:], right) + len(right) - len(rHead)
		rOwn := false
		for _, h := range hits {
			if h.start >= rStart && h.start < rHeadAt {
				rOwn = true
			}
		}
		var rest, lAlt, rAlt []hit
		lCovered, rCovered := false, false
		for _, h := range hits {
			switch {
			case h.start < a0 || h.start >= b:
				rest = append(rest, h)
			case h.start < joinAt:
				if h.start < lHeadAt && !rOwn {
					rest = append(rest, h) // 本市户籍的 A 及 B: for both
					continue
				}
				lAlt = append(lAlt, h)
				lCovered = lCovered || h.start >= lHeadAt
			default:
				rAlt = append(rAlt, h)
				rCovered = rCovered || h.start >= rHeadAt
			}
		}
		// A qualifier no rule reads (依法享受本市社会保障待遇的非本市户籍人员)
		// is kept with its group, or with both when written once before both.
		lStart := a0 + strings.Index(cl, left)
		if mod := unreadQualifier(s, lStart, lHeadAt, hits); mod != nil {
			if rOwn {
				lAlt = append(lAlt, *mod)
			} else {
				rest = append(rest, *mod)
			}
		}
		if mod := unreadQualifier(s, rStart, rHeadAt, hits); mod != nil {
			rAlt = append(rAlt, *mod)
		}
		if !lCovered {
			lAlt = append(lAlt, hit{cond: corpus.Unparsed(lHead), start: lHeadAt})
		}
		if !rCovered {
			rAlt = append(rAlt, hit{cond: corpus.Unparsed(rHead), start: rHeadAt})
		}
		if !lCovered && !rCovered {
			return corpus.Cond{}, false // nothing read in either group: leave it
		}
		alts := corpus.Any(treeOf(s, lAlt), treeOf(s, rAlt))
		if len(rest) == 0 {
			return alts, true
		}
		return conj([]corpus.Cond{treeOf(s, rest), alts}), true
	}
	return corpus.Cond{}, false
}

// unreadQualifier returns the words from a to head (a group's qualifier,
// ending in 的) as an unparsed hit when no condition was read in them.
func unreadQualifier(s string, a, head int, hits []hit) *hit {
	if a < 0 || head <= a || head > len(s) {
		return nil
	}
	for _, h := range hits {
		if h.start >= a && h.start < head {
			return nil
		}
	}
	q := strings.TrimSpace(s[a:head])
	if !strings.HasSuffix(q, "的") {
		return nil
	}
	q = trimPunct(strings.TrimSuffix(q, "的"))
	if runeLen(q) < 4 {
		return nil
	}
	return &hit{cond: corpus.Unparsed(q), start: a}
}

// groupHead returns the head noun of a group of people (the words after
// the last 的, with a trailing （…） kept), and whether it is one.
func groupHead(t string) (string, bool) {
	core := t
	for strings.HasSuffix(core, "）") {
		k := strings.LastIndex(core, "（")
		if k < 0 {
			break
		}
		core = core[:k]
	}
	if !personNounRe.MatchString(core) {
		return "", false
	}
	head := t
	if k := strings.LastIndex(core, "的"); k >= 0 {
		head = t[k+len("的"):]
	}
	if strings.TrimSpace(head) == "" {
		return "", false
	}
	return head, true
}

// treeOf combines the hits of one sentence: gender-specific ages pair with
// their gender, alternatives joined by 或 or listed as groups form an any,
// the rest is a conjunction.
func treeOf(s string, hits []hit) corpus.Cond {
	sortHits(hits)
	if groups := subjectGroups(s, hits); len(groups) > 1 {
		common, first := commonClauses(s, groups)
		groups[0] = first
		var alts []corpus.Cond
		for _, g := range groups {
			alts = append(alts, treeOf(s, g))
		}
		if len(common) == 0 {
			return hoistCommon(alts)
		}
		c := treeOf(s, common)
		return conj([]corpus.Cond{c, hoistCommon(dropImplied(alts, c))})
	}
	var out []corpus.Cond
	// Gender-dependent ages.
	var female, male []corpus.Cond
	var rest []hit
	for _, h := range hits {
		switch h.gender {
		case "female":
			female = append(female, h.cond)
		case "male":
			male = append(male, h.cond)
		default:
			rest = append(rest, h)
		}
	}
	if len(female) > 0 || len(male) > 0 {
		var alts []corpus.Cond
		if len(female) > 0 {
			alts = append(alts, corpus.All(append([]corpus.Cond{corpus.Atom("gender", corpus.OpEq, corpus.String("female"), female[0].Text)}, female...)...))
		}
		if len(male) > 0 {
			alts = append(alts, corpus.All(append([]corpus.Cond{corpus.Atom("gender", corpus.OpEq, corpus.String("male"), male[0].Text)}, male...)...))
		}
		if len(alts) == 1 {
			out = append(out, alts[0])
		} else {
			out = append(out, corpus.Any(alts...))
		}
	}
	// 或 between conditions inside one clause: each side is an alternative;
	// other clauses stay in the conjunction.
	bounds := clauseBounds(s)
	clauseOf := func(pos int) int {
		for i, b := range bounds {
			if pos < b {
				return i
			}
		}
		return len(bounds)
	}
	for i := 0; i < len(rest); {
		j := i
		for j < len(rest) && clauseOf(rest[j].start) == clauseOf(rest[i].start) {
			j++
		}
		group := rest[i:j]
		// 低保家庭、低保边缘家庭、80周岁以上老年人等3类人员中独居或者…: the
		// groups before 中 are alternatives, and what follows narrows them all.
		if k, tail := narrowTail(s, group); k > 0 {
			// …等3类人员中失能的 with nothing read after 中: the groups are
			// alternatives and the unread words narrow them all.
			var alts []corpus.Cond
			for _, h := range group {
				c := h.cond
				if c.Kind() == corpus.NodeAtom && c.Field == corpus.FieldUnparsed {
					if cut := strings.Index(c.Text, tail); cut > 0 {
						c = corpus.Unparsed(trimPunct(narrowRe.ReplaceAllString(c.Text[:cut], "")))
					}
				}
				alts = append(alts, c)
			}
			out = append(out, corpus.Any(alts...), corpus.Unparsed(tail))
			i = j
			continue
		}
		if k := narrowAt(s, group); k > 0 {
			var before, after []hit
			for _, h := range group {
				if h.start < k {
					before = append(before, h)
				} else {
					after = append(after, h)
				}
			}
			if len(before) > 1 {
				var alts []corpus.Cond
				for _, h := range before {
					alts = append(alts, h.cond)
				}
				out = append(out, corpus.Any(alts...))
			} else {
				out = append(out, before[0].cond)
			}
			group = after
		}
		// The kind of subject a clause opens with (大型企业上年度未裁员或…)
		// holds for both sides of its 或.
		var subj, others []hit
		for k, h := range group {
			if k == 0 && (h.subject && h.list != "tags" || insuredSubject(s, h)) {
				subj = append(subj, h)
			} else {
				others = append(others, h)
			}
		}
		if alts := orSplit(s, others); len(alts) > 1 {
			var any []corpus.Cond
			for _, g := range alts {
				any = append(any, conj(tagsAsAny(g)))
			}
			for _, h := range subj {
				out = append(out, h.cond)
			}
			out = append(out, corpus.Any(any...))
		} else {
			out = append(out, tagsAsAny(group)...)
		}
		i = j
	}
	return conj(out)
}

// commonClauses splits off the clauses of the first subject group that
// hold for every group: 参保企业足额缴纳失业保险费12个月以上，上年度未裁员或
// 裁员率不高于5.5%，30人（含）以下的参保企业裁员率不高于20%的 — the later
// group relaxes the layoff rate only, so the contribution history is required
// of both. A clause is common when none of its conditions is on a field a
// later group also sets (the kind of subject 参保企业 aside). The first group
// keeps the rest; when nothing is left of it, nothing is split off.
func commonClauses(s string, groups [][]hit) (common, first []hit) {
	later := map[string]bool{}
	for _, g := range groups[1:] {
		for _, h := range g {
			for _, a := range h.cond.Atoms() {
				if a.Field != corpus.FieldUnparsed {
					later[a.Field] = true
				}
			}
		}
	}
	bounds := clauseBounds(s)
	clauseOf := func(pos int) int {
		for i, b := range bounds {
			if pos < b {
				return i
			}
		}
		return len(bounds)
	}
	shared := map[int]bool{}
	for _, h := range groups[0] {
		shared[clauseOf(h.start)] = true
	}
	for _, h := range groups[0] {
		if insuredSubject(s, h) {
			continue
		}
		for _, a := range h.cond.Atoms() {
			if later[a.Field] {
				shared[clauseOf(h.start)] = false
			}
		}
	}
	for _, h := range groups[0] {
		if shared[clauseOf(h.start)] {
			common = append(common, h)
		} else {
			first = append(first, h)
		}
	}
	hasOwn := false
	for _, h := range common {
		hasOwn = hasOwn || !insuredSubject(s, h)
	}
	if len(first) == 0 || !hasOwn {
		return nil, groups[0]
	}
	return common, first
}

// dropImplied removes from each alternative the atoms the common part
// already states.
func dropImplied(alts []corpus.Cond, common corpus.Cond) []corpus.Cond {
	keys := map[string]bool{}
	for _, a := range common.Atoms() {
		if a.Field != corpus.FieldUnparsed {
			keys[atomKey(a)] = true
		}
	}
	out := make([]corpus.Cond, 0, len(alts))
	for _, alt := range alts {
		if alt.Kind() == corpus.NodeAll {
			var keep []corpus.Cond
			for _, x := range alt.All {
				if !(x.Kind() == corpus.NodeAtom && keys[atomKey(x)]) {
					keep = append(keep, x)
				}
			}
			if len(keep) > 0 {
				alt = conj(keep)
			}
		}
		out = append(out, alt)
	}
	return out
}

// narrowRe ends a list of groups that the words after it narrow (…等4类人员中).
var narrowRe = regexp.MustCompile(`(?:等[\d一二三四五六七八九十两]+类)?(?:人员|对象|家庭|老年人|人口|群体)中`)

// narrowAt returns where the words after a list of groups narrowed by 中
// start, when conditions were read on both sides; 0 otherwise.
func narrowAt(s string, group []hit) int {
	if len(group) < 2 {
		return 0
	}
	from, to := group[0].start, group[len(group)-1].start
	m := narrowRe.FindStringIndex(s[from:min(to+1, len(s))])
	if m == nil {
		return 0
	}
	k := from + m[1]
	nb, na := 0, 0
	for _, h := range group {
		if h.start < k {
			nb++
		} else {
			na++
		}
	}
	if nb == 0 || na == 0 {
		return 0
	}
	return k
}

// narrowTail finds a list of groups narrowed by 中 whose narrowing words
// were not read (…等3类人员中失能的): where they start, and the words.
func narrowTail(s string, group []hit) (int, string) {
	if len(group) < 2 {
		return 0, ""
	}
	from := group[0].start
	end := len(s)
	for _, b := range clauseBounds(s) {
		if b > from {
			end = b
			break
		}
	}
	m := narrowRe.FindStringIndex(s[from:end])
	if m == nil {
		return 0, ""
	}
	k := from + m[1]
	for _, h := range group {
		if h.start >= k {
			return 0, "" // read after 中: narrowAt's case
		}
	}
	if strings.HasPrefix(s[k:], "的") {
		return 0, "" // 低保家庭中的老年人: who in the group, not one more requirement
	}
	tail := trimPunct(strings.TrimSuffix(trimPunct(s[k:end]), "的"))
	if runeLen(tail) < 2 || isGrant(tail) || amountRe.MatchString(tail) || strings.ContainsAny(tail, "，；") || orRe.MatchString(tail) {
		return 0, ""
	}
	return k, tail
}

// insuredSubject reports whether a hit is the kind of subject 参保企业 /
// 参保单位 (insured_employees gte 1 read from a noun), which like 大型企业
// heads a clause and holds for both sides of its 或.
func insuredSubject(s string, h hit) bool {
	if h.cond.Kind() != corpus.NodeAtom || h.cond.Field != "insured_employees" || h.cond.Op != corpus.OpGte || h.end <= h.start || h.end > len(s) {
		return false
	}
	w := s[h.start:h.end]
	return strings.HasSuffix(w, "企业") || strings.HasSuffix(w, "单位")
}

func conj(cs []corpus.Cond) corpus.Cond {
	if len(cs) == 1 {
		return cs[0]
	}
	return corpus.All(cs...)
}

var orRe = regexp.MustCompile(`或者|或`)

// subjectStartRe is a clause that names the kind of subject the following
// requirements are for (大型企业…，中小微企业…，参保职工30人（含）以下的企业…).
var subjectStartRe = regexp.MustCompile(`^(?:对|其中)?(?:大型|中型|小型|微型|中小微|小微|中小|(?:失业保险)?参保(?:企业|单位))|的(?:参保)?(?:企业|单位)`)

// subjectGroups splits a sentence whose clauses each open with a kind of
// subject into one group of conditions per kind: the kinds are
// alternatives, each with its own requirements. Nil when the sentence does
// not have that shape.
func subjectGroups(s string, hits []hit) [][]hit {
	bounds := clauseBounds(s)
	if len(bounds) == 0 || len(hits) < 2 {
		return nil
	}
	starts := map[int]bool{}
	prev := 0
	for i, b := range append(bounds, len(s)) {
		cl := s[prev:b]
		if subjectStartRe.MatchString(cl) {
			starts[i] = true
		}
		prev = b
	}
	if len(starts) < 2 || !starts[0] && !clauseHasNoHits(hits, bounds, 0) {
		return nil
	}
	clauseOf := func(pos int) int {
		for i, b := range bounds {
			if pos < b {
				return i
			}
		}
		return len(bounds)
	}
	var groups [][]hit
	cur := -1
	for _, h := range hits {
		c := clauseOf(h.start)
		g := 0
		for i := 0; i <= c; i++ {
			if starts[i] {
				g = i
			}
		}
		if g != cur {
			groups = append(groups, nil)
			cur = g
		}
		groups[len(groups)-1] = append(groups[len(groups)-1], h)
	}
	if len(groups) < 2 {
		return nil
	}
	return groups
}

func clauseHasNoHits(hits []hit, bounds []int, clause int) bool {
	end := bounds[0]
	for _, h := range hits {
		if clause == 0 && h.start < end {
			return false
		}
	}
	return true
}

// clauseBounds returns the byte offsets where the clauses of s end (after
// each ， or ；).
func clauseBounds(s string) []int {
	var out []int
	for i, r := range s {
		if r == '，' && strings.HasPrefix(s[i+len("，"):], "或") {
			continue // …低保家庭，或属于特困人员: one clause of alternatives
		}
		if r == '，' || r == '；' {
			out = append(out, i+len(string(r)))
		}
	}
	return out
}

// tagsAsAny keeps the conditions in order, with tags listed together
// (登记失业人员、就业困难人员、退役军人) as one any: groups a person belongs
// to one of.
func tagsAsAny(hits []hit) []corpus.Cond {
	var out, tags []corpus.Cond
	tagAt := -1
	for _, h := range hits {
		if h.list == "tags" && (h.cond.Kind() == corpus.NodeAtom || h.cond.Kind() == corpus.NodeAll) {
			if tagAt < 0 {
				tagAt = len(out)
				out = append(out, corpus.Cond{})
			}
			tags = append(tags, h.cond)
			continue
		}
		out = append(out, h.cond)
	}
	if tagAt >= 0 {
		if len(tags) == 1 {
			out[tagAt] = tags[0]
		} else {
			out[tagAt] = corpus.Any(tags...)
		}
	}
	return out
}

// orSplit groups the hits by the 或 that separate them inside one clause.
func orSplit(s string, hits []hit) [][]hit {
	var orPos []int
	for _, m := range orRe.FindAllStringIndex(s, -1) {
		orPos = append(orPos, m[0])
	}
	if len(orPos) == 0 || len(hits) < 2 {
		return nil
	}
	// Only an 或 inside one clause (no ， between the alternatives).
	var groups [][]hit
	var cur []hit
	prevStart, prevEnd := -1, -1
	for _, h := range hits {
		if prevStart >= 0 {
			// An 或 inside the previous hit's own words (不裁员或少裁员) is
			// read by that hit; it separates nothing.
			between := s[min(max(prevStart, prevEnd), len(s), h.start):min(h.start, len(s))]
			if orRe.MatchString(between) && (!strings.ContainsAny(between, "，；。") || strings.Contains(between, "，或") && !strings.ContainsAny(between, "；。")) && !modifierOr(between, cur) {
				groups = append(groups, cur)
				cur = nil
			}
		}
		cur = append(cur, h)
		prevStart, prevEnd = h.start, h.end
	}
	groups = append(groups, cur)
	if len(groups) < 2 {
		return nil
	}
	return groups
}

func sortHits(hits []hit) {
	sort.SliceStable(hits, func(i, j int) bool { return hits[i].start < hits[j].start })
}

// maxSentence bounds the work spent on one sentence: real policy sentences
// are far shorter, and a run-on text (no punctuation) is read in pieces so
// that the reader stays linear in the input.
const maxSentence = 1500

// chunks cuts an overlong sentence at clause breaks, or hard at maxSentence
// bytes (on a rune boundary) when it has none.
func chunks(s string) []string {
	if len(s) <= maxSentence {
		return []string{s}
	}
	var out []string
	for len(s) > maxSentence {
		cut := strings.LastIndexAny(s[:maxSentence], "，、 ")
		if cut <= 0 {
			cut = maxSentence
			for cut > 0 && !utf8.RuneStart(s[cut]) {
				cut--
			}
		} else {
			_, size := utf8.DecodeRuneInString(s[cut:])
			cut += size
		}
		out = append(out, s[:cut])
		s = s[cut:]
	}
	if s != "" {
		out = append(out, s)
	}
	return out
}

var (
	enterpriseHeadRe = regexp.MustCompile(`企业|公司|单位|机构|经营主体`)
	residentHeadRe   = regexp.MustCompile(`个人|居民|家庭|老年人|儿童|学生|人员`)
)

// otherAudience reports a heading that addresses the other kind of subject.
func otherAudience(head string, a corpus.Audience) bool {
	switch a {
	case corpus.AudienceResident:
		return enterpriseHeadRe.MatchString(head) && !residentHeadRe.MatchString(head)
	case corpus.AudienceEnterprise:
		return residentHeadRe.MatchString(head) && !enterpriseHeadRe.MatchString(head)
	}
	return false
}

// partitionAlternatives joins sentences of one paragraph that split a range
// between them (参保人数在30人以上的，…；30人（含）以下的，…) into one any:
// a subject is on one side or the other.
func partitionAlternatives(conds []condSource) []condSource {
	if len(conds) < 2 {
		return conds
	}
	var out []condSource
	for i := 0; i < len(conds); i++ {
		j := i + 1
		for j < len(conds) && splitsRange(conds[j-1].cond, conds[j].cond) {
			j++
		}
		if j-i >= 2 {
			var alts []corpus.Cond
			for _, c := range conds[i:j] {
				alts = append(alts, c.cond)
			}
			out = append(out, condSource{cond: hoistCommon(alts), section: conds[i].section, blk: conds[i].blk})
			i = j - 1
			continue
		}
		out = append(out, conds[i])
	}
	return out
}

// splitsRange reports whether a and b bound the same field at the same
// number from opposite sides.
func splitsRange(a, b corpus.Cond) bool {
	for _, x := range a.Atoms() {
		xv, ok := x.Value.Num()
		if !ok {
			continue
		}
		for _, y := range b.Atoms() {
			yv, ok := y.Value.Num()
			if !ok || x.Field != y.Field || xv != yv {
				continue
			}
			lowX := x.Op == corpus.OpGt || x.Op == corpus.OpGte
			lowY := y.Op == corpus.OpGt || y.Op == corpus.OpGte
			upX := x.Op == corpus.OpLt || x.Op == corpus.OpLte
			upY := y.Op == corpus.OpLt || y.Op == corpus.OpLte
			if lowX && upY || upX && lowY {
				return true
			}
		}
	}
	return false
}

// hoistCommon writes any(all(a, x), all(a, y)) as all(a, any(x, y)): a
// condition every alternative states (失业保险参保企业) holds either way.
func hoistCommon(alts []corpus.Cond) corpus.Cond {
	parts := make([][]corpus.Cond, len(alts))
	for i, a := range alts {
		if a.Kind() == corpus.NodeAll {
			parts[i] = a.All
		} else {
			parts[i] = []corpus.Cond{a}
		}
	}
	var common []corpus.Cond
	for _, c := range parts[0] {
		if c.Kind() != corpus.NodeAtom {
			continue
		}
		k := atomKey(c)
		inAll := true
		for _, p := range parts[1:] {
			found := false
			for _, d := range p {
				if d.Kind() == corpus.NodeAtom && atomKey(d) == k {
					found = true
					break
				}
			}
			inAll = inAll && found
		}
		if inAll {
			common = append(common, c)
		}
	}
	if len(common) == 0 {
		return corpus.Any(alts...)
	}
	isCommon := func(c corpus.Cond) bool {
		if c.Kind() != corpus.NodeAtom {
			return false
		}
		for _, x := range common {
			if atomKey(x) == atomKey(c) {
				return true
			}
		}
		return false
	}
	var rest []corpus.Cond
	for _, p := range parts {
		var keep []corpus.Cond
		for _, c := range p {
			if !isCommon(c) {
				keep = append(keep, c)
			}
		}
		if len(keep) == 0 {
			// One alternative is just the common part: the any always holds.
			return conj(common)
		}
		rest = append(rest, conj(keep))
	}
	return corpus.All(append(common, corpus.Any(rest...))...)
}
