// Package sqlstore is the SQL both store backends share: the policy library,
// the outbox, profiles, matches and sweep leases written once over
// database/sql, with the few places where PostgreSQL and SQLite differ named
// in a Dialect. (PostgreSQL has its own UpsertProfiles, a CopyFrom bulk
// path; the one here serves SQLite.) The backends
// (store/postgres, store/sqlite) open the database, run their migrations and
// wrap a *DB.
//
// Schema changes are goose migrations, one numbered .sql file per change in
// each backend's migrations folder (store/postgres/migrations,
// store/sqlite/migrations), embedded and run by Open. To add a table, add
// the next number to both folders (e.g. 00002_profiles.sql) with
// "-- +goose Up" and "-- +goose Down" sections; never edit a migration that
// has shipped.
package sqlstore

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/zhida/zhida/corpus"
	"github.com/zhida/zhida/store"
)

// Dialect is what differs between the SQL databases.
type Dialect struct {
	// Dollar rewrites the ? placeholders the queries are written with to
	// $1, $2 ... (PostgreSQL).
	Dollar bool
	// ForUpdate is appended to the query that loads a row a write
	// transaction is about to change (" FOR UPDATE" on PostgreSQL; SQLite
	// needs none, its writers are serialized).
	ForUpdate string
	// LockOutbox runs in a write transaction just before it inserts an
	// outbox event, when not empty. See (*DB).insertEvent.
	LockOutbox string
	// SerialWriters says the database runs one writer at a time (SQLite).
	// The store then also serializes its own write transactions in process,
	// so they queue on a mutex instead of sleeping in the busy handler, and
	// Consume runs its handler outside any transaction (see Consume).
	SerialWriters bool
	// AsOfText reads profiles.as_of as 'YYYY-MM-DD' text when the column
	// is not text already (PostgreSQL's date); empty: the column as is.
	AsOfText string
	// NowQuery returns the database's clock, when not empty, for lease
	// expiry: workers on several machines then agree on when a lease ends.
	// Empty: the store's own clock (SQLite, one machine).
	NowQuery string
	// SkipLocked is appended to the query that picks a shard to lease
	// (" FOR UPDATE OF sh SKIP LOCKED" on PostgreSQL), so concurrent
	// workers pick different shards instead of queueing on one.
	SkipLocked string
	// NowMicros is an SQL expression for the database's clock in Unix
	// microseconds, stable within a statement, when not empty: the
	// delivery outbox then claims in one statement outside an explicit
	// transaction (one round trip), on the database's clock.
	NowMicros string
	// Arrays says the driver passes Go slices as array parameters
	// (PostgreSQL): batch updates and inserts of the delivery outbox and
	// the inbox then run as one statement over unnest (one round trip per
	// batch, an index lookup per row).
	Arrays bool
}

// DB implements store.Library, store.Outbox, store.Profiles, store.Matches
// and store.Sweeps over a *sql.DB.
type DB struct {
	db *sql.DB
	d  Dialect

	writeMu sync.Mutex // held by write transactions when d.SerialWriters

	consumersMu sync.Mutex
	consumers   map[string]*sync.Mutex // per consumer name, when d.SerialWriters

	queries sync.Map // query text as written → dialect text
	stmts   sync.Map // dialect text → *sql.Stmt (hot statements, see stmt)
}

// stmt returns the prepared statement of a hot query, preparing it once:
// parsing dominated small writes and reads on SQLite (a rematch's), and
// database/sql keeps it prepared per connection. Only fixed query texts
// may come here, so the cache stays small.
func (s *DB) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	query = s.q(query)
	if st, ok := s.stmts.Load(query); ok {
		return st.(*sql.Stmt), nil
	}
	st, err := s.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if old, loaded := s.stmts.LoadOrStore(query, st); loaded {
		st.Close()
		return old.(*sql.Stmt), nil
	}
	return st, nil
}

// New returns a store over db, whose schema must already be migrated.
func New(db *sql.DB, d Dialect) *DB {
	return &DB{db: db, d: d, consumers: map[string]*sync.Mutex{}}
}

// SerialWriters reports whether the database runs one writer at a time
// (Dialect.SerialWriters), for callers deciding how much to do at once.
func (s *DB) SerialWriters() bool { return s.d.SerialWriters }

