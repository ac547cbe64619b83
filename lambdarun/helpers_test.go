package lambdarun

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
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
// aws-lambda-go binary shows (an init error, an init that never ends), and as a runtime whose
// invocations end when the test says so (see gateRuntime).
const helperEnv = "LAMBDARUN_TEST_RUNTIME"

// patience bounds every wait for something that must happen: long enough for a machine under any load,
// and only ever reached when the test fails. No test passes or fails by how fast the machine is.
const patience = 30 * time.Second

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
	case "gate":
		return gateRuntime(api)
	case "raw-other-conn", "raw-expect", "raw-close":
		return rawRuntime(os.Getenv("AWS_LAMBDA_RUNTIME_API"), mode)
	case "vanish":
		// The first process takes one invocation, drops the connection and never answers, without
		// exiting; later ones (the marker file exists) are gate runtimes.
		if f, err := os.OpenFile(os.Getenv("LAMBDARUN_TEST_MARKER"), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644); err == nil {
			_ = f.Close()
			resp, err := http.Get(api + "invocation/next")
			if err != nil {
				return 3
			}
			_ = resp.Body.Close()
			http.DefaultClient.CloseIdleConnections()
			time.Sleep(time.Hour)
		}
		return gateRuntime(api)
	}
	return 2
}

// gateRuntime serves invocations until it is killed: an event {"gate": "<file>"} is answered once that
// file exists (the test creates it when it has seen what it waits for), any other event is echoed at once.
// It lets a test hold an invocation in flight for exactly as long as it needs, instead of guessing a sleep.
func gateRuntime(api string) int {
	for {
		resp, err := http.Get(api + "invocation/next")
		if err != nil {
			return 3
		}
		id := resp.Header.Get("Lambda-Runtime-Aws-Request-Id")
		body, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		var ev struct {
			Gate string `json:"gate"`
		}
		if json.Unmarshal(body, &ev) == nil && ev.Gate != "" {
			for end := time.Now().Add(2 * patience); time.Now().Before(end); time.Sleep(2 * time.Millisecond) {
				if _, err := os.Stat(ev.Gate); err == nil {
					break
				}
			}
		}
		resp, err = http.Post(api+"invocation/"+id+"/response", "application/json", bytes.NewReader(body))
		if err != nil {
			return 3
		}
		_ = resp.Body.Close()
	}
}

// gate is a file-based gate for gateRuntime: event() is an event held until open() is called.
type gate string

func newGate(t testing.TB) gate { return gate(filepath.Join(t.TempDir(), "open")) }

func (g gate) event() string {
	b, _ := json.Marshal(map[string]string{"gate": string(g)})
	return string(b)
}

func (g gate) open(t testing.TB) {
	t.Helper()
	if err := os.WriteFile(string(g), nil, 0o644); err != nil {
		t.Fatal(err)
	}
}

// gatedConfig runs the test binary as a gateRuntime, with a timeout no gate is held for.
func gatedConfig(t testing.TB, cfg Config) Config {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cfg.Command = []string{exe}
	cfg.Env = map[string]string{helperEnv: "gate"}
	if cfg.Timeout == 0 {
		cfg.Timeout = 3 * patience
	}
	return cfg
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

// invoke invokes f with a JSON event and fails the test on an Invoke error. It calls t.Fatal, so it may
// only be called from the test's goroutine; goInvoke is for other goroutines.
func invoke(t testing.TB, f *Function, event string) *Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), patience)
	defer cancel()
	res, err := f.Invoke(ctx, Invocation{Payload: []byte(event)})
	if err != nil {
		t.Fatalf("Invoke(%s): %v", event, err)
	}
	return res
}

// goInvoke invokes f in a goroutine of its own. The channel gets the Result, or nil after an Invoke
// error was reported with t.Error.
func goInvoke(t testing.TB, f *Function, inv Invocation) <-chan *Result {
	out := make(chan *Result, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 3*patience)
		defer cancel()
		res, err := f.Invoke(ctx, inv)
		if err != nil {
			t.Errorf("Invoke(%s): %v", inv.Payload, err)
		}
		out <- res
	}()
	return out
}

// event is an Invocation of a JSON event.
func event(payload string) Invocation { return Invocation{Payload: []byte(payload)} }

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

// processes lists every process of the machine from /proc, and skips the test where there is none.
func processes(t testing.TB) []procEntry {
	t.Helper()
	out, err := readProcesses()
	if err != nil {
		t.Skip("no /proc:", err)
	}
	return out
}

// readProcesses lists every process of the machine from /proc.
func readProcesses() ([]procEntry, error) {
	dirs, err := os.ReadDir("/proc")
	if err != nil {
		return nil, err
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
	return out, nil
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

// children returns the live child processes of the test process. Tests that call it must not run in
// parallel with tests that start processes.
func children(t testing.TB) []int {
	return childrenOf(os.Getpid(), processes(t))
}

func childrenOf(parent int, ps []procEntry) []int {
	var out []int
	for _, p := range ps {
		if p.ppid == parent {
			out = append(out, p.pid)
		}
	}
	return out
}

// eventually polls cond until it holds; the test fails if it does not within patience. It waits for an
// event (a state the code under test reaches), never for a guessed time.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(patience)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not within %v: %s", patience, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
