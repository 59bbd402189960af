package extract

import (
	"regexp"

	"github.com/zhida/zhida/corpus"
)

// A part headed 有下列情形之一的，不予救助： lists the cases that are refused:
// its items hold for nobody who qualifies. Read as a plain list they became
// requirements (因违法犯罪行为导致伤病的 required of every applicant).

// refusedHeadRe is the head of a list of refused cases, written as a title
// or a lead line over numbered items.
var refusedHeadRe = regexp.MustCompile(`(?:下列|以下|如下)(?:情形|情况)(?:之一)?的?[，,]?(?:均|一律)?(?:不予|不得|不能|不再|不属于|不纳入|不列入|取消)`)

// refusedCases wraps the conditions read from the items of a list of
// refused cases (those after index from) into not(any(…)).
func refusedCases(head string, shared []condSource, from int) []condSource {
	if len(shared) <= from || !refusedHeadRe.MatchString(head) {
		return shared
	}
	var alts []corpus.Cond
	for _, s := range shared[from:] {
		alts = append(alts, s.cond)
	}
	cond := alts[0]
	if len(alts) > 1 {
		cond = corpus.Any(alts...)
	}
	first := shared[from]
	return append(shared[:from], condSource{cond: corpus.Not(cond), section: first.section, blk: first.blk})
}
