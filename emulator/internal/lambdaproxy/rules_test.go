package lambdaproxy

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

// baseRequest is a GET on /dev/items with nothing optional.
func baseRequest() *Request {
	return &Request{
		Method:      "GET",
		Path:        "/dev/items",
		Stage:       "dev",
		Resource:    "/items",
		Header:      http.Header{},
		SourceIP:    "203.0.113.9",
		AccountID:   "123456789012",
		APIID:       "abc123",
		DomainName:  "abc123.execute-api.eu-west-1.amazonaws.com",
		RequestID:   "req-1",
		ResourceID:  "r1",
		RequestTime: time.Date(2020, 3, 4, 19, 15, 17, 135e6, time.UTC),
	}
}

func eventMap(t *testing.T, r *Request, v2 bool) map[string]any {
	t.Helper()
	var (
		ev  []byte
		err error
	)
	if v2 {
		ev, err = EventV2(r)
	} else {
		ev, err = EventV1(r)
	}
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(ev, &m); err != nil {
		t.Fatalf("event is not JSON: %v\n%s", err, ev)
	}
	return m
}

// ---- EventV1 ---------------------------------------------------------------------------------------

// REC v1-event-*: empty maps are null, never {}; no body is null.
func TestEventV1NullsForEmpty(t *testing.T) {
	for name, r := range map[string]*Request{
		"nil maps": baseRequest(),
		"empty maps": func() *Request {
			r := baseRequest()
			r.PathParameters, r.StageVariables, r.Body = map[string]string{}, map[string]string{}, []byte{}
			return r
		}(),
	} {
		t.Run(name, func(t *testing.T) {
			ev := eventMap(t, r, false)
			for _, k := range []string{"queryStringParameters", "multiValueQueryStringParameters", "pathParameters", "stageVariables", "body"} {
				v, ok := ev[k]
				if !ok || v != nil {
					t.Errorf("%s = %v (present %v), want null", k, v, ok)
				}
			}
			if ev["isBase64Encoded"] != false {
				t.Errorf("isBase64Encoded = %v", ev["isBase64Encoded"])
			}
			// headers can never be empty: the gateway always adds X-Forwarded-Port/Proto.
			if _, ok := ev["headers"].(map[string]any); !ok {
				t.Errorf("headers = %v", ev["headers"])
			}
		})
	}
}

// REC v1-event-with-prepended-slash*, -double-slash, -trailing-slash, -path-encoded-email.
func TestStagePaths(t *testing.T) {
	for _, c := range []struct{ full, stage, path, ctx string }{
		{"/dev/x", "dev", "/x", "/dev/x"},
		{"/dev/x/", "dev", "/x/", "/dev/x/"},                      // trailing slash kept
		{"/dev//x", "dev", "/x", "/dev//x"},                       // leading slashes of the resource part
		{"//dev/x", "dev", "/x", "/dev/x"},                        // slashes before the stage
		{"///dev///x//y/", "dev", "/x//y/", "/dev///x//y/"},       // interior // kept
		{"/dev", "dev", "/", "/dev"},                              // the root resource
		{"/dev/", "dev", "/", "/dev/"},                            //
		{"/dev/a%2Bb/c+d", "dev", "/a%2Bb/c+d", "/dev/a%2Bb/c+d"}, // encoding and + kept
		{"/devx/y", "dev", "/devx/y", "/devx/y"},                  // not the stage
		{"/base/x", "dev", "/base/x", "/base/x"},                  // custom-domain path: used whole
		{"", "dev", "/", "/"},
	} {
		path, ctx := stagePaths(c.full, c.stage)
		if path != c.path || ctx != c.ctx {
			t.Errorf("stagePaths(%q, %q) = %q, %q; want %q, %q", c.full, c.stage, path, ctx, c.path, c.ctx)
		}
	}
	r := baseRequest()
	r.Path = "//dev//items/"
	ev := eventMap(t, r, false)
	if ev["path"] != "/items/" || ev["requestContext"].(map[string]any)["path"] != "/dev//items/" {
		t.Errorf("path %v, requestContext.path %v", ev["path"], ev["requestContext"].(map[string]any)["path"])
	}
}

