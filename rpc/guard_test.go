package rpc

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	pb "github.com/zhida/zhida/rpc/zhidav1"
)

func TestJSONFieldAt(t *testing.T) {
	tests := []struct {
		body string
		want string
	}{
		{`{"document":{"title":"政策BAD"}}`, "document.title"},
		{`{"id":"x","document":{"title":"ok","benefits":[{"name":"a"},{"name":"BAD"}]}}`, "document.benefits[1].name"},
		{`{"document":{"unparsed":["ok","BAD"]}}`, "document.unparsed[1]"},
		{`{"document":{"benefits":[{"conditions":{"all":[{"field":"age"},{"text":"BAD"}]}}]}}`, "document.benefits[0].conditions.all[1].text"},
		{`{"BAD":1}`, "BAD"},
	}
	for _, tt := range tests {
		body := []byte(strings.Replace(tt.body, "BAD", "a\xffb", 1))
		if got := jsonFieldAt(body, firstInvalid(body)); got != strings.Replace(tt.want, "BAD", "a\ufffdb", 1) {
			t.Errorf("%s: got %q, want %q", tt.body, got, tt.want)
		}
	}
}

// TestGuard checks the refusals happen before the service is reached.
func TestGuard(t *testing.T) {
	reached := false
	h := guard(1<<20, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reached = true
		b, _ := io.ReadAll(r.Body)
		w.Write(b)
	}))
	protoBody, err := proto.Marshal(&pb.CreateDraftRequest{Document: &pb.PolicyDocument{
		Title:    "ok",
		Benefits: []*pb.Benefit{{Name: "fine"}, {Name: "fine"}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	// Corrupt the second benefit's name in place: proto.Marshal refuses
	// invalid UTF-8, a hostile client does not.
	i := bytes.LastIndex(protoBody, []byte("fine"))
	protoBody[i] = 0xff

	tests := []struct {
		name, ctype string
		body        []byte
		wantCode    int
		wantArg     string
	}{
		{"json ok", "application/json", []byte(`{"document":{"title":"政策"}}`), 200, ""},
		{"json bad utf8", "application/json; charset=utf-8", []byte("{\"document\":{\"title\":\"\xc3\x28\"}}"), 400, "document.title"},
		{"too large", "application/json", bytes.Repeat([]byte("x"), 1<<20+1), 400, "body"},
		{"proto bad utf8", "application/protobuf", protoBody, 400, "document.benefits[1].name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reached = false
			req := httptest.NewRequest(http.MethodPost, "/twirp/zhida.v1.PolicyLibrary/CreateDraft", bytes.NewReader(tt.body))
			req.Header.Set("Content-Type", tt.ctype)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tt.wantCode {
				t.Fatalf("status %d, want %d: %s", rec.Code, tt.wantCode, rec.Body)
			}
			if tt.wantArg == "" {
				if !reached || !bytes.Equal(rec.Body.Bytes(), tt.body) {
					t.Fatal("the service did not get the body unchanged")
				}
				return
			}
			if reached {
				t.Fatal("the service was reached")
			}
			var te struct {
				Code string            `json:"code"`
				Meta map[string]string `json:"meta"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &te); err != nil {
				t.Fatal(err)
			}
			if te.Code != "invalid_argument" || te.Meta["argument"] != tt.wantArg {
				t.Errorf("got %s, want invalid_argument on %s", rec.Body, tt.wantArg)
			}
		})
	}
}
