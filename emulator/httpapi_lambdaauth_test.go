package emulator

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// lambdaAuthSpec is an HTTP API whose routes use Lambda authorizers of both payload versions, simple
// and policy answers, cached and not. SimpleAuth is a real aws-lambda-go process
// (fixtures/lambdas/authorizer-http); the others are in-process handlers of lambdaAuthFixture.
const lambdaAuthSpec = `openapi: "3.0.1"
info: {title: lambda-authz, version: "1"}
components:
  securitySchemes:
    simple:
      type: apiKey
      name: Authorization
      in: header
      x-amazon-apigateway-authorizer:
        type: request
        authorizerPayloadFormatVersion: "2.0"
        enableSimpleResponses: true
        identitySource: "$request.header.Authorization"
        authorizerResultTtlInSeconds: 0
        authorizerUri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:SimpleAuth/invocations"
    policy2:
      type: apiKey
      name: Authorization
      in: header
      x-amazon-apigateway-authorizer:
        type: request
        authorizerPayloadFormatVersion: "2.0"
        identitySource: "$request.header.Authorization"
        authorizerResultTtlInSeconds: 0
        authorizerUri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:PolicyAuth/invocations"
    policy1:
      type: apiKey
      name: Authorization
      in: header
      x-amazon-apigateway-authorizer:
        type: request
        authorizerPayloadFormatVersion: "1.0"
        identitySource: "$request.header.Authorization, $request.querystring.q"
        authorizerResultTtlInSeconds: 0
        authorizerUri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:PolicyAuth/invocations"
    cached:
      type: apiKey
      name: Authorization
      in: header
      x-amazon-apigateway-authorizer:
        type: request
        authorizerPayloadFormatVersion: "2.0"
        enableSimpleResponses: true
        identitySource: "$request.header.Authorization"
        authorizerUri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:CountAuth/invocations"
    perRoute:
      type: apiKey
      name: Authorization
      in: header
      x-amazon-apigateway-authorizer:
        type: request
        authorizerPayloadFormatVersion: "2.0"
        enableSimpleResponses: true
        identitySource: "$request.header.Authorization, $context.routeKey"
        authorizerResultTtlInSeconds: 60
        authorizerUri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:CountAuth/invocations"
    events:
      type: apiKey
      name: Authorization
      in: header
      x-amazon-apigateway-authorizer:
        type: request
        authorizerPayloadFormatVersion: "2.0"
        enableSimpleResponses: true
        identitySource: "$request.header.Authorization, $request.querystring.q, $stageVariables.sv"
        authorizerResultTtlInSeconds: 0
        authorizerUri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:EventAuth/invocations"
paths:
  /simple:
    get: {security: [{simple: []}], x-amazon-apigateway-integration: {type: aws_proxy, httpMethod: POST, payloadFormatVersion: "2.0", uri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:Echo/invocations"}}
  /simple1:
    get:
      security: [{simple: []}]
      x-amazon-apigateway-integration: {type: aws_proxy, httpMethod: POST, payloadFormatVersion: "1.0", uri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:Echo/invocations"}
  /policy2/{id}:
    get: {security: [{policy2: []}], x-amazon-apigateway-integration: {type: aws_proxy, httpMethod: POST, payloadFormatVersion: "2.0", uri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:Echo/invocations"}}
  /policy1:
    get:
      security: [{policy1: []}]
      x-amazon-apigateway-integration: {type: aws_proxy, httpMethod: POST, payloadFormatVersion: "1.0", uri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:Echo/invocations"}
  /cached/a:
    get: {security: [{cached: []}], x-amazon-apigateway-integration: {type: aws_proxy, httpMethod: POST, payloadFormatVersion: "2.0", uri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:Echo/invocations"}}
  /cached/b:
    get: {security: [{cached: []}], x-amazon-apigateway-integration: {type: aws_proxy, httpMethod: POST, payloadFormatVersion: "2.0", uri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:Echo/invocations"}}
  /route/a:
    get: {security: [{perRoute: []}], x-amazon-apigateway-integration: {type: aws_proxy, httpMethod: POST, payloadFormatVersion: "2.0", uri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:Echo/invocations"}}
  /route/b:
    get: {security: [{perRoute: []}], x-amazon-apigateway-integration: {type: aws_proxy, httpMethod: POST, payloadFormatVersion: "2.0", uri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:Echo/invocations"}}
  /items/{id}:
    get: {security: [{events: []}], x-amazon-apigateway-integration: {type: aws_proxy, httpMethod: POST, payloadFormatVersion: "2.0", uri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:Echo/invocations"}}
`

