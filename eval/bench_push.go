package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	neturl "net/url"
	"os"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/spf13/cobra"

	"github.com/zhida/zhida/corpus"
	"github.com/zhida/zhida/matcher/sweep"
	"github.com/zhida/zhida/matcher/sweep/sweeptest"
	"github.com/zhida/zhida/pusher"
	"github.com/zhida/zhida/rpc"
	pb "github.com/zhida/zhida/rpc/zhidav1"
	"github.com/zhida/zhida/store"
	"github.com/zhida/zhida/store/postgres"
	"github.com/zhida/zhida/store/sqlite"
)

type benchPushOpts struct {
	n, batch, workers int
	// parallel is each worker's batches in flight (Rule.Parallel).
	parallel int
	postgres string
	// profiles is the size of the end-to-end phase (0 skips it).
	profiles int
}

type benchPushResult struct {
	Backend        string  `json:"backend"`
	Deliveries     int     `json:"deliveries"`
	Batch          int     `json:"batch"`
	Workers        int     `json:"workers"`
	Parallel       int     `json:"parallel"`
	EnqueueS       float64 `json:"enqueue_s"`
	EnqueuePerS    float64 `json:"enqueue_per_s"`
	PushS          float64 `json:"push_s"`
	DeliveriesPerS float64 `json:"deliveries_per_s"`
	PushCPUS       float64 `json:"push_cpu_s"`
	Duplicates     int     `json:"duplicates"`
	Stale          int     `json:"stale"`
	InboxCount     int64   `json:"inbox_count"`

	// The end-to-end phase: publish two policies over E2EProfiles stored
	// profiles, sweep them, and run one pusher tick (plan, then drain).
	E2EProfiles int `json:"e2e_profiles,omitempty"`
	E2EPushes   int `json:"e2e_pushes,omitempty"`
	E2EGrants   int `json:"e2e_grants,omitempty"`
	// Seconds from the publish call: the sweep done, the tick's plan done,
	// every push delivered (LagS). Running in serve adds the waits between
	// them: up to one matcher poll (5 s) before the sweep starts and up to
	// one cron interval before the tick.
	LagSweepS float64 `json:"lag_sweep_s,omitempty"`
	LagPlanS  float64 `json:"lag_plan_s,omitempty"`
	LagS      float64 `json:"lag_publish_to_delivered_s,omitempty"`
}

func newBenchPushCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "bench-push [-n N] [-batch B] [-workers W] [-profiles P] [-postgres URL] [-json]",
		Short: "Push speed: deliveries/s from the outbox to the built-in receiver over real HTTP",
		Long: `bench-push enqueues N deliveries in a fresh store, serves the built-in
Delivery receiver (its own fresh store) on 127.0.0.1 over HTTP, and times W
workers draining the outbox in batches of B (each worker with -parallel
batches in flight) through the Twirp protobuf client: claim, send, store in the inbox, mark delivered. It checks that the
inbox holds exactly N items. Both stores are SQLite in temporary folders, or
PostgreSQL schemas (created and dropped) with -postgres URL. push_cpu_s is
the process CPU time of the push phase (the receiver runs in this process
too).

Then, end to end: it stores P generated profiles, publishes two policies
(four benefits, two apply-free), runs the matcher's sweep as serve does,
and one pusher tick (plan the completed sweeps, then W workers drain), and
reports the seconds from the publish call to the sweep done, the plan
done and every push delivered; it checks that the inbox received exactly
the pushes the stored matches call for.`,
		DisableFlagParsing: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			var o benchPushOpts
			fs := flag.NewFlagSet("bench-push", flag.ContinueOnError)
			fs.SetOutput(cmd.ErrOrStderr())
			fs.IntVar(&o.n, "n", 20000, "deliveries to enqueue and push")
			fs.IntVar(&o.batch, "batch", pusher.DefaultBatch, "items per Deliver call (default: the rules' default)")
			fs.IntVar(&o.workers, "workers", 2, "concurrent workers")
			fs.IntVar(&o.parallel, "parallel", 0, "batches each worker keeps in flight (the rule's parallel); 0: the default (2, or 1 on SQLite)")
			fs.StringVar(&o.postgres, "postgres", "", "PostgreSQL URL; empty uses SQLite")
			fs.IntVar(&o.profiles, "profiles", 20000, "profiles of the end-to-end (publish → delivered) phase; 0 skips it")
			asJSON := fs.Bool("json", false, "print one compact JSON object")
			if err := fs.Parse(args); err != nil {
				if errors.Is(err, flag.ErrHelp) {
					return nil
				}
				return err
			}
			if fs.NArg() > 0 {
				return fmt.Errorf("unexpected argument %q", fs.Arg(0))
			}
			if o.n <= 0 || o.batch <= 0 || o.workers <= 0 || o.parallel < 0 {
				return fmt.Errorf("-n, -batch and -workers must be positive, -parallel not negative")
			}
			res, err := runBenchPush(cmd.Context(), o)
			if err != nil {
				return err
			}
			return writeJSON(cmd.OutOrStdout(), res, !*asJSON)
		},
	}
}

