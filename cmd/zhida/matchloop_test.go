package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/twitchtv/twirp"

	"github.com/zhida/zhida/matcher/sweep/sweeptest"
	pb "github.com/zhida/zhida/rpc/zhidav1"
	"github.com/zhida/zhida/store"
)

// TestServeMatchesInBackground: profiles pushed over Twirp and a policy
// published while serve runs end up swept by serve's own matcher, and
// WhoQualifies reads the stored results.
func TestServeMatchesInBackground(t *testing.T) {
	t.Setenv("ZHIDA_ID_KEY", string(sweeptest.Key))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f := serverFlags{addr: "127.0.0.1:0", data: t.TempDir(), editorToken: "tok", ownerToken: "owner", maxBody: 8 << 20}
	err := serve(ctx, slog.New(slog.NewTextHandler(io.Discard, nil)), f, func(ctx context.Context, st store.Store, url string) error {
		defer cancel()
		hdr := http.Header{}
		hdr.Set("Authorization", "Bearer tok")
		actx, _ := twirp.WithHTTPRequestHeaders(ctx, hdr)
		ohdr := http.Header{}
		ohdr.Set("Authorization", "Bearer owner") // --data-owner-token
		octx, _ := twirp.WithHTTPRequestHeaders(ctx, ohdr)
		var items []string
		for _, l := range bytes.Split(bytes.TrimSpace(sweeptest.Profiles(300, 2)), []byte("\n")) {
			items = append(items, string(l))
		}
		res, err := pb.NewProfilesJSONClient(url, http.DefaultClient).BulkUpsert(octx, &pb.BulkUpsertProfilesRequest{Json: items})
		if err != nil || res.Inserted != 300 {
			t.Fatalf("bulk upsert: %+v, %v", res, err)
		}
		vers, err := sweeptest.Publish(ctx, st, sweeptest.Documents())
		if err != nil {
			return err
		}
		m := pb.NewMatcherJSONClient(url, http.DefaultClient)
		for i := 0; ; i++ {
			r, err := m.WhoQualifies(actx, &pb.WhoQualifiesRequest{PolicyId: vers[1].PolicyID})
			if err != nil {
				return err
			}
			if r.SweepShards > 0 && r.SweepShardsDone == r.SweepShards {
				if r.Eligible == 0 || r.Source != "sweep" {
					t.Errorf("after the sweep: %+v", r)
				}
				return nil
			}
			if i == 600 {
				t.Fatalf("serve's matcher did not sweep in 60 s: %+v", r)
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
}
