// Package storetest is the conformance suite every store backend runs:
// lifecycle flows and history, conflicts, not-found, listing filters and
// paging, ExpireDue, and the outbox's ordering under concurrent writers and
// consumers; profile upserts, scans, shards and the seq order under
// concurrent writers; match upserts and counts; sweep leases.
package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/zhida/zhida/corpus"
	"github.com/zhida/zhida/store"
)

// Run runs the suite. open returns a new, empty store for each subtest; Run
// closes it when the subtest ends.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	newStore := func(t *testing.T) store.Store {
		t.Helper()
		s := open(t)
		t.Cleanup(func() {
			if err := s.Close(); err != nil {
				t.Errorf("close: %v", err)
			}
		})
		return s
	}
	tests := []struct {
		name string
		fn   func(t *testing.T, s store.Store)
	}{
		{"CreateAndGet", testCreateAndGet},
		{"Lifecycle", testLifecycle},
		{"Errors", testErrors},
		{"Conflict", testConflict},
		{"PublishCheckFails", testPublishCheckFails},
		{"ListFilters", testListFilters},
		{"ListPaging", testListPaging},
		{"ExpireDue", testExpireDue},
		{"ConsumeHandlerError", testConsumeHandlerError},
		{"OutboxConcurrent", testOutboxConcurrent},
		{"ConsumersSameName", testConsumersSameName},
		{"ProfilesUpsert", testProfilesUpsert},
		{"ProfilesBadBatch", testProfilesBadBatch},
		{"ProfilesSeqConcurrent", testProfilesSeqConcurrent},
		{"ProfilesFollow", testProfilesFollow},
		{"ProfilesScan", testProfilesScan},
		{"ProfilesPaging", testProfilesPaging},
		{"Matches", testMatches},
		{"MatchesExact", testMatchesExact},
		{"SweepStart", testSweepStart},
		{"SweepLeases", testSweepLeases},
		{"SweepConcurrent", testSweepConcurrent},
	}
	tests = append(tests, deliveryTests()...)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, newStore(t))
		})
	}
}

// spec describes a test document.
type spec struct {
	title     string
	region    string
	category  corpus.Category
	audience  corpus.Audience
	effective string // effective_to, "" for none
}

var condJSON = `{"all": [
	{"field": "revenue", "op": "gte", "value": 20000000, "year": -1, "text": "上年度营业收入不低于2000万元"},
	{"field": "region", "op": "within", "value": "370800", "text": "注册地在本市"},
	{"field": "tags", "op": "has", "value": "高新技术企业"}]}`

func doc(s spec) corpus.Document {
	var cond corpus.Cond
	if err := json.Unmarshal([]byte(condJSON), &cond); err != nil {
		panic(err)
	}
	d := corpus.Document{
		Title:         s.title,
		DocNumber:     "济政办字〔2025〕1号",
		Issuer:        "济宁市人民政府办公室",
		Region:        s.region,
		Category:      s.category,
		Audience:      s.audience,
		PublishDate:   corpus.MustDate("2025-01-02"),
		EffectiveFrom: corpus.MustDate("2025-01-02"),
		Text:          "第一条 " + s.title,
		Benefits: []corpus.Benefit{{
			Key: "b1", Name: "研发补助", Amount: "最高50万元",
			Calc:     &corpus.Amount{Kind: corpus.AmountFixed, Value: 500000},
			Audience: corpus.AudienceEnterprise, Conditions: &cond,
		}},
		Unparsed: []string{"其他条件"},
	}
	if s.effective != "" {
		d.EffectiveTo = corpus.MustDate(s.effective)
	}
	return d
}

func titled(title string) corpus.Document {
	return doc(spec{title: title, region: "370800", category: corpus.CategorySubsidy, audience: corpus.AudienceEnterprise})
}

func sameDoc(t *testing.T, what string, got, want corpus.Document) {
	t.Helper()
	g, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	w, err := json.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	if string(g) != string(w) {
		t.Errorf("%s:\n got %s\nwant %s", what, g, w)
	}
}