type lambdaAuthFixture struct {
	url   string
	clock *ManualClock
	// calls counts each in-process authorizer's invocations, by function name.
	calls sync.Map // string -> *atomic.Int64
	mu    sync.Mutex
	last  map[string][]byte // the last event each in-process authorizer got
}

func (f *lambdaAuthFixture) count(name string) int64 {
	n, _ := f.calls.LoadOrStore(name, new(atomic.Int64))
	return n.(*atomic.Int64).Load()
}

func (f *lambdaAuthFixture) event(name string) []byte {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.last[name]
}

// authorizer registers an in-process authorizer that counts its calls and keeps its last event.
func (f *lambdaAuthFixture) authorizer(g *Gateway, name string, answer func(token string, ev map[string]any) (any, error)) {
	g.RegisterHandler(name, handlerFunc(func(ctx context.Context, payload []byte) ([]byte, error) {
		n, _ := f.calls.LoadOrStore(name, new(atomic.Int64))
		n.(*atomic.Int64).Add(1)
		f.mu.Lock()
		f.last[name] = bytes.Clone(payload)
		f.mu.Unlock()
		var ev map[string]any
		if err := json.Unmarshal(payload, &ev); err != nil {
			return nil, err
		}
		// The first identity value is the token: a list in 2.0 events, joined with "," in 1.0 ones.
		token := ""
		switch s := ev["identitySource"].(type) {
		case []any:
			token, _ = s[0].(string)
		case string:
			token, _, _ = strings.Cut(s, ",")
		}
		out, err := answer(token, ev)
		if err != nil {
			return nil, err
		}
		return json.Marshal(out)
	}))
}

func serveLambdaAuth(t *testing.T) *lambdaAuthFixture {
	t.Helper()
	cfg := fmt.Sprintf("stages:\n  $default:\n    variables: {sv: stage-value}\nfunctions:\n  SimpleAuth: {command: [%q]}\n", fixture(t, "authorizer-http"))
	snap := loadFiles(t, t.TempDir(), lambdaAuthSpec, cfg)
	f := &lambdaAuthFixture{clock: NewManualClock(time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)), last: map[string][]byte{}}
	g := NewGateway(snap, NewAccessLog(io.Discard, LogText, false), WithClock(f.clock))
	t.Cleanup(func() { g.Close() })
	// Echo answers with the event it got, so that the client sees what reached the integration.
	g.RegisterHandler("Echo", handlerFunc(func(ctx context.Context, payload []byte) ([]byte, error) {
		return json.Marshal(map[string]any{"statusCode": 200, "body": string(payload)})
	}))
	policy := func(effect, resource string) map[string]any {
		return map[string]any{"principalId": "bob", "context": map[string]any{"user": "bob", "roles": []string{"r1", "r2"}, "meta": map[string]any{"a": 1}},
			"policyDocument": map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{"Action": "execute-api:Invoke", "Effect": effect, "Resource": resource}}}}
	}
	f.authorizer(g, "PolicyAuth", func(token string, ev map[string]any) (any, error) {
		arn, _ := ev["routeArn"].(string)
		if ev["version"] == "1.0" {
			arn, _ = ev["methodArn"].(string)
		}
		switch token {
		case "allow":
			return policy("Allow", arn), nil
		case "deny":
			return policy("Deny", "*"), nil
		case "elsewhere":
			return policy("Allow", "arn:aws:execute-api:us-east-1:123456789012:other/*"), nil
		case "broken":
			return map[string]any{"principalId": "bob"}, nil
		}
		return nil, errors.New("Unauthorized")
	})
	f.authorizer(g, "CountAuth", func(token string, ev map[string]any) (any, error) {
		return map[string]any{"isAuthorized": strings.HasPrefix(token, "allow"), "context": map[string]any{"token": token}}, nil
	})
	f.authorizer(g, "EventAuth", func(token string, ev map[string]any) (any, error) {
		return map[string]any{"isAuthorized": true}, nil
	})
	srv := httptest.NewServer(g)
	t.Cleanup(srv.Close)
	f.url = srv.URL
	return f
}

