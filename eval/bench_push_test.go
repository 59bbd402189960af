package main

import (
	"context"
	"testing"
)

// A small bench-push run delivers every item exactly once, and end to end
// every push a published policy's sweep calls for (runBenchPush checks the
// inbox against the stored matches).
func TestBenchPushSmall(t *testing.T) {
	res, err := runBenchPush(context.Background(), benchPushOpts{n: 300, batch: 40, workers: 2, parallel: 2, profiles: 400})
	if err != nil {
		t.Fatal(err)
	}
	if res.InboxCount != 300 || res.Duplicates != 0 || res.Stale != 0 || res.E2EPushes == 0 || res.E2EGrants == 0 {
		t.Errorf("result: %+v", res)
	}
}