// REC v1-event-with-params-encoding(-multi): values decoded, + is a space, last value wins in the single
// map, all values in order in the multi map, the fragment dropped.
func TestEventV1Query(t *testing.T) {
	r := baseRequest()
	r.RawQuery = "a=1&b=x+y&a=2&c=%2B%40&d&=e&&f=%zz&g=%41%4&a=3#h=no"
	ev := eventMap(t, r, false)
	single := ev["queryStringParameters"].(map[string]any)
	want := map[string]any{"a": "3", "b": "x y", "c": "+@", "d": "", "": "e", "f": "%zz", "g": "A%4"}
	if show(single) != show(want) {
		t.Errorf("queryStringParameters %s, want %s", show(single), show(want))
	}
	multi := ev["multiValueQueryStringParameters"].(map[string]any)
	if show(multi["a"]) != `["1","2","3"]` || len(multi) != len(want) {
		t.Errorf("multiValueQueryStringParameters %s", show(multi))
	}
	// first-appearance order
	raw, _ := EventV1(r)
	var top map[string]json.RawMessage
	_ = json.Unmarshal(raw, &top)
	if got := keysOf(t, top["queryStringParameters"]); !slices.Equal(got, []string{"a", "b", "c", "d", "", "f", "g"}) {
		t.Errorf("query key order %q", got)
	}
}

// REC v1-event-*: custom names keep the client's spelling, Authorization and User-Agent are
// canonicalised; without HeaderNames the canonical names are all there is.
func TestEventV1HeaderNames(t *testing.T) {
	r := baseRequest()
	r.Header.Add("Test-Header", "aValUE")
	r.Header.Add("Authorization", "random-value")
	r.Header.Add("User-Agent", "ua/1")
	r.Header.Add("X-Custom", "c")
	r.Header.Add("Accept", "*/*")
	r.HeaderNames = []string{"tEsT-HEADeR", "authorization", "user-Agent", "x-custom", "accept"}
	h := eventMap(t, r, false)["headers"].(map[string]any)
	for name, v := range map[string]string{"tEsT-HEADeR": "aValUE", "Authorization": "random-value", "User-Agent": "ua/1", "x-custom": "c", "accept": "*/*"} {
		if h[name] != v {
			t.Errorf("headers[%q] = %v, want %q (headers %s)", name, h[name], v, show(h))
		}
	}
	r.HeaderNames = nil
	h = eventMap(t, r, false)["headers"].(map[string]any)
	if h["Test-Header"] != "aValUE" || h["X-Custom"] != "c" {
		t.Errorf("without HeaderNames: %s", show(h))
	}
}

// A repeated header: headers has the last value, multiValueHeaders all of them; names that differ only
// in case are one header under the first spelling.
func TestEventV1RepeatedHeaders(t *testing.T) {
	r := baseRequest()
	r.Header["Foo"] = []string{"1", "2"}
	r.HeaderNames = []string{"foo", "FOO"}
	ev := eventMap(t, r, false)
	if h := ev["headers"].(map[string]any); h["foo"] != "2" || h["FOO"] != nil {
		t.Errorf("headers %s", show(h))
	}
	if m := ev["multiValueHeaders"].(map[string]any); show(m["foo"]) != `["1","2"]` {
		t.Errorf("multiValueHeaders %s", show(m))
	}
	// a Header map built by hand with two spellings of one name
	r = baseRequest()
	r.Header = http.Header{"x-a": {"1"}, "X-A": {"2"}}
	m := eventMap(t, r, false)["multiValueHeaders"].(map[string]any)
	if show(m["X-A"]) != `["2","1"]` || m["x-a"] != nil {
		t.Errorf("multiValueHeaders %s", show(m))
	}
}

// REC v1-event-headers-dropped.
func TestEventV1DroppedHeaders(t *testing.T) {
	dropped := []string{"Connection", "Content-Length", "Content-MD5", "Expect", "Max-Forwards", "Proxy-Authenticate",
		"Server", "TE", "Trailer", "Transfer-Encoding", "Upgrade", "WWW-Authenticate"}
	kept := []string{"Accept-Charset", "Age", "Content-Encoding", "Date", "Pragma", "Range", "Referer", "Via", "Warn", "Cookie"}
	r := baseRequest()
	for _, n := range append(slices.Clone(dropped), kept...) {
		r.Header.Add(n, "v-"+n)
		r.HeaderNames = append(r.HeaderNames, n)
	}
	for _, v2 := range []bool{false, true} {
		h := eventMap(t, r, v2)["headers"].(map[string]any)
		for _, n := range dropped {
			name := n
			if v2 {
				name = strings.ToLower(n)
				if name == "content-length" { // 2.0 keeps it (captured 2.0 event)
					if h[name] != "v-Content-Length" {
						t.Errorf("2.0: content-length = %v", h[name])
					}
					continue
				}
			}
			if _, ok := h[name]; ok {
				t.Errorf("v2=%v: %s not dropped", v2, n)
			}
		}
		for _, n := range kept {
			name := n
			if v2 {
				name = strings.ToLower(n)
				if name == "cookie" {
					continue // 2.0 moves it to cookies
				}
			}
			if h[name] != "v-"+n {
				t.Errorf("v2=%v: %s = %v", v2, n, h[name])
			}
		}
	}
}

