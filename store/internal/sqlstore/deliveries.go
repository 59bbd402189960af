package sqlstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/zhida/zhida/corpus"
	"github.com/zhida/zhida/store"
)

// Times in the delivery tables are unix microseconds, 0 for "not yet".
func micros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

func fromMicros(us int64) time.Time {
	if us == 0 {
		return time.Time{}
	}
	return time.UnixMicro(us).UTC()
}

// enqueueChunk bounds the rows of one multi-row INSERT (SQLite allows 32766
// parameters).
const enqueueChunk = 200

// Enqueue implements store.Deliveries.
func (s *DB) Enqueue(ctx context.Context, ds []store.NewDelivery) (int, error) {
	for i, d := range ds {
		if d.Key == "" || d.SubjectID == "" || d.Channel == "" || d.Kind == "" {
			return 0, fmt.Errorf("enqueue item %d: key, subject id, kind and channel are required", i)
		}
	}
	n := 0
	err := s.write(ctx, func(tx *sql.Tx) error {
		at := now()
		for start := 0; start < len(ds); start += enqueueChunk {
			chunk := ds[start:min(start+enqueueChunk, len(ds))]
			var b strings.Builder
			b.WriteString(`INSERT INTO deliveries (idempotency_key, subject_kind, subject_id, kind, channel,
				payload, policy_id, version, benefit_key, status, next_attempt_at, created_at) VALUES `)
			args := make([]any, 0, len(chunk)*11)
			for i, d := range chunk {
				if i > 0 {
					b.WriteString(", ")
				}
				b.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)")
				due := d.NotBefore
				if due.IsZero() {
					due = at
				}
				args = append(args, d.Key, string(d.SubjectKind), d.SubjectID, d.Kind, d.Channel,
					string(d.Payload), d.PolicyID, d.Version, d.BenefitKey, micros(due), micros(at))
			}
			b.WriteString(" ON CONFLICT (idempotency_key) DO NOTHING")
			res, err := tx.ExecContext(ctx, s.q(b.String()), args...)
			if err != nil {
				return fmt.Errorf("insert items %d..%d: %w", start, start+len(chunk)-1, err)
			}
			k, err := res.RowsAffected()
			if err != nil {
				return err
			}
			n += int(k)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("enqueue: %w", err)
	}
	return n, nil
}

const deliveryCols = `id, idempotency_key, subject_kind, subject_id, kind, channel, payload, policy_id, version,
	benefit_key, status, attempts, next_attempt_at, claimed_by, claim_token, last_error, created_at, delivered_at`

func scanDelivery(row scanner) (store.Delivery, error) {
	var (
		d                         store.Delivery
		payload                   string
		next, created, deliveredA int64
	)
	err := row.Scan(&d.ID, &d.Key, &d.SubjectKind, &d.SubjectID, &d.Kind, &d.Channel, &payload, &d.PolicyID,
		&d.Version, &d.BenefitKey, &d.Status, &d.Attempts, &next, &d.ClaimedBy, &d.ClaimToken, &d.LastError, &created, &deliveredA)
	d.Payload = []byte(payload)
	d.NextAttemptAt, d.CreatedAt, d.DeliveredAt = fromMicros(next), fromMicros(created), fromMicros(deliveredA)
	return d, err
}

func collectDeliveries(rows *sql.Rows) ([]store.Delivery, error) {
	defer rows.Close()
	var out []store.Delivery
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

func newToken() string {
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return hex.EncodeToString(b[:])
}

// Claim implements store.Deliveries. One UPDATE picks and takes the rows:
// on PostgreSQL its subquery locks them FOR UPDATE SKIP LOCKED, so
// concurrent claimers pass over each other's rows instead of waiting; on
// SQLite the statement runs under the single writer lock. A sending row's
// next_attempt_at is its claim expiry, so one condition finds both due and
// abandoned rows.
func (s *DB) Claim(ctx context.Context, r store.ClaimRequest) ([]store.Delivery, error) {
	if r.Limit <= 0 || r.TTL <= 0 || r.Worker == "" || r.Channel == "" {
		return nil, errors.New("claim: worker, channel, a positive limit and a positive ttl are required")
	}
	token := newToken()
	lock := ""
	if s.d.ForUpdate != "" {
		lock = s.d.ForUpdate + " SKIP LOCKED"
	}
	if s.d.NowMicros != "" {
		out, err := s.claimOne(ctx, r, token, lock)
		if err != nil {
			return nil, fmt.Errorf("claim for %s on %s: %w", r.Worker, r.Channel, err)
		}
		return out, nil
	}
	var out []store.Delivery
	err := s.write(ctx, func(tx *sql.Tx) error {
		at := r.Now.UTC()
		if r.Now.IsZero() {
			var err error
			if at, err = s.clock(ctx, tx); err != nil {
				return err
			}
		}
		expires := micros(at.Add(r.TTL))
		where := `status IN ('pending', 'sending') AND channel = ? AND next_attempt_at <= ?`
		args := []any{r.Worker, token, expires, expires, r.Channel, micros(at)}
		if len(r.Kinds) > 0 {
			where += ` AND kind IN (?` + strings.Repeat(", ?", len(r.Kinds)-1) + `)`
			for _, k := range r.Kinds {
				args = append(args, k)
			}
		}
		args = append(args, r.Limit)
		rows, err := tx.QueryContext(ctx, s.q(`UPDATE deliveries SET status = 'sending', claimed_by = ?,
			claim_token = ?, claim_expires_at = ?, next_attempt_at = ?
			WHERE id IN (SELECT id FROM deliveries WHERE `+where+` ORDER BY next_attempt_at, id LIMIT ?`+lock+`)
			RETURNING `+deliveryCols), args...)
		if err != nil {
			return err
		}
		out, err = collectDeliveries(rows)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("claim for %s on %s: %w", r.Worker, r.Channel, err)
	}
	return out, nil
}

// claimOne is Claim as one statement outside an explicit transaction (one
// round trip), measuring time on the database's clock (Dialect.NowMicros)
// unless r.Now is set.
func (s *DB) claimOne(ctx context.Context, r store.ClaimRequest, token, lock string) ([]store.Delivery, error) {
	now, args := s.d.NowMicros, []any{}
	if !r.Now.IsZero() {
		now, args = "CAST(? AS BIGINT)", []any{micros(r.Now)}
	}
	ttl := r.TTL.Microseconds()
	// The placeholders in order: the now of the SET clause twice, then the
	// now of the WHERE clause.
	set := []any{r.Worker, token}
	set = append(set, args...)
	set = append(set, ttl)
	set = append(set, args...)
	set = append(set, ttl, r.Channel)
	set = append(set, args...)
	where := `status IN ('pending', 'sending') AND channel = ? AND next_attempt_at <= ` + now
	if len(r.Kinds) > 0 {
		where += ` AND kind IN (?` + strings.Repeat(", ?", len(r.Kinds)-1) + `)`
		for _, k := range r.Kinds {
			set = append(set, k)
		}
	}
	set = append(set, r.Limit)
	rows, err := s.db.QueryContext(ctx, s.q(`UPDATE deliveries SET status = 'sending', claimed_by = ?,
		claim_token = ?, claim_expires_at = `+now+` + CAST(? AS BIGINT), next_attempt_at = `+now+` + CAST(? AS BIGINT)
		WHERE id IN (SELECT id FROM deliveries WHERE `+where+` ORDER BY next_attempt_at, id LIMIT ?`+lock+`)
		RETURNING `+deliveryCols), set...)
	if err != nil {
		return nil, err
	}
	return collectDeliveries(rows)
}

// MarkDelivered implements store.Deliveries.
func (s *DB) MarkDelivered(ctx context.Context, at time.Time, cs []store.Claim) (int, error) {
	n, err := s.eachClaims(ctx, cs, `UPDATE deliveries SET status = 'delivered', delivered_at = ?,
		claim_token = '', last_error = '' WHERE status = 'sending' AND (id, claim_token) IN `, micros(at))
	if err != nil {
		return 0, fmt.Errorf("mark delivered: %w", err)
	}
	return n, nil
}

// Release implements store.Deliveries.
func (s *DB) Release(ctx context.Context, at time.Time, cs []store.Claim) (int, error) {
	n, err := s.eachClaims(ctx, cs, `UPDATE deliveries SET status = 'pending', next_attempt_at = ?,
		claim_token = '' WHERE status = 'sending' AND (id, claim_token) IN `, micros(at))
	if err != nil {
		return 0, fmt.Errorf("release: %w", err)
	}
	return n, nil
}

// eachClaims runs update (ending in "(id, claim_token) IN ") for the
// claims, a chunk of rows per statement (one round trip per chunk), in
// one transaction.
func (s *DB) eachClaims(ctx context.Context, cs []store.Claim, update string, arg any) (int, error) {
	if s.d.Arrays {
		return s.claimsArray(ctx, cs, update, arg)
	}
	n := 0
	err := s.write(ctx, func(tx *sql.Tx) error {
		for start := 0; start < len(cs); start += enqueueChunk {
			chunk := cs[start:min(start+enqueueChunk, len(cs))]
			args := make([]any, 0, 1+2*len(chunk))
			args = append(args, arg)
			var b strings.Builder
			b.WriteString(update)
			b.WriteString("(")
			for i, c := range chunk {
				if i > 0 {
					b.WriteString(", ")
				}
				b.WriteString("(CAST(? AS BIGINT), CAST(? AS TEXT))")
				args = append(args, c.ID, c.Token)
			}
			b.WriteString(")")
			res, err := tx.ExecContext(ctx, s.q(b.String()), args...)
			if err != nil {
				return fmt.Errorf("deliveries %d..: %w", chunk[0].ID, err)
			}
			k, err := res.RowsAffected()
			if err != nil {
				return err
			}
			n += int(k)
		}
		return nil
	})
	return n, err
}

// claimsArray is eachClaims as one statement with the claims as two array
// parameters (PostgreSQL): one round trip, and an index lookup per claim
// where a long row-value IN list may be planned as a scan.
func (s *DB) claimsArray(ctx context.Context, cs []store.Claim, update string, arg any) (int, error) {
	if len(cs) == 0 {
		return 0, nil
	}
	ids, tokens := make([]int64, len(cs)), make([]string, len(cs))
	for i, c := range cs {
		ids[i], tokens[i] = c.ID, c.Token
	}
	res, err := s.db.ExecContext(ctx, s.q(update+`(SELECT * FROM unnest(CAST(? AS BIGINT[]), CAST(? AS TEXT[])))`), arg, ids, tokens)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// MarkFailed implements store.Deliveries.
func (s *DB) MarkFailed(ctx context.Context, fs []store.Failure) (int, error) {
	if s.d.Arrays && len(fs) > 0 {
		ids, tokens, statuses, retry, msgs := make([]int64, len(fs)), make([]string, len(fs)), make([]string, len(fs)),
			make([]int64, len(fs)), make([]string, len(fs))
		for i, f := range fs {
			ids[i], tokens[i], retry[i], msgs[i] = f.ID, f.Token, micros(f.RetryAt), truncate(f.Error, 2000)
			statuses[i] = string(store.DeliveryPending)
			if f.Dead {
				statuses[i] = string(store.DeliveryDead)
			}
		}
		res, err := s.db.ExecContext(ctx, s.q(`UPDATE deliveries d SET status = f.status, attempts = d.attempts + 1,
			next_attempt_at = f.retry, last_error = f.msg, claim_token = ''
			FROM unnest(CAST(? AS BIGINT[]), CAST(? AS TEXT[]), CAST(? AS TEXT[]), CAST(? AS BIGINT[]), CAST(? AS TEXT[]))
				AS f(id, token, status, retry, msg)
			WHERE d.id = f.id AND d.claim_token = f.token AND d.status = 'sending'`), ids, tokens, statuses, retry, msgs)
		if err != nil {
			return 0, fmt.Errorf("mark failed: %w", err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return 0, fmt.Errorf("mark failed: %w", err)
		}
		return int(n), nil
	}
	n := 0
	err := s.write(ctx, func(tx *sql.Tx) error {
		for _, f := range fs {
			status := store.DeliveryPending
			if f.Dead {
				status = store.DeliveryDead
			}
			res, err := tx.ExecContext(ctx, s.q(`UPDATE deliveries SET status = ?, attempts = attempts + 1,
				next_attempt_at = ?, last_error = ?, claim_token = ''
				WHERE id = ? AND claim_token = ? AND status = 'sending'`),
				string(status), micros(f.RetryAt), truncate(f.Error, 2000), f.ID, f.Token)
			if err != nil {
				return fmt.Errorf("delivery %d: %w", f.ID, err)
			}
			k, err := res.RowsAffected()
			if err != nil {
				return err
			}
			n += int(k)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("mark failed: %w", err)
	}
	return n, nil
}

// truncate cuts s to at most n bytes on a rune boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }

// GetDelivery implements store.Deliveries.
func (s *DB) GetDelivery(ctx context.Context, key string) (store.Delivery, error) {
	d, err := scanDelivery(s.db.QueryRowContext(ctx, s.q(`SELECT `+deliveryCols+` FROM deliveries WHERE idempotency_key = ?`), key))
	if errors.Is(err, sql.ErrNoRows) {
		return d, fmt.Errorf("delivery %s: %w", key, store.ErrNotFound)
	}
	if err != nil {
		return d, fmt.Errorf("read delivery %s: %w", key, err)
	}
	return d, nil
}

// CountDeliveries implements store.Deliveries.
func (s *DB) CountDeliveries(ctx context.Context) (map[store.DeliveryStatus]int64, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT status, count(*) FROM deliveries GROUP BY status`)
	if err != nil {
		return nil, fmt.Errorf("count deliveries: %w", err)
	}
	defer rows.Close()
	out := map[store.DeliveryStatus]int64{}
	for rows.Next() {
		var st string
		var n int64
		if err := rows.Scan(&st, &n); err != nil {
			return nil, fmt.Errorf("count deliveries: %w", err)
		}
		out[store.DeliveryStatus(st)] = n
	}
	return out, rows.Err()
}

// DeliveredSince implements store.Deliveries.
func (s *DB) DeliveredSince(ctx context.Context, kind corpus.Audience, ids []string, since time.Time) (map[string]int, error) {
	out := map[string]int{}
	for start := 0; start < len(ids); start += enqueueChunk {
		chunk := ids[start:min(start+enqueueChunk, len(ids))]
		args := []any{string(kind), micros(since)}
		for _, id := range chunk {
			args = append(args, id)
		}
		rows, err := s.db.QueryContext(ctx, s.q(`SELECT subject_id, count(*) FROM deliveries
			WHERE status = 'delivered' AND subject_kind = ? AND delivered_at >= ?
			AND subject_id IN (?`+strings.Repeat(", ?", len(chunk)-1)+`) GROUP BY subject_id`), args...)
		if err != nil {
			return nil, fmt.Errorf("count deliveries per subject: %w", err)
		}
		for rows.Next() {
			var id string
			var n int
			if err := rows.Scan(&id, &n); err != nil {
				rows.Close()
				return nil, fmt.Errorf("count deliveries per subject: %w", err)
			}
			out[id] = n
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("count deliveries per subject: %w", err)
		}
	}
	return out, nil
}

// ListDead implements store.Deliveries.
func (s *DB) ListDead(ctx context.Context, afterID int64, limit int) ([]store.Delivery, error) {
	if limit <= 0 {
		limit = store.DefaultPageSize
	}
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT `+deliveryCols+` FROM deliveries
		WHERE status = 'dead' AND id > ? ORDER BY id LIMIT ?`), afterID, limit)
	if err != nil {
		return nil, fmt.Errorf("list dead letters: %w", err)
	}
	out, err := collectDeliveries(rows)
	if err != nil {
		return nil, fmt.Errorf("list dead letters: %w", err)
	}
	return out, nil
}

// Redrive implements store.Deliveries.
func (s *DB) Redrive(ctx context.Context, ids []int64, at time.Time) (int, error) {
	n := 0
	err := s.write(ctx, func(tx *sql.Tx) error {
		for _, id := range ids {
			res, err := tx.ExecContext(ctx, s.q(`UPDATE deliveries SET status = 'pending', attempts = 0,
				next_attempt_at = ? WHERE id = ? AND status = 'dead'`), micros(at), id)
			if err != nil {
				return fmt.Errorf("delivery %d: %w", id, err)
			}
			k, err := res.RowsAffected()
			if err != nil {
				return err
			}
			n += int(k)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("redrive: %w", err)
	}
	return n, nil
}

// CancelSubject implements store.Deliveries.
func (s *DB) CancelSubject(ctx context.Context, kind corpus.Audience, subjectID, policyID, benefitKey, reason string) (int, error) {
	query := `UPDATE deliveries SET status = 'cancelled', claim_token = '', last_error = ?
		WHERE subject_kind = ? AND subject_id = ? AND policy_id = ? AND status IN ('pending', 'sending')`
	args := []any{truncate("cancelled: "+reason, 2000), string(kind), subjectID, policyID}
	if benefitKey != "" {
		query += ` AND benefit_key = ?`
		args = append(args, benefitKey)
	}
	var n int64
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(query), args...)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("cancel pushes to a subject about %s: %w", policyID, err)
	}
	return int(n), nil
}

// CancelForPolicy implements store.Deliveries. A delivery in flight when
// its policy is cancelled may still reach the receiver; its acknowledgement
// then finds it cancelled and leaves it so.
func (s *DB) CancelForPolicy(ctx context.Context, policyID string, beforeVersion int, reason string) (int, int, error) {
	// A retraction stops every grant not yet paid out; a new version only
	// those still in their objection window or held: a ready grant was
	// decided under the version then in force and its subject told so.
	stoppable := `('notified', 'held', 'ready')`
	if beforeVersion > 0 {
		stoppable = `('notified', 'held')`
	} else {
		beforeVersion = int(^uint32(0) >> 1)
	}
	var nd, ng int64
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`UPDATE deliveries SET status = 'cancelled', claim_token = '', last_error = ?
			WHERE policy_id = ? AND version < ? AND status IN ('pending', 'sending')`),
			truncate("cancelled: "+reason, 2000), policyID, beforeVersion)
		if err != nil {
			return fmt.Errorf("cancel deliveries: %w", err)
		}
		if nd, err = res.RowsAffected(); err != nil {
			return err
		}
		res, err = tx.ExecContext(ctx, s.q(`UPDATE grants SET status = 'stopped', reason = ?, updated_at = ?
			WHERE policy_id = ? AND version < ? AND status IN `+stoppable+` AND exported_at = 0`),
			truncate(reason, 2000), micros(now()), policyID, beforeVersion)
		if err != nil {
			return fmt.Errorf("stop grants: %w", err)
		}
		ng, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, 0, fmt.Errorf("cancel pushes of %s: %w", policyID, err)
	}
	return int(nd), int(ng), nil
}

// PutGrants implements store.Deliveries.
func (s *DB) PutGrants(ctx context.Context, gs []store.Grant) (int, error) {
	n := 0
	err := s.write(ctx, func(tx *sql.Tx) error {
		at := now()
		for _, g := range gs {
			if g.Key == "" || g.SubjectID == "" || g.PolicyID == "" || g.BenefitKey == "" {
				return fmt.Errorf("grant %q: key, subject, policy and benefit are required", g.Key)
			}
			created := g.CreatedAt
			if created.IsZero() {
				created = at
			}
			status := g.Status
			if status == "" {
				status = store.GrantNotified
			}
			var amount any
			if g.HasAmount {
				amount = g.Amount
			}
			facts := string(g.Facts)
			if facts == "" {
				facts = "{}"
			}
			res, err := tx.ExecContext(ctx, s.q(`INSERT INTO grants (grant_key, policy_id, version, benefit_key,
				benefit_name, subject_kind, subject_id, facts, amount, amount_text, status, reason, created_at,
				objection_ends_at, updated_at, notice_key, objection_window)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
				ON CONFLICT DO NOTHING`),
				g.Key, g.PolicyID, g.Version, g.BenefitKey, g.BenefitName, string(g.SubjectKind), g.SubjectID,
				facts, amount, g.AmountText, string(status), g.Reason, micros(created), micros(g.ObjectionEndsAt), micros(created),
				g.NoticeKey, g.ObjectionWindow.Microseconds())
			if err != nil {
				return fmt.Errorf("grant %s: %w", g.Key, err)
			}
			k, err := res.RowsAffected()
			if err != nil {
				return err
			}
			n += int(k)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("put grants: %w", err)
	}
	return n, nil
}

const grantCols = `grant_key, policy_id, version, benefit_key, benefit_name, subject_kind, subject_id, facts,
	amount, amount_text, status, reason, created_at, objection_ends_at, updated_at, exported_at, notice_key, objection_window`

func scanGrant(row scanner) (store.Grant, error) {
	var (
		g                          store.Grant
		facts                      string
		amount                     sql.NullFloat64
		created, ends, upd, export int64
		window                     int64
	)
	err := row.Scan(&g.Key, &g.PolicyID, &g.Version, &g.BenefitKey, &g.BenefitName, &g.SubjectKind, &g.SubjectID,
		&facts, &amount, &g.AmountText, &g.Status, &g.Reason, &created, &ends, &upd, &export, &g.NoticeKey, &window)
	g.ObjectionWindow = time.Duration(window) * time.Microsecond
	g.Facts = []byte(facts)
	g.Amount, g.HasAmount = amount.Float64, amount.Valid
	g.CreatedAt, g.ObjectionEndsAt, g.UpdatedAt, g.ExportedAt = fromMicros(created), fromMicros(ends), fromMicros(upd), fromMicros(export)
	return g, err
}

// GetGrant implements store.Deliveries.
func (s *DB) GetGrant(ctx context.Context, key string) (store.Grant, error) {
	g, err := scanGrant(s.db.QueryRowContext(ctx, s.q(`SELECT `+grantCols+` FROM grants WHERE grant_key = ?`), key))
	if errors.Is(err, sql.ErrNoRows) {
		return g, fmt.Errorf("grant %s: %w", key, store.ErrNotFound)
	}
	if err != nil {
		return g, fmt.Errorf("read grant %s: %w", key, err)
	}
	return g, nil
}

// ListGrants implements store.Deliveries.
func (s *DB) ListGrants(ctx context.Context, f store.GrantFilter) ([]store.Grant, error) {
	where := []string{"grant_key > ?"}
	args := []any{f.AfterKey}
	if f.Status != "" {
		where = append(where, "status = ?")
		args = append(args, string(f.Status))
	}
	if f.PolicyID != "" {
		where = append(where, "policy_id = ?")
		args = append(args, f.PolicyID)
	}
	if f.SubjectID != "" {
		// Served by the UNIQUE (subject_kind, subject_id, ...) index.
		where = append(where, "subject_kind = ?", "subject_id = ?")
		args = append(args, string(f.SubjectKind), f.SubjectID)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = store.MaxPageSize
	}
	args = append(args, limit)
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT `+grantCols+` FROM grants WHERE `+strings.Join(where, " AND ")+
		` ORDER BY grant_key LIMIT ?`), args...)
	if err != nil {
		return nil, fmt.Errorf("list grants: %w", err)
	}
	defer rows.Close()
	var out []store.Grant
	for rows.Next() {
		g, err := scanGrant(rows)
		if err != nil {
			return nil, fmt.Errorf("list grants: %w", err)
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// SetGrantStatus implements store.Deliveries.
func (s *DB) SetGrantStatus(ctx context.Context, key string, from []store.GrantStatus, to store.GrantStatus, reason string, at time.Time) error {
	if len(from) == 0 {
		return errors.New("set grant status: no from states")
	}
	args := []any{string(to), truncate(reason, 2000), micros(at), key}
	for _, f := range from {
		args = append(args, string(f))
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`UPDATE grants SET status = ?, reason = ?, updated_at = ?
			WHERE grant_key = ? AND status IN (?`+strings.Repeat(", ?", len(from)-1)+`)`), args...)
		if err != nil {
			return err
		}
		if k, err := res.RowsAffected(); err != nil || k == 1 {
			return err
		}
		var cur string
		err = tx.QueryRowContext(ctx, s.q(`SELECT status FROM grants WHERE grant_key = ?`), key).Scan(&cur)
		if errors.Is(err, sql.ErrNoRows) {
			return store.ErrNotFound
		}
		if err != nil {
			return err
		}
		return fmt.Errorf("grant is %s: %w", cur, store.ErrConflict)
	})
	if err != nil {
		return fmt.Errorf("set grant %s to %s: %w", key, to, err)
	}
	return nil
}

// ReadyDueGrants implements store.Deliveries.
func (s *DB) ReadyDueGrants(ctx context.Context, at time.Time) (int, error) {
	var n int64
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`UPDATE grants SET status = 'ready', updated_at = ?
			WHERE status = 'notified' AND objection_ends_at <= ?
			AND (notice_key = '' OR EXISTS (SELECT 1 FROM deliveries d WHERE d.idempotency_key = grants.notice_key
				AND d.status = 'delivered' AND d.delivered_at + grants.objection_window <= ?))`), micros(at), micros(at), micros(at))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("ready due grants: %w", err)
	}
	return int(n), nil
}

// MarkGrantsExported implements store.Deliveries.
func (s *DB) MarkGrantsExported(ctx context.Context, keys []string, at time.Time) (int, error) {
	n := 0
	err := s.write(ctx, func(tx *sql.Tx) error {
		for _, k := range keys {
			res, err := tx.ExecContext(ctx, s.q(`UPDATE grants SET exported_at = ?, updated_at = ?
				WHERE grant_key = ? AND status = 'ready' AND exported_at = 0`), micros(at), micros(at), k)
			if err != nil {
				return fmt.Errorf("grant %s: %w", k, err)
			}
			c, err := res.RowsAffected()
			if err != nil {
				return err
			}
			n += int(c)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("mark grants exported: %w", err)
	}
	return n, nil
}

// PutInbox implements store.Deliveries. Each chunk is one multi-row
// INSERT ... ON CONFLICT DO NOTHING RETURNING the keys it stored.
func (s *DB) PutInbox(ctx context.Context, items []store.InboxItem) ([]bool, error) {
	if s.d.Arrays {
		return s.putInboxArrays(ctx, items)
	}
	inserted := make([]bool, len(items))
	err := s.write(ctx, func(tx *sql.Tx) error {
		at := now()
		for start := 0; start < len(items); start += enqueueChunk {
			chunk := items[start:min(start+enqueueChunk, len(items))]
			var b strings.Builder
			b.WriteString(`INSERT INTO inbox_items (idempotency_key, subject_kind, subject_id,
				kind, channel, title, body, policy_id, version, benefit_key, due_date, received_at) VALUES `)
			args := make([]any, 0, 12*len(chunk))
			for i, it := range chunk {
				if i > 0 {
					b.WriteString(", ")
				}
				b.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
				recv := it.ReceivedAt
				if recv.IsZero() {
					recv = at
				}
				args = append(args, it.Key, string(it.SubjectKind), it.SubjectID, it.Kind, it.Channel, it.Title, it.Body,
					it.PolicyID, it.Version, it.BenefitKey, it.DueDate, micros(recv))
			}
			b.WriteString(" ON CONFLICT (idempotency_key) DO NOTHING RETURNING idempotency_key")
			rows, err := tx.QueryContext(ctx, s.q(b.String()), args...)
			if err != nil {
				return fmt.Errorf("items %d..%d: %w", start, start+len(chunk)-1, err)
			}
			stored := map[string]bool{}
			for rows.Next() {
				var k string
				if err := rows.Scan(&k); err != nil {
					rows.Close()
					return err
				}
				stored[k] = true
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			for i, it := range chunk {
				// A key twice in one call is stored once: the first wins.
				if stored[it.Key] {
					inserted[start+i] = true
					delete(stored, it.Key)
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store inbox items: %w", err)
	}
	return inserted, nil
}

// putInboxArrays is PutInbox as one INSERT from array parameters
// (PostgreSQL): one round trip for the whole batch, rows inserted in the
// order given.
func (s *DB) putInboxArrays(ctx context.Context, items []store.InboxItem) ([]bool, error) {
	inserted := make([]bool, len(items))
	if len(items) == 0 {
		return inserted, nil
	}
	at := now()
	n := len(items)
	var (
		keys, kinds, ids, pkinds, channels, titles, bodies, policies, benefits, dues = make([]string, n), make([]string, n),
			make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n),
			make([]string, n), make([]string, n), make([]string, n)
		versions, recvs = make([]int64, n), make([]int64, n)
	)
	for i, it := range items {
		recv := it.ReceivedAt
		if recv.IsZero() {
			recv = at
		}
		keys[i], kinds[i], ids[i], pkinds[i], channels[i] = it.Key, string(it.SubjectKind), it.SubjectID, it.Kind, it.Channel
		titles[i], bodies[i], policies[i], benefits[i], dues[i] = it.Title, it.Body, it.PolicyID, it.BenefitKey, it.DueDate
		versions[i], recvs[i] = int64(it.Version), micros(recv)
	}
	rows, err := s.db.QueryContext(ctx, s.q(`INSERT INTO inbox_items (idempotency_key, subject_kind, subject_id,
		kind, channel, title, body, policy_id, version, benefit_key, due_date, received_at)
		SELECT k, sk, si, kd, ch, ti, bo, po, ve, be, du, re FROM unnest(CAST(? AS TEXT[]), CAST(? AS TEXT[]),
			CAST(? AS TEXT[]), CAST(? AS TEXT[]), CAST(? AS TEXT[]), CAST(? AS TEXT[]), CAST(? AS TEXT[]), CAST(? AS TEXT[]),
			CAST(? AS BIGINT[]), CAST(? AS TEXT[]), CAST(? AS TEXT[]), CAST(? AS BIGINT[]))
			WITH ORDINALITY AS u(k, sk, si, kd, ch, ti, bo, po, ve, be, du, re, ord)
		ORDER BY ord
		ON CONFLICT (idempotency_key) DO NOTHING RETURNING idempotency_key`),
		keys, kinds, ids, pkinds, channels, titles, bodies, policies, versions, benefits, dues, recvs)
	if err != nil {
		return nil, fmt.Errorf("store inbox items: %w", err)
	}
	defer rows.Close()
	stored := map[string]bool{}
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, fmt.Errorf("store inbox items: %w", err)
		}
		stored[k] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store inbox items: %w", err)
	}
	for i, it := range items {
		// A key twice in one call is stored once: the first wins.
		if stored[it.Key] {
			inserted[i] = true
			delete(stored, it.Key)
		}
	}
	return inserted, nil
}

const inboxCols = `seq, idempotency_key, subject_kind, subject_id, kind, channel, title, body, policy_id, version,
	benefit_key, due_date, received_at, read_at, declined_at, decline_reason, rating, comment, question, asked_at`

func scanInbox(row scanner) (store.InboxItem, error) {
	var (
		it                      store.InboxItem
		recv, read, decl, asked int64
	)
	err := row.Scan(&it.Seq, &it.Key, &it.SubjectKind, &it.SubjectID, &it.Kind, &it.Channel, &it.Title, &it.Body,
		&it.PolicyID, &it.Version, &it.BenefitKey, &it.DueDate, &recv, &read, &decl, &it.DeclineReason,
		&it.Rating, &it.Comment, &it.Question, &asked)
	it.ReceivedAt, it.ReadAt, it.DeclinedAt, it.AskedAt = fromMicros(recv), fromMicros(read), fromMicros(decl), fromMicros(asked)
	return it, err
}

// ListInbox implements store.Deliveries.
func (s *DB) ListInbox(ctx context.Context, q store.InboxQuery) ([]store.InboxItem, error) {
	where := "subject_kind = ? AND subject_id = ?"
	args := []any{string(q.SubjectKind), q.SubjectID}
	if q.UnreadOnly {
		where += " AND read_at = 0"
	}
	if q.BeforeSeq > 0 {
		where += " AND seq < ?"
		args = append(args, q.BeforeSeq)
	}
	limit := q.Limit
	if limit <= 0 {
		limit = store.DefaultPageSize
	}
	args = append(args, limit)
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT `+inboxCols+` FROM inbox_items WHERE `+where+` ORDER BY seq DESC LIMIT ?`), args...)
	if err != nil {
		return nil, fmt.Errorf("list inbox: %w", err)
	}
	defer rows.Close()
	var out []store.InboxItem
	for rows.Next() {
		it, err := scanInbox(rows)
		if err != nil {
			return nil, fmt.Errorf("list inbox: %w", err)
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

// UpdateInbox implements store.Deliveries. Reading keeps the first read
// time; a later rating or question replaces the earlier one.
func (s *DB) UpdateInbox(ctx context.Context, kind corpus.Audience, id, key string, u store.InboxUpdate) (store.InboxItem, error) {
	at := u.At
	if at.IsZero() {
		at = now()
	}
	var it store.InboxItem
	err := s.write(ctx, func(tx *sql.Tx) error {
		var sets []string
		var args []any
		if u.Read {
			sets = append(sets, "read_at = CASE WHEN read_at = 0 THEN CAST(? AS BIGINT) ELSE read_at END")
			args = append(args, micros(at))
		}
		if u.Decline {
			sets = append(sets, "declined_at = CASE WHEN declined_at = 0 THEN CAST(? AS BIGINT) ELSE declined_at END", "decline_reason = ?")
			args = append(args, micros(at), truncate(u.DeclineReason, 2000))
		}
		if u.Rating != 0 {
			if u.Rating < 1 || u.Rating > 5 {
				return &corpus.FieldError{Field: "rating", Msg: fmt.Sprintf("%d is not between 1 and 5", u.Rating)}
			}
			sets = append(sets, "rating = ?", "comment = ?")
			args = append(args, u.Rating, truncate(u.Comment, 2000))
		}
		if u.Question != "" {
			sets = append(sets, "question = ?", "asked_at = ?")
			args = append(args, truncate(u.Question, 2000), micros(at))
		}
		if len(sets) > 0 {
			args = append(args, key, string(kind), id)
			if _, err := tx.ExecContext(ctx, s.q(`UPDATE inbox_items SET `+strings.Join(sets, ", ")+
				` WHERE idempotency_key = ? AND subject_kind = ? AND subject_id = ?`), args...); err != nil {
				return err
			}
		}
		var err error
		it, err = scanInbox(tx.QueryRowContext(ctx, s.q(`SELECT `+inboxCols+` FROM inbox_items
			WHERE idempotency_key = ? AND subject_kind = ? AND subject_id = ?`), key, string(kind), id))
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("inbox item %s: %w", key, store.ErrNotFound)
		}
		return err
	})
	if err != nil {
		return it, fmt.Errorf("update inbox item: %w", err)
	}
	return it, nil
}

// CountInbox implements store.Deliveries.
func (s *DB) CountInbox(ctx context.Context) (int64, error) {
	var n int64
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM inbox_items`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count inbox: %w", err)
	}
	return n, nil
}
