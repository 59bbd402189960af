package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/zhida/zhida/corpus"
	"github.com/zhida/zhida/corpus/zhnorm"
	"github.com/zhida/zhida/indexer"
	"github.com/zhida/zhida/indexer/bleve"
	"github.com/zhida/zhida/indexer/meili"
	"github.com/zhida/zhida/indexer/segment"
	"github.com/zhida/zhida/store"
	"github.com/zhida/zhida/store/open"
)

// processSegmenter loads the one segmenter of the process (1.3 s, 135 MB)
// the first time it is asked for; bleve accepts only one per process.
var processSegmenter = sync.OnceValues(func() (*segment.Segmenter, error) {
	seg, err := segment.New(segment.WithFolder(zhnorm.Fold))
	if err != nil {
		return nil, fmt.Errorf("load the segmenter: %w", err)
	}
	return seg, nil
})

// searchFlags say where the search index lives.
type searchFlags struct {
	data, meili, meiliKey string
}

// indexDir is the embedded index's folder under the data folder.
func (f searchFlags) indexDir() string { return filepath.Join(f.data, "index") }

func (f searchFlags) kind() string {
	if f.meili != "" {
		return "meilisearch:" + f.meili
	}
	return "embedded:" + f.indexDir()
}

// openSearch opens the search backend: Meilisearch when a URL is given,
// else the embedded index under the data folder. fresh is true when the
// embedded index did not exist and was created empty.
func openSearch(ctx context.Context, f searchFlags, seg *segment.Segmenter) (b indexer.Backend, fresh bool, err error) {
	if f.meili != "" {
		x, err := meili.Open(ctx, meili.Config{URL: f.meili, Key: f.meiliKey}, seg)
		if err != nil {
			return nil, false, fmt.Errorf("open Meilisearch at %s: %w", f.meili, err)
		}
		return x, false, nil
	}
	dir := f.indexDir()
	_, statErr := os.Stat(dir)
	fresh = errors.Is(statErr, os.ErrNotExist)
	if err := os.MkdirAll(f.data, 0o755); err != nil {
		return nil, false, fmt.Errorf("create data folder: %w", err)
	}
	x, err := bleve.Open(dir, seg)
	if err != nil {
		return nil, false, fmt.Errorf("%w (run `zhida index --rebuild` with the server stopped)", err)
	}
	return x, fresh, nil
}

// indexOutbox adapts store.Outbox to the indexer's Outbox.
type indexOutbox struct{ o store.Outbox }

func (a indexOutbox) Consume(ctx context.Context, consumer string, n int, h func(context.Context, []indexer.Event) error) (int, error) {
	return a.o.Consume(ctx, consumer, n, func(ctx context.Context, es []store.Event) error {
		ev := make([]indexer.Event, len(es))
		for i, e := range es {
			ev[i] = indexer.Event{ID: e.ID, Kind: e.Kind, PolicyID: e.PolicyID, Version: e.Version}
		}
		return h(ctx, ev)
	})
}

// newSyncer keeps b in step with the store's outbox.
func newSyncer(st store.Store, b indexer.Backend, log *slog.Logger) *indexer.Syncer {
	return &indexer.Syncer{
		Outbox:     indexOutbox{st},
		Policies:   st,
		Backend:    b,
		IsNotFound: func(err error) bool { return errors.Is(err, store.ErrNotFound) },
		Log:        log,
	}
}

// rebuildIndex indexes every live policy of the store into b, page by page,
// writing progress to progress, then runs one sync pass so events that
// arrived meanwhile (or that the outbox cursor has not reached) are applied:
// the syncer converges to the store's present state, so replaying is
// harmless. It returns how many policies it indexed.
func rebuildIndex(ctx context.Context, st store.Store, b indexer.Backend, log *slog.Logger, progress io.Writer) (int, error) {
	start := time.Now()
	shown := start // progress every 2 s, and at the end
	today := corpus.Today()
	n := 0
	for tok := ""; ; {
		page, err := st.ListPolicies(ctx, store.PolicyFilter{PageSize: store.MaxPageSize, PageToken: tok, Today: today})
		if err != nil {
			return n, fmt.Errorf("list policies after %d: %w", n, err)
		}
		var docs []indexer.Doc
		for _, p := range page.Policies {
			if (p.Status == corpus.StatusPublished || p.Status == corpus.StatusExpired) && p.Live != nil {
				docs = append(docs, indexer.NewDoc(*p.Live, p.Live.Document.StatusOn(today)))
			}
		}
		if len(docs) > 0 {
			if err := b.Index(ctx, docs); err != nil {
				return n, fmt.Errorf("index policies %d to %d: %w", n+1, n+len(docs), err)
			}
			n += len(docs)
			if progress != nil && time.Since(shown) >= 2*time.Second {
				fmt.Fprintf(progress, "indexed %d policies (%.0f docs/s)\n", n, rate(n, time.Since(start)))
				shown = time.Now()
			}
		}
		if page.NextPageToken == "" {
			break
		}
		tok = page.NextPageToken
	}
	events, err := newSyncer(st, b, log).SyncOnce(ctx)
	if err != nil {
		return n, err
	}
	if progress != nil {
		fmt.Fprintf(progress, "done: %d policies in %s (%.0f docs/s); %d outbox events applied after\n",
			n, time.Since(start).Round(time.Millisecond), rate(n, time.Since(start)), events)
	}
	return n, nil
}

