package emulator

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"strings"
	"testing"
)

const payloadSpec = `openapi: "3.0.1"
info: {title: payloads, version: "1"}
x-amazon-apigateway-importexport-version: "1.0"
paths:
  /items/{id}:
    get:
      x-amazon-apigateway-integration: {type: aws_proxy, httpMethod: POST, payloadFormatVersion: "2.0", uri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/Echo/invocations"}
  /any/{proxy+}:
    x-amazon-apigateway-any-method:
      x-amazon-apigateway-integration: {type: aws_proxy, httpMethod: POST, payloadFormatVersion: "2.0", uri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/Echo/invocations"}
  /v1/{id}:
    get:
      x-amazon-apigateway-integration: {type: aws_proxy, httpMethod: POST, payloadFormatVersion: "1.0", uri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/Echo/invocations"}
  /infer/{kind}:
    get:
      x-amazon-apigateway-integration: {type: aws_proxy, httpMethod: POST, payloadFormatVersion: "2.0", uri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/Infer/invocations"}
  /v1infer/{kind}:
    get:
      x-amazon-apigateway-integration: {type: aws_proxy, httpMethod: POST, payloadFormatVersion: "1.0", uri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/Infer/invocations"}
  /$default:
    x-amazon-apigateway-any-method:
      x-amazon-apigateway-integration: {type: aws_proxy, httpMethod: POST, payloadFormatVersion: "2.0", uri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/Echo/invocations"}
`

// payloadGateway serves payloadSpec with Echo as a real aws-lambda-go process (fixtures/lambdas/echo)
// and Infer in process, on the stages $default (with a stage variable) and dev.
func payloadGateway(t *testing.T) string {
	t.Helper()
	cfg := fmt.Sprintf("stages:\n  $default: {variables: {v: x}}\n  dev: {}\nfunctions:\n  Echo: {command: [%q]}\n", fixture(t, "echo"))
	snap := loadFiles(t, t.TempDir(), payloadSpec, cfg)
	g := NewGateway(snap, NewAccessLog(io.Discard, LogText, false))
	t.Cleanup(func() { g.Close() })
	// Infer answers what /infer/{kind} names: results without statusCode, and a base64 body.
	answers := map[string]string{
		"object":  `{"hello": "world"}`,
		"string":  `"Hello from Lambda!"`,
		"number":  `42`,
		"array":   `[1, "a"]`,
		"base64":  `{"statusCode": 201, "body": "` + base64.StdEncoding.EncodeToString([]byte{0, 0xff, 'x'}) + `", "isBase64Encoded": true, "headers": {"content-type": "image/png", "x-a": "1"}, "cookies": ["c=1", "d=2; Secure"]}`,
		"broken":  `{"statusCode": "abc"}`,
		"v1":      `{"statusCode": 202, "headers": {"X-A": "1"}, "multiValueHeaders": {"Set-Cookie": ["m=1", "n=2"]}, "body": "` + base64.StdEncoding.EncodeToString([]byte{0x80, 0xfe}) + `", "isBase64Encoded": true}`,
		"cookies": `{"statusCode": 200, "body": "x", "cookies": ["c=1"]}`,
	}
	g.RegisterHandler("Infer", handlerFunc(func(ctx context.Context, payload []byte) ([]byte, error) {
		var ev struct {
			PathParameters map[string]string `json:"pathParameters"`
		}
		_ = json.Unmarshal(payload, &ev)
		return []byte(answers[ev.PathParameters["kind"]]), nil
	}))
	srv := httptest.NewServer(g)
	t.Cleanup(srv.Close)
	return srv.URL
}

