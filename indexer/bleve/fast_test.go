package bleve

import (
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/zhida/zhida/corpus"
	"github.com/zhida/zhida/indexer"
	"github.com/zhida/zhida/indexer/indextest"
)

// TestFastAgreesWithBleve checks searchFast against the bleve query it
// replaces on random documents and random text queries: the same total,
// facets and page (ids, order, snippets and scores), with several segments,
// deleted and replaced documents, and after reopening the index.
func TestFastAgreesWithBleve(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	regions := []string{"100000", "440000", "440100", "440106", "440300", "110000", "110105"}
	cats := []corpus.Category{corpus.CategoryTax, corpus.CategorySubsidy, corpus.CategoryEmployment, corpus.CategoryFinance}
	auds := []corpus.Audience{corpus.AudienceEnterprise, corpus.AudienceResident, corpus.AudienceBoth}
	statuses := []corpus.Status{corpus.StatusPublished, corpus.StatusPublished, corpus.StatusPublished, corpus.StatusExpired}
	// Words with synonyms (补贴, 高企, 补助), inside longer words (补贴 in
	// 一次性吸纳就业补贴) and plain ones, so that scores have coords,
	// several terms per word and different frequencies and lengths.
	vocab := []string{"补贴", "补助", "奖励", "残疾人", "就业", "创业", "担保贷款", "高新技术企业", "高企", "所得税",
		"高校毕业生", "社会保险", "一次性吸纳就业补贴", "小微企业", "申报条件", "护理", "培训", "租金"}
	sentence := func() string {
		var b strings.Builder
		for range 1 + rng.IntN(6) {
			b.WriteString(vocab[rng.IntN(len(vocab))])
			b.WriteString([]string{"，", "的", "和", "。"}[rng.IntN(4)])
		}
		return b.String()
	}
	mkDoc := func(i int) indexer.Doc {
		d := corpus.Document{
			Title: sentence(), Region: regions[rng.IntN(len(regions))], Category: cats[rng.IntN(len(cats))],
			Audience:      auds[rng.IntN(len(auds))],
			PublishDate:   corpus.Date{Year: 2019 + rng.IntN(7), Month: time.Month(1 + rng.IntN(12)), Day: 1 + rng.IntN(28)},
			EffectiveFrom: corpus.Date{Year: 2019 + rng.IntN(8), Month: 6, Day: 1},
			Benefits:      []corpus.Benefit{{Name: vocab[rng.IntN(len(vocab))], ApplyFree: rng.IntN(4) == 0}},
		}
		for range rng.IntN(8) {
			d.Text += sentence()
		}
		if rng.IntN(3) == 0 {
			d.EffectiveTo = corpus.Date{Year: 2022 + rng.IntN(6), Month: 12, Day: 31}
		}
		return indexer.NewDoc(corpus.Version{PolicyID: fmt.Sprintf("p%03d", i), Version: 1 + rng.IntN(3), Document: d}, statuses[rng.IntN(len(statuses))])
	}
	randQuery := func() indexer.Query {
		var words []string
		for range 1 + rng.IntN(3) {
			words = append(words, vocab[rng.IntN(len(vocab))])
		}
		if rng.IntN(6) == 0 {
			words = append(words, "火星") // in no document
		}
		q := indexer.Query{Text: strings.Join(words, " "), Today: indextest.Today, Facets: rng.IntN(2) == 0,
			Limit: 1 + rng.IntN(30), Offset: rng.IntN(3) * 10}
		if rng.IntN(2) == 0 {
			q.Regions = []string{regions[rng.IntN(len(regions))], "100000"}
		}
		if rng.IntN(5) == 0 {
			q.Within = regions[rng.IntN(len(regions))]
		}
		if rng.IntN(3) == 0 {
			q.Audience = auds[rng.IntN(2)]
		}
		if rng.IntN(4) == 0 {
			q.Categories = []corpus.Category{cats[rng.IntN(len(cats))], cats[rng.IntN(len(cats))]}
		}
		q.ApplyFreeOnly = rng.IntN(5) == 0
		q.IncludeInactive = rng.IntN(4) == 0
		if rng.IntN(3) == 0 {
			q.Today = corpus.MustDate([]string{"2023-12-31", "2024-06-01", "2021-01-15"}[rng.IntN(3)])
		}
		if rng.IntN(4) == 0 {
			q.Sort = indexer.SortNewest
		}
		return q
	}
	nonEmpty := 0
	check := func(x *Index, stage string) {
		t.Helper()
		for n := range 300 {
			q, err := randQuery().Normalize()
			if err != nil {
				t.Fatal(err)
			}
			groups := x.seg.QueryTerms(q.Text)
			got, ok, err := x.searchFast(t.Context(), q, groups)
			if err != nil || !ok {
				t.Fatalf("%s query %d: searchFast: %v, ran: %v", stage, n, err, ok)
			}
			want, err := x.searchBleve(t.Context(), q, groups)
			if err != nil {
				t.Fatal(err)
			}
			if len(want.Hits) > 0 {
				nonEmpty++
			}
			if got.Total != want.Total || len(got.Hits) != len(want.Hits) {
				t.Fatalf("%s query %d %+v: fast total %d, %d hits; bleve %d, %d", stage, n, q, got.Total, len(got.Hits), want.Total, len(want.Hits))
			}
			if !maps.EqualFunc(got.Facets, want.Facets, maps.Equal) {
				t.Fatalf("%s query %d %+v: fast facets %v; bleve %v", stage, n, q, got.Facets, want.Facets)
			}
			same := func(a, b float64) bool { return math.Abs(a-b) <= 1e-9*max(1, math.Abs(b)) }
			for i := range got.Hits {
				if g, w := got.Hits[i], want.Hits[i]; !same(g.Score, w.Score) {
					t.Fatalf("%s query %d %+v: hit %d fast %s score %v; bleve %s %v", stage, n, q, i, g.PolicyID, g.Score, w.PolicyID, w.Score)
				}
			}
			// Hits of equal score may come in either order: each search
			// reads the segments as they are at that moment, and bleve's
			// background merges reorder them between the two searches. So
			// a run of equal scores must hold the same hits, except where
			// the page's start or end cuts the run, where only its length
			// (checked above) must agree.
			for i := 0; i < len(got.Hits); {
				j := i
				for j < len(got.Hits) && same(got.Hits[j].Score, got.Hits[i].Score) {
					j++
				}
				cut := i == 0 || j == len(got.Hits)
				wantByID := map[string]indexer.Hit{}
				for _, w := range want.Hits[i:j] {
					wantByID[w.PolicyID] = w
				}
				for k, g := range got.Hits[i:j] {
					w, ok := wantByID[g.PolicyID]
					if !ok && cut {
						continue
					}
					if !ok {
						t.Fatalf("%s query %d %+v: hit %d fast %s, not among bleve's hits of the same score %v", stage, n, q, i+k, g.PolicyID, want.Hits[i:j])
					}
					g.Score = w.Score
					if fmt.Sprint(g) != fmt.Sprint(w) {
						t.Fatalf("%s query %d %+v: hit %d\nfast  %+v\nbleve %+v", stage, n, q, i+k, g, w)
					}
				}
				i = j
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
	var docs []indexer.Doc
	for i := range 400 {
		docs = append(docs, mkDoc(i))
	}
	for i := 0; i < len(docs); i += 100 { // several segments
		if err := x.Index(t.Context(), docs[i:i+100]); err != nil {
			t.Fatal(err)
		}
	}
	check(x, "indexed")
	// Again with every term's postings kept in memory (too few documents
	// here to reach minCachedPostings), then with a budget for some.
	x.fast.minPosts = 1
	check(x, "indexed, postings in memory")
	if x.fast.used == 0 {
		t.Fatal("no postings kept in memory with minPosts 1")
	}
	var gone []string
	for i := 0; i < len(docs); i += 7 {
		gone = append(gone, docs[i].PolicyID)
	}
	if err := x.Delete(t.Context(), gone...); err != nil {
		t.Fatal(err)
	}
	var again []indexer.Doc
	for i := 3; i < len(docs); i += 11 {
		again = append(again, mkDoc(i))
	}
	if err := x.Index(t.Context(), again); err != nil {
		t.Fatal(err)
	}
	check(x, "after deletes and replacements")
	if err := x.Close(); err != nil {
		t.Fatal(err)
	}
	x = open(t, dir)
	x.fast.minPosts, x.fast.budget = 20, 4000
	check(x, "reopened")
	if nonEmpty < 300 {
		t.Errorf("only %d of 900 queries had hits: the test compares too little", nonEmpty)
	}
}

// TestFastConcurrent runs text searches while documents are indexed and
// deleted (segments are added, merged and their caches pruned), for the
// race detector: every search must succeed and find the documents never
// touched.
func TestFastConcurrent(t *testing.T) {
	x := open(t, t.TempDir()+"/index")
	x.fast.minPosts = 1
	doc := func(id string) indexer.Doc {
		return indexer.NewDoc(corpus.Version{PolicyID: id, Version: 1, Document: corpus.Document{
			Title: "残疾人护理补贴", Region: "440106", Category: corpus.CategorySubsidy, Audience: corpus.AudienceResident,
			PublishDate: corpus.Date{Year: 2024, Month: 1, Day: 2}, Text: "残疾人护理补贴和就业补助。",
		}}, corpus.StatusPublished)
	}
	var fixed []indexer.Doc
	for i := range 50 {
		fixed = append(fixed, doc(fmt.Sprintf("fixed-%02d", i)))
	}
	if err := x.Index(t.Context(), fixed); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	errs := make(chan error, 4)
	for g := range 3 {
		go func() {
			for {
				select {
				case <-done:
					errs <- nil
					return
				default:
				}
				res, err := x.Search(t.Context(), indexer.Query{Text: "补贴 残疾人", Today: indextest.Today, Facets: g == 0, Limit: 5})
				if err == nil && res.Total < len(fixed) {
					err = fmt.Errorf("total %d, want at least %d", res.Total, len(fixed))
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	for i := range 30 {
		var batch []indexer.Doc
		for j := range 20 {
			batch = append(batch, doc(fmt.Sprintf("churn-%02d", (i*7+j)%60)))
		}
		if err := x.Index(t.Context(), batch); err != nil {
			t.Fatal(err)
		}
		if err := x.Delete(t.Context(), fmt.Sprintf("churn-%02d", i%60)); err != nil {
			t.Fatal(err)
		}
	}
	close(done)
	for range 3 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}
