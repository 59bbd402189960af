package extract

import (
	"strings"
	"testing"

	"github.com/zhida/zhida/corpus"
)

// The sentences below are written for these tests; they follow how policy
// pages are laid out, not any one evaluation text.

// runOnPage is a two-part page served as one line: parts 一、二、, items
// （一）（二）, numbered conditions glued to their heading.
const runOnPage = `一、小微企业吸纳就业奖励（一）支持对象：在本区注册的小微企业，（二）申请条件1.上年度营业收入不低于200万元，2.未被列入严重失信主体名单，（三）奖励标准：对新招用登记失业人员的小微企业，按每人2000元给予一次性吸纳就业奖励，二、场地租金补贴（一）支持对象：入驻本区孵化基地的企业，（二）补贴标准：按实际租金的50%给予补贴，每年最高不超过5万元，申报单位向区人社局提交申请表，由区人社局审核后拨付。`

func TestSplitRunOnLine(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string // the lines the line breaks into
	}{
		{"a flattened page gets its outline back", runOnPage, []string{
			"一、小微企业吸纳就业奖励",
			"（一）支持对象：在本区注册的小微企业，",
			"（二）申请条件",
			"1.上年度营业收入不低于200万元，",
			"2.未被列入严重失信主体名单，",
			"（三）奖励标准：对新招用登记失业人员的小微企业，按每人2000元给予一次性吸纳就业奖励，",
			"二、场地租金补贴",
			"（一）支持对象：入驻本区孵化基地的企业，",
			"（二）补贴标准：按实际租金的50%给予补贴，每年最高不超过5万元，申报单位向区人社局提交申请表，由区人社局审核后拨付。",
		}},
		{"articles of a flattened regulation",
			"第一条 为鼓励青年创业，制定本办法。第二条 本办法适用于在本区登记注册的初创企业，其法定代表人须为本区户籍人员，且企业须正常经营并依法参加社会保险。第三条 对符合本办法第二条规定的初创企业，给予一次性创业补贴5000元，补贴资金由区财政统一安排，申请人须在企业登记注册之日起一年内提出申请，逾期不予受理，具体办理程序由区人社局另行制定并公布实施。第四条 本办法自发布之日起施行。",
			[]string{"第一条 为鼓励青年创业，制定本办法。",
				"第二条 本办法适用于在本区登记注册的初创企业，其法定代表人须为本区户籍人员，且企业须正常经营并依法参加社会保险。",
				"第三条 对符合本办法第二条规定的初创企业，给予一次性创业补贴5000元，补贴资金由区财政统一安排，申请人须在企业登记注册之日起一年内提出申请，逾期不予受理，具体办理程序由区人社局另行制定并公布实施。",
				"第四条 本办法自发布之日起施行。"}},
		{"a short line is left alone", "（一）支持对象：小微企业，（二）补贴标准：5000元。", nil},
		{"decimals, references and number lists stay inside the line",
			strings.Repeat("按本办法第（一）项规定，对吸纳1、2、3级残疾人就业的企业给予每人1.5万元补贴，", 5), nil},
		{"numbering that does not follow on is not an item",
			strings.Repeat("企业上年度营业收入增长5.按规定执行，", 12), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := splitRunOnLine(tt.in)
			if tt.want == nil {
				if got != tt.in {
					t.Fatalf("line was split:\n%s", got)
				}
				return
			}
			if g := strings.Split(got, "\n"); strings.Join(g, "\n") != strings.Join(tt.want, "\n") {
				t.Fatalf("got lines:\n%s\nwant:\n%s", got, strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestRunOnPageGivesBenefits(t *testing.T) {
	res, err := Extract(runOnPage, Options{Region: "440106"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Benefits) != 2 {
		t.Fatalf("got %d benefits, want 2 (one per part): %+v", len(res.Benefits), res.Benefits)
	}
	first := atomKeys(res.Benefits[0].Conditions)
	for _, want := range []string{"revenue gte 2000000 -1", "dishonest eq false -"} {
		if !strings.Contains(first, want) {
			t.Errorf("first benefit lacks %q: %s", want, first)
		}
	}
	if second := atomKeys(res.Benefits[1].Conditions); strings.Contains(second, "revenue") {
		t.Errorf("the conditions of part 一 leaked into part 二: %s", second)
	}
}

func atomKeys(c corpus.Cond) string {
	var out []string
	for _, a := range c.Atoms() {
		out = append(out, strings.ReplaceAll(atomKey(a), "\x00", " "))
	}
	return strings.Join(out, "; ")
}

func TestIsTimeFrame(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"在2年（24个月）内", true},
		{"自取得营业执照当月起", true},
		{"其经营所得5年内", true},
		{"担保贷款期限最长不超过2年", true},
		{"补贴期限为3年", true},
		// Time frames that qualify the subject are conditions.
		{"注册成立3年内", false},
		{"毕业2年内", false},
		{"登记失业6个月以上", false},
		{"在本市连续缴纳社会保险满1年", false},
	}
	for _, tt := range tests {
		if got := isTimeFrame(tt.in); got != tt.want {
			t.Errorf("isTimeFrame(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestNonConditionSentence(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"经营期不足一年的，应按实际月份换算其年度限额。", true},
		{"抵扣限额=全年限额÷12×经营月数。", true},
		{"原补贴标准为每人每月300元。", true},
		{"未在户籍地参保的，男性年满50周岁、女性年满40周岁的，在参保地建立临时缴费账户。", true},
		{"符合条件的企业，按实际月份计算方法确定补贴。", false},
		{"持有残疾人证的本市户籍居民。", false},
	}
	for _, tt := range tests {
		if got := nonConditionSentence(tt.in); got != tt.want {
			t.Errorf("nonConditionSentence(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestDropNonConditions(t *testing.T) {
	in := corpus.All(
		corpus.Atom("tags", corpus.OpHas, corpus.String("残疾人"), "残疾人"),
		corpus.Unparsed("在3年内"),
		corpus.Any(corpus.Unparsed("自登记之日起"), corpus.Unparsed("持有证明")),
	)
	got := atomKeys(dropNonConditions(in))
	if strings.Count(got, "unparsed") != 2 {
		t.Errorf("want the time frame of the conjunction dropped and the alternatives kept, got %s", got)
	}
	only := corpus.All(corpus.Unparsed("在3年内"), corpus.Unparsed("自登记之日起"))
	if n := len(dropNonConditions(only).Atoms()); n != 2 {
		t.Errorf("a tree of time frames only must stay (an empty tree holds for everyone), got %d atoms", n)
	}
}

func TestDefinitionKeepsUnreadQualifier(t *testing.T) {
	text := "本办法所称返乡创业青年，是指经县级人社部门认定并在本县首次创办经营实体的高校毕业生。\n对返乡创业青年给予一次性创业补贴5000元。"
	res, err := Extract(text, Options{Region: "440106"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Benefits) != 1 {
		t.Fatalf("got %d benefits, want 1", len(res.Benefits))
	}
	got := atomKeys(res.Benefits[0].Conditions)
	if !strings.Contains(got, "tags has \"高校毕业生\"") || !strings.Contains(got, "unparsed eq true") {
		t.Errorf("want the tag and the unread qualifier, got %s", got)
	}
	if len(res.Unparsed) == 0 {
		t.Errorf("the qualifier must be listed as unparsed")
	}
}

// measureDoc is an opinion with numbered measures, each opening with a
// title sentence; one grants to persons, the others to firms.
const measureDoc = `关于进一步支持企业吸纳就业的若干措施
一、稳定企业岗位
（一）加大社保补贴力度。对上年度未裁员的参保企业，按其上年度实际缴纳失业保险费的40%给予返还。
（二）支持小微企业融资。对上年度营业收入不超过1000万元的企业，按规定给予贷款贴息。
二、支持创业
（三）扶持个人创业。登记失业人员自主创业的，可申请最高不超过20万元的创业担保贷款。
（四）加大吸纳就业奖励。对新招用高校毕业生的企业，按规定给予吸纳就业补贴。`

func TestMeasureItems(t *testing.T) {
	root := parseDocument(normalize(measureDoc))
	n := 0
	var walk func(b *block)
	walk = func(b *block) {
		if b.measure {
			n++
		}
		for _, ch := range b.children {
			walk(ch)
		}
	}
	walk(root)
	if n != 4 {
		t.Fatalf("marked %d measure items, want 4", n)
	}
	res, err := Extract(measureDoc, Options{Region: "440106"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Audience != corpus.AudienceEnterprise {
		t.Fatalf("audience %q, want enterprise", res.Audience)
	}
	var names []string
	for _, b := range res.Benefits {
		names = append(names, b.Name)
		keys := atomKeys(b.Conditions)
		if strings.Contains(keys, "layoff_rate") && strings.Contains(keys, "revenue") {
			t.Errorf("benefit %q mixes the conditions of two measures: %s", b.Name, keys)
		}
		if strings.Contains(b.Amount, "20万元") {
			t.Errorf("the loan to persons is a benefit of an enterprise text: %+v", b)
		}
	}
	// 40% return, 贴息 for small firms, 吸纳就业补贴 (no amount, named).
	if len(res.Benefits) != 3 {
		t.Fatalf("got %d benefits %v, want 3", len(res.Benefits), names)
	}
	if !strings.HasPrefix(res.Benefits[0].Name, "加大社保补贴力度") {
		t.Errorf("a measure's benefit is named by its title, got %q", res.Benefits[0].Name)
	}
}

func TestOtherAudienceBenefit(t *testing.T) {
	firm := corpus.All(corpus.Atom("scale", corpus.OpIn, corpus.Strings("small", "micro"), "小微企业"),
		corpus.Atom("employees", corpus.OpGt, corpus.Number(100), "超过100人"))
	person := corpus.All(corpus.Atom("age", corpus.OpLte, corpus.Number(35), "35周岁以下"),
		corpus.Atom("tags", corpus.OpHas, corpus.String("高校毕业生"), "高校毕业生"))
	mixed := corpus.All(corpus.Atom("scale", corpus.OpIn, corpus.Strings("small", "micro"), "小微企业"),
		corpus.Atom("age", corpus.OpLte, corpus.Number(35), "35周岁以下"))
	tests := []struct {
		name string
		c    corpus.Cond
		a    corpus.Audience
		want bool
	}{
		{"firm item in a resident text", firm, corpus.AudienceResident, true},
		{"firm item in a firm text", firm, corpus.AudienceEnterprise, false},
		{"person item in a firm text", person, corpus.AudienceEnterprise, true},
		{"mixed item stays", mixed, corpus.AudienceResident, false},
		{"a text for both keeps everything", firm, corpus.AudienceBoth, false},
		{"tags alone decide nothing", corpus.Atom("tags", corpus.OpHas, corpus.String("退役军人"), "退役军人"), corpus.AudienceEnterprise, false},
	}
	for _, tt := range tests {
		if got := otherAudienceBenefit(tt.c, tt.a); got != tt.want {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
	}
	if personGrant("获评青年创业示范称号的孵化载体，给予30万元支持", corpus.AudienceEnterprise) {
		t.Errorf("personGrant: the subject is the last noun (a carrier), not the young people it serves")
	}
	if !personGrant("失业人员自主创业的，可申请贷款", corpus.AudienceEnterprise) || personGrant("吸纳失业人员的企业，可申请贷款", corpus.AudienceEnterprise) {
		t.Errorf("personGrant: a grant to persons only is the other audience's, one to firms that hire them is not")
	}
}

func TestQualifierLeftovers(t *testing.T) {
	ctx := &docContext{region: "440100", audience: corpus.AudienceResident}
	tests := []struct {
		in   string
		want []string
	}{
		{"对考核合格的登记失业人员给予创业培训补贴", []string{"考核合格的"}},
		{"对符合条件的登记失业人员给予创业培训补贴", nil},
		{"对本市户籍的登记失业人员给予创业培训补贴", nil}, // the place is read
		{"对上述的登记失业人员给予补贴", nil},
	}
	for _, tt := range tests {
		s := normalize(tt.in)
		var got []string
		for _, h := range qualifierLeftovers(s, sentenceHits(s, ctx), false) {
			got = append(got, h.cond.Text)
		}
		if strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("qualifierLeftovers(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// widenedMeasure widens a subsidy to a second group of persons.
const widenedMeasure = `关于做好技能培训工作的意见
一、强化培训服务
（一）扩大培训补贴范围。将创业培训补贴范围由登记失业人员扩展至16-30岁的高校毕业生；按规定给予创业培训补贴。
（二）支持老年人再就业。对60周岁以上的老年人再就业的，给予一次性补贴1000元。`

func TestMeasureExpansion(t *testing.T) {
	res, err := Extract(widenedMeasure, Options{Region: "100000"})
	if err != nil {
		t.Fatal(err)
	}
	var widened []string
	for _, b := range res.Benefits {
		if strings.HasPrefix(b.Name, "扩大培训补贴范围") {
			widened = append(widened, atomKeys(b.Conditions))
		}
	}
	if len(widened) != 2 {
		t.Fatalf("want one benefit per group the subsidy reaches, got %q", widened)
	}
	if !strings.Contains(widened[0], "登记失业人员") || strings.Contains(widened[0], "age") {
		t.Errorf("first group: %s", widened[0])
	}
	if !strings.Contains(widened[1], "age gte 16") || !strings.Contains(widened[1], "age lte 30") || strings.Contains(widened[1], "登记失业人员") {
		t.Errorf("second group: %s", widened[1])
	}
}

func TestConditionalCaseInheritsSubject(t *testing.T) {
	text := "退役军人创业的，可申请财政贴息的创业担保贷款，最高贷款额度为30万元。联合创业的，最高不超过每人30万元之和，且不超过200万元。"
	res, err := Extract(text, Options{Region: "440106"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Benefits) != 2 {
		t.Fatalf("got %d benefits, want the single and the joint loan: %+v", len(res.Benefits), res.Benefits)
	}
	joint := atomKeys(res.Benefits[1].Conditions)
	if !strings.Contains(joint, "退役军人") || !strings.Contains(joint, "unparsed") {
		t.Errorf("the joint loan keeps the subject before it and its own case unparsed, got %s", joint)
	}
	if strings.Contains(atomKeys(res.Benefits[0].Conditions), "unparsed") {
		t.Errorf("the single loan does not take the joint case: %s", atomKeys(res.Benefits[0].Conditions))
	}
	if continuesSubject("残疾人创业的") || !continuesSubject("联合创业的") {
		t.Errorf("continuesSubject: a clause naming a group has a subject of its own")
	}
}

func TestExpansionKeepsUnreadGroup(t *testing.T) {
	text := strings.Replace(widenedMeasure, "16-30岁的高校毕业生", "16-30岁待业青年", 1)
	res, err := Extract(text, Options{Region: "100000"})
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range res.Benefits {
		k := atomKeys(b.Conditions)
		if strings.Contains(k, "age gte 16") && !strings.Contains(k, "unparsed") {
			t.Errorf("a group read only by its ages must keep its words to check, got %s", k)
		}
	}
}

func TestVagueConditionInMeasure(t *testing.T) {
	ctx := &docContext{region: "440100", audience: corpus.AudienceEnterprise}
	s := normalize("各地担保基金应优先为符合条件的小微企业提供低费率的担保支持")
	hits := sentenceHits(s, ctx)
	if got := qualifierLeftovers(s, hits, true); len(got) != 1 || got[0].cond.Text != "符合条件的" {
		t.Errorf("in a measure 符合条件的 points at conditions the text does not state: got %+v", got)
	}
	if got := qualifierLeftovers(s, hits, false); len(got) != 0 {
		t.Errorf("elsewhere 符合条件的 refers to the conditions listed: got %+v", got)
	}
}

func TestRegulationItemsAreNotMeasures(t *testing.T) {
	text := "第五条 设施分三级：\n（一）区级设施。每个区设置至少1个综合服务中心。\n（二）街道级设施。每个街道设置至少1个服务站。"
	root := parseDocument(normalize(text))
	var walk func(b *block)
	walk = func(b *block) {
		if b.measure {
			t.Errorf("an item of an article was taken for a measure: %q", b.lines)
		}
		for _, ch := range b.children {
			walk(ch)
		}
	}
	walk(root)
}
