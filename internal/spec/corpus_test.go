package spec

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"testing"

	"github.com/apigw-local/apigw-local/internal/testcorpus"
)

// corpusFiles lists the real-world specs of the shared corpus (every file but INDEX.md); the test is
// skipped when the corpus is absent (see testcorpus.Specs).
func corpusFiles(t testing.TB) []string {
	t.Helper()
	return corpusFilesIn(t, testcorpus.Specs(t))
}

func corpusFilesIn(t testing.TB, corpusDir string) []string {
	t.Helper()
	entries, err := os.ReadDir(corpusDir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if !e.IsDir() && e.Name() != "INDEX.md" {
			out = append(out, filepath.Join(corpusDir, e.Name()))
		}
	}
	if len(out) != 53 { // INDEX.md: 53 spec files
		t.Fatalf("%s holds %d specs, INDEX.md lists 53", corpusDir, len(out))
	}
	return out
}

// safeLoad calls Load and turns a panic into an error.
func safeLoad(path string) (api *API, fs Findings, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("Load panicked: %v", r)
		}
	}()
	api, fs = Load(path, Options{})
	return api, fs, nil
}

// TestCorpus loads every spec of the corpus. The exact findings are checked by the CLI's golden test; this
// checks what must hold for any input.
func TestCorpus(t *testing.T) {
	for _, path := range corpusFiles(t) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			api, fs, err := safeLoad(path)
			if err != nil {
				t.Fatal(err)
			}
			if api == nil && !fs.HasErrors() {
				t.Error("neither an API nor an error finding")
			}
			for _, f := range fs {
				if f.File != path {
					t.Errorf("finding %q: File = %q, want %q", f, f.File, path)
				}
				if f.Line == 0 {
					// A whole-file error: the file could not be read as an API at all.
					if f.Severity != Error || f.Path != "" || api != nil {
						t.Errorf("finding %q has no line but is not a whole-file error", f)
					}
				} else if f.Line < 0 || f.Column <= 0 {
					t.Errorf("finding %q: line %d, column %d", f, f.Line, f.Column)
				}
			}
			if !sort.SliceIsSorted(fs, func(i, j int) bool { return findingLess(fs[i], fs[j]) }) {
				t.Errorf("findings not sorted:\n%v", fs)
			}
			if api != nil {
				checkAPI(t, api)
			}
			// Loading is deterministic: the same file gives the same findings and the same model.
			api2, fs2, _ := safeLoad(path)
			if !reflect.DeepEqual(fs, fs2) || !reflect.DeepEqual(api, api2) {
				t.Error("a second Load gives a different result")
			}
		})
	}
}

// findingLess is the order Findings.Sort promises: file, line, column, message.
func findingLess(a, b Finding) bool {
	if a.File != b.File {
		return a.File < b.File
	}
	if a.Line != b.Line {
		return a.Line < b.Line
	}
	if a.Column != b.Column {
		return a.Column < b.Column
	}
	return a.Message < b.Message
}

var validMethods = map[string]bool{"GET": true, "PUT": true, "POST": true, "DELETE": true, "OPTIONS": true, "HEAD": true, "PATCH": true, "ANY": true}

// checkAPI asserts what holds for every API Parse returns: resources are sorted, unique, absolute paths, and
// every method is one API Gateway has, with an authorization type.
func checkAPI(t testing.TB, api *API) {
	t.Helper()
	seen := map[string]bool{}
	for i, r := range api.Resources {
		if len(r.Path) == 0 || r.Path[0] != '/' {
			t.Errorf("resource path %q does not start with /", r.Path)
		}
		if seen[r.Path] {
			t.Errorf("resource %q listed twice", r.Path)
		}
		seen[r.Path] = true
		if i > 0 && api.Resources[i-1].Path > r.Path {
			t.Errorf("resources not sorted: %q before %q", api.Resources[i-1].Path, r.Path)
		}
		for _, m := range r.Methods {
			if !validMethods[m.HTTPMethod] {
				t.Errorf("%s %s: not an API Gateway method", m.HTTPMethod, r.Path)
			}
			switch m.AuthorizationType {
			case "NONE", "AWS_IAM", "CUSTOM", "COGNITO_USER_POOLS", "JWT":
			default:
				t.Errorf("%s %s: authorization type %q", m.HTTPMethod, r.Path, m.AuthorizationType)
			}
		}
	}
	if api.Type != REST && api.Type != HTTP {
		t.Errorf("API type %q", api.Type)
	}
}
