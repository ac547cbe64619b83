// Package testcorpus gives the project's tests the material they check the emulator against, so that a
// fresh clone passes `make test` with nothing beside it.
//
// The facts recorded on real AWS — the API Gateway behaviour vectors (testdata/aws-vectors) and the VTL
// renderings (testdata/vtl/vtl-aws.json) — are the project's own test data: they are copies of the shared
// corpus (../shared/corpus beside the repository), embedded here, and TestCopiesMatchSharedCorpus fails
// when a copy differs from the shared corpus it was taken from. The README.md files beside them say where
// the facts come from.
//
// The third-party spec corpus (53 real OpenAPI files written by others) is not copied: Specs finds it
// outside the repository and skips the tests that need it when it is absent.
//
// Only _test.go files may import this package: it imports "testing" and embeds test data.
package testcorpus

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"testing"
)

//go:embed testdata/aws-vectors testdata/vtl
var data embed.FS

// vectorsDir and vtlFile are the places of the copies inside data.
const (
	vectorsDir = "testdata/aws-vectors"
	vtlFile    = "testdata/vtl/vtl-aws.json"
)

// EnvCorpus names the environment variable that points at the shared corpus directory (the one holding
// specs/, aws-vectors/ and vtl/). When it is set, the corpus must be there: CI sets it so that no corpus
// test is ever skipped silently.
const EnvCorpus = "APIGW_CORPUS"

// Vectors returns the AWS behaviour vector file name (e.g. "vtl-templates.json"; see
// testdata/aws-vectors/README.md). It panics on a name that is not there: that is a mistake in a test.
func Vectors(name string) []byte {
	b, err := data.ReadFile(path.Join(vectorsDir, name))
	if err != nil {
		panic(fmt.Sprintf("testcorpus: no AWS vector file %q (have %v)", name, VectorFiles()))
	}
	return b
}

// VectorFiles lists the AWS behaviour vector files, sorted.
func VectorFiles() []string {
	entries, err := data.ReadDir(vectorsDir)
	if err != nil {
		panic(err)
	}
	var out []string
	for _, e := range entries {
		if path.Ext(e.Name()) == ".json" {
			out = append(out, e.Name())
		}
	}
	sort.Strings(out)
	return out
}

// VTL returns vtl-aws.json: the mapping-template renderings recorded on real API Gateway.
func VTL() []byte {
	b, err := data.ReadFile(vtlFile)
	if err != nil {
		panic(err)
	}
	return b
}

// Specs returns the directory of the third-party spec corpus: $APIGW_CORPUS/specs when APIGW_CORPUS is
// set, else ../shared/corpus/specs beside the module root. When the corpus is absent the test is skipped
// with one line saying how to run it; when APIGW_CORPUS is set but wrong the test fails.
func Specs(t testing.TB) string {
	t.Helper()
	dir, err := SpecsDir()
	if err != nil {
		t.Fatal(err)
	}
	if dir == "" {
		t.Skip("spec corpus not found (set " + EnvCorpus + "=/path/to/shared/corpus); skipping the 53-spec corpus tests")
	}
	return dir
}

// SpecsDir is Specs for the few callers that use the spec corpus when it is there and go on without it
// (a fuzz target seeding itself): it returns "" when the corpus is absent, and an error when APIGW_CORPUS
// is set but holds no specs/ directory.
func SpecsDir() (string, error) {
	root, err := corpusRoot()
	if err != nil || root == "" {
		return "", err
	}
	dir := filepath.Join(root, "specs")
	if !isDir(dir) {
		if env := os.Getenv(EnvCorpus); env != "" {
			return "", fmt.Errorf("%s=%s has no specs/ directory", EnvCorpus, env)
		}
		return "", nil
	}
	return dir, nil
}

// corpusRoot returns the shared corpus directory: $APIGW_CORPUS, which must exist when set, else
// <module root>/../shared/corpus, or "" when that does not exist.
func corpusRoot() (string, error) {
	if env := os.Getenv(EnvCorpus); env != "" {
		if !isDir(env) {
			return "", fmt.Errorf("%s=%s: not a directory; it must point at the shared corpus (the directory holding specs/, aws-vectors/, vtl/)", EnvCorpus, env)
		}
		return filepath.Abs(env)
	}
	mod, err := moduleRoot()
	if err != nil {
		return "", err
	}
	dir := filepath.Join(filepath.Dir(mod), "shared", "corpus")
	if !isDir(dir) {
		return "", nil
	}
	return dir, nil
}

// moduleRoot walks up from the working directory (a test runs in its package's directory) to the
// directory holding go.mod.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		} else if !errors.Is(err, fs.ErrNotExist) {
			return "", err
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("testcorpus: no go.mod above the working directory")
		}
		dir = parent
	}
}

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}