// must(f())(t) returns f's value, failing the test if f failed.
func must[T any](v T, err error) func(t *testing.T) T {
	return func(t *testing.T) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// drain consumes every event for consumer and returns them.
func drain(t *testing.T, s store.Store, consumer string) []store.Event {
	t.Helper()
	var all []store.Event
	for {
		n, err := s.Consume(context.Background(), consumer, 50, func(_ context.Context, evs []store.Event) error {
			all = append(all, evs...)
			return nil
		})
		if err != nil {
			t.Fatalf("consume: %v", err)
		}
		if n == 0 {
			return all
		}
	}
}

// ev is an event without its id and time, for comparisons.
type ev struct {
	Kind    corpus.EventKind
	Policy  string
	Version int
}

func evs(es []store.Event) []ev {
	out := make([]ev, len(es))
	for i, e := range es {
		out[i] = ev{e.Kind, e.PolicyID, e.Version}
	}
	return out
}

func testCreateAndGet(t *testing.T, s store.Store) {
	ctx := context.Background()
	d := titled("关于支持科技创新的若干措施")
	before := time.Now().Add(-time.Minute)
	p := must(s.CreateDraft(ctx, d))(t)
	u, err := uuid.Parse(p.ID)
	if err != nil || u.Version() != 7 {
		t.Errorf("id %q is not a UUIDv7 (%v)", p.ID, err)
	}
	if p.Status != corpus.StatusDraft || p.LatestVersion != 0 || p.Live != nil || p.Draft == nil || p.Draft.Revision != 1 {
		t.Fatalf("new policy = %+v, want a draft at revision 1 with no version", p)
	}
	if p.CreatedAt.Before(before) || p.CreatedAt.Location() != time.UTC || !p.UpdatedAt.Equal(p.CreatedAt) {
		t.Errorf("created %v updated %v: want a recent UTC time, equal", p.CreatedAt, p.UpdatedAt)
	}
	sameDoc(t, "draft", p.Draft.Document, d)
	got := must(s.GetPolicy(ctx, p.ID))(t)
	if got.ID != p.ID || got.Status != p.Status || !got.CreatedAt.Equal(p.CreatedAt) ||
		got.Draft == nil || got.Draft.Revision != 1 || !got.Draft.UpdatedAt.Equal(p.Draft.UpdatedAt) {
		t.Errorf("GetPolicy = %+v, want %+v", got, p)
	}
	sameDoc(t, "stored draft", got.Draft.Document, d)
	if vs := must(s.ListVersions(ctx, p.ID))(t); len(vs) != 0 {
		t.Errorf("a draft has versions: %+v", vs)
	}
	if e := drain(t, s, "c"); len(e) != 0 {
		t.Errorf("creating a draft wrote events: %+v", e)
	}
}

func testLifecycle(t *testing.T, s store.Store) {
	ctx := context.Background()
	d1, d2, d3, d4 := titled("初稿"), titled("修改稿"), titled("第二版"), titled("重新发布版")
	p := must(s.CreateDraft(ctx, d1))(t)
	id := p.ID
	p = must(s.UpdateDraft(ctx, id, d2, 1))(t)
	if p.Draft == nil || p.Draft.Revision != 2 || p.Status != corpus.StatusDraft {
		t.Fatalf("after update: %+v, want draft revision 2", p)
	}

	v1 := must(s.Publish(ctx, id, nil))(t)
	if v1.Version != 1 || v1.PolicyID != id || v1.PublishedAt.IsZero() {
		t.Fatalf("first publish = %+v", v1)
	}
	sameDoc(t, "version 1", v1.Document, d2)
	p = must(s.GetPolicy(ctx, id))(t)
	if p.Status != corpus.StatusPublished || p.LatestVersion != 1 || p.Draft != nil || p.Live == nil || p.Live.Version != 1 {
		t.Fatalf("after publish: %+v", p)
	}

	// Editing a published policy opens a draft and leaves the live version alone.
	p = must(s.UpdateDraft(ctx, id, d3, 0))(t)
	if p.Status != corpus.StatusPublished || p.Draft == nil || p.Draft.Revision != 3 || p.Live == nil {
		t.Fatalf("after editing the published policy: %+v", p)
	}
	p = must(s.GetPolicy(ctx, id))(t)
	sameDoc(t, "live while a draft is pending", p.Live.Document, d2)
	sameDoc(t, "pending draft", p.Draft.Document, d3)

	v2 := must(s.Publish(ctx, id, nil))(t)
	if v2.Version != 2 {
		t.Fatalf("second publish = version %d", v2.Version)
	}
	p = must(s.Retract(ctx, id, "已被新政策替代"))(t)
	if p.Status != corpus.StatusRetracted || p.RetractedAt.IsZero() || p.RetractReason != "已被新政策替代" ||
		p.LatestVersion != 2 || p.Live == nil || p.Live.Version != 2 {
		t.Fatalf("after retract: %+v", p)
	}
	if _, err := s.Publish(ctx, id, nil); !errors.Is(err, corpus.ErrNothingToPublish) {
		t.Fatalf("publish with no draft: %v, want ErrNothingToPublish", err)
	}
	p = must(s.UpdateDraft(ctx, id, d4, 0))(t)
	if p.Status != corpus.StatusRetracted || p.Draft == nil {
		t.Fatalf("draft on a retracted policy: %+v", p)
	}
	v3 := must(s.Publish(ctx, id, nil))(t)
	p = must(s.GetPolicy(ctx, id))(t)
	if v3.Version != 3 || p.Status != corpus.StatusPublished || p.LatestVersion != 3 ||
		!p.RetractedAt.IsZero() || p.RetractReason != "" || p.Draft != nil {
		t.Fatalf("after republish: version %d, %+v", v3.Version, p)
	}

	// History: every version as it was published, oldest first.
	vs := must(s.ListVersions(ctx, id))(t)
	if len(vs) != 3 {
		t.Fatalf("ListVersions: %d versions, want 3", len(vs))
	}
	for i, want := range []corpus.Document{d2, d3, d4} {
		if vs[i].Version != i+1 || vs[i].PolicyID != id {
			t.Errorf("versions[%d] = %d of %s", i, vs[i].Version, vs[i].PolicyID)
		}
		sameDoc(t, fmt.Sprintf("version %d", i+1), vs[i].Document, want)
		if i > 0 && vs[i].PublishedAt.Before(vs[i-1].PublishedAt) {
			t.Errorf("version %d published before version %d", i+1, i)
		}
		got := must(s.GetVersion(ctx, id, i+1))(t)
		sameDoc(t, fmt.Sprintf("GetVersion %d", i+1), got.Document, want)
		if !got.PublishedAt.Equal(vs[i].PublishedAt) {
			t.Errorf("GetVersion %d published at %v, ListVersions says %v", i+1, got.PublishedAt, vs[i].PublishedAt)
		}
	}
	if !v1.PublishedAt.Equal(vs[0].PublishedAt) {
		t.Errorf("Publish returned %v, stored %v", v1.PublishedAt, vs[0].PublishedAt)
	}

	got := drain(t, s, "lifecycle")
	want := []ev{
		{corpus.EventPublished, id, 1}, {corpus.EventPublished, id, 2},
		{corpus.EventRetracted, id, 2}, {corpus.EventPublished, id, 3},
	}
	if !slices.Equal(evs(got), want) {
		t.Fatalf("events = %+v, want %+v", evs(got), want)
	}
	for _, e := range got {
		if e.At.IsZero() {
			t.Errorf("event %d has no time", e.ID)
		}
	}
	if c := must(s.Cursor(ctx, "lifecycle"))(t); c != got[len(got)-1].ID {
		t.Errorf("cursor = %d, want %d", c, got[len(got)-1].ID)
	}
}

func testErrors(t *testing.T, s store.Store) {
	ctx := context.Background()
	missing := uuid.Must(uuid.NewV7()).String()
	draft := must(s.CreateDraft(ctx, titled("草稿")))(t)
	pub := must(s.CreateDraft(ctx, titled("已发布")))(t)
	must(s.Publish(ctx, pub.ID, nil))(t)
	ret := must(s.CreateDraft(ctx, titled("已废止")))(t)
	must(s.Publish(ctx, ret.ID, nil))(t)
	must(s.Retract(ctx, ret.ID, "废止"))(t)
	before := len(drain(t, s, "errors"))

	tests := []struct {
		name string
		call func() error
		want error
	}{
		{"GetPolicy missing", func() error { _, err := s.GetPolicy(ctx, missing); return err }, store.ErrNotFound},
		{"UpdateDraft missing", func() error { _, err := s.UpdateDraft(ctx, missing, titled("x"), 0); return err }, store.ErrNotFound},
		{"Publish missing", func() error { _, err := s.Publish(ctx, missing, nil); return err }, store.ErrNotFound},
		{"Retract missing", func() error { _, err := s.Retract(ctx, missing, "x"); return err }, store.ErrNotFound},
		{"GetVersion missing policy", func() error { _, err := s.GetVersion(ctx, missing, 1); return err }, store.ErrNotFound},
		{"GetVersion missing version", func() error { _, err := s.GetVersion(ctx, pub.ID, 2); return err }, store.ErrNotFound},
		{"GetVersion of a draft", func() error { _, err := s.GetVersion(ctx, draft.ID, 1); return err }, store.ErrNotFound},
		{"ListVersions missing", func() error { _, err := s.ListVersions(ctx, missing); return err }, store.ErrNotFound},
		{"Retract a draft", func() error { _, err := s.Retract(ctx, draft.ID, "x"); return err }, corpus.ErrNotPublished},
		{"Retract twice", func() error { _, err := s.Retract(ctx, ret.ID, "x"); return err }, corpus.ErrNotPublished},
		{"Publish without a draft", func() error { _, err := s.Publish(ctx, pub.ID, nil); return err }, corpus.ErrNothingToPublish},
	}
	for _, tc := range tests {
		if err := tc.call(); !errors.Is(err, tc.want) {
			t.Errorf("%s: error %v, want %v", tc.name, err, tc.want)
		}
	}
	if p := must(s.GetPolicy(ctx, draft.ID))(t); p.Status != corpus.StatusDraft || p.Draft.Revision != 1 {
		t.Errorf("failed calls changed the draft: %+v", p)
	}
	if p := must(s.GetPolicy(ctx, ret.ID))(t); p.Status != corpus.StatusRetracted || p.LatestVersion != 1 {
		t.Errorf("failed calls changed the retracted policy: %+v", p)
	}
	if after := drain(t, s, "other"); len(after) != before {
		t.Errorf("failed calls wrote events: %d events, want %d", len(after), before)
	}
}

func testConflict(t *testing.T, s store.Store) {
	ctx := context.Background()
	p := must(s.CreateDraft(ctx, titled("r1")))(t)
	must(s.UpdateDraft(ctx, p.ID, titled("r2"), 1))(t)
	if _, err := s.UpdateDraft(ctx, p.ID, titled("stale"), 1); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("update on a stale revision: %v, want ErrConflict", err)
	}
	got := must(s.GetPolicy(ctx, p.ID))(t)
	if got.Draft.Revision != 2 {
		t.Errorf("revision after a conflict = %d, want 2", got.Draft.Revision)
	}
	sameDoc(t, "draft after a conflict", got.Draft.Document, titled("r2"))
	if q := must(s.UpdateDraft(ctx, p.ID, titled("r3"), 2))(t); q.Draft.Revision != 3 {
		t.Fatalf("update on the current revision gave revision %d", q.Draft.Revision)
	}
	must(s.Publish(ctx, p.ID, nil))(t)
	// Publishing consumed the draft: an edit based on it must not silently
	// open a new one.
	if _, err := s.UpdateDraft(ctx, p.ID, titled("late"), 3); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("update based on a published draft: %v, want ErrConflict", err)
	}
	if got := must(s.GetPolicy(ctx, p.ID))(t); got.Draft != nil {
		t.Errorf("a conflicting update opened a draft: %+v", got.Draft)
	}
	q := must(s.UpdateDraft(ctx, p.ID, titled("r4"), 0))(t)
	if q.Draft.Revision != 4 {
		t.Errorf("new draft after publish has revision %d, want 4 (revisions never restart)", q.Draft.Revision)
	}
	if _, err := s.UpdateDraft(ctx, p.ID, titled("old"), 3); !errors.Is(err, store.ErrConflict) {
		t.Errorf("update based on an older draft's revision: %v, want ErrConflict", err)
	}
}

