package lambdaproxy

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apigw-local/apigw-local/internal/testcorpus"
)

// The AWS vectors (recorded on AWS by LocalStack's snapshot tests, AWS docs), from internal/testcorpus:
// a change to the vectors is a change to the tests.
const vectorFile = "lambda-proxy.json"

type vector struct {
	ID       string          `json:"id"`
	Evidence string          `json:"evidence"`
	Input    json.RawMessage `json:"input"`
	Expected json.RawMessage `json:"expected"`
	Notes    string          `json:"notes"`
}

func loadVectors(t *testing.T) []vector {
	t.Helper()
	data := testcorpus.Vectors(vectorFile)
	var f struct {
		Count   int      `json:"count"`
		Vectors []vector `json:"vectors"`
	}
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatalf("parsing the vectors: %v", err)
	}
	if len(f.Vectors) != f.Count || f.Count == 0 {
		t.Fatalf("vector file says count %d, holds %d", f.Count, len(f.Vectors))
	}
	return f.Vectors
}

// skipped names the vectors this package cannot check, with the reason.
var skipped = map[string]string{
	"v1-integration-method-get-fails": "needs the gateway's integration configuration (an AWS_PROXY integration whose " +
		"integrationHttpMethod is GET fails before any event is built); that check belongs to the gateway, not to " +
		"the event/response transformation",
}

// TestAWSVectors runs every vector of lambda-proxy.json through the package. Every vector must be
// handled by one of the runners or be listed in skipped with a reason.
func TestAWSVectors(t *testing.T) {
	vectors := loadVectors(t)
	var ran, skip int
	for _, v := range vectors {
		var run func(*testing.T, vector)
		switch {
		case skipped[v.ID] != "":
		case v.ID == "v1-event-headers-dropped":
			run = runEventHeadersDropped
		case strings.HasPrefix(v.ID, "v1-event-"):
			run = runEventV1
		case strings.HasPrefix(v.ID, "v1-response-"), strings.HasPrefix(v.ID, "v1-binary-response-"):
			run = runResponseV1
		case v.ID == "v2-event-shape-docs":
			run = runEventV2Shape
		case v.ID == "v2-response-inference-docs":
			run = runResponseV2Inference
		default:
			t.Errorf("vector %s has no runner and no skip reason", v.ID)
			continue
		}
		if run == nil {
			skip++
			t.Run(v.ID, func(t *testing.T) { t.Skip(skipped[v.ID]) })
			continue
		}
		ran++
		t.Run(v.ID, func(t *testing.T) { run(t, v) })
	}
	t.Logf("%d vectors: %d run, %d skipped", len(vectors), ran, skip)
}

// ---- 1.0 events -------------------------------------------------------------------------------------

type clientRequest struct {
	method      string
	path        string // as sent, stage included
	rawQuery    string
	headerNames []string // in the order the client sent them
	header      http.Header
	body        []byte
	hasBody     bool
}

// pythonRequestsDefaults are the headers python-requests (LocalStack's test client) sends unless the
// test overrides them; the vectors list only the explicit ones, the recorded events show these too
// (Accept "*/*", Accept-Encoding "gzip, deflate", and a User-Agent the tests always override).
var pythonRequestsDefaults = [][2]string{
	{"User-Agent", "python-requests/2.32.3"},
	{"Accept-Encoding", "gzip, deflate"},
	{"Accept", "*/*"},
	{"Connection", "keep-alive"},
}

