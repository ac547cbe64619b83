package emulator

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apigw-local/apigw-local/internal/fixturebin"
	"github.com/aws/aws-lambda-go/lambda"
)

// fixture returns the path of one of the aws-lambda-go handlers of fixtures/lambdas (real Runtime API
// clients, as users run them), built once for the whole test run by fixturebin.
func fixture(t testing.TB, name string) string {
	t.Helper()
	dir, err := fixturebin.Dir()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, name)
}

const lambdaSpec = `openapi: "3.0.1"
info: {title: lambda-test, version: "1"}
paths:
  /items/{id}:
    get:
      x-amazon-apigateway-integration: {type: aws_proxy, httpMethod: POST, uri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:Echo/invocations"}
  /malformed:
    get:
      x-amazon-apigateway-integration: {type: aws_proxy, httpMethod: POST, uri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:Malformed/invocations"}
  /fail:
    get:
      x-amazon-apigateway-integration: {type: aws_proxy, httpMethod: POST, uri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:Fail/invocations"}
  /panic:
    get:
      x-amazon-apigateway-integration: {type: aws_proxy, httpMethod: POST, uri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:Panic/invocations"}
  /missing:
    get:
      x-amazon-apigateway-integration: {type: aws_proxy, httpMethod: POST, uri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:Nope/invocations"}
  /get-method:
    get:
      x-amazon-apigateway-integration: {type: aws_proxy, httpMethod: GET, uri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:Echo/invocations"}
  /slow-integration:
    get:
      x-amazon-apigateway-integration: {type: aws_proxy, httpMethod: POST, timeoutInMillis: 200, uri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:Slow/invocations"}
  /slow-function:
    get:
      x-amazon-apigateway-integration: {type: aws_proxy, httpMethod: POST, uri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:SlowFn/invocations"}
  /stagevar:
    get:
      x-amazon-apigateway-integration: {type: aws_proxy, httpMethod: POST, uri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:${stageVariables.fn}/invocations"}
  /custom:
    post:
      x-amazon-apigateway-integration:
        type: aws
        httpMethod: POST
        uri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:Fail/invocations"
        requestTemplates: {application/json: '{"message": "$input.path(''$.message'')"}'}
        responses:
          "Bad request.*": {statusCode: "400", responseTemplates: {application/json: '{"error": "$util.escapeJavaScript($input.path(''$.errorMessage''))"}'}}
          default: {statusCode: "200"}
  /custom-echo:
    post:
      x-amazon-apigateway-integration:
        type: aws
        httpMethod: POST
        uri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/Echo/invocations"
        requestTemplates: {application/json: '{"name": "$input.params(''name'')", "stage": "$context.stage"}'}
        responses:
          "200": {statusCode: "500"}
          default: {statusCode: "200", responseTemplates: {application/json: 'hello $input.path(''$.name'') on $input.path(''$.stage'')'}}
  /async:
    post:
      x-amazon-apigateway-integration:
        type: aws
        httpMethod: POST
        uri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:Slow/invocations"
        requestParameters: {integration.request.header.X-Amz-Invocation-Type: "'Event'"}
        responses: {default: {statusCode: "200", responseTemplates: {application/json: '{"queued": true}'}}}
  /v2:
    get:
      x-amazon-apigateway-integration: {type: aws_proxy, httpMethod: POST, payloadFormatVersion: "2.0", uri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:Echo/invocations"}
`

func lambdaGateway(t *testing.T) (*httptest.Server, *Gateway) {
	t.Helper()
	// /v2's payload 2.0 beside REST's templates makes an HTTP API of it by the spec alone: the config
	// keeps it the REST API these tests are about.
	cfg := fmt.Sprintf(`apiType: REST
stages:
  dev:
    variables: {fn: Echo}
  other: {}
functions:
  Echo: {command: [%q], concurrency: 2}
  Malformed: {command: [%q]}
  Fail: {command: [%q]}
  Panic: {command: [%q]}
  SlowFn: {command: [%q], timeout: 1s}
  Slow: {command: [/bin/sh], timeout: 60s} # served by the in-process handler below, which takes this timeout
`, fixture(t, "echo"), fixture(t, "malformed"), fixture(t, "fail"), fixture(t, "panic"), fixture(t, "sleep"))
	srv, g := newGateway(t, lambdaSpec, cfg)
	t.Cleanup(func() { g.Close() })
	// An in-process handler stands in for a slow function: it answers when its deadline (the integration
	// timeout, or its own function timeout of 60 s) ends it.
	g.RegisterHandler("Slow", lambda.NewHandler(func(ctx context.Context, e json.RawMessage) (map[string]any, error) {
		select {
		case <-time.After(time.Minute):
		case <-ctx.Done():
		}
		return map[string]any{"statusCode": 200, "body": "late"}, nil
	}))
	return srv, g
}

