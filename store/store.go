// Package store is Zhida's persistence: one interface with two backends, in
// the style of River's driver split. store/postgres runs on PostgreSQL
// through pgx/v5 (production); store/sqlite runs on an embedded pure-Go SQL
// database under ./data (the default). store/storetest is the conformance
// suite both must pass.
//
// The lifecycle rules are not here: backends call corpus.State.Next inside
// their transactions and persist what it returns, together with the outbox
// event it names.
package store

import (
	"context"
	"encoding/binary"
	"errors"
	"math"
	"time"

	"github.com/cespare/xxhash/v2"

	"github.com/zhida/zhida/corpus"
)

// Errors every backend returns (wrapped) so callers can tell cases apart.
var (
	ErrNotFound = errors.New("not found")
	// ErrConflict is returned when an update was based on a draft revision
	// that is no longer the current one.
	ErrConflict = errors.New("conflict")
)

// Store is everything a backend provides.
type Store interface {
	Library
	Outbox
	Profiles
	Matches
	Sweeps
	Deliveries
	// Close releases the backend's connections.
	Close() error
}

// Library keeps policies, their drafts and immutable versions.
type Library interface {
	// CreateDraft stores a new policy holding doc as its draft. The document
	// must already have passed corpus.Rules.Prepare.
	CreateDraft(ctx context.Context, doc corpus.Document) (corpus.Policy, error)
	// UpdateDraft replaces (or, for a published or retracted policy, opens)
	// the pending draft. baseRevision > 0 makes the update conditional on the
	// current draft revision (ErrConflict otherwise).
	UpdateDraft(ctx context.Context, id string, doc corpus.Document, baseRevision int) (corpus.Policy, error)
	// Publish freezes the pending draft as the next version and writes a
	// published event in the same transaction. check runs inside the
	// transaction on the draft about to be published; its error aborts.
	Publish(ctx context.Context, id string, check func(corpus.Document) error) (corpus.Version, error)
	// Retract takes a published policy out of force, keeping its versions,
	// and writes a retracted event in the same transaction.
	Retract(ctx context.Context, id, reason string) (corpus.Policy, error)
	// GetPolicy returns a policy head with its live version and draft.
	GetPolicy(ctx context.Context, id string) (corpus.Policy, error)
	// GetVersion returns one published version.
	GetVersion(ctx context.Context, id string, version int) (corpus.Version, error)
	// ListVersions returns every published version of a policy, oldest first.
	ListVersions(ctx context.Context, id string) ([]corpus.Version, error)
	// ListPolicies returns policy heads matching f, newest first.
	ListPolicies(ctx context.Context, f PolicyFilter) (PolicyPage, error)
	// ExpireDue writes an expired event for every published policy whose live
	// version's effective_to is before today and that has not had one for
	// that version. It returns how many it wrote; running it twice writes
	// nothing the second time.
	ExpireDue(ctx context.Context, today corpus.Date) (int, error)
}

// PolicyFilter selects policies for ListPolicies. Zero fields do not filter.
type PolicyFilter struct {
	// Regions keeps policies issued by any of these codes. Callers pass a
	// region and its ancestors to show what applies to a place.
	Regions  []string
	Category corpus.Category
	// Audience keeps policies for this audience or for both.
	Audience corpus.Audience
	// Status keeps policies in this state; expired and published are told
	// apart with Today (zero: corpus.Today()) against the live version's
	// effective_to.
	Status corpus.Status
	Today  corpus.Date
	// PageSize is at most MaxPageSize; 0 means DefaultPageSize.
	PageSize int
	// PageToken continues a previous listing.
	PageToken string
}

// Paging limits.
const (
	DefaultPageSize = 20
	MaxPageSize     = 200
)

// PolicyPage is one page of a listing.
type PolicyPage struct {
	Policies []corpus.Policy
	// NextPageToken is "" on the last page.
	NextPageToken string
}

// Event is one outbox entry: something that happened to a policy that the
// indexer, matcher and pusher must each apply once.
type Event struct {
	// ID increases in commit order: a consumer that has seen ID n has seen
	// every event committed before it.
	ID       int64
	Kind     corpus.EventKind
	PolicyID string
	Version  int
	At       time.Time
}