// The payload 2.0 event a real aws-lambda-go function gets, field by field against AWS's published sample
// (aws-lambda-go's events/testdata/apigw-v2-request-no-authorizer.json): the same members with the same
// JSON types, holding this request's values (reference §j.2).
func TestHTTPAPIPayloadV2Event(t *testing.T) {
	t.Parallel()
	base := payloadGateway(t)
	sampleText, err := os.ReadFile("testdata/aws-lambda-go/apigw-v2-request-no-authorizer.json")
	if err != nil {
		t.Fatal(err)
	}
	var sample map[string]any
	if err := json.Unmarshal(sampleText, &sample); err != nil {
		t.Fatal(err)
	}
	delete(sample["requestContext"].(map[string]any), "authentication") // mutual TLS only
	event := func(method, path string, header map[string]string, body string) map[string]any {
		t.Helper()
		req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		for k, v := range header {
			req.Header.Add(k, v)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		text, _ := io.ReadAll(res.Body)
		var ev map[string]any
		// The echo function returns the 2.0 event as it is: a result without statusCode, which an HTTP API
		// answers as 200 application/json.
		if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/json" || json.Unmarshal(text, &ev) != nil {
			t.Fatalf("%s %s: %d %v %s", method, path, res.StatusCode, res.Header, text)
		}
		return ev
	}

	req, _ := http.NewRequest("GET", base+"/items/7?b=2&a=1&a=3", nil)
	req.Header.Add("Cookie", "c1=v1; c2=v2")
	req.Header.Add("X-Multi", "1")
	req.Header.Add("X-Multi", "2")
	req.Header.Set("User-Agent", "ua/1")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	text, _ := io.ReadAll(res.Body)
	res.Body.Close()
	var ev map[string]any
	if err := json.Unmarshal(text, &ev); err != nil {
		t.Fatalf("GET /items/7: %d %s", res.StatusCode, text)
	}
	sameShape(t, "", ev, sample)
	// The headers API Gateway adds (the sample's; accept and user-agent are the client's).
	for name := range sample["headers"].(map[string]any) {
		if _, ok := ev["headers"].(map[string]any)[name]; !ok && name != "accept" {
			t.Errorf("headers.%s is missing: %v", name, ev["headers"])
		}
	}
	rc := ev["requestContext"].(map[string]any)
	httpCtx := rc["http"].(map[string]any)
	for _, c := range []struct {
		name string
		got  any
		want any
	}{
		{"version", ev["version"], "2.0"},
		{"routeKey", ev["routeKey"], "GET /items/{id}"},
		{"requestContext.routeKey", rc["routeKey"], "GET /items/{id}"},
		{"rawPath", ev["rawPath"], "/items/7"},
		{"rawQueryString", ev["rawQueryString"], "b=2&a=1&a=3"},
		{"cookies", ev["cookies"], []any{"c1=v1", "c2=v2"}},
		{"headers.x-multi", ev["headers"].(map[string]any)["x-multi"], "1,2"},
		{"headers.cookie", ev["headers"].(map[string]any)["cookie"], nil},
		{"queryStringParameters", ev["queryStringParameters"], map[string]any{"a": "1,3", "b": "2"}},
		{"pathParameters", ev["pathParameters"], map[string]any{"id": "7"}},
		{"stageVariables", ev["stageVariables"], map[string]any{"v": "x"}},
		{"body", ev["body"], nil},
		{"isBase64Encoded", ev["isBase64Encoded"], false},
		{"requestContext.stage", rc["stage"], "$default"},
		{"requestContext.http.method", httpCtx["method"], "GET"},
		{"requestContext.http.path", httpCtx["path"], "/items/7"},
		{"requestContext.http.userAgent", httpCtx["userAgent"], "ua/1"},
		{"requestContext.http.sourceIp", httpCtx["sourceIp"], "127.0.0.1"},
		{"requestContext.authorizer", rc["authorizer"], nil},
		{"requestContext.http.protocol", httpCtx["protocol"], "HTTP/1.1"},
		// domainName is the Host the client called, domainPrefix its first label (as a custom domain's).
		{"requestContext.domainName", rc["domainName"], strings.TrimPrefix(base, "http://")},
		{"requestContext.domainPrefix", rc["domainPrefix"], "127"},
	} {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s = %#v, want %#v", c.name, c.got, c.want)
		}
	}
	if rc["requestId"] != res.Header.Get("apigw-requestid") || rc["requestId"] == "" {
		t.Errorf("requestContext.requestId %v, want the apigw-requestid header %q", rc["requestId"], res.Header.Get("apigw-requestid"))
	}
	for name := range ev["headers"].(map[string]any) {
		if name != strings.ToLower(name) {
			t.Errorf("header name %q is not lower case", name)
		}
	}
	if rc["timeEpoch"].(float64) < 1.5e12 || !strings.Contains(rc["time"].(string), "/20") {
		t.Errorf("time %v, timeEpoch %v", rc["time"], rc["timeEpoch"])
	}

	// An ANY route's key is ANY, whatever the verb; a JSON body is text.
	ev = event("POST", "/any/x/y", map[string]string{"Content-Type": "application/json"}, `{"k": "v"}`)
	if ev["routeKey"] != "ANY /any/{proxy+}" || ev["body"] != `{"k": "v"}` || ev["isBase64Encoded"] != false ||
		!reflect.DeepEqual(ev["pathParameters"], map[string]any{"proxy": "x/y"}) {
		t.Errorf("POST /any/x/y: routeKey %v body %v isBase64Encoded %v pathParameters %v", ev["routeKey"], ev["body"], ev["isBase64Encoded"], ev["pathParameters"])
	}
	// The $default route's key is $default; a form body is base64 (measured, reference §j.2).
	ev = event("DELETE", "/elsewhere", map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, "a=b&c=d")
	if ev["routeKey"] != "$default" || ev["body"] != base64.StdEncoding.EncodeToString([]byte("a=b&c=d")) || ev["isBase64Encoded"] != true {
		t.Errorf("DELETE /elsewhere: routeKey %v body %v isBase64Encoded %v", ev["routeKey"], ev["body"], ev["isBase64Encoded"])
	}
	// A named stage: its segment stays in rawPath and http.path. Without a query rawQueryString is ""
	// (present), and the empty members are absent rather than null (reference §j.2).
	ev = event("GET", "/dev/items/7", nil, "")
	if rc := ev["requestContext"].(map[string]any); ev["rawPath"] != "/dev/items/7" || rc["stage"] != "dev" || rc["http"].(map[string]any)["path"] != "/dev/items/7" {
		t.Errorf("GET /dev/items/7: rawPath %v stage %v", ev["rawPath"], rc["stage"])
	}
	if q, ok := ev["rawQueryString"]; !ok || q != "" {
		t.Errorf("GET /dev/items/7: rawQueryString %#v (present %v), want \"\"", q, ok)
	}
	for _, name := range []string{"queryStringParameters", "stageVariables", "body", "cookies"} {
		if v, ok := ev[name]; ok {
			t.Errorf("GET /dev/items/7: %s is %#v, want it absent", name, v)
		}
	}
	if rc := ev["requestContext"].(map[string]any); ev["routeKey"] != "GET /items/{id}" || rc["routeKey"] != "GET /items/{id}" {
		t.Errorf("GET /dev/items/7: routeKey %v / %v", ev["routeKey"], rc["routeKey"])
	}
	// The $default route on a named stage: no path parameters at all.
	ev = event("PUT", "/dev/nowhere", map[string]string{"Content-Type": "text/plain"}, "é")
	if _, ok := ev["pathParameters"]; ok || ev["routeKey"] != "$default" || ev["body"] != "é" || ev["isBase64Encoded"] != false {
		t.Errorf("PUT /dev/nowhere: pathParameters %v routeKey %v body %v isBase64Encoded %v", ev["pathParameters"], ev["routeKey"], ev["body"], ev["isBase64Encoded"])
	}
}

