package indexer

import (
	"strings"
	"testing"
)

func TestSnippet(t *testing.T) {
	fold := strings.NewReplacer("補", "补", "貼", "贴", "Ａ", "A").Replace
	long := strings.Repeat("前文", 60) + "给予一次性吸纳就业补贴" + strings.Repeat("后文", 60)
	tests := []struct {
		name  string
		text  string
		terms []string
		want  string
	}{
		{"marks every occurrence", "对企业给予补贴，补贴按月发放。", []string{"补贴"},
			"对企业给予<mark>补贴</mark>，<mark>补贴</mark>按月发放。"},
		{"overlapping terms merge", "高新技术企业认定", []string{"高新技术企业", "技术", "企业"},
			"<mark>高新技术企业</mark>认定"},
		{"traditional text marked in place", "申請創業補貼", []string{"补贴"}, "申請創業<mark>補貼</mark>"},
		{"ASCII any case, full-width folded", "ＡBC公司", []string{"abc"}, "<mark>ＡBC</mark>公司"},
		{"escaped", "<b>补贴</b>", []string{"补贴"}, "&lt;b&gt;<mark>补贴</mark>&lt;/b&gt;"},
		{"no match", "对企业给予奖励", []string{"补贴"}, ""},
		{"window around the match",
			long, []string{"补贴"},
			// 20 characters before the match, 80 in all.
			"…文" + strings.Repeat("前文", 5) + "给予一次性吸纳就业<mark>补贴</mark>" + strings.Repeat("后文", 29) + "…"},
	}
	for _, tt := range tests {
		if got := Snippet(tt.text, tt.terms, fold); got != tt.want {
			t.Errorf("%s: Snippet = %q, want %q", tt.name, got, tt.want)
		}
	}
}
