package rpc

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/twitchtv/twirp"

	"github.com/zhida/zhida/corpus"
	"github.com/zhida/zhida/pusher"
	pb "github.com/zhida/zhida/rpc/zhidav1"
	"github.com/zhida/zhida/store"
)

// Token checks one bearer token (the pusher's, or the inbox gateway's). It
// keeps only the token's hash.
type Token struct {
	what string
	sum  [32]byte
	set  bool
}

// NewToken returns a checker for token, naming it what in errors; an empty
// token refuses every call.
func NewToken(what, token string) Token {
	if token == "" {
		return Token{what: what}
	}
	return Token{what: what, sum: sha256.Sum256([]byte(token)), set: true}
}

// Require returns an unauthenticated error unless the request carries the token.
func (t Token) Require(ctx context.Context) error {
	tok, _ := ctx.Value(bearerKey{}).(string)
	if !t.set {
		return twirp.NewError(twirp.Unauthenticated, "disabled: no "+t.what+" token is configured on the server")
	}
	if tok == "" {
		return twirp.NewError(twirp.Unauthenticated, "missing "+t.what+" token: send Authorization: Bearer <token>")
	}
	sum := sha256.Sum256([]byte(tok))
	if subtle.ConstantTimeCompare(sum[:], t.sum[:]) != 1 {
		return twirp.NewError(twirp.Unauthenticated, "wrong "+t.what+" token")
	}
	return nil
}

// MaxDeliverItems bounds one Deliver batch.
const MaxDeliverItems = 1000

// pushKinds are the kinds the built-in receiver accepts.
var pushKinds = map[string]bool{"new_policy": true, "apply_free_notice": true, "deadline_reminder": true, "needs_info": true}

// Receiver is the built-in Delivery service: it stores each item in the
// inbox, once per idempotency key.
type Receiver struct {
	store store.Deliveries
	token Token
	log   *slog.Logger
}

// NewReceiver returns the built-in Delivery service.
func NewReceiver(st store.Deliveries, pusher Token, log *slog.Logger) *Receiver {
	return &Receiver{store: st, token: pusher, log: log}
}

var _ pb.Delivery = (*Receiver)(nil)

// checkItem returns why an item cannot be stored, "" when it can.
func checkItem(it *pb.PushItem) string {
	switch {
	case it.IdempotencyKey == "":
		return "idempotency_key is empty"
	case it.SubjectKind != string(corpus.AudienceEnterprise) && it.SubjectKind != string(corpus.AudienceResident):
		return "subject_kind must be enterprise or resident"
	case strings.TrimSpace(it.SubjectId) == "":
		return "subject_id is empty"
	case !pushKinds[it.Kind]:
		return "kind " + strconv.Quote(it.Kind) + " is not new_policy, apply_free_notice, deadline_reminder or needs_info"
	case strings.TrimSpace(it.Title) == "" || strings.TrimSpace(it.Body) == "":
		return "title and body are required"
	case it.DueDate != "":
		if _, err := corpus.ParseDate(it.DueDate); err != nil {
			return "due_date " + strconv.Quote(it.DueDate) + " is not YYYY-MM-DD"
		}
	}
	return ""
}

// Deliver stores the batch: new items are ACCEPTED, items whose key is
// already stored are DUPLICATE (nothing changes), malformed items are
// REJECTED with the reason. The batch is stored in one transaction.
func (r *Receiver) Deliver(ctx context.Context, req *pb.DeliverRequest) (*pb.DeliverResponse, error) {
	if err := r.token.Require(ctx); err != nil {
		return nil, err
	}
	if len(req.Items) > MaxDeliverItems {
		return nil, twirp.InvalidArgumentError("items", "at most "+itoa(MaxDeliverItems)+" items per call")
	}
	resp := &pb.DeliverResponse{Results: make([]*pb.ItemResult, len(req.Items))}
	var (
		items []store.InboxItem
		pos   []int
		seen  = map[string]int{}
	)
	for i, it := range req.Items {
		res := &pb.ItemResult{IdempotencyKey: it.IdempotencyKey}
		resp.Results[i] = res
		if why := checkItem(it); why != "" {
			res.Status, res.Reason = pb.ItemStatus_ITEM_STATUS_REJECTED, why
			continue
		}
		if _, ok := seen[it.IdempotencyKey]; ok {
			// Twice in one batch: the second is a duplicate of the first.
			res.Status = pb.ItemStatus_ITEM_STATUS_DUPLICATE
			continue
		}
		seen[it.IdempotencyKey] = i
		items = append(items, store.InboxItem{
			Key: it.IdempotencyKey, SubjectKind: corpus.Audience(it.SubjectKind), SubjectID: it.SubjectId,
			Kind: it.Kind, Channel: it.Channel, Title: it.Title, Body: it.Body, PolicyID: it.PolicyId,
			Version: int(it.PolicyVersion), BenefitKey: it.BenefitKey, DueDate: it.DueDate,
		})
		pos = append(pos, i)
	}
	if len(items) > 0 {
		inserted, err := r.store.PutInbox(ctx, items)
		if err != nil {
			return nil, twirpError(ctx, r.log, "", err)
		}
		for j, ok := range inserted {
			if ok {
				resp.Results[pos[j]].Status = pb.ItemStatus_ITEM_STATUS_ACCEPTED
			} else {
				resp.Results[pos[j]].Status = pb.ItemStatus_ITEM_STATUS_DUPLICATE
			}
		}
	}
	return resp, nil
}

