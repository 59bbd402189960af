package score

import (
	"math"
	"testing"

	"github.com/zhida/zhida/corpus"
)

func TestAtoms(t *testing.T) {
	rev := corpus.Atom("revenue", corpus.OpGte, corpus.Number(2e7), "上年度营业收入不低于2000万元").WithYear(-1)
	revNoYear := corpus.Atom("revenue", corpus.OpGte, corpus.Number(2e7), "营业收入不低于2000万元")
	reg := corpus.Atom("region", corpus.OpWithin, corpus.String("440100"), "本市户籍")
	un := corpus.Unparsed("财务制度健全")
	tests := []struct {
		name       string
		gold, pred []corpus.Cond
		want       Counts
		p, r, f1   float64
	}{
		{"exact", []corpus.Cond{corpus.All(rev, reg)}, []corpus.Cond{corpus.Any(reg, rev)}, Counts{2, 2, 2}, 1, 1, 1},
		{"year must agree", []corpus.Cond{rev}, []corpus.Cond{revNoYear}, Counts{1, 1, 0}, 0, 0, 0},
		{"text ignored, unparsed counted as a multiset",
			[]corpus.Cond{corpus.All(un, un, reg)}, []corpus.Cond{corpus.All(corpus.Unparsed("别的"))},
			Counts{3, 1, 1}, 1, 1.0 / 3, 0.5},
		{"repeats across benefits", []corpus.Cond{reg, reg}, []corpus.Cond{reg}, Counts{2, 1, 1}, 1, 0.5, 2.0 / 3},
		{"both empty", nil, nil, Counts{}, 1, 1, 1},
		{"nothing predicted", []corpus.Cond{reg}, nil, Counts{1, 0, 0}, 0, 0, 0},
		{"value differs", []corpus.Cond{reg}, []corpus.Cond{corpus.Atom("region", corpus.OpWithin, corpus.String("440000"), "")}, Counts{1, 1, 0}, 0, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Atoms(tt.gold, tt.pred)
			if got != tt.want {
				t.Fatalf("Atoms = %+v, want %+v", got, tt.want)
			}
			for _, c := range []struct {
				name      string
				got, want float64
			}{{"precision", got.Precision(), tt.p}, {"recall", got.Recall(), tt.r}, {"F1", got.F1(), tt.f1}} {
				if math.Abs(c.got-c.want) > 1e-9 {
					t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
				}
			}
		})
	}
}

func TestDiff(t *testing.T) {
	a := corpus.Atom("age", corpus.OpGte, corpus.Number(60), "60周岁及以上")
	b := corpus.Atom("age", corpus.OpGt, corpus.Number(60), "60周岁以上")
	missing, extra := Diff([]corpus.Cond{a, a}, []corpus.Cond{a, b})
	if missing[Key(a)] != 1 || len(missing) != 1 {
		t.Errorf("missing = %v", missing)
	}
	if extra[Key(b)] != 1 || len(extra) != 1 {
		t.Errorf("extra = %v", extra)
	}
}
