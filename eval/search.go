package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/zhida/zhida/corpus"
	"github.com/zhida/zhida/corpus/region"
	"github.com/zhida/zhida/corpus/zhnorm"
	"github.com/zhida/zhida/indexer"
	"github.com/zhida/zhida/indexer/bleve"
	"github.com/zhida/zhida/indexer/segment"
)

// benchOptions are the search-bench settings, shared by `search`.
type benchOptions struct {
	corpusDir string
	docs      int
	queries   int
	batch     int
	dir       string
	profile   string
}

// flags registers the options; queriesFlag names the query-count flag
// (search-bench: queries; search, where -queries is the query set: bench-queries).
func (o *benchOptions) flags(cmd *cobra.Command, queriesFlag string) {
	cmd.Flags().StringVar(&o.corpusDir, "corpus", "../shared/corpus", "folder of policy texts (.txt, .json, .jsonl) to take sentences from (the shared folder beside the project)")
	cmd.Flags().IntVar(&o.docs, "docs", 10000, "documents to index")
	cmd.Flags().IntVar(&o.queries, queriesFlag, 1000, "queries to time")
	cmd.Flags().IntVar(&o.batch, "batch", 500, "documents per index batch")
	cmd.Flags().StringVar(&o.profile, "cpuprofile", "", "write a CPU profile of the speed run to this file")
	cmd.Flags().StringVar(&o.dir, "dir", "", "index directory (default: a temporary one, removed afterwards)")
}

func searchBenchCommand() *cobra.Command {
	var opts benchOptions
	cmd := &cobra.Command{
		Use:   "search-bench",
		Short: "Segmentation, indexing and search speed of the embedded (bleve) backend",
		Long: `search-bench builds documents from real sentences of the policy corpus,
measures raw gse segmentation of their text next to the indexer's tokens, indexes
them into a bleve index on disk, and times random queries (p50/p99).`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return searchBench(cmd.Context(), cmd.OutOrStdout(), nil, 0, opts)
		},
	}
	opts.flags(cmd, "queries")
	return cmd
}

