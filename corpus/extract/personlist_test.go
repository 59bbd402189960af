package extract

import (
	"strings"
	"testing"
)

// TestPeopleList checks that a list of groups of people under a lead-in is
// read as alternatives, with the lead-in's own requirement on all of them.
func TestPeopleList(t *testing.T) {
	tests := []struct {
		name, text string
		want       []string
	}{
		{
			name: "groups under 以下人员 are alternatives; the lead-in's 户籍 holds for all (听障 is kept unparsed)",
			text: "助听器补贴办法\n第三条 补贴对象是指具有本市户籍的以下人员：\n（一）3-6岁的听障儿童；\n（二）持有残疾人证的残疾人。\n第四条 每人补贴3000元。\n",
			want: []string{`all(any(all(age gte 3, age lte 6, ?), tags has "残疾人"), region within "440100")`},
		},
		{
			name: "a lead-in with no other cue is still a requirement of every group",
			text: "居民参保通告\n一、参保范围\n尚未参加单位职工医疗保险的下列人员：\n（一）本市户籍人员；\n（二）在本市办理居住证的人员；\n（三）全日制在校学生。\n二、缴费标准\n个人缴费每人400元。\n",
			want: []string{`all(?, any(region within "440100", residence_region within "440100", employment eq "student"))`},
		},
		{
			name: "a short last item of a list of conditions is read, not taken for a title",
			text: "企业扶持办法\n第一条 申报条件\n（一）在本区注册登记的企业；\n（二）无不良信用记录。\n第二条 支持标准\n对符合条件的企业，给予一次性奖励10万元。\n",
			want: []string{`all(region within "440100", dishonest eq false)`},
		},
		{
			name: "a list of requirements is no list of people: all of them hold",
			text: "创业补贴办法\n申请人应当符合以下条件：\n（一）具有本市户籍；\n（二）年满18周岁。\n符合条件的给予5000元补贴。\n",
			want: []string{`all(region within "440100", age gte 18)`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := benefitShapes(t, tt.text, "440100")
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("got\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(tt.want, "\n  "))
			}
		})
	}
}
