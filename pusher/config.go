package pusher

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Push kinds: what a message is about.
const (
	KindNewPolicy        = "new_policy"        // you may qualify: apply
	KindApplyFreeNotice  = "apply_free_notice" // 已为您办理: granted without applying
	KindDeadlineReminder = "deadline_reminder" // the application deadline is near
	KindNeedsInfo        = "needs_info"        // nearly eligible: some facts are missing
)

// Kinds lists every push kind.
var Kinds = []string{KindNewPolicy, KindApplyFreeNotice, KindDeadlineReminder, KindNeedsInfo}

// ChannelInbox is the built-in receiver's channel.
const ChannelInbox = "inbox"

// chinaZone is China Standard Time; schedules, quiet hours and daily caps
// run on it.
var chinaZone = time.FixedZone("CST", 8*3600)

// Rule says how to push one channel (and, optionally, only some kinds on it).
type Rule struct {
	// Name identifies the rule in logs and in the worker's name.
	Name    string
	Channel string
	// Kinds limits the rule to these kinds; empty means every kind.
	Kinds []string
	// Cron is a robfig/cron spec in China time, with optional seconds
	// ("0 */5 8-21 * * *", "@every 30s").
	Cron string
	// Batch is how many deliveries one Deliver call carries
	// (DefaultBatch when zero: large enough that the per-statement cost of
	// claiming and acknowledging is spread thin; set it lower for
	// receivers that want small requests).
	Batch int
	// Parallel is how many batches one run keeps in flight at once (when
	// zero: DefaultParallel, or 1 on the embedded single-writer store; see
	// Worker.Parallel).
	Parallel int
	// MaxAttempts is how many failed attempts make a dead letter.
	MaxAttempts int
	// MaxPerRun bounds the deliveries one scheduled run claims (a simple
	// rate limit: at most MaxPerRun per cron tick); 0 means until nothing
	// is due.
	MaxPerRun int
	// Quiet hours (China time) during which nothing is sent.
	Quiet QuietHours
	// DailyCap is the most pushes a subject gets per China day, counting
	// what was delivered to it on every channel and kind; 0 means no cap.
	// Pushes over it wait for the next day (after its quiet hours).
	DailyCap int
	// ClaimTTL is how long a worker holds claimed deliveries. A Deliver
	// call is given three quarters of it, so a worker acknowledges before
	// another may take its claim over.
	ClaimTTL time.Duration
	// BaseBackoff and MaxBackoff bound the retry delay: BaseBackoff·2^(n-1)
	// after the n-th failure, at most MaxBackoff, with jitter.
	BaseBackoff, MaxBackoff time.Duration
}

// Defaults a Rule's zero fields take.
const (
	DefaultBatch       = 500
	DefaultParallel    = 2
	DefaultMaxAttempts = 8
	DefaultClaimTTL    = 2 * time.Minute
	DefaultBaseBackoff = 30 * time.Second
	DefaultMaxBackoff  = 6 * time.Hour
)

// withDefaults fills zero fields and checks the rule.
func (r Rule) withDefaults() (Rule, error) {
	if r.Channel == "" {
		return r, errors.New("rule: channel is empty")
	}
	if r.Name == "" {
		r.Name = r.Channel
		if len(r.Kinds) > 0 {
			r.Name += ":" + strings.Join(r.Kinds, ",")
		}
	}
	for _, k := range r.Kinds {
		if !knownKind(k) {
			return r, fmt.Errorf("rule %s: kind %q is not one of %s", r.Name, k, strings.Join(Kinds, ", "))
		}
	}
	if r.Batch < 0 || r.Parallel < 0 || r.MaxPerRun < 0 || r.MaxAttempts < 0 || r.DailyCap < 0 || r.ClaimTTL < 0 || r.BaseBackoff < 0 || r.MaxBackoff < 0 {
		return r, fmt.Errorf("rule %s: negative batch, attempts, cap or duration", r.Name)
	}
	if r.Batch == 0 {
		r.Batch = DefaultBatch
	}
	if r.Parallel == 0 {
		r.Parallel = DefaultParallel
	}
	if r.MaxAttempts == 0 {
		r.MaxAttempts = DefaultMaxAttempts
	}
	if r.ClaimTTL == 0 {
		r.ClaimTTL = DefaultClaimTTL
	}
	if r.BaseBackoff == 0 {
		r.BaseBackoff = DefaultBaseBackoff
	}
	if r.MaxBackoff == 0 {
		r.MaxBackoff = DefaultMaxBackoff
	}
	if r.MaxBackoff < r.BaseBackoff {
		return r, fmt.Errorf("rule %s: max back-off %s is below base back-off %s", r.Name, r.MaxBackoff, r.BaseBackoff)
	}
	return r, nil
}

