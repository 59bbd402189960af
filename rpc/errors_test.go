package rpc

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/zhida/zhida/corpus"
)

func TestFieldErrorsLooksThroughWrappers(t *testing.T) {
	a := &corpus.FieldError{Field: "title", Msg: "is empty"}
	b := &corpus.FieldError{Field: "benefits[0].conditions", Msg: "is missing"}
	tests := []struct {
		name string
		err  error
		want []string
	}{
		{"single", a, []string{"doc.title: is empty"}},
		{"joined", errors.Join(a, b), []string{"doc.title: is empty", "doc.benefits[0].conditions: is missing"}},
		{"wrapped join", fmt.Errorf("publish p1: %w", errors.Join(a, b)), []string{"doc.title: is empty", "doc.benefits[0].conditions: is missing"}},
		{"twice wrapped", fmt.Errorf("store: %w", fmt.Errorf("publish: %w", errors.Join(a, fmt.Errorf("check: %w", b)))), []string{"doc.title: is empty", "doc.benefits[0].conditions: is missing"}},
		{"none", errors.New("boom"), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := fieldErrors(tt.err, "doc"); !slices.Equal(got, tt.want) {
				t.Errorf("fieldErrors = %q, want %q", got, tt.want)
			}
		})
	}
}
