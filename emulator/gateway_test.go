package emulator

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apigw-local/apigw-local/internal/config"
	"github.com/apigw-local/apigw-local/internal/spec"
)

// echo is what the test backend saw, in the shape of the echo servers used for AWS's recordings.
type echo struct {
	Method  string              `json:"method"`
	Path    string              `json:"path"`
	RawPath string              `json:"rawPath"`
	Args    map[string][]string `json:"args"`
	Headers map[string][]string `json:"headers"` // lower-case names
	Body    string              `json:"body"`
	Host    string              `json:"host"`
}

// newEcho starts a backend on 127.0.0.1:0 that answers with what it received. /status/NNN answers NNN;
// /slow answers after 60 s, or when the request is cancelled.
func newEcho(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		e := echo{Method: r.Method, Path: r.URL.Path, RawPath: r.URL.EscapedPath(), Args: r.URL.Query(), Headers: map[string][]string{}, Body: string(body), Host: r.Host}
		for k, vs := range r.Header {
			e.Headers[strings.ToLower(k)] = vs
		}
		if r.Host != "" {
			e.Headers["host"] = []string{r.Host}
		}
		if strings.HasPrefix(r.URL.Path, "/slow") {
			select {
			case <-time.After(60 * time.Second):
			case <-r.Context().Done():
				return
			}
		}
		status := http.StatusOK
		if m := regexp.MustCompile(`^/status/(\d{3})$`).FindStringSubmatch(r.URL.Path); m != nil {
			status = atoi(m[1])
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("x-amzn-RequestId", "backend-request-id")
		w.Header().Set("Server", "echo/1.0")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(e)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}

// newGateway serves specYAML (with {{backend}} replaced) and configYAML over real HTTP on 127.0.0.1:0.
func newGateway(t *testing.T, specYAML, configYAML string) (*httptest.Server, *Gateway) {
	t.Helper()
	snap := loadFiles(t, t.TempDir(), specYAML, configYAML)
	g := NewGateway(snap, nil)
	srv := httptest.NewServer(g)
	t.Cleanup(srv.Close)
	return srv, g
}

// loadFiles writes a spec (openapi.yaml) and, when configYAML is not empty, a config (apigw-local.yaml)
// into dir, loads them and builds the snapshot; any finding of error severity fails the test.
func loadFiles(tb testing.TB, dir, specYAML, configYAML string) *Snapshot {
	tb.Helper()
	l := loadFilesFindings(tb, dir, specYAML, configYAML)
	snap, err := l.Snapshot()
	if err != nil {
		tb.Fatal(err)
	}
	return snap
}

// loadFilesFindings is loadFiles that returns what was loaded, findings included.
func loadFilesFindings(tb testing.TB, dir, specYAML, configYAML string) *Loaded {
	tb.Helper()
	specPath := filepath.Join(dir, "openapi.yaml")
	if err := os.WriteFile(specPath, []byte(specYAML), 0o644); err != nil {
		tb.Fatal(err)
	}
	src := Sources{Specs: []string{specPath}}
	if configYAML != "" {
		src.Config = filepath.Join(dir, "apigw-local.yaml")
		if err := os.WriteFile(src.Config, []byte(configYAML), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	l, err := Load(src)
	if err != nil {
		tb.Fatalf("load: %v\n%s", err, l.Findings.Error())
	}
	return l
}

type result struct {
	status int
	header http.Header
	body   []byte
}

// do sends a request and fails the test if there is no answer. It calls t.Fatal, so it may only be
// called from the test's goroutine; other goroutines call request.
func do(t *testing.T, method, u string, header map[string]string, body string) result {
	t.Helper()
	r, err := request(method, u, header, body)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// request sends a request and returns the answer.
func request(method, u string, header map[string]string, body string) (result, error) {
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		return result{}, err
	}
	for k, v := range header {
		if strings.EqualFold(k, "host") {
			req.Host = v
			continue
		}
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return result{}, err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return result{resp.StatusCode, resp.Header, b}, nil
}

func (r result) echo(t *testing.T) echo {
	t.Helper()
	var e echo
	if err := json.Unmarshal(r.body, &e); err != nil {
		t.Fatalf("backend response is not the echo: %v\n%s", err, r.body)
	}
	return e
}

const proxySpec = `openapi: "3.0.1"
info: {title: proxy-test, version: "1"}
paths:
  /test:
    post:
      x-amazon-apigateway-integration:
        type: http_proxy
        httpMethod: POST
        uri: "{{backend}}/"
  /status/{code}:
    post:
      parameters: [{name: code, in: path, required: true, schema: {type: string}}]
      x-amazon-apigateway-integration:
        type: http_proxy
        httpMethod: POST
        uri: "{{backend}}/status/{code}"
        requestParameters:
          integration.request.path.code: method.request.path.code
  /{pathVariable}:
    post:
      x-amazon-apigateway-integration:
        type: http_proxy
        httpMethod: POST
        uri: "{{backend}}/?testVar={pathVar}&testQs={qsVar}"
        requestParameters:
          integration.request.header.headerVar: method.request.header.foobar
          integration.request.path.qsVar: method.request.querystring.testVar
          integration.request.path.pathVar: method.request.path.pathVariable
          integration.request.querystring.queryString: method.request.querystring.testQueryString
          integration.request.querystring.testQs: method.request.querystring.testQueryString
          integration.request.querystring.testEmptyQs: method.request.header.emptyheader
  /files/{proxy+}:
    x-amazon-apigateway-any-method:
      x-amazon-apigateway-integration:
        type: http_proxy
        httpMethod: ANY
        uri: "{{backend}}/files/{proxy}"
        requestParameters:
          integration.request.path.proxy: method.request.path.proxy
  /path1:
    get:
      x-amazon-apigateway-integration:
        type: http_proxy
        httpMethod: POST
        uri: "http://${stageVariables.TestHost}/${stageVariables.testPath}?${stageVariables.querystring}"
  /slow:
    get:
      x-amazon-apigateway-integration:
        type: http_proxy
        httpMethod: GET
        timeoutInMillis: 100
        uri: "{{backend}}/slow"
  /down:
    get:
      x-amazon-apigateway-integration:
        type: http_proxy
        httpMethod: GET
        uri: "{{down}}/"
`

// downURL is an address where nothing listens: a port taken and released.
func downURL(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return "http://" + addr
}

func proxyGateway(t *testing.T) (*httptest.Server, *httptest.Server) {
	backend := newEcho(t)
	spec := strings.NewReplacer("{{backend}}", backend.URL, "{{down}}", downURL(t)).Replace(proxySpec)
	u, _ := url.Parse(backend.URL)
	cfg := "stages:\n  v1:\n    variables: {TestHost: \"" + u.Host + "\", testPath: test-path, querystring: qs_key=qs_value}\n  v2: {}\n"
	gw, _ := newGateway(t, spec, cfg)
	return gw, backend
}

// integrations.json#http_proxy-forwarded-headers: client headers reach the backend with API Gateway's
// additions; backend headers that API Gateway owns come back remapped.
func TestHTTPProxyForwardedHeaders(t *testing.T) {
	t.Parallel()
	gw, _ := proxyGateway(t)
	r := do(t, "POST", gw.URL+"/v1/test", map[string]string{"Content-Type": "application/json", "accept": "application/xml", "user-Agent": "test/integration", "X-Amzn-Trace-Id": "Root=1-3152b799-8954dae64eda91bc9a23a7e8"}, `{"message": "hello world"}`)
	if r.status != 200 {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	e := r.echo(t)
	if e.Method != "POST" || e.Path != "/" || e.Body != `{"message": "hello world"}` {
		t.Errorf("backend saw %s %s %q", e.Method, e.Path, e.Body)
	}
	want := map[string]string{"accept": "application/xml", "user-agent": "test/integration", "content-type": "application/json",
		"content-length": "26", "x-forwarded-for": "127.0.0.1", "x-forwarded-proto": "https", "x-forwarded-port": "443",
		"x-amzn-apigateway-api-id": "proxy-test"}
	for k, v := range want {
		if got := strings.Join(e.Headers[k], ","); got != v {
			t.Errorf("backend header %s = %q, want %q", k, got, v)
		}
	}
	trace := strings.Join(e.Headers["x-amzn-trace-id"], "")
	if !regexp.MustCompile(`^Root=1-3152b799-8954dae64eda91bc9a23a7e8;Parent=[0-9a-f]{16}$`).MatchString(trace) {
		t.Errorf("backend trace id %q: a Root-only id gets a Parent segment", trace)
	}
	if got := r.header.Get("X-Amzn-Trace-Id"); got != trace {
		t.Errorf("client trace id %q, want the one sent to the backend %q", got, trace)
	}
	for _, h := range []string{"X-Amzn-Remapped-Date", "X-Amzn-Remapped-Content-Length", "X-Amzn-Remapped-Server"} {
		if r.header.Get(h) == "" {
			t.Errorf("missing %s in %v", h, r.header)
		}
	}
	if got := r.header.Get("X-Amzn-Remapped-X-Amzn-Requestid"); got != "backend-request-id" {
		t.Errorf("backend x-amzn-RequestId must come back remapped, got %q", got)
	}
	if id := r.header.Get("x-amzn-RequestId"); !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(id) {
		t.Errorf("x-amzn-RequestId %q is not the gateway's UUID", id)
	}
	if r.header.Get("x-amz-apigw-id") == "" || r.header.Get("Server") != "" {
		t.Errorf("headers: %v", r.header)
	}
}

// integrations.json#http_proxy-status-*: HTTP_PROXY passes the backend status through.
func TestHTTPProxyStatusPassthrough(t *testing.T) {
	t.Parallel()
	gw, _ := proxyGateway(t)
	for _, code := range []int{200, 400, 404, 503} {
		r := do(t, "POST", gw.URL+"/v1/status/"+itoa(code), nil, "")
		if r.status != code {
			t.Errorf("backend %d: client got %d", code, r.status)
		}
		if r.header.Get("x-amzn-ErrorType") != "" {
			t.Errorf("a backend error is not a gateway error: %v", r.header)
		}
	}
}

func itoa(n int) string { return strings.TrimSpace(strings.Repeat(" ", 0) + jsonNumber(n)) }

func jsonNumber(n int) string { b, _ := json.Marshal(n); return string(b) }

// integrations.json#http-proxy-request-parameter-merge, recorded on AWS.
func TestHTTPProxyRequestParameterMerge(t *testing.T) {
	t.Parallel()
	gw, _ := proxyGateway(t)
	r := do(t, "POST", gw.URL+"/v1/foobar?testQueryString=foo&testVar=bar", map[string]string{"Content-Type": "application/json",
		"Accept": "application/json", "foobar": "mapped-value", "user-Agent": "test/integration", "headerVar": "request-value"}, `{"message": "hello world"}`)
	e := r.echo(t)
	wantArgs := map[string][]string{"queryString": {"foo"}, "testQs": {"bar", "foo"}, "testQueryString": {"foo"}, "testVar": {"foobar", "bar"}}
	if !equalArgs(e.Args, wantArgs) {
		t.Errorf("backend args %v, want %v", e.Args, wantArgs)
	}
	if got := e.Headers["headervar"]; len(got) != 1 || got[0] != "mapped-value" {
		t.Errorf("mapped header replaces the client's: headervar = %v", got)
	}
	if got := e.Headers["foobar"]; len(got) != 1 || got[0] != "mapped-value" {
		t.Errorf("foobar = %v", got)
	}
	if _, ok := e.Args["testEmptyQs"]; ok {
		t.Errorf("a mapping whose source is absent must be omitted: %v", e.Args)
	}
}

func equalArgs(a, b map[string][]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, va := range a {
		vb := b[k]
		sa, sb := append([]string(nil), va...), append([]string(nil), vb...)
		sort.Strings(sa)
		sort.Strings(sb)
		if strings.Join(sa, "\x00") != strings.Join(sb, "\x00") {
			return false
		}
	}
	return true
}

// openapi-stages.json#stage-variables-in-http-proxy-uri: host, path and a whole query from stage
// variables; the integration method is used whatever the client sent.
func TestHTTPProxyStageVariablesInURI(t *testing.T) {
	t.Parallel()
	gw, _ := proxyGateway(t)
	e := do(t, "GET", gw.URL+"/v1/path1", nil, "").echo(t)
	if e.Method != "POST" || e.Path != "/test-path" || strings.Join(e.Args["qs_key"], ",") != "qs_value" {
		t.Errorf("backend saw %s %s %v", e.Method, e.Path, e.Args)
	}
}

// gateway-responses.json#stage-variable-uri-unresolvable: stage v2 lacks the variables.
func TestHTTPProxyUnresolvableStageVariable(t *testing.T) {
	t.Parallel()
	gw, _ := proxyGateway(t)
	r := do(t, "GET", gw.URL+"/v2/path1", nil, "")
	if r.status != 500 || string(r.body) != `{"message": "Internal server error"}` || r.header.Get("x-amzn-ErrorType") != "InternalServerErrorException" {
		t.Errorf("got %d %s %v", r.status, r.body, r.header)
	}
	if r.header.Get("X-Amzn-Trace-Id") != "" {
		t.Errorf("gateway errors carry no X-Amzn-Trace-Id")
	}
}

// Greedy path: the proxy value goes into the URI as received (still percent-encoded), any method passes.
func TestHTTPProxyGreedyPath(t *testing.T) {
	t.Parallel()
	gw, _ := proxyGateway(t)
	cases := []struct{ method, path, wantRawPath, wantQuery string }{
		{"GET", "/v1/files/a/b.txt", "/files/a/b.txt", ""},
		{"DELETE", "/v1/files/test%2Balias?x=1&x=2", "/files/test%2Balias", "1,2"},
		{"PUT", "/v1/files/dir/", "/files/dir", ""},
		{"PATCH", "/v1/files/a//b", "/files/a//b", ""},
	}
	for _, c := range cases {
		e := do(t, c.method, gw.URL+c.path, nil, "").echo(t)
		if e.Method != c.method || e.RawPath != c.wantRawPath || strings.Join(e.Args["x"], ",") != c.wantQuery {
			t.Errorf("%s %s: backend saw %s %s %v", c.method, c.path, e.Method, e.RawPath, e.Args)
		}
	}
}

// gateway-responses.json#live-504-network-error: 56 bytes with a space after the colon.
func TestHTTPProxyBackendDown(t *testing.T) {
	t.Parallel()
	gw, _ := proxyGateway(t)
	r := do(t, "GET", gw.URL+"/v1/down", nil, "")
	if r.status != 504 || string(r.body) != `{"message": "Network error communicating with endpoint"}` || len(r.body) != 56 {
		t.Errorf("got %d %q", r.status, r.body)
	}
	if r.header.Get("x-amzn-ErrorType") != "InternalServerErrorException" || r.header.Get("x-amzn-RequestId") == "" {
		t.Errorf("headers %v", r.header)
	}
}

func TestHTTPProxyTimeout(t *testing.T) {
	gw, _ := proxyGateway(t)
	start := time.Now()
	r := do(t, "GET", gw.URL+"/v1/slow", nil, "")
	if r.status != 504 || string(r.body) != `{"message": "Endpoint request timed out"}` {
		t.Errorf("got %d %q", r.status, r.body)
	}
	// The backend answers after 60 s: only a call that was not cancelled comes near the generous bound.
	if time.Since(start) > 30*time.Second {
		t.Errorf("timeoutInMillis 100 took %v: the backend call was not cancelled", time.Since(start))
	}
}

// Unknown stage, path or method: 403 Missing Authentication Token, never 404/405
// (gateway-responses.json#invoke-missing-auth-token-*).
func TestMissingAuthenticationToken(t *testing.T) {
	t.Parallel()
	gw, _ := proxyGateway(t)
	for _, c := range []struct{ method, path string }{
		{"GET", "/v1/random-non-existing/deeper"}, {"GET", "/v1/test"}, {"POST", "/v3/test"}, {"GET", "/"},
		{"GET", "/v1"}, {"GET", "/v1/files"}, {"HEAD", "/v1/path1"},
	} {
		r := do(t, c.method, gw.URL+c.path, nil, "")
		if r.status != 403 || r.header.Get("x-amzn-ErrorType") != "MissingAuthenticationTokenException" {
			t.Errorf("%s %s: %d %v", c.method, c.path, r.status, r.header)
		}
		if c.method != "HEAD" && string(r.body) != `{"message":"Missing Authentication Token"}` {
			t.Errorf("%s %s: body %q", c.method, c.path, r.body)
		}
		if r.header.Get("x-amzn-RequestId") == "" || r.header.Get("x-amz-apigw-id") == "" {
			t.Errorf("%s %s: ids missing %v", c.method, c.path, r.header)
		}
	}
	// gateway-responses.json#live-unknown-route-with-bearer-authorization
	r := do(t, "GET", gw.URL+"/v1/does-not-exist", map[string]string{"Authorization": "Bearer abc"}, "")
	want := `{"message":"Invalid key=value pair (missing equal-sign) in Authorization header (hashed with SHA-256 and encoded with Base64): 'w1Xc6WwWEogNEZQP/dkBTThsJT4MNlKmzQanIm970rY='."}`
	if r.status != 403 || string(r.body) != want || r.header.Get("x-amzn-ErrorType") != "IncompleteSignatureException" {
		t.Errorf("bearer on unknown route: %d %s %v", r.status, r.body, r.header)
	}
}

// Bodies over 10 MB get AWS's plain-text 413 before anything else happens.
func TestRequestTooLarge(t *testing.T) {
	t.Parallel()
	gw, _ := proxyGateway(t)
	r := do(t, "POST", gw.URL+"/v1/test", nil, strings.Repeat("x", MaxBodyBytes+1))
	if r.status != 413 || string(r.body) != "HTTP content length exceeded 10485760 bytes." {
		t.Errorf("got %d %q", r.status, r.body)
	}
}

// A customised gateway response applies to errors of its type, with header mappings and templates.
func TestCustomGatewayResponse(t *testing.T) {
	t.Parallel()
	spec := `swagger: "2.0"
info: {title: custom, version: "1"}
basePath: /prod
paths:
  /pets:
    get:
      x-amazon-apigateway-integration: {type: mock, requestTemplates: {application/json: '{"statusCode": 200}'}, responses: {default: {statusCode: "200"}}}
x-amazon-apigateway-gateway-responses:
  MISSING_AUTHENTICATION_TOKEN:
    statusCode: "404"
    responseParameters:
      gatewayresponse.header.x-request-header: method.request.header.Accept
      gatewayresponse.header.Access-Control-Allow-Origin: "'a.b.c'"
    responseTemplates:
      application/json: '{"message": $context.error.messageString, "type": "$context.error.responseType", "stage": "$context.stage"}'
`
	gw, _ := newGateway(t, spec, "")
	r := do(t, "GET", gw.URL+"/prod/nothing", map[string]string{"Accept": "text/x-test"}, "")
	if r.status != 404 || string(r.body) != `{"message": "Missing Authentication Token", "type": "MISSING_AUTHENTICATION_TOKEN", "stage": "prod"}` {
		t.Errorf("got %d %s", r.status, r.body)
	}
	if r.header.Get("x-request-header") != "text/x-test" || r.header.Get("Access-Control-Allow-Origin") != "a.b.c" {
		t.Errorf("headers %v", r.header)
	}
	if ok := do(t, "GET", gw.URL+"/prod/pets", nil, ""); ok.status != 200 {
		t.Errorf("GET /prod/pets: %d", ok.status)
	}
}

// A method whose integration is not emulated answers 500 with AWS's body, never a pretend success.
func TestNotEmulatedIntegrationAnswers500(t *testing.T) {
	t.Parallel()
	spec := `openapi: "3.0.1"
info: {title: lambda, version: "1"}
paths:
  /fn:
    get:
      x-amazon-apigateway-integration: {type: aws_proxy, httpMethod: POST, uri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:fn/invocations"}
`
	gw, _ := newGateway(t, spec, "")
	r := do(t, "GET", gw.URL+"/dev/fn", nil, "")
	if r.status != 500 || string(r.body) != `{"message": "Internal server error"}` {
		t.Errorf("got %d %s", r.status, r.body)
	}
}

// serve never panics on a request: odd paths, methods and headers all get an answer.
func TestOddRequestsNeverPanic(t *testing.T) {
	t.Parallel()
	gw, _ := proxyGateway(t)
	conn := func(raw string) string {
		c, err := net.Dial("tcp", strings.TrimPrefix(gw.URL, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		_ = c.SetDeadline(time.Now().Add(5 * time.Second))
		_, _ = c.Write([]byte(raw))
		b, _ := io.ReadAll(c)
		line, _, _ := bytes.Cut(b, []byte("\r\n"))
		return string(line)
	}
	for _, target := range []string{"//v1//files//x", "/v1/files/%zz", "/%2F%2F", "/v1/%00", "/v1/" + strings.Repeat("a/", 500), "/v1/files/" + strings.Repeat("%E2%82%AC", 100), "/v1/test?%=%&&==", "*"} {
		status := conn("GET " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
		if !strings.HasPrefix(status, "HTTP/1.1 ") || strings.Contains(status, " 5") && !strings.Contains(status, "500") && !strings.Contains(status, "504") {
			t.Errorf("%s: %q", target, status)
		}
	}
	if r := do(t, "POST", gw.URL+"/v1/test", nil, "{}"); r.status != 200 {
		t.Errorf("server unhealthy after odd requests: %d", r.status)
	}
}

func TestAdminEndpoints(t *testing.T) {
	t.Parallel()
	gw, _ := proxyGateway(t)
	r := do(t, "GET", gw.URL+"/_apigw/health", nil, "")
	var health struct {
		Status     string `json:"status"`
		Generation int64  `json:"generation"`
	}
	if err := json.Unmarshal(r.body, &health); err != nil || r.status != 200 || health.Status != "ok" {
		t.Errorf("health: %d %s", r.status, r.body)
	}
	r = do(t, "GET", gw.URL+"/_apigw/routes", nil, "")
	var routes []RouteInfo
	if err := json.Unmarshal(r.body, &routes); err != nil {
		t.Fatal(err)
	}
	if len(routes) != 14 { // 7 methods on 2 stages
		t.Errorf("routes: %d entries", len(routes))
	}
	if r := do(t, "GET", gw.URL+"/_apigw/", nil, ""); r.status != http.StatusOK || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") {
		t.Errorf("the inspector page: %d %s", r.status, r.header.Get("Content-Type"))
	}
	if r := do(t, "GET", gw.URL+"/_apigw/reset", nil, ""); r.status != http.StatusMethodNotAllowed {
		t.Errorf("GET /_apigw/reset: %d, want 405", r.status)
	}
	if r := do(t, "GET", gw.URL+"/_apigw/usage", nil, ""); r.status != http.StatusBadRequest || !strings.Contains(string(r.body), "usagePlanId is required") {
		t.Errorf("usage without plans: %d %s", r.status, r.body)
	}
}

func TestSeveralAPIsByHost(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	a := filepath.Join(dir, "a.yaml")
	b := filepath.Join(dir, "b.yaml")
	tmpl := "openapi: \"3.0.1\"\ninfo: {title: %s, version: \"1\"}\npaths:\n  /who:\n    get:\n      x-amazon-apigateway-integration: {type: mock, requestTemplates: {application/json: '{\"statusCode\": 200}'}, responses: {default: {statusCode: \"200\", responseTemplates: {application/json: '%s'}}}}\n"
	os.WriteFile(a, []byte(strings.ReplaceAll(strings.Replace(tmpl, "%s", "Alpha API", 1), "%s", "alpha")), 0o644)
	os.WriteFile(b, []byte(strings.ReplaceAll(strings.Replace(tmpl, "%s", "Beta API", 1), "%s", "beta")), 0o644)
	l, err := Load(Sources{Specs: []string{a, b}})
	if err != nil {
		t.Fatal(l.Findings.Error())
	}
	snap, _ := l.Snapshot()
	srv := httptest.NewServer(NewGateway(snap, nil))
	defer srv.Close()
	for host, want := range map[string]string{"alpha-api.execute-api.localhost": "alpha", "beta-api.execute-api.localhost": "beta"} {
		if r := do(t, "GET", srv.URL+"/dev/who", map[string]string{"Host": host}, ""); string(r.body) != want {
			t.Errorf("%s: %d %s", host, r.status, r.body)
		}
	}
	if r := do(t, "GET", srv.URL+"/dev/who", nil, ""); r.status != 403 {
		t.Errorf("unknown host: %d", r.status)
	}
}

func TestCheckReportsNotEmulated(t *testing.T) {
	t.Parallel()
	api, fs := spec.Parse("x.yaml", []byte(`openapi: "3.0.1"
info: {title: t, version: "1"}
paths:
  /a:
    get:
      security: [{key: []}]
      x-amazon-apigateway-integration: {type: http_proxy, httpMethod: GET, uri: "http://${stageVariables.host}/a"}
components:
  securitySchemes:
    key: {type: apiKey, name: x-api-key, in: header}
`), spec.Options{})
	if fs.HasErrors() {
		t.Fatal(fs.Error())
	}
	_, built, _ := Build([]*spec.API{api}, config.Default())
	got := built.Error()
	for _, want := range []string{"requires an API key, but no usage plan with API keys covers stage dev: every request there answers 403 Forbidden", "${stageVariables.host}, which stage dev does not define"} {
		if !strings.Contains(got, want) {
			t.Errorf("Check misses %q:\n%s", want, got)
		}
	}
}

// A chunked body (no Content-Length) that grows past 10 MB gets the same plain-text 413.
func TestRequestTooLargeChunked(t *testing.T) {
	t.Parallel()
	gw, _ := proxyGateway(t)
	body := io.MultiReader(strings.NewReader(strings.Repeat("x", MaxBodyBytes)), strings.NewReader("overflow"))
	req, _ := http.NewRequest("POST", gw.URL+"/v1/test", io.NopCloser(body))
	req.ContentLength = -1
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 413 || string(b) != "HTTP content length exceeded 10485760 bytes." {
		t.Errorf("got %d %q", resp.StatusCode, b)
	}
}

// gateway-responses.json#invoke-500-internal-server-error-headers: mapping Content-Length is a
// configuration error; the request answers 500 with the spaced body, 36 bytes.
func TestIllegalHeaderMappingAnswers500(t *testing.T) {
	t.Parallel()
	backend := newEcho(t)
	spec := `openapi: "3.0.1"
info: {title: illegal, version: "1"}
paths:
  /content-length:
    get:
      x-amazon-apigateway-integration:
        type: http_proxy
        httpMethod: GET
        uri: "` + backend.URL + `/"
        requestParameters: {integration.request.header.Content-Length: "'0'"}
`
	gw, _ := newGateway(t, spec, "")
	r := do(t, "GET", gw.URL+"/dev/content-length", nil, "")
	if r.status != 500 || string(r.body) != `{"message": "Internal server error"}` || r.header.Get("Content-Length") != "36" ||
		r.header.Get("x-amzn-ErrorType") != "InternalServerErrorException" || r.header.Get("Content-Type") != "application/json" {
		t.Errorf("got %d %q %v", r.status, r.body, r.header)
	}
}

// A streamed (chunked) backend response reaches the client as it is written, not when it ends.
func TestHTTPProxyStreams(t *testing.T) {
	release := make(chan struct{})
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "first\n")
		w.(http.Flusher).Flush()
		select {
		case <-release:
		case <-time.After(60 * time.Second):
		}
		io.WriteString(w, "second\n")
	}))
	defer backend.Close()
	spec := "openapi: \"3.0.1\"\ninfo: {title: stream, version: \"1\"}\npaths:\n  /s:\n    get:\n      x-amazon-apigateway-integration: {type: http_proxy, httpMethod: GET, uri: \"" + backend.URL + "/\"}\n"
	gw, _ := newGateway(t, spec, "")
	resp, err := http.Get(gw.URL + "/dev/s")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	got := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(resp.Body).ReadString('\n')
		got <- line
	}()
	select {
	case line := <-got:
		if line != "first\n" {
			t.Errorf("first chunk %q", line)
		}
	case <-time.After(30 * time.Second): // the backend finishes only when released below: a buffered response never arrives
		t.Error("the first chunk did not arrive before the backend finished: the response is buffered")
	}
	close(release)
}

// Without stages in the config, a usage plan's stage must be the one the spec names.
func TestUsagePlanStageMustBeServed(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	specPath := filepath.Join(dir, "api.yaml")
	cfgPath := filepath.Join(dir, "apigw-local.yaml")
	os.WriteFile(specPath, []byte("swagger: \"2.0\"\ninfo: {title: t, version: \"1\"}\nbasePath: /prod\npaths: {}\n"), 0o644)
	os.WriteFile(cfgPath, []byte("apiKeys:\n  - {name: alice, value: alice-0123456789abcdefghij}\nusagePlans:\n  - name: basic\n    apiStages: [{stage: prd}]\n    apiKeys: [alice]\n"), 0o644)
	l, err := Load(Sources{Specs: []string{specPath}, Config: cfgPath})
	if err == nil {
		t.Fatal("a usage plan naming an unknown stage must be an error")
	}
	want := `usagePlans[0].apiStages[0].stage: usage plan "basic" names stage "prd", which is not served (stages: prod)`
	if got := l.Findings.Error(); !strings.Contains(got, want) || !strings.Contains(got, "apigw-local.yaml:5:") {
		t.Errorf("findings:\n%s\nwant a line containing:\n%s", got, want)
	}
}

// validate reports what serve would refuse: API Gateway allows one variable child per resource.
func TestCheckReportsRefusedResourceTree(t *testing.T) {
	t.Parallel()
	api, fs := spec.Parse("tree.yaml", []byte(`openapi: "3.0.1"
info: {title: t, version: "1"}
paths:
  /a/{id}:
    get:
      x-amazon-apigateway-integration: {type: mock, requestTemplates: {application/json: '{"statusCode": 200}'}, responses: {default: {statusCode: "200"}}}
  /a/{proxy+}:
    get:
      x-amazon-apigateway-integration: {type: mock, requestTemplates: {application/json: '{"statusCode": 200}'}, responses: {default: {statusCode: "200"}}}
`), spec.Options{})
	if fs.HasErrors() {
		t.Fatal(fs.Error())
	}
	_, built, _ := Build([]*spec.API{api}, nil)
	got := built.Error()
	if !strings.Contains(got, `tree.yaml:8:5: error: paths["/a/{proxy+}"].get: resource "/a/{proxy+}": a sibling ({id}) of this resource already has a variable path part`) {
		t.Errorf("Check:\n%s", got)
	}
}

// validate warns about template constructs API Gateway accepts but does not run.
func TestCheckReportsIgnoredMacros(t *testing.T) {
	t.Parallel()
	api, fs := spec.Parse("m.yaml", []byte(`openapi: "3.0.1"
info: {title: t, version: "1"}
paths:
  /m:
    get:
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates: {application/json: '{"statusCode": 200}'}
        responses: {default: {statusCode: "200", responseTemplates: {application/json: "#macro(greet)hi#end#greet()"}}}
`), spec.Options{})
	if fs.HasErrors() {
		t.Fatal(fs.Error())
	}
	_, built, _ := Build([]*spec.API{api}, nil)
	got := built.Error()
	for _, want := range []string{"#macro is ignored by API Gateway", "#greet(...) calls a velocimacro"} {
		if !strings.Contains(got, want) {
			t.Errorf("Check lacks %q:\n%s", want, got)
		}
	}
}

// gateway-responses.json#success-headers-mock-vs-lambda-proxy: a MOCK answer carries x-amzn-RequestId,
// x-amz-apigw-id and Content-Type application/json, and no X-Amzn-Trace-Id (only integrations that call a
// backend return one).
func TestMockSuccessHeaders(t *testing.T) {
	t.Parallel()
	spec := `openapi: "3.0.1"
info: {title: mockheaders, version: "1"}
paths:
  /path:
    get:
      x-amazon-apigateway-integration: {type: mock, requestTemplates: {application/json: '{"statusCode": 200}'}, responses: {default: {statusCode: "200"}}}
`
	gw, _ := newGateway(t, spec, "")
	r := do(t, "GET", gw.URL+"/dev/path", map[string]string{"X-Amzn-Trace-Id": "Root=1-3152b799-8954dae64eda91bc9a23a7e8"}, "")
	if r.status != 200 || len(r.body) != 0 || r.header.Get("Content-Type") != "application/json" {
		t.Errorf("got %d %q %v", r.status, r.body, r.header)
	}
	if r.header.Get("x-amzn-RequestId") == "" || r.header.Get("x-amz-apigw-id") == "" {
		t.Errorf("ids missing: %v", r.header)
	}
	if r.header.Get("X-Amzn-Trace-Id") != "" || r.header.Get("x-amzn-ErrorType") != "" {
		t.Errorf("a MOCK answer has no trace id and is no gateway error: %v", r.header)
	}
}

// A REST API's URL and header-value limits, and the method ARN limit of methods with authorization
// (reference §h): 414 and 431 (assumed: AWS documents the limits, and 414 only for the method ARN).
func TestRESTRequestLimits(t *testing.T) {
	t.Parallel()
	const doc = `openapi: "3.0.1"
info: {title: limits, version: "1"}
paths:
  /open/{proxy+}:
    get:
      x-amazon-apigateway-integration: {type: mock, requestTemplates: {application/json: '{"statusCode": 200}'}, responses: {default: {statusCode: "200"}}}
  /signed/{proxy+}:
    get:
      security: [{sigv4: []}]
      x-amazon-apigateway-integration: {type: mock, requestTemplates: {application/json: '{"statusCode": 200}'}, responses: {default: {statusCode: "200"}}}
components:
  securitySchemes:
    sigv4: {type: apiKey, name: Authorization, in: header, x-amazon-apigateway-authtype: awsSigv4}
`
	gw, _ := newGateway(t, doc, "credentials: [{accessKeyId: AKIDLOCAL, secretAccessKey: local-secret, userArn: \"arn:aws:iam::123456789012:user/dev\"}]\n")
	long := func(n int) string { return strings.Repeat("a", n) }
	for _, c := range []struct {
		name   string
		path   string
		header map[string]string
		status int
		body   string
	}{
		{"a URL at the limit", "/dev/open/" + long(MaxURLLength-len("/dev/open/")), nil, 200, ""},
		{"a URL over it", "/dev/open/" + long(MaxURLLength-len("/dev/open/")+1), nil, 414, `{"message":"Request URI too long"}`},
		{"a header value of 10,240 bytes", "/dev/open/x", map[string]string{"X-Big": long(MaxHeaderValue)}, 200, ""},
		{"a header value over 10,240 bytes", "/dev/open/x", map[string]string{"X-Big": long(MaxHeaderValue + 1)}, 431, `{"message":"Request Header Fields Too Large"}`},
		{"a method ARN over 1,600 bytes", "/dev/signed/" + long(1600), nil, 414, `{"message":"Request URI too long"}`},
		{"a method ARN under it: the signature is checked", "/dev/signed/" + long(100), nil, 403, ""},
	} {
		r := do(t, "GET", gw.URL+c.path, c.header, "")
		if r.status != c.status || c.body != "" && string(r.body) != c.body {
			t.Errorf("%s: %d %s, want %d %s", c.name, r.status, r.body, c.status, c.body)
		}
	}
}

// Every integration kind refuses a body over 10 MB with AWS's plain-text 413, with or without a
// Content-Length (a chunked body is counted as it arrives).
func TestRequestTooLargeEveryKind(t *testing.T) {
	t.Parallel()
	backend := newEcho(t)
	doc := `openapi: "3.0.1"
info: {title: big, version: "1"}
paths:
  /mock:
    post:
      x-amazon-apigateway-integration: {type: mock, requestTemplates: {application/json: '{"statusCode": 200}'}, responses: {default: {statusCode: "200"}}}
  /proxy:
    post:
      x-amazon-apigateway-integration: {type: http_proxy, httpMethod: POST, uri: "` + backend.URL + `/"}
  /http:
    post:
      x-amazon-apigateway-integration: {type: http, httpMethod: POST, uri: "` + backend.URL + `/", responses: {default: {statusCode: "200"}}}
  /lambda:
    post:
      x-amazon-apigateway-integration: {type: aws_proxy, httpMethod: POST, uri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/F/invocations"}
`
	snap := loadFiles(t, t.TempDir(), doc, "")
	g := NewGateway(snap, NewAccessLog(io.Discard, LogText, false))
	t.Cleanup(func() { g.Close() })
	g.RegisterHandler("F", handlerFunc(func(ctx context.Context, payload []byte) ([]byte, error) { return []byte(`{"statusCode": 200}`), nil }))
	srv := httptest.NewServer(g)
	t.Cleanup(srv.Close)
	for _, route := range []string{"/mock", "/proxy", "/http", "/lambda"} {
		for _, chunked := range []bool{false, true} {
			body := io.MultiReader(strings.NewReader(strings.Repeat("x", MaxBodyBytes)), strings.NewReader("overflow"))
			req, _ := http.NewRequest("POST", srv.URL+"/dev"+route, body)
			req.Header.Set("Content-Type", "application/json")
			req.ContentLength = MaxBodyBytes + int64(len("overflow"))
			if chunked {
				req.ContentLength = -1
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatalf("%s (chunked %v): %v", route, chunked, err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 413 || string(b) != "HTTP content length exceeded 10485760 bytes." {
				t.Errorf("%s (chunked %v): %d %q", route, chunked, resp.StatusCode, b)
			}
		}
	}
}

// A mapping template cannot pin a CPU or exhaust memory with one request: a #foreach stops at API
// Gateway's 1,000 iterations, and a template over 300 KB is refused at load (reference §h).
func TestTemplateLimitsEndToEnd(t *testing.T) {
	t.Parallel()
	doc := `openapi: "3.0.1"
info: {title: loops, version: "1"}
paths:
  /loop:
    get:
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates: {application/json: '{"statusCode": 200}'}
        responses:
          default:
            statusCode: "200"
            responseTemplates: {application/json: '#foreach($i in [1..1000001])$i #end'}
`
	var log bytes.Buffer
	snap := loadFiles(t, t.TempDir(), doc, "")
	g := NewGateway(snap, NewAccessLog(&log, LogText, false))
	t.Cleanup(func() { g.Close() })
	w := httptest.NewRecorder()
	g.ServeHTTP(w, httptest.NewRequest("GET", "/dev/loop", nil))
	if w.Code != 500 || !strings.Contains(log.String(), "#foreach exceeded 1000 iterations") {
		t.Errorf("a loop of 1,000,001: %d %s, log %s", w.Code, w.Body, log.String())
	}
	big := strings.Replace(doc, `'#foreach($i in [1..1000001])$i #end'`, `'`+strings.Repeat("x", 300<<10+1)+`'`, 1)
	dir := t.TempDir()
	specPath := filepath.Join(dir, "openapi.yaml")
	_ = os.WriteFile(specPath, []byte(big), 0o644)
	l, err := Load(Sources{Specs: []string{specPath}})
	if l == nil || !strings.Contains(l.Findings.Error(), "300 KB") {
		t.Errorf("a template over 300 KB is not refused (%v):\n%s", err, l.Findings.Error())
	}
}

// An image round-trips byte for byte through an HTTP (non-proxy) integration: as bytes when its type is
// one of binaryMediaTypes, and through base64 with CONVERT_TO_TEXT on the request and CONVERT_TO_BINARY
// on the response (reference §l).
func TestBinaryThroughHTTPIntegration(t *testing.T) {
	t.Parallel()
	var got atomic.Value
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got.Store(b)
		w.Header().Set("Content-Type", r.Header.Get("Content-Type"))
		if r.URL.Path == "/as-text" {
			w.Header().Set("Content-Type", "text/plain")
		}
		_, _ = w.Write(b)
	}))
	t.Cleanup(backend.Close)
	doc := `openapi: "3.0.1"
info: {title: binary, version: "1"}
x-amazon-apigateway-binary-media-types: [image/png]
paths:
  /raw:
    post:
      x-amazon-apigateway-integration:
        type: http
        httpMethod: POST
        uri: "` + backend.URL + `/raw"
        requestParameters: {integration.request.header.Content-Type: method.request.header.Content-Type}
        responses: {default: {statusCode: "200"}}
  /converted:
    post:
      x-amazon-apigateway-integration:
        type: http
        httpMethod: POST
        uri: "` + backend.URL + `/as-text"
        contentHandling: CONVERT_TO_TEXT
        requestParameters: {integration.request.header.Content-Type: method.request.header.Content-Type}
        responses: {default: {statusCode: "200", contentHandling: CONVERT_TO_BINARY}}
`
	gw, _ := newGateway(t, doc, "")
	image := make([]byte, 256)
	for i := range image {
		image[i] = byte(i)
	}
	for _, c := range []struct {
		path       string
		accept     string
		backendGot []byte
	}{
		{"/raw", "image/png", image},
		{"/converted", "application/json", []byte(base64.StdEncoding.EncodeToString(image))},
	} {
		req, _ := http.NewRequest("POST", gw.URL+"/dev"+c.path, bytes.NewReader(image))
		req.Header.Set("Content-Type", "image/png")
		req.Header.Set("Accept", c.accept)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || !bytes.Equal(body, image) {
			t.Errorf("%s: %d, %d bytes back (%q), want the 256 sent", c.path, res.StatusCode, len(body), body)
		}
		if b, _ := got.Load().([]byte); !bytes.Equal(b, c.backendGot) {
			t.Errorf("%s: the backend got %q, want %q", c.path, b, c.backendGot)
		}
	}
}

// The same image through the proxy integrations of a REST API: HTTP_PROXY passes it as it is; AWS_PROXY
// gives it to the function base64-encoded (its type is a binaryMediaTypes entry) and decodes the
// function's isBase64Encoded answer for an Accept of that type (reference §e.2).
func TestBinaryThroughProxyIntegrations(t *testing.T) {
	t.Parallel()
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		_, _ = io.Copy(w, r.Body)
	}))
	t.Cleanup(backend.Close)
	doc := `openapi: "3.0.1"
info: {title: binary, version: "1"}
x-amazon-apigateway-binary-media-types: [image/png]
paths:
  /proxy:
    post:
      x-amazon-apigateway-integration: {type: http_proxy, httpMethod: POST, uri: "` + backend.URL + `/"}
  /lambda:
    post:
      x-amazon-apigateway-integration: {type: aws_proxy, httpMethod: POST, uri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/Img/invocations"}
`
	snap := loadFiles(t, t.TempDir(), doc, "")
	g := NewGateway(snap, NewAccessLog(io.Discard, LogText, false))
	t.Cleanup(func() { g.Close() })
	g.RegisterHandler("Img", handlerFunc(func(ctx context.Context, payload []byte) ([]byte, error) {
		var ev struct {
			Body            string `json:"body"`
			IsBase64Encoded bool   `json:"isBase64Encoded"`
		}
		if err := json.Unmarshal(payload, &ev); err != nil || !ev.IsBase64Encoded {
			return []byte(`{"statusCode": 400, "body": "the event's body is not base64"}`), nil
		}
		return json.Marshal(map[string]any{"statusCode": 200, "headers": map[string]string{"Content-Type": "image/png"}, "body": ev.Body, "isBase64Encoded": true})
	}))
	srv := httptest.NewServer(g)
	t.Cleanup(srv.Close)
	image := make([]byte, 256)
	for i := range image {
		image[i] = byte(255 - i)
	}
	for _, path := range []string{"/dev/proxy", "/dev/lambda"} {
		req, _ := http.NewRequest("POST", srv.URL+path, bytes.NewReader(image))
		req.Header.Set("Content-Type", "image/png")
		req.Header.Set("Accept", "image/png")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || !bytes.Equal(body, image) {
			t.Errorf("%s: %d, %q, want the 256 bytes sent", path, res.StatusCode, body)
		}
	}
}
