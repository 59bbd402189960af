package extract

import (
	"regexp"
	"strings"

	"github.com/zhida/zhida/corpus"
)

// A sentence that lists several grants, each with its own subject and
// amount (高企首次认定奖励30万元，小巨人奖励50万元，入库奖励2万元), sets
// each grant apart by its subject alone. When no rule reads a subject, it is
// kept unparsed: dropped, the grant would have no conditions of its own and
// be taken for a repeat of the one before it.

// splitGrantList cuts a clause at 、 when every piece is a grant with a
// subject of its own; 给予50万元、20万元奖励 (amounts only) stays whole.
func splitGrantList(clauses []string) []string {
	var out []string
	for _, cl := range clauses {
		if !strings.Contains(cl, "、") || !isGrant(cl) {
			out = append(out, cl)
			continue
		}
		parts := splitKeep(cl, "、")
		ok := len(parts) >= 2
		for _, p := range parts {
			ok = ok && isGrant(p) && ownSubject(p)
		}
		if !ok {
			out = append(out, cl)
			continue
		}
		out = append(out, parts...)
	}
	return out
}

// ownSubject reports a grant clause that names who gets it before its
// grant verb or amount.
func ownSubject(cl string) bool {
	subj := grantSubject(cl)
	return runeLen(subj) >= 2 && !capWordRe.MatchString(subj) && !notSubjectRe.MatchString(subj) && !strings.Contains(subj, "分别")
}

// grantSubject returns the words of a grant clause before its grant verb or
// amount, without 对/凡 and punctuation.
func grantSubject(cl string) string {
	end := len(cl)
	if m := grantVerbRe.FindStringIndex(cl); m != nil {
		end = m[0]
	}
	if m := amountRe.FindStringIndex(cl); m != nil && m[0] < end {
		end = m[0]
	}
	for _, w := range []string{"奖励", "补贴", "补助", "资助", "一次性"} {
		if k := strings.Index(cl[:end], w); k >= 0 && k < end && k > 0 {
			end = k
		}
	}
	t := trimPunct(cl[:end])
	t = strings.TrimPrefix(strings.TrimPrefix(t, "对"), "凡")
	return trimPunct(t)
}

// keepSiblingSubjects gives each grant of a sentence that lists several
// rewards with their own subjects (listedGrant) its subject as an unparsed
// condition when no rule read any condition in it. Caps and shares of
// another grant (单个企业最高…, 其中租金补助不超过…) are no such grants.
func keepSiblingSubjects(units []*unit, named map[string][]corpus.Cond) {
	var listed []*unit
	for _, u := range units {
		if listedGrant(u) && !namesDefined(u.text, named) {
			listed = append(listed, u)
		}
	}
	if len(listed) >= 2 {
		for _, u := range listed {
			if len(u.hits) == 0 {
				u.hits = append(u.hits, hit{cond: corpus.Unparsed(grantSubject(u.amount)), start: max(0, strings.LastIndex(u.text, u.amount))})
			}
		}
	}
	// 对交易额超过1000万元的企业，给予10万元奖励；超过5000万元的，给予30万元
	// 奖励 (one sentence after 分号 are two): the clauses before each grant
	// are its subject.
	var bands []*unit
	for _, u := range units {
		if amountRe.MatchString(u.amount) && !capWordRe.MatchString(u.amount) && !capStartRe.MatchString(u.amount) {
			bands = append(bands, u)
		}
	}
	if len(bands) < 2 {
		return
	}
	for _, u := range bands {
		if len(u.hits) > 0 || namesDefined(u.text, named) {
			continue
		}
		k := strings.LastIndex(u.text, u.amount)
		if k <= 0 {
			continue
		}
		subj := trimPunct(u.text[:k])
		subj = trimPunct(strings.TrimPrefix(strings.TrimPrefix(subj, "对"), "凡"))
		if runeLen(subj) < 2 || runeLen(subj) > 40 || fillerRe.MatchString(subj) || capWordRe.MatchString(subj) || strings.ContainsAny(subj, "；") {
			continue
		}
		u.hits = append(u.hits, hit{cond: corpus.Unparsed(subj), start: 0})
	}
}

// namesDefined reports a grant that names a class the text defines (第一类
// 资助对象每人每月400元): its conditions are the definition's.
func namesDefined(text string, named map[string][]corpus.Cond) bool {
	if len(named) > maxNames {
		return false // a compendium: look no further than the rules do
	}
	for n := range named {
		if strings.Contains(text, n) {
			return true
		}
	}
	return false
}

// notSubjectRe marks words before a grant that bound or share it rather
// than name who gets it.
var notSubjectRe = regexp.MustCompile(`单个|单家|每个|每家|每户|每人|其中|不足|低于|高于|超过|以上|以下|以内|应|须|资金|金额|额度|标准|比例|` +
	// 第一年补贴100%，第二年补贴50%: the years of one grant, not grants.
	`第[一二三四五六七八九十\d]+(?:年|个月|季度|期)|首年|次年|当年|每年|前[一二三四五\d]+年|后[一二三四五\d]+年`)

