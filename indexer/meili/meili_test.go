package meili

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/zhida/zhida/corpus"
	"github.com/zhida/zhida/indexer"
	"github.com/zhida/zhida/indexer/indextest"
	"github.com/zhida/zhida/indexer/segment"
)

func segmenter(t *testing.T) *segment.Segmenter {
	t.Helper()
	seg, err := indextest.Segmenter()
	if err != nil {
		t.Fatal(err)
	}
	return seg
}

// openReplay opens the backend against recorded exchanges: open.json (health,
// index creation, settings) followed by the scenario files.
func openReplay(t *testing.T, cfg Config, files ...string) *Index {
	t.Helper()
	srv := replay(t, append([]string{"open.json"}, files...)...)
	cfg.URL, cfg.Key, cfg.PollInterval = srv.URL, "test-key", time.Millisecond
	x, err := Open(t.Context(), cfg, segmenter(t))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { x.Close() })
	return x
}

func TestOpenAppliesSettings(t *testing.T) {
	openReplay(t, Config{})
}

func TestOpenKeepsExistingIndex(t *testing.T) {
	srv := replay(t, "open_existing.json")
	_, err := Open(t.Context(), Config{URL: srv.URL, Key: "test-key", PollInterval: time.Millisecond}, segmenter(t))
	if err != nil {
		t.Fatalf("Open on an existing index: %v", err)
	}
}

func TestOpenFailsWhenSettingsFail(t *testing.T) {
	srv := replay(t, "open_settings_failed.json")
	_, err := Open(t.Context(), Config{URL: srv.URL, Key: "test-key", PollInterval: time.Millisecond}, segmenter(t))
	if err == nil || !strings.Contains(err.Error(), "invalid_settings_ranking_rules") {
		t.Fatalf("Open with a failing settings task: err %v, want the task's error code", err)
	}
}

// tianhe is a small document whose Meilisearch form testdata/index.json holds.
func tianhe() indexer.Doc {
	return indexer.NewDoc(corpus.Version{PolicyID: "gz-tianhe-jiuye", Version: 3, Document: corpus.Document{
		Title:         "天河区吸纳就业补贴办法",
		DocNumber:     "穗天人社〔2024〕5号",
		Issuer:        "天河区人社局",
		Region:        "440106",
		Category:      corpus.CategoryEmployment,
		Audience:      corpus.AudienceEnterprise,
		PublishDate:   corpus.MustDate("2024-03-01"),
		EffectiveFrom: corpus.MustDate("2024-03-01"),
		EffectiveTo:   corpus.MustDate("2026-12-31"),
		Text:          "对吸纳高校毕业生的企业给予一次性吸纳就业补贴。",
		Benefits:      []corpus.Benefit{{Name: "一次性吸纳就业补贴", ApplyFree: true}},
	}}, corpus.StatusPublished)
}

func TestIndexSendsSegmentedDocumentsInBatches(t *testing.T) {
	x := openReplay(t, Config{BatchSize: 1}, "index.json")
	other := tianhe()
	other.PolicyID = "政策/42" // not a valid Meilisearch id: encoded
	other.Version = 1
	other.Audiences = []corpus.Audience{corpus.AudienceEnterprise, corpus.AudienceResident}
	other.Benefits = nil
	other.ApplyFree = false
	other.Text = "ABC 2024年度稳岗返还。"
	if err := x.Index(t.Context(), []indexer.Doc{tianhe(), other}); err != nil {
		t.Fatalf("Index: %v", err)
	}
}

func TestIndexSurfacesTaskFailure(t *testing.T) {
	x := openReplay(t, Config{}, "index_failed.json")
	err := x.Index(t.Context(), []indexer.Doc{tianhe()})
	if err == nil || !strings.Contains(err.Error(), "invalid_document_fields") || !strings.Contains(err.Error(), "task 2 failed") {
		t.Fatalf("Index with a failing task: err %v", err)
	}
}

func TestDeleteByPolicyID(t *testing.T) {
	x := openReplay(t, Config{}, "delete.json")
	if err := x.Delete(t.Context(), "gz-tianhe-jiuye", "政策/42"); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if err := x.Delete(t.Context()); err != nil { // nothing to delete: no request
		t.Fatalf("Delete(): %v", err)
	}
}

func TestSearchMapsRequestAndResponse(t *testing.T) {
	x := openReplay(t, Config{}, "search.json")
	res, err := x.Search(t.Context(), indexer.Query{
		Text:       "高企的補貼",
		Regions:    []string{"440106", "440100", "440000", "100000"},
		Audience:   corpus.AudienceEnterprise,
		Categories: []corpus.Category{corpus.CategoryEmployment, corpus.CategoryTax},
		Today:      corpus.MustDate("2025-06-01"),
		Offset:     10,
		Limit:      2,
		Facets:     true,
	})
	if err != nil {
		t.Fatalf("Search: %v", err)
	}
	if res.Total != 12 || len(res.Hits) != 2 {
		t.Fatalf("total %d, %d hits; want 12 and 2", res.Total, len(res.Hits))
	}
	h := res.Hits[0]
	if h.PolicyID != "cn-gaoqi-butie" || h.Version != 2 || h.Title != "高新技术企业认定补贴" || h.Score != 0.9183 {
		t.Errorf("hit 0 = %+v", h)
	}
	if h.DocNumber != "粤科高字〔2025〕3号" || h.Issuer != "广东省科学技术厅" || h.Region != "440000" || h.Level != corpus.LevelProvince ||
		h.Category != corpus.CategoryEmployment || !slices.Equal(h.Audiences, []corpus.Audience{corpus.AudienceEnterprise}) ||
		h.PublishDate != corpus.MustDate("2025-03-12") || !h.ApplyFree {
		t.Errorf("hit 0 metadata = %+v", h)
	}
	if want := "…对新认定的<mark>高新技术企业</mark>给予一次性<mark>补贴</mark>20万元…"; h.Snippet != want {
		t.Errorf("snippet %q, want %q", h.Snippet, want)
	}
	if got := res.Hits[1]; got.PolicyID != "政策/42" || got.Snippet != "<mark>高企</mark>研发<mark>补贴</mark>" {
		t.Errorf("hit 1 = %+v (title highlight expected when the text has none)", got)
	}
	if res.Facets[indexer.FacetCategory]["就业创业"] != 7 || res.Facets[indexer.FacetApplyFree]["true"] != 5 ||
		res.Facets[indexer.FacetLevel]["国家"] != 4 {
		t.Errorf("facets %v", res.Facets)
	}
}

