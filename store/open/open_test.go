package open

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/zhida/zhida/store/postgres"
	"github.com/zhida/zhida/store/postgres/pgtest"
	"github.com/zhida/zhida/store/sqlite"
)

func TestOpenSQLite(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	s, err := Open(context.Background(), "", dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, ok := s.(*sqlite.Store); !ok {
		t.Fatalf("Open without a URL = %T, want *sqlite.Store", s)
	}
	if _, err := os.Stat(filepath.Join(dir, sqlite.FileName)); err != nil {
		t.Fatalf("database file: %v", err)
	}
}

func TestOpenPostgres(t *testing.T) {
	url := pgtest.Schema(t)
	s, err := Open(context.Background(), url, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, ok := s.(*postgres.Store); !ok {
		t.Fatalf("Open with a URL = %T, want *postgres.Store", s)
	}
}

func TestOpenPostgresUnreachable(t *testing.T) {
	// A port nothing listens on: Open must fail, not fall back to SQLite.
	if _, err := Open(context.Background(), "postgres://postgres@127.0.0.1:1/none?connect_timeout=2", t.TempDir()); err == nil {
		t.Fatal("Open with an unreachable URL succeeded")
	}
}
