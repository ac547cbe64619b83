package emulator

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/apigw-local/apigw-local/internal/testcorpus"
	"github.com/aws/aws-lambda-go/lambda"
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

// More of what the authorizer's answer reaches: HTTP parameter mapping (context.authorizer.x), the API key
// of an API whose key source is AUTHORIZER (metered by its usage plan), and customised gateway responses.
func TestLambdaAuthorizerAnswerReachesTheRequest(t *testing.T) {
	t.Parallel()
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(r.Header.Get("X-Principal") + " " + r.Header.Get("X-Number")))
	}))
	t.Cleanup(backend.Close)
	spec := `openapi: "3.0.1"
info: {title: authz2, version: "1"}
x-amazon-apigateway-api-key-source: AUTHORIZER
x-amazon-apigateway-gateway-responses:
  UNAUTHORIZED:
    statusCode: 401
    responseParameters: {gatewayresponse.header.WWW-Authenticate: "'Bearer realm=\"local\"'"}
    responseTemplates: {application/json: '{"error": "no entry", "type": "$context.error.responseType"}'}
  ACCESS_DENIED:
    statusCode: 403
    responseTemplates: {application/json: '{"denied": $context.error.messageString, "principal": "$context.authorizer.principalId"}'}
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
    key: {type: apiKey, name: x-api-key, in: header}
paths:
  /http:
    get:
      security: [{tok: []}]
      x-amazon-apigateway-integration:
        type: http
        httpMethod: GET
        uri: "` + backend.URL + `/"
        requestParameters:
          integration.request.header.X-Principal: context.authorizer.principalId
          integration.request.header.X-Number: context.authorizer.number
        responses: {default: {statusCode: "200"}}
  /metered:
    get:
      security: [{tok: [], key: []}]
      x-amazon-apigateway-integration: ` + authorizerMock + `
`
	cfg := fmt.Sprintf(`functions:
  TokenAuth: {command: [%q]}
apiKeys:
  - {name: alice, value: "alice-0123456789abcdefghij"}
usagePlans:
  - name: basic
    apiStages: [{stage: dev}]
    throttle: {rateLimit: 1, burstLimit: 1}
    apiKeys: [alice]
`, fixture(t, "authorizer-token"))
	f := &authzFixture{t: t, log: &lineLog{lines: make(chan string, 16)}, clock: NewManualClock(time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC))}
	f.gw = NewGateway(loadFiles(t, t.TempDir(), spec, cfg), NewAccessLog(f.log, LogText, false), WithClock(f.clock))
	t.Cleanup(func() { f.gw.Close() })
	f.srv = httptest.NewServer(f.gw)
	t.Cleanup(f.srv.Close)

	if r, _ := f.call("/dev/http", map[string]string{"Authorization": "allow"}); r.status != 200 || string(r.body) != "user-allow 1" {
		t.Errorf("HTTP parameter mapping from context.authorizer: %d %q", r.status, r.body)
	}
	// AUTHORIZER key source: the authorizer's usageIdentifierKey is the API key, and its plan meters it.
	withKey := map[string]string{"Authorization": "key:alice-0123456789abcdefghij"}
	if r, line := f.call("/dev/metered", withKey); r.status != 200 {
		t.Errorf("the authorizer's key: %d %s (%s)", r.status, r.body, line)
	}
	if r, line := f.call("/dev/metered", withKey); r.status != 429 || !strings.Contains(line, "THROTTLED") {
		t.Errorf("the plan's burst of 1 is spent: %d %s (%s)", r.status, r.body, line)
	}
	if r, line := f.call("/dev/metered", map[string]string{"Authorization": "allow-all"}); r.status != 403 || !strings.Contains(line, "returned no usageIdentifierKey") {
		t.Errorf("no usageIdentifierKey: %d %s (%s)", r.status, r.body, line)
	}
	if r, _ := f.call("/dev/metered", map[string]string{"Authorization": "key:not-a-key-0123456789abcdef"}); r.status != 403 {
		t.Errorf("an unknown usageIdentifierKey: %d %s", r.status, r.body)
	}
	// Customised gateway responses apply to the authorizer's 401 and 403.
	r, _ := f.call("/dev/http", nil)
	if r.status != 401 || string(r.body) != `{"error": "no entry", "type": "UNAUTHORIZED"}` || r.header.Get("WWW-Authenticate") != `Bearer realm="local"` {
		t.Errorf("customised UNAUTHORIZED: %d %s %v", r.status, r.body, r.header)
	}
	r, _ = f.call("/dev/http", map[string]string{"Authorization": "deny"})
	if r.status != 403 || string(r.body) != `{"denied": "User is not authorized to access this resource with an explicit deny in an identity-based policy", "principal": "user-deny"}` {
		t.Errorf("customised ACCESS_DENIED: %d %s", r.status, r.body)
	}
}

