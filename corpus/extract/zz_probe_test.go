package extract

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/zhida/zhida/corpus"
)

func TestZZProbe(t *testing.T) {
	f := os.Getenv("PROBE")
	if f == "" {
		t.Skip()
	}
	b, _ := os.ReadFile(f)
	aud := corpus.AudienceResident
	if os.Getenv("PROBE_AUD") == "e" {
		aud = corpus.AudienceEnterprise
	}
	ctx := &docContext{region: "440106", audience: aud, partition: map[string]bool{}}
	for _, line := range strings.Split(string(b), "\n") {
		if line == "" {
			continue
		}
		s := normalize(line)
		fmt.Println("==", s)
		for _, h := range sentenceHits(s, ctx) {
			for _, a := range []corpus.Cond{h.cond} {
				js, _ := a.MarshalJSON()
				fmt.Println("   ", string(js))
			}
		}
	}
}
