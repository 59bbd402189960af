package corpus

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/zhida/zhida/corpus/region"
)

// FieldError says which field of a document is wrong and why. Field is a
// path such as "title" or "benefits[1].conditions.all[0].op".
type FieldError struct {
	Field string
	Msg   string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Msg }

func fieldErr(field, format string, args ...any) error {
	return &FieldError{Field: field, Msg: fmt.Sprintf(format, args...)}
}

// Limits bound what one document may hold, so that a pasted file cannot grow
// a row without bound.
const (
	MaxTitleRunes = 500
	MaxTextBytes  = 4 << 20
	MaxBenefits   = 200
	MaxCondDepth  = 16
	MaxCondNodes  = 2000
)

// Rules checks documents against the vocabulary of a deployment. The zero
// value is not usable; call NewRules.
type Rules struct {
	regions    *region.Table
	categories map[Category]bool
}

// NewRules returns rules over the region table with the built-in categories
// plus extra ones a deployment adds.
func NewRules(regions *region.Table, extra ...Category) Rules {
	cats := map[Category]bool{}
	for _, c := range DefaultCategories() {
		cats[c] = true
	}
	for _, c := range extra {
		cats[c] = true
	}
	return Rules{regions: regions, categories: cats}
}

// DefaultRules returns rules over the bundled region table and the built-in
// categories.
func DefaultRules() Rules { return NewRules(region.Default()) }

// KnownCategory reports whether c is allowed by these rules.
func (r Rules) KnownCategory(c Category) bool { return r.categories[c] }

// Prepare checks a draft and fills in what can be derived: the level from the
// region, missing benefit keys and audiences. A draft may still lack region,
// audience and category; CheckPublish requires them.
func (r Rules) Prepare(d *Document) error {
	var errs []error
	for _, f := range []struct{ name, s string }{
		{"title", d.Title}, {"doc_number", d.DocNumber}, {"issuer", d.Issuer},
		{"source_url", d.SourceURL}, {"text", d.Text},
	} {
		if !utf8.ValidString(f.s) {
			errs = append(errs, fieldErr(f.name, "is not valid UTF-8"))
		}
	}
	d.Title = strings.TrimSpace(d.Title)
	switch {
	case d.Title == "":
		errs = append(errs, fieldErr("title", "must not be empty"))
	case utf8.RuneCountInString(d.Title) > MaxTitleRunes:
		errs = append(errs, fieldErr("title", "is longer than %d characters", MaxTitleRunes))
	}
	if len(d.Text) > MaxTextBytes {
		errs = append(errs, fieldErr("text", "is %d bytes; the limit is %d", len(d.Text), MaxTextBytes))
	}
	if d.Region != "" {
		if !r.regions.Valid(d.Region) {
			errs = append(errs, fieldErr("region", "%q is not a known 6-digit 行政区划代码", d.Region))
		} else if d.Level == "" {
			d.Level = LevelOf(d.Region)
		}
	}
	if d.Level != "" && !d.Level.Valid() {
		errs = append(errs, fieldErr("level", "%q is not one of 国家, 省, 市, 县", d.Level))
	}
	if d.Category != "" && !r.categories[d.Category] {
		errs = append(errs, fieldErr("category", "%q is not a known category", d.Category))
	}
	if d.Audience != "" && !d.Audience.Valid() {
		errs = append(errs, fieldErr("audience", "%q is not enterprise, resident or both", d.Audience))
	}
	if !d.EffectiveFrom.IsZero() && !d.EffectiveTo.IsZero() && d.EffectiveTo.Before(d.EffectiveFrom) {
		errs = append(errs, fieldErr("effective_to", "%s is before effective_from %s", d.EffectiveTo, d.EffectiveFrom))
	}
	if len(d.Benefits) > MaxBenefits {
		errs = append(errs, fieldErr("benefits", "has %d entries; the limit is %d", len(d.Benefits), MaxBenefits))
	}
	used := map[string]bool{}
	for i := range d.Benefits {
		if k := d.Benefits[i].Key; k != "" {
			if used[k] {
				errs = append(errs, fieldErr(fmt.Sprintf("benefits[%d].key", i), "%q is used twice", k))
			}
			used[k] = true
		}
	}
	next := 1
	for i := range d.Benefits {
		b := &d.Benefits[i]
		path := fmt.Sprintf("benefits[%d]", i)
		if b.Key == "" {
			for used["b"+strconv.Itoa(next)] {
				next++
			}
			b.Key = "b" + strconv.Itoa(next)
			used[b.Key] = true
		}
		b.Name = strings.TrimSpace(b.Name)
		if b.Name == "" {
			errs = append(errs, fieldErr(path+".name", "must not be empty"))
		}
		for _, f := range []struct{ name, s string }{{"name", b.Name}, {"amount", b.Amount}} {
			if !utf8.ValidString(f.s) {
				errs = append(errs, fieldErr(path+"."+f.name, "is not valid UTF-8"))
			}
		}
		if b.Audience == "" && d.Audience != AudienceBoth {
			b.Audience = d.Audience
		}
		if b.Audience != "" && b.Audience != AudienceEnterprise && b.Audience != AudienceResident {
			errs = append(errs, fieldErr(path+".audience", "%q is not enterprise or resident", b.Audience))
		}
		if b.Conditions != nil {
			nodes := 0
			if err := r.checkCond(*b.Conditions, path+".conditions", b.Audience, 0, &nodes); err != nil {
				errs = append(errs, err)
			}
		}
	}
	for i, u := range d.Unparsed {
		if !utf8.ValidString(u) {
			errs = append(errs, fieldErr(fmt.Sprintf("unparsed[%d]", i), "is not valid UTF-8"))
		}
	}
	return errors.Join(errs...)
}