func knownKind(k string) bool {
	for _, x := range Kinds {
		if x == k {
			return true
		}
	}
	return false
}

// DefaultRules pushes on the built-in inbox every five minutes from 08:00
// to 21:55, with quiet hours 22:00–08:00 and at most 5 pushes per subject a
// day; apply-free notices are not capped (they report money already
// granted).
func DefaultRules() []Rule {
	quiet := QuietHours{Start: 22 * 60, End: 8 * 60}
	return []Rule{
		{Name: "inbox", Channel: ChannelInbox, Kinds: []string{KindNewPolicy, KindDeadlineReminder, KindNeedsInfo},
			Cron: "0 */5 * * * *", Quiet: quiet, DailyCap: 5},
		{Name: "inbox-grants", Channel: ChannelInbox, Kinds: []string{KindApplyFreeNotice},
			Cron: "30 */5 * * * *", Quiet: quiet},
	}
}

// QuietHours is a daily window, in minutes after midnight China time, when
// nothing is sent. Start > End wraps past midnight (22:00–08:00); Start ==
// End means no quiet hours.
type QuietHours struct {
	Start, End int
}

// ParseQuietHours reads "22:00-08:00" ("" for none).
func ParseQuietHours(s string) (QuietHours, error) {
	if strings.TrimSpace(s) == "" {
		return QuietHours{}, nil
	}
	a, b, ok := strings.Cut(s, "-")
	if !ok {
		return QuietHours{}, fmt.Errorf("quiet hours %q: want HH:MM-HH:MM", s)
	}
	start, err := parseClock(a)
	if err != nil {
		return QuietHours{}, fmt.Errorf("quiet hours %q: start: %w", s, err)
	}
	end, err := parseClock(b)
	if err != nil {
		return QuietHours{}, fmt.Errorf("quiet hours %q: end: %w", s, err)
	}
	return QuietHours{Start: start, End: end}, nil
}

func parseClock(s string) (int, error) {
	h, m, ok := strings.Cut(strings.TrimSpace(s), ":")
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if !ok || err1 != nil || err2 != nil || hh < 0 || hh > 24 || mm < 0 || mm > 59 || (hh == 24 && mm != 0) {
		return 0, fmt.Errorf("%q is not a time of day HH:MM", s)
	}
	return hh*60 + mm, nil
}

// String is the HH:MM-HH:MM form.
func (q QuietHours) String() string {
	if q.Start == q.End {
		return ""
	}
	return fmt.Sprintf("%02d:%02d-%02d:%02d", q.Start/60, q.Start%60, q.End/60, q.End%60)
}

// Contains reports whether t falls in the quiet hours.
func (q QuietHours) Contains(t time.Time) bool {
	if q.Start == q.End {
		return false
	}
	c := t.In(chinaZone)
	m := c.Hour()*60 + c.Minute()
	if q.Start < q.End {
		return m >= q.Start && m < q.End
	}
	return m >= q.Start || m < q.End
}

// After returns the first moment at or after t that is outside the quiet hours.
func (q QuietHours) After(t time.Time) time.Time {
	if !q.Contains(t) {
		return t
	}
	c := t.In(chinaZone)
	end := time.Date(c.Year(), c.Month(), c.Day(), q.End/60, q.End%60, 0, 0, chinaZone)
	if !end.After(c) {
		end = end.AddDate(0, 0, 1)
	}
	return end
}

// dayStart is the start of t's China day.
func dayStart(t time.Time) time.Time {
	c := t.In(chinaZone)
	return time.Date(c.Year(), c.Month(), c.Day(), 0, 0, 0, 0, chinaZone)
}