// searchBench runs the speed measurement. seg is the process's segmenter
// (bleve allows one per process) and load the time it took to load; a nil
// seg is loaded here.
func searchBench(ctx context.Context, w io.Writer, seg *segment.Segmenter, loadTime time.Duration, o benchOptions) error {
	if o.profile != "" {
		f, err := os.Create(o.profile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	corpusDir, nDocs, nQueries, batch, dir := o.corpusDir, o.docs, o.queries, o.batch, o.dir
	sentences, err := corpusSentences(corpusDir)
	if err != nil {
		return err
	}
	if len(sentences) < 100 {
		return fmt.Errorf("corpus %s: only %d sentences", corpusDir, len(sentences))
	}
	if seg == nil {
		t0 := time.Now()
		if seg, err = segment.New(segment.WithFolder(zhnorm.Fold)); err != nil {
			return err
		}
		loadTime = time.Since(t0)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	docs := benchDocs(rng, sentences, seg.DomainTerms(), nDocs)
	// Every segmentation method runs over exactly the text the indexer
	// analyses (every analysed field of every document), on as many
	// goroutines as indexing may use (GOMAXPROCS), so the rates compare
	// like with like: same text, same cores.
	texts := make([]string, len(docs))
	var textBytes int
	for i, d := range docs {
		texts[i] = strings.Join(append([]string{d.Title, d.DocNumber, d.Issuer}, append(d.Benefits, d.Text)...), "\n")
		textBytes += len(texts[i])
	}
	mb := float64(textBytes) / 1e6
	procs := runtimeProcs()

	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(w, "corpus: %d sentences from %s; %d documents, %.1f MB of analysed text; GOMAXPROCS=%d; segmenter load %s\n\n",
		len(sentences), corpusDir, len(docs), mb, procs, loadTime.Round(time.Millisecond))

	if dir == "" {
		tmp, err := os.MkdirTemp("", "zhida-search-bench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		dir = filepath.Join(tmp, "index")
	}
	_, statErr := os.Stat(dir)
	reuse := statErr == nil
	openStart := time.Now()
	idx, err := bleve.Open(dir, seg)
	if err != nil {
		return err
	}
	defer idx.Close()
	if reuse {
		fmt.Fprintf(w, "reusing the index in %s (opened, with its filter table, in %s): segmentation and indexing not measured\n\n",
			dir, time.Since(openStart).Round(time.Millisecond))
		return searchTimes(ctx, w, idx, rng, seg.DomainTerms(), nQueries, len(docs))
	}

	type rate struct {
		name         string
		wall, cpu    time.Duration
		tokens       int
		ofCut, ofCPU float64
	}
	// segRate cuts every text once, the texts shared out over procs goroutines.
	segRate := func(name string, f func(string) int) rate {
		start, cpu0 := time.Now(), cpuTime()
		counts := make([]int, procs)
		var wg sync.WaitGroup
		for g := range procs {
			wg.Go(func() {
				for i := g; i < len(texts); i += procs {
					counts[g] += f(texts[i])
				}
			})
		}
		wg.Wait()
		r := rate{name: name, wall: time.Since(start), cpu: cpuTime() - cpu0}
		for _, c := range counts {
			r.tokens += c
		}
		return r
	}
	rates := []rate{
		segRate("gse Cut (DAG, no HMM)", func(s string) int { return len(seg.RawCut(s)) }),
		segRate("gse CutSearch", func(s string) int { return len(seg.RawCutSearch(s)) }),
		segRate("segment.IndexTokens (the indexer's tokenizer)", func(s string) int { return len(seg.IndexTokens(s)) }),
	}

	start, cpu0 := time.Now(), cpuTime()
	for i := 0; i < len(docs); i += batch {
		if err := idx.Index(ctx, docs[i:min(i+batch, len(docs))]); err != nil {
			return err
		}
	}
	indexing := rate{name: fmt.Sprintf("bleve indexing on disk, batches of %d", batch), wall: time.Since(start), cpu: cpuTime() - cpu0}
	n, err := idx.DocCount()
	if err != nil {
		return err
	}
	if n != len(docs) {
		return fmt.Errorf("index holds %d documents, want %d", n, len(docs))
	}
	rates = append(rates, indexing)
	fmt.Fprintf(tw, "same %.1f MB on %d goroutines\tdocs/s\tMB/s\tMB/CPU-s\ttokens\tindexing vs this: MB/s\tMB/CPU-s\t\n", mb, procs)
	for _, r := range rates {
		wallRate, cpuRate := mb/r.wall.Seconds(), mb/max(r.cpu.Seconds(), 1e-9)
		idxWall, idxCPU := mb/indexing.wall.Seconds(), mb/max(indexing.cpu.Seconds(), 1e-9)
		tokens, vsWall, vsCPU := strconv.Itoa(r.tokens), fmt.Sprintf("%.0f%%", 100*idxWall/wallRate), fmt.Sprintf("%.0f%%", 100*idxCPU/cpuRate)
		if r.name == indexing.name {
			tokens, vsWall, vsCPU = "", "", ""
		}
		fmt.Fprintf(tw, "%s\t%.0f\t%.2f\t%.2f\t%s\t%s\t%s\t\n", r.name, float64(len(docs))/r.wall.Seconds(), wallRate, cpuRate, tokens, vsWall, vsCPU)
	}
	tw.Flush()
	fmt.Fprintln(w)

	return searchTimes(ctx, w, idx, rng, seg.DomainTerms(), nQueries, len(docs))
}

// searchTimes times random queries against idx.
func searchTimes(ctx context.Context, w io.Writer, idx *bleve.Index, rng *rand.Rand, terms []string, nQueries, nDocs int) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	qs := benchQueries(rng, terms, nQueries)
	for i := range min(50, len(qs)) { // warm up
		if _, err := idx.Search(ctx, qs[i]); err != nil {
			return err
		}
	}
	type kind struct {
		name  string
		times []time.Duration
		cpu   []time.Duration
		hits  int
	}
	kinds := map[string]*kind{}
	var order []string
	cpu0 := cpuTime()
	for _, q := range qs {
		name := "text"
		switch {
		case q.Text == "":
			name = "filters only"
		case len(q.Regions) > 0 || q.Audience != "":
			name = "text + filters"
		}
		if q.Facets {
			name += ", facets"
		}
		k := kinds[name]
		if k == nil {
			k = &kind{name: name}
			kinds[name] = k
			order = append(order, name)
		}
		start, c0 := time.Now(), cpuTime()
		res, err := idx.Search(ctx, q)
		if err != nil {
			return err
		}
		k.times = append(k.times, time.Since(start))
		k.cpu = append(k.cpu, cpuTime()-c0)
		k.hits += res.Total
	}
	slices.Sort(order)
	// Wall-clock times include waiting for a CPU on a shared machine; the
	// process's CPU time used during each query (getrusage: also any
	// background goroutine, such as the garbage collector) does not.
	fmt.Fprintf(tw, "search at %d docs\tqueries\tp50 ms\tp90 ms\tp99 ms\tmax ms\tCPU p50 ms\tCPU p99 ms\tmean hits\t\n", nDocs)
	var all, allCPU []time.Duration
	for _, name := range order {
		k := kinds[name]
		all, allCPU = append(all, k.times...), append(allCPU, k.cpu...)
		p, c := percentiles(k.times), percentiles(k.cpu)
		fmt.Fprintf(tw, "%s\t%d\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%.0f\t\n", name, len(k.times), p[0], p[1], p[2], p[3],
			c[0], c[2], float64(k.hits)/float64(len(k.times)))
	}
	cpuMS := float64((cpuTime() - cpu0).Microseconds()) / 1000 / float64(len(qs))
	p, c := percentiles(all), percentiles(allCPU)
	fmt.Fprintf(tw, "all\t%d\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t\t\n", len(all), p[0], p[1], p[2], p[3], c[0], c[2])
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "\nmean CPU per query: %.2f ms (wall-clock percentiles include waiting for a shared CPU: load average now %s)\n", cpuMS, loadAvg())
	return err
}

// percentiles returns p50, p90, p99 and max in milliseconds.
func percentiles(d []time.Duration) [4]float64 {
	s := slices.Clone(d)
	slices.Sort(s)
	at := func(p float64) float64 {
		i := min(len(s)-1, int(p*float64(len(s))))
		return float64(s[i].Microseconds()) / 1000
	}
	return [4]float64{at(0.50), at(0.90), at(0.99), float64(s[len(s)-1].Microseconds()) / 1000}
}

// corpusSentences reads every .txt, .json and .jsonl file under dir and
// splits the long string values into sentences of 8 to 300 characters.
func corpusSentences(dir string) ([]string, error) {
	seen := map[string]bool{}
	var out []string
	add := func(text string) {
		for _, s := range strings.FieldsFunc(text, func(r rune) bool {
			return r == '。' || r == '！' || r == '？' || r == '\n' || r == '；'
		}) {
			s = strings.TrimSpace(s)
			if n := utf8.RuneCountInString(s); n >= 8 && n <= 300 && !seen[s] {
				seen[s] = true
				out = append(out, s)
			}
		}
	}
	var walkJSON func(v any)
	walkJSON = func(v any) {
		switch v := v.(type) {
		case string:
			if utf8.RuneCountInString(v) >= 20 {
				add(v)
			}
		case []any:
			for _, e := range v {
				walkJSON(e)
			}
		case map[string]any:
			for _, e := range v {
				walkJSON(e)
			}
		}
	}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		switch filepath.Ext(path) {
		case ".txt":
			add(string(b))
		case ".json":
			var v any
			if err := json.Unmarshal(b, &v); err != nil {
				return fmt.Errorf("%s: %w", path, err)
			}
			walkJSON(v)
		case ".jsonl":
			for n, line := range strings.Split(string(b), "\n") {
				if strings.TrimSpace(line) == "" {
					continue
				}
				var v any
				if err := json.Unmarshal([]byte(line), &v); err != nil {
					return fmt.Errorf("%s line %d: %w", path, n+1, err)
				}
				walkJSON(v)
			}
		}
		return nil
	})
	// JSON objects are walked in map order: sort, so every run builds the
	// same documents.
	slices.Sort(out)
	return out, err
}

