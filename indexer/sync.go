package indexer

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/zhida/zhida/corpus"
)

// Event is an outbox event as the indexer reads it: the fields of
// store.Event it needs. (The indexer does not import store; a few lines in
// the caller adapt store.Outbox to Outbox.)
type Event struct {
	ID       int64
	Kind     corpus.EventKind
	PolicyID string
	Version  int
}

// Outbox hands the indexer its events, advancing its cursor when handle
// succeeds (store.Outbox.Consume semantics).
type Outbox interface {
	Consume(ctx context.Context, consumer string, limit int, handle func(context.Context, []Event) error) (int, error)
}

// Policies looks a policy head up (store.Library.GetPolicy).
type Policies interface {
	GetPolicy(ctx context.Context, id string) (corpus.Policy, error)
}

// Syncer keeps a Backend in step with the outbox. For every policy named in
// a batch of events it indexes the policy's current live version, or deletes
// it when the policy is retracted or gone, so handling an event twice, or
// late, or out of order, leaves the index right: it always converges to the
// library's present state.
//
// With the store, the caller adapts store.Outbox in a few lines:
//
//	type outbox struct{ o store.Outbox }
//
//	func (a outbox) Consume(ctx context.Context, c string, n int, h func(context.Context, []indexer.Event) error) (int, error) {
//		return a.o.Consume(ctx, c, n, func(ctx context.Context, es []store.Event) error {
//			ev := make([]indexer.Event, len(es))
//			for i, e := range es {
//				ev[i] = indexer.Event{ID: e.ID, Kind: e.Kind, PolicyID: e.PolicyID, Version: e.Version}
//			}
//			return h(ctx, ev)
//		})
//	}
//
// and passes the store as Policies with IsNotFound checking store.ErrNotFound.
type Syncer struct {
	Outbox   Outbox
	Policies Policies
	Backend  Backend
	// Consumer is the outbox cursor's name; "indexer" when empty.
	Consumer string
	// Batch is the most events handled per Consume; 100 when 0.
	Batch int
	// IsNotFound reports whether a GetPolicy error means the policy does not
	// exist (it is then removed from the index); nil treats every error as
	// a failure to retry.
	IsNotFound func(error) bool
	// Today returns the date expiry is judged on; corpus.Today when nil.
	Today func() corpus.Date
	// Log receives one line per batch; slog.Default when nil.
	Log *slog.Logger
}

// SyncOnce handles events until the outbox has none left and returns how many
// it handled. On error the failed batch's cursor is not advanced, so the next
// call retries it.
func (s *Syncer) SyncOnce(ctx context.Context) (int, error) {
	consumer, batch := s.Consumer, s.Batch
	if consumer == "" {
		consumer = "indexer"
	}
	if batch <= 0 {
		batch = 100
	}
	total := 0
	for {
		n, err := s.Outbox.Consume(ctx, consumer, batch, s.apply)
		total += n
		if err != nil {
			return total, fmt.Errorf("index outbox events: %w", err)
		}
		if n == 0 {
			return total, nil
		}
	}
}

// Run calls SyncOnce, then again every interval, until ctx ends. A failed
// round is logged and retried at the next tick.
func (s *Syncer) Run(ctx context.Context, interval time.Duration) error {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := s.SyncOnce(ctx); err != nil && ctx.Err() == nil {
			s.log().Error("search index sync failed; will retry", "err", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

func (s *Syncer) log() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.Default()
}

// apply brings the index up to date for the policies the events name.
func (s *Syncer) apply(ctx context.Context, events []Event) error {
	today := corpus.Today
	if s.Today != nil {
		today = s.Today
	}
	var (
		seen    = map[string]bool{}
		docs    []Doc
		deletes []string
	)
	for _, e := range events {
		if seen[e.PolicyID] {
			continue
		}
		seen[e.PolicyID] = true
		p, err := s.Policies.GetPolicy(ctx, e.PolicyID)
		switch {
		case err != nil && s.IsNotFound != nil && s.IsNotFound(err):
			deletes = append(deletes, e.PolicyID)
		case err != nil:
			return fmt.Errorf("event %d: get policy %s: %w", e.ID, e.PolicyID, err)
		case p.Status == corpus.StatusPublished && p.Live != nil:
			docs = append(docs, NewDoc(*p.Live, p.Live.Document.StatusOn(today())))
		default: // retracted, or never published
			deletes = append(deletes, e.PolicyID)
		}
	}
	if len(docs) > 0 {
		if err := s.Backend.Index(ctx, docs); err != nil {
			return err
		}
	}
	if len(deletes) > 0 {
		if err := s.Backend.Delete(ctx, deletes...); err != nil {
			return err
		}
	}
	if len(events) > 0 {
		s.log().Info("search index synced", "events", len(events), "last_event", events[len(events)-1].ID,
			"indexed", len(docs), "deleted", len(deletes))
	}
	return nil
}
