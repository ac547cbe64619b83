package lambdarun

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// runtimeAPIOf returns the AWS_LAMBDA_RUNTIME_API of f's only live process, read from /proc (the
// value the process itself was given), and skips the test where /proc does not exist.
func runtimeAPIOf(t *testing.T, f *Function) string {
	t.Helper()
	var pids []int
	eventually(t, "one live process", func() bool { pids = f.pids(); return len(pids) == 1 })
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pids[0]) + "/environ")
	if err != nil {
		t.Skipf("no /proc: %v", err)
	}
	for _, kv := range bytes.Split(b, []byte{0}) {
		if v, ok := strings.CutPrefix(string(kv), "AWS_LAMBDA_RUNTIME_API="); ok {
			return v
		}
	}
	t.Fatal("no AWS_LAMBDA_RUNTIME_API in the process's environment")
	return ""
}

// foreignNext is another local process calling the endpoint's /next: host:port only, as a port scan
// finds it. It returns the status it got and the request id of any invocation it was handed.
func foreignNext(hostPort string) (status int, requestID string, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), patience)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+hostPort+"/2018-06-01/runtime/invocation/next", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, "", err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close() // a runtime that takes an invocation and disappears
	return resp.StatusCode, resp.Header.Get(hdrRequestID), nil
}

// The attack of issue 10, point 3: a local process that calls a function's Runtime API /next gets a
// 403 and a log line, never an invocation, and the function keeps serving every later request.
func TestForeignRuntimeClientRefused(t *testing.T) {
	log := &syncBuffer{}
	f := start(t, Config{Name: "echo", Command: []string{fixture("echo")}, Concurrency: 1, Timeout: time.Second, Log: log})
	if res := invoke(t, f, `{"n":0}`); string(res.Payload) != `{"n":0}` {
		t.Fatalf("warm-up: %s", res.Payload)
	}
	api := runtimeAPIOf(t, f)
	hostPort, _, _ := strings.Cut(api, "/")

	type answer struct {
		status int
		id     string
		err    error
	}
	foreign := make(chan answer, 1)
	stop := make(chan struct{})
	go func() {
		// An attacker retries until it is handed an invocation (or the test is done with it).
		var a answer
		for {
			a.status, a.id, a.err = foreignNext(hostPort)
			if a.err != nil || a.id != "" {
				break
			}
			select {
			case <-stop:
			default:
				continue
			}
			break
		}
		foreign <- a
	}()
	var a answer
	answered := false
	// Invocations while the foreign call is made (and, were it parked in /next, pending for it).
	for i := 1; i <= 10; i++ {
		want := `{"n":` + strconv.Itoa(i) + `}`
		if res := invoke(t, f, want); string(res.Payload) != want || res.FunctionError != "" {
			t.Errorf("invocation %d: %s %s, want %s", i, res.FunctionError, res.Payload, want)
		}
	}
	close(stop)
	if !answered {
		a = <-foreign
	}
	t.Logf("foreign /next: status %d, request id %q, err %v; stats %+v", a.status, a.id, a.err, f.Stats())
	if a.err != nil || a.status != http.StatusForbidden || a.id != "" {
		t.Errorf("foreign /next: status %d, request id %q, err %v; want 403 and no invocation", a.status, a.id, a.err)
	}
	// The line is written before the 403 is: no wait needed.
	if !strings.Contains(log.String(), "refused") || !strings.Contains(log.String(), hostPort) {
		t.Errorf("no log line naming the endpoint %s and the refused caller:\n%s", hostPort, log)
	}
	if s := f.Stats(); s.Spawns != 1 || s.Timeouts != 0 || s.Crashes != 0 {
		t.Errorf("stats %+v: the real process should have served everything", s)
	}

	// The old wedge: a foreign caller that takes nothing, then ten invocations.
	// A caller that knows the form of the address but not its secret is no better off.
	for i, addr := range []string{hostPort, hostPort, hostPort + "/AAAAAAAAAAAAAAAAAAAAAAAAAA", hostPort + "/"} {
		if s, id, err := foreignNext(addr); err != nil || s != http.StatusForbidden || id != "" {
			t.Errorf("foreign /next #%d (%s): %d %q %v", i, addr, s, id, err)
		}
	}
	for i := 11; i <= 20; i++ {
		want := `{"n":` + strconv.Itoa(i) + `}`
		if res := invoke(t, f, want); string(res.Payload) != want {
			t.Errorf("invocation %d after the foreign calls: %s %s", i, res.FunctionError, res.Payload)
		}
	}
}

