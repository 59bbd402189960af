package extract

import (
	"regexp"

	"github.com/zhida/zhida/corpus"
)

// A document for one kind of subject often has items for the other kind
// (a resident's 创业担保贷款 page also tells 小微企业 what they may borrow;
// an opinion on jobs for enterprises also funds unemployed persons). Such
// an item is not a benefit of the document's audience.

// personSubjectRe and firmSubjectRe name the subject a grant is for.
var (
	personSubjectRe = regexp.MustCompile(`人员|个人|劳动者|毕业生|农民工|青年|妇女|老年人|居民|本人`)
	firmSubjectRe   = regexp.MustCompile(`企业|单位|公司|商户|主体|机构|合作社|个体工商户|雇主`)
)

// personGrant reports a grant, in a text for enterprises, whose subject is
// a person and no firm (符合条件的人员自主创业的，可申请…贷款).
func personGrant(text string, a corpus.Audience) bool {
	if a != corpus.AudienceEnterprise || firmSubjectRe.MatchString(text) {
		return false
	}
	// The subject is the last noun named before the grant: 港澳青年创新创业
	// 孵化载体 is a carrier, not a young person.
	p := lastIndex(personSubjectRe, text)
	return p >= 0 && p > lastIndex(otherSubjectRe, text)
}

// otherSubjectRe names subjects that are neither persons nor firms.
var otherSubjectRe = regexp.MustCompile(`载体|平台|基地|园区|项目|空间|中心|协会|团队`)

func lastIndex(re *regexp.Regexp, s string) int {
	last := -1
	for _, m := range re.FindAllStringIndex(s, -1) {
		last = m[0]
	}
	return last
}

// otherAudienceBenefit reports a benefit whose read conditions all concern
// the other kind of subject than the document's: in a text for residents,
// a grant to 小微企业 with 从业人员 counts; in a text for enterprises, a
// grant for an age band of unemployed persons.
func otherAudienceBenefit(c corpus.Cond, a corpus.Audience) bool {
	if a == corpus.AudienceBoth || a == "" {
		return false
	}
	own, other := 0, 0
	for _, at := range c.Atoms() {
		f, ok := corpus.LookupField(at.Field)
		if !ok || f.Audience == corpus.AudienceBoth || f.Audience == "" {
			continue
		}
		if f.Audience == a {
			own++
		} else {
			other++
		}
	}
	return other > 0 && own == 0
}

// keepOwnAudience drops the benefits that belong to the other kind of
// subject than the document's.
func keepOwnAudience(bs []Benefit, a corpus.Audience) []Benefit {
	kept := bs[:0]
	for _, b := range bs {
		own := b.Audience
		if own == "" {
			own = a
		}
		if !otherAudienceBenefit(b.Conditions, own) {
			kept = append(kept, b)
		}
	}
	return kept
}

// firmGrantRe is a grant whose subject is a firm that hires or houses the
// persons a text is about (企业招用退役士兵…, 为安置…而新开办的企业,
// 毕业生创办的小微企业在…新招用…).
var firmGrantRe = regexp.MustCompile(`(?:企业|用人单位|公司)[^，。；]{0,6}(?:招用|吸纳|安置|新招用|聘用|录用)|(?:开办|创办|设立|领办)的(?:小微|小型|微型)?企业`)

// firmGrant reports, in a text for residents, a grant to a firm.
func firmGrant(text string, a corpus.Audience) bool {
	return a == corpus.AudienceResident && firmGrantRe.MatchString(text)
}

// personHeadRe is a section title naming a group of persons (自主就业退役
// 士兵, 随军家属, 高校毕业生).
var personHeadRe = regexp.MustCompile(`士兵|军人|干部|家属|遗属|家长|人员|毕业生|老年人|残疾人|青年|居民|个人|农民工|妇女|儿童|学生|劳动者`)

// headingAudience is the audience the titles of a text's parts name when
// at least two do and all name the same kind of subject (一、自主就业退役
// 士兵 二、随军家属: a text for residents, whatever firms it mentions on
// the way); empty otherwise.
func headingAudience(root *block) corpus.Audience {
	person, firm := 0, 0
	for _, b := range root.children {
		if !b.heading || b.level > levelOne {
			continue
		}
		p, f := personHeadRe.MatchString(b.head), firmSubjectRe.MatchString(b.head)
		switch {
		case p && !f:
			person++
		case f && !p:
			firm++
		}
	}
	switch {
	case person >= 2 && firm == 0:
		return corpus.AudienceResident
	case firm >= 2 && person == 0:
		return corpus.AudienceEnterprise
	}
	return ""
}
