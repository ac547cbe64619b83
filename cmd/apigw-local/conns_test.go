package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// The attacks of issue 10, point 5, over real connections to an in-process serve. Pass or fail is never
// decided by a tight margin: every wait for the server is bounded by patience (30 s), which only a
// failure reaches, and the assertions are on what happens (the connection is closed, the answer comes)
// rather than on when.
const patience = 30 * time.Second

const connsSpec = `openapi: "3.0.1"
info: {title: conns, version: "1"}
paths:
  /proxy:
    post:
      x-amazon-apigateway-integration:
        type: http_proxy
        httpMethod: POST
        uri: "${stageVariables.backend}/echo"
  /mock:
    post:
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates: {application/json: '{"statusCode": 200}'}
        responses: {default: {statusCode: "200", responseTemplates: {application/json: '{"ok":true}'}}}
      responses: {"200": {description: ok}}
`

// syncBuffer is an io.Writer serve may write to while the test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
	// written is closed (and replaced) at each write, so that waitFor wakes on new output.
	written chan struct{}
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.written != nil {
		close(b.written)
		b.written = nil
	}
	return b.buf.Write(p)
}

// next returns what has been written so far and a channel closed at the next write.
func (b *syncBuffer) next() (string, <-chan struct{}) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.written == nil {
		b.written = make(chan struct{})
	}
	return b.buf.String(), b.written
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// waitFor returns the first match of re in b, failing the test after patience.
func (b *syncBuffer) waitFor(t *testing.T, re string) []string {
	t.Helper()
	pattern := regexp.MustCompile(re)
	deadline := time.After(patience) // reached only when the output never comes
	for {
		out, written := b.next()
		if m := pattern.FindStringSubmatch(out); m != nil {
			return m
		}
		select {
		case <-written:
		case <-deadline:
			t.Fatalf("no output matching %q in:\n%s", re, b.String())
			return nil
		}
	}
}

// testLimits are the production limits with the given changes.
func testLimits(change func(*connLimits)) *connLimits {
	l := productionLimits(0)
	change(&l)
	return &l
}

// serveInProcess runs runServe on 127.0.0.1:0 with connsSpec (stage dev, backend the stage variable) and
// returns its address and its error output.
func serveInProcess(t *testing.T, limits *connLimits, backend string) (addr string, errOut *syncBuffer) {
	addr, _, errOut = serveInProcessLogged(t, limits, backend)
	return addr, errOut
}

// serveInProcessLogged is serveInProcess that also returns the access log.
func serveInProcessLogged(t *testing.T, limits *connLimits, backend string) (addr string, access, errOut *syncBuffer) {
	t.Helper()
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "openapi.yaml"), connsSpec)
	writeFile(t, filepath.Join(dir, "apigw-local.yaml"), fmt.Sprintf("stages:\n  dev:\n    variables: {backend: %q}\n", backend))
	o := &serveOptions{host: "127.0.0.1", port: 0, noWatch: true, logFormat: "text", limits: limits}
	o.config = filepath.Join(dir, "apigw-local.yaml")
	out, errOut := &syncBuffer{}, &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- runServe(ctx, out, errOut, o, []string{filepath.Join(dir, "openapi.yaml")}) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(patience):
			t.Error("serve did not stop")
		}
	})
	return out.waitFor(t, `listening on http://(\S+)`)[1], out, errOut
}

func dial(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// closedByServer reads c until the server closes it (EOF, or a reset) and says how it ended; a read
// still waiting after patience means the server held the connection.
func closedByServer(c net.Conn) (closed bool, how string) {
	c.SetReadDeadline(time.Now().Add(patience))
	n, err := io.Copy(io.Discard, c)
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return false, fmt.Sprintf("still open after %v (%d bytes read)", patience, n)
	}
	return true, fmt.Sprintf("closed after %d bytes (%v)", n, err)
}

