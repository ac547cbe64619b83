package emulator

import (
	"context"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// The watcher reloads once per edit, skips events that change no content, and says in its log line what
// the reload changed.
func TestWatchReloadsOnContentChangeOnly(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	specPath := filepath.Join(dir, "api.yaml")
	spec := func(extra string) string {
		return `openapi: "3.0.1"
info: {title: t, version: "1"}
paths:
  /a:
    get:
      x-amazon-apigateway-integration: ` + mockIntegration + `
` + extra
	}
	if err := os.WriteFile(specPath, []byte(spec("")), 0o600); err != nil {
		t.Fatal(err)
	}
	var out syncWriter
	srv, _, err := NewServer(Sources{Specs: []string{specPath}}, nil, &out)
	if err != nil {
		t.Fatal(err)
	}
	w := watchServer(t, srv)
	next := w.next
	// The same content again: an event, and nothing to reload.
	if err := os.WriteFile(specPath, []byte(spec("")), 0o600); err != nil {
		t.Fatal(err)
	}
	if o := next(); o != "unchanged" {
		t.Errorf("rewriting the same content: %s", o)
	}
	if g := srv.Gateway.Snapshot().Generation; g != 1 {
		t.Errorf("generation %d after a no-op event", g)
	}
	// A new route: one reload, and the log line names it.
	if err := os.WriteFile(specPath, []byte(spec("  /b:\n    get:\n      x-amazon-apigateway-integration: "+mockIntegration+"\n")), 0o600); err != nil {
		t.Fatal(err)
	}
	if o := next(); o != "reloaded" {
		t.Fatalf("an edit: %s (%s)", o, out.String())
	}
	if g := srv.Gateway.Snapshot().Generation; g != 2 {
		t.Errorf("generation %d after one edit", g)
	}
	if !strings.Contains(out.String(), "reloaded: now serving generation 2 (1 route added: GET /dev/b)") {
		t.Errorf("log: %q", out.String())
	}
}

// syncWriter is a strings.Builder safe for the watcher's goroutine.
type syncWriter struct {
	mu sync.Mutex
	b  strings.Builder
}

func (w *syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (w *syncWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

var _ io.Writer = (*syncWriter)(nil)

// A function's binary rebuilt in place (same config) is picked up: the watcher sees the file, and the
// next invocation runs new processes. An unrelated edit keeps the function warm.
func TestWatchReplacesARebuiltBinary(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bin := filepath.Join(dir, "bin", "handler")
	install := func(fixtureName string) {
		t.Helper()
		data, err := os.ReadFile(fixture(t, fixtureName))
		if err != nil {
			t.Fatal(err)
		}
		// Written beside it and renamed, as go build and most tools replace a binary.
		tmp := bin + ".tmp"
		if err := os.WriteFile(tmp, data, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, bin); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(filepath.Dir(bin), 0o755); err != nil {
		t.Fatal(err)
	}
	install("echo")
	specPath := filepath.Join(dir, "api.yaml")
	spec := `openapi: "3.0.1"
info: {title: t, version: "1"}
paths:
  /fn:
    get:
      x-amazon-apigateway-integration: {type: aws_proxy, httpMethod: POST, uri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:Fn/invocations"}
`
	if err := os.WriteFile(specPath, []byte(spec), 0o600); err != nil {
		t.Fatal(err)
	}
	cfgPath := filepath.Join(dir, "apigw-local.yaml")
	if err := os.WriteFile(cfgPath, []byte("functions:\n  Fn: {command: [./bin/handler]}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var out syncWriter
	srv, _, err := NewServer(Sources{Specs: []string{specPath}, Config: cfgPath}, NewAccessLog(&out, LogText, false), &out)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Gateway.Close() })
	w := watchServer(t, srv)
	hs, waitReload := w.hs, w.reloaded
	if r := do(t, "GET", hs.URL+"/dev/fn", nil, ""); r.status != 200 {
		t.Fatalf("the echo handler: %d %s", r.status, r.body)
	}
	// An unrelated edit: the function stays warm (no new process starts).
	if err := os.WriteFile(specPath, []byte(spec+"  /other:\n    get:\n      x-amazon-apigateway-integration: "+mockIntegration+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	waitReload()
	if r := do(t, "GET", hs.URL+"/dev/fn", nil, ""); r.status != 200 || strings.Contains(out.String(), "its binary changed") {
		t.Errorf("after an unrelated edit: %d; log %q", r.status, out.String())
	}
	// The binary replaced by another handler (env answers a map, which is not a proxy response: 502).
	install("env")
	waitReload()
	if r := do(t, "GET", hs.URL+"/dev/fn", nil, ""); r.status != 502 {
		t.Errorf("after the binary changed: %d %s, want the new handler's 502", r.status, r.body)
	}
	if !strings.Contains(out.String(), "function Fn: its binary changed") {
		t.Errorf("log: %q", out.String())
	}
}

// A function's build runs at start and again when a file matching its watch globs changes; the binary it
// makes is picked up; a failed build keeps the previous binary serving.
func TestWatchRunsBuilds(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, d := range []string{"src/deep", "bin"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	copyFixture := func(name, to string) {
		t.Helper()
		data, err := os.ReadFile(fixture(t, name))
		if err != nil {
			t.Fatal(err)
		}
		tmp := to + ".tmp"
		if err := os.WriteFile(tmp, data, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, to); err != nil {
			t.Fatal(err)
		}
	}
	// The "source" is a handler binary under src/; the build copies it into bin/, unless src/deep/broken
	// exists (a compile error).
	copyFixture("echo", filepath.Join(dir, "src", "handler"))
	specPath := filepath.Join(dir, "api.yaml")
	if err := os.WriteFile(specPath, []byte(`openapi: "3.0.1"
info: {title: t, version: "1"}
paths:
  /fn:
    get:
      x-amazon-apigateway-integration: {type: aws_proxy, httpMethod: POST, uri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:Fn/invocations"}
`), 0o600); err != nil {
		t.Fatal(err)
	}
	cfgPath := filepath.Join(dir, "apigw-local.yaml")
	if err := os.WriteFile(cfgPath, []byte(`functions:
  Fn:
    command: [./bin/handler]
    build: [sh, -c, "test ! -e src/deep/broken && cp src/handler bin/handler.new && mv bin/handler.new bin/handler"]
    watch: ["src/**"]
`), 0o600); err != nil {
		t.Fatal(err)
	}
	var out syncWriter
	srv, l, err := NewServer(Sources{Specs: []string{specPath}, Config: cfgPath}, NewAccessLog(&out, LogText, false), &out)
	if err != nil {
		t.Fatalf("%v\n%s\n%s", err, l.Findings.Error(), out.String())
	}
	t.Cleanup(func() { srv.Gateway.Close() })
	if !strings.Contains(out.String(), "[build Fn] ok") {
		t.Errorf("no build at start: %q", out.String())
	}
	w := watchServer(t, srv)
	w.log = out.String
	hs, until := w.hs, w.until
	if r := do(t, "GET", hs.URL+"/dev/fn", nil, ""); r.status != 200 {
		t.Fatalf("the built echo handler: %d %s", r.status, r.body)
	}
	// A broken build: the previous binary keeps serving.
	if err := os.WriteFile(filepath.Join(dir, "src", "deep", "broken"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	copyFixture("env", filepath.Join(dir, "src", "handler"))
	until(func(string) bool { return strings.Contains(out.String(), "[build Fn] failed") })
	if r := do(t, "GET", hs.URL+"/dev/fn", nil, ""); r.status != 200 {
		t.Errorf("after a failed build: %d %s", r.status, r.body)
	}
	// The fix: the build succeeds, and its binary is picked up.
	if err := os.Remove(filepath.Join(dir, "src", "deep", "broken")); err != nil {
		t.Fatal(err)
	}
	until(func(o string) bool { return o == "reloaded" })
	if r := do(t, "GET", hs.URL+"/dev/fn", nil, ""); r.status != 502 {
		t.Errorf("after a good build: %d %s, want the new handler's 502\n%s", r.status, r.body, out.String())
	}
}

// A spec split with $ref: an edit of a referenced file in a subdirectory reloads, and so does a reference
// to a file in a directory the edit adds.
func TestWatchFollowsRefs(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, content string) {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	item := func(body string) string {
		return "get:\n  x-amazon-apigateway-integration: {type: mock, requestTemplates: {application/json: '{\"statusCode\": 200}'}, responses: {default: {statusCode: \"200\", responseTemplates: {application/json: '" + body + "'}}}}\n"
	}
	write("paths/a.yaml", item("one"))
	write("api.yaml", "openapi: \"3.0.1\"\ninfo: {title: t, version: \"1\"}\npaths:\n  /a: {$ref: paths/a.yaml}\n")
	srv, _, err := NewServer(Sources{Specs: []string{filepath.Join(dir, "api.yaml")}}, nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	w := watchServer(t, srv)
	hs, reloaded := w.hs, w.reloaded
	body := func(path string) string {
		t.Helper()
		return string(do(t, "GET", hs.URL+path, nil, "").body)
	}
	write("paths/a.yaml", item("two"))
	reloaded()
	if b := body("/dev/a"); b != "two" {
		t.Errorf("after editing the referenced file: %q", b)
	}
	// A new reference to a file in a new directory, which is then watched too.
	write("more/b.yaml", item("bee"))
	write("api.yaml", "openapi: \"3.0.1\"\ninfo: {title: t, version: \"1\"}\npaths:\n  /a: {$ref: paths/a.yaml}\n  /b: {$ref: more/b.yaml}\n")
	reloaded()
	write("more/b.yaml", item("bee2"))
	reloaded()
	if b := body("/dev/b"); b != "bee2" {
		t.Errorf("after editing a file in a directory added by an edit: %q", b)
	}
}

// watched is a Server under Watch, served over HTTP, whose watch outcomes ("unchanged", "reloaded",
// "failed") a test waits for.
type watched struct {
	t        *testing.T
	hs       *httptest.Server
	outcomes chan string
	log      func() string // what to show when the watcher never gets there
}

func watchServer(t *testing.T, srv *Server) *watched {
	t.Helper()
	w := &watched{t: t, outcomes: make(chan string, 64), log: func() string { return "" }}
	srv.hook = func(o string) { w.outcomes <- o }
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	if err := srv.Watch(ctx); err != nil {
		t.Fatal(err)
	}
	w.hs = httptest.NewServer(srv.Gateway)
	t.Cleanup(w.hs.Close)
	return w
}

// next waits for the watcher's next outcome.
func (w *watched) next() string {
	w.t.Helper()
	select {
	case o := <-w.outcomes:
		return o
	case <-time.After(30 * time.Second): // reached only when the watcher never reacts
		w.t.Fatalf("no watch outcome; log:\n%s", w.log())
	}
	return ""
}

// until waits for the first outcome done accepts.
func (w *watched) until(done func(outcome string) bool) {
	w.t.Helper()
	for !done(w.next()) {
	}
}

// reloaded waits for the next reload.
func (w *watched) reloaded() { w.until(func(o string) bool { return o == "reloaded" }) }

// A config truncated by a write in place is not served: the watcher may wake between the truncation and
// the write, and an empty config (no functions) would answer 500 until the write lands. The next change
// reloads as usual.
func TestReloadWaitsForAnEmptiedConfig(t *testing.T) {
	dir := t.TempDir()
	specPath, cfgPath := filepath.Join(dir, "api.yaml"), filepath.Join(dir, "apigw-local.yaml")
	_ = os.WriteFile(specPath, []byte(`openapi: "3.0.1"
info: {title: t, version: "1"}
paths:
  /a:
    get:
      x-amazon-apigateway-integration: `+mockIntegration+`
`), 0o600)
	_ = os.WriteFile(cfgPath, []byte("stages: {prod: {}}\n"), 0o600)
	var out syncWriter
	srv, _, err := NewServer(Sources{Specs: []string{specPath}, Config: cfgPath}, nil, &out)
	if err != nil {
		t.Fatal(err)
	}
	w := watchServer(t, srv)
	if err := os.WriteFile(cfgPath, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if o := w.next(); o != "waiting" {
		t.Fatalf("an emptied config: %s (%s)", o, out.String())
	}
	if res := do(t, "GET", w.hs.URL+"/prod/a", nil, ""); res.status != 200 || srv.Gateway.Snapshot().Generation != 1 {
		t.Errorf("while the config is empty: %d, generation %d", res.status, srv.Gateway.Snapshot().Generation)
	}
	if !strings.Contains(out.String(), "apigw-local.yaml is empty: still serving generation 1") {
		t.Errorf("the log does not say it waits: %s", out.String())
	}
	if err := os.WriteFile(cfgPath, []byte("stages: {beta: {}}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	w.reloaded()
	if res := do(t, "GET", w.hs.URL+"/beta/a", nil, ""); res.status != 200 {
		t.Errorf("after the write: %d %s", res.status, res.body)
	}
}
