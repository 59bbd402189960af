package extract

import (
	"strings"
	"testing"
)

// Sentences written for these tests, after the way news items and Q&A
// pages list several rewards at once.

func TestSiblingGrants(t *testing.T) {
	tests := []struct {
		name string
		text string
		want [][]string // per benefit, words its conditions must hold
	}{
		{"a one-line summary of several rewards",
			"市工信局近日发布扶持政策，瞪羚企业认定奖励20万元、独角兽企业奖励100万元，单项冠军奖励50万元，首次上规奖励10万元。",
			[][]string{{"瞪羚"}, {"独角兽企业"}, {"单项冠军"}, {"首次上规"}}},
		{"a reward for a kind left out is the kind named before",
			"问：技术先进型服务企业有哪些奖励？\n答：在本区注册的企业，首次认定为技术先进型服务企业的，给予15万元奖励；复核通过的，给予5万元奖励。",
			[][]string{{"技术先进型服务企业", "region"}, {"复核通过的", "技术先进型服务企业", "region"}}},
		{"subjects listed with their amounts, no 分别",
			"关于支持工业设计发展的通知\n对新认定的市级工业设计中心、市级企业技术中心给予30万元、20万元奖励。",
			[][]string{{"工业设计中心"}, {"企业技术中心"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Extract(tt.text, Options{Region: "330106"})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Benefits) != len(tt.want) {
				var names []string
				for _, b := range res.Benefits {
					names = append(names, b.Amount)
				}
				t.Fatalf("got %d benefits %q, want %d", len(res.Benefits), names, len(tt.want))
			}
			for i, words := range tt.want {
				keys := atomKeys(res.Benefits[i].Conditions)
				for _, w := range words {
					if !strings.Contains(keys, w) {
						t.Errorf("benefit %d (%s) lacks %q: %s", i, res.Benefits[i].Amount, w, keys)
					}
				}
			}
		})
	}
}

func TestSiblingGrantsKeepPrecision(t *testing.T) {
	// A cap, a share of another grant and a class the text defines are no
	// rewards of their own.
	tests := []struct {
		name string
		text string
		want int
	}{
		{"caps and shares",
			"关于支持便民网点建设的通知\n对新建便民服务网点的企业给予一次性补贴5万元，每个网点补助不超过30万元，其中设备补助不超过10万元，单家企业累计不超过100万元。", 1},
		{"defined classes",
			"第二条 本办法所称第一类对象，是指本市户籍的特困人员。本办法所称第二类对象，是指本市户籍的低保对象。\n第三条 第一类对象每人每月300元，第二类对象每人每月150元。", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Extract(tt.text, Options{Region: "330106"})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Benefits) != tt.want {
				var names []string
				for _, b := range res.Benefits {
					names = append(names, b.Amount+" "+atomKeys(b.Conditions))
				}
				t.Fatalf("got %d benefits, want %d:\n%s", len(res.Benefits), tt.want, strings.Join(names, "\n"))
			}
			for _, b := range res.Benefits {
				for _, a := range b.Conditions.Atoms() {
					if a.Field == "unparsed" && strings.HasPrefix(a.Text, "第") && strings.HasSuffix(a.Text, "类") {
						t.Errorf("a defined class kept unparsed: %s", atomKeys(b.Conditions))
					}
				}
			}
		})
	}
}

func TestBandsOfOneLineAndClosingScope(t *testing.T) {
	// Two bands of one line split by 分号, each with its threshold in a
	// clause of its own; a closing 上述… sentence scopes every measure.
	text := "关于促进服务外包发展的若干措施\n" +
		"（一）支持企业承接离岸业务。对上年度离岸执行额超过500万美元的企业，给予20万元奖励；超过2000万美元的，给予50万元奖励。\n" +
		"（二）支持企业认证。对首次通过国际资质认证的企业，给予5万元补助。\n" +
		"上述措施适用于在本市依法注册的企业。"
	res, err := Extract(text, Options{Region: "330106"})
	if err != nil {
		t.Fatal(err)
	}
	got := amounts(res)
	want := []string{"给予20万元奖励", "给予50万元奖励", "给予5万元补助"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("amounts %q, want %q", got, want)
	}
	for i, b := range res.Benefits {
		if keys := atomKeys(b.Conditions); !strings.Contains(keys, `region within "330100"`) {
			t.Errorf("benefit %d lacks the closing scope (本市): %s", i, keys)
		}
	}
	if keys := atomKeys(res.Benefits[0].Conditions); !strings.Contains(keys, "500万美元") {
		t.Errorf("the first band lacks its own threshold: %s", keys)
	}
}

func TestClosesList(t *testing.T) {
	for in, want := range map[string]bool{
		"上述政策适用于在本市注册的企业。":    true,
		"以上措施面向全市中小微企业。":      true,
		"本措施适用于本区规模以上工业企业。":   true,
		"上述补贴资金由区财政统一安排。":     false,
		"以上材料须加盖单位公章。":        false,
		"对符合上述条件的企业给予10万元奖励。": false,
	} {
		if got := closesList(in); got != want {
			t.Errorf("closesList(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestLeadInScopesEveryBand(t *testing.T) {
	// The clause before the colon holds for every band; the years of one
	// grant are not bands.
	tests := []struct {
		name string
		text string
		want int
		all  string // a condition every benefit must hold
	}{
		{"age bands after a lead-in",
			"关于发放高龄津贴的通知\n本市户籍老年人按年龄享受津贴：80至89周岁每人每月150元，90至99周岁每人每月400元，100周岁以上每人每月800元。",
			3, "region within"},
		{"years of one grant",
			"关于支持创业的若干措施\n对入驻本区创业孵化基地的初创企业给予场租补贴，第一年补贴80%，第二年补贴50%，第三年补贴20%。",
			1, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Extract(tt.text, Options{Region: "330106"})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Benefits) != tt.want {
				got := amounts(res)
				t.Fatalf("got %d benefits %q, want %d", len(res.Benefits), got, tt.want)
			}
			for i, b := range res.Benefits {
				if keys := atomKeys(b.Conditions); !strings.Contains(keys, tt.all) {
					t.Errorf("benefit %d lacks %q: %s", i, tt.all, keys)
				}
			}
		})
	}
}
