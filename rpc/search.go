package rpc

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/twitchtv/twirp"

	"github.com/zhida/zhida/corpus"
	"github.com/zhida/zhida/corpus/region"
	"github.com/zhida/zhida/indexer"
	pb "github.com/zhida/zhida/rpc/zhidav1"
)

// Searcher is what the Search service needs of a search backend
// (indexer.Backend has it). A backend that is still opening may also have
// Wait (indexer.Pending): the service waits for it up to SearchWait and
// answers unavailable after that.
type Searcher interface {
	Search(ctx context.Context, q indexer.Query) (indexer.Result, error)
}

// waiter is a Searcher that may still be opening.
type waiter interface {
	Wait(ctx context.Context) error
}

// Search limits.
const (
	// MaxQueryRunes bounds the query text: longer is not a search.
	MaxQueryRunes = 200
	// MaxSearchOffset bounds paging: deep pages cost the engine every hit
	// before them, and Meilisearch stops at 1000 by default anyway.
	MaxSearchOffset = 10000
	// SearchWait is how long a search waits for a backend still opening.
	SearchWait = 20 * time.Second
)

// SearchService implements the Search service over a search backend.
type SearchService struct {
	backend Searcher
	rules   corpus.Rules
	regions *region.Table
	log     *slog.Logger
	now     func() time.Time
}

// NewSearch returns the Search service.
func NewSearch(b Searcher, rules corpus.Rules, regions *region.Table, log *slog.Logger) *SearchService {
	return &SearchService{backend: b, rules: rules, regions: regions, log: log, now: time.Now}
}

var _ pb.Search = (*SearchService)(nil)

// Search validates the request, runs it on the backend and pages the hits.
func (s *SearchService) Search(ctx context.Context, req *pb.SearchRequest) (*pb.SearchResponse, error) {
	q, err := s.query(req)
	if err != nil {
		return nil, err
	}
	if w, ok := s.backend.(waiter); ok {
		wctx, cancel := context.WithTimeout(ctx, SearchWait)
		err := w.Wait(wctx)
		cancel()
		switch {
		case err != nil && ctx.Err() != nil:
			return nil, twirpError(ctx, s.log, "", ctx.Err())
		case errors.Is(err, context.DeadlineExceeded):
			return nil, twirp.NewError(twirp.Unavailable, "the search index is not ready yet (still loading, or its server is unreachable); retry shortly")
		case err != nil:
			s.log.ErrorContext(ctx, "search backend failed to open", "err", err)
			return nil, twirp.NewError(twirp.Unavailable, "the search index is not available")
		}
	}
	res, err := s.backend.Search(ctx, q)
	if err != nil {
		return nil, twirpError(ctx, s.log, "", err)
	}
	resp := &pb.SearchResponse{Total: int32(min(res.Total, 1<<31-1))}
	for _, h := range res.Hits {
		resp.Hits = append(resp.Hits, hitToPB(h))
	}
	if next := q.Offset + len(res.Hits); len(res.Hits) > 0 && next < res.Total && next <= MaxSearchOffset {
		resp.NextPageToken = pageToken(next, req)
	}
	if req.Facets {
		resp.Facets = facetsToPB(res.Facets)
	}
	return resp, nil
}

// query turns a request into an indexer query, or an invalid_argument error
// naming the field.
func (s *SearchService) query(req *pb.SearchRequest) (indexer.Query, error) {
	q := indexer.Query{
		Text:            strings.TrimSpace(req.Query),
		Audience:        corpus.Audience(req.Audience),
		IncludeInactive: req.IncludeInactive,
		ApplyFreeOnly:   req.ApplyFreeOnly,
		Facets:          req.Facets,
		Today:           corpus.DateOf(s.now().In(time.FixedZone("CST", 8*3600))),
		Limit:           int(req.PageSize),
	}
	if n := utf8.RuneCountInString(q.Text); n > MaxQueryRunes {
		return q, twirp.InvalidArgumentError("query", "is "+itoa(n)+" characters; at most "+itoa(MaxQueryRunes))
	}
	if req.Region != "" {
		if !s.regions.Valid(req.Region) {
			return q, twirp.InvalidArgumentError("region", req.Region+" is not a known 6-digit 行政区划代码")
		}
		q.Regions = append([]string{req.Region}, s.regions.Ancestors(req.Region)...)
	}
	if q.Audience != "" && q.Audience != corpus.AudienceEnterprise && q.Audience != corpus.AudienceResident {
		return q, twirp.InvalidArgumentError("audience", "must be enterprise or resident")
	}
	for i, c := range req.Categories {
		if !s.rules.KnownCategory(corpus.Category(c)) {
			return q, twirp.InvalidArgumentError("categories["+itoa(i)+"]", c+" is not a known category")
		}
		q.Categories = append(q.Categories, corpus.Category(c))
	}
	switch req.Sort {
	case "", "relevance":
		q.Sort = indexer.SortRelevance
	case "date":
		q.Sort = indexer.SortNewest
	default:
		return q, twirp.InvalidArgumentError("sort", "must be relevance or date, not "+strconv.Quote(req.Sort))
	}
	if req.PageSize < 0 || req.PageSize > indexer.MaxLimit {
		return q, twirp.InvalidArgumentError("page_size", "must be between 0 and "+itoa(indexer.MaxLimit))
	}
	if req.PageToken != "" {
		off, err := parsePageToken(req.PageToken, req)
		if err != nil {
			return q, twirp.InvalidArgumentError("page_token", err.Error())
		}
		q.Offset = off
	}
	return q, nil
}

