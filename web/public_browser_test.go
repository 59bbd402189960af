package web_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/zhida/zhida/internal/browsertest"
)

// overflow is run in the page: true when it scrolls sideways (a phone user
// would have to pan).
const overflow = `document.documentElement.scrollWidth > document.documentElement.clientWidth + 1`

func TestPublicPagesInBrowser(t *testing.T) {
	f := newFixture(t, options{demoSignIn: true})
	b := browsertest.New(t, 1280, 900)

	// Search: a Chinese query typed into the box, the hit highlighted.
	var count, mark string
	b.Run("search", 0,
		chromedp.Navigate(f.url+"/search"),
		chromedp.SendKeys(`#q`, "扬州 稳岗返还", chromedp.ByQuery),
		chromedp.Submit(`#q`, chromedp.ByQuery),
		chromedp.WaitVisible(`.result-count`, chromedp.ByQuery),
		chromedp.Text(`.result-count`, &count, chromedp.ByQuery),
		chromedp.Text(`.hit .snippet mark`, &mark, chromedp.ByQuery),
	)
	if !strings.Contains(count, "共找到 1 项") || mark == "" {
		t.Errorf("search: count %q, first highlight %q", count, mark)
	}
	// The category filters are chips that wrap, not one per line; on a
	// desktop they stay open beside the results.
	var sameRow bool
	b.Run("category chips", 0, chromedp.Evaluate(`document.querySelector("details.filters").open &&
		document.getElementById("cat-0").getBoundingClientRect().top === document.getElementById("cat-1").getBoundingClientRect().top`, &sameRow))
	if !sameRow {
		t.Error("the filters are folded or the first two category filters are on separate lines")
	}
	b.CheckLabels("search")
	b.Shot("search")

	// The policy page, reached from the hit.
	var conds string
	b.Run("policy page", 0,
		chromedp.Click(`.hit h2 a`, chromedp.ByQuery),
		chromedp.WaitVisible(`.benefit`, chromedp.ByQuery),
		chromedp.Text(`article.policy`, &conds, chromedp.ByQuery),
	)
	if !strings.Contains(conds, "裁员率不超过 6%") || !strings.Contains(conds, "满足以下任一条件") {
		t.Errorf("policy page lacks plain-word conditions")
	}
	b.Shot("policy")

	// The calculator, driven by keyboard-reachable controls: choose
	// enterprise (the resident fieldset hides), fill facts, compute.
	var hidden bool
	var eligible, need string
	b.Run("calculator", 0,
		chromedp.Navigate(f.url+"/calc"),
		chromedp.Click(`#kind-enterprise`, chromedp.ByQuery),
		chromedp.Evaluate(`document.getElementById("facts-resident").hidden`, &hidden),
		chromedp.SendKeys(`#f-e_region`, "扬州市广陵区", chromedp.ByQuery),
		chromedp.SendKeys(`#f-e_insured_employees`, "120", chromedp.ByQuery),
		chromedp.SetValue(`#f-e_scale`, "medium", chromedp.ByQuery),
		chromedp.Submit(`#f-e_region`, chromedp.ByQuery),
		chromedp.WaitVisible(`#results`, chromedp.ByQuery),
		chromedp.Text(`#n-eligible`, &eligible, chromedp.ByQuery),
		chromedp.Text(`.onemore-list .need`, &need, chromedp.ByQuery),
	)
	if !hidden || eligible != "0" || need != "上年度裁员率" {
		t.Errorf("calculator without the layoff rate: resident fieldset hidden %v, eligible %q, need %q", hidden, eligible, need)
	}
	// Follow "去填写": the cursor lands in the missing fact.
	var focused string
	b.Run("add the missing fact", 0,
		chromedp.Click(`.onemore-list a[href*="#f-e_layoff_rate"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`#f-e_layoff_rate`, chromedp.ByQuery),
		chromedp.Evaluate(`document.activeElement.id`, &focused),
		chromedp.SendKeys(`#f-e_layoff_rate`, "4", chromedp.ByQuery),
		chromedp.Submit(`#f-e_layoff_rate`, chromedp.ByQuery),
		chromedp.WaitVisible(`.eligible-list .result`, chromedp.ByQuery),
		chromedp.Text(`#n-eligible`, &eligible, chromedp.ByQuery),
	)
	if focused != "f-e_layoff_rate" || eligible != "1" {
		t.Errorf("after adding the layoff rate: focus on %q, eligible %q", focused, eligible)
	}
	b.CheckLabels("calc")
	b.Shot("calc")

	// The inbox: demo sign-in, then rate the message.
	var item, state string
	b.Run("inbox", 0,
		chromedp.Navigate(f.url+"/inbox"),
		chromedp.SendKeys(`#signin-id`, granted, chromedp.ByQuery),
		chromedp.Submit(`#signin-id`, chromedp.ByQuery),
		chromedp.WaitVisible(`.inbox .item`, chromedp.ByQuery),
		chromedp.Text(`.inbox .item .item-title`, &item, chromedp.ByQuery),
	)
	if !strings.Contains(item, "稳岗返还") {
		t.Errorf("inbox item %q", item)
	}
	b.CheckLabels("inbox")
	b.Shot("inbox")
	b.Run("rate", 0,
		chromedp.Click(`.inbox .item details summary`, chromedp.ByQuery),
		chromedp.SetValue(`#rating-0`, "5", chromedp.ByQuery),
		chromedp.SendKeys(`#comment-0`, "通知很清楚", chromedp.ByQuery),
		chromedp.Submit(`#comment-0`, chromedp.ByQuery),
	)
	state = b.WaitText("rated", `.inbox .item .state`, "5 分", 0)
	if !strings.Contains(state, "5 分") {
		t.Errorf("after rating: %q", state)
	}
}

// At phone width every page fits the screen (no sideways scrolling) and
// keeps its labels.
func TestPublicPagesAtPhoneWidth(t *testing.T) {
	f := newFixture(t, options{demoSignIn: true})
	b := browsertest.New(t, 390, 844)
	// Headless Chromium keeps windows at least 500 px wide: emulate the
	// phone's viewport so the pages are laid out at 390 px.
	var width int
	b.Run("phone viewport", 0, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile), chromedp.Navigate(f.url+"/"),
		chromedp.Evaluate(`window.innerWidth`, &width))
	if width != 390 {
		t.Fatalf("viewport is %d px wide, want 390", width)
	}
	for _, p := range []struct{ name, path, wait string }{
		{"search-phone", "/search?q=" + url.QueryEscape("稳岗返还"), ".hit"},
		{"policy-phone", "/policy/" + f.policyID, ".benefit"},
		{"calc-phone", "/calc?kind=enterprise&e_region=321002&e_insured_employees=120&e_layoff_rate=4&e_scale=medium", ".eligible-list .result"},
		{"inbox-signin-phone", "/inbox", "#signin-id"},
	} {
		var wide bool
		b.Run(p.name, 0, chromedp.Navigate(f.url+p.path), chromedp.WaitVisible(p.wait, chromedp.ByQuery), chromedp.Evaluate(overflow, &wide))
		if wide {
			t.Errorf("%s scrolls sideways at 390 px", p.name)
		}
		b.CheckLabels(p.name)
		b.CheckContrast(p.name)
		b.Shot(p.name)
	}

	// With results, the filters fold so the first result is on the first
	// screen; 筛选条件 opens them.
	var fold struct {
		Open     bool    `json:"open"`
		HitTop   float64 `json:"hitTop"`
		Screen   float64 `json:"screen"`
		Reopened bool    `json:"reopened"`
	}
	b.Run("search results first on a phone", 0,
		chromedp.Navigate(f.url+"/search?q="+url.QueryEscape("稳岗返还")),
		chromedp.WaitVisible(`.hit`, chromedp.ByQuery),
		chromedp.Evaluate(`({open: document.querySelector("details.filters").open,
			hitTop: document.querySelector(".hit").getBoundingClientRect().top, screen: window.innerHeight})`, &fold),
		chromedp.Click(`details.filters > summary`, chromedp.ByQuery),
		chromedp.WaitVisible(`#cat-0`, chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelector("details.filters").open`, &fold.Reopened),
	)
	if fold.Open || fold.HitTop >= fold.Screen || !fold.Reopened {
		t.Errorf("search on a phone: filters open %v, first hit at %.0f px of a %.0f px screen, reopens %v", fold.Open, fold.HitTop, fold.Screen, fold.Reopened)
	}
}

// Keyboard only: the skip link comes first, leads to the content, and the
// next Tab reaches the search box; Enter searches.
func TestSearchByKeyboard(t *testing.T) {
	f := newFixture(t, options{})
	b := browsertest.New(t, 1280, 900)
	var first, afterSkip string
	var hits int
	b.Run("keyboard", 0,
		chromedp.Navigate(f.url+"/search"),
		chromedp.WaitVisible(`#q`, chromedp.ByQuery),
		chromedp.KeyEvent("\t"),
		chromedp.Evaluate(`document.activeElement.className`, &first),
		chromedp.KeyEvent("\r"),
		chromedp.KeyEvent("\t"),
		chromedp.Evaluate(`document.activeElement.id`, &afterSkip),
		chromedp.KeyEvent("稳岗返还"),
		chromedp.KeyEvent("\r"),
		chromedp.WaitVisible(`.hit`, chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelectorAll(".hit").length`, &hits),
	)
	if first != "skip" || afterSkip != "q" || hits != 1 {
		t.Errorf("first Tab on %q, Tab after the skip link on %q, %d hits", first, afterSkip, hits)
	}
}
