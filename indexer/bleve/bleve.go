// Package bleve is the embedded search backend: a bleve/v2 index in a
// directory (./data/index by default in `zhida serve`), analysed by the
// process's gse segmenter through a registered bleve tokenizer.
package bleve

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"

	blevesearch "github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/registry"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/zhida/zhida/corpus"
	"github.com/zhida/zhida/indexer"
	"github.com/zhida/zhida/indexer/segment"
)

// Names registered with bleve and stored in the index mapping.
const (
	TokenizerName = "zhida_gse"
	AnalyzerName  = "zhida_zh"
)

// bleve builds tokenizers from names in its global registry, also when it
// reopens an index whose mapping it reads from disk, so the constructor can
// only find the segmenter through package state. A process has one
// segmenter (loading it costs a second and 135 MB); the first Open fixes it.
var (
	procMu  sync.Mutex
	procSeg *segment.Segmenter
)

func init() {
	err := registry.RegisterTokenizer(TokenizerName, func(map[string]any, *registry.Cache) (analysis.Tokenizer, error) {
		procMu.Lock()
		defer procMu.Unlock()
		if procSeg == nil {
			return nil, errors.New("zhida_gse tokenizer: no segmenter; open the index with bleve.Open")
		}
		return tokenizer{procSeg}, nil
	})
	if err != nil {
		panic(err) // a name clash is a programming error
	}
}

func useSegmenter(seg *segment.Segmenter) error {
	procMu.Lock()
	defer procMu.Unlock()
	switch {
	case seg == nil:
		return errors.New("nil segmenter")
	case procSeg == nil:
		procSeg = seg
	case procSeg != seg:
		return errors.New("a different segmenter is already in use: share one segmenter per process")
	}
	return nil
}

// tokenizer turns segment.IndexTokens into bleve tokens.
type tokenizer struct{ seg *segment.Segmenter }

func (t tokenizer) Tokenize(in []byte) analysis.TokenStream {
	toks := t.seg.IndexTokens(string(in))
	out := make(analysis.TokenStream, len(toks))
	all := make([]analysis.Token, len(toks)) // one allocation for the stream
	for i, tk := range toks {
		all[i] = analysis.Token{Start: tk.Start, End: tk.End, Term: []byte(tk.Term), Position: tk.Position, Type: analysis.Ideographic}
		out[i] = &all[i]
	}
	return out
}

// Field names in the index.
const (
	fVersion   = "version"
	fTitle     = "title"
	fDocNumber = "doc_number"
	fIssuer    = "issuer"
	fRegion    = "region"
	fRegions   = "regions"
	fLevel     = "level"
	fCategory  = "category"
	fAudience  = "audience"
	fStatus    = "status"
	fPublish   = "publish"
	fFrom      = "from"
	fTo        = "to"
	fApplyFree = "apply_free"
	fBenefits  = "benefits"
	fText      = "text"
)

// fAll is the one searched field: every text field of the document (see
// allText). One field instead of five, each with its boost, makes a query
// word one term lookup per synonym rather than five, and the disjunction
// bleve walks for every hit five times narrower: text queries cost about
// half the CPU, with recall@10 and MRR on the tuned query set no worse.
const fAll = "all"

// fFacets holds every facet value of a document as "name=value" (one term
// per value): counting facets then reads one doc-value field per hit, not
// four, which halved the cost of a text query with facets.
const fFacets = "facets"

// facetTerms are the terms of fFacets for a document.
func facetTerms(d indexer.Doc) []string {
	out := []string{
		indexer.FacetCategory + "=" + string(d.Category), indexer.FacetLevel + "=" + string(d.Level),
		indexer.FacetApplyFree + "=" + strconv.FormatBool(d.ApplyFree),
	}
	for _, a := range d.Audiences {
		out = append(out, indexer.FacetAudience+"="+string(a))
	}
	return out
}

// maxFacetTerms bounds the terms bleve returns for fFacets: more than every
// category, level, audience and true/false together.
const maxFacetTerms = 1000

// facetCounts splits bleve's counts of fFacets terms by facet name.
func facetCounts(res *blevesearch.SearchResult) map[string]map[string]int {
	out := map[string]map[string]int{}
	fr := res.Facets[fFacets]
	if fr == nil {
		return out
	}
	for _, name := range indexer.Facets {
		out[name] = map[string]int{}
	}
	for _, tf := range fr.Terms.Terms() {
		name, value, ok := strings.Cut(tf.Term, "=")
		if ok && value != "" && out[name] != nil {
			out[name][value] = tf.Count
		}
	}
	return out
}

