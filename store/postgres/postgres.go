// Package postgres is the production store backend, on PostgreSQL through
// pgx/v5 (pgxpool). The policy library and the outbox run over database/sql
// on top of the pool (the SQL is shared with the SQLite backend in
// store/internal/sqlstore); UpsertProfiles uses the native pgx API on the
// same pool (CopyFrom into a staging table), and Pool gives other bulk paths
// the same. Sweep workers lease shards with FOR UPDATE SKIP LOCKED, against
// the database's clock, so workers on several machines agree on expiry.
package postgres

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"hash/fnv"
	"io/fs"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/zhida/zhida/store"
	"github.com/zhida/zhida/store/internal/sqlstore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store is the PostgreSQL backend of store.Store.
type Store struct {
	*sqlstore.DB
	pool *pgxpool.Pool
	db   *sql.DB
	// lockProfiles takes the advisory lock that orders profile seqs (see
	// UpsertProfiles).
	lockProfiles string
}

var _ store.Store = (*Store)(nil)

// Open connects to the database at url (a postgres:// URL or DSN that pgx
// accepts; a search_path parameter selects the schema) and brings its schema
// up to date.
func Open(ctx context.Context, url string) (*Store, error) {
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		return nil, fmt.Errorf("open postgres store: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("open postgres store: %w", err)
	}
	db := stdlib.OpenDBFromPool(pool)
	var dbName, schema string
	if err := db.QueryRowContext(ctx, `SELECT current_database(), coalesce(current_schema(), '')`).Scan(&dbName, &schema); err != nil {
		db.Close()
		pool.Close()
		return nil, fmt.Errorf("open postgres store: %w", err)
	}
	if schema == "" {
		db.Close()
		pool.Close()
		return nil, fmt.Errorf("open postgres store: no schema on the search_path exists")
	}
	if err := migrate(ctx, db, lockKey("zhida.migrate", dbName, schema)); err != nil {
		db.Close()
		pool.Close()
		return nil, fmt.Errorf("open postgres store: %w", err)
	}
	d := sqlstore.Dialect{
		Dollar:     true,
		ForUpdate:  " FOR UPDATE",
		LockOutbox: fmt.Sprintf("SELECT pg_advisory_xact_lock(%d)", lockKey("zhida.outbox", dbName, schema)),
		AsOfText:   "to_char(as_of, 'YYYY-MM-DD')",
		NowQuery:   "SELECT clock_timestamp()",
		SkipLocked: " FOR UPDATE OF sh SKIP LOCKED",
		NowMicros:  "CAST(EXTRACT(EPOCH FROM statement_timestamp()) * 1000000 AS BIGINT)",
		Arrays:     true,
	}
	return &Store{
		DB:           sqlstore.New(db, d),
		pool:         pool,
		db:           db,
		lockProfiles: fmt.Sprintf("SELECT pg_advisory_xact_lock(%d)", lockKey("zhida.profiles", dbName, schema)),
	}, nil
}

// lockKey names an advisory lock for one purpose in one schema, so that
// deployments (or test schemas) sharing a database do not wait on each other.
func lockKey(purpose, db, schema string) int64 {
	h := fnv.New64a()
	fmt.Fprintf(h, "%s\x00%s\x00%s", purpose, db, schema)
	return int64(h.Sum64())
}

func migrate(ctx context.Context, db *sql.DB, key int64) error {
	dir, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	// The session lock keeps two processes starting at once from running
	// the same migration twice.
	locker, err := lock.NewPostgresSessionLocker(lock.WithLockID(key), lock.WithLockTimeout(1, 300))
	if err != nil {
		return fmt.Errorf("migration lock: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectPostgres, db, dir, goose.WithSessionLocker(locker))
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// Pool returns the connection pool, for bulk work through the native pgx
// API (CopyFrom, batches).
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// Close implements store.Store.
func (s *Store) Close() error {
	err := s.db.Close()
	s.pool.Close()
	return err
}