// A page token is opaque to clients: a version byte, the offset of the next
// page and a hash of the query it belongs to, base64url-encoded. The hash
// makes a token used with other words, filters or sort an invalid_argument
// instead of a page of some other result. Page size and facets are not part
// of it: they may change between pages.
const pageTokenVersion = 1

// queryHash hashes what selects and orders the hits of a request.
func queryHash(req *pb.SearchRequest) [8]byte {
	h := sha256.New()
	field := func(s string) {
		var n [binary.MaxVarintLen64]byte
		h.Write(n[:binary.PutUvarint(n[:], uint64(len(s)))])
		h.Write([]byte(s))
	}
	field(strings.TrimSpace(req.Query))
	field(req.Region)
	field(req.Audience)
	field(strconv.FormatBool(req.IncludeInactive) + strconv.FormatBool(req.ApplyFreeOnly))
	sort := req.Sort
	if sort == "relevance" {
		sort = ""
	}
	field(sort)
	cats := slices.Clone(req.Categories)
	slices.Sort(cats)
	for _, c := range cats {
		field(c)
	}
	var out [8]byte
	copy(out[:], h.Sum(nil))
	return out
}

func pageToken(off int, req *pb.SearchRequest) string {
	b := binary.AppendUvarint([]byte{pageTokenVersion}, uint64(off))
	sum := queryHash(req)
	return base64.RawURLEncoding.EncodeToString(append(b, sum[:]...))
}

// parsePageToken returns the offset of a token given for the same query.
func parsePageToken(tok string, req *pb.SearchRequest) (int, error) {
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || len(b) < 2 || b[0] != pageTokenVersion {
		return 0, errors.New("is not a token this service gave")
	}
	off, n := binary.Uvarint(b[1:])
	if n <= 0 || len(b) != 1+n+8 || off > MaxSearchOffset {
		return 0, errors.New("is not a token this service gave")
	}
	if sum := queryHash(req); !bytes.Equal(b[1+n:], sum[:]) {
		return 0, errors.New("belongs to another query: pass the query, filters and sort of the page that gave it")
	}
	return int(off), nil
}

func hitToPB(h indexer.Hit) *pb.SearchHit {
	out := &pb.SearchHit{
		PolicyId: h.PolicyID, Version: int32(h.Version), Title: h.Title,
		DocNumber: h.DocNumber, Issuer: h.Issuer, Region: h.Region,
		Level: string(h.Level), Category: string(h.Category),
		ApplyFree: h.ApplyFree, Snippet: h.Snippet, Score: float32(h.Score),
	}
	if !h.PublishDate.IsZero() {
		out.PublishDate = h.PublishDate.String()
	}
	for _, a := range h.Audiences {
		out.Audiences = append(out.Audiences, string(a))
	}
	return out
}

// facetsToPB lists the facets in indexer.Facets order, each facet's values
// by count, largest first (ties by value, so the order is stable).
func facetsToPB(facets map[string]map[string]int) []*pb.Facet {
	var out []*pb.Facet
	for _, name := range indexer.Facets {
		f := &pb.Facet{Name: name}
		for v, n := range facets[name] {
			if n > 0 {
				f.Counts = append(f.Counts, &pb.FacetCount{Value: v, Count: int32(n)})
			}
		}
		slices.SortFunc(f.Counts, func(a, b *pb.FacetCount) int {
			return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Value, b.Value))
		})
		out = append(out, f)
	}
	return out
}
