package pusher

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/zhida/zhida/corpus"
	"github.com/zhida/zhida/store"
)

// MatchSource reads the matches of a policy version: the store's Matches
// (a sweep's results), or MatchLines over `zhida match` output.
type MatchSource interface {
	// PolicyMatches calls fn for every match of one policy version; fn's
	// error stops the listing.
	PolicyMatches(ctx context.Context, policyID string, version int, fn func(store.MatchRecord) error) error
}

var _ MatchSource = store.Matches(nil)

// PlanSink is where planning writes: the store's deliveries and grants.
type PlanSink interface {
	Enqueue(ctx context.Context, ds []store.NewDelivery) (int, error)
	PutGrants(ctx context.Context, gs []store.Grant) (int, error)
}

// Planner turns the matches of a policy version into pushes and grants.
type Planner struct {
	// Channel the pushes go out on (ChannelInbox when empty).
	Channel string
	// ObjectionDays is how many days after receiving the 已为您办理 notice
	// a subject may object before the grant is ready for payment (7 when
	// zero). The grant waits ObjectionDays+1 days after the notice was
	// delivered, so the days count whole from the day after receipt, as
	// 自收到本通知之日起N日内 is read, and at least until the end of the
	// China day ObjectionDays after planning.
	ObjectionDays int
	// ReminderDays is how many days before a deadline the reminder goes
	// out (7 when zero; negative: no reminders).
	ReminderDays int
	// MinNearScore is the lowest score of an unknown (nearly eligible)
	// match that still gets a needs_info push (0.5 when zero).
	MinNearScore float64
	// Now is the clock (time.Now when nil).
	Now func() time.Time
}

// PlanStats counts what a plan did. Re-planning counts the same items as
// planned but stores nothing new.
type PlanStats struct {
	Matches, Grants, Pushes         int
	NewGrants, NewPushes            int
	SkippedIneligible, SkippedLate  int
	SkippedLowScore, UnknownBenefit int
	// SkippedPaid counts apply-free matches not granted again because an
	// older version's grant of the same benefit is ready for payment or
	// was paid.
	SkippedPaid int
	// SkippedOutOfRegion counts matches of a local policy's benefit that
	// names no place, for subjects known to be outside the issuing region
	// (see InIssuingRegion).
	SkippedOutOfRegion int
}

// planBatch is how many pushes or grants are written at a time.
const planBatch = 500

// Key is the idempotency key of a push: one per subject, policy version,
// benefit and kind.
func Key(kind string, subjectKind corpus.Audience, subjectID, policyID string, version int, benefit string) string {
	return kind + "|" + string(subjectKind) + "|" + subjectID + "|" + policyID + "|v" + strconv.Itoa(version) + "|" + benefit
}

// GrantKey is the key of an apply-free grant.
func GrantKey(subjectKind corpus.Audience, subjectID, policyID string, version int, benefit string) string {
	return string(subjectKind) + "|" + subjectID + "|" + policyID + "|v" + strconv.Itoa(version) + "|" + benefit
}

