package main

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/zhida/zhida/corpus"
	"github.com/zhida/zhida/corpus/extract"
	"github.com/zhida/zhida/corpus/region"
	"github.com/zhida/zhida/matcher"
)

// idKeyEnv names the environment variable holding the HMAC key for 身份证号.
const idKeyEnv = "ZHIDA_ID_KEY"

func newMatchCmd() *cobra.Command {
	var (
		at, regionCode, profilesPath string
		policyPaths                  []string
	)
	cmd := &cobra.Command{
		Use:   "match --policy FILE [--policy FILE ...] --profiles FILE.jsonl",
		Short: "Match profiles against policies (CONTRACT §3): one JSON line per (subject, policy)",
		Long: `Match reads CONTRACT profiles (JSON Lines) and policies, and prints one JSON
line per (subject, policy) with the verdict, score, apply-free grant and, per
benefit, the met and unmet condition texts and the missing keys.

A policy FILE is JSON (the output of "zhida extract", or an eval-dev case.json)
or policy text (.txt), which goes through extraction.

身份证号 in profiles are hashed with the key in $` + idKeyEnv + ` (a random key for this
run when unset: match stores nothing). Bad profile lines are reported on stderr
with their line number and field; the others are still matched, and the exit
status is then non-zero.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			day := corpus.Today()
			if at != "" {
				d, err := corpus.ParseDate(at)
				if err != nil {
					return fmt.Errorf("--at: %w", err)
				}
				day = d
			}
			if regionCode != "" && !region.Default().Valid(regionCode) {
				return fmt.Errorf("--region: %q is not a known 6-digit 行政区划代码", regionCode)
			}
			if len(policyPaths) == 0 {
				return errors.New("--policy: at least one policy file is required")
			}
			if profilesPath == "" {
				return errors.New("--profiles: a profiles file is required")
			}
			pols := make([]matcher.Policy, 0, len(policyPaths))
			for _, path := range policyPaths {
				pol, err := loadPolicy(path, regionCode)
				if err != nil {
					return err
				}
				pols = append(pols, pol)
			}
			key, err := idKey()
			if err != nil {
				return err
			}
			f, err := os.Open(profilesPath)
			if err != nil {
				return fmt.Errorf("--profiles: %w", err)
			}
			defer f.Close()
			return runMatch(cmd.OutOrStdout(), cmd.ErrOrStderr(), f, filepath.Base(profilesPath), pols, day, key)
		},
	}
	cmd.Flags().StringVar(&at, "at", "", "evaluation date YYYY-MM-DD (ages, 上年度); default today")
	cmd.Flags().StringVar(&regionCode, "region", "", "issuing region code for 本市/本区 when the text does not say (100000 national)")
	cmd.Flags().StringArrayVar(&policyPaths, "policy", nil, "policy file: JSON (extract output or case.json) or .txt (repeatable)")
	cmd.Flags().StringVar(&profilesPath, "profiles", "", "profiles, CONTRACT JSON Lines")
	return cmd
}

// idKey returns the 身份证号 hash key: $ZHIDA_ID_KEY, or a random key for
// this run (match keeps no hashes, so they need not be stable).
func idKey() ([]byte, error) {
	if k := os.Getenv(idKeyEnv); k != "" {
		return []byte(k), nil
	}
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
		return nil, fmt.Errorf("make a 身份证号 hash key: %w", err)
	}
	return k, nil
}

// loadPolicy reads a policy file; name is its base name, as CONTRACT §3
// reports it.
func loadPolicy(path, regionCode string) (matcher.Policy, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return matcher.Policy{}, fmt.Errorf("--policy: %w", err)
	}
	name := filepath.Base(path)
	trimmed := bytes.TrimSpace(data)
	if strings.EqualFold(filepath.Ext(path), ".json") || (len(trimmed) > 0 && trimmed[0] == '{') {
		pol, err := matcher.ParsePolicyJSON(name, data)
		if err != nil {
			return matcher.Policy{}, fmt.Errorf("--policy %s: %w", path, err)
		}
		if pol.Region == "" {
			pol.Region = regionCode
		}
		return pol, nil
	}
	return extractPolicy(name, string(data), regionCode)
}

// extractPolicy turns policy text into a Policy through the CONTRACT
// `extract` JSON, so text and JSON policies are read the same way.
func extractPolicy(name, text, regionCode string) (matcher.Policy, error) {
	js, err := extractJSON(text, regionCode)
	if err != nil {
		return matcher.Policy{}, fmt.Errorf("--policy %s: %w", name, err)
	}
	pol, err := matcher.ParsePolicyJSON(name, js)
	if err != nil {
		return matcher.Policy{}, fmt.Errorf("--policy %s: %w", name, err)
	}
	if pol.Region == "" {
		pol.Region = regionCode
	}
	return pol, nil
}

// extractJSON returns the CONTRACT `extract` output for a policy text.
func extractJSON(text, regionCode string) ([]byte, error) {
	res, err := extract.Extract(text, extract.Options{Region: regionCode})
	if err != nil {
		return nil, err
	}
	return json.Marshal(res)
}

// matchLine is one CONTRACT §3 output line.
type matchLine struct {
	Subject   string        `json:"subject"`
	Policy    string        `json:"policy"`
	Verdict   string        `json:"verdict"`
	Score     float64       `json:"score"`
	ApplyFree bool          `json:"apply_free"`
	Benefits  []benefitLine `json:"benefits"`
}

type benefitLine struct {
	Name      string   `json:"name"`
	Verdict   string   `json:"verdict"`
	Score     float64  `json:"score"`
	ApplyFree bool     `json:"apply_free"`
	Met       []string `json:"met"`
	Unmet     []string `json:"unmet"`
	Missing   []string `json:"missing"`
	// Check lists clauses outside the vocabulary that a person must check.
	Check []string `json:"check"`
	// Unverified lists, for an eligible apply-free benefit not granted, the
	// keys that would need an authoritative source.
	Unverified []string `json:"unverified,omitempty"`
}

func runMatch(stdout, stderr io.Writer, profiles io.Reader, profilesName string, pols []matcher.Policy, at corpus.Date, key []byte) error {
	w := bufio.NewWriter(stdout)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	rd := matcher.NewParser(matcher.ParseOptions{IDCardKey: key}).NewReader(profiles)
	for rd.Next() {
		p := rd.Profile()
		for i := range pols {
			res := matcher.EvalPolicy(&pols[i], &p, at)
			line := matchLine{Subject: p.ID, Policy: pols[i].Name, Verdict: res.Verdict.Verdict(),
				Score: round4(res.Score), ApplyFree: res.Grant, Benefits: make([]benefitLine, 0, len(res.Benefits))}
			for _, b := range res.Benefits {
				line.Benefits = append(line.Benefits, benefitLine{Name: b.Name, Verdict: b.Verdict.Verdict(),
					Score: round4(b.Score), ApplyFree: b.Grant, Met: nonNil(b.Met), Unmet: nonNil(b.Unmet),
					Missing: nonNil(b.Missing), Check: nonNil(b.Check), Unverified: b.Unverified})
			}
			if err := enc.Encode(line); err != nil {
				return fmt.Errorf("write results: %w", err)
			}
		}
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("write results: %w", err)
	}
	if err := rd.Err(); err != nil {
		return fmt.Errorf("--profiles %s: %w", profilesName, err)
	}
	if errs := rd.LineErrors(); len(errs) > 0 {
		for _, e := range errs {
			fmt.Fprintf(stderr, "zhida match: %s %v\n", profilesName, e)
		}
		return fmt.Errorf("--profiles %s: %d bad line(s) skipped, first: %v", profilesName, len(errs), errs[0])
	}
	return nil
}

func round4(f float64) float64 { return math.Round(f*1e4) / 1e4 }

func nonNil(ss []string) []string {
	if ss == nil {
		return []string{}
	}
	return ss
}