func testPublishCheckFails(t *testing.T, s store.Store) {
	ctx := context.Background()
	bad := errors.New("missing region")
	p := must(s.CreateDraft(ctx, titled("v1")))(t)
	var checked string
	must(s.Publish(ctx, p.ID, func(d corpus.Document) error { checked = d.Title; return nil }))(t)
	if checked != "v1" {
		t.Errorf("check saw %q, want the draft v1", checked)
	}
	must(s.UpdateDraft(ctx, p.ID, titled("v2"), 0))(t)
	if _, err := s.Publish(ctx, p.ID, func(d corpus.Document) error { checked = d.Title; return bad }); !errors.Is(err, bad) {
		t.Fatalf("publish with a failing check: %v, want %v", err, bad)
	}
	if checked != "v2" {
		t.Errorf("check saw %q, want the draft v2", checked)
	}
	got := must(s.GetPolicy(ctx, p.ID))(t)
	if got.Status != corpus.StatusPublished || got.LatestVersion != 1 || got.Draft == nil || got.Draft.Revision != 2 {
		t.Fatalf("after a failed check: %+v", got)
	}
	sameDoc(t, "live after a failed check", got.Live.Document, titled("v1"))
	sameDoc(t, "draft after a failed check", got.Draft.Document, titled("v2"))
	if vs := must(s.ListVersions(ctx, p.ID))(t); len(vs) != 1 {
		t.Errorf("%d versions after a failed check, want 1", len(vs))
	}

	// A never-published draft stays a draft.
	q := must(s.CreateDraft(ctx, titled("new")))(t)
	if _, err := s.Publish(ctx, q.ID, func(corpus.Document) error { return bad }); !errors.Is(err, bad) {
		t.Fatalf("publish with a failing check: %v", err)
	}
	if got := must(s.GetPolicy(ctx, q.ID))(t); got.Status != corpus.StatusDraft || got.LatestVersion != 0 || got.Draft == nil {
		t.Errorf("draft after a failed check: %+v", got)
	}
	if e := evs(drain(t, s, "c")); !slices.Equal(e, []ev{{corpus.EventPublished, p.ID, 1}}) {
		t.Errorf("events = %+v, want only the first publish", e)
	}
}

