package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/zhida/zhida/corpus"
	"github.com/zhida/zhida/store"
)

// deliveryTests is the conformance suite of store.Deliveries.
func deliveryTests() []struct {
	name string
	fn   func(t *testing.T, s store.Store)
} {
	return []struct {
		name string
		fn   func(t *testing.T, s store.Store)
	}{
		{"DeliveriesEnqueueIdempotent", testEnqueueIdempotent},
		{"DeliveriesClaimConcurrent", testClaimConcurrent},
		{"DeliveriesClaimExpired", testClaimExpired},
		{"DeliveriesClaimDatabaseClock", testClaimDatabaseClock},
		{"DeliveriesBackoffDeadRedrive", testBackoffDeadRedrive},
		{"DeliveriesReleaseAndCaps", testReleaseAndCaps},
		{"DeliveriesCancelForPolicy", testCancelForPolicy},
		{"DeliveriesSupersededVersion", testSupersededVersion},
		{"PushPlans", testPushPlans},
		{"DeliveriesCancelSubject", testCancelSubject},
		{"Grants", testGrants},
		{"GrantsWaitForNotice", testGrantsWaitForNotice},
		{"Inbox", testInbox},
		{"PolicyMatches", testPolicyMatches},
	}
}

// t0 is a fixed clock for claims: the store compares the times it is given,
// never the wall clock, in Claim.
var t0 = time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)

func newDelivery(i int, policy string, version int) store.NewDelivery {
	return store.NewDelivery{
		Key:         fmt.Sprintf("%s|v%d|s%05d|b1|new_policy", policy, version, i),
		SubjectKind: corpus.AudienceEnterprise,
		SubjectID:   fmt.Sprintf("91370800MA%08d", i),
		Kind:        "new_policy",
		Channel:     "inbox",
		Payload:     []byte(fmt.Sprintf(`{"title":"政策%d"}`, i)),
		PolicyID:    policy,
		Version:     version,
		NotBefore:   t0,
	}
}

func enqueue(t *testing.T, s store.Store, ds ...store.NewDelivery) int {
	t.Helper()
	n, err := s.Enqueue(context.Background(), ds)
	if err != nil {
		t.Fatalf("enqueue: %v", err)
	}
	return n
}

func claim(t *testing.T, s store.Store, worker string, n int, at time.Time, ttl time.Duration) []store.Delivery {
	t.Helper()
	ds, err := s.Claim(context.Background(), store.ClaimRequest{Worker: worker, Channel: "inbox", Limit: n, Now: at, TTL: ttl})
	if err != nil {
		t.Fatalf("claim: %v", err)
	}
	return ds
}

func claimsOf(ds []store.Delivery) []store.Claim {
	out := make([]store.Claim, len(ds))
	for i, d := range ds {
		out[i] = store.Claim{ID: d.ID, Token: d.ClaimToken}
	}
	return out
}

func getDelivery(t *testing.T, s store.Store, key string) store.Delivery {
	t.Helper()
	d, err := s.GetDelivery(context.Background(), key)
	if err != nil {
		t.Fatalf("get delivery %s: %v", key, err)
	}
	return d
}

func testEnqueueIdempotent(t *testing.T, s store.Store) {
	ctx := context.Background()
	var batch []store.NewDelivery
	for i := range 3 {
		batch = append(batch, newDelivery(i, "p1", 1))
	}
	if n := enqueue(t, s, batch...); n != 3 {
		t.Fatalf("first enqueue stored %d, want 3", n)
	}
	again := slices.Clone(batch)
	again[0].Payload = []byte(`{"title":"改过"}`)
	again = append(again, newDelivery(3, "p1", 1))
	if n := enqueue(t, s, again...); n != 1 {
		t.Fatalf("second enqueue stored %d, want 1 (only the new key)", n)
	}
	d := getDelivery(t, s, batch[0].Key)
	if string(d.Payload) != string(batch[0].Payload) || d.Status != store.DeliveryPending || d.Attempts != 0 {
		t.Errorf("re-enqueue changed the stored delivery: %+v", d)
	}
	if _, err := s.GetDelivery(ctx, "no such key"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("missing key: %v, want ErrNotFound", err)
	}
	if _, err := s.Enqueue(ctx, []store.NewDelivery{{Key: "k"}}); err == nil {
		t.Error("enqueue without subject, kind and channel succeeded")
	}
	counts, err := s.CountDeliveries(ctx)
	if err != nil || counts[store.DeliveryPending] != 4 {
		t.Errorf("counts %v, %v; want 4 pending", counts, err)
	}
}

