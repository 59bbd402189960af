package matcher

import (
	"math/rand/v2"
	"testing"

	"github.com/zhida/zhida/corpus"
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

// BenchmarkMatch measures indexed matching of one profile against a set of
// 400 random benefits.
func BenchmarkMatch(b *testing.B) {
	r := rand.New(rand.NewPCG(7, 8))
	var profiles []Profile
	for i := 0; i < 2000; i++ {
		p, err := testParser.ParseLine(randProfileJSON(r, i), i+1)
		if err != nil {
			b.Fatal(err)
		}
		profiles = append(profiles, p)
	}
	var pols []Policy
	for i := 0; i < 400; i++ {
		tree := corpus.All(randAtom(r), randAtom(r), randTree(r, 2))
		pols = append(pols, Policy{Name: "p", Benefits: []corpus.Benefit{{Name: "b", ApplyFree: i%10 == 0, Conditions: &tree}}})
	}
	set, err := Compile(pols, CompileOptions{At: eqAt, Sample: profiles})
	if err != nil {
		b.Fatal(err)
	}
	var sc Scratch
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		set.Match(&profiles[i%len(profiles)], &sc)
	}
}
