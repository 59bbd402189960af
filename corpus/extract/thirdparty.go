package extract

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/zhida/zhida/corpus"
)

// A grant to a firm is often measured by the people it takes on or serves
// (对招用离校2年内未就业高校毕业生的企业…, 吸纳登记失业人员就业的…).
// Who those people are — their age, degree, register — is no key of the
// firm (hiredPeople keeps the hire clause unparsed). The rules here keep
// the words about those people from deciding the text's audience, and
// from being read as the firm's conditions when a sentence of their own
// describes them (其中高校毕业生的范围是…, 青年信息从…获取).

// firmWordRe names a firm.
var firmWordRe = regexp.MustCompile(`企业|用人单位|单位|公司|经营主体|市场主体|个体工商户|商户|合作社`)

// hiresFirmAudience reports a text whose grants go to firms measured by the
// people they hire (对招用…的企业，按每人…给予补贴): its many words for
// people name the hires, not its audience.
func hiresFirmAudience(text string) bool {
	if len(text) > 64<<10 {
		text = text[:64<<10] // as guessAudience: the opening says whom it addresses
	}
	firm := len(firmHireGrantRe.FindAllStringIndex(text, -1)) + len(servedGrantRe.FindAllStringIndex(text, -1))
	person := len(personGrantSubjRe.FindAllStringIndex(text, -1))
	if firm == 0 || person > 0 {
		return false
	}
	// The words for people must mostly be about the hires: outside the
	// sentences that hire or describe them, a text for people (a list of
	// measures for graduates that also pays their employers) still names
	// people more than firms.
	res := 0
	for _, s := range splitKeep(text, "。；\n") {
		if hireVerbAnyRe.MatchString(s) || servedByFirmRe.MatchString(s) || peopleNoteRe.MatchString(s) || purposeWordRe.MatchString(s) {
			continue
		}
		res += len(residentWordRe.FindAllStringIndex(s, -1))
	}
	return res <= len(enterpriseWordRe.FindAllStringIndex(text, -1))
}

var (
	// firmHireGrantRe is a firm defined by its hires and then granted
	// something (…招用…的企业，可按…; 企业吸纳…的，给予…).
	firmHireGrantRe = regexp.MustCompile(`(?:招用|吸纳|录用|聘用|雇用|招收)[^。；]{0,120}?的(?:企业|用人单位|单位|公司)[，,]?[^。；]{0,8}?(?:可|给予|按|予以|享受|发放)|(?:企业|用人单位|单位|公司)[^，。；]{0,10}(?:招用|吸纳|录用|聘用|雇用|招收)[^。；]{0,80}?的[，,][^。；]{0,8}?(?:可|给予|按|予以|发放)`)
	// personGrantSubjRe is a person granted something (…的高校毕业生，给予…).
	personGrantSubjRe = regexp.MustCompile(`的[^，。；的]{0,8}?(?:人员|毕业生|青年|劳动者|个人|老年人|老人|残疾人|居民|学生|农民工|妇女|退役军人|退役士兵)[，,]?[^。；，]{0,6}?(?:可|给予|按|予以|享受|发放)`)
)

// peopleNoteRe is a sentence, in a text for firms, that describes a kind
// of people rather than the firm: what the group covers (…毕业生范围是/
// 包括/不包括…, …人员是指…) or where their data comes from (…信息从…获取,
// 以…数据为准). The firm is measured by such people (its hires, those it
// serves); their description is no condition of the firm.
var peopleNoteRe = regexp.MustCompile(`^(?:其中|上述|前款所称|本款所称)?[^，。；]{0,30}?(?:人员|毕业生|青年|劳动者|职工|员工|学生|老年人|儿童)[^，。；]{0,4}?(?:的)?(?:范围(?:是|为|包括)|是指|系指|包括|不包括|信息(?:从|由|来源|以)|名单(?:从|由|以)|数据(?:从|由|以))`)

