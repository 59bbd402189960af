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
	return a == corpus.AudienceEnterprise && personSubjectRe.MatchString(text) && !firmSubjectRe.MatchString(text)
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
