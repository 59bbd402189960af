// Package sample is the bundled sample corpus: real public policy documents
// (see SOURCES.md) that `zhida demo` loads, so a fresh machine has a working
// library without any other data.
package sample

//go:generate go run ./internal/gen -shared ../../../shared -o policies.json

import (
	_ "embed"
	"encoding/json"
	"fmt"

	"github.com/zhida/zhida/corpus"
)

//go:embed policies.json
var policiesJSON []byte

// Documents returns the sample documents, each ready to publish.
func Documents() ([]corpus.Document, error) {
	var docs []corpus.Document
	if err := json.Unmarshal(policiesJSON, &docs); err != nil {
		return nil, fmt.Errorf("sample corpus: %w", err)
	}
	return docs, nil
}