func newMapping() (*mapping.IndexMappingImpl, error) {
	m := blevesearch.NewIndexMapping()
	if err := m.AddCustomAnalyzer(AnalyzerName, map[string]any{"type": custom.Name, "tokenizer": TokenizerName}); err != nil {
		return nil, fmt.Errorf("index mapping: %w", err)
	}
	m.DefaultAnalyzer = AnalyzerName
	doc := blevesearch.NewDocumentStaticMapping()
	// Snippets are cut from the stored text (indexer.Snippet), not from
	// term vectors: storing every token's position and offsets made
	// indexing 20% and the index 30% bigger.
	text := func(index, store bool) *mapping.FieldMapping {
		f := blevesearch.NewTextFieldMapping()
		f.Analyzer = AnalyzerName
		f.Index = index
		f.Store = store
		f.IncludeTermVectors = false
		f.IncludeInAll = false
		f.DocValues = false
		return f
	}
	// Doc values only where facets and sorting read them.
	kw := func(store, docValues bool) *mapping.FieldMapping {
		f := blevesearch.NewKeywordFieldMapping()
		f.Analyzer = keyword.Name
		f.Store = store
		f.IncludeInAll = false
		f.DocValues = docValues
		return f
	}
	num := func(store, docValues bool) *mapping.FieldMapping {
		f := blevesearch.NewNumericFieldMapping()
		f.Store = store
		f.IncludeInAll = false
		f.DocValues = docValues
		return f
	}
	doc.AddFieldMappingsAt(fAll, text(true, false))
	// The text fields are only stored, for hits and snippets; fAll is
	// analysed instead of them, so no text is segmented twice but the title
	// and benefit names.
	for _, f := range []string{fTitle, fBenefits, fText, fDocNumber, fIssuer} {
		doc.AddFieldMappingsAt(f, text(false, true))
	}
	// Stored also where the in-memory filter table (meta.go) is loaded from.
	for _, f := range []string{fRegions, fStatus, fRegion} {
		doc.AddFieldMappingsAt(f, kw(true, false))
	}
	// level is indexed too: the filter table is loaded from the segments'
	// terms (metaload.go) and counts the level facet.
	for _, f := range []string{fCategory, fAudience, fApplyFree, fLevel} {
		doc.AddFieldMappingsAt(f, kw(true, false))
	}
	// Stored only (indexing): no query reads its terms, only hits read the
	// value (a numeric field is 16 terms a document to index and merge).
	storedOnly := func(f *mapping.FieldMapping) *mapping.FieldMapping {
		f.Index = false
		return f
	}
	doc.AddFieldMappingsAt(fVersion, storedOnly(num(true, false)))
	doc.AddFieldMappingsAt(fFacets, kw(false, true))
	doc.AddFieldMappingsAt(fPublish, num(true, true))
	doc.AddFieldMappingsAt(fFrom, num(true, false))
	doc.AddFieldMappingsAt(fTo, num(true, false))
	// No _all field (indexing): no field is included in it and no query
	// reads it, but bleve would still build it for every document.
	doc.AddSubDocumentMapping("_all", blevesearch.NewDocumentDisabledMapping())
	m.DefaultMapping = doc
	return m, nil
}

// Index is the embedded backend. It is safe for concurrent use.
type Index struct {
	idx   blevesearch.Index
	seg   *segment.Segmenter
	meta  *metaTable
	fast  *fastCache // per-segment data of searchFast
	close sync.Once
	err   error // of Close
}

var _ indexer.Backend = (*Index)(nil)