// q returns query text in the dialect's placeholder style.
func (s *DB) q(query string) string {
	if !s.d.Dollar {
		return query
	}
	if v, ok := s.queries.Load(query); ok {
		return v.(string)
	}
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	out := b.String()
	s.queries.Store(query, out)
	return out
}

// now is the store's clock: UTC, at the microsecond precision PostgreSQL
// keeps, so what a write returns equals what a later read returns.
func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// errPanicked is what a write transaction's error is while fn runs, so a
// panic in fn rolls the transaction back.
var errPanicked = errors.New("transaction function panicked")

// write runs fn in a write transaction and commits it when fn returns nil.
func (s *DB) write(ctx context.Context, fn func(tx *sql.Tx) error) (err error) {
	if s.d.SerialWriters {
		s.writeMu.Lock()
		defer s.writeMu.Unlock()
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	// Roll back on an error and also when fn panics (a Consume handler is
	// caller code), so the connection and its locks are not left held.
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	err = errPanicked
	if err = fn(tx); err != nil {
		return err
	}
	if err = tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// head is the part of a policy row the write methods lock and read.
type head struct {
	state    corpus.State
	revision int
	draft    []byte
}

// lockHead loads the head of policy id for change inside tx.
func (s *DB) lockHead(ctx context.Context, tx *sql.Tx, id string) (head, error) {
	var h head
	err := tx.QueryRowContext(ctx, s.q(`SELECT status, latest_version, draft_revision, draft
		FROM policies WHERE id = ?`+s.d.ForUpdate), id).
		Scan(&h.state.Status, &h.state.LatestVersion, &h.revision, &h.draft)
	if errors.Is(err, sql.ErrNoRows) {
		return h, fmt.Errorf("policy %s: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return h, fmt.Errorf("load policy %s: %w", id, err)
	}
	h.state.HasDraft = h.draft != nil
	return h, nil
}

// dateArg is the stored form of a date: "YYYY-MM-DD", or NULL when unset.
func dateArg(d corpus.Date) any {
	if d.IsZero() {
		return nil
	}
	return d.String()
}

func marshalDoc(doc corpus.Document) (string, error) {
	b, err := json.Marshal(doc)
	if err != nil {
		return "", fmt.Errorf("encode document: %w", err)
	}
	return string(b), nil
}

func unmarshalDoc(b []byte) (corpus.Document, error) {
	var doc corpus.Document
	if err := json.Unmarshal(b, &doc); err != nil {
		return doc, fmt.Errorf("decode stored document: %w", err)
	}
	return doc, nil
}

// CreateDraft implements store.Library.
func (s *DB) CreateDraft(ctx context.Context, doc corpus.Document) (corpus.Policy, error) {
	u, err := uuid.NewV7()
	if err != nil {
		return corpus.Policy{}, fmt.Errorf("create policy: new id: %w", err)
	}
	id := u.String()
	t, err := corpus.State{}.Next(corpus.ActionSave)
	if err != nil {
		return corpus.Policy{}, fmt.Errorf("create policy: %w", err)
	}
	js, err := marshalDoc(doc)
	if err != nil {
		return corpus.Policy{}, fmt.Errorf("create policy: %w", err)
	}
	var p corpus.Policy
	err = s.write(ctx, func(tx *sql.Tx) error {
		at := now()
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO policies
			(id, status, latest_version, draft, draft_revision, draft_updated_at,
			 title, region, category, audience, effective_to, created_at, updated_at)
			VALUES (?, ?, 0, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?)`),
			id, string(t.State.Status), js, at,
			doc.Title, doc.Region, string(doc.Category), string(doc.Audience), dateArg(doc.EffectiveTo), at, at); err != nil {
			return fmt.Errorf("insert policy: %w", err)
		}
		p, err = s.getPolicy(ctx, tx, id)
		return err
	})
	if err != nil {
		return corpus.Policy{}, fmt.Errorf("create policy: %w", err)
	}
	return p, nil
}

// UpdateDraft implements store.Library. Draft revisions count up over the
// whole life of a policy (publishing clears the draft but not the counter),
// so a revision an editor saw can never match a later draft.
func (s *DB) UpdateDraft(ctx context.Context, id string, doc corpus.Document, baseRevision int) (corpus.Policy, error) {
	js, err := marshalDoc(doc)
	if err != nil {
		return corpus.Policy{}, fmt.Errorf("update draft of %s: %w", id, err)
	}
	var p corpus.Policy
	err = s.write(ctx, func(tx *sql.Tx) error {
		h, err := s.lockHead(ctx, tx, id)
		if err != nil {
			return err
		}
		if baseRevision > 0 && (!h.state.HasDraft || h.revision != baseRevision) {
			if !h.state.HasDraft {
				return fmt.Errorf("based on revision %d, but the policy has no pending draft: %w", baseRevision, store.ErrConflict)
			}
			return fmt.Errorf("based on revision %d, but the draft is at revision %d: %w", baseRevision, h.revision, store.ErrConflict)
		}
		t, err := h.state.Next(corpus.ActionSave)
		if err != nil {
			return err
		}
		at := now()
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE policies SET status = ?, draft = ?,
			draft_revision = draft_revision + 1, draft_updated_at = ?, updated_at = ? WHERE id = ?`),
			string(t.State.Status), js, at, at, id); err != nil {
			return fmt.Errorf("save draft: %w", err)
		}
		// The listing columns follow the draft only until a version is live.
		if t.State.LatestVersion == 0 {
			if _, err := tx.ExecContext(ctx, s.q(`UPDATE policies SET title = ?, region = ?,
				category = ?, audience = ?, effective_to = ? WHERE id = ?`),
				doc.Title, doc.Region, string(doc.Category), string(doc.Audience), dateArg(doc.EffectiveTo), id); err != nil {
				return fmt.Errorf("save listing columns: %w", err)
			}
		}
		p, err = s.getPolicy(ctx, tx, id)
		return err
	})
	if err != nil {
		return corpus.Policy{}, fmt.Errorf("update draft of %s: %w", id, err)
	}
	return p, nil
}

// Publish implements store.Library.
func (s *DB) Publish(ctx context.Context, id string, check func(corpus.Document) error) (corpus.Version, error) {
	var v corpus.Version
	err := s.write(ctx, func(tx *sql.Tx) error {
		h, err := s.lockHead(ctx, tx, id)
		if err != nil {
			return err
		}
		t, err := h.state.Next(corpus.ActionPublish)
		if err != nil {
			return err
		}
		doc, err := unmarshalDoc(h.draft)
		if err != nil {
			return err
		}
		if check != nil {
			if err := check(doc.Clone()); err != nil {
				return fmt.Errorf("check: %w", err)
			}
		}
		at := now()
		v = corpus.Version{PolicyID: id, Version: t.State.LatestVersion, Document: doc, PublishedAt: at}
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO policy_versions
			(policy_id, version, document, published_at, region, category, audience, effective_to)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
			id, v.Version, string(h.draft), at, doc.Region, string(doc.Category), string(doc.Audience), dateArg(doc.EffectiveTo)); err != nil {
			return fmt.Errorf("insert version %d: %w", v.Version, err)
		}
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE policies SET status = ?, latest_version = ?,
			draft = NULL, draft_updated_at = NULL, title = ?, region = ?, category = ?, audience = ?,
			effective_to = ?, updated_at = ?, retracted_at = NULL, retract_reason = '' WHERE id = ?`),
			string(t.State.Status), t.State.LatestVersion, doc.Title, doc.Region, string(doc.Category), string(doc.Audience),
			dateArg(doc.EffectiveTo), at, id); err != nil {
			return fmt.Errorf("update head: %w", err)
		}
		return s.insertEvent(ctx, tx, t.Event, id, t.State.LatestVersion, at)
	})
	if err != nil {
		return corpus.Version{}, fmt.Errorf("publish %s: %w", id, err)
	}
	return v, nil
}

// Retract implements store.Library.
func (s *DB) Retract(ctx context.Context, id, reason string) (corpus.Policy, error) {
	var p corpus.Policy
	err := s.write(ctx, func(tx *sql.Tx) error {
		h, err := s.lockHead(ctx, tx, id)
		if err != nil {
			return err
		}
		t, err := h.state.Next(corpus.ActionRetract)
		if err != nil {
			return err
		}
		at := now()
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE policies SET status = ?, retracted_at = ?,
			retract_reason = ?, updated_at = ? WHERE id = ?`),
			string(t.State.Status), at, reason, at, id); err != nil {
			return fmt.Errorf("update head: %w", err)
		}
		if err := s.insertEvent(ctx, tx, t.Event, id, t.State.LatestVersion, at); err != nil {
			return err
		}
		p, err = s.getPolicy(ctx, tx, id)
		return err
	})
	if err != nil {
		return corpus.Policy{}, fmt.Errorf("retract %s: %w", id, err)
	}
	return p, nil
}

