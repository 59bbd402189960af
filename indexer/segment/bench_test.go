package segment

import (
	"strings"
	"testing"

	"github.com/zhida/zhida/corpus/sample"
)

// benchText is the text of the bundled sample corpus's first documents:
// real policy language.
func benchText(b *testing.B) string {
	docs, err := sample.Documents()
	if err != nil {
		b.Fatal(err)
	}
	var sb strings.Builder
	for _, d := range docs[:min(len(docs), 20)] {
		sb.WriteString(d.Text)
	}
	return sb.String()
}

func BenchmarkRawCut(b *testing.B) {
	s, text := seg(&testing.T{}), benchText(b)
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		s.RawCut(text)
	}
}

func BenchmarkRawCutSearch(b *testing.B) {
	s, text := seg(&testing.T{}), benchText(b)
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		s.RawCutSearch(text)
	}
}

func BenchmarkIndexTokens(b *testing.B) {
	s, text := seg(&testing.T{}), benchText(b)
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		s.IndexTokens(text)
	}
}
