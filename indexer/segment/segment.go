// Package segment cuts Chinese policy text into search terms with gse and a
// policy-domain dictionary shipped in this package. Index-time tokens are
// fine-grained (a dictionary word and every dictionary word inside it, so 补贴
// matches 一次性吸纳就业补贴); query-time terms are the precise cut, each with
// its synonyms. Text is folded (Traditional → Simplified) before cutting,
// because gse's custom terms only match the script they are written in.
//
// Loading the gse dictionary costs about 1.3 s and 135 MB: build one
// Segmenter per process with New and share it; it is safe for concurrent use.
package segment

import (
	_ "embed"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/go-ego/gse"
)

//go:embed dict.txt
var dictTxt string

//go:embed synonyms.txt
var synonymsTxt string

//go:embed stopwords.txt
var stopwordsTxt string

//go:embed querywords.txt
var querywordsTxt string

// Folder maps text to the one script terms are indexed in (Traditional →
// Simplified, full-width → half-width). It must keep rune positions: rune i
// of the output comes from rune i of the input (corpus/zhnorm.Fold does), so
// token offsets in folded text map back to the original.
type Folder func(string) string

// Option configures New.
type Option func(*Segmenter)

// WithFolder sets the Traditional → Simplified folding applied to index and
// query text. The default is the identity (corpus/zhnorm.Fold plugs in here).
func WithFolder(f Folder) Option {
	return func(s *Segmenter) {
		if f != nil {
			s.fold = f
		}
	}
}

// defaultFreq is the frequency given to domain terms: high enough that the
// whole term wins over its pieces in gse's DAG.
const defaultFreq = 20000

// Segmenter cuts text into index tokens and query terms. It is immutable after
// New and safe for concurrent use.
type Segmenter struct {
	gse    gse.Segmenter
	fold   Folder
	stop   map[string]bool
	qstop  map[string]bool     // dropped from queries only (querywords.txt)
	syn    map[string][]string // term → the other terms of its group
	groups [][]string
	terms  []string        // the domain dictionary, in file order
	domain map[string]bool // terms of dict.txt and synonyms.txt
	tokens tokenTable
	trie   *dictTrie // nil: the DAG uses gse's LookupTokens
}