func testListFilters(t *testing.T, s store.Store) {
	ctx := context.Background()
	create := func(sp spec) string { return must(s.CreateDraft(ctx, doc(sp)))(t).ID }
	publish := func(id string) { must(s.Publish(ctx, id, nil))(t) }

	a := create(spec{"A", "370800", corpus.CategorySubsidy, corpus.AudienceEnterprise, ""})
	b := create(spec{"B", "370811", corpus.CategoryTax, corpus.AudienceResident, "2025-12-31"})
	publish(b)
	c := create(spec{"C", "370800", corpus.CategorySubsidy, corpus.AudienceBoth, "2025-06-30"})
	publish(c)
	d := create(spec{"D", "440100", corpus.CategoryEmployment, corpus.AudienceEnterprise, ""})
	publish(d)
	must(s.Retract(ctx, d, "废止"))(t)
	// E is listed by its live version, not by its pending draft.
	e := create(spec{"E", "440100", corpus.CategorySubsidy, corpus.AudienceEnterprise, ""})
	publish(e)
	must(s.UpdateDraft(ctx, e, doc(spec{"E2", "370800", corpus.CategoryTax, corpus.AudienceResident, "2020-01-01"}), 0))(t)
	// F was never published: it is listed by its latest draft.
	f := create(spec{"F", "100000", corpus.CategoryTalent, corpus.AudienceResident, ""})
	must(s.UpdateDraft(ctx, f, doc(spec{"F2", "370811", corpus.CategoryTalent, corpus.AudienceResident, ""}), 0))(t)

	today := corpus.MustDate("2025-07-01")
	tests := []struct {
		name   string
		filter store.PolicyFilter
		want   []string
	}{
		{"all", store.PolicyFilter{}, []string{f, e, d, c, b, a}},
		{"one region", store.PolicyFilter{Regions: []string{"370800"}}, []string{c, a}},
		{"regions", store.PolicyFilter{Regions: []string{"370811", "440100"}}, []string{f, e, d, b}},
		{"no such region", store.PolicyFilter{Regions: []string{"110000"}}, nil},
		{"category", store.PolicyFilter{Category: corpus.CategorySubsidy}, []string{e, c, a}},
		{"enterprise or both", store.PolicyFilter{Audience: corpus.AudienceEnterprise}, []string{e, d, c, a}},
		{"resident or both", store.PolicyFilter{Audience: corpus.AudienceResident}, []string{f, c, b}},
		{"draft", store.PolicyFilter{Status: corpus.StatusDraft}, []string{f, a}},
		{"published", store.PolicyFilter{Status: corpus.StatusPublished, Today: today}, []string{e, b}},
		{"expired", store.PolicyFilter{Status: corpus.StatusExpired, Today: today}, []string{c}},
		{"published on the last day", store.PolicyFilter{Status: corpus.StatusPublished, Today: corpus.MustDate("2025-06-30")}, []string{e, c, b}},
		{"retracted", store.PolicyFilter{Status: corpus.StatusRetracted}, []string{d}},
		{"combined", store.PolicyFilter{Regions: []string{"370800", "370811"}, Audience: corpus.AudienceResident,
			Status: corpus.StatusPublished, Today: today}, []string{b}},
		{"combined expired", store.PolicyFilter{Regions: []string{"370800", "370811"}, Category: corpus.CategorySubsidy,
			Status: corpus.StatusExpired, Today: today}, []string{c}},
	}
	for _, tc := range tests {
		page, err := s.ListPolicies(ctx, tc.filter)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		var got []string
		for _, p := range page.Policies {
			got = append(got, p.ID)
		}
		if !slices.Equal(got, tc.want) || page.NextPageToken != "" {
			t.Errorf("%s: got %v (next %q), want %v", tc.name, got, page.NextPageToken, tc.want)
		}
	}
	// Listed heads are whole: E carries its live version and its draft.
	page := must(s.ListPolicies(ctx, store.PolicyFilter{Regions: []string{"440100"}, Status: corpus.StatusPublished, Today: today}))(t)
	if len(page.Policies) != 1 || page.Policies[0].Live == nil || page.Policies[0].Draft == nil {
		t.Fatalf("listed E = %+v", page.Policies)
	}
	sameDoc(t, "listed live", page.Policies[0].Live.Document, doc(spec{"E", "440100", corpus.CategorySubsidy, corpus.AudienceEnterprise, ""}))
}

