package extract

import (
	"regexp"

	"github.com/zhida/zhida/corpus"
)

// A part of a text may itself be the benefit: 二、阶段性降低失业保险费率
// （一）享受对象：参加失业保险企业. Its title names what is granted and its
// body says only who qualifies; there is no amount to find. Such a part is
// a benefit of its own, and its conditions govern only it.

// grantTitleRe is a part title that names a grant.
var grantTitleRe = regexp.MustCompile(`降低|减免|减征|免征|补贴|补助|奖励|返还|贴息|资助|津贴|缓缴|优惠`)

// titleBenefitSections returns, in order, the top parts that grant by
// their title alone: titled by a grant, holding conditions and no grant
// clause, in a text where other parts grant something.
func (c *collector) titleBenefitSections(secHasUnits map[*block]bool) []*block {
	seen := map[*block]bool{}
	var out []*block
	for _, s := range c.shared {
		sec := s.section
		if sec == nil || seen[sec] || secHasUnits[sec] {
			continue
		}
		// An answer on who qualifies for a benefit the question names is
		// that benefit's (qa.go), whether or not the page grants elsewhere.
		if !sec.qaBenefit && (len(secHasUnits) == 0 || !sec.heading || sec.level > levelOne ||
			(sec.kind != kindOther && sec.kind != kindAmount) || !grantTitleRe.MatchString(sec.head)) {
			continue
		}
		seen[sec] = true
		out = append(out, sec)
	}
	return out
}

// titleBenefits builds the benefits of those parts from their own
// conditions.
func (c *collector) titleBenefits(secs []*block) []Benefit {
	if len(secs) == 0 {
		return nil
	}
	want := map[*block]bool{}
	for _, sec := range secs {
		want[sec] = true
	}
	conds := map[*block][]corpus.Cond{}
	for _, s := range c.shared { // one pass: a long text has many conditions
		if want[s.section] {
			conds[s.section] = append(conds[s.section], s.cond)
		}
	}
	var out []Benefit
	// Two questions on who qualifies for one benefit (申请对象有哪些,
	// 申请条件有哪些) are one benefit's answers (qa.go).
	into := map[*block]*block{} // a later question's part → the first one's
	var firsts []*block
	for _, sec := range secs {
		if !sec.qaBenefit {
			continue
		}
		if first := sameQABenefit(firsts, sec.head); first != nil {
			conds[first] = append(conds[first], conds[sec]...)
			if first.qaAmount == "" {
				first.qaAmount = sec.qaAmount
			}
			into[sec] = first
			continue
		}
		firsts = append(firsts, sec)
	}
	for _, sec := range secs {
		if into[sec] != nil {
			continue
		}
		b := Benefit{Name: sec.head, Conditions: fitAudience(simplify(conds[sec]), c.ctx.audience)}
		if sec.qaAmount != "" {
			b.Amount, b.Calc = sec.qaAmount, parseAmount(sec.qaAmount)
		}
		out = append(out, b)
	}
	return out
}
