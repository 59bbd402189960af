package extract

import (
	"strings"
	"testing"
)

// Reward lists by tier, written for these tests.

func TestTierPairs(t *testing.T) {
	tests := []struct {
		in   string
		want []string // labels; nil: not a list of tiers
	}{
		{"国家级80万元、省级30万元、市级10万元", []string{"国家级", "省级", "市级"}},
		{"国家级孵化器奖励60万元、省级25万元", []string{"国家级孵化器", "省级"}},
		{"一等奖20万元，二等奖10万元，三等奖3万元", []string{"一等奖", "二等奖", "三等奖"}},
		{"AAAAA级景区奖励100万元，AAAA级景区奖励30万元", []string{"AAAAA级景区", "AAAA级景区"}},
		{"一类800万元以上、二类300万元以上", nil}, // thresholds, not rewards
		{"国家级给予50万元", nil},       // one tier is no list
		{"国家级50万元，国家级30万元", nil}, // one tier twice
	}
	for _, tt := range tests {
		var got []string
		for _, p := range tierPairs(tt.in) {
			got = append(got, p.label)
		}
		if strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("tierPairs(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestTierListGivesOneBenefitPerTier(t *testing.T) {
	tests := []struct {
		name  string
		text  string
		want  []string // amounts of the benefits
		tiers []string // the tier each benefit is conditioned on
	}{
		{"tiers after a grant that ends with a colon",
			"关于支持科技企业孵化器发展的若干措施\n申报条件：申报单位须在本区注册，且未被列入严重失信主体名单。\n对新认定的科技企业孵化器给予一次性奖励：国家级80万元、省级30万元、市级10万元。\n申报材料：申请表、营业执照复印件。",
			[]string{"对新认定的科技企业孵化器给予一次性奖励：国家级80万元", "对新认定的科技企业孵化器给予一次性奖励：省级30万元", "对新认定的科技企业孵化器给予一次性奖励：市级10万元"},
			[]string{"国家级", "省级", "市级"}},
		{"prizes under 奖励标准, one clause each",
			"关于举办青年创业大赛的通知\n一、参赛条件\n参赛企业须在本区注册，成立时间不超过3年。\n二、奖励标准\n一等奖20万元，二等奖10万元，三等奖3万元。\n三、报名方式\n登录平台填写报名表，联系电话：12345678。",
			[]string{"一等奖20万元", "二等奖10万元", "三等奖3万元"},
			[]string{"一等奖", "二等奖", "三等奖"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Extract(tt.text, Options{Region: "330106"})
			if err != nil {
				t.Fatal(err)
			}
			got := amounts(res)
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Fatalf("benefits:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			for i, b := range res.Benefits {
				keys := atomKeys(b.Conditions)
				// The shared conditions hold for every tier; the tier is its own.
				if !strings.Contains(keys, `region within "330106"`) {
					t.Errorf("benefit %d lacks the shared place: %s", i, keys)
				}
				if !strings.Contains(keys, "unparsed eq true - "+tt.tiers[i]) {
					t.Errorf("benefit %d lacks its tier %q: %s", i, tt.tiers[i], keys)
				}
			}
		})
	}
}

func TestGrantClauseRules(t *testing.T) {
	// A threshold under 支持标准 is the subject's, and the grant after it is
	// the benefit; a firm entering the 规上 register is not a statistic.
	text := "关于促进工业企业发展的若干措施\n三、支持标准\n" +
		"（一）技改奖励。对上年度完成技改投资800万元以上的企业，按设备投资额的8%给予奖励，最高150万元。\n" +
		"（二）上规奖励。对首次纳入规模以上工业企业统计的企业，给予一次性奖励8万元。\n" +
		"（三）据统计，去年全市共有120家企业获得奖励。"
	res, err := Extract(text, Options{Region: "330106"})
	if err != nil {
		t.Fatal(err)
	}
	got := amounts(res)
	want := []string{"按设备投资额的8%给予奖励，最高150万元", "给予一次性奖励8万元"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("benefits:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if keys := atomKeys(res.Benefits[1].Conditions); !strings.Contains(keys, "tags has") {
		t.Errorf("上规奖励 lacks its tag: %s", keys)
	}
}

func TestIsDuty(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"各区民政部门应当做好审核工作", true},
		{"经办机构须在10个工作日内完成审核", true},
		{"申报单位须在本市依法注册登记", false},
		{"项目申报主体应具有独立法人资格", false},
		{"用人单位须依法为职工缴纳社会保险费", false},
	}
	for _, tt := range tests {
		if got := isDuty(tt.in); got != tt.want {
			t.Errorf("isDuty(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestRewardTableGivesOneBenefitPerRow(t *testing.T) {
	// A table of rewards flattened to |-separated rows, its rows full width
	// and without a sentence end: they are rows, not wrapped lines.
	text := "某区支持企业发展奖励一览\n" +
		"序号 | 奖励事项 | 奖励标准 | 申报条件\n" +
		"1 | 上市辅导备案奖励 | 100万元 | 在本区注册并完成上市辅导备案的企业\n" +
		"2 | 技术中心认定奖励 | 20万元 | 新认定的市级企业技术中心所在企业\n" +
		"3 | 高企培育入库奖励 | 5万元 | 当年进入高新技术企业培育库的企业\n" +
		"4 | 规上企业首次入统奖励 | 10万元 | 首次纳入规模以上工业企业统计的企业\n"
	res, err := Extract(text, Options{Region: "330106"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"100万元", "20万元", "5万元", "10万元"}
	got := amounts(res)
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("amounts %q, want %q", got, want)
	}
	// Each row's 申报条件 is its own: the first row's place is not the others'.
	if keys := atomKeys(res.Benefits[1].Conditions); strings.Contains(keys, "region") {
		t.Errorf("row 1's conditions leaked into row 2: %s", keys)
	}
	if keys := atomKeys(res.Benefits[0].Conditions); !strings.Contains(keys, "region") {
		t.Errorf("row 1 lacks its place: %s", keys)
	}
}

func TestLeadInWithBareAmounts(t *testing.T) {
	// After 给予…奖励： the items state their sums alone; a threshold in
	// the same list is no sum.
	text := "关于支持科技企业发展的通知\n对技术先进型服务企业给予一次性奖励：首次认定的，15万元；复核通过的，5万元；年营业收入1000万元以上的，另加5万元。"
	res, err := Extract(text, Options{Region: "330106"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, b := range res.Benefits {
		got = append(got, b.Amount)
		if keys := atomKeys(b.Conditions); !strings.Contains(keys, "技术先进型服务企业") {
			t.Errorf("benefit %q lacks the lead-in's kind: %s", b.Amount, keys)
		}
	}
	if want := []string{"15万元", "5万元", "另加5万元"}; strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("amounts %q, want %q", got, want)
	}
	if !grantLeadRe.MatchString("对孵化器给予一次性奖励：") || grantLeadRe.MatchString("补贴标准：") {
		t.Error("grantLeadRe: want 给予…奖励： and not a 补贴标准 label")
	}
}

func TestFeesAreNoGrants(t *testing.T) {
	// What the subject pays (个人缴费标准) is a fee, even under a 标准
	// heading; the government's share beside it is the benefit, and a grant
	// worded on the fee (按个人缴费的…给予补贴) stays a grant.
	tests := []struct {
		text string
		want []string
	}{
		{"某市城乡居民医保缴费标准\n一、学生：个人缴费标准为每人400元，财政补助标准为每人900元。\n二、其他人员：个人缴费标准为每人500元，财政补助标准为每人800元。\n",
			[]string{"财政补助标准为每人900元", "财政补助标准为每人800元"}},
		{"某区灵活就业社保补贴\n对本区户籍的灵活就业人员，按个人缴费的三分之二给予补贴。\n",
			[]string{"按个人缴费的三分之二给予补贴"}},
		{"某县停车收费\n收费标准为每小时5元。\n", nil},
	}
	for _, tt := range tests {
		res, err := Extract(tt.text, Options{Region: "330106"})
		if err != nil {
			t.Fatal(err)
		}
		got := amounts(res)
		if strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("%.20q: amounts %q, want %q", tt.text, got, tt.want)
		}
	}
}