// integrationEvent is the event the Echo integration got, from its answer.
func integrationEvent(t *testing.T, r result) map[string]any {
	t.Helper()
	var ev map[string]any
	if err := json.Unmarshal(r.body, &ev); err != nil {
		t.Fatalf("not an event: %d %s", r.status, r.body)
	}
	return ev
}

// A 2.0 authorizer with simple responses (a real aws-lambda-go process): isAuthorized true lets the
// request through with its context, maps and lists included, in requestContext.authorizer.lambda (2.0
// integration) or as REST's authorizer fields (1.0 integration); false is 403 {"message":"Forbidden"};
// an unreadable answer is 500; a missing identity source is 401 (reference §j.6).
func TestHTTPAPILambdaAuthorizerSimpleResponses(t *testing.T) {
	f := serveLambdaAuth(t)
	wantContext := map[string]any{"user": "alice", "groups": []any{"admin", "dev"}, "profile": map[string]any{"tier": "gold", "level": float64(3)},
		"routeKey": "GET /simple"}
	r := do(t, "GET", f.url+"/simple", map[string]string{"Authorization": "allow"}, "")
	if r.status != 200 {
		t.Fatalf("allow: %d %s", r.status, r.body)
	}
	rc := integrationEvent(t, r)["requestContext"].(map[string]any)
	got := rc["authorizer"].(map[string]any)["lambda"].(map[string]any)
	arn, _ := got["routeArn"].(string)
	if !strings.HasPrefix(arn, "arn:aws:execute-api:us-east-1:123456789012:") || !strings.HasSuffix(arn, "/$default/GET/simple") {
		t.Errorf("the authorizer's routeArn: %q", arn)
	}
	wantContext["routeArn"] = arn
	if !reflect.DeepEqual(got, wantContext) {
		t.Errorf("requestContext.authorizer.lambda = %v, want %v", got, wantContext)
	}
	if len(rc["authorizer"].(map[string]any)) != 1 {
		t.Errorf("requestContext.authorizer holds only lambda: %v", rc["authorizer"])
	}

	r = do(t, "GET", f.url+"/simple1", map[string]string{"Authorization": "allow"}, "")
	if r.status != 200 {
		t.Fatalf("allow (1.0 integration): %d %s", r.status, r.body)
	}
	az := integrationEvent(t, r)["requestContext"].(map[string]any)["authorizer"].(map[string]any)
	if _, ok := az["integrationLatency"].(float64); !ok {
		t.Errorf("1.0 integration: no integrationLatency in %v", az)
	}
	delete(az, "integrationLatency")
	wantContext["routeKey"], wantContext["routeArn"] = "GET /simple1", strings.TrimSuffix(arn, "simple")+"simple1"
	if !reflect.DeepEqual(az, wantContext) {
		t.Errorf("1.0 integration: requestContext.authorizer = %v, want the context's keys (no principalId)", az)
	}

	for _, c := range []struct {
		header map[string]string
		status int
		body   string
	}{
		{map[string]string{"Authorization": "deny"}, 403, `{"message":"Forbidden"}`},
		{map[string]string{"Authorization": "invalid"}, 500, `{"message":"Internal Server Error"}`},
		{nil, 401, `{"message":"Unauthorized"}`},
		{map[string]string{"Authorization": ""}, 401, `{"message":"Unauthorized"}`},
	} {
		if r := do(t, "GET", f.url+"/simple", c.header, ""); r.status != c.status || string(r.body) != c.body {
			t.Errorf("%v: %d %s, want %d %s", c.header, r.status, r.body, c.status, c.body)
		}
	}
}

