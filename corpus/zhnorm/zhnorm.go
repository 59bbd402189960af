// Package zhnorm normalises Chinese policy text for parsing and search:
// Traditional→Simplified folding (OpenCC's t2s dictionaries), full-width
// digits, letters and symbols to half-width, one form of the 文号 year
// bracket (〔2024〕), and joining lines that a PDF layout wrapped.
//
// Fold and Width keep rune positions: rune i of the output comes from rune i
// of the input, so a span found in folded text indexes the original text by
// rune offset too.
package zhnorm

//go:generate go run ./internal/gen -o t2s.txt

import (
	_ "embed"
	"strings"
	"sync"
	"unicode/utf8"
)

//go:embed t2s.txt
var t2sData string

// tables is the parsed t2s data; built once, never modified afterwards.
type tables struct {
	bmp     []rune            // BMP rune → simplified rune (0: unchanged)
	astral  map[rune]rune     // the same above the BMP
	start   []bool            // BMP runes that begin some phrase
	phrases map[string]string // Traditional phrase → Simplified, same rune count
	// prefix maps the first two runes of phrases to the longest such
	// phrase, so most positions are settled by one lookup.
	prefix map[[2]rune]int
}

var load = sync.OnceValue(func() *tables {
	t := &tables{bmp: make([]rune, 0x10000), astral: map[rune]rune{}, start: make([]bool, 0x10000), phrases: map[string]string{}, prefix: map[[2]rune]int{}}
	for _, line := range strings.Split(t2sData, "\n") {
		kind, rest, ok := strings.Cut(line, "\t")
		if !ok {
			continue
		}
		from, to, ok := strings.Cut(rest, "\t")
		if !ok {
			continue
		}
		switch kind {
		case "c":
			f, _ := utf8.DecodeRuneInString(from)
			r, _ := utf8.DecodeRuneInString(to)
			if f < 0x10000 {
				t.bmp[f] = r
			} else {
				t.astral[f] = r
			}
		case "p":
			t.phrases[from] = to
			f, _ := utf8.DecodeRuneInString(from)
			if f < 0x10000 {
				t.start[f] = true
			}
			rs := []rune(from)
			if len(rs) >= 2 {
				p := [2]rune{rs[0], rs[1]}
				t.prefix[p] = max(t.prefix[p], len(rs))
			}
		}
	}
	return t
})

// Fold returns s with Traditional characters and phrases turned into
// Simplified ones, Width applied, and 文号 year brackets written 〔YYYY〕
// (穗府办规[2022]13号, （2022）, 【2022】 → 〔2022〕). Rune positions are kept.
func Fold(s string) string {
	t := load()
	rs := []rune(s)
	var key []byte
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		if r < 0x10000 && t.start[r] {
			if n := t.phrase(rs, i, &key); n > 0 {
				for j := i; j < i+n; j++ {
					rs[j] = width(rs[j])
				}
				i += n - 1
				continue
			}
		}
		rs[i] = width(t.char(r))
	}
	docNumberBrackets(rs)
	return string(rs)
}

// phrase replaces the longest phrase starting at rs[i] and returns its
// length in runes, or 0 when none starts there.
func (t *tables) phrase(rs []rune, i int, key *[]byte) int {
	if i+1 >= len(rs) {
		return 0
	}
	longest, ok := t.prefix[[2]rune{rs[i], rs[i+1]}]
	if !ok {
		return 0
	}
	for n := min(longest, len(rs)-i); n >= 2; n-- {
		*key = (*key)[:0]
		for _, r := range rs[i : i+n] {
			*key = utf8.AppendRune(*key, r)
		}
		if to, ok := t.phrases[string(*key)]; ok {
			j := i
			for _, r := range to {
				rs[j] = r
				j++
			}
			return n
		}
	}
	return 0
}

func (t *tables) char(r rune) rune {
	if r < 0x10000 {
		if s := t.bmp[r]; s != 0 {
			return s
		}
		return r
	}
	if s, ok := t.astral[r]; ok {
		return s
	}
	return r
}

// Width returns s with full-width digits, Latin letters and the symbols
// that carry meaning in numbers (％ ． ＋ － ～ ＜ ＝ ＞ ／ …) in half-width
// form, and ideographic, no-break and zero-width spaces as plain spaces.
// Chinese sentence punctuation (，；：！？（）、。) is kept. Rune positions
// are kept.
func Width(s string) string {
	return strings.Map(width, s)
}

func width(r rune) rune {
	switch {
	case r < 0x80:
		return r
	case r >= 0xFF01 && r <= 0xFF5E:
		switch r {
		case '，', '；', '：', '！', '？', '（', '）':
			return r
		}
		return r - 0xFF01 + '!'
	case r == 0x3000, r == 0x00A0, r == 0x200B, r == 0xFEFF, r == 0x2002, r == 0x2003:
		return ' '
	case r == '﹪':
		return '%'
	}
	return r
}

func isOpen(r rune) bool {
	switch r {
	case '[', '【', '〔', '(', '（', '〖', '［':
		return true
	}
	return false
}

func isClose(r rune) bool {
	switch r {
	case ']', '】', '〕', ')', '）', '〗', '］':
		return true
	}
	return false
}

// docNumberBrackets rewrites X[2024]N号-style year brackets as 〔2024〕: an
// opening bracket, four digits, a closing bracket, then digits and 号.
func docNumberBrackets(rs []rune) {
	for i := 0; i+6 < len(rs); i++ {
		if !isOpen(rs[i]) || !isClose(rs[i+5]) {
			continue
		}
		if !isDigit(rs[i+1]) || !isDigit(rs[i+2]) || !isDigit(rs[i+3]) || !isDigit(rs[i+4]) {
			continue
		}
		j := i + 6
		for j < len(rs) && rs[j] == ' ' {
			j++
		}
		k := j
		for k < len(rs) && isDigit(rs[k]) {
			k++
		}
		if k > j && k < len(rs) && rs[k] == '号' {
			rs[i], rs[i+5] = '〔', '〕'
		}
	}
}

func isDigit(r rune) bool { return r >= '0' && r <= '9' }
