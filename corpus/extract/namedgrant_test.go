package extract

import (
	"strings"
	"testing"
)

func TestNamelessGrant(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []string // amounts of the benefits
	}{
		{"a grant named without an amount beside ones with amounts",
			"关于加快发展先进制造业的若干措施\n对新认定的省级制造业创新中心奖励100万元，对入驻产业园区的初创企业给予房租补贴。",
			[]string{"对新认定的省级制造业创新中心奖励100万元", "给予房租补贴"}},
		{"a news item: the second reward has no amount",
			"市政府出台新政，对首次上市的企业一次性奖励200万元。同时，对列入上市后备库的企业也进行奖励。",
			[]string{"对首次上市的企业一次性奖励200万元", "也进行奖励"}},
		{"a filler subject leads into the standards, no benefit of its own",
			"关于加快发展先进制造业的若干措施\n对符合条件的企业给予奖励。\n奖励标准：新认定的省级制造业创新中心奖励100万元。",
			[]string{"新认定的省级制造业创新中心奖励100万元"}},
		{"a second route named without an amount, how to claim it after",
			"关于稳岗返还的通知\n发放标准：\n1.中小微企业按上年度实际缴纳失业保险费的60%返还。\n2.对上年度有欠费，但累计缴纳失业保险费满12个月的企业，可按其实际缴纳额予以返还，企业向经办机构提交申请表后办理。",
			[]string{"中小微企业按上年度实际缴纳失业保险费的60%返还", "予以返还"}},
		{"a lead-in with a colon is no grant",
			"关于加快发展先进制造业的若干措施\n对新认定的创新中心给予奖励：国家级100万元、省级50万元。",
			[]string{"对新认定的创新中心给予奖励：国家级100万元", "对新认定的创新中心给予奖励：省级50万元"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Extract(tt.text, Options{Region: "330106"})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, b := range res.Benefits {
				got = append(got, b.Amount)
				if b.Conditions.Kind() == 0 || len(b.Conditions.Atoms()) == 0 {
					t.Errorf("benefit %q has no condition", b.Amount)
				}
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Fatalf("benefits:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}
