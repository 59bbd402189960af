package matcher

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/zhida/zhida/corpus"
)

var testParser = NewParser(ParseOptions{IDCardKey: []byte("test-key")})

func TestParseLineErrors(t *testing.T) {
	for _, tc := range []struct {
		line, field string
	}{
		{`not json`, ""},
		{`{"id":"x"}`, "kind"},
		{`{"kind":"company","id":"x"}`, "kind"},
		{`{"kind":"resident"}`, "id"},
		{`{"kind":"enterprise","id":"91321002MA37124214"}`, "id"},
		{`{"kind":"resident","id":"r","id_card":"120104198005052316"}`, "id_card"},
		{`{"kind":"resident","id":"r","id_card":"120104198005052315","birth_date":"1980-05-06"}`, "id_card"},
		{`{"kind":"resident","id":"r","region":"999999"}`, "region"},
		{`{"kind":"resident","id":"r","region":120101}`, "region"},
		{`{"kind":"resident","id":"r","birth_date":"1980-02-30"}`, "birth_date"},
		{`{"kind":"resident","id":"r","gender":"m"}`, "gender"},
		{`{"kind":"resident","id":"r","disability_level":5}`, "disability_level"},
		{`{"kind":"resident","id":"r","tags":"残疾人"}`, "tags"},
		{`{"kind":"resident","id":"r","tags":["残疾人",""]}`, "tags[1]"},
		{`{"kind":"resident","id":"r","verified":["region","shoe_size"]}`, "verified[1]"},
		{`{"kind":"resident","id":"r","employees":3}`, "employees"},
		{`{"kind":"resident","id":"r","age":30}`, ""}, // unknown key: kept, not an error
		{`{"kind":"enterprise","id":"91321002MA37124213","revenue":{"24":1}}`, "revenue.24"},
		{`{"kind":"enterprise","id":"91321002MA37124213","revenue":{"2024":-1}}`, "revenue.2024"},
		{`{"kind":"enterprise","id":"91321002MA37124213","layoff_rate":3}`, "layoff_rate"},
		{`{"kind":"enterprise","id":"91321002MA37124213","employees":2.5}`, "employees"},
		{`{"kind":"enterprise","id":"91321002MA37124213","industry":"c39"}`, "industry"},
		{`{"kind":"enterprise","id":"91321002MA37124213","scale":"huge"}`, "scale"},
		{`{"kind":"enterprise","id":"91321002MA37124213","dishonest":"no"}`, "dishonest"},
		{`{"kind":"enterprise","id":"91321002MA37124213","birth_date":"1980-01-01"}`, "birth_date"},
	} {
		_, err := testParser.ParseLine([]byte(tc.line), 7)
		if tc.line == `{"kind":"resident","id":"r","age":30}` {
			if err != nil {
				t.Errorf("%s: %v", tc.line, err)
			}
			continue
		}
		var le *LineError
		if !errors.As(err, &le) {
			t.Errorf("%s: error %v, want a *LineError", tc.line, err)
			continue
		}
		if le.Line != 7 || le.Field != tc.field {
			t.Errorf("%s: error at line %d field %q (%v), want line 7 field %q", tc.line, le.Line, le.Field, err, tc.field)
		}
		if strings.Contains(err.Error(), "12010419800505231") {
			t.Errorf("error leaks a 身份证号: %v", err)
		}
	}
}

