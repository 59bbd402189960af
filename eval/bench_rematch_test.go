package main

import (
	"context"
	"testing"
)

func TestBenchRematchSmall(t *testing.T) {
	res, err := runBenchRematch(context.Background(), 300, 10, 20, "", "")
	if err != nil {
		t.Fatal(err)
	}
	if res.Benefits != 10 || res.Samples != 20 || res.P50ms <= 0 || res.P50ms > res.P99ms || res.P99ms > res.MaxMs {
		t.Errorf("implausible result %+v", res)
	}
}
