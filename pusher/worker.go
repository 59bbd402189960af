package pusher

import (
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"sync"
	"time"

	"github.com/zhida/zhida/corpus"
	pb "github.com/zhida/zhida/rpc/zhidav1"
	"github.com/zhida/zhida/store"
)

// Queue is the part of the store a worker uses.
type Queue interface {
	Claim(ctx context.Context, r store.ClaimRequest) ([]store.Delivery, error)
	MarkDelivered(ctx context.Context, at time.Time, cs []store.Claim) (int, error)
	MarkFailed(ctx context.Context, fs []store.Failure) (int, error)
	Release(ctx context.Context, at time.Time, cs []store.Claim) (int, error)
	DeliveredSince(ctx context.Context, kind corpus.Audience, ids []string, since time.Time) (map[string]int, error)
}

// Worker sends due deliveries. Senders maps a channel to its receiver (a
// Twirp Delivery client, see NewTwirpSender).
type Worker struct {
	Queue   Queue
	Senders map[string]pb.Delivery
	// Name identifies this worker in claims (hostname, pid and a random
	// suffix when empty).
	Name string
	Log  *slog.Logger
	// Now is the clock (time.Now when nil); tests move it.
	Now func() time.Time

	// nameOnce fills Name once, however many batches run at once.
	nameOnce sync.Once
}

// Stats counts what a run did.
type Stats struct {
	Batches   int
	Claimed   int
	Delivered int // accepted or duplicate at the receiver
	Duplicate int // of Delivered, the receiver had them already
	Retried   int
	Dead      int
	Deferred  int // over the daily cap: released to a later day
	Stale     int // acknowledgements refused because the claim was lost
}

func (s *Stats) add(o Stats) {
	s.Batches += o.Batches
	s.Claimed += o.Claimed
	s.Delivered += o.Delivered
	s.Duplicate += o.Duplicate
	s.Retried += o.Retried
	s.Dead += o.Dead
	s.Deferred += o.Deferred
	s.Stale += o.Stale
}

// WorkerName is a name unique to this process.
func WorkerName() string {
	host, _ := os.Hostname()
	var b [4]byte
	_, _ = crand.Read(b[:])
	return fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b[:]))
}

func (w *Worker) now() time.Time {
	if w.Now != nil {
		return w.Now()
	}
	return time.Now()
}

func (w *Worker) log() *slog.Logger {
	if w.Log != nil {
		return w.Log
	}
	return slog.Default()
}

// Drain sends batches under rule until nothing is due, MaxPerRun
// deliveries were claimed, quiet hours begin or ctx ends. Rule.Parallel
// batches are in flight at once: while one waits on the receiver or the
// database, another is claimed, sent or acknowledged.
func (w *Worker) Drain(ctx context.Context, rule Rule) (Stats, error) {
	parallel := w.Parallel(rule)
	rule, err := rule.withDefaults()
	if err != nil {
		return Stats{}, err
	}
	rule.Parallel = parallel
	ds := &drainState{budget: rule.MaxPerRun, limited: rule.MaxPerRun > 0, inflight: map[string]int{}}
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		total Stats
		first error
	)
	for range rule.Parallel {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				n := ds.reserve(rule.Batch)
				if n == 0 {
					return
				}
				r := rule
				r.Batch = n
				st, err := w.runBatch(ctx, r, ds)
				ds.release(n - st.Claimed)
				mu.Lock()
				total.add(st)
				if err != nil && first == nil {
					first = err
				}
				mu.Unlock()
				if err != nil || st.Claimed < n {
					ds.stop()
					return
				}
			}
		}()
	}
	wg.Wait()
	return total, first
}

// serialWriters is implemented by a queue whose database runs one writer
// at a time (the embedded SQLite store).
type serialWriters interface{ SerialWriters() bool }

// Parallel is how many batches Drain keeps in flight under rule: the
// rule's Parallel when set; else DefaultParallel, or 1 on a queue whose
// database runs one writer at a time (more batches would only queue on
// its lock).
func (w *Worker) Parallel(rule Rule) int {
	if rule.Parallel > 0 {
		return rule.Parallel
	}
	if s, ok := w.Queue.(serialWriters); ok && s.SerialWriters() {
		return 1
	}
	return DefaultParallel
}

// drainState is what the concurrent batch loops of one Drain share: the
// run's claim budget (MaxPerRun) and, for the daily cap, the deliveries
// sent but not yet marked delivered.
type drainState struct {
	mu      sync.Mutex
	budget  int
	limited bool
	done    bool
	// capMu orders cap decisions with the acknowledgements they count:
	// a batch's kept deliveries stay in inflight until their marks are
	// committed, so a concurrent batch sees them in the store or here.
	capMu    sync.Mutex
	inflight map[string]int // by subject kind|id
}

