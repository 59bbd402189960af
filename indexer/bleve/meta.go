package bleve

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"sync"

	blevesearch "github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"

	"github.com/zhida/zhida/corpus"
	"github.com/zhida/zhida/indexer"
)

// metaTable keeps the filter fields of every indexed document in memory,
// about 150 bytes a document with its id and map entry, so a query with no
// text (a region's landing page: thousands of hits, facets, newest first)
// is one scan of a slice instead of bleve walking every match's postings
// and doc values — 50 ms of CPU at 100,000 documents through bleve, about
// 3 ms here. Text queries go through searchFast (fast.go), or bleve's query on
// the in-memory index.
//
// The table is rebuilt from the index when it is opened — from the
// segments' terms (loadMetaSegments), or the stored fields (loadMeta) for
// the in-memory index — and follows every Index and Delete.
type metaTable struct {
	mu    sync.RWMutex
	slots []docMeta // a removed document leaves a slot with id ""
	free  []int32   // removed slots, reused first
	byID  map[string]int32
	codes map[string]uint16 // interned strings (regions, categories, levels)
	names []string          // code → string
	// bounds only ever widen (a deleted document's dates stay in them), so
	// they hold for every document indexed.
	bounds liveBounds
}

// liveBounds bound the liveness fields of every document ever indexed.
type liveBounds struct {
	minEnd, maxFrom int32
	inactiveStatus  bool // some document is expired, retracted or draft
}

// liveBounds returns the bounds.
func (m *metaTable) liveBounds() liveBounds {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.bounds
}

// widen widens the bounds to hold fs.
func (m *metaTable) widen(fs ...metaFields) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, f := range fs {
		m.bounds.minEnd = min(m.bounds.minEnd, int32(f.end))
		m.bounds.maxFrom = max(m.bounds.maxFrom, int32(f.from))
		switch corpus.Status(f.status) {
		case corpus.StatusExpired, corpus.StatusRetracted, corpus.StatusDraft:
			m.bounds.inactiveStatus = true
		}
	}
}

// docMeta is one document's filter fields. Strings are interned codes;
// code 0 is the empty string.
type docMeta struct {
	id                 string
	region             uint16
	regions            []uint16 // the region and its ancestors
	level, category    uint16
	enterprise         bool
	resident           bool
	applyFree          bool
	inactiveStatus     bool // expired, retracted or draft
	publish, from, end int32
}

func newMetaTable() *metaTable {
	return &metaTable{byID: map[string]int32{}, codes: map[string]uint16{"": 0}, names: []string{""},
		bounds: liveBounds{minEnd: math.MaxInt32}}
}

// code interns s; the caller holds mu for writing.
func (m *metaTable) code(s string) uint16 {
	c, ok := m.codes[s]
	if !ok {
		c = uint16(len(m.names))
		m.codes[s] = c
		m.names = append(m.names, s)
	}
	return c
}

// lookup returns the code of s, or false if no document holds s.
func (m *metaTable) lookup(s string) (uint16, bool) {
	c, ok := m.codes[s]
	return c, ok
}

// fields are what the table reads from an indexed document; loading an
// existing index reads the same from its stored fields.
type metaFields struct {
	id, region, level, category, status string
	regions, audiences                  []string
	applyFree                           bool
	publish, from, end                  int
}

func metaOf(d indexer.Doc) metaFields {
	f := metaFields{
		id: d.PolicyID, region: d.Region, regions: d.Regions, level: string(d.Level),
		category: string(d.Category), status: string(d.Status), applyFree: d.ApplyFree,
		publish: indexer.DateNum(d.PublishDate), from: indexer.DateNum(d.EffectiveFrom), end: indexer.EndNum(d.EffectiveTo),
	}
	for _, a := range d.Audiences {
		f.audiences = append(f.audiences, string(a))
	}
	return f
}

// put adds or replaces documents.
func (m *metaTable) put(fs ...metaFields) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.names) > 60000 {
		// Codes are never freed; a table this varied is not what it was
		// built for, so start the codes afresh from the live documents.
		m.recode()
	}
	for _, f := range fs {
		dm := docMeta{
			id: f.id, region: m.code(f.region), level: m.code(f.level), category: m.code(f.category),
			applyFree: f.applyFree, publish: int32(f.publish), from: int32(f.from), end: int32(f.end),
		}
		switch corpus.Status(f.status) {
		case corpus.StatusExpired, corpus.StatusRetracted, corpus.StatusDraft:
			dm.inactiveStatus = true
		}
		for _, r := range f.regions {
			dm.regions = append(dm.regions, m.code(r))
		}
		for _, a := range f.audiences {
			switch corpus.Audience(a) {
			case corpus.AudienceEnterprise:
				dm.enterprise = true
			case corpus.AudienceResident:
				dm.resident = true
			}
		}
		if i, ok := m.byID[f.id]; ok {
			m.slots[i] = dm
			continue
		}
		var i int32
		if n := len(m.free); n > 0 {
			i, m.free = m.free[n-1], m.free[:n-1]
			m.slots[i] = dm
		} else {
			i = int32(len(m.slots))
			m.slots = append(m.slots, dm)
		}
		m.byID[f.id] = i
	}
}

