package testcorpus

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// The embedded copies are the shared corpus's files, byte for byte: they cannot drift silently.
func TestCopiesMatchSharedCorpus(t *testing.T) {
	dir, ok := Shared()
	if !ok {
		t.Skipf("shared corpus not found (set %s); the embedded copies are not compared", EnvCorpus)
	}
	for _, name := range []string{"aws-vectors/README.md", "vtl/README.md", "vtl/vtl-aws.json"} {
		compare(t, dir, name)
	}
	for _, name := range VectorFiles() {
		compare(t, dir, "aws-vectors/"+name)
	}
	shared, _ := filepath.Glob(filepath.Join(dir, "aws-vectors", "*.json"))
	if len(shared) != len(VectorFiles()) {
		t.Errorf("the shared corpus has %d vector files, the project %d: copy the new ones into testdata/aws-vectors", len(shared), len(VectorFiles()))
	}
}

func compare(t *testing.T, shared, name string) {
	t.Helper()
	want, err := os.ReadFile(filepath.Join(shared, name))
	if err != nil {
		t.Errorf("%s: %v", name, err)
		return
	}
	got, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Errorf("%s: %v", name, err)
		return
	}
	if !bytes.Equal(got, want) {
		t.Errorf("testdata/%s differs from %s: copy it again (cp %s testdata/%s)", name, filepath.Join(shared, name), filepath.Join(shared, name), name)
	}
}

func TestEmbedded(t *testing.T) {
	if len(VTL()) == 0 || len(Vectors("lambda-proxy.json")) == 0 {
		t.Fatal("embedded corpus is empty")
	}
}
