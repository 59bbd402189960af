package casecheck

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/zhida/zhida/corpus/region"
)

// Tri is a Kleene truth value.
type Tri int8

// Truth values, ordered so that AND is min and OR is max.
const (
	False   Tri = -1
	Unknown Tri = 0
	True    Tri = 1
)

func (t Tri) String() string {
	switch t {
	case True:
		return "true"
	case False:
		return "false"
	}
	return "unknown"
}

// Profile is one CONTRACT profile line kept as decoded JSON.
type Profile map[string]any

// perYear lists the profile keys that are maps year → amount (CONTRACT §1).
var perYear = map[string]bool{"revenue": true, "tax_paid": true, "rd_expense": true, "total_assets": true, "export_value": true}

// Cut returns the profile restricted to its verified keys (kind and id kept).
// birth_date and gender derived from id_card survive only when id_card is
// verified, which is how the id_card itself is kept here.
func (p Profile) Cut() Profile {
	out := Profile{"kind": p["kind"], "id": p["id"]}
	vs, _ := p["verified"].([]any)
	for _, v := range vs {
		k, _ := v.(string)
		if x, ok := p[k]; ok {
			out[k] = x
		}
	}
	return out
}

// birth returns the birth date and gender, from the explicit keys or the
// 18-digit id_card (positions 7-14 and the parity of position 17).
func (p Profile) birth() (birth string, gender string) {
	birth, _ = p["birth_date"].(string)
	gender, _ = p["gender"].(string)
	id, _ := p["id_card"].(string)
	if len(id) == 18 {
		if birth == "" {
			birth = id[6:10] + "-" + id[10:12] + "-" + id[12:14]
		}
		if gender == "" {
			if (id[16]-'0')%2 == 1 {
				gender = "male"
			} else {
				gender = "female"
			}
		}
	}
	return birth, gender
}

// wholeYears counts completed years from since to at; the anniversary counts.
func wholeYears(since, at time.Time) int {
	y := at.Year() - since.Year()
	if at.Month() < since.Month() || (at.Month() == since.Month() && at.Day() < since.Day()) {
		y--
	}
	return y
}

// value resolves a field for an atom; ok is false when the profile lacks it.
func (p Profile) value(field string, year int, at time.Time) (any, bool) {
	dateYears := func(key string) (any, bool) {
		s, ok := p[key].(string)
		if !ok {
			return nil, false
		}
		d, err := time.Parse("2006-01-02", s)
		if err != nil {
			return nil, false
		}
		return float64(wholeYears(d, at)), true
	}
	yearly := func(key string) (float64, bool) {
		m, ok := p[key].(map[string]any)
		if !ok {
			return 0, false
		}
		v, ok := m[strconv.Itoa(at.Year()+year)].(float64)
		return v, ok
	}
	switch field {
	case "age":
		b, _ := p.birth()
		if b == "" {
			return nil, false
		}
		d, err := time.Parse("2006-01-02", b)
		if err != nil {
			return nil, false
		}
		return float64(wholeYears(d, at)), true
	case "gender":
		_, g := p.birth()
		return g, g != ""
	case "birth_date":
		b, _ := p.birth()
		return b, b != ""
	case "graduation_years":
		return dateYears("graduation_date")
	case "established_years":
		return dateYears("established")
	case "rd_ratio":
		rd, ok1 := yearly("rd_expense")
		rev, ok2 := yearly("revenue")
		if !ok1 || !ok2 || rev == 0 {
			return nil, false
		}
		return rd / rev, true
	}
	if perYear[field] {
		v, ok := yearly(field)
		return v, ok
	}
	v, ok := p[field]
	return v, ok
}

// Eval evaluates a CONTRACT condition tree (decoded JSON) on a profile at a
// date with Kleene logic, literally: a missing key makes its atom unknown,
// tags present without the tag are false, unparsed is always unknown.
func Eval(c map[string]any, p Profile, at time.Time) (Tri, error) {
	if xs, ok := c["all"].([]any); ok {
		r := True
		for i, x := range xs {
			m, _ := x.(map[string]any)
			t, err := Eval(m, p, at)
			if err != nil {
				return Unknown, fmt.Errorf("all[%d]: %w", i, err)
			}
			r = min(r, t)
		}
		return r, nil
	}
	if xs, ok := c["any"].([]any); ok {
		r := False
		for i, x := range xs {
			m, _ := x.(map[string]any)
			t, err := Eval(m, p, at)
			if err != nil {
				return Unknown, fmt.Errorf("any[%d]: %w", i, err)
			}
			r = max(r, t)
		}
		return r, nil
	}
	if x, ok := c["not"].(map[string]any); ok {
		t, err := Eval(x, p, at)
		return -t, err
	}
	field, _ := c["field"].(string)
	op, _ := c["op"].(string)
	want := c["value"]
	if field == "unparsed" {
		return Unknown, nil
	}
	year := -1
	if y, ok := c["year"].(float64); ok {
		year = int(y)
	}
	if field == "tags" {
		tags, ok := p["tags"].([]any)
		if !ok {
			return Unknown, nil
		}
		has := False
		for _, t := range tags {
			if t == want {
				has = True
			}
		}
		switch op {
		case "has":
			return has, nil
		case "not_in", "ne":
			return -has, nil
		}
		return Unknown, fmt.Errorf("tags: op %q", op)
	}
	got, ok := p.value(field, year, at)
	if !ok || got == nil {
		return Unknown, nil
	}
	return compare(field, op, got, want)
}

