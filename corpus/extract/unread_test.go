package extract

import (
	"testing"

	"github.com/zhida/zhida/corpus"
)

// TestKeepUnread checks that a grant with no condition read is not true for
// every subject (an apply-free one would be granted to all).
func TestKeepUnread(t *testing.T) {
	res, err := Extract("奖励通知\n对企业给予10万元奖励，免申即享。\n", Options{Region: "440106"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Benefits) != 1 {
		t.Fatalf("got %d benefits, want 1", len(res.Benefits))
	}
	c := res.Benefits[0].Conditions
	if c.Kind() != corpus.NodeAtom || c.Field != corpus.FieldUnparsed {
		t.Errorf("conditions %s, want one unparsed clause", shape(c))
	}
	if len(res.Unparsed) != 1 {
		t.Errorf("unparsed %q, want the grant's words listed", res.Unparsed)
	}
	kept := corpus.Atom("region", corpus.OpWithin, corpus.String("440106"), "注册在本区")
	if got := keepUnread(kept, "给予奖励"); shape(got) != shape(kept) {
		t.Errorf("keepUnread changed a tree with atoms: %s", shape(got))
	}
}
