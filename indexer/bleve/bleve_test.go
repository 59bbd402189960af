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
