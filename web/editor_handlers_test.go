package web_test

import (
	"archive/zip"
	"bytes"
	"html"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/zhida/zhida/rpc"
	"github.com/zhida/zhida/web"
)

func TestEditorLogin(t *testing.T) {
	s := newStack(t)
	c := s.client(t)

	// No session: pages send the visitor to the login page, forms are refused.
	if r := c.get("/editor/policies"); r.status != http.StatusSeeOther || !strings.HasPrefix(r.location, "/editor?next=") {
		t.Fatalf("anonymous list: %d → %q", r.status, r.location)
	}
	if r := c.post("/editor/new", url.Values{"text": {"x"}}); r.status != http.StatusUnauthorized {
		t.Fatalf("anonymous post: %d", r.status)
	}

	// A wrong token is refused and sets no cookie.
	r := c.post("/editor/login", url.Values{"token": {"wrong"}})
	if r.status != http.StatusUnauthorized || !strings.Contains(r.body, "编辑令牌不正确") || len(r.resp.Cookies()) != 0 {
		t.Fatalf("wrong token: %d, cookies %v", r.status, r.resp.Cookies())
	}
	// A cross-site login form is refused by its Origin.
	req, _ := http.NewRequest(http.MethodPost, c.base+"/editor/login", strings.NewReader(url.Values{"token": {editorToken}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://evil.example")
	if r := c.do(req); r.status != http.StatusForbidden {
		t.Fatalf("cross-site login: %d", r.status)
	}

	// The right token starts a session: a random id in an HttpOnly,
	// SameSite=Strict cookie, never the token.
	r = c.post("/editor/login", url.Values{"token": {editorToken}, "next": {"/editor/new"}})
	if r.status != http.StatusSeeOther || r.location != "/editor/new" {
		t.Fatalf("login: %d → %q", r.status, r.location)
	}
	cookies := r.resp.Cookies()
	if len(cookies) != 1 {
		t.Fatalf("cookies: %v", cookies)
	}
	ck := cookies[0]
	if !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode || strings.Contains(ck.Value, editorToken) || len(ck.Value) < 32 {
		t.Errorf("session cookie %+v", ck)
	}
	if strings.Contains(s.logs.String(), editorToken) {
		t.Error("the token appears in the log")
	}
	// An outside redirect target is not followed.
	c2 := s.client(t)
	if r := c2.post("/editor/login", url.Values{"token": {editorToken}, "next": {"//evil.example/x"}}); r.location != "/editor/policies" {
		t.Errorf("next //evil.example → %q", r.location)
	}

	// The site nav shows the console's state: logged in, 编辑台 leads to
	// the policy list; on the login page it is the plain link.
	if r := c.get("/editor/policies"); !strings.Contains(r.body, `<a href="/editor/policies" id="nav-editor">编辑台<span class="nav-state">（已登录）</span></a>`) {
		t.Errorf("nav of a logged-in editor:\n%s", r.body)
	}
	if r := c2.get("/editor/new"); !strings.Contains(r.body, "（已登录）") {
		t.Errorf("nav of the second session lacks its state")
	}
	if r := s.client(t).get("/editor"); !strings.Contains(r.body, `<a href="/editor" id="nav-editor">编辑台</a>`) || strings.Contains(r.body, "已登录") {
		t.Errorf("nav of a visitor:\n%s", r.body)
	}

	// A form without the session's CSRF token is refused.
	if r := c.post("/editor/new", url.Values{"text": {"x"}}); r.status != http.StatusForbidden {
		t.Fatalf("post without csrf: %d", r.status)
	}
	if r := c.post("/editor/new", url.Values{"text": {"x"}, "csrf": {"forged"}}); r.status != http.StatusForbidden {
		t.Fatalf("post with a forged csrf: %d", r.status)
	}

	// Logout ends the session on the server, not only in the browser.
	csrf := c.csrf("/editor/policies")
	if r := c.post("/editor/logout", url.Values{"csrf": {csrf}}); r.status != http.StatusSeeOther {
		t.Fatalf("logout: %d", r.status)
	}
	replay := s.client(t)
	u, _ := url.Parse(c.base + "/editor/")
	replay.hc.Jar.SetCookies(u, []*http.Cookie{{Name: ck.Name, Value: ck.Value, Path: "/editor"}})
	if r := replay.get("/editor/policies"); r.status != http.StatusSeeOther {
		t.Fatalf("old session id after logout: %d", r.status)
	}
}

var atomLinkRe = regexp.MustCompile(`href="(/editor/p/[^"]+/atom\?b=(\d+)&amp;path=([^"]*))"`)

func TestEditorReviewEditPublish(t *testing.T) {
	s := newStack(t)
	c := s.client(t)
	c.login()
	pol := c.createPolicy(readPolicy(t))
	// The welcome notice holds on a phone too, where the text is below the
	// conditions, not to their right.
	if r := c.get(pol + "?msg=created"); !strings.Contains(r.body, "已用黄色标出") || strings.Contains(r.body, "右侧") {
		t.Errorf("notice after creating a draft assumes a layout or is missing")
	}

	// Review: benefits beside the text, spans marked, unparsed clauses listed.
	r := c.get(pol + "?msg=created")
	if r.status != http.StatusOK {
		t.Fatalf("review: %d", r.status)
	}
	for _, want := range []string{"大型企业按企业及其职工上年度实际缴纳失业保险费的30%返还", "<mark data-atoms=",
		"未能识别的条款", "足额缴纳失业保险费12个月以上", "河南省三门峡市", "已识别并保存为草稿"} {
		if !strings.Contains(r.body, want) {
			t.Errorf("review lacks %q", want)
		}
	}
	if got := strings.Count(r.body, `class="anchor" id="s-`); got < 5 {
		t.Errorf("%d source anchors, want every located atom", got)
	}

	// The scale atom of the first benefit (大型企业) is all.1.
	var edit string
	for _, m := range atomLinkRe.FindAllStringSubmatch(r.body, -1) {
		if m[2] == "0" && m[3] == "all.1" {
			edit = strings.ReplaceAll(m[1], "&amp;", "&")
		}
	}
	if edit == "" {
		t.Fatal("no edit link for benefit 0 all.1")
	}
	form := c.get(edit)
	if !regexp.MustCompile(`<option value="scale"[^>]* selected>`).MatchString(form.body) || !strings.Contains(form.body, `value="大型"`) {
		t.Fatalf("edit form does not show scale = large:\n%s", form.body)
	}
	rev := regexp.MustCompile(`name="base_revision" value="(\d+)"`).FindStringSubmatch(form.body)[1]
	csrf := csrfRe.FindStringSubmatch(form.body)[1]
	u, _ := url.Parse(edit)
	save := func(field, op, value, base string) reply {
		return c.post(u.Path, url.Values{"csrf": {csrf}, "b": {"0"}, "path": {"all.1"}, "base_revision": {base},
			"field": {field}, "op": {op}, "value": {value}})
	}

	for _, tc := range []struct {
		name, field, op, value, want string
	}{
		{"value that is no number", "employees", "gte", "许多", "不是数字"},
		{"resident field on an enterprise benefit", "age", "gte", "40", "resident field"},
		{"operator that does not fit", "scale", "gte", "large", "does not apply"},
		{"enum value outside the vocabulary", "scale", "eq", "huge", "not one of"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := save(tc.field, tc.op, tc.value, rev)
			if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, tc.want) {
				t.Fatalf("%d, want 422 with %q:\n%s", r.status, tc.want, r.body)
			}
			if !strings.Contains(r.body, `class="error field-error"`) {
				t.Error("the error is not shown beside a field")
			}
		})
	}

	// A valid correction is saved with the revision it was opened at.
	r = save("scale", "in", "大型、中型", rev)
	if r.status != http.StatusSeeOther || !strings.Contains(r.location, "msg=saved") {
		t.Fatalf("save: %d → %q\n%s", r.status, r.location, r.body)
	}
	if r := c.get(pol); !strings.Contains(r.body, "属于其中之一 <strong>大型、中型</strong>") {
		t.Error("review does not show the corrected condition")
	}
	// The same form again, now stale, is refused as a conflict.
	r = save("scale", "eq", "medium", rev)
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "已被他人修改") {
		t.Fatalf("stale save: %d\n%s", r.status, r.body)
	}

	// Impact preview: every enterprise subject counted once (those outside
	// the issuing region that only benefits naming no place would reach
	// are shown apart, when there are any).
	r = c.get(pol + "/impact")
	if r.status != http.StatusOK {
		t.Fatalf("impact: %d", r.status)
	}
	total := 0
	for _, id := range []string{"n-eligible", "n-unknown", "n-ineligible", "n-outside"} {
		m := regexp.MustCompile(`id="` + id + `">(\d+)<`).FindStringSubmatch(r.body)
		if m == nil && id == "n-outside" {
			continue
		}
		if m == nil {
			t.Fatalf("impact lacks %s", id)
		}
		n, _ := strconv.Atoi(m[1])
		total += n
	}
	if total != s.enterprises {
		t.Errorf("impact counts %d subjects, want the %d enterprises", total, s.enterprises)
	}
	if !strings.Contains(r.body, "按地区") {
		t.Error("impact has no per-region table")
	}

	// Publish the previewed revision; a stale preview is not published.
	pubRev := regexp.MustCompile(`name="base_revision" value="(\d+)"`).FindStringSubmatch(r.body)[1]
	csrf = csrfRe.FindStringSubmatch(r.body)[1]
	if r := c.post(pol+"/publish", url.Values{"csrf": {csrf}, "base_revision": {"1"}}); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "预览后已被修改") {
		t.Fatalf("stale publish: %d", r.status)
	}
	r = c.post(pol+"/publish", url.Values{"csrf": {csrf}, "base_revision": {pubRev}})
	if r.status != http.StatusSeeOther || !strings.Contains(r.location, "/history?msg=published") {
		t.Fatalf("publish: %d → %q\n%s", r.status, r.location, r.body)
	}
	r = c.get(r.location)
	if !strings.Contains(r.body, "第 1 版") || !strings.Contains(r.body, "现行") {
		t.Errorf("history after publish:\n%s", r.body)
	}

	// With no draft, the preview reads the live version's stored sweep
	// (none has run here: nobody counted as eligible yet).
	r = c.get(pol + "/impact")
	if !strings.Contains(r.body, "现行第 1 版的匹配结果") || !strings.Contains(r.body, `id="n-ineligible">`+strconv.Itoa(s.enterprises)+"<") ||
		strings.Contains(r.body, `id="publish"`) {
		t.Errorf("live impact:\n%s", r.body)
	}

	// A second edit opens a draft; the diff shows the changed atom.
	r = c.get(pol)
	m := atomLinkRe.FindStringSubmatch(r.body)
	edit = strings.ReplaceAll(m[1], "&amp;", "&")
	form = c.get(edit)
	u, _ = url.Parse(edit)
	q := u.Query()
	rev = regexp.MustCompile(`name="base_revision" value="(\d+)"`).FindStringSubmatch(form.body)[1]
	if rev != "0" {
		t.Fatalf("a published policy without a draft has form revision %s", rev)
	}
	r = c.post(u.Path, url.Values{"csrf": {csrf}, "b": {q.Get("b")}, "path": {q.Get("path")}, "base_revision": {rev},
		"field": {"insured_employees"}, "op": {"gte"}, "value": {"5人"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("second save: %d\n%s", r.status, r.body)
	}
	// Another form opened before that draft existed does not overwrite it.
	r = c.post(u.Path, url.Values{"csrf": {csrf}, "b": {q.Get("b")}, "path": {q.Get("path")}, "base_revision": {"0"},
		"field": {"insured_employees"}, "op": {"gte"}, "value": {"9"}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "已被他人修改") {
		t.Fatalf("save from a form opened before the draft: %d\n%s", r.status, r.body)
	}
	r = c.get(pol + "/diff?from=1&to=draft")
	if r.status != http.StatusOK || !strings.Contains(r.body, `class="dadd"`) || !strings.Contains(r.body, `class="ddel"`) ||
		!strings.Contains(r.body, "参保职工人数 不低于（≥） 5") {
		t.Fatalf("diff: %d\n%s", r.status, r.body)
	}
	if r := c.get(pol + "/diff?from=1&to=9"); r.status != http.StatusNotFound {
		t.Errorf("diff with a missing version: %d", r.status)
	}

	// Retract needs the confirmation box.
	if r := c.post(pol+"/retract", url.Values{"csrf": {csrf}, "reason": {"测试"}}); r.status != http.StatusUnprocessableEntity {
		t.Fatalf("retract without confirm: %d", r.status)
	}
	r = c.post(pol+"/retract", url.Values{"csrf": {csrf}, "reason": {"政策到期"}, "confirm": {"yes"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("retract: %d\n%s", r.status, r.body)
	}
	if r := c.get("/editor/policies?status=retracted"); !strings.Contains(r.body, "三门峡市稳岗返还政策") {
		t.Error("retracted policy not in the retracted list")
	}
}

func TestEditorNewPolicyErrors(t *testing.T) {
	s := newStack(t)
	c := s.client(t)
	c.login()
	csrf := c.csrf("/editor/new")
	for _, tc := range []struct {
		name string
		form url.Values
		want string
	}{
		{"no text", url.Values{"text": {"  "}}, "请粘贴政策正文"},
		{"unknown region", url.Values{"text": {readPolicy(t)}, "region": {"火星市"}}, "不是已知的6位行政区划代码或地名"},
		{"ambiguous region", url.Values{"text": {readPolicy(t)}, "region": {"朝阳"}}, "对应多个地区"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.form.Set("csrf", csrf)
			r := c.post("/editor/new", tc.form)
			if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, tc.want) {
				t.Fatalf("%d, want 422 with %q", r.status, tc.want)
			}
		})
	}
	if r := c.get("/editor/p/no-such-policy"); r.status != http.StatusNotFound {
		t.Errorf("missing policy: %d", r.status)
	}
}

// postFile sends the new-policy form with an uploaded file.
func (c *client) postFile(csrf, name string, data []byte) reply {
	c.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("csrf", csrf)
	mw.WriteField("region", "411200")
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(data)
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, c.base+"/editor/new", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.do(req)
}

func TestEditorUpload(t *testing.T) {
	s := newStack(t)
	c := s.client(t)
	c.login()
	csrf := c.csrf("/editor/new")
	text := readPolicy(t)

	// A .docx: its paragraphs become the text the extractor reads.
	var paras strings.Builder
	for _, line := range strings.Split(text, "\n") {
		paras.WriteString(`<w:p><w:r><w:t xml:space="preserve">` + html.EscapeString(line) + `</w:t></w:r></w:p>`)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("word/document.xml")
	w.Write([]byte(`<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>` + paras.String() + `</w:body></w:document>`))
	zw.Close()
	r := c.postFile(csrf, "稳岗返还.docx", buf.Bytes())
	if r.status != http.StatusSeeOther {
		t.Fatalf("docx upload: %d\n%s", r.status, r.body)
	}
	r = c.get(r.location)
	if !strings.Contains(r.body, "中小微企业按60%返还") || !strings.Contains(r.body, "<mark data-atoms=") {
		t.Error("the docx policy was not extracted")
	}

	// An .html page: the visible text, the <title> as the title.
	page := "<html><head><title>三门峡稳岗返还（网页）</title><script>var x=1;</script></head><body><p>" +
		strings.ReplaceAll(html.EscapeString(text), "\n", "</p><p>") + "</p></body></html>"
	r = c.postFile(csrf, "page.html", []byte(page))
	if r.status != http.StatusSeeOther {
		t.Fatalf("html upload: %d\n%s", r.status, r.body)
	}
	if r = c.get(r.location); !strings.Contains(r.body, "<h1>三门峡稳岗返还（网页）</h1>") || strings.Contains(r.body, "var x=1") {
		t.Error("the html title or text is wrong")
	}

	// A GBK file is refused with a reason, and nothing is created.
	r = c.postFile(csrf, "gbk.txt", []byte("\xb9\xd8\xd3\xda\xce\xc8\xb8\xda"))
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "不是 UTF-8 编码") {
		t.Fatalf("gbk upload: %d", r.status)
	}
	if r := c.get("/editor/policies"); strings.Count(r.body, `<a href="/editor/p/`) != 2 {
		t.Error("want exactly the two uploaded policies in the list")
	}
}

func TestEditorUnparsedRewriteAndDelete(t *testing.T) {
	s := newStack(t)
	c := s.client(t)
	c.login()
	pol := c.createPolicy(readPolicy(t))
	r := c.get(pol)
	// The unparsed clause of benefit 0 is all.0.any.0.all.1.
	const clause = "足额缴纳失业保险费12个月以上"
	if !strings.Contains(r.body, "<li>"+clause+"</li>") {
		t.Fatal("the unparsed clause is not listed")
	}
	edit := pol + "/atom?b=0&path=all.0.any.0.all.1"
	form := c.get(edit)
	if !regexp.MustCompile(`<option value="unparsed"[^>]* selected>`).MatchString(form.body) {
		t.Fatalf("not the unparsed atom:\n%s", form.body)
	}
	csrf := csrfRe.FindStringSubmatch(form.body)[1]
	rev := regexp.MustCompile(`name="base_revision" value="(\d+)"`).FindStringSubmatch(form.body)[1]
	// Benefits 1 and 2 still carry the clause as unparsed: it stays listed
	// until they are rewritten too.
	r = c.post(pol+"/atom", url.Values{"csrf": {csrf}, "b": {"0"}, "path": {"all.0.any.0.all.1"}, "base_revision": {rev},
		"field": {"insured_employees"}, "op": {"gte"}, "value": {"1"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("rewrite: %d\n%s", r.status, r.body)
	}
	for b := 1; b <= 2; b++ {
		form = c.get(pol + "/atom?b=" + strconv.Itoa(b) + "&path=all.0.any.0.all.1")
		rev = regexp.MustCompile(`name="base_revision" value="(\d+)"`).FindStringSubmatch(form.body)[1]
		if !strings.Contains(form.body, `id="delete-atom"`) {
			t.Fatal("no delete button for a condition in an all group")
		}
		r = c.post(pol+"/atom/delete", url.Values{"csrf": {csrf}, "b": {strconv.Itoa(b)}, "path": {"all.0.any.0.all.1"}, "base_revision": {rev}})
		if r.status != http.StatusSeeOther {
			t.Fatalf("delete in benefit %d: %d\n%s", b, r.status, r.body)
		}
		r = c.get(pol)
		if listed := strings.Contains(r.body, "<li>"+clause+"</li>"); listed != (b == 1) {
			t.Errorf("after benefit %d: clause listed = %v", b, listed)
		}
	}
	if !strings.Contains(r.body, "0 处条款未能识别为条件") {
		t.Error("summary does not count zero unparsed clauses")
	}
	// The last alternative of an any group cannot be deleted on its own.
	form = c.get(pol + "/atom?b=0&path=all.0.any.0.all.2.any.1")
	rev = regexp.MustCompile(`name="base_revision" value="(\d+)"`).FindStringSubmatch(form.body)[1]
	r = c.post(pol+"/atom/delete", url.Values{"csrf": {csrf}, "b": {"0"}, "path": {"all.0.any.0.all.2.any.1"}, "base_revision": {rev}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("delete one of two alternatives: %d\n%s", r.status, r.body)
	}
	r = c.post(pol+"/atom/delete", url.Values{"csrf": {csrf}, "b": {"0"}, "path": {"all.0.any.0.all.2.any.0"}})
	if r.status != http.StatusUnprocessableEntity {
		t.Fatalf("delete the last alternative: %d", r.status)
	}
}

func TestEditorAddCondition(t *testing.T) {
	s := newStack(t)
	c := s.client(t)
	c.login()
	pol := c.createPolicy(readPolicy(t))
	r := c.get(pol)
	add := pol + "/atom?add=1&b=0&path="
	if !strings.Contains(r.body, `href="`+strings.ReplaceAll(add, "&", "&amp;")+`"`) {
		t.Fatalf("review has no add link %s", add)
	}
	form := c.get(add)
	if form.status != http.StatusOK || !strings.Contains(form.body, "<h1>添加条件</h1>") {
		t.Fatalf("add form: %d", form.status)
	}
	csrf := csrfRe.FindStringSubmatch(form.body)[1]
	rev := regexp.MustCompile(`name="base_revision" value="(\d+)"`).FindStringSubmatch(form.body)[1]
	post := func(field, value, text string) reply {
		return c.post(pol+"/atom", url.Values{"csrf": {csrf}, "b": {"0"}, "path": {""}, "add": {"1"}, "base_revision": {rev},
			"field": {field}, "op": {"eq"}, "value": {value}, "text": {text}})
	}
	if r := post("unparsed", "", ""); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "必须写明原文条款") {
		t.Fatalf("unparsed without text: %d", r.status)
	}
	r = post("dishonest", "否", "上年度未裁员")
	if r.status != http.StatusSeeOther || !strings.HasSuffix(r.location, "#a-b0-all-2") {
		t.Fatalf("add: %d → %q\n%s", r.status, r.location, r.body)
	}
	r = c.get(pol)
	if !strings.Contains(r.body, "<strong>列入严重失信主体名单</strong> 等于 <strong>否</strong>") ||
		!strings.Contains(r.body, `id="s-b0-all-2"`) {
		t.Error("the added condition is not shown or not located in the text")
	}
}

func TestEditorBenefits(t *testing.T) {
	s := newStack(t)
	c := s.client(t)
	c.login()
	pol := c.createPolicy(readPolicy(t))
	form := c.get(pol + "/benefit?b=0")
	if form.status != http.StatusOK || !strings.Contains(form.body, `value="大型企业按企业及其职工上年度实际缴纳失业保险费的30%返还"`) {
		t.Fatalf("benefit form: %d", form.status)
	}
	csrf := csrfRe.FindStringSubmatch(form.body)[1]
	rev := func() string {
		r := c.get(pol + "/benefit?b=0")
		return regexp.MustCompile(`name="base_revision" value="(\d+)"`).FindStringSubmatch(r.body)[1]
	}
	save := func(b string, v url.Values) reply {
		v.Set("csrf", csrf)
		v.Set("b", b)
		v.Set("base_revision", rev())
		return c.post(pol+"/benefit", v)
	}
	if r := save("0", url.Values{"name": {" "}}); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "请填写权益名称") {
		t.Fatalf("empty name: %d", r.status)
	}
	if r := save("0", url.Values{"name": {"大型企业稳岗返还"}, "amount": {"上年度失业保险费的30%"}, "apply_free": {"yes"}, "audience": {"enterprise"}}); r.status != http.StatusSeeOther {
		t.Fatalf("rename: %d\n%s", r.status, r.body)
	}
	if r := save("-1", url.Values{"name": {"一次性吸纳就业补贴"}}); r.status != http.StatusSeeOther || !strings.HasSuffix(r.location, "#ben-3") {
		t.Fatalf("add benefit: %d → %q", r.status, r.location)
	}
	r := c.get(pol)
	for _, want := range []string{`<h3 id="ben-0">大型企业稳岗返还</h3>`, "免申即享", `<h3 id="ben-3">一次性吸纳就业补贴</h3>`, "无条件（所有对象）"} {
		if !strings.Contains(r.body, want) {
			t.Errorf("review lacks %q", want)
		}
	}
	// Deleting a benefit keeps clauses the others still carry.
	r = c.post(pol+"/benefit/delete", url.Values{"csrf": {csrf}, "b": {"2"}, "base_revision": {rev()}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("delete benefit: %d", r.status)
	}
	r = c.get(pol)
	if strings.Contains(r.body, `<h3 id="ben-3">`) || !strings.Contains(r.body, `<h3 id="ben-2">一次性吸纳就业补贴</h3>`) {
		t.Error("benefit 2 was not removed")
	}
	if !strings.Contains(r.body, "<li>足额缴纳失业保险费12个月以上</li>") {
		t.Error("a clause other benefits carry left the unread list")
	}
}

func TestEditorPublishNeedsBasics(t *testing.T) {
	s := newStack(t)
	c := s.client(t)
	c.login()
	r := c.post("/editor/new", url.Values{"csrf": {c.csrf("/editor/new")}, "text": {readPolicy(t)}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("create: %d\n%s", r.status, r.body)
	}
	pol, _ := url.Parse(r.location)
	// Without a title the first line stands in.
	if r := c.get(pol.Path); !strings.Contains(r.body, "<h1>发布时间:2025-12-15 15:05</h1>") {
		t.Errorf("stand-in title missing")
	}
	r = c.get(pol.Path + "/impact")
	csrf := csrfRe.FindStringSubmatch(r.body)[1]
	rev := regexp.MustCompile(`name="base_revision" value="(\d+)"`).FindStringSubmatch(r.body)[1]
	r = c.post(pol.Path+"/publish", url.Values{"csrf": {csrf}, "base_revision": {rev}})
	if r.status != http.StatusUnprocessableEntity {
		t.Fatalf("publish without region and category: %d", r.status)
	}
	// The service reports the first missing field (rpc's field-error list
	// does not look through the store's wrapping).
	for _, want := range []string{"发布前须填写“发文地区”"} {
		if !strings.Contains(r.body, want) {
			t.Errorf("publish errors lack %q:\n%s", want, r.body)
		}
	}
	// The basic-information form fixes it; a bad date is shown beside its field.
	meta := url.Values{"csrf": {csrf}, "base_revision": {rev}, "title": {"三门峡稳岗返还"}, "region": {"三门峡市"},
		"category": {"就业创业"}, "audience": {"enterprise"}, "effective_from": {"2025-01-01"}, "effective_to": {"2024-01-01"}}
	r = c.post(pol.Path+"/meta", meta)
	if r.status != http.StatusUnprocessableEntity || !regexp.MustCompile(`id="e-to"|effective_to[^<]*before|is before`).MatchString(r.body) {
		t.Fatalf("bad dates: %d\n%s", r.status, r.body)
	}
	meta.Set("effective_to", "2025-12-31")
	if r = c.post(pol.Path+"/meta", meta); r.status != http.StatusSeeOther {
		t.Fatalf("meta: %d\n%s", r.status, r.body)
	}
	r = c.get(pol.Path + "/impact")
	rev = regexp.MustCompile(`name="base_revision" value="(\d+)"`).FindStringSubmatch(r.body)[1]
	if r = c.post(pol.Path+"/publish", url.Values{"csrf": {csrf}, "base_revision": {rev}}); r.status != http.StatusSeeOther {
		t.Fatalf("publish after the basics: %d\n%s", r.status, r.body)
	}
}

func TestEditorLoginDisabled(t *testing.T) {
	s, err := web.New(web.Config{Editors: rpc.NewEditors(""), Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s)
	defer srv.Close()
	resp, err := http.PostForm(srv.URL+"/editor/login", url.Values{"token": {"anything"}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(string(body), "服务器未配置编辑令牌") || len(resp.Cookies()) != 0 {
		t.Fatalf("%d %v\n%s", resp.StatusCode, resp.Cookies(), body)
	}
}
