package main

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/zhida/zhida/corpus/zhnorm"
	"github.com/zhida/zhida/indexer/segment"
)

// The package's one segmenter: bleve allows one per process.
var (
	testSegOnce sync.Once
	testSeg     *segment.Segmenter
	testSegErr  error
)

func testSegmenter(t *testing.T) *segment.Segmenter {
	t.Helper()
	testSegOnce.Do(func() { testSeg, testSegErr = segment.New(segment.WithFolder(zhnorm.Fold)) })
	if testSegErr != nil {
		t.Fatal(testSegErr)
	}
	return testSeg
}

const queriesFile = "testdata/search/queries.jsonl"

// queryFiles are every query set kept beside the first.
var queryFiles = []string{queriesFile, "testdata/search/queries2.jsonl", "testdata/search/queries3.jsonl"}

func TestSearchQuality(t *testing.T) {
	ctx := context.Background()
	s, err := indexSample(ctx, testSegmenter(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	// Every judged document of every set must exist in the sample corpus.
	for _, f := range queryFiles {
		qs, err := loadSearchQueries(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range qs {
			if _, err := s.relevantIDs(q); err != nil {
				t.Errorf("%s: %v", f, err)
			}
		}
	}
	all, err := loadSearchQueries(queriesFile)
	if err != nil {
		t.Fatal(err)
	}

	// A subset: one query whose words are the documents' own (稳岗返还 is
	// in all three titles) and two that name real documents they do not match.
	var subset []searchQuery
	for _, q := range all {
		if q.Q == "稳岗返还" {
			subset = append(subset, q)
		}
	}
	if len(subset) != 1 {
		t.Fatalf("query 稳岗返还 not in %s", queriesFile)
	}
	easy := subset[0]
	subset = append(subset,
		searchQuery{Q: "二手车", Relevant: []string{"北京市实体书店扶持资金管理办法"}, line: -1},
		searchQuery{Q: "稳岗返还", Region: "440106", Relevant: []string{easy.Relevant[0]}, line: -2},
	)
	rep, err := evalSearchQuality(ctx, s, subset, 10)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Docs != len(s.docs) || len(rep.Queries) != len(subset) {
		t.Fatalf("report covers %d docs, %d queries; want %d, %d", rep.Docs, len(rep.Queries), len(s.docs), len(subset))
	}
	for _, r := range rep.Queries {
		if r.Recall < 0 || r.Recall > 1 || r.RR < 0 || r.RR > 1 || len(r.Returned) > 10 || r.Found > r.Relevant {
			t.Errorf("%q: insane numbers %+v", r.Query, r)
		}
	}
	got := rep.Queries[0]
	if got.Rank != 1 || got.RR != 1 || got.Recall != 1 || got.Found != len(easy.Relevant) {
		t.Errorf("稳岗返还: rank %d rr %v recall %v found %d; want all %d stabilisation-refund documents, first at rank 1\nreturned %v",
			got.Rank, got.RR, got.Recall, got.Found, len(easy.Relevant), got.Returned)
	}
	for _, r := range rep.Queries[1:] {
		if r.Recall != 0 || r.RR != 0 || r.Rank != 0 || len(r.Missed) != 1 {
			t.Errorf("%q (region %s): want a miss, got %+v", r.Query, r.Region, r)
		}
	}
	// The 天河 asker's region filter removes the documents of 扬州, 孝义, 桂林.
	if n := rep.Queries[2].Total; n != 0 {
		t.Errorf("稳岗返还 from 440106: %d hits, want 0 (no such policy applies in 天河)", n)
	}
	wantRecall := (1.0 + 0 + 0) / 3
	if d := rep.Recall - wantRecall; d > 1e-9 || d < -1e-9 {
		t.Errorf("overall recall %v, want %v", rep.Recall, wantRecall)
	}
	if d := rep.MRR - 1.0/3; d > 1e-9 || d < -1e-9 {
		t.Errorf("MRR %v, want 1/3", rep.MRR)
	}
	if rep.Zero != 2 {
		t.Errorf("%d queries with no relevant hit, want 2", rep.Zero)
	}

	var b strings.Builder
	if err := printQuality(&b, rep, 5); err != nil {
		t.Fatal(err)
	}
	if out := b.String(); !strings.Contains(out, "missed: 北京市实体书店扶持资金管理办法") || !strings.Contains(out, "recall@10 0.333, MRR 0.333") {
		t.Errorf("printed report lacks the miss or the totals:\n%s", out)
	}

	if _, err := evalSearchQuality(ctx, s, []searchQuery{{Q: "x", Relevant: []string{"no such title"}, line: 7}}, 10); err == nil || !strings.Contains(err.Error(), "line 7") {
		t.Errorf("unknown relevant key: err %v, want one naming line 7", err)
	}
}

func TestLoadSearchQueries(t *testing.T) {
	tests := []struct {
		name, text, wantErr string
		want                []string
	}{
		{"ok", "{\"q\":\"a\",\"relevant\":[\"t\"]}\n\n{\"q\":\"b\",\"region\":\"440106\",\"audience\":\"resident\",\"relevant\":[\"t\"],\"note\":\"n\"}\n", "", []string{"a", "b"}},
		{"bad json", "{\"q\":\"a\",\"relevant\":[\"t\"]}\n{\"q\":", "line 2", nil},
		{"unknown field", "{\"q\":\"a\",\"relevant\":[\"t\"],\"relevent\":[]}", "line 1", nil},
		{"empty q", "{\"q\":\" \",\"relevant\":[\"t\"]}", "line 1: empty q", nil},
		{"no relevant", "{\"q\":\"a\"}", "line 1: no relevant", nil},
		{"bad region", "{\"q\":\"a\",\"region\":\"999999\",\"relevant\":[\"t\"]}", "line 1: unknown region", nil},
		{"bad audience", "{\"q\":\"a\",\"audience\":\"alien\",\"relevant\":[\"t\"]}", "line 1: unknown audience", nil},
		{"empty", "\n", "no queries", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "q.jsonl")
			if err := os.WriteFile(p, []byte(tt.text), 0o644); err != nil {
				t.Fatal(err)
			}
			qs, err := loadSearchQueries(p)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, q := range qs {
				got = append(got, q.Q)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("queries %v, want %v", got, tt.want)
			}
		})
	}
}
