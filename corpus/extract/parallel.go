package extract

// Guides often split one list of subjects over two sections: 申请条件 with
// 1.个人 … 2.小微企业 …, then 贷款标准 with 1.个人 … 2.小微企业 … again. The
// items that share a label belong together: the conditions under 个人
// govern the amount under 个人, not the one under 小微企业.

// maxLabelRunes is the longest item title taken for a label.
const maxLabelRunes = 10

// parallelLabels returns the item titles that occur more than once in a
// document (个人, 小微企业).
func parallelLabels(root *block) map[string]bool {
	count := map[string]int{}
	var visit func(b *block)
	visit = func(b *block) {
		for _, ch := range b.children {
			if isSubjectLabel(ch) {
				count[ch.head]++
			}
			visit(ch)
		}
	}
	visit(root)
	out := map[string]bool{}
	for h, n := range count {
		if n > 1 {
			out[h] = true
		}
	}
	return out
}

// labelOf returns the parallel label a block sits under, or "".
func labelOf(b *block, labels map[string]bool) string {
	for x := b; x != nil; x = x.parent {
		if isSubjectLabel(x) && labels[x.head] {
			return x.head
		}
	}
	return ""
}

// loanSection reports a block under a heading about loan amounts (贷款标准
// 及期限, 贷款额度): there the cap (最高额度20万元) is what is granted.
func loanSection(b *block) bool {
	for x := b; x != nil; x = x.parent {
		if x.heading && x.kind == kindAmount && loanHeadRe.MatchString(x.head) {
			return true
		}
	}
	return false
}

// isSubjectLabel reports a numbered item titled by a kind of subject only
// (1.个人, 2.小微企业), not a field label (补贴条件, 补贴标准).
func isSubjectLabel(b *block) bool {
	return b.heading && !b.inLabel && b.level >= levelNum && runeLen(b.head) <= maxLabelRunes &&
		classifyHeading(b.head, false) == kindOther && (personHeadRe.MatchString(b.head) || firmSubjectRe.MatchString(b.head))
}