// parseClientRequest rebuilds the HTTP request the vector's test sent.
func parseClientRequest(t *testing.T, raw json.RawMessage) clientRequest {
	t.Helper()
	var f map[string]json.RawMessage
	if err := json.Unmarshal(raw, &f); err != nil {
		t.Fatalf("client_request: %v", err)
	}
	var cr clientRequest
	_ = json.Unmarshal(f["method"], &cr.method)
	var target string
	if f["url_path_and_query"] != nil {
		_ = json.Unmarshal(f["url_path_and_query"], &target)
	} else {
		_ = json.Unmarshal(f["path"], &target)
	}
	target, _, _ = strings.Cut(target, "#") // a client never sends the fragment
	cr.path, cr.rawQuery, _ = strings.Cut(target, "?")

	// requests merges its defaults with the explicit headers case-insensitively; an explicit header takes
	// the default's place and brings its own spelling ("user-Agent").
	type kv struct{ k, v string }
	var hs []kv
	for _, d := range pythonRequestsDefaults {
		hs = append(hs, kv{d[0], d[1]})
	}
	if f["headers"] != nil {
		ms, err := members(f["headers"])
		if err != nil {
			t.Fatalf("client_request.headers: %v", err)
		}
		for _, m := range ms {
			var v string
			_ = json.Unmarshal(m.val, &v)
			if i := slices.IndexFunc(hs, func(h kv) bool { return strings.EqualFold(h.k, m.key) }); i >= 0 {
				hs[i] = kv{m.key, v}
			} else {
				hs = append(hs, kv{m.key, v})
			}
		}
	}
	if b := f["body"]; b != nil && string(b) != "null" {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			t.Fatalf("client_request.body: %v", err)
		}
		cr.body, cr.hasBody = []byte(s), true
		hs = append(hs, kv{"Content-Length", fmt.Sprint(len(s))})
	}
	cr.header = http.Header{}
	for _, h := range hs {
		cr.headerNames = append(cr.headerNames, h.k)
		cr.header.Add(h.k, h.v)
	}
	return cr
}

// cloudFrontHop adds what CloudFront puts on a request to an EDGE API before API Gateway sees it. The
// emulator has no CloudFront; these vectors were recorded on EDGE APIs (their events carry CloudFront-*,
// Via and X-Amz-Cf-Id), so the test plays CloudFront's part and checks that the headers pass through.
func cloudFrontHop(cr *clientRequest) {
	for _, h := range [][2]string{
		{"CloudFront-Forwarded-Proto", "https"},
		{"CloudFront-Is-Desktop-Viewer", "true"},
		{"CloudFront-Is-Mobile-Viewer", "false"},
		{"CloudFront-Is-SmartTV-Viewer", "false"},
		{"CloudFront-Is-Tablet-Viewer", "false"},
		{"CloudFront-Viewer-ASN", "16509"},
		{"CloudFront-Viewer-Country", "US"},
		{"Via", "1.1 0123456789abcdef.cloudfront.net (CloudFront)"},
		{"X-Amz-Cf-Id", "aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789_ABCDEFGHIJKLMNOP=="},
	} {
		cr.headerNames = append(cr.headerNames, h[0])
		cr.header.Add(h[0], h[1])
	}
}

var resourceRE = regexp.MustCompile(`(?:^|\s)(/[A-Za-z0-9_{}+\-]+)`)

// route is a minimal stand-in for the router (not under test here): it matches the stage-less path
// against the resources the vector's deployed API has, literals before parameters, a greedy parameter
// taking the rest without its trailing slash, values left percent-encoded.
func route(t *testing.T, deployed, path, stage string) (resource string, params map[string]string) {
	t.Helper()
	resources := resourceRE.FindAllStringSubmatch(deployed, -1)
	if len(resources) == 0 {
		t.Fatalf("no resource found in deployed_api %q", deployed)
	}
	rest := strings.TrimLeft(path, "/")
	rest = strings.TrimLeft(strings.TrimPrefix(rest, stage), "/")
	slices.SortStableFunc(resources, func(a, b []string) int { // literals first
		return strings.Count(a[1], "{") - strings.Count(b[1], "{")
	})
	for _, m := range resources {
		if ps, ok := matchResource(m[1], rest); ok {
			return m[1], ps
		}
	}
	t.Fatalf("no resource of %q matches %q", deployed, path)
	return "", nil
}

