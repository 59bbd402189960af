package pusher

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/zhida/zhida/corpus"
	"github.com/zhida/zhida/store"
)

// Consumer is the pusher's outbox consumer name.
const Consumer = "pusher"

// LoopStore is the part of the store the pusher's loop uses.
type LoopStore interface {
	Queue
	PlanSink
	MatchSource
	GrantStore
	Canceller
	store.PushPlans
	GetPolicy(ctx context.Context, id string) (corpus.Policy, error)
	Consume(ctx context.Context, consumer string, limit int, handle func(context.Context, []store.Event) error) (int, error)
}

// Loop is the pusher as a server runs it: every scheduled run of a rule
// first brings the outbox up to date with the library (Prepare: policy
// events cancel what they make wrong; every sweep completed since is
// planned) and then drains the rule. So a published policy's pushes, planned
// when its sweep completes, go out on the first tick after it.
type Loop struct {
	Store   LoopStore
	Worker  *Worker
	Planner *Planner
	Log     *slog.Logger
	// Now is the clock (time.Now when nil); tests move it.
	Now func() time.Time

	// mu makes concurrent Prepares (two rules ticking at once) take turns:
	// the second finds the work done.
	mu sync.Mutex
}

// PrepareStats counts what Prepare did.
type PrepareStats struct {
	Events  int // policy events applied
	Sweeps  int // completed sweeps looked at
	Planned int // of Sweeps, the ones of a live version that were planned
	Plan    PlanStats
}

func (l *Loop) now() time.Time {
	if l.Now != nil {
		return l.Now()
	}
	return time.Now()
}

func (l *Loop) log() *slog.Logger {
	if l.Log != nil {
		return l.Log
	}
	return slog.Default()
}

// Prepare applies new policy events (a retraction cancels the policy's
// pending pushes and stops its grants; a new version does so for the older
// versions) and plans every completed sweep not yet planned. It is
// idempotent: planning is keyed, and a sweep is marked planned only after
// its plan is stored.
func (l *Loop) Prepare(ctx context.Context) (PrepareStats, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var st PrepareStats
	for {
		n, err := l.Store.Consume(ctx, Consumer, 100, func(ctx context.Context, evs []store.Event) error {
			return HandleEvents(ctx, l.Store, evs)
		})
		st.Events += n
		if err != nil {
			return st, fmt.Errorf("pusher: policy events: %w", err)
		}
		if n == 0 {
			break
		}
	}
	for {
		sws, err := l.Store.SweepsToPlan(ctx, 100)
		if err != nil {
			return st, err
		}
		if len(sws) == 0 {
			return st, nil
		}
		for _, sw := range sws {
			st.Sweeps++
			ps, planned, err := l.PlanSweep(ctx, sw)
			if err != nil {
				return st, err
			}
			if planned {
				st.Planned++
				st.Plan.add(ps)
			}
		}
	}
}

