package web_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zhida/zhida/corpus"
	"github.com/zhida/zhida/corpus/region"
	"github.com/zhida/zhida/corpus/zhnorm"
	"github.com/zhida/zhida/indexer"
	"github.com/zhida/zhida/indexer/bleve"
	"github.com/zhida/zhida/indexer/segment"
	"github.com/zhida/zhida/matcher/sweep"
	"github.com/zhida/zhida/pusher"
	"github.com/zhida/zhida/rpc"
	"github.com/zhida/zhida/store"
	"github.com/zhida/zhida/store/sqlite"
	"github.com/zhida/zhida/web"
)

// caseDir is a real policy with labelled profiles: 扬州's 2021 稳岗返还,
// an apply-free benefit whose conditions do not depend on the date.
var caseDir = filepath.Join("..", "eval", "testdata", "eval-dev", "enterprise", "01-yangzhou-2021-wengang-mianshen")

// granted is a subject the case labels eligible (中型, 参保120人, 裁员率4%).
const granted = "91321002MA37124213"

// testSegmenter is loaded once per process: it costs a second, and bleve
// accepts only one.
var testSegmenter = sync.OnceValues(func() (*segment.Segmenter, error) {
	return segment.New(segment.WithFolder(zhnorm.Fold))
})

// realPolicy reads the case's policy as an editor would enter it.
func realPolicy(t *testing.T) corpus.Document {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(caseDir, "case.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc corpus.Document
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	text, err := os.ReadFile(filepath.Join(caseDir, "policy.txt"))
	if err != nil {
		t.Fatal(err)
	}
	doc.Text = string(text)
	doc.Audience = corpus.AudienceEnterprise
	doc.Category = corpus.CategoryEmployment
	doc.Issuer = "扬州市人力资源和社会保障局、扬州市财政局"
	doc.DocNumber = "扬人社〔2021〕示例号"
	doc.PublishDate = corpus.Date{Year: 2021, Month: 9, Day: 10}
	doc.Benefits[1].Amount = "按上年度实际缴纳失业保险费的60%返还"
	doc.Benefits[1].Calc = &corpus.Amount{Kind: corpus.AmountFixed, Value: 30000}
	return doc
}

// fixture is the pages over a real SQLite store holding the real policy,
// a bleve index of it and one inbox message for the granted subject.
type fixture struct {
	url      string
	policyID string
	store    store.Store
}

type options struct {
	noSearch   bool
	search     rpc.Searcher // replaces the index when set
	copies     int          // indexes this many more copies of the policy, one a year newer each
	header     string
	demoSignIn bool
}

func newFixture(t *testing.T, o options) fixture {
	t.Helper()
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	st, err := sqlite.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	regions := region.Default()
	rules := corpus.NewRules(regions)
	doc := realPolicy(t)
	// A source address as long as real ones, which must wrap on a phone.
	doc.SourceURL = "https://rsj.yangzhou.gov.cn/rsj/tzgg/202109/wengang-fanhuan-caozuo-koujing-2021-09-10-continued.html"
	if err := rules.Prepare(&doc); err != nil {
		t.Fatal(err)
	}
	p, err := st.CreateDraft(ctx, doc)
	if err != nil {
		t.Fatal(err)
	}
	v, err := st.Publish(ctx, p.ID, rules.CheckPublish)
	if err != nil {
		t.Fatal(err)
	}
	search := o.search
	if !o.noSearch && search == nil {
		seg, err := testSegmenter()
		if err != nil {
			t.Fatal(err)
		}
		idx, err := bleve.Open(filepath.Join(t.TempDir(), "index"), seg)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { idx.Close() })
		docs := []indexer.Doc{indexer.NewDoc(v, corpus.StatusPublished)}
		for i := 1; i <= o.copies; i++ {
			c := v
			c.PolicyID = fmt.Sprintf("copy-%02d", i)
			c.Document.Title = fmt.Sprintf("%s（第%d份）", v.Document.Title, i)
			c.Document.PublishDate = corpus.Date{Year: 2021 + i, Month: 1, Day: 1}
			docs = append(docs, indexer.NewDoc(c, corpus.StatusPublished))
		}
		if err := idx.Index(ctx, docs); err != nil {
			t.Fatal(err)
		}
		search = idx
	}
	if _, err := st.PutInbox(ctx, []store.InboxItem{{Key: "push-1", SubjectKind: corpus.AudienceEnterprise, SubjectID: granted,
		Kind: "apply_free_notice", Channel: "inbox", Title: "已为您办理：中小微企业稳岗返还", Body: "您的企业符合条件。\n<script>alert(1)</script>",
		PolicyID: p.ID, Version: 1, BenefitKey: "b2", ReceivedAt: time.Now()},
		{Key: "push-2", SubjectKind: corpus.AudienceResident, SubjectID: "r-2", Kind: "needs_info", Channel: "inbox",
			Title: "还差一点信息：高龄津贴", Body: "请补充出生日期。", PolicyID: p.ID, Version: 1, BenefitKey: "b1", ReceivedAt: time.Now()}}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.PutGrants(ctx, []store.Grant{{Key: pusher.GrantKey(corpus.AudienceEnterprise, granted, p.ID, 1, "b2"), PolicyID: p.ID, Version: 1, BenefitKey: "b2",
		BenefitName: "中小微企业稳岗返还（60%）", SubjectKind: corpus.AudienceEnterprise, SubjectID: granted, Facts: []byte(`{}`),
		Amount: 30000, HasAmount: true, Status: store.GrantNotified, CreatedAt: time.Now(),
		ObjectionEndsAt: time.Now().Add(7 * 24 * time.Hour)}}); err != nil {
		t.Fatal(err)
	}
	editors := rpc.NewEditors("editor-token")
	cfg := web.Config{
		Library:       rpc.NewLibrary(st, rules, regions, editors, log),
		Matcher:       rpc.NewMatcher(st, editors, log),
		Inbox:         rpc.NewInbox(st, st, rpc.NewToken("inbox gateway", "gw"), log),
		InboxToken:    "gw",
		Live:          sweep.New(st, "web", log),
		Regions:       regions,
		Editors:       editors,
		SubjectHeader: o.header,
		DemoSignIn:    o.demoSignIn,
		Log:           log,
	}
	if search != nil {
		cfg.Search = rpc.NewSearch(search, rules, regions, log)
	}
	s, err := web.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return fixture{url: srv.URL, policyID: p.ID, store: st}
}

func get(t *testing.T, c *http.Client, u string, hdr ...string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestPublicPages(t *testing.T) {
	f := newFixture(t, options{})
	q := url.QueryEscape
	for _, tc := range []struct {
		name, path string
		status     int
		want, not  []string
	}{
		{"home page; no favicon request to answer 404", "/", 200, []string{`<link rel="icon" href="data:,">`, `<a href="/editor" id="nav-editor">编辑台</a>`}, nil},
		{"search by Chinese words", "/search?q=" + q("扬州 稳岗返还"), 200,
			[]string{"共找到 <strong>1</strong>", "/policy/" + f.policyID, "<mark>", "就业创业"}, nil},
		{"region filter keeps the city's policy for a district", "/search?q=" + q("稳岗返还") + "&region=" + q("扬州市广陵区"), 200,
			[]string{"共找到 <strong>1</strong>", "当前：江苏省扬州市广陵区"}, nil},
		{"region filter drops another city's policy", "/search?q=" + q("稳岗返还") + "&region=440106", 200,
			[]string{"共找到 <strong>0</strong>"}, []string{"/policy/" + f.policyID}},
		{"audience filter", "/search?q=" + q("稳岗返还") + "&audience=resident", 200,
			[]string{"共找到 <strong>0</strong>"}, nil},
		{"facet counts beside the filters", "/search?q=" + q("稳岗返还"), 200,
			[]string{`企业（1）`, `只看免申即享 <span class="count">1</span>`, `<option value="江苏省扬州市">`}, nil},
		{"a place among the words is the region filter", "/search?q=" + q("稳岗返还 广陵"), 200,
			[]string{"共找到 <strong>1</strong>", `id="place-note"`, "已把“广陵”当作地区：只显示江苏省扬州市广陵区", `value="稳岗返还"`, "noplace=1"}, nil},
		{"a place elsewhere filters the policy out", "/search?q=" + q("稳岗返还 天河区"), 200,
			[]string{"共找到 <strong>0</strong>", "广东省广州市天河区"}, []string{"/policy/" + f.policyID}},
		{"the words as typed on request", "/search?noplace=1&q=" + q("稳岗返还 扬州"), 200,
			[]string{"共找到 <strong>1</strong>"}, []string{`id="place-note"`}},
		{"a region typed in its box wins", "/search?q=" + q("稳岗返还 天河") + "&region=" + q("扬州市"), 200,
			[]string{"当前：江苏省扬州市"}, []string{`id="place-note"`}},
		{"unknown region says so", "/search?q=x&region=" + q("不存在的地方"), 400,
			[]string{"没有找到地区“不存在的地方”"}, nil},
		{"policy page states conditions in plain words", "/policy/" + f.policyID, 200,
			[]string{"参保职工人数不低于 1 人", "满足以下任一条件：", "裁员率不超过 6%", "企业规模为中型企业、小型企业、微型企业之一",
				"适用地区</dt><dd>江苏省扬州市", "免申即享", "原文：失业保险参保企业", "（约 3 万元）"}, nil},
		{"missing policy", "/policy/nope", 404, []string{"没有找到这项政策"}, nil},
		{"calculator: qualifying facts", "/calc?kind=enterprise&e_region=" + q("扬州市广陵区") + "&e_insured_employees=120&e_layoff_rate=4&e_scale=medium", 200,
			[]string{`id="n-eligible">1<`, "中小微企业稳岗返还", "约 3 万元"}, nil},
		{"calculator: one more fact", "/calc?kind=enterprise&e_region=" + q("扬州市广陵区") + "&e_insured_employees=120&e_scale=medium", 200,
			[]string{`id="n-eligible">0<`, `class="need">上年度裁员率<`, "#f-e_layoff_rate", "补充这一项就能判断更多政策"}, nil},
		{"calculator: a local policy needs the place", "/calc?kind=enterprise&e_insured_employees=120&e_layoff_rate=4&e_scale=medium", 200,
			[]string{`id="n-eligible">0<`, `class="need">注册地<`, "#f-e_region"}, nil},
		{"calculator: facts that fail", "/calc?kind=enterprise&e_region=" + q("扬州市广陵区") + "&e_insured_employees=120&e_layoff_rate=30&e_scale=medium", 200,
			[]string{`id="n-eligible">0<`, `id="n-onemore">0<`}, []string{"中小微企业稳岗返还"}},
		{"calculator: bad number names the field", "/calc?kind=enterprise&e_employees=-3", 400,
			[]string{"从业人员数：请填一个不小于 0 的整数"}, nil},
		{"calculator form without facts", "/calc", 200, []string{"政策计算器", `for="f-r_birth_date"`}, []string{"计算结果"}},
		{"inbox without sign-in", "/inbox", 401, []string{"尚未接入统一身份认证"}, []string{"/inbox/signin"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := get(t, http.DefaultClient, f.url+tc.path)
			if status != tc.status {
				t.Errorf("status %d, want %d", status, tc.status)
			}
			for _, w := range tc.want {
				if !strings.Contains(body, w) {
					t.Errorf("page lacks %q", w)
				}
			}
			for _, w := range tc.not {
				if strings.Contains(body, w) {
					t.Errorf("page has %q", w)
				}
			}
		})
	}
}

func TestSearchUnavailable(t *testing.T) {
	failed := indexer.NewPending()
	failed.Resolve(nil, errors.New("index folder unreadable"))
	for _, tc := range []struct {
		name string
		o    options
		want string
	}{
		{"no search configured", options{noSearch: true}, "未开启搜索服务"},
		{"index failed to open", options{search: failed}, "搜索服务暂时不可用"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, tc.o)
			status, body := get(t, http.DefaultClient, f.url+"/search?q=x")
			if status != http.StatusServiceUnavailable || !strings.Contains(body, tc.want) {
				t.Errorf("status %d, body lacks %q", status, tc.want)
			}
		})
	}
}

