package archtest

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var fuzzFunc = regexp.MustCompile(`(?m)^func (Fuzz\w+)\(f \*testing\.F\)`)

// `make fuzz` runs every fuzz target of the repository: a new one that is not listed there would never
// be run for more than its seeds.
func TestMakeFuzzRunsEveryTarget(t *testing.T) {
	makefile, err := os.ReadFile("../../Makefile")
	if err != nil {
		t.Fatal(err)
	}
	err = filepath.WalkDir("../..", func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if !strings.HasSuffix(p, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		dir := "./" + filepath.ToSlash(strings.TrimPrefix(filepath.Dir(p), "../../")) + "/"
		for _, m := range fuzzFunc.FindAllStringSubmatch(string(src), -1) {
			want := "-fuzz '^" + m[1] + "$$' -fuzztime $(FUZZTIME) " + dir
			if !strings.Contains(string(makefile), want) {
				t.Errorf("make fuzz does not run %s in %s: add a line with %q", m[1], dir, want)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