// Without simple responses both payload versions answer with an IAM policy, evaluated against the
// route ARN: Allow lets through (context, maps and lists included, reaching the integration), an
// explicit Deny or a policy allowing something else is 403; an answer without a policy, or a function
// error, is 500; a missing identity source is 401 without calling the function.
func TestHTTPAPILambdaAuthorizerPolicies(t *testing.T) {
	f := serveLambdaAuth(t)
	for _, c := range []struct {
		path, token string
		status      int
		body        string
		calls       int64
	}{
		{"/policy2/7", "allow", 200, "", 1},
		{"/policy2/7", "deny", 403, `{"message":"Forbidden"}`, 1},
		{"/policy2/7", "elsewhere", 403, `{"message":"Forbidden"}`, 1},
		{"/policy2/7", "broken", 500, `{"message":"Internal Server Error"}`, 1},
		{"/policy2/7", "Unauthorized", 500, `{"message":"Internal Server Error"}`, 1},
		{"/policy2/7", "", 401, `{"message":"Unauthorized"}`, 0},
		{"/policy1?q=qv", "allow", 200, "", 1},
		{"/policy1?q=qv", "deny", 403, `{"message":"Forbidden"}`, 1},
		{"/policy1?q=qv", "elsewhere", 403, `{"message":"Forbidden"}`, 1},
		{"/policy1?q=qv", "broken", 500, `{"message":"Internal Server Error"}`, 1},
		{"/policy1", "allow", 401, `{"message":"Unauthorized"}`, 0}, // the query parameter q is an identity source
		{"/policy1?Q=qv", "allow", 401, `{"message":"Unauthorized"}`, 0},
	} {
		before := f.count("PolicyAuth")
		h := map[string]string{}
		if c.token != "" {
			h["Authorization"] = c.token
		}
		r := do(t, "GET", f.url+c.path, h, "")
		if r.status != c.status || (c.body != "" && string(r.body) != c.body) {
			t.Errorf("%s %q: %d %s, want %d %s", c.path, c.token, r.status, r.body, c.status, c.body)
		}
		if n := f.count("PolicyAuth") - before; n != c.calls {
			t.Errorf("%s %q: the authorizer was called %d times, want %d", c.path, c.token, n, c.calls)
		}
	}
	wantContext := map[string]any{"user": "bob", "roles": []any{"r1", "r2"}, "meta": map[string]any{"a": float64(1)}}
	r := do(t, "GET", f.url+"/policy2/7", map[string]string{"Authorization": "allow"}, "")
	got := integrationEvent(t, r)["requestContext"].(map[string]any)["authorizer"]
	if !reflect.DeepEqual(got, map[string]any{"lambda": wantContext}) {
		t.Errorf("2.0 integration: requestContext.authorizer = %v", got)
	}
	r = do(t, "GET", f.url+"/policy1?q=qv", map[string]string{"Authorization": "allow"}, "")
	az := integrationEvent(t, r)["requestContext"].(map[string]any)["authorizer"].(map[string]any)
	delete(az, "integrationLatency")
	wantContext["principalId"] = "bob"
	if !reflect.DeepEqual(az, wantContext) {
		t.Errorf("1.0 integration: requestContext.authorizer = %v, want %v", az, wantContext)
	}

	// The 1.0 event is REST's REQUEST event led by version, type, methodArn, and the identity values
	// joined with "," as identitySource and authorizationToken; every field of AWS's sample is there.
	ev := f.event("PolicyAuth")
	keys := objectKeys(t, ev)
	if want := []string{"version", "type", "methodArn", "identitySource", "authorizationToken"}; !reflect.DeepEqual(keys[:5], want) {
		t.Errorf("1.0 event starts with %v, want %v", keys[:5], want)
	}
	for _, k := range objectKeys(t, readSample(t, "apigw-v2-custom-authorizer-v1-request.json")) {
		if !contains(keys, k) {
			t.Errorf("1.0 event: no %q (AWS's sample has it): %s", k, ev)
		}
	}
	var v1 map[string]any
	_ = json.Unmarshal(ev, &v1)
	if v1["version"] != "1.0" || v1["type"] != "REQUEST" || v1["identitySource"] != "allow,qv" || v1["authorizationToken"] != "allow,qv" ||
		!strings.HasSuffix(v1["methodArn"].(string), "/$default/GET/policy1") || v1["resource"] != "/policy1" || v1["httpMethod"] != "GET" {
		t.Errorf("1.0 event: %s", ev)
	}
}

