package sweep

import (
	"testing"

	"github.com/zhida/zhida/corpus"
	"github.com/zhida/zhida/matcher"
)

// A grant's facts are the keys its conditions read that the profile has,
// each with its value, whether it is verified, and its source: the
// profile's "sources" entry for the key, else its "data_owner".
func TestGrantFactsSources(t *testing.T) {
	line := `{"kind":"enterprise","id":"914401000000000784","region":"440106","tags":["高新技术企业"],
		"employees":120,"revenue":{"2025":30000000},"verified":["region","tags","revenue"],
		"sources":{"tags":"广州市科学技术局","revenue":"国家税务总局广州市税务局"},"data_owner":"广州市政务服务数据管理局"}`
	ps := matcher.NewParser(matcher.ParseOptions{})
	p, err := ps.ParseLine([]byte(line), 1)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	data, err := p.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	cond := corpus.All(
		corpus.Atom("region", corpus.OpWithin, corpus.String("440100"), "注册在广州市"),
		corpus.Atom("tags", corpus.OpHas, corpus.String("高新技术企业"), "高新技术企业"),
		corpus.Atom("revenue", corpus.OpGte, corpus.Number(1e7), "上年度营业收入不低于1000万元").WithYear(-1),
		corpus.Atom("employees", corpus.OpLte, corpus.Number(300), "从业人员300人以下"),
		corpus.Atom("dishonest", corpus.OpEq, corpus.Bool(false), "未被列入严重失信主体名单"))
	got := grantFacts(&corpus.Benefit{Conditions: &cond}, &p, data)
	want := []Fact{
		{Key: "region", Value: []byte(`"440106"`), Verified: true, Source: "广州市政务服务数据管理局"},
		{Key: "tags", Value: []byte(`["高新技术企业"]`), Verified: true, Source: "广州市科学技术局"},
		{Key: "revenue", Value: []byte(`{"2025":30000000}`), Verified: true, Source: "国家税务总局广州市税务局"},
		{Key: "employees", Value: []byte(`120`), Verified: false, Source: "广州市政务服务数据管理局"},
	}
	if len(got) != len(want) {
		t.Fatalf("facts: %+v; want %+v (dishonest is absent from the profile)", got, want)
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.Key != w.Key || string(g.Value) != string(w.Value) || g.Verified != w.Verified || g.Source != w.Source {
			t.Errorf("fact %d: %s=%s verified %v source %q; want %s=%s verified %v source %q",
				i, g.Key, g.Value, g.Verified, g.Source, w.Key, w.Value, w.Verified, w.Source)
		}
	}
}
