package matcher

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/zhida/zhida/corpus"
)

func mustProfile(t *testing.T, line string) Profile {
	t.Helper()
	p, err := testParser.ParseLine([]byte(line), 1)
	if err != nil {
		t.Fatalf("%s: %v", line, err)
	}
	return p
}

func mustCond(t *testing.T, js string) corpus.Cond {
	t.Helper()
	var c corpus.Cond
	if err := json.Unmarshal([]byte(js), &c); err != nil {
		t.Fatalf("%s: %v", js, err)
	}
	return c
}

// TestEvalSemantics pins CONTRACT §2: each row is a tree, a profile and the
// Kleene value the contract gives.
func TestEvalSemantics(t *testing.T) {
	at := corpus.MustDate("2024-06-30")
	const ent = `{"kind":"enterprise","id":"91321002MA37124213",`
	const res = `{"kind":"resident","id":"r",`
	for _, tc := range []struct {
		name, cond, profile string
		want                Tri
	}{
		{"missing key", `{"field":"employees","op":"lte","value":100}`, ent + `"region":"321002"}`, Unknown},
		{"number true", `{"field":"employees","op":"lte","value":100}`, ent + `"employees":100}`, True},
		{"number false", `{"field":"employees","op":"lt","value":100}`, ent + `"employees":100}`, False},
		{"tags absent", `{"field":"tags","op":"has","value":"高新技术企业"}`, ent + `"region":"321002"}`, Unknown},
		{"tags without", `{"field":"tags","op":"has","value":"高新技术企业"}`, ent + `"tags":[]}`, False},
		{"tags with", `{"field":"tags","op":"has","value":"高新技术企业"}`, ent + `"tags":["高新技术企业"]}`, True},
		{"year default -1", `{"field":"revenue","op":"gte","value":100}`, ent + `"revenue":{"2023":100,"2024":1}}`, True},
		{"year -1 only other year", `{"field":"revenue","op":"gte","value":100}`, ent + `"revenue":{"2024":500}}`, Unknown},
		{"year 0", `{"field":"revenue","op":"gte","value":100,"year":0}`, ent + `"revenue":{"2023":100,"2024":1}}`, False},
		{"rd_ratio", `{"field":"rd_ratio","op":"gte","value":0.03}`, ent + `"revenue":{"2023":1000},"rd_expense":{"2023":30}}`, True},
		{"rd_ratio no rd", `{"field":"rd_ratio","op":"gte","value":0.03}`, ent + `"revenue":{"2023":1000}}`, Unknown},
		{"established anniversary", `{"field":"established_years","op":"gte","value":3}`, ent + `"established":"2021-06-30"}`, True},
		{"established a day short", `{"field":"established_years","op":"gte","value":3}`, ent + `"established":"2021-07-01"}`, False},
		{"age on birthday", `{"field":"age","op":"gte","value":60}`, res + `"birth_date":"1964-06-30"}`, True},
		{"age day before", `{"field":"age","op":"gte","value":60}`, res + `"birth_date":"1964-07-01"}`, False},
		{"age from id_card", `{"field":"age","op":"gte","value":60}`, res + `"id_card":"11010519640301001X"}`, True},
		{"graduation_years", `{"field":"graduation_years","op":"lt","value":2}`, res + `"graduation_date":"2022-07-01"}`, True},
		{"graduation_years 2", `{"field":"graduation_years","op":"lt","value":2}`, res + `"graduation_date":"2022-06-30"}`, False},
		{"region within city", `{"field":"region","op":"within","value":"321000"}`, ent + `"region":"321002"}`, True},
		{"region within province", `{"field":"region","op":"within","value":"320000"}`, ent + `"region":"321002"}`, True},
		{"region within national", `{"field":"region","op":"within","value":"100000"}`, ent + `"region":"321002"}`, True},
		{"region other city", `{"field":"region","op":"within","value":"320100"}`, ent + `"region":"321002"}`, False},
		{"region coarse profile", `{"field":"region","op":"within","value":"110105"}`, ent + `"region":"110100"}`, Unknown},
		{"region province profile", `{"field":"region","op":"within","value":"321000"}`, ent + `"region":"320000"}`, Unknown},
		{"region national profile", `{"field":"region","op":"within","value":"321000"}`, ent + `"region":"100000"}`, Unknown},
		{"region coarse elsewhere", `{"field":"region","op":"within","value":"110105"}`, ent + `"region":"120100"}`, False},
		{"region missing", `{"field":"region","op":"within","value":"100000"}`, ent + `"employees":1}`, Unknown},
		{"industry within", `{"field":"industry","op":"within","value":"C39"}`, ent + `"industry":"C3911"}`, True},
		{"industry within section", `{"field":"industry","op":"within","value":"C"}`, ent + `"industry":"C3911"}`, True},
		{"industry coarse profile", `{"field":"industry","op":"within","value":"C3911"}`, ent + `"industry":"C39"}`, Unknown},
		{"industry other", `{"field":"industry","op":"within","value":"C38"}`, ent + `"industry":"C3911"}`, False},
		{"scale in", `{"field":"scale","op":"in","value":["small","micro"]}`, ent + `"scale":"micro"}`, True},
		{"scale not_in", `{"field":"scale","op":"not_in","value":["small","micro"]}`, ent + `"scale":"micro"}`, False},
		{"dishonest", `{"field":"dishonest","op":"eq","value":false}`, ent + `"dishonest":false}`, True},
		{"birth_date window", `{"all":[{"field":"birth_date","op":"gte","value":"2022-09-01"},{"field":"birth_date","op":"lte","value":"2023-08-31"}]}`, res + `"birth_date":"2023-08-31"}`, True},
		{"unparsed", `{"field":"unparsed","op":"eq","value":true,"text":"x"}`, ent + `"employees":1}`, Unknown},
		{"all unknown false", `{"all":[{"field":"employees","op":"gt","value":5},{"field":"unparsed","op":"eq","value":true}]}`, ent + `"employees":1}`, False},
		{"any unknown true", `{"any":[{"field":"employees","op":"gt","value":0},{"field":"unparsed","op":"eq","value":true}]}`, ent + `"employees":1}`, True},
		{"any unknown false", `{"any":[{"field":"employees","op":"gt","value":5},{"field":"unparsed","op":"eq","value":true}]}`, ent + `"employees":1}`, Unknown},
		{"not unknown", `{"not":{"field":"unparsed","op":"eq","value":true}}`, ent + `"employees":1}`, Unknown},
		{"not false", `{"not":{"field":"region","op":"within","value":"110000"}}`, ent + `"region":"321002"}`, True},
		// Kleene literally: both branches would hold for any value, still unknown.
		{"kleene literal", `{"any":[{"all":[{"field":"insured_employees","op":"gt","value":30},{"field":"layoff_rate","op":"lte","value":0.06}]},{"all":[{"field":"insured_employees","op":"lte","value":30},{"field":"layoff_rate","op":"lte","value":0.2}]}]}`, ent + `"layoff_rate":0.03}`, Unknown},
		{"empty all", `{"all":[]}`, ent + `"employees":1}`, True},
	} {
		c := mustCond(t, tc.cond)
		p := mustProfile(t, tc.profile)
		got, score := Eval(&c, &p, at)
		if got != tc.want {
			t.Errorf("%s: got %s, want %s", tc.name, got, tc.want)
		}
		if (score == 1) != (got == True) || score < 0 || score > 1 {
			t.Errorf("%s: score %v for %s", tc.name, score, got)
		}
		// The compiled form agrees on every row.
		set, err := Compile([]Policy{{Benefits: []corpus.Benefit{{Conditions: &c}}}}, CompileOptions{At: at})
		if err != nil {
			t.Fatal(err)
		}
		ct, cs := set.evalNode(set.progs[0].root, &p, nil)
		if ct != got || cs != score {
			t.Errorf("%s: compiled %s %v, reference %s %v", tc.name, ct, cs, got, score)
		}
	}
}