// New loads gse's embedded Simplified dictionary, the domain dictionary, the
// synonym groups and the stop words. It takes about a second: call it once.
func New(opts ...Option) (*Segmenter, error) {
	s := &Segmenter{
		fold:   func(s string) string { return s },
		stop:   map[string]bool{},
		qstop:  map[string]bool{},
		syn:    map[string][]string{},
		domain: map[string]bool{},
	}
	for _, o := range opts {
		o(s)
	}
	seg, err := gse.NewEmbed("zh_s")
	if err != nil {
		return nil, fmt.Errorf("load gse dictionary: %w", err)
	}
	seg.SkipLog = true
	s.gse = seg

	add := func(term string, freq float64) error {
		// ReAddToken replaces the frequency of a term gse already knows
		// (AddToken keeps the old one, which may lose to its pieces).
		if f, _, ok := s.gse.Find(term); ok && f > 0 {
			if err := s.gse.ReAddToken(term, freq); err != nil {
				return err
			}
			return nil
		}
		return s.gse.AddToken(term, freq)
	}
	for _, line := range lines(dictTxt) {
		fields := strings.Fields(line.text)
		term, freq := fields[0], float64(defaultFreq)
		if len(fields) > 1 {
			f, err := strconv.ParseFloat(fields[1], 64)
			if err != nil || f <= 0 {
				return nil, fmt.Errorf("dict.txt line %d: bad frequency %q", line.n, fields[1])
			}
			freq = f
		}
		if err := add(s.fold(term), freq); err != nil {
			return nil, fmt.Errorf("dict.txt line %d: add %q: %w", line.n, term, err)
		}
		s.terms = append(s.terms, s.fold(term))
		s.domain[s.fold(term)] = true
	}
	for _, line := range lines(synonymsTxt) {
		// "a b c" is a group of equals; "a > b c" expands a to b and c
		// only (a query for 补贴 also finds 资助, not the other way).
		from, to, oneWay := strings.Cut(s.fold(line.text), ">")
		group := strings.Fields(from)
		targets := strings.Fields(to)
		switch {
		case oneWay && (len(group) != 1 || len(targets) == 0):
			return nil, fmt.Errorf("synonyms.txt line %d: a one-way rule is one term, \">\", then its expansions", line.n)
		case !oneWay && len(group) < 2:
			return nil, fmt.Errorf("synonyms.txt line %d: a group needs two terms", line.n)
		}
		for i, t := range append(slices.Clone(group), targets...) {
			s.domain[t] = true
			// The spoken word of a one-way rule (下岗, 房子, 补) is only
			// looked for in queries: added when gse lacks it, but a word gse
			// knows keeps its frequency, so documents are cut as before. A
			// single character is never re-weighted: it would split words.
			if f, _, ok := s.gse.Find(t); (oneWay && i == 0 && ok && f > 0) || utf8.RuneCountInString(t) < 2 {
				continue
			}
			if err := add(t, defaultFreq); err != nil {
				return nil, fmt.Errorf("synonyms.txt line %d: add %q: %w", line.n, t, err)
			}
		}
		if oneWay {
			for _, o := range targets {
				if o != group[0] && !slices.Contains(s.syn[group[0]], o) {
					s.syn[group[0]] = append(s.syn[group[0]], o)
				}
			}
			continue
		}
		for _, t := range group {
			for _, o := range group {
				if o != t && !slices.Contains(s.syn[t], o) {
					s.syn[t] = append(s.syn[t], o)
				}
			}
		}
		s.groups = append(s.groups, group)
	}
	// Last: the dictionary is complete.
	s.tokens = newTokenTable(s.gse.Dict)
	s.trie = newDictTrie(s.gse.Dict)
	for _, line := range lines(stopwordsTxt) {
		for _, w := range strings.Fields(line.text) {
			s.stop[s.fold(w)] = true
		}
	}
	for _, line := range lines(querywordsTxt) {
		for _, w := range strings.Fields(line.text) {
			s.qstop[s.fold(w)] = true
		}
	}
	return s, nil
}

type line struct {
	n    int
	text string
}

// lines returns the non-empty, non-comment lines of an embedded file.
func lines(file string) []line {
	var out []line
	for i, l := range strings.Split(file, "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		out = append(out, line{n: i + 1, text: l})
	}
	return out
}

// Fold applies the configured Traditional → Simplified folding.
func (s *Segmenter) Fold(text string) string { return s.fold(text) }

// Token is one index-time term with its place in the text.
type Token struct {
	Term       string // folded
	Start, End int    // byte offsets in the original (unfolded) text
	// Position counts the words of the precise cut from 1; the sub-words
	// found inside a word share its position.
	Position int
}

// IndexTokens folds text and cuts it in search mode: every word of the precise
// cut (gse's DAG without HMM) and every dictionary word of two or more
// characters inside it. Punctuation, spaces and stop words are dropped. Latin
// letters are lower-cased.
func (s *Segmenter) IndexTokens(text string) []Token {
	orig := text
	text = s.fold(text)
	toks := s.indexTokens(text)
	if text != orig {
		remap(toks, text, orig)
	}
	return toks
}

// remap turns byte offsets in folded into byte offsets in orig, which has the
// same runes at the same positions (the Folder contract). Should a Folder
// break it, offsets are clamped to orig so they stay usable.
func remap(toks []Token, folded, orig string) {
	if utf8.RuneCountInString(folded) != utf8.RuneCountInString(orig) {
		for i := range toks {
			toks[i].Start, toks[i].End = min(toks[i].Start, len(orig)), min(toks[i].End, len(orig))
		}
		return
	}
	at := make([]int32, len(folded)+1) // folded byte offset → orig byte offset
	j := 0
	for i := range folded {
		at[i] = int32(j)
		_, size := utf8.DecodeRuneInString(orig[j:])
		j += size
	}
	at[len(folded)] = int32(len(orig))
	for i := range toks {
		toks[i].Start, toks[i].End = int(at[toks[i].Start]), int(at[toks[i].End])
	}
}