// REC v1-event-*: the gateway adds X-Amzn-Trace-Id, X-Forwarded-For (client address appended),
// X-Forwarded-Port 443, X-Forwarded-Proto https and Host, replacing what the client sent.
func TestEventV1AddedHeaders(t *testing.T) {
	r := baseRequest()
	r.TraceID = "Root=1-aaaa"
	r.Header.Add("X-Amzn-Trace-Id", "client-trace")
	r.Header.Add("X-Forwarded-For", "192.0.2.1")
	r.Header.Add("X-Forwarded-Port", "8080")
	r.Header.Add("X-Forwarded-Proto", "http")
	r.Header.Add("Host", "localhost:4566")
	r.HeaderNames = []string{"x-amzn-trace-id", "x-forwarded-for", "x-forwarded-port", "x-forwarded-proto", "host"}
	ev := eventMap(t, r, false)
	h := ev["headers"].(map[string]any)
	want := map[string]any{
		"X-Amzn-Trace-Id":   "Root=1-aaaa",
		"X-Forwarded-For":   "192.0.2.1, 203.0.113.9",
		"X-Forwarded-Port":  "443",
		"X-Forwarded-Proto": "https",
		"Host":              "abc123.execute-api.eu-west-1.amazonaws.com",
	}
	if show(h) != show(want) {
		t.Errorf("headers %s, want %s", show(h), show(want))
	}
	if m := ev["multiValueHeaders"].(map[string]any); show(m["X-Forwarded-For"]) != `["192.0.2.1, 203.0.113.9"]` {
		t.Errorf("multiValueHeaders %s", show(m))
	}

	// without a TraceID the client's header passes; without a client XFF it is the source address
	r = baseRequest()
	r.Header.Add("X-Amzn-Trace-Id", "Root=1-client")
	h = eventMap(t, r, false)["headers"].(map[string]any)
	if h["X-Amzn-Trace-Id"] != "Root=1-client" || h["X-Forwarded-For"] != "203.0.113.9" {
		t.Errorf("headers %s", show(h))
	}
}

// REC v1-event-*: identity fields without a value are null; requestTime is dd/MMM/yyyy:HH:mm:ss +0000
// and requestTimeEpoch milliseconds; authorizer only with an authorizer (DOC).
func TestEventV1RequestContext(t *testing.T) {
	r := baseRequest()
	r.Header.Add("User-Agent", "from-header")
	ctx := eventMap(t, r, false)["requestContext"].(map[string]any)
	id := ctx["identity"].(map[string]any)
	for _, k := range identityKeyOrder {
		want := any(nil)
		switch k {
		case "sourceIp":
			want = "203.0.113.9"
		case "userAgent":
			want = "from-header" // Request.UserAgent empty: the header's
		}
		if v, ok := id[k]; !ok || v != want {
			t.Errorf("identity.%s = %v (present %v), want %v", k, v, ok, want)
		}
	}
	if ctx["requestTime"] != "04/Mar/2020:19:15:17 +0000" || ctx["requestTimeEpoch"] != float64(1583349317135) {
		t.Errorf("requestTime %v, requestTimeEpoch %v", ctx["requestTime"], ctx["requestTimeEpoch"])
	}
	if ctx["domainPrefix"] != "abc123" || ctx["protocol"] != "HTTP/1.1" || ctx["resourcePath"] != "/items" || ctx["stage"] != "dev" {
		t.Errorf("requestContext %s", show(ctx))
	}
	if _, ok := ctx["authorizer"]; ok {
		t.Error("authorizer present without an authorizer")
	}
	r.Authorizer = map[string]any{"principalId": "me", "claims": nil}
	r.SourceIP, r.UserAgent = "", "explicit"
	ctx = eventMap(t, r, false)["requestContext"].(map[string]any)
	if show(ctx["authorizer"]) != `{"claims":null,"principalId":"me"}` {
		t.Errorf("authorizer %s", show(ctx["authorizer"]))
	}
	id = ctx["identity"].(map[string]any)
	if v, ok := id["sourceIp"]; !ok || v != nil || id["userAgent"] != "explicit" {
		t.Errorf("identity %s", show(id))
	}
}

