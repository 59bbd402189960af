package corpus

import (
	"errors"
	"testing"
)

func TestLifecycle(t *testing.T) {
	tests := []struct {
		name      string
		from      State
		action    Action
		want      State
		wantEvent EventKind
		wantErr   error
	}{
		{"create", State{}, ActionSave, State{Status: StatusDraft, HasDraft: true}, "", nil},
		{"edit draft", State{Status: StatusDraft, HasDraft: true}, ActionSave, State{Status: StatusDraft, HasDraft: true}, "", nil},
		{"first publish", State{Status: StatusDraft, HasDraft: true}, ActionPublish, State{Status: StatusPublished, LatestVersion: 1}, EventPublished, nil},
		{"edit published keeps live", State{Status: StatusPublished, LatestVersion: 1}, ActionSave, State{Status: StatusPublished, LatestVersion: 1, HasDraft: true}, "", nil},
		{"republish", State{Status: StatusPublished, LatestVersion: 1, HasDraft: true}, ActionPublish, State{Status: StatusPublished, LatestVersion: 2}, EventPublished, nil},
		{"publish without draft", State{Status: StatusPublished, LatestVersion: 1}, ActionPublish, State{}, "", ErrNothingToPublish},
		{"retract", State{Status: StatusPublished, LatestVersion: 2}, ActionRetract, State{Status: StatusRetracted, LatestVersion: 2}, EventRetracted, nil},
		{"retract keeps draft", State{Status: StatusPublished, LatestVersion: 2, HasDraft: true}, ActionRetract, State{Status: StatusRetracted, LatestVersion: 2, HasDraft: true}, EventRetracted, nil},
		{"retract draft", State{Status: StatusDraft, HasDraft: true}, ActionRetract, State{}, "", ErrNotPublished},
		{"retract twice", State{Status: StatusRetracted, LatestVersion: 1}, ActionRetract, State{}, "", ErrNotPublished},
		{"edit retracted", State{Status: StatusRetracted, LatestVersion: 1}, ActionSave, State{Status: StatusRetracted, LatestVersion: 1, HasDraft: true}, "", nil},
		{"republish retracted", State{Status: StatusRetracted, LatestVersion: 1, HasDraft: true}, ActionPublish, State{Status: StatusPublished, LatestVersion: 2}, EventPublished, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.from.Next(tt.action)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.State != tt.want || got.Event != tt.wantEvent {
				t.Errorf("got %+v, want state %+v event %q", got, tt.want, tt.wantEvent)
			}
		})
	}
}

func TestEffectiveStatus(t *testing.T) {
	doc := Document{EffectiveTo: MustDate("2025-12-31")}
	p := Policy{Status: StatusPublished, LatestVersion: 1, Live: &Version{Document: doc}}
	if got := p.EffectiveStatus(MustDate("2025-12-31")); got != StatusPublished {
		t.Errorf("on the last day: %s, want published", got)
	}
	if got := p.EffectiveStatus(MustDate("2026-01-01")); got != StatusExpired {
		t.Errorf("the day after: %s, want expired", got)
	}
	p.Status = StatusRetracted
	if got := p.EffectiveStatus(MustDate("2026-01-01")); got != StatusRetracted {
		t.Errorf("retracted: %s", got)
	}
}
