package zhnorm

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestFold(t *testing.T) {
	tests := []struct{ in, want string }{
		{"關於加快高新技術企業培育發展的六條措施", "关于加快高新技术企业培育发展的六条措施"},
		{"貴池區高齡津貼", "贵池区高龄津贴"},
		{"80周歲及以上老年人", "80周岁及以上老年人"},
		// Phrases override the character table: 乾 is 干 alone but stays in 乾隆.
		{"乾隆年間", "乾隆年间"},
		{"一目瞭然", "一目了然"},
		{"營業收入達到５０００萬元，佔比３．５％", "营业收入达到5000万元，占比3.5%"},
		{"穗府办规[2022]13号", "穗府办规〔2022〕13号"},
		{"京科发（2023）16号", "京科发〔2023〕16号"},
		{"银发【2020】 29号", "银发〔2020〕 29号"},
		// Not a 文号: the bracket stays.
		{"（2023）年度", "（2023）年度"},
		{"已是简体中文，不变。", "已是简体中文，不变。"},
		{"", ""},
	}
	for _, tt := range tests {
		got := Fold(tt.in)
		if got != tt.want {
			t.Errorf("Fold(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if utf8.RuneCountInString(got) != utf8.RuneCountInString(tt.in) {
			t.Errorf("Fold(%q) changed the rune count", tt.in)
		}
	}
}

func TestWidth(t *testing.T) {
	tests := []struct{ in, want string }{
		{"ＡＢＣ１２３", "ABC123"},
		{"不超过３０％（含）", "不超过30%（含）"},
		{"１．申报条件：企业，个体", "1.申报条件：企业，个体"},
		{"18～35周岁", "18~35周岁"},
		{"a\u3000b\u00a0c", "a b c"},
	}
	for _, tt := range tests {
		if got := Width(tt.in); got != tt.want {
			t.Errorf("Width(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestJoinWraps(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{
			name: "wrapped sentence joined",
			in:   "申请企业需在本市注册，上年度营业收入不低于\n2000万元，且未被列入严重失信主体名单。\n二、支持标准",
			want: "申请企业需在本市注册，上年度营业收入不低于2000万元，且未被列入严重失信主体名单。\n二、支持标准",
		},
		{
			name: "one paragraph per line unchanged",
			in:   "关于印发扶持办法的通知\n各区人民政府，市各委、办、局：\n现将有关事项通知如下。",
			want: "关于印发扶持办法的通知\n各区人民政府，市各委、办、局：\n现将有关事项通知如下。",
		},
		{
			name: "numbered item starts a line",
			in:   "符合下列条件之一的企业可以申请补贴资金支\n持，具体要求如下面所列的各项条件进行\n（一）注册在本市；\n（二）参保。",
			want: "符合下列条件之一的企业可以申请补贴资金支持，具体要求如下面所列的各项条件进行\n（一）注册在本市；\n（二）参保。",
		},
		{
			name: "latin words keep a space",
			in:   "The applicant shall submit the form to\nthe office",
			want: "The applicant shall submit the form to the office",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := JoinWraps(tt.in); got != tt.want {
				t.Errorf("JoinWraps =\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}

func FuzzFold(f *testing.F) {
	f.Add("關於[2022]13號（含）")
	f.Add("\xff\xfe乾")
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			s = strings.ToValidUTF8(s, "\uFFFD")
		}
		got := Fold(s)
		if utf8.RuneCountInString(got) != utf8.RuneCountInString(s) {
			t.Fatalf("Fold changed the rune count of %q: %q", s, got)
		}
		_ = JoinWraps(s)
	})
}

func BenchmarkFold(b *testing.B) {
	s := strings.Repeat("關於加快高新技術企業培育發展的六條措施，上年度營業收入不低於２０００萬元。申请企业需在本市注册。", 200)
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		Fold(s)
	}
}
