package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/zhida/zhida/corpus/sample"
	"github.com/zhida/zhida/store"
)

// TestDemoServesSampleOverJSON runs the demo path end to end on the embedded
// store: load the sample corpus, serve it, and read it back with plain HTTP
// JSON requests as curl would. A second run on the same folder loads nothing.
func TestDemoServesSampleOverJSON(t *testing.T) {
	docs, err := sample.Documents()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for run, wantLoaded := range []int{len(docs), 0} {
		ctx, cancel := context.WithCancel(context.Background())
		f := serverFlags{addr: "127.0.0.1:0", data: dir, editorToken: "tok", maxBody: 8 << 20}
		var out bytes.Buffer
		done := make(chan error, 1)
		go func() {
			// checkServing may t.Fatal in this goroutine (runtime.Goexit):
			// the deferred send still ends the wait below, so a failed check
			// fails the test instead of hanging it until the timeout.
			err := errors.New("serve did not return: a check failed in its ready callback")
			defer func() { done <- err }()
			err = serve(ctx, slog.New(slog.NewTextHandler(io.Discard, nil)), f, func(ctx context.Context, st store.Store, url string) error {
				n, err := loadSample(ctx, slog.New(slog.NewTextHandler(io.Discard, nil)), st)
				if err != nil {
					return err
				}
				if n != wantLoaded {
					t.Errorf("run %d loaded %d, want %d", run, n, wantLoaded)
				}
				if n > 0 {
					subjects, err := loadSampleProfiles(ctx, slog.New(slog.NewTextHandler(io.Discard, nil)), st, []byte("test-key"))
					if err != nil {
						return err
					}
					stored, err := st.CountProfiles(ctx, "")
					if err != nil {
						return err
					}
					if subjects == 0 || int64(subjects) != stored {
						t.Errorf("sample profiles: imported %d, store holds %d", subjects, stored)
					}
				}
				printBanner(&out, url, f, "tok", "owner-tok", n, 0)
				defer cancel()
				return checkServing(t, url)
			})
		}()
		if err := <-done; err != nil {
			t.Fatalf("run %d: %v", run, err)
		}
		if !strings.Contains(out.String(), "/twirp/zhida.v1.PolicyLibrary/") || !strings.Contains(out.String(), "/twirp/zhida.v1.Search/Search") {
			t.Errorf("banner does not say where to look:\n%s", out.String())
		}
	}
}

func checkServing(t *testing.T, url string) error {
	t.Helper()
	post := func(method, body string) map[string]any {
		t.Helper()
		resp, err := http.Post(url+"/twirp/zhida.v1.PolicyLibrary/"+method, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d %v", method, resp.StatusCode, out)
		}
		return out
	}
	// 天河区 residents see Guangzhou-wide and Tianhe policies from the sample.
	list := post("ListPolicies", `{"region":"440106","audience":"resident","page_size":200}`)
	policies, _ := list["policies"].([]any)
	if len(policies) < 10 {
		t.Fatalf("天河区 residents see %d sample policies, want many", len(policies))
	}
	seenTianhe := false
	for _, p := range policies {
		live := p.(map[string]any)["live"].(map[string]any)
		doc := live["document"].(map[string]any)
		switch doc["region"] {
		case "440106":
			seenTianhe = true
		case "440100", "440000", "100000":
		default:
			t.Errorf("policy of region %v listed for 天河区", doc["region"])
		}
	}
	if !seenTianhe {
		t.Error("no 天河区 policy listed")
	}
	all, _ := post("ListPolicies", `{"region":"440106","page_size":200}`)["policies"].([]any)
	checkSearch(t, url, len(all))
	id := policies[0].(map[string]any)["id"].(string)
	got := post("GetPolicy", `{"id":"`+id+`"}`)
	if got["version"].(map[string]any)["version"].(float64) != 1 {
		t.Errorf("GetPolicy: %v", got["version"])
	}
	return nil
}

// checkSearch waits for the background sync to index the sample (the
// server's Syncer picks up the publish events), then searches it in Chinese
// as curl would. tianhe is how many policies ListPolicies shows for 天河区.
func checkSearch(t *testing.T, url string, tianhe int) {
	t.Helper()
	search := func(body string) map[string]any {
		t.Helper()
		resp, err := http.Post(url+"/twirp/zhida.v1.Search/Search", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != 200 {
			t.Fatalf("Search %s: %d %v", body, resp.StatusCode, out)
		}
		return out
	}
	// Only a guard against a sync that never runs; it normally takes a
	// second or two.
	deadline := time.Now().Add(2 * time.Minute)
	for {
		got := search(`{"region":"440106","include_inactive":true}`)
		if int(got["total"].(float64)) == tianhe {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("search shows 天河区 %v policies, the library %d", got["total"], tianhe)
		}
		time.Sleep(100 * time.Millisecond)
	}
	got := search(`{"query":"残疾人 补贴","facets":true}`)
	hits, _ := got["hits"].([]any)
	if len(hits) == 0 {
		t.Fatal("残疾人 补贴 finds nothing in the sample")
	}
	first := hits[0].(map[string]any)
	if !strings.Contains(first["snippet"].(string), "<mark>") || first["policy_id"] == "" {
		t.Errorf("hit %v", first)
	}
	if facets, _ := got["facets"].([]any); len(facets) != 4 {
		t.Errorf("facets %v", got["facets"])
	}
}
