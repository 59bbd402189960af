// Package indextest is the conformance suite every indexer.Backend passes:
// Chinese recall, synonyms, Traditional queries, region/audience/category/
// apply-free filters, liveness, facets, highlights, paging, sorting, delete
// and re-indexing a new version.
package indextest

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/zhida/zhida/corpus"
	"github.com/zhida/zhida/corpus/region"
	"github.com/zhida/zhida/indexer"
)

// Open returns a new, empty backend for one test; it must use the segmenter
// of Segmenter() and be closed by the test's cleanup.
type Open func(t *testing.T) indexer.Backend

// Run runs the suite against the backends open returns.
func Run(t *testing.T, open Open) {
	tests := []struct {
		name string
		fn   func(*testing.T, indexer.Backend)
	}{
		{"Recall", testRecall},
		{"Filters", testFilters},
		{"Liveness", testLiveness},
		{"Facets", testFacets},
		{"Highlight", testHighlight},
		{"PagingAndSort", testPagingAndSort},
		{"Delete", testDelete},
		{"NewVersionReplacesOld", testNewVersion},
		{"BadQuery", testBadQuery},
		{"TraditionalDocument", testTraditionalDocument},
		{"MostWordsMatch", testMostWordsMatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := open(t)
			if err := b.Ready(t.Context()); err != nil {
				t.Fatalf("Ready: %v", err)
			}
			if err := b.Index(t.Context(), Fixture()); err != nil {
				t.Fatalf("Index: %v", err)
			}
			tt.fn(t, b)
		})
	}
}

func search(t *testing.T, b indexer.Backend, q indexer.Query) indexer.Result {
	t.Helper()
	if q.Today.IsZero() {
		q.Today = Today
	}
	res, err := b.Search(context.Background(), q)
	if err != nil {
		t.Fatalf("Search(%+v): %v", q, err)
	}
	return res
}

