package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/zhida/zhida/corpus"
	"github.com/zhida/zhida/internal/browsertest"
	"github.com/zhida/zhida/matcher/sweep"
	"github.com/zhida/zhida/pusher"
	pb "github.com/zhida/zhida/rpc/zhidav1"
	"github.com/zhida/zhida/store"
)

// flowCase is a real policy with labelled profiles: 扬州's 2021 稳岗返还,
// apply-free, with conditions that do not depend on the date.
var flowCase = filepath.Join("..", "..", "eval", "testdata", "eval-dev", "enterprise", "01-yangzhou-2021-wengang-mianshen")

// flowSubject is an enterprise the case labels as granted.
const flowSubject = "91321002MA37124213"

// TestFullFlowInBrowser runs the real serve stack (embedded store and
// index, background matcher) and walks the three kinds of user through
// it: an editor publishes a real policy over the PolicyLibrary API; a
// citizen finds it on /search with a Chinese question and runs the
// calculator with facts that qualify; after the matcher and pusher have
// run, the enterprise sees the 已为您办理 notice in its inbox.
func TestFullFlowInBrowser(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f := serverFlags{addr: "127.0.0.1:0", data: t.TempDir(), editorToken: "editor", pusherToken: "pusher",
		maxBody: 8 << 20, demoSignIn: true}
	b := browsertest.New(t, 1280, 900)
	err := serve(ctx, slog.New(slog.NewTextHandler(io.Discard, nil)), f, func(ctx context.Context, st store.Store, base string) error {
		defer cancel()
		ed := withToken(ctx, "editor")

		// 1. The editor publishes the policy.
		lib := pb.NewPolicyLibraryJSONClient(base, http.DefaultClient)
		p, err := lib.CreateDraft(ed, &pb.CreateDraftRequest{Document: flowDocument(t)})
		if err != nil {
			t.Fatalf("create draft: %v", err)
		}
		if _, err := lib.Publish(ed, &pb.PublishRequest{Id: p.Id}); err != nil {
			t.Fatalf("publish: %v", err)
		}
		res, err := pb.NewProfilesJSONClient(base, http.DefaultClient).BulkUpsert(ed, &pb.BulkUpsertProfilesRequest{Json: flowProfiles(t)})
		if err != nil || len(res.Errors) > 0 {
			t.Fatalf("upsert the case's profiles: %+v, %v", res, err)
		}

		// 2. A citizen finds it by a question in their own words. The
		// index follows the outbox in the background: reload until the
		// policy is there.
		q := "/search?q=" + url.QueryEscape("扬州企业稳岗返还怎么申请")
		found := false
		for i := 0; i < 150 && !found; i++ {
			if i > 0 {
				time.Sleep(200 * time.Millisecond)
			}
			b.Run("search", 0, chromedp.Navigate(base+q), chromedp.WaitVisible(`main h1`, chromedp.ByQuery),
				chromedp.Evaluate(`document.querySelector('.hit a[href="/policy/`+p.Id+`"]') !== null`, &found))
		}
		if !found {
			b.Shot("flow-search-failed")
			t.Fatalf("the published policy never showed on %s", q)
		}
		b.Shot("flow-1-search")
		var title string
		b.Run("open the policy", 0, chromedp.Click(`.hit a[href="/policy/`+p.Id+`"]`, chromedp.ByQuery),
			chromedp.WaitVisible(`.benefit`, chromedp.ByQuery), chromedp.Text(`h1`, &title, chromedp.ByQuery))
		if !strings.Contains(title, "稳岗返还") {
			t.Errorf("policy page title %q", title)
		}
		b.Shot("flow-2-policy")

		// 3. The calculator, with the granted enterprise's facts.
		var eligible, names string
		b.Run("calculator", 0,
			chromedp.Navigate(base+"/calc"),
			chromedp.Click(`#kind-enterprise`, chromedp.ByQuery),
			chromedp.SendKeys(`#f-e_region`, "扬州市广陵区", chromedp.ByQuery),
			chromedp.SendKeys(`#f-e_insured_employees`, "120", chromedp.ByQuery),
			chromedp.SendKeys(`#f-e_layoff_rate`, "4", chromedp.ByQuery),
			chromedp.SetValue(`#f-e_scale`, "medium", chromedp.ByQuery),
			chromedp.Submit(`#f-e_region`, chromedp.ByQuery),
			chromedp.WaitVisible(`#results`, chromedp.ByQuery),
			chromedp.Text(`#n-eligible`, &eligible, chromedp.ByQuery),
			chromedp.Text(`.eligible-list`, &names, chromedp.ByQuery),
		)
		if eligible != "1" || !strings.Contains(names, "中小微企业稳岗返还") {
			t.Errorf("calculator: %s eligible: %q", eligible, names)
		}
		b.Shot("flow-3-calc")

		// 4. The matcher sweeps the new version (sharing the work with
		// serve's own matcher through shard leases), the planner writes
		// the grant notice and the pusher delivers it to the built-in
		// inbox over the Delivery API, quiet hours off.
		if _, err := sweep.New(st, "flow-test", nil).SweepPolicy(ctx, p.Id, 1); err != nil {
			t.Fatalf("sweep: %v", err)
		}
		v, err := st.GetVersion(ctx, p.Id, 1)
		if err != nil {
			return err
		}
		stats, err := (&pusher.Planner{}).Plan(ctx, st, st, &v)
		if err != nil || stats.NewGrants == 0 {
			t.Fatalf("plan: %+v, %v", stats, err)
		}
		w := &pusher.Worker{Queue: st, Senders: map[string]pb.Delivery{pusher.ChannelInbox: pusher.NewTwirpSender(base, "pusher", nil)}}
		for _, r := range pusher.DefaultRules() {
			r.Quiet = pusher.QuietHours{}
			if _, err := w.Drain(ctx, r); err != nil {
				t.Fatalf("push %s: %v", r.Name, err)
			}
		}

		// 5. The enterprise signs in (demo sign-in) and sees the notice.
		var kind, item, grants string
		b.Run("inbox", 0,
			chromedp.Navigate(base+"/inbox"),
			chromedp.SendKeys(`#signin-id`, flowSubject, chromedp.ByQuery),
			chromedp.Submit(`#signin-id`, chromedp.ByQuery),
			chromedp.WaitVisible(`.inbox .item`, chromedp.ByQuery),
			chromedp.Text(`.inbox .item .kind`, &kind, chromedp.ByQuery),
			chromedp.Text(`.inbox .item`, &item, chromedp.ByQuery),
			chromedp.Text(`.grants`, &grants, chromedp.ByQuery),
		)
		if !strings.Contains(kind, "已为您办理") || !strings.Contains(item, "稳岗返还") {
			t.Errorf("inbox item: kind %q, text %q", kind, item)
		}
		if !strings.Contains(grants, "中小微企业稳岗返还") || !strings.Contains(grants, "公示中") {
			t.Errorf("grants on the inbox page: %q", grants)
		}
		b.Shot("flow-4-inbox")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// flowDocument is the case's policy as an editor enters it.
func flowDocument(t *testing.T) *pb.PolicyDocument {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(flowCase, "case.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc corpus.Document
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	text, err := os.ReadFile(filepath.Join(flowCase, "policy.txt"))
	if err != nil {
		t.Fatal(err)
	}
	doc.Text = string(text)
	doc.Audience = corpus.AudienceEnterprise
	doc.Category = corpus.CategoryEmployment
	doc.Issuer = "扬州市人力资源和社会保障局、扬州市财政局"
	doc.PublishDate = corpus.Date{Year: 2021, Month: 9, Day: 10}
	js, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	var out pb.PolicyDocument
	if err := (protojson.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(js, &out); err != nil {
		t.Fatalf("case document as a PolicyDocument: %v", err)
	}
	return &out
}

// flowProfiles are the case's profiles, one JSON object each.
func flowProfiles(t *testing.T) []string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(flowCase, "profiles.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(raw))
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" {
			out = append(out, l)
		}
	}
	return out
}
