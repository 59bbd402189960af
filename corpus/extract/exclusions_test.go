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