// Declines is what a subject's decline changes when the pusher shares the
// receiver's store (zhida serve): no further pushes about the benefit, and
// an apply-free grant held for review.
type Declines interface {
	CancelSubject(ctx context.Context, kind corpus.Audience, subjectID, policyID, benefitKey, reason string) (int, error)
	SetGrantStatus(ctx context.Context, key string, from []store.GrantStatus, to store.GrantStatus, reason string, at time.Time) error
}

// InboxService is the subject's side of the built-in receiver.
type InboxService struct {
	store    store.Deliveries
	declines Declines
	gateway  Token
	log      *slog.Logger
	now      func() time.Time
}

// NewInbox returns the Inbox service. declines (may be nil) is told when a
// subject declines a message.
func NewInbox(st store.Deliveries, declines Declines, gateway Token, log *slog.Logger) *InboxService {
	return &InboxService{store: st, declines: declines, gateway: gateway, log: log, now: time.Now}
}

var _ pb.Inbox = (*InboxService)(nil)

func subjectOf(s *pb.Subject) (corpus.Audience, string, error) {
	if s == nil || strings.TrimSpace(s.Id) == "" {
		return "", "", twirp.RequiredArgumentError("subject.id")
	}
	if s.Kind != string(corpus.AudienceEnterprise) && s.Kind != string(corpus.AudienceResident) {
		return "", "", twirp.InvalidArgumentError("subject.kind", "must be enterprise or resident")
	}
	return corpus.Audience(s.Kind), s.Id, nil
}

func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func inboxToPB(it store.InboxItem) *pb.InboxItem {
	return &pb.InboxItem{
		IdempotencyKey: it.Key, Kind: it.Kind, Title: it.Title, Body: it.Body, PolicyId: it.PolicyID,
		PolicyVersion: int32(it.Version), BenefitKey: it.BenefitKey, DueDate: it.DueDate,
		ReceivedAt: rfc3339(it.ReceivedAt), ReadAt: rfc3339(it.ReadAt), DeclinedAt: rfc3339(it.DeclinedAt),
		DeclineReason: it.DeclineReason, Rating: int32(it.Rating), Comment: it.Comment, Question: it.Question,
		AskedAt: rfc3339(it.AskedAt),
	}
}

// ListMyPushes lists the subject's messages, newest first.
func (s *InboxService) ListMyPushes(ctx context.Context, req *pb.ListMyPushesRequest) (*pb.ListMyPushesResponse, error) {
	if err := s.gateway.Require(ctx); err != nil {
		return nil, err
	}
	kind, id, err := subjectOf(req.Subject)
	if err != nil {
		return nil, err
	}
	size := int(req.PageSize)
	if size < 0 || size > store.MaxPageSize {
		return nil, twirp.InvalidArgumentError("page_size", "must be between 0 and "+itoa(store.MaxPageSize))
	}
	if size == 0 {
		size = store.DefaultPageSize
	}
	var before int64
	if req.PageToken != "" {
		b, err := base64.RawURLEncoding.DecodeString(req.PageToken)
		if err == nil {
			before, err = strconv.ParseInt(string(b), 10, 64)
		}
		if err != nil || before <= 0 {
			return nil, twirp.InvalidArgumentError("page_token", "is not a token this listing handed out")
		}
	}
	items, err := s.store.ListInbox(ctx, store.InboxQuery{SubjectKind: kind, SubjectID: id, UnreadOnly: req.UnreadOnly,
		BeforeSeq: before, Limit: size + 1})
	if err != nil {
		return nil, twirpError(ctx, s.log, "", err)
	}
	resp := &pb.ListMyPushesResponse{}
	if len(items) > size {
		items = items[:size]
		resp.NextPageToken = base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(items[size-1].Seq, 10)))
	}
	for _, it := range items {
		resp.Items = append(resp.Items, inboxToPB(it))
	}
	return resp, nil
}

