package emulator

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/apigw-local/apigw-local/internal/devkey"
)

// serveCORSAPI serves doc with two in-process functions that count their calls: Backend, which sends CORS
// headers of its own (API Gateway must drop them), and Catch.
func serveCORSAPI(t *testing.T, doc, config string) (base string, calls *atomic.Int32) {
	t.Helper()
	snap := loadFiles(t, t.TempDir(), doc, config)
	g := NewGateway(snap, NewAccessLog(io.Discard, LogText, false))
	t.Cleanup(func() { g.Close() })
	calls = new(atomic.Int32)
	for _, name := range []string{"Backend", "Catch"} {
		g.RegisterHandler(name, lambda.NewHandler(func(ctx context.Context, e events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
			calls.Add(1)
			return events.APIGatewayV2HTTPResponse{StatusCode: 200, Body: name + " " + e.RequestContext.HTTP.Method + " " + e.RawPath,
				Headers: map[string]string{"Access-Control-Allow-Origin": "https://evil.example", "Access-Control-Allow-Methods": "DELETE",
					"access-control-max-age": "1", "X-Total": "3"}}, nil
		}))
	}
	srv := httptest.NewServer(g)
	t.Cleanup(srv.Close)
	return srv.URL, calls
}

const corsLambda = `x-amazon-apigateway-integration: {type: aws_proxy, httpMethod: POST, payloadFormatVersion: "2.0", uri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/%s/invocations"}`

// wantHeaders checks every header of want (an empty value: absent) and that no other access-control-*
// header is there.
func wantHeaders(t *testing.T, what string, got http.Header, want map[string]string) {
	t.Helper()
	for k, v := range want {
		if g := strings.Join(got.Values(k), ","); g != v {
			t.Errorf("%s: %s = %q, want %q", what, k, g, v)
		}
	}
	for k := range got {
		if strings.HasPrefix(strings.ToLower(k), "access-control-") {
			if _, ok := want[k]; !ok {
				t.Errorf("%s: unexpected %s: %q", what, k, got.Get(k))
			}
		}
	}
}