// reserve takes up to n of the budget (n when unlimited); 0 means stop.
func (d *drainState) reserve(n int) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.done {
		return 0
	}
	if d.limited {
		n = min(n, d.budget)
		d.budget -= n
	}
	return n
}

// release gives back n unused of a reservation.
func (d *drainState) release(n int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.limited {
		d.budget += n
	}
}

// stop ends the run: one loop found nothing more due (or failed).
func (d *drainState) stop() {
	d.mu.Lock()
	d.done = true
	d.mu.Unlock()
}

// RunOnce sends at most one batch under rule.
func (w *Worker) RunOnce(ctx context.Context, rule Rule) (Stats, error) {
	rule, err := rule.withDefaults()
	if err != nil {
		return Stats{}, err
	}
	return w.runBatch(ctx, rule, &drainState{inflight: map[string]int{}})
}

func (w *Worker) runBatch(ctx context.Context, rule Rule, state *drainState) (Stats, error) {
	var st Stats
	now := w.now()
	if rule.Quiet.Contains(now) {
		return st, nil
	}
	sender := w.Senders[rule.Channel]
	if sender == nil {
		return st, fmt.Errorf("rule %s: channel %q: %w", rule.Name, rule.Channel, ErrNoSender)
	}
	w.nameOnce.Do(func() {
		if w.Name == "" {
			w.Name = WorkerName()
		}
	})
	name := w.Name
	// Claims are measured on the database's clock unless a test set ours.
	var claimAt time.Time
	if w.Now != nil {
		claimAt = now
	}
	ds, err := w.Queue.Claim(ctx, store.ClaimRequest{Worker: name, Channel: rule.Channel, Kinds: rule.Kinds,
		Limit: rule.Batch, Now: claimAt, TTL: rule.ClaimTTL})
	if err != nil {
		return st, err
	}
	st.Claimed = len(ds)
	if len(ds) == 0 {
		return st, nil
	}
	st.Batches = 1

	var (
		send     []*pb.PushItem
		byKey    = map[string]store.Delivery{}
		failures []store.Failure
	)
	fail := func(d store.Delivery, msg string, permanent bool) {
		f := store.Failure{Claim: store.Claim{ID: d.ID, Token: d.ClaimToken}, Error: msg}
		if permanent || d.Attempts+1 >= rule.MaxAttempts {
			f.Dead = true
			st.Dead++
		} else {
			f.RetryAt = now.Add(Backoff(rule.BaseBackoff, rule.MaxBackoff, d.Attempts+1))
			st.Retried++
		}
		failures = append(failures, f)
	}
	ds, deferred, kept, err := w.applyCap(ctx, rule, now, ds, state)
	if err != nil {
		return st, err
	}
	// The kept deliveries count against the cap as in flight until their
	// marks are committed (or they failed).
	defer state.landed(kept)
	if len(deferred) > 0 {
		next := dayStart(now).AddDate(0, 0, 1)
		next = rule.Quiet.After(next)
		if _, err := w.Queue.Release(ctx, next, deferred); err != nil {
			return st, err
		}
		st.Deferred = len(deferred)
	}
	for _, d := range ds {
		var m Message
		if err := json.Unmarshal(d.Payload, &m); err != nil {
			fail(d, "payload is not a message: "+err.Error(), true)
			continue
		}
		byKey[d.Key] = d
		send = append(send, &pb.PushItem{
			IdempotencyKey: d.Key, SubjectKind: string(d.SubjectKind), SubjectId: d.SubjectID, Kind: d.Kind,
			Title: m.Title, Body: m.Body, PolicyId: d.PolicyID, PolicyVersion: int32(d.Version),
			BenefitKey: m.BenefitKey, DueDate: m.DueDate, Channel: d.Channel,
		})
	}
	var delivered []store.Claim
	if len(send) > 0 {
		sctx, cancel := context.WithTimeout(ctx, rule.ClaimTTL*3/4)
		resp, err := sender.Deliver(sctx, &pb.DeliverRequest{Items: send})
		cancel()
		if err != nil {
			if ctx.Err() != nil {
				// Shutting down: leave the claims to expire rather than
				// count an attempt against items that were never refused.
				return st, ctx.Err()
			}
			w.log().WarnContext(ctx, "deliver failed", "rule", rule.Name, "items", len(send), "err", err)
			for _, it := range send {
				fail(byKey[it.IdempotencyKey], "deliver: "+err.Error(), false)
			}
		} else {
			answered := map[string]bool{}
			for _, r := range resp.Results {
				d, ok := byKey[r.IdempotencyKey]
				if !ok || answered[r.IdempotencyKey] {
					continue
				}
				answered[r.IdempotencyKey] = true
				switch r.Status {
				case pb.ItemStatus_ITEM_STATUS_ACCEPTED, pb.ItemStatus_ITEM_STATUS_DUPLICATE:
					delivered = append(delivered, store.Claim{ID: d.ID, Token: d.ClaimToken})
					if r.Status == pb.ItemStatus_ITEM_STATUS_DUPLICATE {
						st.Duplicate++
					}
				case pb.ItemStatus_ITEM_STATUS_REJECTED:
					fail(d, "rejected: "+r.Reason, true)
				default:
					fail(d, "receiver gave no status", false)
				}
			}
			for _, it := range send {
				if !answered[it.IdempotencyKey] {
					fail(byKey[it.IdempotencyKey], "receiver gave no result for the item", false)
				}
			}
		}
	}
	// Marks must land even if ctx was cancelled after the send: use a
	// context that keeps its values but not its cancellation.
	mctx := context.WithoutCancel(ctx)
	if len(delivered) > 0 {
		n, err := w.Queue.MarkDelivered(mctx, w.now(), delivered)
		if err != nil {
			return st, err
		}
		st.Delivered = n
		st.Stale += len(delivered) - n
	}
	if len(failures) > 0 {
		n, err := w.Queue.MarkFailed(mctx, failures)
		if err != nil {
			return st, err
		}
		st.Stale += len(failures) - n
	}
	if st.Stale > 0 {
		w.log().WarnContext(ctx, "claims lost before acknowledgement (claim ttl too short?)", "rule", rule.Name, "stale", st.Stale)
	}
	return st, nil
}