// The 2.0 event, field by field against AWS's published sample (aws-lambda-go
// events/testdata/apigw-v2-custom-authorizer-v2-request.json, copied to testdata/aws-lambda-go): the
// same members in the same order (requestContext.authentication is for mutual TLS only), each of the
// sample's JSON type, with this request's values.
func TestHTTPAPILambdaAuthorizerEventV2(t *testing.T) {
	f := serveLambdaAuth(t)
	r := do(t, "GET", f.url+"/items/42?q=v1&p=1&p=2", map[string]string{"Authorization": "allow", "Cookie": "c1=x; c2=y", "X-Extra": "e"}, "")
	if r.status != 200 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	ev := f.event("EventAuth")
	sample := readSample(t, "apigw-v2-custom-authorizer-v2-request.json")
	if got, want := objectKeys(t, ev), objectKeys(t, sample); !reflect.DeepEqual(got, want) {
		t.Errorf("members %v, want AWS's %v", got, want)
	}
	var got, want map[string]any
	_ = json.Unmarshal(ev, &got)
	_ = json.Unmarshal(sample, &want)
	delete(want["requestContext"].(map[string]any), "authentication")
	sameShape(t, "", got, want)
	rcGot, _ := json.Marshal(got["requestContext"])
	rcWant, _ := json.Marshal(want["requestContext"])
	if g, w := objectKeys(t, rcGot), objectKeys(t, rcWant); !reflect.DeepEqual(g, w) {
		t.Errorf("requestContext members %v, want %v", g, w)
	}
	rc := got["requestContext"].(map[string]any)
	http := rc["http"].(map[string]any)
	for name, c := range map[string]struct{ got, want any }{
		"version":                      {got["version"], "2.0"},
		"type":                         {got["type"], "REQUEST"},
		"identitySource":               {got["identitySource"], []any{"allow", "v1", "stage-value"}},
		"routeKey":                     {got["routeKey"], "GET /items/{id}"},
		"rawPath":                      {got["rawPath"], "/items/42"},
		"rawQueryString":               {got["rawQueryString"], "q=v1&p=1&p=2"},
		"cookies":                      {got["cookies"], []any{"c1=x", "c2=y"}},
		"headers.authorization":        {got["headers"].(map[string]any)["authorization"], "allow"},
		"headers.x-extra":              {got["headers"].(map[string]any)["x-extra"], "e"},
		"queryStringParameters":        {got["queryStringParameters"], map[string]any{"q": "v1", "p": "1,2"}},
		"pathParameters":               {got["pathParameters"], map[string]any{"id": "42"}},
		"stageVariables":               {got["stageVariables"], map[string]any{"sv": "stage-value"}},
		"requestContext.accountId":     {rc["accountId"], "123456789012"},
		"requestContext.routeKey":      {rc["routeKey"], "GET /items/{id}"},
		"requestContext.stage":         {rc["stage"], "$default"},
		"requestContext.http.method":   {http["method"], "GET"},
		"requestContext.http.path":     {http["path"], "/items/42"},
		"requestContext.http.protocol": {http["protocol"], "HTTP/1.1"},
	} {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s = %#v, want %#v", name, c.got, c.want)
		}
	}
	if arn, _ := got["routeArn"].(string); arn != "arn:aws:execute-api:us-east-1:123456789012:"+rc["apiId"].(string)+"/$default/GET/items/42" {
		t.Errorf("routeArn %q", arn)
	}
	for k := range got["headers"].(map[string]any) {
		if k != strings.ToLower(k) || k == "cookie" {
			t.Errorf("header %q: 2.0 headers are lower case, cookies apart", k)
		}
	}
}