func testListPaging(t *testing.T, s store.Store) {
	ctx := context.Background()
	const n = store.MaxPageSize + 5
	var ids []string // newest first
	for i := range n {
		sp := spec{fmt.Sprintf("P%03d", i), "370800", corpus.CategorySubsidy, corpus.AudienceEnterprise, ""}
		if i%2 == 1 {
			sp.category = corpus.CategoryTax
		}
		ids = append([]string{must(s.CreateDraft(ctx, doc(sp)))(t).ID}, ids...)
	}
	walk := func(f store.PolicyFilter) (got []string, pages int) {
		t.Helper()
		for {
			page, err := s.ListPolicies(ctx, f)
			if err != nil {
				t.Fatalf("page %d: %v", pages, err)
			}
			pages++
			for _, p := range page.Policies {
				got = append(got, p.ID)
			}
			if page.NextPageToken == "" {
				return got, pages
			}
			if pages > n {
				t.Fatal("paging does not end")
			}
			f.PageToken = page.NextPageToken
		}
	}
	page := must(s.ListPolicies(ctx, store.PolicyFilter{}))(t)
	if len(page.Policies) != store.DefaultPageSize || page.NextPageToken == "" {
		t.Errorf("default page: %d policies, next %q", len(page.Policies), page.NextPageToken)
	}
	page = must(s.ListPolicies(ctx, store.PolicyFilter{PageSize: 10 * store.MaxPageSize}))(t)
	if len(page.Policies) != store.MaxPageSize || page.NextPageToken == "" {
		t.Errorf("oversized page: %d policies, want %d and more", len(page.Policies), store.MaxPageSize)
	}
	got, pages := walk(store.PolicyFilter{PageSize: 7})
	if !slices.Equal(got, ids) || pages != (n+6)/7 {
		t.Errorf("pages of 7: %d policies in %d pages, want all %d newest first in %d", len(got), pages, n, (n+6)/7)
	}
	var tax []string
	for i, id := range ids {
		if (n-1-i)%2 == 1 {
			tax = append(tax, id)
		}
	}
	if got, _ := walk(store.PolicyFilter{Category: corpus.CategoryTax, PageSize: 9}); !slices.Equal(got, tax) {
		t.Errorf("filtered paging: %d policies, want the %d 税收优惠 ones newest first", len(got), len(tax))
	}
	// Bad arguments name the field, so the API can say which one.
	for _, tc := range []struct {
		f     store.PolicyFilter
		field string
	}{
		{store.PolicyFilter{PageToken: "not a token"}, "page_token"},
		{store.PolicyFilter{PageToken: "Zm9v"}, "page_token"},
		{store.PolicyFilter{PageSize: -1}, "page_size"},
		{store.PolicyFilter{Status: "lost"}, "status"},
	} {
		var fe *corpus.FieldError
		if _, err := s.ListPolicies(ctx, tc.f); !errors.As(err, &fe) || fe.Field != tc.field {
			t.Errorf("ListPolicies(%+v): error %v, want a field error on %s", tc.f, err, tc.field)
		}
	}
}

