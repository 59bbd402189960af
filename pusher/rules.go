package pusher

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"
)

// ruleJSON is a Rule in a rules file; durations are Go duration strings
// ("90s", "6h") and quiet hours "22:00-08:00".
type ruleJSON struct {
	Name        string   `json:"name"`
	Channel     string   `json:"channel"`
	Kinds       []string `json:"kinds"`
	Cron        string   `json:"cron"`
	Batch       int      `json:"batch"`
	Parallel    int      `json:"parallel"`
	MaxPerRun   int      `json:"max_per_run"`
	MaxAttempts int      `json:"max_attempts"`
	Quiet       string   `json:"quiet"`
	DailyCap    int      `json:"daily_cap"`
	ClaimTTL    string   `json:"claim_ttl"`
	BaseBackoff string   `json:"base_backoff"`
	MaxBackoff  string   `json:"max_backoff"`
}

// ReadRules reads a JSON array of rules, e.g.
//
//	[{"channel": "inbox", "kinds": ["new_policy"], "cron": "0 */5 * * * *",
//	  "batch": 500, "parallel": 2, "max_attempts": 8, "quiet": "22:00-08:00", "daily_cap": 5,
//	  "claim_ttl": "2m", "base_backoff": "30s", "max_backoff": "6h"}]
//
// Unknown fields are errors; each rule is checked, and an error names the
// rule by its position and field.
func ReadRules(r io.Reader) ([]Rule, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("rules: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var raw []ruleJSON
	if err := dec.Decode(&raw); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			return nil, fmt.Errorf("rules: line %d: %w", lineOf(data, se.Offset), err)
		case errors.As(err, &te):
			return nil, fmt.Errorf("rules: line %d: field %s: %w", lineOf(data, te.Offset), te.Field, err)
		}
		return nil, fmt.Errorf("rules: %w", err)
	}
	if len(raw) == 0 {
		return nil, errors.New("rules: no rules")
	}
	out := make([]Rule, 0, len(raw))
	for i, j := range raw {
		r := Rule{Name: j.Name, Channel: j.Channel, Kinds: j.Kinds, Cron: j.Cron, Batch: j.Batch, Parallel: j.Parallel, MaxPerRun: j.MaxPerRun,
			MaxAttempts: j.MaxAttempts, DailyCap: j.DailyCap}
		if r.Quiet, err = ParseQuietHours(j.Quiet); err != nil {
			return nil, fmt.Errorf("rules[%d].quiet: %w", i, err)
		}
		for _, d := range []struct {
			name string
			s    string
			to   *time.Duration
		}{{"claim_ttl", j.ClaimTTL, &r.ClaimTTL}, {"base_backoff", j.BaseBackoff, &r.BaseBackoff}, {"max_backoff", j.MaxBackoff, &r.MaxBackoff}} {
			if d.s == "" {
				continue
			}
			if *d.to, err = time.ParseDuration(d.s); err != nil {
				return nil, fmt.Errorf("rules[%d].%s: %w", i, d.name, err)
			}
		}
		if r.Cron == "" {
			return nil, fmt.Errorf("rules[%d].cron: empty", i)
		}
		if _, err := cronParser.Parse(r.Cron); err != nil {
			return nil, fmt.Errorf("rules[%d].cron: %w", i, err)
		}
		if _, err := r.withDefaults(); err != nil {
			return nil, fmt.Errorf("rules[%d]: %w", i, err)
		}
		out = append(out, r)
	}
	return out, nil
}

func lineOf(data []byte, offset int64) int {
	if offset > int64(len(data)) {
		offset = int64(len(data))
	}
	return bytes.Count(data[:offset], []byte("\n")) + 1
}