func (s *InboxService) update(ctx context.Context, subj *pb.Subject, key string, u store.InboxUpdate) (store.InboxItem, error) {
	if err := s.gateway.Require(ctx); err != nil {
		return store.InboxItem{}, err
	}
	kind, id, err := subjectOf(subj)
	if err != nil {
		return store.InboxItem{}, err
	}
	if key == "" {
		return store.InboxItem{}, twirp.RequiredArgumentError("idempotency_key")
	}
	u.At = s.now()
	it, err := s.store.UpdateInbox(ctx, kind, id, key, u)
	if err != nil {
		return it, twirpError(ctx, s.log, "", err)
	}
	return it, nil
}

// MarkRead marks a message read.
func (s *InboxService) MarkRead(ctx context.Context, req *pb.InboxItemRequest) (*pb.InboxItem, error) {
	it, err := s.update(ctx, req.Subject, req.IdempotencyKey, store.InboxUpdate{Read: true})
	if err != nil {
		return nil, err
	}
	return inboxToPB(it), nil
}

// Decline records that the subject declines the benefit: pushes about it
// not yet sent are cancelled (reminders), and declining an apply-free
// notice is an objection that holds the grant for review.
func (s *InboxService) Decline(ctx context.Context, req *pb.DeclineRequest) (*pb.InboxItem, error) {
	it, err := s.update(ctx, req.Subject, req.IdempotencyKey, store.InboxUpdate{Read: true, Decline: true, DeclineReason: strings.TrimSpace(req.Reason)})
	if err != nil {
		return nil, err
	}
	if s.declines == nil {
		return inboxToPB(it), nil
	}
	if _, err := s.declines.CancelSubject(ctx, it.SubjectKind, it.SubjectID, it.PolicyID, it.BenefitKey, "subject declined"); err != nil {
		return nil, twirpError(ctx, s.log, "", err)
	}
	if it.Kind == "apply_free_notice" {
		key := pusher.GrantKey(it.SubjectKind, it.SubjectID, it.PolicyID, it.Version, it.BenefitKey)
		reason := "申请人提出异议"
		if it.DeclineReason != "" {
			reason += "：" + it.DeclineReason
		}
		err := s.declines.SetGrantStatus(ctx, key, []store.GrantStatus{store.GrantNotified, store.GrantReady}, store.GrantHeld, reason, s.now())
		if err != nil && !errors.Is(err, store.ErrConflict) && !errors.Is(err, store.ErrNotFound) {
			return nil, twirpError(ctx, s.log, "", err)
		}
		if err != nil {
			s.log.InfoContext(ctx, "objection did not hold a grant", "policy", it.PolicyID, "benefit", it.BenefitKey, "err", err)
		}
	}
	return inboxToPB(it), nil
}

// Rate records a 好差评 rating.
func (s *InboxService) Rate(ctx context.Context, req *pb.RateRequest) (*pb.InboxItem, error) {
	if req.Rating < 1 || req.Rating > 5 {
		return nil, twirp.InvalidArgumentError("rating", "must be between 1 and 5")
	}
	it, err := s.update(ctx, req.Subject, req.IdempotencyKey, store.InboxUpdate{Read: true, Rating: int(req.Rating), Comment: strings.TrimSpace(req.Comment)})
	if err != nil {
		return nil, err
	}
	return inboxToPB(it), nil
}

// Ask records a question about a message.
func (s *InboxService) Ask(ctx context.Context, req *pb.AskRequest) (*pb.InboxItem, error) {
	q := strings.TrimSpace(req.Question)
	if q == "" {
		return nil, twirp.RequiredArgumentError("question")
	}
	it, err := s.update(ctx, req.Subject, req.IdempotencyKey, store.InboxUpdate{Read: true, Question: q})
	if err != nil {
		return nil, err
	}
	return inboxToPB(it), nil
}

// ListMyGrants lists the subject's apply-free grants, in key order.
func (s *InboxService) ListMyGrants(ctx context.Context, req *pb.ListMyGrantsRequest) (*pb.ListMyGrantsResponse, error) {
	if err := s.gateway.Require(ctx); err != nil {
		return nil, err
	}
	kind, id, err := subjectOf(req.Subject)
	if err != nil {
		return nil, err
	}
	gs, err := s.store.ListGrants(ctx, store.GrantFilter{SubjectKind: kind, SubjectID: id, Limit: store.MaxPageSize})
	if err != nil {
		return nil, twirpError(ctx, s.log, "", err)
	}
	resp := &pb.ListMyGrantsResponse{}
	for _, g := range gs {
		resp.Grants = append(resp.Grants, &pb.GrantItem{
			PolicyId: g.PolicyID, PolicyVersion: int32(g.Version), BenefitKey: g.BenefitKey, BenefitName: g.BenefitName,
			Amount: g.Amount, HasAmount: g.HasAmount, AmountText: g.AmountText, Status: string(g.Status), Reason: g.Reason,
			CreatedAt: rfc3339(g.CreatedAt), ObjectionEndsAt: rfc3339(g.ObjectionEndsAt), ExportedAt: rfc3339(g.ExportedAt),
		})
	}
	return resp, nil
}
