package lambdarun

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// freePort finds a port that is free now.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func TestExternalRuntime(t *testing.T) {
	port := freePort(t)
	f := start(t, Config{Name: "MyAuthorizer", ExternalPort: port, Timeout: 3 * patience})

	// The invocation waits for the runtime, which the user starts later (here: the echo binary).
	done := goInvoke(t, f, event(`{"type":"TOKEN"}`))
	eventually(t, "the invocation waits for a runtime", func() bool { return f.Stats().Queued == 1 })

	cmd := exec.Command(fixture("echo"))
	cmd.Env = []string{"AWS_LAMBDA_RUNTIME_API=127.0.0.1:" + strconv.Itoa(port)}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()

	select {
	case res := <-done:
		if res != nil && (string(res.Payload) != `{"type":"TOKEN"}` || res.FunctionError != "") {
			t.Errorf("got %q %s", res.FunctionError, res.Payload)
		}
	case <-time.After(patience):
		t.Fatal("the external runtime never answered")
	}
	if res := invoke(t, f, `{"again":true}`); string(res.Payload) != `{"again":true}` {
		t.Errorf("second invocation: %s", res.Payload)
	}
	if s := f.Stats(); s.Spawns != 0 || s.Invocations != 2 {
		t.Errorf("stats %+v: an external runtime is never spawned", s)
	}
}