// Several workers claim at once; no delivery is handed to two of them.
func testClaimConcurrent(t *testing.T, s store.Store) {
	ctx := context.Background()
	const total = 300
	var batch []store.NewDelivery
	for i := range total {
		batch = append(batch, newDelivery(i, "p1", 1))
	}
	enqueue(t, s, batch...)
	var (
		mu   sync.Mutex
		seen = map[int64]string{}
		dup  []int64
		wg   sync.WaitGroup
		errs = make(chan error, 4)
	)
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			worker := fmt.Sprint("w", w)
			for {
				ds, err := s.Claim(ctx, store.ClaimRequest{Worker: worker, Channel: "inbox", Limit: 7, Now: t0, TTL: time.Hour})
				if err != nil {
					errs <- err
					return
				}
				if len(ds) == 0 {
					return
				}
				mu.Lock()
				for _, d := range ds {
					if d.Status != store.DeliverySending || d.ClaimedBy != worker || d.ClaimToken == "" {
						errs <- fmt.Errorf("claimed delivery %d in state %s by %q token %q", d.ID, d.Status, d.ClaimedBy, d.ClaimToken)
					}
					if _, ok := seen[d.ID]; ok {
						dup = append(dup, d.ID)
					}
					seen[d.ID] = worker
				}
				mu.Unlock()
				if _, err := s.MarkDelivered(ctx, t0, claimsOf(ds)); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if len(dup) > 0 {
		t.Fatalf("deliveries claimed twice: %v", dup)
	}
	if len(seen) != total {
		t.Fatalf("claimed %d deliveries, want %d", len(seen), total)
	}
	counts, err := s.CountDeliveries(ctx)
	if err != nil || counts[store.DeliveryDelivered] != total {
		t.Errorf("counts %v, %v; want %d delivered", counts, err, total)
	}
}

// A claim that expires is taken over with a new token; the old token can
// no longer acknowledge.
func testClaimExpired(t *testing.T, s store.Store) {
	ctx := context.Background()
	d0 := newDelivery(0, "p1", 1)
	enqueue(t, s, d0)
	first := claim(t, s, "w1", 10, t0, time.Minute)
	if len(first) != 1 {
		t.Fatalf("first claim got %d", len(first))
	}
	if got := claim(t, s, "w2", 10, t0.Add(30*time.Second), time.Minute); len(got) != 0 {
		t.Fatalf("claim held for a minute was taken after 30s: %+v", got)
	}
	second := claim(t, s, "w2", 10, t0.Add(2*time.Minute), time.Minute)
	if len(second) != 1 || second[0].ClaimToken == first[0].ClaimToken || second[0].ClaimedBy != "w2" {
		t.Fatalf("expired claim not retaken with a new token: %+v", second)
	}
	if n, err := s.MarkDelivered(ctx, t0, claimsOf(first)); err != nil || n != 0 {
		t.Errorf("old token marked %d delivered (%v), want 0", n, err)
	}
	if n, err := s.MarkFailed(ctx, []store.Failure{{Claim: claimsOf(first)[0], Error: "x", RetryAt: t0}}); err != nil || n != 0 {
		t.Errorf("old token marked %d failed (%v), want 0", n, err)
	}
	if n, err := s.MarkDelivered(ctx, t0.Add(3*time.Minute), claimsOf(second)); err != nil || n != 1 {
		t.Errorf("current token marked %d delivered (%v), want 1", n, err)
	}
	d := getDelivery(t, s, d0.Key)
	if d.Status != store.DeliveryDelivered || !d.DeliveredAt.Equal(t0.Add(3*time.Minute)) {
		t.Errorf("after delivery: %+v", d)
	}
	if n, err := s.MarkDelivered(ctx, t0, claimsOf(second)); err != nil || n != 0 {
		t.Errorf("marking a delivered delivery again marked %d (%v)", n, err)
	}
	if got := claim(t, s, "w3", 10, t0.Add(time.Hour), time.Minute); len(got) != 0 {
		t.Errorf("a delivered delivery was claimed again: %+v", got)
	}
}

func testBackoffDeadRedrive(t *testing.T, s store.Store) {
	ctx := context.Background()
	d0 := newDelivery(0, "p1", 1)
	enqueue(t, s, d0)
	c := claim(t, s, "w", 1, t0, time.Minute)
	if len(c) != 1 {
		t.Fatalf("claim got %d", len(c))
	}
	retry := t0.Add(10 * time.Minute)
	if n, err := s.MarkFailed(ctx, []store.Failure{{Claim: claimsOf(c)[0], Error: "接收方 503", RetryAt: retry}}); err != nil || n != 1 {
		t.Fatalf("mark failed: %d, %v", n, err)
	}
	d := getDelivery(t, s, d0.Key)
	if d.Status != store.DeliveryPending || d.Attempts != 1 || !d.NextAttemptAt.Equal(retry) || d.LastError != "接收方 503" {
		t.Fatalf("after a failure: %+v", d)
	}
	if got := claim(t, s, "w", 1, t0.Add(5*time.Minute), time.Minute); len(got) != 0 {
		t.Fatal("claimed before its back-off ended")
	}
	c = claim(t, s, "w", 1, retry, time.Minute)
	if len(c) != 1 || c[0].Attempts != 1 {
		t.Fatalf("claim after back-off: %+v", c)
	}
	if n, err := s.MarkFailed(ctx, []store.Failure{{Claim: claimsOf(c)[0], Error: "gave up", Dead: true}}); err != nil || n != 1 {
		t.Fatalf("mark dead: %d, %v", n, err)
	}
	if got := claim(t, s, "w", 1, t0.Add(24*time.Hour), time.Minute); len(got) != 0 {
		t.Fatal("a dead letter was claimed")
	}
	dead, err := s.ListDead(ctx, 0, 10)
	if err != nil || len(dead) != 1 || dead[0].Key != d0.Key || dead[0].Attempts != 2 || dead[0].Status != store.DeliveryDead {
		t.Fatalf("dead letters: %+v, %v", dead, err)
	}
	if more, err := s.ListDead(ctx, dead[0].ID, 10); err != nil || len(more) != 0 {
		t.Errorf("dead letters after the last: %+v, %v", more, err)
	}
	if n, err := s.Redrive(ctx, []int64{dead[0].ID, dead[0].ID + 1000}, t0.Add(time.Hour)); err != nil || n != 1 {
		t.Fatalf("redrive: %d, %v", n, err)
	}
	d = getDelivery(t, s, d0.Key)
	if d.Status != store.DeliveryPending || d.Attempts != 0 {
		t.Fatalf("after redrive: %+v", d)
	}
	if got := claim(t, s, "w", 1, t0.Add(time.Hour), time.Minute); len(got) != 1 {
		t.Fatal("redriven delivery not claimable")
	}
}

func testReleaseAndCaps(t *testing.T, s store.Store) {
	ctx := context.Background()
	a, b := newDelivery(0, "p1", 1), newDelivery(0, "p2", 1) // same subject
	other := newDelivery(1, "p1", 1)
	other.Kind = "deadline_reminder"
	enqueue(t, s, a, b, other)
	got, err := s.Claim(ctx, store.ClaimRequest{Worker: "w", Channel: "inbox", Kinds: []string{"deadline_reminder"}, Limit: 10, Now: t0, TTL: time.Minute})
	if err != nil || len(got) != 1 || got[0].Key != other.Key {
		t.Fatalf("claim by kind: %+v, %v", got, err)
	}
	if got, _ := s.Claim(ctx, store.ClaimRequest{Worker: "w", Channel: "sms", Limit: 10, Now: t0, TTL: time.Minute}); len(got) != 0 {
		t.Fatalf("claim on another channel got %d", len(got))
	}
	c := claim(t, s, "w", 10, t0, time.Minute)
	if len(c) != 2 {
		t.Fatalf("claim got %d, want 2", len(c))
	}
	if _, err := s.MarkDelivered(ctx, t0, claimsOf(c[:1])); err != nil {
		t.Fatal(err)
	}
	tomorrow := t0.Add(24 * time.Hour)
	if n, err := s.Release(ctx, tomorrow, claimsOf(c[1:])); err != nil || n != 1 {
		t.Fatalf("release: %d, %v", n, err)
	}
	d := getDelivery(t, s, c[1].Key)
	if d.Status != store.DeliveryPending || d.Attempts != 0 || !d.NextAttemptAt.Equal(tomorrow) {
		t.Errorf("released: %+v", d)
	}
	counts, err := s.DeliveredSince(ctx, corpus.AudienceEnterprise, []string{a.SubjectID, other.SubjectID, "x"}, t0)
	if err != nil || counts[a.SubjectID] != 1 || counts[other.SubjectID] != 0 {
		t.Errorf("delivered since: %v, %v", counts, err)
	}
	if counts, _ := s.DeliveredSince(ctx, corpus.AudienceEnterprise, []string{a.SubjectID}, t0.Add(time.Second)); counts[a.SubjectID] != 0 {
		t.Errorf("delivered since a later time: %v", counts)
	}
}

// Retracting a policy cancels what has not gone out and stops its grants.
func testCancelForPolicy(t *testing.T, s store.Store) {
	ctx := context.Background()
	enqueue(t, s, newDelivery(0, "p1", 1), newDelivery(1, "p1", 1), newDelivery(2, "p1", 2), newDelivery(3, "q", 1))
	inFlight := claim(t, s, "w", 1, t0, time.Minute)
	if len(inFlight) != 1 || inFlight[0].PolicyID != "p1" {
		t.Fatalf("claim: %+v", inFlight)
	}
	gs := []store.Grant{grant("g1", "p1", 1), grant("g2", "p1", 2), grant("g3", "q", 1)}
	if _, err := s.PutGrants(ctx, gs); err != nil {
		t.Fatal(err)
	}
	nd, ng, err := s.CancelForPolicy(ctx, "p1", 2, "新版本取代")
	if err != nil || nd != 2 || ng != 1 {
		t.Fatalf("cancel below version 2: %d deliveries, %d grants, %v; want 2, 1", nd, ng, err)
	}
	nd, ng, err = s.CancelForPolicy(ctx, "p1", 0, "政策已废止")
	if err != nil || nd != 1 || ng != 1 {
		t.Fatalf("cancel all versions: %d deliveries, %d grants, %v; want 1, 1", nd, ng, err)
	}
	if n, err := s.MarkDelivered(ctx, t0, claimsOf(inFlight)); err != nil || n != 0 {
		t.Errorf("a cancelled delivery was marked delivered: %d, %v", n, err)
	}
	left := claim(t, s, "w", 10, t0.Add(time.Hour), time.Minute)
	if len(left) != 1 || left[0].PolicyID != "q" {
		t.Errorf("after cancel, claimable: %+v; want only q's", left)
	}
	g, err := s.GetGrant(ctx, "g2")
	if err != nil || g.Status != store.GrantStopped || g.Reason != "政策已废止" {
		t.Errorf("grant after retraction: %+v, %v", g, err)
	}
	if g, _ := s.GetGrant(ctx, "g3"); g.Status != store.GrantNotified {
		t.Errorf("other policy's grant: %s", g.Status)
	}
}

func grant(key, policy string, version int) store.Grant {
	return store.Grant{
		Key: key, PolicyID: policy, Version: version, BenefitKey: "b1", BenefitName: "稳岗返还",
		SubjectKind: corpus.AudienceEnterprise, SubjectID: "91370800MA00000001" + key,
		Facts:  []byte(`{"facts":[{"key":"insured_count","value":30,"source":"人社局"}]}`),
		Amount: 12345.5, HasAmount: true, AmountText: "上年度缴纳失业保险费的50%",
		Status: store.GrantNotified, CreatedAt: t0, ObjectionEndsAt: t0.Add(7 * 24 * time.Hour),
	}
}

func testGrants(t *testing.T, s store.Store) {
	ctx := context.Background()
	g1, g2 := grant("g1", "p1", 1), grant("g2", "p1", 1)
	g2.HasAmount, g2.Amount = false, 0
	g2.ObjectionEndsAt = t0.Add(30 * 24 * time.Hour)
	if n, err := s.PutGrants(ctx, []store.Grant{g1, g2}); err != nil || n != 2 {
		t.Fatalf("put grants: %d, %v", n, err)
	}
	dupSubject := g1
	dupSubject.Key = "other key, same subject benefit version"
	if n, err := s.PutGrants(ctx, []store.Grant{g1, dupSubject}); err != nil || n != 0 {
		t.Fatalf("put grants again: %d, %v; want 0", n, err)
	}
	got, err := s.GetGrant(ctx, "g1")
	if err != nil || !got.HasAmount || got.Amount != 12345.5 || string(got.Facts) != string(g1.Facts) ||
		!got.ObjectionEndsAt.Equal(g1.ObjectionEndsAt) || got.Status != store.GrantNotified {
		t.Fatalf("grant read back: %+v, %v", got, err)
	}
	if got, _ := s.GetGrant(ctx, "g2"); got.HasAmount {
		t.Errorf("grant without amount has one: %+v", got)
	}
	if n, err := s.ReadyDueGrants(ctx, t0.Add(24*time.Hour)); err != nil || n != 0 {
		t.Fatalf("ready inside the window: %d, %v", n, err)
	}
	if err := s.SetGrantStatus(ctx, "g2", []store.GrantStatus{store.GrantNotified}, store.GrantHeld, "企业提出异议", t0); err != nil {
		t.Fatal(err)
	}
	if err := s.SetGrantStatus(ctx, "g2", []store.GrantStatus{store.GrantNotified}, store.GrantHeld, "again", t0); !errors.Is(err, store.ErrConflict) {
		t.Errorf("hold a held grant: %v, want ErrConflict", err)
	}
	if err := s.SetGrantStatus(ctx, "nope", []store.GrantStatus{store.GrantNotified}, store.GrantHeld, "", t0); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("hold a missing grant: %v, want ErrNotFound", err)
	}
	if n, err := s.ReadyDueGrants(ctx, t0.Add(40*24*time.Hour)); err != nil || n != 1 {
		t.Fatalf("ready after the window: %d, %v; want 1 (the held one stays)", n, err)
	}
	ready, err := s.ListGrants(ctx, store.GrantFilter{Status: store.GrantReady})
	if err != nil || len(ready) != 1 || ready[0].Key != "g1" {
		t.Fatalf("ready grants: %+v, %v", ready, err)
	}
	if n, err := s.MarkGrantsExported(ctx, []string{"g1", "g2"}, t0); err != nil || n != 1 {
		t.Fatalf("export: %d, %v; want 1", n, err)
	}
	if _, ng, err := s.CancelForPolicy(ctx, "p1", 0, "废止"); err != nil || ng != 1 {
		t.Errorf("retraction stopped %d grants (%v); want 1: an exported grant stays", ng, err)
	}
	all, err := s.ListGrants(ctx, store.GrantFilter{PolicyID: "p1", AfterKey: "g1"})
	if err != nil || len(all) != 1 || all[0].Key != "g2" || all[0].Status != store.GrantStopped {
		t.Errorf("list after g1: %+v, %v", all, err)
	}
	mine, err := s.ListGrants(ctx, store.GrantFilter{SubjectKind: corpus.AudienceEnterprise, SubjectID: g2.SubjectID})
	if err != nil || len(mine) != 1 || mine[0].Key != "g2" {
		t.Errorf("one subject's grants: %+v, %v", mine, err)
	}
	if other, err := s.ListGrants(ctx, store.GrantFilter{SubjectKind: corpus.AudienceResident, SubjectID: g2.SubjectID}); err != nil || len(other) != 0 {
		t.Errorf("a resident with the enterprise's id: %+v, %v", other, err)
	}
}

