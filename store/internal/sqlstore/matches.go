package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/zhida/zhida/corpus"
	"github.com/zhida/zhida/store"
)

// Verdicts a match may hold, from best to worst as CountMatches ranks them.
const (
	VerdictEligible   = "eligible"
	VerdictUnknown    = "unknown"
	VerdictIneligible = "ineligible"
)

// matchChunk is how many rows one INSERT statement of PutMatches carries:
// 11 parameters a row stays well under both databases' parameter limits.
const matchChunk = 500

type matchKey struct {
	kind                 corpus.Audience
	subject, policy, key string
	version              int
}

// PutMatches implements store.Matches: multi-row INSERT ... ON CONFLICT DO
// UPDATE that only touches a row when something but matched_at differs, in
// one transaction. A key repeated within recs is written once, with its
// last record.
func (s *DB) PutMatches(ctx context.Context, recs []store.MatchRecord) error {
	at := make(map[matchKey]int, len(recs))
	rows := make([]store.MatchRecord, 0, len(recs))
	for i, r := range recs {
		var fe *corpus.FieldError
		switch {
		case !validKind(r.SubjectKind):
			fe = &corpus.FieldError{Field: "subject_kind", Msg: fmt.Sprintf("%q is not enterprise or resident", r.SubjectKind)}
		case r.SubjectID == "":
			fe = &corpus.FieldError{Field: "subject_id", Msg: "is empty"}
		case r.PolicyID == "":
			fe = &corpus.FieldError{Field: "policy_id", Msg: "is empty"}
		case r.Version <= 0:
			fe = &corpus.FieldError{Field: "version", Msg: fmt.Sprintf("%d is not positive", r.Version)}
		case r.BenefitKey == "":
			fe = &corpus.FieldError{Field: "benefit_key", Msg: "is empty"}
		case r.Verdict != VerdictEligible && r.Verdict != VerdictUnknown && r.Verdict != VerdictIneligible:
			fe = &corpus.FieldError{Field: "verdict", Msg: fmt.Sprintf("%q is not eligible, ineligible or unknown", r.Verdict)}
		case r.Explanation != nil && !json.Valid(r.Explanation):
			fe = &corpus.FieldError{Field: "explanation", Msg: "is not valid JSON"}
		}
		if fe != nil {
			return fmt.Errorf("put matches: record %d: %w", i, fe)
		}
		k := matchKey{r.SubjectKind, r.SubjectID, r.PolicyID, r.BenefitKey, r.Version}
		if j, ok := at[k]; ok {
			rows[j] = r
			continue
		}
		at[k] = len(rows)
		rows = append(rows, r)
	}
	if len(rows) == 0 {
		return nil
	}
	const head = `INSERT INTO matches (subject_kind, subject_id, policy_id, version, benefit_key,
		region, verdict, score, is_grant, explanation, matched_at) VALUES `
	const tail = ` ON CONFLICT (subject_kind, subject_id, policy_id, version, benefit_key) DO UPDATE SET
		region = excluded.region, verdict = excluded.verdict, score = excluded.score,
		is_grant = excluded.is_grant, explanation = excluded.explanation, matched_at = excluded.matched_at
		WHERE matches.region IS DISTINCT FROM excluded.region OR matches.verdict IS DISTINCT FROM excluded.verdict
		OR matches.score IS DISTINCT FROM excluded.score OR matches.is_grant IS DISTINCT FROM excluded.is_grant
		OR matches.explanation IS DISTINCT FROM excluded.explanation`
	const tuple = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
	err := s.write(ctx, func(tx *sql.Tx) error {
		t := now()
		for lo := 0; lo < len(rows); lo += matchChunk {
			chunk := rows[lo:min(lo+matchChunk, len(rows))]
			args := make([]any, 0, 11*len(chunk))
			for _, r := range chunk {
				var expl any
				if r.Explanation != nil {
					expl = string(r.Explanation)
				}
				args = append(args, string(r.SubjectKind), r.SubjectID, r.PolicyID, r.Version, r.BenefitKey,
					r.Region, r.Verdict, r.Score, r.Grant, expl, t)
			}
			query := head + tuple + strings.Repeat(", "+tuple, len(chunk)-1) + tail
			if _, err := tx.ExecContext(ctx, s.q(query), args...); err != nil {
				return fmt.Errorf("records %d to %d: %w", lo, lo+len(chunk)-1, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("put matches: %w", err)
	}
	return nil
}

// SubjectMatches implements store.Matches, ordered by policy, version and
// benefit.
func (s *DB) SubjectMatches(ctx context.Context, kind corpus.Audience, id string) ([]store.MatchRecord, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT subject_kind, subject_id, policy_id, version, benefit_key,
		region, verdict, score, is_grant, explanation, matched_at FROM matches
		WHERE subject_kind = ? AND subject_id = ? ORDER BY policy_id, version, benefit_key`), string(kind), id)
	if err != nil {
		return nil, fmt.Errorf("matches of %s %s: %w", kind, id, err)
	}
	defer rows.Close()
	var out []store.MatchRecord
	for rows.Next() {
		var r store.MatchRecord
		if err := rows.Scan(&r.SubjectKind, &r.SubjectID, &r.PolicyID, &r.Version, &r.BenefitKey,
			&r.Region, &r.Verdict, &r.Score, &r.Grant, &r.Explanation, &r.MatchedAt); err != nil {
			return nil, fmt.Errorf("matches of %s %s: %w", kind, id, err)
		}
		r.MatchedAt = r.MatchedAt.UTC()
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("matches of %s %s: %w", kind, id, err)
	}
	return out, nil
}

// CountMatches implements store.Matches. Each subject counts once, under
// its best verdict across the version's benefits (eligible, then unknown,
// then ineligible), in its region; rows come by region, best verdict first.
func (s *DB) CountMatches(ctx context.Context, policyID string, version int) ([]store.MatchCount, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT region, best, count(*) FROM (
			SELECT max(region) AS region,
				max(CASE verdict WHEN 'eligible' THEN 2 WHEN 'unknown' THEN 1 ELSE 0 END) AS best
			FROM matches WHERE policy_id = ? AND version = ?
			GROUP BY subject_kind, subject_id) per_subject
		GROUP BY region, best ORDER BY region, best DESC`), policyID, version)
	if err != nil {
		return nil, fmt.Errorf("count matches of %s version %d: %w", policyID, version, err)
	}
	defer rows.Close()
	names := [...]string{VerdictIneligible, VerdictUnknown, VerdictEligible}
	var out []store.MatchCount
	for rows.Next() {
		var (
			c    store.MatchCount
			best int
		)
		if err := rows.Scan(&c.Region, &best, &c.N); err != nil {
			return nil, fmt.Errorf("count matches of %s version %d: %w", policyID, version, err)
		}
		c.Verdict = names[best]
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("count matches of %s version %d: %w", policyID, version, err)
	}
	return out, nil
}

// DeleteMatches implements store.Matches.
func (s *DB) DeleteMatches(ctx context.Context, policyID string, keepVersion int) (int64, error) {
	if keepVersion < 0 {
		return 0, fmt.Errorf("delete matches of %s: %w", policyID, &corpus.FieldError{Field: "keep_version", Msg: fmt.Sprintf("%d is negative", keepVersion)})
	}
	var n int64
	err := s.write(ctx, func(tx *sql.Tx) error {
		query, args := `DELETE FROM matches WHERE policy_id = ?`, []any{policyID}
		if keepVersion > 0 {
			query += ` AND version < ?`
			args = append(args, keepVersion)
		}
		res, err := tx.ExecContext(ctx, s.q(query), args...)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("delete matches of %s: %w", policyID, err)
	}
	return n, nil
}

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
