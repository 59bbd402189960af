package extract

import (
	"regexp"
	"strings"

	"github.com/zhida/zhida/corpus"
)

// News items and summaries name some grants without their amount (同时，对
// 列入培育库的企业也进行奖励; 对入驻孵化器的初创企业给予房租补贴), beside
// others that have one. Such a grant is a benefit of its own when its
// subject says who gets it: the amount is for the regulations to fix, the
// eligibility is not.

// namelessGrantRe is the last clause of a sentence that grants a named kind
// of support and no amount.
var namelessGrantRe = regexp.MustCompile(`(?:也|还|同时|均|亦|将|可)?(?:进行|给予|予以)(?:一次性|适当|相应的?)?[^，。；：\d]{0,8}?(?:奖励|补贴|补助|资助|奖补|贴息|返还)[。；！]?$`)

// namelessSubjectRe opens the clause that names who gets it.
var namelessSubjectRe = regexp.MustCompile(`对|向`)

// namelessGrant returns a grant unit for the clauses of a sentence after
// its last grant when they grant without an amount, or nil: its subject must follow 对/向 and carry a condition read
// by the rules or a requirement kept unparsed; a lead-in to a list (…如下：)
// or a filler subject (符合条件的企业) is none.
func (c *collector) namelessGrant(clauses []string, top, b *block) *unit {
	// The grant ends at the first clause that names it; what follows
	// (参保单位向经办机构提供…) is how to claim it.
	t := ""
	for i, cl := range clauses {
		if namelessGrantRe.MatchString(strings.TrimRight(strings.TrimSpace(cl), "，")) {
			t = strings.TrimRight(strings.TrimSpace(strings.Join(clauses[:i+1], "")), "，")
			break
		}
	}
	if t == "" {
		return nil
	}
	m := namelessGrantRe.FindStringIndex(t)
	if m == nil || notGrantRe.MatchString(t) || strings.ContainsAny(t, "：:") || amountRe.MatchString(t) {
		return nil
	}
	k := namelessSubjectRe.FindStringIndex(t[:m[0]])
	if k == nil {
		return nil
	}
	subj := trimPunct(t[k[1]:m[0]])
	// The subject proper is its first clause (…有欠费，但…的企业，可按照…:
	// what follows may say how the grant is computed).
	head := subj
	if cl := splitKeep(subj, "，"); len(cl) > 0 {
		head = trimPunct(cl[0])
	}
	if runeLen(subj) < 4 || fillerRe.MatchString(head) || strings.HasPrefix(subj, "上述") || strings.HasPrefix(subj, "以上") {
		return nil
	}
	// The unit's words run from the clause that holds 对: the grant is its
	// own, not a case of the one before (assemble's base rule).
	from := 0
	for _, e := range clauseEnds(t[:k[0]]) {
		from = e
	}
	text := t[from:]
	u := &unit{text: text, amount: trimPunct(t[m[0]:]), section: top, blk: b, heading: headingOf(b), line: c.lineNo}
	u.hits = sentenceHits(text, c.ctx)
	u.hits = append(u.hits, c.subjectLeftovers(text, u.hits)...)
	if len(u.hits) == 0 {
		// No rule reads the subject: it still says who gets the grant when
		// it ends in a kind of subject (…列入培育库的企业).
		subj = strings.TrimRight(subj, "也还均亦将可同时")
		if !subjectKindRe.MatchString(lastRunes(subj, 3)) {
			return nil
		}
		u.hits = append(u.hits, hit{cond: corpus.Unparsed(subj), start: k[1] - from})
	}
	return u
}

// lastRunes returns the last n runes of s.
func lastRunes(s string, n int) string {
	rs := []rune(s)
	if len(rs) <= n {
		return s
	}
	return string(rs[len(rs)-n:])
}