// Open opens the index in dir, creating it if dir does not hold one; an
// empty dir makes an in-memory index. seg must be the process's one
// segmenter.
func Open(dir string, seg *segment.Segmenter) (*Index, error) {
	if err := useSegmenter(seg); err != nil {
		return nil, fmt.Errorf("open search index: %w", err)
	}
	m, err := newMapping()
	if err != nil {
		return nil, err
	}
	var idx blevesearch.Index
	switch _, statErr := os.Stat(dir); {
	case dir == "":
		idx, err = blevesearch.NewMemOnly(m)
	case statErr == nil:
		idx, err = blevesearch.Open(dir)
	case errors.Is(statErr, os.ErrNotExist):
		idx, err = blevesearch.New(dir, m)
	default:
		err = statErr
	}
	if err != nil {
		return nil, fmt.Errorf("open search index %s: %w", dir, err)
	}
	if err := checkMappingVersion(idx); err != nil {
		idx.Close()
		return nil, fmt.Errorf("open search index %s: %w", dir, err)
	}
	x := &Index{idx: idx, seg: seg, meta: newMetaTable(), fast: newFastCache()}
	fromSegments, err := x.loadMetaSegments()
	if err == nil && !fromSegments {
		err = loadMeta(context.Background(), idx, x.meta, metaLoadPage)
	}
	if err != nil {
		idx.Close()
		return nil, fmt.Errorf("open search index %s: %w", dir, err)
	}
	if err := x.warm(); err != nil {
		idx.Close()
		return nil, fmt.Errorf("open search index %s: read its segments: %w", dir, err)
	}
	return x, nil
}

// MappingVersion changes whenever the fields or their analysis change; an
// index built with another version must be rebuilt (delete the directory
// and index again), because bleve keeps the mapping it was created with.
const MappingVersion = "zhida-7"

var mappingKey = []byte("zhida_mapping_version")

func checkMappingVersion(idx blevesearch.Index) error {
	v, err := idx.GetInternal(mappingKey)
	if err != nil {
		return err
	}
	n, err := idx.DocCount()
	if err != nil {
		return err
	}
	switch {
	case string(v) == MappingVersion:
		return nil
	case v == nil && n == 0: // new index
		return idx.SetInternal(mappingKey, []byte(MappingVersion))
	}
	return fmt.Errorf("index built with mapping %q, this build uses %q: delete the directory and index again", v, MappingVersion)
}

func doc(d indexer.Doc) map[string]any {
	aud := make([]string, len(d.Audiences))
	for i, a := range d.Audiences {
		aud[i] = string(a)
	}
	return map[string]any{
		fVersion:   float64(d.Version),
		fTitle:     d.Title,
		fDocNumber: d.DocNumber,
		fIssuer:    d.Issuer,
		fRegion:    d.Region,
		fRegions:   d.Regions,
		fLevel:     string(d.Level),
		fCategory:  string(d.Category),
		fAudience:  aud,
		fStatus:    string(d.Status),
		fPublish:   float64(indexer.DateNum(d.PublishDate)),
		fFrom:      float64(indexer.DateNum(d.EffectiveFrom)),
		fTo:        float64(indexer.EndNum(d.EffectiveTo)),
		fApplyFree: strconv.FormatBool(d.ApplyFree),
		fFacets:    facetTerms(d),
		fBenefits:  d.Benefits,
		fText:      d.Text,
		// fAll is added by document (allField, indexing.go).
	}
}

// allText is the text of fAll: the title three times and the benefit names
// twice, so that a word there counts as if found that many times (the
// weights the separate fields' boosts used to give), then the document
// number, issuer and text.
func allText(d indexer.Doc) string {
	parts := []string{d.Title, d.Title, d.Title}
	parts = append(parts, d.Benefits...)
	parts = append(parts, d.Benefits...)
	return strings.Join(append(parts, d.DocNumber, d.Issuer, d.Text), "\n")
}

// Index adds or replaces documents in one batch.
func (x *Index) Index(ctx context.Context, docs []indexer.Doc) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	fs := make([]metaFields, len(docs))
	for i, d := range docs {
		fs[i] = metaOf(d)
	}
	// Widened before the documents become searchable, so no search sees a
	// document outside the bounds its liveness clauses assume.
	x.meta.widen(fs...)
	if err := x.batch(docs); err != nil {
		return err
	}
	x.meta.put(fs...)
	return nil
}

// Delete removes the documents of the given policies.
func (x *Index) Delete(ctx context.Context, policyIDs ...string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	b := x.idx.NewBatch()
	for _, id := range policyIDs {
		b.Delete(id)
	}
	if err := x.idx.Batch(b); err != nil {
		return fmt.Errorf("delete %d policies: %w", len(policyIDs), err)
	}
	x.meta.remove(policyIDs...)
	return nil
}

