package extract

import (
	"slices"
	"testing"

	"github.com/zhida/zhida/corpus"
)

// Sentences written for these tests in the style of enterprise notices.

func TestScaleWords(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string
	}{
		{"中小企业 is medium, small and micro", "申报单位属于中小企业", []string{`scale in ["medium","small","micro"] -`}},
		{"one size", "本市中型企业可申请", []string{`scale eq "medium" -`}},
		{"two sizes joined by 或", "小型企业或微型企业", []string{`scale in ["small","micro"] -`}},
		{"大中型", "大中型企业按30%返还", []string{`scale in ["large","medium"] -`}},
		{"小型微利企业 is a tax notion", "小型微利企业减按25%计入应纳税所得额", nil},
		{"the topic of a programme", "促进中小企业发展专项资金", nil},
		{"a body named after it", "中小企业公共服务示范平台", nil},
		{"a document number", "闽中小企业办〔2022〕1号", nil},
		{"a tag that is itself an SME", "科技型中小企业", []string{`tags has "科技型中小企业" -`}},
		{"a kind described by its features", "具有专业化特征的中小企业", nil},
		{"the fixed forms keep their reading", "中小微企业", []string{`scale in ["medium","small","micro"] -`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := atomsOf(t, tt.in, "440106", corpus.AudienceEnterprise)
			if !slices.Equal(got, tt.want) {
				t.Errorf("%s\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestEnterpriseWordings(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string
	}{
		{"研究开发费用 share is rd_ratio", "研究开发费用占营业收入比重达到5%以上", []string{"rd_ratio gte 0.05 -1"}},
		{"the registered site before the place", "注册地和纳税地均在本市", []string{`region within "440100" -`}},
		{"a registered site named with other records", "工商注册地、税务征管关系及统计关系均在本区", []string{`region within "440106" -`}},
		{"办理 before 注册", "依法在本区办理工商注册登记", []string{`region within "440106" -`}},
		{"a quoted 专精特新 tag", "省级“专精特新”中小企业", []string{`tags has "专精特新中小企业" -`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := atomsOf(t, tt.in, "440106", corpus.AudienceEnterprise)
			if !slices.Equal(got, tt.want) {
				t.Errorf("%s\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestLookbackWindow(t *testing.T) {
	// 近三年内 times the record after it; with 注册 earlier in the sentence
	// it used to read as established_years lt 3.
	got := atomsOf(t, "在本区注册的企业，近三年内未发生重大安全生产事故", "440106", corpus.AudienceEnterprise)
	if !slices.Equal(got, []string{`region within "440106" -`}) {
		t.Errorf("got %q, want only the region", got)
	}
}

func TestEnterpriseRecordKept(t *testing.T) {
	text := "关于企业研发奖励的通知\n对在本区注册的规模以上工业企业，纳税信用等级为A级，且近三年内未发生重大安全生产事故的，按上年度研发费用的10%给予奖励。"
	res, err := Extract(text, Options{Region: "440106"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"纳税信用等级为A级", "近三年内未发生重大安全生产事故的"}
	if !slices.Equal(res.Unparsed, want) {
		t.Errorf("unparsed = %q, want %q", res.Unparsed, want)
	}
}

func TestNotRead(t *testing.T) {
	// The vocabulary's amounts are yuan: 2亿美元 is not 2亿元; 中小企业需求 is a topic.
	if got := atomsOf(t, "境外母公司资产总额不低于2亿美元", "110000", corpus.AudienceEnterprise); len(got) != 0 {
		t.Errorf("got %q, want nothing read", got)
	}
	if got := atomsOf(t, "符合中小企业需求的数字化服务", "110000", corpus.AudienceEnterprise); len(got) != 0 {
		t.Errorf("got %q, want nothing read", got)
	}
}

func TestMoneyAndShareOwners(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string
	}{
		{"a share named after R&D spending", "上年度研发投入不低于300万元，且占营业收入比例不低于3%",
			[]string{"rd_expense gte 3000000 -1", "rd_ratio gte 0.03 -1"}},
		{"an export share is no R&D share", "上年度出口额占销售收入比例不低于30%", nil},
		{"a household's income is no firm's revenue", "家庭年收入低于5万元", nil},
		{"a car's registration is no firm's age", "注册登记在本人名下1年以上的乘用车", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := atomsOf(t, tt.in, "440106", corpus.AudienceEnterprise)
			if !slices.Equal(got, tt.want) {
				t.Errorf("%s\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}
