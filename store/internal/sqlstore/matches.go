package sqlstore

import (
	"bytes"
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/zhida/zhida/corpus"
	"github.com/zhida/zhida/store"
)

// Verdicts a match may hold, from best to worst as CountMatches ranks them.
const (
	VerdictEligible   = "eligible"
	VerdictUnknown    = "unknown"
	VerdictIneligible = "ineligible"
)

type matchKey struct {
	kind                 corpus.Audience
	subject, policy, key string
	version              int
}

// PutMatches implements store.Matches: one INSERT ... ON CONFLICT DO UPDATE
// statement that only touches a row whose digest (store.MatchDigest)
// differs. The rows travel as parameters of a fixed statement text —
// arrays on PostgreSQL (unnest), one JSON array on SQLite (jsonb_each,
// whose rows are JSONB, so ->> reads them without parsing text again) — so
// any number of them is one prepared statement and one round trip; being
// one statement, it needs no explicit transaction (and SQLite keeps no
// statement journal). A key repeated within recs is written once, with its
// last record.
//
// On PostgreSQL the statement turns synchronous_commit off for its own
// transaction (set_config local to it): the commit does not wait for the
// WAL flush, which was most of a rematch's time (a few ms per commit on a
// busy disk). Matches are derived data, and WAL is flushed in order: any
// later synchronous commit — the sweep's CompleteShard, a grant planned
// from these rows, any other write — makes them durable too. A database
// crash can lose only rows written in the last fraction of a second that
// nothing acted on yet: the next sweep of the version writes lost eligible
// and unknown rows again; a lost ineligible overwrite waits for the
// subject's next rematch, as after a crash of zhida itself between a
// profile change and its rematch.
func (s *DB) PutMatches(ctx context.Context, recs []store.MatchRecord) error {
	at := make(map[matchKey]int, len(recs))
	rows := make([]store.MatchRecord, 0, len(recs))
	for i, r := range recs {
		if fe := checkMatch(&r); fe != nil {
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
		region, verdict, score, is_grant, explanation, digest, matched_at) `
	const tail = ` ON CONFLICT (subject_kind, subject_id, policy_id, version, benefit_key) DO UPDATE SET
		region = excluded.region, verdict = excluded.verdict, score = excluded.score,
		is_grant = excluded.is_grant, explanation = excluded.explanation, digest = excluded.digest,
		matched_at = excluded.matched_at
		WHERE matches.digest IS DISTINCT FROM excluded.digest`
	var (
		query string
		args  []any
	)
	if s.d.Arrays {
		n := len(rows)
		kinds, ids, pols, keys, regions, verdicts := make([]string, n), make([]string, n), make([]string, n),
			make([]string, n), make([]string, n), make([]string, n)
		vers, scores, grants, expls := make([]int32, n), make([]float64, n), make([]bool, n), make([]*string, n)
		digests := make([]int64, n)
		for i, r := range rows {
			digests[i] = int64(store.MatchDigest(&r))
			kinds[i], ids[i], pols[i], keys[i], regions[i], verdicts[i] = string(r.SubjectKind), r.SubjectID, r.PolicyID,
				r.BenefitKey, r.Region, r.Verdict
			vers[i], scores[i], grants[i] = int32(r.Version), r.Score, r.Grant
			if r.Explanation != nil {
				e := string(r.Explanation)
				expls[i] = &e
			}
		}
		query = head + `SELECT sk, si, po, ve, bk, re, vd, sc, gr, CAST(ex AS jsonb), dg, CAST(? AS timestamptz)
			FROM unnest(CAST(? AS TEXT[]), CAST(? AS TEXT[]), CAST(? AS TEXT[]), CAST(? AS INT[]), CAST(? AS TEXT[]),
				CAST(? AS TEXT[]), CAST(? AS TEXT[]), CAST(? AS FLOAT8[]), CAST(? AS BOOL[]), CAST(? AS TEXT[]),
				CAST(? AS INT8[]))
				WITH ORDINALITY AS u(sk, si, po, ve, bk, re, vd, sc, gr, ex, dg, ord)
			WHERE (SELECT set_config('synchronous_commit', 'off', true)) IS NOT NULL
			ORDER BY ord` + tail
		args = []any{now(), kinds, ids, pols, vers, keys, regions, verdicts, scores, grants, expls, digests}
	} else {
		// WHERE true: SQLite needs it to parse an upsert from a SELECT.
		query = head + `SELECT value->>0, value->>1, value->>2, value->>3, value->>4, value->>5, value->>6,
			value->>7, value->>8, value->>9, value->>10, ? FROM jsonb_each(?) WHERE true` + tail
		args = []any{now(), string(matchesJSON(rows))}
	}
	st, err := s.stmt(ctx, query)
	if err != nil {
		return fmt.Errorf("put matches: prepare: %w", err)
	}
	if s.d.SerialWriters {
		s.writeMu.Lock()
		defer s.writeMu.Unlock()
	}
	if _, err := st.ExecContext(ctx, args...); err != nil {
		return fmt.Errorf("put matches: %w", err)
	}
	return nil
}

// checkMatch says what is wrong with a record PutMatches cannot store.
func checkMatch(r *store.MatchRecord) *corpus.FieldError {
	switch {
	case !validKind(r.SubjectKind):
		return &corpus.FieldError{Field: "subject_kind", Msg: fmt.Sprintf("%q is not enterprise or resident", r.SubjectKind)}
	case r.SubjectID == "":
		return &corpus.FieldError{Field: "subject_id", Msg: "is empty"}
	case r.PolicyID == "":
		return &corpus.FieldError{Field: "policy_id", Msg: "is empty"}
	case r.Version <= 0 || r.Version > math.MaxInt32:
		return &corpus.FieldError{Field: "version", Msg: fmt.Sprintf("%d is not a positive 32-bit integer", r.Version)}
	case r.BenefitKey == "":
		return &corpus.FieldError{Field: "benefit_key", Msg: "is empty"}
	case r.Verdict != VerdictEligible && r.Verdict != VerdictUnknown && r.Verdict != VerdictIneligible:
		return &corpus.FieldError{Field: "verdict", Msg: fmt.Sprintf("%q is not eligible, ineligible or unknown", r.Verdict)}
	case math.IsNaN(r.Score) || math.IsInf(r.Score, 0):
		return &corpus.FieldError{Field: "score", Msg: fmt.Sprintf("%v is not a finite number", r.Score)}
	case r.Explanation != nil && !json.Valid(r.Explanation):
		return &corpus.FieldError{Field: "explanation", Msg: "is not valid JSON"}
	case bytes.Contains(r.Explanation, []byte(`\u0000`)):
		return &corpus.FieldError{Field: "explanation", Msg: `holds a \u0000 escape`} // jsonb cannot
	}
	// Text travels in JSON (SQLite) and PostgreSQL refuses invalid UTF-8:
	// both backends refuse it alike.
	for _, f := range [...]struct{ name, v string }{{"subject_id", r.SubjectID}, {"policy_id", r.PolicyID},
		{"benefit_key", r.BenefitKey}, {"region", r.Region}} {
		if !utf8.ValidString(f.v) || strings.IndexByte(f.v, 0) >= 0 {
			return &corpus.FieldError{Field: f.name, Msg: "is not valid UTF-8 text"}
		}
	}
	if !utf8.Valid(r.Explanation) || bytes.IndexByte(r.Explanation, 0) >= 0 {
		return &corpus.FieldError{Field: "explanation", Msg: "is not valid UTF-8 text"}
	}
	return nil
}

// matchesJSON writes rows as one JSON array of arrays, in the column order
// of PutMatches' SQLite statement. Strings are escaped so that SQLite's
// ->> gives back exactly their bytes (valid UTF-8, checked before); the
// explanation is a string holding its JSON text, so it is stored byte for
// byte; scores are written shortest-exact, which SQLite reads back exactly.
func matchesJSON(rows []store.MatchRecord) []byte {
	size := 2
	for i := range rows {
		size += 96 + len(rows[i].SubjectID) + len(rows[i].PolicyID) + len(rows[i].BenefitKey) + len(rows[i].Explanation)*11/10
	}
	b := make([]byte, 0, size)
	b = append(b, '[')
	for i := range rows {
		r := &rows[i]
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '[')
		for _, v := range [...]string{string(r.SubjectKind), r.SubjectID, r.PolicyID} {
			b = appendJSONString(b, v)
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, int64(r.Version), 10)
		b = append(b, ',')
		for _, v := range [...]string{r.BenefitKey, r.Region, r.Verdict} {
			b = appendJSONString(b, v)
			b = append(b, ',')
		}
		b = strconv.AppendFloat(b, r.Score, 'g', -1, 64)
		if r.Grant {
			b = append(b, ",1,"...)
		} else {
			b = append(b, ",0,"...)
		}
		if r.Explanation == nil {
			b = append(b, "null"...)
		} else {
			b = appendJSONString(b, string(r.Explanation))
		}
		b = append(b, ',')
		b = strconv.AppendInt(b, int64(store.MatchDigest(r)), 10)
		b = append(b, ']')
	}
	return append(b, ']')
}

// appendJSONString appends s as a JSON string: quotes, backslashes and
// control characters escaped, everything else (valid UTF-8) as is.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	last := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		b = append(b, s[last:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\t':
			b = append(b, '\\', 't')
		default:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&15])
		}
		last = i + 1
	}
	b = append(b, s[last:]...)
	return append(b, '"')
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

// SubjectDigests implements store.Matches.
func (s *DB) SubjectDigests(ctx context.Context, kind corpus.Audience, id string) ([]store.MatchDigestRecord, error) {
	st, err := s.stmt(ctx, `SELECT policy_id, version, benefit_key, verdict, digest FROM matches
		WHERE subject_kind = ? AND subject_id = ?`)
	if err != nil {
		return nil, fmt.Errorf("match digests of %s %s: %w", kind, id, err)
	}
	rows, err := st.QueryContext(ctx, string(kind), id)
	if err != nil {
		return nil, fmt.Errorf("match digests of %s %s: %w", kind, id, err)
	}
	defer rows.Close()
	var out []store.MatchDigestRecord
	for rows.Next() {
		var (
			r      store.MatchDigestRecord
			digest sql.NullInt64
		)
		if err := rows.Scan(&r.PolicyID, &r.Version, &r.BenefitKey, &r.Verdict, &digest); err != nil {
			return nil, fmt.Errorf("match digests of %s %s: %w", kind, id, err)
		}
		r.Digest = uint64(digest.Int64)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("match digests of %s %s: %w", kind, id, err)
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
