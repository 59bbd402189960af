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