// benchStores opens the outbox and receiver stores and returns a cleanup.
func benchStores(ctx context.Context, pgURL string) (out, in store.Store, cleanup func(), err error) {
	if pgURL == "" {
		var dirs []string
		for range 2 {
			d, err := os.MkdirTemp("", "zhida-bench-push-")
			if err != nil {
				return nil, nil, nil, err
			}
			dirs = append(dirs, d)
		}
		rm := func() {
			for _, d := range dirs {
				os.RemoveAll(d)
			}
		}
		if out, err = sqlite.Open(ctx, dirs[0]); err != nil {
			rm()
			return nil, nil, nil, err
		}
		if in, err = sqlite.Open(ctx, dirs[1]); err != nil {
			out.Close()
			rm()
			return nil, nil, nil, err
		}
		return out, in, func() { out.Close(); in.Close(); rm() }, nil
	}
	schemas, drop, err := benchSchemas(ctx, pgURL, "push", 2)
	if err != nil {
		return nil, nil, nil, err
	}
	if out, err = postgres.Open(ctx, schemas[0]); err != nil {
		drop()
		return nil, nil, nil, err
	}
	if in, err = postgres.Open(ctx, schemas[1]); err != nil {
		out.Close()
		drop()
		return nil, nil, nil, err
	}
	return out, in, func() { out.Close(); in.Close(); drop() }, nil
}

func runBenchPush(ctx context.Context, o benchPushOpts) (benchPushResult, error) {
	res := benchPushResult{Backend: "sqlite", Deliveries: o.n, Batch: o.batch, Workers: o.workers, Parallel: o.parallel}
	if o.postgres != "" {
		res.Backend = "postgres"
	}
	out, in, cleanup, err := benchStores(ctx, o.postgres)
	if err != nil {
		return res, fmt.Errorf("open stores: %w", err)
	}
	defer cleanup()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	const token = "bench-token"
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return res, err
	}
	srv := &http.Server{Handler: rpc.NewHandler(rpc.Config{Store: in, PusherToken: token, Log: quiet})}
	go srv.Serve(ln)
	defer srv.Close()

	ds := make([]store.NewDelivery, o.n)
	for i := range ds {
		subj := fmt.Sprintf("91440100MA%08d", i)
		kind := pusher.Kinds[i%len(pusher.Kinds)]
		msg, _ := json.Marshal(pusher.Message{Kind: kind, Title: "【政策推送】您可能符合“研发费用补助”",
			Body:     "您好！根据您的情况，您可能符合《广州市支持科技创新若干措施》中的“研发费用补助”。\n支持标准：最高50万元\n您符合的条件：\n· 上年度研发投入不低于500万元\n下一步：请向广州市科学技术局提出申请。",
			PolicyID: "p1", Version: 1, BenefitKey: "b1", DueDate: "2026-06-30"})
		ds[i] = store.NewDelivery{Key: pusher.Key(kind, corpus.AudienceEnterprise, subj, "p1", 1, "b1"),
			SubjectKind: corpus.AudienceEnterprise, SubjectID: subj, Kind: kind, Channel: pusher.ChannelInbox,
			Payload: msg, PolicyID: "p1", Version: 1}
	}
	start := time.Now()
	for i := 0; i < len(ds); i += 5000 {
		if _, err := out.Enqueue(ctx, ds[i:min(i+5000, len(ds))]); err != nil {
			return res, err
		}
	}
	res.EnqueueS = time.Since(start).Seconds()
	res.EnqueuePerS = float64(o.n) / res.EnqueueS

	rule := pusher.Rule{Channel: pusher.ChannelInbox, Batch: o.batch, Parallel: o.parallel, ClaimTTL: 5 * time.Minute}
	res.Parallel = (&pusher.Worker{Queue: out}).Parallel(rule)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: o.workers * res.Parallel}}
	cpu0 := cpuSeconds()
	start = time.Now()
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		total pusher.Stats
		errs  []error
	)
	for range o.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := &pusher.Worker{Queue: out, Log: quiet,
				Senders: map[string]pb.Delivery{pusher.ChannelInbox: pusher.NewTwirpSender("http://"+ln.Addr().String(), token, client)}}
			st, err := w.Drain(ctx, rule)
			mu.Lock()
			defer mu.Unlock()
			total.Delivered += st.Delivered
			total.Duplicate += st.Duplicate
			total.Stale += st.Stale
			if err != nil {
				errs = append(errs, err)
			}
		}()
	}
	wg.Wait()
	res.PushS = time.Since(start).Seconds()
	res.PushCPUS = cpuSeconds() - cpu0
	if err := errors.Join(errs...); err != nil {
		return res, err
	}
	res.DeliveriesPerS = float64(total.Delivered) / res.PushS
	res.Duplicates, res.Stale = total.Duplicate, total.Stale
	if res.InboxCount, err = in.CountInbox(ctx); err != nil {
		return res, err
	}
	if res.InboxCount != int64(o.n) || total.Delivered != o.n {
		return res, fmt.Errorf("delivered %d, inbox holds %d, want %d", total.Delivered, res.InboxCount, o.n)
	}
	if o.profiles > 0 {
		if err := benchPushE2E(ctx, o, out, in, "http://"+ln.Addr().String(), token, client, &res); err != nil {
			return res, fmt.Errorf("end to end: %w", err)
		}
	}
	return res, nil
}

