package rpc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/twitchtv/twirp"
	"google.golang.org/protobuf/proto"

	"github.com/zhida/zhida/corpus"
	"github.com/zhida/zhida/corpus/region"
	"github.com/zhida/zhida/corpus/sample"
	"github.com/zhida/zhida/corpus/zhnorm"
	"github.com/zhida/zhida/indexer"
	"github.com/zhida/zhida/indexer/bleve"
	"github.com/zhida/zhida/indexer/segment"
	pb "github.com/zhida/zhida/rpc/zhidav1"
	"github.com/zhida/zhida/store/sqlite"
)

// One segmenter per test process: loading costs a second, and bleve
// accepts only one.
var testSegmenter = sync.OnceValues(func() (*segment.Segmenter, error) {
	return segment.New(segment.WithFolder(zhnorm.Fold))
})

func openTestIndex(t *testing.T) *bleve.Index {
	t.Helper()
	seg, err := testSegmenter()
	if err != nil {
		t.Fatal(err)
	}
	idx, err := bleve.Open(t.TempDir()+"/index", seg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { idx.Close() })
	return idx
}

// searchServer serves the API with search over b and returns its URL.
func searchServer(t *testing.T, b Searcher) string {
	t.Helper()
	st, err := sqlite.Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	srv := httptest.NewServer(NewHandler(Config{
		Store: st, Rules: corpus.DefaultRules(), Regions: region.Default(), Search: b,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

type sampleIndex struct {
	docs  map[string]corpus.Document // by policy id
	today corpus.Date
}

// indexSample indexes the sample corpus as policies s000, s001 ...
func indexSample(t *testing.T, idx indexer.Backend) sampleIndex {
	t.Helper()
	docs, err := sample.Documents()
	if err != nil {
		t.Fatal(err)
	}
	out := sampleIndex{docs: map[string]corpus.Document{}, today: corpus.Today()}
	rules := corpus.DefaultRules()
	var batch []indexer.Doc
	for i, d := range docs {
		if err := rules.Prepare(&d); err != nil {
			t.Fatalf("sample %d: %v", i, err)
		}
		id := fmt.Sprintf("s%03d", i)
		out.docs[id] = d
		batch = append(batch, indexer.NewDoc(corpus.Version{PolicyID: id, Version: 1, Document: d}, d.StatusOn(out.today)))
	}
	if err := idx.Index(context.Background(), batch); err != nil {
		t.Fatal(err)
	}
	return out
}

// live reports whether d is in force on today, as search judges it.
func live(d corpus.Document, today corpus.Date) bool {
	return (d.EffectiveTo.IsZero() || !d.EffectiveTo.Before(today)) &&
		(d.EffectiveFrom.IsZero() || !d.EffectiveFrom.After(today))
}

// want lists the ids of sample documents keep accepts, sorted.
func (s sampleIndex) want(keep func(corpus.Document) bool) []string {
	var ids []string
	for id, d := range s.docs {
		if keep(d) {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}

// all pages through a search and returns the hit ids, sorted, failing on a
// repeated id.
func all(t *testing.T, c pb.Search, req *pb.SearchRequest) []string {
	t.Helper()
	var ids []string
	seen := map[string]bool{}
	for pages := 0; ; pages++ {
		resp, err := c.Search(context.Background(), req)
		if err != nil {
			t.Fatalf("search %v: %v", req, err)
		}
		for _, h := range resp.Hits {
			if seen[h.PolicyId] {
				t.Fatalf("policy %s on two pages", h.PolicyId)
			}
			seen[h.PolicyId] = true
			ids = append(ids, h.PolicyId)
		}
		if resp.NextPageToken == "" {
			if int(resp.Total) != len(ids) {
				t.Errorf("total %d, paged through %d hits", resp.Total, len(ids))
			}
			break
		}
		if pages > 500 {
			t.Fatal("paging does not end")
		}
		req.PageToken = resp.NextPageToken
	}
	slices.Sort(ids)
	return ids
}

func TestSearchFilters(t *testing.T) {
	idx := openTestIndex(t)
	s := indexSample(t, idx)
	url := searchServer(t, idx)
	c := pb.NewSearchJSONClient(url, http.DefaultClient)
	pc := pb.NewSearchProtobufClient(url, http.DefaultClient)

	tianhe := append([]string{"440106"}, region.Default().Ancestors("440106")...)
	inTianhe := func(d corpus.Document) bool { return slices.Contains(tianhe, d.Region) }
	for _, tc := range []struct {
		name string
		req  *pb.SearchRequest
		keep func(corpus.Document) bool
	}{
		{"region with its ancestors", &pb.SearchRequest{Region: "440106", PageSize: 3},
			func(d corpus.Document) bool { return inTianhe(d) && live(d, s.today) }},
		{"region, not live too", &pb.SearchRequest{Region: "440106", IncludeInactive: true, PageSize: 7},
			inTianhe},
		{"audience and category", &pb.SearchRequest{Audience: "resident", Categories: []string{"养老", "助残"}, PageSize: 50},
			func(d corpus.Document) bool {
				return live(d, s.today) && (d.Category == "养老" || d.Category == "助残") &&
					(d.Audience.Includes(corpus.AudienceResident) || slices.ContainsFunc(d.Benefits, func(b corpus.Benefit) bool { return b.Audience.Includes(corpus.AudienceResident) }))
			}},
		{"apply-free only", &pb.SearchRequest{ApplyFreeOnly: true, IncludeInactive: true, Sort: "date"},
			func(d corpus.Document) bool {
				return slices.ContainsFunc(d.Benefits, func(b corpus.Benefit) bool { return b.ApplyFree })
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := s.want(tc.keep)
			if len(want) == 0 {
				t.Fatal("the sample has no document for this case: the test would prove nothing")
			}
			for _, cl := range []pb.Search{c, pc} {
				req := proto.Clone(tc.req).(*pb.SearchRequest)
				if got := all(t, cl, req); !slices.Equal(got, want) {
					t.Errorf("got %v\nwant %v", got, want)
				}
			}
		})
	}
}

func TestSearchTextHitsAndFacets(t *testing.T) {
	idx := openTestIndex(t)
	s := indexSample(t, idx)
	c := pb.NewSearchJSONClient(searchServer(t, idx), http.DefaultClient)
	ctx := context.Background()

	resp, err := c.Search(ctx, &pb.SearchRequest{Query: "残疾人 补贴", IncludeInactive: true, Facets: true, PageSize: 200})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Hits) == 0 {
		t.Fatal("残疾人 补贴 found nothing")
	}
	for _, h := range resp.Hits {
		d, ok := s.docs[h.PolicyId]
		if !ok {
			t.Fatalf("hit %s is no indexed policy", h.PolicyId)
		}
		if !strings.Contains(h.Snippet, indexer.HighlightPre) {
			t.Errorf("%s: snippet %q has no highlight", h.PolicyId, h.Snippet)
		}
		pub := ""
		if !d.PublishDate.IsZero() {
			pub = d.PublishDate.String()
		}
		applyFree := slices.ContainsFunc(d.Benefits, func(b corpus.Benefit) bool { return b.ApplyFree })
		if h.Title != d.Title || h.DocNumber != d.DocNumber || h.Issuer != d.Issuer || h.Region != d.Region ||
			h.Level != string(d.Level) || h.Category != string(d.Category) || h.PublishDate != pub ||
			h.ApplyFree != applyFree || h.Version != 1 || h.Score <= 0 || len(h.Audiences) == 0 {
			t.Errorf("hit %+v does not show its document (region %s, category %s, published %q, apply-free %v)",
				h, d.Region, d.Category, pub, applyFree)
		}
	}
	// Facets count every match, by the documents' own values.
	if len(resp.Facets) != len(indexer.Facets) {
		t.Fatalf("facets %v, want %v", resp.Facets, indexer.Facets)
	}
	cats := map[string]int{}
	for _, h := range resp.Hits {
		cats[h.Category]++
	}
	for _, f := range resp.Facets {
		sum := 0
		for i, fc := range f.Counts {
			sum += int(fc.Count)
			if i > 0 && fc.Count > f.Counts[i-1].Count {
				t.Errorf("facet %s not largest first: %v", f.Name, f.Counts)
			}
			if f.Name == indexer.FacetCategory && cats[fc.Value] != int(fc.Count) {
				t.Errorf("category %s: facet says %d, hits %d", fc.Value, fc.Count, cats[fc.Value])
			}
		}
		if (f.Name == indexer.FacetCategory || f.Name == indexer.FacetApplyFree || f.Name == indexer.FacetLevel) && sum != int(resp.Total) {
			t.Errorf("facet %s counts %d documents, total %d", f.Name, sum, resp.Total)
		}
	}

	// Traditional characters find the same policies.
	trad, err := c.Search(ctx, &pb.SearchRequest{Query: "殘疾人 補貼", IncludeInactive: true, PageSize: 200})
	if err != nil {
		t.Fatal(err)
	}
	if trad.Total != resp.Total {
		t.Errorf("殘疾人 補貼 found %d, 残疾人 补贴 %d", trad.Total, resp.Total)
	}

	// Newest first by publish date.
	byDate, err := c.Search(ctx, &pb.SearchRequest{Sort: "date", IncludeInactive: true, PageSize: 200})
	if err != nil {
		t.Fatal(err)
	}
	if int(byDate.Total) != len(s.docs) {
		t.Errorf("empty query found %d of %d", byDate.Total, len(s.docs))
	}
	for i := 1; i < len(byDate.Hits); i++ {
		a, b := byDate.Hits[i-1].PublishDate, byDate.Hits[i].PublishDate
		if b != "" && a < b {
			t.Fatalf("hit %d published %s after hit %d published %s", i, b, i-1, a)
		}
	}
}

func TestSearchInvalidArguments(t *testing.T) {
	idx := openTestIndex(t)
	c := pb.NewSearchJSONClient(searchServer(t, idx), http.DefaultClient)
	for _, tc := range []struct {
		req      *pb.SearchRequest
		argument string
	}{
		{&pb.SearchRequest{Region: "999999"}, "region"},
		{&pb.SearchRequest{Region: "天河区"}, "region"},
		{&pb.SearchRequest{Sort: "popular"}, "sort"},
		{&pb.SearchRequest{PageSize: 201}, "page_size"},
		{&pb.SearchRequest{PageSize: -1}, "page_size"},
		{&pb.SearchRequest{PageToken: "not-a-token"}, "page_token"},
		{&pb.SearchRequest{Categories: []string{"助残", "美食"}}, "categories[1]"},
		{&pb.SearchRequest{Audience: "government"}, "audience"},
		{&pb.SearchRequest{Query: strings.Repeat("补贴", MaxQueryRunes)}, "query"},
	} {
		_, err := c.Search(context.Background(), tc.req)
		var te twirp.Error
		if !errors.As(err, &te) || te.Code() != twirp.InvalidArgument || te.Meta("argument") != tc.argument {
			t.Errorf("%v: got %v, want invalid_argument on %s", tc.req, err, tc.argument)
		}
	}
}

func TestSearchWaitsForBackend(t *testing.T) {
	failed := indexer.NewPending()
	failed.Resolve(nil, errors.New("cannot open"))
	c := pb.NewSearchJSONClient(searchServer(t, failed), http.DefaultClient)
	_, err := c.Search(context.Background(), &pb.SearchRequest{Query: "补贴"})
	var te twirp.Error
	if !errors.As(err, &te) || te.Code() != twirp.Unavailable {
		t.Fatalf("search on a backend that failed to open: %v, want unavailable", err)
	}

	// A search that arrives while the backend opens is answered once it is open.
	p := indexer.NewPending()
	c = pb.NewSearchJSONClient(searchServer(t, p), http.DefaultClient)
	idx := openTestIndex(t)
	indexSample(t, idx)
	done := make(chan error, 1)
	go func() {
		resp, err := c.Search(context.Background(), &pb.SearchRequest{Query: "残疾人"})
		if err == nil && resp.Total == 0 {
			err = errors.New("found nothing")
		}
		done <- err
	}()
	if err := p.Ready(context.Background()); !errors.Is(err, indexer.ErrNotReady) {
		t.Errorf("Ready before Resolve: %v", err)
	}
	p.Resolve(idx, nil)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestSearchNotMountedWithoutBackend(t *testing.T) {
	url := searchServer(t, nil)
	c := pb.NewSearchJSONClient(url, http.DefaultClient)
	_, err := c.Search(context.Background(), &pb.SearchRequest{})
	var te twirp.Error
	if !errors.As(err, &te) || te.Code() != twirp.BadRoute {
		t.Fatalf("search without a backend: %v, want bad_route", err)
	}
}

func TestSearchPageTokenBelongsToItsQuery(t *testing.T) {
	idx := openTestIndex(t)
	indexSample(t, idx)
	c := pb.NewSearchJSONClient(searchServer(t, idx), http.DefaultClient)
	first := &pb.SearchRequest{Query: "补贴", Region: "440106", Categories: []string{"就业创业", "助残", "财政补贴"}, PageSize: 2}
	resp, err := c.Search(context.Background(), first)
	if err != nil {
		t.Fatal(err)
	}
	if resp.NextPageToken == "" {
		t.Fatalf("no next page of %d hits", resp.Total)
	}
	tok := resp.NextPageToken
	same := func(edit func(*pb.SearchRequest)) *pb.SearchRequest {
		r := &pb.SearchRequest{Query: first.Query, Region: first.Region, Categories: slices.Clone(first.Categories), PageSize: first.PageSize, PageToken: tok}
		edit(r)
		return r
	}
	// The same query continues, also with another page size, facets, the
	// categories in another order, or the default sort spelled out.
	for _, r := range []*pb.SearchRequest{
		same(func(*pb.SearchRequest) {}),
		same(func(r *pb.SearchRequest) { r.PageSize = 5; r.Facets = true }),
		same(func(r *pb.SearchRequest) {
			r.Categories = []string{"助残", "财政补贴", "就业创业"}
			r.Sort = "relevance"
		}),
	} {
		next, err := c.Search(context.Background(), r)
		if err != nil {
			t.Fatalf("%v: %v", r, err)
		}
		if len(next.Hits) == 0 || next.Hits[0].PolicyId == resp.Hits[0].PolicyId {
			t.Errorf("%v: the next page starts with %v", r, next.Hits)
		}
	}
	for _, r := range []*pb.SearchRequest{
		same(func(r *pb.SearchRequest) { r.Query = "残疾人" }),
		same(func(r *pb.SearchRequest) { r.Region = "440100" }),
		same(func(r *pb.SearchRequest) { r.Categories = nil }),
		same(func(r *pb.SearchRequest) { r.Sort = "date" }),
		same(func(r *pb.SearchRequest) { r.Audience = "resident" }),
		same(func(r *pb.SearchRequest) { r.IncludeInactive = true }),
		same(func(r *pb.SearchRequest) { r.ApplyFreeOnly = true }),
		same(func(r *pb.SearchRequest) { r.PageToken = tok[:len(tok)-2] }),
		same(func(r *pb.SearchRequest) { r.PageToken = "bzoyMA" }), // the old plain-offset form, "o:20"
	} {
		_, err := c.Search(context.Background(), r)
		var te twirp.Error
		if !errors.As(err, &te) || te.Code() != twirp.InvalidArgument || te.Meta("argument") != "page_token" {
			t.Errorf("%v: got %v, want invalid_argument on page_token", r, err)
		}
	}
}
