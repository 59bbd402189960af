package sqlite

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/zhida/zhida/corpus"
	"github.com/zhida/zhida/store"
	"github.com/zhida/zhida/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		s, err := Open(context.Background(), t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

// Two stores on one file (two processes, in production) write concurrently:
// BEGIN IMMEDIATE and the busy timeout make them wait for each other instead
// of failing with SQLITE_BUSY, and every event reaches a consumer once.
func TestTwoStoresOneFile(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	var stores [2]*Store
	for i := range stores {
		s, err := Open(ctx, dir)
		if err != nil {
			t.Fatalf("open %d: %v", i, err)
		}
		defer s.Close()
		stores[i] = s
	}
	const perStore = 20
	errs := make(chan error, len(stores))
	for _, s := range stores {
		go func() {
			for i := range perStore {
				p, err := s.CreateDraft(ctx, corpus.Document{Title: fmt.Sprint("政策", i)})
				if err == nil {
					_, err = s.Publish(ctx, p.ID, nil)
				}
				if err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for range stores {
		if err := <-errs; err != nil {
			t.Fatalf("concurrent writer: %v", err)
		}
	}
	var ids []int64
	for {
		n, err := stores[1].Consume(ctx, "c", 16, func(_ context.Context, evs []store.Event) error {
			for _, e := range evs {
				ids = append(ids, e.ID)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
	}
	if len(ids) != 2*perStore || !slices.IsSorted(ids) {
		t.Errorf("consumer saw %d events (sorted %v), want %d", len(ids), slices.IsSorted(ids), 2*perStore)
	}
}

// Reopening runs no migration twice and keeps the data.
func TestReopen(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.CreateDraft(ctx, corpus.Document{Title: "保留"})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = Open(ctx, dir)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer s.Close()
	if got, err := s.GetPolicy(ctx, p.ID); err != nil || got.Draft == nil || got.Draft.Document.Title != "保留" {
		t.Fatalf("after reopen: %+v, %v", got, err)
	}
}

// Two stores on one file consuming under one name (two processes): the
// cursor never moves twice over the same events; the loser of a race gets
// ErrConflict and the consumers together reach the end.
func TestTwoStoresOneConsumer(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	var stores [2]*Store
	for i := range stores {
		s, err := Open(ctx, dir)
		if err != nil {
			t.Fatalf("open %d: %v", i, err)
		}
		defer s.Close()
		stores[i] = s
	}
	const events = 30
	var last int64
	for i := range events {
		p, err := stores[0].CreateDraft(ctx, corpus.Document{Title: fmt.Sprint("政策", i)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := stores[0].Publish(ctx, p.ID, nil); err != nil {
			t.Fatal(err)
		}
	}
	errs := make(chan error, len(stores))
	for _, s := range stores {
		go func() {
			for {
				n, err := s.Consume(ctx, "shared", 4, func(_ context.Context, evs []store.Event) error {
					runtime.Gosched()
					return nil
				})
				if errors.Is(err, store.ErrConflict) {
					continue
				}
				if err != nil || n == 0 {
					errs <- err
					return
				}
			}
		}()
	}
	for range stores {
		if err := <-errs; err != nil {
			t.Fatalf("consumer: %v", err)
		}
	}
	n, err := stores[0].Consume(ctx, "all", 100, func(_ context.Context, evs []store.Event) error {
		last = evs[len(evs)-1].ID
		return nil
	})
	if err != nil || n != events {
		t.Fatalf("reference consumer: %d events, %v", n, err)
	}
	for i, s := range stores {
		if c, err := s.Cursor(ctx, "shared"); err != nil || c != last {
			t.Errorf("store %d: cursor %d (%v), want %d", i, c, err, last)
		}
	}
}

func BenchmarkUpsertProfiles(b *testing.B) {
	s, err := Open(context.Background(), b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	storetest.BenchmarkUpsertProfiles(b, s, 5000)
}

// BenchmarkPutMatches writes a sweep page's batch and a rematch's.
func BenchmarkPutMatches(b *testing.B) {
	for _, batch := range []int{5000, 190} {
		b.Run(strconv.Itoa(batch), func(b *testing.B) {
			s, err := Open(context.Background(), b.TempDir())
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			storetest.BenchmarkPutMatches(b, s, batch)
		})
	}
}

// Two stores on one file (two processes) drain one sweep: SQLite's single
// writer keeps them from leasing the same shard, and each shard completes
// once.
func TestTwoStoresOneSweep(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	var stores [2]*Store
	for i := range stores {
		s, err := Open(ctx, dir)
		if err != nil {
			t.Fatalf("open %d: %v", i, err)
		}
		defer s.Close()
		stores[i] = s
	}
	const shards = 16
	if _, err := stores[0].StartSweep(ctx, "p1@1", "p1", 1, shards); err != nil {
		t.Fatal(err)
	}
	done := make([][]int, len(stores))
	errs := make(chan error, len(stores))
	for i, s := range stores {
		go func() {
			for {
				l, ok, err := s.LeaseShard(ctx, fmt.Sprint("store", i), time.Minute)
				if err != nil || !ok {
					errs <- err
					return
				}
				if err := s.CompleteShard(ctx, l); err != nil {
					errs <- err
					return
				}
				done[i] = append(done[i], l.Shard)
				runtime.Gosched()
			}
		}()
	}
	for range stores {
		if err := <-errs; err != nil {
			t.Fatalf("worker: %v", err)
		}
	}
	all := slices.Sorted(slices.Values(append(slices.Clone(done[0]), done[1]...)))
	want := make([]int, shards)
	for i := range want {
		want[i] = i
	}
	if !slices.Equal(all, want) {
		t.Errorf("shards completed: %v and %v, want each of 0..%d once", done[0], done[1], shards-1)
	}
	if sw, err := stores[1].GetSweep(ctx, "p1@1"); err != nil || sw.Done != shards {
		t.Errorf("sweep: %+v, %v", sw, err)
	}
}

// TestShardScanUsesIndex: a shard's page query is a range scan of the shard
// index, not a scan of the whole table filtered per row (which made every
// shard of a sweep read every profile).
func TestShardScanUsesIndex(t *testing.T) {
	s, err := Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, q := range []string{
		`SELECT kind, id FROM profiles WHERE kind = ? AND shard_hash >= ? AND shard_hash < ? AND seq <= ? ORDER BY shard_hash, id LIMIT ?`,
		`SELECT kind, id FROM profiles WHERE kind = ? AND shard_hash >= ? AND shard_hash < ? AND seq <= ? AND (shard_hash, id) > (?, ?) ORDER BY shard_hash, id LIMIT ?`,
	} {
		rows, err := s.db.Query("EXPLAIN QUERY PLAN "+q, "enterprise", 0, 1<<28, 10, 0, "x", 100)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		got := fmt.Sprint(plan)
		if !strings.Contains(got, "profiles_shard_idx (kind=? AND shard_hash>? AND shard_hash<?)") || strings.Contains(got, "TEMP B-TREE") {
			t.Errorf("%s\nplan %s: want a range search of profiles_shard_idx without a sort", q, got)
		}
	}
}
