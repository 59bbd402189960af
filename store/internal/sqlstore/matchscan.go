package sqlstore

import (
	"context"
	"fmt"

	"github.com/zhida/zhida/store"
)

// matchPage is how many matches PolicyMatches reads at a time.
const matchPage = 1000

// PolicyMatches implements store.Matches. Pages continue after the last
// key read (keyset paging), and fn runs between pages with no query open.
func (s *DB) PolicyMatches(ctx context.Context, policyID string, version int, fn func(store.MatchRecord) error) error {
	var lastKind, lastID, lastBenefit string
	first := true
	for {
		query := `SELECT subject_kind, subject_id, policy_id, version, benefit_key, region, verdict, score, is_grant,
			explanation, matched_at FROM matches
			WHERE policy_id = ? AND version = ? AND verdict IN ('eligible', 'unknown')`
		args := []any{policyID, version}
		if !first {
			query += ` AND (subject_kind, subject_id, benefit_key) > (?, ?, ?)`
			args = append(args, lastKind, lastID, lastBenefit)
		}
		query += ` ORDER BY subject_kind, subject_id, benefit_key LIMIT ?`
		args = append(args, matchPage)
		rows, err := s.db.QueryContext(ctx, s.q(query), args...)
		if err != nil {
			return fmt.Errorf("matches of %s version %d: %w", policyID, version, err)
		}
		var page []store.MatchRecord
		for rows.Next() {
			var r store.MatchRecord
			if err := rows.Scan(&r.SubjectKind, &r.SubjectID, &r.PolicyID, &r.Version, &r.BenefitKey,
				&r.Region, &r.Verdict, &r.Score, &r.Grant, &r.Explanation, &r.MatchedAt); err != nil {
				rows.Close()
				return fmt.Errorf("matches of %s version %d: %w", policyID, version, err)
			}
			r.MatchedAt = r.MatchedAt.UTC()
			page = append(page, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("matches of %s version %d: %w", policyID, version, err)
		}
		for _, r := range page {
			if err := fn(r); err != nil {
				return err
			}
		}
		if len(page) < matchPage {
			return nil
		}
		last := page[len(page)-1]
		lastKind, lastID, lastBenefit, first = string(last.SubjectKind), last.SubjectID, last.BenefitKey, false
	}
}
