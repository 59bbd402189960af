package pusher_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/zhida/zhida/corpus"
	"github.com/zhida/zhida/pusher"
	"github.com/zhida/zhida/rpc"
	pb "github.com/zhida/zhida/rpc/zhidav1"
	"github.com/zhida/zhida/store"
	"github.com/zhida/zhida/store/open"
	"github.com/zhida/zhida/store/postgres"
	"github.com/zhida/zhida/store/postgres/pgtest"
	"github.com/zhida/zhida/store/sqlite"
)

// The pusher process of TestKilledPusher is this test binary re-executed
// with these variables set.
const (
	envHelper = "ZHIDA_PUSHER_HELPER"
	envPG     = "ZHIDA_PUSHER_HELPER_PG"
	envDir    = "ZHIDA_PUSHER_HELPER_DIR"
	envURL    = "ZHIDA_PUSHER_HELPER_URL"
	envWant   = "ZHIDA_PUSHER_HELPER_WANT"
)

const helperToken = "pusher-test-token"

func TestMain(m *testing.M) {
	if os.Getenv(envHelper) == "1" {
		os.Exit(helperMain())
	}
	os.Exit(m.Run())
}

// helperMain runs the pusher as production does (a cron scheduler driving a
// worker) until the store says every due delivery is delivered.
func helperMain() int {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	st, err := open.Open(ctx, os.Getenv(envPG), os.Getenv(envDir))
	if err != nil {
		fmt.Fprintln(os.Stderr, "helper: open store:", err)
		return 2
	}
	defer st.Close()
	want, _ := strconv.Atoi(os.Getenv(envWant))
	w := &pusher.Worker{
		Queue:   st,
		Senders: map[string]pb.Delivery{pusher.ChannelInbox: pusher.NewTwirpSender(os.Getenv(envURL), helperToken, nil)},
		Log:     log,
	}
	sched := pusher.NewScheduler(ctx, log)
	rule := pusher.Rule{Channel: pusher.ChannelInbox, Cron: "@every 1s", Batch: 40, MaxAttempts: 1000,
		ClaimTTL: 1500 * time.Millisecond, BaseBackoff: 50 * time.Millisecond, MaxBackoff: 500 * time.Millisecond}
	if err := sched.AddRule(w, rule); err != nil {
		fmt.Fprintln(os.Stderr, "helper:", err)
		return 2
	}
	sched.Start()
	defer sched.Stop()
	for ctx.Err() == nil {
		c, err := st.CountDeliveries(ctx)
		if err != nil {
			fmt.Fprintln(os.Stderr, "helper: count:", err)
			return 2
		}
		if c[store.DeliveryDelivered] >= int64(want) && c[store.DeliverySending] == 0 {
			return 0
		}
		time.Sleep(50 * time.Millisecond)
	}
	fmt.Fprintln(os.Stderr, "helper: timed out")
	return 3
}

// receiverProbe wraps the real receiver's HTTP handler: it counts, per
// idempotency key, the items the receiver answered ACCEPTED and DUPLICATE,
// and kills the pusher process right after the receiver has stored chosen
// batches, before the pusher can see the answer.
type receiverProbe struct {
	next http.Handler

	mu        sync.Mutex
	accepted  map[string]int
	dupKeys   map[string]bool
	dups      int
	batches   int
	killAt    map[int]bool
	kills     int
	proc      *os.Process
	protoErrs []error
}

