package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/twitchtv/twirp"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/zhida/zhida/corpus"
	"github.com/zhida/zhida/corpus/region"
	"github.com/zhida/zhida/indexer/bleve"
	"github.com/zhida/zhida/rpc"
	pb "github.com/zhida/zhida/rpc/zhidav1"
	"github.com/zhida/zhida/store"
	"github.com/zhida/zhida/store/open"
	"github.com/zhida/zhida/store/postgres/pgtest"
	"github.com/zhida/zhida/store/sqlite"
)

func withToken(ctx context.Context, tok string) context.Context {
	h := http.Header{}
	h.Set("Authorization", "Bearer "+tok)
	ctx, _ = twirp.WithHTTPRequestHeaders(ctx, h)
	return ctx
}

// TestPublishedPolicyIsSearchable publishes, republishes and retracts a
// policy through the PolicyLibrary API on a real SQLite store, runs the
// outbox sync the server runs, and checks what the Search API finds with a
// Chinese query each time.
func TestPublishedPolicyIsSearchable(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, err := sqlite.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	seg, err := processSegmenter()
	if err != nil {
		t.Fatal(err)
	}
	idx, err := bleve.Open(filepath.Join(dir, "index"), seg)
	if err != nil {
		t.Fatal(err)
	}
	defer idx.Close()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	regions := region.Default()
	srv := httptest.NewServer(rpc.NewHandler(rpc.Config{
		Store: st, Rules: corpus.NewRules(regions), Regions: regions,
		EditorToken: "tok", Search: idx, Log: log,
	}))
	defer srv.Close()
	lib := pb.NewPolicyLibraryJSONClient(srv.URL, srv.Client())
	search := pb.NewSearchJSONClient(srv.URL, srv.Client())
	syncer := newSyncer(st, idx, log)
	sync := func() {
		t.Helper()
		if _, err := syncer.SyncOnce(ctx); err != nil {
			t.Fatal(err)
		}
	}
	find := func(query, place string) []*pb.SearchHit {
		t.Helper()
		resp, err := search.Search(ctx, &pb.SearchRequest{Query: query, Region: place, PageSize: 200})
		if err != nil {
			t.Fatal(err)
		}
		return resp.Hits
	}
	hitOf := func(hits []*pb.SearchHit, id string) *pb.SearchHit {
		i := slices.IndexFunc(hits, func(h *pb.SearchHit) bool { return h.PolicyId == id })
		if i < 0 {
			return nil
		}
		return hits[i]
	}

	doc := &pb.PolicyDocument{
		Title: "广州市困难残疾人生活补贴", DocNumber: "穗残联〔2026〕1号", Issuer: "广州市残疾人联合会",
		Region: "440100", Category: "助残", Audience: "resident", EffectiveFrom: "2026-01-01",
		Text: "本市户籍的低保对象中的残疾人，每人每月发放生活补贴200元。",
		Benefits: []*pb.Benefit{{
			Name: "困难残疾人生活补贴", Amount: "每人每月200元", ApplyFree: true,
			Conditions: &pb.Condition{All: []*pb.Condition{
				{Field: "region", Op: "within", Value: structpb.NewStringValue("440100"), Text: "本市户籍"},
				{Field: "tags", Op: "has", Value: structpb.NewStringValue("残疾人"), Text: "残疾人"},
			}},
		}},
	}
	ed := withToken(ctx, "tok")
	p, err := lib.CreateDraft(ed, &pb.CreateDraftRequest{Document: doc})
	if err != nil {
		t.Fatal(err)
	}
	sync()
	if hitOf(find("残疾人 补贴", ""), p.Id) != nil {
		t.Fatal("a draft is searchable")
	}

	if _, err := lib.Publish(ed, &pb.PublishRequest{Id: p.Id}); err != nil {
		t.Fatal(err)
	}
	if hitOf(find("残疾人 补贴", ""), p.Id) != nil {
		t.Fatal("found before the sync ran: the test would not show that the sync indexes")
	}
	sync()
	h := hitOf(find("残疾人 补贴", "440106"), p.Id) // 天河区 sees 广州 policies
	if h == nil {
		t.Fatal("published policy not found by 残疾人 补贴 in 天河区")
	}
	if h.Version != 1 || h.Title != doc.Title || h.Region != "440100" || !h.ApplyFree || h.Category != "助残" {
		t.Errorf("hit %+v", h)
	}
	if hitOf(find("殘疾人 補貼", ""), p.Id) == nil {
		t.Error("not found with Traditional characters")
	}
	if hitOf(find("残疾人 补贴", "310000"), p.Id) != nil {
		t.Error("a 广州 policy found for 上海")
	}

	// A new version replaces the old one in the index.
	doc.Title = "广州市困难残疾人生活补贴（2026年修订）"
	if _, err := lib.UpdateDraft(ed, &pb.UpdateDraftRequest{Id: p.Id, Document: doc}); err != nil {
		t.Fatal(err)
	}
	if _, err := lib.Publish(ed, &pb.PublishRequest{Id: p.Id}); err != nil {
		t.Fatal(err)
	}
	sync()
	hits := find("修订", "")
	if h := hitOf(hits, p.Id); h == nil || h.Version != 2 || h.Title != doc.Title {
		t.Fatalf("after republishing: %v", hits)
	}

	if _, err := lib.Retract(ed, &pb.RetractRequest{Id: p.Id, Reason: "政策调整"}); err != nil {
		t.Fatal(err)
	}
	sync()
	if hitOf(find("残疾人 补贴", ""), p.Id) != nil {
		t.Fatal("retracted policy still found")
	}
	resp, err := search.Search(ctx, &pb.SearchRequest{Query: "残疾人 补贴", IncludeInactive: true})
	if err != nil {
		t.Fatal(err)
	}
	if hitOf(resp.Hits, p.Id) != nil {
		t.Fatal("retracted policy found with include_inactive")
	}
}

