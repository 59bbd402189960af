package pusher_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/zhida/zhida/corpus"
	"github.com/zhida/zhida/pusher"
	"github.com/zhida/zhida/rpc"
	pb "github.com/zhida/zhida/rpc/zhidav1"
	"github.com/zhida/zhida/store"
	"github.com/zhida/zhida/store/sqlite"
)

var quietLog = slog.New(slog.NewTextHandler(io.Discard, nil))

// workerFixture is a store with a built-in receiver (its own store) served
// over HTTP, and a worker on a movable clock.
type workerFixture struct {
	out, in store.Store
	srv     *httptest.Server
	w       *pusher.Worker
	now     time.Time
}

func newWorkerFixture(t *testing.T) *workerFixture {
	t.Helper()
	ctx := context.Background()
	out, err := sqlite.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { out.Close() })
	in, err := sqlite.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { in.Close() })
	srv := httptest.NewServer(rpc.NewHandler(rpc.Config{Store: in, PusherToken: helperToken, Log: quietLog}))
	t.Cleanup(srv.Close)
	f := &workerFixture{out: out, in: in, srv: srv, now: time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC)}
	f.w = &pusher.Worker{Queue: out, Name: "test-worker", Log: quietLog, Now: func() time.Time { return f.now },
		Senders: map[string]pb.Delivery{pusher.ChannelInbox: pusher.NewTwirpSender(srv.URL, helperToken, srv.Client())}}
	return f
}

func (f *workerFixture) enqueue(t *testing.T, subject, kind, title string) string {
	t.Helper()
	key := fmt.Sprintf("%s|%s|%s", kind, subject, title)
	_, err := f.out.Enqueue(context.Background(), []store.NewDelivery{{Key: key, SubjectKind: corpus.AudienceResident,
		SubjectID: subject, Kind: kind, Channel: pusher.ChannelInbox, PolicyID: "p1", Version: 1, NotBefore: f.now,
		Payload: fmt.Appendf(nil, `{"kind":%q,"title":%q,"body":"正文","benefit_key":"b1"}`, kind, title)}})
	if err != nil {
		t.Fatal(err)
	}
	return key
}