// peopleNote reports such a sentence: a text for firms, no firm named in
// it, and no grant.
func peopleNote(s string, a corpus.Audience) bool {
	return a == corpus.AudienceEnterprise && peopleNoteRe.MatchString(s) && !firmWordRe.MatchString(s) && !isGrant(s)
}

// dataSourceRe is a clause saying where a fact is taken from (信息从人社部门
// 获取, 以税务部门数据为准, 由…提供数据): how a fact is checked, not who
// qualifies.
var dataSourceRe = regexp.MustCompile(`(?:信息|数据|名单)(?:从|由)[^，。；]{1,30}(?:获取|提供|导出|推送|比对)|以[^，。；]{1,20}(?:数据|信息|记录)为准`)

// hireObjectRe is a hire verb and the people it takes on, up to the firm,
// a clause break or what is then said about them (人数, 比例, 签订…).
var hireObjectRe = regexp.MustCompile(`(?:新招用|招用|招收|吸纳|录用|聘用|雇用)[^，。；：（]{2,60}?(?:[，。；：（]|的(?:企业|用人单位|单位|公司)|人数|比例|就业|签订|$)`)

// hireLeftover keeps, in a text for firms, the clause naming the people a
// firm hires as unparsed when no rule read anything in it: in such a text
// the people's own conditions are not read at all (no age or tag of a
// person applies to a firm), so without it the requirement would vanish.
func hireLeftover(s string, hits []hit, a corpus.Audience) []hit {
	if a != corpus.AudienceEnterprise || len(hits) == 0 && !isGrant(s) {
		return hits // nothing else read: not a sentence about the firm's conditions
	}
	if rest := hireObjectRe.ReplaceAllString(s, ""); nonEntRe.MatchString(rest) && !strings.Contains(rest, "企业") {
		return hits // 吸纳…就业的事业单位: not a firm this text addresses
	}
	for _, m := range hireObjectRe.FindAllStringIndex(s, -1) {
		obj := s[m[0]:m[1]]
		if !personWordRe.MatchString(obj) {
			continue // 招用3人以上: a count the rules read
		}
		if aimRe.MatchString(clauseBefore(s, m[0])) {
			continue // 为鼓励企业吸纳青年就业: an aim, not a requirement
		}
		covered := false
		for _, h := range hits {
			if h.start >= m[0] && h.start < m[1] || h.cond.Kind() == corpus.NodeAtom && h.cond.Field == corpus.FieldUnparsed && strings.Contains(h.cond.Text, obj[:min(len(obj), 9)]) {
				covered = true
				break
			}
		}
		if !covered {
			hits = append(hits, hit{cond: corpus.Unparsed(trimPunct(hireObjectTrim.ReplaceAllString(obj, ""))), start: m[0], end: m[1]})
		}
	}
	return hits
}

// aimRe before a hire verb makes the hiring an aim of the text.
var aimRe = regexp.MustCompile(`鼓励|引导|促进|推动|支持|帮助|动员`)

// hireObjectTrim is the stop word a hireObjectRe match ends on.
var hireObjectTrim = regexp.MustCompile(`(?:[，。；：（]|的(?:企业|用人单位|单位|公司)|人数|比例|就业|签订)$`)

// personWordRe names people (a group, or an age or degree of people).
var personWordRe = regexp.MustCompile(`人员|人口|对象|群体|毕业生|青年|劳动者|老年人|老人|残疾人|儿童|学生|妇女|农民工|军人|士兵|职工|员工|居民|群众|周岁|岁`)

// topicHeadingRe is a heading that names a topic about people (关于人员
// 范围, 人员认定标准) rather than addressing them: it does not make the
// part one for another kind of subject.
var topicHeadingRe = regexp.MustCompile(`范围|认定|标准|时间|时点|程序|流程|口径`)

