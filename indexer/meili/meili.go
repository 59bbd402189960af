// Package meili is the Meilisearch search backend (production: `--meili URL
// --meili-key KEY`), through github.com/meilisearch/meilisearch-go.
//
// Documents carry text already cut by the process's gse segmenter, words
// joined by spaces, so Meilisearch's own tokenizer does not re-split Chinese
// differently from the query side; the dictionary words found inside longer
// words go in a separate searchable field (terms), which gives the same
// fine-grained recall as the embedded backend (补贴 finds 一次性吸纳就业补贴).
package meili

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/meilisearch/meilisearch-go"

	"github.com/zhida/zhida/corpus"
	"github.com/zhida/zhida/indexer"
	"github.com/zhida/zhida/indexer/segment"
)

// Config says where the index lives.
type Config struct {
	URL   string
	Key   string // API key; may be empty for an unsecured server
	Index string // index uid; DefaultIndex when empty
	// BatchSize is the most documents sent in one request; DefaultBatchSize when 0.
	BatchSize int
	// PollInterval is how often a task's status is checked; 50 ms when 0.
	PollInterval time.Duration
}

// Defaults.
const (
	DefaultIndex     = "policies"
	DefaultBatchSize = 1000
)

// Index is the Meilisearch backend. It is safe for concurrent use.
type Index struct {
	cfg    Config
	client meilisearch.ServiceManager
	index  meilisearch.IndexManager
	seg    *segment.Segmenter
}

var _ indexer.Backend = (*Index)(nil)

// Document field names.
const (
	fID        = "id"
	fPolicyID  = "policy_id"
	fVersion   = "version"
	fTitle     = "title"
	fTitleSeg  = "title_seg"
	fDocNumber = "doc_number"
	fIssuer    = "issuer_seg"
	fBenefits  = "benefits_seg"
	fText      = "text_seg"
	fTerms     = "terms"
	fRegion    = "region"
	fRegions   = "regions"
	fLevel     = "level"
	fCategory  = "category"
	fAudience  = "audience"
	fStatus    = "status"
	fPublish   = "publish"
	fFrom      = "from"
	fTo        = "to"
	fApplyFree = "apply_free"
)

// document is what is sent to Meilisearch for one policy.
type document struct {
	ID        string   `json:"id"`
	PolicyID  string   `json:"policy_id"`
	Version   int      `json:"version"`
	Title     string   `json:"title"`
	TitleSeg  string   `json:"title_seg"`
	DocNumber string   `json:"doc_number"`
	Issuer    string   `json:"issuer_seg"`
	Benefits  []string `json:"benefits_seg"`
	Text      string   `json:"text_seg"`
	Terms     string   `json:"terms"`
	Region    string   `json:"region"`
	Regions   []string `json:"regions"`
	Level     string   `json:"level"`
	Category  string   `json:"category"`
	Audience  []string `json:"audience"`
	Status    string   `json:"status"`
	Publish   int      `json:"publish"`
	From      int      `json:"from"`
	To        int      `json:"to"`
	ApplyFree bool     `json:"apply_free"`
}

// Open connects to Meilisearch, creates the index if it does not exist and
// applies the settings (searchable, filterable and sortable attributes,
// ranking rules, synonyms and dictionary from the segmenter), waiting for
// each task.
func Open(ctx context.Context, cfg Config, seg *segment.Segmenter) (*Index, error) {
	if cfg.URL == "" {
		return nil, errors.New("meilisearch: no URL")
	}
	if seg == nil {
		return nil, errors.New("meilisearch: nil segmenter")
	}
	if cfg.Index == "" {
		cfg.Index = DefaultIndex
	}
	if cfg.BatchSize <= 0 {
		cfg.BatchSize = DefaultBatchSize
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = 50 * time.Millisecond
	}
	opts := []meilisearch.Option{meilisearch.DisableRetries()}
	if cfg.Key != "" {
		opts = append(opts, meilisearch.WithAPIKey(cfg.Key))
	}
	client := meilisearch.New(cfg.URL, opts...)
	x := &Index{cfg: cfg, client: client, index: client.Index(cfg.Index), seg: seg}
	if err := x.Ready(ctx); err != nil {
		return nil, err
	}
	info, err := client.CreateIndexWithContext(ctx, &meilisearch.IndexConfig{Uid: cfg.Index, PrimaryKey: fID})
	if err != nil {
		return nil, fmt.Errorf("meilisearch: create index %s: %w", cfg.Index, err)
	}
	if err := x.wait(ctx, info, "create index"); err != nil && !strings.Contains(err.Error(), "index_already_exists") {
		return nil, err
	}
	info, err = x.index.UpdateSettingsWithContext(ctx, x.settings())
	if err != nil {
		return nil, fmt.Errorf("meilisearch: update settings of %s: %w", cfg.Index, err)
	}
	if err := x.wait(ctx, info, "update settings"); err != nil {
		return nil, err
	}
	return x, nil
}

