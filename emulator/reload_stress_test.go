package emulator

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// reloadRig serves a spec with a MOCK route and a Lambda proxy route under Watch, and edits the spec or
// the function's config on demand, waiting for each reload.
type reloadRig struct {
	t        *testing.T
	dir      string
	srv      *Server
	hs       *httptest.Server
	outcomes chan string
	edits    int
}

func newReloadRig(t *testing.T) *reloadRig {
	t.Helper()
	r := &reloadRig{t: t, dir: t.TempDir(), outcomes: make(chan string, 64)}
	r.write(0)
	srv, l, err := NewServer(Sources{Specs: []string{filepath.Join(r.dir, "api.yaml")}, Config: filepath.Join(r.dir, "apigw-local.yaml")}, nil, io.Discard)
	if err != nil {
		t.Fatalf("%v\n%s", err, l.Findings.Error())
	}
	r.srv = srv
	srv.hook = func(o string) { r.outcomes <- o }
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	if err := srv.Watch(ctx); err != nil {
		t.Fatal(err)
	}
	r.hs = httptest.NewServer(srv.Gateway)
	t.Cleanup(func() { r.hs.Close(); srv.Gateway.Close() })
	return r
}

// write writes edit n: the MOCK route's body changes on every edit, the function's environment (and so
// its processes) on every other one.
func (r *reloadRig) write(n int) {
	r.t.Helper()
	spec := fmt.Sprintf(`openapi: "3.0.1"
info: {title: t, version: "1"}
paths:
  /mock:
    get:
      x-amazon-apigateway-integration: {type: mock, requestTemplates: {application/json: '{"statusCode": 200}'}, responses: {default: {statusCode: "200", responseTemplates: {application/json: 'edit %d'}}}}
  /fn:
    get:
      x-amazon-apigateway-integration: {type: aws_proxy, httpMethod: POST, uri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/Fn/invocations"}
`, n)
	cfg := fmt.Sprintf("functions:\n  Fn: {command: [%q], concurrency: 4, env: {GENERATION: %q}}\naccount: {throttle: {rateLimit: 1000000, burstLimit: 1000000}}\n", fixture(r.t, "echo"), strconv.Itoa(n/2))
	for name, content := range map[string]string{"api.yaml": spec, "apigw-local.yaml": cfg} {
		if err := os.WriteFile(filepath.Join(r.dir, name), []byte(content), 0o600); err != nil {
			r.t.Fatal(err)
		}
	}
}

// edit makes the next edit and waits until it is served.
func (r *reloadRig) edit() {
	r.t.Helper()
	r.edits++
	r.write(r.edits)
	want := r.srv.Gateway.Snapshot().Generation
	for r.srv.Gateway.Snapshot().Generation == want {
		select {
		case <-r.outcomes:
		case <-time.After(30 * time.Second): // reached only when the watcher never reloads
			r.t.Fatalf("edit %d never reloaded", r.edits)
		}
	}
}

// Fifty reloads, half of them replacing the function's processes, under eight clients calling both
// routes: not one request fails (no 5xx, no connection error).
func TestReloadsUnderLoadFailNoRequest(t *testing.T) {
	r := newReloadRig(t)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
	defer client.CloseIdleConnections()
	var stop atomic.Bool
	var ok, failed atomic.Int64
	var mu sync.Mutex
	var failures []string
	var wg sync.WaitGroup
	for c := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			path := []string{"/dev/mock", "/dev/fn"}[c%2]
			for !stop.Load() {
				resp, err := client.Get(r.hs.URL + path)
				if err == nil {
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
				if err != nil || resp.StatusCode >= 500 {
					failed.Add(1)
					mu.Lock()
					if len(failures) < 5 {
						failures = append(failures, fmt.Sprintf("%s: %v %v", path, err, resp))
					}
					mu.Unlock()
					continue
				}
				ok.Add(1)
			}
		}()
	}
	for range 50 {
		r.edit()
	}
	stop.Store(true)
	wg.Wait()
	t.Logf("%d requests over 50 reloads, %d failed", ok.Load()+failed.Load(), failed.Load())
	if failed.Load() != 0 {
		t.Errorf("%d requests failed: %v", failed.Load(), failures)
	}
	if ok.Load() < 100 {
		t.Errorf("only %d requests went through", ok.Load())
	}
}

// A hundred reloads, half of them replacing the function's processes, leave no goroutine, file
// descriptor or child process behind.
func TestReloadsLeakNothing(t *testing.T) {
	r := newReloadRig(t)
	call := func() {
		t.Helper()
		for _, p := range []string{"/dev/mock", "/dev/fn"} {
			if res := do(t, "GET", r.hs.URL+p, nil, ""); res.status != 200 {
				t.Fatalf("%s: %d %s", p, res.status, res.body)
			}
		}
	}
	call()
	r.edit()
	call()
	baseG, baseFD, baseKids := runtime.NumGoroutine(), openFDs(t), children(t)
	for range 100 {
		r.edit()
		call()
	}
	// Replaced functions drain in the background: wait for the last to be closed (its processes reaped,
	// its goroutines ended), then count. A goroutine that has just signalled its end may still be counted,
	// hence the small allowance; a leak of one per reload would be 50.
	r.srv.Gateway.functions.retired()
	g, fd, kids := runtime.NumGoroutine(), openFDs(t), children(t)
	t.Logf("after 100 reloads: goroutines %d (was %d), fds %d (was %d), children %d (was %d)", g, baseG, fd, baseFD, kids, baseKids)
	if g > baseG+5 || fd > baseFD+5 || kids > baseKids {
		t.Errorf("leak after 100 reloads: goroutines %d (was %d), fds %d (was %d), children %d (was %d)", g, baseG, fd, baseFD, kids, baseKids)
	}
}

func openFDs(t *testing.T) int {
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip("no /proc/self/fd on this system")
	}
	return len(entries)
}

// children counts this process's child processes (their /proc/*/stat names this pid as parent).
func children(t *testing.T) int {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Skip("no /proc on this system")
	}
	me, n := strconv.Itoa(os.Getpid()), 0
	for _, e := range entries {
		stat, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...: comm may hold spaces, so read after the last ")".
		fields := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
		if len(fields) > 1 && fields[1] == me {
			n++
		}
	}
	return n
}