func matchResource(resource, rest string) (map[string]string, bool) {
	parts := strings.Split(strings.TrimPrefix(resource, "/"), "/")
	segs := strings.Split(strings.TrimSuffix(rest, "/"), "/")
	ps := map[string]string{}
	for i, p := range parts {
		if i >= len(segs) || segs[i] == "" && i == 0 && len(segs) == 1 {
			return nil, false
		}
		switch {
		case strings.HasSuffix(p, "+}"):
			ps[p[1:len(p)-2]] = strings.Join(segs[i:], "/")
			return ps, i == len(parts)-1
		case strings.HasPrefix(p, "{"):
			ps[p[1:len(p)-1]] = segs[i]
		case segs[i] != p:
			return nil, false
		}
	}
	return ps, len(segs) == len(parts)
}

// vectorRequest builds the Request the gateway would pass for the vector's client request. The ids and
// addresses are arbitrary: the recorded event has placeholders there, which match any value but must be
// consistent (the same placeholder twice, e.g. <host:1> in Host and domainName, is the same value).
func vectorRequest(t *testing.T, in map[string]json.RawMessage, edge bool) *Request {
	t.Helper()
	cr := parseClientRequest(t, in["client_request"])
	if edge {
		cloudFrontHop(&cr)
	}
	var deployed string
	_ = json.Unmarshal(in["deployed_api"], &deployed)
	stage, _, _ := strings.Cut(strings.TrimLeft(cr.path, "/"), "/")
	if slices.ContainsFunc(resourceRE.FindAllStringSubmatch(deployed, -1), func(m []string) bool { return m[1] == "/"+stage }) {
		// The vector gives the path below the stage (v1-event-headers-dropped: "/no-param", the API's
		// resource); the stage name was not recorded and does not show in what was recorded.
		stage = "dev"
		cr.path = "/dev" + cr.path
	}
	resource, params := route(t, deployed, cr.path, stage)
	return &Request{
		Method:            cr.method,
		Path:              cr.path,
		Stage:             stage,
		Resource:          resource,
		PathParameters:    params,
		RawQuery:          cr.rawQuery,
		Header:            cr.header,
		HeaderNames:       cr.headerNames,
		Body:              cr.body,
		SourceIP:          "198.51.100.23",
		Protocol:          "HTTP/1.1",
		AccountID:         "111111111111",
		APIID:             "a1b2c3d4e5",
		DeploymentID:      "dep123",
		DomainName:        "a1b2c3d4e5.execute-api.us-east-1.amazonaws.com",
		ExtendedRequestID: "Ab1CdEfGhIjKlM=",
		RequestID:         "0e4b7d38-3ad2-4bb7-9a8c-1c6b1f0c3e11",
		ResourceID:        "res123",
		RequestTime:       time.Date(2024, 8, 2, 23, 34, 43, 123e6, time.UTC),
		TraceID:           "Root=1-66ad6c13-2f1c3b7e5d0a9e8f7a6b5c4d",
	}
}

func runEventV1(t *testing.T, v vector) {
	var in map[string]json.RawMessage
	if err := json.Unmarshal(v.Input, &in); err != nil {
		t.Fatal(err)
	}
	var exp struct {
		Event json.RawMessage `json:"lambda_event"`
	}
	if err := json.Unmarshal(v.Expected, &exp); err != nil || exp.Event == nil {
		t.Fatalf("expected.lambda_event: %v", err)
	}
	want := decode(t, exp.Event)
	edge := strings.Contains(string(exp.Event), `"CloudFront-Forwarded-Proto"`)
	ev, err := EventV1(vectorRequest(t, in, edge))
	if err != nil {
		t.Fatal(err)
	}
	got := decode(t, ev)
	m := newMatcher()
	m.match("event", want, got)
	for _, e := range m.errs {
		t.Error(e)
	}
	if t.Failed() {
		t.Logf("event: %s", ev)
	}
}

// runEventHeadersDropped: REGIONAL API (no CloudFront), only the event's headers and body were recorded.
// The recorded client response headers are the gateway's, not this package's.
func runEventHeadersDropped(t *testing.T, v vector) {
	var in map[string]json.RawMessage
	if err := json.Unmarshal(v.Input, &in); err != nil {
		t.Fatal(err)
	}
	var exp struct {
		Headers json.RawMessage `json:"event_headers"`
		Body    json.RawMessage `json:"event_body"`
	}
	if err := json.Unmarshal(v.Expected, &exp); err != nil {
		t.Fatal(err)
	}
	ev, err := EventV1(vectorRequest(t, in, false))
	if err != nil {
		t.Fatal(err)
	}
	got := decode(t, ev).(map[string]any)
	m := newMatcher()
	m.match("event.headers", decode(t, exp.Headers), got["headers"])
	m.match("event.body", decode(t, exp.Body), got["body"])
	for _, e := range m.errs {
		t.Error(e)
	}
}

