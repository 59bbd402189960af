package indexer_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"

	"github.com/zhida/zhida/corpus"
	"github.com/zhida/zhida/indexer"
	"github.com/zhida/zhida/indexer/bleve"
	"github.com/zhida/zhida/indexer/indextest"
)

// memOutbox is an in-memory outbox with store.Outbox.Consume semantics:
// events after the consumer's cursor, cursor advanced when handle succeeds.
// It stands in for the store only in this unit test of the sync loop.
type memOutbox struct {
	mu      sync.Mutex
	events  []indexer.Event
	cursors map[string]int64
}

func (o *memOutbox) add(kind corpus.EventKind, id string, version int) {
	o.events = append(o.events, indexer.Event{ID: int64(len(o.events) + 1), Kind: kind, PolicyID: id, Version: version})
}

func (o *memOutbox) Consume(ctx context.Context, consumer string, limit int, handle func(context.Context, []indexer.Event) error) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	var batch []indexer.Event
	for _, e := range o.events {
		if e.ID > o.cursors[consumer] && len(batch) < limit {
			batch = append(batch, e)
		}
	}
	if len(batch) == 0 {
		return 0, nil
	}
	if err := handle(ctx, batch); err != nil {
		return 0, err
	}
	o.cursors[consumer] = batch[len(batch)-1].ID
	return len(batch), nil
}

var errNotFound = errors.New("not found")

// library holds policy heads; failNext makes the next GetPolicy fail.
type library struct {
	policies map[string]corpus.Policy
	failNext bool
}

func (l *library) GetPolicy(_ context.Context, id string) (corpus.Policy, error) {
	if l.failNext {
		l.failNext = false
		return corpus.Policy{}, errors.New("database is down")
	}
	p, ok := l.policies[id]
	if !ok {
		return corpus.Policy{}, errNotFound
	}
	return p, nil
}

func (l *library) publish(id string, version int, title, text string) {
	d := corpus.Document{Title: title, Text: text, Region: "440106", Audience: corpus.AudienceEnterprise,
		EffectiveFrom: corpus.MustDate("2024-01-01")}
	l.policies[id] = corpus.Policy{ID: id, Status: corpus.StatusPublished, LatestVersion: version,
		Live: &corpus.Version{PolicyID: id, Version: version, Document: d}}
}

func TestSyncFollowsTheOutbox(t *testing.T) {
	ctx := t.Context()
	seg, err := indextest.Segmenter()
	if err != nil {
		t.Fatal(err)
	}
	backend, err := bleve.Open("", seg)
	if err != nil {
		t.Fatal(err)
	}
	defer backend.Close()
	out := &memOutbox{cursors: map[string]int64{}}
	lib := &library{policies: map[string]corpus.Policy{}}
	s := &indexer.Syncer{Outbox: out, Policies: lib, Backend: backend, Batch: 2,
		IsNotFound: func(err error) bool { return errors.Is(err, errNotFound) },
		Today:      func() corpus.Date { return corpus.MustDate("2025-06-01") }}
	find := func(text string) []string {
		t.Helper()
		res, err := backend.Search(ctx, indexer.Query{Text: text, Today: corpus.MustDate("2025-06-01"), IncludeInactive: true})
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, h := range res.Hits {
			ids = append(ids, h.PolicyID+"@"+string(rune('0'+h.Version)))
		}
		slices.Sort(ids)
		return ids
	}
	sync := func(want int) {
		t.Helper()
		n, err := s.SyncOnce(ctx)
		if err != nil || n != want {
			t.Fatalf("SyncOnce = %d, %v; want %d events", n, err, want)
		}
	}

	lib.publish("p1", 1, "稳岗返还通知", "参保企业可申请失业保险稳岗返还。")
	out.add(corpus.EventPublished, "p1", 1)
	lib.publish("p2", 1, "创业担保贷款办法", "高校毕业生可申请创业担保贷款。")
	out.add(corpus.EventPublished, "p2", 1)
	out.add(corpus.EventPublished, "gone", 1) // deleted since: not found, removed, no error
	sync(3)
	if got := find("稳岗返还"); !slices.Equal(got, []string{"p1@1"}) {
		t.Errorf("after first sync: %v", got)
	}

	// A new version replaces the old one, even when an event for the old
	// version is still queued before it: the current state is indexed.
	lib.publish("p1", 2, "稳岗返还通知（修订）", "参保企业可申请一次性扩岗补助。")
	out.add(corpus.EventPublished, "p1", 1)
	out.add(corpus.EventPublished, "p1", 2)
	sync(2)
	if got := find("扩岗补助"); !slices.Equal(got, []string{"p1@2"}) {
		t.Errorf("new version: %v", got)
	}
	if got := find("稳岗返还"); !slices.Equal(got, []string{"p1@2"}) { // title still says it
		t.Errorf("new version by title: %v", got)
	}

	// A failed lookup leaves the cursor where it was; the retry succeeds.
	p2 := lib.policies["p2"]
	p2.Status = corpus.StatusRetracted
	lib.policies["p2"] = p2
	out.add(corpus.EventRetracted, "p2", 1)
	lib.failNext = true
	if _, err := s.SyncOnce(ctx); err == nil {
		t.Fatal("SyncOnce with the library down: no error")
	}
	if got := find("创业担保贷款"); !slices.Equal(got, []string{"p2@1"}) {
		t.Errorf("after failed sync: %v (nothing should have changed)", got)
	}
	sync(1)
	if got := find("创业担保贷款"); len(got) != 0 {
		t.Errorf("retracted policy still found: %v", got)
	}
	sync(0) // nothing new

	// Replaying every event from the start (a new consumer) changes nothing.
	before, _ := backend.DocCount()
	s.Consumer = "replay"
	sync(len(out.events))
	after, _ := backend.DocCount()
	if before != 1 || after != before {
		t.Errorf("documents before replay %d, after %d; want 1 and 1", before, after)
	}
	if got := find("扩岗补助"); !slices.Equal(got, []string{"p1@2"}) {
		t.Errorf("after replay: %v", got)
	}
}
