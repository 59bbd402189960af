package extract

import (
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/zhida/zhida/corpus"
)

// Rules for a person's own facts that the main table in atoms.go does not
// cover: disability grades written as a range (三至四级, 二级以上), and
// groups of people the vocabulary has no tag for (困境儿童, 烈士遗属). Such a
// group is who a grant is for: dropping it would leave the grant open to
// everyone, so it is kept as an unparsed condition with its words.

// gradeRe is a disability grade or a run of grades (三级、四级; 三至四级;
// 一级至四级; 二级以上; 三级及以下), read only beside 残疾 (残疾等级为…,
// …精神残疾人): 伤残等级 of work injuries runs to 十级 and is another scale.
var gradeRe = regexp.MustCompile(`([一二三四1-4])(?:级)?((?:\s*(?:、|，|或|和|及|至|到|-|~|—)\s*[一二三四1-4]级?)*)级(（含）)?(及以上|以上|及以下|以下)?`)

// gradeKindRe is the disabled person after a grade, through the kinds of
// disability (三级的智力、精神残疾人).
var gradeKindRe = regexp.MustCompile(`^(?:的)?(?:智力|精神|肢体|视力|听力|言语|多重|重度|[、和及或]|\s)*残疾`)

// programmeAfterRe is a programme or a body named after a group (残疾人生活
// 补贴, 重度残疾人护理补贴对象, 残疾人联合会): the words name the scheme,
// not a requirement on the subject.
var programmeAfterRe = regexp.MustCompile(`^(?:人)?(?:生活补贴|护理补贴|两项补贴|补贴对象|补贴标准|补贴资金|联合会|事业|工作者|专职委员|托养|就业保障金)`)

// severeAt finds the first 重度残疾 / 一、二级残疾 wording that is not the
// name of a programme (重度残疾人护理补贴).
func severeAt(s string) []int {
	for _, m := range disabledLvlRe.FindAllStringIndex(s, -1) {
		if strings.HasSuffix(s[:m[0]], "多") {
			continue // 多重残疾 is several kinds of disability, not 重残
		}
		if !programmeAfterRe.MatchString(s[m[1]:]) {
			return m
		}
	}
	return nil
}

// gradeLeadRe is the words that announce a grade (残疾等级为).
var gradeLeadRe = regexp.MustCompile(`残疾(?:等级|级别|程度)(?:为|是|在|达到|属于)?$`)