// Answers are cached by identity-source values for authorizerResultTtlInSeconds (300 s when unset),
// shared by every route using the authorizer, on the gateway's clock; a cached isAuthorized false
// applies to every matching request; $context.routeKey as an identity source separates routes.
func TestHTTPAPILambdaAuthorizerCache(t *testing.T) {
	f := serveLambdaAuth(t)
	step := func(path, token string, status int, calls int64) {
		t.Helper()
		r := do(t, "GET", f.url+path, map[string]string{"Authorization": token}, "")
		if r.status != status {
			t.Errorf("%s %q: %d %s, want %d", path, token, r.status, r.body, status)
		}
		if n := f.count("CountAuth"); n != calls {
			t.Errorf("%s %q: %d calls so far, want %d", path, token, n, calls)
		}
	}
	step("/cached/a", "allow", 200, 1)
	step("/cached/b", "allow", 200, 1) // shared by the routes: no second call
	step("/cached/a", "allow-2", 200, 2)
	step("/cached/a", "deny", 403, 3)
	step("/cached/b", "deny", 403, 3) // a cached false applies to every route
	step("/cached/a", "", 401, 3)     // no identity: no call
	f.clock.Advance(299 * time.Second)
	step("/cached/b", "allow", 200, 3)
	f.clock.Advance(time.Second) // 300 s: expired
	step("/cached/b", "allow", 200, 4)

	step("/route/a", "allow", 200, 5)
	step("/route/a", "allow", 200, 5)
	step("/route/b", "allow", 200, 6) // the route key is an identity source: another entry
	step("/route/b", "allow", 200, 6)
	f.clock.Advance(60 * time.Second)
	step("/route/a", "allow", 200, 7)

	// The cached context reaches the integration as the fresh one did.
	r := do(t, "GET", f.url+"/cached/a", map[string]string{"Authorization": "allow"}, "")
	got := integrationEvent(t, r)["requestContext"].(map[string]any)["authorizer"]
	if !reflect.DeepEqual(got, map[string]any{"lambda": map[string]any{"token": "allow"}}) {
		t.Errorf("cached answer: requestContext.authorizer = %v", got)
	}
}