// benchRegions are issuing regions: the country, provinces, cities, counties.
var benchRegions = []string{"100000", "440000", "440100", "440106", "440104", "440300", "440305",
	"110000", "110105", "110108", "420000", "420100", "350000", "350100", "500000", "330000", "330100"}

func benchDocs(rng *rand.Rand, sentences, terms []string, n int) []indexer.Doc {
	cats := corpus.DefaultCategories()
	auds := []corpus.Audience{corpus.AudienceEnterprise, corpus.AudienceResident, corpus.AudienceBoth}
	docs := make([]indexer.Doc, n)
	for i := range docs {
		var text strings.Builder
		for range 4 + rng.IntN(12) {
			text.WriteString(sentences[rng.IntN(len(sentences))])
			text.WriteString("。")
		}
		title := []rune(sentences[rng.IntN(len(sentences))])
		d := corpus.Document{
			Title:         string(title[:min(len(title), 30)]),
			Region:        benchRegions[rng.IntN(len(benchRegions))],
			Category:      cats[rng.IntN(len(cats))],
			Audience:      auds[rng.IntN(len(auds))],
			PublishDate:   corpus.Date{Year: 2018 + rng.IntN(8), Month: time.Month(1 + rng.IntN(12)), Day: 1 + rng.IntN(28)},
			Text:          text.String(),
			Issuer:        "人力资源和社会保障局",
			DocNumber:     fmt.Sprintf("穗人社规〔%d〕%d号", 2018+rng.IntN(8), 1+rng.IntN(40)),
			EffectiveFrom: corpus.Date{Year: 2018, Month: 1, Day: 1},
		}
		if rng.IntN(3) == 0 {
			d.EffectiveTo = corpus.Date{Year: 2020 + rng.IntN(8), Month: 12, Day: 31}
		}
		for range 1 + rng.IntN(3) {
			d.Benefits = append(d.Benefits, corpus.Benefit{Name: terms[rng.IntN(len(terms))], ApplyFree: rng.IntN(5) == 0})
		}
		docs[i] = indexer.NewDoc(corpus.Version{PolicyID: fmt.Sprintf("bench-%06d", i), Version: 1, Document: d}, corpus.StatusPublished)
	}
	return docs
}