// Search runs a query.
func (x *Index) Search(ctx context.Context, q indexer.Query) (indexer.Result, error) {
	q, err := q.Normalize()
	if err != nil {
		return indexer.Result{}, err
	}
	if q.Text == "" {
		return x.browse(ctx, q)
	}
	groups := x.seg.QueryTerms(q.Text)
	if len(groups) == 0 {
		// Only stop words or punctuation: nothing can match.
		return indexer.Result{Facets: map[string]map[string]int{}}, nil
	}
	if err := x.partialWords(ctx, groups); err != nil {
		return indexer.Result{}, fmt.Errorf("search %q: %w", q.Text, err)
	}
	res, fast, err := x.searchFast(ctx, q, groups)
	if err != nil {
		return indexer.Result{}, fmt.Errorf("search %q: %w", q.Text, err)
	}
	if fast {
		return res, nil
	}
	return x.searchBleve(ctx, q, groups)
}

// searchBleve runs a text query (groups are its words, each with its
// synonyms) as a bleve query; searchFast gives the same answer on a scorch
// index without bleve's searchers.
func (x *Index) searchBleve(ctx context.Context, q indexer.Query, groups [][]string) (indexer.Result, error) {
	// One clause per query word: a document matches the word when any of
	// its terms (the word or a synonym) is in any text field.
	words := make([]query.Query, 0, len(groups))
	for _, g := range groups {
		var any []query.Query
		for _, term := range g {
			tq := blevesearch.NewTermQuery(term)
			tq.SetField(fAll)
			any = append(any, tq)
		}
		words = append(words, anyOf(any))
	}
	newest := q.Sort == indexer.SortNewest
	top, res, err := x.matchMost(ctx, words, q, func(top query.Query) (*blevesearch.SearchResult, error) {
		if newest { // count and facets; the page is sorted below
			count := blevesearch.NewSearchRequestOptions(top, 0, 0, false)
			count.Score = blevesearch.ScoreNone
			addFacets(count, q)
			return x.idx.SearchInContext(ctx, count)
		}
		req := pageRequest(top, q, true)
		addFacets(req, q)
		return x.idx.SearchInContext(ctx, req)
	})
	if err == nil && newest {
		res, err = x.searchNewest(ctx, top, res, q, true)
	}
	if err != nil {
		return indexer.Result{}, fmt.Errorf("search %q: %w", q.Text, err)
	}
	out := indexer.Result{Total: int(res.Total), Facets: facetCounts(res)}
	var terms []string
	for _, g := range groups {
		terms = append(terms, g...)
	}
	for _, h := range res.Hits {
		out.Hits = append(out.Hits, x.hit(h, terms))
	}
	return out, nil
}

// matchMost builds the query of the words and the filters. Every word must
// match while that finds a full page (Offset+Limit hits); otherwise the
// number of words a document must match drops one at a time, down to one,
// until it does (run runs each try: a page, or a count) — a word in no document, or a filler word the query words
// file missed, then no longer hides the documents matching the rest. The
// words are a disjunction with a minimum, whose score is scaled by the share
// of words matched, so documents matching more words rank first. This is
// Meilisearch's matching strategy "last" (indexer/meili), except that any
// word may be the one left out, not only the last: citizens' word order
// says nothing about which word matters most.
func (x *Index) matchMost(ctx context.Context, words []query.Query, q indexer.Query, run func(query.Query) (*blevesearch.SearchResult, error)) (query.Query, *blevesearch.SearchResult, error) {
	build := func(min int) query.Query {
		must := filters(q)
		switch {
		case len(words) == 1:
			must = append(must, words[0])
		case len(words) > 1:
			d := blevesearch.NewDisjunctionQuery(words...)
			d.SetMin(float64(min))
			must = append(must, d)
		}
		not := x.notLive(q)
		switch {
		case len(must) == 0 && len(not) == 0:
			return blevesearch.NewMatchAllQuery()
		case len(not) == 0:
			return allOf(must)
		}
		b := query.NewBooleanQuery(nil, nil, not)
		if len(must) > 0 { // with no must clauses, bleve starts from all documents
			b.Must = allOf(must)
		}
		return b
	}
	need := uint64(q.Offset + q.Limit)
	for min := len(words); ; min-- {
		top := build(min)
		res, err := run(top)
		if err != nil {
			return nil, nil, fmt.Errorf("match %d of %d words: %w", min, len(words), err)
		}
		if min <= 1 || res.Total >= need {
			return top, res, nil
		}
	}
}