func (f *workerFixture) status(t *testing.T, key string) store.Delivery {
	t.Helper()
	d, err := f.out.GetDelivery(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestWorkerQuietHoursAndCap(t *testing.T) {
	ctx := context.Background()
	f := newWorkerFixture(t)
	quiet, _ := pusher.ParseQuietHours("22:00-08:00")
	rule := pusher.Rule{Channel: pusher.ChannelInbox, Quiet: quiet, DailyCap: 2, Batch: 10}
	a1 := f.enqueue(t, "r1", pusher.KindNewPolicy, "一")
	a2 := f.enqueue(t, "r1", pusher.KindNewPolicy, "二")
	a3 := f.enqueue(t, "r1", pusher.KindNeedsInfo, "三")
	b1 := f.enqueue(t, "r2", pusher.KindNewPolicy, "一")

	f.now = time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC) // 23:00 China time
	st, err := f.w.Drain(ctx, rule)
	if err != nil || st.Claimed != 0 {
		t.Fatalf("in quiet hours: %+v, %v; want nothing claimed", st, err)
	}
	f.now = time.Date(2026, 3, 3, 1, 0, 0, 0, time.UTC) // 09:00 China time
	st, err = f.w.Drain(ctx, rule)
	if err != nil || st.Claimed != 4 || st.Delivered != 3 || st.Deferred != 1 {
		t.Fatalf("first run: %+v, %v; want 4 claimed, 3 delivered, 1 deferred", st, err)
	}
	deferred := ""
	for _, k := range []string{a1, a2, a3} {
		if f.status(t, k).Status == store.DeliveryPending {
			deferred = k
		}
	}
	d := f.status(t, deferred)
	if wantAt := time.Date(2026, 3, 4, 0, 0, 0, 0, time.UTC); !d.NextAttemptAt.Equal(wantAt) || d.Attempts != 0 {
		t.Errorf("over the cap: due %s with %d attempts, want %s (08:00 China time next day) and none", d.NextAttemptAt, d.Attempts, wantAt)
	}
	if got := f.status(t, b1).Status; got != store.DeliveryDelivered {
		t.Errorf("other subject: %s", got)
	}
	if st, _ := f.w.Drain(ctx, rule); st.Claimed != 0 {
		t.Errorf("same day again claimed %d", st.Claimed)
	}
	f.now = time.Date(2026, 3, 4, 0, 0, 0, 0, time.UTC)
	if st, err := f.w.Drain(ctx, rule); err != nil || st.Delivered != 1 {
		t.Errorf("next day: %+v, %v", st, err)
	}
	items, err := f.in.ListInbox(ctx, store.InboxQuery{SubjectKind: corpus.AudienceResident, SubjectID: "r1"})
	if err != nil || len(items) != 3 {
		t.Errorf("r1's inbox: %d items, %v", len(items), err)
	}
}

func TestWorkerRetriesAndDeadLetters(t *testing.T) {
	ctx := context.Background()
	f := newWorkerFixture(t)
	rule := pusher.Rule{Channel: pusher.ChannelInbox, MaxAttempts: 2, BaseBackoff: time.Minute, MaxBackoff: time.Hour}
	bad := f.enqueue(t, "r1", pusher.KindNewPolicy, "") // no title: the receiver rejects it for good
	good := f.enqueue(t, "r2", pusher.KindNewPolicy, "好")

	// Receiver unreachable: both fail and back off.
	f.w.Senders[pusher.ChannelInbox] = pusher.NewTwirpSender("http://127.0.0.1:1", helperToken, nil)
	st, err := f.w.Drain(ctx, rule)
	if err != nil || st.Retried != 2 {
		t.Fatalf("unreachable receiver: %+v, %v", st, err)
	}
	d := f.status(t, good)
	if d.Status != store.DeliveryPending || d.Attempts != 1 || d.NextAttemptAt.Before(f.now.Add(30*time.Second)) ||
		d.NextAttemptAt.After(f.now.Add(time.Minute)) || !strings.Contains(d.LastError, "deliver") {
		t.Fatalf("after one failure: %+v", d)
	}
	if st, _ := f.w.Drain(ctx, rule); st.Claimed != 0 {
		t.Fatal("claimed during back-off")
	}
	// Wrong token: refused, and that was the last attempt.
	f.w.Senders[pusher.ChannelInbox] = pusher.NewTwirpSender(f.srv.URL, "wrong", nil)
	f.now = f.now.Add(time.Minute)
	if st, err := f.w.Drain(ctx, rule); err != nil || st.Dead != 2 {
		t.Fatalf("second failure: %+v, %v; want both dead", st, err)
	}
	if d := f.status(t, good); d.Status != store.DeliveryDead || !strings.Contains(d.LastError, "token") {
		t.Fatalf("dead letter: %+v", d)
	}
	dead, err := f.out.ListDead(ctx, 0, 10)
	if err != nil || len(dead) != 2 {
		t.Fatalf("dead letters: %d, %v", len(dead), err)
	}
	// The receiver is back: redrive; the malformed one is rejected for good.
	f.w.Senders[pusher.ChannelInbox] = pusher.NewTwirpSender(f.srv.URL, helperToken, nil)
	if n, err := f.out.Redrive(ctx, []int64{dead[0].ID, dead[1].ID}, f.now); err != nil || n != 2 {
		t.Fatalf("redrive: %d, %v", n, err)
	}
	st, err = f.w.Drain(ctx, rule)
	if err != nil || st.Delivered != 1 || st.Dead != 1 {
		t.Fatalf("after redrive: %+v, %v", st, err)
	}
	if d := f.status(t, bad); d.Status != store.DeliveryDead || !strings.Contains(d.LastError, "rejected: title and body are required") || d.Attempts != 1 {
		t.Errorf("rejected item: %+v (a rejection is final on its first attempt)", d)
	}
	if d := f.status(t, good); d.Status != store.DeliveryDelivered {
		t.Errorf("good item: %+v", d)
	}
}

func TestWorkerMaxPerRun(t *testing.T) {
	ctx := context.Background()
	f := newWorkerFixture(t)
	for i := range 7 {
		f.enqueue(t, fmt.Sprint("r", i), pusher.KindNewPolicy, "标题")
	}
	rule := pusher.Rule{Channel: pusher.ChannelInbox, Batch: 2, MaxPerRun: 5}
	for i, want := range []int{5, 2, 0} {
		if st, err := f.w.Drain(ctx, rule); err != nil || st.Delivered != want || st.Claimed != want {
			t.Errorf("run %d: %+v, %v; want %d delivered", i, st, err, want)
		}
	}
}

// A retraction cancels what has not gone out: the worker then sends nothing.
func TestRetractionStopsPushes(t *testing.T) {
	ctx := context.Background()
	f := newWorkerFixture(t)
	f.enqueue(t, "r1", pusher.KindNewPolicy, "一")
	if err := pusher.HandleEvents(ctx, f.out, []store.Event{{ID: 1, Kind: corpus.EventRetracted, PolicyID: "p1", Version: 1}}); err != nil {
		t.Fatal(err)
	}
	if st, err := f.w.Drain(ctx, pusher.Rule{Channel: pusher.ChannelInbox}); err != nil || st.Claimed != 0 {
		t.Errorf("after retraction: %+v, %v", st, err)
	}
	if n, _ := f.in.CountInbox(ctx); n != 0 {
		t.Errorf("receiver got %d items", n)
	}
}

// Batches in flight at once keep the daily cap: a subject's pushes spread
// over many one-item batches sent four at a time still stop at the cap,
// and every other subject gets its push.
func TestWorkerParallelKeepsCap(t *testing.T) {
	ctx := context.Background()
	f := newWorkerFixture(t)
	for i := range 12 {
		f.enqueue(t, "r1", pusher.KindNewPolicy, fmt.Sprint("标题", i))
		f.enqueue(t, fmt.Sprint("other", i), pusher.KindNewPolicy, "标题")
	}
	rule := pusher.Rule{Channel: pusher.ChannelInbox, DailyCap: 3, Batch: 1, Parallel: 4}
	st, err := f.w.Drain(ctx, rule)
	if err != nil || st.Delivered != 3+12 || st.Deferred != 9 {
		t.Fatalf("parallel run: %+v, %v; want 15 delivered, 9 deferred", st, err)
	}
	items, err := f.in.ListInbox(ctx, store.InboxQuery{SubjectKind: corpus.AudienceResident, SubjectID: "r1", Limit: 50})
	if err != nil || len(items) != 3 {
		t.Errorf("r1's inbox: %d items, %v; want the cap, 3", len(items), err)
	}
}
