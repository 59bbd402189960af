package matcher

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/zhida/zhida/corpus"
)

// TestEvalDevGold runs every eval-dev case with its gold trees and checks
// the reference evaluator reproduces the labelled verdicts and grants.
func TestEvalDevGold(t *testing.T) {
	dirs, _ := filepath.Glob("../eval/testdata/eval-dev/*/*/case.json")
	if len(dirs) == 0 {
		t.Fatal("no eval-dev cases found")
	}
	ps := NewParser(ParseOptions{IDCardKey: []byte("test-key")})
	for _, cj := range dirs {
		dir := filepath.Dir(cj)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			data, err := os.ReadFile(cj)
			if err != nil {
				t.Fatal(err)
			}
			pol, err := ParsePolicyJSON("case.json", data)
			if err != nil {
				t.Fatal(err)
			}
			var meta struct{ At corpus.Date }
			if err := json.Unmarshal(data, &meta); err != nil {
				t.Fatal(err)
			}
			f, err := os.Open(filepath.Join(dir, "profiles.jsonl"))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			profs, lerrs, err := ps.ReadAll(f)
			if err != nil || len(lerrs) > 0 {
				t.Fatalf("profiles: %v %v", err, lerrs)
			}
			ef, err := os.Open(filepath.Join(dir, "expected.jsonl"))
			if err != nil {
				t.Fatal(err)
			}
			defer ef.Close()
			sc := bufio.NewScanner(ef)
			i := 0
			for sc.Scan() {
				var want struct {
					Subject        string `json:"subject"`
					Verdict        string `json:"verdict"`
					ApplyFreeGrant bool   `json:"apply_free_grant"`
					Why            string `json:"why"`
				}
				if err := json.Unmarshal(sc.Bytes(), &want); err != nil {
					t.Fatal(err)
				}
				p := &profs[i]
				i++
				if p.ID != want.Subject {
					t.Fatalf("line %d: subject %s, expected file says %s", i, p.ID, want.Subject)
				}
				got := EvalPolicy(&pol, p, meta.At)
				if got.Verdict.Verdict() != want.Verdict || got.Grant != want.ApplyFreeGrant {
					t.Errorf("%s: got %s grant=%v, want %s grant=%v (%s)", p.ID, got.Verdict, got.Grant, want.Verdict, want.ApplyFreeGrant, want.Why)
				}
			}
		})
	}
}