func testExpireDue(t *testing.T, s store.Store) {
	ctx := context.Background()
	create := func(sp spec, publish bool) string {
		id := must(s.CreateDraft(ctx, doc(sp)))(t).ID
		if publish {
			must(s.Publish(ctx, id, nil))(t)
		}
		return id
	}
	a := create(spec{"A", "370800", corpus.CategorySubsidy, corpus.AudienceEnterprise, "2025-06-30"}, true)
	b := create(spec{"B", "370800", corpus.CategorySubsidy, corpus.AudienceEnterprise, "2025-12-31"}, true)
	create(spec{"C", "370800", corpus.CategorySubsidy, corpus.AudienceEnterprise, ""}, true)
	d := create(spec{"D", "370800", corpus.CategorySubsidy, corpus.AudienceEnterprise, "2025-01-01"}, true)
	must(s.Retract(ctx, d, "废止"))(t)
	create(spec{"E", "370800", corpus.CategorySubsidy, corpus.AudienceEnterprise, "2025-01-01"}, false)
	drain(t, s, "expire")

	republish := func(effective string) {
		must(s.UpdateDraft(ctx, a, doc(spec{"A", "370800", corpus.CategorySubsidy, corpus.AudienceEnterprise, effective}), 0))(t)
		must(s.Publish(ctx, a, nil))(t)
	}
	steps := []struct {
		name   string
		before func()
		today  string
		want   []ev
	}{
		{"on the last day", nil, "2025-06-30", nil},
		{"the day after", nil, "2025-07-01", []ev{{corpus.EventExpired, a, 1}}},
		{"again", nil, "2025-07-01", nil},
		{"later still", nil, "2025-08-01", nil},
		{"republished, still lapsed", func() { republish("2025-06-30") }, "2025-07-01",
			[]ev{{corpus.EventPublished, a, 2}, {corpus.EventExpired, a, 2}}},
		{"republished, in force", func() { republish("2026-01-01") }, "2025-07-01", []ev{{corpus.EventPublished, a, 3}}},
		{"next year", nil, "2026-01-02", []ev{{corpus.EventExpired, a, 3}, {corpus.EventExpired, b, 1}}},
		{"next year again", nil, "2026-01-02", nil},
	}
	for _, st := range steps {
		if st.before != nil {
			st.before()
		}
		n, err := s.ExpireDue(ctx, corpus.MustDate(st.today))
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		got := evs(drain(t, s, "expire"))
		expired := 0
		for _, e := range st.want {
			if e.Kind == corpus.EventExpired {
				expired++
			}
		}
		slices.SortFunc(got, cmpEv)
		want := slices.SortedFunc(slices.Values(st.want), cmpEv)
		if n != expired || !slices.Equal(got, want) {
			t.Errorf("%s: ExpireDue = %d, events %+v; want %d, %+v", st.name, n, got, expired, want)
		}
	}
	if _, err := s.ExpireDue(ctx, corpus.Date{}); err == nil {
		t.Error("ExpireDue without a date: no error")
	}
}