func (s *Segmenter) indexTokens(text string) []Token {
	var out []Token
	s.walkIndexTokens(text, func(n int) { out = make([]Token, 0, n) }, func(term string, start, end, pos int) {
		out = append(out, Token{Term: term, Start: start, End: end, Position: pos})
	})
	return out
}

// IndexTerms calls fn with the term of every token IndexTokens(text) would
// return, in the same order, without building the tokens: what an index
// that keeps no positions or offsets needs. Terms are folded; they may
// share memory with each other (retaining one keeps the text).
func (s *Segmenter) IndexTerms(text string, fn func(term string)) {
	s.walkIndexTokens(s.fold(text), func(int) {}, func(term string, _, _, _ int) { fn(term) })
}

// walkIndexTokens cuts folded text and calls tok for every index token,
// with byte offsets in text; sized is first told about how many to expect.
func (s *Segmenter) walkIndexTokens(text string, sized func(int), tok func(term string, start, end, pos int)) {
	st := cutPool.Get().(*cutState)
	defer cutPool.Put(st)
	s.dagCut(st, text)
	sized(len(st.words) + len(st.words)/2)
	pos := 0
	for _, w := range st.words {
		start, end := st.offs[w.start], st.offs[w.end]
		orig := text[start:end]
		term := lowerASCII(orig)
		if !isWord(orig) || s.stop[term] {
			continue
		}
		pos++
		tok(term, start, end, pos)
		if w.end-w.start >= 3 && isHan(orig) {
			s.subwords(st, text, w, pos, tok)
		}
	}
}

// subwords calls tok for the dictionary words of two or more characters
// strictly inside word w of the cut, read off the DAG.
func (s *Segmenter) subwords(st *cutState, text string, w span, pos int, tok func(term string, start, end, pos int)) {
	for k := w.start; k < w.end; k++ {
		for _, e := range st.edges[st.edgeStart[k]:st.edgeStart[k+1]] {
			if e.end > w.end || e.end-k < 2 || (k == w.start && e.end == w.end) {
				continue
			}
			sub := text[st.offs[k]:st.offs[e.end]]
			if s.stop[sub] {
				continue
			}
			tok(sub, st.offs[k], st.offs[e.end], pos)
		}
	}
}

// lowerASCII lower-cases ASCII letters, as gse does to its input (Han text,
// the common case, is returned without copying).
func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; 'A' <= c && c <= 'Z' {
			return strings.ToLower(s)
		}
	}
	return s
}

// words returns the precise cut of (folded) text as substrings of it.
func (s *Segmenter) words(text string) []string {
	st := cutPool.Get().(*cutState)
	defer cutPool.Put(st)
	s.dagCut(st, text)
	out := make([]string, len(st.words))
	for i, w := range st.words {
		out[i] = text[st.offs[w.start]:st.offs[w.end]]
	}
	return out
}

// Cut folds text and returns the words of the precise cut, without
// punctuation, spaces and stop words: the readable form of the text as
// space-separated words (what Meilisearch documents carry).
func (s *Segmenter) Cut(text string) []string {
	words := s.words(s.fold(text))
	out := words[:0]
	for _, w := range words {
		w = lowerASCII(w)
		if isWord(w) && !s.stop[w] {
			out = append(out, w)
		}
	}
	return out
}

