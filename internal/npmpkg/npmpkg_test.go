package npmpkg

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha512"
	"encoding/base64"
	"strings"
	"testing"
)

func tarball(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for name, body := range files {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(body))}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestVerifyAndUntar(t *testing.T) {
	tgz := tarball(t, map[string]string{"package/a.csv": "a", "package/b.txt": "b"})
	sum := sha512.Sum512(tgz)
	if err := Verify(tgz, "sha512-"+base64.StdEncoding.EncodeToString(sum[:])); err != nil {
		t.Fatal(err)
	}
	if err := Verify(append(tgz, 0), "sha512-"+base64.StdEncoding.EncodeToString(sum[:])); err == nil || !strings.Contains(err.Error(), "mismatch") {
		t.Errorf("a changed tarball passed: %v", err)
	}
	got, err := Untar(tgz, "package/a.csv")
	if err != nil || string(got["package/a.csv"]) != "a" || len(got) != 1 {
		t.Errorf("Untar = %v, %v", got, err)
	}
	if _, err := Untar(tgz, "package/missing"); err == nil || !strings.Contains(err.Error(), "lacks") {
		t.Errorf("missing file: %v", err)
	}
}
