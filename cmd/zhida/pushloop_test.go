package main

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/zhida/zhida/corpus"
	"github.com/zhida/zhida/matcher/sweep"
	"github.com/zhida/zhida/matcher/sweep/sweeptest"
	"github.com/zhida/zhida/pusher"
	"github.com/zhida/zhida/rpc"
	"github.com/zhida/zhida/store"
	"github.com/zhida/zhida/store/sqlite"
)

// expectedPushes counts, from a version's stored matches, the pushes
// planning must send now (no benefit of sweeptest has a deadline, so there
// are no reminders) and the grants it must write.
func expectedPushes(t *testing.T, st store.Store, v corpus.Version) (pushes, grants int) {
	t.Helper()
	err := st.PolicyMatches(context.Background(), v.PolicyID, v.Version, func(m store.MatchRecord) error {
		if !pusher.InIssuingRegion(&v, m) {
			return nil
		}
		switch {
		case m.Verdict == "eligible" && m.Grant:
			pushes++
			grants++
		case m.Verdict == "eligible", m.Verdict == "unknown" && m.Score >= 0.5:
			pushes++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return pushes, grants
}

// Publish → sweep → the next tick of the pusher serve runs: every push the
// sweep calls for is planned and delivered at the receiver in that one
// tick, each once; a new version stops the older version's grants still in
// their objection window and its own pushes go out on the next tick; a
// retraction stops the rest. The clock and the ticks are driven by the
// test.
func TestPushFollowsSweep(t *testing.T) {
	ctx := context.Background()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	st, err := sqlite.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := sweeptest.Load(ctx, st, sweeptest.Profiles(400, 5)); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(rpc.NewHandler(rpc.Config{Store: st, PusherToken: "tok", Log: quiet}))
	defer srv.Close()

	// 10:00 China time: outside the default quiet hours.
	now := time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	loop := newPushLoop(st, quiet, senders([]string{srv.URL}, "tok"), &pusher.Planner{Now: clock})
	loop.Now, loop.Worker.Now = clock, clock
	rules, err := loadRules("", ruleOptions{quiet: "22:00-08:00", dailyCap: -1})
	if err != nil {
		t.Fatal(err)
	}
	tick := func() pusher.Stats {
		t.Helper()
		var total pusher.Stats
		for _, r := range rules {
			s, err := loop.Tick(ctx, r)
			if err != nil {
				t.Fatalf("tick %s: %v", r.Name, err)
			}
			total.Delivered += s.Delivered
			total.Deferred += s.Deferred
			total.Dead += s.Dead
		}
		now = now.Add(5 * time.Minute)
		return total
	}
	inbox := func() int64 {
		t.Helper()
		n, err := st.CountInbox(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	mw := sweep.New(st, "test", quiet)
	runSweeps := func() {
		t.Helper()
		if _, err := mw.Consume(ctx, 100); err != nil {
			t.Fatal(err)
		}
		if _, err := mw.Work(ctx); err != nil {
			t.Fatal(err)
		}
	}

	vers, err := sweeptest.Publish(ctx, st, sweeptest.Documents())
	if err != nil {
		t.Fatal(err)
	}
	// Published but not swept yet: the tick has nothing to plan.
	if s := tick(); s.Delivered != 0 || inbox() != 0 {
		t.Fatalf("a tick before the sweep delivered %d", s.Delivered)
	}
	runSweeps()
	var wantPushes, wantGrants int
	for _, v := range vers {
		p, g := expectedPushes(t, st, v)
		wantPushes += p
		wantGrants += g
	}
	if wantGrants == 0 || wantPushes <= wantGrants {
		t.Fatalf("the generated data gives %d pushes and %d grants: too few to test", wantPushes, wantGrants)
	}
	counts, err := st.CountDeliveries(ctx)
	if err != nil || len(counts) != 0 {
		t.Fatalf("deliveries before the tick after the sweep: %v, %v; want none (planning is the tick's)", counts, err)
	}

	s := tick()
	t.Logf("the sweep calls for %d pushes and %d grants; the tick delivered %d", wantPushes, wantGrants, s.Delivered)
	if s.Delivered != wantPushes || s.Deferred != 0 || s.Dead != 0 || inbox() != int64(wantPushes) {
		t.Fatalf("the tick after the sweep delivered %d (deferred %d, dead %d), inbox %d; want all %d",
			s.Delivered, s.Deferred, s.Dead, inbox(), wantPushes)
	}
	counts, _ = st.CountDeliveries(ctx)
	if counts[store.DeliveryDelivered] != int64(wantPushes) || counts[store.DeliveryPending]+counts[store.DeliverySending] != 0 {
		t.Errorf("deliveries after the tick: %v", counts)
	}
	grants, err := st.ListGrants(ctx, store.GrantFilter{PolicyID: vers[0].PolicyID})
	if err != nil {
		t.Fatal(err)
	}
	resGrants, _ := st.ListGrants(ctx, store.GrantFilter{PolicyID: vers[1].PolicyID})
	if len(grants)+len(resGrants) != wantGrants {
		t.Errorf("grants: %d + %d, want %d", len(grants), len(resGrants), wantGrants)
	}
	for _, g := range append(append([]store.Grant{}, grants...), resGrants...) {
		a, err := pusher.ParseGrantAudit(g.Facts)
		if err != nil || len(a.Met) == 0 || len(a.Facts) == 0 || a.Profile == nil || a.Profile.Hash == "" {
			t.Errorf("grant %s audit: %+v, %v", g.Key, a, err)
		}
		for _, f := range a.Facts {
			if len(f.Value) == 0 {
				t.Errorf("grant %s: fact %s without a value", g.Key, f.Key)
			}
		}
	}
	// Ticks again, and the next day's sweep of the same versions: nothing new.
	if s := tick(); s.Delivered != 0 || inbox() != int64(wantPushes) {
		t.Errorf("a second tick delivered %d", s.Delivered)
	}

	// Version 2 of the enterprise policy: version 1's notified grants stop.
	doc := vers[0].Document
	doc.Title += "（修订）"
	if _, err := st.UpdateDraft(ctx, vers[0].PolicyID, doc, 0); err != nil {
		t.Fatal(err)
	}
	v2, err := st.Publish(ctx, vers[0].PolicyID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := loop.Prepare(ctx); err != nil {
		t.Fatal(err)
	}
	for _, g := range grants {
		got, err := st.GetGrant(ctx, g.Key)
		if err != nil || got.Status != store.GrantStopped || got.Reason != pusher.ReasonSuperseded(2) {
			t.Errorf("version 1 grant after version 2: %s %q, %v", got.Status, got.Reason, err)
		}
	}
	runSweeps()
	p2, g2 := expectedPushes(t, st, v2)
	if s := tick(); s.Delivered != p2 || inbox() != int64(wantPushes+p2) {
		t.Errorf("the tick after version 2's sweep delivered %d, inbox %d; want %d, %d", s.Delivered, inbox(), p2, wantPushes+p2)
	}
	if gs, _ := st.ListGrants(ctx, store.GrantFilter{PolicyID: v2.PolicyID, Status: store.GrantNotified}); len(gs) != g2 || g2 == 0 {
		t.Errorf("version 2 grants notified: %d, want %d", len(gs), g2)
	}

	// Retracting the resident policy stops its grants.
	if _, err := st.Retract(ctx, vers[1].PolicyID, "政策调整"); err != nil {
		t.Fatal(err)
	}
	tick()
	if gs, _ := st.ListGrants(ctx, store.GrantFilter{PolicyID: vers[1].PolicyID, Status: store.GrantStopped}); len(gs) != len(resGrants) {
		t.Errorf("resident grants stopped after the retraction: %d of %d", len(gs), len(resGrants))
	}
}
