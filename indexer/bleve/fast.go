package bleve

import (
	"context"
	"fmt"
	"math"
	"math/bits"
	"slices"
	"strings"
	"sync"

	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/numeric"
	"github.com/blevesearch/bleve/v2/search"
	segment "github.com/blevesearch/scorch_segment_api/v2"

	"github.com/zhida/zhida/corpus"
	"github.com/zhida/zhida/indexer"
)

// A text search through bleve's searchers costs, at 100,000 documents, tens
// of milliseconds for a common word: bleve builds a match object per hit of
// every term, walks the filter and liveness clauses (the date ranges are
// disjunctions of many numeric terms) for each, and reads the facet field's
// doc values per hit. searchFast answers the same query from the segments
// of the on-disk (scorch) index directly, with the same result: it reads
// the postings of the query's terms once, into per-document arrays, and
// scores them with bleve's own formula (tf-idf with query norm and coord,
// see termScore), and it keeps, per immutable segment, the filter terms
// and the date fields as bitsets and columns, so filters, liveness, the
// word-count fallback of matchMost and the facet counts are word-wide bit
// operations. TestFastAgreesWithBleve checks it against the bleve query.
//
// Only scorch indexes (on disk) go this way; the in-memory index (bleve's
// upsidedown) keeps the bleve query.

// fastCache holds the per-segment data, keyed by segment; segments are
// immutable, so an entry is never stale, only unused once merged away.
type fastCache struct {
	mu   sync.Mutex
	segs map[segment.Segment]*segData
	used int64 // bytes of termPosts and term bitsets held
	// budget and minPosts are postingsBudget and minCachedPostings, but
	// for tests.
	budget   int64
	minPosts int
}

func newFastCache() *fastCache {
	return &fastCache{segs: map[segment.Segment]*segData{}, budget: postingsBudget, minPosts: minCachedPostings}
}

// get returns the data of s, creating an empty entry.
func (c *fastCache) get(s segment.Segment) *segData {
	c.mu.Lock()
	defer c.mu.Unlock()
	d := c.segs[s]
	if d == nil {
		d = &segData{cache: c, seg: s, n: int(s.Count()), terms: map[string]bitset{}, posts: map[string]*termPosts{}}
		c.segs[s] = d
	}
	return d
}

// prune drops the entries of segments not in live (merged away).
func (c *fastCache) prune(live []*scorch.SegmentSnapshot) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.segs) <= len(live) {
		return
	}
	keep := make(map[segment.Segment]bool, len(live))
	for _, ss := range live {
		keep[ss.Segment()] = true
	}
	for s, d := range c.segs {
		if !keep[s] {
			delete(c.segs, s)
			d.mu.Lock()
			for _, tp := range d.posts {
				c.used -= tp.bytes()
			}
			for _, b := range d.terms {
				c.used -= int64(len(b))*8 + 64
			}
			d.mu.Unlock()
		}
	}
}

// Decoded postings of common terms (termPosts) and the bitsets of filter
// terms are kept up to postingsBudget bytes in all; postings only of terms
// with at least minCachedPostings documents in a segment: reading them from
// memory is several times faster than decoding zap's postings, and rare
// terms cost little either way. The first terms searched fill the budget;
// entries go with their segment.
const (
	postingsBudget    = 64 << 20
	minCachedPostings = 1024
)

// termPosts are one term's postings in one segment, deleted documents
// included: document numbers, ascending, and sqrt(tf)·norm, the part of
// the score that depends on the document.
type termPosts struct {
	docs []uint32
	tfn  []float64
}

func (tp *termPosts) bytes() int64 { return int64(len(tp.docs))*12 + 64 }

