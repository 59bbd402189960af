package matcher

import (
	"math/rand/v2"
	"testing"
)

// BenchmarkParseLine measures importing one generated profile line.
func BenchmarkParseLine(b *testing.B) {
	r := rand.New(rand.NewPCG(5, 6))
	lines := make([][]byte, 1000)
	for i := range lines {
		lines[i] = randProfileJSON(r, i)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := testParser.ParseLine(lines[i%len(lines)], i); err != nil {
			b.Fatal(err)
		}
	}
}
