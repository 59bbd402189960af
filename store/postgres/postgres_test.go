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

// PutMatches commits without waiting for the WAL flush, for its own
// transaction only: the connection it ran on (the pool's only one here)
// still commits synchronously afterwards — grants and the library rely on it.
func TestPutMatchesLeavesSynchronousCommitOn(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, pgtest.Schema(t)+"&pool_max_conns=1")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rec := store.MatchRecord{SubjectKind: corpus.AudienceEnterprise, SubjectID: "E1", PolicyID: "p1", Version: 1,
		BenefitKey: "b1", Region: "440106", Verdict: "eligible", Score: 1, Explanation: []byte(`{"met":["本市"]}`)}
	for range 3 {
		if err := s.PutMatches(ctx, []store.MatchRecord{rec}); err != nil {
			t.Fatal(err)
		}
		rec.Score /= 2
		var setting string
		if err := s.Pool().QueryRow(ctx, "SHOW synchronous_commit").Scan(&setting); err != nil {
			t.Fatal(err)
		}
		if setting != "on" {
			t.Fatalf("synchronous_commit after PutMatches: %q, want on", setting)
		}
	}
	got, err := s.SubjectMatches(ctx, corpus.AudienceEnterprise, "E1")
	if err != nil || len(got) != 1 || got[0].Score != 0.25 {
		t.Fatalf("stored %+v (%v), want the last write (score 0.25)", got, err)
	}
}