// postings returns the decoded postings of term in d's segment, decoding
// and keeping them when the term is common and the budget allows; nil when
// the caller should read pl, the term's postings without deleted documents.
func (c *fastCache) postings(d *segData, term string, pl segment.PostingsList) (*termPosts, error) {
	d.mu.Lock()
	tp, ok := d.posts[term]
	d.mu.Unlock()
	if ok || pl.Count() < uint64(c.minPosts) {
		return tp, nil
	}
	c.mu.Lock()
	room := c.used+int64(pl.Count())*12+64 <= c.budget
	c.mu.Unlock()
	if !room {
		return nil, nil
	}
	// Deleted documents included: a segment's deleted set only grows, and
	// searches on an older snapshot may use the entry too.
	dict, err := d.seg.Dictionary(fAll)
	if err != nil {
		return nil, fmt.Errorf("dictionary: %w", err)
	}
	all, err := dict.PostingsList([]byte(term), nil, nil)
	if err != nil {
		return nil, fmt.Errorf("postings of %s: %w", term, err)
	}
	n := int(all.Count())
	tp = &termPosts{docs: make([]uint32, 0, n), tfn: make([]float64, 0, n)}
	it := all.Iterator(true, true, false, nil)
	for {
		p, err := it.Next()
		if err != nil {
			return nil, fmt.Errorf("postings of %s: %w", term, err)
		}
		if p == nil {
			break
		}
		tp.docs = append(tp.docs, uint32(p.Number()))
		tp.tfn = append(tp.tfn, math.Sqrt(float64(p.Frequency()))*p.Norm())
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	d.mu.Lock()
	defer d.mu.Unlock()
	if prev, ok := d.posts[term]; ok { // another search was first
		return prev, nil
	}
	d.posts[term] = tp
	if c.segs[d.seg] == d { // else pruned meanwhile, and not counted
		c.used += tp.bytes()
	}
	return tp, nil
}

// segData is what searchFast keeps of one segment: bitsets of filter terms,
// the date columns, the liveness bitset of one day and the facet terms.
type segData struct {
	cache *fastCache
	seg   segment.Segment
	n     int // documents in the segment, deleted ones included

	mu    sync.Mutex
	terms map[string]bitset     // field + "\x00" + term → documents holding it
	posts map[string]*termPosts // fAll term → its decoded postings

	datesOnce         sync.Once
	datesErr          error
	from, to, publish []int32 // DateNum by document number
	liveDay           int32   // the day live was computed for
	live              bitset  // published status, from ≤ day ≤ to
	facetsOnce        sync.Once
	facetsErr         error
	facetNames        []string // fFacets terms ("category=就业")
	facetBits         []bitset
}

// term returns the documents of the segment holding term in field (deleted
// ones included); a term in no document gives nil.
func (d *segData) term(field, term string) (bitset, error) {
	key := field + "\x00" + term
	d.mu.Lock()
	b, ok := d.terms[key]
	d.mu.Unlock()
	if ok {
		return b, nil
	}
	dict, err := d.seg.Dictionary(field)
	if err != nil {
		return nil, fmt.Errorf("dictionary %s: %w", field, err)
	}
	b, err = postingsBits(dict, []byte(term), d.n)
	if err != nil {
		return nil, fmt.Errorf("postings %s:%s: %w", field, term, err)
	}
	// Kept within the cache's budget: filter values are few (regions,
	// categories), but each costs a bit per document of the segment.
	c := d.cache
	c.mu.Lock()
	defer c.mu.Unlock()
	if size := int64(len(b))*8 + 64; c.used+size <= c.budget && c.segs[d.seg] == d {
		d.mu.Lock()
		if _, ok := d.terms[key]; !ok {
			d.terms[key] = b
			c.used += size
		}
		d.mu.Unlock()
	}
	return b, nil
}

// postingsBits reads a term's postings into a bitset (nil when empty).
func postingsBits(dict segment.TermDictionary, term []byte, n int) (bitset, error) {
	pl, err := dict.PostingsList(term, nil, nil)
	if err != nil || pl == nil || pl.Count() == 0 {
		return nil, err
	}
	b := newBitset(n)
	it := pl.Iterator(false, false, false, nil)
	for {
		p, err := it.Next()
		if err != nil {
			return nil, err
		}
		if p == nil {
			return b, nil
		}
		b.set(int(p.Number()))
	}
}

// allTerms matches every term of a dictionary.
type allTerms struct{}

func (allTerms) Start() int               { return 0 }
func (allTerms) IsMatch(int) bool         { return true }
func (allTerms) CanMatch(int) bool        { return true }
func (allTerms) WillAlwaysMatch(int) bool { return true }
func (allTerms) Accept(int, byte) int     { return 0 }

// eachTerm calls f with every term of field in [start, end), then each
// document holding it.
func (d *segData) eachTerm(field string, start, end []byte, term func(string), doc func(int)) error {
	dict, err := d.seg.Dictionary(field)
	if err != nil {
		return fmt.Errorf("dictionary %s: %w", field, err)
	}
	it := dict.AutomatonIterator(allTerms{}, start, end)
	var pl segment.PostingsList
	var pi segment.PostingsIterator
	for {
		e, err := it.Next()
		if err != nil {
			return fmt.Errorf("terms of %s: %w", field, err)
		}
		if e == nil {
			return nil
		}
		term(e.Term)
		if pl, err = dict.PostingsList([]byte(e.Term), nil, pl); err != nil {
			return fmt.Errorf("postings %s:%s: %w", field, e.Term, err)
		}
		pi = pl.Iterator(false, false, false, pi)
		for {
			p, err := pi.Next()
			if err != nil {
				return fmt.Errorf("postings %s:%s: %w", field, e.Term, err)
			}
			if p == nil {
				break
			}
			doc(int(p.Number()))
		}
	}
}

// dates fills the date columns from the full-precision numeric terms.
func (d *segData) dates() error {
	d.datesOnce.Do(func() {
		col := func(field string) []int32 {
			c := make([]int32, d.n)
			var v int32
			// Shift-0 prefix-coded terms start with byte 0x20: the exact values.
			err := d.eachTerm(field, []byte{0x20}, []byte{0x21}, func(term string) {
				f, err := prefixCodedValue(term)
				if err != nil && d.datesErr == nil {
					d.datesErr = err
				}
				v = int32(f)
			}, func(doc int) { c[doc] = v })
			if err != nil && d.datesErr == nil {
				d.datesErr = err
			}
			return c
		}
		d.from, d.to, d.publish = col(fFrom), col(fTo), col(fPublish)
	})
	return d.datesErr
}

// liveOn returns the documents live on day: status published (not expired,
// retracted or draft), from ≤ day ≤ to — what notLive excludes, inverted.
func (d *segData) liveOn(day int32) (bitset, error) {
	if err := d.dates(); err != nil {
		return nil, err
	}
	d.mu.Lock()
	if d.live != nil && d.liveDay == day {
		l := d.live
		d.mu.Unlock()
		return l, nil
	}
	d.mu.Unlock()
	l := newBitset(d.n)
	for i := range d.n {
		if d.from[i] <= day && d.to[i] >= day {
			l.set(i)
		}
	}
	for _, s := range []corpus.Status{corpus.StatusExpired, corpus.StatusRetracted, corpus.StatusDraft} {
		b, err := d.term(fStatus, string(s))
		if err != nil {
			return nil, err
		}
		l.andNot(b)
	}
	d.mu.Lock()
	d.live, d.liveDay = l, day
	d.mu.Unlock()
	return l, nil
}

// facetTermBits returns the fFacets terms of the segment and their documents.
func (d *segData) facetTermBits() ([]string, []bitset, error) {
	d.facetsOnce.Do(func() {
		var b bitset
		d.facetsErr = d.eachTerm(fFacets, nil, nil, func(term string) {
			b = newBitset(d.n)
			d.facetNames = append(d.facetNames, term)
			d.facetBits = append(d.facetBits, b)
		}, func(doc int) { b.set(doc) })
	})
	return d.facetNames, d.facetBits, d.facetsErr
}

// warm reads what every search needs of the index's segments (date columns,
// liveness today, facet terms), so the first searches do not pay for it.
func (x *Index) warm() error {
	snap, done, ok, err := x.snapshot()
	if err != nil || !ok {
		return err
	}
	defer done()
	day := int32(indexer.DateNum(corpus.Today()))
	for _, ss := range snap.Segments() {
		d := x.fast.get(ss.Segment())
		if _, err := d.liveOn(day); err != nil {
			return err
		}
		if _, _, err := d.facetTermBits(); err != nil {
			return err
		}
	}
	return nil
}

// snapshot returns the index's current scorch snapshot and the function
// that releases it; ok is false when the index is not a scorch index.
func (x *Index) snapshot() (snap *scorch.IndexSnapshot, done func(), ok bool, err error) {
	adv, err := x.idx.Advanced()
	if err != nil {
		return nil, nil, false, err
	}
	if _, isScorch := adv.(*scorch.Scorch); !isScorch {
		return nil, nil, false, nil
	}
	r, err := adv.Reader()
	if err != nil {
		return nil, nil, false, err
	}
	snap, ok = r.(*scorch.IndexSnapshot)
	if !ok {
		r.Close()
		return nil, nil, false, nil
	}
	return snap, func() { r.Close() }, true, nil
}

// fastHit is one document matching some of the query's words.
type fastHit struct {
	seg     int32
	doc     uint32
	words   uint16 // query words matched
	publish int32
	score   float64
}

// before reports whether a ranks before b: by score (or date, newest
// first), ties in index order, as bleve's collector orders them.
func (a *fastHit) before(b *fastHit, newest bool) bool {
	if newest {
		if a.publish != b.publish {
			return a.publish > b.publish
		}
	} else if a.score != b.score {
		return a.score > b.score
	}
	return a.seg < b.seg || (a.seg == b.seg && a.doc < b.doc)
}

// fastScratch are the per-document arrays of one segment, reused.
type fastScratch struct {
	wsum    []float64 // score of the current word
	wcnt    []uint16  // terms of the current word matched
	dsum    []float64 // score summed over words
	dwords  []uint16  // words matched
	touched []uint32  // documents with wcnt > 0
	docs    []uint32  // documents with dwords > 0
	allow   bitset
	hits    []fastHit
	matched bitset
}

var scratchPool = sync.Pool{New: func() any { return &fastScratch{} }}

func (s *fastScratch) grow(n int) {
	if len(s.wsum) < n {
		s.wsum, s.wcnt = make([]float64, n), make([]uint16, n)
		s.dsum, s.dwords = make([]float64, n), make([]uint16, n)
	}
	s.allow = slices.Grow(s.allow[:0], (n+63)/64)[:(n+63)/64]
}

// searchFast runs a text query (groups are its words, each with its
// synonyms) on the scorch segments; ok is false when the index is not
// scorch, and the caller then runs the bleve query.
func (x *Index) searchFast(ctx context.Context, q indexer.Query, groups [][]string) (res indexer.Result, ok bool, err error) {
	snap, done, ok, err := x.snapshot()
	if err != nil || !ok {
		return indexer.Result{}, false, err
	}
	defer done()
	segs := snap.Segments()
	defer x.fast.prune(segs)

	stats, queryNorm, err := termStats(snap, groups)
	if err != nil {
		return indexer.Result{}, true, err
	}

	day := int32(indexer.DateNum(q.Today))
	newest := q.Sort == indexer.SortNewest
	nWords := len(groups)
	byWords := make([]int, nWords+1) // documents matching exactly k words
	datas := make([]*segData, len(segs))
	sc := scratchPool.Get().(*fastScratch)
	defer scratchPool.Put(sc)
	hits := sc.hits[:0]
	defer func() { sc.hits = hits[:0] }()
	for si, ss := range segs {
		if err := ctx.Err(); err != nil {
			return indexer.Result{}, true, err
		}
		d := x.fast.get(ss.Segment())
		datas[si] = d
		sc.grow(d.n)
		allow, err := x.allowed(d, ss, q, day, sc.allow)
		if err != nil {
			return indexer.Result{}, true, err
		}
		if allow == nil {
			continue
		}
		if newest {
			if err := d.dates(); err != nil {
				return indexer.Result{}, true, err
			}
		}
		if err := x.fast.score(sc, d, si, groups, stats, queryNorm, allow); err != nil {
			return indexer.Result{}, true, err
		}
		for _, doc := range sc.docs {
			h := fastHit{seg: int32(si), doc: doc, words: sc.dwords[doc], score: sc.dsum[doc]}
			if nWords > 1 {
				h.score *= float64(h.words) / float64(nWords)
			}
			if newest {
				h.publish, h.score = d.publish[doc], 0 // bleve does not score a date sort
			}
			hits = append(hits, h)
			byWords[h.words]++
			sc.dsum[doc], sc.dwords[doc] = 0, 0
		}
	}

	// matchMost: every word while that fills the page, else one fewer.
	need := q.Offset + q.Limit
	minWords, total := nWords, 0
	for ; ; minWords-- {
		total += byWords[minWords]
		if minWords <= 1 || total >= need {
			break
		}
	}
	top := topHits(hits, minWords, need, newest)

	out := indexer.Result{Total: total, Facets: map[string]map[string]int{}}
	if q.Facets {
		if out.Facets, err = fastFacets(hits, minWords, datas, &sc.matched); err != nil {
			return indexer.Result{}, true, err
		}
	}
	if q.Offset >= len(top) {
		return out, true, nil
	}
	top = top[q.Offset:]
	page, err := readPage(segs, top, true)
	if err != nil {
		return indexer.Result{}, true, fmt.Errorf("read page: %w", err)
	}
	var terms []string
	for _, g := range groups {
		terms = append(terms, g...)
	}
	for _, h := range page {
		out.Hits = append(out.Hits, x.hit(h, terms))
	}
	return out, true, nil
}

// termStat is one query term's statistics over a snapshot, as bleve's term
// searchers read them, and its postings by segment (deleted documents left
// out; nil where the segment has no dictionary entry).
type termStat struct {
	idf   float64
	lists []segment.PostingsList
}

// termStats returns the statistics of every term of every query word and
// the query norm: 1/sqrt of the sum of the squared term weights (boost ·
// idf), summed word by word as bleve's nested searchers sum them.
func termStats(snap *scorch.IndexSnapshot, groups [][]string) ([][]termStat, float64, error) {
	docTotal, err := snap.DocCount()
	if err != nil {
		return nil, 0, err
	}
	segs := snap.Segments()
	stats := make([][]termStat, len(groups))
	var sumSq float64
	for w, g := range groups {
		var wordWeight float64
		for _, t := range g {
			st := termStat{lists: make([]segment.PostingsList, len(segs))}
			var df uint64 // documents holding the term, deleted ones not counted
			for i, ss := range segs {
				dict, err := ss.Segment().Dictionary(fAll)
				if err != nil {
					return nil, 0, fmt.Errorf("dictionary: %w", err)
				}
				pl, err := dict.PostingsList([]byte(t), ss.Deleted(), nil)
				if err != nil {
					return nil, 0, fmt.Errorf("postings of %s: %w", t, err)
				}
				if pl != nil {
					st.lists[i] = pl
					df += pl.Count()
				}
			}
			st.idf = 1.0 + math.Log(float64(docTotal)/float64(df+1.0))
			weight := 1.0 * st.idf
			wordWeight += weight * weight
			stats[w] = append(stats[w], st)
		}
		sumSq += wordWeight
	}
	return stats, 1.0 / math.Sqrt(sumSq), nil
}

// score adds up the scores of the query's words in segment si (d) for the
// documents in allow: after it, sc.docs lists the documents matching any
// word, sc.dwords counts the words each matches and sc.dsum sums their word
// scores (a word's score: its terms' scores summed, times the share of its
// terms matched when it has synonyms — bleve's disjunction coord).
func (c *fastCache) score(sc *fastScratch, d *segData, si int, groups [][]string, stats [][]termStat, queryNorm float64, allow bitset) error {
	sc.docs = sc.docs[:0]
	for w := range groups {
		sc.touched = sc.touched[:0]
		for t, st := range stats[w] {
			pl := st.lists[si]
			if pl == nil {
				continue
			}
			queryWeight := 1.0 * st.idf * queryNorm
			add := func(doc uint32, tfn float64) {
				if !allow.has(int(doc)) {
					return
				}
				if sc.wcnt[doc] == 0 {
					sc.touched = append(sc.touched, doc)
				}
				sc.wcnt[doc]++
				sc.wsum[doc] += termScore(tfn, st.idf, queryWeight)
			}
			tp, err := c.postings(d, groups[w][t], pl)
			if err != nil {
				return err
			}
			if tp != nil {
				for k, doc := range tp.docs {
					add(doc, tp.tfn[k])
				}
				continue
			}
			it := pl.Iterator(true, true, false, nil)
			for {
				p, err := it.Next()
				if err != nil {
					return fmt.Errorf("postings: %w", err)
				}
				if p == nil {
					break
				}
				add(uint32(p.Number()), math.Sqrt(float64(p.Frequency()))*p.Norm())
			}
		}
		nTerms := len(stats[w])
		for _, doc := range sc.touched {
			s := sc.wsum[doc]
			if nTerms > 1 { // a disjunction's coord
				s *= float64(sc.wcnt[doc]) / float64(nTerms)
			}
			if sc.dwords[doc] == 0 {
				sc.docs = append(sc.docs, doc)
			}
			sc.dwords[doc]++
			sc.dsum[doc] += s
			sc.wsum[doc], sc.wcnt[doc] = 0, 0
		}
	}
	return nil
}

// readPage reads the stored fields that hits show (pageFields) of the
// page's documents straight from their segments, as bleve's
// LoadAndHighlightFields would give them, without looking each id up again
// and decoding every stored field.
func readPage(segs []*scorch.SegmentSnapshot, top []fastHit, snippets bool) ([]*search.DocumentMatch, error) {
	want := map[string]bool{}
	for _, f := range pageFields(snippets) {
		want[f] = true
	}
	out := make([]*search.DocumentMatch, 0, len(top))
	for _, h := range top {
		dm := &search.DocumentMatch{Score: h.score}
		var verr error
		err := segs[h.seg].VisitDocument(uint64(h.doc), func(name string, typ byte, val []byte, _ []uint64) bool {
			switch {
			case !want[name]:
			case typ == 't':
				dm.AddFieldValue(name, string(val))
			case typ == 'n':
				v, err := prefixCodedValue(string(val))
				if err != nil {
					verr = fmt.Errorf("stored field %s: %w", name, err)
					return false
				}
				dm.AddFieldValue(name, v)
			}
			return true
		})
		if err == nil {
			err = verr
		}
		if err != nil {
			return nil, err
		}
		id, err := segs[h.seg].DocID(uint64(h.doc))
		if err != nil {
			return nil, fmt.Errorf("id of a hit: %w", err)
		}
		dm.ID = string(id)
		out = append(out, dm)
	}
	return out, nil
}

// termScore is bleve's tf-idf score of one term in one document
// (scorer.TermQueryScorer): tfn = sqrt(tf) · norm, times idf, times the
// query weight (boost · idf · query norm), computed in the same order so
// that the floating-point result is the same.
func termScore(tfn, idf, queryWeight float64) float64 {
	s := tfn * idf
	if queryWeight != 1.0 {
		s = s * queryWeight
	}
	return s
}

// allowed returns the documents of the segment that pass q's filters and
// liveness and are not deleted, in buf; nil when there are none.
func (x *Index) allowed(d *segData, ss *scorch.SegmentSnapshot, q indexer.Query, day int32, buf bitset) (bitset, error) {
	a := buf
	if q.IncludeInactive {
		a.fill(d.n)
	} else {
		live, err := d.liveOn(day)
		if err != nil {
			return nil, err
		}
		copy(a, live)
	}
	if del := ss.Deleted(); del != nil && !del.IsEmpty() {
		it := del.Iterator()
		for it.HasNext() {
			a.clear(int(it.Next()))
		}
	}
	// and keeps the documents holding any of values in field.
	and := func(field string, values ...string) (bool, error) {
		var union bitset
		for _, v := range values {
			b, err := d.term(field, v)
			if err != nil {
				return false, err
			}
			if b == nil {
				continue
			}
			if union == nil && len(values) == 1 {
				union = b
				continue
			}
			if union == nil {
				union = newBitset(d.n)
			}
			union.or(b)
		}
		if union == nil {
			return false, nil
		}
		return a.and(union), nil
	}
	type filter struct {
		on     bool
		field  string
		values []string
	}
	cats := make([]string, len(q.Categories))
	for i, c := range q.Categories {
		cats[i] = string(c)
	}
	for _, f := range []filter{
		{len(q.Regions) > 0, fRegion, q.Regions},
		{q.Within != "", fRegions, []string{q.Within}},
		{q.Audience != "", fAudience, []string{string(q.Audience)}},
		{len(q.Categories) > 0, fCategory, cats},
		{q.ApplyFreeOnly, fApplyFree, []string{"true"}},
	} {
		if !f.on {
			continue
		}
		any, err := and(f.field, f.values...)
		if err != nil || !any {
			return nil, err
		}
	}
	return a, nil
}

// topHits returns the first need hits matching at least minWords words, in
// rank order.
func topHits(hits []fastHit, minWords, need int, newest bool) []fastHit {
	if need <= 0 {
		return nil
	}
	// h is a heap of the best need so far with the worst at the root.
	h := make([]fastHit, 0, min(need, len(hits)))
	worse := func(i, j int) bool { return h[j].before(&h[i], newest) }
	down := func(i int) {
		for {
			l := 2*i + 1
			if l >= len(h) {
				return
			}
			if r := l + 1; r < len(h) && worse(r, l) {
				l = r
			}
			if !worse(l, i) {
				return
			}
			h[i], h[l] = h[l], h[i]
			i = l
		}
	}
	for k := range hits {
		c := &hits[k]
		if int(c.words) < minWords {
			continue
		}
		if len(h) < need {
			h = append(h, *c)
			for i := len(h) - 1; i > 0; {
				p := (i - 1) / 2
				if !worse(i, p) {
					break
				}
				h[i], h[p] = h[p], h[i]
				i = p
			}
			continue
		}
		if !c.before(&h[0], newest) {
			continue
		}
		h[0] = *c
		down(0)
	}
	slices.SortFunc(h, func(a, b fastHit) int {
		if a.before(&b, newest) {
			return -1
		}
		return 1
	})
	return h
}

// fastFacets counts the facet terms over the hits matching at least
// minWords words, as bleve's facet on fFacets would; hits are in segment
// order, matched is a reused buffer.
func fastFacets(hits []fastHit, minWords int, datas []*segData, matched *bitset) (map[string]map[string]int, error) {
	out := map[string]map[string]int{}
	for _, name := range indexer.Facets {
		out[name] = map[string]int{}
	}
	counts := map[string]int{}
	for k := 0; k < len(hits); {
		si := hits[k].seg
		d := datas[si]
		m := slices.Grow((*matched)[:0], (d.n+63)/64)[:(d.n+63)/64]
		*matched = m
		clear(m)
		for ; k < len(hits) && hits[k].seg == si; k++ {
			if int(hits[k].words) >= minWords {
				m.set(int(hits[k].doc))
			}
		}
		names, bs, err := d.facetTermBits()
		if err != nil {
			return nil, err
		}
		for i, b := range bs {
			if n := m.andCount(b); n > 0 {
				counts[names[i]] += n
			}
		}
	}
	for term, n := range counts {
		name, value, ok := strings.Cut(term, "=")
		if ok && value != "" && out[name] != nil {
			out[name][value] = n
		}
	}
	return out, nil
}

// bitset is a set of document numbers, one bit each.
type bitset []uint64

func newBitset(n int) bitset { return make(bitset, (n+63)/64) }

func (b bitset) set(i int)      { b[i>>6] |= 1 << (i & 63) }
func (b bitset) clear(i int)    { b[i>>6] &^= 1 << (i & 63) }
func (b bitset) has(i int) bool { return b[i>>6]&(1<<(i&63)) != 0 }

// fill sets the first n bits and clears the rest.
func (b bitset) fill(n int) {
	for i := range b {
		b[i] = math.MaxUint64
	}
	if r := n & 63; r != 0 {
		b[len(b)-1] = 1<<r - 1
	}
}

func (b bitset) or(o bitset) {
	for i := range min(len(b), len(o)) {
		b[i] |= o[i]
	}
}

func (b bitset) andNot(o bitset) {
	for i := range min(len(b), len(o)) {
		b[i] &^= o[i]
	}
}

// and keeps the bits also in o and reports whether any is left.
func (b bitset) and(o bitset) bool {
	var any uint64
	for i := range b {
		var w uint64
		if i < len(o) {
			w = o[i]
		}
		b[i] &= w
		any |= b[i]
	}
	return any != 0
}

func (b bitset) andCount(o bitset) int {
	n := 0
	for i := range min(len(b), len(o)) {
		n += bits.OnesCount64(b[i] & o[i])
	}
	return n
}

// prefixCodedValue decodes a full-precision (shift 0) numeric term.
func prefixCodedValue(term string) (float64, error) {
	p := numeric.PrefixCoded(term)
	if shift, err := p.Shift(); err != nil || shift != 0 {
		return 0, fmt.Errorf("not a full-precision numeric term: %q", term)
	}
	i, err := p.Int64()
	if err != nil {
		return 0, err
	}
	return numeric.Int64ToFloat64(i), nil
}
