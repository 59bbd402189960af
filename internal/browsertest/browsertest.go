// Package browsertest starts Debian's Chromium, headless, for end-to-end tests
// of the web pages through chromedp, and saves screenshots of what it saw.
//
// CI sets ZHIDA_TEST_CHROMIUM to the browser's path (.ci/run installs the
// chromium package); then a browser that cannot start fails the test. Without
// the variable the tests look for /usr/bin/chromium and skip, saying why, only
// when there is none (a laptop without Chromium).
package browsertest

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Env names the variable holding the Chromium binary CI uses.
const Env = "ZHIDA_TEST_CHROMIUM"

// ShotsEnv names the variable holding the folder screenshots go to; the
// default is ./testdata/screenshots beside the test.
const ShotsEnv = "ZHIDA_SCREENSHOTS"

// Browser is one headless Chromium for one test.
type Browser struct {
	t   *testing.T
	Ctx context.Context
	dir string
}

// New starts Chromium for t (closed when t ends) with a phone-sized or
// desktop window as width and height say. Each chromedp action run on b.Ctx
// is bounded by the test's own timeout, not by a clock here.
func New(t *testing.T, width, height int) *Browser {
	t.Helper()
	path := os.Getenv(Env)
	if path == "" {
		p, err := exec.LookPath("chromium")
		if err != nil {
			t.Skipf("no Chromium: %s is unset and chromium is not on PATH (apt-get install chromium)", Env)
		}
		path = p
	} else if _, err := os.Stat(path); err != nil {
		t.Fatalf("%s=%s: %v", Env, path, err)
	}
	// Chromium's helper processes may still be writing the profile when the
	// browser is cancelled, so the folder is removed best-effort rather than
	// through t.TempDir, whose cleanup fails the test on a busy folder.
	profile, err := os.MkdirTemp("", "zhida-chromium-")
	if err != nil {
		t.Fatalf("chromium profile folder: %v", err)
	}
	// The flags keep Chromium off the network (this machine's network is
	// closed) and out of any user profile.
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(width, height),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("lang", "zh-CN"),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
		_ = os.RemoveAll(profile)
	})
	if err := chromedp.Run(ctx); err != nil {
		t.Fatalf("start Chromium %s: %v", path, err)
	}
	dir := os.Getenv(ShotsEnv)
	if dir == "" {
		dir = filepath.Join("testdata", "screenshots")
	}
	return &Browser{t: t, Ctx: ctx, dir: dir}
}

// Run runs actions, failing the test with what step failed. A step that
// waits for an element that never comes is cut off after limit (0 means 30 s).
func (b *Browser) Run(step string, limit time.Duration, actions ...chromedp.Action) {
	b.t.Helper()
	if limit <= 0 {
		limit = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(b.Ctx, limit)
	defer cancel()
	if err := chromedp.Run(ctx, actions...); err != nil {
		b.Shot("failed-" + step)
		b.t.Fatalf("%s: %v", step, err)
	}
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9_.-]+`)

// Shot saves a full-page PNG screenshot named name in the screenshot folder
// and returns its path ("" if it could not be taken, which is logged).
func (b *Browser) Shot(name string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.Ctx, 20*time.Second)
	defer cancel()
	var png []byte
	if err := chromedp.Run(ctx, chromedp.FullScreenshot(&png, 100)); err != nil {
		b.t.Logf("screenshot %s: %v", name, err)
		return ""
	}
	if err := os.MkdirAll(b.dir, 0o755); err != nil {
		b.t.Logf("screenshot folder: %v", err)
		return ""
	}
	p := filepath.Join(b.dir, unsafeName.ReplaceAllString(name, "_")+".png")
	if err := os.WriteFile(p, png, 0o644); err != nil {
		b.t.Logf("screenshot %s: %v", name, err)
		return ""
	}
	return p
}

// WaitText waits until the first element matching sel has text containing
// want, and returns that text. It re-queries after every failure, so it
// survives the page being replaced under it (a form post that reloads the
// page), where a single chromedp wait can hold a node that no longer exists.
func (b *Browser) WaitText(step, sel, want string, limit time.Duration) string {
	b.t.Helper()
	if limit <= 0 {
		limit = 30 * time.Second
	}
	deadline := time.Now().Add(limit)
	var last string
	var err error
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(b.Ctx, 2*time.Second)
		var txt string
		err = chromedp.Run(ctx, chromedp.Text(sel, &txt, chromedp.ByQuery))
		cancel()
		if err == nil {
			last = txt
			if strings.Contains(txt, want) {
				return txt
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	b.Shot("failed-" + step)
	b.t.Fatalf("%s: %s never showed %q (last text %q, last error %v)", step, sel, want, last, err)
	return ""
}
