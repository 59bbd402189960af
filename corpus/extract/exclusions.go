package extract

import (
	"regexp"
	"strings"

	"github.com/zhida/zhida/corpus"
)

// A status can be named to exclude it: 非在校学生, 不包括在校学生, 不含已就业
// 人员, （在校学生除外）, 在校生不在此列. The status rules read the words of the
// status only; read as written they would require the very status the text
// rules out. flipExcluded turns such a status atom into its opposite
// (employment eq student → employment ne student).

// excludeBeforeRe ends the words just before an excluded status.
// 非全日制 is part-time, not an exclusion: 非 must touch the status.
var excludeBeforeRe = regexp.MustCompile(`(?:非|(?:不含|不包括|不包含|不属于|除|排除)(?:全日制|普通高校|各类学校的?)?)$`)

// excludeAfterRe starts the words just after an excluded status.
var excludeAfterRe = regexp.MustCompile(`^(?:人员|学生|的人员)?(?:）)?(?:除外|不在此列|不属于[^，。；]{0,6}范围|不得申请|不予)`)

// flipExcluded flips the employment atoms of a sentence that the words
// around them exclude. Only atoms whose span is known (end > 0) are
// considered.
func flipExcluded(s string, hits []hit) []hit {
	for i, h := range hits {
		c := h.cond
		if c.Kind() != corpus.NodeAtom || c.Field != "employment" || h.end <= h.start || h.end > len(s) {
			continue
		}
		before, after := s[:h.start], s[h.end:]
		if excludeBeforeRe.MatchString(before) && !strings.HasSuffix(before, "免除") || excludeAfterRe.MatchString(after) {
			hits[i].cond = negateAtom(c)
		}
	}
	return hits
}

// A degree is often one of several qualifications (本科及以上学历或中级及
// 以上职称, 大专以上学历或高级工以上职业资格): the other qualification has no
// key, but it is an alternative, not nothing — without it a subject with the
// title and no degree would be refused.

// orQualificationRe is 或 and a qualification with no profile key.
var orQualificationRe = regexp.MustCompile(`^(?:（含）)?(?:学历|学位)?(?:或者?|或具有|或取得|或持有)([^，。；、]{0,16}(?:职称|职业资格|技能等级|职业技能|执业资格|资格证书|技师|高级工))`)

// qualificationAlternatives returns an unparsed hit for a qualification
// offered as an alternative to a degree read in s.
func qualificationAlternatives(s string, hits []hit) []hit {
	var out []hit
	for _, h := range hits {
		if h.cond.Kind() != corpus.NodeAtom || h.cond.Field != "degree" {
			continue
		}
		// The degree's words end at the first 或 after its start.
		k := strings.Index(s[h.start:], "或")
		if k < 0 {
			continue
		}
		at := h.start + k
		// Step back over 学历/学位 and （含）, which the pattern allows.
		from := at
		for _, w := range []string{"学历", "学位", "（含）"} {
			if strings.HasSuffix(s[:from], w) {
				from -= len(w)
			}
		}
		m := orQualificationRe.FindStringSubmatchIndex(s[from:])
		if m == nil || strings.ContainsAny(s[h.start:from], "，。；") {
			continue
		}
		out = append(out, hit{cond: corpus.Unparsed(s[from+m[2] : from+m[3]]), start: from + m[2], end: from + m[3]})
	}
	return out
}
