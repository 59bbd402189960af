package segment

import (
	"math"
	"reflect"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
	"unsafe"

	"github.com/go-ego/gse"
	"github.com/vcaesar/cedar"
)

// This file re-implements gse's precise cut without HMM (Segmenter.Cut(text,
// false): jieba's DAG of dictionary words and the most probable route through
// it) on gse's own dictionary, with the same arithmetic and tie-breaking, so
// the words are the same. It is faster because it keeps the DAG in slices
// rather than maps, looks each dictionary word up once rather than twice, and
// does not convert runes to strings; and the DAG it builds also gives, for
// free, the dictionary words inside each word of the cut (the sub-words of
// search mode).

// edge is a dictionary word from rune k to rune end (exclusive).
type edge struct {
	end     int32
	logFreq float64
}

// cutState is the scratch space of one cut, pooled.
type cutState struct {
	offs      []int   // byte offset of each rune, and len(text) at the end
	edgeStart []int32 // edges of rune k: edges[edgeStart[k]:edgeStart[k+1]]
	edges     []edge
	routeF    []float64
	routeEnd  []int32
	words     []span
	chars     []rune
	runes     []gse.Text   // the bytes of each rune of the lookup text
	found     []*gse.Token // LookupTokens' answer
}

// trieEdges appends the edges of the dictionary words starting at rune k,
// walking gse's trie directly: the node after the first rune comes from a
// table, the rest one rune at a time.
func (s *Segmenter) trieEdges(st *cutState, k, n int) {
	t := s.trie
	var node int
	if r := st.chars[k]; r < rune(len(t.first)) {
		if node = int(t.first[r]) - 1; node < 0 {
			return
		}
	} else {
		var err error
		if node, err = t.cd.Jump(st.runes[k], 0); err != nil {
			return
		}
	}
	for i := k; ; {
		if v, err := t.cd.Value(node); err == nil && v < len(s.tokens.logFreq) {
			if lf := s.tokens.logFreq[v]; lf != noFreq {
				st.edges = append(st.edges, edge{end: int32(i + 1), logFreq: lf})
			}
		}
		if i++; i >= n {
			return
		}
		next, err := t.cd.Jump(st.runes[i], node)
		if err != nil {
			return
		}
		node = next
	}
}

// lookupEdges is trieEdges through gse's API, where the trie is out of reach.
func (s *Segmenter) lookupEdges(st *cutState, k, n int) {
	st.found = grow(st.found, n)
	found := s.gse.Dict.LookupTokens(st.runes[k:], st.found[:n-k])
	for _, tok := range st.found[:found] {
		runes, logFreq := s.tokenInfo(tok)
		if logFreq != noFreq {
			st.edges = append(st.edges, edge{end: int32(k + runes), logFreq: logFreq})
		}
	}
}

// dictTrie is gse's dictionary trie, with the node each rune of the Basic
// Multilingual Plane leads to from the root.
type dictTrie struct {
	cd    *cedar.Cedar
	first []int32 // rune → node+1; 0: no word starts with it
}

// newDictTrie reaches gse's trie, which gse keeps in an unexported field
// (its API only looks words up from the root), so that the DAG can walk it
// one rune at a time from any node. nil if this gse version keeps it
// otherwise; the cut then goes through LookupTokens.
func newDictTrie(dict *gse.Dictionary) *dictTrie {
	f := reflect.ValueOf(dict).Elem().FieldByName("trie")
	if !f.IsValid() || f.Type() != reflect.TypeFor[*cedar.Cedar]() || f.IsNil() {
		return nil
	}
	t := &dictTrie{cd: (*cedar.Cedar)(unsafe.Pointer(f.Pointer())), first: make([]int32, 0x10000)}
	var buf [utf8.UTFMax]byte
	for r := range rune(len(t.first)) {
		if utf8.ValidRune(r) {
			if node, err := t.cd.Jump(utf8.AppendRune(buf[:0], r), 0); err == nil {
				t.first[r] = int32(node) + 1
			}
		}
	}
	return t
}

// span is a word of the cut, in runes [start, end).
type span struct{ start, end int32 }

var cutPool = sync.Pool{New: func() any { return new(cutState) }}