// The trusted header is believed only when configured, the demo cookie
// only when demo sign-in is on.
func TestInboxIdentity(t *testing.T) {
	gw := newFixture(t, options{header: "X-Subject"})
	status, body := get(t, http.DefaultClient, gw.url+"/inbox", "X-Subject", "enterprise:"+granted)
	if status != 200 || !strings.Contains(body, "已为您办理：中小微企业稳岗返还") {
		t.Fatalf("inbox behind the gateway: status %d", status)
	}
	if strings.Contains(body, "<script>alert") || !strings.Contains(body, "&lt;script&gt;") {
		t.Error("message body is not escaped")
	}
	if _, body := get(t, http.DefaultClient, gw.url+"/inbox", "X-Subject", "resident:r-2"); !strings.Contains(body, `href="/calc?kind=resident"`) {
		t.Error("a needs-info message does not lead to the calculator")
	}
	if status, _ := get(t, http.DefaultClient, gw.url+"/inbox", "X-Subject", "enterprise"); status != 401 {
		t.Errorf("malformed header: status %d, want 401", status)
	}
	off := newFixture(t, options{})
	if status, body := get(t, http.DefaultClient, off.url+"/inbox", "X-Subject", "enterprise:"+granted); status != 401 || strings.Contains(body, "稳岗返还") {
		t.Errorf("header believed without configuration: status %d", status)
	}
	if status, _ := get(t, http.DefaultClient, off.url+"/inbox", "Cookie", "zhida_demo_subject=enterprise%3A"+granted); status != 401 {
		t.Errorf("demo cookie believed with demo sign-in off: status %d", status)
	}
	resp, err := http.PostForm(off.url+"/inbox/signin", url.Values{"kind": {"enterprise"}, "id": {granted}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("demo sign-in while off: status %d", resp.StatusCode)
	}
}

// Demo sign-in, then every inbox action through the forms.
func TestInboxActions(t *testing.T) {
	f := newFixture(t, options{demoSignIn: true})
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	post := func(path string, form url.Values) (int, string) {
		t.Helper()
		resp, err := c.PostForm(f.url+path, form)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if status, body := post("/inbox/signin", url.Values{"kind": {"enterprise"}, "id": {""}}); status != 400 || !strings.Contains(body, "请选择身份类型") {
		t.Errorf("empty id: status %d", status)
	}
	status, body := post("/inbox/signin", url.Values{"kind": {"enterprise"}, "id": {granted}})
	if status != 200 || !strings.Contains(body, "未读 <strong>1</strong>") || !strings.Contains(body, "已为您免申办理 <strong>1</strong>") ||
		!strings.Contains(body, "公示中：") || !strings.Contains(body, "3 万元") {
		t.Fatalf("after sign-in: status %d\n%s", status, body)
	}
	for _, step := range []struct {
		form url.Values
		want string
	}{
		{url.Values{"action": {"read"}}, "未读 <strong>0</strong>"},
		{url.Values{"action": {"rate"}, "rating": {"4"}, "comment": {"很及时"}}, "您的评价：4 分，很及时"},
		{url.Values{"action": {"ask"}, "question": {"什么时候到账？"}}, "您的提问：什么时候到账？"},
		{url.Values{"action": {"decline"}, "reason": {"已自行申请"}}, "您已谢绝：已自行申请"},
		// Declining the notice is an objection: the grant is held.
		{url.Values{"action": {"read"}}, "已暂停：申请人提出异议：已自行申请"},
	} {
		step.form.Set("key", "push-1")
		status, body := post("/inbox/act", step.form)
		if status != 200 || !strings.Contains(body, step.want) {
			t.Errorf("%s: status %d, page lacks %q", step.form.Get("action"), status, step.want)
		}
	}
	if status, _ := post("/inbox/act", url.Values{"action": {"rate"}, "key": {"push-1"}, "rating": {"9"}}); status != 400 {
		t.Errorf("rating 9: status %d", status)
	}
	if status, _ := post("/inbox/act", url.Values{"action": {"read"}, "key": {"no-such"}}); status != 404 {
		t.Errorf("unknown message: status %d", status)
	}
	// Another subject does not see the message.
	status, body = post("/inbox/signin", url.Values{"kind": {"resident"}, "id": {"r-1"}})
	if status != 200 || strings.Contains(body, "稳岗返还") {
		t.Errorf("another subject's inbox: status %d", status)
	}
	// A form posted from another site is refused.
	req, _ := http.NewRequest(http.MethodPost, f.url+"/inbox/act", strings.NewReader("action=read&key=push-1"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "http://evil.example")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site post: status %d", resp.StatusCode)
	}
}

// The calculator scopes a local policy to its issuing region, as the
// matcher does: the same facts in 广州 qualify for nothing in 扬州.
func TestCalculatorRegionScope(t *testing.T) {
	f := newFixture(t, options{})
	_, body := get(t, http.DefaultClient, f.url+"/calc?kind=enterprise&e_region=440106&e_insured_employees=120&e_layoff_rate=4&e_scale=medium")
	if !strings.Contains(body, `id="n-eligible">0<`) || strings.Contains(body, "中小微企业稳岗返还") {
		t.Errorf("a 广州 enterprise qualifies for a 扬州 policy")
	}
}

// Eleven more copies make two pages; date order puts the newest first.
func TestSearchPagingAndSort(t *testing.T) {
	f := newFixture(t, options{copies: 11})
	status, body := get(t, http.DefaultClient, f.url+"/search?q="+url.QueryEscape("稳岗返还")+"&sort=date")
	if status != 200 || !strings.Contains(body, "共找到 <strong>12</strong>") || strings.Count(body, `class="hit"`) != 10 {
		t.Fatalf("page 1: status %d, %d hits", status, strings.Count(body, `class="hit"`))
	}
	if first := strings.Index(body, "/policy/copy-11"); first < 0 || first > strings.Index(body, "/policy/copy-10") {
		t.Error("date order does not put the newest copy first")
	}
	i := strings.Index(body, `rel="next"`)
	j := strings.LastIndex(body[:i], `href="`)
	if i < 0 || j < 0 {
		t.Fatal("no next page link")
	}
	next := html.UnescapeString(body[j+len(`href="`) : strings.Index(body[j+len(`href="`):], `"`)+j+len(`href="`)])
	_, body = get(t, http.DefaultClient, f.url+next)
	if n := strings.Count(body, `class="hit"`); n != 2 || !strings.Contains(body, "回到第一页") || !strings.Contains(body, "/policy/"+f.policyID) {
		t.Errorf("page 2 (%s): %d hits", next, n)
	}
}