func TestSearchNewestWithoutTextAndInactive(t *testing.T) {
	x := openReplay(t, Config{}, "search_newest.json")
	res, err := x.Search(t.Context(), indexer.Query{Within: "440000", ApplyFreeOnly: true, IncludeInactive: true})
	if err != nil {
		t.Fatalf("Search: %v", err)
	}
	if res.Total != 0 || len(res.Hits) != 0 {
		t.Errorf("result %+v", res)
	}
	// Only stop words: no request, no hits.
	if res, err := x.Search(t.Context(), indexer.Query{Text: "的 了"}); err != nil || len(res.Hits) != 0 {
		t.Errorf("stop words only: %+v %v", res, err)
	}
}

func TestSearchError(t *testing.T) {
	x := openReplay(t, Config{}, "search_error.json")
	_, err := x.Search(t.Context(), indexer.Query{Text: "补贴", Today: corpus.MustDate("2025-06-01")})
	if err == nil || !strings.Contains(err.Error(), "invalid_search_filter") {
		t.Fatalf("err %v, want the API error", err)
	}
}

func TestDespace(t *testing.T) {
	tests := []struct{ in, want string }{
		{"对 <mark>企业</mark> 给予 补贴", "对<mark>企业</mark>给予补贴"},
		{"ABC 2024 年度", "ABC 2024年度"},
		{"<mark>ABC</mark> <mark>DEF</mark> 公司", "<mark>ABC</mark> <mark>DEF</mark>公司"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := despace(tt.in); got != tt.want {
			t.Errorf("despace(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSettingsFromTheSegmenter(t *testing.T) {
	x := &Index{seg: segmenter(t)}
	st := x.settings()
	if !slices.Contains(st.StopWords, "的") {
		t.Errorf("stop words %v lack 的", st.StopWords)
	}
	// Two-way groups are listed both ways; one-way expansions only one way.
	for _, g := range x.seg.SynonymGroups() {
		for _, term := range g {
			for _, o := range g {
				if o != term && !slices.Contains(st.Synonyms[term], o) {
					t.Errorf("synonym %s → %s missing", term, o)
				}
			}
		}
	}
	if !slices.Contains(st.Synonyms["补贴"], "资助") || slices.Contains(st.Synonyms["资助"], "补贴") {
		t.Errorf("补贴 → 资助 should be one-way: 补贴 → %v, 资助 → %v", st.Synonyms["补贴"], st.Synonyms["资助"])
	}
	for _, w := range []string{"免申即享", "一次性吸纳就业补贴", "高企"} {
		if !slices.Contains(st.Dictionary, w) {
			t.Errorf("dictionary lacks %s", w)
		}
	}
}

func TestEscapeMarked(t *testing.T) {
	in := "a<b <mark>补贴</mark> & <mark>c</mark>"
	if got, want := escapeMarked(in), "a&lt;b <mark>补贴</mark> &amp; <mark>c</mark>"; got != want {
		t.Errorf("escapeMarked = %q, want %q", got, want)
	}
}

func TestDocID(t *testing.T) {
	if got := docID("gz-tianhe_1"); got != "gz-tianhe_1" {
		t.Errorf("docID kept-as-is = %q", got)
	}
	a, b := docID("政策/42"), docID("政策/43")
	if a == b || !validID.MatchString(a) {
		t.Errorf("docID encodes to %q and %q", a, b)
	}
}

// TestConformanceLive runs the shared suite against a real Meilisearch.
func TestConformanceLive(t *testing.T) {
	url := os.Getenv("ZHIDA_TEST_MEILI_URL")
	if url == "" {
		t.Skip("ZHIDA_TEST_MEILI_URL not set: no Meilisearch server to test against")
	}
	key := os.Getenv("ZHIDA_TEST_MEILI_KEY")
	indextest.Run(t, func(t *testing.T) indexer.Backend {
		var r [6]byte
		rand.Read(r[:])
		cfg := Config{URL: url, Key: key, Index: "zhida_test_" + hex.EncodeToString(r[:])}
		x, err := Open(t.Context(), cfg, segmenter(t))
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		t.Cleanup(func() {
			if err := x.Drop(context.Background()); err != nil {
				t.Errorf("drop test index: %v", err)
			}
			x.Close()
		})
		return x
	})
}

func TestFilterQuotes(t *testing.T) {
	got := filter(indexer.Query{Regions: []string{`44"01`}, Within: `a\b`, IncludeInactive: true})
	want := []string{`region IN ["44\"01"]`, `regions = "a\\b"`}
	if !slices.Equal(got, want) {
		t.Errorf("filter = %q, want %q", got, want)
	}
}
