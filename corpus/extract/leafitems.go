package extract

import "strings"

// clauseItem reports a numbered item read as a title that is a clause of a
// list instead: its text ends like a clause (…户籍已迁出本市的), or the items
// numbered like it before it are content. The last item of a list
// (（三）户籍已迁出本市的。) was otherwise kept as the title of nothing and
// its condition was lost. (Hook in demoteLeafHeadings, structure.go.)
func clauseItem(b *block) bool {
	if strings.HasSuffix(b.head, "的") || strings.HasSuffix(b.head, "者") {
		return true
	}
	if b.parent == nil {
		return false
	}
	prev := 0
	for _, sib := range b.parent.children {
		if sib == b {
			break
		}
		if sib.level != b.level {
			continue
		}
		if sib.heading {
			return false
		}
		prev++
	}
	return prev > 0
}
