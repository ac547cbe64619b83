package findings

import (
	"errors"
	"io/fs"
	"os"
	"runtime"
	"strings"
	"syscall"
	"testing"
)

// deepDocs are documents nested depth levels deep, in the shapes a hostile or broken file takes.
func deepDocs(depth int) map[string]string {
	return map[string]string{
		"json object.json": "{\"openapi\": \"3.0.1\",\n\"x-deep\": " + strings.Repeat(`{"a":`, depth) + `1` + strings.Repeat(`}`, depth) + `}`,
		"json array.json":  "{\"openapi\": \"3.0.1\",\n\"x-deep\": " + strings.Repeat(`[`, depth) + `1` + strings.Repeat(`]`, depth) + `}`,
		"yaml flow.yaml":   "openapi: 3.0.1\nx-deep: " + strings.Repeat(`[`, depth) + `1` + strings.Repeat(`]`, depth) + "\n",
		"yaml block.yaml":  "openapi: 3.0.1\nx-deep:\n" + strings.Repeat("- ", depth) + "1\n",
	}
}

func TestReadRefusesDeepNestingInBoundedMemory(t *testing.T) {
	const maxAlloc = 32 << 20
	for _, depth := range []int{MaxDepth + 1, 10_001, 100_000} {
		for name, doc := range deepDocs(depth) {
			t.Run(name, func(t *testing.T) {
				var before, after runtime.MemStats
				runtime.GC()
				runtime.ReadMemStats(&before)
				_, err := Read(name, []byte(doc))
				runtime.ReadMemStats(&after)
				var se *SyntaxError
				if !errors.As(err, &se) || !se.Budget {
					t.Fatalf("depth %d: got %v, want the nesting budget error", depth, err)
				}
				if se.Line < 2 {
					t.Errorf("depth %d: located at line %d, want the line of the nested value", depth, se.Line)
				}
				want := "the document nests mappings and lists more than 1000 levels deep"
				if f := se.Finding("invalid YAML"); !strings.HasPrefix(f.Message, want) {
					t.Errorf("message %q, want it to start %q", f.Message, want)
				}
				// TotalAlloc bounds the peak heap from above. Before the budget a 200 KB document of this
				// kind needed tens of gigabytes (paths built at every level); now it is a few megabytes.
				if alloc := after.TotalAlloc - before.TotalAlloc; alloc > maxAlloc {
					t.Errorf("depth %d, %d bytes: %d bytes allocated, want at most %d", depth, len(doc), alloc, maxAlloc)
				}
			})
		}
	}
}

func TestReadAcceptsNestingUpToMaxDepth(t *testing.T) {
	// The top mapping is level 1, x-deep's value level 2, the scalar at the bottom level MaxDepth.
	for name, doc := range deepDocs(MaxDepth - 2) {
		if _, err := Read(name, []byte(doc)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	small := dir + "/small.yaml"
	big := dir + "/big.yaml"
	if err := os.WriteFile(small, []byte("a: 1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(big, make([]byte, 2048), 0o600); err != nil {
		t.Fatal(err)
	}
	fifo := dir + "/fifo"
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	if data, err := ReadFile(small, 1024); err != nil || string(data) != "a: 1\n" {
		t.Errorf("small: %q, %v", data, err)
	}
	var tl *TooLargeError
	if _, err := ReadFile(big, 1024); !errors.As(err, &tl) || tl.Limit != 1024 || err.Error() != big+": the file is larger than 1 KB" {
		t.Errorf("big: %v", err)
	}
	var naf *NotAFileError
	for path, want := range map[string]string{
		"/dev/zero": "/dev/zero is a character device, not a file; give the path of a file",
		fifo:        fifo + " is a named pipe (FIFO), not a file; give the path of a file", // opening it blocks until a writer comes
		dir:         dir + " is a directory, not a file; give the path of a file",
	} {
		if _, err := ReadFile(path, 1024); !errors.As(err, &naf) || err.Error() != want {
			t.Errorf("%s: %v, want %q", path, err, want)
		}
	}
	if _, err := ReadFile(dir+"/missing.yaml", 1024); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing: %v", err)
	}
}

func TestSizes(t *testing.T) {
	for in, want := range map[string]int64{"1048576": 1 << 20, "6MB": 6 << 20, "512 KB": 512 << 10, "1gib": 1 << 30, "10MiB": 10 << 20, "100B": 100} {
		if got, err := ParseSize(in); err != nil || got != want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "0", "-1MB", "6.5MB", "MB", "6TB", "1e6", "99999999999GB"} {
		if _, err := ParseSize(bad); err == nil {
			t.Errorf("ParseSize(%q) accepted", bad)
		}
	}
	for n, want := range map[int64]string{6 << 20: "6 MB", 512 << 10: "512 KB", 1500: "1500 bytes"} {
		if got := Size(n); got != want {
			t.Errorf("Size(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestPathString(t *testing.T) {
	var top *Path
	p := top.Key("paths").Key("/pets").Key("get").Key("parameters").Index(0).Key("x-y")
	if got, want := p.String(), Index(Child(Child(Child(Child("", "paths"), "/pets"), "get"), "parameters"), 0)+".x-y"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if top.String() != "" {
		t.Errorf("the top is %q", top.String())
	}
}