func testInbox(t *testing.T, s store.Store) {
	ctx := context.Background()
	item := func(i int, subject string) store.InboxItem {
		return store.InboxItem{
			Key: fmt.Sprint("k", i), SubjectKind: corpus.AudienceResident, SubjectID: subject, Kind: "new_policy",
			Channel: "inbox", Title: fmt.Sprint("消息", i), Body: "正文", PolicyID: "p1", Version: 1, BenefitKey: "b1",
			DueDate: "2026-06-30",
		}
	}
	ins, err := s.PutInbox(ctx, []store.InboxItem{item(1, "r1"), item(2, "r1"), item(3, "r2")})
	if err != nil || !slices.Equal(ins, []bool{true, true, true}) {
		t.Fatalf("put inbox: %v, %v", ins, err)
	}
	changed := item(1, "r1")
	changed.Title = "改过"
	ins, err = s.PutInbox(ctx, []store.InboxItem{changed, item(4, "r1"), item(4, "r1")})
	if err != nil || !slices.Equal(ins, []bool{false, true, false}) {
		t.Fatalf("put inbox again: %v, %v; want [false true false]", ins, err)
	}
	if n, err := s.CountInbox(ctx); err != nil || n != 4 {
		t.Errorf("count inbox: %d, %v", n, err)
	}
	list, err := s.ListInbox(ctx, store.InboxQuery{SubjectKind: corpus.AudienceResident, SubjectID: "r1", Limit: 2})
	if err != nil || len(list) != 2 || list[0].Key != "k4" || list[1].Key != "k2" {
		t.Fatalf("list inbox page 1: %+v, %v", list, err)
	}
	rest, err := s.ListInbox(ctx, store.InboxQuery{SubjectKind: corpus.AudienceResident, SubjectID: "r1", BeforeSeq: list[1].Seq})
	if err != nil || len(rest) != 1 || rest[0].Key != "k1" || rest[0].Title != "消息1" {
		t.Fatalf("list inbox page 2: %+v, %v", rest, err)
	}
	if _, err := s.UpdateInbox(ctx, corpus.AudienceResident, "r2", "k1", store.InboxUpdate{Read: true}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("another subject's message: %v, want ErrNotFound", err)
	}
	at := t0
	it, err := s.UpdateInbox(ctx, corpus.AudienceResident, "r1", "k1", store.InboxUpdate{Read: true, At: at})
	if err != nil || !it.ReadAt.Equal(at) {
		t.Fatalf("mark read: %+v, %v", it, err)
	}
	it, err = s.UpdateInbox(ctx, corpus.AudienceResident, "r1", "k1", store.InboxUpdate{Read: true, Rating: 5, Comment: "很方便", At: at.Add(time.Hour)})
	if err != nil || !it.ReadAt.Equal(at) || it.Rating != 5 || it.Comment != "很方便" {
		t.Fatalf("rate: %+v, %v (read time must stay the first)", it, err)
	}
	if _, err := s.UpdateInbox(ctx, corpus.AudienceResident, "r1", "k1", store.InboxUpdate{Rating: 6}); err == nil {
		t.Error("rating 6 accepted")
	}
	it, err = s.UpdateInbox(ctx, corpus.AudienceResident, "r1", "k2", store.InboxUpdate{Decline: true, DeclineReason: "不需要", Question: "如何申请？", At: at})
	if err != nil || !it.DeclinedAt.Equal(at) || it.DeclineReason != "不需要" || it.Question != "如何申请？" || !it.AskedAt.Equal(at) {
		t.Fatalf("decline and ask: %+v, %v", it, err)
	}
	unread, err := s.ListInbox(ctx, store.InboxQuery{SubjectKind: corpus.AudienceResident, SubjectID: "r1", UnreadOnly: true})
	if err != nil || len(unread) != 2 {
		t.Errorf("unread: %d, %v; want 2", len(unread), err)
	}
}

