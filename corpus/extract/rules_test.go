package extract

import (
	"strings"
	"testing"

	"github.com/zhida/zhida/corpus"
)

// atomsOf extracts the atoms of one sentence as "field op value year"
// strings, the way the evaluation compares them.
func atomsOf(t *testing.T, sentence, regionCode string, aud corpus.Audience) []string {
	t.Helper()
	ctx := &docContext{region: regionCode, audience: aud, partition: partitions(normalize(sentence))}
	var out []string
	for _, h := range sentenceHits(normalize(sentence), ctx) {
		for _, a := range h.cond.Atoms() {
			out = append(out, strings.ReplaceAll(atomKey(a), "\x00", " "))
		}
	}
	return out
}

func TestThresholds(t *testing.T) {
	tests := []struct {
		name, in string
		aud      corpus.Audience
		want     []string
	}{
		{"不低于 includes, 上年度 is year -1", "申报企业上年度营业收入不低于2000万元。", "enterprise",
			[]string{"revenue gte 20000000 -1"}},
		{"以上 includes, 万元", "上一会计年度研发费用500万元以上的企业", "enterprise",
			[]string{"rd_expense gte 5000000 -1"}},
		{"超过 excludes, 亿元", "年销售收入超过1亿元", "enterprise",
			[]string{"revenue gt 100000000 -1"}},
		{"低于 excludes, percent as a fraction", "大型企业裁员率低于2019年全国城镇登记失业率3.62%", "enterprise",
			[]string{"layoff_rate lt 0.0362 -", "scale eq \"large\" -"}},
		{"不超过 on a rate, not on the head count it mentions", "裁员率放宽至不超过企业职工总数的20%", "enterprise",
			[]string{"layoff_rate lte 0.2 -"}},
		{"（含）以下 and the 参保 word after the number", "30人（含）以下的参保企业裁员率不高于参保职工总数20%", "enterprise",
			[]string{"insured_employees lte 30 -", "insured_employees gte 1 -", "layoff_rate lte 0.2 -"}},
		{"（不含） overrides 以下", "注册资本1000万元以下（不含）", "enterprise",
			[]string{"registered_capital lt 10000000 -"}},
		{"annual amount without a year is the last year; 从业人数 is employees", "从业人数不超过300人、资产总额不超过5000万元", "enterprise",
			[]string{"employees lte 300 -", "total_assets lte 50000000 -1"}},
		{"当年 is year 0", "当年纳税总额达到100万元", "enterprise",
			[]string{"tax_paid gte 1000000 0"}},
		{"成立N年以上", "企业成立3年以上", "enterprise",
			[]string{"established_years gte 3 -"}},
		{"Chinese numeral years", "注册成立不满三年的企业", "enterprise",
			[]string{"established_years lt 3 -"}},
		{"a calendar year is not a duration", "2020年度平均参保人数在30人以上的", "enterprise",
			[]string{"insured_employees gte 30 -"}},
		{"持续经营N年 is the age of the firm", "公司持续经营2年以上", "enterprise",
			[]string{"established_years gte 2 -"}},
		{"正常经营N个月 is a trading record, not read", "登记后正常经营4个月以上的商户", "enterprise", nil},
		{"稳定经营 after 注册 is still the trading record", "注册并稳定经营八个月以上的网店", "enterprise", nil},
		{"an amount with no quantity word is not a condition", "给予一次性15万元奖励", "enterprise", nil},
		{"应纳税所得额 is outside the vocabulary", "年度应纳税所得额不超过300万元", "enterprise", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := atomsOf(t, tt.in, "440100", tt.aud)
			if !sameSet(strings.Join(got, "; "), strings.Join(tt.want, "; ")) {
				t.Errorf("%s\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestAges(t *testing.T) {
	tests := []struct{ in, want string }{
		{"年满80周岁及以上高龄老人", "age gte 80 -"},
		{"80--89周岁（含80周岁）的老人", "age gte 80 -; age lte 89 -"},
		{"100周岁以上（含100周岁）的老人", "age gte 100 -"},
		{"65岁以下残疾人", "age lte 65 -; tags has \"残疾人\" -"},
		{"未满18周岁的未成年人", "age lt 18 -"},
		{"16至24周岁的青年", "age gte 16 -; age lte 24 -"},
		{"超过60周岁的", "age gt 60 -"},
	}
	for _, tt := range tests {
		if got := strings.Join(atomsOf(t, tt.in, "440100", "resident"), "; "); got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestGenderAges(t *testing.T) {
	res, err := Extract("申请条件：\n1.提交贷款申请时女性不超过55周岁、男性不超过60周岁；\n", Options{Region: "440100"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Benefits) != 1 {
		t.Fatalf("benefits = %d, want 1", len(res.Benefits))
	}
	got := res.Benefits[0].Conditions
	b, _ := got.MarshalJSON()
	if got.Kind() != corpus.NodeAny || len(got.Any) != 2 {
		t.Fatalf("want any(female…, male…), got %s", b)
	}
	for i, want := range []string{`gender eq "female" -|age lte 55 -`, `gender eq "male" -|age lte 60 -`} {
		alt := got.Any[i]
		if alt.Kind() != corpus.NodeAll || len(alt.All) != 2 {
			t.Fatalf("alternative %d: %s", i, b)
		}
		s := strings.ReplaceAll(atomKey(alt.All[0])+"|"+atomKey(alt.All[1]), "\x00", " ")
		if s != want {
			t.Errorf("alternative %d = %q, want %q", i, s, want)
		}
	}
}

func TestRegions(t *testing.T) {
	tests := []struct {
		name, in, region string
		aud              corpus.Audience
		want             string
	}{
		{"本市户籍 is the issuing city", "凡具有本市户籍并持有残疾人证的残疾人", "120000", "resident", `region within "120000" -; tags has "残疾人" -`},
		{"户籍 and 居住 apart", "具有本市户籍并居住在本市的60周岁及以上老年人", "330200", "resident",
			`region within "330200" -; residence_region within "330200" -; age gte 60 -`},
		{"a district named in full", "具有天河区户籍的适龄儿童", "440106", "resident", `region within "440106" -`},
		{"本市 from a district resolves to its city", "在本市行政区域内居住的老年人", "440106", "resident", `residence_region within "440100" -`},
		{"非穗籍 is a negation", "非穗籍适龄儿童", "440106", "resident", `region within "440100" -`},
		{"注册 place for an enterprise", "在北京市注册登记，具有独立法人资格", "110000", "enterprise", `region within "110000" -`},
		{"注册 place short name with 地区", "在北京地区注册成立不超过5年（含）", "110000", "enterprise", `region within "110000" -; established_years lte 5 -`},
		{"province before a kind of company", "免收湖北省上市公司年费", "100000", "enterprise", `region within "420000" -; tags has "上市企业" -`},
		{"a short name that is a word (资源税) is no place", "减征资源税、城市维护建设税", "350722", "enterprise", ``},
		{"a place that only scopes a measure gives no atom", "现决定在我市继续实施普惠性失业保险稳岗返还政策", "321000", "enterprise", ``},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := strings.Join(atomsOf(t, tt.in, tt.region, tt.aud), "; ")
			if got != tt.want {
				t.Errorf("%s\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
	// The negation itself.
	ctx := &docContext{region: "440106", audience: corpus.AudienceResident}
	hits := sentenceHits("非穗籍适龄儿童", ctx)
	if len(hits) != 1 || hits[0].cond.Kind() != corpus.NodeNot {
		t.Errorf("非穗籍: want one not(...) node, got %+v", hits)
	}
}

func TestTags(t *testing.T) {
	tests := []struct {
		in   string
		aud  corpus.Audience
		want string
	}{
		{"对高企给予奖励", "enterprise", `tags has "高新技术企业" -`},
		{"國家高新技術企業", "enterprise", `tags has "高新技术企业" -`},
		{"中关村高新技术企业", "enterprise", ``},
		{"以单位形式参保的个体经济组织", "enterprise", `tags has "个体工商户" -; insured_employees gte 1 -`},
		{"中小微企业按60%返还", "enterprise", `scale in ["medium","small","micro"] -`},
		{"纳入小型微型企业名录的企业", "enterprise", `scale in ["small","micro"] -`},
		{"未被列入严重失信主体名单", "enterprise", `dishonest eq false -`},
		{"无不良诚信记录", "enterprise", `dishonest eq false -`},
		{"规模以上（限额以上）企业", "enterprise", `tags has "规模以上工业企业" -; tags has "限额以上批发零售企业" -`},
		{"最低生活保障边缘家庭", "resident", `tags has "低收入人口" -`},
		{"持有残疾人证且残疾等级为一、二级的重度残疾人", "resident", `tags has "残疾人" -; disability_level lte 2 -`},
		{"离校2年内未就业高校毕业生灵活就业的", "resident", `tags has "高校毕业生" -; graduation_years lt 2 -; employment eq "self_employed" -`},
		{"上年度未裁员", "enterprise", `layoff_rate eq 0 -`},
		{"从事制造业的企业", "enterprise", `industry within "C" -`},
		{"属于软件和信息技术服务业的企业", "enterprise", `industry within "I65" -`},
		{"支持制造业高质量发展", "enterprise", ``},
		{"农业产业化龙头企业", "enterprise", `tags has "农业产业化龙头企业" -`},
		// An open list of who may apply: the firm kind in it is one alternative.
		{"适用主体：参保企业、民办非企业单位、以单位形式参保的个体户", "enterprise", `insured_employees gte 1 -; insured_employees gte 1 -`},
		// Without an ordinary firm beside it the kind is who a rule extends to.
		{"基金会、以单位形式参保的个体户参照执行", "enterprise", `tags has "个体工商户" -; insured_employees gte 1 -`},
		{"组织18至30岁失业青年参加实训", "resident", `age gte 18 -; age lte 30 -; employment eq "unemployed" -`},
		{"企业在职职工参加技能提升培训", "resident", `employment eq "employed" -`},
		{"招用人数达到现有在职职工人数的10%", "both", ``},
	}
	for _, tt := range tests {
		got := strings.Join(atomsOf(t, tt.in, "440100", tt.aud), "; ")
		if !sameSet(got, tt.want) {
			t.Errorf("%s\n got %q\nwant %q", tt.in, got, tt.want)
		}
	}
}

func sameSet(a, b string) bool {
	split := func(s string) map[string]int {
		m := map[string]int{}
		for _, x := range strings.Split(s, "; ") {
			if x != "" {
				m[x]++
			}
		}
		return m
	}
	ma, mb := split(a), split(b)
	if len(ma) != len(mb) {
		return false
	}
	for k, v := range ma {
		if mb[k] != v {
			return false
		}
	}
	return true
}

func TestPartitionPairs(t *testing.T) {
	text := "失业保险参保企业平均参保人数在30人以上的，裁员率不高于5.5%；平均参保人数在30人（含）以下的，裁员率不高于20%。\n对符合条件的企业按60%返还。"
	res, err := Extract(text, Options{Region: "321000"})
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, b := range res.Benefits {
		for _, a := range b.Conditions.Atoms() {
			keys = append(keys, strings.ReplaceAll(atomKey(a), "\x00", " "))
		}
	}
	got := strings.Join(keys, "; ")
	for _, want := range []string{"insured_employees gt 30 -", "insured_employees lte 30 -", "layoff_rate lte 0.055 -", "layoff_rate lte 0.2 -"} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in %q", want, got)
		}
	}
	if strings.Contains(got, "insured_employees gte 30") {
		t.Errorf("30人以上 paired with 30人（含）以下 must be gt: %q", got)
	}
}

func TestApplyFreeAndAmount(t *testing.T) {
	text := "一、支持对象\n在本市注册的高新技术企业。\n二、支持标准\n按研发费用的30%给予补助，最高不超过5000万元。\n三、兑现方式\n实行免申即享，无需企业申请，直接兑付。"
	res, err := Extract(text, Options{Region: "440100"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Benefits) != 1 {
		t.Fatalf("benefits = %+v", res.Benefits)
	}
	b := res.Benefits[0]
	if !b.ApplyFree {
		t.Error("免申即享 not read as apply-free")
	}
	if b.Calc == nil || b.Calc.Kind != corpus.AmountRate || b.Calc.Value != 0.3 || b.Calc.Cap != 5e7 {
		t.Errorf("calc = %+v, want rate 0.3 capped at 5e7", b.Calc)
	}
	got := strings.Join(func() []string {
		var s []string
		for _, a := range b.Conditions.Atoms() {
			s = append(s, strings.ReplaceAll(atomKey(a), "\x00", " "))
		}
		return s
	}(), "; ")
	if !sameSet(got, `region within "440100" -; tags has "高新技术企业" -`) {
		t.Errorf("conditions = %q", got)
	}
	if res.Audience != corpus.AudienceEnterprise {
		t.Errorf("audience = %q", res.Audience)
	}
}

func TestMetadata(t *testing.T) {
	text := "广州市人民政府办公厅关于印发广州市居家社区养老服务管理办法的通知\n穗府办规[2022]13号\n各区人民政府：\n现印发给你们，请遵照执行。\n第四条 本办法所称服务对象，是指居住在本市行政区域内的60周岁及以上老年人。\n第五条 服务对象每人每月补贴100元。\n广州市人民政府办公厅\n2022年9月6日\n"
	res, err := Extract(text, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Title != "广州市人民政府办公厅关于印发广州市居家社区养老服务管理办法的通知" {
		t.Errorf("title = %q", res.Title)
	}
	if res.DocNumber != "穗府办规〔2022〕13号" {
		t.Errorf("doc_number = %q", res.DocNumber)
	}
	if res.Issuer != "广州市人民政府办公厅" {
		t.Errorf("issuer = %q", res.Issuer)
	}
	if res.Region != "440100" {
		t.Errorf("region = %q, want 440100 from the issuer", res.Region)
	}
	if res.PublishDate.String() != "2022-09-06" {
		t.Errorf("publish_date = %v", res.PublishDate)
	}
	if len(res.Benefits) != 1 || len(res.Benefits[0].Conditions.Atoms()) != 2 {
		t.Errorf("benefits = %+v", res.Benefits)
	}
}

func TestBadInput(t *testing.T) {
	if _, err := Extract("\xff\xfe关于", Options{}); err == nil || !strings.Contains(err.Error(), "UTF-8") {
		t.Errorf("non-UTF-8: err = %v", err)
	}
	if _, err := Extract(" \n\t ", Options{}); err != ErrEmpty {
		t.Errorf("empty: err = %v", err)
	}
	if _, err := Extract("本市户籍", Options{Region: "4401"}); err == nil {
		t.Error("bad region code accepted")
	}
}
