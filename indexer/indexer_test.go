package indexer

import (
	"slices"
	"testing"

	"github.com/zhida/zhida/corpus"
)

func TestNewDoc(t *testing.T) {
	v := corpus.Version{PolicyID: "p", Version: 4, Document: corpus.Document{
		Title: "t", Region: "440106", Audience: corpus.AudienceResident,
		Benefits: []corpus.Benefit{
			{Name: "甲补贴", Audience: corpus.AudienceEnterprise},
			{Name: "乙补贴", ApplyFree: true},
			{Name: "甲补贴"},
		},
	}}
	d := NewDoc(v, corpus.StatusPublished)
	if d.PolicyID != "p" || d.Version != 4 || d.Status != corpus.StatusPublished {
		t.Errorf("identity: %+v", d)
	}
	if want := []string{"440106", "440100", "440000", "100000"}; !slices.Equal(d.Regions, want) {
		t.Errorf("Regions = %v, want %v", d.Regions, want)
	}
	if d.Level != corpus.LevelCounty {
		t.Errorf("Level = %q, derived from the region should be 县", d.Level)
	}
	if want := []corpus.Audience{corpus.AudienceResident, corpus.AudienceEnterprise}; !slices.Equal(d.Audiences, want) {
		t.Errorf("Audiences = %v, want the policy's and the benefits' (%v)", d.Audiences, want)
	}
	if !d.ApplyFree || !slices.Equal(d.Benefits, []string{"甲补贴", "乙补贴"}) {
		t.Errorf("ApplyFree %v, Benefits %v", d.ApplyFree, d.Benefits)
	}
	both := NewDoc(corpus.Version{Document: corpus.Document{Audience: corpus.AudienceBoth, Region: "100000"}}, corpus.StatusPublished)
	if len(both.Audiences) != 2 || both.Level != corpus.LevelNational || !slices.Equal(both.Regions, []string{"100000"}) {
		t.Errorf("both/national: %+v", both)
	}
}

func TestQueryNormalize(t *testing.T) {
	q, err := Query{Limit: 5000, Audience: corpus.AudienceBoth}.Normalize()
	if err != nil || q.Limit != MaxLimit || q.Audience != "" || q.Today.IsZero() {
		t.Errorf("Normalize = %+v, %v", q, err)
	}
	if q, _ := (Query{}).Normalize(); q.Limit != DefaultLimit {
		t.Errorf("default limit %d", q.Limit)
	}
	for _, bad := range []Query{{Offset: -1}, {Limit: -1}, {Audience: "x"}} {
		if _, err := bad.Normalize(); err == nil {
			t.Errorf("Normalize(%+v): no error", bad)
		}
	}
}

func TestDateOfNum(t *testing.T) {
	for _, tc := range []struct {
		n    int
		want string
	}{{20250312, "2025-03-12"}, {0, ""}, {-1, ""}, {20251301, ""}, {OpenEnd, "9999-12-31"}} {
		got := DateOfNum(tc.n)
		if (tc.want == "" && !got.IsZero()) || (tc.want != "" && got.String() != tc.want) {
			t.Errorf("DateOfNum(%d) = %v, want %q", tc.n, got, tc.want)
		}
		if tc.want != "" && DateNum(got) != tc.n {
			t.Errorf("DateNum(DateOfNum(%d)) = %d", tc.n, DateNum(got))
		}
	}
}