func cmpEv(x, y ev) int {
	if x.Policy != y.Policy {
		if x.Policy < y.Policy {
			return -1
		}
		return 1
	}
	if x.Version != y.Version {
		return x.Version - y.Version
	}
	switch {
	case x.Kind < y.Kind:
		return -1
	case x.Kind > y.Kind:
		return 1
	}
	return 0
}

func testConsumeHandlerError(t *testing.T, s store.Store) {
	ctx := context.Background()
	for i := range 3 {
		id := must(s.CreateDraft(ctx, titled(fmt.Sprint(i))))(t).ID
		must(s.Publish(ctx, id, nil))(t)
	}
	boom := errors.New("index down")
	n, err := s.Consume(ctx, "c", 2, func(context.Context, []store.Event) error { return boom })
	if !errors.Is(err, boom) || n != 0 {
		t.Fatalf("failing handler: n=%d err=%v, want 0 and %v", n, err, boom)
	}
	if c := must(s.Cursor(ctx, "c"))(t); c != 0 {
		t.Fatalf("cursor moved after a failed handler: %d", c)
	}
	// A panicking handler leaves no transaction or lock behind: the next
	// call gets the same events (the deadline only guards against a hang).
	func() {
		defer func() { _ = recover() }()
		_, _ = s.Consume(ctx, "c", 2, func(context.Context, []store.Event) error { panic("handler bug") })
	}()
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	var first []store.Event
	n = must(s.Consume(ctx, "c", 2, func(_ context.Context, evs []store.Event) error { first = evs; return nil }))(t)
	if n != 2 || len(first) != 2 {
		t.Fatalf("after the failure: handled %d (%d events), want the same 2 again", n, len(first))
	}
	if c := must(s.Cursor(ctx, "c"))(t); c != first[1].ID {
		t.Errorf("cursor = %d, want %d", c, first[1].ID)
	}
	rest := drain(t, s, "c")
	if len(rest) != 1 || rest[0].ID <= first[1].ID {
		t.Errorf("rest = %+v, want the third event", rest)
	}
	called := false
	if n := must(s.Consume(ctx, "c", 2, func(context.Context, []store.Event) error { called = true; return nil }))(t); n != 0 || called {
		t.Errorf("nothing left: handled %d, handler called %v", n, called)
	}
	if other := drain(t, s, "d"); len(other) != 3 {
		t.Errorf("a second consumer saw %d events, want all 3", len(other))
	}
	if c := must(s.Cursor(ctx, "never"))(t); c != 0 {
		t.Errorf("cursor of an unknown consumer = %d", c)
	}
}

