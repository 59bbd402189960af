package extract

import (
	"testing"

	"github.com/zhida/zhida/corpus"
)

func TestNotEligibility(t *testing.T) {
	tests := []struct {
		s      string
		inList bool
		want   bool
	}{
		// Principles and aims.
		{"助残服务坚持政府引导、社会参与的原则", false, true},
		{"确保服务覆盖到每一位有需要的老人", false, true},
		{"坚持社会效益优先", true, false}, // an item of a list of conditions
		// An office doing its work.
		{"市民政局制定服务目录，明确服务内容和补贴上限", false, true},
		{"区人社局负责组织开展培训", false, true},
		{"区人社局按每人500元发放补贴", false, false}, // an amount: a grant
		{"区人社局受理申请，申请人须年满18周岁", false, false},
		{"补贴对象为经民政部门审核认定的低收入家庭", false, false}, // an office as agent, not subject
		{"经市残联审核确定的重度残疾人", false, false},
		// How to apply in a special case.
		{"如需要变更类别的申请人，应先办理变更手续，取得新证后，方可申请", false, true},
		{"3岁以下幼儿可以持出生证明申请", false, true},
		// Where data comes from.
		{"就业状态以社保部门数据为准", false, true},
		// Real conditions stay.
		{"申请人须具有本市户籍", false, false},
		{"年满60周岁的本市户籍老年人", false, false},
	}
	for _, tt := range tests {
		if got := notEligibility(tt.s, corpus.AudienceResident, tt.inList); got != tt.want {
			t.Errorf("notEligibility(%q, inList=%v) = %v, want %v", tt.s, tt.inList, got, tt.want)
		}
	}
}

func TestCueText(t *testing.T) {
	if condCueRe.MatchString(cueText("坚持需求导向，提供对接服务")) {
		t.Error("需求 read as a requirement cue")
	}
	if !condCueRe.MatchString(cueText("申请人需提供身份证明")) {
		t.Error("需 (must) no longer a cue")
	}
}

func TestCertifiedStatus(t *testing.T) {
	for _, tt := range []struct {
		s    string
		want bool
	}{
		{"补贴对象为经民政部门审核认定的低收入家庭", true},
		{"经审批确认为特困人员的", true},
		{"区人社局在5个工作日内完成审核", false},
		{"申请材料经审核通过后予以公示", false},
	} {
		if got := certifiedStatus(tt.s); got != tt.want {
			t.Errorf("certifiedStatus(%q) = %v, want %v", tt.s, got, tt.want)
		}
	}
}
