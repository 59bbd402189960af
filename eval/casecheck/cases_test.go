package casecheck

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/zhida/zhida/corpus"
	"github.com/zhida/zhida/corpus/region"
)

// caseFile is the case.json layout of the eval cases.
type caseFile struct {
	Source   string            `json:"source"`
	Title    string            `json:"title"`
	Region   string            `json:"region"`
	At       string            `json:"at"`
	Benefits []json.RawMessage `json:"benefits"`
	Notes    string            `json:"notes"`
}

type expectedLine struct {
	Subject        string `json:"subject"`
	Verdict        string `json:"verdict"`
	ApplyFreeGrant bool   `json:"apply_free_grant"`
	Why            string `json:"why"`
}

// caseDirs lists the case folders under root whose names start with an
// audience (cases/enterprise-NN-…) or that sit in an audience folder
// (eval-dev/enterprise/NN-…), with that audience.
func caseDirs(t *testing.T, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		if d.Name() != "case.json" {
			return nil
		}
		dir := filepath.Dir(path)
		for _, aud := range []string{"enterprise", "resident"} {
			if strings.HasPrefix(filepath.Base(dir), aud+"-") || filepath.Base(filepath.Dir(dir)) == aud {
				out[dir] = aud
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func readLines(t *testing.T, path string) [][]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if line := bytes.TrimSpace(sc.Bytes()); len(line) > 0 {
			out = append(out, append([]byte(nil), line...))
		}
	}
	return out
}

// checkCase validates one case folder and returns how many profiles it holds.
// strict adds the checks the new cases promise beyond eval-dev (ids and
// verbatim spans).
func checkCase(t *testing.T, dir, audience string, strict bool) int {
	t.Helper()
	regions := region.Default()
	raw, err := os.ReadFile(filepath.Join(dir, "case.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cf caseFile
	if err := json.Unmarshal(raw, &cf); err != nil {
		t.Fatalf("case.json: %v", err)
	}
	if cf.Source == "" || cf.Title == "" || cf.Notes == "" || len(cf.Benefits) == 0 {
		t.Errorf("case.json: source, title, notes and benefits are required")
	}
	if !regions.Valid(cf.Region) {
		t.Errorf("case.json region %q is not a valid code", cf.Region)
	}
	at, err := time.Parse("2006-01-02", cf.At)
	if err != nil {
		t.Fatalf("case.json at: %v", err)
	}
	policy, err := os.ReadFile(filepath.Join(dir, "policy.txt"))
	if err != nil {
		t.Fatal(err)
	}
	rules := corpus.DefaultRules()
	var benefits []Benefit
	for i, rb := range cf.Benefits {
		var b Benefit
		if err := json.Unmarshal(rb, &b); err != nil {
			t.Fatalf("benefit %d: %v", i, err)
		}
		var c struct {
			Conditions corpus.Cond `json:"conditions"`
		}
		if err := json.Unmarshal(rb, &c); err != nil {
			t.Fatalf("benefit %d conditions: %v", i, err)
		}
		if err := rules.CheckCond(c.Conditions, "benefits["+b.Name+"]", corpus.Audience(audience)); err != nil {
			t.Errorf("benefit %d: %v", i, err)
		}
		if strict {
			for _, text := range atomTexts(b.Conditions) {
				if text == "" {
					t.Errorf("benefit %q: atom without text", b.Name)
				}
				for _, piece := range spanPieces(text) {
					if !bytes.Contains(policy, []byte(piece)) {
						t.Errorf("benefit %q: atom text %q is not in policy.txt", b.Name, piece)
					}
				}
			}
		}
		benefits = append(benefits, b)
	}

	var profiles []Profile
	for n, line := range readLines(t, filepath.Join(dir, "profiles.jsonl")) {
		var p Profile
		dec := json.NewDecoder(bytes.NewReader(line))
		if err := dec.Decode(&p); err != nil {
			t.Fatalf("profiles.jsonl line %d: %v", n+1, err)
		}
		id, _ := p["id"].(string)
		if p["kind"] != audience {
			t.Errorf("profiles.jsonl line %d: kind %v in a %s case", n+1, p["kind"], audience)
		}
		if strict && audience == "enterprise" {
			if err := ValidUSCC(id); err != nil {
				t.Errorf("profiles.jsonl line %d: %v", n+1, err)
			}
		}
		if idc, ok := p["id_card"].(string); ok {
			if err := ValidIDCard(idc); err != nil {
				t.Errorf("profiles.jsonl line %d: %v", n+1, err)
			}
		}
		for _, k := range []string{"region", "residence_region"} {
			if code, ok := p[k].(string); ok && !regions.Valid(code) {
				t.Errorf("profiles.jsonl line %d: %s %q is not a valid code", n+1, k, code)
			}
		}
		profiles = append(profiles, p)
	}

	exp := readLines(t, filepath.Join(dir, "expected.jsonl"))
	if len(exp) != len(profiles) {
		t.Fatalf("expected.jsonl has %d lines for %d profiles", len(exp), len(profiles))
	}
	for i, line := range exp {
		var e expectedLine
		if err := json.Unmarshal(line, &e); err != nil {
			t.Fatalf("expected.jsonl line %d: %v", i+1, err)
		}
		if e.Subject != profiles[i]["id"] {
			t.Errorf("expected.jsonl line %d: subject %q, profile line %d is %v", i+1, e.Subject, i+1, profiles[i]["id"])
		}
		if strict && e.Why == "" {
			t.Errorf("expected.jsonl line %d: empty why", i+1)
		}
		verdict, grant, err := Verdict(audience, benefits, profiles[i], at)
		if err != nil {
			t.Fatalf("%s: %v", e.Subject, err)
		}
		if verdict != e.Verdict || grant != e.ApplyFreeGrant {
			t.Errorf("%s: gold trees give %s/grant=%v, expected.jsonl says %s/grant=%v (%s)",
				e.Subject, verdict, grant, e.Verdict, e.ApplyFreeGrant, e.Why)
		}
	}
	return len(profiles)
}

// TestCases checks every held-out case (the first held-out set and the blind
// set): valid ids, regions and vocabulary, atom texts that are spans of
// policy.txt, and expected verdicts equal to an independent three-valued
// evaluation of the gold trees.
func TestCases(t *testing.T) {
	for _, root := range []string{"../testdata/heldout", "../testdata/blind", "../testdata/fresh", "../testdata/blind2", "../testdata/fresh2"} {
		t.Run(filepath.Base(root), func(t *testing.T) {
			dirs := caseDirs(t, root)
			if len(dirs) == 0 {
				t.Fatalf("no cases found under %s", root)
			}
			total := 0
			for dir, aud := range dirs {
				t.Run(filepath.Base(dir), func(t *testing.T) {
					total += checkCase(t, dir, aud, true)
				})
			}
			t.Logf("%d cases, %d profiles", len(dirs), total)
		})
	}
}

// TestEvaluatorAgreesWithEvalDev runs the same evaluator over the eval-dev
// set, whose labels were checked by two other evaluators: agreement there is
// what makes this evaluator a fair judge of the new cases.
func TestEvaluatorAgreesWithEvalDev(t *testing.T) {
	dirs := caseDirs(t, "../testdata/eval-dev")
	if len(dirs) == 0 {
		t.Skip("eval-dev copy not present")
	}
	for dir, aud := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			checkCase(t, dir, aud, false)
		})
	}
}
