// Package score compares extracted condition atoms with gold ones. Atoms
// match on (field, op, value, year); the source text is ignored. Atoms are
// counted as a multiset over a whole document, so a condition repeated in
// three benefits counts three times on both sides.
package score

import (
	"fmt"

	"github.com/zhida/zhida/corpus"
)

// Counts is the outcome of comparing one document (or a sum of several).
type Counts struct {
	Gold, Pred, Matched int
}

// Add returns the sum of two counts.
func (c Counts) Add(d Counts) Counts {
	return Counts{Gold: c.Gold + d.Gold, Pred: c.Pred + d.Pred, Matched: c.Matched + d.Matched}
}

// Precision is matched / predicted; 1 when nothing was predicted and nothing expected.
func (c Counts) Precision() float64 { return ratio(c.Matched, c.Pred, c.Gold == 0) }

// Recall is matched / gold; 1 when there is no gold atom and none predicted.
func (c Counts) Recall() float64 { return ratio(c.Matched, c.Gold, c.Pred == 0) }

// F1 is the harmonic mean of precision and recall.
func (c Counts) F1() float64 {
	p, r := c.Precision(), c.Recall()
	if p+r == 0 {
		return 0
	}
	return 2 * p * r / (p + r)
}

func ratio(n, d int, emptyOK bool) float64 {
	if d == 0 {
		if emptyOK {
			return 1
		}
		return 0
	}
	return float64(n) / float64(d)
}

// Key is what two atoms must share to match.
func Key(a corpus.Cond) string {
	y := "-"
	if a.Year != nil {
		y = fmt.Sprint(*a.Year)
	}
	return a.Field + "\x00" + string(a.Op) + "\x00" + a.Value.String() + "\x00" + y
}

// Atoms compares the atoms of the gold trees with those of the predicted trees.
func Atoms(gold, pred []corpus.Cond) Counts {
	g := bag(gold)
	p := bag(pred)
	c := Counts{}
	for k, n := range g {
		c.Gold += n
		c.Matched += min(n, p[k])
	}
	for _, n := range p {
		c.Pred += n
	}
	return c
}

// Diff lists the atom keys missing from pred (in gold only) and the extra ones
// (in pred only), each with its multiplicity, for reports.
func Diff(gold, pred []corpus.Cond) (missing, extra map[string]int) {
	g, p := bag(gold), bag(pred)
	missing, extra = map[string]int{}, map[string]int{}
	for k, n := range g {
		if d := n - p[k]; d > 0 {
			missing[k] = d
		}
	}
	for k, n := range p {
		if d := n - g[k]; d > 0 {
			extra[k] = d
		}
	}
	return missing, extra
}

func bag(trees []corpus.Cond) map[string]int {
	m := map[string]int{}
	for _, t := range trees {
		for _, a := range t.Atoms() {
			m[Key(a)]++
		}
	}
	return m
}