// recode rebuilds the interned codes from the documents held; the caller
// holds mu for writing.
func (m *metaTable) recode() {
	old := m.names
	m.codes, m.names = map[string]uint16{"": 0}, []string{""}
	for i := range m.slots {
		s := &m.slots[i]
		if s.id == "" {
			continue
		}
		s.region, s.level, s.category = m.code(old[s.region]), m.code(old[s.level]), m.code(old[s.category])
		for j, r := range s.regions {
			s.regions[j] = m.code(old[r])
		}
	}
}

// remove drops documents; unknown ids are ignored.
func (m *metaTable) remove(ids ...string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, id := range ids {
		if i, ok := m.byID[id]; ok {
			delete(m.byID, id)
			m.slots[i] = docMeta{}
			m.free = append(m.free, i)
		}
	}
}

// browseResult is what a text-free query needs from the table: the total,
// the facets and the ids of the page, newest first.
type browseResult struct {
	total  int
	facets map[string]map[string]int
	page   []string
}

// browse answers a query without text: its filters, liveness, facets and
// the page sorted newest first (ties by policy id, so pages are stable).
func (m *metaTable) browse(q indexer.Query) browseResult {
	m.mu.RLock()
	defer m.mu.RUnlock()

	// The filters as codes; a value no document holds matches nothing.
	codesOf := func(vals []string) (set []uint16, none bool) {
		for _, v := range vals {
			if c, ok := m.lookup(v); ok {
				set = append(set, c)
			}
		}
		return set, len(set) == 0
	}
	regions, noRegion := codesOf(q.Regions)
	within, noWithin := codesOf([]string{q.Within})
	cats := make([]string, len(q.Categories))
	for i, c := range q.Categories {
		cats[i] = string(c)
	}
	categories, noCategory := codesOf(cats)
	if (len(q.Regions) > 0 && noRegion) || (q.Within != "" && noWithin) || (len(q.Categories) > 0 && noCategory) {
		return browseResult{facets: emptyFacets(q)}
	}
	today := int32(indexer.DateNum(q.Today))

	var catCount, levelCount []int
	var enterprise, resident, applyFree int
	if q.Facets {
		catCount, levelCount = make([]int, len(m.names)), make([]int, len(m.names))
	}
	// top holds the newest need matches, oldest first; ordering by
	// (publish, id) makes it a strict order. Deep pages collect every
	// match and sort once instead of inserting into a long list.
	const smallPage = 256
	need := q.Offset + q.Limit
	top := make([]*docMeta, 0, min(need, smallPage)+1)
	older := func(a, b *docMeta) bool {
		return a.publish < b.publish || (a.publish == b.publish && a.id > b.id)
	}
	total := 0
	for i := range m.slots {
		d := &m.slots[i]
		switch {
		case d.id == "":
			continue
		case !q.IncludeInactive && (d.inactiveStatus || d.end < today || d.from > today):
			continue
		case len(regions) > 0 && !slices.Contains(regions, d.region):
			continue
		case q.Within != "" && !slices.Contains(d.regions, within[0]):
			continue
		case q.Audience == corpus.AudienceEnterprise && !d.enterprise,
			q.Audience == corpus.AudienceResident && !d.resident:
			continue
		case len(categories) > 0 && !slices.Contains(categories, d.category):
			continue
		case q.ApplyFreeOnly && !d.applyFree:
			continue
		}
		total++
		if q.Facets {
			catCount[d.category]++
			levelCount[d.level]++
			if d.enterprise {
				enterprise++
			}
			if d.resident {
				resident++
			}
			if d.applyFree {
				applyFree++
			}
		}
		switch {
		case need > smallPage:
			top = append(top, d) // sorted below
		case need == 0 || (len(top) == need && !older(top[0], d)):
		default:
			j, _ := slices.BinarySearchFunc(top, d, func(a, b *docMeta) int {
				if older(a, b) {
					return -1
				}
				return 1
			})
			top = slices.Insert(top, j, d)
			if len(top) > need {
				top = top[1:]
			}
		}
	}
	if need > smallPage {
		slices.SortFunc(top, func(a, b *docMeta) int {
			if older(a, b) {
				return -1
			}
			return 1
		})
		top = top[max(0, len(top)-need):]
	}
	out := browseResult{total: total}
	for i := len(top) - 1 - q.Offset; i >= 0; i-- {
		out.page = append(out.page, top[i].id)
	}
	if q.Facets {
		out.facets = map[string]map[string]int{}
		named := func(counts []int) map[string]int {
			f := map[string]int{}
			for c, n := range counts {
				if n > 0 && c != 0 {
					f[m.names[c]] = n
				}
			}
			return f
		}
		out.facets[indexer.FacetCategory] = named(catCount)
		out.facets[indexer.FacetLevel] = named(levelCount)
		aud := map[string]int{}
		for v, n := range map[string]int{string(corpus.AudienceEnterprise): enterprise, string(corpus.AudienceResident): resident} {
			if n > 0 {
				aud[v] = n
			}
		}
		out.facets[indexer.FacetAudience] = aud
		af := map[string]int{}
		for v, n := range map[string]int{"true": applyFree, "false": total - applyFree} {
			if n > 0 {
				af[v] = n
			}
		}
		out.facets[indexer.FacetApplyFree] = af
	}
	return out
}

