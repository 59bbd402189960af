package web

import (
	"html/template"
	"sort"
	"strings"
	"unicode"

	"github.com/zhida/zhida/corpus/zhnorm"
)

// Source spans. The extractor reads normalised text (Traditional folded,
// full width made half, wrapped lines joined), so an atom's text is looked
// up in a canonical form of the policy text that keeps, for every canonical
// rune, the rune offset it came from in the original.

// canonical folds s for span search and returns the runes kept with their
// offsets in []rune(s). White space is dropped so a span the extractor read
// across a wrapped line still matches.
func canonical(s string) ([]rune, []int) {
	folded := []rune(zhnorm.Fold(s))
	out := make([]rune, 0, len(folded))
	pos := make([]int, 0, len(folded))
	for i, r := range folded {
		if unicode.IsSpace(r) {
			continue
		}
		switch r {
		case '(':
			r = '（'
		case ')':
			r = '）'
		case ',':
			r = '，'
		case ';':
			r = '；'
		case ':':
			r = '：'
		}
		out = append(out, r)
		pos = append(pos, i)
	}
	return out, pos
}

// span is a located atom: runes [start, end) of the original text.
type span struct {
	id         string
	start, end int
}

// locate finds each atom's text in text; atoms not found are left out.
func locate(text string, atoms []atomRef) []span {
	hay, pos := canonical(text)
	hs := string(hay)
	var out []span
	for _, a := range atoms {
		needle, _ := canonical(a.text)
		if len(needle) == 0 {
			continue
		}
		i := strings.Index(hs, string(needle))
		if i < 0 {
			continue
		}
		start := len([]rune(hs[:i]))
		end := start + len(needle) - 1
		out = append(out, span{id: a.id, start: pos[start], end: pos[end] + 1})
	}
	return out
}

// markText renders text with every located span in a <mark> that names its
// atoms (data-atoms) and an empty anchor per atom at the span's start, so a
// link to #s-<atom> lands on the span without JS. Overlapping spans are cut
// into runs covered by the same set of atoms.
func markText(text string, spans []span) template.HTML {
	rs := []rune(text)
	type edge struct {
		at   int
		open bool
		id   string
	}
	var edges []edge
	for _, s := range spans {
		edges = append(edges, edge{s.start, true, s.id}, edge{s.end, false, s.id})
	}
	sort.SliceStable(edges, func(i, j int) bool { return edges[i].at < edges[j].at })
	var b strings.Builder
	active := []string{}
	pos := 0
	flush := func(to int) {
		if to <= pos {
			return
		}
		chunk := template.HTMLEscapeString(string(rs[pos:to]))
		if len(active) > 0 {
			b.WriteString(`<mark data-atoms="` + strings.Join(active, " ") + `">` + chunk + `</mark>`)
		} else {
			b.WriteString(chunk)
		}
		pos = to
	}
	for _, e := range edges {
		flush(e.at)
		if e.open {
			b.WriteString(`<span class="anchor" id="s-` + e.id + `"></span>`)
			active = append(active, e.id)
		} else {
			for i, id := range active {
				if id == e.id {
					active = append(active[:i], active[i+1:]...)
					break
				}
			}
		}
	}
	flush(len(rs))
	// The ids and text are escaped above; the ids are built from benefit
	// indexes and path steps only.
	return template.HTML(b.String())
}
