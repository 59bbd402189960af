package sweep

import (
	"context"
	"fmt"
	"time"

	"github.com/zhida/zhida/corpus"
	"github.com/zhida/zhida/store"
)

// Run keeps the matches current until ctx ends, every poll interval:
//
//  1. it applies new policy events (Consume);
//  2. once a day (the first tick of each date) it starts that day's sweep
//     of every live version — idempotent by key, so several processes start
//     it once — which refreshes what the date changes (ages, 上年度) and
//     catches profile changes made while no server ran;
//  3. it runs free shards of every open sweep (Work);
//  4. it rematches profiles changed since the last tick (Follow), starting
//     from the newest profile when Run begins.
//
// Errors are logged and retried on the next tick.
func (w *Worker) Run(ctx context.Context, poll time.Duration) {
	seq, err := w.maxSeq(ctx)
	if err != nil && ctx.Err() == nil {
		w.log.ErrorContext(ctx, "matcher: read profile seq", "err", err)
	}
	var day corpus.Date
	t := time.NewTicker(poll)
	defer t.Stop()
	for {
		if err := w.tick(ctx, &seq, &day); err != nil && ctx.Err() == nil {
			w.log.ErrorContext(ctx, "matcher", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (w *Worker) tick(ctx context.Context, seq *int64, day *corpus.Date) error {
	for {
		n, err := w.Consume(ctx, 100)
		if err != nil {
			return err
		}
		if n == 0 {
			break
		}
	}
	if today := w.Today(); today != *day {
		if _, err := w.StartLive(ctx); err != nil {
			return err
		}
		*day = today
	}
	if _, err := w.Work(ctx); err != nil {
		return err
	}
	next, n, err := w.Follow(ctx, *seq)
	*seq = next
	if err != nil {
		return err
	}
	if n > 0 {
		w.log.InfoContext(ctx, "profiles rematched", "count", n)
	}
	return nil
}

// StartLive starts today's sweep of every live version (idempotent: a
// sweep already started today is left alone) and returns how many versions
// are live.
func (w *Worker) StartLive(ctx context.Context) (int, error) {
	vers, err := liveVersions(ctx, w.store, w.Today())
	if err != nil {
		return 0, err
	}
	for _, v := range vers {
		if _, err := w.StartSweep(ctx, v.PolicyID, v.Version); err != nil {
			return 0, err
		}
	}
	return len(vers), nil
}

// maxSeq returns the largest profile Seq in the store (0 when empty).
func (w *Worker) maxSeq(ctx context.Context) (int64, error) {
	var seq int64
	err := w.store.ScanProfiles(ctx, store.ProfileQuery{}, func(r store.ProfileRecord) error {
		seq = max(seq, r.Seq)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("scan profiles: %w", err)
	}
	return seq, nil
}
