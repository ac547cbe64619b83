package emulator

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// authorizerSpec protects methods with the fixture authorizers (fixtures/lambdas/authz: the token decides
// the answer). tok and req cache nothing, so each request calls them; cached caches for 300 s.
const authorizerSpec = `openapi: "3.0.1"
info: {title: authz, version: "1"}
components:
  securitySchemes:
    tok:
      type: apiKey
      name: Authorization
      in: header
      x-amazon-apigateway-authtype: custom
      x-amazon-apigateway-authorizer:
        type: token
        authorizerUri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:TokenAuth/invocations"
        authorizerResultTtlInSeconds: 0
    cached:
      type: apiKey
      name: Authorization
      in: header
      x-amazon-apigateway-authtype: custom
      x-amazon-apigateway-authorizer:
        type: token
        authorizerUri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:TokenAuth/invocations"
    validated:
      type: apiKey
      name: Authorization
      in: header
      x-amazon-apigateway-authtype: custom
      x-amazon-apigateway-authorizer:
        type: token
        identityValidationExpression: "allow|deny"
        authorizerUri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:TokenAuth/invocations"
        authorizerResultTtlInSeconds: 0
    req:
      type: apiKey
      name: X-Token
      in: header
      x-amazon-apigateway-authtype: custom
      x-amazon-apigateway-authorizer:
        type: request
        identitySource: "method.request.header.X-Token, method.request.querystring.q"
        authorizerUri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:RequestAuth/invocations"
        authorizerResultTtlInSeconds: 60
    reqOpen:
      type: apiKey
      name: X-Token
      in: header
      x-amazon-apigateway-authtype: custom
      x-amazon-apigateway-authorizer:
        type: request
        identitySource: "method.request.header.X-Token"
        authorizerUri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:RequestAuth/invocations"
        authorizerResultTtlInSeconds: 0
paths:
  /:
    get:
      security: [{tok: []}]
      x-amazon-apigateway-integration: ` + authorizerMock + `
  /tok:
    get:
      security: [{tok: []}]
      x-amazon-apigateway-integration: ` + authorizerMock + `
  /cached/a:
    get:
      security: [{cached: []}]
      x-amazon-apigateway-integration: ` + authorizerMock + `
  /cached/b:
    get:
      security: [{cached: []}]
      x-amazon-apigateway-integration: ` + authorizerMock + `
  /validated:
    get:
      security: [{validated: []}]
      x-amazon-apigateway-integration: ` + authorizerMock + `
  /req/{id}:
    get:
      security: [{req: []}]
      x-amazon-apigateway-integration: {type: aws_proxy, httpMethod: POST, uri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:Echo/invocations"}
  /req-open:
    get:
      security: [{reqOpen: []}]
      x-amazon-apigateway-integration: ` + authorizerMock + `
`

// authorizerMock answers what reached $context.authorizer.
const authorizerMock = `{type: mock, requestTemplates: {application/json: '{"statusCode": 200}'}, responses: {default: {statusCode: "200", responseTemplates: {application/json: '{"principal": "$context.authorizer.principalId", "number": "$context.authorizer.number", "flag": "$context.authorizer.flag", "arn": "$context.authorizer.methodArn"}'}}}}`

// lineLog is an access log that hands each request's line to the test as it is written: the line comes
// after the response, so a test waits for it rather than polling. The functions' own output, written to
// the same log ("[TokenAuth] START ..."), is dropped.
type lineLog struct{ lines chan string }

func (l *lineLog) Write(p []byte) (int, error) {
	if line := strings.TrimSpace(string(p)); strings.Contains(line, " stage=") && !strings.HasPrefix(line, "[") {
		l.lines <- line
	}
	return len(p), nil
}

type authzFixture struct {
	t     *testing.T
	srv   *httptest.Server
	gw    *Gateway
	log   *lineLog
	clock *ManualClock
}

func newAuthzFixture(t *testing.T, specYAML string) *authzFixture {
	t.Helper()
	cfg := fmt.Sprintf("functions:\n  TokenAuth: {command: [%q]}\n  RequestAuth: {command: [%q]}\n  Echo: {command: [%q]}\n",
		fixture(t, "authorizer-token"), fixture(t, "authorizer-request"), fixture(t, "echo"))
	f := &authzFixture{t: t, log: &lineLog{lines: make(chan string, 16)}, clock: NewManualClock(time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC))}
	snap := loadFiles(t, t.TempDir(), specYAML, cfg)
	f.gw = NewGateway(snap, NewAccessLog(f.log, LogText, false), WithClock(f.clock))
	t.Cleanup(func() { f.gw.Close() })
	f.srv = httptest.NewServer(f.gw)
	t.Cleanup(f.srv.Close)
	return f
}