// Outbox hands policy events to consumers.
type Outbox interface {
	// Consume gives consumer the events after its cursor, at most limit of
	// them in ID order, and advances the cursor past them when handle returns
	// nil. One call per consumer name runs at a time (others wait), so a
	// consumer never sees an event twice unless handle failed or the process
	// died before the cursor moved; handlers make their effects idempotent by
	// (policy, version) for that case. It returns how many events it handled.
	Consume(ctx context.Context, consumer string, limit int, handle func(context.Context, []Event) error) (int, error)
	// Cursor returns the ID of the last event consumer has handled (0 if none).
	Cursor(ctx context.Context, consumer string) (int64, error)
}

// ProfileRecord is a subject profile as the store keeps it. The store reads
// only the columns it filters and shards on; Data is the validated profile
// in CONTRACT JSON (with 身份证号 already replaced by its keyed hash), which
// the matcher decodes.
type ProfileRecord struct {
	Kind   corpus.Audience // enterprise or resident
	ID     string          // 统一社会信用代码, or the data owner's resident id
	Region string          // 注册地 / 户籍地 code, "" when unknown
	AsOf   corpus.Date
	Data   []byte
	// Hash is a digest of Data; an upsert with the same hash changes nothing.
	Hash string
	// Seq increases with every change that commits (in commit order, like
	// event IDs), so a consumer can rematch what changed since a cursor.
	Seq       int64
	UpdatedAt time.Time
}

// UpsertResult counts what an upsert did.
type UpsertResult struct {
	Inserted, Updated, Unchanged int
}

// Profiles keeps the profiles data owners import.
type Profiles interface {
	// UpsertProfiles inserts or replaces profiles keyed by (Kind, ID) in one
	// transaction; a record whose Hash equals the stored one is left alone,
	// so re-importing a file changes nothing. PostgreSQL loads through
	// CopyFrom into a staging table. A record with an empty ID, an unknown
	// Kind, a Region that is not 6 digits or Data that is not JSON fails the
	// whole batch (the error names its index). An empty Hash is computed from
	// Data. The counts are of distinct (Kind, ID): a key repeated within recs
	// is applied once, with its last record.
	UpsertProfiles(ctx context.Context, recs []ProfileRecord) (UpsertResult, error)
	// GetProfile returns one profile (ErrNotFound when absent).
	GetProfile(ctx context.Context, kind corpus.Audience, id string) (ProfileRecord, error)
	// ScanProfiles calls fn for every profile selected by q, in (Kind, ID)
	// order, reading in pages so memory stays flat. fn's error stops the scan.
	// The scan covers the changes committed by the time it starts: a
	// profile that changes during the scan may be left out of it, and is
	// then found by the next scan with AfterSeq. So a follower that takes
	// the largest Seq it saw as its next AfterSeq misses no change.
	ScanProfiles(ctx context.Context, q ProfileQuery, fn func(ProfileRecord) error) error
	// CountProfiles counts profiles of a kind ("" for all).
	CountProfiles(ctx context.Context, kind corpus.Audience) (int64, error)
}

// ProfileQuery selects profiles for ScanProfiles. Zero fields do not filter.
type ProfileQuery struct {
	Kind corpus.Audience
	// Regions keeps profiles whose region is within any of these codes
	// (prefix semantics of corpus/region.Within).
	Regions []string
	// Shard and Shards select one of Shards disjoint, stable slices of the
	// profiles (by a hash of the ID); Shards == 0 means all.
	Shard, Shards int
	// AfterSeq keeps profiles changed after this Seq.
	AfterSeq int64
}

// MatchRecord is the result of matching one subject against one benefit of
// one policy version.
type MatchRecord struct {
	SubjectKind corpus.Audience
	SubjectID   string
	PolicyID    string
	Version     int
	BenefitKey  string
	Region      string // the subject's region, for per-region counts
	Verdict     string // eligible, ineligible or unknown
	Score       float64
	// Grant is true when the benefit is apply-free and eligible on verified
	// facts alone.
	Grant bool
	// Explanation is the matcher's JSON explanation (met/unmet texts, missing fields).
	Explanation []byte
	MatchedAt   time.Time
}