// A subject who declines a benefit gets no more pushes about it.
func testCancelSubject(t *testing.T, s store.Store) {
	ctx := context.Background()
	mk := func(i int, subject, benefit, kind string) store.NewDelivery {
		d := newDelivery(i, "p1", 1)
		d.SubjectID, d.BenefitKey, d.Kind = subject, benefit, kind
		d.Key = fmt.Sprint(kind, subject, benefit)
		return d
	}
	sent := mk(0, "s1", "b1", "new_policy")
	reminder := mk(1, "s1", "b1", "deadline_reminder")
	reminder.NotBefore = t0.Add(30 * 24 * time.Hour)
	otherBenefit := mk(2, "s1", "b2", "new_policy")
	otherSubject := mk(3, "s2", "b1", "new_policy")
	enqueue(t, s, sent, reminder, otherBenefit, otherSubject)
	c := claim(t, s, "w", 1, t0, time.Minute)
	if len(c) != 1 || c[0].Key != sent.Key || c[0].BenefitKey != "b1" {
		t.Fatalf("claim: %+v", c)
	}
	if _, err := s.MarkDelivered(ctx, t0, claimsOf(c)); err != nil {
		t.Fatal(err)
	}
	n, err := s.CancelSubject(ctx, corpus.AudienceEnterprise, "s1", "p1", "b1", "不需要")
	if err != nil || n != 1 {
		t.Fatalf("cancel subject: %d, %v; want 1 (the reminder)", n, err)
	}
	for key, want := range map[string]store.DeliveryStatus{sent.Key: store.DeliveryDelivered, reminder.Key: store.DeliveryCancelled,
		otherBenefit.Key: store.DeliveryPending, otherSubject.Key: store.DeliveryPending} {
		if d := getDelivery(t, s, key); d.Status != want {
			t.Errorf("%s: %s, want %s", key, d.Status, want)
		}
	}
	if n, err := s.CancelSubject(ctx, corpus.AudienceEnterprise, "s1", "p1", "", "全部"); err != nil || n != 1 {
		t.Errorf("cancel every benefit: %d, %v; want 1", n, err)
	}
}

