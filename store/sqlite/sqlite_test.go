package sqlite

import (
	"context"
	"testing"

	"github.com/zhida/zhida/store"
	"github.com/zhida/zhida/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		s, err := Open(context.Background(), t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}
