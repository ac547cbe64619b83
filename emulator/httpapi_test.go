package emulator

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

// An HTTP API answers a request no route matches with 404 {"message":"Not Found"} (a REST API: 403
// Missing Authentication Token), names its answers with apigw-requestid alone, and sends every request
// no other route takes to its $default route when it has one (reference §j.1).
func TestHTTPAPINotFoundAndDefaultRoute(t *testing.T) {
	const head = `openapi: "3.0.1"
info: {title: shop, version: "1"}
x-amazon-apigateway-cors: {allowOrigins: ["*"]}
paths:
  /pets:
    get:
      x-amazon-apigateway-integration: {type: aws_proxy, httpMethod: POST, payloadFormatVersion: "2.0", uri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/Pets/invocations"}
`
	const withDefault = head + `  /toys/{id}:
    post:
      x-amazon-apigateway-integration: {type: aws_proxy, httpMethod: POST, payloadFormatVersion: "2.0", uri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/Pets/invocations"}
  /$default:
    x-amazon-apigateway-any-method:
      x-amazon-apigateway-integration: {type: aws_proxy, httpMethod: POST, payloadFormatVersion: "2.0", uri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/Catch/invocations"}
`
	serve := func(doc string) string {
		return serveHTTPAPI(t, doc, "")
	}
	base := serve(head)
	if res := do(t, "GET", base+"/pets", nil, ""); res.status != 200 || string(res.body) != "Pets /pets" {
		t.Fatalf("GET /pets: %d %s", res.status, res.body)
	}
	for _, c := range []struct {
		name, method, path string
		header             map[string]string
	}{
		{"unknown path", "GET", "/nothing", nil},
		{"known path, another method", "DELETE", "/pets", nil},
		{"a first segment that names no stage", "GET", "/prod/pets", nil},
		{"an Authorization header that is not SigV4", "GET", "/nothing", map[string]string{"Authorization": "Bearer abc"}},
	} {
		res := do(t, c.method, base+c.path, c.header, "")
		var body map[string]string
		_ = json.Unmarshal(res.body, &body)
		if res.status != 404 || string(res.body) != `{"message":"Not Found"}` || res.header.Get("Content-Type") != "application/json" {
			t.Errorf("%s: %d %s %v, want 404 {\"message\":\"Not Found\"}", c.name, res.status, res.body, res.header)
		}
		if res.header.Get("apigw-requestid") == "" || res.header.Get("x-amzn-RequestId") != "" || res.header.Get("x-amzn-ErrorType") != "" {
			t.Errorf("%s: headers %v, want apigw-requestid and no REST headers", c.name, res.header)
		}
	}

	base = serve(withDefault)
	for _, c := range []struct{ method, path, want string }{
		{"GET", "/pets", "Pets /pets"},
		{"GET", "/nothing/here", "Catch /nothing/here"},
		{"DELETE", "/pets", "Catch /pets"},
		{"GET", "/toys/1", "Catch /toys/1"}, // /toys/{id} has no GET: the search goes on (REST: 403)
		{"POST", "/toys/1", "Pets /toys/1"},
	} {
		if res := do(t, c.method, base+c.path, nil, ""); res.status != 200 || string(res.body) != c.want {
			t.Errorf("%s %s with a $default route: %d %s, want 200 %s", c.method, c.path, res.status, res.body, c.want)
		}
	}
}