func decode(t *testing.T, data []byte) any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("decoding %s: %v", data, err)
	}
	return v
}

// ---- placeholder-aware comparison ----------------------------------------------------------------------

var placeholderRE = regexp.MustCompile(`^<([^<>]+)>$`)

// placeholderChecks holds what a placeholder's value must look like, beyond its type. The types follow
// the vector notes: requestTimeEpoch "is a number" (the snapshot tool replaced it with a string), and
// the X-Forwarded-* values of multiValueHeaders "are really one-element lists".
var placeholderChecks = map[string]func(any) error{
	"request-time": func(v any) error {
		s, _ := v.(string)
		if _, err := time.Parse(requestTimeLayout, s); err != nil {
			return fmt.Errorf("not dd/MMM/yyyy:HH:mm:ss +0000: %v", err)
		}
		return nil
	},
	"request-time-epoch": func(v any) error {
		n, ok := v.(json.Number)
		if !ok {
			return fmt.Errorf("%T, not a number", v)
		}
		if _, err := n.Int64(); err != nil {
			return fmt.Errorf("not an integer of milliseconds: %v", err)
		}
		return nil
	},
	"X-Forwarded-Port":  literal("443"),
	"X-Forwarded-Proto": literal("https"),
}

func literal(want string) func(any) error {
	return func(v any) error {
		if v != want {
			return fmt.Errorf("%v, want %q", v, want)
		}
		return nil
	}
}

type matcher struct {
	bound map[string]any // placeholder -> the value it stood for
	errs  []string
}

func newMatcher() *matcher { return &matcher{bound: map[string]any{}} }

func (m *matcher) fail(path, format string, args ...any) {
	m.errs = append(m.errs, path+": "+fmt.Sprintf(format, args...))
}

// match compares an expected value (with placeholders) with the actual one: same keys, same nulls, same
// values; a placeholder matches any value of its type, and the same placeholder the same value.
func (m *matcher) match(path string, want, got any) {
	if s, ok := want.(string); ok {
		if p := placeholderRE.FindStringSubmatch(s); p != nil {
			m.placeholder(path, p[1], got)
			return
		}
	}
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if s, isString := got.(string); isString {
			// The snapshot tool JSON-parsed JSON found in strings (body): compare the string's JSON.
			var parsed any
			dec := json.NewDecoder(strings.NewReader(s))
			dec.UseNumber()
			if err := dec.Decode(&parsed); err == nil {
				g, ok = parsed.(map[string]any)
			}
		}
		if !ok {
			m.fail(path, "got %s, want an object", show(got))
			return
		}
		for k, wv := range w {
			gv, present := g[k]
			if !present {
				m.fail(path, "missing key %q", k)
				continue
			}
			m.match(path+"."+k, wv, gv)
		}
		for k := range g {
			if _, present := w[k]; !present {
				m.fail(path, "unexpected key %q = %s", k, show(g[k]))
			}
		}
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			m.fail(path, "got %s, want %s", show(got), show(want))
			return
		}
		for i := range w {
			m.match(fmt.Sprintf("%s[%d]", path, i), w[i], g[i])
		}
	default: // nil, bool, json.Number, string
		if want != got {
			m.fail(path, "got %s, want %s", show(got), show(want))
		}
	}
}

