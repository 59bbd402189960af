package pusher

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/zhida/zhida/corpus"
	"github.com/zhida/zhida/store"
)

// GrantStore is the part of the store grant bookkeeping uses.
type GrantStore interface {
	ListGrants(ctx context.Context, f store.GrantFilter) ([]store.Grant, error)
	ReadyDueGrants(ctx context.Context, now time.Time) (int, error)
	MarkGrantsExported(ctx context.Context, keys []string, at time.Time) (int, error)
}

// ReadyDue moves grants whose objection window has ended to ready (for the
// scheduler: run it every few minutes).
func ReadyDue(ctx context.Context, st GrantStore, now time.Time) (int, error) {
	return st.ReadyDueGrants(ctx, now)
}

// GrantAudit is what a grant's Facts holds: the condition texts the
// subject met, every profile fact the conditions read (value, verified,
// source), the stored profile they were read from, and the match's whole
// explanation.
type GrantAudit struct {
	Met         []string        `json:"met"`
	Facts       []Fact          `json:"facts"`
	Profile     *ProfileRef     `json:"profile,omitempty"`
	Explanation json.RawMessage `json:"explanation,omitempty"`
}

// ParseGrantAudit reads a grant's Facts.
func ParseGrantAudit(b []byte) (GrantAudit, error) {
	var a GrantAudit
	if len(b) == 0 {
		return a, nil
	}
	if err := json.Unmarshal(b, &a); err != nil {
		return a, fmt.Errorf("grant facts: %w", err)
	}
	return a, nil
}

// FactsText writes facts for people: key=value [verified|unverified,
// source], separated by "; ".
func FactsText(fs []Fact) string {
	parts := make([]string, 0, len(fs))
	for _, f := range fs {
		v := "verified"
		if !f.Verified {
			v = "unverified"
		}
		if f.Source != "" {
			v += ", " + f.Source
		}
		parts = append(parts, f.Key+"="+string(f.Value)+" ["+v+"]")
	}
	return strings.Join(parts, "; ")
}

// ExportHeader is the header row of a grants export. met_conditions,
// facts, profile_as_of and profile_hash are the audit: the condition texts
// met, the facts read with whether each is verified and its source, and
// the stored profile they came from.
var ExportHeader = []string{"grant_key", "policy_id", "version", "benefit_key", "benefit_name", "subject_kind",
	"subject_id", "amount_yuan", "amount_text", "created_at", "objection_ends_at", "status",
	"met_conditions", "facts", "profile_as_of", "profile_hash"}

// ExportGrants writes every ready grant not yet exported as CSV (with
// ExportHeader) for the payment office, and, when mark is true, records
// them as exported so the next export does not repeat them. A grant with no
// computable amount has an empty amount_yuan: the office computes it from
// amount_text. It returns how many grants it wrote.
func ExportGrants(ctx context.Context, st GrantStore, w io.Writer, mark bool, now time.Time) (int, error) {
	cw := csv.NewWriter(w)
	if err := cw.Write(ExportHeader); err != nil {
		return 0, fmt.Errorf("export grants: %w", err)
	}
	n := 0
	after := ""
	for {
		page, err := st.ListGrants(ctx, store.GrantFilter{Status: store.GrantReady, AfterKey: after, Limit: store.MaxPageSize})
		if err != nil {
			return n, fmt.Errorf("export grants: %w", err)
		}
		if len(page) == 0 {
			break
		}
		var keys []string
		for _, g := range page {
			after = g.Key
			if !g.ExportedAt.IsZero() {
				continue
			}
			amount := ""
			if g.HasAmount {
				amount = strconv.FormatFloat(g.Amount, 'f', 2, 64)
			}
			audit, err := ParseGrantAudit(g.Facts)
			if err != nil {
				return n, fmt.Errorf("export grants: grant %s: %w", g.Key, err)
			}
			var asOf, hash string
			if audit.Profile != nil {
				asOf, hash = audit.Profile.AsOf, audit.Profile.Hash
			}
			if err := cw.Write([]string{g.Key, g.PolicyID, strconv.Itoa(g.Version), g.BenefitKey, g.BenefitName,
				string(g.SubjectKind), g.SubjectID, amount, g.AmountText, g.CreatedAt.Format(time.RFC3339),
				g.ObjectionEndsAt.Format(time.RFC3339), string(g.Status),
				strings.Join(audit.Met, "；"), FactsText(audit.Facts), asOf, hash}); err != nil {
				return n, fmt.Errorf("export grants: %w", err)
			}
			keys = append(keys, g.Key)
			n++
		}
		// Flush before marking: a grant is marked only once its row is out.
		cw.Flush()
		if err := cw.Error(); err != nil {
			return n, fmt.Errorf("export grants: %w", err)
		}
		if mark && len(keys) > 0 {
			if _, err := st.MarkGrantsExported(ctx, keys, now); err != nil {
				return n, fmt.Errorf("export grants: %w", err)
			}
		}
	}
	cw.Flush()
	return n, cw.Error()
}

// Canceller is the part of the store a retraction needs.
type Canceller interface {
	CancelForPolicy(ctx context.Context, policyID string, beforeVersion int, reason string) (int, int, error)
}

// Reasons recorded on what a policy event cancels.
const ReasonRetracted = "政策已撤回"

// ReasonSuperseded is the reason recorded when version v replaces the older
// versions.
func ReasonSuperseded(v int) string { return fmt.Sprintf("政策已更新为第%d版", v) }

// HandleEvents applies policy events to pushes and grants, for an outbox
// consumer: a retraction cancels every push not yet sent and stops every
// grant not yet exported; a new version does the same for the older
// versions, except that their grants already ready for payment stay ready
// (see store.Deliveries.CancelForPolicy). It is idempotent, so a
// redelivered event changes nothing.
func HandleEvents(ctx context.Context, st Canceller, evs []store.Event) error {
	for _, e := range evs {
		var err error
		switch {
		case e.Kind == corpus.EventRetracted:
			_, _, err = st.CancelForPolicy(ctx, e.PolicyID, 0, ReasonRetracted)
		case e.Kind == corpus.EventPublished && e.Version > 1:
			_, _, err = st.CancelForPolicy(ctx, e.PolicyID, e.Version, ReasonSuperseded(e.Version))
		}
		if err != nil {
			return fmt.Errorf("event %d: %w", e.ID, err)
		}
	}
	return nil
}
