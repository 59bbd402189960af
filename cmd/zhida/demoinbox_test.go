package main

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/zhida/zhida/corpus"
	"github.com/zhida/zhida/store"
	"github.com/zhida/zhida/store/sqlite"
)

// The demo's inboxes are filled through sweep, plan and delivery; a second
// run delivers nothing twice.
func TestDemoInbox(t *testing.T) {
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	st, err := sqlite.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := loadSample(ctx, log, st); err != nil {
		t.Fatal(err)
	}
	if _, err := loadSampleProfiles(ctx, log, st, []byte("test-key")); err != nil {
		t.Fatal(err)
	}
	kind, id, n, err := demoInbox(ctx, log, st)
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 || id == "" {
		t.Fatalf("no sample subject got a message: %s %s %d", kind, id, n)
	}
	items, err := st.ListInbox(ctx, store.InboxQuery{SubjectKind: corpus.Audience(kind), SubjectID: id, Limit: 100})
	if err != nil || len(items) != n {
		t.Fatalf("inbox of %s %s: %d items, %v; want %d", kind, id, len(items), err, n)
	}
	for _, it := range items {
		if it.Title == "" || it.PolicyID == "" {
			t.Errorf("message without title or policy: %+v", it)
		}
	}
	_, id2, n2, err := demoInbox(ctx, log, st)
	if err != nil || id2 != id || n2 != n {
		t.Errorf("second run: %s %d, %v; want %s %d", id2, n2, err, id, n)
	}
}
