// Package indexer makes published policies searchable: it turns a policy
// version into a search document, defines the Backend interface the search
// engines implement (indexer/bleve embedded, indexer/meili for Meilisearch),
// and keeps a backend in step with the store's outbox (Sync).
//
// Chinese text is segmented by indexer/segment; every backend shares the one
// segmenter of the process.
package indexer

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/zhida/zhida/corpus"
	"github.com/zhida/zhida/corpus/region"
)

// Doc is the search document of one policy: the fields of its live version
// that search reads. A backend keeps one Doc per PolicyID; indexing a Doc
// replaces the one stored for its policy.
type Doc struct {
	PolicyID  string
	Version   int
	Title     string
	DocNumber string
	Issuer    string
	// Region is the issuing region; Regions is it and its ancestors, so a
	// filter on any of a place's regions finds policies issued above it.
	Region   string
	Regions  []string
	Level    corpus.Level
	Category corpus.Category
	// Audiences is enterprise and/or resident (both expands to the two).
	Audiences     []corpus.Audience
	Status        corpus.Status
	PublishDate   corpus.Date
	EffectiveFrom corpus.Date
	EffectiveTo   corpus.Date
	// ApplyFree is true when any benefit is granted without application.
	ApplyFree bool
	// Benefits are the benefit names.
	Benefits []string
	Text     string
}

// NewDoc builds the search document of version v of a policy with status
// status (published, or expired for one past its effective_to). Regions come
// from the bundled region table.
func NewDoc(v corpus.Version, status corpus.Status) Doc {
	d := v.Document
	doc := Doc{
		PolicyID:      v.PolicyID,
		Version:       v.Version,
		Title:         d.Title,
		DocNumber:     d.DocNumber,
		Issuer:        d.Issuer,
		Region:        d.Region,
		Level:         d.Level,
		Category:      d.Category,
		Status:        status,
		PublishDate:   d.PublishDate,
		EffectiveFrom: d.EffectiveFrom,
		EffectiveTo:   d.EffectiveTo,
		Text:          d.Text,
	}
	if d.Region != "" {
		doc.Regions = append([]string{d.Region}, region.Default().Ancestors(d.Region)...)
	}
	if doc.Level == "" && d.Region != "" {
		doc.Level = corpus.LevelOf(d.Region)
	}
	doc.Audiences = expandAudience(d.Audience)
	for _, b := range d.Benefits {
		if b.ApplyFree {
			doc.ApplyFree = true
		}
		if b.Name != "" && !slices.Contains(doc.Benefits, b.Name) {
			doc.Benefits = append(doc.Benefits, b.Name)
		}
		for _, a := range expandAudience(b.Audience) {
			if !slices.Contains(doc.Audiences, a) {
				doc.Audiences = append(doc.Audiences, a)
			}
		}
	}
	return doc
}

func expandAudience(a corpus.Audience) []corpus.Audience {
	switch a {
	case corpus.AudienceBoth:
		return []corpus.Audience{corpus.AudienceEnterprise, corpus.AudienceResident}
	case corpus.AudienceEnterprise, corpus.AudienceResident:
		return []corpus.Audience{a}
	}
	return nil
}

// Sort orders search hits.
type Sort string

// The sort orders.
const (
	// SortRelevance ranks by text relevance; with no query text it falls
	// back to SortNewest.
	SortRelevance Sort = ""
	// SortNewest puts the latest publish date first.
	SortNewest Sort = "newest"
)

// Query is one search.
type Query struct {
	// Text is the user's words; empty lists every document passing the filters.
	Text string
	// Regions keeps documents issued by any of these regions. Callers pass a
	// place and its ancestors (天河区 → 440106, 440100, 440000, 100000) to
	// get what applies there.
	Regions []string
	// Within keeps documents issued in this region or below it (440000:
	// everything issued by 广东 and its cities and counties).
	Within string
	// Audience keeps documents for this audience (both matches either).
	Audience corpus.Audience
	// Categories keeps documents in any of these categories.
	Categories []corpus.Category
	// ApplyFreeOnly keeps documents with an apply-free benefit.
	ApplyFreeOnly bool
	// IncludeInactive also returns expired documents and those not yet in
	// force; by default only documents live on Today are returned.
	IncludeInactive bool
	// Today is the date liveness is judged on; zero means corpus.Today().
	Today corpus.Date
	Sort  Sort
	// Facets asks for the facet counts (Result.Facets). Counting reads every
	// matching document, so ask for them when showing the first page only.
	Facets bool
	// Offset and Limit page the hits; Limit 0 means DefaultLimit and is
	// capped at MaxLimit.
	Offset, Limit int
}

