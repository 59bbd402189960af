package rpc

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/twitchtv/twirp"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/zhida/zhida/corpus"
	"github.com/zhida/zhida/corpus/region"
	pb "github.com/zhida/zhida/rpc/zhidav1"
	"github.com/zhida/zhida/store"
	"github.com/zhida/zhida/store/sqlite"
)

const testToken = "s3cret-editor-token"

type fixture struct {
	json, proto pb.PolicyLibrary // clients with the editor token
	anon        pb.PolicyLibrary // JSON client without a token
	logs        *bytes.Buffer
	url         string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	st, err := sqlite.Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return newFixtureWith(t, st)
}

func newFixtureWith(t *testing.T, st store.Store) *fixture {
	t.Helper()
	logs := &bytes.Buffer{}
	h := NewHandler(Config{
		Store: st, Rules: corpus.DefaultRules(), Regions: region.Default(),
		EditorToken: testToken, Log: slog.New(slog.NewTextHandler(logs, nil)), MaxBody: 8 << 20,
	})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	auth := func(ctx context.Context) context.Context {
		hdr := http.Header{}
		hdr.Set("Authorization", "Bearer "+testToken)
		ctx, _ = twirp.WithHTTPRequestHeaders(ctx, hdr)
		return ctx
	}
	return &fixture{
		json:  authClient{pb.NewPolicyLibraryJSONClient(srv.URL, srv.Client()), auth},
		proto: authClient{pb.NewPolicyLibraryProtobufClient(srv.URL, srv.Client()), auth},
		anon:  pb.NewPolicyLibraryJSONClient(srv.URL, srv.Client()),
		logs:  logs,
		url:   srv.URL,
	}
}

// authClient adds the editor token to every call.
type authClient struct {
	pb.PolicyLibrary
	auth func(context.Context) context.Context
}

func (c authClient) CreateDraft(ctx context.Context, r *pb.CreateDraftRequest) (*pb.Policy, error) {
	return c.PolicyLibrary.CreateDraft(c.auth(ctx), r)
}
func (c authClient) UpdateDraft(ctx context.Context, r *pb.UpdateDraftRequest) (*pb.Policy, error) {
	return c.PolicyLibrary.UpdateDraft(c.auth(ctx), r)
}
func (c authClient) Publish(ctx context.Context, r *pb.PublishRequest) (*pb.PolicyVersion, error) {
	return c.PolicyLibrary.Publish(c.auth(ctx), r)
}
func (c authClient) Retract(ctx context.Context, r *pb.RetractRequest) (*pb.Policy, error) {
	return c.PolicyLibrary.Retract(c.auth(ctx), r)
}

func sampleDoc() *pb.PolicyDocument {
	return &pb.PolicyDocument{
		Title: "广州市困难残疾人生活补贴", DocNumber: "穗残联〔2026〕1号", Issuer: "广州市残疾人联合会",
		Region: "440100", Category: "助残", Audience: "resident",
		EffectiveFrom: "2026-01-01", EffectiveTo: "2099-12-31",
		Text: "本市户籍的低保对象中的残疾人，每人每月200元。",
		Benefits: []*pb.Benefit{{
			Name: "困难残疾人生活补贴", Amount: "每人每月200元", ApplyFree: true,
			Conditions: &pb.Condition{All: []*pb.Condition{
				{Field: "region", Op: "within", Value: structpb.NewStringValue("440100"), Text: "本市户籍"},
				{Field: "tags", Op: "has", Value: structpb.NewStringValue("残疾人"), Text: "残疾人"},
			}},
		}},
	}
}

func twirpCode(err error) (twirp.ErrorCode, string) {
	var te twirp.Error
	if !errors.As(err, &te) {
		return "", ""
	}
	return te.Code(), te.Meta("argument")
}

