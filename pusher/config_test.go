package pusher

import (
	"strings"
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

func TestReadRules(t *testing.T) {
	rules, err := ReadRules(strings.NewReader(`[
		{"name": "notices", "channel": "inbox", "kinds": ["apply_free_notice"], "cron": "@every 1m", "claim_ttl": "90s"},
		{"channel": "sms", "cron": "0 0 9 * * *", "quiet": "22:00-08:00", "daily_cap": 1, "batch": 50,
		 "max_attempts": 3, "base_backoff": "1m", "max_backoff": "1h", "max_per_run": 1000}]`))
	if err != nil {
		t.Fatal(err)
	}
	if len(rules) != 2 || rules[0].ClaimTTL != 90*time.Second || rules[1].Quiet.String() != "22:00-08:00" ||
		rules[1].DailyCap != 1 || rules[1].MaxBackoff != time.Hour || rules[1].MaxPerRun != 1000 {
		t.Errorf("rules: %+v", rules)
	}
	for in, want := range map[string]string{
		`[{"channel": "inbox", "cron": "@every 1m", "colour": 1}]`:                `unknown field "colour"`,
		"[\n{\"channel\": \"inbox\", \"cron\": \"@every 1m\", \"batch\": \"x\"}]": "line 2: field batch",
		`[{"channel": "inbox", "cron": "every minute"}]`:                          "rules[0].cron",
		`[{"channel": "inbox", "cron": "@every 1m", "claim_ttl": "2 min"}]`:       "rules[0].claim_ttl",
		`[{"channel": "inbox", "cron": "@every 1m", "quiet": "22-8"}]`:            "rules[0].quiet",
		`[{"channel": "inbox", "cron": "@every 1m", "kinds": ["spam"]}]`:          "rules[0]: rule",
		`[]`: "no rules",
	} {
		if _, err := ReadRules(strings.NewReader(in)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want it to mention %q", in, err, want)
		}
	}
}