// An HTTP API's $default stage is served at the root; a first path segment naming another stage selects
// it (the event's rawPath keeps that segment); any other first segment leaves the whole path to $default,
// and without a $default stage it is 404 (reference §j.1).
func TestHTTPAPIStages(t *testing.T) {
	const doc = `openapi: "3.0.1"
info: {title: shop, version: "1"}
paths:
  /pets:
    get:
      x-amazon-apigateway-integration: {type: aws_proxy, httpMethod: POST, payloadFormatVersion: "2.0", uri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/Pets/invocations"}
  /{proxy+}:
    get:
      x-amazon-apigateway-integration: {type: aws_proxy, httpMethod: POST, payloadFormatVersion: "2.0", uri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/Pets/invocations"}
`
	cases := []struct {
		config string
		path   string
		status int
		stage  string
		want   string
	}{
		{"", "/pets", 200, "$default", "Pets /pets"},
		{"", "/dev/pets", 200, "$default", "Pets /dev/pets"}, // no stage dev: {proxy+} takes it
		{"servers: [{url: \"https://x/{basePath}\", variables: {basePath: {default: beta}}}]", "/beta/pets", 200, "beta", "Pets /beta/pets"},
		{"stages: {dev: {}}", "/dev/pets", 200, "dev", "Pets /dev/pets"},
		{"stages: {dev: {}}", "/pets", 404, "", `{"message":"Not Found"}`},
		{"stages: {dev: {}}", "/prod/pets", 404, "", `{"message":"Not Found"}`},
		{"stages: {$default: {}, dev: {}}", "/dev/pets", 200, "dev", "Pets /dev/pets"},
		{"stages: {$default: {}, dev: {}}", "/pets", 200, "$default", "Pets /pets"},
		{"stages: {$default: {}, dev: {}}", "/$default/pets", 200, "$default", "Pets /$default/pets"},
		{"stages: {$default: {}, dev: {}}", "/prod/pets", 200, "$default", "Pets /prod/pets"},
	}
	bases := map[string]string{}
	for _, c := range cases {
		if bases[c.config] == "" {
			d, cfg := doc, c.config
			if strings.HasPrefix(cfg, "servers:") { // the export's own stage, in its servers' basePath
				d, cfg = doc+cfg+"\n", ""
			}
			bases[c.config] = serveHTTPAPI(t, d, cfg)
		}
		res := do(t, "GET", bases[c.config]+c.path, nil, "")
		if res.status != c.status || string(res.body) != c.want || res.header.Get("x-stage") != c.stage {
			t.Errorf("%q, GET %s: %d %s (stage %q), want %d %s (stage %q)", c.config, c.path, res.status, res.body, res.header.Get("x-stage"), c.status, c.want, c.stage)
		}
	}
}

// serveHTTPAPI serves doc with config. Its functions Pets and Catch answer "<name> <rawPath>", and name
// the stage in the header x-stage.
func serveHTTPAPI(t *testing.T, doc, config string) string {
	t.Helper()
	snap := loadFiles(t, t.TempDir(), doc, config)
	g := NewGateway(snap, NewAccessLog(io.Discard, LogText, false))
	t.Cleanup(func() { g.Close() })
	for _, name := range []string{"Pets", "Catch"} {
		g.RegisterHandler(name, lambda.NewHandler(func(ctx context.Context, e events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
			return events.APIGatewayV2HTTPResponse{StatusCode: 200, Body: name + " " + e.RawPath, Headers: map[string]string{"x-stage": e.RequestContext.Stage}}, nil
		}))
	}
	srv := httptest.NewServer(g)
	t.Cleanup(srv.Close)
	return srv.URL
}

