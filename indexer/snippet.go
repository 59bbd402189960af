package indexer

import (
	"html"
	"slices"
	"strings"
	"unicode/utf8"
)

// SnippetRunes is the length of a snippet, in characters.
const SnippetRunes = 80

// Snippet returns a passage of about SnippetRunes characters of text around
// the first occurrence of any of terms, with every occurrence in it between
// HighlightPre and HighlightPost and the rest HTML-escaped; "" when no term
// occurs. Terms are in folded form (as segment.Segmenter.QueryTerms gives
// them); fold must keep rune positions, so that matches in the folded text
// mark the same characters of the original. ASCII letters match in any case.
func Snippet(text string, terms []string, fold func(string) string) string {
	if text == "" || len(terms) == 0 {
		return ""
	}
	folded := text
	if fold != nil {
		folded = fold(text)
	}
	if utf8.RuneCountInString(folded) != utf8.RuneCountInString(text) {
		text = folded // the folder broke its contract: show the folded text
	}
	folded = lowerASCII(folded)

	// Matches as [start, end) byte ranges of folded, merged where they touch.
	var ranges [][2]int
	for _, t := range terms {
		t = lowerASCII(t)
		if t == "" {
			continue
		}
		for off := 0; ; {
			i := strings.Index(folded[off:], t)
			if i < 0 {
				break
			}
			ranges = append(ranges, [2]int{off + i, off + i + len(t)})
			off += i + len(t)
		}
	}
	if len(ranges) == 0 {
		return ""
	}
	ranges = mergeRanges(ranges)

	// Byte offset of each rune in folded and in text (same rune positions).
	fOff := runeOffsets(folded)
	tOff := runeOffsets(text)
	runeAt := func(b int) int { // rune index of byte offset b in folded
		lo, hi := 0, len(fOff)-1
		for lo < hi {
			mid := (lo + hi) / 2
			if fOff[mid] < b {
				lo = mid + 1
			} else {
				hi = mid
			}
		}
		return lo
	}
	n := len(fOff) - 1
	first := runeAt(ranges[0][0])
	from := max(0, first-SnippetRunes/4)
	to := min(n, from+SnippetRunes)
	from = max(0, min(from, to-SnippetRunes))

	var b strings.Builder
	if from > 0 {
		b.WriteString("…")
	}
	at := from
	for _, r := range ranges {
		s, e := runeAt(r[0]), runeAt(r[1])
		if s >= to {
			break
		}
		if e <= at {
			continue
		}
		s = max(s, at)
		e = min(e, to)
		b.WriteString(html.EscapeString(text[tOff[at]:tOff[s]]))
		b.WriteString(HighlightPre)
		b.WriteString(html.EscapeString(text[tOff[s]:tOff[e]]))
		b.WriteString(HighlightPost)
		at = e
	}
	b.WriteString(html.EscapeString(text[tOff[at]:tOff[to]]))
	if to < n {
		b.WriteString("…")
	}
	return b.String()
}

// runeOffsets returns the byte offset of each rune of s, then len(s).
func runeOffsets(s string) []int {
	out := make([]int, 0, len(s)/2+1)
	for i := range s {
		out = append(out, i)
	}
	return append(out, len(s))
}

// mergeRanges sorts ranges and merges those that overlap or touch.
func mergeRanges(r [][2]int) [][2]int {
	slices.SortFunc(r, func(a, b [2]int) int { return a[0] - b[0] })
	out := r[:1]
	for _, x := range r[1:] {
		last := &out[len(out)-1]
		if x[0] <= last[1] {
			last[1] = max(last[1], x[1])
			continue
		}
		out = append(out, x)
	}
	return out
}

// lowerASCII lower-cases ASCII letters only, keeping byte offsets.
func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; 'A' <= c && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if 'A' <= b[j] && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}
