package extract

import (
	"strings"
	"testing"

	"github.com/zhida/zhida/corpus"
)

func TestFlipExcluded(t *testing.T) {
	ctx := &docContext{region: "440100", audience: corpus.AudienceResident}
	tests := []struct {
		s    string
		want string
	}{
		{"本区户籍的非在校学生", `employment ne "student"`},
		{"城乡居民（在校学生除外）", `employment ne "student"`},
		{"参保人员，不包括全日制在校学生", `employment ne "student"`},
		{"全日制在校学生", `employment eq "student"`},
		{"非全日制在校学生", `employment eq "student"`}, // part-time students are students
		{"本市户籍的灵活就业人员", `employment eq "self_employed"`},
	}
	for _, tt := range tests {
		var got []string
		for _, h := range sentenceHits(tt.s, ctx) {
			if a := h.cond.Atoms(); len(a) == 1 && a[0].Field == "employment" {
				got = append(got, shape(h.cond))
			}
		}
		if strings.Join(got, "; ") != tt.want {
			t.Errorf("sentenceHits(%q) employment = %q, want %q", tt.s, got, tt.want)
		}
	}
}

func TestQualificationAlternatives(t *testing.T) {
	ctx := &docContext{region: "440100", audience: corpus.AudienceResident}
	tests := []struct{ s, want string }{
		{"具有大学本科及以上学历或中级及以上职称", `中级及以上职称`},
		{"大专以上学历或者高级工以上职业资格", `高级工以上职业资格`},
		{"具有本科以上学历", ``},
		{"具有本科以上学历，或者年薪30万元以上", ``}, // another clause: left to the clause rules
	}
	for _, tt := range tests {
		var got []string
		for _, h := range qualificationAlternatives(tt.s, sentenceHitsNoAlt(tt.s, ctx)) {
			got = append(got, h.cond.Text)
		}
		if strings.Join(got, "|") != tt.want {
			t.Errorf("qualificationAlternatives(%q) = %q, want %q", tt.s, got, tt.want)
		}
	}
}

// sentenceHitsNoAlt is sentenceHits without the alternatives it adds, so
// that the test sees what qualificationAlternatives is given.
func sentenceHitsNoAlt(s string, ctx *docContext) []hit {
	var out []hit
	for _, h := range sentenceHits(s, ctx) {
		if h.cond.Field != corpus.FieldUnparsed {
			out = append(out, h)
		}
	}
	return out
}
