package rpc

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"github.com/twitchtv/twirp"

	"github.com/zhida/zhida/corpus"
	"github.com/zhida/zhida/corpus/region"
	pb "github.com/zhida/zhida/rpc/zhidav1"
	"github.com/zhida/zhida/store"
)

// Library implements the PolicyLibrary service over a store.
type Library struct {
	store   store.Library
	rules   corpus.Rules
	regions *region.Table
	editors Editors
	log     *slog.Logger
	now     func() time.Time
}

// NewLibrary returns the PolicyLibrary service.
func NewLibrary(st store.Library, rules corpus.Rules, regions *region.Table, editors Editors, log *slog.Logger) *Library {
	return &Library{store: st, rules: rules, regions: regions, editors: editors, log: log, now: time.Now}
}

var _ pb.PolicyLibrary = (*Library)(nil)

func (l *Library) today() corpus.Date {
	return corpus.DateOf(l.now().In(time.FixedZone("CST", 8*3600)))
}

// CreateDraft validates the document and stores it as a new policy's draft.
func (l *Library) CreateDraft(ctx context.Context, req *pb.CreateDraftRequest) (*pb.Policy, error) {
	if err := l.editors.Require(ctx); err != nil {
		return nil, err
	}
	doc, err := l.prepare(ctx, req.Document)
	if err != nil {
		return nil, err
	}
	p, err := l.store.CreateDraft(ctx, doc)
	if err != nil {
		return nil, twirpError(ctx, l.log, "", err)
	}
	l.log.InfoContext(ctx, "draft created", "policy", p.ID)
	return policyToPB(p, l.today()), nil
}

// UpdateDraft validates the document and replaces or opens the draft.
func (l *Library) UpdateDraft(ctx context.Context, req *pb.UpdateDraftRequest) (*pb.Policy, error) {
	if err := l.editors.Require(ctx); err != nil {
		return nil, err
	}
	if err := requireID(req.Id); err != nil {
		return nil, err
	}
	doc, err := l.prepare(ctx, req.Document)
	if err != nil {
		return nil, err
	}
	p, err := l.store.UpdateDraft(ctx, req.Id, doc, int(req.BaseRevision))
	if err != nil {
		return nil, twirpError(ctx, l.log, "", err)
	}
	l.log.InfoContext(ctx, "draft updated", "policy", p.ID, "revision", p.Draft.Revision)
	return policyToPB(p, l.today()), nil
}

// Publish freezes the draft as the next version, after the checks a version
// needs beyond a draft.
func (l *Library) Publish(ctx context.Context, req *pb.PublishRequest) (*pb.PolicyVersion, error) {
	if err := l.editors.Require(ctx); err != nil {
		return nil, err
	}
	if err := requireID(req.Id); err != nil {
		return nil, err
	}
	v, err := l.store.Publish(ctx, req.Id, l.rules.CheckPublish)
	if err != nil {
		return nil, twirpError(ctx, l.log, "draft", err)
	}
	l.log.InfoContext(ctx, "policy published", "policy", v.PolicyID, "version", v.Version)
	return versionToPB(&v), nil
}

// Retract takes a published policy out of force.
func (l *Library) Retract(ctx context.Context, req *pb.RetractRequest) (*pb.Policy, error) {
	if err := l.editors.Require(ctx); err != nil {
		return nil, err
	}
	if err := requireID(req.Id); err != nil {
		return nil, err
	}
	p, err := l.store.Retract(ctx, req.Id, strings.TrimSpace(req.Reason))
	if err != nil {
		return nil, twirpError(ctx, l.log, "", err)
	}
	l.log.InfoContext(ctx, "policy retracted", "policy", p.ID)
	return policyToPB(p, l.today()), nil
}

