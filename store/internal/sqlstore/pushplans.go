package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/zhida/zhida/store"
)

// SweepsToPlan implements store.PushPlans.
func (s *DB) SweepsToPlan(ctx context.Context, limit int) ([]store.Sweep, error) {
	if limit <= 0 {
		limit = store.DefaultPageSize
	}
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT key, policy_id, version, shards, created_at FROM sweeps
		WHERE NOT EXISTS (SELECT 1 FROM push_plans p WHERE p.sweep_key = sweeps.key)
		AND NOT EXISTS (SELECT 1 FROM sweep_shards sh WHERE sh.sweep_key = sweeps.key AND NOT sh.done)
		ORDER BY created_at, key LIMIT ?`), limit)
	if err != nil {
		return nil, fmt.Errorf("sweeps to plan: %w", err)
	}
	defer rows.Close()
	var out []store.Sweep
	for rows.Next() {
		var sw store.Sweep
		if err := rows.Scan(&sw.Key, &sw.PolicyID, &sw.Version, &sw.Shards, &sw.CreatedAt); err != nil {
			return nil, fmt.Errorf("sweeps to plan: %w", err)
		}
		sw.CreatedAt = sw.CreatedAt.UTC()
		sw.Done = sw.Shards
		out = append(out, sw)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sweeps to plan: %w", err)
	}
	return out, nil
}

// MarkSweepPlanned implements store.PushPlans.
func (s *DB) MarkSweepPlanned(ctx context.Context, sweepKey, outcome string, at time.Time) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.q(`INSERT INTO push_plans (sweep_key, planned_at, outcome) VALUES (?, ?, ?)
			ON CONFLICT (sweep_key) DO NOTHING`), sweepKey, micros(at), truncate(outcome, 2000))
		return err
	})
	if err != nil {
		return fmt.Errorf("mark sweep %s planned: %w", sweepKey, err)
	}
	return nil
}
