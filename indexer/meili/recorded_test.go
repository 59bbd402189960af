package meili

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"sync"
	"testing"
)

// exchange is one recorded Meilisearch HTTP request and its response, in the
// shapes of the Meilisearch API reference.
type exchange struct {
	Request struct {
		Method string `json:"method"`
		// Path includes the query string, if any.
		Path string `json:"path"`
		// Body, when set, must be contained in the request body: objects
		// may have extra keys (client defaults such as "hybrid": null),
		// arrays must match element by element.
		Body json.RawMessage `json:"body,omitempty"`
		// Auth, when set, is the expected Authorization header.
		Auth string `json:"auth,omitempty"`
	} `json:"request"`
	Response struct {
		Status int             `json:"status"`
		Body   json.RawMessage `json:"body"`
	} `json:"response"`
}

// replay serves the exchanges of the given testdata files in order, failing
// the test on any request that differs from the next recorded one, and on
// exchanges left over at the end.
func replay(t *testing.T, files ...string) *httptest.Server {
	t.Helper()
	var script []exchange
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join("testdata", f))
		if err != nil {
			t.Fatal(err)
		}
		var ex []exchange
		if err := json.Unmarshal(b, &ex); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		script = append(script, ex...)
	}
	var mu sync.Mutex
	next := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		body, _ := io.ReadAll(r.Body)
		if next >= len(script) {
			t.Errorf("unexpected request %s %s %s", r.Method, r.URL.RequestURI(), body)
			http.Error(w, `{"message":"unexpected"}`, http.StatusTeapot)
			return
		}
		ex := script[next]
		next++
		if err := matchRequest(ex, r, body); err != nil {
			t.Errorf("request %d: %v", next, err)
			http.Error(w, `{"message":"mismatch"}`, http.StatusTeapot)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(ex.Response.Status)
		w.Write(ex.Response.Body)
	}))
	t.Cleanup(func() {
		srv.Close()
		mu.Lock()
		defer mu.Unlock()
		if next != len(script) {
			t.Errorf("%d recorded requests never made; next: %s %s", len(script)-next, script[next].Request.Method, script[next].Request.Path)
		}
	})
	return srv
}

func matchRequest(ex exchange, r *http.Request, body []byte) error {
	if r.Method != ex.Request.Method || r.URL.RequestURI() != ex.Request.Path {
		return fmt.Errorf("got %s %s, want %s %s", r.Method, r.URL.RequestURI(), ex.Request.Method, ex.Request.Path)
	}
	if ex.Request.Auth != "" && r.Header.Get("Authorization") != ex.Request.Auth {
		return fmt.Errorf("%s %s: Authorization %q, want %q", r.Method, r.URL.Path, r.Header.Get("Authorization"), ex.Request.Auth)
	}
	if len(ex.Request.Body) == 0 {
		return nil
	}
	var want, got any
	if err := json.Unmarshal(ex.Request.Body, &want); err != nil {
		return fmt.Errorf("recorded body: %v", err)
	}
	if err := json.Unmarshal(body, &got); err != nil {
		return fmt.Errorf("%s %s: body is not JSON: %v: %s", r.Method, r.URL.Path, err, body)
	}
	if path, ok := contains(got, want, "$"); !ok {
		var pretty bytes.Buffer
		json.Indent(&pretty, body, "", " ")
		return fmt.Errorf("%s %s: body differs at %s; sent:\n%s", r.Method, r.URL.Path, path, pretty.String())
	}
	return nil
}

// contains reports whether got holds want (see exchange.Request.Body), and
// where it first does not.
func contains(got, want any, path string) (string, bool) {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return path, false
		}
		for k, wv := range w {
			gv, ok := g[k]
			if !ok {
				return path + "." + k + " (missing)", false
			}
			if p, ok := contains(gv, wv, path+"."+k); !ok {
				return p, false
			}
		}
		return "", true
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return path + " (length)", false
		}
		for i := range w {
			if p, ok := contains(g[i], w[i], fmt.Sprintf("%s[%d]", path, i)); !ok {
				return p, false
			}
		}
		return "", true
	}
	return path, reflect.DeepEqual(got, want)
}
