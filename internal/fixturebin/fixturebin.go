// Package fixturebin builds the Lambda handlers of fixtures/lambdas (real aws-lambda-go programs) once for
// every test process that needs them, instead of once per package: `go test ./...` runs the packages'
// test binaries in parallel, and three of them (lambdarun, emulator, cmd/apigw-local) run the fixtures.
//
// The binaries go to a cache directory under os.UserCacheDir() (os.TempDir() when there is none) named
// by a hash of what they are built from: the fixture sources, go.mod and go.sum, and the Go toolchain's
// version, GOOS, GOARCH and GOFLAGS. A file lock makes the test processes that start together build once,
// the others waiting for that build; later runs with the same sources build nothing.
//
// Only _test.go files may import this package.
package fixturebin

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// sourceDir is where the fixtures are, relative to the module root.
const sourceDir = "fixtures/lambdas"

// keepUnused is how long a cache entry nobody has used is kept before a build removes it.
const keepUnused = 7 * 24 * time.Hour

var (
	once   sync.Once
	dir    string
	dirErr error
)

// Dir returns the directory holding the built fixture handlers (one executable per directory of
// fixtures/lambdas, named after it), building them first if the cache does not hold them yet. The
// build happens at most once per process; the directory must not be written to.
func Dir() (string, error) {
	once.Do(func() { dir, dirErr = build() })
	return dir, dirErr
}

func build() (string, error) {
	root, err := moduleRoot()
	if err != nil {
		return "", err
	}
	key, err := cacheKey(root)
	if err != nil {
		return "", err
	}
	base, err := os.UserCacheDir()
	if err != nil {
		base = os.TempDir()
	}
	cache := filepath.Join(base, "apigw-local", "fixtures")
	if err := os.MkdirAll(cache, 0o755); err != nil {
		return "", err
	}
	out := filepath.Join(cache, key)
	if done(out) {
		touch(out)
		return out, nil
	}

	unlock, err := lock(filepath.Join(cache, key+".lock"))
	if err != nil {
		return "", err
	}
	defer unlock()
	if done(out) { // built by another test process while this one waited for the lock
		touch(out)
		return out, nil
	}
	tmp, err := os.MkdirTemp(cache, key+".building-")
	if err != nil {
		return "", err
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp) // gone after the rename; left only by a failed build
	cmd := exec.Command("go", "build", "-o", tmp+string(filepath.Separator), "./"+sourceDir+"/...")
	cmd.Dir = root
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("building the fixtures of %s: %v\n%s", sourceDir, err, b)
	}
	if err := os.WriteFile(filepath.Join(tmp, completeMarker), []byte(key+"\n"), 0o644); err != nil {
		return "", err
	}
	// The rename publishes the whole directory at once, so that a process that does not take the lock
	// (Dir's first check, or a system without file locks) sees all the binaries or none.
	if err := os.Rename(tmp, out); err != nil && !done(out) {
		return "", err
	}
	prune(cache, key)
	return out, nil
}

// completeMarker is written last into a build directory: its presence says the build is whole.
const completeMarker = ".complete"

func done(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, completeMarker))
	return err == nil
}

// touch records that dir was used, so that prune keeps it.
func touch(dir string) {
	now := time.Now()
	_ = os.Chtimes(dir, now, now)
}

// prune removes the cache entries (directories and their lock files) of other keys that nobody has used
// for keepUnused, so that the cache does not grow with every change of the fixtures.
func prune(cache, keep string) {
	entries, err := os.ReadDir(cache)
	if err != nil {
		return
	}
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, keep) {
			continue
		}
		info, err := e.Info()
		if err != nil || time.Since(info.ModTime()) < keepUnused {
			continue
		}
		_ = os.RemoveAll(filepath.Join(cache, name))
	}
}

// cacheKey hashes everything the binaries depend on: the files under fixtures/lambdas (names and
// contents), go.mod and go.sum (the aws-lambda-go version), and the toolchain and its settings.
func cacheKey(root string) (string, error) {
	h := sha256.New()
	env, err := exec.Command("go", "env", "GOVERSION", "GOOS", "GOARCH", "GOFLAGS", "CGO_ENABLED").Output()
	if err != nil {
		return "", fmt.Errorf("go env: %w", err)
	}
	fmt.Fprintf(h, "env\x00%s\x00", env)
	var files []string
	err = filepath.WalkDir(filepath.Join(root, sourceDir), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		return "", err
	}
	sort.Strings(files)
	files = append(files, filepath.Join(root, "go.mod"), filepath.Join(root, "go.sum"))
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			return "", err
		}
		rel, _ := filepath.Rel(root, p)
		fmt.Fprintf(h, "%s\x00%d\x00", filepath.ToSlash(rel), len(b))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))[:24], nil
}

// moduleRoot walks up from the working directory (a test runs in its package's directory) to the
// directory holding go.mod.
func moduleRoot() (string, error) {
	d, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if b, err := os.ReadFile(filepath.Join(d, "go.mod")); err == nil {
			if !bytes.Contains(b, []byte("module github.com/apigw-local/apigw-local")) {
				return "", fmt.Errorf("fixturebin: %s/go.mod is not apigw-local's", d)
			}
			return d, nil
		} else if !errors.Is(err, fs.ErrNotExist) {
			return "", err
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", errors.New("fixturebin: no go.mod above the working directory")
		}
		d = parent
	}
}

// Path returns the path of the built fixture name (e.g. "echo"), building the fixtures first if needed;
// the test fails if they cannot be built.
func Path(t testing.TB, name string) string {
	t.Helper()
	d, err := Dir()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(d, name)
}
