package extract

import (
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Web pages often serve a policy as one run-on line: the line breaks of the
// document are lost and its numbered items follow each other inside the
// line (…参保企业，（二）享受条件1.参保企业足额缴纳…，2.对…，二、阶段性…).
// breakRunOn puts every such item back on a line of its own, so that the
// structure reader sees the document's outline again.

// runOnMinRunes is how long a line must be before it is taken for a run-on
// page: a paragraph of an ordinary document seldom holds several items.
const runOnMinRunes = 200

// runOnEnumRe finds the enumerators that may open an item inside a line.
var runOnEnumRe = regexp.MustCompile(`第[一二三四五六七八九十]{1,3}条|[一二三四五六七八九十]{1,3}、|（[一二三四五六七八九十]{1,3}）|（\d{1,2}）|\d{1,2}[.、．]|[①②③④⑤⑥⑦⑧⑨⑩]`)

// Kinds of enumerator, outermost first.
const (
	enumArticle = iota
	enumOne
	enumParen
	enumNum
	enumPNum
	enumCirc
	enumKinds
)

// breakRunOn starts a new line before every enumerator of a long line that
// continues the numbering before it. An enumerator counts only when it
// follows on from the last one of its kind (（一） after nothing, （二）
// after （一）; a small gap is allowed for excerpts that leave items out),
// so that cross-references (第（一）项), decimals (1.5万元) and lists of
// numbers (1、2、3级) stay where they are.
func breakRunOn(text string) string {
	lines := strings.Split(text, "\n")
	changed := false
	for i, line := range lines {
		if runeLen(line) < runOnMinRunes {
			continue
		}
		if out := splitRunOnLine(line); out != line {
			lines[i] = out
			changed = true
		}
	}
	if !changed {
		return text
	}
	return strings.Join(lines, "\n")
}

// splitRunOnLine breaks one line at the items it holds; it returns the line
// unchanged unless at least two items are found inside it.
func splitRunOnLine(line string) string {
	var last [enumKinds]int
	var cuts []int
	for _, m := range runOnEnumRe.FindAllStringIndex(line, -1) {
		kind, n, ok := enumValue(line[m[0]:m[1]])
		if !ok || !itemBoundary(line, m[0], m[1], kind) {
			continue
		}
		if !(n > last[kind] && n <= last[kind]+4) || (last[kind] == 0 && n > 1 && kind != enumNum) {
			continue
		}
		if kind == enumNum && last[kind] == 0 && n != 1 {
			continue
		}
		last[kind] = n
		for k := kind + 1; k < enumKinds; k++ {
			last[k] = 0 // a new outer item restarts the numbering inside it
		}
		if m[0] > 0 {
			cuts = append(cuts, m[0])
		}
	}
	if len(cuts) < 2 {
		return line
	}
	var b strings.Builder
	prev := 0
	for _, c := range cuts {
		b.WriteString(strings.TrimRight(line[prev:c], " "))
		b.WriteByte('\n')
		prev = c
	}
	b.WriteString(line[prev:])
	return b.String()
}

// enumValue reads the kind and number of an enumerator.
func enumValue(e string) (kind, n int, ok bool) {
	switch {
	case strings.HasPrefix(e, "第"):
		v, ok := chineseSmall(strings.TrimSuffix(strings.TrimPrefix(e, "第"), "条"))
		return enumArticle, v, ok
	case strings.HasPrefix(e, "（"):
		inner := strings.TrimSuffix(strings.TrimPrefix(e, "（"), "）")
		if v, err := strconv.Atoi(inner); err == nil {
			return enumPNum, v, true
		}
		v, ok := chineseSmall(inner)
		return enumParen, v, ok
	case strings.HasSuffix(e, "、") && !isDigit(rune(e[0])):
		v, ok := chineseSmall(strings.TrimSuffix(e, "、"))
		return enumOne, v, ok
	case isDigit(rune(e[0])):
		v, err := strconv.Atoi(strings.TrimRight(e, ".、．"))
		return enumNum, v, err == nil
	default:
		for i, r := range "①②③④⑤⑥⑦⑧⑨⑩" {
			if strings.HasPrefix(e, string(r)) {
				return enumCirc, i/len("①") + 1, true
			}
		}
	}
	return 0, 0, false
}

// chineseSmall reads 一 … 九十九.
func chineseSmall(s string) (int, bool) {
	digits := map[rune]int{'一': 1, '二': 2, '三': 3, '四': 4, '五': 5, '六': 6, '七': 7, '八': 8, '九': 9}
	rs := []rune(s)
	switch {
	case len(rs) == 1 && rs[0] == '十':
		return 10, true
	case len(rs) == 1:
		v, ok := digits[rs[0]]
		return v, ok
	case len(rs) == 2 && rs[0] == '十':
		v, ok := digits[rs[1]]
		return 10 + v, ok
	case len(rs) == 2 && rs[1] == '十':
		v, ok := digits[rs[0]]
		return v * 10, ok
	case len(rs) == 3 && rs[1] == '十':
		a, ok1 := digits[rs[0]]
		b, ok2 := digits[rs[2]]
		return a*10 + b, ok1 && ok2
	}
	return 0, false
}

// itemBoundary reports whether the enumerator at line[start:end] can open
// an item: what precedes it ends a clause or a heading, and what follows
// is words, not more numbers.
func itemBoundary(line string, start, end, kind int) bool {
	if start == 0 {
		return true
	}
	prev, _ := utf8.DecodeLastRuneInString(line[:start])
	next := firstRune(line[end:])
	if next == 0 || isDigit(next) || strings.ContainsRune("%.、，。；）", next) {
		return false // 1.5万元, 1、2、3级, a bare number
	}
	if prev == '第' || prev == '附' || isDigit(prev) || isASCIIAlnum(prev) || prev == '.' {
		return false // 第（一）项, 附件1., 2.1.
	}
	if kind == enumArticle {
		for _, w := range []string{"规定", "所", "中", "的", "之", "第"} {
			if strings.HasPrefix(line[end:], w) {
				return false // 本办法第三条规定的…: a reference
			}
		}
	}
	if kind == enumParen || kind == enumPNum {
		// 按本条（一）项 / 第（二）款: a reference, not an item.
		if strings.HasPrefix(line[end:], "项") || strings.HasPrefix(line[end:], "款") || strings.HasPrefix(line[end:], "目") {
			return false
		}
	}
	if strings.ContainsRune("，。；：！？,;:”」》 ", prev) {
		return true
	}
	// Glued to the words before it (…稳岗返还（一）享受对象, 享受条件1.参保…):
	// only after a Chinese word, and only for the bracketed kinds and for
	// the first arabic item after a heading word.
	if !unicode.Is(unicode.Han, prev) && prev != '）' {
		return false
	}
	return kind == enumParen || kind == enumPNum || kind == enumCirc || kind == enumNum
}

func firstRune(s string) rune {
	for _, r := range s {
		return r
	}
	return 0
}
