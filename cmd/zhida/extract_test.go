package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runExtractCmd(t *testing.T, args ...string) (string, error) {
	t.Helper()
	root := newRoot()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs(args)
	err := root.Execute()
	return out.String(), err
}

func TestExtractCommand(t *testing.T) {
	dir := t.TempDir()
	policy := filepath.Join(dir, "policy.txt")
	text := "一、享受对象\n凡具有本区户籍，且年满80周岁及以上高龄老人，均可申请享受高龄津贴。\n二、补贴标准\n80-89周岁（含80周岁）的老人，每人每月补贴30元；\n90周岁以上的老人，每人每月补贴60元。\n"
	if err := os.WriteFile(policy, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := runExtractCmd(t, "extract", "--region", "341702", policy)
	if err != nil {
		t.Fatalf("extract: %v\n%s", err, out)
	}
	var got struct {
		Region   string `json:"region"`
		Audience string `json:"audience"`
		Benefits []struct {
			Name       string          `json:"name"`
			Amount     string          `json:"amount"`
			ApplyFree  bool            `json:"apply_free"`
			Conditions json.RawMessage `json:"conditions"`
		} `json:"benefits"`
		Unparsed []string `json:"unparsed"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("output is not the CONTRACT JSON: %v\n%s", err, out)
	}
	if got.Region != "341702" || got.Audience != "resident" || len(got.Benefits) != 2 || got.Unparsed == nil {
		t.Fatalf("unexpected result: %s", out)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, got.Benefits[0].Conditions); err != nil {
		t.Fatal(err)
	}
	if c := compact.String(); !strings.Contains(c, `"field":"region","op":"within","value":"341702"`) || !strings.Contains(c, `"field":"age","op":"lte","value":89`) {
		t.Errorf("first benefit conditions = %s", c)
	}
}

func TestExtractCommandBadInput(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "gbk.txt")
	if err := os.WriteFile(bad, []byte{0xb9, 0xd8, 0xd3, 0xda, 0xff}, 0o644); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "empty.txt")
	if err := os.WriteFile(empty, []byte("  \n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"not UTF-8", []string{"extract", bad}, "UTF-8"},
		{"empty", []string{"extract", empty}, "empty"},
		{"missing file", []string{"extract", filepath.Join(dir, "nope.txt")}, "no such file"},
		{"bad region", []string{"extract", "--region", "44", empty}, ""},
		{"no file", []string{"extract"}, "arg"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := runExtractCmd(t, tt.args...)
			if err == nil {
				t.Fatal("want an error")
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error spans lines: %q", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not say %q", err, tt.want)
			}
		})
	}
}