// PlanSweep plans the pushes and grants of one completed sweep, if its
// version is still the live one, and marks the sweep planned. It reports
// whether it planned.
func (l *Loop) PlanSweep(ctx context.Context, sw store.Sweep) (PlanStats, bool, error) {
	var ps PlanStats
	today := dateIn(l.now())
	p, err := l.Store.GetPolicy(ctx, sw.PolicyID)
	if errors.Is(err, store.ErrNotFound) {
		return ps, false, l.Store.MarkSweepPlanned(ctx, sw.Key, "skipped: no such policy", l.now())
	}
	if err != nil {
		return ps, false, fmt.Errorf("plan sweep %s: %w", sw.Key, err)
	}
	if p.EffectiveStatus(today) != corpus.StatusPublished || p.LatestVersion != sw.Version || p.Live == nil {
		// A superseded, retracted or expired version: its pushes would be
		// cancelled as soon as they were written.
		return ps, false, l.Store.MarkSweepPlanned(ctx, sw.Key,
			fmt.Sprintf("skipped: version %d is not live (policy %s, latest %d)", sw.Version, p.EffectiveStatus(today), p.LatestVersion), l.now())
	}
	v := *p.Live
	ps, err = l.Planner.Plan(ctx, l.Store, l.Store, &v)
	if err != nil {
		return ps, false, fmt.Errorf("plan sweep %s: %w", sw.Key, err)
	}
	// A retraction or a new version committed while planning has had its
	// event applied already, perhaps before these pushes were written:
	// apply it again (it is idempotent) so none of them stays pending.
	if p, err = l.Store.GetPolicy(ctx, sw.PolicyID); err != nil {
		return ps, false, fmt.Errorf("plan sweep %s: %w", sw.Key, err)
	}
	switch {
	case p.Status != corpus.StatusPublished:
		_, _, err = l.Store.CancelForPolicy(ctx, sw.PolicyID, 0, ReasonRetracted)
	case p.LatestVersion > sw.Version:
		_, _, err = l.Store.CancelForPolicy(ctx, sw.PolicyID, p.LatestVersion, ReasonSuperseded(p.LatestVersion))
	}
	if err != nil {
		return ps, false, fmt.Errorf("plan sweep %s: %w", sw.Key, err)
	}
	outcome := fmt.Sprintf("planned: %d matches, %d grants (%d new), %d pushes (%d new)", ps.Matches, ps.Grants, ps.NewGrants, ps.Pushes, ps.NewPushes)
	if err := l.Store.MarkSweepPlanned(ctx, sw.Key, outcome, l.now()); err != nil {
		return ps, false, err
	}
	if ps.NewGrants+ps.NewPushes > 0 {
		l.log().InfoContext(ctx, "pushes planned", "sweep", sw.Key, "grants", ps.NewGrants, "pushes", ps.NewPushes)
	}
	return ps, true, nil
}

// Tick is one scheduled run of rule: Prepare, then Drain.
func (l *Loop) Tick(ctx context.Context, rule Rule) (Stats, error) {
	if _, err := l.Prepare(ctx); err != nil {
		return Stats{}, err
	}
	return l.Worker.Drain(ctx, rule)
}

// ReadyDue moves grants whose objection window ended to ready.
func (l *Loop) ReadyDue(ctx context.Context) (int, error) {
	return ReadyDue(ctx, l.Store, l.now())
}

// Schedule adds every rule to s (each run is a Tick) and a job moving
// grants to ready every minute.
func (l *Loop) Schedule(s *Scheduler, rules []Rule) error {
	for _, rule := range rules {
		r, err := rule.withDefaults()
		if err != nil {
			return err
		}
		if l.Worker.Senders[r.Channel] == nil {
			return fmt.Errorf("rule %s: channel %q: %w", r.Name, r.Channel, ErrNoSender)
		}
		if err := s.Add(r.Name, r.Cron, func(ctx context.Context) error {
			st, err := l.Tick(ctx, r)
			if st.Claimed > 0 {
				s.log.InfoContext(ctx, "push run", "rule", r.Name, "claimed", st.Claimed, "delivered", st.Delivered,
					"duplicate", st.Duplicate, "retried", st.Retried, "dead", st.Dead, "deferred", st.Deferred)
			}
			return err
		}); err != nil {
			return err
		}
	}
	return s.Add("grants-ready", "@every 1m", func(ctx context.Context) error {
		_, err := l.ReadyDue(ctx)
		return err
	})
}

func (s *PlanStats) add(o PlanStats) {
	s.Matches += o.Matches
	s.Grants += o.Grants
	s.Pushes += o.Pushes
	s.NewGrants += o.NewGrants
	s.NewPushes += o.NewPushes
	s.SkippedIneligible += o.SkippedIneligible
	s.SkippedLate += o.SkippedLate
	s.SkippedLowScore += o.SkippedLowScore
	s.SkippedPaid += o.SkippedPaid
	s.UnknownBenefit += o.UnknownBenefit
}
