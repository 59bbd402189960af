package extract

import (
	"strings"
	"testing"

	"github.com/zhida/zhida/corpus"
)

func TestFirmCues(t *testing.T) {
	ctx := &docContext{region: "440106", audience: corpus.AudienceEnterprise}
	tests := []struct {
		s    string
		want []string
	}{
		{"申报主体未被认定为失信联合惩戒对象", []string{`dishonest eq false`}},
		{"申请企业不属于失信被执行人", []string{`dishonest eq false`}},
		{"申请企业未被列入严重失信主体名单", []string{`dishonest eq false`}}, // the base rule, once
		{"对天河区行政区域内的科技企业给予奖励", []string{`region within "440106"`}},
		{"对辖区内符合条件的企业给予奖励", []string{`region within "440106"`}},
		{"到天河区行政区域内企业就业的人员", nil}, // a place of work
	}
	for _, tt := range tests {
		var got []string
		for _, h := range sentenceHits(tt.s, ctx) {
			if f := h.cond.Atoms()[0].Field; f == "dishonest" || f == "region" {
				got = append(got, shape(h.cond))
			}
		}
		if strings.Join(got, "; ") != strings.Join(tt.want, "; ") {
			t.Errorf("sentenceHits(%q) = %q, want %q", tt.s, got, tt.want)
		}
	}
}

// TestOthersGrant checks that a text for firms gives no firm the grants it
// pays to carriers, providers and persons.
func TestOthersGrant(t *testing.T) {
	tests := []struct {
		text, amount string
		want         bool
	}{
		{"经认定为市级孵化载体的本区创业孵化基地，给予每家20万元支持", "给予每家20万元支持", true},
		{"在园区企业实习的在校青年，给予每人每月2000元实习补贴", "给予每人每月2000元实习补贴", true},
		{"入驻园区的第三方服务机构每成功引进1家企业，给予5000元奖励", "给予5000元奖励", true},
		{"对在本区注册的科技企业，给予10万元奖励", "给予10万元奖励", false},
		{"企业招用高校毕业生的，给予每人1000元补贴", "给予每人1000元补贴", false},
		{"对新招用的青年，给予企业每人1000元补贴", "给予企业每人1000元补贴", false},
		{"对新引进的35周岁以下人才，所在企业给予每人1万元补贴", "所在企业给予每人1万元补贴", false},
	}
	for _, tt := range tests {
		if got := othersGrant(tt.text, tt.amount, corpus.AudienceEnterprise); got != tt.want {
			t.Errorf("othersGrant(%q) = %v, want %v", tt.text, got, tt.want)
		}
		if othersGrant(tt.text, tt.amount, corpus.AudienceResident) {
			t.Errorf("othersGrant(%q) holds in a text for residents", tt.text)
		}
	}
}

// TestCapAfterGrant checks that the cap and term of a grant paid to others
// do not become benefits of their own.
func TestCapAfterGrant(t *testing.T) {
	text := "企业扶持办法\n第三条 对在本区注册的企业给予一次性10万元奖励。\n第四条 园区第三方服务机构每成功推荐1家企业落户，给予1万元奖励，同一服务机构每年最高不超过10万元。在园区企业实习的青年，给予每人每月2000元补贴，补贴期限不超过6个月。\n"
	res, err := Extract(text, Options{Region: "440106"})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, b := range res.Benefits {
		names = append(names, b.Amount)
	}
	if len(names) != 1 || !strings.Contains(names[0], "10万元") {
		t.Errorf("benefits %q, want only the firm's 10万元", names)
	}
}