func TestReaderKeepsGoodLines(t *testing.T) {
	in := strings.Join([]string{
		`{"kind":"resident","id":"a","region":"120101"}`,
		`{"kind":"resident","id":"b","region":"12010"}`,
		``,
		`{"kind":"enterprise","id":"91321002MA37124213","employees":10,"extra":{"x":1}}`,
		`{"kind":"enterprise","id":"bad"}`,
	}, "\n")
	profs, errs, err := testParser.ReadAll(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(profs) != 2 || profs[0].ID != "a" || profs[1].ID != "91321002MA37124213" {
		t.Fatalf("got %d profiles", len(profs))
	}
	if len(errs) != 2 || errs[0].Line != 2 || errs[0].Field != "region" || errs[1].Line != 5 || errs[1].Field != "id" {
		t.Fatalf("line errors %v", errs)
	}
	if string(profs[1].Attrs()["extra"]) != `{"x":1}` {
		t.Errorf("unknown key not kept: %v", profs[1].Attrs())
	}
	if n, ok := profs[1].Number("employees"); !ok || n != 10 {
		t.Errorf("employees = %v %v", n, ok)
	}
}

func TestIDCardDerivesAndHides(t *testing.T) {
	const id = "110105200002290021"
	for _, tc := range []struct {
		line         string
		wantVerified bool
	}{
		{`{"kind":"resident","id":"r","id_card":"` + id + `","verified":["id_card"]}`, true},
		{`{"kind":"resident","id":"r","id_card":"` + id + `","verified":["birth_date","gender"]}`, false},
		{`{"kind":"resident","id":"r","id_card":"` + id + `"}`, false},
	} {
		p, err := testParser.ParseLine([]byte(tc.line), 1)
		if err != nil {
			t.Fatal(err)
		}
		bd, ok := p.Date("birth_date")
		g, _ := p.Enum("gender")
		if !ok || bd != corpus.MustDate("2000-02-29") || g != "female" {
			t.Errorf("derived %v %v %s", bd, ok, g)
		}
		if p.Verified("birth_date") != tc.wantVerified || p.Verified("gender") != tc.wantVerified || p.Verified("age") != tc.wantVerified {
			t.Errorf("%s: birth_date verified %v, want %v", tc.line, p.Verified("birth_date"), tc.wantVerified)
		}
		if p.IDCardHash() != HashIDCard([]byte("test-key"), id) {
			t.Error("hash not stored")
		}
		if s := fmt.Sprintf("%+v", p); strings.Contains(s, id) || strings.Contains(s, id[:14]) {
			t.Errorf("profile holds the clear number: %s", s)
		}
	}
	// An explicit, verified birth_date stays verified without id_card.
	p, err := testParser.ParseLine([]byte(`{"kind":"resident","id":"r","id_card":"`+id+`","birth_date":"2000-02-29","verified":["birth_date"]}`), 1)
	if err != nil {
		t.Fatal(err)
	}
	if !p.Verified("birth_date") || p.Verified("gender") {
		t.Errorf("explicit birth_date verified %v, derived gender verified %v", p.Verified("birth_date"), p.Verified("gender"))
	}
	// Without a key, a line with an id_card is rejected rather than stored.
	if _, err := NewParser(ParseOptions{}).ParseLine([]byte(`{"kind":"resident","id":"r","id_card":"`+id+`"}`), 1); err == nil {
		t.Error("id_card accepted without a hash key")
	}
}

func TestNullIsAbsentAndTagsPresence(t *testing.T) {
	p, err := testParser.ParseLine([]byte(`{"kind":"resident","id":"r","region":null,"tags":[]}`), 1)
	if err != nil {
		t.Fatal(err)
	}
	if p.Has("region") {
		t.Error("null region reads as present")
	}
	if tags, ok := p.Tags(); !ok || len(tags) != 0 {
		t.Errorf("empty tags: %v %v", tags, ok)
	}
	q, _ := testParser.ParseLine([]byte(`{"kind":"resident","id":"r","tags":["残疾人","村医"]}`), 1)
	if tags, _ := q.Tags(); len(tags) != 2 || !q.HasTag("村医") || !q.HasTag("残疾人") || q.HasTag("孤儿") {
		t.Errorf("tags %v", tags)
	}
}

func TestReaderLongLineBOMAndCRLF(t *testing.T) {
	long := `{"kind":"resident","id":"x","name":"` + strings.Repeat("长", maxLine/3+10) + `"}`
	in := "\xef\xbb\xbf" + `{"kind":"resident","id":"a"}` + "\r\n" + long + "\r\n" + `{"kind":"resident","id":"b"}`
	profs, errs, err := testParser.ReadAll(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(profs) != 2 || profs[0].ID != "a" || profs[1].ID != "b" {
		t.Fatalf("profiles %d", len(profs))
	}
	if len(errs) != 1 || errs[0].Line != 2 || !strings.Contains(errs[0].Error(), "longer") {
		t.Fatalf("errors %v", errs)
	}
}