// anyOf and allOf are disjunction and conjunction, except that one clause
// is itself: bleve wraps even a single clause in a searcher of its own, a
// cost paid for every hit.
func anyOf(qs []query.Query) query.Query {
	if len(qs) == 1 {
		return qs[0]
	}
	return blevesearch.NewDisjunctionQuery(qs...)
}

func allOf(qs []query.Query) query.Query {
	if len(qs) == 1 {
		return qs[0]
	}
	return blevesearch.NewConjunctionQuery(qs...)
}

// pageRequest asks for one page of hits of qq with the fields hits need.
func pageRequest(qq query.Query, q indexer.Query, hasText bool) *blevesearch.SearchRequest {
	req := blevesearch.NewSearchRequestOptions(qq, q.Limit, q.Offset, false)
	req.Fields = pageFields(hasText)
	return req
}

// pageFields are the stored fields a hit shows; snippets need the text.
func pageFields(snippets bool) []string {
	f := []string{fVersion, fTitle, fDocNumber, fIssuer, fRegion, fLevel, fCategory, fAudience, fPublish, fApplyFree}
	if snippets {
		f = append(f, fText, fBenefits)
	}
	return f
}

// browse answers a query without text from the in-memory filter table and
// reads only the page's documents from the index.
func (x *Index) browse(ctx context.Context, q indexer.Query) (indexer.Result, error) {
	b := x.meta.browse(q)
	hits, err := x.pageByIDs(ctx, b.page, false)
	if err != nil {
		return indexer.Result{}, fmt.Errorf("search: read page: %w", err)
	}
	out := indexer.Result{Total: b.total, Facets: b.facets}
	if out.Facets == nil {
		out.Facets = map[string]map[string]int{}
	}
	for _, h := range hits {
		out.Hits = append(out.Hits, x.hit(h, nil))
	}
	return out, nil
}

func addFacets(req *blevesearch.SearchRequest, q indexer.Query) {
	if q.Facets {
		req.AddFacet(fFacets, blevesearch.NewFacetRequest(fFacets, maxFacetTerms))
	}
}

// searchNewest returns the page of top's matches sorted newest first without
// reading the date of every match (bleve reads a sort key from doc values
// for each match, the main cost of a large result): given all, the count of
// the matches with their facets, it sorts only those published in a window
// before q.Today, widening it fourfold until it holds the whole page.
// Everything outside the window is older than everything in it, so the page
// is the same as sorting all matches.
func (x *Index) searchNewest(ctx context.Context, top query.Query, all *blevesearch.SearchResult, q indexer.Query, hasText bool) (*blevesearch.SearchResult, error) {
	need := uint64(q.Offset + q.Limit)
	for days := 365; ; days *= 4 {
		windowed := all.Total > need && days < 100*365
		qq := top
		if windowed {
			from := float64(indexer.DateNum(q.Today.AddDays(-days)))
			yes := true
			r := blevesearch.NewNumericRangeInclusiveQuery(&from, nil, &yes, nil)
			r.SetField(fPublish)
			r.SetBoost(0)
			qq = blevesearch.NewConjunctionQuery(top, r)
		}
		req := pageRequest(qq, q, hasText)
		// One sort key: ties keep index order, the same in every window.
		req.SortBy([]string{"-" + fPublish})
		req.Score = blevesearch.ScoreNone // not read: save computing it
		res, err := x.idx.SearchInContext(ctx, req)
		if err != nil {
			return nil, err
		}
		if !windowed || res.Total >= need || res.Total == all.Total {
			res.Total, res.Facets = all.Total, all.Facets
			return res, nil
		}
	}
}