// Slow body: headers, then a body trickled far slower than ReadTimeout allows. Before, nothing cut it.
func TestServeCutsSlowBody(t *testing.T) {
	addr, access, _ := serveInProcessLogged(t, testLimits(func(l *connLimits) { l.read = 300 * time.Millisecond }), "http://127.0.0.1:1")
	c := dial(t, addr)
	if _, err := io.WriteString(c, "POST /dev/mock HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	defer close(stop)
	go func() { // one byte every 50 ms: 100,000 bytes would take 80 minutes
		for {
			select {
			case <-stop:
				return
			case <-time.After(50 * time.Millisecond):
				if _, err := c.Write([]byte(" ")); err != nil {
					return
				}
			}
		}
	}()
	if closed, how := closedByServer(c); !closed {
		t.Fatalf("a slow body was not cut: %s", how)
	}
	// The log line blames the client, not the integration (it said 504 INTEGRATION_FAILURE before).
	access.waitFor(t, `POST /dev/mock stage=dev 400 .*BAD_REQUEST_BODY client did not send the whole body`)
}

// Idle keep-alive: a connection with no request after an answered one is closed after IdleTimeout.
// Before, it stayed open for as long as the client kept it.
func TestServeClosesIdleConnection(t *testing.T) {
	addr, _ := serveInProcess(t, testLimits(func(l *connLimits) { l.idle = 300 * time.Millisecond }), "http://127.0.0.1:1")
	c := dial(t, addr)
	if _, err := io.WriteString(c, "POST /dev/mock HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"); err != nil {
		t.Fatal(err)
	}
	c.SetReadDeadline(time.Now().Add(patience))
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Close {
		t.Fatalf("the request before idling: %d %s (close %v); want a kept-alive 200", resp.StatusCode, body, resp.Close)
	}
	if br.Buffered() > 0 {
		t.Fatalf("unexpected bytes after the response: %d", br.Buffered())
	}
	if closed, how := closedByServer(c); !closed {
		t.Fatalf("an idle keep-alive connection was not closed: %s", how)
	}
}

// The connection cap: with 5 connections held, a 6th waits (is accepted only when one closes), and the
// log says so once however often the cap is reached.
func TestServeConnectionCap(t *testing.T) {
	addr, errOut := serveInProcess(t, testLimits(func(l *connLimits) { l.maxConns = 5 }), "http://127.0.0.1:1")
	held := make([]net.Conn, 5)
	for i := range held {
		held[i] = dial(t, addr) // sends nothing: held until readHeaderTimeout (30 s)
	}
	errOut.waitFor(t, `5 connections open, the limit`)

	health := "GET /_apigw/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
	// waits checks that c gets no answer while the cap is reached. Only a broken cap answers; a slow
	// machine makes this check weaker, never wrong.
	waits := func(c net.Conn) {
		t.Helper()
		c.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
		if n, err := c.Read(make([]byte, 1)); !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatalf("a connection over the cap was served (%d bytes, %v)", n, err)
		}
	}
	answered := func(c net.Conn) {
		t.Helper()
		c.SetReadDeadline(time.Now().Add(patience))
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatalf("the waiting connection got no answer once a place was free: %v", err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("health: %d", resp.StatusCode)
		}
	}
	for i, extra := range []net.Conn{dial(t, addr), dial(t, addr)} { // the 6th, then (once it holds a place) a 7th
		if _, err := io.WriteString(extra, health); err != nil {
			t.Fatal(err)
		}
		waits(extra)
		held[i].Close()
		answered(extra)
	}
	if n := strings.Count(errOut.String(), "connections open, the limit"); n != 1 {
		t.Errorf("the cap was logged %d times, want once:\n%s", n, errOut)
	}
}