// An HTTP API throttles by stage default (throttling) and by route (routeSettings, keyed by route key),
// answering 429 {"message":"Too Many Requests"}; its integrations time out at 30 s by default and at
// most, answering 503 (reference §j.9).
func TestHTTPAPILimits(t *testing.T) {
	const doc = `openapi: "3.0.1"
info: {title: limits, version: "1"}
paths:
  /a:
    get:
      x-amazon-apigateway-integration: {type: aws_proxy, httpMethod: POST, payloadFormatVersion: "2.0", uri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/Pets/invocations"}
  /b:
    get:
      x-amazon-apigateway-integration: {type: aws_proxy, httpMethod: POST, payloadFormatVersion: "2.0", uri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/Pets/invocations"}
  /slow:
    get:
      x-amazon-apigateway-integration: {type: aws_proxy, httpMethod: POST, payloadFormatVersion: "2.0", timeoutInMillis: 60000, uri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/Slow/invocations"}
  /short:
    get:
      x-amazon-apigateway-integration: {type: aws_proxy, httpMethod: POST, payloadFormatVersion: "2.0", timeoutInMillis: 50, uri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/Slow/invocations"}
  /$default:
    x-amazon-apigateway-any-method:
      x-amazon-apigateway-integration: {type: aws_proxy, httpMethod: POST, payloadFormatVersion: "2.0", uri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/Pets/invocations"}
`
	const cfg = `stages:
  $default:
    throttling: {rateLimit: 0, burstLimit: 3}
    routeSettings:
      "GET /a": {throttlingRateLimit: 0, throttlingBurstLimit: 1}
      "$default": {throttlingRateLimit: 0, throttlingBurstLimit: 2}
      "GET /nope": {throttlingRateLimit: 1, throttlingBurstLimit: 1}
      "GET /short": {throttlingRateLimit: 0, throttlingBurstLimit: 10}
`
	l := loadFilesFindings(t, t.TempDir(), doc, cfg)
	fs := l.Findings.Error()
	for _, want := range []string{
		`stages.$default.routeSettings["GET /nope"]: "GET /nope" matches no route of an HTTP API, so it limits nothing`,
		"GET /slow: timeoutInMillis 60000 is above an HTTP API's maximum of 30000",
	} {
		if !strings.Contains(fs, want) {
			t.Errorf("no finding %q in:\n%s", want, fs)
		}
	}
	snap, err := l.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	for _, rt := range snap.APIs[0].Tree.Routes() {
		r := rt.Value
		if r.Resource == "/slow" && r.timeout != HTTPAPITimeout {
			t.Errorf("/slow times out after %v, want %v", r.timeout, HTTPAPITimeout)
		}
		if r.Resource == "/a" && r.timeout != HTTPAPITimeout {
			t.Errorf("/a (no timeoutInMillis) times out after %v, want %v", r.timeout, HTTPAPITimeout)
		}
	}
	clock := NewManualClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	g := NewGateway(snap, NewAccessLog(io.Discard, LogText, false), WithClock(clock))
	t.Cleanup(func() { g.Close() })
	g.RegisterHandler("Pets", lambda.NewHandler(func(ctx context.Context, e events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
		return events.APIGatewayV2HTTPResponse{StatusCode: 200, Body: "ok"}, nil
	}))
	// The function answers only when the integration's deadline has ended it.
	g.RegisterHandler("Slow", lambda.NewHandler(func(ctx context.Context, e events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
		<-ctx.Done()
		return events.APIGatewayV2HTTPResponse{StatusCode: 200, Body: "late"}, nil
	}))
	srv := httptest.NewServer(g)
	t.Cleanup(srv.Close)
	if res := do(t, "GET", srv.URL+"/short", nil, ""); res.status != 503 || string(res.body) != `{"message":"Service Unavailable"}` {
		t.Errorf("a timed-out integration: %d %s, want 503 {\"message\":\"Service Unavailable\"}", res.status, res.body)
	}
	for _, c := range []struct {
		path string
		ok   int // requests let through before 429s
	}{{"/a", 1}, {"/b", 3}, {"/anything", 2}} {
		for i := 0; i < c.ok+2; i++ {
			res := do(t, "GET", srv.URL+c.path, nil, "")
			want, body := 200, "ok"
			if i >= c.ok {
				want, body = 429, `{"message":"Too Many Requests"}`
			}
			if res.status != want || string(res.body) != body {
				t.Errorf("%s, request %d: %d %s, want %d %s", c.path, i+1, res.status, res.body, want, body)
			}
		}
	}
}

