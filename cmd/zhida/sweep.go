package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/zhida/zhida/matcher/sweep"
	"github.com/zhida/zhida/store"
	"github.com/zhida/zhida/store/open"
)

func newSweepCmd() *cobra.Command {
	var (
		data, postgres string
		workers        int
		shards         int
		all            bool
	)
	cmd := &cobra.Command{
		Use:   "sweep",
		Short: "Apply pending policy events and run open sweeps until none is left",
		Long: `Consume the matcher's outbox events (a published version starts a sweep, a
retracted or expired policy loses its matches), then lease and run sweep shards
with --workers goroutines until no shard is free. With --all it first starts
today's sweep of every live version (once a day is enough: a sweep is keyed by
policy, version and date). Any number of sweep processes may run at once
against one database: they share shards through leases.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			log := slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), &slog.HandlerOptions{Level: slog.LevelInfo}))
			st, err := open.Open(ctx, postgres, data)
			if err != nil {
				return fmt.Errorf("open store: %w", err)
			}
			defer st.Close()
			start := time.Now()
			n, profiles, matches, err := runSweeps(ctx, st, log, workers, shards, all)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "events %d, shards %d, profiles %d, matches written %d, %.1fs\n",
				n.events, n.shards, profiles, matches, time.Since(start).Seconds())
			return nil
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&data, "data", envOr("ZHIDA_DATA", "./data"), "folder of the embedded database (env ZHIDA_DATA)")
	fs.StringVar(&postgres, "postgres", os.Getenv("ZHIDA_POSTGRES"), "PostgreSQL URL; empty uses the embedded database (env ZHIDA_POSTGRES)")
	fs.IntVar(&workers, "workers", 2, "worker goroutines")
	fs.IntVar(&shards, "shards", sweep.DefaultShards, "shards of each new sweep")
	fs.BoolVar(&all, "all", false, "start today's sweep of every live policy version")
	return cmd
}

type sweepCounts struct{ events, shards int }

// runSweeps consumes pending events, then runs shards on workers
// goroutines until none is free.
func runSweeps(ctx context.Context, st store.Store, log *slog.Logger, workers, shards int, all bool) (sweepCounts, int, int, error) {
	host, _ := os.Hostname()
	var c sweepCounts
	w0 := sweep.New(st, host+":"+strconv.Itoa(os.Getpid()), log)
	w0.Shards = shards
	for {
		n, err := w0.Consume(ctx, 100)
		if err != nil {
			return c, 0, 0, err
		}
		c.events += n
		if n == 0 {
			break
		}
	}
	if all {
		if _, err := w0.StartLive(ctx); err != nil {
			return c, 0, 0, err
		}
	}
	var (
		mu                sync.Mutex
		profiles, matches int
		firstErr          error
		wg                sync.WaitGroup
	)
	for i := 0; i < max(1, workers); i++ {
		w := sweep.New(st, host+":"+strconv.Itoa(os.Getpid())+"/"+strconv.Itoa(i), log)
		wg.Add(1)
		go func() {
			defer wg.Done()
			done, err := w.Work(ctx)
			mu.Lock()
			defer mu.Unlock()
			for _, d := range done {
				c.shards++
				profiles += d.Profiles
				matches += d.Matches
			}
			if err != nil && firstErr == nil {
				firstErr = err
			}
		}()
	}
	wg.Wait()
	return c, profiles, matches, firstErr
}
