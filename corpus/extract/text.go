package extract

import (
	"strings"
	"unicode/utf8"

	"github.com/zhida/zhida/corpus/zhnorm"
)

// normalize prepares policy text for the pattern rules: Simplified script,
// half-width digits, Chinese sentence punctuation (ASCII , ; : ( ) between
// Chinese words become ，；：（）), one line per paragraph. Spans reported in
// atoms are taken from this text.
func normalize(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	s = zhnorm.Fold(s)
	if looksWrapped(s) {
		s = zhnorm.JoinWraps(s)
	}
	rs := []rune(s)
	for i, r := range rs {
		switch r {
		case '(':
			rs[i] = '（'
		case ')':
			rs[i] = '）'
		case ',':
			if !(i > 0 && isDigit(rs[i-1]) && i+1 < len(rs) && isDigit(rs[i+1])) {
				rs[i] = '，'
			}
		case ';':
			rs[i] = '；'
		case ':':
			// Keep 12:30 and https:// as they are.
			if !(i > 0 && isASCIIAlnum(rs[i-1]) && i+1 < len(rs) && (isDigit(rs[i+1]) || rs[i+1] == '/')) {
				rs[i] = '：'
			}
		case '髙':
			rs[i] = '高' // a common variant that OpenCC leaves alone
		case '釆':
			rs[i] = '采'
		case '—', '－', '–':
			rs[i] = '-'
		case '～', '〜':
			rs[i] = '~'
		case '\t':
			rs[i] = ' '
		}
	}
	return string(rs)
}

func isDigit(r rune) bool { return r >= '0' && r <= '9' }

func isASCIIAlnum(r rune) bool {
	return isDigit(r) || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z')
}

// splitKeep splits s after every rune in seps, keeping the separator with the
// piece before it; parentheses and book-title marks protect what they hold.
func splitKeep(s string, seps string) []string {
	var out []string
	depth := 0
	start := 0
	for i, r := range s {
		switch r {
		case '（', '《', '“', '【', '〔':
			depth++
			continue
		case '）', '》', '”', '】', '〕':
			if depth > 0 {
				depth--
			}
			continue
		}
		if depth == 0 && strings.ContainsRune(seps, r) {
			end := i + utf8.RuneLen(r)
			if p := strings.TrimSpace(s[start:end]); p != "" {
				out = append(out, p)
			}
			start = end
		}
	}
	if p := strings.TrimSpace(s[start:]); p != "" {
		out = append(out, p)
	}
	return out
}

// trimPunct removes sentence punctuation and spaces at both ends.
func trimPunct(s string) string {
	return strings.Trim(s, " ，。；：、,.;:！？!?")
}

// runeLen is the length of s in runes.
func runeLen(s string) int { return utf8.RuneCountInString(s) }

// looksWrapped reports text laid out at a fixed width (a PDF or OCR page):
// many lines run to the margin without ending a sentence. Text written one
// paragraph per line is left alone, so a title is never joined to the line
// after it.
func looksWrapped(s string) bool {
	lines := strings.Split(s, "\n")
	// A table flattened to rows of |-separated cells (tableRows) runs to the
	// margin without ending a sentence, but each row is a line of its own.
	kept := lines[:0:0]
	for _, l := range lines {
		if strings.Count(l, "|") < 2 {
			kept = append(kept, l)
		}
	}
	lines = kept
	widest, n := 0, 0
	for _, l := range lines {
		if w := runeLen(strings.TrimSpace(l)); w > 0 {
			n++
			widest = max(widest, w)
		}
	}
	if n < 4 {
		return false
	}
	full := 0
	for _, l := range lines {
		l = strings.TrimSpace(l)
		if runeLen(l) >= widest*4/5 && !strings.ContainsAny(lastRune(l), "。；！？：") {
			full++
		}
	}
	return full >= 3 && full*5 >= n
}

func lastRune(s string) string {
	if s == "" {
		return ""
	}
	r, _ := utf8.DecodeLastRuneInString(s)
	return string(r)
}
