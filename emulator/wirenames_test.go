package emulator

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// A request finds its own head: the last one with its request line in what the connection read, after
// earlier requests, their bodies, and folded lines.
func TestWireConnHeaderNames(t *testing.T) {
	c := &wireConn{}
	req := func(method, uri string) *http.Request {
		return &http.Request{Method: method, RequestURI: uri, Proto: "HTTP/1.1"}
	}
	c.buf = []byte("POST /a HTTP/1.1\r\nHost: h\r\nx-One: 1\r\nContent-Length: 30\r\n\r\n")
	if got := c.headerNames(req("POST", "/a")); !reflect.DeepEqual(got, []string{"Host", "x-One", "Content-Length"}) {
		t.Errorf("POST /a: %q", got)
	}
	c.buf = append(c.buf, "GET /b HTTP/1.1\r\nX-In-Body: 1\r\n\r\nGET /b HTTP/1.1\r\nhost: h\r\nX-TWO: 2\r\n folded\r\n\r\n"...)
	if got := c.headerNames(req("GET", "/b")); !reflect.DeepEqual(got, []string{"host", "X-TWO"}) {
		t.Errorf("GET /b: %q", got)
	}
	if got := c.headerNames(req("GET", "/c")); got != nil {
		t.Errorf("GET /c, never sent: %q", got)
	}
	// What a connection keeps stays bounded through an upload.
	client, server := net.Pipe()
	wc := &wireConn{Conn: server}
	go func() {
		chunk := make([]byte, 4096)
		for range 100 {
			_, _ = client.Write(chunk)
		}
		client.Close()
	}()
	n, _ := io.Copy(io.Discard, wc)
	if n != 409600 || len(wc.buf) > 2*maxWireBytes {
		t.Errorf("read %d bytes, kept %d", n, len(wc.buf))
	}
}

// Over a real connection, a template's $input.params().header keys are the client's spelling, lookups
// stay case-insensitive, and requests on one keep-alive connection each see their own names: in a MOCK's
// response template and in an HTTP (non-proxy) integration's request template, which the backend echoes.
func TestHeaderNamesAsSent(t *testing.T) {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(w, r.Body)
	}))
	t.Cleanup(backend.Close)
	const tmpl = `'#set($h = $input.params().header)#foreach($k in $h.keySet())$k=$h.get($k);#end|$input.params(''X-CUSTOM-header'')|$h'`
	doc := `openapi: "3.0.1"
info: {title: names, version: "1"}
paths:
  /h:
    get:
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates: {application/json: '{"statusCode": 200}'}
        responses:
          default:
            statusCode: "200"
            responseTemplates:
              application/json: ` + tmpl + `
  /p:
    get:
      x-amazon-apigateway-integration:
        type: http
        httpMethod: POST
        uri: "` + backend.URL + `/echo"
        passthroughBehavior: when_no_templates
        requestTemplates: {application/json: ` + tmpl + `}
        responses: {default: {statusCode: "200"}}
`
	snap := loadFiles(t, t.TempDir(), doc, "")
	g := NewGateway(snap, NewAccessLog(io.Discard, LogText, false))
	t.Cleanup(func() { g.Close() })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: g, ConnContext: WireConnContext}
	go hs.Serve(WireNames(ln))
	t.Cleanup(func() { hs.Close() })
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(30 * time.Second))
	br := bufio.NewReader(c)
	for _, c2 := range []struct{ path, header, want string }{
		{"/h", "x-Custom-HEADER: one\r\nACCEPT: */*\r\n",
			"ACCEPT=*/*;Host=127.0.0.1;x-Custom-HEADER=one;|one|{ACCEPT=*/*, Host=127.0.0.1, x-Custom-HEADER=one}"},
		{"/h", "X-custom-header: two\r\n", "Host=127.0.0.1;X-custom-header=two;|two|{Host=127.0.0.1, X-custom-header=two}"},
		{"/p", "x-Custom-HEADER: three\r\nfoo: 1\r\nFOO: 2\r\n",
			"foo=1;Host=127.0.0.1;x-Custom-HEADER=three;|three|{foo=1, Host=127.0.0.1, x-Custom-HEADER=three}"},
	} {
		fmt.Fprintf(c, "GET /dev%s HTTP/1.1\r\nHost: 127.0.0.1\r\n%s\r\n", c2.path, c2.header)
		res, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || strings.TrimSpace(string(body)) != c2.want {
			t.Errorf("%s %q: %d %q, want %q", c2.path, c2.header, res.StatusCode, body, c2.want)
		}
	}
}

// A REST proxy event's headers keep the client's spelling too (reference §e.1: "tEsT-HEADeR").
func TestProxyEventHeaderNamesAsSent(t *testing.T) {
	const doc = `openapi: "3.0.1"
info: {title: names, version: "1"}
paths:
  /e:
    get:
      x-amazon-apigateway-integration: {type: aws_proxy, httpMethod: POST, uri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/Echo/invocations"}
`
	snap := loadFiles(t, t.TempDir(), doc, "")
	g := NewGateway(snap, NewAccessLog(io.Discard, LogText, false))
	t.Cleanup(func() { g.Close() })
	g.RegisterHandler("Echo", handlerFunc(func(ctx context.Context, payload []byte) ([]byte, error) {
		var ev struct {
			Headers map[string]string `json:"headers"`
		}
		_ = json.Unmarshal(payload, &ev)
		var names []string
		for k := range ev.Headers {
			names = append(names, k)
		}
		slices.Sort(names)
		return json.Marshal(map[string]any{"statusCode": 200, "body": strings.Join(names, ",")})
	}))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: g, ConnContext: WireConnContext}
	go hs.Serve(WireNames(ln))
	t.Cleanup(func() { hs.Close() })
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(30 * time.Second))
	fmt.Fprintf(c, "GET /dev/e HTTP/1.1\r\nHost: 127.0.0.1\r\ntEsT-HEADeR: 1\r\n\r\n")
	res, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !strings.Contains(string(body), "tEsT-HEADeR") {
		t.Errorf("the event's header names: %s, want tEsT-HEADeR among them", body)
	}
}