// Headers: a request within AWS's limits (10,240-byte URL, 10,240 bytes of header values) is served;
// one far over maxHeaderBytes answers 431.
func TestServeHeaderLimit(t *testing.T) {
	addr, _ := serveInProcess(t, nil, "http://127.0.0.1:1")
	send := func(target string, header string) int {
		t.Helper()
		c := dial(t, addr)
		fmt.Fprintf(c, "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 2\r\n%s\r\n{}", target, header)
		c.SetReadDeadline(time.Now().Add(patience))
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	url := "/dev/mock?q=" + strings.Repeat("a", 10240-len("/dev/mock?q="))
	headers := ""
	for i := range 10 {
		headers += fmt.Sprintf("X-H%d: %s\r\n", i, strings.Repeat("v", 1024))
	}
	if got := send(url, headers); got != 200 {
		t.Errorf("a request at AWS's limits answered %d, want 200", got)
	}
	if got := send("/dev/mock", "X-Big: "+strings.Repeat("v", 64<<10)+"\r\n"); got != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("64 KiB of headers answered %d, want 431", got)
	}
}

// A malformed chunked body is the client's fault: 400, not the 504 of a backend failure, on a streamed
// (HTTP_PROXY) route and on one that reads the body first (MOCK).
func TestServeMalformedChunkedBody(t *testing.T) {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		io.WriteString(w, "backend")
	}))
	defer backend.Close()
	addr, _ := serveInProcess(t, nil, backend.URL)
	for _, path := range []string{"/dev/proxy", "/dev/mock"} {
		c := dial(t, addr)
		fmt.Fprintf(c, "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n", path)
		c.SetReadDeadline(time.Now().Add(patience))
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 400 || string(body) != `{"message": "Invalid request body"}` {
			t.Errorf("%s: malformed chunked body answered %d %s, want 400", path, resp.StatusCode, body)
		}
	}
}

func TestProductionLimits(t *testing.T) {
	l := productionLimits(0)
	if l.readHeader != 30*time.Second || l.read != 89*time.Second || l.write != 119*time.Second || l.idle != 60*time.Second || l.maxHeaderBytes != 32<<10 {
		t.Errorf("defaults: %+v", l)
	}
	if l := productionLimits(300 * time.Second); l.read != 360*time.Second || l.write != 390*time.Second {
		t.Errorf("a raised integrationTimeoutMax must raise ReadTimeout and WriteTimeout: %+v", l)
	}
	for _, c := range []struct {
		fd    uint64
		known bool
		want  int
	}{{256, true, 128}, {1024, true, 768}, {1 << 20, true, maxConnsCap}, {^uint64(0), true, maxConnsCap}, {100, true, minConns}, {0, false, maxConnsCap}} {
		if got := connCap(c.fd, c.known); got != c.want {
			t.Errorf("connCap(%d, %v) = %d, want %d", c.fd, c.known, got, c.want)
		}
	}
}

// serve names an HTTP API's $default stage by its root URL (no stage segment), and serves it there.
func TestServeHTTPAPIDefaultStage(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "openapi.yaml"), `openapi: "3.0.1"
info: {title: http, version: "1"}
x-amazon-apigateway-cors: {allowOrigins: ["*"]}
paths:
  /pets:
    get:
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates: {application/json: '{"statusCode": 200}'}
        responses: {default: {statusCode: "200", responseTemplates: {application/json: '{"pets": []}'}}}
`)
	o := &serveOptions{host: "127.0.0.1", port: 0, noWatch: true, logFormat: "text", limits: testLimits(func(*connLimits) {})}
	out, errOut := &syncBuffer{}, &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- runServe(ctx, out, errOut, o, []string{filepath.Join(dir, "openapi.yaml")}) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(patience):
			t.Error("serve did not stop")
		}
	})
	addr := out.waitFor(t, `listening on http://(\S+)`)[1]
	if want := "stage $default: http://" + addr + "/ (an HTTP API's $default stage has no stage segment)"; !strings.Contains(out.String(), want) {
		t.Errorf("start-up output lacks %q:\n%s", want, out.String())
	}
	res, err := http.Get("http://" + addr + "/pets")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || string(body) != `{"pets": []}` {
		t.Errorf("GET /pets: %d %s", res.StatusCode, body)
	}
}
