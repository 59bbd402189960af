package extract

import (
	"strings"
	"testing"

	"github.com/zhida/zhida/corpus"
)

// TestRelativePeople checks that what a text says of an applicant's
// relatives is not read as the applicant's own age, tags or 户籍.
func TestRelativePeople(t *testing.T) {
	ctx := &docContext{region: "440100", audience: corpus.AudienceResident}
	tests := []struct{ s, want string }{
		{"家中有未满18周岁子女的低保对象", `?; tags has "低保对象"`},
		{"配偶为持证残疾人的本市户籍居民", `?; region within "440100"`},
		{"照料80周岁以上老人的本市居民", `?`},
		// The parent's 户籍 is one unparsed clause; being a 学龄儿童 is the
		// applicant's own (a group no tag stands for: people.go).
		{"父母一方为本市户籍的学龄儿童", `?; ?`},
		// The applicant's own facts stay.
		{"80周岁以上的本市户籍老人", `age gte 80; region within "440100"`},
		{"3周岁以下婴幼儿", `age lte 3`},
	}
	for _, tt := range tests {
		var got []string
		for _, h := range sentenceHits(tt.s, ctx) {
			got = append(got, shape(h.cond))
		}
		if strings.Join(got, "; ") != tt.want {
			t.Errorf("sentenceHits(%q) = %q, want %q", tt.s, strings.Join(got, "; "), tt.want)
		}
	}
}
