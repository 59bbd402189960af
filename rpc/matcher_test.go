package rpc

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/twitchtv/twirp"

	"github.com/zhida/zhida/corpus"
	"github.com/zhida/zhida/corpus/region"
	"github.com/zhida/zhida/matcher"
	"github.com/zhida/zhida/matcher/sweep"
	"github.com/zhida/zhida/matcher/sweep/sweeptest"
	"github.com/zhida/zhida/pusher"
	pb "github.com/zhida/zhida/rpc/zhidav1"
	"github.com/zhida/zhida/store"
	"github.com/zhida/zhida/store/postgres"
	"github.com/zhida/zhida/store/postgres/pgtest"
	"github.com/zhida/zhida/store/sqlite"
)

func editorCtx(ctx context.Context) context.Context {
	hdr := http.Header{}
	hdr.Set("Authorization", "Bearer "+testToken)
	ctx, _ = twirp.WithHTTPRequestHeaders(ctx, hdr)
	return ctx
}

// testOwnerToken is the data owners' token in these tests.
const testOwnerToken = "s3cret-data-owner-token"

func ownerCtx(ctx context.Context) context.Context {
	hdr := http.Header{}
	hdr.Set("Authorization", "Bearer "+testOwnerToken)
	ctx, _ = twirp.WithHTTPRequestHeaders(ctx, hdr)
	return ctx
}

func matchBackends(t *testing.T, fn func(t *testing.T, st store.Store)) {
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		st, err := sqlite.Open(context.Background(), t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		fn(t, st)
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		st, err := postgres.Open(context.Background(), pgtest.Schema(t))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		fn(t, st)
	})
}

func TestProfilesAndMatcherOverHTTP(t *testing.T) {
	matchBackends(t, testProfilesAndMatcher)
}

