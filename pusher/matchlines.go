package pusher

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/zhida/zhida/corpus"
	"github.com/zhida/zhida/store"
)

// MatchLines is a MatchSource over the CONTRACT §3 output of `zhida match`
// (one JSON line per subject and policy, benefits in the policy's order),
// so pushes can be planned before matches are kept in the store.
type MatchLines struct {
	R io.Reader
	// Kind is the subjects' kind (the output does not say it).
	Kind corpus.Audience
	// Policy keeps only lines whose "policy" field is this (the policy
	// file's name given to zhida match); "" keeps every line.
	Policy string
	// Version is the policy version the lines were matched against: its
	// benefits, in order, give the benefit keys.
	Version *corpus.Version
}

type matchLine struct {
	Subject  string `json:"subject"`
	Policy   string `json:"policy"`
	Benefits []struct {
		Name       string   `json:"name"`
		Verdict    string   `json:"verdict"`
		Score      float64  `json:"score"`
		ApplyFree  bool     `json:"apply_free"` // granted: eligible on verified facts
		Met        []string `json:"met"`
		Unmet      []string `json:"unmet"`
		Missing    []string `json:"missing"`
		Check      []string `json:"check"`
		Unverified []string `json:"unverified,omitempty"`
	} `json:"benefits"`
}

// PolicyMatches implements MatchSource; policyID and version name the
// records (the lines do not carry them).
func (m *MatchLines) PolicyMatches(ctx context.Context, policyID string, version int, fn func(store.MatchRecord) error) error {
	if m.Kind != corpus.AudienceEnterprise && m.Kind != corpus.AudienceResident {
		return fmt.Errorf("match lines: subject kind %q is not enterprise or resident", m.Kind)
	}
	bens := m.Version.Document.Benefits
	sc := bufio.NewScanner(m.R)
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	n := 0
	for sc.Scan() {
		n++
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if len(sc.Bytes()) == 0 {
			continue
		}
		var l matchLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			return fmt.Errorf("match lines: line %d: %w", n, err)
		}
		if m.Policy != "" && l.Policy != m.Policy {
			continue
		}
		if l.Subject == "" {
			return fmt.Errorf("match lines: line %d: no subject", n)
		}
		if len(l.Benefits) != len(bens) {
			return fmt.Errorf("match lines: line %d: %d benefits, but version %d of %s has %d: matched against another policy?",
				n, len(l.Benefits), version, policyID, len(bens))
		}
		for i, b := range l.Benefits {
			if b.Name != bens[i].Name {
				return fmt.Errorf("match lines: line %d: benefit %d is %q, but the version's is %q", n, i+1, b.Name, bens[i].Name)
			}
			exp, err := json.Marshal(Explanation{Met: b.Met, Unmet: b.Unmet, Missing: b.Missing, Check: b.Check, Unverified: b.Unverified})
			if err != nil {
				return err
			}
			rec := store.MatchRecord{SubjectKind: m.Kind, SubjectID: l.Subject, PolicyID: policyID, Version: version,
				BenefitKey: bens[i].Key, Verdict: b.Verdict, Score: b.Score, Grant: b.ApplyFree, Explanation: exp}
			if err := fn(rec); err != nil {
				return err
			}
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("match lines: line %d: %w", n+1, err)
	}
	return nil
}
