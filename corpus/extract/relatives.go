package extract

import (
	"regexp"

	"github.com/zhida/zhida/corpus"
)

// Residents are often described by the people they care for or live with
// (家庭中有未满16周岁子女的, 赡养60周岁以上老人的, 抚养3周岁以下婴幼儿的,
// 配偶为残疾人的, 子女为在校学生的). The ages, registers and statuses in
// those words are the relative's, not the applicant's: the profile holds no
// key for them, so they are kept as one unparsed clause. Read as the
// applicant's own, they refuse every adult who does care for a child.

var (
	// relativeIsRe is a relative and what they are (配偶为残疾人, 子女系在校学生).
	relativeIsRe = regexp.MustCompile(`(?:子女|配偶|父母(?:一方|双方)?|父亲|母亲|家庭成员|被赡养人|被抚养人|监护人)(?:均|一方)?(?:为|是|系|属于|持有|具有)[^，。；]{1,20}?(?:的|$)`)
	// relativeCareRe is a relative one has, cares for or lives with (有未满
	// 16周岁子女, 赡养60周岁以上老人, 抚养3周岁以下婴幼儿).
	relativeCareRe = regexp.MustCompile(`(?:育有|家中有|家庭中有|赡养|抚养|扶养|照料|照顾|护理|监护|共同生活的)[^，。；]{0,20}?(?:子女|老人|老年人|婴幼儿|儿童|孩子|父母|配偶|家庭成员|残疾人)`)
)

// programmeAfterVerbRe is a care verb that begins a programme's name
// (护理补贴, 照料补助) rather than saying whom one cares for.
var programmeAfterVerbRe = regexp.MustCompile(`^(?:护理|照料|照顾|监护|赡养|抚养|扶养)(?:补贴|补助|津贴|费|服务|机构|险|保险)`)

// relativePeople keeps the words about an applicant's relatives out of the
// applicant's conditions.
func relativePeople(s string, hits []hit) []hit {
	var spans [][]int
	spans = append(spans, relativeIsRe.FindAllStringIndex(s, -1)...)
	for _, sp := range relativeCareRe.FindAllStringIndex(s, -1) {
		// 护理补贴标准为二级残疾人…: a programme's name, not a carer.
		if !programmeAfterVerbRe.MatchString(s[sp[0]:]) {
			spans = append(spans, sp)
		}
	}
	if len(spans) == 0 {
		return hits
	}
	inSpan := func(h hit) []int {
		for _, sp := range spans {
			if h.start >= sp[0] && h.start < sp[1] {
				return sp
			}
		}
		return nil
	}
	var out []hit
	used := map[int]bool{}
	for _, h := range hits {
		sp := inSpan(h)
		if sp == nil || !(residentOnly(h.cond) || placeOnly(h.cond)) {
			out = append(out, h)
			continue
		}
		if !used[sp[0]] {
			used[sp[0]] = true
			out = append(out, hit{cond: corpus.Unparsed(trimPunct(s[sp[0]:sp[1]])), start: sp[0], end: sp[1]})
		}
	}
	return out
}

// placeOnly reports a condition on a person's 户籍 or residence only.
func placeOnly(c corpus.Cond) bool {
	for _, a := range c.Atoms() {
		if a.Field != "region" && a.Field != "residence_region" {
			return false
		}
	}
	return len(c.Atoms()) > 0
}
