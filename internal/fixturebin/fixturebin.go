// Package fixturebin builds the Lambda handler programs of fixtures/lambdas (real aws-lambda-go
// binaries, as users run them) once per test run, for every package whose tests need them.
//
// `go test ./...` runs each package's tests in a process of its own, so a sync.Once is not enough: the
// binaries go to a directory under the system's temporary directory named after a hash of their sources,
// go.mod, go.sum and the toolchain, and a file lock makes the first process build them while the others
// wait and then reuse them. An edit to a fixture changes the hash, so a stale binary is never used.
//
// Only _test.go files import this package (internal/archtest checks it).
package fixturebin

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"sync"
	"testing"
)

var (
	once sync.Once
	dir  string
	err  error
)

// Path returns the path of the built fixture name (e.g. "echo"), building every fixture first if no
// process of this run has; the test fails if they cannot be built.
func Path(t testing.TB, name string) string {
	t.Helper()
	d, err := Dir()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(d, name)
}

// Dir returns the directory holding every built fixture.
func Dir() (string, error) {
	once.Do(func() { dir, err = build() })
	return dir, err
}

func build() (string, error) {
	root, err := moduleRoot()
	if err != nil {
		return "", err
	}
	key, err := sourceHash(root)
	if err != nil {
		return "", err
	}
	base := filepath.Join(os.TempDir(), "apigw-local-fixtures")
	if err := os.MkdirAll(base, 0o755); err != nil {
		return "", err
	}
	out := filepath.Join(base, key)
	unlock, err := lock(out + ".lock")
	if err != nil {
		return "", err
	}
	defer unlock()
	done := filepath.Join(out, ".complete")
	if _, err := os.Stat(done); err == nil {
		return out, nil // built by an earlier process of this run (or an earlier run: same sources)
	}
	_ = os.RemoveAll(out) // a build that did not finish
	if err := os.MkdirAll(out, 0o755); err != nil {
		return "", err
	}
	cmd := exec.Command("go", "build", "-o", out+string(filepath.Separator), "./fixtures/lambdas/...")
	cmd.Dir = root
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("building the Lambda fixtures: %v\n%s", err, b)
	}
	if err := os.WriteFile(done, nil, 0o644); err != nil {
		return "", err
	}
	return out, nil
}

// sourceHash covers what decides the binaries: the fixtures' sources, the module's dependencies and the
// toolchain.
func sourceHash(root string) (string, error) {
	h := sha256.New()
	fmt.Fprintf(h, "%s %s/%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
	var files []string
	err := filepath.WalkDir(filepath.Join(root, "fixtures", "lambdas"), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	files = append(files, filepath.Join(root, "go.mod"), filepath.Join(root, "go.sum"))
	sort.Strings(files)
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return "", err
		}
		rel, _ := filepath.Rel(root, f)
		fmt.Fprintf(h, "%s %d\n", rel, len(b))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}

// moduleRoot walks up from the working directory (a test's package directory) to go.mod.
func moduleRoot() (string, error) {
	d, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", fmt.Errorf("fixturebin: no go.mod above the working directory")
		}
		d = parent
	}
}