func (p *receiverProbe) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec := httptest.NewRecorder()
	p.next.ServeHTTP(rec, r)
	if r.URL.Path == "/twirp/zhida.v1.Delivery/Deliver" && rec.Code == http.StatusOK {
		var resp pb.DeliverResponse
		err := proto.Unmarshal(rec.Body.Bytes(), &resp)
		p.mu.Lock()
		if err != nil {
			p.protoErrs = append(p.protoErrs, err)
		}
		for _, res := range resp.Results {
			switch res.Status {
			case pb.ItemStatus_ITEM_STATUS_ACCEPTED:
				p.accepted[res.IdempotencyKey]++
			case pb.ItemStatus_ITEM_STATUS_DUPLICATE:
				p.dups++
				p.dupKeys[res.IdempotencyKey] = true
			}
		}
		p.batches++
		if p.killAt[p.batches] && p.proc != nil {
			// The batch is stored; the pusher dies before it can mark it.
			if err := p.proc.Kill(); err == nil {
				p.kills++
			}
		}
		p.mu.Unlock()
	}
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	_, _ = io.Copy(w, bytes.NewReader(rec.Body.Bytes()))
}

// TestKilledPusher enqueues a few thousand pushes, runs the pusher as a
// separate process against the built-in receiver over real HTTP, SIGKILLs
// it in the middle of batches several times, restarts it, and checks that
// every due push reached the receiver exactly once and none was lost.
func TestKilledPusher(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	t.Run("sqlite", func(t *testing.T) {
		outDir, inDir := t.TempDir(), t.TempDir()
		out, err := sqlite.Open(context.Background(), outDir)
		if err != nil {
			t.Fatal(err)
		}
		defer out.Close()
		in, err := sqlite.Open(context.Background(), inDir)
		if err != nil {
			t.Fatal(err)
		}
		defer in.Close()
		runKilledPusher(t, out, in, []string{envDir + "=" + outDir})
	})
	t.Run("postgres", func(t *testing.T) {
		outURL, inURL := pgtest.Schema(t), pgtest.Schema(t)
		out, err := postgres.Open(context.Background(), outURL)
		if err != nil {
			t.Fatal(err)
		}
		defer out.Close()
		in, err := postgres.Open(context.Background(), inURL)
		if err != nil {
			t.Fatal(err)
		}
		defer in.Close()
		runKilledPusher(t, out, in, []string{envPG + "=" + outURL})
	})
}

