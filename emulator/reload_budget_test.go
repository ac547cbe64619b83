package emulator

import (
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
)

// An edit that fails a reading budget (nesting, file size, a file that is not one) is refused like any
// other bad edit: the previous generation keeps serving (issue 10: a 100 KB deeply nested edit killed a
// running serve in 3 s; validate /dev/zero ran until out of memory).
func TestReloadOverBudgetKeepsServing(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	specPath := filepath.Join(dir, "api.yaml")
	good := func(body string) string {
		return `openapi: "3.0.1"
info: {title: t, version: "1"}
paths:
  /a:
    get:
      x-amazon-apigateway-integration: {type: mock, requestTemplates: {application/json: '{"statusCode": 200}'}, responses: {default: {statusCode: "200", responseTemplates: {application/json: '` + body + `'}}}}
`
	}
	write := func(content string) {
		t.Helper()
		os.Remove(specPath)
		if err := os.WriteFile(specPath, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(good("first"))
	const maxSize = 1 << 20
	src := Sources{Specs: []string{specPath}}
	src.Options.MaxSize = maxSize
	srv, _, err := NewServer(src, nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Gateway)
	defer hs.Close()
	get := func() string {
		t.Helper()
		r := do(t, "GET", hs.URL+"/dev/a", nil, "")
		if r.status != 200 {
			t.Fatalf("status %d: %s", r.status, r.body)
		}
		return string(r.body)
	}
	if b := get(); b != "first" {
		t.Fatalf("body %q", b)
	}
	deep := func(open, close string) string {
		// 100,000 levels in a file under the size cap, as in the attack.
		return `{"openapi": "3.0.1", "info": {"title": "t", "version": "1"}, "paths": {},` + "\n" +
			`"x-deep": ` + strings.Repeat(open, 100_000) + "1" + strings.Repeat(close, 100_000) + "}"
	}
	for _, c := range []struct {
		name  string
		apply func()
		want  string
	}{
		{"100,000-deep JSON arrays", func() { write(deep("[", "]")) }, "api.yaml:2:1010: error: the document nests mappings and lists more than 1000 levels deep"},
		{"100,000-deep YAML flow mappings", func() { write(strings.Replace(deep(`{a: `, "}"), `"x-deep": `, "x-deep: ", 1)) }, "api.yaml:2: error: the document nests mappings and lists more than 1000 levels deep"},
		{"over the size cap", func() { write(good(strings.Repeat("x", maxSize))) }, "api.yaml: error: the spec is larger than 1 MB"},
		{"replaced by a FIFO", func() {
			os.Remove(specPath)
			if err := syscall.Mkfifo(specPath, 0o600); err != nil {
				t.Fatal(err)
			}
		}, "api.yaml is a named pipe (FIFO), not a file"},
	} {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		c.apply()
		err := srv.Reload()
		runtime.ReadMemStats(&after)
		if err == nil || !strings.Contains(err.Error(), "still serving generation 1") || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: reload said %v, want it refused with %q", c.name, err, c.want)
		}
		if b := get(); b != "first" {
			t.Errorf("%s: the old generation must keep serving, got %q", c.name, b)
		}
		// TotalAlloc bounds the peak heap of the refused reload from above (the whole process's, so this
		// test's parallel neighbours count too: the bound is loose, the attack needed gigabytes).
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 256<<20 {
			t.Errorf("%s: the refused reload allocated %d bytes", c.name, alloc)
		}
	}
	write(good("second"))
	if err := srv.Reload(); err != nil {
		t.Fatal(err)
	}
	if b := get(); b != "second" {
		t.Errorf("after a good edit: %q", b)
	}
}
