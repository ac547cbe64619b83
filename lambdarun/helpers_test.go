package lambdarun

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apigw-local/apigw-local/internal/fixturebin"
)

// fixtures is the directory holding the fixture handlers, built once for the whole test run.
var fixtures string

// helperEnv makes the test binary act as a Runtime API client for the protocol cases that no
// aws-lambda-go binary shows (an init error, an init that never ends).
const helperEnv = "LAMBDARUN_TEST_RUNTIME"

func TestMain(m *testing.M) {
	if mode := os.Getenv(helperEnv); mode != "" {
		os.Exit(helperRuntime(mode))
	}
	// Real peers: the fixture handlers are real aws-lambda-go binaries, built once for the whole run.
	dir, err := fixturebin.Dir()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fixtures = dir
	os.Exit(m.Run())
}

// helperRuntime is a minimal runtime written against the Runtime API by hand.
func helperRuntime(mode string) int {
	api := "http://" + os.Getenv("AWS_LAMBDA_RUNTIME_API") + "/2018-06-01/runtime/"
	switch mode {
	case "initerror":
		req, _ := http.NewRequest(http.MethodPost, api+"init/error",
			strings.NewReader(`{"errorMessage":"cannot read config","errorType":"Runtime.ConfigError"}`))
		req.Header.Set("Lambda-Runtime-Function-Error-Type", "Runtime.ConfigError")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 3
		}
		_ = resp.Body.Close()
		return 1
	case "hang":
		time.Sleep(time.Hour)
	}
	return 2
}

// fixture returns the path of a built fixture handler.
func fixture(name string) string { return filepath.Join(fixtures, name) }

// syncBuffer is a Log sink that tests read while processes write to it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func (s *syncBuffer) lines() []string {
	return strings.Split(strings.TrimRight(s.String(), "\n"), "\n")
}

// start starts a function and closes it when the test ends.
func start(t testing.TB, cfg Config) *Function {
	t.Helper()
	if cfg.Name == "" {
		cfg.Name = "fn"
	}
	f, err := Start(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = f.Close() })
	return f
}

// invoke invokes f with a JSON event and fails the test on an Invoke error.
func invoke(t testing.TB, f *Function, event string) *Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	res, err := f.Invoke(ctx, Invocation{Payload: []byte(event)})
	if err != nil {
		t.Fatalf("Invoke(%s): %v", event, err)
	}
	return res
}

// errorPayload decodes an error payload.
type errorPayload struct {
	ErrorMessage string            `json:"errorMessage"`
	ErrorType    string            `json:"errorType"`
	StackTrace   []json.RawMessage `json:"stackTrace"`
}

func decodeError(t testing.TB, res *Result) errorPayload {
	t.Helper()
	if res.FunctionError != "Unhandled" {
		t.Fatalf("FunctionError = %q, want Unhandled; payload %s", res.FunctionError, res.Payload)
	}
	var e errorPayload
	if err := json.Unmarshal(res.Payload, &e); err != nil {
		t.Fatalf("error payload %s: %v", res.Payload, err)
	}
	return e
}

// pids returns the pids of f's live processes (each is also its process group id).
func (f *Function) pids() []int {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []int
	for p := range f.procs {
		if p.pid > 0 {
			out = append(out, p.pid)
		}
	}
	return out
}

// procEntry is what /proc says about one process.
type procEntry struct{ pid, ppid, pgrp int }

// processes lists every process of the machine from /proc.
func processes(t testing.TB) []procEntry {
	t.Helper()
	dirs, err := os.ReadDir("/proc")
	if err != nil {
		t.Skip("no /proc:", err)
	}
	var out []procEntry
	for _, d := range dirs {
		pid, err := strconv.Atoi(d.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + d.Name() + "/stat")
		if err != nil {
			continue // exited meanwhile
		}
		// "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses.
		s := string(b)
		fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		if len(fields) < 3 || fields[0] == "Z" {
			continue // zombies are dead already; their parent has yet to reap them
		}
		ppid, _ := strconv.Atoi(fields[1])
		pgrp, _ := strconv.Atoi(fields[2])
		out = append(out, procEntry{pid, ppid, pgrp})
	}
	return out
}

// groupMembers returns the live processes of process group pgid.
func groupMembers(t testing.TB, pgid int) []int {
	var out []int
	for _, p := range processes(t) {
		if p.pgrp == pgid {
			out = append(out, p.pid)
		}
	}
	return out
}

// children returns the live child processes of the test process.
func children(t testing.TB) []int {
	var out []int
	me := os.Getpid()
	for _, p := range processes(t) {
		if p.ppid == me {
			out = append(out, p.pid)
		}
	}
	return out
}

// eventually polls cond until it holds or the time is up.
func eventually(t testing.TB, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not within %v: %s", within, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