// A runtime that takes an invocation and then disappears without exiting (closes its connection, never
// answers) does not wedge the pool: the invocation fails at its timeout, the process is replaced, and
// later invocations are served.
func TestRuntimeVanishesAfterNext(t *testing.T) {
	cfg := gatedConfig(t, Config{Name: "vanish", Concurrency: 1, Timeout: 300 * time.Millisecond})
	cfg.Env = map[string]string{helperEnv: "vanish", "LAMBDARUN_TEST_MARKER": filepath.Join(t.TempDir(), "taken")}
	f := start(t, cfg)
	res := invoke(t, f, `{"n":0}`)
	if e := decodeError(t, res); e.ErrorType != "Sandbox.Timedout" {
		t.Fatalf("taken and dropped invocation: %+v, want Sandbox.Timedout", e)
	}
	for i := 1; i <= 10; i++ {
		want := `{"n":` + strconv.Itoa(i) + `}`
		if res := invoke(t, f, want); string(res.Payload) != want || res.FunctionError != "" {
			t.Errorf("invocation %d: %s %s, want %s", i, res.FunctionError, res.Payload, want)
		}
	}
	if s := f.Stats(); s.Spawns != 2 || s.Timeouts != 1 {
		t.Errorf("stats %+v: want the vanished process replaced once", s)
	}
}

// The secret in AWS_LAMBDA_RUNTIME_API reaches the Extensions API too: aws-lambda-go's
// WithEnableSIGTERM registers its internal extension (on a connection of its own) and gets SIGTERM at
// Close, with no refused request.
func TestSecretCoversExtensionsAPI(t *testing.T) {
	log := &syncBuffer{}
	f := start(t, Config{Name: "sleep", Command: []string{fixture("sleep")}, Log: log})
	if res := invoke(t, f, `{"ms":0}`); string(res.Payload) != `{"slept":0}` {
		t.Fatalf("got %s %s", res.FunctionError, res.Payload)
	}
	eventually(t, "the internal extension registered", func() bool {
		f.mu.Lock()
		defer f.mu.Unlock()
		for p := range f.procs {
			if p.ep != nil && len(p.ep.extensions) == 1 {
				return true
			}
		}
		return false
	})
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	out := log.String()
	if strings.Contains(out, "refused") || strings.Contains(out, "Failed to register") {
		t.Errorf("log:\n%s", out)
	}
	if !strings.Contains(out, "SIGTERM received") {
		t.Errorf("no SIGTERM in the log:\n%s", out)
	}
}

// An external runtime that called /next and went away (a stopped debugging session) is skipped: the
// invocation goes to the runtime still waiting, instead of into a dead connection until its timeout.
func TestGoneRuntimeSkipped(t *testing.T) {
	port := freePort(t)
	f := start(t, Config{Name: "gone", ExternalPort: port, Timeout: patience})
	addr := "127.0.0.1:" + strconv.Itoa(port)
	const next = "GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: x\r\n\r\n"
	dial := func() net.Conn {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		if _, err := io.WriteString(c, next); err != nil {
			t.Fatal(err)
		}
		return c
	}
	gone := dial()
	eventually(t, "the first runtime waits", func() bool { return f.Stats().Idle == 1 })
	live := dial()
	eventually(t, "both runtimes wait", func() bool { return f.Stats().Idle == 2 })
	gone.Close()
	eventually(t, "the gateway can see the first one gone", func() bool {
		f.mu.Lock()
		defer f.mu.Unlock()
		return !f.ext.parked[0].alive()
	})

	results := make(chan *Result, 1)
	go func() {
		res, err := f.Invoke(context.Background(), Invocation{RequestID: "req-1", Payload: []byte(`{"a":1}`)})
		if err != nil {
			t.Error(err)
		}
		results <- res
	}()
	br := bufio.NewReader(live)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || resp.Header.Get("Lambda-Runtime-Aws-Request-Id") != "req-1" || string(body) != `{"a":1}` {
		t.Fatalf("the live runtime got %d %v %s", resp.StatusCode, resp.Header, body)
	}
	if _, err := io.WriteString(live, "POST /2018-06-01/runtime/invocation/req-1/response HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nok"); err != nil {
		t.Fatal(err)
	}
	if res := <-results; res == nil || string(res.Payload) != "ok" {
		t.Fatalf("result %+v", res)
	}
	// The runtime calls /next again: only it waits now (the dead connection was dropped).
	if _, err := io.WriteString(live, next); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the live runtime alone waits", func() bool {
		f.mu.Lock()
		defer f.mu.Unlock()
		return len(f.ext.parked) == 1 && f.ext.parked[0].nc.LocalAddr().String() != "" && len(f.ext.conns) == 1
	})
}