// Nobody is paid before being told: a grant with a notice becomes ready
// only a full objection window after the notice was delivered.
func testGrantsWaitForNotice(t *testing.T, s store.Store) {
	ctx := context.Background()
	notice := newDelivery(0, "p1", 1)
	notice.Kind = "apply_free_notice"
	enqueue(t, s, notice)
	g := grant("g1", "p1", 1)
	g.NoticeKey, g.ObjectionWindow = notice.Key, 7*24*time.Hour
	if _, err := s.PutGrants(ctx, []store.Grant{g}); err != nil {
		t.Fatal(err)
	}
	if got, err := s.GetGrant(ctx, "g1"); err != nil || got.NoticeKey != notice.Key || got.ObjectionWindow != g.ObjectionWindow {
		t.Fatalf("grant read back: %+v, %v", got, err)
	}
	if n, err := s.ReadyDueGrants(ctx, t0.Add(30*24*time.Hour)); err != nil || n != 0 {
		t.Fatalf("ready with the notice never delivered: %d, %v", n, err)
	}
	c := claim(t, s, "w", 1, t0, time.Minute)
	delivered := t0.Add(3 * 24 * time.Hour) // the receiver was down for three days
	if _, err := s.MarkDelivered(ctx, delivered, claimsOf(c)); err != nil {
		t.Fatal(err)
	}
	if n, err := s.ReadyDueGrants(ctx, delivered.Add(7*24*time.Hour-time.Second)); err != nil || n != 0 {
		t.Fatalf("ready before a full window after the notice: %d, %v", n, err)
	}
	if n, err := s.ReadyDueGrants(ctx, delivered.Add(7*24*time.Hour)); err != nil || n != 1 {
		t.Fatalf("ready a full window after the notice: %d, %v", n, err)
	}
}

