package corpus

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
)

// ValueKind says which of its forms a Value holds.
type ValueKind uint8

// The forms a condition value takes (CONTRACT §2).
const (
	KindNull ValueKind = iota
	KindBool
	KindNumber
	KindString
	KindList
)

// Value is the normalised right-hand side of a condition atom: a number
// (money in yuan, ratios as fractions), a string (an enum, a tag, a 6-digit
// region code, a date), a bool, or a list of those for in/not_in.
type Value struct {
	kind ValueKind
	b    bool
	n    float64
	s    string
	list []Value
}

// Number returns a numeric value.
func Number(n float64) Value { return Value{kind: KindNumber, n: n} }

// String returns a string value.
func String(s string) Value { return Value{kind: KindString, s: s} }

// Bool returns a boolean value.
func Bool(b bool) Value { return Value{kind: KindBool, b: b} }

// List returns a list value.
func List(vs ...Value) Value { return Value{kind: KindList, list: vs} }

// Strings returns a list value of strings.
func Strings(ss ...string) Value {
	vs := make([]Value, len(ss))
	for i, s := range ss {
		vs[i] = String(s)
	}
	return List(vs...)
}

// Kind returns the form of the value.
func (v Value) Kind() ValueKind { return v.kind }

// IsNull reports whether the value is absent.
func (v Value) IsNull() bool { return v.kind == KindNull }

// Num returns the number and whether the value is one.
func (v Value) Num() (float64, bool) { return v.n, v.kind == KindNumber }

// Str returns the string and whether the value is one.
func (v Value) Str() (string, bool) { return v.s, v.kind == KindString }

// Boolean returns the bool and whether the value is one.
func (v Value) Boolean() (bool, bool) { return v.b, v.kind == KindBool }

// Items returns the elements of a list value (nil otherwise).
func (v Value) Items() []Value { return v.list }

// Equal reports whether two values are the same; lists compare in order.
func (v Value) Equal(w Value) bool {
	if v.kind != w.kind {
		return false
	}
	switch v.kind {
	case KindBool:
		return v.b == w.b
	case KindNumber:
		return v.n == w.n
	case KindString:
		return v.s == w.s
	case KindList:
		if len(v.list) != len(w.list) {
			return false
		}
		for i := range v.list {
			if !v.list[i].Equal(w.list[i]) {
				return false
			}
		}
	}
	return true
}

// String renders the value as compact JSON, for messages and keys.
func (v Value) String() string {
	b, _ := v.MarshalJSON()
	return string(b)
}

// MarshalJSON writes the value as plain JSON.
func (v Value) MarshalJSON() ([]byte, error) {
	switch v.kind {
	case KindBool:
		return strconv.AppendBool(nil, v.b), nil
	case KindNumber:
		return json.Marshal(v.n)
	case KindString:
		return json.Marshal(v.s)
	case KindList:
		var buf bytes.Buffer
		buf.WriteByte('[')
		for i, e := range v.list {
			if i > 0 {
				buf.WriteByte(',')
			}
			b, err := e.MarshalJSON()
			if err != nil {
				return nil, err
			}
			buf.Write(b)
		}
		buf.WriteByte(']')
		return buf.Bytes(), nil
	}
	return []byte("null"), nil
}

// UnmarshalJSON reads a JSON scalar or a flat list of scalars.
func (v *Value) UnmarshalJSON(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var raw any
	if err := dec.Decode(&raw); err != nil {
		return err
	}
	val, err := valueOf(raw, true)
	if err != nil {
		return err
	}
	*v = val
	return nil
}

func valueOf(raw any, allowList bool) (Value, error) {
	switch x := raw.(type) {
	case nil:
		return Value{}, nil
	case bool:
		return Bool(x), nil
	case json.Number:
		f, err := x.Float64()
		if err != nil {
			return Value{}, fmt.Errorf("value %s: %w", x, err)
		}
		return Number(f), nil
	case string:
		return String(x), nil
	case []any:
		if !allowList {
			return Value{}, fmt.Errorf("value: nested lists are not allowed")
		}
		vs := make([]Value, len(x))
		for i, e := range x {
			ev, err := valueOf(e, false)
			if err != nil {
				return Value{}, err
			}
			vs[i] = ev
		}
		return List(vs...), nil
	}
	return Value{}, fmt.Errorf("value: want a number, string, bool or list, not an object")
}
