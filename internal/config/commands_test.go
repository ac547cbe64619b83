package config

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestCheckCommands checks that a function command that cannot be started is an error at its command key,
// resolved as lambdarun resolves it: a path with a slash against the function's workdir (default: the
// config file's directory), a bare name through PATH.
func TestCheckCommands(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("executable bits and PATH lookups differ on Windows")
	}
	dir := t.TempDir()
	write := func(name string, mode os.FileMode) {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("#!/bin/sh\n"), mode); err != nil {
			t.Fatal(err)
		}
	}
	write("bin/handler", 0o755)
	write("bin/data.txt", 0o644)
	write("svc/bin/other", 0o755)
	write("path/onpath", 0o755)
	if err := os.MkdirAll(filepath.Join(dir, "bin", "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", filepath.Join(dir, "path"))
	cfgFile := filepath.Join(dir, "apigw-local.yaml")

	for _, tc := range []struct {
		name     string   // what the function's command is
		settings []string // the function's settings: lines of YAML under functions.F
		want     string   // the finding, after the config file name; "" when the command can start
	}{
		{"an executable relative to the config file", []string{`command: [./bin/handler, --flag]`}, ""},
		{"an absolute path", []string{"command: [" + filepath.Join(dir, "bin", "handler") + "]"}, ""},
		{"a bare name on PATH", []string{`command: [onpath]`}, ""},
		{"relative to workdir, not to the config file", []string{`command: [./bin/other]`, `workdir: svc`}, ""},
		{"an external function has no command to check", []string{`external: {port: 9001}`}, ""},
		{"a missing program", []string{`command: [./bin/nope]`},
			`:3:5: error: functions.F.command: the program "./bin/nope" (` + filepath.Join(dir, "bin", "nope") + `) does not exist, so every invocation of the function fails: build it first, or fix the path (a relative path is relative to the function's workdir, by default the directory of this file)`},
		{"a program next to the config file but not in workdir", []string{`command: [./bin/handler]`, `workdir: svc`},
			`:3:5: error: functions.F.command: the program "./bin/handler" (` + filepath.Join(dir, "svc", "bin", "handler") + `, relative to workdir "svc") does not exist, so every invocation of the function fails: build it first, or fix the path (a relative path is relative to the function's workdir, by default the directory of this file)`},
		{"a file that is not executable", []string{`command: [bin/data.txt]`},
			`:3:5: error: functions.F.command: the program "bin/data.txt" (` + filepath.Join(dir, "bin", "data.txt") + `) is not executable, so every invocation of the function fails: make it executable (chmod +x ` + filepath.Join(dir, "bin", "data.txt") + `)`},
		{"a directory", []string{`command: [./bin/sub]`},
			`:3:5: error: functions.F.command: the program "./bin/sub" (` + filepath.Join(dir, "bin", "sub") + `) is a directory: name the executable in it`},
		{"a missing absolute path", []string{`command: [/nonexistent/handler]`},
			`:3:5: error: functions.F.command: the program "/nonexistent/handler" does not exist, so every invocation of the function fails: build it first, or fix the path (a relative path is relative to the function's workdir, by default the directory of this file)`},
		{"a bare name not on PATH", []string{`command: [no-such-runtime, handler.js]`},
			`:3:5: error: functions.F.command: "no-such-runtime" is not found in PATH: install it, or give its path (./no-such-runtime is relative to the function's workdir)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := "functions:\n  F:\n    " + strings.Join(tc.settings, "\n    ") + "\n"
			c, err := Parse(cfgFile, []byte(src))
			if err != nil {
				t.Fatalf("Parse(%q): %v", src, err)
			}
			got := c.CheckCommands().Error()
			want := ""
			if tc.want != "" {
				want = cfgFile + tc.want
			}
			if got != want {
				t.Errorf("CheckCommands of\n%s\n got %s\nwant %s", src, got, want)
			}
		})
	}
}
