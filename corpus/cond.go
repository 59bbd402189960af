package corpus

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Op is the comparison of a condition atom (CONTRACT §2).
type Op string

// The operators of a condition atom.
const (
	OpEq     Op = "eq"
	OpNe     Op = "ne"
	OpGt     Op = "gt"
	OpGte    Op = "gte"
	OpLt     Op = "lt"
	OpLte    Op = "lte"
	OpIn     Op = "in"
	OpNotIn  Op = "not_in"
	OpHas    Op = "has"    // tags contain the value
	OpWithin Op = "within" // a region or industry code inside another
)

// Ops returns every operator, in a stable order for forms and docs.
func Ops() []Op { return []Op{OpEq, OpNe, OpGt, OpGte, OpLt, OpLte, OpIn, OpNotIn, OpHas, OpWithin} }

// Valid reports whether op is one of the CONTRACT operators.
func (op Op) Valid() bool {
	switch op {
	case OpEq, OpNe, OpGt, OpGte, OpLt, OpLte, OpIn, OpNotIn, OpHas, OpWithin:
		return true
	}
	return false
}

// FieldUnparsed marks an atom the vocabulary cannot express; it is unknown for
// every profile and carries the clause in Text.
const FieldUnparsed = "unparsed"

// Cond is one node of a condition tree: exactly one of All, Any, Not or an
// atom (Field, Op, Value, Year). Text is the span of policy text the node came
// from; atoms always carry it so that every verdict can explain itself.
type Cond struct {
	All   []Cond
	Any   []Cond
	Not   *Cond
	Field string
	Op    Op
	Value Value
	// Year is set for per-year fields: -1 is 上年度, 0 the current year.
	Year *int
	Text string
}

// NodeKind says which form a Cond has.
type NodeKind uint8

// The forms of a condition node.
const (
	NodeInvalid NodeKind = iota
	NodeAll
	NodeAny
	NodeNot
	NodeAtom
)

// Kind returns the form of the node. A node with no part set, or more than
// one, is NodeInvalid.
func (c Cond) Kind() NodeKind {
	n, k := 0, NodeInvalid
	if c.All != nil {
		n, k = n+1, NodeAll
	}
	if c.Any != nil {
		n, k = n+1, NodeAny
	}
	if c.Not != nil {
		n, k = n+1, NodeNot
	}
	if c.Field != "" {
		n, k = n+1, NodeAtom
	}
	if n != 1 {
		return NodeInvalid
	}
	return k
}

// All returns a conjunction node.
func All(cs ...Cond) Cond { return Cond{All: nonNil(cs)} }

// Any returns a disjunction node.
func Any(cs ...Cond) Cond { return Cond{Any: nonNil(cs)} }

// Not returns a negation node.
func Not(c Cond) Cond { return Cond{Not: &c} }

// Atom returns a leaf condition.
func Atom(field string, op Op, v Value, text string) Cond {
	return Cond{Field: field, Op: op, Value: v, Text: text}
}

// Unparsed returns the atom that keeps a clause the vocabulary cannot express.
func Unparsed(text string) Cond { return Atom(FieldUnparsed, OpEq, Bool(true), text) }

// WithYear returns a copy of an atom with its relative year set.
func (c Cond) WithYear(y int) Cond {
	c.Year = &y
	return c
}

func nonNil(cs []Cond) []Cond {
	if cs == nil {
		return []Cond{}
	}
	return cs
}

// Walk calls fn for c and every node below it, depth first, stopping early
// when fn returns false for a node (its children are then skipped).
func (c *Cond) Walk(fn func(*Cond) bool) {
	if !fn(c) {
		return
	}
	for i := range c.All {
		c.All[i].Walk(fn)
	}
	for i := range c.Any {
		c.Any[i].Walk(fn)
	}
	if c.Not != nil {
		c.Not.Walk(fn)
	}
}

// Atoms returns the leaves of the tree in document order.
func (c Cond) Atoms() []Cond {
	var out []Cond
	c.Walk(func(n *Cond) bool {
		if n.Kind() == NodeAtom {
			out = append(out, *n)
		}
		return true
	})
	return out
}

type condJSON struct {
	All   []Cond          `json:"all,omitempty"`
	Any   []Cond          `json:"any,omitempty"`
	Not   *Cond           `json:"not,omitempty"`
	Field string          `json:"field,omitempty"`
	Op    Op              `json:"op,omitempty"`
	Value json.RawMessage `json:"value,omitempty"`
	Year  *int            `json:"year,omitempty"`
	Text  string          `json:"text,omitempty"`
}

// MarshalJSON writes the CONTRACT form: {"all":[...]}, {"any":[...]},
// {"not":{...}} or {"field","op","value","year","text"}.
func (c Cond) MarshalJSON() ([]byte, error) {
	switch c.Kind() {
	case NodeAll:
		return marshalNoEscape(map[string]any{"all": c.All}, c.Text)
	case NodeAny:
		return marshalNoEscape(map[string]any{"any": c.Any}, c.Text)
	case NodeNot:
		return marshalNoEscape(map[string]any{"not": c.Not}, c.Text)
	case NodeAtom:
		v, err := c.Value.MarshalJSON()
		if err != nil {
			return nil, err
		}
		return marshalNoEscape(condJSON{Field: c.Field, Op: c.Op, Value: v, Year: c.Year}, c.Text)
	}
	return nil, fmt.Errorf("condition: a node needs exactly one of all, any, not or field")
}

// marshalNoEscape encodes v with text added, keeping Chinese and <> readable.
func marshalNoEscape(v any, text string) ([]byte, error) {
	switch x := v.(type) {
	case condJSON:
		x.Text = text
		v = x
	case map[string]any:
		if text != "" {
			x["text"] = text
		}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// UnmarshalJSON reads a CONTRACT condition node; it rejects a node that mixes
// forms or has none, naming what it found.
func (c *Cond) UnmarshalJSON(b []byte) error {
	var raw condJSON
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&raw); err != nil {
		return fmt.Errorf("condition: %w", err)
	}
	*c = Cond{All: raw.All, Any: raw.Any, Not: raw.Not, Field: raw.Field, Op: raw.Op, Year: raw.Year, Text: raw.Text}
	if len(raw.Value) > 0 {
		if err := c.Value.UnmarshalJSON(raw.Value); err != nil {
			return fmt.Errorf("condition %q: %w", raw.Field, err)
		}
	}
	// "all": [] is a valid (always true) node; keep it distinguishable from absent.
	if raw.All == nil && bytes.Contains(b, []byte(`"all"`)) {
		var probe struct {
			All *[]Cond `json:"all"`
		}
		if json.Unmarshal(b, &probe) == nil && probe.All != nil {
			c.All = []Cond{}
		}
	}
	if raw.Any == nil && bytes.Contains(b, []byte(`"any"`)) {
		var probe struct {
			Any *[]Cond `json:"any"`
		}
		if json.Unmarshal(b, &probe) == nil && probe.Any != nil {
			c.Any = []Cond{}
		}
	}
	if c.Kind() == NodeInvalid {
		return fmt.Errorf("condition: a node needs exactly one of all, any, not or field: %.80s", b)
	}
	return nil
}
