package store

import (
	"context"
	"time"

	"github.com/zhida/zhida/corpus"
)

// DeliveryStatus is where a delivery is in its life.
type DeliveryStatus string

// Delivery states. pending → sending (claimed) → delivered, or back to
// pending with a later attempt time, or dead after too many failures;
// cancelled when its policy was retracted before it went out.
const (
	DeliveryPending   DeliveryStatus = "pending"
	DeliverySending   DeliveryStatus = "sending"
	DeliveryDelivered DeliveryStatus = "delivered"
	DeliveryDead      DeliveryStatus = "dead"
	DeliveryCancelled DeliveryStatus = "cancelled"
)

// NewDelivery is a push to enqueue.
type NewDelivery struct {
	// Key is the idempotency key: one delivery per key, ever.
	Key         string
	SubjectKind corpus.Audience
	SubjectID   string
	Kind        string // new_policy, apply_free_notice, deadline_reminder, needs_info
	Channel     string
	// Payload is the composed message (the pusher's JSON), sent as is.
	Payload    []byte
	PolicyID   string
	Version    int
	BenefitKey string
	// NotBefore is the earliest time to send (zero: now).
	NotBefore time.Time
}

// Delivery is a stored push.
type Delivery struct {
	NewDelivery
	ID       int64
	Status   DeliveryStatus
	Attempts int // failed attempts so far
	// NextAttemptAt is when a pending delivery is due; while sending, when
	// the claim expires.
	NextAttemptAt time.Time
	ClaimedBy     string
	ClaimToken    string
	LastError     string
	CreatedAt     time.Time
	DeliveredAt   time.Time
}

// Claim names one claimed delivery: an acknowledgement must carry the token
// the claim handed out.
type Claim struct {
	ID    int64
	Token string
}

// ClaimRequest asks for due deliveries.
type ClaimRequest struct {
	Worker  string
	Channel string
	// Kinds keeps deliveries of these kinds; empty means all.
	Kinds []string
	Limit int
	// Now is the time due-ness and the claim's expiry are measured from;
	// zero uses the database's clock (PostgreSQL), so that workers on
	// several machines agree on when a claim expires.
	Now time.Time
	// TTL is how long the claim holds; after it the delivery is due again
	// and another worker may take it (with a new token).
	TTL time.Duration
}

// Failure reports a failed attempt.
type Failure struct {
	Claim
	Error string
	// RetryAt is when to try again (the caller computes back-off).
	RetryAt time.Time
	// Dead gives up: the delivery becomes a dead letter.
	Dead bool
}

// GrantStatus is where an apply-free grant is.
type GrantStatus string

// Grant states: notified (the subject was told 已为您办理; the objection
// window runs), held (an objection or an officer stopped it for review),
// ready (window passed: ready for payment), stopped (the policy was
// retracted, or review refused it).
const (
	GrantNotified GrantStatus = "notified"
	GrantHeld     GrantStatus = "held"
	GrantReady    GrantStatus = "ready"
	GrantStopped  GrantStatus = "stopped"
)

// Grant is an apply-free (免申即享) grant: money, so it is audited.
type Grant struct {
	// Key is unique per (subject, policy version, benefit).
	Key         string
	PolicyID    string
	Version     int
	BenefitKey  string
	BenefitName string
	SubjectKind corpus.Audience
	SubjectID   string
	// Facts is JSON: the facts the decision rested on with their sources
	// and the condition texts they met.
	Facts []byte
	// Amount in yuan when computable (HasAmount), and the amount as the
	// policy states it.
	Amount     float64
	HasAmount  bool
	AmountText string
	Status     GrantStatus
	Reason     string // why held or stopped
	CreatedAt  time.Time
	// ObjectionEndsAt is the end of the objection window the notice states.
	ObjectionEndsAt time.Time
	// NoticeKey is the idempotency key of the delivery telling the subject
	// 已为您办理; ObjectionWindow is how long after that delivery the
	// subject may still object. A grant becomes ready only when its notice
	// was delivered at least ObjectionWindow ago and ObjectionEndsAt has
	// passed, so nobody is paid before being told. "" requires no notice.
	NoticeKey       string
	ObjectionWindow time.Duration
	UpdatedAt       time.Time
	ExportedAt      time.Time
}

// GrantFilter selects grants. Zero fields do not filter.
type GrantFilter struct {
	Status   GrantStatus
	PolicyID string
	// SubjectKind and SubjectID keep one subject's grants (both or neither).
	SubjectKind corpus.Audience
	SubjectID   string
	// AfterKey continues a listing (grants are listed by key).
	AfterKey string
	Limit    int
}

// InboxItem is one message in the built-in receiver's inbox.
type InboxItem struct {
	Key         string
	SubjectKind corpus.Audience
	SubjectID   string
	Kind        string
	Channel     string
	Title       string
	Body        string
	PolicyID    string
	Version     int
	BenefitKey  string
	DueDate     string
	// Seq orders the inbox (larger is newer).
	Seq           int64
	ReceivedAt    time.Time
	ReadAt        time.Time
	DeclinedAt    time.Time
	DeclineReason string
	Rating        int
	Comment       string
	Question      string
	AskedAt       time.Time
}

// InboxQuery selects one subject's inbox, newest first.
type InboxQuery struct {
	SubjectKind corpus.Audience
	SubjectID   string
	UnreadOnly  bool
	// BeforeSeq continues a listing (0: from the newest).
	BeforeSeq int64
	Limit     int
}