func (x *Index) hit(h *search.DocumentMatch, terms []string) indexer.Hit {
	out := indexer.Hit{PolicyID: h.ID, Score: h.Score}
	if v, ok := h.Fields[fVersion].(float64); ok {
		out.Version = int(v)
	}
	out.Title, _ = h.Fields[fTitle].(string)
	out.DocNumber, _ = h.Fields[fDocNumber].(string)
	out.Issuer, _ = h.Fields[fIssuer].(string)
	out.Region, _ = h.Fields[fRegion].(string)
	lvl, _ := h.Fields[fLevel].(string)
	out.Level = corpus.Level(lvl)
	cat, _ := h.Fields[fCategory].(string)
	out.Category = corpus.Category(cat)
	for _, a := range stringsOf(h.Fields[fAudience]) {
		out.Audiences = append(out.Audiences, corpus.Audience(a))
	}
	if p, ok := h.Fields[fPublish].(float64); ok {
		out.PublishDate = indexer.DateOfNum(int(p))
	}
	af, _ := h.Fields[fApplyFree].(string)
	out.ApplyFree = af == "true"
	if len(terms) == 0 {
		return out
	}
	// The snippet comes from the text, else the benefit names, else the title.
	benefits := strings.Join(stringsOf(h.Fields[fBenefits]), "；")
	text, _ := h.Fields[fText].(string)
	for _, s := range []string{text, benefits, out.Title} {
		if out.Snippet = indexer.Snippet(s, terms, x.seg.Fold); out.Snippet != "" {
			break
		}
	}
	return out
}

// stringsOf reads a stored field that holds one string or several.
func stringsOf(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, x := range v {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// filters turns the query's filters into clauses that do not score.
func filters(q indexer.Query) []query.Query {
	var out []query.Query
	terms := func(field string, values ...string) {
		var any []query.Query
		for _, v := range values {
			tq := blevesearch.NewTermQuery(v)
			tq.SetField(field)
			tq.SetBoost(0)
			any = append(any, tq)
		}
		if len(any) > 1 {
			d := blevesearch.NewDisjunctionQuery(any...)
			d.SetBoost(0)
			out = append(out, d)
			return
		}
		out = append(out, any...)
	}
	if len(q.Regions) > 0 {
		terms(fRegion, q.Regions...)
	}
	if q.Within != "" {
		terms(fRegions, q.Within)
	}
	if q.Audience != "" {
		terms(fAudience, string(q.Audience))
	}
	if len(q.Categories) > 0 {
		cats := make([]string, len(q.Categories))
		for i, c := range q.Categories {
			cats[i] = string(c)
		}
		terms(fCategory, cats...)
	}
	if q.ApplyFreeOnly {
		terms(fApplyFree, "true")
	}
	return out
}

// notLive returns the clauses that exclude documents not live on q.Today:
// expired, not yet in force, or not published. They are written as
// exclusions because the excluded documents are few, so their postings are
// short, where "live" ranges would match nearly every document. Each clause
// is checked for every match, so the filter table's bounds (liveBounds)
// leave out those that can exclude nothing and narrow the date ranges to
// the dates indexed: an open-ended range becomes many more numeric terms.
func (x *Index) notLive(q indexer.Query) []query.Query {
	if q.IncludeInactive {
		return nil
	}
	b := x.meta.liveBounds()
	today := float64(indexer.DateNum(q.Today))
	yes, no := true, false
	var out []query.Query
	if lo := float64(b.minEnd); lo < today {
		ended := blevesearch.NewNumericRangeInclusiveQuery(&lo, &today, &yes, &no)
		ended.SetField(fTo)
		out = append(out, ended)
	}
	if hi := float64(b.maxFrom); hi > today {
		future := blevesearch.NewNumericRangeInclusiveQuery(&today, &hi, &no, &yes)
		future.SetField(fFrom)
		out = append(out, future)
	}
	if b.inactiveStatus {
		for _, s := range []corpus.Status{corpus.StatusExpired, corpus.StatusRetracted, corpus.StatusDraft} {
			tq := blevesearch.NewTermQuery(string(s))
			tq.SetField(fStatus)
			out = append(out, tq)
		}
	}
	return out
}

// Ready reports whether the index answers.
func (x *Index) Ready(ctx context.Context) error {
	if _, err := x.idx.DocCount(); err != nil {
		return fmt.Errorf("search index not ready: %w", err)
	}
	return ctx.Err()
}

// Close closes the index; closing it again does nothing.
func (x *Index) Close() error {
	x.close.Do(func() { x.err = x.idx.Close() })
	return x.err
}

// DocCount returns the number of indexed documents.
func (x *Index) DocCount() (int, error) {
	n, err := x.idx.DocCount()
	return int(n), err
}
