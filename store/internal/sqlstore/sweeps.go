package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/zhida/zhida/corpus"
	"github.com/zhida/zhida/store"
)

// MaxShards bounds a sweep's shard count.
const MaxShards = 1 << 16

// StartSweep implements store.Sweeps. Starting a key again with a different
// policy, version or shard count is an ErrConflict.
func (s *DB) StartSweep(ctx context.Context, key, policyID string, version, shards int) (store.Sweep, error) {
	var fe *corpus.FieldError
	switch {
	case key == "":
		fe = &corpus.FieldError{Field: "key", Msg: "is empty"}
	case policyID == "":
		fe = &corpus.FieldError{Field: "policy_id", Msg: "is empty"}
	case version <= 0:
		fe = &corpus.FieldError{Field: "version", Msg: fmt.Sprintf("%d is not positive", version)}
	case shards <= 0 || shards > MaxShards:
		fe = &corpus.FieldError{Field: "shards", Msg: fmt.Sprintf("%d is not in [1, %d]", shards, MaxShards)}
	}
	if fe != nil {
		return store.Sweep{}, fmt.Errorf("start sweep %s: %w", key, fe)
	}
	var sw store.Sweep
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`INSERT INTO sweeps (key, policy_id, version, shards, created_at)
			VALUES (?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING`), key, policyID, version, shards, now())
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 1 {
			ins, err := tx.PrepareContext(ctx, s.q(`INSERT INTO sweep_shards (sweep_key, shard) VALUES (?, ?)`))
			if err != nil {
				return err
			}
			defer ins.Close()
			for i := range shards {
				if _, err := ins.ExecContext(ctx, key, i); err != nil {
					return fmt.Errorf("shard %d: %w", i, err)
				}
			}
		}
		sw, err = s.getSweep(ctx, tx, key)
		if err != nil {
			return err
		}
		if sw.PolicyID != policyID || sw.Version != version || sw.Shards != shards {
			return fmt.Errorf("exists for %s version %d in %d shards: %w", sw.PolicyID, sw.Version, sw.Shards, store.ErrConflict)
		}
		return nil
	})
	if err != nil {
		return store.Sweep{}, fmt.Errorf("start sweep %s: %w", key, err)
	}
	return sw, nil
}

func (s *DB) getSweep(ctx context.Context, q queryer, key string) (store.Sweep, error) {
	var sw store.Sweep
	err := q.QueryRowContext(ctx, s.q(`SELECT key, policy_id, version, shards, created_at,
		(SELECT count(*) FROM sweep_shards WHERE sweep_key = sweeps.key AND done)
		FROM sweeps WHERE key = ?`), key).
		Scan(&sw.Key, &sw.PolicyID, &sw.Version, &sw.Shards, &sw.CreatedAt, &sw.Done)
	if errors.Is(err, sql.ErrNoRows) {
		return sw, fmt.Errorf("sweep %s: %w", key, store.ErrNotFound)
	}
	if err != nil {
		return sw, fmt.Errorf("read sweep %s: %w", key, err)
	}
	sw.CreatedAt = sw.CreatedAt.UTC()
	return sw, nil
}

// GetSweep implements store.Sweeps.
func (s *DB) GetSweep(ctx context.Context, key string) (store.Sweep, error) {
	return s.getSweep(ctx, s.db, key)
}

// clock is the time leases are measured against (see Dialect.NowQuery).
func (s *DB) clock(ctx context.Context, tx *sql.Tx) (time.Time, error) {
	if s.d.NowQuery == "" {
		return now(), nil
	}
	var t time.Time
	if err := tx.QueryRowContext(ctx, s.d.NowQuery).Scan(&t); err != nil {
		return t, fmt.Errorf("read clock: %w", err)
	}
	return t.UTC().Truncate(time.Microsecond), nil
}