// listedGrant reports a grant of a list of rewards: its grant clause has a
// short subject of its own before the grant word and an amount that is no
// cap (重大项目奖励100万元).
func listedGrant(u *unit) bool {
	if !amountRe.MatchString(u.amount) || strings.ContainsAny(u.amount, "，；：") || capWordRe.MatchString(u.amount) || capStartRe.MatchString(u.amount) {
		return false
	}
	subj := grantSubject(u.amount)
	return runeLen(subj) >= 2 && runeLen(subj) <= 12 && !fillerRe.MatchString(subj) && !amountRe.MatchString(subj) &&
		!notSubjectRe.MatchString(subj) && !strings.HasSuffix(subj, "的")
}

// A grant whose subject is only a qualifier (…对首次认定的高新技术企业给予30
// 万元奖励；重新认定的，给予10万元奖励) speaks of the kind of subject the
// grant before it named: the qualifier changes, the kind stays.

// subjectKindRe is a word that names a kind of subject.
var subjectKindRe = regexp.MustCompile(`企业|公司|单位|机构|组织|人员|个人|家庭|老人|老年人|学生|毕业生|残疾人|农户|合作社|项目|平台|基地|中心|园区|孵化器|个体工商户|纳税人`)

// elliptical reports a grant whose subject names no kind of subject, only
// what it did (重新认定的, 通过复审的, 入选省级的).
func elliptical(u *unit) bool {
	subj := grantSubject(u.text)
	if !strings.HasSuffix(subj, "的") || runeLen(subj) > 16 || subjectKindRe.MatchString(subj) || strings.ContainsAny(subj, "由，") || capWordRe.MatchString(u.amount) {
		return false
	}
	for _, h := range u.hits {
		if h.subject {
			return false
		}
	}
	return true
}

// carrySubjects gives an elliptical grant the kind of subject (and its
// place) of the last grant read in the same block that named one.
func (c *collector) carrySubjects(units []*unit, b *block) {
	if c.lastSubjBlk != b {
		c.lastSubj, c.lastSubjBlk = nil, b
	}
	for _, u := range units {
		if elliptical(u) {
			for _, h := range c.lastSubj {
				h.start = 0
				u.hits = append(u.hits, h)
			}
			continue
		}
		// The kind (a tag) and where it is registered carry over; what the
		// earlier grant's subject did (首次认定) does not.
		var kinds []hit
		named := false
		for _, h := range u.hits {
			if h.cond.Kind() != corpus.NodeAtom {
				continue
			}
			switch {
			case h.subject && h.cond.Field == "tags":
				kinds = append(kinds, h)
				named = true
			case h.cond.Field == "region":
				kinds = append(kinds, h)
			}
		}
		if !named {
			continue
		}
		if len(kinds) > 0 {
			c.lastSubj = kinds
		}
	}
}

// shareLeadIn gives every grant of a sentence the conditions read in its
// lead-in, the clauses before a colon that precede the first grant
// (本市户籍的老年人按年龄段享受高龄津贴：80-89周岁…，90-99周岁…): the lead-in
// scopes the whole list, not only its first band.
func shareLeadIn(units []*unit, clauses []string, firstGrant int) {
	if len(units) < 2 || firstGrant <= 0 {
		return
	}
	lead := -1
	for i := 0; i < firstGrant; i++ {
		if strings.HasSuffix(strings.TrimSpace(clauses[i]), "：") {
			lead = i
		}
	}
	if lead < 0 {
		return
	}
	end := len(strings.Join(clauses[:lead+1], ""))
	var shared []hit
	for _, h := range units[0].hits {
		if h.start < end {
			shared = append(shared, h)
		}
	}
	for _, u := range units[1:] {
		if u.text == units[0].text {
			continue // a band of the same grant already holds them
		}
		for _, h := range shared {
			h.start = 0
			u.hits = append(u.hits, h)
		}
	}
}

// shareLineLeadIn is shareLeadIn across the sentences of one line: a
// lead-in before a colon in the line's first grant (对技术先进型服务企业给予
// 一次性奖励：首次认定的，15万元；复核通过的，5万元；…) scopes the grants of
// the sentences after it too.
func shareLineLeadIn(units []*unit) {
	if len(units) < 2 {
		return
	}
	u0 := units[0]
	k := strings.LastIndex(u0.text, "：")
	if k < 0 || k >= strings.LastIndex(u0.text, u0.amount) {
		return
	}
	var shared []hit
	for _, h := range u0.hits {
		if h.start < k {
			shared = append(shared, h)
		}
	}
	for _, u := range units[1:] {
		if u.text == u0.text || strings.Contains(u.text, u0.text[:k]) {
			continue
		}
		for _, h := range shared {
			h.start = 0
			u.hits = append(u.hits, h)
		}
	}
}
