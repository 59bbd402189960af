package bleve

import (
	"path/filepath"
	"testing"

	"github.com/zhida/zhida/indexer"
	"github.com/zhida/zhida/indexer/indextest"
)

// TestPartialWords checks that a query word no document holds is searched
// by the words inside it (创业者 → 创业), on the in-memory index (the bleve
// query) and on disk (searchFast), and that a word some document holds is
// not widened.
func TestPartialWords(t *testing.T) {
	for name, dir := range map[string]string{"memory": "", "disk": filepath.Join(t.TempDir(), "index")} {
		t.Run(name, func(t *testing.T) {
			x := open(t, dir)
			if err := x.Index(t.Context(), indextest.Fixture()); err != nil {
				t.Fatal(err)
			}
			tests := []struct {
				text string
				want []string
			}{
				{"创业者", []string{indextest.IDSzDanbao}},
				// 高新技术企业 is held: no document of only 企业 or 技术 joins.
				{"高新技术企业", []string{indextest.IDGaoqiTax}},
			}
			for _, tt := range tests {
				res, err := x.Search(t.Context(), indexer.Query{Text: tt.text, Today: indextest.Today, IncludeInactive: true})
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, h := range res.Hits {
					got = append(got, h.PolicyID)
				}
				if len(got) != len(tt.want) || (len(got) > 0 && got[0] != tt.want[0]) {
					t.Errorf("Search(%q) = %v, want %v", tt.text, got, tt.want)
				}
			}
		})
	}
}
