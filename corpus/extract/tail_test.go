package extract

import (
	"slices"
	"testing"
)

func TestTrailingRequirements(t *testing.T) {
	tests := []struct {
		name, text string
		want       []string
	}{
		{"a requirement after the grant is the grant's",
			"高龄津贴发放办法\n对80周岁以上老年人每人每月发放高龄津贴100元，申领人须具有本区户籍且在本区居住满1年。",
			[]string{`all(age gte 80, region within "440106", residence_region within "440106")`}},
		{"another thought after the grant is not",
			"高龄津贴发放办法\n对80周岁以上老年人每人每月发放高龄津贴100元，60周岁至80周岁老年人自费购买。",
			[]string{"age gte 80"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := benefitShapes(t, tt.text, "440106")
			if !slices.Equal(got, tt.want) {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}