func TestEventV1Body(t *testing.T) {
	r := baseRequest()
	r.Method = "POST"
	r.Body = []byte(`{"a":"<b>&</b>"}`)
	raw, err := EventV1(r)
	if err != nil {
		t.Fatal(err)
	}
	// AWS does not HTML-escape: the raw event holds <, > and & literally.
	if !strings.Contains(string(raw), `"body":"{\"a\":\"<b>&</b>\"}"`) {
		t.Errorf("body not written literally: %s", raw)
	}
	r.Body, r.IsBase64 = []byte{0xff, 0x00, 0x01}, true
	ev := eventMap(t, r, false)
	if ev["body"] != base64.StdEncoding.EncodeToString(r.Body) || ev["isBase64Encoded"] != true {
		t.Errorf("binary body %v, isBase64Encoded %v", ev["body"], ev["isBase64Encoded"])
	}
	r.Body = nil // no body: null and false even when the caller flagged binary
	ev = eventMap(t, r, false)
	if ev["body"] != nil || ev["isBase64Encoded"] != false {
		t.Errorf("no body: %v, %v", ev["body"], ev["isBase64Encoded"])
	}
}

// Key order: the top level as documented, requestContext and identity as AWS's captured event, headers
// sorted case-insensitively.
func TestEventV1KeyOrder(t *testing.T) {
	r := baseRequest()
	r.Authorizer = map[string]any{"principalId": "me"}
	r.Header.Add("Zeta", "z")
	r.Header.Add("accept", "a")
	r.Header.Add("Beta", "b")
	r.HeaderNames = []string{"Zeta", "accept", "Beta"}
	raw, err := EventV1(r)
	if err != nil {
		t.Fatal(err)
	}
	top := keysOf(t, raw)
	wantTop := []string{"resource", "path", "httpMethod", "headers", "multiValueHeaders", "queryStringParameters",
		"multiValueQueryStringParameters", "pathParameters", "stageVariables", "requestContext", "body", "isBase64Encoded"}
	if !slices.Equal(top, wantTop) {
		t.Errorf("top-level keys %v", top)
	}
	var m map[string]json.RawMessage
	_ = json.Unmarshal(raw, &m)
	if got := keysOf(t, m["requestContext"]); !slices.Equal(got, contextKeyOrder) {
		t.Errorf("requestContext keys %v", got)
	}
	var ctx map[string]json.RawMessage
	_ = json.Unmarshal(m["requestContext"], &ctx)
	if got := keysOf(t, ctx["identity"]); !slices.Equal(got, identityKeyOrder) {
		t.Errorf("identity keys %v", got)
	}
	wantHeaders := []string{"accept", "Beta", "Host", "X-Forwarded-For", "X-Forwarded-Port", "X-Forwarded-Proto", "Zeta"}
	if got := keysOf(t, m["headers"]); !slices.Equal(got, wantHeaders) {
		t.Errorf("header order %v, want %v", got, wantHeaders)
	}
}

func TestEventNilRequest(t *testing.T) {
	if _, err := EventV1(nil); err == nil {
		t.Error("EventV1(nil) succeeded")
	}
	if _, err := EventV2(nil); err == nil {
		t.Error("EventV2(nil) succeeded")
	}
	r := baseRequest()
	r.Authorizer = map[string]any{"bad": make(chan int)}
	if _, err := EventV1(r); err == nil {
		t.Error("unencodable authorizer accepted")
	}
}

// ---- EventV2 ---------------------------------------------------------------------------------------