func tri(b bool) Tri {
	if b {
		return True
	}
	return False
}

func compare(field, op string, got, want any) (Tri, error) {
	switch op {
	case "within":
		g, _ := got.(string)
		w, _ := want.(string)
		return tri(region.Within(g, w)), nil
	case "in", "not_in":
		ws, ok := want.([]any)
		if !ok {
			return Unknown, fmt.Errorf("%s %s: value is not a list", field, op)
		}
		in := false
		for _, w := range ws {
			if w == got {
				in = true
			}
		}
		if op == "in" {
			return tri(in), nil
		}
		return tri(!in), nil
	case "eq":
		return tri(got == want), nil
	case "ne":
		return tri(got != want), nil
	}
	// Dates (birth_date windows) are YYYY-MM-DD strings, which order lexically.
	if gs, ok := got.(string); ok {
		if ws, ok := want.(string); ok {
			c := strings.Compare(gs, ws)
			switch op {
			case "gt":
				return tri(c > 0), nil
			case "gte":
				return tri(c >= 0), nil
			case "lt":
				return tri(c < 0), nil
			case "lte":
				return tri(c <= 0), nil
			}
		}
	}
	g, ok1 := got.(float64)
	w, ok2 := want.(float64)
	if !ok1 || !ok2 {
		return Unknown, fmt.Errorf("%s %s: non-numeric comparison", field, op)
	}
	switch op {
	case "gt":
		return tri(g > w), nil
	case "gte":
		return tri(g >= w), nil
	case "lt":
		return tri(g < w), nil
	case "lte":
		return tri(g <= w), nil
	}
	return Unknown, fmt.Errorf("%s: unknown op %q", field, op)
}

// Benefit is the part of a case.json benefit the evaluator needs.
type Benefit struct {
	Name       string         `json:"name"`
	ApplyFree  bool           `json:"apply_free"`
	Conditions map[string]any `json:"conditions"`
}

// Verdict computes the policy-level verdict and apply-free grant of CONTRACT
// §2–3 for one profile: eligible if any benefit is true, else unknown if any
// is unknown, else ineligible; a grant needs an eligible policy and an
// apply-free benefit still true on the verified keys alone.
func Verdict(audience string, benefits []Benefit, p Profile, at time.Time) (verdict string, grant bool, err error) {
	if p["kind"] != audience {
		return "ineligible", false, nil
	}
	best := False
	for _, b := range benefits {
		t, err := Eval(b.Conditions, p, at)
		if err != nil {
			return "", false, fmt.Errorf("benefit %q: %w", b.Name, err)
		}
		best = max(best, t)
	}
	switch best {
	case True:
		verdict = "eligible"
	case Unknown:
		verdict = "unknown"
	default:
		verdict = "ineligible"
	}
	if best != True {
		return verdict, false, nil
	}
	cut := p.Cut()
	for _, b := range benefits {
		if !b.ApplyFree {
			continue
		}
		if t, _ := Eval(b.Conditions, cut, at); t == True {
			return verdict, true, nil
		}
	}
	return verdict, false, nil
}

// atomTexts returns every atom's text in a tree, in order.
func atomTexts(c map[string]any) []string {
	var out []string
	for _, k := range []string{"all", "any"} {
		if xs, ok := c[k].([]any); ok {
			for _, x := range xs {
				m, _ := x.(map[string]any)
				out = append(out, atomTexts(m)...)
			}
			return out
		}
	}
	if x, ok := c["not"].(map[string]any); ok {
		return atomTexts(x)
	}
	s, _ := c["text"].(string)
	return []string{s}
}

// spanPieces splits an atom text at elision marks (… or ...) into the pieces
// that must each occur verbatim in policy.txt.
func spanPieces(text string) []string {
	text = strings.ReplaceAll(text, "...", "…")
	var out []string
	for _, s := range strings.Split(text, "…") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}