// LeaseShard implements store.Sweeps: the oldest sweep's lowest shard that
// is not done and not under a live lease, claimed with a fresh token.
func (s *DB) LeaseShard(ctx context.Context, worker string, ttl time.Duration) (store.Lease, bool, error) {
	if ttl <= 0 {
		return store.Lease{}, false, fmt.Errorf("lease shard: %w", &corpus.FieldError{Field: "ttl", Msg: fmt.Sprintf("%v is not positive", ttl)})
	}
	var (
		l  store.Lease
		ok bool
	)
	err := s.write(ctx, func(tx *sql.Tx) error {
		t, err := s.clock(ctx, tx)
		if err != nil {
			return err
		}
		err = tx.QueryRowContext(ctx, s.q(`SELECT sh.sweep_key, sh.shard, sw.policy_id, sw.version, sw.shards
			FROM sweep_shards sh JOIN sweeps sw ON sw.key = sh.sweep_key
			WHERE NOT sh.done AND (sh.expires_at IS NULL OR sh.expires_at <= ?)
			ORDER BY sw.created_at, sh.sweep_key, sh.shard LIMIT 1`+s.d.SkipLocked), t.UnixMicro()).
			Scan(&l.SweepKey, &l.Shard, &l.PolicyID, &l.Version, &l.Shards)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("pick shard: %w", err)
		}
		l.Worker = worker
		l.Token = uuid.NewString()
		l.ExpiresAt = t.Add(ttl).Truncate(time.Microsecond)
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE sweep_shards SET worker = ?, token = ?, expires_at = ?
			WHERE sweep_key = ? AND shard = ?`), worker, l.Token, l.ExpiresAt.UnixMicro(), l.SweepKey, l.Shard); err != nil {
			return fmt.Errorf("claim shard %d of %s: %w", l.Shard, l.SweepKey, err)
		}
		ok = true
		return nil
	})
	if err != nil {
		return store.Lease{}, false, fmt.Errorf("lease shard for %s: %w", worker, err)
	}
	return l, ok, nil
}

// RenewLease implements store.Sweeps. A lease that expired but that no
// other worker took is still its holder's to renew.
func (s *DB) RenewLease(ctx context.Context, l store.Lease, ttl time.Duration) error {
	if ttl <= 0 {
		return fmt.Errorf("renew lease: %w", &corpus.FieldError{Field: "ttl", Msg: fmt.Sprintf("%v is not positive", ttl)})
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		t, err := s.clock(ctx, tx)
		if err != nil {
			return err
		}
		return s.updateLease(ctx, tx, l, `expires_at = ?`, t.Add(ttl).UnixMicro())
	})
	if err != nil {
		return fmt.Errorf("renew lease on shard %d of %s: %w", l.Shard, l.SweepKey, err)
	}
	return nil
}

// CompleteShard implements store.Sweeps. A shard completes once: a second
// completion, by anyone, is an ErrConflict.
func (s *DB) CompleteShard(ctx context.Context, l store.Lease) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		return s.updateLease(ctx, tx, l, `done = TRUE, expires_at = NULL`)
	})
	if err != nil {
		return fmt.Errorf("complete shard %d of %s: %w", l.Shard, l.SweepKey, err)
	}
	return nil
}

// updateLease applies set to the shard of l if l's token still holds it.
func (s *DB) updateLease(ctx context.Context, tx *sql.Tx, l store.Lease, set string, args ...any) error {
	if l.Token == "" { // unleased shards have an empty token
		return fmt.Errorf("lease has no token: %w", store.ErrConflict)
	}
	args = append(args, l.SweepKey, l.Shard, l.Token)
	res, err := tx.ExecContext(ctx, s.q(`UPDATE sweep_shards SET `+set+`
		WHERE sweep_key = ? AND shard = ? AND token = ? AND NOT done`), args...)
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("lease of %s is lost (taken over or done): %w", l.Worker, store.ErrConflict)
	}
	return nil
}
