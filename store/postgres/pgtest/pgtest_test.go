package pgtest

import (
	"context"
	"runtime"
	"testing"

	"github.com/jackc/pgx/v5"
)

// fakeTB records what Schema asks of its test; Skip and Fatal end the
// goroutine as the real ones do.
type fakeTB struct {
	testing.TB
	skipped, failed bool
	cleanups        []func()
}

func (f *fakeTB) Helper()               {}
func (f *fakeTB) Skip(...any)           { f.skipped = true; runtime.Goexit() }
func (f *fakeTB) Fatal(...any)          { f.failed = true; runtime.Goexit() }
func (f *fakeTB) Fatalf(string, ...any) { f.failed = true; runtime.Goexit() }
func (f *fakeTB) Errorf(string, ...any) { f.failed = true }
func (f *fakeTB) Cleanup(fn func())     { f.cleanups = append(f.cleanups, fn) }
func (f *fakeTB) run(fn func(testing.TB)) { // runs fn as a test body would run
	done := make(chan struct{})
	go func() { defer close(done); fn(f) }()
	<-done
}

func TestSchemaUnsetSkips(t *testing.T) {
	t.Setenv(EnvVar, "")
	f := &fakeTB{TB: t}
	f.run(func(tb testing.TB) { Schema(tb) })
	if !f.skipped || f.failed {
		t.Errorf("unset %s: skipped=%v failed=%v, want a skip", EnvVar, f.skipped, f.failed)
	}
}

func TestSchemaUnreachableFails(t *testing.T) {
	t.Setenv(EnvVar, "postgres://postgres@127.0.0.1:1/test?connect_timeout=2")
	f := &fakeTB{TB: t}
	f.run(func(tb testing.TB) { Schema(tb) })
	if f.skipped || !f.failed {
		t.Errorf("unreachable server: skipped=%v failed=%v, want a failure", f.skipped, f.failed)
	}
}

func TestSchema(t *testing.T) {
	base := Schema(t) // skips or fails the way the tests above check
	ctx := context.Background()
	var schema string
	t.Run("inside", func(t *testing.T) {
		url := Schema(t)
		conn, err := pgx.Connect(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		if err := conn.QueryRow(ctx, "SELECT current_schema()").Scan(&schema); err != nil {
			t.Fatal(err)
		}
		if len(schema) < 4 || schema[:3] != "zt_" {
			t.Fatalf("current_schema() = %q, want the fresh zt_ schema", schema)
		}
		if _, err := conn.Exec(ctx, "CREATE TABLE t (x int)"); err != nil {
			t.Fatal(err)
		}
		var where string
		if err := conn.QueryRow(ctx, "SELECT table_schema FROM information_schema.tables WHERE table_name = 't' AND table_schema = $1", schema).Scan(&where); err != nil {
			t.Fatalf("table not created in %s: %v", schema, err)
		}
	})
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM information_schema.schemata WHERE schema_name = $1", schema).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("schema %s still exists after its test ended", schema)
	}
}