func ids(res indexer.Result) []string {
	var out []string
	for _, h := range res.Hits {
		out = append(out, h.PolicyID)
	}
	return out
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

func testRecall(t *testing.T, b indexer.Backend) {
	tests := []struct {
		query   string
		want    []string // must be hits
		notWant []string // must not be hits
		top     string   // expected first hit, if set
	}{
		// A word inside a longer dictionary word.
		{query: "补贴", want: []string{IDTianheJiuye, IDGdCanji}, notWant: []string{IDGaoqiTax, IDSzDanbao}},
		{query: "工程", want: []string{IDCnZaijian}, notWant: []string{IDGaoqiTax}},
		{query: "一次性吸纳就业补贴", want: []string{IDTianheJiuye}, top: IDTianheJiuye, notWant: []string{IDGdCanji}},
		// Synonyms: the text only says 高新技术企业.
		{query: "高企", want: []string{IDGaoqiTax}, notWant: []string{IDTianheJiuye, IDBjZhuanjing}},
		{query: "高企 所得税", want: []string{IDGaoqiTax}},
		// One-way: a 补贴 query finds 奖励 (专精特新), a 奖励 query not 补贴.
		{query: "补贴", want: []string{IDBjZhuanjing}},
		{query: "奖励", want: []string{IDBjZhuanjing}, notWant: []string{IDTianheJiuye, IDGdCanji}},
		// Two-way: the 残疾人 text only says 补贴.
		{query: "补助", want: []string{IDGdCanji, IDTianheJiuye}},
		// Traditional query folded to Simplified.
		{query: "創業擔保貸款", want: []string{IDSzDanbao}, top: IDSzDanbao},
		{query: "殘疾人兩項補貼", want: []string{IDGdCanji}, top: IDGdCanji},
		// Domain terms the default gse dictionary would split.
		{query: "专精特新", want: []string{IDBjZhuanjing}},
		// Benefit names are searchable too.
		{query: "护理补贴", want: []string{IDGdCanji}},
		// Words in no document find nothing.
		{query: "没有这个词语的查询火星", notWant: []string{IDTianheJiuye, IDGaoqiTax, IDGdCanji, IDBjZhuanjing, IDSzDanbao, IDCnZaijian}},
	}
	for _, tt := range tests {
		res := search(t, b, indexer.Query{Text: tt.query})
		got := ids(res)
		for _, w := range tt.want {
			if !slices.Contains(got, w) {
				t.Errorf("%q: hits %v, missing %s", tt.query, got, w)
			}
		}
		for _, w := range tt.notWant {
			if slices.Contains(got, w) {
				t.Errorf("%q: hits %v, should not hold %s", tt.query, got, w)
			}
		}
		if tt.top != "" && (len(got) == 0 || got[0] != tt.top) {
			t.Errorf("%q: hits %v, want %s first", tt.query, got, tt.top)
		}
		if res.Total != len(got) {
			t.Errorf("%q: total %d, %d hits on one page", tt.query, res.Total, len(got))
		}
	}
}

// testMostWordsMatch checks the query semantics for citizens' questions:
// question and filler words are ignored, a word found in no document does not
// hide the documents matching the others, and documents matching more of the
// words rank above those matching fewer. The cases hold both when any word
// may be left out (bleve) and when words are left out from the end of the
// query (Meilisearch's matchingStrategy "last"): the word in no document and
// the words only the first hit has come last.
func testMostWordsMatch(t *testing.T, b indexer.Backend) {
	tests := []struct {
		query string
		first string   // must be the first hit
		also  []string // must be hits, after first
		not   []string // must not be hits
	}{
		// 怎么领 and 多少钱 are question words, not in the text.
		{query: "残疾人护理补贴怎么领", first: IDGdCanji},
		{query: "创业担保贷款多少钱", first: IDSzDanbao, not: []string{IDGdCanji}},
		// 火星 is in no document.
		{query: "残疾人 补贴 火星", first: IDGdCanji},
		// All three words only in the 深圳 loan policy; 高校毕业生 alone in 天河's.
		{query: "高校毕业生 创业 贷款", first: IDSzDanbao, also: []string{IDTianheJiuye}},
		// 残疾人 and 补贴 in 广东's; only 补贴 in 天河's, which says it twice.
		{query: "补贴 残疾人", first: IDGdCanji, also: []string{IDTianheJiuye}},
	}
	for _, tt := range tests {
		got := ids(search(t, b, indexer.Query{Text: tt.query}))
		if len(got) == 0 || got[0] != tt.first {
			t.Errorf("%q: hits %v, want %s first", tt.query, got, tt.first)
		}
		for _, w := range tt.also {
			if i := slices.Index(got, w); i < 1 {
				t.Errorf("%q: hits %v, want %s after %s", tt.query, got, w, tt.first)
			}
		}
		for _, w := range tt.not {
			if slices.Contains(got, w) {
				t.Errorf("%q: hits %v, should not hold %s", tt.query, got, w)
			}
		}
	}
	// When every word matching fills the page, only such documents are hits.
	res := search(t, b, indexer.Query{Text: "补贴 残疾人", Limit: 1})
	if got := ids(res); !slices.Equal(got, []string{IDGdCanji}) {
		t.Errorf("补贴 残疾人, limit 1: hits %v, want [%s]", got, IDGdCanji)
	}
}

// tianhe is a 天河区 subject's region and its ancestors.
func tianhe() []string {
	return append([]string{"440106"}, region.Default().Ancestors("440106")...)
}

func testFilters(t *testing.T, b indexer.Backend) {
	tests := []struct {
		name string
		q    indexer.Query
		want []string // exactly these, live on Today
	}{
		{"天河区 sees national, 广东, 广州 and 天河 policies",
			indexer.Query{Regions: tianhe()},
			[]string{IDTianheJiuye, IDGaoqiTax, IDGdCanji, IDCnZaijian}},
		{"深圳 does not see 天河",
			indexer.Query{Regions: append([]string{"440300"}, region.Default().Ancestors("440300")...)},
			[]string{IDGaoqiTax, IDGdCanji, IDSzDanbao, IDCnZaijian}},
		{"北京 only", indexer.Query{Regions: []string{"110000"}}, []string{IDBjZhuanjing}},
		{"within 广东", indexer.Query{Within: "440000"}, []string{IDTianheJiuye, IDGdCanji, IDSzDanbao}},
		{"within 广州", indexer.Query{Within: "440100"}, []string{IDTianheJiuye}},
		{"residents (both counts)", indexer.Query{Audience: corpus.AudienceResident},
			[]string{IDGdCanji, IDSzDanbao}},
		{"enterprises in 天河", indexer.Query{Audience: corpus.AudienceEnterprise, Regions: tianhe()},
			[]string{IDTianheJiuye, IDGaoqiTax, IDCnZaijian}},
		{"category", indexer.Query{Categories: []corpus.Category{corpus.CategoryTax}},
			[]string{IDGaoqiTax, IDCnZaijian}},
		{"categories any of", indexer.Query{Categories: []corpus.Category{corpus.CategoryTax, corpus.CategoryFinance}},
			[]string{IDGaoqiTax, IDCnZaijian, IDSzDanbao}},
		{"apply-free only", indexer.Query{ApplyFreeOnly: true}, []string{IDTianheJiuye, IDGdCanji}},
		{"text and filters", indexer.Query{Text: "补贴", Regions: tianhe(), Audience: corpus.AudienceEnterprise},
			[]string{IDTianheJiuye}},
	}
	for _, tt := range tests {
		res := search(t, b, tt.q)
		if got := sorted(ids(res)); !slices.Equal(got, sorted(tt.want)) {
			t.Errorf("%s: hits %v, want %v", tt.name, got, sorted(tt.want))
		}
	}
}

func testLiveness(t *testing.T, b indexer.Backend) {
	all := len(Fixture())
	res := search(t, b, indexer.Query{IncludeInactive: true, Limit: 100})
	if res.Total != all {
		t.Errorf("IncludeInactive: total %d, want %d", res.Total, all)
	}
	res = search(t, b, indexer.Query{Limit: 100})
	got := ids(res)
	if slices.Contains(got, IDGzWengang) || slices.Contains(got, IDFutureTianhe) || res.Total != all-2 {
		t.Errorf("live only: hits %v (total %d), want all but the expired and the future one", got, res.Total)
	}
	// On the day the future policy takes effect it is live.
	res = search(t, b, indexer.Query{Text: "人才公寓", Today: corpus.MustDate("2025-09-01")})
	if !slices.Equal(ids(res), []string{IDFutureTianhe}) {
		t.Errorf("on its effective day: hits %v", ids(res))
	}
	// The last day of the expired one still counts.
	res = search(t, b, indexer.Query{Text: "稳岗返还", Today: corpus.MustDate("2020-12-31")})
	if !slices.Contains(ids(res), IDGzWengang) {
		t.Errorf("on its last day: hits %v", ids(res))
	}
	res = search(t, b, indexer.Query{ApplyFreeOnly: true, IncludeInactive: true})
	if want := sorted([]string{IDGdCanji, IDGzWengang, IDTianheJiuye}); !slices.Equal(sorted(ids(res)), want) {
		t.Errorf("apply-free incl. inactive: hits %v, want %v", sorted(ids(res)), want)
	}
}

func testFacets(t *testing.T, b indexer.Backend) {
	if res := search(t, b, indexer.Query{Limit: 1}); len(res.Facets) > 0 {
		t.Errorf("facets counted without being asked: %v", res.Facets)
	}
	res := search(t, b, indexer.Query{Limit: 1, Facets: true})
	want := map[string]map[string]int{
		indexer.FacetCategory: {
			string(corpus.CategoryEmployment): 1, string(corpus.CategoryTax): 2,
			string(corpus.CategoryDisability): 1, string(corpus.CategorySubsidy): 1, string(corpus.CategoryFinance): 1,
		},
		indexer.FacetAudience:  {"enterprise": 5, "resident": 2},
		indexer.FacetLevel:     {"国家": 2, "省": 2, "市": 1, "县": 1},
		indexer.FacetApplyFree: {"true": 2, "false": 4},
	}
	checkFacets(t, "all live", res, want)

	// Facets count the whole filtered result, not the page.
	// (补贴 also finds the 专精特新 奖励: a one-way synonym.)
	res = search(t, b, indexer.Query{Text: "补贴", Limit: 1, Facets: true})
	checkFacets(t, "补贴", res, map[string]map[string]int{
		indexer.FacetCategory: {string(corpus.CategoryEmployment): 1, string(corpus.CategoryDisability): 1,
			string(corpus.CategorySubsidy): 1},
		indexer.FacetAudience:  {"enterprise": 2, "resident": 1},
		indexer.FacetApplyFree: {"true": 2, "false": 1},
	})
}

func checkFacets(t *testing.T, name string, res indexer.Result, want map[string]map[string]int) {
	t.Helper()
	for facet, counts := range want {
		got := map[string]int{}
		for v, n := range res.Facets[facet] {
			if n > 0 {
				got[v] = n
			}
		}
		if !mapsEqual(got, counts) {
			t.Errorf("%s: facet %s = %v, want %v", name, facet, got, counts)
		}
	}
}

func mapsEqual(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func testHighlight(t *testing.T, b indexer.Backend) {
	tests := []struct{ query, id, term string }{
		{"补贴", IDTianheJiuye, "补贴"},
		{"工程", IDCnZaijian, "工程"},
		{"高企", IDGaoqiTax, "高新技术企业"},
		{"創業擔保貸款", IDSzDanbao, "创业担保贷款"},
	}
	for _, tt := range tests {
		res := search(t, b, indexer.Query{Text: tt.query})
		var hit *indexer.Hit
		for i := range res.Hits {
			if res.Hits[i].PolicyID == tt.id {
				hit = &res.Hits[i]
			}
		}
		if hit == nil {
			t.Errorf("%q: %s not found", tt.query, tt.id)
			continue
		}
		if !marked(hit.Snippet, tt.term) {
			t.Errorf("%q: snippet %q does not mark %q", tt.query, hit.Snippet, tt.term)
		}
		if hit.Title == "" || hit.Version != 1 {
			t.Errorf("%q: hit %+v lacks title or version", tt.query, *hit)
		}
	}
}

// marked reports whether some highlighted span of snippet contains term.
func marked(snippet, term string) bool {
	for {
		i := strings.Index(snippet, indexer.HighlightPre)
		if i < 0 {
			return false
		}
		snippet = snippet[i+len(indexer.HighlightPre):]
		j := strings.Index(snippet, indexer.HighlightPost)
		if j < 0 {
			return false
		}
		if strings.Contains(snippet[:j], term) {
			return true
		}
		snippet = snippet[j:]
	}
}

func testPagingAndSort(t *testing.T, b indexer.Backend) {
	full := search(t, b, indexer.Query{Sort: indexer.SortNewest, IncludeInactive: true, Limit: 100})
	want := []string{IDFutureTianhe, IDGdCanji, IDSzDanbao, IDBjZhuanjing, IDTianheJiuye, IDGaoqiTax, IDCnZaijian, IDGzWengang}
	if got := ids(full); !slices.Equal(got, want) {
		t.Fatalf("newest first: %v, want %v", got, want)
	}
	var paged []string
	for off := 0; off < len(want)+3; off += 3 {
		res := search(t, b, indexer.Query{Sort: indexer.SortNewest, IncludeInactive: true, Offset: off, Limit: 3})
		if res.Total != len(want) {
			t.Errorf("page at %d: total %d, want %d", off, res.Total, len(want))
		}
		if len(res.Hits) > 3 {
			t.Errorf("page at %d: %d hits, limit 3", off, len(res.Hits))
		}
		paged = append(paged, ids(res)...)
	}
	if !slices.Equal(paged, want) {
		t.Errorf("pages joined: %v, want %v", paged, want)
	}
	// Text query sorted by date.
	res := search(t, b, indexer.Query{Text: "补贴", Sort: indexer.SortNewest, IncludeInactive: true})
	if got := ids(res); !slices.Equal(got, []string{IDFutureTianhe, IDGdCanji, IDBjZhuanjing, IDTianheJiuye}) {
		t.Errorf("补贴 newest first: %v", got)
	}
}

func testDelete(t *testing.T, b indexer.Backend) {
	ctx := t.Context()
	if err := b.Delete(ctx, IDTianheJiuye, "no-such-policy"); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	res := search(t, b, indexer.Query{Text: "补贴", IncludeInactive: true})
	if slices.Contains(ids(res), IDTianheJiuye) || !slices.Contains(ids(res), IDGdCanji) {
		t.Errorf("after delete: hits %v", ids(res))
	}
	res = search(t, b, indexer.Query{IncludeInactive: true})
	if res.Total != len(Fixture())-1 {
		t.Errorf("after delete: total %d, want %d", res.Total, len(Fixture())-1)
	}
}

func testNewVersion(t *testing.T, b indexer.Backend) {
	ctx := t.Context()
	d := Fixture()[0]
	d.Version = 2
	d.Title = "天河区社会保险补贴申领办法"
	d.Text = "对招用就业困难人员的企业，按其为就业困难人员实际缴纳的社会保险费给予社会保险补贴。"
	d.Benefits = []string{"社会保险补贴"}
	if err := b.Index(ctx, []indexer.Doc{d}); err != nil {
		t.Fatalf("Index v2: %v", err)
	}
	res := search(t, b, indexer.Query{Text: "一次性吸纳就业补贴"})
	if slices.Contains(ids(res), IDTianheJiuye) {
		t.Errorf("old version's words still find the policy: %v", ids(res))
	}
	res = search(t, b, indexer.Query{Text: "社保补贴"}) // synonym of 社会保险补贴
	if len(res.Hits) != 1 || res.Hits[0].PolicyID != IDTianheJiuye || res.Hits[0].Version != 2 ||
		res.Hits[0].Title != d.Title {
		t.Errorf("new version: hits %+v", res.Hits)
	}
	res = search(t, b, indexer.Query{IncludeInactive: true})
	if res.Total != len(Fixture()) {
		t.Errorf("after re-index: total %d, want %d (one document per policy)", res.Total, len(Fixture()))
	}
	// Re-indexing the same version again changes nothing.
	if err := b.Index(ctx, []indexer.Doc{d}); err != nil {
		t.Fatalf("Index v2 again: %v", err)
	}
	if res2 := search(t, b, indexer.Query{IncludeInactive: true}); res2.Total != res.Total {
		t.Errorf("re-index twice: total %d, want %d", res2.Total, res.Total)
	}
}

func testBadQuery(t *testing.T, b indexer.Backend) {
	for _, q := range []indexer.Query{{Limit: -1}, {Offset: -5}, {Audience: "aliens"}} {
		if _, err := b.Search(t.Context(), q); err == nil {
			t.Errorf("Search(%+v): no error", q)
		}
	}
}

// testTraditionalDocument indexes a document written in Traditional
// characters: Simplified queries find it, and the snippet marks the match.
func testTraditionalDocument(t *testing.T, b indexer.Backend) {
	d := Fixture()[0]
	d.PolicyID = "hk-style-traditional"
	d.Title = "青年創業補貼計劃"
	d.Text = "對首次創業的青年給予創業補貼。"
	d.Benefits = []string{"創業補貼"}
	if err := b.Index(t.Context(), []indexer.Doc{d}); err != nil {
		t.Fatalf("Index: %v", err)
	}
	for _, q := range []string{"创业补贴", "創業補貼", "补贴 创业"} {
		res := search(t, b, indexer.Query{Text: q})
		var hit *indexer.Hit
		for i := range res.Hits {
			if res.Hits[i].PolicyID == d.PolicyID {
				hit = &res.Hits[i]
			}
		}
		if hit == nil {
			t.Errorf("%q: hits %v, missing the Traditional document", q, ids(res))
			continue
		}
		if !marked(hit.Snippet, "創業補貼") && !marked(hit.Snippet, "创业补贴") && !marked(hit.Snippet, "補貼") && !marked(hit.Snippet, "补贴") {
			t.Errorf("%q: snippet %q marks no match", q, hit.Snippet)
		}
	}
}
