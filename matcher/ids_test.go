package matcher

import (
	"strings"
	"testing"

	"github.com/zhida/zhida/corpus"
)

func TestCheckUSCC(t *testing.T) {
	for _, tc := range []struct {
		code, wantErr string
	}{
		{"91321002MA37124213", ""},
		{"91440101MA59ABCD4X", "check character"}, // GB 32100 check wrong
		{"91321002MA37124223", "check character"}, // last character changed
		{"9132100", "18 characters"},              // too short
		{"91321002MA3712421I", "not allowed"},     // I is not in the GB 32100 set
		{"91321002ma37124213", "not allowed"},     // lower case
		{fixUSCC("91321002MA3712420"), "组织机构代码"},  // GB 32100 right, GB 11714 wrong
	} {
		err := CheckUSCC(tc.code)
		switch {
		case tc.wantErr == "" && err != nil:
			t.Errorf("%s: unexpected error %v", tc.code, err)
		case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
			t.Errorf("%s: error %v, want one mentioning %q", tc.code, err, tc.wantErr)
		}
	}
}

// fixUSCC appends the GB 32100 check character to a 17-character body.
func fixUSCC(body string) string {
	for _, c := range usccChars {
		code := body + string(c)
		sum := 0
		for i := 0; i < 17; i++ {
			sum += strings.IndexByte(usccChars, code[i]) * usccWeights[i]
		}
		if usccChars[(31-sum%31)%31] == byte(c) {
			return code
		}
	}
	panic("no check character")
}

func TestCheckIDCard(t *testing.T) {
	for _, tc := range []struct {
		id, birth, gender, wantErr string
	}{
		{"120104198005052315", "1980-05-05", "male", ""},
		{"110105200002290021", "2000-02-29", "female", ""},
		{"11010519640301001X", "1964-03-01", "male", ""},
		{"11010519640301001x", "1964-03-01", "male", ""},
		{"120104198005052316", "", "", "check character"},
		{"110105198002301237", "", "", "birth date"},
		{"12010419800505231", "", "", "17 digits"},
		{"1201041980050523AX", "", "", "17 digits"},
	} {
		got, err := CheckIDCard(tc.id)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%s: error %v, want %q", tc.id, err, tc.wantErr)
			}
			if err != nil && strings.Contains(err.Error(), tc.id[:10]) {
				t.Errorf("error leaks the number: %v", err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.id, err)
			continue
		}
		if got.BirthDate != corpus.MustDate(tc.birth) || got.Gender != tc.gender {
			t.Errorf("%s: got %v %s, want %s %s", tc.id, got.BirthDate, got.Gender, tc.birth, tc.gender)
		}
	}
}

func TestHashIDCard(t *testing.T) {
	a := HashIDCard([]byte("k1"), "11010519640301001X")
	if a != HashIDCard([]byte("k1"), "11010519640301001x") {
		t.Error("x and X hash differently")
	}
	if a == HashIDCard([]byte("k2"), "11010519640301001X") {
		t.Error("the key does not change the hash")
	}
	if len(a) != 64 || strings.Contains(a, "110105") {
		t.Errorf("hash %q is not a hex SHA-256", a)
	}
}
