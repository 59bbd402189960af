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
	"errors"
	"time"

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
