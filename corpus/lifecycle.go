package corpus

import (
	"errors"
	"fmt"
)

// The lifecycle rules live here and only here: the store calls Next inside
// its transaction and writes what it returns.
//
//	              save            publish               retract
//	(none) ──────────▶ draft ──────────▶ published ──────────▶ retracted
//	                                  ▲   │ save: pending draft   │ save: pending draft
//	                                  └───┴── publish: version+1 ◀┘ publish: version+1
//
// Every publish freezes the pending draft as a new immutable version; edits of
// a published policy go to a pending draft and leave the live version alone;
// retract stops the policy but keeps every version. Expired is read, not
// stored (Document.StatusOn).

// Action is a lifecycle operation an editor performs.
type Action string

// The lifecycle actions.
const (
	ActionSave    Action = "save"    // create or replace the pending draft
	ActionPublish Action = "publish" // freeze the pending draft as the next version
	ActionRetract Action = "retract" // take a published policy out of force
)

// EventKind names an outbox event. Events are written in the transaction that
// changes the policy, so consumers never miss one.
type EventKind string

// The outbox event kinds.
const (
	EventPublished EventKind = "published"
	EventRetracted EventKind = "retracted"
	EventExpired   EventKind = "expired"
)

// State is the part of a policy head the lifecycle rules read.
type State struct {
	Status        Status // "" for a policy that does not exist yet
	LatestVersion int
	HasDraft      bool
}

// Errors the lifecycle rules return; the API maps them to failed_precondition.
var (
	ErrNothingToPublish = errors.New("no pending draft to publish")
	ErrNotPublished     = errors.New("only a published policy can be retracted")
)

// Transition is what an action does: the new state and the outbox event to
// write with it ("" when none).
type Transition struct {
	State State
	Event EventKind
}

// Next applies action a to state s.
func (s State) Next(a Action) (Transition, error) {
	switch a {
	case ActionSave:
		n := s
		if n.Status == "" {
			n.Status = StatusDraft
		}
		n.HasDraft = true
		return Transition{State: n}, nil
	case ActionPublish:
		if !s.HasDraft {
			return Transition{}, ErrNothingToPublish
		}
		return Transition{
			State: State{Status: StatusPublished, LatestVersion: s.LatestVersion + 1},
			Event: EventPublished,
		}, nil
	case ActionRetract:
		if s.Status != StatusPublished {
			return Transition{}, fmt.Errorf("%w (status is %s)", ErrNotPublished, s.Status)
		}
		n := s
		n.Status = StatusRetracted
		return Transition{State: n, Event: EventRetracted}, nil
	}
	return Transition{}, fmt.Errorf("unknown lifecycle action %q", a)
}
