package lambdarun

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
)

// rawRuntime is a runtime written on raw connections, for the ways real clients use HTTP that
// aws-lambda-go does not:
//   - raw-other-conn: each answer on a new connection, and the next /next on that one too, the
//     connection the event came on left open and idle (a client with a pool of connections);
//   - raw-expect: answers with Expect: 100-continue and sends the body only after 100 Continue (curl, and
//     runtimes built on libcurl, do this for bodies over 1 KB);
//   - raw-close: answers with Connection: close, and calls /next on a new connection each time.
//
// Each event is echoed.
func rawRuntime(api, mode string) int {
	hostPort, secret, _ := strings.Cut(api, "/")
	prefix := "/" + secret + "/2018-06-01/runtime/"
	dial := func() (net.Conn, *bufio.Reader) {
		c, err := net.Dial("tcp", hostPort)
		if err != nil {
			os.Exit(3)
		}
		return c, bufio.NewReader(c)
	}
	next, nextR := dial()
	var idle []net.Conn // left open, as a pool keeps them
	for {
		fmt.Fprintf(next, "GET %sinvocation/next HTTP/1.1\r\nHost: x\r\n\r\n", prefix)
		resp, err := http.ReadResponse(nextR, nil)
		if err != nil {
			return 3
		}
		id := resp.Header.Get("Lambda-Runtime-Aws-Request-Id")
		event, _ := io.ReadAll(resp.Body)
		resp.Body.Close()

		post, postR := next, nextR
		if mode == "raw-other-conn" {
			post, postR = dial()
		}
		head := fmt.Sprintf("POST %sinvocation/%s/response HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n", prefix, id, len(event))
		switch mode {
		case "raw-expect":
			fmt.Fprintf(post, "%sExpect: 100-continue\r\n\r\n", head)
			cont, err := http.ReadResponse(postR, nil)
			if err != nil || cont.StatusCode != http.StatusContinue {
				return 4
			}
		case "raw-close":
			fmt.Fprintf(post, "%sConnection: close\r\n\r\n", head)
		default:
			fmt.Fprintf(post, "%s\r\n", head)
		}
		if _, err := post.Write(event); err != nil {
			return 3
		}
		ack, err := http.ReadResponse(postR, nil)
		if err != nil || ack.StatusCode != http.StatusAccepted {
			return 5
		}
		_, _ = io.Copy(io.Discard, ack.Body)
		ack.Body.Close()
		switch mode {
		case "raw-other-conn":
			idle = append(idle, next)
			next, nextR = post, postR
		case "raw-close":
			if _, err := postR.ReadByte(); err != io.EOF {
				return 6 // the gateway must close the connection it was asked to
			}
			post.Close()
			next, nextR = dial()
		}
	}
}

// Runtimes that answer on another connection, wait for 100 Continue, or close their connection after
// each answer are served like aws-lambda-go: every invocation gets its own answer, sequentially and with
// invocations queued behind one another, and the process stays warm.
func TestRuntimeConnectionStyles(t *testing.T) {
	for _, mode := range []string{"raw-other-conn", "raw-expect", "raw-close"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			cfg := gatedConfig(t, Config{Name: mode, Concurrency: 1})
			cfg.Env = map[string]string{helperEnv: mode}
			f := start(t, cfg)
			big := `{"pad":"` + strings.Repeat("x", 4096) + `"}` // over curl's 1 KB Expect threshold
			for i, event := range []string{`{"n":0}`, big, `{"n":2}`} {
				if res := invoke(t, f, event); string(res.Payload) != event || res.FunctionError != "" {
					t.Fatalf("invocation %d: %s %.80s", i, res.FunctionError, res.Payload)
				}
			}
			var wg sync.WaitGroup
			for i := range 8 { // queued behind the one process
				wg.Add(1)
				go func() {
					defer wg.Done()
					want := `{"n":` + strconv.Itoa(10+i) + `}`
					ctx, cancel := context.WithTimeout(context.Background(), patience)
					defer cancel()
					res, err := f.Invoke(ctx, Invocation{Payload: []byte(want)})
					if err != nil || string(res.Payload) != want {
						t.Errorf("queued invocation: %v %+v", err, res)
					}
				}()
			}
			wg.Wait()
			if s := f.Stats(); s.Spawns != 1 || s.Crashes != 0 || s.Invocations != 11 {
				t.Errorf("stats %+v: want one process serving all 11 invocations", s)
			}
		})
	}
}

// A request head over 1 MB is refused with 400 and its connection closed, instead of being buffered;
// the endpoint goes on serving.
func TestRuntimeAPIHeadLimit(t *testing.T) {
	port := freePort(t)
	f := start(t, Config{Name: "heads", ExternalPort: port, Timeout: patience})
	c, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	go func() {
		fmt.Fprintf(c, "GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: x\r\n")
		line := "X-Pad: " + strings.Repeat("a", 1000) + "\r\n"
		for range 1100 { // 1.1 MB of headers
			if _, err := io.WriteString(c, line); err != nil {
				return // closed by the gateway, as it should
			}
		}
	}()
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusBadRequest || !resp.Close {
		t.Errorf("answer to a 1.1 MB head: %d (close %v), want 400 and the connection closed", resp.StatusCode, resp.Close)
	}
	if s := f.Stats(); s.Idle != 0 {
		t.Errorf("stats %+v: the refused request must not be waiting for an invocation", s)
	}
	rc := runtimeClient{"http://127.0.0.1:" + strconv.Itoa(port)}
	if resp, _ := rc.do(t, "POST", "/2020-01-01/extension/register", map[string]string{"Lambda-Extension-Name": "x"}, nil); resp.StatusCode != 200 {
		t.Errorf("the endpoint after the refused request: %d", resp.StatusCode)
	}
}

// flakyListener fails its first Accept as a process out of file descriptors does.
type flakyListener struct {
	net.Listener
	failed bool
}

func (l *flakyListener) Accept() (net.Conn, error) {
	if !l.failed {
		l.failed = true
		return nil, &net.OpError{Op: "accept", Net: "tcp", Err: os.NewSyscallError("accept4", syscall.EMFILE)}
	}
	return l.Listener.Accept()
}

// An endpoint whose accept fails (out of file descriptors, for a moment) keeps accepting: the runtime can
// still connect once the condition passes.
func TestRuntimeAPIAcceptRetries(t *testing.T) {
	f := start(t, Config{Name: "fds", ExternalPort: freePort(t), Timeout: patience})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	e := newEndpoint(f, nil)
	var wg sync.WaitGroup
	e.serve(&flakyListener{Listener: ln}, &wg)
	defer func() { e.close(); wg.Wait() }()
	rc := runtimeClient{"http://" + ln.Addr().String()}
	if resp, _ := rc.do(t, "POST", "/2020-01-01/extension/register", map[string]string{"Lambda-Extension-Name": "x"}, nil); resp.StatusCode != 200 {
		t.Errorf("after a failed accept: %d", resp.StatusCode)
	}
}