func emptyFacets(q indexer.Query) map[string]map[string]int {
	out := map[string]map[string]int{}
	if q.Facets {
		for _, f := range indexer.Facets {
			out[f] = map[string]int{}
		}
	}
	return out
}

// metaFieldNames are the stored fields the table is loaded from.
var metaFieldNames = []string{fRegion, fRegions, fLevel, fCategory, fAudience, fStatus, fApplyFree, fPublish, fFrom, fTo}

// metaLoadPage is how many documents loadMeta reads a search (each page
// walks the documents before it again). Loading 100,000 documents costs
// about 3 CPU-seconds, nearly all of it reading their stored fields (an
// index on disk is loaded from its terms instead: loadMetaSegments).
const metaLoadPage = 25000

// loadMeta fills the table from the stored fields of every document in the
// index, page documents at a time in id order.
func loadMeta(ctx context.Context, idx blevesearch.Index, m *metaTable, page int) error {
	var after []string
	for {
		req := blevesearch.NewSearchRequestOptions(blevesearch.NewMatchAllQuery(), page, 0, false)
		req.Fields = metaFieldNames
		req.SortBy([]string{"_id"})
		req.Score = blevesearch.ScoreNone
		if after != nil {
			req.SetSearchAfter(after)
		}
		res, err := idx.SearchInContext(ctx, req)
		if err != nil {
			return fmt.Errorf("load filter fields: %w", err)
		}
		fs := make([]metaFields, 0, len(res.Hits))
		for _, h := range res.Hits {
			fs = append(fs, storedMeta(h))
		}
		m.widen(fs...)
		m.put(fs...)
		if len(res.Hits) < page {
			return nil
		}
		after = []string{res.Hits[len(res.Hits)-1].ID}
	}
}

func storedMeta(h *search.DocumentMatch) metaFields {
	f := metaFields{id: h.ID, regions: stringsOf(h.Fields[fRegions]), audiences: stringsOf(h.Fields[fAudience])}
	f.region, _ = h.Fields[fRegion].(string)
	f.level, _ = h.Fields[fLevel].(string)
	f.category, _ = h.Fields[fCategory].(string)
	f.status, _ = h.Fields[fStatus].(string)
	af, _ := h.Fields[fApplyFree].(string)
	f.applyFree, _ = strconv.ParseBool(af)
	num := func(name string) int {
		v, _ := h.Fields[name].(float64)
		return int(v)
	}
	f.publish, f.from, f.end = num(fPublish), num(fFrom), num(fTo)
	return f
}

// pageByIDs fetches the stored fields of the documents ids, in that order;
// with snippets also the text the snippets are cut from.
func (x *Index) pageByIDs(ctx context.Context, ids []string, snippets bool) ([]*search.DocumentMatch, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	req := blevesearch.NewSearchRequestOptions(blevesearch.NewDocIDQuery(ids), len(ids), 0, false)
	req.Fields = pageFields(snippets)
	req.Score = blevesearch.ScoreNone
	res, err := x.idx.SearchInContext(ctx, req)
	if err != nil {
		return nil, err
	}
	at := make(map[string]int, len(ids))
	for i, id := range ids {
		at[id] = i
	}
	hits := slices.Clone(res.Hits)
	slices.SortFunc(hits, func(a, b *search.DocumentMatch) int { return cmp.Compare(at[a.ID], at[b.ID]) })
	return hits, nil
}