// Matches keeps match results.
type Matches interface {
	// PutMatches upserts results keyed by (SubjectKind, SubjectID, PolicyID,
	// Version, BenefitKey); a row whose region, verdict, score, grant and
	// explanation are unchanged (the same bytes: the same MatchDigest) is
	// left alone (its MatchedAt too), so re-running a sweep changes nothing
	// already right. Matches are derived data: PostgreSQL commits them
	// without waiting for the WAL flush; the next synchronous commit of any
	// write makes them durable.
	PutMatches(ctx context.Context, recs []MatchRecord) error
	// SubjectMatches returns every stored result for one subject.
	SubjectMatches(ctx context.Context, kind corpus.Audience, id string) ([]MatchRecord, error)
	// SubjectDigests returns the key, verdict and MatchDigest of every
	// stored result for one subject: what a rematch compares its fresh
	// results with, without reading the explanations. A row stored before
	// digests were kept has Digest 0.
	SubjectDigests(ctx context.Context, kind corpus.Audience, id string) ([]MatchDigestRecord, error)
	// PolicyMatches calls fn for every eligible or unknown result of one
	// policy version (what the pusher acts on), in (SubjectKind, SubjectID,
	// BenefitKey) order, reading in pages so memory stays flat; fn may
	// write to the store. fn's error stops the listing.
	PolicyMatches(ctx context.Context, policyID string, version int, fn func(MatchRecord) error) error
	// CountMatches counts results of one policy version by region and
	// verdict (distinct subjects per verdict, taking each subject's best
	// benefit verdict). Given benefitKeys, only those benefits' results
	// count.
	CountMatches(ctx context.Context, policyID string, version int, benefitKeys ...string) ([]MatchCount, error)
	// DeleteMatches removes the results of every version of a policy older
	// than keepVersion (0 removes all), e.g. after a retraction.
	DeleteMatches(ctx context.Context, policyID string, keepVersion int) (int64, error)
}

// MatchDigestRecord is one stored result as SubjectDigests reads it.
type MatchDigestRecord struct {
	PolicyID   string
	Version    int
	BenefitKey string
	Verdict    string
	Digest     uint64
}

// MatchDigest is a digest of what a stored result says: region, verdict,
// score, grant and the explanation's bytes (xxHash64; never 0). Two results
// with the same digest say the same.
func MatchDigest(r *MatchRecord) uint64 {
	var d xxhash.Digest
	d.Reset()
	var b [10]byte
	_, _ = d.WriteString(r.Region)
	_, _ = d.Write(b[:1]) // NUL ends the region and the verdict (neither may hold one)
	_, _ = d.WriteString(r.Verdict)
	binary.LittleEndian.PutUint64(b[1:9], math.Float64bits(r.Score))
	if r.Grant {
		b[9] |= 1
	}
	if r.Explanation != nil {
		b[9] |= 2
	}
	_, _ = d.Write(b[:])
	_, _ = d.Write(r.Explanation)
	if h := d.Sum64(); h != 0 {
		return h
	}
	return 1
}

// MatchCount is one row of CountMatches.
type MatchCount struct {
	Region  string
	Verdict string
	N       int64
}

// Sweeps lets several zhida processes share the work of matching one policy
// version against every profile: a sweep is split into shards, and workers
// lease shards (FOR UPDATE SKIP LOCKED on PostgreSQL). A worker that dies
// stops renewing; its lease expires and another worker takes the shard.
type Sweeps interface {
	// StartSweep creates the sweep named key (idempotent: the same key
	// returns the existing sweep) for a policy version in shards shards.
	StartSweep(ctx context.Context, key, policyID string, version, shards int) (Sweep, error)
	// LeaseShard claims one shard that is not done and whose lease is free
	// or expired, for ttl. ok is false when no shard is available. A worker
	// serves every open sweep: shards of the oldest sweep come first.
	LeaseShard(ctx context.Context, worker string, ttl time.Duration) (lease Lease, ok bool, err error)
	// RenewLease extends a lease still held by its worker (ErrConflict when
	// it was lost to another worker).
	RenewLease(ctx context.Context, l Lease, ttl time.Duration) error
	// CompleteShard marks a leased shard done (ErrConflict when the lease
	// was lost: the other worker's results stand, which is harmless because
	// match writes are idempotent).
	CompleteShard(ctx context.Context, l Lease) error
	// GetSweep reports a sweep's progress.
	GetSweep(ctx context.Context, key string) (Sweep, error)
}

// Sweep is a sweep's state.
type Sweep struct {
	Key       string
	PolicyID  string
	Version   int
	Shards    int
	Done      int
	CreatedAt time.Time
}

// Lease is a worker's claim on one shard of a sweep.
type Lease struct {
	SweepKey string
	PolicyID string
	Version  int
	Shard    int
	Shards   int
	Worker   string
	// Token changes with every lease, so a worker whose lease expired and
	// was taken over cannot renew or complete it.
	Token     string
	ExpiresAt time.Time
}
