package rpc

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"time"

	"github.com/twitchtv/twirp"

	"github.com/zhida/zhida/corpus"
	"github.com/zhida/zhida/matcher"
	"github.com/zhida/zhida/matcher/sweep"
	"github.com/zhida/zhida/pusher"
	pb "github.com/zhida/zhida/rpc/zhidav1"
	"github.com/zhida/zhida/store"
)

// MatcherService implements the Matcher service over the store. It keeps
// the live benefits compiled (sweep.Worker.Live) and evaluates on the fly;
// only WhoQualifies on a live version reads stored sweep results.
type MatcherService struct {
	store   store.Store
	live    *sweep.Worker
	parser  *matcher.Parser
	editors Editors
	log     *slog.Logger
	now     func() time.Time
}

// NewMatcher returns the Matcher service.
func NewMatcher(st store.Store, editors Editors, log *slog.Logger) *MatcherService {
	return &MatcherService{store: st, live: sweep.New(st, "rpc", log),
		parser: matcher.NewParser(matcher.ParseOptions{}), editors: editors, log: log, now: time.Now}
}

var _ pb.Matcher = (*MatcherService)(nil)

func (m *MatcherService) today() corpus.Date {
	return corpus.DateOf(m.now().In(time.FixedZone("CST", 8*3600)))
}

// evalDate reads the request's date; empty is today.
func (m *MatcherService) evalDate(s string) (corpus.Date, error) {
	if s == "" {
		return m.today(), nil
	}
	d, err := corpus.ParseDate(s)
	if err != nil {
		return d, twirp.InvalidArgumentError("at", "want a date YYYY-MM-DD")
	}
	return d, nil
}

// subject loads and decodes one stored profile.
func (m *MatcherService) subject(ctx context.Context, kind, id string) (matcher.Profile, error) {
	k := corpus.Audience(kind)
	if k != corpus.AudienceEnterprise && k != corpus.AudienceResident {
		return matcher.Profile{}, twirp.InvalidArgumentError("kind", `want "enterprise" or "resident"`)
	}
	if id == "" {
		return matcher.Profile{}, twirp.RequiredArgumentError("id")
	}
	rec, err := m.store.GetProfile(ctx, k, id)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return matcher.Profile{}, twirp.NotFoundError("no profile " + kind + " " + id)
		}
		return matcher.Profile{}, twirpError(ctx, m.log, "", err)
	}
	p, err := sweep.Decode(m.parser, &rec)
	if err != nil {
		return matcher.Profile{}, twirpError(ctx, m.log, "", err)
	}
	return p, nil
}

func benefitMatch(c *sweep.Compiled, i int, p *matcher.Profile) *pb.BenefitMatch {
	ref := c.Ref(i)
	r := c.Set().Explain(i, p)
	return &pb.BenefitMatch{
		PolicyId: ref.PolicyID, Version: int32(ref.Version), PolicyTitle: ref.PolicyTitle,
		BenefitKey: ref.BenefitKey, BenefitName: ref.Benefit.Name,
		Verdict: r.Verdict.Verdict(), Score: r.Score, Grant: r.Grant,
		Met: r.Met, Unmet: r.Unmet, Missing: r.Missing, Check: r.Check, Unverified: r.Unverified,
	}
}

var verdictRank = map[string]int{"eligible": 0, "unknown": 1, "ineligible": 2}

// MatchSubject evaluates one subject against every live benefit.
func (m *MatcherService) MatchSubject(ctx context.Context, req *pb.MatchSubjectRequest) (*pb.MatchSubjectResponse, error) {
	if err := m.editors.Require(ctx); err != nil {
		return nil, err
	}
	at, err := m.evalDate(req.At)
	if err != nil {
		return nil, err
	}
	p, err := m.subject(ctx, req.Kind, req.Id)
	if err != nil {
		return nil, err
	}
	var c *sweep.Compiled
	if at == m.today() {
		c, err = m.live.Live(ctx)
	} else {
		c, err = sweep.LiveAt(ctx, m.store, at)
	}
	if err != nil {
		return nil, twirpError(ctx, m.log, "", err)
	}
	out := &pb.MatchSubjectResponse{}
	if req.IncludeIneligible {
		for i := 0; i < c.Set().Len(); i++ {
			out.Matches = append(out.Matches, benefitMatch(c, i, &p))
		}
	} else {
		var sc matcher.Scratch
		for _, mt := range c.Set().Match(&p, &sc) {
			out.Matches = append(out.Matches, benefitMatch(c, int(mt.Benefit), &p))
		}
	}
	sort.SliceStable(out.Matches, func(i, j int) bool {
		a, b := out.Matches[i], out.Matches[j]
		if verdictRank[a.Verdict] != verdictRank[b.Verdict] {
			return verdictRank[a.Verdict] < verdictRank[b.Verdict]
		}
		if a.Score != b.Score {
			return a.Score > b.Score
		}
		if a.PolicyId != b.PolicyId {
			return a.PolicyId < b.PolicyId
		}
		return a.BenefitKey < b.BenefitKey
	})
	return out, nil
}