// Binary bodies reach the function base64-encoded and come back byte for byte (the issue saw bytes of
// 0x80 and more turned into U+FFFD); each cookie of the answer is its own Set-Cookie.
func TestHTTPAPIBinaryRoundTrip(t *testing.T) {
	t.Parallel()
	base := payloadGateway(t)
	body := make([]byte, 256)
	for i := range body {
		body[i] = byte(i)
	}
	for _, ct := range []string{"application/octet-stream", "image/png", ""} {
		req, _ := http.NewRequest("POST", base+"/any/upload", bytes.NewReader(body))
		req.Header.Set("x-echo-body", "1")
		if ct != "" {
			req.Header.Set("Content-Type", ct)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || !bytes.Equal(got, body) {
			t.Errorf("Content-Type %q: %d, %d bytes back, want the 256 sent", ct, res.StatusCode, len(got))
		}
		if c := res.Header.Values("Set-Cookie"); !reflect.DeepEqual(c, []string{"a=1; Path=/", "b=2"}) {
			t.Errorf("Content-Type %q: Set-Cookie %v", ct, c)
		}
	}
}

// A 2.0 result without statusCode is 200 application/json with the JSON as the body (a string unquoted);
// isBase64Encoded bodies are decoded; an unusable result is 500 (reference §j.3).
func TestHTTPAPIResponseInference(t *testing.T) {
	t.Parallel()
	base := payloadGateway(t)
	for _, c := range []struct {
		kind, contentType, body string
		status                  int
	}{
		{"object", "application/json", `{"hello": "world"}`, 200},
		{"string", "application/json", `Hello from Lambda!`, 200},
		{"number", "application/json", `42`, 200},
		{"array", "application/json", `[1, "a"]`, 200},
		{"base64", "image/png", "\x00\xffx", 201},
		{"broken", "application/json", `{"message":"Internal Server Error"}`, 500},
	} {
		res := do(t, "GET", base+"/infer/"+c.kind, nil, "")
		if res.status != c.status || string(res.body) != c.body || res.header.Get("Content-Type") != c.contentType {
			t.Errorf("%s: %d %q %q, want %d %q %q", c.kind, res.status, res.header.Get("Content-Type"), res.body, c.status, c.contentType, c.body)
		}
		if c.kind == "base64" && !reflect.DeepEqual(res.header.Values("Set-Cookie"), []string{"c=1", "d=2; Secure"}) {
			t.Errorf("cookies: %v", res.header.Values("Set-Cookie"))
		}
	}
}

// Payload 1.0 on an HTTP API: REST's event plus version 1.0, lower-case header names, no resource id,
// and authorizer {"claims": null, "scopes": null} without an authorizer (reference §j.4).
func TestHTTPAPIPayloadV1Event(t *testing.T) {
	t.Parallel()
	base := payloadGateway(t)
	res := do(t, "GET", base+"/v1/9?q=1", map[string]string{"X-Mixed-Case": "v"}, "")
	if res.status != 200 {
		t.Fatalf("GET /v1/9: %d %s", res.status, res.body)
	}
	if !bytes.HasPrefix(res.body, []byte(`{"version":"1.0","resource":"/v1/{id}",`)) {
		t.Errorf("the event does not start with version 1.0 and the route path: %.80s", res.body)
	}
	var ev struct {
		Headers        map[string]string `json:"headers"`
		RequestContext map[string]any    `json:"requestContext"`
		Path           string            `json:"path"`
	}
	if err := json.Unmarshal(res.body, &ev); err != nil {
		t.Fatal(err)
	}
	if ev.Headers["x-mixed-case"] != "v" || ev.Headers["X-Mixed-Case"] != "" {
		t.Errorf("headers %v, want lower-case names", ev.Headers)
	}
	rc := ev.RequestContext
	if v, ok := rc["resourceId"]; !ok || v != nil {
		t.Errorf("resourceId %v (present %v), want null", v, ok)
	}
	if !reflect.DeepEqual(rc["authorizer"], map[string]any{"claims": nil, "scopes": nil}) {
		t.Errorf("authorizer %v, want claims and scopes null", rc["authorizer"])
	}
	if rc["stage"] != "$default" || rc["resourcePath"] != "/v1/{id}" || ev.Path != "/v1/9" {
		t.Errorf("stage %v resourcePath %v path %v", rc["stage"], rc["resourcePath"], ev.Path)
	}
}

// A payload 1.0 answer on an HTTP API: the statusCode form only, nothing inferred; a flagged body is
// decoded (no binaryMediaTypes to consult) and multiValueHeaders give several Set-Cookie. 1.0 has no
// cookies member (reference §j.4): assumed malformed as on a REST API, where an unknown member is (the
// "Malformed Lambda proxy response" reports of libraries that added cookies to 1.0 answers), and an
// HTTP API answers every integration failure 500 Internal Server Error.
func TestHTTPAPIPayloadV1Response(t *testing.T) {
	t.Parallel()
	base := payloadGateway(t)
	failed := `{"message":"Internal Server Error"}`
	for _, c := range []struct {
		kind, body string
		status     int
		cookies    []string
	}{
		{"object", failed, 500, nil},
		{"string", failed, 500, nil},
		{"number", failed, 500, nil},
		{"v1", "\x80\xfe", 202, []string{"m=1", "n=2"}},
		{"cookies", failed, 500, nil},
	} {
		res := do(t, "GET", base+"/v1infer/"+c.kind, nil, "")
		if res.status != c.status || string(res.body) != c.body {
			t.Errorf("%s: %d %q, want %d %q", c.kind, res.status, res.body, c.status, c.body)
		}
		if got := res.header.Values("Set-Cookie"); !reflect.DeepEqual(got, c.cookies) && len(got)+len(c.cookies) > 0 {
			t.Errorf("%s: Set-Cookie %v, want %v", c.kind, got, c.cookies)
		}
		if c.kind == "v1" && res.header.Get("X-A") != "1" {
			t.Errorf("v1: X-A %q", res.header.Get("X-A"))
		}
	}
}