func (x *Index) settings() *meilisearch.Settings {
	// Meilisearch synonyms are one-way unless listed both ways, as the
	// segmenter's are.
	syn := x.seg.SynonymMap()
	dict := append([]string(nil), x.seg.DomainTerms()...)
	for _, t := range slices.Sorted(maps.Keys(syn)) {
		dict = append(dict, t)
		dict = append(dict, syn[t]...)
	}
	disabled := "disabled"
	return &meilisearch.Settings{
		// Title first: attribute order is a ranking criterion.
		SearchableAttributes: []string{fTitleSeg, fBenefits, fDocNumber, fIssuer, fText, fTerms},
		DisplayedAttributes:  []string{fPolicyID, fVersion, fTitle, fText, fDocNumber, fIssuer, fRegion, fLevel, fCategory, fAudience, fPublish, fApplyFree},
		FilterableAttributes: []string{fRegion, fRegions, fLevel, fCategory, fAudience, fStatus, fPublish, fFrom, fTo, fApplyFree},
		SortableAttributes:   []string{fPublish, fPolicyID},
		RankingRules:         []string{"words", "typo", "proximity", "attribute", "sort", "exactness", fPublish + ":desc"},
		Synonyms:             syn,
		Dictionary:           dedupe(dict),
		// Whole words only, as in the embedded backend: prefix matching
		// of Chinese words finds unrelated longer words.
		PrefixSearch: &disabled,
		LocalizedAttributes: []*meilisearch.LocalizedAttributes{
			{Locales: []string{"zho"}, AttributePatterns: []string{"*"}},
		},
		Faceting: &meilisearch.Faceting{MaxValuesPerFacet: 100,
			SortFacetValuesBy: map[string]meilisearch.SortFacetType{"*": meilisearch.SortFacetTypeCount}},
		// Recall comes from the segmenter's sub-words and the synonyms; a
		// typo in a Chinese word is a different word (补贴 is not 补助).
		TypoTolerance: &meilisearch.TypoTolerance{
			Enabled:             false,
			MinWordSizeForTypos: meilisearch.MinWordSizeForTypos{OneTypo: 5, TwoTypos: 9},
			DisableOnWords:      []string{},
			DisableOnAttributes: []string{},
		},
		StopWords: x.seg.StopWords(),
	}
}

