package corpus

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCondRoundTripEvalDev reads every gold tree of the labelled cases
// (eval/testdata/eval-dev) and checks that writing it back gives the same JSON.
func TestCondRoundTripEvalDev(t *testing.T) {
	files, _ := filepath.Glob("../eval/testdata/eval-dev/*/*/case.json")
	if len(files) == 0 {
		t.Fatal("no gold cases under ../eval/testdata/eval-dev")
	}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var c struct {
			Benefits []struct {
				Conditions json.RawMessage `json:"conditions"`
			} `json:"benefits"`
		}
		if err := json.Unmarshal(raw, &c); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for i, b := range c.Benefits {
			var cond Cond
			if err := json.Unmarshal(b.Conditions, &cond); err != nil {
				t.Fatalf("%s benefit %d: %v", f, i, err)
			}
			out, err := json.Marshal(cond)
			if err != nil {
				t.Fatalf("%s benefit %d: %v", f, i, err)
			}
			if !jsonEqual(t, b.Conditions, out) {
				t.Errorf("%s benefit %d: round trip differs:\n in: %s\nout: %s", f, i, compact(b.Conditions), out)
			}
			if err := DefaultRules().CheckCond(cond, "conditions", ""); err != nil {
				t.Errorf("%s benefit %d: gold tree fails validation: %v", f, i, err)
			}
		}
	}
}

func jsonEqual(t *testing.T, a, b []byte) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatal(err)
	}
	xa, _ := json.Marshal(x)
	ya, _ := json.Marshal(y)
	return bytes.Equal(xa, ya)
}

func compact(b []byte) string {
	var buf bytes.Buffer
	_ = json.Compact(&buf, b)
	return buf.String()
}

func TestCondJSON(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		wantErr string
		want    string // re-encoded; "" means same as in
	}{
		{name: "atom with year", in: `{"field":"revenue","op":"gte","value":20000000,"year":-1,"text":"上年度营业收入不低于2000万元"}`},
		{name: "false value kept", in: `{"field":"dishonest","op":"eq","value":false,"text":"未被列入严重失信主体名单"}`},
		{name: "list", in: `{"field":"scale","op":"in","value":["medium","small","micro"],"text":"中小微企业"}`},
		{name: "not", in: `{"not":{"field":"region","op":"within","value":"440100","text":"非穗籍"}}`},
		{name: "empty all", in: `{"all":[]}`},
		{name: "mixed", in: `{"all":[],"field":"age"}`, wantErr: "exactly one"},
		{name: "nothing", in: `{}`, wantErr: "exactly one"},
		{name: "object value", in: `{"field":"age","op":"eq","value":{"a":1}}`, wantErr: "not an object"},
		{name: "nested list", in: `{"field":"age","op":"in","value":[[1]]}`, wantErr: "nested"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c Cond
			err := json.Unmarshal([]byte(tt.in), &c)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to mention %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			out, err := json.Marshal(c)
			if err != nil {
				t.Fatal(err)
			}
			want := tt.want
			if want == "" {
				want = tt.in
			}
			if !jsonEqual(t, []byte(want), out) {
				t.Errorf("got %s, want %s", out, want)
			}
		})
	}
}

func TestCheckCond(t *testing.T) {
	rules := DefaultRules()
	tests := []struct {
		name     string
		c        Cond
		audience Audience
		wantPath string // "" means valid
	}{
		{"ok number", Atom("employees", OpLte, Number(30), "30人以下"), AudienceEnterprise, ""},
		{"ok region", Atom("region", OpWithin, String("440106"), "天河区"), AudienceResident, ""},
		{"ok tags", Atom("tags", OpHas, String("高新技术企业"), "高企"), AudienceEnterprise, ""},
		{"ok year", Atom("revenue", OpGte, Number(1e7), "").WithYear(-1), AudienceEnterprise, ""},
		{"unknown field", Atom("salary", OpGt, Number(1), ""), "", "c.field"},
		{"wrong audience", Atom("age", OpGte, Number(60), ""), AudienceEnterprise, "c.field"},
		{"bad op", Atom("age", "about", Number(60), ""), "", "c.op"},
		{"op not for type", Atom("tags", OpEq, String("x"), ""), "", "c.op"},
		{"string for number", Atom("age", OpGte, String("60"), ""), "", "c.value"},
		{"unknown region", Atom("region", OpWithin, String("999999"), ""), "", "c.value"},
		{"bad enum", Atom("scale", OpEq, String("huge"), ""), "", "c.value"},
		{"in needs list", Atom("scale", OpIn, String("large"), ""), "", "c.value"},
		{"year on scalar", Atom("employees", OpGte, Number(1), "").WithYear(-1), "", "c.year"},
		{"bad industry", Atom("industry", OpWithin, String("C39X"), ""), "", "c.value"},
		{"nested path", All(Atom("age", OpGte, Number(60), ""), Any(Atom("x", OpEq, Bool(true), ""))), "", "c.all[1].any[0].field"},
		{"invalid node", Cond{}, "", "c"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := rules.CheckCond(tt.c, "c", tt.audience)
			if tt.wantPath == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			fe, ok := err.(*FieldError)
			if !ok {
				t.Fatalf("err = %v (%T), want a *FieldError at %s", err, err, tt.wantPath)
			}
			if fe.Field != tt.wantPath {
				t.Errorf("error at %q (%v), want %q", fe.Field, fe, tt.wantPath)
			}
		})
	}
}
