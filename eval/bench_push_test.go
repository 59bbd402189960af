package main

import (
	"context"
	"testing"
)

// A small bench-push run delivers every item exactly once.
func TestBenchPushSmall(t *testing.T) {
	res, err := runBenchPush(context.Background(), benchPushOpts{n: 300, batch: 40, workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	if res.InboxCount != 300 || res.Duplicates != 0 || res.Stale != 0 {
		t.Errorf("result: %+v", res)
	}
}
