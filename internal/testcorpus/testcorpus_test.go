package testcorpus

import (
	"bytes"
	"encoding/json"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// copied maps each embedded directory to its place in the shared corpus.
var copied = map[string]string{
	"testdata/aws-vectors": "aws-vectors",
	"testdata/vtl":         "vtl",
}

// TestCopiesMatchSharedCorpus fails when an embedded copy differs from the shared corpus, or when either
// side has a file the other lacks, so that the copies cannot drift from the recordings they were taken
// from. Without the shared corpus there is nothing to compare with, and the test is skipped.
func TestCopiesMatchSharedCorpus(t *testing.T) {
	root, err := corpusRoot()
	if err != nil {
		t.Fatal(err)
	}
	if root == "" {
		t.Skip("shared corpus not found (set " + EnvCorpus + "=/path/to/shared/corpus); not comparing the embedded copies with it")
	}
	for embedded, shared := range copied {
		sharedDir := filepath.Join(root, shared)
		entries, err := os.ReadDir(sharedDir)
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		for _, e := range entries {
			if !e.IsDir() {
				want = append(want, e.Name())
			}
		}
		var got []string
		mine, err := data.ReadDir(embedded)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range mine {
			got = append(got, e.Name())
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s holds %v, the shared corpus %s holds %v: copy the files again", embedded, got, sharedDir, want)
		}
		for _, name := range want {
			theirs, err := os.ReadFile(filepath.Join(sharedDir, name))
			if err != nil {
				t.Fatal(err)
			}
			ours, err := data.ReadFile(path.Join(embedded, name))
			if err != nil {
				continue // reported above
			}
			if !bytes.Equal(ours, theirs) {
				t.Errorf("internal/testcorpus/%s/%s differs from %s: copy it again (cp %s internal/testcorpus/%s/)",
					embedded, name, filepath.Join(sharedDir, name), filepath.Join(sharedDir, name), embedded)
			}
		}
	}
}

// The accessors return well-formed JSON files.
func TestAccessors(t *testing.T) {
	files := VectorFiles()
	if len(files) == 0 {
		t.Fatal("no vector files embedded")
	}
	for _, name := range files {
		var doc struct {
			Count   int               `json:"count"`
			Vectors []json.RawMessage `json:"vectors"`
		}
		if err := json.Unmarshal(Vectors(name), &doc); err != nil {
			t.Errorf("%s: %v", name, err)
		} else if len(doc.Vectors) == 0 || doc.Count != len(doc.Vectors) {
			t.Errorf("%s: %d vectors, count %d", name, len(doc.Vectors), doc.Count)
		}
	}
	if !json.Valid(VTL()) {
		t.Error("vtl-aws.json is not valid JSON")
	}
	defer func() {
		if recover() == nil {
			t.Error("Vectors of an unknown file did not panic")
		}
	}()
	Vectors("nope.json")
}

// Specs finds the corpus through APIGW_CORPUS, and fails (never skips) when APIGW_CORPUS is wrong.
func TestSpecsFromEnv(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "specs"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv(EnvCorpus, dir)
	if got := Specs(t); got != filepath.Join(dir, "specs") {
		t.Errorf("Specs = %q, want %q", got, filepath.Join(dir, "specs"))
	}
	t.Setenv(EnvCorpus, filepath.Join(dir, "missing"))
	if _, err := corpusRoot(); err == nil || !strings.Contains(err.Error(), EnvCorpus) {
		t.Errorf("a missing $%s: %v, want an error naming it", EnvCorpus, err)
	}
}

// Only tests import this package: it is test data, and it imports "testing".
func TestImportedOnlyByTests(t *testing.T) {
	mod, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	const me = "github.com/apigw-local/apigw-local/internal/testcorpus"
	err = filepath.WalkDir(mod, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && p != mod && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || d.Name() == "vendor") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), p, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		for _, imp := range f.Imports {
			if ip, _ := strconv.Unquote(imp.Path.Value); ip == me {
				t.Errorf("%s imports %s; only _test.go files may", p, me)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