// TestIndexRebuild rebuilds the embedded index of a store (SQLite, and
// PostgreSQL when ZHIDA_TEST_POSTGRES is set) holding the sample corpus, then checks the rebuilt index answers and that a plain
// `zhida index` pass afterwards has nothing left to do.
func TestIndexRebuild(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { testIndexRebuild(t, "") })
	t.Run("postgres", func(t *testing.T) { testIndexRebuild(t, pgtest.Schema(t)) })
}

func testIndexRebuild(t *testing.T, postgres string) {
	ctx := context.Background()
	dir := t.TempDir()
	st, err := open.Open(ctx, postgres, dir)
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	n, err := loadSample(ctx, log, st)
	if err != nil {
		t.Fatal(err)
	}
	// Retract one: a rebuild must leave it out.
	page, err := st.ListPolicies(ctx, store.PolicyFilter{PageSize: 1})
	if err != nil {
		t.Fatal(err)
	}
	gone := page.Policies[0].ID
	if _, err := st.Retract(ctx, gone, "test"); err != nil {
		t.Fatal(err)
	}
	st.Close()

	f := searchFlags{data: dir}
	// Twice: the second rebuild replaces a complete index. Then a catch-up
	// pass, which finds nothing left to do.
	for i, rebuild := range []bool{true, true, false} {
		var progress bytes.Buffer
		if err := runIndex(ctx, log, f, postgres, rebuild, &progress); err != nil {
			t.Fatalf("index run %d: %v\n%s", i, err, progress.String())
		}
		out := progress.String()
		switch {
		case rebuild && !strings.Contains(out, "docs/s"):
			t.Errorf("rebuild %d shows no progress:\n%s", i, out)
		case rebuild && !strings.Contains(out, fmt.Sprintf("done: %d policies", n-1)):
			t.Errorf("rebuild %d did not index the %d live policies:\n%s", i, n-1, out)
		case !rebuild && !strings.Contains(out, ": 0 outbox events applied"):
			t.Errorf("a catch-up pass after a rebuild found work:\n%s", out)
		}
	}
	if _, err := os.Stat(f.indexDir() + ".rebuild"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the rebuild folder is left behind: %v", err)
	}

	seg, err := processSegmenter()
	if err != nil {
		t.Fatal(err)
	}
	idx, err := bleve.Open(f.indexDir(), seg)
	if err != nil {
		t.Fatal(err)
	}
	defer idx.Close()
	count, err := idx.DocCount()
	if err != nil {
		t.Fatal(err)
	}
	if count != n-1 {
		t.Errorf("rebuilt index holds %d documents, want %d (sample %d, one retracted)", count, n-1, n)
	}
	if err := idx.Delete(ctx, gone); err != nil {
		t.Fatal(err)
	}
	if after, _ := idx.DocCount(); after != count {
		t.Errorf("the retracted policy %s was in the rebuilt index", gone)
	}
}