func TestLifecycleOverTwirp(t *testing.T) {
	for _, client := range []string{"json", "protobuf"} {
		t.Run(client, func(t *testing.T) {
			f := newFixture(t)
			c := f.json
			if client == "protobuf" {
				c = f.proto
			}
			ctx := context.Background()
			p, err := c.CreateDraft(ctx, &pb.CreateDraftRequest{Document: sampleDoc()})
			if err != nil {
				t.Fatal(err)
			}
			if p.Status != "draft" || p.Draft.GetRevision() != 1 || p.Draft.Document.Level != "市" || p.Draft.Document.Benefits[0].Key != "b1" {
				t.Fatalf("created %+v", p)
			}
			v1, err := c.Publish(ctx, &pb.PublishRequest{Id: p.Id})
			if err != nil {
				t.Fatal(err)
			}
			if v1.Version != 1 {
				t.Fatalf("first version is %d", v1.Version)
			}
			// Edit: the live version stays 1 until the next publish.
			doc := sampleDoc()
			doc.Title = "广州市困难残疾人生活补贴（2027年修订）"
			p2, err := c.UpdateDraft(ctx, &pb.UpdateDraftRequest{Id: p.Id, Document: doc})
			if err != nil {
				t.Fatal(err)
			}
			if p2.Live.GetDocument().GetTitle() != sampleDoc().Title || p2.Draft.GetDocument().GetTitle() != doc.Title {
				t.Fatalf("after edit: live %q draft %q", p2.Live.GetDocument().GetTitle(), p2.Draft.GetDocument().GetTitle())
			}
			// A stale revision is refused.
			_, err = c.UpdateDraft(ctx, &pb.UpdateDraftRequest{Id: p.Id, Document: doc, BaseRevision: p2.Draft.Revision + 5})
			if code, _ := twirpCode(err); code != twirp.Aborted {
				t.Errorf("stale revision: %v, want aborted", err)
			}
			v2, err := c.Publish(ctx, &pb.PublishRequest{Id: p.Id})
			if err != nil || v2.Version != 2 {
				t.Fatalf("second publish: %v %v", v2, err)
			}
			got, err := c.GetPolicy(ctx, &pb.GetPolicyRequest{Id: p.Id, Version: 1})
			if err != nil {
				t.Fatal(err)
			}
			if got.Version.Document.Title != sampleDoc().Title || len(got.Versions) != 2 || got.Policy.LatestVersion != 2 {
				t.Fatalf("version 1 = %q, versions %v", got.Version.Document.Title, got.Versions)
			}
			if cond := got.Version.Document.Benefits[0].Conditions; len(cond.All) != 2 || cond.All[0].Value.GetStringValue() != "440100" {
				t.Errorf("conditions did not survive the round trip: %v", cond)
			}
			if _, err := c.Publish(ctx, &pb.PublishRequest{Id: p.Id}); !isCode(err, twirp.FailedPrecondition) {
				t.Errorf("publish without draft: %v", err)
			}
			r, err := c.Retract(ctx, &pb.RetractRequest{Id: p.Id, Reason: "政策调整"})
			if err != nil || r.Status != "retracted" || r.RetractReason != "政策调整" {
				t.Fatalf("retract: %v %v", r, err)
			}
			if _, err := c.Retract(ctx, &pb.RetractRequest{Id: p.Id}); !isCode(err, twirp.FailedPrecondition) {
				t.Errorf("retract twice: %v", err)
			}
			got, err = c.GetPolicy(ctx, &pb.GetPolicyRequest{Id: p.Id, Version: 2})
			if err != nil || got.Version.Version != 2 {
				t.Fatalf("history after retract: %v %v", got, err)
			}
			if _, err := c.GetPolicy(ctx, &pb.GetPolicyRequest{Id: p.Id, Version: 3}); !isCode(err, twirp.NotFound) {
				t.Errorf("missing version: %v", err)
			}
			if _, err := c.GetPolicy(ctx, &pb.GetPolicyRequest{Id: "no-such-policy"}); !isCode(err, twirp.NotFound) {
				t.Errorf("missing policy: %v", err)
			}
		})
	}
}

