package extract

import (
	"strings"
	"testing"
)

// TestPhrasing checks general readings of how policy texts phrase their
// conditions, each on a small text written for the test.
func TestPhrasing(t *testing.T) {
	tests := []struct {
		name, text, region string
		want               []string
	}{
		{
			name:   "参保企业 heads a clause with 或: it holds for both sides, and a second subject group keeps its own 参保企业",
			text:   "参保企业上年度未裁员或裁员率不高于5%，参保职工50人（含）以下的参保企业裁员率不高于10%的，可申请岗位补贴，按上年度缴费的50%返还。\n",
			region: "330100",
			want:   []string{`all(insured_employees gte 1, any(any(layoff_rate eq 0, layoff_rate lte 0.05), all(insured_employees lte 50, layoff_rate lte 0.1)))`},
		},
		{
			name:   "every 未裁员 of a sentence is read, one per kind of subject",
			text:   "申请条件：\n1、大型企业上年度未裁员或裁员率低于4%，中小微企业上年度未裁员或裁员率低于6%；\n2、企业管理规范。\n符合条件的企业给予返还，按缴费的50%返还。\n",
			region: "330100",
			want:   []string{`all(any(all(scale eq "large", any(layoff_rate eq 0, layoff_rate lt 0.04)), all(scale in ["medium","small","micro"], any(layoff_rate eq 0, layoff_rate lt 0.06))), ?)`},
		},
		{
			name:   "a requirement followed by 如有…的，…后可以申请 stays a requirement",
			text:   "申请条件：\n1、按时缴纳职工医疗保险费满2年以上，如有欠缴的，补缴欠费后可以申请；\n2、企业管理规范。\n符合条件的企业给予一次性奖励5万元。\n",
			region: "330100",
			want:   []string{`all(?, ?)`},
		},
		{
			name:   "到本市企业就业 is a place of work: no region atom, the place kept unparsed",
			text:   "对到本市企业就业的高校毕业生，给予每人3000元就业补贴。\n",
			region: "330100",
			want:   []string{`all(employment eq "employed", ?, tags has "高校毕业生")`},
		},
		{
			name:   "在本区就业 is a place of work too",
			text:   "对在本区稳定就业的退役军人，给予每人2000元补贴。\n",
			region: "330106",
			want:   []string{`all(employment eq "employed", ?, tags has "退役军人")`},
		},
		{
			name:   "本市户籍 beside a place of work is still the 户籍",
			text:   "对具有本市户籍并到本市企业就业的登记失业人员，给予每人2000元补贴。\n",
			region: "330100",
			want:   []string{`all(region within "330100", employment eq "employed", ?, tags has "登记失业人员")`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := benefitShapes(t, tt.text, tt.region)
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("got\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(tt.want, "\n  "))
			}
		})
	}
}