// PolicyMatches lists a version's eligible and unknown results across
// pages, in key order, and lets its callback write to the store.
func testPolicyMatches(t *testing.T, s store.Store) {
	ctx := context.Background()
	var recs []store.MatchRecord
	want := 0
	for i := range 2300 {
		v := []string{"eligible", "unknown", "ineligible"}[i%3]
		if v != "ineligible" {
			want++
		}
		recs = append(recs, store.MatchRecord{SubjectKind: corpus.AudienceEnterprise, SubjectID: fmt.Sprintf("S%05d", i/2),
			PolicyID: "p1", Version: 1, BenefitKey: fmt.Sprint("b", i%2+1), Verdict: v, Score: 0.5, Grant: v == "eligible",
			Explanation: []byte(`{"met":["条件"]}`), MatchedAt: t0})
	}
	recs = append(recs, store.MatchRecord{SubjectKind: corpus.AudienceResident, SubjectID: "R1", PolicyID: "p1", Version: 2,
		BenefitKey: "b1", Verdict: "eligible", MatchedAt: t0})
	if err := s.PutMatches(ctx, recs); err != nil {
		t.Fatal(err)
	}
	var got []store.MatchRecord
	err := s.PolicyMatches(ctx, "p1", 1, func(r store.MatchRecord) error {
		if len(got)%500 == 0 { // the callback may write
			if _, err := s.Enqueue(ctx, []store.NewDelivery{newDelivery(len(got), "p1", 1)}); err != nil {
				return err
			}
		}
		got = append(got, r)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != want {
		t.Fatalf("listed %d matches, want %d", len(got), want)
	}
	for i, r := range got {
		if r.Verdict == "ineligible" || r.Version != 1 || r.PolicyID != "p1" {
			t.Fatalf("listed %+v", r)
		}
		if i > 0 {
			p := got[i-1]
			if p.SubjectID > r.SubjectID || (p.SubjectID == r.SubjectID && p.BenefitKey >= r.BenefitKey) {
				t.Fatalf("out of order at %d: %s/%s after %s/%s", i, r.SubjectID, r.BenefitKey, p.SubjectID, p.BenefitKey)
			}
		}
	}
	if got[0].Grant != (got[0].Verdict == "eligible") || string(got[0].Explanation) == "" {
		t.Errorf("first record: %+v", got[0])
	}
	stop := errors.New("stop")
	n := 0
	if err := s.PolicyMatches(ctx, "p1", 1, func(store.MatchRecord) error { n++; return stop }); !errors.Is(err, stop) || n != 1 {
		t.Errorf("callback error: %v after %d", err, n)
	}
}

// A claim without a time runs on the database's clock.
func testClaimDatabaseClock(t *testing.T, s store.Store) {
	ctx := context.Background()
	due, later := newDelivery(0, "p1", 1), newDelivery(1, "p1", 1)
	due.NotBefore = time.Now().Add(-time.Hour)
	later.NotBefore = time.Now().Add(365 * 24 * time.Hour)
	enqueue(t, s, due, later)
	got, err := s.Claim(ctx, store.ClaimRequest{Worker: "w", Channel: "inbox", Limit: 10, TTL: time.Hour})
	if err != nil || len(got) != 1 || got[0].Key != due.Key {
		t.Fatalf("claim on the database clock: %+v, %v", got, err)
	}
	if exp := got[0].NextAttemptAt; exp.Before(time.Now().Add(50*time.Minute)) || exp.After(time.Now().Add(70*time.Minute)) {
		t.Errorf("claim expires at %s, want about an hour from now", exp)
	}
}

// A new version cancels the older versions' pushes that have not gone out
// and stops their grants still in the objection window or held; a ready
// grant, an exported one and the new version's own stay as they are.
func testSupersededVersion(t *testing.T, s store.Store) {
	ctx := context.Background()
	pending, delivered, inFlight, v2 := newDelivery(0, "p1", 1), newDelivery(1, "p1", 1), newDelivery(2, "p1", 1), newDelivery(3, "p1", 2)
	enqueue(t, s, delivered)
	if _, err := s.MarkDelivered(ctx, t0, claimsOf(claim(t, s, "w", 1, t0, time.Minute))); err != nil {
		t.Fatal(err)
	}
	enqueue(t, s, inFlight)
	sending := claim(t, s, "w", 1, t0, time.Minute)
	enqueue(t, s, pending, v2)

	notified, held, ready, exported, g2 := grant("g-notified", "p1", 1), grant("g-held", "p1", 1), grant("g-ready", "p1", 1),
		grant("g-exported", "p1", 1), grant("g-v2", "p1", 2)
	if _, err := s.PutGrants(ctx, []store.Grant{notified, held, ready, exported, g2}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetGrantStatus(ctx, held.Key, []store.GrantStatus{store.GrantNotified}, store.GrantHeld, "异议", t0); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{ready.Key, exported.Key} {
		if err := s.SetGrantStatus(ctx, k, []store.GrantStatus{store.GrantNotified}, store.GrantReady, "", t0); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.MarkGrantsExported(ctx, []string{exported.Key}, t0); err != nil {
		t.Fatal(err)
	}

	nd, ng, err := s.CancelForPolicy(ctx, "p1", 2, "政策已更新为第2版")
	if err != nil || nd != 2 || ng != 2 {
		t.Fatalf("supersede: %d deliveries, %d grants, %v; want 2 (pending, in flight), 2 (notified, held)", nd, ng, err)
	}
	for key, want := range map[string]store.DeliveryStatus{pending.Key: store.DeliveryCancelled, inFlight.Key: store.DeliveryCancelled,
		delivered.Key: store.DeliveryDelivered, v2.Key: store.DeliveryPending} {
		if d := getDelivery(t, s, key); d.Status != want {
			t.Errorf("delivery %s (version %d): %s, want %s", key, d.Version, d.Status, want)
		}
	}
	if n, err := s.MarkDelivered(ctx, t0, claimsOf(sending)); err != nil || n != 0 {
		t.Errorf("a superseded delivery in flight was marked delivered: %d, %v", n, err)
	}
	for key, want := range map[string]store.GrantStatus{notified.Key: store.GrantStopped, held.Key: store.GrantStopped,
		ready.Key: store.GrantReady, exported.Key: store.GrantReady, g2.Key: store.GrantNotified} {
		g, err := s.GetGrant(ctx, key)
		if err != nil || g.Status != want {
			t.Errorf("grant %s: %s (%v), want %s", key, g.Status, err, want)
		}
		if want == store.GrantStopped && g.Reason != "政策已更新为第2版" {
			t.Errorf("grant %s stopped with reason %q", key, g.Reason)
		}
	}
	left := claim(t, s, "w", 10, t0.Add(time.Hour), time.Minute)
	if len(left) != 1 || left[0].Key != v2.Key {
		t.Errorf("claimable after the new version: %+v; want only version 2's", left)
	}
	// Applying the same event again changes nothing.
	if nd, ng, err := s.CancelForPolicy(ctx, "p1", 2, "政策已更新为第2版"); err != nil || nd != 0 || ng != 0 {
		t.Errorf("supersede again: %d, %d, %v; want nothing", nd, ng, err)
	}
}

// SweepsToPlan lists done sweeps not yet planned, once.
func testPushPlans(t *testing.T, s store.Store) {
	ctx := context.Background()
	for _, k := range []string{"sw-a", "sw-b"} {
		if _, err := s.StartSweep(ctx, k, "p-"+k, 1, 2); err != nil {
			t.Fatal(err)
		}
	}
	toPlan := func() []string {
		t.Helper()
		sws, err := s.SweepsToPlan(ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		var keys []string
		for _, sw := range sws {
			if sw.Done != sw.Shards {
				t.Errorf("sweep %s to plan with %d of %d shards done", sw.Key, sw.Done, sw.Shards)
			}
			keys = append(keys, sw.Key)
		}
		return keys
	}
	if got := toPlan(); len(got) != 0 {
		t.Fatalf("sweeps to plan before any shard is done: %v", got)
	}
	// Finish one shard of each, then the other shard of sw-b.
	var leases []store.Lease
	for range 4 {
		l, ok, err := s.LeaseShard(ctx, "w", time.Minute)
		if err != nil || !ok {
			t.Fatalf("lease: %v, %v", ok, err)
		}
		leases = append(leases, l)
	}
	for _, l := range leases {
		if l.SweepKey == "sw-b" || l.Shard == 0 {
			if err := s.CompleteShard(ctx, l); err != nil {
				t.Fatal(err)
			}
		}
	}
	if got := toPlan(); !slices.Equal(got, []string{"sw-b"}) {
		t.Fatalf("sweeps to plan: %v; want [sw-b] (sw-a has a shard open)", got)
	}
	for range 2 {
		if err := s.MarkSweepPlanned(ctx, "sw-b", "planned", t0); err != nil {
			t.Fatal(err)
		}
	}
	if got := toPlan(); len(got) != 0 {
		t.Fatalf("sweeps to plan after marking: %v", got)
	}
	for _, l := range leases {
		if l.SweepKey == "sw-a" && l.Shard != 0 {
			if err := s.CompleteShard(ctx, l); err != nil {
				t.Fatal(err)
			}
		}
	}
	if got := toPlan(); !slices.Equal(got, []string{"sw-a"}) {
		t.Fatalf("sweeps to plan: %v; want [sw-a]", got)
	}
}
