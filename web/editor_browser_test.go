package web_test

import (
	"archive/zip"
	"bytes"
	"html"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/zhida/zhida/internal/browsertest"
)

// acceptDialogs answers every confirm() with OK, as an editor would.
func acceptDialogs(b *browsertest.Browser) {
	chromedp.ListenTarget(b.Ctx, func(ev any) {
		if _, ok := ev.(*page.EventJavascriptDialogOpening); ok {
			go func() { _ = chromedp.Run(b.Ctx, page.HandleJavaScriptDialog(true)) }()
		}
	})
}

func browserLogin(b *browsertest.Browser, base string) {
	b.Run("log in", 0,
		chromedp.Navigate(base+"/editor"),
		chromedp.WaitVisible(`#token`, chromedp.ByQuery),
		// From the keyboard: type the token, press Enter.
		chromedp.SendKeys(`#token`, editorToken+kb.Enter, chromedp.ByQuery),
		chromedp.WaitVisible(`select#status`, chromedp.ByQuery),
	)
}

// TestEditorInBrowser walks the console as an editor does, in Chromium:
// log in, paste a real policy, see the extracted conditions beside the
// text, edit one, preview the impact, publish, see the history and a diff,
// retract; every page is screenshotted and checked for unlabelled controls.
func TestEditorInBrowser(t *testing.T) {
	s := newStack(t)
	text := readPolicy(t)
	b := browsertest.New(t, 1280, 900)
	acceptDialogs(b)
	base := s.srv.URL

	b.Run("open login", 0, chromedp.Navigate(base+"/editor"), chromedp.WaitVisible(`#token`, chromedp.ByQuery))
	b.CheckLabels("login")
	b.Shot("editor-login")
	browserLogin(b, base)
	b.CheckLabels("list")
	b.CheckContrast("list")
	b.Shot("editor-list-empty")

	b.Run("paste a policy", 0,
		chromedp.Navigate(base+"/editor/new"),
		chromedp.WaitVisible(`#text`, chromedp.ByQuery),
		chromedp.SetValue(`#title`, "三门峡市稳岗返还政策", chromedp.ByQuery),
		chromedp.SetValue(`#region`, "411200", chromedp.ByQuery),
		chromedp.SetValue(`#category`, "就业创业", chromedp.ByQuery),
		chromedp.SetValue(`#text`, text, chromedp.ByQuery),
	)
	b.CheckLabels("new")
	b.Shot("editor-new")
	b.Run("extract", 0, chromedp.Click(`#extract`, chromedp.ByQuery), chromedp.WaitVisible(`#a-b0-all-1`, chromedp.ByQuery))
	b.CheckLabels("review")
	b.CheckContrast("review")

	// Clicking a condition darkens its source span; focusing another one
	// from the keyboard moves the highlight.
	var marked, atomText string
	b.Run("click an atom", 0,
		chromedp.Click(`#a-b0-all-1`, chromedp.ByQuery),
		chromedp.WaitVisible(`mark.active`, chromedp.ByQuery),
		chromedp.Text(`mark.active`, &marked, chromedp.ByQuery),
		chromedp.Text(`#a-b0-all-1 .srclink`, &atomText, chromedp.ByQuery),
	)
	if marked == "" || !strings.Contains(atomText, marked) {
		t.Errorf("highlighted span %q is not from the atom's text %q", marked, atomText)
	}
	b.Shot("editor-review")
	var active string
	b.Run("focus another atom", 0,
		chromedp.Focus(`#a-b0-all-0-any-0-all-0`, chromedp.ByQuery),
		chromedp.WaitVisible(`#a-b0-all-0-any-0-all-0.active`, chromedp.ByQuery),
		chromedp.Text(`mark.active`, &active, chromedp.ByQuery),
	)
	if active == marked {
		t.Errorf("focus did not move the highlight (still %q)", active)
	}

	// Correct the scale condition: 大型企业 → 大型、中型.
	b.Run("open the edit form", 0, chromedp.Click(`#a-b0-all-1 a.edit`, chromedp.ByQuery), chromedp.WaitVisible(`#value`, chromedp.ByQuery))
	b.CheckLabels("atom")
	b.CheckContrast("atom")
	b.Shot("editor-atom")
	// Choosing another field offers only its operators and its values.
	var follow struct {
		Op   string `json:"op"`
		Hint string `json:"hint"`
		List string `json:"list"`
	}
	b.Run("change the field", 0, chromedp.Evaluate(`(() => {
		const f = document.getElementById('field');
		f.value = 'tags'; f.dispatchEvent(new Event('change'));
		const r = {op: document.getElementById('op').value, hint: document.getElementById('value-options').textContent,
			list: document.getElementById('value').getAttribute('list')};
		f.value = 'scale'; f.dispatchEvent(new Event('change'));
		return r;
	})()`, &follow))
	if follow.Op != "has" || !strings.Contains(follow.Hint, "高新技术企业") || follow.List != "opts-tags" {
		t.Errorf("after choosing tags: %+v", follow)
	}
	var cond string
	b.Run("save the correction", 0,
		chromedp.SetValue(`#op`, "in", chromedp.ByQuery),
		chromedp.SetValue(`#value`, "大型、中型", chromedp.ByQuery),
		chromedp.Click(`#save-atom`, chromedp.ByQuery),
		chromedp.WaitVisible(`p.notice`, chromedp.ByQuery),
		chromedp.Text(`#a-b0-all-1`, &cond, chromedp.ByQuery),
	)
	if !strings.Contains(cond, "大型、中型") {
		t.Errorf("corrected atom reads %q", cond)
	}

	// Impact preview, then publish (the confirm dialog is accepted).
	var counts string
	b.Run("preview impact", 0,
		chromedp.Click(`a[href$="/impact"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`#n-eligible`, chromedp.ByQuery),
		chromedp.Text(`dl.counts`, &counts, chromedp.ByQuery),
	)
	if !strings.Contains(counts, "符合条件") {
		t.Errorf("impact counts: %q", counts)
	}
	b.CheckLabels("impact")
	b.CheckContrast("impact")
	b.Shot("editor-impact")
	var history string
	b.Run("publish", 0,
		chromedp.Click(`#publish`, chromedp.ByQuery),
		chromedp.WaitVisible(`#versions`, chromedp.ByQuery),
		chromedp.Text(`#versions`, &history, chromedp.ByQuery),
	)
	if !strings.Contains(history, "第 1 版") || !strings.Contains(history, "现行") {
		t.Errorf("history after publish: %q", history)
	}
	b.CheckLabels("history")
	b.Shot("editor-history")

	// A second correction opens a draft; compare it with version 1.
	var loc string
	b.Run("where am I", 0, chromedp.Location(&loc))
	pol := strings.TrimSuffix(loc[:strings.Index(loc, "/history")], "/")
	var diff string
	b.Run("edit again", 0,
		chromedp.Navigate(pol),
		chromedp.WaitVisible(`#a-b0-all-1 a.edit`, chromedp.ByQuery),
		chromedp.Click(`#a-b0-all-1 a.edit`, chromedp.ByQuery),
		chromedp.WaitVisible(`#value`, chromedp.ByQuery),
		chromedp.SetValue(`#value`, "大型", chromedp.ByQuery),
		chromedp.Click(`#save-atom`, chromedp.ByQuery),
		chromedp.WaitVisible(`p.notice`, chromedp.ByQuery),
	)
	b.Run("compare draft with version 1", 0,
		chromedp.Navigate(pol+"/history"),
		chromedp.WaitVisible(`#compare`, chromedp.ByQuery),
		chromedp.Click(`#compare`, chromedp.ByQuery),
		chromedp.WaitVisible(`ol.diff-lines`, chromedp.ByQuery),
		chromedp.Text(`main`, &diff, chromedp.ByQuery),
	)
	if !strings.Contains(diff, "大型、中型") || !strings.Contains(diff, "第 1 版") {
		t.Errorf("diff page lacks the changed condition:\n%s", diff)
	}
	b.CheckLabels("diff")
	b.CheckContrast("diff")
	b.Shot("editor-diff")

	b.Run("benefit form", 0, chromedp.Navigate(pol+"/benefit?b=0"), chromedp.WaitVisible(`#name`, chromedp.ByQuery))
	b.CheckLabels("benefit")
	b.Shot("editor-benefit")

	// Retract: the reason and the confirmation box are required.
	var status string
	b.Run("retract", 0,
		chromedp.Navigate(pol+"/retract"),
		chromedp.WaitVisible(`#reason`, chromedp.ByQuery),
	)
	b.CheckLabels("retract")
	b.Shot("editor-retract")
	b.Run("confirm retract", 0,
		chromedp.SendKeys(`#reason`, "测试撤回", chromedp.ByQuery),
		chromedp.Click(`#confirm`, chromedp.ByQuery),
		chromedp.Click(`#retract`, chromedp.ByQuery),
		chromedp.WaitVisible(`#versions`, chromedp.ByQuery),
		chromedp.Text(`main`, &status, chromedp.ByQuery),
	)
	if !strings.Contains(status, "已撤回") || !strings.Contains(status, "测试撤回") {
		t.Errorf("history after retract: %q", status)
	}
	b.Run("list", 0, chromedp.Navigate(base+"/editor/policies"), chromedp.WaitVisible(`table`, chromedp.ByQuery))
	b.Shot("editor-list")
	// The contrast check itself can fail: pale grey text is caught.
	var caught []string
	b.Run("contrast self-check", 0, chromedp.Evaluate(`(() => { const p = document.createElement('p');
		p.textContent = '低对比度文字'; p.style.color = '#bbbbbb'; document.querySelector('main').appendChild(p); })()`, nil))
	caught = b.LowContrast("self-check")
	if len(caught) != 1 || !strings.Contains(caught[0], "低对比度文字") {
		t.Errorf("contrast check found %v, want the pale paragraph only", caught)
	}

	// Upload the same policy as a .docx through the file control.
	docx := filepath.Join(t.TempDir(), "稳岗返还.docx")
	if err := os.WriteFile(docx, docxOf(t, text), 0o644); err != nil {
		t.Fatal(err)
	}
	var title string
	b.Run("upload a docx", 0,
		chromedp.Navigate(base+"/editor/new"),
		chromedp.WaitVisible(`#file`, chromedp.ByQuery),
		chromedp.SetValue(`#region`, "三门峡市", chromedp.ByQuery),
		chromedp.SetUploadFiles(`#file`, []string{docx}, chromedp.ByQuery),
		chromedp.Click(`#extract`, chromedp.ByQuery),
		chromedp.WaitVisible(`#a-b0-all-1`, chromedp.ByQuery),
		chromedp.Text(`h1`, &title, chromedp.ByQuery),
	)
	if !strings.Contains(title, "发布时间") {
		t.Errorf("uploaded policy title %q, want the first line of the document", title)
	}

	// At phone width the review page stacks its columns: nothing wider
	// than the screen.
	phone := browsertest.New(t, 390, 844)
	// Headless Chromium keeps a window at least 500 px wide; the viewport
	// is emulated to a real phone's.
	phone.Run("phone viewport", 0, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
	browserLogin(phone, base)
	var overflow bool
	phone.Run("review on a phone", 0,
		chromedp.Navigate(pol),
		chromedp.WaitVisible(`#a-b0-all-1`, chromedp.ByQuery),
		chromedp.Evaluate(`document.documentElement.scrollWidth > window.innerWidth`, &overflow),
	)
	if overflow {
		t.Error("the review page is wider than a phone screen")
	}
	phone.Shot("editor-review-phone")
	phone.Run("atom form on a phone", 0,
		chromedp.Click(`#a-b0-all-1 a.edit`, chromedp.ByQuery),
		chromedp.WaitVisible(`#value`, chromedp.ByQuery),
		chromedp.Evaluate(`document.documentElement.scrollWidth > window.innerWidth`, &overflow),
	)
	if overflow {
		t.Error("the edit form is wider than a phone screen")
	}
	phone.Shot("editor-atom-phone")
}

// docxOf wraps text, one paragraph a line, in a minimal .docx.
func docxOf(t *testing.T, text string) []byte {
	t.Helper()
	var body strings.Builder
	for _, line := range strings.Split(text, "\n") {
		body.WriteString(`<w:p><w:r><w:t xml:space="preserve">` + html.EscapeString(line) + `</w:t></w:r></w:p>`)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.Create("word/document.xml")
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte(`<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>` + body.String() + `</w:body></w:document>`))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