// GetPolicy returns a policy with its live version or the version asked for.
func (l *Library) GetPolicy(ctx context.Context, req *pb.GetPolicyRequest) (*pb.GetPolicyResponse, error) {
	if err := requireID(req.Id); err != nil {
		return nil, err
	}
	if req.Version < 0 {
		return nil, twirp.InvalidArgumentError("version", "must be 0 (latest) or a version number")
	}
	p, err := l.store.GetPolicy(ctx, req.Id)
	if err != nil {
		return nil, twirpError(ctx, l.log, "", err)
	}
	versions, err := l.store.ListVersions(ctx, req.Id)
	if err != nil {
		return nil, twirpError(ctx, l.log, "", err)
	}
	resp := &pb.GetPolicyResponse{Policy: policyToPB(p, l.today()), Version: versionToPB(p.Live)}
	for _, v := range versions {
		resp.Versions = append(resp.Versions, int32(v.Version))
		if int32(v.Version) == req.Version {
			resp.Version = versionToPB(&v)
		}
	}
	if req.Version > 0 && (resp.Version == nil || resp.Version.Version != req.Version) {
		return nil, twirp.NewError(twirp.NotFound, "policy "+req.Id+" has no version "+itoa(int(req.Version)))
	}
	return resp, nil
}

// ListPolicies lists policies with filters and paging.
func (l *Library) ListPolicies(ctx context.Context, req *pb.ListPoliciesRequest) (*pb.ListPoliciesResponse, error) {
	f := store.PolicyFilter{
		Category:  corpus.Category(req.Category),
		Audience:  corpus.Audience(req.Audience),
		Status:    corpus.Status(req.Status),
		Today:     l.today(),
		PageSize:  int(req.PageSize),
		PageToken: req.PageToken,
	}
	if req.Region != "" {
		if !l.regions.Valid(req.Region) {
			return nil, twirp.InvalidArgumentError("region", req.Region+" is not a known 6-digit 行政区划代码")
		}
		f.Regions = append([]string{req.Region}, l.regions.Ancestors(req.Region)...)
	}
	if f.Category != "" && !l.rules.KnownCategory(f.Category) {
		return nil, twirp.InvalidArgumentError("category", string(f.Category)+" is not a known category")
	}
	if f.Audience != "" && f.Audience != corpus.AudienceEnterprise && f.Audience != corpus.AudienceResident {
		return nil, twirp.InvalidArgumentError("audience", "must be enterprise or resident")
	}
	if f.Status != "" && !f.Status.Valid() {
		return nil, twirp.InvalidArgumentError("status", "must be draft, published, retracted or expired")
	}
	if f.PageSize < 0 || f.PageSize > store.MaxPageSize {
		return nil, twirp.InvalidArgumentError("page_size", "must be between 0 and "+itoa(store.MaxPageSize))
	}
	page, err := l.store.ListPolicies(ctx, f)
	if err != nil {
		return nil, twirpError(ctx, l.log, "", err)
	}
	resp := &pb.ListPoliciesResponse{NextPageToken: page.NextPageToken}
	for _, p := range page.Policies {
		out := policyToPB(p, f.Today)
		// A listing is a summary: the full texts would make a page of 200
		// policies tens of megabytes.
		if out.Live != nil {
			out.Live.Document.Text = ""
		}
		if out.Draft != nil {
			out.Draft.Document.Text = ""
		}
		resp.Policies = append(resp.Policies, out)
	}
	return resp, nil
}

// prepare converts a request document and checks it as a draft, returning
// a Twirp error that names the field.
func (l *Library) prepare(ctx context.Context, in *pb.PolicyDocument) (corpus.Document, error) {
	doc, err := documentFromPB(in, "document")
	if err != nil {
		return doc, twirpError(ctx, l.log, "", err)
	}
	if err := l.rules.Prepare(&doc); err != nil {
		return doc, twirpError(ctx, l.log, "document", err)
	}
	return doc, nil
}

func requireID(id string) error {
	if strings.TrimSpace(id) == "" {
		return twirp.RequiredArgumentError("id")
	}
	return nil
}
