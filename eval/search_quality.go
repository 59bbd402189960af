package main

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/zhida/zhida/corpus"
	"github.com/zhida/zhida/corpus/region"
	"github.com/zhida/zhida/corpus/sample"
	"github.com/zhida/zhida/corpus/zhnorm"
	"github.com/zhida/zhida/indexer"
	"github.com/zhida/zhida/indexer/bleve"
	"github.com/zhida/zhida/indexer/segment"
)

// searchQuery is one line of the query set (eval/testdata/search/queries.jsonl).
type searchQuery struct {
	Q        string          `json:"q"`
	Region   string          `json:"region,omitempty"`
	Audience corpus.Audience `json:"audience,omitempty"`
	// Relevant names every document that answers the query, by exact title
	// or source_url (a title shared by several documents names them all).
	Relevant []string `json:"relevant"`
	Note     string   `json:"note,omitempty"`
	line     int
}

// queryResult is the outcome of one query.
type queryResult struct {
	Query    string   `json:"q"`
	Region   string   `json:"region,omitempty"`
	Audience string   `json:"audience,omitempty"`
	Relevant int      `json:"relevant"`
	Found    int      `json:"found"`
	Recall   float64  `json:"recall"`
	RR       float64  `json:"rr"`
	Rank     int      `json:"first_rank"` // 0: no relevant hit in the top k
	Total    int      `json:"total"`
	Returned []string `json:"returned"` // titles of the top k, best first
	Missed   []string `json:"missed,omitempty"`
}

// qualityReport is the quality evaluation of a query set.
type qualityReport struct {
	Docs    int           `json:"docs"`
	K       int           `json:"k"`
	Recall  float64       `json:"recall_at_k"`
	MRR     float64       `json:"mrr"`
	Zero    int           `json:"queries_with_no_relevant_hit"`
	Queries []queryResult `json:"queries"`
}

// loadSearchQueries reads a query set; a bad line is reported by number.
func loadSearchQueries(path string) ([]searchQuery, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var qs []searchQuery
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "//") {
			continue
		}
		var q searchQuery
		dec := json.NewDecoder(strings.NewReader(line))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&q); err != nil {
			return nil, fmt.Errorf("%s line %d: %w", path, n, err)
		}
		switch {
		case strings.TrimSpace(q.Q) == "":
			return nil, fmt.Errorf("%s line %d: empty q", path, n)
		case len(q.Relevant) == 0:
			return nil, fmt.Errorf("%s line %d: no relevant documents", path, n)
		case q.Region != "" && !region.Default().Valid(q.Region):
			return nil, fmt.Errorf("%s line %d: unknown region %q", path, n, q.Region)
		case q.Audience != "" && !q.Audience.Valid():
			return nil, fmt.Errorf("%s line %d: unknown audience %q", path, n, q.Audience)
		}
		q.line = n
		qs = append(qs, q)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(qs) == 0 {
		return nil, fmt.Errorf("%s: no queries", path)
	}
	return qs, nil
}

// sampleIndex is the sample corpus indexed in a temporary directory.
type sampleIndex struct {
	idx  *bleve.Index
	dir  string
	docs []corpus.Document
	// byKey maps a title or source_url to the policy ids carrying it.
	byKey map[string][]string
	title map[string]string // policy id → title
}

// sampleID is the policy id of the i-th sample document.
func sampleID(i int) string { return fmt.Sprintf("sample-%03d", i) }

// indexSample indexes every sample document, as published version 1, into
// a bleve index on disk using seg: on disk, as `zhida serve` keeps it, text
// queries take the path production takes (bleve's searchFast), not the
// in-memory index's bleve query. Close removes it.
func indexSample(ctx context.Context, seg *segment.Segmenter) (*sampleIndex, error) {
	docs, err := sample.Documents()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "zhida-eval-search-")
	if err != nil {
		return nil, err
	}
	idx, err := bleve.Open(filepath.Join(dir, "index"), seg)
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	s := &sampleIndex{idx: idx, dir: dir, docs: docs, byKey: map[string][]string{}, title: map[string]string{}}
	batch := make([]indexer.Doc, 0, len(docs))
	for i, d := range docs {
		id := sampleID(i)
		batch = append(batch, indexer.NewDoc(corpus.Version{PolicyID: id, Version: 1, Document: d}, corpus.StatusPublished))
		s.title[id] = d.Title
		for _, k := range []string{d.Title, d.SourceURL} {
			if k != "" && !slices.Contains(s.byKey[k], id) {
				s.byKey[k] = append(s.byKey[k], id)
			}
		}
	}
	if err := idx.Index(ctx, batch); err != nil {
		s.Close()
		return nil, fmt.Errorf("index sample corpus: %w", err)
	}
	return s, nil
}

// Close closes the index and removes its directory.
func (s *sampleIndex) Close() error {
	err := s.idx.Close()
	return errors.Join(err, os.RemoveAll(s.dir))
}

// relevantIDs resolves a query's relevant keys to policy ids.
func (s *sampleIndex) relevantIDs(q searchQuery) ([]string, error) {
	var ids []string
	for _, k := range q.Relevant {
		found := s.byKey[k]
		if len(found) == 0 {
			return nil, fmt.Errorf("query line %d (%s): relevant %q is no sample document's title or source_url", q.line, q.Q, k)
		}
		for _, id := range found {
			if !slices.Contains(ids, id) {
				ids = append(ids, id)
			}
		}
	}
	return ids, nil
}

