package pusher

import (
	"testing"
	"time"
)

func cst(h, m int) time.Time { return time.Date(2026, 3, 2, h, m, 0, 0, chinaZone) }

func TestQuietHours(t *testing.T) {
	q, err := ParseQuietHours("22:00-08:00")
	if err != nil {
		t.Fatal(err)
	}
	day, _ := ParseQuietHours("12:00-13:30")
	tests := []struct {
		q     QuietHours
		at    time.Time
		quiet bool
		after time.Time
	}{
		{q, cst(22, 0), true, cst(8, 0).AddDate(0, 0, 1)},
		{q, cst(23, 59), true, cst(8, 0).AddDate(0, 0, 1)},
		{q, cst(3, 0), true, cst(8, 0)},
		{q, cst(8, 0), false, cst(8, 0)},
		{q, cst(21, 59), false, cst(21, 59)},
		// The same instants given in UTC: quiet hours are China time.
		{q, cst(23, 0).UTC(), true, cst(8, 0).AddDate(0, 0, 1)},
		{day, cst(12, 30), true, cst(13, 30)},
		{day, cst(13, 30), false, cst(13, 30)},
		{QuietHours{}, cst(23, 0), false, cst(23, 0)},
	}
	for _, tc := range tests {
		if got := tc.q.Contains(tc.at); got != tc.quiet {
			t.Errorf("%s contains %s = %v, want %v", tc.q, tc.at, got, tc.quiet)
		}
		if got := tc.q.After(tc.at); !got.Equal(tc.after) {
			t.Errorf("%s after %s = %s, want %s", tc.q, tc.at, got, tc.after)
		}
	}
	for _, bad := range []string{"22:00", "25:00-08:00", "22:00-8", "ab:cd-08:00", "22:60-08:00"} {
		if _, err := ParseQuietHours(bad); err == nil {
			t.Errorf("ParseQuietHours(%q) accepted", bad)
		}
	}
	if q.String() != "22:00-08:00" {
		t.Errorf("String() = %q", q.String())
	}
}

func TestBackoff(t *testing.T) {
	base, max := time.Second, time.Minute
	for n := 1; n <= 12; n++ {
		ceil := base << (n - 1)
		if ceil > max || ceil <= 0 {
			ceil = max
		}
		for range 50 {
			d := Backoff(base, max, n)
			if d < ceil/2 || d > ceil {
				t.Fatalf("Backoff(%s, %s, %d) = %s, want within [%s, %s]", base, max, n, d, ceil/2, ceil)
			}
		}
	}
}

func TestRuleDefaults(t *testing.T) {
	r, err := Rule{Channel: "inbox"}.withDefaults()
	if err != nil || r.Batch != DefaultBatch || r.MaxAttempts != DefaultMaxAttempts || r.ClaimTTL != DefaultClaimTTL || r.Name != "inbox" {
		t.Errorf("defaults: %+v, %v", r, err)
	}
	for _, bad := range []Rule{{}, {Channel: "inbox", Kinds: []string{"spam"}}, {Channel: "inbox", Batch: -1},
		{Channel: "inbox", BaseBackoff: time.Hour, MaxBackoff: time.Minute}} {
		if _, err := bad.withDefaults(); err == nil {
			t.Errorf("rule %+v accepted", bad)
		}
	}
	for _, r := range DefaultRules() {
		if _, err := r.withDefaults(); err != nil {
			t.Errorf("default rule %s: %v", r.Name, err)
		}
		if _, err := cronParser.Parse(r.Cron); err != nil {
			t.Errorf("default rule %s: cron %q: %v", r.Name, r.Cron, err)
		}
	}
}