// AWS_PROXY through a real aws-lambda-go process: the function sees the 1.0 event, the client its answer.
func TestLambdaProxyEndToEnd(t *testing.T) {
	t.Parallel()
	gw, _ := lambdaGateway(t)
	r := do(t, "GET", gw.URL+"/dev/items/42?x=1&x=2", map[string]string{"X-Custom": "v"}, "")
	if r.status != 200 {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	var event map[string]any
	if err := json.Unmarshal(r.body, &event); err != nil {
		t.Fatalf("the echo body is not the event: %v\n%s", err, r.body)
	}
	rc, _ := event["requestContext"].(map[string]any)
	checks := map[string]any{
		"resource": "/items/{id}", "path": "/items/42", "httpMethod": "GET", "body": nil, "isBase64Encoded": false,
	}
	for k, want := range checks {
		if fmt.Sprint(event[k]) != fmt.Sprint(want) {
			t.Errorf("event.%s = %v, want %v", k, event[k], want)
		}
	}
	if pp, _ := event["pathParameters"].(map[string]any); pp["id"] != "42" {
		t.Errorf("pathParameters %v", event["pathParameters"])
	}
	if q, _ := event["queryStringParameters"].(map[string]any); q["x"] != "2" {
		t.Errorf("queryStringParameters %v: the last value wins", event["queryStringParameters"])
	}
	if rc["stage"] != "dev" || rc["path"] != "/dev/items/42" || rc["resourcePath"] != "/items/{id}" || rc["apiId"] != "lambda-test" {
		t.Errorf("requestContext %v", rc)
	}
	if h, _ := event["headers"].(map[string]any); h["X-Custom"] != "v" || h["X-Amzn-Trace-Id"] == nil {
		t.Errorf("headers %v", event["headers"])
	}
	if r.header.Get("X-Amzn-Trace-Id") == "" {
		t.Error("a Lambda answer carries X-Amzn-Trace-Id")
	}
}

// The response contract of reference §e.2 and the failure modes: always 502 {"message": "Internal
// server error"} for a failed or unreadable function, 500 for configuration errors, 504 for the
// integration timeout.
func TestLambdaProxyFailures(t *testing.T) {
	gw, _ := lambdaGateway(t)
	const internal = `{"message": "Internal server error"}`
	cases := []struct {
		path   string
		status int
		body   string
	}{
		{"/dev/malformed", 502, internal},
		{"/dev/fail", 502, internal},
		{"/dev/panic", 502, internal},
		{"/dev/missing", 500, internal},
		{"/dev/get-method", 500, internal}, // lambda-proxy.json#v1-integration-method-get-fails
		{"/other/stagevar", 500, internal}, // stage "other" lacks ${stageVariables.fn}
		{"/dev/slow-integration", 504, `{"message": "Endpoint request timed out"}`},
	}
	for _, c := range cases {
		start := time.Now()
		r := do(t, "GET", gw.URL+c.path, nil, "")
		if r.status != c.status || string(r.body) != c.body {
			t.Errorf("%s: %d %s, want %d %s", c.path, r.status, r.body, c.status, c.body)
		}
		if c.status == 504 && time.Since(start) > 30*time.Second { // the function would take a minute
			t.Errorf("%s: timeoutInMillis 200 took %v", c.path, time.Since(start))
		}
	}
	if r := do(t, "GET", gw.URL+"/dev/stagevar", nil, ""); r.status != 200 {
		t.Errorf("${stageVariables.fn} = Echo on stage dev: %d %s", r.status, r.body)
	}
}

// AWS (non-proxy): the request template builds the event; errors select an integration response by
// errorMessage; success uses the default response, never a pattern (integrations.json#lambda-selection-pattern-*).
func TestLambdaCustom(t *testing.T) {
	gw, _ := lambdaGateway(t)
	r := do(t, "POST", gw.URL+"/dev/custom", map[string]string{"Content-Type": "application/json"}, `{"message": "Bad request: no name"}`)
	if r.status != 400 || string(r.body) != `{"error": "Bad request: no name"}` {
		t.Errorf("matching error: %d %s", r.status, r.body)
	}
	r = do(t, "POST", gw.URL+"/dev/custom", map[string]string{"Content-Type": "application/json"}, `{"message": "something else"}`)
	var fe map[string]any
	if r.status != 200 || json.Unmarshal(r.body, &fe) != nil || fe["errorMessage"] != "something else" {
		t.Errorf("unmatched error: default response with the error JSON: %d %s", r.status, r.body)
	}
	r = do(t, "POST", gw.URL+"/dev/custom-echo?name=Ada", map[string]string{"Content-Type": "application/json"}, `{}`)
	if r.status != 200 || string(r.body) != "hello Ada on dev" {
		t.Errorf("success: %d %q (the pattern 200 must not match a success)", r.status, r.body)
	}
	// X-Amz-Invocation-Type Event answers at once: the slow function runs for a minute, so a gateway that
	// waited for it would meet the integration timeout (29 s) and answer 504.
	r = do(t, "POST", gw.URL+"/dev/async", map[string]string{"Content-Type": "application/json"}, `{}`)
	if r.status != 200 || string(r.body) != `{"queued": true}` {
		t.Errorf("X-Amz-Invocation-Type Event answers at once: %d %s", r.status, r.body)
	}
}

// HTTP API payload 2.0: the event has version 2.0; a result without statusCode is the body of a 200.
func TestLambdaPayloadV2(t *testing.T) {
	t.Parallel()
	gw, _ := lambdaGateway(t)
	r := do(t, "GET", gw.URL+"/dev/v2?a=1", nil, "")
	var event map[string]any
	if r.status != 200 || json.Unmarshal(r.body, &event) != nil || event["version"] != "2.0" || event["rawQueryString"] != "a=1" {
		t.Errorf("got %d %s", r.status, r.body)
	}
}

// Concurrent requests to a function with concurrency 2 all succeed; stopping the gateway leaves no
// function process behind.
func TestLambdaConcurrencyAndShutdown(t *testing.T) {
	gw, g := lambdaGateway(t)
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			r, err := request("GET", gw.URL+"/dev/items/"+strconv.Itoa(i), nil, "")
			if err != nil {
				errs <- fmt.Errorf("request %d: %v", i, err)
				return
			}
			if r.status != 200 || !strings.Contains(string(r.body), `"id":"`+strconv.Itoa(i)+`"`) {
				errs <- fmt.Errorf("request %d: %d %s", i, r.status, r.body)
			}
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	echo := fixture(t, "echo")
	if n := processesRunning(echo); n == 0 || n > 2 {
		t.Errorf("%d echo processes with concurrency 2", n)
	}
	if err := g.Close(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for processesRunning(echo) > 0 {
		if time.Now().After(deadline) {
			t.Fatal("function processes outlived Gateway.Close")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// processesRunning counts the live processes running the executable path (from /proc) that this test
// process started: the fixture binaries are shared by every package's tests (fixturebin), so the same
// path also runs in other test processes.
func processesRunning(path string) int {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return -1
	}
	n := 0
	for _, e := range entries {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		exe, err := os.Readlink(filepath.Join("/proc", e.Name(), "exe"))
		if err == nil && exe == path {
			// "pid (comm) state ppid ...": comm may hold spaces and parentheses.
			stat, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
			s := string(stat)
			fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
			if len(fields) >= 2 && fields[0] != "Z" && fields[1] == strconv.Itoa(os.Getpid()) { // zombies are gone for good
				n++
			}
		}
	}
	return n
}

// An event over Lambda's 6 MB synchronous limit is refused by Lambda, not by the gateway's 10 MB limit:
// a REST API answers 413 {"message": "Request Too Long"} with x-amzn-ErrorType BadRequestException, which
// a customised REQUEST_TOO_LARGE does not change (reference §q); the function is not called.
func TestLambdaEventOverSixMB(t *testing.T) {
	t.Parallel()
	const doc = `openapi: "3.0.1"
info: {title: big, version: "1"}
x-amazon-apigateway-gateway-responses:
  REQUEST_TOO_LARGE: {statusCode: "400", responseTemplates: {application/json: '{"custom": true}'}}
paths:
  /big:
    post:
      x-amazon-apigateway-integration: {type: aws_proxy, httpMethod: POST, uri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/Big/invocations"}
`
	var calls atomic.Int32
	for _, c := range []struct {
		name, doc, config, body string
		status                  int
		errorType               string
	}{
		{"REST", doc, "", `{"message": "Request Too Long"}`, 413, "BadRequestException"},
		{"HTTP API", doc, "apiType: HTTP\n", `{"message":"Request Entity Too Large"}`, 413, ""},
	} {
		snap := loadFiles(t, t.TempDir(), c.doc, c.config)
		g := NewGateway(snap, NewAccessLog(io.Discard, LogText, false))
		t.Cleanup(func() { g.Close() })
		g.RegisterHandler("Big", handlerFunc(func(ctx context.Context, payload []byte) ([]byte, error) {
			calls.Add(1)
			return []byte(`{"statusCode": 200}`), nil
		}))
		srv := httptest.NewServer(g)
		t.Cleanup(srv.Close)
		path := "/dev/big"
		if c.name == "HTTP API" {
			path = "/big"
		}
		for _, size := range []int{6<<20 - 4096, 7 << 20} {
			r := do(t, "POST", srv.URL+path, map[string]string{"Content-Type": "application/json"}, `"`+strings.Repeat("x", size)+`"`)
			if size < 6<<20 {
				if r.status != 200 {
					t.Errorf("%s, an event under 6 MB: %d %s", c.name, r.status, r.body)
				}
				continue
			}
			if r.status != c.status || string(r.body) != c.body || r.header.Get("x-amzn-ErrorType") != c.errorType {
				t.Errorf("%s, a 7 MB body: %d %s %v, want %d %s", c.name, r.status, r.body, r.header, c.status, c.body)
			}
		}
	}
	if n := calls.Load(); n != 2 {
		t.Errorf("the function was called %d times, want 2 (the events under 6 MB)", n)
	}
}