// insertEvent writes an outbox event inside the transaction that makes the
// change it reports.
//
// Event IDs must become visible in commit order: a consumer reads "id >
// cursor", so an event that took id 7 but commits after id 8 was read would
// be skipped for ever. A sequence alone does not give that (ids are handed
// out at insert, visibility comes at commit). On PostgreSQL, d.LockOutbox
// takes a transaction-level advisory lock right before the insert; it is
// held until the transaction ends, and PostgreSQL makes a commit visible
// before it releases the transaction's locks. So between taking an id and
// becoming visible a transaction excludes every other event writer: ids are
// taken in lock order and commits happen in lock order, and when a reader
// sees id n it already sees every smaller id that will ever commit. The lock
// is the last lock a writer takes (after its row locks) and it only inserts
// and commits while holding it, so it cannot take part in a deadlock; it is
// short, so writers of events queue only for the insert and the commit.
// SQLite runs one writer at a time, which gives the same order.
func (s *DB) insertEvent(ctx context.Context, tx *sql.Tx, kind corpus.EventKind, policyID string, version int, at time.Time) error {
	if kind == "" {
		return nil
	}
	if s.d.LockOutbox != "" {
		if _, err := tx.ExecContext(ctx, s.d.LockOutbox); err != nil {
			return fmt.Errorf("lock outbox: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO outbox (kind, policy_id, version, at) VALUES (?, ?, ?, ?)`),
		string(kind), policyID, version, at); err != nil {
		return fmt.Errorf("insert %s event: %w", kind, err)
	}
	return nil
}

// queryer is what *sql.DB and *sql.Tx share.
type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

const policyCols = `p.id, p.status, p.latest_version, p.draft, p.draft_revision, p.draft_updated_at,
	p.created_at, p.updated_at, p.retracted_at, p.retract_reason, v.document, v.published_at
	FROM policies p LEFT JOIN policy_versions v ON v.policy_id = p.id AND v.version = p.latest_version`

type scanner interface{ Scan(dest ...any) error }

func scanPolicy(row scanner) (corpus.Policy, error) {
	var (
		p                         corpus.Policy
		draft, live               []byte
		rev                       int
		draftAt, retractedAt, pub sql.NullTime
	)
	if err := row.Scan(&p.ID, &p.Status, &p.LatestVersion, &draft, &rev, &draftAt,
		&p.CreatedAt, &p.UpdatedAt, &retractedAt, &p.RetractReason, &live, &pub); err != nil {
		return p, err
	}
	p.CreatedAt = p.CreatedAt.UTC()
	p.UpdatedAt = p.UpdatedAt.UTC()
	if retractedAt.Valid {
		p.RetractedAt = retractedAt.Time.UTC()
	}
	if draft != nil {
		doc, err := unmarshalDoc(draft)
		if err != nil {
			return p, fmt.Errorf("draft of %s: %w", p.ID, err)
		}
		p.Draft = &corpus.Draft{Document: doc, Revision: rev, UpdatedAt: draftAt.Time.UTC()}
	}
	if live != nil {
		doc, err := unmarshalDoc(live)
		if err != nil {
			return p, fmt.Errorf("version %d of %s: %w", p.LatestVersion, p.ID, err)
		}
		p.Live = &corpus.Version{PolicyID: p.ID, Version: p.LatestVersion, Document: doc, PublishedAt: pub.Time.UTC()}
	}
	return p, nil
}

func (s *DB) getPolicy(ctx context.Context, q queryer, id string) (corpus.Policy, error) {
	p, err := scanPolicy(q.QueryRowContext(ctx, s.q(`SELECT `+policyCols+` WHERE p.id = ?`), id))
	if errors.Is(err, sql.ErrNoRows) {
		return p, fmt.Errorf("policy %s: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return p, fmt.Errorf("read policy %s: %w", id, err)
	}
	return p, nil
}

// GetPolicy implements store.Library.
func (s *DB) GetPolicy(ctx context.Context, id string) (corpus.Policy, error) {
	return s.getPolicy(ctx, s.db, id)
}

// GetVersion implements store.Library.
func (s *DB) GetVersion(ctx context.Context, id string, version int) (corpus.Version, error) {
	v := corpus.Version{PolicyID: id, Version: version}
	var doc []byte
	err := s.db.QueryRowContext(ctx, s.q(`SELECT document, published_at FROM policy_versions
		WHERE policy_id = ? AND version = ?`), id, version).Scan(&doc, &v.PublishedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return v, fmt.Errorf("policy %s version %d: %w", id, version, store.ErrNotFound)
	}
	if err != nil {
		return v, fmt.Errorf("read policy %s version %d: %w", id, version, err)
	}
	v.PublishedAt = v.PublishedAt.UTC()
	if v.Document, err = unmarshalDoc(doc); err != nil {
		return v, fmt.Errorf("policy %s version %d: %w", id, version, err)
	}
	return v, nil
}

// ListVersions implements store.Library.
func (s *DB) ListVersions(ctx context.Context, id string) ([]corpus.Version, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, s.q(`SELECT count(*) FROM policies WHERE id = ?`), id).Scan(&n); err != nil {
		return nil, fmt.Errorf("list versions of %s: %w", id, err)
	}
	if n == 0 {
		return nil, fmt.Errorf("list versions of %s: %w", id, store.ErrNotFound)
	}
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT version, document, published_at FROM policy_versions
		WHERE policy_id = ? ORDER BY version`), id)
	if err != nil {
		return nil, fmt.Errorf("list versions of %s: %w", id, err)
	}
	defer rows.Close()
	var out []corpus.Version
	for rows.Next() {
		v := corpus.Version{PolicyID: id}
		var doc []byte
		if err := rows.Scan(&v.Version, &doc, &v.PublishedAt); err != nil {
			return nil, fmt.Errorf("list versions of %s: %w", id, err)
		}
		v.PublishedAt = v.PublishedAt.UTC()
		if v.Document, err = unmarshalDoc(doc); err != nil {
			return nil, fmt.Errorf("policy %s version %d: %w", id, v.Version, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list versions of %s: %w", id, err)
	}
	return out, nil
}

// A page token is the opaque continuation of a listing: the last id shown.
// Listings run newest first by id, which is a UUIDv7 and so in creation order.
func encodeToken(id string) string { return base64.RawURLEncoding.EncodeToString([]byte(id)) }

func decodeToken(tok string) (string, error) {
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err == nil {
		_, err = uuid.Parse(string(b))
	}
	if err != nil {
		return "", &corpus.FieldError{Field: "page_token", Msg: "is not a token this listing handed out"}
	}
	return string(b), nil
}

// ListPolicies implements store.Library. Regions, category and audience are
// read from the head's listing columns, which follow the live version (or
// the draft of a policy never published).
func (s *DB) ListPolicies(ctx context.Context, f store.PolicyFilter) (store.PolicyPage, error) {
	size := f.PageSize
	switch {
	case size < 0:
		return store.PolicyPage{}, fmt.Errorf("list policies: %w", &corpus.FieldError{Field: "page_size", Msg: fmt.Sprintf("%d is negative", size)})
	case size == 0:
		size = store.DefaultPageSize
	case size > store.MaxPageSize:
		size = store.MaxPageSize
	}
	var (
		where []string
		args  []any
	)
	if len(f.Regions) > 0 {
		where = append(where, "p.region IN (?"+strings.Repeat(", ?", len(f.Regions)-1)+")")
		for _, r := range f.Regions {
			args = append(args, r)
		}
	}
	if f.Category != "" {
		where = append(where, "p.category = ?")
		args = append(args, string(f.Category))
	}
	if f.Audience != "" {
		where = append(where, "p.audience IN (?, ?)")
		args = append(args, string(f.Audience), string(corpus.AudienceBoth))
	}
	today := f.Today
	if today.IsZero() {
		today = corpus.Today()
	}
	switch f.Status {
	case "":
	case corpus.StatusDraft, corpus.StatusRetracted:
		where = append(where, "p.status = ?")
		args = append(args, string(f.Status))
	case corpus.StatusPublished:
		where = append(where, "p.status = 'published' AND (p.effective_to IS NULL OR p.effective_to >= ?)")
		args = append(args, today.String())
	case corpus.StatusExpired:
		where = append(where, "p.status = 'published' AND p.effective_to < ?")
		args = append(args, today.String())
	default:
		return store.PolicyPage{}, fmt.Errorf("list policies: %w", &corpus.FieldError{Field: "status", Msg: fmt.Sprintf("%q is not draft, published, retracted or expired", f.Status)})
	}
	if f.PageToken != "" {
		after, err := decodeToken(f.PageToken)
		if err != nil {
			return store.PolicyPage{}, fmt.Errorf("list policies: %w", err)
		}
		where = append(where, "p.id < ?")
		args = append(args, after)
	}
	query := `SELECT ` + policyCols
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	query += " ORDER BY p.id DESC LIMIT ?"
	args = append(args, size+1)
	rows, err := s.db.QueryContext(ctx, s.q(query), args...)
	if err != nil {
		return store.PolicyPage{}, fmt.Errorf("list policies: %w", err)
	}
	defer rows.Close()
	var page store.PolicyPage
	for rows.Next() {
		p, err := scanPolicy(rows)
		if err != nil {
			return store.PolicyPage{}, fmt.Errorf("list policies: %w", err)
		}
		page.Policies = append(page.Policies, p)
	}
	if err := rows.Err(); err != nil {
		return store.PolicyPage{}, fmt.Errorf("list policies: %w", err)
	}
	if len(page.Policies) > size {
		page.Policies = page.Policies[:size]
		page.NextPageToken = encodeToken(page.Policies[size-1].ID)
	}
	return page, nil
}

// ExpireDue implements store.Library. The head's expired_version remembers
// the last version an expired event was written for, which keeps it to one
// event per version however often it runs.
func (s *DB) ExpireDue(ctx context.Context, today corpus.Date) (int, error) {
	if today.IsZero() {
		return 0, errors.New("expire due policies: today is not set")
	}
	n := 0
	err := s.write(ctx, func(tx *sql.Tx) error {
		// Lock every due head first (in id order, like any other multi-row
		// locker would) and only then write events, so the outbox lock is
		// still the last one taken.
		rows, err := tx.QueryContext(ctx, s.q(`SELECT id, latest_version FROM policies
			WHERE status = 'published' AND effective_to < ? AND expired_version < latest_version
			ORDER BY id`+s.d.ForUpdate), today.String())
		if err != nil {
			return fmt.Errorf("find due policies: %w", err)
		}
		type due struct {
			id      string
			version int
		}
		var all []due
		for rows.Next() {
			var d due
			if err := rows.Scan(&d.id, &d.version); err != nil {
				rows.Close()
				return fmt.Errorf("find due policies: %w", err)
			}
			all = append(all, d)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("find due policies: %w", err)
		}
		at := now()
		for _, d := range all {
			if _, err := tx.ExecContext(ctx, s.q(`UPDATE policies SET expired_version = ? WHERE id = ?`), d.version, d.id); err != nil {
				return fmt.Errorf("mark %s expired: %w", d.id, err)
			}
			if err := s.insertEvent(ctx, tx, corpus.EventExpired, d.id, d.version, at); err != nil {
				return err
			}
		}
		n = len(all)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("expire due policies: %w", err)
	}
	return n, nil
}

// DefaultConsumeLimit is the batch size Consume uses when limit is not positive.
const DefaultConsumeLimit = 100

// Consume implements store.Outbox.
//
// On a database with concurrent writers (PostgreSQL) it runs in one
// transaction: lock the consumer's cursor row (creating it if absent), read
// the events after it, call handle, move the cursor, commit; a second Consume
// for the same name waits on the row lock.
//
// On SQLite a transaction that has written holds the only write lock for as
// long as it lasts, so a handler that itself writes to the store (as the
// matcher and pusher will) would wait on its own caller. There the handler
// runs outside any transaction: calls for one name are serialized by a mutex
// in this process, and the cursor moves with a compare-and-set, so a second
// process on the same file cannot move it twice (its Consume fails instead).
func (s *DB) Consume(ctx context.Context, consumer string, limit int, handle func(context.Context, []store.Event) error) (int, error) {
	if consumer == "" {
		return 0, errors.New("consume: consumer name is empty")
	}
	if limit <= 0 {
		limit = DefaultConsumeLimit
	}
	var (
		n   int
		err error
	)
	if s.d.SerialWriters {
		n, err = s.consumeSerial(ctx, consumer, limit, handle)
	} else {
		n, err = s.consumeLocked(ctx, consumer, limit, handle)
	}
	if err != nil {
		return 0, fmt.Errorf("consume %s: %w", consumer, err)
	}
	return n, nil
}

func (s *DB) consumeLocked(ctx context.Context, consumer string, limit int, handle func(context.Context, []store.Event) error) (int, error) {
	n := 0
	err := s.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO consumer_cursors (name, position) VALUES (?, 0)
			ON CONFLICT (name) DO NOTHING`), consumer); err != nil {
			return fmt.Errorf("create cursor: %w", err)
		}
		var pos int64
		if err := tx.QueryRowContext(ctx, s.q(`SELECT position FROM consumer_cursors WHERE name = ?`+s.d.ForUpdate),
			consumer).Scan(&pos); err != nil {
			return fmt.Errorf("lock cursor: %w", err)
		}
		evs, err := s.events(ctx, tx, pos, limit)
		if err != nil || len(evs) == 0 {
			return err
		}
		if err := handle(ctx, evs); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE consumer_cursors SET position = ? WHERE name = ?`),
			evs[len(evs)-1].ID, consumer); err != nil {
			return fmt.Errorf("move cursor: %w", err)
		}
		n = len(evs)
		return nil
	})
	return n, err
}

func (s *DB) consumeSerial(ctx context.Context, consumer string, limit int, handle func(context.Context, []store.Event) error) (int, error) {
	s.consumersMu.Lock()
	mu := s.consumers[consumer]
	if mu == nil {
		mu = new(sync.Mutex)
		s.consumers[consumer] = mu
	}
	s.consumersMu.Unlock()
	mu.Lock()
	defer mu.Unlock()

	pos, err := s.Cursor(ctx, consumer)
	if err != nil {
		return 0, err
	}
	evs, err := s.events(ctx, s.db, pos, limit)
	if err != nil || len(evs) == 0 {
		return 0, err
	}
	if err := handle(ctx, evs); err != nil {
		return 0, err
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`INSERT INTO consumer_cursors (name, position) VALUES (?, ?)
			ON CONFLICT (name) DO UPDATE SET position = excluded.position
			WHERE consumer_cursors.position = ?`), consumer, evs[len(evs)-1].ID, pos)
		if err != nil {
			return fmt.Errorf("move cursor: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return fmt.Errorf("move cursor from %d: another process moved it (%w)", pos, store.ErrConflict)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return len(evs), nil
}

func (s *DB) events(ctx context.Context, q queryer, after int64, limit int) ([]store.Event, error) {
	rows, err := q.QueryContext(ctx, s.q(`SELECT id, kind, policy_id, version, at FROM outbox
		WHERE id > ? ORDER BY id LIMIT ?`), after, limit)
	if err != nil {
		return nil, fmt.Errorf("read events after %d: %w", after, err)
	}
	defer rows.Close()
	var evs []store.Event
	for rows.Next() {
		var e store.Event
		if err := rows.Scan(&e.ID, &e.Kind, &e.PolicyID, &e.Version, &e.At); err != nil {
			return nil, fmt.Errorf("read events after %d: %w", after, err)
		}
		e.At = e.At.UTC()
		evs = append(evs, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read events after %d: %w", after, err)
	}
	return evs, nil
}

// Cursor implements store.Outbox.
func (s *DB) Cursor(ctx context.Context, consumer string) (int64, error) {
	var pos int64
	err := s.db.QueryRowContext(ctx, s.q(`SELECT position FROM consumer_cursors WHERE name = ?`), consumer).Scan(&pos)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("cursor of %s: %w", consumer, err)
	}
	return pos, nil
}
