// Package testcorpus gives tests the recorded facts about AWS API Gateway that the project checks itself
// against, and finds the third-party spec corpus when it is there.
//
// The facts (behaviour vectors recorded on real API Gateway, and mapping templates rendered on it) are the
// project's own test data, under testdata/ here and embedded, so that a fresh clone passes its tests with
// nothing beside it. They are copies of the workspace's shared/corpus; a test checks that the copies do not
// drift from it when it is present. The 53 specs written by others stay outside the repository: Specs
// finds them (APIGW_CORPUS, else ../shared/corpus beside the module) or skips the test with one line.
//
// Only _test.go files import this package (internal/archtest checks it).
package testcorpus

import (
	"embed"
	"os"
	"path/filepath"
	"testing"
)

//go:embed testdata/aws-vectors/*.json testdata/vtl/*.json
var files embed.FS

// Vectors returns one file of the AWS behaviour vectors, e.g. "lambda-proxy.json"
// (testdata/aws-vectors/README.md says what each holds and where it was recorded).
func Vectors(name string) []byte { return mustRead("testdata/aws-vectors/" + name) }

// VectorFiles lists the vector files.
func VectorFiles() []string {
	entries, _ := files.ReadDir("testdata/aws-vectors")
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

// VTL returns the mapping-template cases rendered on real API Gateway (testdata/vtl/vtl-aws.json).
func VTL() []byte { return mustRead("testdata/vtl/vtl-aws.json") }

func mustRead(name string) []byte {
	b, err := files.ReadFile(name)
	if err != nil {
		panic("testcorpus: " + err.Error()) // a name the package does not embed: a bug in the calling test
	}
	return b
}

// EnvCorpus names the environment variable that points at the shared corpus directory (the one holding
// specs/, aws-vectors/ and vtl/). CI sets it, so that the corpus tests can never be skipped there.
const EnvCorpus = "APIGW_CORPUS"

// Specs returns the directory of the third-party spec corpus, or skips the test with one line saying how to
// run it. With APIGW_CORPUS set, a missing directory fails the test instead.
func Specs(t testing.TB) string {
	t.Helper()
	dir, ok := Shared()
	if env := os.Getenv(EnvCorpus); env != "" && !ok {
		t.Fatalf("%s=%s, but %s is not a directory", EnvCorpus, env, filepath.Join(env, "specs"))
	}
	if !ok {
		t.Skipf("spec corpus not found (set %s=/path/to/shared/corpus); skipping the corpus tests", EnvCorpus)
	}
	return filepath.Join(dir, "specs")
}

// Shared returns the shared corpus directory: $APIGW_CORPUS, else shared/corpus beside the module's root.
func Shared() (string, bool) {
	dir := os.Getenv(EnvCorpus)
	if dir == "" {
		root, ok := moduleRoot()
		if !ok {
			return "", false
		}
		dir = filepath.Join(filepath.Dir(root), "shared", "corpus")
	}
	if st, err := os.Stat(filepath.Join(dir, "specs")); err != nil || !st.IsDir() {
		return "", false
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", false
	}
	return abs, true
}

// moduleRoot walks up from the working directory (a test's package directory) to go.mod.
func moduleRoot() (string, bool) {
	dir, err := os.Getwd()
	if err != nil {
		return "", false
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, true
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", false
		}
		dir = parent
	}
}
