package sqlstore

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"strings"

	"github.com/zhida/zhida/corpus"
	"github.com/zhida/zhida/corpus/region"
	"github.com/zhida/zhida/store"
)

// ShardRange is the range [lo, hi) of ShardHash values in shard i of n:
// the 32-bit hash space cut into n nearly equal parts.
func ShardRange(i, n int) (lo, hi int64) {
	return int64(i) << 32 / int64(n), int64(i+1) << 32 / int64(n)
}

// ShardHash is the stable hash of a subject id that sharding uses: FNV-1a 32,
// computed here rather than in SQL so that both backends, and every worker,
// put a profile in the same shard.
func ShardHash(id string) int64 {
	h := fnv.New32a()
	h.Write([]byte(id))
	return int64(h.Sum32())
}

// validKind reports whether k names a subject kind.
func validKind(k corpus.Audience) bool {
	return k == corpus.AudienceEnterprise || k == corpus.AudienceResident
}

// isCode reports whether s is a 6-digit region code.
func isCode(s string) bool {
	if len(s) != 6 {
		return false
	}
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// PrepareProfiles validates a batch for UpsertProfiles and returns it ready
// to store: Hash filled in (SHA-256 of Data) where the caller left it empty,
// and a (Kind, ID) repeated within the batch kept once, with its last record.
// pos[i] is the index in recs of out[i], for error messages. The first bad
// record fails the whole batch, with an error naming its index and field.
func PrepareProfiles(recs []store.ProfileRecord) (out []store.ProfileRecord, pos []int, err error) {
	type key struct {
		kind corpus.Audience
		id   string
	}
	at := make(map[key]int, len(recs))
	out = make([]store.ProfileRecord, 0, len(recs))
	pos = make([]int, 0, len(recs))
	for i, r := range recs {
		var fe *corpus.FieldError
		switch {
		case !validKind(r.Kind):
			fe = &corpus.FieldError{Field: "kind", Msg: fmt.Sprintf("%q is not enterprise or resident", r.Kind)}
		case r.ID == "":
			fe = &corpus.FieldError{Field: "id", Msg: "is empty"}
		case r.Region != "" && !isCode(r.Region):
			fe = &corpus.FieldError{Field: "region", Msg: fmt.Sprintf("%q is not a 6-digit code", r.Region)}
		case !json.Valid(r.Data):
			fe = &corpus.FieldError{Field: "data", Msg: "is not valid JSON"}
		case bytes.Contains(r.Data, []byte(`\u0000`)):
			// PostgreSQL's jsonb cannot hold it; refuse it on both backends.
			fe = &corpus.FieldError{Field: "data", Msg: `holds a \u0000 escape`}
		}
		if fe != nil {
			return nil, nil, fmt.Errorf("profile record %d: %w", i, fe)
		}
		if r.Hash == "" {
			sum := sha256.Sum256(r.Data)
			r.Hash = hex.EncodeToString(sum[:])
		}
		k := key{r.Kind, r.ID}
		if j, ok := at[k]; ok {
			out[j], pos[j] = r, i
			continue
		}
		at[k] = len(out)
		out = append(out, r)
		pos = append(pos, i)
	}
	return out, pos, nil
}

// upsertChunk is how many profiles UpsertProfiles looks up and writes per
// statement: 9 parameters a row keeps a statement under SQLite's limit.
const upsertChunk = 500

// UpsertProfiles implements store.Profiles for databases whose writers are
// serialized (SQLite), in one transaction: per chunk of the batch, one
// query reads the stored hashes and one multi-row INSERT ... ON CONFLICT
// writes the rows that are new or changed, with seqs taken from the seqs
// counter row, which the single writer makes visible in commit order. The
// PostgreSQL backend has its own bulk path (CopyFrom and an advisory lock).
func (s *DB) UpsertProfiles(ctx context.Context, recs []store.ProfileRecord) (store.UpsertResult, error) {
	var res store.UpsertResult
	recs, pos, err := PrepareProfiles(recs)
	if err != nil {
		return res, fmt.Errorf("upsert profiles: %w", err)
	}
	if len(recs) == 0 {
		return res, nil
	}
	const (
		head = `INSERT INTO profiles (kind, id, region, as_of, data, hash, seq, shard_hash, updated_at) VALUES `
		row  = `(?, ?, ?, ?, ?, ?, ?, ?, ?)`
		tail = ` ON CONFLICT (kind, id) DO UPDATE SET region = excluded.region, as_of = excluded.as_of,
			data = excluded.data, hash = excluded.hash, seq = excluded.seq,
			shard_hash = excluded.shard_hash, updated_at = excluded.updated_at`
	)
	err = s.write(ctx, func(tx *sql.Tx) error {
		var seq int64
		if err := tx.QueryRowContext(ctx, `SELECT value FROM seqs WHERE name = 'profiles'`).Scan(&seq); err != nil {
			return fmt.Errorf("read profile seq: %w", err)
		}
		at := now()
		stored := make(map[string]string, upsertChunk)
		args := make([]any, 0, 9*upsertChunk)
		for lo := 0; lo < len(recs); lo += upsertChunk {
			chunk := recs[lo:min(lo+upsertChunk, len(recs))]
			if err := s.storedHashes(ctx, tx, chunk, stored); err != nil {
				return err
			}
			args, n := args[:0], 0
			for _, r := range chunk {
				old, ok := stored[string(r.Kind)+"\x00"+r.ID]
				switch {
				case !ok:
					res.Inserted++
				case old == r.Hash:
					res.Unchanged++
					continue
				default:
					res.Updated++
				}
				seq++
				n++
				args = append(args, string(r.Kind), r.ID, r.Region, dateArg(r.AsOf), string(r.Data), r.Hash, seq, ShardHash(r.ID), at)
			}
			if n == 0 {
				continue
			}
			if _, err := tx.ExecContext(ctx, s.q(head+row+strings.Repeat(", "+row, n-1)+tail), args...); err != nil {
				return fmt.Errorf("profile records %d to %d: %w", pos[lo], pos[lo+len(chunk)-1], err)
			}
		}
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE seqs SET value = ? WHERE name = 'profiles'`), seq); err != nil {
			return fmt.Errorf("save profile seq: %w", err)
		}
		return nil
	})
	if err != nil {
		return store.UpsertResult{}, fmt.Errorf("upsert profiles: %w", err)
	}
	return res, nil
}

// storedHashes fills stored (cleared first) with the hashes of the stored
// profiles among recs, keyed by kind NUL id.
func (s *DB) storedHashes(ctx context.Context, tx *sql.Tx, recs []store.ProfileRecord, stored map[string]string) error {
	clear(stored)
	byKind := map[corpus.Audience][]any{}
	for _, r := range recs {
		byKind[r.Kind] = append(byKind[r.Kind], r.ID)
	}
	for kind, ids := range byKind {
		rows, err := tx.QueryContext(ctx, s.q(`SELECT id, hash FROM profiles WHERE kind = ? AND id IN (?`+
			strings.Repeat(", ?", len(ids)-1)+`)`), append([]any{string(kind)}, ids...)...)
		if err != nil {
			return fmt.Errorf("read stored hashes: %w", err)
		}
		for rows.Next() {
			var id, hash string
			if err := rows.Scan(&id, &hash); err != nil {
				rows.Close()
				return fmt.Errorf("read stored hashes: %w", err)
			}
			stored[string(kind)+"\x00"+id] = hash
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("read stored hashes: %w", err)
		}
	}
	return nil
}

// profileCols selects a ProfileRecord (see scanProfile).
func (s *DB) profileCols() string {
	asOf := s.d.AsOfText
	if asOf == "" {
		asOf = "as_of"
	}
	return `kind, id, region, ` + asOf + `, data, hash, seq, updated_at FROM profiles`
}

func scanProfile(row scanner) (store.ProfileRecord, error) {
	var (
		r    store.ProfileRecord
		asOf sql.NullString
	)
	if err := row.Scan(&r.Kind, &r.ID, &r.Region, &asOf, &r.Data, &r.Hash, &r.Seq, &r.UpdatedAt); err != nil {
		return r, err
	}
	r.UpdatedAt = r.UpdatedAt.UTC()
	if asOf.Valid {
		d, err := corpus.ParseDate(asOf.String)
		if err != nil {
			return r, fmt.Errorf("profile %s %s: as_of: %w", r.Kind, r.ID, err)
		}
		r.AsOf = d
	}
	return r, nil
}

// GetProfile implements store.Profiles.
func (s *DB) GetProfile(ctx context.Context, kind corpus.Audience, id string) (store.ProfileRecord, error) {
	st, err := s.stmt(ctx, `SELECT `+s.profileCols()+` WHERE kind = ? AND id = ?`)
	if err != nil {
		return store.ProfileRecord{}, fmt.Errorf("read profile %s %s: %w", kind, id, err)
	}
	r, err := scanProfile(st.QueryRowContext(ctx, string(kind), id))
	if errors.Is(err, sql.ErrNoRows) {
		return r, fmt.Errorf("profile %s %s: %w", kind, id, store.ErrNotFound)
	}
	if err != nil {
		return r, fmt.Errorf("read profile %s %s: %w", kind, id, err)
	}
	return r, nil
}

// ProfilePageSize is how many profiles ScanProfiles reads per query.
const ProfilePageSize = 2000

// regionCond is the SQL condition for "region is within code" (the prefix
// semantics of region.Within) with its arguments. Ranges on the prefix keep
// it an index range scan on both backends.
func regionCond(code string) (string, []any) {
	var prefix string
	switch {
	case code == region.National:
		return "length(region) = 6", nil
	case code[2:] == "0000":
		prefix = code[:2]
	case code[4:] == "00":
		prefix = code[:4]
	default:
		return "region = ?", []any{code}
	}
	hi := prefix[:len(prefix)-1] + string(prefix[len(prefix)-1]+1)
	return "(region >= ? AND region < ?)", []any{prefix, hi}
}

// profileWhere builds the filter of q.
func profileWhere(q store.ProfileQuery) ([]string, []any, error) {
	var (
		where []string
		args  []any
	)
	if q.Kind != "" {
		if !validKind(q.Kind) {
			return nil, nil, &corpus.FieldError{Field: "kind", Msg: fmt.Sprintf("%q is not enterprise or resident", q.Kind)}
		}
		where = append(where, "kind = ?")
		args = append(args, string(q.Kind))
	}
	if len(q.Regions) > 0 {
		var or []string
		for i, code := range q.Regions {
			if !isCode(code) {
				return nil, nil, &corpus.FieldError{Field: fmt.Sprintf("regions[%d]", i), Msg: fmt.Sprintf("%q is not a 6-digit code", code)}
			}
			c, a := regionCond(code)
			or = append(or, c)
			args = append(args, a...)
		}
		where = append(where, "("+strings.Join(or, " OR ")+")")
	}
	switch {
	case q.Shards < 0:
		return nil, nil, &corpus.FieldError{Field: "shards", Msg: fmt.Sprintf("%d is negative", q.Shards)}
	case q.Shards > 0 && (q.Shard < 0 || q.Shard >= q.Shards):
		return nil, nil, &corpus.FieldError{Field: "shard", Msg: fmt.Sprintf("%d is not in [0, %d)", q.Shard, q.Shards)}
	case q.Shards > 0:
		// A shard is a range of the hash, so the index on (kind,
		// shard_hash, id) reads only its rows (a modulo would read them all).
		lo, hi := ShardRange(q.Shard, q.Shards)
		where = append(where, "shard_hash >= ? AND shard_hash < ?")
		args = append(args, lo, hi)
	}
	if q.AfterSeq > 0 {
		where = append(where, "seq > ?")
		args = append(args, q.AfterSeq)
	}
	return where, args, nil
}

// ScanProfiles implements store.Profiles. It pages by (kind, id) and calls
// fn only after a page's rows are closed, so fn may itself use the store
// (on SQLite, even write to it). A shard is read one kind at a time in
// (shard_hash, id) order: a range of the index on (kind, shard_hash, id),
// so each shard reads only its own profiles.
//
// Pages are separate queries, so a profile may change while the scan runs.
// The scan is therefore cut at the largest seq committed when it starts:
// otherwise a follower could see a profile on a later page that changed
// after one on a page it had passed, take the later seq as its cursor, and
// never see the earlier change. Seqs become visible in commit order, so
// every change after the cut has a larger seq and is left whole to the
// next scan.
func (s *DB) ScanProfiles(ctx context.Context, q store.ProfileQuery, fn func(store.ProfileRecord) error) error {
	if _, _, err := profileWhere(q); err != nil {
		return fmt.Errorf("scan profiles: %w", err)
	}
	var cut int64
	if err := s.db.QueryRowContext(ctx, `SELECT coalesce(max(seq), 0) FROM profiles`).Scan(&cut); err != nil {
		return fmt.Errorf("scan profiles: read the latest seq: %w", err)
	}
	if q.Shards == 0 {
		return s.scanProfiles(ctx, q, cut, fn)
	}
	kinds := []corpus.Audience{q.Kind}
	if q.Kind == "" {
		kinds = []corpus.Audience{corpus.AudienceEnterprise, corpus.AudienceResident}
	}
	for _, k := range kinds {
		q.Kind = k
		if err := s.scanProfiles(ctx, q, cut, fn); err != nil {
			return err
		}
	}
	return nil
}

// scanProfiles is ScanProfiles with the seq cut taken; a shard's q names a
// kind.
func (s *DB) scanProfiles(ctx context.Context, q store.ProfileQuery, cut int64, fn func(store.ProfileRecord) error) error {
	where, args, err := profileWhere(q)
	if err != nil {
		return fmt.Errorf("scan profiles: %w", err)
	}
	where = append(where, "seq <= ?")
	args = append(args, cut)
	sharded := q.Shards > 0
	page := make([]store.ProfileRecord, 0, ProfilePageSize)
	var afterKind, afterID string
	for first := true; ; first = false {
		w, a := where, args
		switch {
		case first:
		case sharded:
			w = append(w[:len(w):len(w)], "(shard_hash, id) > (?, ?)")
			a = append(a[:len(a):len(a)], ShardHash(afterID), afterID)
		default:
			w = append(w[:len(w):len(w)], "(kind, id) > (?, ?)")
			a = append(a[:len(a):len(a)], afterKind, afterID)
		}
		query := `SELECT ` + s.profileCols()
		if len(w) > 0 {
			query += " WHERE " + strings.Join(w, " AND ")
		}
		if sharded {
			query += " ORDER BY shard_hash, id LIMIT ?"
		} else {
			query += " ORDER BY kind, id LIMIT ?"
		}
		a = append(a, ProfilePageSize)
		page, err = s.profilePage(ctx, query, a, page[:0])
		if err != nil {
			return fmt.Errorf("scan profiles: %w", err)
		}
		for _, r := range page {
			if err := fn(r); err != nil {
				return err
			}
		}
		if len(page) < ProfilePageSize {
			return nil
		}
		last := page[len(page)-1]
		afterKind, afterID = string(last.Kind), last.ID
	}
}

func (s *DB) profilePage(ctx context.Context, query string, args []any, page []store.ProfileRecord) ([]store.ProfileRecord, error) {
	rows, err := s.db.QueryContext(ctx, s.q(query), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		r, err := scanProfile(rows)
		if err != nil {
			return nil, err
		}
		page = append(page, r)
	}
	return page, rows.Err()
}

// CountProfiles implements store.Profiles.
func (s *DB) CountProfiles(ctx context.Context, kind corpus.Audience) (int64, error) {
	where, args, err := profileWhere(store.ProfileQuery{Kind: kind})
	if err != nil {
		return 0, fmt.Errorf("count profiles: %w", err)
	}
	query := `SELECT count(*) FROM profiles`
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	var n int64
	if err := s.db.QueryRowContext(ctx, s.q(query), args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count profiles: %w", err)
	}
	return n, nil
}