func isCode(err error, code twirp.ErrorCode) bool {
	c, _ := twirpCode(err)
	return c == code
}

func TestAuth(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	p, err := f.json.CreateDraft(ctx, &pb.CreateDraftRequest{Document: sampleDoc()})
	if err != nil {
		t.Fatal(err)
	}
	wrong := func(ctx context.Context) context.Context {
		hdr := http.Header{}
		hdr.Set("Authorization", "Bearer not-the-token")
		ctx, _ = twirp.WithHTTPRequestHeaders(ctx, hdr)
		return ctx
	}
	for name, ctx := range map[string]context.Context{"missing": ctx, "wrong": wrong(ctx)} {
		calls := map[string]func() error{
			"CreateDraft": func() error {
				_, err := f.anon.CreateDraft(ctx, &pb.CreateDraftRequest{Document: sampleDoc()})
				return err
			},
			"UpdateDraft": func() error {
				_, err := f.anon.UpdateDraft(ctx, &pb.UpdateDraftRequest{Id: p.Id, Document: sampleDoc()})
				return err
			},
			"Publish": func() error { _, err := f.anon.Publish(ctx, &pb.PublishRequest{Id: p.Id}); return err },
			"Retract": func() error { _, err := f.anon.Retract(ctx, &pb.RetractRequest{Id: p.Id}); return err },
		}
		for method, call := range calls {
			if err := call(); !isCode(err, twirp.Unauthenticated) {
				t.Errorf("%s token, %s: %v, want unauthenticated", name, method, err)
			}
		}
	}
	// Reads need no token.
	if _, err := f.anon.GetPolicy(ctx, &pb.GetPolicyRequest{Id: p.Id}); err != nil {
		t.Errorf("anonymous read: %v", err)
	}
	got, _ := f.anon.GetPolicy(ctx, &pb.GetPolicyRequest{Id: p.Id})
	if got.GetPolicy().GetStatus() != "draft" || got.GetPolicy().GetLatestVersion() != 0 {
		t.Errorf("refused writes changed the policy: %v", got.GetPolicy())
	}
	if strings.Contains(f.logs.String(), testToken) || strings.Contains(f.logs.String(), "not-the-token") {
		t.Errorf("a token appears in the logs:\n%s", f.logs)
	}
}