var gradeDigit = map[string]int{"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}

// gradeNumRe finds the grades inside a run.
var gradeNumRe = regexp.MustCompile(`[一二三四1-4]`)

// disabilityGrade reads the grade range of the first grade run tied to 残疾
// in s: lo..hi with 1 the most severe. ok is false when s names no grade.
func disabilityGrade(s string) (lo, hi, start, end int, ok bool) {
	for _, m := range gradeRe.FindAllStringSubmatchIndex(s, -1) {
		before := s[max(0, m[0]-18):m[0]]
		after := s[m[1]:min(len(s), m[1]+36)]
		if k := strings.IndexAny(after, "，。；（"); k >= 0 {
			after = after[:k]
		}
		tied := gradeKindRe.MatchString(after) || gradeLeadRe.MatchString(before)
		if !tied || strings.Contains(before, "伤残") || strings.Contains(after, "伤残") {
			continue
		}
		grades := []int{gradeDigit[s[m[2]:m[3]]]}
		for _, g := range gradeNumRe.FindAllString(s[m[4]:m[5]], -1) {
			grades = append(grades, gradeDigit[g])
		}
		lo, hi = 4, 1
		for _, g := range grades {
			lo, hi = min(lo, g), max(hi, g)
		}
		switch suf := ""; {
		case m[8] >= 0:
			suf = s[m[8]:m[9]]
			if strings.HasSuffix(suf, "以上") {
				lo = 1 // 二级以上: as severe or more, the lower numbers
			} else {
				hi = 4
			}
		}
		return lo, hi, m[0], m[1], true
	}
	return 0, 0, 0, 0, false
}

// gradeHits turns a disability grade range into atoms: lte for a range that
// starts at 一级, gte for one that ends at 四级, both otherwise; the whole
// range 一至四级 is any disability, which the tag already says.
func gradeHits(s string, seenDisabled bool) []hit {
	lo, hi, start, end, ok := disabilityGrade(s)
	if !ok {
		return nil
	}
	txt := spanAround(s, start, end)
	var out []hit
	switch {
	case lo == 1 && hi == 4:
	case lo == hi:
		out = append(out, hit{cond: corpus.Atom("disability_level", corpus.OpEq, corpus.Number(float64(lo)), txt), start: start, end: end})
	case lo == 1:
		out = append(out, hit{cond: corpus.Atom("disability_level", corpus.OpLte, corpus.Number(float64(hi)), txt), start: start, end: end})
	case hi == 4:
		out = append(out, hit{cond: corpus.Atom("disability_level", corpus.OpGte, corpus.Number(float64(lo)), txt), start: start, end: end})
	default:
		out = append(out,
			hit{cond: corpus.Atom("disability_level", corpus.OpGte, corpus.Number(float64(lo)), txt), start: start, end: end},
			hit{cond: corpus.Atom("disability_level", corpus.OpLte, corpus.Number(float64(hi)), txt), start: start, end: end})
	}
	if !seenDisabled {
		out = append(out, hit{cond: corpus.Atom("tags", corpus.OpHas, corpus.String("残疾人"), txt), start: start, end: end})
	}
	return out
}

// groupNounRe is a group of people named by a qualifier and a head noun
// (困境儿童, 烈士遗属, 失能老人, 刑满释放人员).
var groupNounRe = regexp.MustCompile(`\p{Han}{2,10}?(?:儿童|少年|未成年人|老年人|老人|遗属|家属|遗孀|人员|对象|家庭|妇女|青年|农民工|患者|病人|孕产妇|群众|学生|幼儿|婴幼儿|孤老)`)

// groupCutRe marks where a qualifier begins: after a preposition, a 的, a
// joining word or a verb of granting.
var groupCutRe = regexp.MustCompile(`.*(?:的|对于|对|为|向|凡|和|及|与|或|给予|发放|中|属于|是|等|经认定|经评估|认定|纳入|按照|依照|根据|到|在)`)

// groupFollowRe is what may follow a group noun that ends a word.
var groupFollowRe = regexp.MustCompile(`^(?:成员|的|和|及|与|或|等|中|每|给|可|应|须|需|均|在|按|享|申|凡|发|予|提|免|，|。|；|、)`)

// groupPlaceRe is a place or kind of hukou before a qualifier (本市困境儿童,
// 户籍居家老年人): read by the place rules, not part of the group.
var groupPlaceRe = regexp.MustCompile(`^(?:本市|本区|本县|本省|本地|全市|全区|全县|户籍|城乡|城镇|农村|居家)+`)

// groupStopRe is a qualifier that adds nothing (本市, 城乡, 各类, 上述) or
// names staff and procedure, not the people a grant is for.
var groupStopRe = regexp.MustCompile(`^(?:本市|本区|本县|本省|本地|全市|全区|全县|城乡|城镇|农村|户籍|各类|所有|全体|上述|以上|以下|下列|如下|前述|前款|本条|其他|其它|相关|有关|符合条件|困难|特殊|重点|广大|申请|申报|一般|普通|全日制|适龄|在校|在读|在职|就业|从业|创业|用工|参保|缴费|受益|受助|服务|救助|资助|帮扶|扶持|保障|补贴|补助|奖励|支持|适用|实施|发放|享受|优待|慰问|陪同|陪护|监护|居家|持证)$` +
	`|工作|经办|管理|办理|审核|受理|监督|医务|专业|技术|执法|从业|参保|在职|灵活就业|就业困难|就业创业|创业|缴费|领取|以上|以下|周岁|岁|以内|年满|申请|申报|聘用|招用|招收|录用|吸纳|安置|毕业|离校|入学|高校|院校|学校|企业|单位|机构|公司|增加|减少|原因|伤残|简称`)

// unreadGroups keeps, as unparsed conditions, the groups of people a
// sentence names that no other rule read. Groups in an enumeration that
// groupLists already handled are left to it; two unread groups joined by
// 和/及/或/、 are alternatives.
func unreadGroups(s string, hits []hit) []hit {
	type found struct {
		a, b int
		text string
	}
	var groups []found
	for _, m := range groupNounRe.FindAllStringIndex(s, -1) {
		a, b := m[0], m[1]
		head := b
		if h := groupHeadRe.FindStringIndex(s[a:b]); h != nil {
			head = a + h[0]
		}
		if c := groupCutRe.FindStringIndex(s[a:head]); c != nil {
			a += c[1]
		}
		if a == m[0] && a > 0 && isHan(lastRuneOf(s[:a])) {
			continue // inside a longer run of words: no clear start
		}
		if b < len(s) && isHan(firstRune(s[b:])) && !groupFollowRe.MatchString(s[b:]) {
			continue // 幼儿园, 家庭经济状况: the head is part of another word
		}
		phrase, q := s[a:b], groupPlaceRe.ReplaceAllString(s[a:head], "")
		if hanCount(phrase) < 4 || hanCount(q) > 6 || strings.Contains(q, "残疾") {
			continue // a bare head noun (人员, 老年人) qualifies nobody; 残疾 is read by its own rules
		}
		if hanCount(q) < 2 || groupStopRe.MatchString(q) {
			continue
		}
		covered := false
		for _, h := range hits {
			if h.start >= a && h.start < b || h.end > 0 && h.start < b && h.end > a || h.grouped && sameClause(s, h.start, a) {
				covered = true
				break
			}
		}
		if !covered {
			groups = append(groups, found{a, b, phrase})
		}
	}
	if len(groups) == 0 {
		return nil
	}
	var out []hit
	for i := 0; i < len(groups); {
		j := i + 1
		for j < len(groups) && joinedAsList(s[groups[j-1].b:groups[j].a]) {
			j++
		}
		if j-i == 1 {
			out = append(out, hit{cond: corpus.Unparsed(groups[i].text), start: groups[i].a, end: groups[i].b, list: "unread", subject: true})
		} else {
			var alts []corpus.Cond
			for _, g := range groups[i:j] {
				alts = append(alts, corpus.Unparsed(g.text))
			}
			out = append(out, hit{cond: corpus.Any(alts...), start: groups[i].a, end: groups[j-1].b, subject: true})
		}
		i = j
	}
	return out
}

// groupHeadRe finds the head noun at the end of a group phrase.
var groupHeadRe = regexp.MustCompile(`(?:儿童|少年|未成年人|老年人|老人|遗属|家属|遗孀|人员|对象|家庭|妇女|青年|农民工|患者|病人|孕产妇|群众|学生|幼儿|婴幼儿|孤老)$`)

func lastRuneOf(s string) rune {
	r, _ := utf8.DecodeLastRuneInString(s)
	return r
}

func isHan(r rune) bool { return r >= 0x4e00 && r <= 0x9fff }

func joinedAsList(between string) bool {
	switch strings.TrimSpace(between) {
	case "、", "和", "及", "与", "或", "或者", "以及":
		return true
	}
	return false
}

// sameClause reports whether byte offsets i and j of s sit in one clause
// (no ，；。 between them).
func sameClause(s string, i, j int) bool {
	if i > j {
		i, j = j, i
	}
	return !strings.ContainsAny(s[i:j], "，；。：")
}

// statusSpellRe is how long a person has been in a status (登记失业半年以上,
// 连续失业1年以上, 退役满2年): the tag of the status is read elsewhere, the
// length has no key.
var statusSpellRe = regexp.MustCompile(`(?:连续|累计)?(?:登记失业|失业登记|失业|退役|离职|服役)(?:时间|期|期限)?(?:已)?(?:满|达到|达|超过|在)?(?:\d+|[一二三四五六七八九十两半])(?:个)?(?:年|个月)(?:（含）)?(?:及以上|以上|以内|以下)?`)

// statusSpells keeps each spell in a status as an unparsed condition when no
// rule read a number in it.
func statusSpells(s string, hits []hit) []hit {
	var out []hit
	for _, m := range statusSpellRe.FindAllStringIndex(s, -1) {
		read := false
		for _, h := range hits {
			if h.start >= m[0] && h.start < m[1] && h.cond.Kind() == corpus.NodeAtom && h.cond.Field != "tags" {
				read = true
			}
		}
		if !read {
			out = append(out, hit{cond: corpus.Unparsed(s[m[0]:m[1]]), start: m[0], end: m[1]})
		}
	}
	return out
}

// withUnread adds the unread groups and requirement segments of s to
// hits, in text order.
func withUnread(s string, hits []hit, groups bool) []hit {
	var extra []hit
	if groups {
		extra = append(unreadGroups(s, hits), statusSpells(s, hits)...)
	}
	extra = append(extra, unreadSegments(s, append(hits, extra...))...)
	if len(extra) == 0 {
		return hits
	}
	hits = append(hits, extra...)
	sort.SliceStable(hits, func(i, j int) bool { return hits[i].start < hits[j].start })
	return hits
}

// reqSegRe is a segment of a 、-joined run that states a requirement of its
// own (连续缴纳城乡居民养老保险满15年、年龄在60周岁以上;
// 面临暂时性生产经营困难且恢复有望、坚持不裁员): a verb of having, paying,
// living or facing, or a bound.
var reqSegRe = regexp.MustCompile(`缴纳|缴费|参保|参加|连续|累计|居住|面临|坚持|具有|具备|持有|取得|签订|拥有|通过|满\d|满[一二三四五六七八九十两]|以上|以下|以内|不低于|不超过|不少于|^无|^未|^没有|^非`)

// unreadSegments keeps, as unparsed conditions, the segments of a
// 、-joined run of requirements that no rule read, when another segment
// of the same run was read: the run is a list of requirements, and the
// unread ones would otherwise be lost behind the read one.
func unreadSegments(s string, hits []hit) []hit {
	var out []hit
	pos := 0
	for _, cl := range splitKeep(s, "，；。：") {
		k := strings.Index(s[pos:], cl)
		if k < 0 {
			continue
		}
		clStart := pos + k
		pos = clStart + len(cl)
		segs := commaItems(cl)
		if len(segs) < 2 || isGrant(cl) {
			continue // a grant's own list (免收…、…缴纳的年费) states no requirement
		}
		read := make([]bool, len(segs))
		anyRead := false
		for i, sg := range segs {
			a, b := clStart+sg[0], clStart+sg[1]
			for _, h := range hits {
				if h.start >= a && h.start < b || h.end > 0 && h.start < b && h.end > a {
					read[i], anyRead = true, true
					break
				}
			}
		}
		if !anyRead {
			continue
		}
		for i, sg := range segs {
			if read[i] {
				continue
			}
			t := trimPunct(strings.TrimLeft(strings.TrimSpace(cl[sg[0]:sg[1]]), "对凡且并"))
			if hanCount(t) < 4 || !reqSegRe.MatchString(t) || fillerRe.MatchString(t) || len(readThresholds(t)) > 0 {
				// a bound on a quantity outside the vocabulary is kept whole
				// by the clause rules
				continue
			}
			out = append(out, hit{cond: corpus.Unparsed(t), start: clStart + sg[0], end: clStart + sg[1]})
		}
	}
	return out
}

// commaItems splits a clause at 、 outside parentheses, returning byte
// ranges.
func commaItems(cl string) [][2]int { return splitTop(cl, "、") }
