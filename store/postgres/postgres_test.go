package postgres

import (
	"context"
	"strconv"
	"testing"

	"github.com/zhida/zhida/corpus"
	"github.com/zhida/zhida/store"
	"github.com/zhida/zhida/store/postgres/pgtest"
	"github.com/zhida/zhida/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		s, err := Open(context.Background(), pgtest.Schema(t))
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

// Reopening runs no migration twice and keeps the data; two stores opening
// one fresh schema at once do not both migrate it.
func TestReopen(t *testing.T) {
	ctx := context.Background()
	url := pgtest.Schema(t)
	errs := make(chan error, 2)
	for range 2 {
		go func() {
			s, err := Open(ctx, url)
			if err == nil {
				s.Close()
			}
			errs <- err
		}()
	}
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatalf("concurrent open: %v", err)
		}
	}
	s, err := Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.CreateDraft(ctx, corpus.Document{Title: "保留"})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = Open(ctx, url)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer s.Close()
	if got, err := s.GetPolicy(ctx, p.ID); err != nil || got.Draft == nil || got.Draft.Document.Title != "保留" {
		t.Fatalf("after reopen: %+v, %v", got, err)
	}
}

func BenchmarkUpsertProfiles(b *testing.B) {
	s, err := Open(context.Background(), pgtest.Schema(b))
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
			s, err := Open(context.Background(), pgtest.Schema(b))
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			storetest.BenchmarkPutMatches(b, s, batch)
		})
	}
}
