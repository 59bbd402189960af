package extract

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/zhida/zhida/corpus"
)

func dumpBlock(b *block, ind int) {
	fmt.Printf("%sL%d kind=%d head=%q\n", strings.Repeat(" ", ind), b.level, b.kind, b.head)
	for _, l := range b.lines {
		fmt.Printf("%s  | %s\n", strings.Repeat(" ", ind), l)
	}
	for _, c := range b.children {
		dumpBlock(c, ind+2)
	}
}

func TestDebugBlocks(t *testing.T) {
	f := os.Getenv("DEBUG_FILE")
	if f == "" {
		t.Skip()
	}
	b, _ := os.ReadFile(f)
	dumpBlock(parseDocument(normalize(string(b))), 0)
}

func TestDebugSentence(t *testing.T) {
	s := os.Getenv("DEBUG_S")
	if s == "" {
		t.Skip()
	}
	ctx := &docContext{region: os.Getenv("DEBUG_R"), audience: "enterprise"}
	c := &collector{ctx: ctx, named: map[string][]corpus.Cond{}, namedSec: map[string]*block{}}
	hits := sentenceHits(s, ctx)
	for _, h := range hits {
		b, _ := h.cond.MarshalJSON()
		fmt.Println("hit", string(b))
	}
	for _, h := range c.leftovers(s, hits, true) {
		fmt.Println("left", h.cond.Text)
	}
	tree, ok := c.clauseTree(s, true)
	b, _ := tree.MarshalJSON()
	fmt.Println(ok, string(b))
}

func TestDebugShared(t *testing.T) {
	f := os.Getenv("DEBUG_FILE")
	if f == "" {
		t.Skip()
	}
	b, _ := os.ReadFile(f)
	norm := normalize(string(b))
	ctx := &docContext{region: os.Getenv("DEBUG_R"), audience: guessAudience(norm), partition: partitions(norm)}
	col := &collector{ctx: ctx, named: map[string][]corpus.Cond{}, namedSec: map[string]*block{}, namedCond: map[string]bool{}}
	root := parseDocument(norm)
	skipTitle(root)
	for _, b := range append([]*block{root}, root.children...) {
		if b == root {
			col.walkLines(root, root, false)
			continue
		}
		col.walk(b, b, false, false)
	}
	for _, s := range col.shared {
		j, _ := s.cond.MarshalJSON()
		fmt.Printf("shared[%s] %s\n", s.section.head, j)
	}
	for _, u := range col.units {
		fmt.Printf("unit[%s] %q hits=%d\n", u.section.head, u.text, len(u.hits))
	}
	for n, c := range col.named {
		j, _ := corpus.All(c...).MarshalJSON()
		fmt.Printf("named %q %s\n", n, j)
	}
}
