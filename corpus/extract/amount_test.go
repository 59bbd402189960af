package extract

import (
	"testing"

	"github.com/zhida/zhida/corpus"
)

func TestParseAmount(t *testing.T) {
	for _, tc := range []struct {
		in   string
		kind corpus.AmountKind
		v    float64
	}{
		{"一次性奖励30万元", corpus.AmountFixed, 3e5},
		{"每人每月400元", corpus.AmountPerMonth, 400},
		{"按30%给予补助，最高不超过5000万元", corpus.AmountRate, 0.3},
	} {
		a := ParseAmount(tc.in)
		if a == nil || a.Kind != tc.kind || a.Value != tc.v {
			t.Errorf("ParseAmount(%q) = %+v, want %s %v", tc.in, a, tc.kind, tc.v)
		}
	}
	if a := ParseAmount("按规定给予支持"); a != nil {
		t.Errorf("an amount from no number: %+v", a)
	}
}