// benchPushE2E measures publish → sweep → one pusher tick → delivered.
func benchPushE2E(ctx context.Context, o benchPushOpts, out, in store.Store, url, token string, client *http.Client, res *benchPushResult) error {
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	if _, err := sweeptest.Load(ctx, out, sweeptest.Profiles(o.profiles, 11)); err != nil {
		return fmt.Errorf("load profiles: %w", err)
	}
	inbox0, err := in.CountInbox(ctx)
	if err != nil {
		return err
	}
	senders := map[string]pb.Delivery{pusher.ChannelInbox: pusher.NewTwirpSender(url, token, client)}
	loop := &pusher.Loop{Store: out, Log: quiet, Planner: &pusher.Planner{},
		Worker: &pusher.Worker{Queue: out, Log: quiet, Senders: senders}}
	rule := pusher.Rule{Channel: pusher.ChannelInbox, Batch: o.batch, Parallel: o.parallel, ClaimTTL: 5 * time.Minute}
	// The matcher's and the pusher's outbox cursors start after the
	// events already there.
	mw := sweep.New(out, "bench", quiet)
	if _, err := mw.Consume(ctx, 1000); err != nil {
		return err
	}
	if _, err := loop.Prepare(ctx); err != nil {
		return err
	}

	start := time.Now()
	vers, err := sweeptest.Publish(ctx, out, sweeptest.Documents())
	if err != nil {
		return fmt.Errorf("publish: %w", err)
	}
	// What serve's matcher does on its next poll: consume the published
	// events (start the sweeps), then work every shard.
	if _, err := mw.Consume(ctx, 1000); err != nil {
		return err
	}
	if _, err := mw.Work(ctx); err != nil {
		return err
	}
	res.LagSweepS = time.Since(start).Seconds()
	// One pusher tick: plan what the sweeps completed, then drain.
	ps, err := loop.Prepare(ctx)
	if err != nil {
		return err
	}
	res.LagPlanS = time.Since(start).Seconds()
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	for range o.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := &pusher.Worker{Queue: out, Log: quiet, Senders: senders}
			_, err := w.Drain(ctx, rule)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, err)
			}
		}()
	}
	wg.Wait()
	res.LagS = time.Since(start).Seconds()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	// The pushes the stored matches call for (no benefit has a deadline,
	// so no reminder waits).
	want, grants := 0, 0
	for _, v := range vers {
		err := out.PolicyMatches(ctx, v.PolicyID, v.Version, func(m store.MatchRecord) error {
			if !pusher.InIssuingRegion(&v, m) {
				return nil
			}
			switch {
			case m.Verdict == "eligible" && m.Grant:
				want++
				grants++
			case m.Verdict == "eligible", m.Verdict == "unknown" && m.Score >= 0.5:
				want++
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	got, err := in.CountInbox(ctx)
	if err != nil {
		return err
	}
	res.E2EProfiles, res.E2EPushes, res.E2EGrants = o.profiles, int(got-inbox0), ps.Plan.NewGrants
	if got-inbox0 != int64(want) || ps.Plan.NewPushes != want || ps.Plan.NewGrants != grants {
		return fmt.Errorf("inbox received %d, planned %d pushes and %d grants; the matches call for %d and %d",
			got-inbox0, ps.Plan.NewPushes, ps.Plan.NewGrants, want, grants)
	}
	return nil
}

// benchSchemas creates n fresh schemas named for bench in the database at
// url and returns URLs using them, and a function dropping them.
func benchSchemas(ctx context.Context, url, bench string, n int) ([]string, func(), error) {
	u, err := neturl.Parse(url)
	if err != nil {
		return nil, nil, fmt.Errorf("-postgres: %w", err)
	}
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return nil, nil, fmt.Errorf("-postgres: %w", err)
	}
	defer conn.Close(ctx)
	var names, urls []string
	drop := func() {
		c, err := pgx.Connect(context.Background(), url)
		if err != nil {
			return
		}
		defer c.Close(context.Background())
		for _, s := range names {
			_, _ = c.Exec(context.Background(), "DROP SCHEMA "+s+" CASCADE")
		}
	}
	for i := range n {
		s := fmt.Sprintf("zb_%s_%d_%d", bench, os.Getpid(), i)
		if _, err := conn.Exec(ctx, "CREATE SCHEMA "+s); err != nil {
			drop()
			return nil, nil, fmt.Errorf("create schema %s: %w", s, err)
		}
		names = append(names, s)
		q := u.Query()
		q.Set("search_path", s)
		v := *u
		v.RawQuery = q.Encode()
		urls = append(urls, v.String())
	}
	return urls, drop, nil
}