func (m *matcher) placeholder(path, name string, got any) {
	if list, ok := got.([]any); ok && strings.HasPrefix(name, "X-Forwarded-") && strings.HasSuffix(path, name) {
		// multiValueHeaders.X-Forwarded-*: the transformer replaced a one-element list.
		if len(list) != 1 {
			m.fail(path, "got %s, want a one-element list", show(got))
			return
		}
		got = list[0]
	}
	check := placeholderChecks[name]
	if check == nil {
		if _, ok := got.(string); !ok {
			m.fail(path, "placeholder <%s>: got %s, want a string", name, show(got))
			return
		}
	} else if err := check(got); err != nil {
		m.fail(path, "placeholder <%s>: %v", name, err)
		return
	}
	if prev, ok := m.bound[name]; ok && prev != got {
		m.fail(path, "placeholder <%s> is %s here but %s elsewhere", name, show(got), show(prev))
		return
	}
	m.bound[name] = got
}

func show(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// ---- 1.0 responses -------------------------------------------------------------------------------------

// gatewayOwnedHeaders are response headers the recordings show that API Gateway (or CloudFront, or the
// HTTP stack) adds, not the function: the gateway's concern, not this package's.
var gatewayOwnedHeaders = []string{
	"Connection", "Content-Length", "Date", "Via", "X-Amz-Cf-Id", "X-Amz-Cf-Pop", "X-Amzn-Trace-Id",
	"X-Cache", "x-amz-apigw-id", "x-amzn-RequestId",
}

// lambdaErrorPayload is what Lambda returns for an unhandled Python exception (the function of
// v1-response-empty-response raises in json.loads(None)).
const lambdaErrorPayload = `{"errorMessage": "the JSON object must be str, bytes or bytearray, not NoneType", ` +
	`"errorType": "TypeError", "requestId": "5bb9dc8c-5b1e-4a3c-9d0e-1f2a3b4c5d6e", ` +
	`"stackTrace": ["  File \"/var/task/index.py\", line 5, in handler\n"]}`

func runResponseV1(t *testing.T, v vector) {
	var in struct {
		Returns          json.RawMessage `json:"lambda_returns"`
		BinaryMediaTypes []string        `json:"binaryMediaTypes"`
		ClientRequest    struct {
			Headers map[string]string `json:"headers"`
		} `json:"client_request"`
	}
	if err := json.Unmarshal(v.Input, &in); err != nil {
		t.Fatal(err)
	}
	var exp struct {
		Status         int               `json:"status"`
		ClientBody     json.RawMessage   `json:"client_body"`
		ClientHeaders  map[string]string `json:"client_headers"`
		HeadersInclude map[string]string `json:"headers_include"`
	}
	if err := json.Unmarshal(v.Expected, &exp); err != nil {
		t.Fatal(err)
	}
	payload := []byte(in.Returns)
	if v.ID == "v1-response-empty-response" {
		// lambda_returns describes an unhandled exception; feed what Lambda really returns for one.
		payload = []byte(lambdaErrorPayload)
	}
	accept := in.ClientRequest.Headers["Accept"]

	resp, err := ResponseV1(payload, accept, in.BinaryMediaTypes)
	if exp.Status == 502 {
		var me *MalformedError
		if !errors.As(err, &me) {
			t.Fatalf("ResponseV1(%s) = %+v, %v; want a MalformedError (502)", payload, resp, err)
		}
		var body map[string]any
		if err := json.Unmarshal(exp.ClientBody, &body); err != nil || body["message"] != "Internal server error" || len(body) != 1 {
			t.Errorf("recorded 502 body %s is not the Internal server error body", exp.ClientBody)
		}
		return
	}
	if err != nil {
		t.Fatalf("ResponseV1(%s): %v", payload, err)
	}
	if resp.Status != exp.Status {
		t.Errorf("status %d, want %d", resp.Status, exp.Status)
	}

	var body string
	if err := json.Unmarshal(exp.ClientBody, &body); err != nil {
		t.Fatalf("client_body: %v", err)
	}
	var lambdaBody struct {
		Body string `json:"body"`
	}
	_ = json.Unmarshal(in.Returns, &lambdaBody)
	switch body {
	case "the base64 text unchanged":
		body = lambdaBody.Body
	case "decoded PNG bytes":
		b, err := base64.StdEncoding.DecodeString(lambdaBody.Body)
		if err != nil || !bytes.HasPrefix(b, []byte("\x89PNG")) {
			t.Fatalf("vector body is not a base64 PNG: %v", err)
		}
		body = string(b)
	}
	if string(resp.Body) != body {
		t.Errorf("body %q, want %q", resp.Body, body)
	}

	if exp.ClientHeaders != nil {
		// Exactly the recorded function-side headers, spelled as recorded; the client (python requests)
		// shows repeated header lines joined with ", ".
		for name, want := range exp.ClientHeaders {
			if slices.Contains(gatewayOwnedHeaders, name) {
				continue
			}
			got, ok := resp.Header[name]
			if !ok {
				t.Errorf("header %q missing (have %v)", name, resp.Header)
				continue
			}
			if strings.Join(got, ", ") != want {
				t.Errorf("header %q = %q, want %q", name, got, want)
			}
		}
		for name := range resp.Header {
			if _, ok := exp.ClientHeaders[name]; !ok {
				t.Errorf("unexpected header %q = %q", name, resp.Header[name])
			}
		}
	}
	for name, want := range exp.HeadersInclude {
		if got := resp.Values(name); strings.Join(got, ", ") != want {
			t.Errorf("header %q = %q, want %q", name, got, want)
		}
	}
}

// ---- 2.0 (documentation) -----------------------------------------------------------------------------

// fullV2Request has every optional part of a 2.0 event, so that every documented key is present.
func fullV2Request() *Request {
	h := http.Header{}
	h.Add("Content-Type", "application/json")
	h.Add("X-Multi", "value1")
	h.Add("X-Multi", "value2")
	h.Add("Cookie", "cookie1=a; cookie2=b")
	h.Add("Cookie", "cookie3=c")
	h.Add("User-Agent", "agent")
	return &Request{
		Method:         "POST",
		Path:           "/my/path",
		Stage:          "$default",
		PathParameters: map[string]string{"parameter1": "value1"},
		RawQuery:       "parameter1=value1&parameter1=value2&parameter2=value",
		Header:         h,
		HeaderNames:    []string{"Content-Type", "X-Multi", "Cookie", "User-Agent"},
		Body:           []byte("Hello from Lambda"),
		StageVariables: map[string]string{"stageVariable1": "value1"},
		SourceIP:       "192.0.2.1",
		AccountID:      "123456789012",
		APIID:          "api-id",
		DomainName:     "id.execute-api.us-east-1.amazonaws.com",
		RequestID:      "id",
		RequestTime:    time.Date(2020, 3, 12, 19, 3, 58, 390e6, time.UTC),
		Authorizer:     map[string]any{"jwt": map[string]any{"claims": map[string]any{"claim1": "value1"}, "scopes": []string{"scope1"}}},
		RouteKey:       "$default",
		TraceID:        "Root=1-5e6722a7-cc56xmpl46db7ae02d4da47e",
	}
}

func keysOf(t *testing.T, raw []byte) []string {
	t.Helper()
	ms, err := members(raw)
	if err != nil {
		t.Fatalf("%s: %v", raw, err)
	}
	var out []string
	for _, m := range ms {
		out = append(out, m.key)
	}
	return out
}

func runEventV2Shape(t *testing.T, v vector) {
	var exp struct {
		EventKeys   []string `json:"event_keys"`
		ContextKeys []string `json:"requestContext_keys"`
		Rules       []string `json:"rules"`
	}
	if err := json.Unmarshal(v.Expected, &exp); err != nil {
		t.Fatal(err)
	}
	ev, err := EventV2(fullV2Request())
	if err != nil {
		t.Fatal(err)
	}
	if got := keysOf(t, ev); !slices.Equal(got, exp.EventKeys) {
		t.Errorf("event keys %v, want %v", got, exp.EventKeys)
	}
	var event map[string]json.RawMessage
	_ = json.Unmarshal(ev, &event)

	// requestContext: every documented key in the documented order, except authentication, which only
	// a mutual-TLS API has (Request carries no client certificate).
	var wantCtx []string
	for _, k := range exp.ContextKeys {
		k, sub, _ := strings.Cut(k, "{")
		if k == "authentication" {
			continue
		}
		wantCtx = append(wantCtx, k)
		if sub != "" {
			var ctx map[string]json.RawMessage
			_ = json.Unmarshal(event["requestContext"], &ctx)
			want := strings.Split(strings.TrimSuffix(sub, "}"), ",")
			if got := keysOf(t, ctx[k]); !slices.Equal(got, want) {
				t.Errorf("requestContext.%s keys %v, want %v", k, got, want)
			}
		}
	}
	if got := keysOf(t, event["requestContext"]); !slices.Equal(got, wantCtx) {
		t.Errorf("requestContext keys %v, want %v", got, wantCtx)
	}

	var decoded struct {
		Headers map[string]string `json:"headers"`
		Query   map[string]string `json:"queryStringParameters"`
		Cookies []string          `json:"cookies"`
	}
	_ = json.Unmarshal(ev, &decoded)
	for _, rule := range exp.Rules {
		switch rule {
		case "header names lowercased":
			for k := range decoded.Headers {
				if k != strings.ToLower(k) {
					t.Errorf("%s: header %q", rule, k)
				}
			}
		case "duplicate headers joined with ',' in headers":
			if got := decoded.Headers["x-multi"]; got != "value1,value2" {
				t.Errorf("%s: x-multi = %q", rule, got)
			}
		case "duplicate query keys joined with ',' in queryStringParameters":
			if got := decoded.Query["parameter1"]; got != "value1,value2" {
				t.Errorf("%s: parameter1 = %q", rule, got)
			}
		case "no multiValue* fields":
			for k := range event {
				if strings.HasPrefix(k, "multiValue") {
					t.Errorf("%s: %q", rule, k)
				}
			}
		case "cookies array from Cookie headers; response cookies -> Set-Cookie":
			if want := []string{"cookie1=a", "cookie2=b", "cookie3=c"}; !slices.Equal(decoded.Cookies, want) {
				t.Errorf("%s: cookies %q, want %q", rule, decoded.Cookies, want)
			}
			if _, ok := decoded.Headers["cookie"]; ok {
				t.Errorf("%s: the cookie header is still in headers", rule)
			}
			r, err := ResponseV2([]byte(`{"statusCode":200,"cookies":["a=1","b=2; Path=/"]}`), nil)
			if err != nil {
				t.Fatal(err)
			}
			if got := r.Values("Set-Cookie"); !slices.Equal(got, []string{"a=1", "b=2; Path=/"}) {
				t.Errorf("%s: Set-Cookie %q", rule, got)
			}
		default:
			t.Errorf("rule %q has no check", rule)
		}
	}
}

func runResponseV2Inference(t *testing.T, v vector) {
	var in struct {
		Returns []json.RawMessage `json:"lambda_returns"`
	}
	if err := json.Unmarshal(v.Input, &in); err != nil {
		t.Fatal(err)
	}
	if len(in.Returns) == 0 {
		t.Fatal("no lambda_returns")
	}
	for _, ret := range in.Returns {
		// A string element is the payload text itself ("\"Hello from Lambda!\"" is the JSON string
		// literal the function returned); an object element is the returned object.
		payload := []byte(ret)
		var s string
		if json.Unmarshal(ret, &s) == nil {
			payload = []byte(s)
		}
		r, err := ResponseV2(payload, nil)
		if err != nil {
			t.Errorf("ResponseV2(%s): %v", payload, err)
			continue
		}
		if r.Status != 200 || strings.Join(r.Values("Content-Type"), ",") != "application/json" {
			t.Errorf("ResponseV2(%s): status %d, content-type %q", payload, r.Status, r.Values("Content-Type"))
		}
		// The documentation's interpretation table: a string's value is the body; an object's JSON text.
		var want any
		_ = json.Unmarshal(payload, &want)
		if str, isString := want.(string); isString {
			if string(r.Body) != str {
				t.Errorf("ResponseV2(%s): body %q, want %q", payload, r.Body, str)
			}
			continue
		}
		var got any
		if err := json.Unmarshal(r.Body, &got); err != nil || show(got) != show(want) {
			t.Errorf("ResponseV2(%s): body %s, want the JSON %s", payload, r.Body, payload)
		}
	}
}
