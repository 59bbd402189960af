package extract

import (
	"slices"
	"strings"
	"testing"

	"github.com/zhida/zhida/corpus"
)

// The sentences below are written for these tests; they follow the
// phrasings of resident policies (残疾等级, groups of people, 居住, 无业).

func TestDisabilityGrades(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string
	}{
		{"a range ending at 四级 is gte", "残疾等级为三至四级的持证人员可申请", []string{"disability_level gte 3 -", `tags has "残疾人" -`}},
		{"grades listed with 、", "持证的三级、四级肢体残疾人", []string{"disability_level gte 3 -", `tags has "残疾人" -`}},
		{"以上 runs to the most severe grade", "二级以上残疾人", []string{"disability_level lte 2 -", `tags has "残疾人" -`}},
		{"及以下 runs to the mildest grade", "残疾等级在三级及以下的", []string{"disability_level gte 3 -", `tags has "残疾人" -`}},
		{"a middle range has both bounds", "二级至三级视力残疾人", []string{"disability_level gte 2 -", "disability_level lte 3 -", `tags has "残疾人" -`}},
		{"every grade is any disability: the tag alone", "一级至四级残疾人", []string{`tags has "残疾人" -`}},
		{"one grade is eq", "残疾等级为一级的", []string{"disability_level eq 1 -", `tags has "残疾人" -`}},
		{"a grade through the kinds of disability", "残疾等级为三级的智力、精神残疾人", []string{"disability_level eq 3 -", `tags has "残疾人" -`}},
		{"a programme named after severe disability is no grade", "重度残疾人护理补贴标准为二级残疾人每人每月200元", []string{`tags has "残疾人" -`, "disability_level eq 2 -"}},
		{"a work-injury grade is another scale", "伤残等级为三至四级的职工", nil},
		{"a grade not tied to disability is not read", "三至四级医院", nil},
		{"多重残疾 is several kinds, not 重残", "多重残疾的每个残疾类别申请的辅助器具不得超过2件", nil},
		{"一、二级 keeps its own rule", "一、二级残疾人", []string{"disability_level lte 2 -", `tags has "残疾人" -`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := atomsOf(t, tt.in, "440106", corpus.AudienceResident)
			if !slices.Equal(got, tt.want) {
				t.Errorf("%s\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestUnreadGroups(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string
	}{
		{"a group with no tag is kept", "对困境儿童每人每月发放生活补贴", []string{"unparsed eq true - 困境儿童"}},
		{"after a place and 的", "对本市户籍的留守儿童给予关爱补贴", []string{`region within "440100" -`, "unparsed eq true - 留守儿童"}},
		{"经认定的 is no part of the group", "对经认定的支出型贫困家庭给予一次性救助", []string{"unparsed eq true - 支出型贫困家庭"}},
		{"two unread groups joined by 和 are alternatives", "对烈士遗属和因公牺牲军人遗属给予慰问", []string{"unparsed eq true - 烈士遗属", "unparsed eq true - 因公牺牲军人遗属"}},
		{"a tagged group is not repeated", "对低保家庭给予补贴", []string{`tags has "低保对象" -`}},
		{"a bare head noun qualifies nobody", "对老年人给予补贴", nil},
		{"an age before the noun is read, the noun is not a group", "60周岁以上老年人", []string{"age gte 60 -"}},
		{"staff are not who a grant is for", "由工作人员审核后发放", nil},
		{"a head inside another word", "就读于公办幼儿园的儿童", nil},
		{"generic qualifiers", "对符合条件的困难群众给予补贴", nil},
		{"无业 is an employment status", "在本市连续居住满1年以上的无业人员", []string{`residence_region within "440100" -`, `employment eq "unemployed" -`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := atomsOf(t, tt.in, "440106", corpus.AudienceResident)
			if !slices.Equal(got, tt.want) {
				t.Errorf("%s\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
	// Two joined groups form one any().
	hits := sentenceHits(normalize("对烈士遗属和因公牺牲军人遗属给予慰问"), &docContext{region: "440106", audience: corpus.AudienceResident})
	if len(hits) != 1 || hits[0].cond.Kind() != corpus.NodeAny {
		t.Errorf("joined groups: got %d hits, want one any()", len(hits))
	}
	// Hired people are the employer's business (招用 stops the qualifier).
	if got := atomsOf(t, "对招用刑满释放人员的用人单位给予补贴", "440106", corpus.AudienceBoth); slices.Contains(got, "unparsed eq true - 刑满释放人员") {
		t.Errorf("hired group read as a group: %q", got)
	}
	// An enterprise text's hiring clause is not read for groups.
	if got := atomsOf(t, "对招用困境儿童家长的企业给予补贴", "440106", corpus.AudienceEnterprise); len(got) != 0 {
		t.Errorf("enterprise text: got %q, want nothing", got)
	}
}

func TestResidentWordings(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string
	}{
		{"连续居住 is residence", "在本市连续居住满1年以上", []string{`residence_region within "440100" -`}},
		{"处于无业状态", "处于无业状态的居民", []string{`employment eq "unemployed" -`}},
		{"an aside inside a degree", "具有中专（含技校）以上学历", []string{`degree in ["vocational","associate","bachelor","master","doctor"] -`}},
		{"残疾儿童 is a disabled person", "0-6岁残疾儿童", []string{"age gte 0 -", "age lte 6 -", `tags has "残疾人" -`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := atomsOf(t, tt.in, "440106", corpus.AudienceResident)
			if !slices.Equal(got, tt.want) {
				t.Errorf("%s\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestDishonestWordings(t *testing.T) {
	for _, in := range []string{"近3年内无失信记录", "未被列为失信被执行人", "无严重失信行为"} {
		got := atomsOf(t, in, "110000", corpus.AudienceEnterprise)
		if !slices.Equal(got, []string{"dishonest eq false -"}) {
			t.Errorf("%s: got %q, want dishonest eq false", in, got)
		}
	}
}

func TestUnreadSegments(t *testing.T) {
	tests := []struct {
		name, in string
		aud      corpus.Audience
		want     []string
	}{
		{"a paid period beside an age", "连续缴纳城乡居民养老保险满15年、年龄在60周岁以上的本市户籍居民", corpus.AudienceResident,
			[]string{"unparsed eq true - 连续缴纳城乡居民养老保险满15年", "age gte 60 -", `region within "440100" -`}},
		{"a firm's state beside a read 不裁员", "对面临暂时性生产经营困难且恢复有望、坚持不裁员的参保企业", corpus.AudienceEnterprise,
			[]string{"unparsed eq true - 面临暂时性生产经营困难且恢复有望", `layoff_rate eq 0 -`, "insured_employees gte 1 -"}},
		{"nothing read in the run: left to the clause rules", "连续缴纳社会保险满1年、具有稳定住所", corpus.AudienceResident, nil},
		{"a grant's own list is no requirement", "免收上市公司、挂牌公司应向证券交易所缴纳的年费", corpus.AudienceEnterprise,
			[]string{`tags has "上市企业" -`}},
		{"a bound outside the vocabulary is left to the clause rules", "年度应纳税所得额不超过300万元、从业人数不超过300人", corpus.AudienceEnterprise,
			[]string{"employees lte 300 -"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := atomsOf(t, tt.in, "440106", tt.aud)
			if !slices.Equal(got, tt.want) {
				t.Errorf("%s\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestOtherDurations(t *testing.T) {
	tests := []struct {
		name, in string
		aud      corpus.Audience
		want     []string
	}{
		{"a contract's years are not the time since graduation", "毕业2年内的高校毕业生，与企业签订1年以上劳动合同", corpus.AudienceResident,
			[]string{"graduation_years lt 2 -", `tags has "高校毕业生" -`}},
		{"years paid are not the firm's age", "企业成立后连续缴纳社会保险费3年以上", corpus.AudienceEnterprise, nil},
		{"the firm's age still reads", "注册成立3年以上的企业", corpus.AudienceEnterprise, []string{"established_years gte 3 -"}},
		{"持续运营 is the firm's age, not the place of business before it", "在北京有固定的经营服务场所，持续运营满1年", corpus.AudienceEnterprise,
			[]string{"established_years gte 1 -"}},
		{"a range still reads", "注册1年（含）以上，3年（含）以内", corpus.AudienceEnterprise, []string{"established_years gte 1 -", "established_years lte 3 -"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := atomsOf(t, tt.in, "440106", tt.aud)
			if !slices.Equal(got, tt.want) {
				t.Errorf("%s\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestStatusAndPlaceWordings(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string
	}{
		{"a spell of unemployment beside its tag", "登记失业半年以上的人员", []string{`tags has "登记失业人员" -`, "unparsed eq true - 登记失业半年以上"}},
		{"a spell after leaving the army", "退役满2年的退役士兵", []string{"unparsed eq true - 退役满2年", `tags has "退役军人" -`}},
		{"years to retirement with no ages", "距法定退休年龄不足5年的人员", []string{"unparsed eq true - 距法定退休年龄不足5年"}},
		{"years to retirement explained by ages", "距法定退休年龄不足5年的（即女性45周岁以上）",
			[]string{"age gte 45 -"}},
		{"享受最低生活保障待遇 is the 低保 tag", "享受最低生活保障待遇的家庭", []string{`tags has "低保对象" -`}},
		{"户籍地或居住地 is either key", "户籍地或居住地在本区", []string{`region within "440106" -`, `residence_region within "440106" -`}},
		{"居住地在 is residence", "居住地在本区的老年人", []string{`residence_region within "440106" -`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := atomsOf(t, tt.in, "440106", corpus.AudienceResident)
			if !slices.Equal(got, tt.want) {
				t.Errorf("%s\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
	hits := sentenceHits(normalize("户籍地或居住地在本区"), &docContext{region: "440106", audience: corpus.AudienceResident})
	if len(hits) != 1 || hits[0].cond.Kind() != corpus.NodeAny {
		t.Errorf("户籍地或居住地: want one any(), got %d hits", len(hits))
	}
}

func TestGroupRunModifiers(t *testing.T) {
	// 本区户籍 and 年满60周岁的 hold for every group of the run; only the
	// groups themselves are alternatives.
	got := shape(treeOf("本区户籍、年满60周岁的低保、低收入家庭老年人", sentenceHits(normalize("本区户籍、年满60周岁的低保、低收入家庭老年人"),
		&docContext{region: "440106", audience: corpus.AudienceResident})))
	want := `all(region within "440106", age gte 60, any(tags has "低保对象", tags has "低收入人口"))`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	// An age that is itself a group (80周岁以上、计划生育特殊家庭、低保家庭) stays
	// an alternative.
	s := "80周岁（含）以上、计划生育特殊家庭、最低生活保障家庭"
	got = shape(treeOf(s, sentenceHits(normalize(s), &docContext{region: "330200", audience: corpus.AudienceResident})))
	want = `any(age gte 80, tags has "计划生育特殊家庭", tags has "低保对象")`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestConditionHeadings(t *testing.T) {
	// A part titled 补贴人群 or 申报要求 says who qualifies, though its
	// clauses name no cue word.
	text := "居家养老服务补贴实施细则\n一、补贴人群\n本区户籍、年满60周岁的老年人。\n二、申报要求\n1.实际居住在本区。\n三、补贴标准\n每人每月补贴300元。"
	got := benefitShapes(t, text, "440106")
	want := []string{`all(region within "440106", age gte 60, residence_region within "440106")`}
	if !slices.Equal(got, want) {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	// A question that asks who may apply heads the answer that says so.
	text = "高龄津贴政策问答\n一、哪些人可以领取高龄津贴？\n答：本区户籍、年满80周岁的老年人。\n二、高龄津贴的标准是多少？\n答：每人每月100元。"
	got = benefitShapes(t, text, "440106")
	want = []string{`all(region within "440106", age gte 80)`}
	if !slices.Equal(got, want) {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

func TestWorkingAgeWordings(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string
	}{
		{"an age up to retirement", "年龄在16周岁至法定退休年龄之间", []string{"age gte 16 -", "unparsed eq true - 至法定退休年龄之间"}},
		{"法定劳动年龄内 has no number", "处于法定劳动年龄内的城乡居民", []string{"unparsed eq true - 法定劳动年龄内"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := atomsOf(t, tt.in, "440106", corpus.AudienceResident)
			if !slices.Equal(got, tt.want) {
				t.Errorf("%s\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestPersonWordsSetAudience(t *testing.T) {
	// Texts for people named by words the first list lacked.
	for _, text := range []string{
		"返乡创业农民工和创业者可申请一次性补贴",
		"对困境儿童的监护人发放护理补贴，持有居住证的婴幼儿家长也可申请",
	} {
		if got := guessAudience(text); got != corpus.AudienceResident {
			t.Errorf("guessAudience(%q) = %s, want resident", text, got)
		}
	}
}

func TestCertificateClause(t *testing.T) {
	// The tag named first in a programme's name, the certificate in a clause
	// of its own: the certificate clause is read, not kept unparsed.
	s := normalize("困难残疾人生活补贴对象为具有本市户籍，持有第二代《中华人民共和国残疾人证》的人员")
	read := false
	for _, h := range sentenceHits(s, &docContext{region: "440106", audience: corpus.AudienceResident}) {
		if h.cond.Field == "tags" && strings.Contains(h.cond.Text, "残疾人证") {
			read = true
		}
	}
	if !read {
		t.Errorf("the certificate clause of %q is not read", s)
	}
}

func TestTagSynonyms(t *testing.T) {
	tests := []struct{ in, want string }{
		{"复员退伍军人", `tags has "退役军人" -`},
		{"军队退役人员", `tags has "退役军人" -`},
		{"大学毕业生", `tags has "高校毕业生" -`},
		{"农村五保供养对象", `tags has "特困人员" -`},
		{"零就业家庭成员", "unparsed eq true - 零就业家庭"},
	}
	for _, tt := range tests {
		if got := atomsOf(t, tt.in, "440106", corpus.AudienceResident); !slices.Equal(got, []string{tt.want}) {
			t.Errorf("%s: got %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := atomsOf(t, "重残人员", "440106", corpus.AudienceResident); !slices.Equal(got, []string{"disability_level lte 2 -", `tags has "残疾人" -`}) {
		t.Errorf("重残人员: got %q", got)
	}
}

func TestIncludesListOfGroups(t *testing.T) {
	// 救助对象包括：（一）…（二）…: the items are the groups served, any one
	// of them; items with no cue word were dropped and the one that named
	// 对象 was required of everyone.
	text := "某市医疗救助办法\n一、救助对象包括：\n（一）特困人员；\n（二）最低生活保障对象。\n二、救助标准\n每人每年救助3000元。"
	got := benefitShapes(t, text, "440100")
	want := []string{`any(tags has "特困人员", tags has "低保对象")`}
	if !slices.Equal(got, want) {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}
