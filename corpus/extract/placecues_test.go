package extract

import (
	"strings"
	"testing"

	"github.com/zhida/zhida/corpus"
)

func TestPlaceCues(t *testing.T) {
	ctx := &docContext{region: "440100", audience: corpus.AudienceResident}
	tests := []struct {
		s    string
		want string
	}{
		// The card's issuing province is not where the person lives; the
		// city where it was obtained is.
		{"在本市办理的《广东省居住证》持有人", `residence_region within "440100"`},
		{"持有深圳市公安机关签发的居住证", `residence_region within "440300"`},
		// A place in a title with no other place is left to the other rules.
		{"持有《广州市残疾人证》的人员", ``},
		// Where one lives, named before the place.
		{"居住地在本市的残疾人", `residence_region within "440100"`},
		{"户籍地或居住地在本市的老年人", `any(region within "440100", residence_region within "440100")`},
		// 户籍 is still 户籍.
		{"具有本市户籍的人员", `region within "440100"`},
	}
	for _, tt := range tests {
		var got []string
		for _, h := range placeAtoms(tt.s, ctx) {
			got = append(got, shape(h.cond))
		}
		if strings.Join(got, "; ") != tt.want {
			t.Errorf("placeAtoms(%q) = %q, want %q", tt.s, strings.Join(got, "; "), tt.want)
		}
	}
}

func TestInBookTitle(t *testing.T) {
	s := "在本市办理《广东省居住证》的人"
	if !inBookTitle(s, strings.Index(s, "广东")) {
		t.Error("广东 is inside the title")
	}
	if inBookTitle(s, strings.Index(s, "本市")) || inBookTitle(s, strings.Index(s, "的人")) {
		t.Error("本市 and 的人 are outside the title")
	}
}
