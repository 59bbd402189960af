package extract

import "strings"

// A part of a policy often lists what it grants as numbered items under a
// title that is neither 支持标准 nor 申报条件 (二、支持政策 1.研发投入补助。
// 按…给予补助 2.技术改造补助。… 6.品牌建设奖励。给予一次性奖励20万元). Each
// item is a thing granted with its own amount, whether or not its words
// carry a condition of their own; the conditions of the part's siblings
// (一、支持对象) hold for every item.

// grantLists returns the blocks whose numbered children are a list of
// grants: at least two of them grant something (isGrant) in their own
// words or below. Lists of conditions, procedure and metadata are none.
func grantLists(root *block) map[*block]bool {
	out := map[*block]bool{}
	grants := map[*block]bool{}
	var has func(b *block) bool
	has = func(b *block) bool {
		if v, ok := grants[b]; ok {
			return v
		}
		v := false
		if b.kind != kindProcedure && b.kind != kindMeta && b.kind != kindCondition {
			for _, l := range b.lines {
				for _, cl := range splitKeep(l, "，。；：") {
					if isGrant(cl) {
						v = true
						break
					}
				}
				if v {
					break
				}
			}
			for _, ch := range b.children {
				if has(ch) {
					v = true
				}
			}
		}
		grants[b] = v
		return v
	}
	var visit func(b *block)
	visit = func(b *block) {
		n := 0
		for _, ch := range b.children {
			if ch.level >= levelOne && !ch.inLabel && has(ch) {
				n++
			}
			visit(ch)
		}
		if n >= 2 && b.kind != kindCondition && b.kind != kindProcedure && b.kind != kindMeta {
			out[b] = true
		}
	}
	visit(root)
	return out
}

// grantItemOf returns the item of a list of grants a block sits in: the
// numbered item under a 支持标准-like heading (grantItem), or else the
// innermost numbered item of a list grantLists found; nil when neither.
func (c *collector) grantItemOf(b *block) *block {
	if item := grantItem(b); item != nil {
		return item
	}
	for x := b; x != nil && x.parent != nil; x = x.parent {
		if x.level >= levelOne && !x.inLabel && c.grantLists[x.parent] && !isSubjectLabel(x) {
			return x
		}
	}
	return nil
}

// itemBenefitName names a benefit after the title sentence of its item in a
// list of grants (1.研发投入补助。按…给予补助 → 研发投入补助（按…）), else as
// benefitName does.
func (c *collector) itemBenefitName(u *unit) string {
	item := c.grantItemOf(u.blk)
	if item == nil || item.heading || len(item.lines) == 0 || u.heading == measureTitle(item) && u.heading != "" {
		return benefitName(u)
	}
	title := strings.TrimSuffix(measureTitleRe.FindString(item.lines[0]), "。")
	if title == "" || isGrant(title) {
		return benefitName(u)
	}
	named := *u
	named.heading = title
	return benefitName(&named)
}
