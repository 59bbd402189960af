package extract

import (
	"strings"
	"testing"

	"github.com/zhida/zhida/corpus"
)

func TestSubgroupRequirement(t *testing.T) {
	ctx := &docContext{region: "440100", audience: corpus.AudienceResident}
	tests := []struct {
		s    string
		want string // "" when not such a clause
	}{
		{"在本市企业就业的申请人，应当已连续缴纳社会保险6个月以上", `any(employment ne "employed", ?)`},
		{"从事灵活就业的人员须按时缴纳养老保险费", `any(employment ne "self_employed", ?)`},
		{"符合条件的申请人应当提交身份证明", ``}, // no part of the subjects
		{"申请人应当具有本市户籍", ``},
	}
	for _, tt := range tests {
		cond, ok := subgroupRequirement(tt.s, ctx)
		got := ""
		if ok {
			got = shape(cond)
		}
		if got != tt.want {
			t.Errorf("subgroupRequirement(%q) = %q, want %q", tt.s, got, tt.want)
		}
	}
}

func TestNegateAtom(t *testing.T) {
	tests := []struct {
		in   corpus.Cond
		want string
	}{
		{corpus.Atom("age", corpus.OpGte, corpus.Number(18), ""), `age lt 18`},
		{corpus.Atom("employment", corpus.OpIn, corpus.Strings("employed", "self_employed"), ""), `employment not_in ["employed","self_employed"]`},
		{corpus.Atom("tags", corpus.OpHas, corpus.String("残疾人"), ""), `not(tags has "残疾人")`},
	}
	for _, tt := range tests {
		if got := shape(negateAtom(tt.in)); got != tt.want {
			t.Errorf("negateAtom(%s) = %s, want %s", shape(tt.in), got, tt.want)
		}
	}
}

// TestModifierOr checks that an 或 joining two papers inside a modifier does
// not split the requirement into alternatives.
func TestModifierOr(t *testing.T) {
	text := "康复补贴办法\n补贴对象为本市户籍的以下人员：\n（一）持有医院出具的病历或者诊断证明的3-6岁儿童；\n（二）持有残疾人证的残疾人。\n每人补贴2000元。\n"
	got := strings.Join(benefitShapes(t, text, "440100"), "\n")
	want := `all(region within "440100", any(all(?, age gte 3, age lte 6), tags has "残疾人"))`
	if got != want {
		t.Errorf("got\n  %s\nwant\n  %s", got, want)
	}
}

// TestFallbackAlternatives checks that a fallback for those who miss a
// requirement is its alternative.
func TestFallbackAlternatives(t *testing.T) {
	text := "人才补贴办法\n申请人应符合以下条件：\n1.具有本市户籍；\n2.具有大学本科以上学历；不符合学历条件的，上年度年薪应在20万元以上。\n符合条件的给予每人每月1000元补贴。\n"
	got := strings.Join(benefitShapes(t, text, "440100"), "\n")
	want := `all(region within "440100", any(degree in ["bachelor","master","doctor"], ?))`
	if got != want {
		t.Errorf("got\n  %s\nwant\n  %s", got, want)
	}
}
