package emulator

import (
	"context"
	"io"
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
	outcomes := make(chan string, 8)
	srv.hook = func(o string) { outcomes <- o }
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	if err := srv.Watch(ctx); err != nil {
		t.Fatal(err)
	}
	next := func() string {
		t.Helper()
		select {
		case o := <-outcomes:
			return o
		case <-time.After(30 * time.Second): // reached only when the watcher never reacts
			t.Fatal("no reload outcome")
		}
		return ""
	}
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
