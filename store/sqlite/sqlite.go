// Package sqlite is the embedded store backend: a single SQLite file
// (modernc.org/sqlite, pure Go) under the data directory, so that Zhida runs
// with no database server.
//
// SQLite runs one writer at a time. Write transactions start with BEGIN
// IMMEDIATE and queue on a mutex inside the process (and on busy_timeout
// between processes), which also makes outbox ids visible in commit order.
// Consume calls its handler outside any transaction so a handler may write
// to the store; calls for one consumer name are serialized within a process,
// and a second process consuming under the same name gets an ErrConflict
// when the cursor moved under it (its handler will have seen those events;
// handlers are idempotent by policy and version).
//
// The single writer also orders profile seqs: UpsertProfiles takes them from
// a counter row inside its transaction, so they become visible in commit
// order. Lease expiry uses this process's clock.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/pressly/goose/v3"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver

	"github.com/zhida/zhida/store"
	"github.com/zhida/zhida/store/internal/sqlstore"
)

// FileName is the database file Open creates in its directory.
const FileName = "zhida.db"

//go:embed migrations/*.sql
var migrations embed.FS

// Store is the SQLite backend of store.Store.
type Store struct {
	*sqlstore.DB
	db      *sql.DB
	stop    context.CancelFunc // ends the checkpoint goroutine
	stopped chan struct{}
}

var _ store.Store = (*Store)(nil)

// dialect: SQLite runs one writer at a time and has no row locks.
var dialect = sqlstore.Dialect{SerialWriters: true}

// Open opens (creating if needed) the database dir/zhida.db and brings its
// schema up to date.
func Open(ctx context.Context, dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("open sqlite store: %w", err)
	}
	path := filepath.Join(dir, FileName)
	// WAL lets readers run beside the writer; BEGIN IMMEDIATE (_txlock)
	// takes the write lock when a transaction starts, so concurrent writers
	// wait for each other (busy_timeout) instead of failing with
	// SQLITE_BUSY when a read lock would have to be upgraded.
	q := url.Values{}
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	// Commits do not checkpoint the WAL (a commit that did would copy
	// thousands of pages and sync, making one small write wait tens of
	// milliseconds); a background goroutine does, see checkpoints. The
	// high threshold is a safety net should it fall behind.
	q.Add("_pragma", fmt.Sprintf("wal_autocheckpoint(%d)", walSafetyPages))
	q.Set("_txlock", "immediate")
	q.Set("_time_format", "sqlite")
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open sqlite store %s: %w", path, err)
	}
	if err := migrate(ctx, db); err != nil {
		db.Close()
		return nil, fmt.Errorf("open sqlite store %s: %w", path, err)
	}
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	st := &Store{DB: sqlstore.New(db, dialect), db: db, stop: cancel, stopped: make(chan struct{})}
	go st.checkpoints(ctx)
	return st, nil
}

// Checkpointing: every checkpointEvery, a passive checkpoint copies the WAL
// frames no reader needs into the database file, beside the writers.
const (
	checkpointEvery = 500 * time.Millisecond
	walSafetyPages  = 20000 // about 80 MB of WAL
)

func (s *Store) checkpoints(ctx context.Context) {
	defer close(s.stopped)
	t := time.NewTicker(checkpointEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			// Errors (the file busy, closing) leave the WAL to the next tick.
			_, _ = s.db.ExecContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)")
		}
	}
}

func migrate(ctx context.Context, db *sql.DB) error {
	dir, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, db, dir)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// Close implements store.Store.
func (s *Store) Close() error {
	s.stop()
	<-s.stopped
	return s.db.Close()
}
