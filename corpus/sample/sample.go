// Package sample is the bundled sample corpus: real public policy documents
// (see SOURCES.md) that `zhida demo` loads, so a fresh machine has a working
// library without any other data.
package sample

//go:generate go run ./internal/gen -shared ../../../shared -o policies.json -profiles profiles.jsonl

import (
	_ "embed"
	"encoding/json"
	"fmt"

	"github.com/zhida/zhida/corpus"
)

//go:embed policies.json
var policiesJSON []byte

//go:embed profiles.jsonl
var profilesJSONL []byte

// Profiles returns the sample subject profiles (CONTRACT §1 JSON Lines): the
// boundary profiles of the labelled cases, so the demo has someone to match.
func Profiles() []byte { return profilesJSONL }

// Documents returns the sample documents, each ready to publish.
func Documents() ([]corpus.Document, error) {
	var docs []corpus.Document
	if err := json.Unmarshal(policiesJSON, &docs); err != nil {
		return nil, fmt.Errorf("sample corpus: %w", err)
	}
	return docs, nil
}
