package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zhida/zhida/matcher"
	"github.com/zhida/zhida/matcher/sweep"
	"github.com/zhida/zhida/matcher/sweep/sweeptest"
	"github.com/zhida/zhida/store"
	"github.com/zhida/zhida/store/postgres/pgtest"
)

// importFile writes lines to a temp file and runs `zhida import-profiles`.
func importFile(t *testing.T, lines []byte, args ...string) (string, string, error) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "p.jsonl")
	if err := os.WriteFile(file, lines, 0o644); err != nil {
		t.Fatal(err)
	}
	return runZhida(t, append(append([]string{"import-profiles"}, args...), file)...)
}

func TestImportProfilesSQLite(t *testing.T) {
	data := t.TempDir()
	testImport(t, []string{"--data", data}, func() store.Store {
		st, err := openStore(t, "", data)
		if err != nil {
			t.Fatal(err)
		}
		return st
	})
	key, err := os.ReadFile(filepath.Join(data, idKeyFile))
	if err != nil || len(bytes.TrimSpace(key)) != 64 {
		t.Fatalf("generated key file: %q, %v", key, err)
	}
}

func TestImportProfilesPostgres(t *testing.T) {
	url := pgtest.Schema(t)
	testImport(t, []string{"--postgres", url, "--id-key", "k-test"}, func() store.Store {
		st, err := openStore(t, url, "")
		if err != nil {
			t.Fatal(err)
		}
		return st
	})
}

func testImport(t *testing.T, flags []string, open func() store.Store) {
	const n = 1200
	good := sweeptest.Profiles(n, 1)
	// Three bad lines among the good ones: a wrong check digit, a bad region,
	// a broken id_card; the lines after them still import.
	bad := []string{
		`{"kind":"enterprise","id":"91440100000000000X"}`,
		`{"kind":"resident","id":"rbad","region":"999999"}`,
		`{"kind":"resident","id":"rbad2","id_card":"110105199001011234"}`,
	}
	lines := bytes.SplitAfter(good, []byte("\n"))
	var file []byte
	for i, l := range lines {
		file = append(file, l...)
		if i == 10 || i == 500 || i == 900 {
			file = append(file, bad[0]+"\n"...)
			bad = bad[1:]
		}
	}
	out, errOut, err := importFile(t, file, append(flags, "--batch", "500")...)
	if err == nil {
		t.Fatal("import with bad lines exited 0")
	}
	if !strings.Contains(out, "inserted 1200, updated 0, unchanged 0, bad 3") {
		t.Fatalf("summary: %q", out)
	}
	for _, want := range []string{"line 12: id:", "line 503: region:", "line 904: id_card:"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	if strings.Contains(errOut, "110105199001011234") {
		t.Error("stderr shows a 身份证号 in clear")
	}

	st := open()
	defer st.Close()
	ctx := context.Background()
	if c, err := st.CountProfiles(ctx, ""); err != nil || c != n {
		t.Fatalf("count %d, %v; want %d", c, err, n)
	}
	// Every stored profile reads back to the same profile, and no stored
	// data holds a clear 身份证号.
	ps := matcher.NewParser(matcher.ParseOptions{})
	withCard := 0
	err = st.ScanProfiles(ctx, store.ProfileQuery{}, func(rec store.ProfileRecord) error {
		if strings.Contains(string(rec.Data), `"id_card":`) {
			t.Errorf("%s stored with id_card", rec.ID)
		}
		p, err := sweep.Decode(ps, &rec)
		if err != nil {
			return err
		}
		if p.IDCardHash() != "" {
			withCard++
		}
		if rec.Region != p.Region() || rec.Kind != p.Kind.Audience() {
			t.Errorf("%s: record region/kind %s/%s, profile %s/%s", rec.ID, rec.Region, rec.Kind, p.Region(), p.Kind)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if withCard == 0 {
		t.Error("no stored profile has an id-card hash")
	}
	st.Close()

	// Re-import: nothing changes; exit 0 without the bad lines.
	out, _, err = importFile(t, good, flags...)
	if err != nil || !strings.Contains(out, "inserted 0, updated 0, unchanged 1200, bad 0") {
		t.Fatalf("re-import: %q, %v", out, err)
	}
	// One changed line updates one profile.
	changed := bytes.Replace(good, []byte(`"kind":"resident"`), []byte(`"kind":"resident","name":"张三"`), 1)
	out, _, err = importFile(t, changed, flags...)
	if err != nil || !strings.Contains(out, "inserted 0, updated 1, unchanged 1199, bad 0") {
		t.Fatalf("changed import: %q, %v", out, err)
	}
}

func TestImportRefusesIDCardWithoutKey(t *testing.T) {
	url := pgtest.Schema(t)
	// Two good lines, then one with an id_card: the import stops there with
	// a clear message, keeping the lines before it.
	lines := `{"kind":"resident","id":"r0","region":"440106"}` + "\n" +
		`{"kind":"resident","id":"r2","region":"440106"}` + "\n" +
		`{"kind":"resident","id":"r1","id_card":"` + sweeptest.IDCard("19500101", 1) + `"}` + "\n"
	out, _, err := importFile(t, []byte(lines), "--postgres", url, "--id-key", "")
	if err == nil || !strings.Contains(err.Error(), "ZHIDA_ID_KEY") || !strings.Contains(err.Error(), "line 3") {
		t.Fatalf("err = %v", err)
	}
	if strings.Contains(err.Error(), "19500101") {
		t.Error("error shows the 身份证号")
	}
	if !strings.Contains(out, "inserted 2,") {
		t.Errorf("lines before the id_card not kept: %q", out)
	}
}

func openStore(t *testing.T, url, data string) (store.Store, error) {
	t.Helper()
	return openFor(context.Background(), url, data)
}

func TestImportThenSweep(t *testing.T) {
	data := t.TempDir()
	if _, _, err := importFile(t, sweeptest.Profiles(500, 3), "--data", data); err != nil {
		t.Fatal(err)
	}
	st, err := openStore(t, "", data)
	if err != nil {
		t.Fatal(err)
	}
	vers, err := sweeptest.Publish(context.Background(), st, sweeptest.Documents())
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	out, _, err := runZhida(t, "sweep", "--data", data, "--shards", "4")
	if err != nil || !strings.Contains(out, "events 2, shards 8, profiles 500,") {
		t.Fatalf("sweep: %q, %v", out, err)
	}
	out, _, err = runZhida(t, "sweep", "--data", data, "--all")
	if err != nil || !strings.HasPrefix(out, "events 0, shards 0, profiles 0, matches written 0") {
		t.Fatalf("second sweep (today's sweeps are done): %q, %v", out, err)
	}
	st, err = openStore(t, "", data)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	counts, err := st.CountMatches(context.Background(), vers[0].PolicyID, vers[0].Version)
	if err != nil || len(counts) == 0 {
		t.Fatalf("no matches stored: %v", err)
	}
}