// testOutboxConcurrent is the outbox's main promise: with writers committing
// concurrently and a consumer reading at the same time, the consumer sees
// every event exactly once, in id order, and each policy's events in the
// order they were committed.
func testOutboxConcurrent(t *testing.T, s store.Store) {
	ctx := context.Background()
	const (
		policies = 12
		writers  = 6
		ops      = 30
	)
	ids := make([]string, policies)
	for i := range ids {
		ids[i] = must(s.CreateDraft(ctx, titled(fmt.Sprintf("政策%d", i))))(t).ID
	}

	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		expected []ev // one per successful Publish or Retract
		done     = make(chan struct{})
	)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 42))
			for range ops {
				id := ids[rng.IntN(policies)]
				var e ev
				if rng.IntN(4) == 0 {
					p, err := s.Retract(ctx, id, "并发测试")
					if errors.Is(err, corpus.ErrNotPublished) {
						continue
					}
					if err != nil {
						t.Errorf("retract: %v", err)
						return
					}
					e = ev{corpus.EventRetracted, id, p.LatestVersion}
				} else {
					if _, err := s.UpdateDraft(ctx, id, titled(fmt.Sprintf("w%d", w)), 0); err != nil {
						t.Errorf("update: %v", err)
						return
					}
					v, err := s.Publish(ctx, id, nil)
					if errors.Is(err, corpus.ErrNothingToPublish) {
						continue // another writer published our draft first
					}
					if err != nil {
						t.Errorf("publish: %v", err)
						return
					}
					e = ev{corpus.EventPublished, id, v.Version}
				}
				mu.Lock()
				expected = append(expected, e)
				mu.Unlock()
			}
		}()
	}

	var seen []store.Event
	consumed := make(chan error, 1)
	go func() {
		for {
			finished := false
			select {
			case <-done:
				finished = true
			default:
			}
			n, err := s.Consume(ctx, "indexer", 7, func(_ context.Context, evs []store.Event) error {
				seen = append(seen, evs...)
				return nil
			})
			if err != nil {
				consumed <- err
				return
			}
			if n == 0 {
				if finished {
					consumed <- nil
					return
				}
				time.Sleep(time.Millisecond) // pacing only
			}
		}
	}()
	wg.Wait()
	close(done)
	if err := <-consumed; err != nil {
		t.Fatalf("consumer: %v", err)
	}

	if len(expected) < writers*ops/2 {
		t.Fatalf("only %d of %d operations wrote events", len(expected), writers*ops)
	}
	for i := 1; i < len(seen); i++ {
		if seen[i].ID <= seen[i-1].ID {
			t.Fatalf("event ids not strictly increasing: %d after %d", seen[i].ID, seen[i-1].ID)
		}
	}
	got := slices.SortedFunc(slices.Values(evs(seen)), cmpEv)
	want := slices.SortedFunc(slices.Values(expected), cmpEv)
	if !slices.Equal(got, want) {
		t.Fatalf("consumer saw %d events, writers committed %d; they differ", len(got), len(want))
	}
	// Per policy, in consumption order: versions published 1, 2, 3 ...; a
	// retraction names the version live at the time.
	last := map[string]int{}
	for _, e := range seen {
		switch e.Kind {
		case corpus.EventPublished:
			if e.Version != last[e.PolicyID]+1 {
				t.Fatalf("policy %s: version %d published after version %d", e.PolicyID, e.Version, last[e.PolicyID])
			}
			last[e.PolicyID] = e.Version
		case corpus.EventRetracted:
			if e.Version != last[e.PolicyID] {
				t.Fatalf("policy %s: retraction of version %d while %d is live", e.PolicyID, e.Version, last[e.PolicyID])
			}
		}
	}
	for _, id := range ids {
		if p := must(s.GetPolicy(ctx, id))(t); p.LatestVersion != last[id] {
			t.Errorf("policy %s: latest version %d, events end at %d", id, p.LatestVersion, last[id])
		}
	}
	if c := must(s.Cursor(ctx, "indexer"))(t); len(seen) > 0 && c != seen[len(seen)-1].ID {
		t.Errorf("cursor = %d, want %d", c, seen[len(seen)-1].ID)
	}
}

// testConsumersSameName runs several consumers under one name at once: they
// share the work and never both see an event.
func testConsumersSameName(t *testing.T, s store.Store) {
	ctx := context.Background()
	const events = 40
	var want []int64
	for i := range events {
		id := must(s.CreateDraft(ctx, titled(fmt.Sprint(i))))(t).ID
		must(s.Publish(ctx, id, nil))(t)
	}
	for _, e := range drain(t, s, "reference") {
		want = append(want, e.ID)
	}
	if len(want) != events {
		t.Fatalf("%d events, want %d", len(want), events)
	}

	const consumers = 3
	seen := make([][]int64, consumers)
	var wg sync.WaitGroup
	for c := range consumers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				n, err := s.Consume(ctx, "shared", 3, func(_ context.Context, evs []store.Event) error {
					for _, e := range evs {
						seen[c] = append(seen[c], e.ID)
						runtime.Gosched() // let the others try to get in
					}
					return nil
				})
				if err != nil {
					t.Errorf("consumer %d: %v", c, err)
					return
				}
				if n == 0 {
					return
				}
			}
		}()
	}
	wg.Wait()
	var all []int64
	for c := range consumers {
		if !slices.IsSorted(seen[c]) {
			t.Errorf("consumer %d saw ids out of order: %v", c, seen[c])
		}
		all = append(all, seen[c]...)
	}
	slices.Sort(all)
	if !slices.Equal(all, want) {
		t.Errorf("together the consumers saw %v, want each of %v once", all, want)
	}
}
