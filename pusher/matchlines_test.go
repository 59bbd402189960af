package pusher_test

import (
	"context"
	"strings"
	"testing"

	"github.com/zhida/zhida/corpus"
	"github.com/zhida/zhida/pusher"
	pb "github.com/zhida/zhida/rpc/zhidav1"
	"github.com/zhida/zhida/store"
)

func TestMatchLines(t *testing.T) {
	v := testVersion()
	good := `{"subject":"E1","policy":"a.json","verdict":"eligible","benefits":[` +
		`{"name":"稳岗返还","verdict":"eligible","score":1,"apply_free":true,"met":["参保"],"unmet":[],"missing":[],"check":[]},` +
		`{"name":"技能提升补贴","verdict":"unknown","score":0.5,"apply_free":false,"met":[],"unmet":[],"missing":["registered_capital"],"check":[]},` +
		`{"name":"一次性扩岗补助","verdict":"ineligible","score":0,"apply_free":false,"met":[],"unmet":["x"],"missing":[],"check":[]}]}`
	other := strings.Replace(good, `"policy":"a.json"`, `"policy":"b.json"`, 1)
	var recs []store.MatchRecord
	src := &pusher.MatchLines{R: strings.NewReader(good + "\n\n" + other + "\n"), Kind: corpus.AudienceEnterprise, Policy: "a.json", Version: v}
	err := src.PolicyMatches(context.Background(), "p1", 2, func(r store.MatchRecord) error {
		recs = append(recs, r)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 3 || recs[0].BenefitKey != "b1" || !recs[0].Grant || recs[1].Verdict != "unknown" || recs[2].BenefitKey != "b3" ||
		recs[0].PolicyID != "p1" || recs[0].Version != 2 || recs[0].SubjectKind != corpus.AudienceEnterprise {
		t.Fatalf("records: %+v", recs)
	}
	exp, err := pusher.ParseExplanation(recs[1].Explanation)
	if err != nil || len(exp.Missing) != 1 || exp.Missing[0] != "registered_capital" {
		t.Errorf("explanation: %+v, %v", exp, err)
	}
	for name, in := range map[string]string{
		"line 2: ":             good + "\n{not json\n",
		"benefit 2 is":         strings.Replace(good, "技能提升补贴", "别的补贴", 1),
		"2 benefits, but":      `{"subject":"E1","benefits":[{"name":"a"},{"name":"b"}]}`,
		"line 1: no subject":   `{"benefits":[]}`,
		"is not enterprise or": "",
	} {
		kind := corpus.AudienceEnterprise
		if name == "is not enterprise or" {
			kind = ""
		}
		err := (&pusher.MatchLines{R: strings.NewReader(in), Kind: kind, Version: v}).PolicyMatches(context.Background(), "p1", 2,
			func(store.MatchRecord) error { return nil })
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%q: error %v", name, err)
		}
	}
}

func TestSchedulerRejectsBadRules(t *testing.T) {
	s := pusher.NewScheduler(context.Background(), quietLog)
	w := &pusher.Worker{Senders: map[string]pb.Delivery{}}
	if err := s.AddRule(w, pusher.Rule{Channel: "inbox", Cron: "@every 1m"}); err == nil {
		t.Error("a rule for a channel without a sender was scheduled")
	}
	w.Senders["inbox"] = pusher.NewTwirpSender("http://127.0.0.1:1", "", nil)
	if err := s.AddRule(w, pusher.Rule{Channel: "inbox", Cron: "every minute"}); err == nil {
		t.Error("a bad cron spec was accepted")
	}
	if err := s.AddRule(w, pusher.Rule{Channel: "inbox", Cron: "0 */5 8-21 * * *"}); err != nil {
		t.Errorf("a spec with seconds: %v", err)
	}
	if err := s.AddRule(w, pusher.Rule{Channel: "inbox", Cron: "*/5 8-21 * * *"}); err != nil {
		t.Errorf("a spec without seconds: %v", err)
	}
}
