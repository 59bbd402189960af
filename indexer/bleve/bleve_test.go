package bleve

import (
	"path/filepath"
	"testing"

	"github.com/zhida/zhida/indexer"
	"github.com/zhida/zhida/indexer/indextest"
)

func open(t *testing.T, dir string) *Index {
	t.Helper()
	seg, err := indextest.Segmenter()
	if err != nil {
		t.Fatal(err)
	}
	x, err := Open(dir, seg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := x.Close(); err != nil {
			t.Error(err)
		}
	})
	return x
}

func TestConformance(t *testing.T) {
	indextest.Run(t, func(t *testing.T) indexer.Backend {
		return open(t, filepath.Join(t.TempDir(), "index"))
	})
}

func TestConformanceInMemory(t *testing.T) {
	indextest.Run(t, func(t *testing.T) indexer.Backend { return open(t, "") })
}

// TestReopen checks that an index on disk keeps its documents across Close
// and Open, and that an index of another mapping version is refused.
func TestReopen(t *testing.T) {
	seg, err := indextest.Segmenter()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "index")
	x, err := Open(dir, seg)
	if err != nil {
		t.Fatal(err)
	}
	if err := x.Index(t.Context(), indextest.Fixture()); err != nil {
		t.Fatal(err)
	}
	if err := x.Close(); err != nil {
		t.Fatal(err)
	}
	x = open(t, dir)
	res, err := x.Search(t.Context(), indexer.Query{Text: "高企", Today: indextest.Today})
	if err != nil || len(res.Hits) != 1 || res.Hits[0].PolicyID != indextest.IDGaoqiTax {
		t.Fatalf("after reopening: %+v, %v", res, err)
	}
	if err := x.idx.SetInternal(mappingKey, []byte("zhida-0")); err != nil {
		t.Fatal(err)
	}
	x.Close()
	if y, err := Open(dir, seg); err == nil {
		y.Close()
		t.Fatal("Open of an index with another mapping version: no error")
	}
}