// call sends a GET with headers and returns the answer and its log line.
func (f *authzFixture) call(path string, header map[string]string) (result, string) {
	f.t.Helper()
	r := do(f.t, "GET", f.srv.URL+path, header, "")
	select {
	case line := <-f.log.lines:
		return r, line
	case <-time.After(30 * time.Second): // reached only when the line never comes
		f.t.Fatalf("no log line for %s", path)
	}
	return r, ""
}

// Every row of API Gateway's decision table for Lambda authorizers (reference §d), over real HTTP with
// the fixture authorizers: status, body, x-amzn-ErrorType, and whether the function was called (the log
// line says, as it does for users).
func TestLambdaAuthorizerDecisionTable(t *testing.T) {
	t.Parallel()
	f := newAuthzFixture(t, authorizerSpec)
	for _, c := range []struct {
		name, path, token string
		status            int
		body, errorType   string
		log               string // the authorizer= field of the log line
	}{
		{"Allow for the method ARN", "/dev/tok", "allow", 200, `{"principal": "user-allow", "number": "1", "flag": "true", "arn": "arn:aws:execute-api:us-east-1:123456789012:authz/dev/GET/tok"}`, "", "tok:allow:called"},
		{"the root resource's ARN ends with /", "/dev/", "allow", 200, `{"principal": "user-allow", "number": "1", "flag": "true", "arn": "arn:aws:execute-api:us-east-1:123456789012:authz/dev/GET/"}`, "", "tok:allow:called"},
		{"Allow with a wildcard", "/dev/tok", "allow-all", 200, "", "", "tok:allow:called"},
		{"explicit Deny", "/dev/tok", "deny", 403, `{"Message":"User is not authorized to access this resource with an explicit deny in an identity-based policy"}`, "AccessDeniedException", "tok:deny:called"},
		{"no matching Allow", "/dev/tok", "other", 403, `{"Message":"User is not authorized to access this resource"}`, "AccessDeniedException", "tok:not-allowed:called"},
		{"function error Unauthorized", "/dev/tok", "unauthorized", 401, `{"message":"Unauthorized"}`, "UnauthorizedException", "tok:unauthorized:called"},
		{"any other function error", "/dev/tok", "fail", 500, `{"message": null}`, "AuthorizerConfigurationException", "tok:error:called"},
		{"an answer without principalId", "/dev/tok", "no-principal", 500, `{"message": null}`, "AuthorizerConfigurationException", "tok:error:called"},
		{"an object in context", "/dev/tok", "bad-context", 500, `{"message": null}`, "AuthorizerConfigurationException", "tok:error:called"},
		{"no token", "/dev/tok", "", 401, `{"message":"Unauthorized"}`, "UnauthorizedException", "tok:unauthorized:not-called"},
		{"a token failing identityValidationExpression", "/dev/validated", "allowed", 401, `{"message":"Unauthorized"}`, "UnauthorizedException", "validated:unauthorized:not-called"},
		{"a token passing identityValidationExpression", "/dev/validated", "allow", 200, "", "", "validated:allow:called"},
	} {
		h := map[string]string{}
		if c.token != "" {
			h["Authorization"] = c.token
		}
		r, line := f.call(c.path, h)
		if r.status != c.status || (c.body != "" && string(r.body) != c.body) || r.header.Get("x-amzn-ErrorType") != c.errorType {
			t.Errorf("%s: %d %s (x-amzn-ErrorType %q), want %d %s (%q)", c.name, r.status, r.body, r.header.Get("x-amzn-ErrorType"), c.status, c.body, c.errorType)
		}
		if !strings.Contains(line, " authorizer="+c.log) {
			t.Errorf("%s: log line %q, want authorizer=%s", c.name, line, c.log)
		}
	}
}

