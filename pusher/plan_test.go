package pusher_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/zhida/zhida/corpus"
	"github.com/zhida/zhida/pusher"
	"github.com/zhida/zhida/store"
	"github.com/zhida/zhida/store/sqlite"
)

// matchList is a MatchSource over a slice (the store's Matches will back
// the real one).
type matchList []store.MatchRecord

func (l matchList) PolicyMatches(_ context.Context, policyID string, version int, fn func(store.MatchRecord) error) error {
	for _, m := range l {
		if m.PolicyID == policyID && m.Version == version {
			if err := fn(m); err != nil {
				return err
			}
		}
	}
	return nil
}

func testVersion() *corpus.Version {
	return &corpus.Version{PolicyID: "p1", Version: 2, Document: corpus.Document{
		Title: "关于做好2026年失业保险稳岗返还工作的通知", DocNumber: "济人社发〔2026〕3号", Issuer: "济宁市人力资源和社会保障局",
		Benefits: []corpus.Benefit{
			{Key: "b1", Name: "稳岗返还", Amount: "5000元", ApplyFree: true, Calc: &corpus.Amount{Kind: corpus.AmountFixed, Value: 5000}},
			{Key: "b2", Name: "技能提升补贴", Amount: "最高2000元", Deadline: corpus.MustDate("2026-06-30")},
			{Key: "b3", Name: "一次性扩岗补助", Amount: "每人1500元", Deadline: corpus.MustDate("2026-01-31")},
		},
	}}
}

func match(subject, benefit, verdict string, score float64, grant bool, exp string) store.MatchRecord {
	return store.MatchRecord{SubjectKind: corpus.AudienceEnterprise, SubjectID: subject, PolicyID: "p1", Version: 2,
		BenefitKey: benefit, Verdict: verdict, Score: score, Grant: grant, Explanation: []byte(exp)}
}

const metExp = `{"met":["上年度未裁员或裁员率不高于5.5%","参保职工人数30人以上"],"unmet":[],"missing":[],"check":["生产经营活动符合国家产业政策"],
	"facts":[{"key":"insured_employees","value":45,"verified":true,"source":"市人社局社保数据"},{"key":"layoff_rate","value":0.01,"verified":false}],
	"profile":{"as_of":"2026-02-28","hash":"3f1c"}}`

func TestPlan(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC) // 10:00 China time
	pl := &pusher.Planner{Now: func() time.Time { return now }}
	src := matchList{
		match("s1", "b1", "eligible", 1, true, metExp),                                               // grant + notice
		match("s2", "b1", "eligible", 1, false, metExp),                                              // apply-free, not verified: push
		match("s3", "b2", "eligible", 1, false, metExp),                                              // push + reminder
		match("s4", "b2", "unknown", 0.75, false, `{"met":["参保"],"missing":["registered_capital"]}`), // needs info
		match("s5", "b2", "unknown", 0.2, false, `{}`),                                               // too far
		match("s6", "b2", "ineligible", 0, false, `{}`),
		match("s7", "b3", "eligible", 1, false, metExp), // deadline passed
		match("s8", "b9", "eligible", 1, false, metExp), // benefit not in this version
	}
	v := testVersion()
	stats, err := pl.Plan(ctx, src, st, v)
	if err != nil {
		t.Fatal(err)
	}
	want := pusher.PlanStats{Matches: 8, Grants: 1, Pushes: 5, NewGrants: 1, NewPushes: 5, SkippedIneligible: 1,
		SkippedLate: 1, SkippedLowScore: 1, UnknownBenefit: 1}
	if stats != want {
		t.Errorf("stats\n got %+v\nwant %+v", stats, want)
	}
	again, err := pl.Plan(ctx, src, st, v)
	if err != nil || again.NewGrants != 0 || again.NewPushes != 0 {
		t.Errorf("second plan stored %d grants, %d pushes (%v); want none", again.NewGrants, again.NewPushes, err)
	}

	g, err := st.GetGrant(ctx, pusher.GrantKey(corpus.AudienceEnterprise, "s1", "p1", 2, "b1"))
	if err != nil {
		t.Fatal(err)
	}
	if g.Status != store.GrantNotified || !g.HasAmount || g.Amount != 5000 || !g.ObjectionEndsAt.Equal(time.Date(2026, 3, 9, 16, 0, 0, 0, time.UTC)) || g.ObjectionWindow != 8*24*time.Hour ||
		g.NoticeKey != pusher.Key(pusher.KindApplyFreeNotice, corpus.AudienceEnterprise, "s1", "p1", 2, "b1") {
		t.Errorf("grant: %+v", g)
	}
	if !strings.Contains(string(g.Facts), "市人社局社保数据") || !strings.Contains(string(g.Facts), "参保职工人数30人以上") {
		t.Errorf("grant facts lack the facts and sources: %s", g.Facts)
	}

	notice := payload(t, st, pusher.Key(pusher.KindApplyFreeNotice, corpus.AudienceEnterprise, "s1", "p1", 2, "b1"))
	for _, want := range []string{"已为您办理", "稳岗返还", "《关于做好2026年失业保险稳岗返还工作的通知》（济人社发〔2026〕3号）", "参保职工人数30人以上", "5000元", "自收到本通知之日起7日内"} {
		if !strings.Contains(notice.Title+notice.Body, want) {
			t.Errorf("apply-free notice lacks %q:\n%s\n%s", want, notice.Title, notice.Body)
		}
	}
	push := payload(t, st, pusher.Key(pusher.KindNewPolicy, corpus.AudienceEnterprise, "s3", "p1", 2, "b2"))
	for _, want := range []string{"技能提升补贴", "最高2000元", "参保职工人数30人以上", "生产经营活动符合国家产业政策", "济宁市人力资源和社会保障局", "2026年6月30日"} {
		if !strings.Contains(push.Body, want) {
			t.Errorf("push lacks %q:\n%s", want, push.Body)
		}
	}
	if push.DueDate != "2026-06-30" {
		t.Errorf("push due date %q", push.DueDate)
	}
	rem, err := st.GetDelivery(ctx, pusher.Key(pusher.KindDeadlineReminder, corpus.AudienceEnterprise, "s3", "p1", 2, "b2"))
	if err != nil {
		t.Fatal(err)
	}
	if rem.BenefitKey != "b2" || rem.Kind != pusher.KindDeadlineReminder {
		t.Errorf("reminder: benefit %q kind %q", rem.BenefitKey, rem.Kind)
	}
	if wantAt := time.Date(2026, 6, 23, 1, 0, 0, 0, time.UTC); !rem.NextAttemptAt.Equal(wantAt) {
		t.Errorf("reminder due %s, want %s (09:00 China time, 7 days before)", rem.NextAttemptAt, wantAt)
	}
	info := payload(t, st, pusher.Key(pusher.KindNeedsInfo, corpus.AudienceEnterprise, "s4", "p1", 2, "b2"))
	if !strings.Contains(info.Body, "注册资本（元）") {
		t.Errorf("needs-info push does not name the missing fact in words:\n%s", info.Body)
	}
	if _, err := st.GetDelivery(ctx, pusher.Key(pusher.KindNewPolicy, corpus.AudienceEnterprise, "s2", "p1", 2, "b1")); err != nil {
		t.Errorf("unverified apply-free match got no push: %v", err)
	}
}

