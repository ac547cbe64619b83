package fixturebin

import (
	"os"
	"path/filepath"
	"testing"
)

// Dir holds one executable per fixture directory, and a second call builds nothing.
func TestDir(t *testing.T) {
	dir, err := Dir()
	if err != nil {
		t.Fatal(err)
	}
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(filepath.Join(root, sourceDir))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		n++
		st, err := os.Stat(filepath.Join(dir, e.Name()))
		if err != nil || st.Mode()&0o111 == 0 {
			t.Errorf("fixture %s: %v, not an executable in %s", e.Name(), err, dir)
		}
	}
	if n == 0 {
		t.Fatalf("no fixture directories under %s", sourceDir)
	}
	if again, err := Dir(); again != dir || err != nil {
		t.Errorf("second Dir() = %q, %v; want %q", again, err, dir)
	}
}

// The cache key changes with the fixture sources and with go.sum, and only with what the binaries are
// built from.
func TestCacheKey(t *testing.T) {
	root := t.TempDir()
	write := func(name, content string) {
		t.Helper()
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("go.mod", "module github.com/apigw-local/apigw-local\n")
	write("go.sum", "")
	write(sourceDir+"/echo/main.go", "package main\n\nfunc main() {}\n")
	write("README.md", "not a fixture source\n")
	key := func() string {
		t.Helper()
		k, err := cacheKey(root)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	k0 := key()
	if key() != k0 {
		t.Fatal("the key of unchanged sources changed")
	}
	write("README.md", "edited\n")
	if key() != k0 {
		t.Error("a file the fixtures are not built from changed the key")
	}
	write(sourceDir+"/echo/main.go", "package main\n\nfunc main() { println() }\n")
	k1 := key()
	if k1 == k0 {
		t.Error("editing a fixture did not change the key")
	}
	write(sourceDir+"/new/main.go", "package main\n\nfunc main() {}\n")
	k2 := key()
	if k2 == k1 {
		t.Error("adding a fixture did not change the key")
	}
	write("go.sum", "github.com/aws/aws-lambda-go v1.0.0 h1:x\n")
	if key() == k2 {
		t.Error("changing go.sum did not change the key")
	}
}