func benchQueries(rng *rand.Rand, terms []string, n int) []indexer.Query {
	common := []string{"补贴", "企业", "高企", "创业", "就业", "残疾人", "社会保险", "申报条件", "小微企业", "高校毕业生", "贷款", "奖励"}
	tianhe := append([]string{"440106"}, region.Default().Ancestors("440106")...)
	today := corpus.MustDate("2025-06-01")
	qs := make([]indexer.Query, n)
	for i := range qs {
		q := indexer.Query{Today: today, Limit: 20}
		switch r := rng.IntN(10); {
		case r < 4:
			q.Text = common[rng.IntN(len(common))]
		case r < 7:
			q.Text = terms[rng.IntN(len(terms))]
		case r < 9:
			q.Text = common[rng.IntN(len(common))] + " " + terms[rng.IntN(len(terms))]
		}
		if rng.IntN(2) == 0 || q.Text == "" {
			q.Regions = tianhe
		}
		if rng.IntN(3) == 0 {
			q.Audience = corpus.AudienceEnterprise
		}
		q.Facets = rng.IntN(4) == 0 // a first page
		qs[i] = q
	}
	return qs
}

func runtimeProcs() int { return runtime.GOMAXPROCS(0) }

// loadAvg returns the 1-minute load average, or "?" where /proc is missing.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	if f := strings.Fields(string(b)); len(f) > 0 {
		return f[0]
	}
	return "?"
}