// A text for firms also pays others: carriers and platforms (孵化载体,
// 服务机构 …) and persons (在入驻企业就业的青年，给予每人每月…). Such a
// grant is not a benefit of a firm. Its subject is the head of the clause
// that opens the grant's run of clauses (…的港澳青年，…给予…): a firm that
// only qualifies the head (入驻企业实习的青年) does not make it a firm's.

// carrierHeadRe ends the name of a carrier, platform or service provider.
var carrierHeadRe = regexp.MustCompile(`(?:载体|孵化器|众创空间|加速器|服务机构|服务中心|运营机构|平台|协会|商会|基地)$`)

// personHeadRe ends the name of a group of persons as a grant's subject.
var personHeadNounRe = regexp.MustCompile(`(?:人员|青年|毕业生|人才|劳动者|个人|学生|农民工|妇女|老年人|残疾人|退役军人|士兵)$`)

// firmGrantWordRe is a grant clause that names the firm as recipient.
var firmGrantWordRe = regexp.MustCompile(`(?:给予|补贴给|发放给|拨付给)(?:该|所在|用人)?(?:企业|单位|公司)|每招用|每吸纳`)

// othersGrant reports, in a text for firms, a grant whose subject is a
// carrier or a person.
func othersGrant(text, amount string, a corpus.Audience) bool {
	if a != corpus.AudienceEnterprise || hireVerbAnyRe.MatchString(text) || firmGrantWordRe.MatchString(amount) || firmWordRe.MatchString(amount) {
		// A firm named in the grant clause itself (所在企业给予每人…) may be
		// its recipient: kept.
		return false
	}
	if carrierSubjectRe.MatchString(text) {
		return true
	}
	head := grantHead(text)
	if head == "" {
		return false
	}
	return carrierHeadRe.MatchString(head) || personHeadNounRe.MatchString(head)
}

// carrierSubjectRe is a carrier or provider as the subject of what it does
// for the grant (…的第三方服务机构（…除外）每成功推荐1家企业…，给予…).
var carrierSubjectRe = regexp.MustCompile(`^[^，。；]*?的(?:第三方)?[^，。；的（]{0,10}?(?:服务机构|运营机构|中介机构|孵化载体|孵化器|众创空间|服务平台)(?:（[^）]*）)?(?:每|为|帮助|推荐|引进|引荐|协助)`)

// purposeWordRe marks a sentence or title that states an aim (为落实…,
// 促进高校毕业生就业): the people it names are whom the measure helps in
// the end, not who receives it.
var purposeWordRe = regexp.MustCompile(`^(?:为|为了)|促进|鼓励`)

// hireVerbAnyRe is any wording of a firm taking people on.
var hireVerbAnyRe = regexp.MustCompile(`招用|招收|吸纳|录用|聘用|雇用|安置`)

// grantHead returns the head noun phrase of the first clause of a grant's
// run of clauses when that clause is a noun phrase (…的港澳青年), else "".
func grantHead(text string) string {
	first := text
	if k := strings.IndexAny(text, "，,："); k >= 0 {
		first = text[:k]
	}
	first = strings.TrimPrefix(trimPunct(first), "对")
	if isGrant(first) || aimRe.MatchString(first) {
		// The grant itself opens the run, or an aim does (积极鼓励园区建设
		// …平台): no subject clause.
		return ""
	}
	// The head follows the last 的 (…就业满1年的港澳青年) and any place
	// before it (天河区行政区域内创新创业孵化载体).
	if k := strings.LastIndex(first, "的"); k >= 0 {
		first = first[k+len("的"):]
	}
	return first
}

// capAfterGrant reports a unit that only caps the grant before it on the
// same line (…给予1万元奖励，同一机构每年最高不超过10万元), or only times
// a grant just dropped as another's (…给予每人每月3000元，补贴期限不超过6个月):
// it belongs to that grant and is no benefit of its own.
func (c *collector) capAfterGrant(u *unit) bool {
	if u.line == 0 || u.line != c.grantLine {
		return false
	}
	t := trimPunct(u.text)
	return capOnlyRe.MatchString(t) || u.line == c.droppedLine && isTimeFrame(t)
}

