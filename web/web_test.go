package web_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/zhida/zhida/internal/browsertest"
	"github.com/zhida/zhida/rpc"
	"github.com/zhida/zhida/web"
)

func newServer(t *testing.T) *httptest.Server {
	t.Helper()
	s, err := web.New(web.Config{Editors: rpc.NewEditors("tok"), Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return srv
}

func TestPagesRender(t *testing.T) {
	srv := newServer(t)
	for _, tc := range []struct {
		path, want string
		status     int
	}{
		{"/", "用自己的话搜政策", http.StatusOK},
		{"/editor", "编辑令牌", http.StatusOK},
		{"/static/style.css", "--accent", http.StatusOK},
		{"/no-such-page", "", http.StatusNotFound},
	} {
		t.Run(tc.path, func(t *testing.T) {
			resp, err := http.Get(srv.URL + tc.path)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.status)
			}
			if !strings.Contains(string(body), tc.want) {
				t.Errorf("body lacks %q", tc.want)
			}
			if got := resp.Header.Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("X-Content-Type-Options = %q", got)
			}
		})
	}
}

// TestHomeInBrowser checks the harness itself: the home page loads in
// Chromium at phone width and its search box has a label.
func TestHomeInBrowser(t *testing.T) {
	srv := newServer(t)
	b := browsertest.New(t, 390, 844)
	var label string
	b.Run("open home", 0, chromedp.Navigate(srv.URL+"/"), chromedp.Text(`label[for="q"]`, &label, chromedp.ByQuery))
	if !strings.Contains(label, "搜政策") {
		t.Errorf("search label = %q", label)
	}
	b.Shot("home-phone")
}