// §e.3 and the captured 2.0 event: absent rather than null, lower-case names joined with ",", cookies.
func TestEventV2(t *testing.T) {
	r := baseRequest()
	r.Path = "/dev/items"
	ev := eventMap(t, r, true)
	for _, k := range []string{"cookies", "queryStringParameters", "body", "pathParameters", "stageVariables"} {
		if _, ok := ev[k]; ok {
			t.Errorf("%s present in an event without one", k)
		}
	}
	if ev["version"] != "2.0" || ev["routeKey"] != "$default" || ev["rawPath"] != "/dev/items" || ev["rawQueryString"] != "" || ev["isBase64Encoded"] != false {
		t.Errorf("event %s", show(ev))
	}
	ctx := ev["requestContext"].(map[string]any)
	if _, ok := ctx["authorizer"]; ok {
		t.Error("authorizer without an authorizer")
	}
	if _, ok := ctx["authentication"]; ok {
		t.Error("authentication without mutual TLS")
	}
	if ctx["time"] != "04/Mar/2020:19:15:17 +0000" || ctx["timeEpoch"] != float64(1583349317135) || ctx["routeKey"] != "$default" {
		t.Errorf("requestContext %s", show(ctx))
	}
	if show(ctx["http"]) != `{"method":"GET","path":"/dev/items","protocol":"HTTP/1.1","sourceIp":"203.0.113.9","userAgent":""}` {
		t.Errorf("http %s", show(ctx["http"]))
	}

	r.Header.Add("X-Dup", "1")
	r.Header.Add("X-Dup", "2")
	r.Header.Add("Cookie", "a=1; b=2")
	r.Header.Add("Cookie", "c=3;")
	r.Header.Add("Content-Length", "5")
	r.Header.Add("Connection", "close")
	r.HeaderNames = []string{"X-DUP", "Cookie", "Content-Length", "Connection"}
	r.RawQuery = "q=1&q=2&s=a+b%21"
	r.Body = []byte("hello")
	r.RouteKey = "GET /items"
	r.PathParameters = map[string]string{"id": "7"}
	r.StageVariables = map[string]string{"v": "1"}
	r.Authorizer = map[string]any{"jwt": map[string]any{"claims": map[string]any{"sub": "x"}, "scopes": nil}}
	ev = eventMap(t, r, true)
	h := ev["headers"].(map[string]any)
	if h["x-dup"] != "1,2" || h["content-length"] != "5" || h["connection"] != nil || h["cookie"] != nil || h["x-forwarded-port"] != "443" {
		t.Errorf("headers %s", show(h))
	}
	if show(ev["cookies"]) != `["a=1","b=2","c=3"]` {
		t.Errorf("cookies %s", show(ev["cookies"]))
	}
	if show(ev["queryStringParameters"]) != `{"q":"1,2","s":"a b!"}` || ev["rawQueryString"] != "q=1&q=2&s=a+b%21" {
		t.Errorf("query %s / %v", show(ev["queryStringParameters"]), ev["rawQueryString"])
	}
	if ev["body"] != "hello" || ev["routeKey"] != "GET /items" || show(ev["pathParameters"]) != `{"id":"7"}` || show(ev["stageVariables"]) != `{"v":"1"}` {
		t.Errorf("event %s", show(ev))
	}
	if show(ev["requestContext"].(map[string]any)["authorizer"]) != `{"jwt":{"claims":{"sub":"x"},"scopes":null}}` {
		t.Errorf("authorizer %s", show(ev["requestContext"].(map[string]any)["authorizer"]))
	}
	for k := range h {
		if k != strings.ToLower(k) {
			t.Errorf("header %q not lower case", k)
		}
	}
}

// ---- ResponseV1 ------------------------------------------------------------------------------------

type respCase struct {
	name    string
	payload string
	accept  string
	types   []string
	status  int               // 0: a MalformedError is expected
	headers map[string]string // exact, values joined with ", "
	body    string
}

func checkResponse(t *testing.T, c respCase, resp *Response, err error) {
	t.Helper()
	if c.status == 0 {
		var me *MalformedError
		if !errors.As(err, &me) {
			t.Fatalf("%s: got %+v, %v; want a MalformedError", c.payload, resp, err)
		}
		if !strings.HasPrefix(err.Error(), "Malformed Lambda proxy response: ") {
			t.Errorf("error text %q", err)
		}
		return
	}
	if err != nil {
		t.Fatalf("%s: %v", c.payload, err)
	}
	if resp.Status != c.status {
		t.Errorf("status %d, want %d", resp.Status, c.status)
	}
	if string(resp.Body) != c.body {
		t.Errorf("body %q, want %q", resp.Body, c.body)
	}
	if c.headers != nil {
		got := map[string]string{}
		for k, v := range resp.Header {
			got[k] = strings.Join(v, ", ")
		}
		if show(got) != show(c.headers) {
			t.Errorf("headers %s, want %s", show(got), show(c.headers))
		}
	}
}

const ct = "Content-Type"