func TestEvalBenefitExplainsAndGrants(t *testing.T) {
	at := corpus.MustDate("2024-06-30")
	tree := mustCond(t, `{"all":[
		{"field":"region","op":"within","value":"110000","text":"本市户籍"},
		{"field":"age","op":"gte","value":60,"text":"年满60周岁"},
		{"not":{"field":"tags","op":"has","value":"特困人员","text":"特困人员除外"}},
		{"field":"income_per_capita_monthly","op":"lte","value":2000,"text":"人均月收入不超过2000元"}]}`)
	b := corpus.Benefit{Name: "补贴", ApplyFree: true, Conditions: &tree}
	p := mustProfile(t, `{"kind":"resident","id":"r","region":"110105","id_card":"11010519640301001X","tags":[],"verified":["region","tags"]}`)
	r := EvalBenefit(&b, corpus.AudienceResident, &p, at)
	if r.Verdict != Unknown || r.Grant {
		t.Fatalf("verdict %s grant %v", r.Verdict, r.Grant)
	}
	if !slices.Equal(r.Met, []string{"本市户籍", "年满60周岁", "特困人员除外"}) || len(r.Unmet) != 0 ||
		!slices.Equal(r.Missing, []string{"income_per_capita_monthly"}) {
		t.Errorf("met %v unmet %v missing %v", r.Met, r.Unmet, r.Missing)
	}
	// With the income known the benefit is eligible; the grant still needs
	// the age verified, which rests on id_card.
	p = mustProfile(t, `{"kind":"resident","id":"r","region":"110105","id_card":"11010519640301001X","tags":[],"income_per_capita_monthly":1500,"verified":["region","tags","income_per_capita_monthly"]}`)
	if r = EvalBenefit(&b, corpus.AudienceResident, &p, at); r.Verdict != True || r.Grant {
		t.Errorf("unverified id_card: verdict %s grant %v", r.Verdict, r.Grant)
	}
	if !slices.Equal(r.Unverified, []string{"id_card"}) {
		t.Errorf("unverified %v, want [id_card]", r.Unverified)
	}
	p = mustProfile(t, `{"kind":"resident","id":"r","region":"110105","id_card":"11010519640301001X","tags":[],"income_per_capita_monthly":1500,"verified":["region","tags","income_per_capita_monthly","id_card"]}`)
	if r = EvalBenefit(&b, corpus.AudienceResident, &p, at); r.Verdict != True || !r.Grant {
		t.Errorf("verified id_card: verdict %s grant %v", r.Verdict, r.Grant)
	}
	b.ApplyFree = false
	if r = EvalBenefit(&b, corpus.AudienceResident, &p, at); r.Grant {
		t.Error("a benefit that is not apply-free granted")
	}
	// The other kind of subject is ineligible whatever the tree says.
	e := mustProfile(t, `{"kind":"enterprise","id":"91321002MA37124213","region":"110105"}`)
	if r = EvalBenefit(&b, corpus.AudienceResident, &e, at); r.Verdict != False {
		t.Errorf("enterprise for a resident benefit: %s", r.Verdict)
	}
}

