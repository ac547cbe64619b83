package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apigw-local/apigw-local/internal/testcorpus"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// run executes the command line in-process and returns its output and exit code.
func run(args ...string) (stdout, stderr string, code int) {
	var out, errOut bytes.Buffer
	cmd := newRootCommand(&out, &errOut)
	cmd.SetArgs(args)
	err := cmd.ExecuteContext(context.Background())
	code = 0
	if err != nil {
		var ee exitError
		if errors.As(err, &ee) {
			code = ee.code
		} else {
			code = 2
			errOut.WriteString(err.Error() + "\n")
		}
	}
	return out.String(), errOut.String(), code
}

// TestCorpusGolden keeps the output of `validate` and `routes` stable for every spec of the corpus: it
// never panics, and every change in what users see shows up in review as a golden diff.
func TestCorpusGolden(t *testing.T) {
	corpusDir := testcorpus.Specs(t)
	files, err := filepath.Glob(filepath.Join(corpusDir, "*.*"))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range files {
		if filepath.Ext(f) == ".md" {
			continue
		}
		n++
		name := filepath.Base(f)
		t.Run(name, func(t *testing.T) {
			var b strings.Builder
			for _, command := range []string{"validate", "routes"} {
				out, errOut, code := run(command, f)
				fmt.Fprintf(&b, "$ apigw-local %s %s\n%s%sexit %d\n\n", command, name, out, errOut, code)
			}
			got := strings.ReplaceAll(b.String(), corpusDir+string(filepath.Separator), "")
			golden := filepath.Join("testdata", "corpus", strings.TrimSuffix(name, filepath.Ext(name))+".golden")
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("output changed for %s (go test -update rewrites it):\n--- want\n%s\n--- got\n%s", name, want, got)
			}
		})
	}
	if n != 53 {
		t.Errorf("the corpus has %d specs, want 53", n)
	}
}