// applyCap splits claimed deliveries into those within the rule's
// per-subject daily cap and those to release to a later day, counting what
// the store has delivered today and what this run has in flight. It
// returns the subjects of the kept deliveries, now in flight.
func (w *Worker) applyCap(ctx context.Context, rule Rule, now time.Time, ds []store.Delivery, state *drainState) ([]store.Delivery, []store.Claim, []string, error) {
	if rule.DailyCap <= 0 {
		return ds, nil, nil, nil
	}
	state.capMu.Lock()
	defer state.capMu.Unlock()
	since := dayStart(now)
	byKind := map[corpus.Audience][]string{}
	for _, d := range ds {
		byKind[d.SubjectKind] = append(byKind[d.SubjectKind], d.SubjectID)
	}
	sent := map[corpus.Audience]map[string]int{}
	for kind, ids := range byKind {
		c, err := w.Queue.DeliveredSince(ctx, kind, ids, since)
		if err != nil {
			return nil, nil, nil, err
		}
		sent[kind] = c
	}
	var (
		keep    []store.Delivery
		later   []store.Claim
		flights []string
	)
	for _, d := range ds {
		subj := string(d.SubjectKind) + "|" + d.SubjectID
		if sent[d.SubjectKind][d.SubjectID]+state.inflight[subj] >= rule.DailyCap {
			later = append(later, store.Claim{ID: d.ID, Token: d.ClaimToken})
			continue
		}
		state.inflight[subj]++
		flights = append(flights, subj)
		keep = append(keep, d)
	}
	return keep, later, flights, nil
}

// landed takes subjects out of flight once their marks are committed.
func (d *drainState) landed(subjects []string) {
	if len(subjects) == 0 {
		return
	}
	d.capMu.Lock()
	defer d.capMu.Unlock()
	for _, s := range subjects {
		if d.inflight[s]--; d.inflight[s] <= 0 {
			delete(d.inflight, s)
		}
	}
}

// Backoff is the delay before attempt n+1 after the n-th failure:
// base·2^(n-1) capped at max, with "equal jitter" (half fixed, half
// random) so that a receiver coming back is not hit by every retry at once.
func Backoff(base, max time.Duration, n int) time.Duration {
	if n < 1 {
		n = 1
	}
	d := base
	for i := 1; i < n && d < max; i++ {
		d *= 2
	}
	d = min(d, max)
	half := d / 2
	if half <= 0 {
		return d
	}
	return half + rand.N(half+1)
}

// ErrNoSender is returned for a channel without a configured receiver.
var ErrNoSender = errors.New("no sender for channel")