// Plan reads every match of version v from src and writes to dst:
//   - eligible on verified facts for an apply-free benefit: a grant (with
//     the facts it rests on) and an apply_free_notice;
//   - other eligible matches: a new_policy push, and a deadline_reminder
//     due ReminderDays before the benefit's deadline;
//   - unknown matches scoring at least MinNearScore: a needs_info push
//     naming the missing facts.
//
// Benefits whose deadline has passed get no push (a grant needs none).
// Everything is keyed, so planning twice changes nothing.
func (p *Planner) Plan(ctx context.Context, src MatchSource, dst PlanSink, v *corpus.Version) (PlanStats, error) {
	var st PlanStats
	now := time.Now
	if p.Now != nil {
		now = p.Now
	}
	at := now()
	today := dateIn(at)
	channel := p.Channel
	if channel == "" {
		channel = ChannelInbox
	}
	days := p.ObjectionDays
	if days <= 0 {
		days = 7
	}
	window := time.Duration(days+1) * 24 * time.Hour
	reminder := p.ReminderDays
	if reminder == 0 {
		reminder = 7
	}
	minScore := p.MinNearScore
	if minScore == 0 {
		minScore = 0.5
	}
	benefits := map[string]*corpus.Benefit{}
	for i := range v.Document.Benefits {
		benefits[v.Document.Benefits[i].Key] = &v.Document.Benefits[i]
	}
	sc := NewScope(v)
	paid, err := p.paidBefore(ctx, dst, v)
	if err != nil {
		return st, fmt.Errorf("plan pushes of %s version %d: %w", v.PolicyID, v.Version, err)
	}
	var (
		pushes []store.NewDelivery
		grants []store.Grant
	)
	flush := func(force bool) error {
		if len(grants) > 0 && (force || len(grants) >= planBatch) {
			// Grants first: a notice must never exist without its grant.
			n, err := dst.PutGrants(ctx, grants)
			if err != nil {
				return err
			}
			st.NewGrants += n
			grants = grants[:0]
		}
		if len(pushes) > 0 && (force || len(pushes) >= planBatch) {
			if len(grants) > 0 {
				n, err := dst.PutGrants(ctx, grants)
				if err != nil {
					return err
				}
				st.NewGrants += n
				grants = grants[:0]
			}
			n, err := dst.Enqueue(ctx, pushes)
			if err != nil {
				return err
			}
			st.NewPushes += n
			pushes = pushes[:0]
		}
		return nil
	}
	push := func(m store.MatchRecord, msg Message, notBefore time.Time) error {
		payload, err := json.Marshal(msg)
		if err != nil {
			return err
		}
		pushes = append(pushes, store.NewDelivery{
			Key:         Key(msg.Kind, m.SubjectKind, m.SubjectID, v.PolicyID, v.Version, m.BenefitKey),
			SubjectKind: m.SubjectKind, SubjectID: m.SubjectID, Kind: msg.Kind, Channel: channel,
			Payload: payload, PolicyID: v.PolicyID, Version: v.Version, BenefitKey: m.BenefitKey, NotBefore: notBefore,
		})
		st.Pushes++
		return flush(false)
	}
	err = src.PolicyMatches(ctx, v.PolicyID, v.Version, func(m store.MatchRecord) error {
		st.Matches++
		ben, ok := benefits[m.BenefitKey]
		if !ok {
			st.UnknownBenefit++
			return nil
		}
		exp, err := ParseExplanation(m.Explanation)
		if err != nil {
			return fmt.Errorf("match of %s %s benefit %s: %w", m.SubjectKind, m.SubjectID, m.BenefitKey, err)
		}
		if sc.outside(m) {
			st.SkippedOutOfRegion++
			return nil
		}
		grant := m.Grant
		late := !ben.Deadline.IsZero() && ben.Deadline.Before(today)
		switch {
		case m.Verdict == "eligible" && grant && ben.ApplyFree && paid[paidKey(m.SubjectKind, m.SubjectID, ben.Key)]:
			// Granted under an older version and past its objection window
			// (or paid): the same benefit is not granted twice.
			st.SkippedPaid++
			return nil
		case m.Verdict == "eligible" && grant && ben.ApplyFree:
			ends := dayStart(at.AddDate(0, 0, days)).AddDate(0, 0, 1)
			facts, err := json.Marshal(GrantAudit{Met: exp.Met, Facts: exp.Facts, Profile: exp.Profile, Explanation: orEmpty(m.Explanation)})
			if err != nil {
				return err
			}
			g := store.Grant{
				Key: GrantKey(m.SubjectKind, m.SubjectID, v.PolicyID, v.Version, ben.Key), PolicyID: v.PolicyID,
				Version: v.Version, BenefitKey: ben.Key, BenefitName: ben.Name, SubjectKind: m.SubjectKind,
				SubjectID: m.SubjectID, Facts: facts, AmountText: ben.Amount, Status: store.GrantNotified,
				CreatedAt: at, ObjectionEndsAt: ends, ObjectionWindow: window,
				NoticeKey: Key(KindApplyFreeNotice, m.SubjectKind, m.SubjectID, v.PolicyID, v.Version, ben.Key),
			}
			if ben.Calc != nil && ben.Calc.Kind == corpus.AmountFixed && ben.Calc.Value > 0 {
				g.Amount, g.HasAmount = ben.Calc.Value, true
			}
			grants = append(grants, g)
			st.Grants++
			msg, err := Compose(KindApplyFreeNotice, v, ben, exp, days)
			if err != nil {
				return err
			}
			return push(m, msg, at)
		case late:
			st.SkippedLate++
			return nil
		case m.Verdict == "eligible":
			msg, err := Compose(KindNewPolicy, v, ben, exp, 0)
			if err != nil {
				return err
			}
			if err := push(m, msg, at); err != nil {
				return err
			}
			if reminder > 0 && !ben.Deadline.IsZero() {
				remind := time.Date(ben.Deadline.Year, ben.Deadline.Month, ben.Deadline.Day, 9, 0, 0, 0, chinaZone).AddDate(0, 0, -reminder)
				if remind.After(at) {
					msg, err := Compose(KindDeadlineReminder, v, ben, exp, 0)
					if err != nil {
						return err
					}
					return push(m, msg, remind)
				}
			}
			return nil
		case m.Verdict == "unknown" && m.Score >= minScore:
			msg, err := Compose(KindNeedsInfo, v, ben, exp, 0)
			if err != nil {
				return err
			}
			return push(m, msg, at)
		case m.Verdict == "unknown":
			st.SkippedLowScore++
		default:
			st.SkippedIneligible++
		}
		return nil
	})
	if err == nil {
		err = flush(true)
	}
	if err != nil {
		return st, fmt.Errorf("plan pushes of %s version %d: %w", v.PolicyID, v.Version, err)
	}
	return st, nil
}

func orEmpty(b []byte) []byte {
	if len(b) == 0 {
		return []byte("{}")
	}
	return b
}

// grantLister is implemented by a PlanSink that can list grants (the store).
type grantLister interface {
	ListGrants(ctx context.Context, f store.GrantFilter) ([]store.Grant, error)
}

func paidKey(kind corpus.Audience, subjectID, benefit string) string {
	return string(kind) + "|" + subjectID + "|" + benefit
}

// paidBefore returns the (subject, benefit) pairs with a grant of an older
// version of v's policy that is ready for payment or exported: a new
// version must not grant them again. A sink that cannot list grants has
// none.
func (p *Planner) paidBefore(ctx context.Context, dst PlanSink, v *corpus.Version) (map[string]bool, error) {
	gl, ok := dst.(grantLister)
	if !ok || v.Version <= 1 {
		return nil, nil
	}
	out := map[string]bool{}
	after := ""
	for {
		page, err := gl.ListGrants(ctx, store.GrantFilter{Status: store.GrantReady, PolicyID: v.PolicyID, AfterKey: after, Limit: store.MaxPageSize})
		if err != nil {
			return nil, fmt.Errorf("grants of older versions: %w", err)
		}
		if len(page) == 0 {
			return out, nil
		}
		for _, g := range page {
			after = g.Key
			if g.Version < v.Version {
				out[paidKey(g.SubjectKind, g.SubjectID, g.BenefitKey)] = true
			}
		}
	}
}