// resolved is the policy version a request names.
type resolved struct {
	ver  corpus.Version // Version 0 for the draft
	live bool           // the version in force today
}

func (m *MatcherService) resolve(ctx context.Context, id string, version int32, draft bool) (resolved, error) {
	if id == "" {
		return resolved{}, twirp.RequiredArgumentError("policy_id")
	}
	head, err := m.store.GetPolicy(ctx, id)
	if err != nil {
		return resolved{}, twirpError(ctx, m.log, "", err)
	}
	if draft {
		if version != 0 {
			return resolved{}, twirp.InvalidArgumentError("version", "must be 0 with draft")
		}
		if head.Draft == nil {
			return resolved{}, twirp.NewError(twirp.FailedPrecondition, "policy "+id+" has no pending draft")
		}
		return resolved{ver: corpus.Version{PolicyID: id, Document: head.Draft.Document}}, nil
	}
	v := int(version)
	if v == 0 {
		if head.LatestVersion == 0 {
			return resolved{}, twirp.NewError(twirp.FailedPrecondition, "policy "+id+" was never published: set draft to count its draft")
		}
		v = head.LatestVersion
	}
	live := head.Status == corpus.StatusPublished && v == head.LatestVersion &&
		head.EffectiveStatus(m.today()) == corpus.StatusPublished
	var ver corpus.Version
	if head.Live != nil && head.Live.Version == v {
		ver = *head.Live
	} else if ver, err = m.store.GetVersion(ctx, id, v); err != nil {
		return resolved{}, twirpError(ctx, m.log, "", err)
	}
	return resolved{ver: ver, live: live}, nil
}

// audienceOf is the kind of subject a version's benefits reach: enterprise
// or resident when all of them agree, else both.
func audienceOf(doc *corpus.Document) corpus.Audience {
	var a corpus.Audience
	for i := range doc.Benefits {
		b := matcher.Audience(&doc.Benefits[i], doc.Audience)
		if a != "" && a != b {
			return corpus.AudienceBoth
		}
		a = b
	}
	if a == corpus.AudienceEnterprise || a == corpus.AudienceResident {
		return a
	}
	return corpus.AudienceBoth
}

// WhoQualifies counts subjects by region and best verdict.
//
// For the live version it reads the stored sweep results (CountMatches) and
// the profile count: cheap at any scale, but per-region ineligible counts
// are not known because sweeps store no ineligible rows. A draft, an older
// version, or evaluate=true scans and evaluates every profile of the
// audience on this server: O(profiles) per call — about a second per
// hundred thousand profiles — fine for an editor's preview, not for
// millions; at that scale a draft should get its own sweep.
func (m *MatcherService) WhoQualifies(ctx context.Context, req *pb.WhoQualifiesRequest) (*pb.WhoQualifiesResponse, error) {
	if err := m.editors.Require(ctx); err != nil {
		return nil, err
	}
	at, err := m.evalDate(req.At)
	if err != nil {
		return nil, err
	}
	r, err := m.resolve(ctx, req.PolicyId, req.Version, req.Draft)
	if err != nil {
		return nil, err
	}
	aud := audienceOf(&r.ver.Document)
	sc := pusher.NewScope(&r.ver)
	var out *pb.WhoQualifiesResponse
	if r.live && !req.Evaluate && req.At == "" {
		out, err = m.storedCounts(ctx, r.ver, aud, sc)
	} else {
		out, err = m.evaluatedCounts(ctx, r.ver, aud, at, sc)
	}
	if err != nil {
		return nil, twirpError(ctx, m.log, "", err)
	}
	out.Version = int32(r.ver.Version)
	sort.Slice(out.Regions, func(i, j int) bool { return out.Regions[i].Region < out.Regions[j].Region })
	return out, nil
}

