package extract

import (
	"slices"
	"testing"
)

func TestRefusedCasesList(t *testing.T) {
	// The items under 有下列情形之一的，不予发放： are refused cases: none
	// may hold, instead of all being required.
	text := "某区高龄补贴办法\n一、补贴对象\n本市户籍、年满60周岁的居民。\n二、补贴标准\n每人每月发放补贴100元。\n三、有下列情形之一的，不予发放：\n（一）正在服刑的；\n（二）已出国定居的；\n（三）其他不符合规定的。"
	got := benefitShapes(t, text, "440106")
	want := []string{`all(region within "440100", age gte 60, not(any(?, ?, ?)))`}
	if !slices.Equal(got, want) {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}
