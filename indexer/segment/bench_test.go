package segment

import (
	"os"
	"testing"
)

// benchText is a real policy page (see /work/shared/corpus/pages); the
// benchmarks skip when it is not on this machine.
func benchText(b *testing.B) string {
	t, err := os.ReadFile("/work/shared/corpus/pages/wengang_jiangxi_chacewang.txt")
	if err != nil {
		b.Skip("corpus not here:", err)
	}
	return string(t)
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