// dagCut cuts text and leaves the words in st.words and the DAG in st.
// lookup is the lower-cased text gse would look words up in (text itself
// when lower-casing changes the number of runes).
func (s *Segmenter) dagCut(st *cutState, text string) {
	lookup := text
	if hasUpper(text) {
		if l := strings.ToLower(text); utf8.RuneCountInString(l) == utf8.RuneCountInString(text) {
			lookup = l
		}
	}
	st.offs = st.offs[:0]
	st.chars = st.chars[:0]
	for i, r := range lookup {
		st.offs = append(st.offs, i)
		st.chars = append(st.chars, r)
	}
	n := len(st.offs)
	st.offs = append(st.offs, len(lookup))
	b := unsafeBytes(lookup)
	dict := s.gse.Dict
	st.runes = grow(st.runes, n)
	for k := range n {
		st.runes[k] = b[st.offs[k]:st.offs[k+1]]
	}

	// The DAG: every dictionary word starting at each rune; a rune that
	// starts none is a word of its own (gse scores it log 1 when unknown,
	// log 0 when it is only a prefix of words). The trie is walked once
	// from rune k, finding every word on the way, where looking up each
	// prefix (as gse does) walks it again from the root.
	st.edges = st.edges[:0]
	st.edgeStart = st.edgeStart[:0]
	for k := 0; k < n; k++ {
		st.edgeStart = append(st.edgeStart, int32(len(st.edges)))
		if s.trie != nil {
			s.trieEdges(st, k, n)
		} else {
			s.lookupEdges(st, k, n)
		}
		if int(st.edgeStart[k]) == len(st.edges) {
			lf := 0.0 // log 1
			if freq, _, ok := dict.Find(st.runes[k]); ok {
				lf = math.Log(freq)
			}
			st.edges = append(st.edges, edge{end: int32(k + 1), logFreq: lf})
		}
	}
	st.edgeStart = append(st.edgeStart, int32(len(st.edges)))

	// The best route from each rune to the end, as gse's calc computes it.
	logT := math.Log(dict.TotalFreq())
	st.routeF = grow(st.routeF, n+1)
	st.routeEnd = grow(st.routeEnd, n+1)
	st.routeF[n], st.routeEnd[n] = 0, 0
	for idx := n - 1; idx >= 0; idx-- {
		first := true
		for _, e := range st.edges[st.edgeStart[idx]:st.edgeStart[idx+1]] {
			f := e.logFreq - logT + st.routeF[e.end]
			if first || st.routeF[idx] < f || (st.routeF[idx] == f && st.routeEnd[idx] < e.end) {
				st.routeF[idx], st.routeEnd[idx] = f, e.end
				first = false
			}
		}
	}

	// Walk the route; runs of single ASCII letters and digits join into one
	// word, as in gse.
	st.words = st.words[:0]
	alnum := int32(-1)
	for x := int32(0); x < int32(n); {
		y := st.routeEnd[x]
		if y-x == 1 && isASCIIAlnum(lookup[st.offs[x]]) && st.offs[x+1]-st.offs[x] == 1 {
			if alnum < 0 {
				alnum = x
			}
			x = y
			continue
		}
		if alnum >= 0 {
			st.words = append(st.words, span{alnum, x})
			alnum = -1
		}
		st.words = append(st.words, span{x, y})
		x = y
	}
	if alnum >= 0 {
		st.words = append(st.words, span{alnum, int32(n)})
	}
}

func grow[T any](s []T, n int) []T {
	if cap(s) >= n {
		return s[:n]
	}
	return make([]T, n)
}

// hasUpper reports whether lower-casing may change s.
func hasUpper(s string) bool {
	for _, r := range s {
		if r < utf8.RuneSelf {
			if 'A' <= r && r <= 'Z' {
				return true
			}
		} else if unicode.IsUpper(r) || unicode.IsTitle(r) {
			return true
		}
	}
	return false
}

// unsafeBytes views s as bytes without copying; the dictionary only reads them.
func unsafeBytes(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

func isASCIIAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// noFreq marks a dictionary token of frequency 0, which is no edge of the DAG.
var noFreq = math.Inf(-1)

// tokenTable holds, for each token of gse's dictionary (by its index in
// Dictionary.Tokens), its length in runes and the log of its frequency, so
// that the DAG needs neither a string per token nor a logarithm per edge.
type tokenTable struct {
	base    *gse.Token // &Dictionary.Tokens[0] when the table was built
	runes   []int32
	logFreq []float64
}

func newTokenTable(dict *gse.Dictionary) tokenTable {
	t := tokenTable{runes: make([]int32, len(dict.Tokens)), logFreq: make([]float64, len(dict.Tokens))}
	if len(dict.Tokens) > 0 {
		t.base = &dict.Tokens[0]
	}
	for i := range dict.Tokens {
		tok := &dict.Tokens[i]
		t.runes[i] = int32(utf8.RuneCountInString(tok.Text()))
		t.logFreq[i] = noFreq
		if f := tok.Freq(); f > 0 {
			t.logFreq[i] = math.Log(f)
		}
	}
	return t
}

// tokenInfo returns the length in runes and the log frequency (noFreq for
// frequency 0) of a token LookupTokens found.
func (s *Segmenter) tokenInfo(tok *gse.Token) (int, float64) {
	t := &s.tokens
	if t.base != nil {
		// LookupTokens returns &Dictionary.Tokens[i]: i is the distance
		// from the first token, checked before it is trusted.
		i := (uintptr(unsafe.Pointer(tok)) - uintptr(unsafe.Pointer(t.base))) / unsafe.Sizeof(gse.Token{})
		if i < uintptr(len(t.runes)) && unsafe.Add(unsafe.Pointer(t.base), i*unsafe.Sizeof(gse.Token{})) == unsafe.Pointer(tok) {
			return int(t.runes[i]), t.logFreq[i]
		}
	}
	lf := noFreq
	if f := tok.Freq(); f > 0 {
		lf = math.Log(f)
	}
	return utf8.RuneCountInString(tok.Text()), lf
}
