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