// CheckPublish checks what a version must have beyond a draft: a region, an
// audience, a category, and an audience on every benefit.
func (r Rules) CheckPublish(d Document) error {
	var errs []error
	if d.Region == "" {
		errs = append(errs, fieldErr("region", "is required to publish"))
	}
	if d.Audience == "" {
		errs = append(errs, fieldErr("audience", "is required to publish"))
	}
	if d.Category == "" {
		errs = append(errs, fieldErr("category", "is required to publish"))
	}
	for i, b := range d.Benefits {
		if b.Audience == "" {
			errs = append(errs, fieldErr(fmt.Sprintf("benefits[%d].audience", i), "is required to publish when the policy is for both"))
		}
	}
	return errors.Join(errs...)
}

// CheckCond checks one condition tree against the vocabulary.
func (r Rules) CheckCond(c Cond, path string, audience Audience) error {
	nodes := 0
	return r.checkCond(c, path, audience, 0, &nodes)
}

func (r Rules) checkCond(c Cond, path string, audience Audience, depth int, nodes *int) error {
	*nodes++
	if *nodes > MaxCondNodes {
		return fieldErr(path, "the tree has more than %d nodes", MaxCondNodes)
	}
	if depth > MaxCondDepth {
		return fieldErr(path, "the tree is nested deeper than %d", MaxCondDepth)
	}
	if !utf8.ValidString(c.Text) {
		return fieldErr(path+".text", "is not valid UTF-8")
	}
	switch c.Kind() {
	case NodeAll, NodeAny:
		list, key := c.All, "all"
		if c.Kind() == NodeAny {
			list, key = c.Any, "any"
		}
		for i, sub := range list {
			if err := r.checkCond(sub, fmt.Sprintf("%s.%s[%d]", path, key, i), audience, depth+1, nodes); err != nil {
				return err
			}
		}
		return nil
	case NodeNot:
		return r.checkCond(*c.Not, path+".not", audience, depth+1, nodes)
	case NodeAtom:
		return r.checkAtom(c, path, audience)
	}
	return fieldErr(path, "a node needs exactly one of all, any, not or field")
}