// The cache keeps the answer's policy, evaluated against each request's method ARN: an Allow for the first
// method called denies the others until the entry expires (the production trap), on the gateway's clock;
// POST /_apigw/reset empties it.
func TestLambdaAuthorizerCache(t *testing.T) {
	t.Parallel()
	f := newAuthzFixture(t, authorizerSpec)
	tok := map[string]string{"Authorization": "allow"}
	expect := func(path string, status int, log string) {
		t.Helper()
		r, line := f.call(path, tok)
		if r.status != status || !strings.Contains(line, " authorizer="+log) {
			t.Errorf("%s: %d %s, log %q; want %d and authorizer=%s", path, r.status, r.body, line, status, log)
		}
	}
	expect("/dev/cached/a", 200, "cached:allow:called")
	expect("/dev/cached/a", 200, "cached:allow:cached")
	expect("/dev/cached/b", 403, "cached:not-allowed:cached") // the policy names /cached/a only
	f.clock.Advance(299 * time.Second)
	expect("/dev/cached/b", 403, "cached:not-allowed:cached")
	f.clock.Advance(time.Second) // 300 s: the entry has expired
	expect("/dev/cached/b", 200, "cached:allow:called")
	expect("/dev/cached/a", 403, "cached:not-allowed:cached")
	r := do(t, "POST", f.srv.URL+"/_apigw/reset", nil, "")
	if r.status != 200 {
		t.Fatalf("reset: %d %s", r.status, r.body)
	}
	expect("/dev/cached/a", 200, "cached:allow:called")
	// Another token is another entry.
	tok["Authorization"] = "allow-all"
	expect("/dev/cached/b", 200, "cached:allow:called")
	expect("/dev/cached/a", 200, "cached:allow:cached")
}

// A REQUEST authorizer gets the proxy-shaped event; its answer reaches the proxy event's
// requestContext.authorizer with the context's JSON types; a missing identity source is 401 without a
// call when caching is on, and optional when it is off.
func TestLambdaRequestAuthorizer(t *testing.T) {
	t.Parallel()
	f := newAuthzFixture(t, authorizerSpec)
	r, line := f.call("/dev/req/7?q=x", map[string]string{"X-Token": "allow"})
	if r.status != 200 || !strings.Contains(line, "authorizer=req:allow:called") {
		t.Fatalf("%d %s\n%s", r.status, r.body, line)
	}
	var ev struct {
		RequestContext struct {
			Authorizer map[string]any `json:"authorizer"`
		} `json:"requestContext"`
	}
	if err := json.Unmarshal(r.body, &ev); err != nil {
		t.Fatalf("%v: %s", err, r.body)
	}
	a := ev.RequestContext.Authorizer
	if a["principalId"] != "user-allow" || a["number"] != float64(1) || a["flag"] != true || a["eventType"] != "REQUEST" {
		t.Errorf("requestContext.authorizer = %v", a)
	}
	if _, ok := a["integrationLatency"].(float64); !ok {
		t.Errorf("integrationLatency missing: %v", a)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(a["event"].(string)), &got); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]any{"type": "REQUEST", "methodArn": "arn:aws:execute-api:us-east-1:123456789012:authz/dev/GET/req/7",
		"resource": "/req/{id}", "path": "/req/7", "httpMethod": "GET"} {
		if got[k] != want {
			t.Errorf("event %s = %v, want %v", k, got[k], want)
		}
	}
	if q, _ := got["queryStringParameters"].(map[string]any); q["q"] != "x" {
		t.Errorf("event queryStringParameters = %v", got["queryStringParameters"])
	}
	if p, _ := got["pathParameters"].(map[string]any); p["id"] != "7" {
		t.Errorf("event pathParameters = %v", got["pathParameters"])
	}
	if _, ok := got["body"]; ok {
		t.Errorf("a REQUEST event has no body: %v", got["body"])
	}

	// Caching on: every identity source is required.
	r, line = f.call("/dev/req/7", map[string]string{"X-Token": "allow"})
	if r.status != 401 || !strings.Contains(line, "authorizer=req:unauthorized:not-called") {
		t.Errorf("missing q with caching on: %d %s, %s", r.status, r.body, line)
	}
	// Caching off: the sources are optional; the token in the query string decides.
	r, line = f.call("/dev/req-open?token=allow", nil)
	if r.status != 200 || !strings.Contains(line, "authorizer=reqOpen:allow:called") {
		t.Errorf("missing header with caching off: %d %s, %s", r.status, r.body, line)
	}
}
