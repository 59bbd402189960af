package web_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/zhida/zhida/corpus"
	"github.com/zhida/zhida/corpus/extract"
	"github.com/zhida/zhida/corpus/region"
	"github.com/zhida/zhida/corpus/sample"
	"github.com/zhida/zhida/matcher/sweep/sweeptest"
	"github.com/zhida/zhida/rpc"
	"github.com/zhida/zhida/store/sqlite"
	"github.com/zhida/zhida/web"
)

const editorToken = "editor-test-token-7f3a"

// policyFile is a real policy text (三门峡 稳岗返还 2025) from the labelled
// cases; the extractor reads it into three benefits with an unparsed clause.
const policyFile = "../eval/testdata/cases/enterprise/91-sanmenxia-wengang-2025/policy.txt"

// stack is the console over the real services and a real SQLite store
// holding the sample subjects.
type stack struct {
	srv         *httptest.Server
	enterprises int
	logs        *strings.Builder
}

func newStack(t *testing.T) *stack {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	profs, err := sweeptest.Load(ctx, st, sample.Profiles())
	if err != nil {
		t.Fatalf("load sample profiles: %v", err)
	}
	n := 0
	for _, p := range profs {
		if p.Kind.Audience() == corpus.AudienceEnterprise {
			n++
		}
	}
	logs := &strings.Builder{}
	log := slog.New(slog.NewTextHandler(logs, nil))
	regions := region.Default()
	editors := rpc.NewEditors(editorToken)
	s, err := web.New(web.Config{
		Library: rpc.NewLibrary(st, corpus.NewRules(regions), regions, editors, log),
		Matcher: rpc.NewMatcher(st, editors, log),
		Regions: regions, Editors: editors, Log: log, Extract: recordedExtract(t),
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return &stack{srv: srv, enterprises: n, logs: logs}
}

// client is a browser-like HTTP client: a cookie jar, no automatic
// redirects, so tests see where each step sends the user.
type client struct {
	t    *testing.T
	base string
	hc   *http.Client
}

func (s *stack) client(t *testing.T) *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: t, base: s.srv.URL, hc: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

type reply struct {
	status   int
	body     string
	location string
	resp     *http.Response
}

func (c *client) do(req *http.Request) reply {
	c.t.Helper()
	resp, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return reply{status: resp.StatusCode, body: string(b), location: resp.Header.Get("Location"), resp: resp}
}

func (c *client) get(path string) reply {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.base+path, nil)
	return c.do(req)
}

func (c *client) post(path string, form url.Values) reply {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, c.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

var csrfRe = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrf reads the form token from a console page.
func (c *client) csrf(path string) string {
	c.t.Helper()
	r := c.get(path)
	m := csrfRe.FindStringSubmatch(r.body)
	if m == nil {
		c.t.Fatalf("GET %s: no csrf field (status %d)", path, r.status)
	}
	return m[1]
}

func (c *client) login() {
	c.t.Helper()
	r := c.post("/editor/login", url.Values{"token": {editorToken}})
	if r.status != http.StatusSeeOther || r.location != "/editor/policies" {
		c.t.Fatalf("login: %d → %q", r.status, r.location)
	}
}

func readPolicy(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(policyFile)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// createPolicy pastes the sample policy and returns the new policy's path.
func (c *client) createPolicy(text string) string {
	c.t.Helper()
	r := c.post("/editor/new", url.Values{"csrf": {c.csrf("/editor/new")}, "text": {text}, "region": {"三门峡市"},
		"category": {"就业创业"}, "title": {"三门峡市稳岗返还政策"}})
	if r.status != http.StatusSeeOther || !strings.HasPrefix(r.location, "/editor/p/") {
		c.t.Fatalf("create: %d → %q\n%s", r.status, r.location, r.body)
	}
	u, _ := url.Parse(r.location)
	return u.Path
}

// recordedExtract reads the test policy as the extractor did when these
// tests were written (testdata/sanmenxia-extracted.json, the output of
// `zhida extract` on policyFile; the text names no place, so only the region
// given with it changes the reading), so that the tests' paths
// into its condition trees stay put while the extractor improves; any other
// text goes through the real extractor.
func recordedExtract(t *testing.T) func(string, extract.Options) (extract.Result, error) {
	t.Helper()
	raw, err := os.ReadFile("testdata/sanmenxia-extracted.json")
	if err != nil {
		t.Fatal(err)
	}
	var rec extract.Result
	if err := json.Unmarshal(raw, &rec); err != nil {
		t.Fatalf("recorded extraction: %v", err)
	}
	want := strings.TrimSpace(readPolicy(t))
	return func(text string, opts extract.Options) (extract.Result, error) {
		if strings.TrimSpace(strings.ReplaceAll(text, "\r\n", "\n")) == want {
			r := rec
			r.Region = opts.Region
			return r, nil
		}
		return extract.Extract(text, opts)
	}
}