func testProfilesAndMatcher(t *testing.T, st store.Store) {
	h := NewHandler(Config{Store: st, Rules: corpus.DefaultRules(), Regions: region.Default(),
		EditorToken: testToken, DataOwnerToken: testOwnerToken, IDCardKey: sweeptest.Key,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	profiles := pb.NewProfilesJSONClient(srv.URL, srv.Client())
	match := pb.NewMatcherProtobufClient(srv.URL, srv.Client())
	ctx := editorCtx(context.Background())
	octx := ownerCtx(context.Background())

	// BulkUpsert: the good profiles are stored, the bad ones named by index and key.
	gen := sweeptest.Profiles(400, 9)
	var items []string
	for _, l := range bytes.Split(bytes.TrimSpace(gen), []byte("\n")) {
		items = append(items, string(l))
	}
	bad := append([]string{}, items[:3]...)
	bad = append(bad, `{"kind":"resident","id":"rx","region":"12"}`)
	bad = append(bad, items[3:10]...)
	bad = append(bad, `{"kind":"enterprise","id":"91440100000000000X"}`)
	bad = append(bad, items[10:]...)
	if _, err := profiles.BulkUpsert(context.Background(), &pb.BulkUpsertProfilesRequest{Json: bad}); !isCode(err, twirp.Unauthenticated) {
		t.Fatalf("without token: %v", err)
	}
	if _, err := profiles.BulkUpsert(ctx, &pb.BulkUpsertProfilesRequest{Json: bad}); !isCode(err, twirp.Unauthenticated) {
		t.Fatalf("with the editor token: %v", err)
	}
	res, err := profiles.BulkUpsert(octx, &pb.BulkUpsertProfilesRequest{Json: bad})
	if err != nil {
		t.Fatal(err)
	}
	if res.Inserted != 400 || len(res.Errors) != 2 || res.Errors[0].Index != 3 || res.Errors[0].Field != "region" ||
		res.Errors[1].Index != 11 || res.Errors[1].Field != "id" {
		t.Fatalf("bulk upsert: %+v", res)
	}
	res, err = profiles.BulkUpsert(octx, &pb.BulkUpsertProfilesRequest{Json: items})
	if err != nil || res.Unchanged != 400 || res.Inserted != 0 || res.Updated != 0 {
		t.Fatalf("re-upsert: %+v, %v", res, err)
	}
	_, err = profiles.Upsert(octx, &pb.UpsertProfileRequest{Json: `{"kind":"resident","id":"r1","birth_date":"1990-13-01"}`})
	if code, arg := twirpCode(err); code != twirp.InvalidArgument || arg != "birth_date" {
		t.Fatalf("bad upsert: %v (%s %s)", err, code, arg)
	}
	one := `{"kind":"resident","id":"solo","region":"440106","id_card":"` + sweeptest.IDCard("19400101", 5) + `","verified":["id_card","region"]}`
	if _, err := profiles.Upsert(ctx, &pb.UpsertProfileRequest{Json: one}); !isCode(err, twirp.Unauthenticated) {
		t.Fatalf("upsert with the editor token: %v", err)
	}
	if res, err := profiles.Upsert(octx, &pb.UpsertProfileRequest{Json: one}); err != nil || res.Inserted != 1 {
		t.Fatalf("upsert: %+v, %v", res, err)
	}
	// The data owners' token does not open the Matcher (the editors' does
	// not open Profiles, above): each service takes only its own.
	for name, call := range map[string]func() error{
		"MatchSubject": func() error {
			_, err := match.MatchSubject(octx, &pb.MatchSubjectRequest{Kind: "resident", Id: "solo"})
			return err
		},
		"WhoQualifies": func() error {
			_, err := match.WhoQualifies(octx, &pb.WhoQualifiesRequest{PolicyId: "p", Draft: true})
			return err
		},
		"Explain": func() error {
			_, err := match.Explain(octx, &pb.ExplainRequest{Kind: "resident", Id: "solo"})
			return err
		},
	} {
		if err := call(); !isCode(err, twirp.Unauthenticated) {
			t.Errorf("Matcher/%s with the data-owner token: %v", name, err)
		}
	}
	ps := matcher.NewParser(matcher.ParseOptions{IDCardKey: sweeptest.Key})
	profs, _, err := ps.ReadAll(strings.NewReader(strings.Join(append(items, one), "\n")))
	if err != nil || len(profs) != 401 {
		t.Fatalf("parse: %d, %v", len(profs), err)
	}

	// Publish, consume the events and sweep, as serve's worker would.
	vers, err := sweeptest.Publish(context.Background(), st, sweeptest.Documents())
	if err != nil {
		t.Fatal(err)
	}
	w := sweep.New(st, "test", nil)
	if _, err := w.Consume(context.Background(), 100); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Work(context.Background()); err != nil {
		t.Fatal(err)
	}
	today := corpus.Today()

	// WhoQualifies on the live version from stored results agrees with the
	// on-the-fly evaluation, which agrees with the reference evaluator.
	var outside int64
	t.Cleanup(func() {
		if outside == 0 && !t.Failed() {
			t.Errorf("no subject outside the issuing region was counted: the scope is untested")
		}
	})
	for _, v := range vers {
		stored, err := match.WhoQualifies(ctx, &pb.WhoQualifiesRequest{PolicyId: v.PolicyID})
		if err != nil {
			t.Fatal(err)
		}
		eval, err := match.WhoQualifies(ctx, &pb.WhoQualifiesRequest{PolicyId: v.PolicyID, Evaluate: true})
		if err != nil {
			t.Fatal(err)
		}
		if stored.Source != "sweep" || eval.Source != "evaluated" || stored.SweepShards == 0 || stored.SweepShardsDone != stored.SweepShards {
			t.Fatalf("sources %q %q, sweep %d/%d", stored.Source, eval.Source, stored.SweepShardsDone, stored.SweepShards)
		}
		// The reference, scoped as planning is: a subject outside the
		// issuing region reaches only benefits that name a place.
		pol := sweep.PolicyOf(v)
		sc := pusher.NewScope(&v)
		var el, un, in, out int64
		for i := range profs {
			if !pol.Audience.Includes(profs[i].Kind.Audience()) {
				continue
			}
			res := matcher.EvalPolicy(&pol, &profs[i], today)
			best := matcher.False
			for bi, br := range res.Benefits {
				if !sc.Outside(sweep.BenefitKey(&v.Document.Benefits[bi], bi), profs[i].Region()) {
					best = max(best, br.Verdict)
				}
			}
			switch {
			case best == matcher.True:
				el++
			case best == matcher.Unknown:
				un++
			case res.Verdict != matcher.False:
				out++
			default:
				in++
			}
		}
		if el == 0 || un == 0 || in == 0 {
			t.Fatalf("%s: thin data %d/%d/%d", v.PolicyID, el, un, in)
		}
		outside += out
		for _, r := range []*pb.WhoQualifiesResponse{stored, eval} {
			if r.Eligible != el || r.Unknown != un || r.Ineligible != in || r.Outside != out {
				t.Errorf("%s %s: %d/%d/%d outside %d, reference %d/%d/%d outside %d", v.PolicyID, r.Source,
					r.Eligible, r.Unknown, r.Ineligible, r.Outside, el, un, in, out)
			}
		}
		if len(stored.Regions) == 0 {
			t.Errorf("no regions")
		}
		evalBy := map[string]*pb.RegionCount{}
		for _, rc := range eval.Regions {
			evalBy[rc.Region] = rc
		}
		for _, rc := range stored.Regions {
			e := evalBy[rc.Region]
			if e == nil || e.Eligible != rc.Eligible || e.Unknown != rc.Unknown || e.Outside != rc.Outside {
				t.Errorf("region %s: stored %+v, evaluated %+v", rc.Region, rc, e)
			}
		}
	}

	// A draft that drops the 失信 condition reaches at least as many, and
	// the on-the-fly count agrees with the reference evaluator.
	doc := vers[0].Document
	b1 := doc.Benefits[0]
	c := b1.Conditions.Clone()
	c.All = c.All[:2]
	doc.Benefits[0].Conditions = &c
	if _, err := st.UpdateDraft(context.Background(), vers[0].PolicyID, doc, 0); err != nil {
		t.Fatal(err)
	}
	dr, err := match.WhoQualifies(ctx, &pb.WhoQualifiesRequest{PolicyId: vers[0].PolicyID, Draft: true})
	if err != nil {
		t.Fatal(err)
	}
	dpol := sweep.PolicyOf(corpus.Version{PolicyID: vers[0].PolicyID, Document: doc})
	var del int64
	for i := range profs {
		if profs[i].Kind == matcher.Enterprise && matcher.EvalPolicy(&dpol, &profs[i], today).Verdict == matcher.True {
			del++
		}
	}
	if dr.Version != 0 || dr.Eligible != del || !dr.IneligibleByRegion {
		t.Errorf("draft: %+v, reference eligible %d", dr, del)
	}

	// MatchSubject and Explain agree with the reference evaluator.
	all := map[string]matcher.BenefitResult{}
	p := &profs[400] // "solo": 86 years old, 广州 户籍 → 高龄津贴 eligible and granted
	for _, v := range vers {
		pol := sweep.PolicyOf(v)
		for bi, br := range matcher.EvalPolicy(&pol, p, today).Benefits {
			all[v.PolicyID+"/"+sweep.BenefitKey(&pol.Benefits[bi], bi)] = br
		}
	}
	ms, err := match.MatchSubject(ctx, &pb.MatchSubjectRequest{Kind: "resident", Id: "solo", IncludeIneligible: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(ms.Matches) != 4 || ms.Matches[0].Verdict != "eligible" || !ms.Matches[0].Grant || ms.Matches[0].BenefitName != "高龄津贴" {
		t.Fatalf("match subject: %+v", ms.Matches)
	}
	for _, m := range ms.Matches {
		want := all[m.PolicyId+"/"+m.BenefitKey]
		if m.Verdict != want.Verdict.Verdict() || m.Grant != want.Grant || strings.Join(m.Met, "|") != strings.Join(want.Met, "|") {
			t.Errorf("%s/%s: %+v, want %+v", m.PolicyId, m.BenefitKey, m, want)
		}
	}
	short, err := match.MatchSubject(ctx, &pb.MatchSubjectRequest{Kind: "resident", Id: "solo"})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range short.Matches {
		if m.Verdict == "ineligible" {
			t.Errorf("ineligible %s returned without include_ineligible", m.BenefitKey)
		}
	}
	ex, err := match.Explain(ctx, &pb.ExplainRequest{Kind: "resident", Id: "solo", PolicyId: vers[1].PolicyID, BenefitKey: "b1"})
	if err != nil || ex.Verdict != "eligible" || len(ex.Met) != 2 {
		t.Fatalf("explain: %+v, %v", ex, err)
	}
	if _, err := match.Explain(ctx, &pb.ExplainRequest{Kind: "resident", Id: "solo", PolicyId: vers[1].PolicyID, BenefitKey: "b9"}); !isCode(err, twirp.NotFound) {
		t.Errorf("unknown benefit: %v", err)
	}
	if _, err := match.MatchSubject(ctx, &pb.MatchSubjectRequest{Kind: "resident", Id: "nobody"}); !isCode(err, twirp.NotFound) {
		t.Errorf("unknown subject: %v", err)
	}
	if _, err := match.MatchSubject(ctx, &pb.MatchSubjectRequest{Kind: "robot", Id: "solo"}); !isCode(err, twirp.InvalidArgument) {
		t.Errorf("bad kind: %v", err)
	}
	if _, err := match.WhoQualifies(context.Background(), &pb.WhoQualifiesRequest{PolicyId: vers[0].PolicyID}); !isCode(err, twirp.Unauthenticated) {
		t.Errorf("without token: %v", err)
	}
}
