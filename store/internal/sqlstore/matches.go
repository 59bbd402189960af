package sqlstore

import (
	"bytes"
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math/bits"
	"slices"
	"strings"

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
		case bytes.Contains(r.Explanation, []byte(`\u0000`)):
			fe = &corpus.FieldError{Field: "explanation", Msg: `holds a \u0000 escape`} // jsonb cannot
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
	// Writers that overlap (a worker whose lease was taken over, and the
	// worker that took it) lock rows in the same order and cannot deadlock.
	slices.SortFunc(rows, func(a, b store.MatchRecord) int {
		return cmp.Or(cmp.Compare(a.SubjectKind, b.SubjectKind), cmp.Compare(a.SubjectID, b.SubjectID),
			cmp.Compare(a.PolicyID, b.PolicyID), cmp.Compare(a.Version, b.Version), cmp.Compare(a.BenefitKey, b.BenefitKey))
	})
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
		args := make([]any, 0, 11*min(len(rows), matchChunk))
		for lo := 0; lo < len(rows); {
			// Chunks of matchChunk rows, then of powers of two: few
			// statement texts, each prepared once (see stmt).
			size := matchChunk
			for size > len(rows)-lo {
				size = 1 << (bits.Len(uint(len(rows)-lo)) - 1)
			}
			chunk := rows[lo : lo+size]
			args = args[:0]
			for _, r := range chunk {
				var expl any
				if r.Explanation != nil {
					expl = string(r.Explanation)
				}
				args = append(args, string(r.SubjectKind), r.SubjectID, r.PolicyID, r.Version, r.BenefitKey,
					r.Region, r.Verdict, r.Score, r.Grant, expl, t)
			}
			st, err := s.stmt(ctx, head+tuple+strings.Repeat(", "+tuple, len(chunk)-1)+tail)
			if err != nil {
				return fmt.Errorf("prepare: %w", err)
			}
			if _, err := tx.StmtContext(ctx, st).ExecContext(ctx, args...); err != nil {
				return fmt.Errorf("records %d to %d: %w", lo, lo+len(chunk)-1, err)
			}
			lo += size
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
	st, err := s.stmt(ctx, `SELECT subject_kind, subject_id, policy_id, version, benefit_key,
		region, verdict, score, is_grant, explanation, matched_at FROM matches
		WHERE subject_kind = ? AND subject_id = ? ORDER BY policy_id, version, benefit_key`)
	if err != nil {
		return nil, fmt.Errorf("matches of %s %s: %w", kind, id, err)
	}
	rows, err := st.QueryContext(ctx, string(kind), id)
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
func (s *DB) CountMatches(ctx context.Context, policyID string, version int, benefitKeys ...string) ([]store.MatchCount, error) {
	args := []any{policyID, version}
	only := ""
	if len(benefitKeys) > 0 {
		only = " AND benefit_key IN (?" + strings.Repeat(", ?", len(benefitKeys)-1) + ")"
		for _, k := range benefitKeys {
			args = append(args, k)
		}
	}
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT region, best, count(*) FROM (
			SELECT max(region) AS region,
				max(CASE verdict WHEN 'eligible' THEN 2 WHEN 'unknown' THEN 1 ELSE 0 END) AS best
			FROM matches WHERE policy_id = ? AND version = ?`+only+`
			GROUP BY subject_kind, subject_id) per_subject
		GROUP BY region, best ORDER BY region, best DESC`), args...)
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
