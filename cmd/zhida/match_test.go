package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runZhida(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	root := newRoot()
	var out, errb bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&errb)
	root.SetArgs(args)
	err := root.Execute()
	return out.String(), errb.String(), err
}

// TestMatchCommandOnEvalDevCases runs `zhida match` on every eval-dev case
// (the gold trees of case.json as the policy, twice) and checks each output
// line against expected.jsonl.
func TestMatchCommandOnEvalDevCases(t *testing.T) {
	cases, _ := filepath.Glob("../../eval/testdata/eval-dev/*/*/case.json")
	if len(cases) < 16 {
		t.Fatalf("found %d cases", len(cases))
	}
	for _, cj := range cases {
		dir := filepath.Dir(cj)
		t.Run(filepath.Base(dir), func(t *testing.T) { checkMatchCase(t, dir) })
	}
}

func checkMatchCase(t *testing.T, dir string) {
	data, err := os.ReadFile(filepath.Join(dir, "case.json"))
	if err != nil {
		t.Fatal(err)
	}
	var meta struct {
		At       string            `json:"at"`
		Region   string            `json:"region"`
		Benefits []json.RawMessage `json:"benefits"`
	}
	if err := json.Unmarshal(data, &meta); err != nil {
		t.Fatal(err)
	}
	out, _, err := runZhida(t, "match", "--at", meta.At, "--region", meta.Region,
		"--policy", filepath.Join(dir, "case.json"), "--policy", filepath.Join(dir, "case.json"),
		"--profiles", filepath.Join(dir, "profiles.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	expected := map[string]struct {
		Verdict string `json:"verdict"`
		Grant   bool   `json:"apply_free_grant"`
	}{}
	ef, err := os.ReadFile(filepath.Join(dir, "expected.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(strings.TrimSpace(string(ef)), "\n") {
		var e struct {
			Subject string `json:"subject"`
			Verdict string `json:"verdict"`
			Grant   bool   `json:"apply_free_grant"`
		}
		if err := json.Unmarshal([]byte(l), &e); err != nil {
			t.Fatal(err)
		}
		expected[e.Subject] = struct {
			Verdict string `json:"verdict"`
			Grant   bool   `json:"apply_free_grant"`
		}{e.Verdict, e.Grant}
	}
	sc := bufio.NewScanner(strings.NewReader(out))
	n := 0
	for sc.Scan() {
		n++
		var line struct {
			Subject   string  `json:"subject"`
			Policy    string  `json:"policy"`
			Verdict   string  `json:"verdict"`
			Score     float64 `json:"score"`
			ApplyFree bool    `json:"apply_free"`
			Benefits  []struct {
				Name    string   `json:"name"`
				Verdict string   `json:"verdict"`
				Met     []string `json:"met"`
				Unmet   []string `json:"unmet"`
				Missing []string `json:"missing"`
			} `json:"benefits"`
		}
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatalf("line %d: %v", n, err)
		}
		want, ok := expected[line.Subject]
		if !ok || line.Policy != "case.json" || line.Verdict != want.Verdict || line.ApplyFree != want.Grant {
			t.Errorf("line %d: %s %s %s grant=%v, want %+v", n, line.Subject, line.Policy, line.Verdict, line.ApplyFree, want)
		}
		if len(line.Benefits) != len(meta.Benefits) || line.Benefits[0].Met == nil || line.Score < 0 || line.Score > 1 {
			t.Errorf("line %d: benefits %+v score %v", n, line.Benefits, line.Score)
		}
	}
	if n != 2*len(expected) {
		t.Errorf("%d lines for %d profiles × 2 policies", n, len(expected))
	}
}

func TestMatchCommandErrors(t *testing.T) {
	dir := "../../eval/testdata/eval-dev/resident/01-tianjin-canjiren-mianfei-chengche"
	bad := filepath.Join(t.TempDir(), "bad.jsonl")
	if err := os.WriteFile(bad, []byte("{\"kind\":\"resident\",\"id\":\"a\",\"region\":\"120101\",\"tags\":[\"残疾人\"]}\n{\"kind\":\"resident\",\"id\":\"b\",\"id_card\":\"120104198005052316\"}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"match", "--profiles", filepath.Join(dir, "profiles.jsonl")}, "--policy"},
		{[]string{"match", "--policy", filepath.Join(dir, "case.json")}, "--profiles"},
		{[]string{"match", "--at", "2024-02-30", "--policy", filepath.Join(dir, "case.json"), "--profiles", bad}, "--at"},
		{[]string{"match", "--region", "999999", "--policy", filepath.Join(dir, "case.json"), "--profiles", bad}, "--region"},
		{[]string{"match", "--policy", "/nonexistent.json", "--profiles", bad}, "--policy"},
		{[]string{"match", "--policy", filepath.Join(dir, "case.json"), "--profiles", bad}, "line 2: id_card"},
	} {
		out, stderr, err := runZhida(t, tc.args...)
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%v: error %v, want one line mentioning %q", tc.args, err, tc.want)
		}
		if strings.Contains(stderr+out, "120104198005052316") {
			t.Errorf("%v: output leaks a 身份证号", tc.args)
		}
		if tc.want == "line 2: id_card" && !strings.Contains(out, `"subject":"a"`) {
			t.Errorf("the good line was not matched: %q", out)
		}
	}
}