func TestExternalRuntimeAbsent(t *testing.T) {
	f := start(t, Config{ExternalPort: freePort(t), Timeout: 300 * time.Millisecond})
	began := time.Now()
	res, err := f.Invoke(context.Background(), Invocation{RequestID: "req-nobody", Payload: []byte(`{}`)})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"errorType":"Sandbox.Timedout","errorMessage":"RequestId: req-nobody Error: Task timed out after 0.30 seconds"}`
	if string(res.Payload) != want {
		t.Errorf("got %s, want %s", res.Payload, want)
	}
	// Never before the timeout; the upper bound only says it did not wait forever.
	if took := time.Since(began); took < 300*time.Millisecond || took > patience {
		t.Errorf("took %v", took)
	}
	if s := f.Stats(); s.Queued != 0 {
		t.Errorf("a timed-out invocation must leave the queue: %+v", s)
	}
}

func TestExternalPortInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, err = Start(context.Background(), Config{Name: "a", ExternalPort: ln.Addr().(*net.TCPAddr).Port})
	if err == nil || !strings.Contains(err.Error(), "address already in use") {
		t.Errorf("Start = %v", err)
	}
}

// runtimeClient is the test playing a runtime by hand, to see the Runtime API's answers.
type runtimeClient struct {
	base string
}

// do sends one request; t is the test (or subtest) calling it, on its own goroutine.
func (c runtimeClient) do(t *testing.T, method, path string, header map[string]string, body io.Reader) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, c.base+path, body)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	return resp, string(b)
}

func TestRuntimeAPI(t *testing.T) {
	port := freePort(t)
	f := start(t, Config{Name: "GetPets", ExternalPort: port, Timeout: patience, Region: "eu-west-1"})
	c := runtimeClient{"http://127.0.0.1:" + strconv.Itoa(port)}

	results := make(chan *Result, 1)
	submit := func(inv Invocation) {
		go func() {
			res, err := f.Invoke(context.Background(), inv)
			if err != nil {
				t.Error(err)
			}
			results <- res
		}()
	}

	t.Run("next carries the invocation", func(t *testing.T) {
		before := time.Now()
		submit(Invocation{RequestID: "req-1", Payload: []byte(`{"a":1}`), TraceID: "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1",
			ClientContext: `{"custom":{"k":"v"}}`, CognitoIdentity: `{"cognitoIdentityId":"id"}`})
		resp, body := c.do(t, "GET", "/2018-06-01/runtime/invocation/next", nil, nil)
		after := time.Now()
		h := resp.Header
		if resp.StatusCode != 200 || body != `{"a":1}` || h.Get("Lambda-Runtime-Aws-Request-Id") != "req-1" ||
			h.Get("Lambda-Runtime-Invoked-Function-Arn") != "arn:aws:lambda:eu-west-1:123456789012:function:GetPets" ||
			h.Get("Lambda-Runtime-Trace-Id") != "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1" ||
			h.Get("Lambda-Runtime-Client-Context") != `{"custom":{"k":"v"}}` ||
			h.Get("Lambda-Runtime-Cognito-Identity") != `{"cognitoIdentityId":"id"}` ||
			h.Get("Content-Type") != "application/json" {
			t.Fatalf("next: %d %s %v", resp.StatusCode, body, h)
		}
		// The external runtime's timeout runs from Invoke, which was called between before and after;
		// the header is in whole milliseconds.
		ms, _ := strconv.ParseInt(h.Get("Lambda-Runtime-Deadline-Ms"), 10, 64)
		deadline := time.UnixMilli(ms)
		if deadline.Before(before.Add(patience).Truncate(time.Millisecond)) || deadline.After(after.Add(patience)) {
			t.Errorf("deadline %v after Invoke (next answered in %v), want the %v timeout", deadline.Sub(before), after.Sub(before), patience)
		}
	})
	t.Run("unknown request id", func(t *testing.T) {
		resp, body := c.do(t, "POST", "/2018-06-01/runtime/invocation/nope/response", nil, strings.NewReader(`1`))
		if resp.StatusCode != 400 || body != `{"errorMessage":"Invalid request ID","errorType":"InvalidRequestID"}` {
			t.Errorf("%d %s", resp.StatusCode, body)
		}
	})
	t.Run("unknown path", func(t *testing.T) {
		if resp, _ := c.do(t, "GET", "/2018-06-01/runtime/telemetry", nil, nil); resp.StatusCode != 404 {
			t.Errorf("status %d", resp.StatusCode)
		}
		if resp, _ := c.do(t, "GET", "/2018-06-01/runtime/invocation/req-1/response", nil, nil); resp.StatusCode != 405 {
			t.Errorf("wrong method: status %d", resp.StatusCode)
		}
	})
	t.Run("oversized response", func(t *testing.T) {
		resp, body := c.do(t, "POST", "/2018-06-01/runtime/invocation/req-1/response", nil,
			strings.NewReader(strings.Repeat("x", MaxResponsePayload+10)))
		if resp.StatusCode != 413 || body != `{"errorMessage":"Exceeded maximum allowed payload size (6291556 bytes).","errorType":"RequestEntityTooLarge"}` {
			t.Errorf("%d %s", resp.StatusCode, body)
		}
		res := <-results
		if e := decodeError(t, res); e.ErrorType != "Function.ResponseSizeTooLarge" ||
			e.ErrorMessage != "Response payload size (6291566 bytes) exceeded maximum allowed payload size (6291556 bytes)." {
			t.Errorf("%+v", e)
		}
	})
	t.Run("error", func(t *testing.T) {
		submit(Invocation{RequestID: "req-2", Payload: []byte(`{}`)})
		c.do(t, "GET", "/2018-06-01/runtime/invocation/next", nil, nil)
		resp, body := c.do(t, "POST", "/2018-06-01/runtime/invocation/req-2/error",
			map[string]string{"Lambda-Runtime-Function-Error-Type": "Runtime.Custom"},
			strings.NewReader(`{"errorMessage":"x","errorType":"Custom","stackTrace":["a.py:1"]}`))
		if resp.StatusCode != 202 || body != `{"status":"OK"}` {
			t.Errorf("%d %s", resp.StatusCode, body)
		}
		if res := <-results; string(res.Payload) != `{"errorMessage":"x","errorType":"Custom","stackTrace":["a.py:1"]}` || res.FunctionError != "Unhandled" {
			t.Errorf("%q %s", res.FunctionError, res.Payload)
		}
		// An error without a body is described by its header.
		submit(Invocation{RequestID: "req-3", Payload: []byte(`{}`)})
		c.do(t, "GET", "/2018-06-01/runtime/invocation/next", nil, nil)
		c.do(t, "POST", "/2018-06-01/runtime/invocation/req-3/error", map[string]string{"Lambda-Runtime-Function-Error-Type": "Runtime.Custom"}, nil)
		if res := <-results; string(res.Payload) != `{"errorType":"Runtime.Custom","errorMessage":""}` {
			t.Errorf("%s", res.Payload)
		}
		// A second answer to the same invocation is refused.
		if resp, _ := c.do(t, "POST", "/2018-06-01/runtime/invocation/req-3/response", nil, strings.NewReader(`1`)); resp.StatusCode != 400 {
			t.Errorf("second answer: %d", resp.StatusCode)
		}
	})
	t.Run("init error", func(t *testing.T) {
		submit(Invocation{RequestID: "req-4", Payload: []byte(`{}`)})
		eventually(t, "queued", func() bool { return f.Stats().Queued == 1 })
		resp, _ := c.do(t, "POST", "/2018-06-01/runtime/init/error", map[string]string{"Lambda-Runtime-Function-Error-Type": "Runtime.ImportModuleError"},
			strings.NewReader(`{"errorMessage":"Unable to import module 'app'","errorType":"Runtime.ImportModuleError"}`))
		if resp.StatusCode != 202 {
			t.Errorf("status %d", resp.StatusCode)
		}
		if res := <-results; string(res.Payload) != `{"errorMessage":"Unable to import module 'app'","errorType":"Runtime.ImportModuleError"}` {
			t.Errorf("%s", res.Payload)
		}
	})
	t.Run("extensions", func(t *testing.T) {
		resp, body := c.do(t, "POST", "/2020-01-01/extension/register", map[string]string{"Lambda-Extension-Name": "GoLangEnableSIGTERM"},
			strings.NewReader(`{"events":[]}`))
		id := resp.Header.Get("Lambda-Extension-Identifier")
		var info map[string]string
		_ = json.Unmarshal([]byte(body), &info)
		if resp.StatusCode != 200 || id == "" || info["functionName"] != "GetPets" || info["functionVersion"] != "$LATEST" {
			t.Errorf("register: %d %q %s", resp.StatusCode, id, body)
		}
		if resp, _ := c.do(t, "POST", "/2020-01-01/extension/register", nil, nil); resp.StatusCode != 403 {
			t.Errorf("register without a name: %d", resp.StatusCode)
		}
		if resp, body := c.do(t, "GET", "/2020-01-01/extension/event/next", map[string]string{"Lambda-Extension-Identifier": "nope"}, nil); resp.StatusCode != 403 ||
			!strings.Contains(body, "Extension.UnknownExtensionIdentifier") {
			t.Errorf("unknown extension: %d %s", resp.StatusCode, body)
		}
		// A registered extension's event/next blocks (no events are delivered).
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, "GET", c.base+"/2020-01-01/extension/event/next", nil)
		req.Header.Set("Lambda-Extension-Identifier", id)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
			t.Errorf("event/next answered %d, want it to block", resp.StatusCode)
		}
	})
	t.Run("late answer after timeout", func(t *testing.T) {
		short := start(t, Config{Name: "late", ExternalPort: freePort(t), Timeout: 200 * time.Millisecond, Log: &syncBuffer{}})
		sc := runtimeClient{"http://127.0.0.1:" + strconv.Itoa(short.cfg.ExternalPort)}
		go func() {
			_, _ = short.Invoke(context.Background(), Invocation{RequestID: "req-late", Payload: []byte(`{}`)})
		}()
		sc.do(t, "GET", "/2018-06-01/runtime/invocation/next", nil, nil)
		// Stopped at a breakpoint until the invocation has timed out.
		eventually(t, "the invocation times out", func() bool { return short.Stats().Timeouts == 1 })
		if resp, _ := sc.do(t, "POST", "/2018-06-01/runtime/invocation/req-late/response", nil, strings.NewReader(`1`)); resp.StatusCode != 202 {
			t.Errorf("a debugger's late answer: %d, want 202 so that the runtime keeps going", resp.StatusCode)
		}
	})
}