// clauseBefore returns the words of s's clause before byte offset i.
func clauseBefore(s string, i int) string {
	k := strings.LastIndexAny(s[:i], "，。；：,")
	if k < 0 {
		return s[:i]
	}
	_, size := utf8.DecodeRuneInString(s[k:])
	return s[k+size : i]
}

// servedByFirmRe is a firm named by the people it serves (为本区60周岁以上
// 老年人提供助餐服务的企业, 向残疾人提供就业岗位的单位): group 1 is the people.
var servedByFirmRe = regexp.MustCompile(`(?:为|向)([^，。；：]{2,40}?)(?:提供|开展)[^，。；：]{0,20}?的(?:企业|用人单位|单位|公司|机构|组织|商户|经营主体)`)

// servedPeople keeps the people a firm serves out of the firm's conditions:
// their age or tags become one unparsed clause, as for hires.
func servedPeople(s string, hits []hit) []hit {
	m := servedByFirmRe.FindStringSubmatchIndex(s)
	if m == nil || !personWordRe.MatchString(s[m[2]:m[3]]) {
		return hits
	}
	var out []hit
	for _, h := range hits {
		if h.start >= m[2] && h.start < m[3] && (residentOnly(h.cond) || h.cond.Field == corpus.FieldUnparsed) {
			continue // read again as one clause below
		}
		out = append(out, h)
	}
	// In a text for firms the people's own words were never read: the
	// clause is kept whether or not a rule read something in it.
	return append(out, hit{cond: corpus.Unparsed(trimPunct(s[m[0]:m[1]])), start: m[0], end: m[1]})
}

// servedGrantRe is a firm named by the people it serves, then granted
// something (为…老年人提供助餐服务的企业，给予…).
var servedGrantRe = regexp.MustCompile(servedByFirmRe.String() + `[，,]?[^。；]{0,8}?(?:可|给予|按|予以|发放)`)

// A firm is also named by who runs or owns it (法定代表人为退役军人的小微企业,
// 由高校毕业生创办的企业, 主要创办人为45周岁以下港澳青年的企业). That
// person's age or register is no key of the firm either.

// firmPersonRe is such a description; group 1 is the person.
var firmPersonRe = regexp.MustCompile(`(?:法定代表人|负责人|创办人|创始人|主要创办人|主要负责人|实际控制人|控股股东|经营者|出资人)(?:须|应)?(?:为|是|系|属于)([^，。；：]{2,30}?)的(?:[^，。；：的]{0,8}?)(?:企业|公司|经营主体|市场主体|合作社)`)

// firmPeople keeps the person who runs or owns a firm out of the firm's
// conditions: one unparsed clause instead of their age or tags.
func firmPeople(s string, hits []hit) []hit {
	m := firmPersonRe.FindStringSubmatchIndex(s)
	if m == nil {
		return hits
	}
	var out []hit
	for _, h := range hits {
		if h.start >= m[2] && h.start < m[3] && (residentOnly(h.cond) || h.cond.Field == corpus.FieldUnparsed) {
			continue
		}
		out = append(out, h)
	}
	return append(out, hit{cond: corpus.Unparsed(trimPunct(s[m[0]:m[3]])), start: m[0], end: m[3]})
}

// firmHeadNounRe ends the name of a firm as a grant's subject.
var firmHeadNounRe = regexp.MustCompile(`(?:企业|公司)$`)

// firmHeadedGrant reports, in a text for residents, a grant whose subject
// is a firm (…的小微企业，给予…): like firmGrant, not a benefit of persons.
func firmHeadedGrant(text, amount string, a corpus.Audience) bool {
	if a != corpus.AudienceResident || personRecipientRe.MatchString(amount) {
		return false
	}
	head := grantHead(text)
	return head != "" && firmHeadNounRe.MatchString(head)
}