// The cache starts afresh when the authorizer's settings or its function change (a reload), and not
// otherwise: answers survive an unrelated edit.
func TestLambdaAuthorizerCacheAcrossReloads(t *testing.T) {
	t.Parallel()
	f := newAuthzFixture(t, authorizerSpec)
	tok := map[string]string{"Authorization": "allow"}
	expect := func(log string) {
		t.Helper()
		if _, line := f.call("/dev/cached/a", tok); !strings.Contains(line, " authorizer="+log) {
			t.Errorf("log %q, want authorizer=%s", line, log)
		}
	}
	cfg := func(env string) string {
		return fmt.Sprintf("functions:\n  TokenAuth: {command: [%q], env: {MODE: %q}}\n  RequestAuth: {command: [%q]}\n  Echo: {command: [%q]}\n",
			fixture(t, "authorizer-token"), env, fixture(t, "authorizer-request"), fixture(t, "echo"))
	}
	dir := t.TempDir()
	f.gw.Swap(loadFiles(t, dir, authorizerSpec, cfg("1")))
	expect("cached:allow:called")
	expect("cached:allow:cached")
	f.gw.Swap(loadFiles(t, dir, authorizerSpec+"  /unrelated:\n    get:\n      x-amazon-apigateway-integration: "+authorizerMock+"\n", cfg("1")))
	expect("cached:allow:cached") // an unrelated edit keeps the answers
	f.gw.Swap(loadFiles(t, dir, authorizerSpec, cfg("2")))
	expect("cached:allow:called") // the function changed
	f.gw.Swap(loadFiles(t, dir, strings.Replace(authorizerSpec, "type: token\n        authorizerUri", "type: token\n        identityValidationExpression: \".*\"\n        authorizerUri", 1), cfg("2")))
	expect("cached:allow:called") // the authorizer's settings changed
}

// The decision vectors of authorizers.json (the project's copy of the shared corpus) reproduce with the
// fixture authorizer: each vector's outcome is played by the token that makes the fixture answer so.
func TestAuthorizerVectors(t *testing.T) {
	t.Parallel()
	var file struct {
		Vectors []struct {
			ID       string         `json:"id"`
			Expected map[string]any `json:"expected"`
		} `json:"vectors"`
	}
	if err := json.Unmarshal(testcorpus.Vectors("authorizers.json"), &file); err != nil {
		t.Fatal(err)
	}
	plays := map[string]struct{ path, token string }{
		"decision-allow":                          {"/dev/tok", "allow"},
		"decision-explicit-deny":                  {"/dev/tok", "deny"},
		"decision-implicit-deny":                  {"/dev/tok", "other"},
		"decision-throws-Unauthorized":            {"/dev/tok", "unauthorized"},
		"decision-throws-other":                   {"/dev/tok", "fail"},
		"decision-missing-identity-source":        {"/dev/tok", ""},
		"decision-validation-expression-mismatch": {"/dev/validated", "abc"},
	}
	f := newAuthzFixture(t, authorizerSpec)
	played := 0
	for _, v := range file.Vectors {
		p, ok := plays[v.ID]
		if !ok {
			continue
		}
		played++
		h := map[string]string{}
		if p.token != "" {
			h["Authorization"] = p.token
		}
		r, line := f.call(p.path, h)
		want := 200
		if s, ok := v.Expected["status"].(float64); ok {
			want = int(s)
		}
		if r.status != want {
			t.Errorf("%s: status %d, want %d (%s)", v.ID, r.status, want, line)
		}
		if body, ok := v.Expected["body"].(string); ok {
			var got, exp any
			if json.Unmarshal(r.body, &got) != nil || json.Unmarshal([]byte(body), &exp) != nil || fmt.Sprint(got) != fmt.Sprint(exp) {
				t.Errorf("%s: body %s, want %s", v.ID, r.body, body)
			}
		}
		if et, ok := v.Expected["x-amzn-ErrorType"].(string); ok && r.header.Get("x-amzn-ErrorType") != et {
			t.Errorf("%s: x-amzn-ErrorType %q, want %q", v.ID, r.header.Get("x-amzn-ErrorType"), et)
		}
		if called, ok := v.Expected["lambda_called"].(bool); ok && !called && !strings.Contains(line, ":not-called") {
			t.Errorf("%s: the function was called: %s", v.ID, line)
		}
	}
	if played != len(plays) {
		t.Errorf("played %d of the %d decision vectors: one was renamed or removed", played, len(plays))
	}
	// token-event and output-contract: the root's method ARN ends with "/", and context values are strings
	// in templates.
	r, _ := f.call("/dev/", map[string]string{"Authorization": "allow"})
	if !strings.Contains(string(r.body), `"number": "1", "flag": "true", "arn": "arn:aws:execute-api:us-east-1:123456789012:authz/dev/GET/"`) {
		t.Errorf("root method ARN and template context: %s", r.body)
	}
}

// A function that does not answer within the timeout is the authorizer's 500, as any other failure.
func TestLambdaAuthorizerTimeout(t *testing.T) {
	t.Parallel()
	spec := strings.Replace(authorizerSpec, "function:TokenAuth/invocations", "function:Stuck/invocations", 1)
	f := &authzFixture{t: t, log: &lineLog{lines: make(chan string, 16)}, clock: NewManualClock(time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC))}
	cfg := fmt.Sprintf("integrationTimeoutMax: 50ms\nfunctions:\n  TokenAuth: {command: [%q]}\n  RequestAuth: {command: [%q]}\n  Echo: {command: [%q]}\n",
		fixture(t, "authorizer-token"), fixture(t, "authorizer-request"), fixture(t, "echo"))
	f.gw = NewGateway(loadFiles(t, t.TempDir(), spec, cfg), NewAccessLog(f.log, LogText, false), WithClock(f.clock))
	t.Cleanup(func() { f.gw.Close() })
	// The handler answers only when its context ends: the call can only end by the timeout.
	f.gw.RegisterHandler("Stuck", lambda.NewHandler(func(ctx context.Context, _ json.RawMessage) (any, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	}))
	f.srv = httptest.NewServer(f.gw)
	t.Cleanup(f.srv.Close)
	r, line := f.call("/dev/tok", map[string]string{"Authorization": "allow"})
	if r.status != 500 || r.header.Get("x-amzn-ErrorType") != "AuthorizerConfigurationException" || !strings.Contains(line, "did not answer within 50ms") {
		t.Errorf("%d %s (%s)", r.status, r.body, line)
	}
}