// evalSearchQuality runs every query against the sample index and scores
// the top k hits: recall@k and reciprocal rank of the first relevant hit.
// Liveness is not judged (IncludeInactive): the set measures text relevance.
func evalSearchQuality(ctx context.Context, s *sampleIndex, qs []searchQuery, k int) (qualityReport, error) {
	if k <= 0 {
		return qualityReport{}, errors.New("k must be positive")
	}
	rep := qualityReport{Docs: len(s.docs), K: k}
	for _, q := range qs {
		want, err := s.relevantIDs(q)
		if err != nil {
			return rep, err
		}
		iq := indexer.Query{Text: q.Q, Audience: q.Audience, IncludeInactive: true, Limit: k}
		if q.Region != "" {
			iq.Regions = append([]string{q.Region}, region.Default().Ancestors(q.Region)...)
		}
		res, err := s.idx.Search(ctx, iq)
		if err != nil {
			return rep, fmt.Errorf("query line %d: %w", q.line, err)
		}
		r := queryResult{Query: q.Q, Region: q.Region, Audience: string(q.Audience), Relevant: len(want), Total: res.Total}
		got := map[string]bool{}
		for i, h := range res.Hits {
			r.Returned = append(r.Returned, h.Title)
			if slices.Contains(want, h.PolicyID) {
				got[h.PolicyID] = true
				if r.Rank == 0 {
					r.Rank = i + 1
					r.RR = 1 / float64(i+1)
				}
			}
		}
		r.Found = len(got)
		r.Recall = float64(r.Found) / float64(len(want))
		for _, id := range want {
			if !got[id] {
				r.Missed = append(r.Missed, s.title[id])
			}
		}
		if r.Rank == 0 {
			rep.Zero++
		}
		rep.Recall += r.Recall
		rep.MRR += r.RR
		rep.Queries = append(rep.Queries, r)
	}
	rep.Recall /= float64(len(rep.Queries))
	rep.MRR /= float64(len(rep.Queries))
	return rep, nil
}

// printQuality writes the per-query table, the worst queries with what
// they returned, and the overall numbers.
func printQuality(w io.Writer, rep qualityReport, worst int) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "query\tregion\taudience\trelevant\tfound@%d\trecall\tfirst rank\thits\t\n", rep.K)
	for _, r := range rep.Queries {
		rank := "-"
		if r.Rank > 0 {
			rank = fmt.Sprint(r.Rank)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%.2f\t%s\t%d\t\n", r.Query, r.Region, r.Audience, r.Relevant, r.Found, r.Recall, rank, r.Total)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	order := make([]queryResult, len(rep.Queries))
	copy(order, rep.Queries)
	slices.SortStableFunc(order, func(a, b queryResult) int {
		if c := cmp.Compare(a.Recall+a.RR, b.Recall+b.RR); c != 0 {
			return c
		}
		return strings.Compare(a.Query, b.Query)
	})
	fmt.Fprintf(w, "\nworst queries:\n")
	for _, r := range order[:min(worst, len(order))] {
		if r.Recall == 1 && r.RR == 1 {
			break
		}
		fmt.Fprintf(w, "\n  %q recall %.2f rr %.2f (%d hits)\n", r.Query, r.Recall, r.RR, r.Total)
		for i, t := range r.Returned {
			fmt.Fprintf(w, "    %2d. %s\n", i+1, t)
		}
		for _, t := range r.Missed {
			fmt.Fprintf(w, "    missed: %s\n", t)
		}
	}
	_, err := fmt.Fprintf(w, "\nsearch quality: %d queries over %d sample documents: recall@%d %.3f, MRR %.3f, %d queries with no relevant hit in the top %d\n",
		len(rep.Queries), rep.Docs, rep.K, rep.Recall, rep.MRR, rep.Zero, rep.K)
	return err
}

func searchCommand() *cobra.Command {
	var (
		queries string
		k       int
		asJSON  bool
		worst   int
		noSpeed bool
		bench   benchOptions
	)
	cmd := &cobra.Command{
		Use:   "search",
		Short: "Search quality (recall@k, MRR) on the sample corpus, then search speed",
		Long: `search indexes the bundled sample corpus (corpus/sample) in memory, runs
the hand-judged query set and prints recall@k and MRR per query and overall,
with the worst queries and what they returned; then it runs search-bench.`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, w := cmd.Context(), cmd.OutOrStdout()
			qs, err := loadSearchQueries(queries)
			if err != nil {
				return err
			}
			t0 := time.Now()
			seg, err := segment.New(segment.WithFolder(zhnorm.Fold))
			if err != nil {
				return err
			}
			load := time.Since(t0)
			s, err := indexSample(ctx, seg)
			if err != nil {
				return err
			}
			defer s.Close()
			rep, err := evalSearchQuality(ctx, s, qs, k)
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(w, rep, true)
			}
			if err := printQuality(w, rep, worst); err != nil {
				return err
			}
			if noSpeed {
				return nil
			}
			fmt.Fprintln(w)
			return searchBench(ctx, w, seg, load, bench)
		},
	}
	cmd.Flags().StringVar(&queries, "queries", "eval/testdata/search/queries.jsonl", "query set (JSON lines)")
	cmd.Flags().IntVar(&k, "k", 10, "hits scored per query")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the quality report as JSON (no speed table)")
	cmd.Flags().IntVar(&worst, "worst", 12, "worst queries to list with their hits")
	cmd.Flags().BoolVar(&noSpeed, "no-speed", false, "skip the speed table")
	bench.flags(cmd, "bench-queries")
	return cmd
}
