package extract

import (
	"strings"
	"testing"
)

// The sentences below are written for these tests, after the ways policies
// pair a list of subjects with a list of amounts; they copy no one text.

func TestSplitRespective(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string // the sentences the line becomes; nil: unchanged
	}{
		{"levels with their amounts",
			"对新认定的国家级、省级、市级工程研究中心，分别给予80万元、40万元、10万元奖励。",
			[]string{"对新认定的国家级工程研究中心，给予80万元奖励", "对新认定的省级工程研究中心，给予40万元奖励", "对新认定的市级工程研究中心，给予10万元奖励。"}},
		{"the last two joined by 和, a bare 国家",
			"对首次入选国家、省和市级示范园区的园区，分别奖励30万元、20万元和10万元。",
			[]string{"对首次入选国家示范园区的园区，奖励30万元", "对首次入选省示范园区的园区，奖励20万元", "对首次入选市级示范园区的园区，奖励10万元。"}},
		{"thresholds, the unit written once",
			"对年产值首次达到2亿元、8亿元、20亿元的制造企业分别奖励5、15、40万元。",
			[]string{"对年产值首次达到2亿元的制造企业奖励5万元", "对年产值首次达到8亿元的制造企业奖励15万元", "对年产值首次达到20亿元的制造企业奖励40万元。"}},
		{"two bands joined by 和, the count dropped",
			"对新建的充电站，按照额定功率不低于600千瓦和300千瓦两档分别给予60万元和25万元补贴。",
			[]string{"对新建的充电站，按照额定功率不低于600千瓦给予60万元补贴", "对新建的充电站，按照额定功率不低于300千瓦给予25万元补贴。"}},
		{"ratings, rates",
			"对绩效评价为优秀、合格的孵化器，分别按运营费用的30%、15%给予补助，最高不超过50万元。",
			[]string{"对绩效评价为优秀的孵化器，按运营费用的30%给予补助，最高不超过50万元", "对绩效评价为合格的孵化器，按运营费用的15%给予补助，最高不超过50万元。"}},
		{"groups of people, 对象 is not a lead",
			"对分散供养对象和集中供养对象，分别按每人每月200元、100元发放护理补贴。",
			[]string{"对分散供养对象，按每人每月200元发放护理补贴", "对集中供养对象，按每人每月100元发放护理补贴。"}},
		{"a grant before the list is kept once",
			"对新认定的孵化器给予10万元奖励，对晋级为省级、国家级孵化器的分别再给予20万元、50万元奖励；其他按规定执行。",
			[]string{"对新认定的孵化器给予10万元奖励，对晋级为省级孵化器的再给予20万元奖励", "对晋级为国家级孵化器的再给予50万元奖励", "其他按规定执行。"}},
		{"counts that differ are left alone",
			"对国际标准、国家标准、行业标准和地方标准的主导制定单位，分别给予50万元、20万元奖励。", nil},
		{"分别 with no list of amounts is left alone",
			"申请人分别向户籍地和居住地社区提交申请，由街道审核后给予一次性补贴500元。", nil},
		{"years are not amounts",
			"对2024年、2025年分别新增的企业，按规定给予奖励。", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			items := map[string]string{}
			got := splitRespective(tt.in, items)
			if tt.want == nil {
				if got != tt.in {
					t.Fatalf("line was rewritten:\n%s", got)
				}
				return
			}
			if g := strings.Split(got, "；"); strings.Join(g, "\n") != strings.Join(tt.want, "\n") {
				t.Fatalf("got:\n%s\nwant:\n%s", strings.Join(g, "\n"), strings.Join(tt.want, "\n"))
			}
			if len(items) < 2 {
				t.Errorf("recorded %d items, want one per copy", len(items))
			}
		})
	}
}

func TestRespectiveListGivesOneBenefitPerPair(t *testing.T) {
	text := "关于促进制造业高质量发展的若干措施\n" +
		"一、申报条件\n申报单位须在本市依法注册登记，且未被列入严重失信主体名单。\n" +
		"二、支持标准\n对新认定的国家级、省级、市级工程研究中心，分别给予80万元、40万元、10万元奖励。\n" +
		"对新建的充电站，按照额定功率不低于600千瓦和300千瓦两档分别给予60万元和25万元补贴。\n" +
		"三、申报材料\n1.申请表；2.营业执照复印件。\n四、联系方式\n联系电话：12345678"
	res, err := Extract(text, Options{Region: "320500"})
	if err != nil {
		t.Fatal(err)
	}
	var amounts []string
	for _, b := range res.Benefits {
		amounts = append(amounts, b.Amount)
	}
	if len(res.Benefits) != 5 {
		t.Fatalf("got %d benefits %q, want 5 (three levels, two bands)", len(res.Benefits), amounts)
	}
	seen := map[string]bool{}
	for i, b := range res.Benefits {
		keys := atomKeys(b.Conditions)
		// The shared 申报条件 hold for every pair.
		for _, want := range []string{`region within "320500" -`, "dishonest eq false -"} {
			if !strings.Contains(keys, want) {
				t.Errorf("benefit %d (%s) lacks the shared %q: %s", i, b.Amount, want, keys)
			}
		}
		// Each pair is told apart by its own item.
		var own []string
		for _, a := range b.Conditions.Atoms() {
			if a.Field == "unparsed" {
				own = append(own, a.Text)
			}
		}
		k := strings.Join(own, "|")
		if seen[k] {
			t.Errorf("benefit %d (%s) has the same conditions as another: %s", i, b.Amount, k)
		}
		seen[k] = true
	}
}

func TestSplitRespectiveOddInputs(t *testing.T) {
	// Odd shapes must neither panic nor drop the words of the line.
	for _, in := range []string{
		"分别", "分别1万元、2万元", "、、分别给予1万元、2万元。", "对、分别给予1万元、2万元",
		"A和分别给予1万元和2万元", "（甲、乙）分别给予1万元、2万元；", "对甲、乙，分别给予1、2",
		"对甲、乙分别给予1万元、2万元、3万元", "对甲、乙给予1万元、2万元，丙给予3万元", "，，分别给予5%、6%",
		"对1亿元、2亿元的分别奖励1万元、2万元、", "对国家、省和分别给予1万元、2万元和3万元",
	} {
		got := splitRespective(in, map[string]string{})
		for _, r := range []rune(strings.NewReplacer("分别", "", "；", "", "。", "", "、", "", "和", "").Replace(in)) {
			if !strings.ContainsRune(got, r) {
				t.Errorf("splitRespective(%q) = %q lost %q", in, got, r)
				break
			}
		}
		if _, err := Extract("标题\n"+in, Options{Region: "330106"}); err != nil {
			t.Errorf("Extract(%q): %v", in, err)
		}
	}
}