func TestResponseV1(t *testing.T) {
	js := map[string]string{ct: "application/json"}
	png := "iVBORw0KGgo="
	pngBytes, _ := base64.StdEncoding.DecodeString(png)
	b64 := `{"body":"` + png + `","isBase64Encoded":true}`
	for _, c := range []respCase{
		// §e.2 and the response vectors
		{name: "empty object", payload: `{}`, status: 200, headers: js},
		{name: "status only", payload: `{"statusCode":200}`, status: 200, headers: js},
		{name: "headers only", payload: `{"headers":{"test-header":"value"}}`, status: 200, headers: map[string]string{ct: "application/json", "test-header": "value"}},
		{name: "status string", payload: `{"statusCode":"201"}`, status: 201, headers: js},
		{name: "status string spaces", payload: `{"statusCode":" 404 "}`, status: 404, headers: js},
		{name: "status not numeric", payload: `{"statusCode":"test"}`},
		{name: "status float integral", payload: `{"statusCode":200.0}`, status: 200},
		{name: "status exponent", payload: `{"statusCode":2e2}`, status: 200},
		{name: "status fractional", payload: `{"statusCode":200.5}`},
		{name: "status too small", payload: `{"statusCode":99}`},
		{name: "status too big", payload: `{"statusCode":600}`},
		{name: "status negative", payload: `{"statusCode":-200}`},
		{name: "status bool", payload: `{"statusCode":true}`},
		{name: "status object", payload: `{"statusCode":{}}`},
		{name: "status null", payload: `{"statusCode":null}`, status: 200},
		{name: "unknown key", payload: `{"statusCode":200,"wrongValue":"value"}`},
		{name: "key case matters", payload: `{"StatusCode":200}`},
		{name: "lambda error payload", payload: `{"errorMessage":"boom","errorType":"Error"}`},
		{name: "bare string", payload: `"justAString"`},
		{name: "array", payload: `[]`},
		{name: "null", payload: `null`},
		{name: "number", payload: `200`},
		{name: "empty payload", payload: ``},
		{name: "invalid JSON", payload: `{"statusCode":200`},
		{name: "trailing data", payload: `{} x`},
		{name: "two objects", payload: `{}{}`},
		{name: "whitespace around", payload: " \n{\"statusCode\":204}\n ", status: 204},
		{name: "duplicate key last wins", payload: `{"statusCode":200,"statusCode":201}`, status: 201},
		// headers
		{name: "headers null", payload: `{"statusCode":200,"headers":null}`, status: 200, headers: js},
		{name: "header values stringified", payload: `{"headers":{"b":true,"f":false,"n":1.50,"i":7,"z":null}}`, status: 200,
			headers: map[string]string{ct: "application/json", "b": "true", "f": "false", "n": "1.50", "i": "7"}},
		{name: "header value object", payload: `{"headers":{"o":{}}}`},
		{name: "header value array", payload: `{"headers":{"o":["a"]}}`},
		{name: "headers not object", payload: `{"headers":"x"}`},
		{name: "headers array", payload: `{"headers":[]}`},
		{name: "content type from function", payload: `{"headers":{"content-type":"text/html"}}`, status: 200, headers: map[string]string{"content-type": "text/html"}},
		{name: "header name invalid", payload: `{"headers":{"bad name":"x"}}`},
		{name: "header name empty", payload: `{"headers":{"":"x"}}`},
		{name: "header value newline", payload: `{"headers":{"a":"x\r\nInjected: 1"}}`},
		{name: "header value utf8", payload: `{"headers":{"a":"café\tok"}}`, status: 200, headers: map[string]string{ct: "application/json", "a": "café\tok"}},
		// multiValueHeaders
		{name: "multi valid", payload: `{"multiValueHeaders":{"test-multi":["value1","value2"]}}`, status: 200,
			headers: map[string]string{ct: "application/json", "test-multi": "value1, value2"}},
		{name: "multi not list", payload: `{"multiValueHeaders":{"test-multi-invalid":"value1"}}`},
		{name: "multi number", payload: `{"multiValueHeaders":{"a":1}}`},
		{name: "multi object", payload: `{"multiValueHeaders":{"a":{}}}`},
		{name: "multi not object", payload: `{"multiValueHeaders":["a"]}`},
		{name: "multi null", payload: `{"multiValueHeaders":null}`, status: 200, headers: js},
		{name: "multi null value", payload: `{"multiValueHeaders":{"a":null}}`, status: 200, headers: js},
		{name: "multi elements stringified", payload: `{"multiValueHeaders":{"a":[1,true,null,"x"]}}`, status: 200,
			headers: map[string]string{ct: "application/json", "a": "1, true, x"}},
		{name: "multi element object", payload: `{"multiValueHeaders":{"a":[{}]}}`},
		{name: "merge multi first", payload: `{"multiValueHeaders":{"test-multi":["value-multi"]},"headers":{"test-multi":"value-solo"}}`, status: 200,
			headers: map[string]string{ct: "application/json", "test-multi": "value-multi, value-solo"}},
		{name: "merge multi casing wins", payload: `{"headers":{"test-multi":"value-solo"},"multiValueHeaders":{"tesT-Multi":["value-multi"]}}`, status: 200,
			headers: map[string]string{ct: "application/json", "tesT-Multi": "value-multi, value-solo"}},
		{name: "merge same pair once", payload: `{"multiValueHeaders":{"A":["1","2"]},"headers":{"a":"1"}}`, status: 200,
			headers: map[string]string{ct: "application/json", "A": "1, 2"}},
		{name: "multi keeps repeats", payload: `{"multiValueHeaders":{"A":["1","1"]}}`, status: 200,
			headers: map[string]string{ct: "application/json", "A": "1, 1"}},
		{name: "headers case variants", payload: `{"headers":{"X-A":"1","x-a":"2"}}`, status: 200,
			headers: map[string]string{ct: "application/json", "X-A": "1, 2"}},
		// body
		{name: "body string", payload: `{"body":"<p>hi & bye</p>"}`, status: 200, body: "<p>hi & bye</p>"},
		{name: "body null", payload: `{"body":null}`, status: 200},
		{name: "body number", payload: `{"body":42}`, status: 200, body: "42"},
		{name: "body bool", payload: `{"body":true}`, status: 200, body: "true"},
		{name: "body object", payload: `{"body":{"a":1}}`},
		{name: "body array", payload: `{"body":[1]}`},
		// isBase64Encoded and binaryMediaTypes (VAL v1-binary-response-1..7, DOC */*)
		{name: "b64 no binary types", payload: b64, accept: "image/png", status: 200, body: png},
		{name: "b64 exact", payload: b64, accept: "image/png", types: []string{"image/png"}, status: 200, body: string(pngBytes)},
		{name: "b64 accept other", payload: b64, accept: "image/jpg", types: []string{"image/png", "*/test"}, status: 200, body: png},
		{name: "b64 accept wildcard subtype", payload: b64, accept: "image/*", types: []string{"image/png"}, status: 200, body: png},
		{name: "b64 accept any", payload: b64, accept: "*/*", types: []string{"image/png"}, status: 200, body: png},
		{name: "b64 left wildcard entry", payload: b64, accept: "random/test", types: []string{"*/test"}, status: 200, body: png},
		{name: "b64 left wildcard entry literal", payload: b64, accept: "*/test", types: []string{"*/test"}, status: 200, body: png},
		{name: "b64 right wildcard entry", payload: b64, accept: "image/png", types: []string{"image/*"}, status: 200, body: png},
		{name: "b64 catch-all entry", payload: b64, accept: "text/html", types: []string{"*/*"}, status: 200, body: string(pngBytes)},
		{name: "b64 catch-all no accept", payload: b64, types: []string{"*/*"}, status: 200, body: string(pngBytes)},
		{name: "b64 first media type only", payload: b64, accept: "text/html, image/png", types: []string{"image/png"}, status: 200, body: png},
		{name: "b64 first of list", payload: b64, accept: "image/png, text/html", types: []string{"image/png"}, status: 200, body: string(pngBytes)},
		{name: "b64 parameters ignored", payload: b64, accept: "image/png;q=0.9", types: []string{"image/png"}, status: 200, body: string(pngBytes)},
		{name: "b64 case-insensitive", payload: b64, accept: "IMAGE/PNG", types: []string{"image/png"}, status: 200, body: string(pngBytes)},
		{name: "b64 false not decoded", payload: `{"body":"` + png + `"}`, accept: "image/png", types: []string{"image/png"}, status: 200, body: png},
		{name: "b64 string true", payload: `{"body":"aGk=","isBase64Encoded":"TRUE"}`, accept: "a/b", types: []string{"a/b"}, status: 200, body: "hi"},
		{name: "b64 unpadded", payload: `{"body":"aGk","isBase64Encoded":true}`, accept: "a/b", types: []string{"a/b"}, status: 200, body: "hi"},
		{name: "b64 number", payload: `{"isBase64Encoded":1}`},
		{name: "b64 other string", payload: `{"isBase64Encoded":"yes"}`},
		{name: "b64 invalid decoded", payload: `{"body":"!!","isBase64Encoded":true}`, accept: "a/b", types: []string{"a/b"}},
		{name: "b64 invalid not decoded", payload: `{"body":"!!","isBase64Encoded":true}`, accept: "a/c", types: []string{"a/b"}, status: 200, body: "!!"},
		{name: "b64 null", payload: `{"body":"x","isBase64Encoded":null}`, accept: "a/b", types: []string{"a/b"}, status: 200, body: "x"},
	} {
		t.Run(c.name, func(t *testing.T) {
			resp, err := ResponseV1([]byte(c.payload), c.accept, c.types)
			checkResponse(t, c, resp, err)
		})
	}
}