func rate(n int, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Seconds()
}

func newIndexCmd() *cobra.Command {
	var (
		f        searchFlags
		postgres string
		rebuild  bool
	)
	cmd := &cobra.Command{
		Use:   "index",
		Short: "Bring the search index up to date with the store (--rebuild: from scratch)",
		Long: `index applies the store's pending outbox events to the search index once
and exits (serve does the same continuously). With --rebuild it builds the
index anew from every live policy in the store, printing progress on stderr;
run it with the server stopped. The embedded index is built in a new folder
and swapped in only when complete, so a failed rebuild leaves the old one.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			log := newLogger()
			return runIndex(cmd.Context(), log, f, postgres, rebuild, cmd.ErrOrStderr())
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&f.data, "data", envOr("ZHIDA_DATA", "./data"), "folder for the embedded database and index (env ZHIDA_DATA)")
	fs.StringVar(&postgres, "postgres", os.Getenv("ZHIDA_POSTGRES"), "PostgreSQL URL; empty uses the embedded database (env ZHIDA_POSTGRES)")
	fs.StringVar(&f.meili, "meili", os.Getenv("ZHIDA_MEILI_URL"), "Meilisearch URL; empty uses the embedded index (env ZHIDA_MEILI_URL)")
	fs.StringVar(&f.meiliKey, "meili-key", os.Getenv("ZHIDA_MEILI_KEY"), "Meilisearch API key (env ZHIDA_MEILI_KEY)")
	fs.BoolVar(&rebuild, "rebuild", false, "rebuild the index from every live policy in the store")
	return cmd
}

func runIndex(ctx context.Context, log *slog.Logger, f searchFlags, postgres string, rebuild bool, progress io.Writer) error {
	st, err := open.Open(ctx, postgres, f.data)
	if err != nil {
		return fmt.Errorf("open store: %w", err)
	}
	defer st.Close()
	seg, err := processSegmenter()
	if err != nil {
		return err
	}
	if !rebuild {
		b, fresh, err := openSearch(ctx, f, seg)
		if err != nil {
			return err
		}
		defer b.Close()
		if fresh { // a new embedded index: only a rebuild fills it
			_, err := rebuildIndex(ctx, st, b, log, progress)
			return err
		}
		n, err := newSyncer(st, b, log).SyncOnce(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(progress, "search index %s: %d outbox events applied\n", f.kind(), n)
		return nil
	}
	if f.meili != "" {
		return rebuildMeili(ctx, st, f, seg, log, progress)
	}
	return rebuildEmbedded(ctx, st, f, seg, log, progress)
}

// rebuildEmbedded builds a new embedded index beside the old one and swaps
// it in when complete.
func rebuildEmbedded(ctx context.Context, st store.Store, f searchFlags, seg *segment.Segmenter, log *slog.Logger, progress io.Writer) error {
	dir := f.indexDir()
	tmp, old := dir+".rebuild", dir+".old"
	for _, d := range []string{tmp, old} {
		if err := os.RemoveAll(d); err != nil {
			return fmt.Errorf("remove %s: %w", d, err)
		}
	}
	if err := os.MkdirAll(f.data, 0o755); err != nil {
		return fmt.Errorf("create data folder: %w", err)
	}
	x, err := bleve.Open(tmp, seg)
	if err != nil {
		return err
	}
	fmt.Fprintf(progress, "rebuilding the search index in %s\n", tmp)
	if _, err := rebuildIndex(ctx, st, x, log, progress); err != nil {
		x.Close()
		return fmt.Errorf("rebuild (the old index is untouched; %s is partial): %w", tmp, err)
	}
	if err := x.Close(); err != nil {
		return fmt.Errorf("close the new index: %w", err)
	}
	if err := os.Rename(dir, old); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("move the old index aside: %w", err)
	}
	if err := os.Rename(tmp, dir); err != nil {
		return fmt.Errorf("move the new index in place: %w", err)
	}
	if err := os.RemoveAll(old); err != nil {
		return fmt.Errorf("remove the old index: %w", err)
	}
	fmt.Fprintf(progress, "search index %s rebuilt\n", dir)
	return nil
}

// rebuildMeili drops the Meilisearch index and fills it again.
func rebuildMeili(ctx context.Context, st store.Store, f searchFlags, seg *segment.Segmenter, log *slog.Logger, progress io.Writer) error {
	cfg := meili.Config{URL: f.meili, Key: f.meiliKey}
	x, err := meili.Open(ctx, cfg, seg)
	if err != nil {
		return fmt.Errorf("open Meilisearch at %s: %w", f.meili, err)
	}
	if err := x.Drop(ctx); err != nil {
		x.Close()
		return err
	}
	x.Close()
	if x, err = meili.Open(ctx, cfg, seg); err != nil {
		return fmt.Errorf("recreate the Meilisearch index: %w", err)
	}
	defer x.Close()
	fmt.Fprintf(progress, "rebuilding the Meilisearch index at %s\n", f.meili)
	_, err = rebuildIndex(ctx, st, x, log, progress)
	return err
}
