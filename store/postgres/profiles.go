package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/zhida/zhida/store"
	"github.com/zhida/zhida/store/internal/sqlstore"
)

// UpsertProfiles implements store.Profiles with PostgreSQL's bulk path: the
// batch is copied (binary COPY) into a temporary staging table, then merged
// into profiles by one INSERT ... ON CONFLICT that skips rows whose hash is
// unchanged, all in one transaction.
//
// Seqs must become visible in commit order, as outbox event ids do (see
// insertEvent in store/internal/sqlstore): the transaction takes an advisory
// lock right before the merge takes its seqs from profiles_seq and holds it
// until commit, so a reader of "seq > cursor" never sees seq n before every
// smaller seq that will commit. Only the merge and the commit run under the
// lock; the copy, the expensive part, runs in parallel with other batches.
func (s *Store) UpsertProfiles(ctx context.Context, recs []store.ProfileRecord) (store.UpsertResult, error) {
	var res store.UpsertResult
	recs, _, err := sqlstore.PrepareProfiles(recs)
	if err != nil {
		return res, fmt.Errorf("upsert profiles: %w", err)
	}
	if len(recs) == 0 {
		return res, nil
	}
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `CREATE TEMP TABLE profiles_in (
				kind text COLLATE "C", id text COLLATE "C", region text COLLATE "C",
				as_of date, data jsonb, hash text, shard_hash bigint) ON COMMIT DROP`); err != nil {
			return fmt.Errorf("create staging table: %w", err)
		}
		src := pgx.CopyFromSlice(len(recs), func(i int) ([]any, error) {
			r := recs[i]
			var asOf any
			if !r.AsOf.IsZero() {
				asOf = r.AsOf.Time()
			}
			return []any{string(r.Kind), r.ID, r.Region, asOf, r.Data, r.Hash, sqlstore.ShardHash(r.ID)}, nil
		})
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"profiles_in"},
			[]string{"kind", "id", "region", "as_of", "data", "hash", "shard_hash"}, src); err != nil {
			return fmt.Errorf("copy into staging table: %w", err)
		}
		if _, err := tx.Exec(ctx, s.lockProfiles); err != nil {
			return fmt.Errorf("lock profile seq: %w", err)
		}
		// Unchanged rows are dropped before the insert, so they neither
		// take a seq nor get locked and rewritten by ON CONFLICT (which
		// costs about four times the probe on a re-import). The probe is a
		// LATERAL ... LIMIT 1, which the planner cannot turn into a join,
		// so it stays one primary-key lookup per staged row however large
		// profiles grows. The ON CONFLICT condition is what guarantees
		// unchanged rows are not written.
		rows, err := tx.Query(ctx, `INSERT INTO profiles
				(kind, id, region, as_of, data, hash, seq, shard_hash, updated_at)
			SELECT i.kind, i.id, i.region, i.as_of, i.data, i.hash, nextval('profiles_seq'), i.shard_hash, $1
			FROM profiles_in i
			LEFT JOIN LATERAL (SELECT p.hash FROM profiles p WHERE p.kind = i.kind AND p.id = i.id LIMIT 1) p ON true
			WHERE p.hash IS DISTINCT FROM i.hash
			ON CONFLICT (kind, id) DO UPDATE SET region = excluded.region, as_of = excluded.as_of,
				data = excluded.data, hash = excluded.hash, seq = excluded.seq,
				shard_hash = excluded.shard_hash, updated_at = excluded.updated_at
			WHERE profiles.hash IS DISTINCT FROM excluded.hash
			RETURNING (xmax = 0)`, time.Now().UTC().Truncate(time.Microsecond))
		if err != nil {
			return fmt.Errorf("merge: %w", err)
		}
		var inserted bool
		_, err = pgx.ForEachRow(rows, []any{&inserted}, func() error {
			if inserted {
				res.Inserted++
			} else {
				res.Updated++
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("merge: %w", err)
		}
		res.Unchanged = len(recs) - res.Inserted - res.Updated
		return nil
	})
	if err != nil {
		return store.UpsertResult{}, fmt.Errorf("upsert profiles: %w", err)
	}
	return res, nil
}
