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
// function's workdir; only a warning when a build makes it). The expected output is
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

// validate reads specs and configs on a budget: a file too large, too deeply nested or not a file at all is
// a located error with what to do, in bounded time and memory (issue 10: validate /dev/zero ran until out
// of memory; a 200 KB nested spec exhausted 24 GB).
func TestValidateReadingBudgets(t *testing.T) {
	dir := t.TempDir()
	deep := filepath.Join(dir, "deep.json")
	if err := os.WriteFile(deep, []byte(`{"openapi": "3.0.1", "x": `+strings.Repeat("[", 100_000)+strings.Repeat("]", 100_000)+`}`), 0o600); err != nil {
		t.Fatal(err)
	}
	deepCfg := filepath.Join(dir, "deep.yaml")
	if err := os.WriteFile(deepCfg, []byte("region: us-east-1\nstages:\n"+strings.Repeat("  ", 1)+strings.Repeat("- ", 5000)+"x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big.yaml")
	if err := os.WriteFile(big, []byte("# "+strings.Repeat("x", 3000)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{deep}, deep + ":1:1026: error: the document nests mappings and lists more than 1000 levels deep; "},
		{[]string{"/dev/zero"}, "/dev/zero: error: cannot read the spec: /dev/zero is a character device, not a file; give the path of a file"},
		{[]string{"--max-spec-size", "2KB", big}, big + ": error: the spec is larger than 2 KB; API Gateway imports definitions of up to 6 MB: split the API, or raise the limit with --max-spec-size"},
		{[]string{"-c", "/dev/zero"}, "/dev/zero: error: /dev/zero is a character device, not a file; give the path of a file"},
		{[]string{"-c", deepCfg}, deepCfg + ":3:2001: error: the document nests mappings and lists more than 1000 levels deep"},
		{[]string{"--max-config-size", "2KB", "-c", big}, big + ": error: the config is larger than 2 KB; a config of that size is likely not one (check the path), or raise the limit with --max-config-size"},
	} {
		out, errOut, code := run(append([]string{"validate"}, c.args...)...)
		if code != 1 || !strings.Contains(out+errOut, c.want) {
			t.Errorf("validate %v: exit %d\n%s%s\nwant a line containing %q", c.args, code, out, errOut, c.want)
		}
	}
}