func dedupe(s []string) []string {
	seen := map[string]bool{}
	out := s[:0]
	for _, v := range s {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

// wait waits for a task and turns a failed or canceled task into an error.
func (x *Index) wait(ctx context.Context, info *meilisearch.TaskInfo, what string) error {
	task, err := x.client.WaitForTaskWithContext(ctx, info.TaskUID, x.cfg.PollInterval)
	if err != nil {
		return fmt.Errorf("meilisearch: %s: wait for task %d: %w", what, info.TaskUID, err)
	}
	switch task.Status {
	case meilisearch.TaskStatusSucceeded:
		return nil
	case meilisearch.TaskStatusFailed:
		return fmt.Errorf("meilisearch: %s: task %d failed: %s (%s)", what, task.UID, task.Error.Message, task.Error.Code)
	}
	return fmt.Errorf("meilisearch: %s: task %d ended %s", what, task.UID, task.Status)
}

// validID is what Meilisearch accepts as a document id.
var validID = regexp.MustCompile(`^[A-Za-z0-9_-]{1,500}$`)

// docID maps a policy id to a Meilisearch document id: itself when allowed,
// else "x" and its hex encoding.
func docID(policyID string) string {
	if validID.MatchString(policyID) {
		return policyID
	}
	return "x" + hex.EncodeToString([]byte(policyID))
}

func (x *Index) document(d indexer.Doc) document {
	seg := func(s string) string { return strings.Join(x.seg.Pieces(s), " ") }
	out := document{
		ID: docID(d.PolicyID), PolicyID: d.PolicyID, Version: d.Version,
		Title: d.Title, TitleSeg: seg(d.Title), DocNumber: d.DocNumber, Issuer: seg(d.Issuer),
		Text: seg(d.Text), Region: d.Region, Regions: d.Regions,
		Level: string(d.Level), Category: string(d.Category), Status: string(d.Status),
		Publish: indexer.DateNum(d.PublishDate), From: indexer.DateNum(d.EffectiveFrom), To: indexer.EndNum(d.EffectiveTo),
		ApplyFree: d.ApplyFree,
		Benefits:  []string{},
		Audience:  []string{},
	}
	if out.Regions == nil {
		out.Regions = []string{}
	}
	var terms []string
	for _, s := range []string{d.Title, d.Issuer, d.Text} {
		terms = append(terms, x.seg.Subwords(s)...)
	}
	for _, b := range d.Benefits {
		out.Benefits = append(out.Benefits, seg(b))
		terms = append(terms, x.seg.Subwords(b)...)
	}
	// Sorted: the field only serves recall, and a stable order keeps
	// re-sent documents byte-identical.
	slices.Sort(terms)
	out.Terms = strings.Join(slices.Compact(terms), " ")
	for _, a := range d.Audiences {
		out.Audience = append(out.Audience, string(a))
	}
	return out
}

// Index adds or replaces documents, in batches of Config.BatchSize, waiting
// for each batch's task.
func (x *Index) Index(ctx context.Context, docs []indexer.Doc) error {
	pk := fID
	for start := 0; start < len(docs); start += x.cfg.BatchSize {
		batch := docs[start:min(start+x.cfg.BatchSize, len(docs))]
		body := make([]document, len(batch))
		for i, d := range batch {
			if d.PolicyID == "" {
				return fmt.Errorf("meilisearch: index: document %d without policy id", start+i)
			}
			body[i] = x.document(d)
		}
		info, err := x.index.AddDocumentsWithContext(ctx, body, &meilisearch.DocumentOptions{PrimaryKey: &pk})
		if err != nil {
			return fmt.Errorf("meilisearch: add documents %d-%d: %w", start, start+len(batch)-1, err)
		}
		if err := x.wait(ctx, info, "add documents"); err != nil {
			return err
		}
	}
	return nil
}

// Delete removes the documents of the given policies.
func (x *Index) Delete(ctx context.Context, policyIDs ...string) error {
	if len(policyIDs) == 0 {
		return nil
	}
	ids := make([]string, len(policyIDs))
	for i, id := range policyIDs {
		ids[i] = docID(id)
	}
	info, err := x.index.DeleteDocumentsWithContext(ctx, ids, nil)
	if err != nil {
		return fmt.Errorf("meilisearch: delete %d documents: %w", len(ids), err)
	}
	return x.wait(ctx, info, "delete documents")
}

// quote writes a Meilisearch filter string literal.
func quote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

func anyOf(field string, values []string) string {
	q := make([]string, len(values))
	for i, v := range values {
		q[i] = quote(v)
	}
	return field + " IN [" + strings.Join(q, ", ") + "]"
}

// filter turns a query's filters into Meilisearch filter expressions (the
// array form: its elements are ANDed).
func filter(q indexer.Query) []string {
	var out []string
	if len(q.Regions) > 0 {
		out = append(out, anyOf(fRegion, q.Regions))
	}
	if q.Within != "" {
		out = append(out, fRegions+" = "+quote(q.Within))
	}
	if q.Audience != "" {
		out = append(out, fAudience+" = "+quote(string(q.Audience)))
	}
	if len(q.Categories) > 0 {
		cats := make([]string, len(q.Categories))
		for i, c := range q.Categories {
			cats[i] = string(c)
		}
		out = append(out, anyOf(fCategory, cats))
	}
	if q.ApplyFreeOnly {
		out = append(out, fApplyFree+" = true")
	}
	if !q.IncludeInactive {
		today := strconv.Itoa(indexer.DateNum(q.Today))
		out = append(out, fStatus+" = "+quote(string(corpus.StatusPublished)), fFrom+" <= "+today, fTo+" >= "+today)
	}
	return out
}

// request builds the search request; the query words are the segmenter's,
// joined by spaces.
func (x *Index) request(q indexer.Query) (string, *meilisearch.SearchRequest) {
	var words []string
	for _, g := range x.seg.QueryTerms(q.Text) {
		words = append(words, g[0]) // Meilisearch applies the synonyms itself
	}
	text := strings.Join(words, " ")
	req := &meilisearch.SearchRequest{
		Offset: int64(q.Offset),
		Limit:  int64(q.Limit),
		Filter: filter(q),
		// Every word while that fills the page, then drop words from the
		// end of the query one at a time: the embedded backend's "most words
		// must match" rule as Meilisearch has it (the embedded one may drop
		// any word, this one drops the last first). The words ranking rule
		// puts documents matching more words first. "last" rather than
		// "frequency": a word in no document is the rarest, and "frequency"
		// would keep it to the end and find nothing. Filler words are
		// already gone (QueryTerms).
		MatchingStrategy: meilisearch.Last,
		ShowRankingScore: true,
		Locales:          []string{"zho"},
	}
	if q.Facets {
		req.Facets = indexer.Facets
	}
	if text == "" || q.Sort == indexer.SortNewest {
		req.Sort = []string{fPublish + ":desc", fPolicyID + ":asc"}
	}
	if text != "" {
		req.AttributesToHighlight = []string{fTitle, fText}
		req.AttributesToCrop = []string{fText}
		req.CropLength = 30
		req.HighlightPreTag = indexer.HighlightPre
		req.HighlightPostTag = indexer.HighlightPost
	}
	return text, req
}

// hit is one hit as Meilisearch returns it.
type hit struct {
	PolicyID  string   `json:"policy_id"`
	Version   int      `json:"version"`
	Title     string   `json:"title"`
	DocNumber string   `json:"doc_number"`
	Issuer    string   `json:"issuer_seg"`
	Region    string   `json:"region"`
	Level     string   `json:"level"`
	Category  string   `json:"category"`
	Audience  []string `json:"audience"`
	Publish   int      `json:"publish"`
	ApplyFree bool     `json:"apply_free"`
	Formatted struct {
		Title string `json:"title"`
		Text  string `json:"text_seg"`
	} `json:"_formatted"`
	Score float64 `json:"_rankingScore"`
}

// Search runs a query.
func (x *Index) Search(ctx context.Context, q indexer.Query) (indexer.Result, error) {
	q, err := q.Normalize()
	if err != nil {
		return indexer.Result{}, err
	}
	text, req := x.request(q)
	if q.Text != "" && text == "" {
		// Only stop words or punctuation: nothing can match.
		return indexer.Result{Facets: map[string]map[string]int{}}, nil
	}
	resp, err := x.index.SearchWithContext(ctx, text, req)
	if err != nil {
		return indexer.Result{}, fmt.Errorf("meilisearch: search %q: %w", q.Text, err)
	}
	out := indexer.Result{Total: int(resp.EstimatedTotalHits), Facets: map[string]map[string]int{}}
	if len(resp.FacetDistribution) > 0 {
		if err := json.Unmarshal(resp.FacetDistribution, &out.Facets); err != nil {
			return indexer.Result{}, fmt.Errorf("meilisearch: search %q: facetDistribution: %w", q.Text, err)
		}
	}
	for i, raw := range resp.Hits {
		var h hit
		if err := raw.DecodeInto(&h); err != nil {
			return indexer.Result{}, fmt.Errorf("meilisearch: search %q: hit %d: %w", q.Text, i, err)
		}
		snippet := h.Formatted.Text
		if !strings.Contains(snippet, indexer.HighlightPre) && strings.Contains(h.Formatted.Title, indexer.HighlightPre) {
			snippet = h.Formatted.Title
		}
		ih := indexer.Hit{
			PolicyID: h.PolicyID, Version: h.Version, Title: h.Title, Score: h.Score,
			Snippet:   escapeMarked(despace(snippet)),
			DocNumber: h.DocNumber, Issuer: despace(h.Issuer), Region: h.Region,
			Level: corpus.Level(h.Level), Category: corpus.Category(h.Category),
			PublishDate: indexer.DateOfNum(h.Publish), ApplyFree: h.ApplyFree,
		}
		for _, a := range h.Audience {
			ih.Audiences = append(ih.Audiences, corpus.Audience(a))
		}
		out.Hits = append(out.Hits, ih)
	}
	return out, nil
}

// escapeMarked HTML-escapes a snippet's text, keeping the highlight markers,
// so snippets read the same as the embedded backend's.
func escapeMarked(s string) string {
	var b strings.Builder
	for s != "" {
		i := strings.Index(s, indexer.HighlightPre)
		j := strings.Index(s, indexer.HighlightPost)
		k, marker := i, indexer.HighlightPre
		if k < 0 || (j >= 0 && j < k) {
			k, marker = j, indexer.HighlightPost
		}
		if k < 0 {
			b.WriteString(html.EscapeString(s))
			break
		}
		b.WriteString(html.EscapeString(s[:k]))
		b.WriteString(marker)
		s = s[k+len(marker):]
	}
	return b.String()
}

// despace removes the spaces segmentation put between Chinese words, keeping
// those between Latin words and numbers: 对 <mark>企业</mark> 给予 → 对<mark>企业</mark>给予.
func despace(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == ' ' {
			prev := lastRune(stripTagsEnd(s[:i]))
			next := firstRune(stripTagsStart(s[i+1:]))
			if !(isLatin(prev) && isLatin(next)) {
				i += size
				continue
			}
		}
		b.WriteRune(r)
		i += size
	}
	return b.String()
}

func stripTagsEnd(s string) string {
	for {
		switch {
		case strings.HasSuffix(s, indexer.HighlightPre):
			s = strings.TrimSuffix(s, indexer.HighlightPre)
		case strings.HasSuffix(s, indexer.HighlightPost):
			s = strings.TrimSuffix(s, indexer.HighlightPost)
		default:
			return s
		}
	}
}

func stripTagsStart(s string) string {
	for {
		switch {
		case strings.HasPrefix(s, indexer.HighlightPre):
			s = strings.TrimPrefix(s, indexer.HighlightPre)
		case strings.HasPrefix(s, indexer.HighlightPost):
			s = strings.TrimPrefix(s, indexer.HighlightPost)
		default:
			return s
		}
	}
}

func lastRune(s string) rune  { r, _ := utf8.DecodeLastRuneInString(s); return r }
func firstRune(s string) rune { r, _ := utf8.DecodeRuneInString(s); return r }

func isLatin(r rune) bool {
	return r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r))
}

// Ready reports whether the server is available.
func (x *Index) Ready(ctx context.Context) error {
	h, err := x.client.HealthWithContext(ctx)
	if err != nil {
		return fmt.Errorf("meilisearch: health: %w", err)
	}
	if h.Status != "available" {
		return fmt.Errorf("meilisearch: health: status %q", h.Status)
	}
	return nil
}

// Close releases the client's idle connections.
func (x *Index) Close() error {
	x.client.Close()
	return nil
}

// Drop deletes the whole index (tests use it to clean up).
func (x *Index) Drop(ctx context.Context) error {
	info, err := x.client.DeleteIndexWithContext(ctx, x.cfg.Index)
	if err != nil {
		return fmt.Errorf("meilisearch: delete index %s: %w", x.cfg.Index, err)
	}
	return x.wait(ctx, info, "delete index")
}