// InboxUpdate is what a subject does to a message. Zero fields change
// nothing; each action is idempotent.
type InboxUpdate struct {
	Read          bool
	Decline       bool
	DeclineReason string
	Rating        int // 1–5
	Comment       string
	Question      string
	At            time.Time
}

// Deliveries is the push outbox, the apply-free grants and the built-in
// receiver's inbox.
type Deliveries interface {
	// Enqueue stores new deliveries; a key already stored (in any state) is
	// left alone. It returns how many were new.
	Enqueue(ctx context.Context, ds []NewDelivery) (int, error)
	// Claim takes up to Limit due deliveries of a channel (pending with
	// NextAttemptAt <= Now, or sending with an expired claim) for the
	// worker, with a fresh token. Concurrent claimers never get the same
	// delivery.
	Claim(ctx context.Context, r ClaimRequest) ([]Delivery, error)
	// MarkDelivered marks claimed deliveries delivered at at. A claim whose
	// token no longer matches (expired and reclaimed) is skipped; it returns
	// how many were marked.
	MarkDelivered(ctx context.Context, at time.Time, cs []Claim) (int, error)
	// MarkFailed records failed attempts (skipping stale claims as
	// MarkDelivered does) and returns how many it recorded.
	MarkFailed(ctx context.Context, fs []Failure) (int, error)
	// Release hands claimed deliveries back, due at at, without counting an
	// attempt (quiet hours, daily caps).
	Release(ctx context.Context, at time.Time, cs []Claim) (int, error)
	// GetDelivery returns the delivery with key (ErrNotFound when absent).
	GetDelivery(ctx context.Context, key string) (Delivery, error)
	// CountDeliveries counts deliveries by status.
	CountDeliveries(ctx context.Context) (map[DeliveryStatus]int64, error)
	// DeliveredSince counts, for each of ids (subjects of one kind), the
	// deliveries marked delivered at or after since; for daily caps.
	DeliveredSince(ctx context.Context, kind corpus.Audience, ids []string, since time.Time) (map[string]int, error)
	// ListDead lists dead letters by ID after afterID.
	ListDead(ctx context.Context, afterID int64, limit int) ([]Delivery, error)
	// Redrive makes dead deliveries pending again, due at at, with their
	// attempts reset; it returns how many it moved.
	Redrive(ctx context.Context, ids []int64, at time.Time) (int, error)
	// CancelSubject cancels the pending and sending deliveries to one
	// subject about one benefit of a policy (every version; benefitKey ""
	// for every benefit), e.g. when the subject declined it. It returns
	// how many it cancelled.
	CancelSubject(ctx context.Context, kind corpus.Audience, subjectID, policyID, benefitKey, reason string) (int, error)
	// CancelForPolicy cancels the pending and sending deliveries and stops
	// the unexported grants of every version of policyID below
	// beforeVersion. beforeVersion 0 is a retraction: every version, and
	// ready grants too. A positive beforeVersion is a new version
	// superseding the older ones: their notified and held grants stop, a
	// ready one (its objection window passed under the version then in
	// force) stays ready for payment. It returns how many deliveries and
	// grants it changed.
	CancelForPolicy(ctx context.Context, policyID string, beforeVersion int, reason string) (deliveries, grants int, err error)

	// PutGrants stores new grants; a key already stored is left alone. It
	// returns how many were new.
	PutGrants(ctx context.Context, gs []Grant) (int, error)
	// GetGrant returns one grant (ErrNotFound when absent).
	GetGrant(ctx context.Context, key string) (Grant, error)
	// ListGrants lists grants by key.
	ListGrants(ctx context.Context, f GrantFilter) ([]Grant, error)
	// SetGrantStatus moves a grant from one of from to to, with a reason
	// (ErrNotFound when absent, ErrConflict when in another state).
	SetGrantStatus(ctx context.Context, key string, from []GrantStatus, to GrantStatus, reason string, at time.Time) error
	// ReadyDueGrants moves notified grants whose objection window ended at
	// or before now (see Grant.NoticeKey) to ready, returning how many.
	ReadyDueGrants(ctx context.Context, now time.Time) (int, error)
	// MarkGrantsExported records that ready grants went out for payment.
	MarkGrantsExported(ctx context.Context, keys []string, at time.Time) (int, error)

	// PutInbox stores received messages, in order; inserted[i] is false
	// when items[i].Key was already stored (a duplicate: nothing changes).
	PutInbox(ctx context.Context, items []InboxItem) (inserted []bool, err error)
	// ListInbox lists one subject's messages, newest first.
	ListInbox(ctx context.Context, q InboxQuery) ([]InboxItem, error)
	// UpdateInbox applies a subject's action to one of its messages
	// (ErrNotFound when the subject has no message with key).
	UpdateInbox(ctx context.Context, kind corpus.Audience, id, key string, u InboxUpdate) (InboxItem, error)
	// CountInbox counts stored inbox messages.
	CountInbox(ctx context.Context) (int64, error)

	PushPlans
}

// PushPlans records which completed sweeps the pusher has planned pushes
// and grants for, so that planning follows every sweep automatically.
type PushPlans interface {
	// SweepsToPlan lists up to limit sweeps, oldest first, whose every
	// shard is done and that are not yet marked planned.
	SweepsToPlan(ctx context.Context, limit int) ([]Sweep, error)
	// MarkSweepPlanned records that the sweep was planned (or skipped, as
	// outcome says); marking it again changes nothing.
	MarkSweepPlanned(ctx context.Context, sweepKey, outcome string, at time.Time) error
}