// An HTTP API with x-amazon-apigateway-cors answers preflights no route takes itself (204, no authorizer,
// no function), leaves those an OPTIONS or ANY route takes to the route, adds the configured headers to
// its integrations' answers for allowed origins and drops the backend's own (reference §j.7).
func TestHTTPAPICORS(t *testing.T) {
	t.Setenv(devkey.DirEnv, t.TempDir())
	proxied := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", "*")
		w.Header().Set("Access-Control-Expose-Headers", "x-secret")
		w.Header().Set("X-Total", "4")
		_, _ = io.WriteString(w, "proxied")
	}))
	defer proxied.Close()
	lam := func(fn string) string { return fmt.Sprintf(corsLambda, fn) }
	doc := `openapi: "3.0.1"
info: {title: cors, version: "1"}
x-amazon-apigateway-cors:
  allowOrigins: ["https://app.example", "http://*"]
  allowMethods: [GET, POST, PUT]
  allowHeaders: [Content-Type, Authorization]
  exposeHeaders: [X-Total]
  allowCredentials: true
  maxAge: 600
components:
  securitySchemes:
    main:
      type: oauth2
      flows: {}
      x-amazon-apigateway-authorizer: {type: jwt, identitySource: "$request.header.Authorization", jwtConfiguration: {issuer: "https://issuer.example.com", audience: [a]}}
paths:
  /pets:
    get:
      ` + lam("Backend") + `
    post:
      ` + lam("Backend") + `
  /private:
    get:
      security: [{main: []}]
      ` + lam("Backend") + `
  /any:
    x-amazon-apigateway-any-method:
      security: [{main: []}]
      ` + lam("Backend") + `
  /opts:
    options:
      ` + lam("Backend") + `
  /bare:
    options:
      responses: {default: {description: an OPTIONS route without integration, as exports carry}}
  /proxy:
    get:
      x-amazon-apigateway-integration: {type: http_proxy, httpMethod: GET, payloadFormatVersion: "1.0", uri: "` + proxied.URL + `/"}
`
	base, calls := serveCORSAPI(t, doc, `jwtIssuers: {"https://issuer.example.com": {jwks: dev}}`)
	app := "https://app.example"
	full := map[string]string{"Access-Control-Allow-Origin": app, "Access-Control-Allow-Methods": "GET,POST,PUT",
		"Access-Control-Allow-Headers": "authorization,content-type", "Access-Control-Max-Age": "600", "Access-Control-Allow-Credentials": "true"}
	simple := map[string]string{"Access-Control-Allow-Origin": app, "Access-Control-Expose-Headers": "x-total", "Access-Control-Allow-Credentials": "true"}
	none := map[string]string{}
	pre := func(origin, method, headers string) map[string]string {
		h := map[string]string{"Origin": origin, "Access-Control-Request-Method": method}
		if headers != "" {
			h["Access-Control-Request-Headers"] = headers
		}
		return h
	}
	for _, c := range []struct {
		name, method, path string
		hdr                map[string]string
		status             int
		body               string
		calls              int32 // functions called
		want               map[string]string
	}{
		{"preflight, no OPTIONS route", "OPTIONS", "/pets", pre(app, "PUT", "content-type,Authorization"), 204, "", 0, full},
		{"preflight to a route with an authorizer: the authorizer never sees it", "OPTIONS", "/private", pre(app, "GET", "authorization"), 204, "", 0, full},
		{"preflight to no route at all", "OPTIONS", "/nothing/here", pre(app, "POST", ""), 204, "", 0, full},
		{"preflight from a foreign origin: 204 without CORS headers", "OPTIONS", "/pets", pre("https://evil.example", "GET", ""), 204, "", 0, none},
		{"preflight for a method not allowed", "OPTIONS", "/pets", pre(app, "DELETE", ""), 204, "", 0, none},
		{"preflight with a header not allowed", "OPTIONS", "/pets", pre(app, "PUT", "content-type,x-secret"), 204, "", 0, none},
		{"preflight from a wildcard origin http://*", "OPTIONS", "/pets", pre("http://localhost:5173", "GET", ""), 204, "", 0,
			map[string]string{"Access-Control-Allow-Origin": "http://localhost:5173", "Access-Control-Allow-Methods": "GET,POST,PUT",
				"Access-Control-Allow-Headers": "authorization,content-type", "Access-Control-Max-Age": "600", "Access-Control-Allow-Credentials": "true"}},
		// Routes first: an ANY route takes the preflight, and its authorizer refuses it, as on AWS.
		{"preflight an ANY route with an authorizer takes", "OPTIONS", "/any", pre(app, "GET", ""), 401, `{"message":"Unauthorized"}`, 0, none},
		// An OPTIONS route takes the preflight; its answer gets the preflight's headers, not the backend's.
		{"preflight an OPTIONS route takes", "OPTIONS", "/opts", pre(app, "GET", ""), 200, "Backend OPTIONS /opts", 1, full},
		{"preflight an OPTIONS route without integration takes: the gateway answers", "OPTIONS", "/bare", pre(app, "GET", ""), 204, "", 0, full},
		{"OPTIONS without integration, no preflight", "OPTIONS", "/bare", nil, 500, `{"message":"Internal Server Error"}`, 0, none},
		{"OPTIONS that is no preflight", "OPTIONS", "/pets", map[string]string{"Origin": app}, 404, `{"message":"Not Found"}`, 0, none},
		{"GET from an allowed origin", "GET", "/pets", map[string]string{"Origin": app}, 200, "Backend GET /pets", 1, simple},
		{"POST from an allowed origin", "POST", "/pets", map[string]string{"Origin": app}, 200, "Backend POST /pets", 1, simple},
		{"GET from a wildcard origin", "GET", "/pets", map[string]string{"Origin": "http://localhost:5173"}, 200, "Backend GET /pets", 1,
			map[string]string{"Access-Control-Allow-Origin": "http://localhost:5173", "Access-Control-Expose-Headers": "x-total", "Access-Control-Allow-Credentials": "true"}},
		{"GET from a foreign origin: the backend's CORS headers are dropped all the same", "GET", "/pets", map[string]string{"Origin": "https://evil.example"}, 200, "Backend GET /pets", 1, none},
		{"GET without Origin", "GET", "/pets", nil, 200, "Backend GET /pets", 1, none},
		{"HTTP_PROXY's answer", "GET", "/proxy", map[string]string{"Origin": app}, 200, "proxied", 0, simple},
		// Assumed: AWS documents the headers on integrations' answers only; its own errors carry none.
		{"a gateway error", "GET", "/private", map[string]string{"Origin": app}, 401, `{"message":"Unauthorized"}`, 0, none},
	} {
		before := calls.Load()
		res := do(t, c.method, base+c.path, c.hdr, "")
		if res.status != c.status || string(res.body) != c.body {
			t.Errorf("%s: %d %q, want %d %q", c.name, res.status, res.body, c.status, c.body)
		}
		if n := calls.Load() - before; n != c.calls {
			t.Errorf("%s: %d function calls, want %d", c.name, n, c.calls)
		}
		wantHeaders(t, c.name, res.header, c.want)
		if c.status == 200 && c.path != "/proxy" && res.header.Get("X-Total") != "3" {
			t.Errorf("%s: the backend's other headers are lost: %v", c.name, res.header)
		}
		if c.status == 204 && res.header.Get("apigw-requestid") == "" {
			t.Errorf("%s: the preflight's answer has no apigw-requestid: %v", c.name, res.header)
		}
	}
}