// What an HTTP API uses that is not emulated yet answers 500 Internal Server Error, never served
// without it, and the request's log line says why (a validate warning says so before).
func TestHTTPAPINotEmulated(t *testing.T) {
	const doc = `openapi: "3.0.1"
info: {title: sub, version: "1"}
paths:
  /submit:
    post:
      x-amazon-apigateway-integration:
        type: aws_proxy
        integrationSubtype: SQS-SendMessage
        credentials: arn:aws:iam::123456789012:role/r
        payloadFormatVersion: "1.0"
        requestParameters:
          QueueUrl: https://sqs.us-east-1.amazonaws.com/123456789012/q
          MessageBody: $request.body
`
	l := loadFilesFindings(t, t.TempDir(), doc, "")
	if want := "POST /submit: integrationSubtype SQS-SendMessage is not emulated yet: requests answer 500"; !strings.Contains(l.Findings.Error(), want) {
		t.Errorf("no finding %q in:\n%s", want, l.Findings.Error())
	}
	snap, err := l.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	g := NewGateway(snap, NewAccessLog(&log, LogText, false))
	t.Cleanup(func() { g.Close() })
	w := httptest.NewRecorder()
	g.ServeHTTP(w, httptest.NewRequest("POST", "/submit", strings.NewReader(`{"a":1}`)))
	if w.Code != 500 || w.Body.String() != `{"message":"Internal Server Error"}` {
		t.Errorf("POST /submit: %d %s, want 500 {\"message\":\"Internal Server Error\"}", w.Code, w.Body)
	}
	if !strings.Contains(log.String(), "integrationSubtype SQS-SendMessage (an HTTP API's AWS service integration) is not emulated yet") {
		t.Errorf("the log line does not say why: %s", log.String())
	}

	// Settings that change nothing locally are said to.
	l = loadFilesFindings(t, t.TempDir(), `openapi: "3.0.1"
info: {title: tls, version: "1"}
x-amazon-apigateway-endpoint-configuration: {disableExecuteApiEndpoint: true}
paths:
  /p:
    get:
      x-amazon-apigateway-integration: {type: http_proxy, httpMethod: GET, payloadFormatVersion: "1.0", uri: "https://backend.internal/p", tlsConfig: {serverNameToVerify: backend.example.com}}
`, "")
	for _, want := range []string{
		"GET /p: tlsConfig is not emulated",
		"disableExecuteApiEndpoint: AWS serves this API only on its custom domains",
	} {
		if !strings.Contains(l.Findings.Error(), want) {
			t.Errorf("no finding %q in:\n%s", want, l.Findings.Error())
		}
	}
}

// An HTTP API takes at most 10,240 bytes of request line and headers (reference §h); a REST API's limit
// is on header values alone, and stays the server's.
func TestHTTPAPIRequestHeadLimit(t *testing.T) {
	const doc = `openapi: "3.0.1"
info: {title: shop, version: "1"}
paths:
  /pets:
    get:
      x-amazon-apigateway-integration: {type: aws_proxy, httpMethod: POST, payloadFormatVersion: "2.0", uri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/Pets/invocations"}
`
	base := serveHTTPAPI(t, doc, "")
	req, _ := http.NewRequest("GET", base+"/pets", nil)
	probe := requestHeadSize(&http.Request{Method: "GET", RequestURI: "/pets", Proto: "HTTP/1.1", Host: req.URL.Host,
		Header: http.Header{"User-Agent": {"Go-http-client/1.1"}, "Accept-Encoding": {"gzip"}, "X-Fill": {""}}})
	for _, c := range []struct {
		fill   int
		status int
	}{{HTTPAPIMaxRequestHead - probe, 200}, {HTTPAPIMaxRequestHead - probe + 1, 431}} {
		res := do(t, "GET", base+"/pets", map[string]string{"X-Fill": strings.Repeat("a", c.fill)}, "")
		if res.status != c.status {
			t.Errorf("a head of %d bytes: %d %s, want %d", probe+c.fill, res.status, res.body, c.status)
		}
	}
}
