package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestValidateRunTime checks that validate reports what the config would make fail at run time, which
// loading it does not: function commands that cannot start (missing, not executable; resolved against the
// function's workdir), and settings accepted but not acted on yet (build, watch). The expected output is
// testdata/validate/runtime.golden (go test -update rewrites it), with the absolute directory as <dir>.
func TestValidateRunTime(t *testing.T) {
	cfg := filepath.Join("testdata", "validate", "apigw-local.yaml")
	abs, err := filepath.Abs(filepath.Dir(cfg))
	if err != nil {
		t.Fatal(err)
	}
	out, errOut, code := run("validate", "-c", cfg)
	got := strings.ReplaceAll(out+errOut, abs, "<dir>") + "exit " + strconv.Itoa(code) + "\n"
	golden := filepath.Join("testdata", "validate", "runtime.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (go test -run TestValidateRunTime -update creates it)", err)
	}
	if got != string(want) {
		t.Errorf("validate output changed (go test -update rewrites it):\n--- want\n%s--- got\n%s", want, got)
	}
}