func TestBadInputChangesNothing(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	p, err := f.json.CreateDraft(ctx, &pb.CreateDraftRequest{Document: sampleDoc()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.json.Publish(ctx, &pb.PublishRequest{Id: p.Id}); err != nil {
		t.Fatal(err)
	}
	edit := func(fn func(d *pb.PolicyDocument)) *pb.PolicyDocument {
		d := sampleDoc()
		fn(d)
		return d
	}
	tests := []struct {
		name string
		doc  *pb.PolicyDocument
		arg  string
	}{
		{"empty title", edit(func(d *pb.PolicyDocument) { d.Title = "" }), "document.title"},
		{"unknown region", edit(func(d *pb.PolicyDocument) { d.Region = "449999" }), "document.region"},
		{"dates reversed", edit(func(d *pb.PolicyDocument) { d.EffectiveTo = "2025-01-01" }), "document.effective_to"},
		{"impossible date", edit(func(d *pb.PolicyDocument) { d.EffectiveFrom = "2026-02-30" }), "document.effective_from"},
		{"bad condition value", edit(func(d *pb.PolicyDocument) {
			d.Benefits[0].Conditions.All[1].Op = "gte"
		}), "document.benefits[0].conditions.all[1].op"},
		{"unknown category", edit(func(d *pb.PolicyDocument) { d.Category = "彩票" }), "document.category"},
		{"missing document", nil, "document"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.json.CreateDraft(ctx, &pb.CreateDraftRequest{Document: tt.doc})
			if code, arg := twirpCode(err); code != twirp.InvalidArgument || arg != tt.arg {
				t.Errorf("create: %v (argument %q), want invalid_argument on %s", err, arg, tt.arg)
			}
			_, err = f.json.UpdateDraft(ctx, &pb.UpdateDraftRequest{Id: p.Id, Document: tt.doc})
			if code, arg := twirpCode(err); code != twirp.InvalidArgument || arg != tt.arg {
				t.Errorf("update: %v (argument %q), want invalid_argument on %s", err, arg, tt.arg)
			}
		})
	}
	// Raw HTTP: a 10 MB body and invalid UTF-8 in JSON.
	raw := []struct {
		name string
		body []byte
		arg  string
	}{
		{"10 MB body", append([]byte(`{"document":{"title":"x","text":"`), append(bytes.Repeat([]byte("字"), 10<<20/3), []byte(`"}}`)...)...), "body"},
		{"invalid UTF-8", []byte("{\"document\":{\"title\":\"\xff\xfe\",\"region\":\"440100\"}}"), "document.title"},
	}
	for _, tt := range raw {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, f.url+"/twirp/zhida.v1.PolicyLibrary/CreateDraft", bytes.NewReader(tt.body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+testToken)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var buf bytes.Buffer
			buf.ReadFrom(resp.Body)
			if resp.StatusCode != 400 || !strings.Contains(buf.String(), `"invalid_argument"`) || !strings.Contains(buf.String(), `"argument":"`+tt.arg+`"`) {
				t.Errorf("status %d body %s, want invalid_argument on %s", resp.StatusCode, buf.String(), tt.arg)
			}
		})
	}
	// Nothing changed: one policy, version 1 live, no draft.
	list, err := f.json.ListPolicies(ctx, &pb.ListPoliciesRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Policies) != 1 || list.Policies[0].LatestVersion != 1 || list.Policies[0].Draft != nil ||
		list.Policies[0].Live.Document.Title != sampleDoc().Title || list.Policies[0].Live.Document.Text != "" {
		t.Errorf("bad input changed the library: %v", list.Policies)
	}
}

func TestListPoliciesRegionAncestors(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	for _, r := range []struct{ region, title, audience string }{
		{"100000", "全国政策", "both"}, {"440000", "广东政策", "enterprise"}, {"440100", "广州政策", "resident"},
		{"440106", "天河政策", "resident"}, {"440103", "荔湾政策", "resident"}, {"110000", "北京政策", "resident"},
	} {
		d := sampleDoc()
		d.Region, d.Title, d.Audience = r.region, r.title, r.audience
		d.Benefits[0].Conditions = nil
		d.Benefits[0].Audience = "resident"
		p, err := f.json.CreateDraft(ctx, &pb.CreateDraftRequest{Document: d})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.json.Publish(ctx, &pb.PublishRequest{Id: p.Id}); err != nil {
			t.Fatal(err)
		}
	}
	titles := func(req *pb.ListPoliciesRequest) map[string]bool {
		t.Helper()
		out := map[string]bool{}
		for {
			resp, err := f.anon.ListPolicies(ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range resp.Policies {
				out[p.Live.Document.Title] = true
			}
			if resp.NextPageToken == "" {
				return out
			}
			req.PageToken = resp.NextPageToken
		}
	}
	got := titles(&pb.ListPoliciesRequest{Region: "440106", PageSize: 1})
	want := []string{"全国政策", "广东政策", "广州政策", "天河政策"}
	if len(got) != len(want) {
		t.Errorf("天河区 sees %v, want %v", got, want)
	}
	for _, w := range want {
		if !got[w] {
			t.Errorf("天河区 does not see %s (got %v)", w, got)
		}
	}
	got = titles(&pb.ListPoliciesRequest{Region: "440106", Audience: "enterprise"})
	if len(got) != 2 || !got["全国政策"] || !got["广东政策"] {
		t.Errorf("天河区 enterprises see %v, want the national (both) and 广东 policies", got)
	}
	if _, err := f.anon.ListPolicies(ctx, &pb.ListPoliciesRequest{Region: "12345"}); !isCode(err, twirp.InvalidArgument) {
		t.Errorf("bad region filter: %v", err)
	}
}