func (m *MatcherService) storedCounts(ctx context.Context, v corpus.Version, aud corpus.Audience, sc pusher.Scope) (*pb.WhoQualifiesResponse, error) {
	rows, err := m.store.CountMatches(ctx, v.PolicyID, v.Version)
	if err != nil {
		return nil, err
	}
	// Subjects outside a local policy's issuing region reach only the
	// benefits that name a place: count those separately, and call the
	// difference "outside".
	var placed []store.MatchCount
	if sc.Limits() { // only then can a subject be outside
		if keys := sc.Placed(); len(keys) > 0 {
			if placed, err = m.store.CountMatches(ctx, v.PolicyID, v.Version, keys...); err != nil {
				return nil, err
			}
		}
	}
	out := &pb.WhoQualifiesResponse{Source: "sweep"}
	byRegion := map[string]*pb.RegionCount{}
	regionOf := func(code string) *pb.RegionCount {
		rc := byRegion[code]
		if rc == nil {
			rc = &pb.RegionCount{Region: code}
			byRegion[code] = rc
			out.Regions = append(out.Regions, rc)
		}
		return rc
	}
	count := func(rc *pb.RegionCount, row store.MatchCount) {
		if row.Verdict == "eligible" {
			rc.Eligible += row.N
			out.Eligible += row.N
		} else {
			rc.Unknown += row.N
			out.Unknown += row.N
		}
	}
	reached := func(row store.MatchCount) bool { return row.Verdict == "eligible" || row.Verdict == "unknown" }
	limits := sc.Limits()
	for _, row := range rows {
		rc := regionOf(row.Region)
		switch {
		case !reached(row):
		case limits && sc.OutsideRegion(row.Region):
			rc.Outside += row.N
			out.Outside += row.N
		default:
			count(rc, row)
		}
	}
	// A subject outside the region that a placed benefit reaches moves
	// back from outside to that benefit's verdict.
	for _, row := range placed {
		if !reached(row) || !sc.OutsideRegion(row.Region) {
			continue
		}
		rc := regionOf(row.Region)
		rc.Outside -= row.N
		out.Outside -= row.N
		count(rc, row)
	}
	kind := aud
	if kind == corpus.AudienceBoth {
		kind = ""
	}
	total, err := m.store.CountProfiles(ctx, kind)
	if err != nil {
		return nil, err
	}
	out.Ineligible = max(0, total-out.Eligible-out.Unknown-out.Outside)
	sw, err := m.store.GetSweep(ctx, sweep.SweepKey(v.PolicyID, v.Version, m.today()))
	switch {
	case err == nil:
		out.SweepShardsDone, out.SweepShards = int32(sw.Done), int32(sw.Shards)
	case !errors.Is(err, store.ErrNotFound):
		return nil, err
	}
	return out, nil
}

func (m *MatcherService) evaluatedCounts(ctx context.Context, v corpus.Version, aud corpus.Audience, at corpus.Date, sc pusher.Scope) (*pb.WhoQualifiesResponse, error) {
	c, err := sweep.Compile([]corpus.Version{v}, at)
	if err != nil {
		return nil, fmt.Errorf("compile %s v%d: %w", v.PolicyID, v.Version, err)
	}
	out := &pb.WhoQualifiesResponse{Source: "evaluated", IneligibleByRegion: true}
	byRegion := map[string]*pb.RegionCount{}
	q := store.ProfileQuery{}
	if aud != corpus.AudienceBoth {
		q.Kind = aud
	}
	var scratch matcher.Scratch
	err = m.store.ScanProfiles(ctx, q, func(rec store.ProfileRecord) error {
		p, err := sweep.Decode(m.parser, &rec)
		if err != nil {
			return err
		}
		best, dropped := matcher.False, matcher.False
		for _, mt := range c.Set().Match(&p, &scratch) {
			if sc.Outside(c.Ref(int(mt.Benefit)).BenefitKey, rec.Region) {
				dropped = max(dropped, mt.Verdict)
				continue
			}
			best = max(best, mt.Verdict)
		}
		rc := byRegion[rec.Region]
		if rc == nil {
			rc = &pb.RegionCount{Region: rec.Region}
			byRegion[rec.Region] = rc
			out.Regions = append(out.Regions, rc)
		}
		switch {
		case best == matcher.False && dropped != matcher.False:
			rc.Outside++
			out.Outside++
		case best == matcher.True:
			rc.Eligible++
			out.Eligible++
		case best == matcher.Unknown:
			rc.Unknown++
			out.Unknown++
		default:
			rc.Ineligible++
			out.Ineligible++
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Explain evaluates one benefit for one subject.
func (m *MatcherService) Explain(ctx context.Context, req *pb.ExplainRequest) (*pb.BenefitMatch, error) {
	if err := m.editors.Require(ctx); err != nil {
		return nil, err
	}
	at, err := m.evalDate(req.At)
	if err != nil {
		return nil, err
	}
	if req.BenefitKey == "" {
		return nil, twirp.RequiredArgumentError("benefit_key")
	}
	p, err := m.subject(ctx, req.Kind, req.Id)
	if err != nil {
		return nil, err
	}
	r, err := m.resolve(ctx, req.PolicyId, req.Version, req.Draft)
	if err != nil {
		return nil, err
	}
	c, err := sweep.Compile([]corpus.Version{r.ver}, at)
	if err != nil {
		return nil, twirpError(ctx, m.log, "", err)
	}
	i, ok := c.Find(r.ver.PolicyID, r.ver.Version, req.BenefitKey)
	if !ok {
		return nil, twirp.NotFoundError(fmt.Sprintf("policy %s version %d has no benefit %q", r.ver.PolicyID, r.ver.Version, req.BenefitKey))
	}
	return benefitMatch(c, i, &p), nil
}