func TestScoreRanksNearMisses(t *testing.T) {
	at := corpus.MustDate("2024-06-30")
	tree := mustCond(t, `{"all":[{"field":"employees","op":"gte","value":10},{"field":"insured_employees","op":"gte","value":10},{"field":"layoff_rate","op":"lte","value":0.05}]}`)
	score := func(line string) (Tri, float64) {
		p := mustProfile(t, line)
		return Eval(&tree, &p, at)
	}
	_, oneMiss := score(`{"kind":"enterprise","id":"91321002MA37124213","employees":20,"insured_employees":20,"layoff_rate":0.1}`)
	_, twoMiss := score(`{"kind":"enterprise","id":"91321002MA37124213","employees":20,"insured_employees":2,"layoff_rate":0.1}`)
	u, unknown := score(`{"kind":"enterprise","id":"91321002MA37124213","employees":20,"insured_employees":20}`)
	if !(oneMiss > twoMiss) || u != Unknown || !(unknown > oneMiss) || unknown >= 1 {
		t.Errorf("scores: one miss %v, two misses %v, unknown %v", oneMiss, twoMiss, unknown)
	}
}

func TestAudienceInference(t *testing.T) {
	tree := mustCond(t, `{"all":[{"field":"region","op":"within","value":"120000"},{"field":"tags","op":"has","value":"残疾人"}]}`)
	b := corpus.Benefit{Conditions: &tree}
	if a := Audience(&b, ""); a != corpus.AudienceResident {
		t.Errorf("resident tag: %s", a)
	}
	if a := Audience(&b, corpus.AudienceEnterprise); a != corpus.AudienceEnterprise {
		t.Errorf("policy audience ignored: %s", a)
	}
	only := mustCond(t, `{"field":"region","op":"within","value":"120000"}`)
	if a := Audience(&corpus.Benefit{Conditions: &only}, ""); a != corpus.AudienceBoth {
		t.Errorf("region only: %s", a)
	}
}

func TestExplainSkipsFailedAlternatives(t *testing.T) {
	at := corpus.MustDate("2021-10-31")
	tree := mustCond(t, `{"all":[
		{"any":[
			{"all":[{"field":"insured_employees","op":"gt","value":30,"text":"30人以上"},{"field":"layoff_rate","op":"lte","value":0.06,"text":"裁员率≤6%"}]},
			{"all":[{"field":"insured_employees","op":"lte","value":30,"text":"30人及以下"},{"field":"layoff_rate","op":"lte","value":0.2,"text":"裁员率≤20%"}]}]},
		{"not":{"any":[{"field":"dishonest","op":"eq","value":true,"text":"失信"},{"field":"tags","op":"has","value":"上市企业","text":"上市"}]}}]}`)
	b := corpus.Benefit{Name: "稳岗返还", Conditions: &tree}
	p := mustProfile(t, `{"kind":"enterprise","id":"91321002MA37124213","insured_employees":30,"layoff_rate":0.1,"dishonest":false,"tags":[]}`)
	r := EvalBenefit(&b, corpus.AudienceEnterprise, &p, at)
	if r.Verdict != True {
		t.Fatalf("verdict %s", r.Verdict)
	}
	if !slices.Equal(r.Met, []string{"30人及以下", "裁员率≤20%", "失信", "上市"}) || len(r.Unmet) != 0 {
		t.Errorf("met %v unmet %v", r.Met, r.Unmet)
	}
	// When no alternative holds, every failed one is a reason.
	p = mustProfile(t, `{"kind":"enterprise","id":"91321002MA37124213","insured_employees":30,"layoff_rate":0.3,"dishonest":true,"tags":[]}`)
	r = EvalBenefit(&b, corpus.AudienceEnterprise, &p, at)
	if r.Verdict != False || !slices.Equal(r.Unmet, []string{"30人以上", "裁员率≤6%", "裁员率≤20%", "失信"}) {
		t.Errorf("verdict %s unmet %v met %v", r.Verdict, r.Unmet, r.Met)
	}
}
