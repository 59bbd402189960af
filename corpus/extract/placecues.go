package extract

import (
	"regexp"
	"strings"
)

// Where a place is named decides what it says about the subject. Two
// wordings the place rules did not cover:
//   - a place inside a document or card title (《广东省居住证》, 《XX市
//     残疾人证》) names the issuer of the paper, not where the person lives;
//     the clause's own place (在本市办理…) is the one that counts, so the
//     titled place is skipped when the clause names another place;
//   - a residence permit issued or applied for in a place (在本市办理…居住证,
//     取得广州市公安机关签发的居住证) says the person lives there:
//     residence_region, as 居住证 does elsewhere (CONTRACT §4).

// permitAfterRe follows a place at which a residence permit is issued.
var permitAfterRe = regexp.MustCompile(`^(?:内)?[^，。；]{0,16}?(?:办理|申领|签发|核发|取得)[^，。；]{0,24}?居住证`)

// residencePermitPlace reports a place whose following words issue a
// residence permit there.
func residencePermitPlace(after string) bool {
	return permitAfterRe.MatchString(after)
}

// inBookTitle reports whether byte offset i of s sits inside 《…》.
func inBookTitle(s string, i int) bool {
	open := strings.LastIndex(s[:i], "《")
	if open < 0 {
		return false
	}
	return !strings.Contains(s[open:i], "》")
}

// titledPlace reports a place inside a book title when the same clause
// names another place outside one.
func titledPlace(s string, p place, all []place) bool {
	if !inBookTitle(s, p.start) {
		return false
	}
	from := strings.LastIndexAny(s[:p.start], "，。；：")
	to := strings.IndexAny(s[p.end:], "，。；：")
	if to < 0 {
		to = len(s)
	} else {
		to += p.end
	}
	for _, q := range all {
		if q.start != p.start && q.start > from && q.start < to && !inBookTitle(s, q.start) {
			return true
		}
	}
	return false
}

// residenceBeforeRe ends the words before a place that is where a person
// lives (居住地在本市, 常住地为…, 现居住地属于…).
var residenceBeforeRe = regexp.MustCompile(`(?:居住地|常住地|经常居住地|现居住地|居所)(?:须|应|需)?(?:为|在|属于|位于)$`)

// eitherPlaceBeforeRe ends the words before a place that is a person's
// 户籍 or their residence (户籍地或居住地在本市): either will do.
var eitherPlaceBeforeRe = regexp.MustCompile(`(?:户籍|户口)(?:地|所在地)?(?:或者?|、)(?:居住地|常住地|经常居住地|居住证(?:登记|签发)?地)(?:均)?(?:须|应|需)?(?:为|在|属于|位于)$`)

// residencePlace reports a place named as where a person lives.
func residencePlace(before string) bool { return residenceBeforeRe.MatchString(before) }

// eitherPlace reports a place named as a person's 户籍 or residence.
func eitherPlace(before string) bool { return eitherPlaceBeforeRe.MatchString(before) }
