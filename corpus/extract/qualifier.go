package extract

import (
	"regexp"
	"strings"

	"github.com/zhida/zhida/corpus"
)

// A grant's subject is often a noun the rules read with a qualifier in
// front that they cannot (对培训合格的失业人员给予…, 面临暂时困难的参保企业).
// Dropping the qualifier makes every 失业人员 look eligible; it is kept as
// an unparsed condition instead.

// qualifierRe is a qualifier clause before 的 that adds nothing (所有的,
// 上述的, 符合条件的).
var qualifierStopRe = regexp.MustCompile(`^(?:所有|全部|各类|其他|其它|相关|上述|有关|以上|新|本|该|其|其中|符合条件|符合规定|符合要求|具备条件)$`)

// qualifierLeftovers returns an unparsed hit for each qualifier X of a
// subject "X的Y" in the words before a grant, where Y was read (a tag, an
// employment status, a kind of firm) and X was not.
//
// vague marks text where 符合条件的 points at no list of conditions (a
// measure of an opinion leaves them to regulations): there it is kept too.
func qualifierLeftovers(text string, hits []hit, vague bool) []hit {
	subj := text
	if m := grantVerbRe.FindStringIndex(text); m != nil {
		subj = text[:m[0]]
	}
	var out []hit
	pos := 0
	for _, cl := range splitKeep(subj, "，；：、") {
		k := strings.Index(subj[pos:], cl)
		if k < 0 {
			continue
		}
		start := pos + k
		pos = start + len(cl)
		de := strings.Index(cl, "的")
		if de <= 0 {
			continue
		}
		// The subject starts after its preposition (对…, 优先为…提供).
		lead := 0
		for _, p := range []string{"对于", "对", "为", "凡", "向", "其中"} {
			if k := strings.LastIndex(cl[:de], p); k >= 0 && k+len(p) > lead {
				lead = k + len(p)
			}
		}
		if de <= lead {
			continue
		}
		q := cl[lead:de]
		qa, qb := start+lead, start+de
		ya, yb := start+de+len("的"), start+len(cl)
		if strings.Contains(q, "或") {
			continue // alternatives: the 或 reading places them, not a qualifier
		}
		if vague && vagueCondRe.MatchString(q) {
			// kept: the conditions it points at are not in the text
		} else if qualifierStopRe.MatchString(q) || runeLen(q) > 20 || hanCount(q) < 2 || fillerRe.MatchString(q) {
			continue
		}
		readQ, readY := false, false
		for _, h := range hits {
			if h.start >= qa && h.start < qb {
				readQ = true
			}
			if h.cond.Kind() == corpus.NodeAtom && h.cond.Field == corpus.FieldUnparsed && h.cond.Text != "" &&
				(strings.Contains(h.cond.Text, q) || strings.Contains(q, h.cond.Text)) {
				readQ = true // already kept by another rule
			}
			if h.start >= ya && h.start < yb && subjectHit(h) {
				readY = true
			}
		}
		if readY && !readQ {
			out = append(out, hit{cond: corpus.Unparsed(q + "的"), start: qa, end: qb})
		}
	}
	return out
}

// vagueCondRe is a qualifier that only points at conditions stated
// elsewhere.
var vagueCondRe = regexp.MustCompile(`^符合(?:条件|规定|要求)$`)

// subjectHit reports a hit that names who the subject is.
func subjectHit(h hit) bool {
	if h.subject {
		return true
	}
	if h.cond.Kind() != corpus.NodeAtom {
		return false
	}
	switch h.cond.Field {
	case "tags", "employment", "scale", "insured_employees":
		return true
	}
	return false
}

// conditionalLeftovers keeps a grant's leading conditional clause (合伙创业
// 的，最高…) unparsed when the rules read nothing in it: "…的，" states who
// qualifies by definition.
func conditionalLeftovers(text string, hits []hit) []hit {
	cls := splitKeep(text, "，")
	if len(cls) < 2 {
		return nil
	}
	first := strings.TrimSuffix(cls[0], "，")
	if !strings.HasSuffix(first, "的") {
		return nil
	}
	end := strings.Index(text, cls[0]) + len(first)
	for _, h := range hits {
		if h.start < end {
			return nil
		}
	}
	q := strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(first, "对"), "凡"), "的")
	if qualifierStopRe.MatchString(q) || hanCount(q) < 2 || runeLen(q) > 30 || fillerRe.MatchString(q) || dateLeadRe.MatchString(q) {
		return nil
	}
	return []hit{{cond: corpus.Unparsed(first), start: 0, end: end}}
}

// dateLeadRe is a clause that only dates what follows (2019年1月1日起的).
var dateLeadRe = regexp.MustCompile(`^\d{4}年|^自|^从`)

// continuesSubject reports a conditional that names no subject of its own
// (合伙创业的, 再次申请的): it narrows the grant stated before it.
func continuesSubject(clause string) bool {
	return !personSubjectRe.MatchString(clause) && !firmSubjectRe.MatchString(clause) && !personHeadRe.MatchString(clause) && !strings.Contains(clause, "职工")
}

// lastUnitIn reports whether the grant read just before (in this sentence,
// else in the text so far) sits in block b: only then can a grant continue
// its subject.
func (c *collector) lastUnitIn(sentence []*unit, b *block) bool {
	if len(sentence) > 0 {
		return sentence[len(sentence)-1].blk == b
	}
	return len(c.units) > 0 && c.units[len(c.units)-1].blk == b
}
