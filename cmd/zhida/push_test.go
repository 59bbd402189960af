package main

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/zhida/zhida/corpus"
	"github.com/zhida/zhida/rpc"
	"github.com/zhida/zhida/store"
	"github.com/zhida/zhida/store/sqlite"
)

// push run --once sends what is due to a receiver; push dead and redrive
// handle what it could not; grants export writes ready grants once.
func TestPushAndGrantsCommands(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, err := sqlite.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ok := store.NewDelivery{Key: "k-ok", SubjectKind: corpus.AudienceResident, SubjectID: "r1", Kind: "new_policy",
		Channel: "inbox", PolicyID: "p1", Version: 1, Payload: []byte(`{"title":"标题","body":"正文"}`)}
	bad := ok
	bad.Key, bad.Payload = "k-bad", []byte(`{"title":"","body":"正文"}`)
	if _, err := st.Enqueue(ctx, []store.NewDelivery{ok, bad}); err != nil {
		t.Fatal(err)
	}
	g := store.Grant{Key: "g1", PolicyID: "p1", Version: 1, BenefitKey: "b1", BenefitName: "高龄津贴",
		SubjectKind: corpus.AudienceResident, SubjectID: "r1", Amount: 1200, HasAmount: true,
		ObjectionEndsAt: time.Now().Add(-time.Minute)}
	if _, err := st.PutGrants(ctx, []store.Grant{g}); err != nil {
		t.Fatal(err)
	}
	in, err := sqlite.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	srv := httptest.NewServer(rpc.NewHandler(rpc.Config{Store: in, PusherToken: "tok", Log: slog.New(slog.NewTextHandler(io.Discard, nil))}))
	defer srv.Close()

	rules := filepath.Join(t.TempDir(), "rules.json")
	if err := os.WriteFile(rules, []byte(`[{"name": "reminders", "channel": "inbox", "kinds": ["deadline_reminder"], "cron": "@every 1m"}]`), 0o600); err != nil {
		t.Fatal(err)
	}
	out, errOut, err := runZhida(t, "push", "run", "--once", "--rules", rules, "--data", dir, "--receiver", "inbox="+srv.URL, "--token", "tok")
	if err != nil || !strings.Contains(out, "reminders: claimed 0") {
		t.Fatalf("push run --once --rules: %v\n%s%s", err, out, errOut)
	}
	if _, _, err := runZhida(t, "push", "run", "--once", "--rules", rules, "--cron", "@every 1s", "--data", dir, "--receiver", srv.URL); err == nil {
		t.Error("--cron with --rules accepted")
	}
	out, errOut, err = runZhida(t, "push", "run", "--once", "--quiet", "", "--data", dir, "--receiver", srv.URL, "--token", "tok")
	if err != nil || !strings.Contains(out, "delivered 1") || !strings.Contains(out, "dead 1") {
		t.Fatalf("push run --once: %v\n%s%s", err, out, errOut)
	}
	out, _, err = runZhida(t, "push", "dead", "--data", dir)
	if err != nil || !strings.Contains(out, `"key":"k-bad"`) || !strings.Contains(out, "title and body are required") {
		t.Fatalf("push dead: %v\n%s", err, out)
	}
	d, _ := st.GetDelivery(ctx, "k-bad")
	out, _, err = runZhida(t, "push", "redrive", "--data", dir, itoa64(d.ID))
	if err != nil || !strings.Contains(out, "redriven: 1 of 1") {
		t.Fatalf("push redrive: %v\n%s", err, out)
	}
	out, _, err = runZhida(t, "grants", "export", "--data", dir)
	if err != nil || !strings.Contains(out, "g1,p1,1,b1,高龄津贴,resident,r1,1200.00") {
		t.Fatalf("grants export: %v\n%s", err, out)
	}
	out, _, err = runZhida(t, "grants", "export", "--data", dir)
	if err != nil || strings.Count(out, "\n") != 1 {
		t.Fatalf("second export should hold only the header: %v\n%s", err, out)
	}
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }
