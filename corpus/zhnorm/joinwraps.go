package zhnorm

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// JoinWraps joins lines that a fixed-width layout (a PDF, an OCR page)
// broke inside a sentence. A line is joined to the next when it does not
// end a sentence (。；！？：), it is close to the widest line of the text
// (so it ran into the margin), and the next line does not start a new item
// (一、 （一） 1. (1) ① 第X条, a 标签： field label) or a blank line. Text
// written one paragraph per line is returned unchanged. Between two Latin
// letters or digits a space is kept; otherwise the break is removed.
func JoinWraps(s string) string {
	lines := strings.Split(s, "\n")
	if len(lines) < 2 {
		return s
	}
	widest := 0
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t\r")
		widest = max(widest, displayWidth(lines[i]))
	}
	// A wrapped line fills most of the measure; allow for justification and
	// a few wide punctuation marks.
	full := widest * 4 / 5
	var b strings.Builder
	b.Grow(len(s))
	for i, l := range lines {
		b.WriteString(l)
		if i == len(lines)-1 {
			break
		}
		next := strings.TrimLeft(lines[i+1], " \t\u3000")
		if wrapped(l, full) && next != "" && !startsItem(next) {
			last, _ := utf8.DecodeLastRuneInString(l)
			first, _ := utf8.DecodeRuneInString(next)
			if isLatin(last) && isLatin(first) {
				b.WriteByte(' ')
			}
			lines[i+1] = next
			continue
		}
		b.WriteByte('\n')
	}
	return b.String()
}

func wrapped(line string, full int) bool {
	if line == "" || displayWidth(line) < full {
		return false
	}
	last, _ := utf8.DecodeLastRuneInString(line)
	switch last {
	case '。', '；', '！', '？', '：', ':', ';', '!', '?':
		return false
	}
	return true
}

// displayWidth counts wide (CJK, full-width) runes as 2 columns.
func displayWidth(s string) int {
	w := 0
	for _, r := range s {
		if r < 0x1100 {
			w++
		} else {
			w += 2
		}
	}
	return w
}

func isLatin(r rune) bool { return r < 0x80 && (unicode.IsLetter(r) || unicode.IsDigit(r)) }

// startsItem reports whether a line opens a new numbered item, article or
// labelled field rather than continuing a sentence.
func startsItem(line string) bool {
	rs := []rune(line)
	if len(rs) == 0 {
		return false
	}
	r0 := rs[0]
	switch {
	case r0 >= '①' && r0 <= '⑳', r0 == '第' && strings.ContainsAny(string(rs[1:min(len(rs), 6)]), "条章节"),
		r0 == '附' && strings.HasPrefix(line, "附件"), r0 == '•', r0 == '·', r0 == '-', r0 == '—' && len(rs) > 1 && rs[1] != '—':
		return true
	case r0 == '（' || r0 == '(':
		// （一） (1) （1）
		j := 1
		for j < len(rs) && j < 5 && (isDigit(rs[j]) || strings.ContainsRune(chineseNumerals, rs[j])) {
			j++
		}
		return j > 1 && j < len(rs) && (rs[j] == '）' || rs[j] == ')')
	case isDigit(r0):
		j := 0
		for j < len(rs) && isDigit(rs[j]) {
			j++
		}
		return j < len(rs) && j <= 2 && strings.ContainsRune(".．、)）", rs[j]) && !(j+1 < len(rs) && isDigit(rs[j+1]))
	case strings.ContainsRune(chineseNumerals, r0):
		j := 0
		for j < len(rs) && j < 4 && strings.ContainsRune(chineseNumerals, rs[j]) {
			j++
		}
		return j < len(rs) && rs[j] == '、'
	}
	// A short field label: 依据文件： 条件要求：
	if k := strings.IndexAny(line, "：:"); k > 0 {
		label := line[:k]
		n := utf8.RuneCountInString(label)
		return n >= 2 && n <= 6 && !strings.ContainsAny(label, "，。；、 ")
	}
	return false
}

const chineseNumerals = "一二三四五六七八九十百零〇"
