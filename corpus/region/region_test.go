package region

import (
	"slices"
	"testing"
)

func TestLookupAndNames(t *testing.T) {
	tb := Default()
	tests := []struct {
		name string
		want string // a code ByName must return
	}{
		{"广州市", "440100"}, {"广州", "440100"}, {"天河区", "440106"}, {"天河", "440106"},
		{"广西壮族自治区", "450000"}, {"广西", "450000"}, {"黔东南", "522600"},
		{"恩施", "422800"}, {"博尔塔拉", "652700"}, {"仙桃", "429004"}, {"北京", "110000"},
	}
	for _, tt := range tests {
		if got := tb.ByName(tt.name); !slices.Contains(got, tt.want) {
			t.Errorf("ByName(%q) = %v, want it to include %s", tt.name, got, tt.want)
		}
	}
	if got := tb.ByName("朝阳"); len(got) < 2 {
		t.Errorf("ByName(朝阳) = %v, want the Beijing district and the Liaoning city", got)
	}
	if got := tb.ByName("湖北省-自治区直辖县级行政区划"); len(got) != 0 {
		t.Errorf("grouping name found: %v", got)
	}
}

func TestValid(t *testing.T) {
	tb := Default()
	for code, want := range map[string]bool{
		"100000": true, "440106": true, "110000": true, "110100": true, "429004": true,
		"440199": false, "999999": false, "44010": false, "abcdef": false, "": false,
	} {
		if got := tb.Valid(code); got != want {
			t.Errorf("Valid(%q) = %v, want %v", code, got, want)
		}
	}
}

func TestWithinAndAncestors(t *testing.T) {
	tests := []struct {
		code, outer string
		want        bool
	}{
		{"370811", "370800", true}, {"370811", "370000", true}, {"370811", "100000", true},
		{"370811", "370811", true}, {"370811", "370900", false}, {"370811", "440000", false},
		{"440000", "440106", false}, {"100000", "100000", true}, {"4401", "440000", false},
		{"429004", "420000", true}, {"429004", "429000", true},
	}
	for _, tt := range tests {
		if got := Within(tt.code, tt.outer); got != tt.want {
			t.Errorf("Within(%s, %s) = %v, want %v", tt.code, tt.outer, got, tt.want)
		}
	}
	tb := Default()
	for code, want := range map[string][]string{
		"440106": {"440100", "440000", "100000"},
		"110105": {"110000", "100000"}, // 110100 is not listed
		"440100": {"440000", "100000"},
		"440000": {"100000"},
		"100000": nil,
	} {
		if got := tb.Ancestors(code); !slices.Equal(got, want) {
			t.Errorf("Ancestors(%s) = %v, want %v", code, got, want)
		}
	}
}