// With allowOrigins *, the answer is * whatever the origin; a $default route takes every preflight, as
// AWS documents (its OPTIONS requests included); an API without CORS answers no preflight.
func TestHTTPAPICORSWildcardAndDefaultRoute(t *testing.T) {
	lam := func(fn string) string { return fmt.Sprintf(corsLambda, fn) }
	doc := `openapi: "3.0.1"
info: {title: cors, version: "1"}
x-amazon-apigateway-cors: {allowOrigins: ["*"], allowHeaders: ["*"], allowMethods: ["*"]}
paths:
  /pets:
    get:
      ` + lam("Backend") + `
`
	base, calls := serveCORSAPI(t, doc, "")
	res := do(t, "OPTIONS", base+"/pets", map[string]string{"Origin": "https://x.example", "Access-Control-Request-Method": "PATCH", "Access-Control-Request-Headers": "x-a"}, "")
	if res.status != 204 || len(res.body) != 0 || calls.Load() != 0 {
		t.Errorf("preflight: %d %q, %d calls", res.status, res.body, calls.Load())
	}
	wantHeaders(t, "preflight", res.header, map[string]string{"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Methods": "*", "Access-Control-Allow-Headers": "*"})
	res = do(t, "GET", base+"/pets", map[string]string{"Origin": "https://x.example"}, "")
	wantHeaders(t, "GET", res.header, map[string]string{"Access-Control-Allow-Origin": "*"})

	base, calls = serveCORSAPI(t, doc+`  /$default:
    x-amazon-apigateway-any-method:
      `+lam("Catch")+`
`, "")
	res = do(t, "OPTIONS", base+"/pets", map[string]string{"Origin": "https://x.example", "Access-Control-Request-Method": "GET"}, "")
	if res.status != 200 || string(res.body) != "Catch OPTIONS /pets" || calls.Load() != 1 {
		t.Errorf("preflight with a $default route: %d %q, %d calls; want the $default route's answer", res.status, res.body, calls.Load())
	}
	wantHeaders(t, "preflight with a $default route", res.header, map[string]string{"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Methods": "*", "Access-Control-Allow-Headers": "*"})

	// No CORS: a preflight is an OPTIONS request like any other, and the backend's headers pass.
	base, _ = serveCORSAPI(t, strings.Replace(doc, "x-amazon-apigateway-cors", "x-amazon-apigateway-importexport-version: \"1.0\"\nx-unused", 1), "")
	res = do(t, "OPTIONS", base+"/pets", map[string]string{"Origin": "https://x.example", "Access-Control-Request-Method": "GET"}, "")
	if res.status != 404 {
		t.Errorf("preflight without CORS: %d %s, want 404", res.status, res.body)
	}
	res = do(t, "GET", base+"/pets", map[string]string{"Origin": "https://x.example"}, "")
	if res.header.Get("Access-Control-Allow-Origin") != "https://evil.example" {
		t.Errorf("without CORS the backend's headers are the answer's: %v", res.header)
	}
}