// Pieces folds text and returns its precise cut as pieces of the folded
// text: original case, punctuation and stop words kept, whitespace dropped.
// Joined by spaces, it is the readable form of the text as words that
// Meilisearch documents carry; removing the spaces between Chinese pieces
// gives the folded text back.
func (s *Segmenter) Pieces(text string) []string {
	words := s.words(s.fold(text))
	out := words[:0]
	for _, w := range words {
		if p := strings.TrimSpace(w); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// Subwords returns, for each word of Cut(text) of three or more Han
// characters, the dictionary words inside it: the extra terms that make
// search-mode matching work in a backend that only sees Cut's words.
func (s *Segmenter) Subwords(text string) []string {
	// IndexTokens gives each word followed by its sub-words, which share
	// its position: keep only those.
	toks := s.IndexTokens(text)
	var out []string
	for i, t := range toks {
		if i > 0 && t.Position == toks[i-1].Position {
			out = append(out, t.Term)
		}
	}
	return out
}

// QueryTerms folds a query and cuts it precisely. Each element is one query
// word followed by its synonyms: a document matches the word when it contains
// any of them. Duplicate words, stop words and the question and filler words
// of querywords.txt (怎么, 多少钱 …) are dropped.
func (s *Segmenter) QueryTerms(query string) [][]string {
	var out [][]string
	seen := map[string]bool{}
	for _, w := range s.Cut(query) {
		if seen[w] || s.qstop[w] {
			continue
		}
		seen[w] = true
		out = append(out, append([]string{w}, s.syn[w]...))
	}
	return out
}

// PartialTerms returns the dictionary words of two or more characters inside
// a query word of three or more Han characters (拍电影 → 电影, 孤寡老人 → 孤寡
// 老人), each followed by its synonyms, without stop and query words; nil
// when there are none, and for the terms of the domain dictionary and the
// synonyms (a policy or benefit name asks for itself; a colloquial word there
// has its own expansion). A backend uses them in place of a word that no
// document holds: citizens' compounds are often words no policy uses, around
// one that many do.
func (s *Segmenter) PartialTerms(word string) []string {
	word = s.fold(word)
	if utf8.RuneCountInString(word) < 3 || !isHan(word) || s.domain[word] {
		return nil
	}
	// Looked up in gse's dictionary directly rather than read off the cut's
	// DAG: a query word is a few runes, and this keeps off the cut's internals.
	runes := []rune(word)
	var out []string
	for i := range runes {
		for j := i + 2; j <= len(runes); j++ {
			if i == 0 && j == len(runes) {
				continue
			}
			sub := string(runes[i:j])
			if f, _, ok := s.gse.Find(sub); !ok || f <= 0 || s.stop[sub] || s.qstop[sub] {
				continue
			}
			for _, o := range append([]string{sub}, s.syn[sub]...) {
				if !slices.Contains(out, o) {
					out = append(out, o)
				}
			}
		}
	}
	return out
}

// Synonyms returns the other terms of term's synonym group (nil if none).
func (s *Segmenter) Synonyms(term string) []string { return s.syn[s.fold(term)] }

// SynonymGroups returns the two-way synonym groups of the domain dictionary.
func (s *Segmenter) SynonymGroups() [][]string { return s.groups }

// SynonymMap returns every term with synonyms → the terms a query for it
// also finds: both the groups and the one-way expansions. It is a copy.
func (s *Segmenter) SynonymMap() map[string][]string {
	out := make(map[string][]string, len(s.syn))
	for t, o := range s.syn {
		out[t] = slices.Clone(o)
	}
	return out
}

// StopWords returns the stop words, sorted.
func (s *Segmenter) StopWords() []string {
	out := make([]string, 0, len(s.stop))
	for w := range s.stop {
		out = append(out, w)
	}
	slices.Sort(out)
	return out
}

// DomainTerms returns the terms of the domain dictionary.
func (s *Segmenter) DomainTerms() []string { return s.terms }

// RawCut is gse's own precise cut (DAG, no HMM) with nothing removed: the
// baseline the indexing benchmarks compare against.
func (s *Segmenter) RawCut(text string) []string { return s.gse.Cut(text, false) }

// RawCutSearch is gse's own search-mode cut, for the same comparison.
func (s *Segmenter) RawCutSearch(text string) []string { return s.gse.CutSearch(text, false) }

// isWord reports whether w has a letter or a digit (not punctuation or space).
func isWord(w string) bool {
	for _, r := range w {
		if unicode.IsLetter(r) || unicode.IsNumber(r) {
			return true
		}
	}
	return false
}

// isHan reports whether every rune of w is a Han character.
func isHan(w string) bool {
	for _, r := range w {
		if !unicode.Is(unicode.Han, r) {
			return false
		}
	}
	return true
}
