package main

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/zhida/zhida/corpus"
	"github.com/zhida/zhida/corpus/region"
	"github.com/zhida/zhida/store"
	"github.com/zhida/zhida/store/sqlite"
)

// From a labelled case to pushes: publish the case's policy, match its
// profiles with zhida match, plan with zhida push plan. The subjects
// granted apply-free are exactly those the case labels as grants, and
// planning twice writes nothing new.
func TestPushPlanOnEvalDevCase(t *testing.T) {
	ctx := context.Background()
	caseDir := filepath.Join("..", "..", "eval", "testdata", "eval-dev", "enterprise", "01-yangzhou-2021-wengang-mianshen")
	raw, err := os.ReadFile(filepath.Join(caseDir, "case.json"))
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		corpus.Document
		At string `json:"at"`
	}
	if err := json.Unmarshal(raw, &c); err != nil {
		t.Fatal(err)
	}
	doc := c.Document
	doc.Audience = corpus.AudienceEnterprise
	if err := corpus.NewRules(region.Default()).Prepare(&doc); err != nil {
		t.Fatalf("prepare the case's policy: %v", err)
	}
	dir := t.TempDir()
	st, err := sqlite.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	p, err := st.CreateDraft(ctx, doc)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Publish(ctx, p.ID, nil); err != nil {
		t.Fatal(err)
	}

	out, errOut, err := runZhida(t, "match", "--policy", filepath.Join(caseDir, "case.json"),
		"--profiles", filepath.Join(caseDir, "profiles.jsonl"), "--at", c.At)
	if err != nil {
		t.Fatalf("zhida match: %v\n%s", err, errOut)
	}
	matches := filepath.Join(t.TempDir(), "matches.jsonl")
	if err := os.WriteFile(matches, []byte(out), 0o600); err != nil {
		t.Fatal(err)
	}
	out, errOut, err = runZhida(t, "push", "plan", "--data", dir, "--policy-id", p.ID, "--matches", matches)
	if err != nil {
		t.Fatalf("zhida push plan: %v\n%s", err, errOut)
	}
	var stats struct{ Grants, Pushes, NewGrants, NewPushes int }
	if err := json.Unmarshal([]byte(out), &stats); err != nil {
		t.Fatalf("plan output %q: %v", out, err)
	}

	var want []string
	f, err := os.Open(filepath.Join(caseDir, "expected.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var e struct {
			Subject string `json:"subject"`
			Grant   bool   `json:"apply_free_grant"`
		}
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatal(err)
		}
		if e.Grant {
			want = append(want, e.Subject)
		}
	}
	gs, err := st.ListGrants(ctx, store.GrantFilter{PolicyID: p.ID})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, g := range gs {
		if !slices.Contains(got, g.SubjectID) {
			got = append(got, g.SubjectID)
		}
		if !strings.Contains(string(g.Facts), `"met"`) || g.Status != store.GrantNotified {
			t.Errorf("grant %s: status %s, facts %s", g.Key, g.Status, g.Facts)
		}
	}
	slices.Sort(got)
	slices.Sort(want)
	if len(want) == 0 || !slices.Equal(got, want) {
		t.Errorf("granted subjects %v, the case labels %v", got, want)
	}
	if stats.NewGrants != len(gs) || stats.NewPushes != stats.Pushes || stats.Pushes < len(gs) {
		t.Errorf("plan stats %+v with %d grants stored", stats, len(gs))
	}
	t.Logf("plan: %+v; granted %v", stats, got)
	out, _, err = runZhida(t, "push", "plan", "--data", dir, "--policy-id", p.ID, "--matches", matches)
	if err != nil || !strings.Contains(out, `"NewGrants":0,"NewPushes":0`) {
		t.Errorf("second plan: %v\n%s", err, out)
	}
}

// Planning from the matches a sweep stored.
func TestPushPlanFromStore(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, err := sqlite.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	doc := corpus.Document{Title: "高龄津贴发放办法", Issuer: "某区民政局", Audience: corpus.AudienceResident,
		Benefits: []corpus.Benefit{{Key: "b1", Name: "高龄津贴", ApplyFree: true, Amount: "每月100元"}, {Key: "b2", Name: "助餐补贴"}}}
	p, err := st.CreateDraft(ctx, doc)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Publish(ctx, p.ID, nil); err != nil {
		t.Fatal(err)
	}
	rec := func(subject, benefit, verdict string, grant bool) store.MatchRecord {
		return store.MatchRecord{SubjectKind: corpus.AudienceResident, SubjectID: subject, PolicyID: p.ID, Version: 1,
			BenefitKey: benefit, Verdict: verdict, Score: 1, Grant: grant, Explanation: []byte(`{"met":["年满80周岁"]}`)}
	}
	if err := st.PutMatches(ctx, []store.MatchRecord{rec("r1", "b1", "eligible", true), rec("r2", "b2", "eligible", false),
		rec("r3", "b2", "ineligible", false)}); err != nil {
		t.Fatal(err)
	}
	out, errOut, err := runZhida(t, "push", "plan", "--data", dir, "--policy-id", p.ID)
	if err != nil || !strings.Contains(out, `"Grants":1,"Pushes":2`) {
		t.Fatalf("push plan from the store: %v\n%s%s", err, out, errOut)
	}
	if g, err := st.ListGrants(ctx, store.GrantFilter{}); err != nil || len(g) != 1 || g[0].SubjectID != "r1" {
		t.Errorf("grants: %+v, %v", g, err)
	}
}