func TestResponseValues(t *testing.T) {
	resp, err := ResponseV1([]byte(`{"headers":{"test-header":"v"}}`), "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := resp.Values("Test-Header"); !slices.Equal(got, []string{"v"}) {
		t.Errorf("Values = %q", got)
	}
	if resp.Values("missing") != nil {
		t.Error("Values of a missing header")
	}
}

// ---- ResponseV2 ------------------------------------------------------------------------------------

func TestResponseV2(t *testing.T) {
	js := map[string]string{ct: "application/json"}
	for _, c := range []respCase{
		{name: "string", payload: `"Hello from Lambda!"`, status: 200, headers: js, body: "Hello from Lambda!"},
		{name: "object without statusCode", payload: `{ "message": "Hello from Lambda!" }`, status: 200, headers: js, body: `{ "message": "Hello from Lambda!" }`},
		{name: "object with body no statusCode", payload: `{"body":"x","headers":{"a":"b"}}`, status: 200, headers: js, body: `{"body":"x","headers":{"a":"b"}}`},
		{name: "array", payload: `[1,2]`, status: 200, headers: js, body: `[1,2]`},
		{name: "number", payload: ` 42 `, status: 200, headers: js, body: `42`},
		{name: "null", payload: `null`, status: 200, headers: js, body: `null`},
		{name: "invalid JSON", payload: `{"statusCode":`},
		{name: "not JSON", payload: `Hello`},
		{name: "empty", payload: ``},
		{name: "described", payload: `{"statusCode":201,"body":"x","headers":{"a":"b"},"cookies":["c=1","d=2; Path=/"],"extra":1}`, status: 201,
			headers: map[string]string{ct: "application/json", "a": "b", "Set-Cookie": "c=1, d=2; Path=/"}, body: "x"},
		{name: "described content type", payload: `{"statusCode":200,"headers":{"content-type":"text/plain"}}`, status: 200, headers: map[string]string{"content-type": "text/plain"}},
		{name: "status string", payload: `{"statusCode":"202"}`, status: 202, headers: js},
		{name: "status null", payload: `{"statusCode":null,"body":"b"}`, status: 200, headers: js, body: "b"},
		{name: "bad status", payload: `{"statusCode":"x"}`},
		{name: "cookies not list", payload: `{"statusCode":200,"cookies":"c=1"}`},
		{name: "cookies null", payload: `{"statusCode":200,"cookies":null}`, status: 200, headers: js},
		{name: "b64 always decoded", payload: `{"statusCode":200,"body":"aGk=","isBase64Encoded":true}`, status: 200, headers: js, body: "hi"},
		{name: "b64 invalid", payload: `{"statusCode":200,"body":"!","isBase64Encoded":true}`},
		{name: "multiValueHeaders ignored", payload: `{"statusCode":200,"multiValueHeaders":{"a":["1"]}}`, status: 200, headers: js},
		{name: "body object", payload: `{"statusCode":200,"body":{}}`},
	} {
		t.Run(c.name, func(t *testing.T) {
			resp, err := ResponseV2([]byte(c.payload), nil)
			checkResponse(t, c, resp, err)
		})
	}
	// binaryMediaTypes plays no part for HTTP APIs
	for _, types := range [][]string{nil, {"image/png"}} {
		resp, err := ResponseV2([]byte(`{"statusCode":200,"body":"aGk=","isBase64Encoded":true}`), types)
		if err != nil || string(resp.Body) != "hi" {
			t.Errorf("types %v: %v, %v", types, resp, err)
		}
	}
}
