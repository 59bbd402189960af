package bleve

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	blevesearch "github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/zhida/zhida/corpus"
	"github.com/zhida/zhida/indexer"
	"github.com/zhida/zhida/indexer/indextest"
)

// viaIndex answers a text-free query the way text queries are filtered:
// through bleve's filter clauses, facets and date sort.
func viaIndex(t *testing.T, x *Index, q indexer.Query) indexer.Result {
	t.Helper()
	q, err := q.Normalize()
	if err != nil {
		t.Fatal(err)
	}
	top, all, err := x.matchMost(t.Context(), nil, q, func(top query.Query) (*blevesearch.SearchResult, error) {
		count := blevesearch.NewSearchRequestOptions(top, 0, 0, false)
		addFacets(count, q)
		return x.idx.SearchInContext(t.Context(), count)
	})
	if err != nil {
		t.Fatal(err)
	}
	res, err := x.searchNewest(t.Context(), top, all, q, false)
	if err != nil {
		t.Fatal(err)
	}
	out := indexer.Result{Total: int(res.Total), Facets: facetCounts(res)}
	for _, h := range res.Hits {
		out.Hits = append(out.Hits, x.hit(h, nil))
	}
	return out
}

// TestFilterTableAgreesWithIndex checks the in-memory filter table against
// bleve's own filtering on random documents and random filters: the same
// total, the same facets and the same page of dates, also after deletes,
// replacements and reopening the index.
func TestFilterTableAgreesWithIndex(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 9))
	regions := []string{"100000", "440000", "440100", "440106", "440300", "110000", "110105"}
	cats := []corpus.Category{corpus.CategoryTax, corpus.CategorySubsidy, corpus.CategoryEmployment, corpus.CategoryFinance}
	auds := []corpus.Audience{corpus.AudienceEnterprise, corpus.AudienceResident, corpus.AudienceBoth}
	statuses := []corpus.Status{corpus.StatusPublished, corpus.StatusPublished, corpus.StatusPublished, corpus.StatusExpired}
	mkDoc := func(i int) indexer.Doc {
		d := corpus.Document{
			Title: fmt.Sprintf("政策%d", i), Region: regions[rng.IntN(len(regions))], Category: cats[rng.IntN(len(cats))],
			Audience:      auds[rng.IntN(len(auds))],
			PublishDate:   corpus.Date{Year: 2019 + rng.IntN(7), Month: time.Month(1 + rng.IntN(12)), Day: 1 + rng.IntN(28)},
			EffectiveFrom: corpus.Date{Year: 2019 + rng.IntN(8), Month: 6, Day: 1},
			Benefits:      []corpus.Benefit{{Name: "补贴", ApplyFree: rng.IntN(4) == 0}},
			Text:          "补贴",
		}
		if rng.IntN(3) == 0 {
			d.EffectiveTo = corpus.Date{Year: 2022 + rng.IntN(6), Month: 12, Day: 31}
		}
		return indexer.NewDoc(corpus.Version{PolicyID: fmt.Sprintf("p%03d", i), Version: 1, Document: d}, statuses[rng.IntN(len(statuses))])
	}
	var docs []indexer.Doc
	for i := range 300 {
		docs = append(docs, mkDoc(i))
	}
	randQuery := func() indexer.Query {
		q := indexer.Query{Today: indextest.Today, Facets: rng.IntN(2) == 0, Limit: 1 + rng.IntN(30), Offset: rng.IntN(3) * 10}
		if rng.IntN(2) == 0 {
			r := regions[rng.IntN(len(regions))]
			q.Regions = []string{r, "100000"}
		}
		if rng.IntN(4) == 0 {
			q.Within = regions[rng.IntN(len(regions))]
		}
		if rng.IntN(3) == 0 {
			q.Audience = auds[rng.IntN(2)]
		}
		if rng.IntN(3) == 0 {
			q.Categories = []corpus.Category{cats[rng.IntN(len(cats))], cats[rng.IntN(len(cats))]}
		}
		q.ApplyFreeOnly = rng.IntN(4) == 0
		q.IncludeInactive = rng.IntN(4) == 0
		if rng.IntN(3) == 0 { // days on which policies start or end
			q.Today = corpus.MustDate([]string{"2023-12-31", "2024-06-01", "2021-01-15"}[rng.IntN(3)])
		}
		return q
	}
	dates := func(res indexer.Result) []string {
		var out []string
		for _, h := range res.Hits {
			out = append(out, h.PublishDate.String())
		}
		return out
	}
	check := func(x *Index, stage string) {
		t.Helper()
		for n := range 200 {
			q := randQuery()
			got, err := x.Search(t.Context(), q)
			if err != nil {
				t.Fatal(err)
			}
			want := viaIndex(t, x, q)
			if got.Total != want.Total || !slices.Equal(dates(got), dates(want)) {
				t.Fatalf("%s query %d %+v: table total %d dates %v; index total %d dates %v",
					stage, n, q, got.Total, dates(got), want.Total, dates(want))
			}
			for _, f := range indexer.Facets {
				if q.Facets && !maps.Equal(nonZero(got.Facets[f]), nonZero(want.Facets[f])) {
					t.Fatalf("%s query %d %+v: facet %s table %v, index %v", stage, n, q, f, got.Facets[f], want.Facets[f])
				}
			}
		}
	}
	seg, err := indextest.Segmenter()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir() + "/index"
	x, err := Open(dir, seg)
	if err != nil {
		t.Fatal(err)
	}
	if err := x.Index(t.Context(), docs); err != nil {
		t.Fatal(err)
	}
	check(x, "indexed")
	var gone []string
	for i := 0; i < len(docs); i += 7 {
		gone = append(gone, docs[i].PolicyID)
	}
	if err := x.Delete(t.Context(), gone...); err != nil {
		t.Fatal(err)
	}
	var again []indexer.Doc
	for i := 3; i < len(docs); i += 11 {
		d := mkDoc(i)
		again = append(again, d)
	}
	if err := x.Index(t.Context(), again); err != nil {
		t.Fatal(err)
	}
	check(x, "after deletes and replacements")
	if err := x.Close(); err != nil {
		t.Fatal(err)
	}
	x = open(t, dir)
	check(x, "reopened")

	// Loading a page at a time finds every document once.
	paged := newMetaTable()
	if err := loadMeta(t.Context(), x.idx, paged, 7); err != nil {
		t.Fatal(err)
	}
	if len(paged.byID) != len(x.meta.byID) {
		t.Fatalf("loaded %d documents 7 at a time, %d at once", len(paged.byID), len(x.meta.byID))
	}
	for range 50 {
		q, _ := randQuery().Normalize()
		a, b := paged.browse(q), x.meta.browse(q)
		if a.total != b.total || !slices.Equal(a.page, b.page) {
			t.Fatalf("%+v: loaded 7 at a time: %d %v; at once: %d %v", q, a.total, a.page, b.total, b.page)
		}
	}
}

func nonZero(m map[string]int) map[string]int {
	out := map[string]int{}
	for k, v := range m {
		if v > 0 {
			out[k] = v
		}
	}
	return out
}
