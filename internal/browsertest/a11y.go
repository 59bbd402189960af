package browsertest

import "github.com/chromedp/chromedp"

// unlabelled runs in the page: it lists every visible form control without
// an accessible name from a <label>, aria-label or aria-labelledby (hidden
// inputs and buttons with text excepted).
const unlabelled = `(() => {
  const bad = [];
  for (const el of document.querySelectorAll("input, select, textarea, button")) {
    if (el.type === "hidden") continue;
    if (el.tagName === "BUTTON" && el.textContent.trim() !== "") continue;
    const named = (el.labels && el.labels.length > 0 && [...el.labels].some(l => l.textContent.trim() !== "")) ||
      (el.getAttribute("aria-label") || "").trim() !== "" || el.getAttribute("aria-labelledby");
    if (!named) bad.push(el.outerHTML.slice(0, 100));
  }
  return bad;
})()`

// lowContrast runs in the page: it lists visible text whose contrast with
// its background is below WCAG AA (4.5:1, or 3:1 for large text), taking the
// background from the nearest ancestor that paints one. Screen-reader-only
// text (.sr) is not seen, so it is skipped.
const lowContrast = `(() => {
  const rgb = s => (s.match(/[\d.]+/g) || []).map(Number);
  const lum = c => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]); };
  const bg = el => { for (; el; el = el.parentElement) { const c = rgb(getComputedStyle(el).backgroundColor);
    if (c.length === 3 || (c.length === 4 && c[3] > 0)) return c; } return [255, 255, 255]; };
  const bad = [];
  for (const el of document.querySelectorAll("body *")) {
    if (![...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim() !== "")) continue;
    if (el.closest(".sr")) continue;
    const st = getComputedStyle(el);
    if (st.visibility === "hidden" || st.display === "none" || el.offsetParent === null && st.position !== "fixed") continue;
    const a = lum(rgb(st.color)), b = lum(bg(el));
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    const size = parseFloat(st.fontSize), bold = parseInt(st.fontWeight, 10) >= 700;
    const need = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
    if (ratio < need) bad.push(el.tagName + "." + el.className + " " + ratio.toFixed(2) + ": " + el.textContent.trim().slice(0, 20));
  }
  return bad;
})()`

// CheckLabels fails the test for every control on the current page without
// a label.
func (b *Browser) CheckLabels(page string) {
	b.t.Helper()
	var bad []string
	b.Run("labels on "+page, 0, chromedp.Evaluate(unlabelled, &bad))
	for _, h := range bad {
		b.t.Errorf("%s: control without a label: %s", page, h)
	}
}

// LowContrast lists the text on the current page below WCAG AA contrast.
func (b *Browser) LowContrast(page string) []string {
	b.t.Helper()
	var bad []string
	b.Run("contrast on "+page, 0, chromedp.Evaluate(lowContrast, &bad))
	return bad
}

// CheckContrast fails the test for text on the current page below WCAG AA
// contrast.
func (b *Browser) CheckContrast(page string) {
	b.t.Helper()
	for _, h := range b.LowContrast(page) {
		b.t.Errorf("%s: low contrast: %s", page, h)
	}
}