func runKilledPusher(t *testing.T, outbox, inbox store.Store, storeEnv []string) {
	ctx := context.Background()
	const (
		due    = 3000
		future = 50
	)
	var (
		all     []store.NewDelivery
		dueKeys = map[string]bool{}
	)
	for i := range due + future {
		kind := pusher.Kinds[i%len(pusher.Kinds)]
		subj := fmt.Sprintf("91370800MA%08d", i%700) // several pushes per subject
		key := pusher.Key(kind, corpus.AudienceEnterprise, subj, "p"+strconv.Itoa(i/700), 1, "b"+strconv.Itoa(i))
		d := store.NewDelivery{Key: key, SubjectKind: corpus.AudienceEnterprise, SubjectID: subj, Kind: kind,
			Channel: pusher.ChannelInbox, PolicyID: "p" + strconv.Itoa(i/700), Version: 1,
			Payload: []byte(fmt.Sprintf(`{"kind":%q,"title":"标题%d","body":"正文%d","benefit_key":"b%d"}`, kind, i, i, i))}
		if i >= due {
			d.NotBefore = time.Now().Add(24 * time.Hour) // not due: must stay
		} else {
			dueKeys[key] = true
		}
		all = append(all, d)
	}
	if n, err := outbox.Enqueue(ctx, all); err != nil || n != due+future {
		t.Fatalf("enqueue: %d, %v", n, err)
	}

	probe := &receiverProbe{
		next:     rpc.NewHandler(rpc.Config{Store: inbox, PusherToken: helperToken, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}),
		accepted: map[string]int{},
		dupKeys:  map[string]bool{},
		// 75 batches of 40 in all; kill after these.
		killAt: map[int]bool{2: true, 9: true, 20: true, 33: true, 50: true},
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: probe}
	go srv.Serve(ln)
	defer srv.Close()

	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	lives := 0
	for ; ; lives++ {
		if lives > 15 {
			t.Fatalf("pusher restarted %d times without finishing", lives)
		}
		cmd := exec.Command(exe, "-test.run=^$")
		cmd.Env = append(os.Environ(), envHelper+"=1", envURL+"=http://"+ln.Addr().String(), envWant+"="+strconv.Itoa(due))
		cmd.Env = append(cmd.Env, storeEnv...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		probe.mu.Lock()
		probe.proc = cmd.Process
		probe.mu.Unlock()
		if lives == len(probe.killAt) {
			// Once, a kill at no particular point: while claiming, sending
			// or marking, whatever the process is doing.
			p := cmd.Process
			timer := time.AfterFunc(time.Duration(1000+rand.IntN(300))*time.Millisecond, func() { _ = p.Kill() })
			defer timer.Stop()
		}
		err := cmd.Wait()
		probe.mu.Lock()
		probe.proc = nil
		probe.mu.Unlock()
		if err == nil {
			break
		}
		var ee *exec.ExitError
		if errors.As(err, &ee) && !ee.Exited() {
			t.Logf("pusher life %d: killed (%v)", lives, err)
			continue
		}
		t.Fatalf("pusher life %d: %v\n%s", lives, err, stderr.String())
	}

	probe.mu.Lock()
	defer probe.mu.Unlock()
	if len(probe.protoErrs) > 0 {
		t.Fatalf("undecodable receiver answers: %v", probe.protoErrs)
	}
	if probe.kills != len(probe.killAt) {
		t.Errorf("killed the pusher %d times in the receiver, planned %d", probe.kills, len(probe.killAt))
	}
	for k, n := range probe.accepted {
		if n != 1 {
			t.Errorf("key %s accepted %d times", k, n)
		}
		if !dueKeys[k] {
			t.Errorf("key %s accepted but was not due", k)
		}
	}
	// The receiver's store is the count that matters: every due key stored
	// once (its primary key), nothing else stored.
	stored := map[string]bool{}
	for i := range 700 {
		items, err := inbox.ListInbox(ctx, store.InboxQuery{SubjectKind: corpus.AudienceEnterprise,
			SubjectID: fmt.Sprintf("91370800MA%08d", i), Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range items {
			if stored[it.Key] {
				t.Errorf("key %s stored twice", it.Key)
			}
			stored[it.Key] = true
		}
	}
	missing, unconfirmed, answerLost := 0, 0, 0
	for k := range dueKeys {
		if !stored[k] {
			missing++
		}
		// The pusher must have had the receiver confirm each item: accepted
		// once, or (when the answer to the storing call was lost: a kill or
		// a timeout while it committed) answered duplicate on a resend.
		switch {
		case probe.accepted[k] == 1:
		case probe.dupKeys[k]:
			answerLost++
		default:
			unconfirmed++
		}
	}
	if missing > 0 || len(stored) != due || unconfirmed > 0 {
		t.Errorf("receiver stored %d distinct items, want %d; %d due items never arrived; %d never confirmed to the pusher",
			len(stored), due, missing, unconfirmed)
	}
	if answerLost > 0 {
		t.Logf("%d items were stored by a call whose answer the pusher never got; a resend confirmed them", answerLost)
	}
	// Each kill left a stored batch unmarked: it was resent and answered
	// DUPLICATE, which is what makes it exactly once at the receiver.
	if probe.dups == 0 {
		t.Error("no duplicate answers: the kills did not land between store and mark")
	}
	if n, err := inbox.CountInbox(ctx); err != nil || n != due {
		t.Errorf("inbox holds %d items (%v), want %d", n, err, due)
	}
	c, err := outbox.CountDeliveries(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if c[store.DeliveryDelivered] != due || c[store.DeliveryPending] != future || c[store.DeliverySending] != 0 || c[store.DeliveryDead] != 0 {
		t.Errorf("outbox counts %v, want %d delivered and %d pending", c, due, future)
	}
	t.Logf("%d lives, %d kills, %d batches, %d duplicate answers", lives+1, probe.kills, probe.batches, probe.dups)
}