func (r Rules) checkAtom(c Cond, path string, audience Audience) error {
	f, ok := LookupField(c.Field)
	if !ok {
		return fieldErr(path+".field", "%q is not in the vocabulary", c.Field)
	}
	if audience != "" && f.Audience != AudienceBoth && f.Audience != audience {
		return fieldErr(path+".field", "%q is a %s field but the benefit is for %s", c.Field, f.Audience, audience)
	}
	if !c.Op.Valid() {
		return fieldErr(path+".op", "%q is not an operator", c.Op)
	}
	if c.Year != nil && !f.PerYear {
		return fieldErr(path+".year", "%q is not a per-year field", c.Field)
	}
	bad := func(format string, args ...any) error { return fieldErr(path+".value", format, args...) }
	scalar := c.Value
	if c.Op == OpIn || c.Op == OpNotIn {
		if c.Value.Kind() != KindList || len(c.Value.Items()) == 0 {
			return bad("%s needs a non-empty list", c.Op)
		}
	} else if c.Value.Kind() == KindList {
		return bad("%s needs a single value, not a list", c.Op)
	}
	check := func(v Value) error {
		switch f.Type {
		case TypeNumber:
			if _, ok := v.Num(); !ok {
				return bad("%s needs a number", c.Field)
			}
		case TypeBool, TypeUnparsed:
			if _, ok := v.Boolean(); !ok {
				return bad("%s needs true or false", c.Field)
			}
		case TypeDate:
			s, ok := v.Str()
			if !ok {
				return bad("%s needs a YYYY-MM-DD date", c.Field)
			}
			if _, err := ParseDate(s); err != nil {
				return bad("%v", err)
			}
		case TypeRegion:
			s, _ := v.Str()
			if !r.regions.Valid(s) {
				return bad("%q is not a known 6-digit 行政区划代码", s)
			}
		case TypeIndustry:
			s, _ := v.Str()
			if !ValidIndustry(s) {
				return bad("%q is not a GB/T 4754 code (a letter and up to 4 digits)", s)
			}
		case TypeString, TypeTags:
			s, ok := v.Str()
			if !ok || s == "" {
				return bad("%s needs a non-empty string", c.Field)
			}
			if len(f.Enum) > 0 && !slices.Contains(f.Enum, s) {
				return bad("%q is not one of %s", s, strings.Join(f.Enum, ", "))
			}
		}
		return nil
	}
	if c.Value.Kind() == KindList {
		for _, v := range c.Value.Items() {
			if err := check(v); err != nil {
				return err
			}
		}
	} else if err := check(scalar); err != nil {
		return err
	}
	allowed := map[FieldType][]Op{
		TypeNumber:   {OpEq, OpNe, OpGt, OpGte, OpLt, OpLte, OpIn, OpNotIn},
		TypeDate:     {OpEq, OpNe, OpGt, OpGte, OpLt, OpLte},
		TypeBool:     {OpEq, OpNe},
		TypeUnparsed: {OpEq},
		TypeString:   {OpEq, OpNe, OpIn, OpNotIn},
		TypeRegion:   {OpEq, OpNe, OpIn, OpNotIn, OpWithin},
		TypeIndustry: {OpEq, OpNe, OpIn, OpNotIn, OpWithin},
		TypeTags:     {OpHas},
	}[f.Type]
	if !slices.Contains(allowed, c.Op) {
		return fieldErr(path+".op", "%s does not apply to %s", c.Op, c.Field)
	}
	return nil
}

// ValidIndustry reports whether s looks like a GB/T 4754-2017 code: a section
// letter A–T followed by up to four digits (C, C39, C391, C3911).
func ValidIndustry(s string) bool {
	if len(s) < 1 || len(s) > 5 || s[0] < 'A' || s[0] > 'T' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