func payload(t *testing.T, st store.Deliveries, key string) pusher.Message {
	t.Helper()
	d, err := st.GetDelivery(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	var m pusher.Message
	if err := json.Unmarshal(d.Payload, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestComposeErrors(t *testing.T) {
	v := testVersion()
	if _, err := pusher.Compose(pusher.KindDeadlineReminder, v, &v.Document.Benefits[0], pusher.Explanation{}, 0); err == nil {
		t.Error("a reminder for a benefit without a deadline was composed")
	}
	if _, err := pusher.Compose("spam", v, &v.Document.Benefits[0], pusher.Explanation{}, 0); err == nil {
		t.Error("an unknown kind was composed")
	}
}

// A local policy's benefit that names no place is planned only for subjects
// in the issuing region or of unknown region; a benefit whose own tree names
// a place is left to its verdict.
func TestPlanScopesLocalPolicies(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC)
	pl := &pusher.Planner{Now: func() time.Time { return now }}
	v := testVersion()
	v.Document.Region = "370800" // 济宁市
	v.Document.Benefits = append(v.Document.Benefits, corpus.Benefit{Key: "b4", Name: "外地来济人才补贴",
		Conditions: &corpus.Cond{Field: "residence_region", Op: corpus.OpWithin, Value: corpus.String("370800"), Text: "在济宁市居住"}})
	in := func(m store.MatchRecord, region string) store.MatchRecord { m.Region = region; return m }
	src := matchList{
		in(match("local", "b1", "eligible", 1, true, metExp), "370811"),    // granted
		in(match("away", "b1", "eligible", 1, true, metExp), "440106"),     // another city: nothing
		in(match("nowhere", "b1", "eligible", 1, true, metExp), ""),        // unknown region: the verdict decides
		in(match("away", "b2", "unknown", 0.75, false, metExp), "440106"),  // another city: no needs-info push
		in(match("migrant", "b4", "eligible", 1, false, metExp), "440106"), // the tree names the place: pushed
	}
	stats, err := pl.Plan(ctx, src, st, v)
	if err != nil {
		t.Fatal(err)
	}
	if stats.NewGrants != 2 || stats.SkippedOutOfRegion != 2 {
		t.Errorf("stats %+v: want 2 grants, 2 out of region", stats)
	}
	for _, tc := range []struct {
		key  string
		want bool
	}{
		{pusher.Key(pusher.KindApplyFreeNotice, corpus.AudienceEnterprise, "local", "p1", 2, "b1"), true},
		{pusher.Key(pusher.KindApplyFreeNotice, corpus.AudienceEnterprise, "away", "p1", 2, "b1"), false},
		{pusher.Key(pusher.KindNewPolicy, corpus.AudienceEnterprise, "away", "p1", 2, "b1"), false},
		{pusher.Key(pusher.KindNeedsInfo, corpus.AudienceEnterprise, "away", "p1", 2, "b2"), false},
		{pusher.Key(pusher.KindApplyFreeNotice, corpus.AudienceEnterprise, "nowhere", "p1", 2, "b1"), true},
		{pusher.Key(pusher.KindNewPolicy, corpus.AudienceEnterprise, "migrant", "p1", 2, "b4"), true},
	} {
		_, err := st.GetDelivery(ctx, tc.key)
		if got := err == nil; got != tc.want {
			t.Errorf("push %s planned = %v, want %v (%v)", tc.key, got, tc.want, err)
		}
	}
}
