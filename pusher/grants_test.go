package pusher_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"testing"
	"time"

	"github.com/zhida/zhida/pusher"
	"github.com/zhida/zhida/store"
	"github.com/zhida/zhida/store/sqlite"
)

// A grant goes notified → (objection window) → ready → exported once.
func TestGrantsReadyAndExport(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC)
	pl := &pusher.Planner{Now: func() time.Time { return now }, ObjectionDays: 3}
	src := matchList{match("s1", "b1", "eligible", 1, true, metExp), match("s2", "b1", "eligible", 1, true, metExp)}
	if _, err := pl.Plan(ctx, src, st, testVersion()); err != nil {
		t.Fatal(err)
	}
	// Notices delivered at 11:00 on 2 March (China time): three whole days
	// after the day of receipt end with 5 March; the grant waits 4×24h from
	// receipt, to 11:00 on 6 March (03:00 UTC).
	if n, err := pusher.ReadyDue(ctx, st, now.Add(30*24*time.Hour)); err != nil || n != 0 {
		t.Fatalf("ready before the notices went out: %d, %v", n, err)
	}
	// The notices go out an hour later.
	ds, err := st.Claim(ctx, store.ClaimRequest{Worker: "w", Channel: pusher.ChannelInbox, Limit: 10, Now: now, TTL: time.Hour})
	if err != nil || len(ds) != 2 {
		t.Fatalf("claim notices: %d, %v", len(ds), err)
	}
	var cs []store.Claim
	for _, d := range ds {
		cs = append(cs, store.Claim{ID: d.ID, Token: d.ClaimToken})
	}
	if _, err := st.MarkDelivered(ctx, now.Add(time.Hour), cs); err != nil {
		t.Fatal(err)
	}
	if n, err := pusher.ReadyDue(ctx, st, time.Date(2026, 3, 6, 2, 59, 0, 0, time.UTC)); err != nil || n != 0 {
		t.Fatalf("inside the window: %d ready, %v", n, err)
	}
	// s2 objects: held, never exported.
	if err := st.SetGrantStatus(ctx, pusher.GrantKey("enterprise", "s2", "p1", 2, "b1"),
		[]store.GrantStatus{store.GrantNotified}, store.GrantHeld, "异议", now); err != nil {
		t.Fatal(err)
	}
	if n, err := pusher.ReadyDue(ctx, st, time.Date(2026, 3, 6, 3, 0, 0, 0, time.UTC)); err != nil || n != 1 {
		t.Fatalf("window over: %d ready, %v", n, err)
	}
	var buf bytes.Buffer
	n, err := pusher.ExportGrants(ctx, st, &buf, true, now.Add(73*time.Hour))
	if err != nil || n != 1 {
		t.Fatalf("export: %d, %v", n, err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil || len(rows) != 2 {
		t.Fatalf("csv: %v, %v", rows, err)
	}
	row := map[string]string{}
	for i, h := range pusher.ExportHeader {
		row[h] = rows[1][i]
	}
	if row["subject_id"] != "s1" || row["amount_yuan"] != "5000.00" || row["benefit_name"] != "稳岗返还" || row["status"] != "ready" {
		t.Errorf("exported row: %v", row)
	}
	// The audit: what was met, each fact read with its value, whether it
	// is verified and its source, and the profile it was read from.
	if row["met_conditions"] != "上年度未裁员或裁员率不高于5.5%；参保职工人数30人以上" ||
		row["facts"] != "insured_employees=45 [verified, 市人社局社保数据]; layoff_rate=0.01 [unverified]" ||
		row["profile_as_of"] != "2026-02-28" || row["profile_hash"] != "3f1c" {
		t.Errorf("exported audit: met %q, facts %q, profile %q %q", row["met_conditions"], row["facts"], row["profile_as_of"], row["profile_hash"])
	}
	buf.Reset()
	if n, err := pusher.ExportGrants(ctx, st, &buf, true, now.Add(74*time.Hour)); err != nil || n != 0 {
		t.Errorf("second export wrote %d grants (%v); want 0", n, err)
	}
}