// Paging limits.
const (
	DefaultLimit = 20
	MaxLimit     = 200
)

// Normalize fills defaults and checks a query; backends call it first.
func (q Query) Normalize() (Query, error) {
	if q.Offset < 0 || q.Limit < 0 {
		return q, errors.New("query: negative offset or limit")
	}
	if q.Limit == 0 {
		q.Limit = DefaultLimit
	}
	q.Limit = min(q.Limit, MaxLimit)
	if q.Today.IsZero() {
		q.Today = corpus.Today()
	}
	if q.Audience != "" && !q.Audience.Valid() {
		return q, errors.New("query: unknown audience " + string(q.Audience))
	}
	if q.Audience == corpus.AudienceBoth {
		q.Audience = ""
	}
	return q, nil
}

// The facets a search counts when asked (Query.Facets), over all documents
// matching the query and filters (not just the page).
const (
	FacetCategory  = "category"
	FacetAudience  = "audience"
	FacetLevel     = "level"
	FacetApplyFree = "apply_free" // values "true" and "false"
)

// Facets lists the facet names.
var Facets = []string{FacetCategory, FacetAudience, FacetLevel, FacetApplyFree}

// Result is one page of hits.
type Result struct {
	// Total counts every matching document (Meilisearch: its estimate).
	Total int
	Hits  []Hit
	// Facets maps a facet name to value → count, when Query.Facets asked.
	Facets map[string]map[string]int
}

// Hit is one matching document.
type Hit struct {
	PolicyID string
	Version  int
	Title    string
	// Snippet is a short passage of the text (or title) with the matched
	// terms between HighlightPre and HighlightPost.
	Snippet string
	Score   float64
	// The document's metadata, for showing a hit without another lookup.
	DocNumber   string
	Issuer      string
	Region      string
	Level       corpus.Level
	Category    corpus.Category
	Audiences   []corpus.Audience
	PublishDate corpus.Date
	ApplyFree   bool
}

// DateOfNum decodes a DateNum (YYYYMMDD); 0 or a malformed number is the
// zero date.
func DateOfNum(n int) corpus.Date {
	if n <= 0 {
		return corpus.Date{}
	}
	d, err := corpus.ParseDate(fmt.Sprintf("%04d-%02d-%02d", n/10000, n/100%100, n%100))
	if err != nil {
		return corpus.Date{}
	}
	return d
}

// Highlight markers in snippets.
const (
	HighlightPre  = "<mark>"
	HighlightPost = "</mark>"
)

// Backend is a search engine holding one Doc per policy.
type Backend interface {
	// Index adds or replaces the documents (by PolicyID), all or nothing
	// where the engine allows; it returns once they are searchable.
	Index(ctx context.Context, docs []Doc) error
	// Delete removes the documents of these policies; unknown ids are no error.
	Delete(ctx context.Context, policyIDs ...string) error
	// Search runs a query.
	Search(ctx context.Context, q Query) (Result, error)
	// Ready reports whether the engine can serve (nil) or why not.
	Ready(ctx context.Context) error
	// Close releases the engine.
	Close() error
}

// DateNum encodes a date as the integer YYYYMMDD, for range filters; zero is 0.
func DateNum(d corpus.Date) int {
	if d.IsZero() {
		return 0
	}
	return d.Year*10000 + int(d.Month)*100 + d.Day
}

// OpenEnd is the DateNum stored for an unset effective_to: open-ended.
const OpenEnd = 99991231

// EndNum is DateNum for an effective_to, with an unset date open-ended.
func EndNum(d corpus.Date) int {
	if d.IsZero() {
		return OpenEnd
	}
	return DateNum(d)
}
