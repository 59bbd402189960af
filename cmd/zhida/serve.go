package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/zhida/zhida/corpus"
	"github.com/zhida/zhida/corpus/region"
	"github.com/zhida/zhida/indexer"
	"github.com/zhida/zhida/matcher/sweep"
	"github.com/zhida/zhida/rpc"
	"github.com/zhida/zhida/store"
	"github.com/zhida/zhida/store/open"
	"github.com/zhida/zhida/web"
)

// serverFlags are the flags serve and demo share. Each can also be set
// through the environment variable named in its help.
type serverFlags struct {
	addr        string
	data        string
	postgres    string
	meili       string
	meiliKey    string
	editorToken string
	ownerToken  string
	pusherToken string
	inboxToken  string
	maxBody     int64
	// subjectHeader and demoSignIn say how the inbox page learns who is
	// signed in (see web.Config).
	subjectHeader string
	demoSignIn    bool
	push          pushFlags
}

func (f *serverFlags) register(cmd *cobra.Command) {
	fs := cmd.Flags()
	fs.StringVar(&f.addr, "addr", envOr("ZHIDA_ADDR", "127.0.0.1:8080"), "listen address host:port (env ZHIDA_ADDR)")
	fs.StringVar(&f.data, "data", envOr("ZHIDA_DATA", "./data"), "folder for the embedded database and index (env ZHIDA_DATA)")
	fs.StringVar(&f.postgres, "postgres", os.Getenv("ZHIDA_POSTGRES"), "PostgreSQL URL; empty uses the embedded database (env ZHIDA_POSTGRES)")
	fs.StringVar(&f.meili, "meili", os.Getenv("ZHIDA_MEILI_URL"), "Meilisearch URL; empty uses the embedded index (env ZHIDA_MEILI_URL)")
	fs.StringVar(&f.meiliKey, "meili-key", os.Getenv("ZHIDA_MEILI_KEY"), "Meilisearch API key (env ZHIDA_MEILI_KEY)")
	fs.StringVar(&f.editorToken, "editor-token", os.Getenv("ZHIDA_EDITOR_TOKEN"), "bearer token editors send to write; empty disables writes (env ZHIDA_EDITOR_TOKEN)")
	fs.StringVar(&f.ownerToken, "data-owner-token", os.Getenv("ZHIDA_DATA_OWNER_TOKEN"), "bearer token government data owners send to the Profiles service; empty refuses profile writes (env ZHIDA_DATA_OWNER_TOKEN)")
	fs.StringVar(&f.pusherToken, "pusher-token", os.Getenv("ZHIDA_PUSHER_TOKEN"), "bearer token a pusher sends to the built-in Delivery receiver; empty refuses deliveries (env ZHIDA_PUSHER_TOKEN)")
	fs.StringVar(&f.inboxToken, "inbox-token", os.Getenv("ZHIDA_INBOX_TOKEN"), "bearer token of the gateway in front of the Inbox service; empty refuses inbox calls (env ZHIDA_INBOX_TOKEN)")
	fs.Int64Var(&f.maxBody, "max-body", rpc.DefaultMaxBody, "largest request body in bytes")
	fs.StringVar(&f.subjectHeader, "subject-header", os.Getenv("ZHIDA_SUBJECT_HEADER"), "request header a trusted authenticating gateway sets to kind:id of the signed-in subject for the inbox page; empty ignores it (env ZHIDA_SUBJECT_HEADER)")
	fs.BoolVar(&f.demoSignIn, "demo-signin", false, "let anyone open any inbox page by typing a subject kind and id (demos only; zhida demo turns it on)")
	// The demo pushes every ten seconds around the clock, so what it plans
	// shows in the inbox at once; serve keeps the production defaults.
	if cmd.Name() == "demo" {
		f.push.register(cmd, "@every 10s", "")
	} else {
		f.push.register(cmd, "", "22:00-08:00")
	}
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

func newServeCmd() *cobra.Command {
	var f serverFlags
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the Twirp API (policy library) over HTTP",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			log := newLogger()
			if f.editorToken == "" {
				log.Warn("no editor token configured (--editor-token or ZHIDA_EDITOR_TOKEN): write methods are refused")
			}
			return serve(cmd.Context(), log, f, nil)
		},
	}
	f.register(cmd)
	return cmd
}

func newLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

