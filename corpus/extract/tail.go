package extract

import (
	"regexp"
	"strings"
)

// tailReqRe opens a clause after a grant that states what its recipient
// must meet (…发放高龄津贴100元，申领人须具有本区户籍且在本区居住满1年).
var tailReqRe = regexp.MustCompile(`^(?:申请人|申领人|申报人|申请对象|享受对象|补贴对象|发放对象|救助对象|资助对象|上述人员|以上人员|上述对象|申请单位|申报单位|申报企业|享受企业)?(?:均|应|须|需|必须|应当)(?:同时)?(?:具有|具备|满足|符合|为|是|在|持有|已|未|无|年满|属于)`)

// trailingRequirements reads the clauses after the last grant of a
// sentence into u when they open with a requirement of the recipient: the
// clauses are appended to the unit's text and their conditions to its hits.
func (c *collector) trailingRequirements(u *unit, rest []string) {
	tail := strings.Join(rest, "")
	if tail == "" || !tailReqRe.MatchString(strings.TrimLeft(tail, "，： ")) {
		return
	}
	hits := sentenceHits(tail, c.ctx)
	hits = append(hits, c.leftovers(tail, hits, true)...)
	if len(hits) == 0 {
		return
	}
	off := len(u.text)
	for i := range hits {
		hits[i].start += off
		if hits[i].end > 0 {
			hits[i].end += off
		}
	}
	u.text += tail
	u.hits = append(u.hits, hits...)
}