// HEAD and OPTIONS on an HTTP API without CORS: routes match by method, so a path with only a GET route
// answers HEAD and OPTIONS 404 (no implicit HEAD from GET, reference §j.1: "known path with another method
// and no ANY"); an ANY route takes both, and else the $default route does.
func TestHTTPAPIHeadAndOptions(t *testing.T) {
	lam := func(fn string) string { return fmt.Sprintf(corsLambda, fn) }
	doc := `openapi: "3.0.1"
info: {title: plain, version: "1"}
x-amazon-apigateway-importexport-version: "1.0"
paths:
  /pets:
    get:
      ` + lam("Backend") + `
  /toys:
    x-amazon-apigateway-any-method:
      ` + lam("Backend") + `
  /health:
    head:
      ` + lam("Backend") + `
`
	base, _ := serveCORSAPI(t, doc, "")
	withDefault, _ := serveCORSAPI(t, doc+`  /$default:
    x-amazon-apigateway-any-method:
      `+lam("Catch")+`
`, "")
	for _, c := range []struct {
		base, method, path string
		status             int
		body               string // HEAD: none on the wire
	}{
		{base, "HEAD", "/pets", 404, ""},
		{base, "OPTIONS", "/pets", 404, `{"message":"Not Found"}`},
		{base, "HEAD", "/toys", 200, ""},
		{base, "OPTIONS", "/toys", 200, "Backend OPTIONS /toys"},
		{base, "HEAD", "/health", 200, ""},
		{base, "GET", "/health", 404, `{"message":"Not Found"}`},
		{withDefault, "HEAD", "/pets", 200, ""},
		{withDefault, "OPTIONS", "/pets", 200, "Catch OPTIONS /pets"},
	} {
		res := do(t, c.method, c.base+c.path, nil, "")
		if res.status != c.status || string(res.body) != c.body {
			t.Errorf("%s %s (default route: %v): %d %q, want %d %q", c.method, c.path, c.base == withDefault, res.status, res.body, c.status, c.body)
		}
	}
}

// An API with x-amazon-apigateway-cors served as a REST API (apiType: REST) keeps none of it: a build
// warning says so, and a preflight is an OPTIONS request like any other (REST: 403).
func TestCORSOnARESTAPI(t *testing.T) {
	doc := `openapi: "3.0.1"
info: {title: cors, version: "1"}
x-amazon-apigateway-cors: {allowOrigins: ["*"]}
paths:
  /pets:
    get:
      x-amazon-apigateway-integration: {type: mock, requestTemplates: {application/json: '{"statusCode": 200}'}, responses: {default: {statusCode: "200"}}}
`
	dir := t.TempDir()
	l := loadFilesFindings(t, dir, doc, "apiType: REST\n")
	if fs := fmt.Sprint(l.Findings); !strings.Contains(fs, "x-amazon-apigateway-cors is an HTTP API's CORS configuration; this API is served as a REST API") {
		t.Errorf("findings: %s", fs)
	}
	snap, err := l.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(NewGateway(snap, nil))
	defer srv.Close()
	stage := snap.APIs[0].StageNames[0]
	res := do(t, "OPTIONS", srv.URL+"/"+stage+"/pets", map[string]string{"Origin": "https://x.example", "Access-Control-Request-Method": "GET"}, "")
	if res.status != 403 || res.header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("preflight on a REST API: %d %v", res.status, res.header)
	}
	if res = do(t, "GET", srv.URL+"/"+stage+"/pets", map[string]string{"Origin": "https://x.example"}, ""); res.status != 200 || res.header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("GET on a REST API: %d %v", res.status, res.header)
	}
}