// serve opens the store, runs ready (if any) once the listener is up, and
// serves until ctx is cancelled.
func serve(ctx context.Context, log *slog.Logger, f serverFlags, ready func(context.Context, store.Store, string) error) error {
	st, err := open.Open(ctx, f.postgres, f.data)
	if err != nil {
		return fmt.Errorf("open store: %w", err)
	}
	defer st.Close()

	// The search backend opens in the background (the segmenter takes a
	// second to load): the API listens at once and searches wait for it.
	search := indexer.NewPending()
	searchCtx, stopSearch := context.WithCancel(ctx)
	searchDone := make(chan struct{})
	go func() {
		defer close(searchDone)
		runSearch(searchCtx, log, st, f.search(), search)
	}()
	defer func() {
		stopSearch()
		<-searchDone
		if err := search.Close(); err != nil {
			log.Error("close search index", "err", err)
		}
	}()

	// The in-process pusher delivers to the built-in inbox over HTTP like
	// any pusher; without a configured pusher token it uses one only this
	// process knows, so outside deliveries stay refused.
	pusherToken := f.pusherToken
	if f.push.enabled && f.push.receiver == "" && pusherToken == "" {
		pusherToken = randomToken()
	}
	regions := region.Default()
	handler := rpc.NewHandler(rpc.Config{
		Store:          st,
		Rules:          corpus.NewRules(regions),
		Regions:        regions,
		EditorToken:    f.editorToken,
		DataOwnerToken: f.ownerToken,
		IDCardKey:      serveIDKey(log, f),
		PusherToken:    pusherToken,
		InboxToken:     f.inboxToken,
		Search:         search,
		Log:            log,
		MaxBody:        f.maxBody,
	})
	pages, err := newPages(st, search, regions, f, log)
	if err != nil {
		return err
	}
	root := http.NewServeMux()
	root.Handle("/twirp/", handler)
	root.Handle("GET /healthz", handler)
	root.Handle("/", pages)
	ln, err := net.Listen("tcp", f.addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", f.addr, err)
	}
	srv := &http.Server{Handler: root, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	go expireLoop(ctx, log, st)
	// The matcher stops before the store closes (defers run last first).
	mctx, mstop := context.WithCancel(ctx)
	mdone := make(chan struct{})
	go func() { defer close(mdone); matchLoop(mctx, log, st) }()
	defer func() { mstop(); <-mdone }()
	url := "http://" + ln.Addr().String()
	if f.push.enabled {
		stopPush, err := servePusher(ctx, log, st, f.push, url, pusherToken)
		if err != nil {
			srv.Close()
			return err
		}
		defer stopPush()
	}
	log.Info("serving", "url", url, "store", storeKind(f), "search", f.search().kind(), "push", f.push.enabled)
	if ready != nil {
		if err := ready(ctx, st, url); err != nil {
			srv.Close()
			return err
		}
	}
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("shutdown: %w", err)
	}
	log.Info("stopped")
	return nil
}

func (f serverFlags) search() searchFlags {
	return searchFlags{data: f.data, meili: f.meili, meiliKey: f.meiliKey}
}

// SyncInterval is how often serve applies new outbox events to the search
// index, so a publish is searchable about this long after it commits.
const SyncInterval = time.Second

// meiliRetry is how long serve waits before trying an unreachable
// Meilisearch again.
const meiliRetry = 5 * time.Second

// runSearch opens the search backend, fills a new embedded index from the
// store, resolves search with it (searches wait until then, so a fresh
// index never answers half-filled), and keeps the index in step with the
// outbox until ctx ends.
func runSearch(ctx context.Context, log *slog.Logger, st store.Store, f searchFlags, search *indexer.Pending) {
	start := time.Now()
	seg, err := processSegmenter()
	var (
		b     indexer.Backend
		fresh bool
	)
	for err == nil {
		b, fresh, err = openSearch(ctx, f, seg)
		// Meilisearch may just not be up yet: keep trying (searches wait
		// and then answer unavailable meanwhile). An embedded index that
		// fails to open will not do better on a retry.
		if err == nil || f.meili == "" || ctx.Err() != nil {
			break
		}
		log.Warn("search backend not reachable; retrying", "retry_in", meiliRetry, "err", err)
		select {
		case <-ctx.Done():
		case <-time.After(meiliRetry):
		}
		err = nil
	}
	if err == nil && ctx.Err() != nil {
		err = ctx.Err()
	}
	if err == nil && fresh {
		var n int
		if n, err = rebuildIndex(ctx, st, b, log, nil); err != nil {
			b.Close()
			b, err = nil, fmt.Errorf("fill the new search index from the store: %w", err)
		} else if n > 0 {
			log.Info("new search index filled from the store", "policies", n)
		}
	}
	search.Resolve(b, err)
	if err != nil {
		if ctx.Err() == nil {
			log.Error("search is unavailable", "err", err)
		}
		return
	}
	log.Info("search ready", "index", f.kind(), "took", time.Since(start).Round(time.Millisecond))
	newSyncer(st, b, log).Run(ctx, SyncInterval)
}

func storeKind(f serverFlags) string {
	if f.postgres != "" {
		return "postgres"
	}
	return "embedded:" + f.data
}

// expireLoop writes expired events for policies past effective_to, at start
// and then hourly, so consumers take them out of search and matching.
func expireLoop(ctx context.Context, log *slog.Logger, st store.Store) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		if n, err := st.ExpireDue(ctx, corpus.Today()); err != nil {
			if ctx.Err() == nil {
				log.Error("expire due policies", "err", err)
			}
		} else if n > 0 {
			log.Info("policies expired", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func randomToken() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on Linux
	}
	return hex.EncodeToString(b)
}

// newPages builds the web pages over their own in-process service instances.
// The pages act as the inbox gateway with a token made for this process, so
// they work whether or not an inbox token is configured for outside gateways.
func newPages(st store.Store, search rpc.Searcher, regions *region.Table, f serverFlags, log *slog.Logger) (*web.Server, error) {
	rules := corpus.NewRules(regions)
	editors := rpc.NewEditors(f.editorToken)
	gateway := randomToken()
	pages, err := web.New(web.Config{
		Library:    rpc.NewLibrary(st, rules, regions, editors, log),
		Matcher:    rpc.NewMatcher(st, editors, log),
		Search:     rpc.NewSearch(search, rules, regions, log),
		Inbox:      rpc.NewInbox(st, st, rpc.NewToken("inbox gateway", gateway), log),
		Regions:    regions,
		Editors:    editors,
		InboxToken: gateway,
		// The calculator's own compiled live set (refreshed when the
		// matcher's outbox cursor moves), apart from the API's.
		Live:          sweep.New(st, "web", log),
		SubjectHeader: f.subjectHeader,
		DemoSignIn:    f.demoSignIn,
		Log:           log,
	})
	if err != nil {
		return nil, fmt.Errorf("web pages: %w", err)
	}
	return pages, nil
}