func readSample(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/aws-lambda-go/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// objectKeys are the member names of a JSON object, in order.
func objectKeys(t *testing.T, raw []byte) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("not an object: %s", raw)
	}
	var keys []string
	for dec.More() {
		k, _ := dec.Token()
		keys = append(keys, k.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

// sameShape checks that got has every member of want, of the same JSON type, recursively into objects.
func sameShape(t *testing.T, at string, got, want any) {
	t.Helper()
	if reflect.TypeOf(got) != reflect.TypeOf(want) {
		t.Errorf("%s: %T, AWS's sample has %T", at, got, want)
		return
	}
	if w, ok := want.(map[string]any); ok && at != ".headers" && at != ".queryStringParameters" && at != ".pathParameters" && at != ".stageVariables" {
		g := got.(map[string]any)
		for k, v := range w {
			if _, ok := g[k]; !ok {
				t.Errorf("%s.%s is missing", at, k)
				continue
			}
			sameShape(t, at+"."+k, g[k], v)
		}
	}
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

// An HTTP API Lambda authorizer AWS would refuse is a build warning naming the setting, and its routes
// answer 500 without calling anything rather than being served unprotected; one the emulator can read
// although AWS requires more (no authorizerPayloadFormatVersion, REST-style identity sources) is served
// as 1.0 with a warning saying so.
func TestHTTPAPILambdaAuthorizerFindings(t *testing.T) {
	const doc = `openapi: "3.0.1"
info: {title: bad-authz, version: "1"}
components:
  securitySchemes:
    bad:
      type: apiKey
      name: Authorization
      in: header
      x-amazon-apigateway-authorizer:
        type: request
        authorizerPayloadFormatVersion: "1.0"
        enableSimpleResponses: true
        identitySource: "$request.header.Authorization"
        authorizerUri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:Auth/invocations"
    unversioned:
      type: apiKey
      name: Authorization
      in: header
      x-amazon-apigateway-authorizer:
        type: request
        identitySource: "method.request.header.Authorization"
        authorizerUri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:Auth/invocations"
paths:
  /bad:
    get:
      security: [{bad: []}]
      x-amazon-apigateway-integration: {type: aws_proxy, httpMethod: POST, payloadFormatVersion: "2.0", uri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:Echo/invocations"}
  /old:
    get:
      security: [{unversioned: []}]
      x-amazon-apigateway-integration: {type: aws_proxy, httpMethod: POST, payloadFormatVersion: "2.0", uri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:Echo/invocations"}
`
	l := loadFilesFindings(t, t.TempDir(), doc, "")
	for _, want := range []string{
		`authorizer "bad" cannot run: enableSimpleResponses needs authorizerPayloadFormatVersion 2.0 (got 1.0): the methods using it answer 500`,
		`authorizer "unversioned": authorizerPayloadFormatVersion is missing (AWS requires 1.0 or 2.0 for an HTTP API's Lambda authorizer): served as 1.0`,
		`identity source method.request.header.Authorization is written as a REST API's`,
	} {
		if !strings.Contains(l.Findings.Error(), want) {
			t.Errorf("no finding %q in:\n%s", want, l.Findings.Error())
		}
	}
	snap, err := l.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	g := NewGateway(snap, NewAccessLog(io.Discard, LogText, false))
	t.Cleanup(func() { g.Close() })
	var calls atomic.Int64
	var event atomic.Pointer[[]byte]
	g.RegisterHandler("Auth", handlerFunc(func(ctx context.Context, payload []byte) ([]byte, error) {
		calls.Add(1)
		ev := bytes.Clone(payload)
		event.Store(&ev)
		return []byte(`{"principalId":"p","policyDocument":{"Version":"2012-10-17","Statement":[{"Action":"execute-api:Invoke","Effect":"Allow","Resource":"*"}]}}`), nil
	}))
	g.RegisterHandler("Echo", handlerFunc(func(ctx context.Context, payload []byte) ([]byte, error) {
		return []byte(`{"statusCode":200,"body":"ok"}`), nil
	}))
	srv := httptest.NewServer(g)
	t.Cleanup(srv.Close)
	if r := do(t, "GET", srv.URL+"/bad", map[string]string{"Authorization": "t"}, ""); r.status != 500 || string(r.body) != `{"message":"Internal Server Error"}` || calls.Load() != 0 {
		t.Errorf("a route behind an authorizer that cannot run: %d %s, %d calls", r.status, r.body, calls.Load())
	}
	if r := do(t, "GET", srv.URL+"/old", map[string]string{"Authorization": "t"}, ""); r.status != 200 || calls.Load() != 1 || !bytes.HasPrefix(*event.Load(), []byte(`{"version":"1.0","type":"REQUEST","methodArn":`)) {
		t.Errorf("a 1.0 authorizer by default: %d %s, %d calls", r.status, r.body, calls.Load())
	}
}
