package gatewayresponse

import (
	"bytes"
	"cmp"
	"encoding/json"
	"net/http"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/apigw-local/apigw-local/internal/spec"
	"github.com/apigw-local/apigw-local/internal/testcorpus"
)

// vectorsPath is the AWS behaviour vector file of the gateway responses (reference §V), in
// internal/testcorpus (a copy of the shared corpus that its own test keeps identical to it).
const vectorsPath = "gateway-responses.json"

type vectorFile struct {
	Rules   []string `json:"rules"`
	Count   int      `json:"count"`
	Vectors []vector `json:"vectors"`
}

type vector struct {
	ID       string                     `json:"id"`
	Evidence string                     `json:"evidence"`
	Input    json.RawMessage            `json:"input"`
	Expected map[string]json.RawMessage `json:"expected"`
	Notes    string                     `json:"notes"`
}

func loadVectors(t testing.TB) []vector {
	t.Helper()
	raw := testcorpus.Vectors(vectorsPath)
	var f vectorFile
	if err := json.Unmarshal(raw, &f); err != nil {
		t.Fatalf("%s: %v", vectorsPath, err)
	}
	if len(f.Vectors) == 0 || len(f.Vectors) != f.Count {
		t.Fatalf("%s: %d vectors, but the file says count %d", vectorsPath, len(f.Vectors), f.Count)
	}
	return f.Vectors
}

func vectorByID(t *testing.T, vs []vector, id string) vector {
	t.Helper()
	for _, v := range vs {
		if v.ID == id {
			return v
		}
	}
	t.Fatalf("vector %q is not in %s", id, vectorsPath)
	return vector{}
}

// field decodes v.Expected[key] into out and reports whether the key was present.
func (v vector) field(t *testing.T, key string, out any) bool {
	t.Helper()
	raw, ok := v.Expected[key]
	if !ok {
		return false
	}
	if err := json.Unmarshal(raw, out); err != nil {
		t.Fatalf("%s: expected.%s: %v", v.ID, key, err)
	}
	return true
}

// expectedHeaders merges expected.headers and expected.headers_include.
func (v vector) expectedHeaders(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, key := range []string{"headers", "headers_include"} {
		var h map[string]string
		if v.field(t, key, &h) {
			for k, val := range h {
				out[k] = val
			}
		}
	}
	return out
}

// expectedErrorType is the vector's x-amzn-ErrorType: top-level (typical-body-*) or in its headers.
func (v vector) expectedErrorType(t *testing.T) (string, bool) {
	t.Helper()
	var s string
	if v.field(t, "x-amzn-ErrorType", &s) {
		return s, true
	}
	s, ok := v.expectedHeaders(t)["x-amzn-ErrorType"]
	return s, ok
}

// errorType reads x-amzn-ErrorType under AWS's own spelling, which Render keeps (http.Header.Get would
// look up the canonical X-Amzn-Errortype), and fails if a canonicalised duplicate slipped in.
func errorType(t *testing.T, h http.Header) string {
	t.Helper()
	if _, dup := h[http.CanonicalHeaderKey("x-amzn-ErrorType")]; dup {
		t.Errorf("header X-Amzn-Errortype (canonical spelling) present: %v", h)
	}
	return strings.Join(h["x-amzn-ErrorType"], ",")
}

func render(s *Set, err *Error) Response { return s.Render(err, Request{}) }

func jsonEqual(t *testing.T, got []byte, want any) bool {
	t.Helper()
	var g any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Errorf("body %q is not JSON: %v", got, err)
		return false
	}
	return reflect.DeepEqual(g, want)
}

// TestDefaultConfigVectors checks the default table against GetGatewayResponses on a fresh API
// (gateway-responses.json#default-config-*): every type, its status, and nothing more.
func TestDefaultConfigVectors(t *testing.T) {
	vs := loadVectors(t)
	fromVectors := map[Type]bool{}
	for _, v := range vs {
		if !strings.HasPrefix(v.ID, "default-config-") {
			continue
		}
		t.Run(v.ID, func(t *testing.T) {
			var rt, status string
			if !v.field(t, "responseType", &rt) {
				t.Fatalf("no expected.responseType")
			}
			hasStatus := v.field(t, "statusCode", &status)
			typ := Type(rt)
			fromVectors[typ] = true
			if !Known(rt) {
				t.Fatalf("Known(%q) = false", rt)
			}
			got := DefaultFor(typ).Status
			switch {
			case !hasStatus && got != 0:
				t.Errorf("DefaultFor(%s).Status = %d, AWS lists no statusCode", typ, got)
			case hasStatus && strconv.Itoa(got) != status:
				t.Errorf("DefaultFor(%s).Status = %d, want %s", typ, got, status)
			}

			// Where the default body is the template form, rendering AWS's default template as a
			// customisation must give the very same bytes.
			var templates map[string]string
			v.field(t, "responseTemplates", &templates)
			tmpl, ok := templates["application/json"]
			if !ok {
				t.Fatalf("no default application/json template in the vector")
			}
			if DefaultFor(typ).style != templated || typ == Default4XX || typ == Default5XX {
				return
			}
			plain := render(NewSet(nil), &Error{Type: typ})
			custom := render(NewSet(map[string]*spec.GatewayResponse{rt: {
				Type: rt, ResponseTemplates: []spec.KV{{Key: "application/json", Value: tmpl}},
			}}), &Error{Type: typ})
			if !bytes.Equal(plain.Body, custom.Body) {
				t.Errorf("default body %q differs from AWS's default template rendered: %q", plain.Body, custom.Body)
			}
		})
	}

	var want []Type
	for typ := range fromVectors {
		want = append(want, typ)
	}
	sort.Slice(want, func(i, j int) bool { return want[i] < want[j] })
	got := Types()
	if !slices.Equal(got, want) {
		t.Errorf("Types() = %v\nwant (default-config vectors) %v", got, want)
	}
	if !slices.IsSorted(got) {
		t.Errorf("Types() is not in alphabetical order: %v", got)
	}
	for _, s := range []string{"", "throttled", "NOT_A_TYPE", "DEFAULT_3XX"} {
		if Known(s) {
			t.Errorf("Known(%q) = true", s)
		}
	}
}

// bodyVectorTypes maps the non-typical-body vectors of gateway-responses.json to the response types
// whose default answer they show.
var bodyVectorTypes = map[string][]Type{
	"live-504-network-error":                   {IntegrationFailure},
	"invoke-500-internal-server-error-headers": {APIConfigurationError},
	// The body is documented for both authorizer errors; the ErrorType was captured for the first.
	"authorizer-500-null-message":            {AuthorizerConfigurationError, AuthorizerFailure},
	"authorizer-401-unauthorized":            {Unauthorized},
	"invoke-missing-auth-token-not-found":    {MissingAuthenticationToken},
	"invoke-missing-auth-token-wrong-method": {MissingAuthenticationToken},
}

// requestMessages gives the $context.error.message of vectors whose message carries request detail;
// the default message must be its prefix.
var requestMessages = map[string]string{
	"typical-body-BAD_REQUEST_PARAMETERS": "Missing required request parameters: [a, b]",
}

// gatewayHeaders are set by the gateway (emulator/gateway.go) on every response, not by Render.
var gatewayHeaders = []string{"Connection", "Date", "x-amz-apigw-id", "x-amzn-RequestId"}

// TestDefaultBodyVectors renders each default gateway response with an empty Set and compares it with
// what AWS sends.
func TestDefaultBodyVectors(t *testing.T) {
	vs := loadVectors(t)
	seen := map[string]bool{}
	for _, v := range vs {
		types, ok := bodyVectorTypes[v.ID]
		if !ok && strings.HasPrefix(v.ID, "typical-body-") {
			types = []Type{Type(strings.TrimPrefix(v.ID, "typical-body-"))}
		} else if !ok && strings.HasPrefix(v.ID, "invoke-missing-auth-token-") {
			types = []Type{MissingAuthenticationToken}
		}
		if types == nil {
			continue
		}
		seen[v.ID] = true
		for _, typ := range types {
			t.Run(v.ID+"/"+string(typ), func(t *testing.T) { checkBodyVector(t, v, typ) })
		}
	}
	for id := range bodyVectorTypes {
		if !seen[id] {
			t.Errorf("vector %q is not in %s", id, vectorsPath)
		}
	}
}

func checkBodyVector(t *testing.T, v vector, typ Type) {
	if !Known(string(typ)) {
		t.Fatalf("%s is not a known response type", typ)
	}
	err := &Error{Type: typ, Message: requestMessages[v.ID]}
	if err.Message != "" && !strings.HasPrefix(err.Message, DefaultFor(typ).Message) {
		t.Fatalf("request message %q does not extend the default %q", err.Message, DefaultFor(typ).Message)
	}
	resp := render(NewSet(nil), err)
	headers := v.expectedHeaders(t)

	t.Run("status", func(t *testing.T) {
		var want int
		if !v.field(t, "status", &want) {
			t.Fatalf("no expected.status")
		}
		if resp.Status != want {
			t.Errorf("status %d, want %d", resp.Status, want)
		}
	})
	t.Run("body", func(t *testing.T) {
		var body string
		var bodyJSON any
		switch {
		case v.field(t, "body", &body):
			if prefix, cut := strings.CutSuffix(body, `...`+"\"}"); cut {
				// The vector elides the end of a long message.
				if !bytes.HasPrefix(resp.Body, []byte(prefix)) || !bytes.HasSuffix(resp.Body, []byte(`"}`)) {
					t.Errorf("body %s does not match the elided %s", resp.Body, body)
				}
				return
			}
			if string(resp.Body) != body {
				t.Errorf("body\n got %s\nwant %s", resp.Body, body)
			}
		case v.field(t, "body_json", &bodyJSON):
			if !jsonEqual(t, resp.Body, bodyJSON) {
				t.Errorf("body %s is not JSON-equal to %s", resp.Body, v.Expected["body_json"])
			}
		default:
			t.Fatalf("vector has neither body nor body_json")
		}
		if n, ok := headers["Content-Length"]; ok && strconv.Itoa(len(resp.Body)) != n {
			t.Errorf("body %q is %d bytes, AWS sent Content-Length %s", resp.Body, len(resp.Body), n)
		}
	})
	t.Run("x-amzn-ErrorType", func(t *testing.T) {
		want, ok := v.expectedErrorType(t)
		switch {
		case !ok:
			t.Skip("vector gives no x-amzn-ErrorType")
		case strings.Contains(want, "(unverified)"):
			t.Skipf("vector marks x-amzn-ErrorType %q unverified", want)
		case typ == AuthorizerFailure:
			t.Skip("the captured AuthorizerConfigurationException is for AUTHORIZER_CONFIGURATION_ERROR; " +
				"AUTHORIZER_FAILURE's x-amzn-ErrorType is unverified (reference §a.1)")
		}
		if got := errorType(t, resp.Header); got != want {
			t.Errorf("x-amzn-ErrorType %q, want %q", got, want)
		}
	})
	t.Run("Content-Type", func(t *testing.T) {
		want := cmp.Or(headers["Content-Type"], "application/json") // reference §a.2: errors are JSON
		if got := resp.Header.Get("Content-Type"); got != want {
			t.Errorf("Content-Type %q, want %q", got, want)
		}
	})
	t.Run("no-trace-id", func(t *testing.T) {
		// reference §a.2, #invoke-500-internal-server-error-headers: gateway errors carry no trace id.
		if v, ok := resp.Header["X-Amzn-Trace-Id"]; ok {
			t.Errorf("X-Amzn-Trace-Id %v on a gateway response", v)
		}
	})
	var named []string
	for _, h := range gatewayHeaders {
		if _, ok := headers[h]; ok {
			named = append(named, h)
		}
	}
	if len(named) > 0 {
		t.Run("gateway-headers", func(t *testing.T) {
			t.Skipf("%v are added by emulator/gateway.go for every response, not by Render", named)
		})
	}
}

// TestInternalServerErrorBodyExact pins the hard-wired 500 body: Content-Length 36 was recorded
// (#invoke-500-internal-server-error-headers), i.e. with a space after the colon.
func TestInternalServerErrorBodyExact(t *testing.T) {
	resp := render(NewSet(nil), New(APIConfigurationError, "bad mapping"))
	const want = `{"message": "Internal server error"}`
	if string(resp.Body) != want || len(resp.Body) != 36 {
		t.Errorf("body %q (%d bytes), want %q (36 bytes)", resp.Body, len(resp.Body), want)
	}
	if resp.Status != 500 {
		t.Errorf("status %d, want 500", resp.Status)
	}
}

// TestIntegrationFailureCustomisedWithoutStatus is #integration-failure-customised-without-status:
// after PutGatewayResponse INTEGRATION_FAILURE without statusCode AWS answers 500, not the listed 504.
func TestIntegrationFailureCustomisedWithoutStatus(t *testing.T) {
	v := vectorByID(t, loadVectors(t), "integration-failure-customised-without-status")
	var wantStatus int
	var wantBody any
	v.field(t, "status", &wantStatus)
	v.field(t, "body_json", &wantBody)

	custom := NewSet(map[string]*spec.GatewayResponse{
		"INTEGRATION_FAILURE": {Type: "INTEGRATION_FAILURE", ResponseParameters: []spec.KV{}},
	})
	// The vector's failure is a Lambda invocation error, whose message is "Internal server error".
	resp := render(custom, &Error{Type: IntegrationFailure, Message: "Internal server error"})
	if resp.Status != wantStatus {
		t.Errorf("customised without statusCode: status %d, want %d", resp.Status, wantStatus)
	}
	if !jsonEqual(t, resp.Body, wantBody) {
		t.Errorf("body %s, want JSON %s", resp.Body, v.Expected["body_json"])
	}
	if got := render(custom, New(IntegrationFailure, "backend down")).Status; got != 500 {
		t.Errorf("customised without statusCode, default message: status %d, want 500", got)
	}
	// The recorded case is a Lambda proxy failure, which the gateway raises with its own 502: the quirk
	// replaces that status too.
	if got := render(custom, &Error{Type: IntegrationFailure, Status: 502, Message: "Internal server error"}).Status; got != 500 {
		t.Errorf("customised without statusCode, Lambda proxy failure (502): status %d, want 500", got)
	}

	for _, c := range []struct {
		name string
		set  *Set
		want int
	}{
		{"not customised", NewSet(nil), 504},
		{"customised with statusCode", NewSet(map[string]*spec.GatewayResponse{
			"INTEGRATION_FAILURE": {Type: "INTEGRATION_FAILURE", StatusCode: "502"},
		}), 502},
		{"only DEFAULT_5XX customised", NewSet(map[string]*spec.GatewayResponse{
			"DEFAULT_5XX": {Type: "DEFAULT_5XX", ResponseParameters: []spec.KV{{Key: "gatewayresponse.header.X-A", Value: "'1'"}}},
		}), 504},
	} {
		if got := render(c.set, New(IntegrationFailure, "x")).Status; got != c.want {
			t.Errorf("%s: status %d, want %d", c.name, got, c.want)
		}
	}
}

func header(name, src string) spec.KV {
	return spec.KV{Key: "gatewayresponse.header." + name, Value: src}
}

func jsonTemplate(s string) []spec.KV { return []spec.KV{{Key: "application/json", Value: s}} }

// TestSpecificCustomisation: a specific type's statusCode, templates and headers replace the defaults.
func TestSpecificCustomisation(t *testing.T) {
	set := NewSet(map[string]*spec.GatewayResponse{
		"THROTTLED": {
			Type:               "THROTTLED",
			StatusCode:         "503",
			ResponseParameters: []spec.KV{header("Retry-After", "'10'")},
			ResponseTemplates:  jsonTemplate(`{"error":$context.error.messageString,"type":"$context.error.responseType"}`),
		},
	})
	resp := render(set, New(Throttled, "usage plan basic"))
	if resp.Status != 503 {
		t.Errorf("status %d, want 503", resp.Status)
	}
	if want := `{"error":"Too Many Requests","type":"THROTTLED"}`; string(resp.Body) != want {
		t.Errorf("body %s, want %s", resp.Body, want)
	}
	if got := resp.Header.Get("Retry-After"); got != "10" {
		t.Errorf("Retry-After %q, want 10", got)
	}
	if got := errorType(t, resp.Header); got != "TooManyRequestsException" {
		t.Errorf("x-amzn-ErrorType %q: customising must not drop it", got)
	}

	// Other types are untouched.
	other := render(set, New(QuotaExceeded, ""))
	if other.Status != 429 || string(other.Body) != `{"message":"Limit Exceeded"}` || other.Header.Get("Retry-After") != "" {
		t.Errorf("QUOTA_EXCEEDED changed by a THROTTLED customisation: %d %s %v", other.Status, other.Body, other.Header)
	}
}

// TestClassCustomisation: DEFAULT_4XX / DEFAULT_5XX customisations apply to every non-customised type
// of their class, the class being the one of the type's default status (reference §a.1).
func TestClassCustomisation(t *testing.T) {
	class := func(name, status string) *spec.GatewayResponse {
		return &spec.GatewayResponse{
			Type:               name,
			StatusCode:         status,
			ResponseParameters: []spec.KV{header("X-Class", "'"+name+"'")},
			ResponseTemplates:  jsonTemplate(`{"class":"` + name + `","message":$context.error.messageString}`),
		}
	}
	set := NewSet(map[string]*spec.GatewayResponse{
		"DEFAULT_4XX": class("DEFAULT_4XX", "400"),
		"DEFAULT_5XX": class("DEFAULT_5XX", "503"),
	})
	n := 0
	for _, typ := range Types() {
		def := DefaultFor(typ)
		if def.Status == 0 {
			continue // DEFAULT_4XX / DEFAULT_5XX: TestDefaultTypes
		}
		n++
		t.Run(string(typ), func(t *testing.T) {
			wantClass, wantStatus := "DEFAULT_4XX", 400
			if def.Status >= 500 {
				wantClass, wantStatus = "DEFAULT_5XX", 503
			}
			resp := render(set, &Error{Type: typ})
			if resp.Status != wantStatus {
				t.Errorf("status %d (default %d), want %s's %d", resp.Status, def.Status, wantClass, wantStatus)
			}
			if got := resp.Header.Get("X-Class"); got != wantClass {
				t.Errorf("X-Class %q, want %q", got, wantClass)
			}
			want := map[string]any{"class": wantClass, "message": def.Message}
			if !jsonEqual(t, resp.Body, want) {
				t.Errorf("body %s, want %v", resp.Body, want)
			}
			if got := errorType(t, resp.Header); got != def.ErrorType {
				t.Errorf("x-amzn-ErrorType %q, want the default %q", got, def.ErrorType)
			}
		})
	}
	if n != 19 {
		t.Errorf("%d specific types checked, want 19", n)
	}

	// A class customisation with only a header leaves status and body at their defaults.
	headerOnly := NewSet(map[string]*spec.GatewayResponse{
		"DEFAULT_4XX": {Type: "DEFAULT_4XX", ResponseParameters: []spec.KV{header("Access-Control-Allow-Origin", "'*'")}},
	})
	resp := render(headerOnly, New(Throttled, ""))
	if resp.Status != 429 || string(resp.Body) != `{"message":"Too Many Requests"}` || resp.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("DEFAULT_4XX header only: %d %s %v", resp.Status, resp.Body, resp.Header)
	}
	if got := render(headerOnly, New(IntegrationTimeout, "")).Header.Get("Access-Control-Allow-Origin"); got != "" {
		t.Errorf("DEFAULT_4XX header on a 5XX response: %q", got)
	}
}

// TestSpecificBeatsClass: where both a type and its class are customised, the type wins field by field.
func TestSpecificBeatsClass(t *testing.T) {
	set := NewSet(map[string]*spec.GatewayResponse{
		"DEFAULT_4XX": {
			Type:               "DEFAULT_4XX",
			StatusCode:         "400",
			ResponseParameters: []spec.KV{header("X-Who", "'class'")},
			ResponseTemplates:  jsonTemplate(`{"from":"class"}`),
		},
		"THROTTLED": {
			Type:               "THROTTLED",
			StatusCode:         "418",
			ResponseParameters: []spec.KV{header("X-Who", "'specific'")},
			ResponseTemplates:  jsonTemplate(`{"from":"specific"}`),
		},
	})
	resp := render(set, New(Throttled, ""))
	if resp.Status != 418 {
		t.Errorf("status %d, want the specific 418", resp.Status)
	}
	if string(resp.Body) != `{"from":"specific"}` {
		t.Errorf("body %s, want the specific template", resp.Body)
	}
	if got := resp.Header.Values("X-Who"); !slices.Equal(got, []string{"specific"}) {
		t.Errorf("X-Who %q, want only the specific value", got)
	}
	// A sibling of the same class still gets the class.
	sib := render(set, New(MissingAuthenticationToken, ""))
	if sib.Status != 400 || string(sib.Body) != `{"from":"class"}` || sib.Header.Get("X-Who") != "class" {
		t.Errorf("MISSING_AUTHENTICATION_TOKEN: %d %s %v, want the DEFAULT_4XX customisation", sib.Status, sib.Body, sib.Header)
	}
}

// TestClassFollowsType: the class is the type's (by its default status), even when an Error overrides
// the status; DEFAULT_4XX / DEFAULT_5XX errors are their own class and get a status of that class.
func TestClassFollowsType(t *testing.T) {
	set := NewSet(map[string]*spec.GatewayResponse{
		"DEFAULT_4XX": {Type: "DEFAULT_4XX", ResponseParameters: []spec.KV{header("X-Class", "'4xx'")}},
		"DEFAULT_5XX": {Type: "DEFAULT_5XX", ResponseParameters: []spec.KV{header("X-Class", "'5xx'")}},
	})
	for _, c := range []struct {
		name       string
		err        *Error
		wantStatus int
		wantClass  string
	}{
		{"4XX type with 5XX override", &Error{Type: Throttled, Status: 503}, 503, "4xx"},
		{"5XX type with 502 override", &Error{Type: IntegrationFailure, Status: 502}, 502, "5xx"},
		{"DEFAULT_4XX", &Error{Type: Default4XX}, 400, "4xx"},
		{"DEFAULT_5XX", &Error{Type: Default5XX}, 500, "5xx"},
		{"DEFAULT_4XX with status", &Error{Type: Default4XX, Status: 405}, 405, "4xx"},
		{"unknown type", &Error{Type: "NOT_A_TYPE"}, 500, "5xx"},
	} {
		t.Run(c.name, func(t *testing.T) {
			resp := render(set, c.err)
			if resp.Status != c.wantStatus {
				t.Errorf("status %d, want %d", resp.Status, c.wantStatus)
			}
			if got := resp.Header.Get("X-Class"); got != c.wantClass {
				t.Errorf("X-Class %q, want %q", got, c.wantClass)
			}
		})
	}
	for _, typ := range []Type{Default4XX, Default5XX} {
		resp := render(NewSet(nil), &Error{Type: typ})
		if resp.Status < 400 || resp.Status > 599 || !json.Valid(resp.Body) {
			t.Errorf("%s not customised: status %d body %q", typ, resp.Status, resp.Body)
		}
	}
}

// TestDefaultStatusCustomisedType: a specific customisation of a DEFAULT type applies to that type.
func TestDefaultStatusCustomisedType(t *testing.T) {
	set := NewSet(map[string]*spec.GatewayResponse{"DEFAULT_5XX": {Type: "DEFAULT_5XX", StatusCode: "502"}})
	if got := render(set, &Error{Type: Default5XX}).Status; got != 502 {
		t.Errorf("status %d, want 502", got)
	}
}

// TestHeaderMappings covers every gatewayresponse.header source (reference §a.1; #put-gateway-response-echo).
func TestHeaderMappings(t *testing.T) {
	full := Request{
		Context:        ctxOf(map[string]string{"requestId": "req-1", "identity.sourceIp": "10.0.0.1"}),
		StageVariables: map[string]string{"a": "stage-a"},
		Header:         func(n string) string { return map[string]string{"Accept": "application/xml"}[n] },
		Query:          func(n string) string { return map[string]string{"q": "needle"}[n] },
		Path:           func(n string) string { return map[string]string{"petId": "42"}[n] },
	}
	empty := Request{
		Context:        ctxOf(map[string]string{}),
		StageVariables: map[string]string{},
		Header:         func(string) string { return "" },
		Query:          func(string) string { return "" },
		Path:           func(string) string { return "" },
	}
	cases := []struct {
		src, want string
	}{
		{"'a.b.c'", "a.b.c"},
		{"'with space, comma'", "with space, comma"},
		{"method.request.header.Accept", "application/xml"},
		{"method.request.querystring.q", "needle"},
		{"method.request.path.petId", "42"},
		{"stageVariables.a", "stage-a"},
		{"context.requestId", "req-1"},
		{"context.identity.sourceIp", "10.0.0.1"},
		{"context.error.responseType", "MISSING_AUTHENTICATION_TOKEN"},
	}
	for _, c := range cases {
		t.Run(c.src, func(t *testing.T) {
			set := NewSet(map[string]*spec.GatewayResponse{
				"MISSING_AUTHENTICATION_TOKEN": {Type: "MISSING_AUTHENTICATION_TOKEN", ResponseParameters: []spec.KV{header("X-Mapped", c.src)}},
			})
			got := set.Render(New(MissingAuthenticationToken, ""), full).Header.Values("X-Mapped")
			if !slices.Equal(got, []string{c.want}) {
				t.Errorf("present: X-Mapped %q, want %q", got, c.want)
			}
			if strings.HasPrefix(c.src, "'") || c.src == "context.error.responseType" {
				return // always present
			}
			for name, req := range map[string]Request{"empty source": empty, "nil Request": {}} {
				if h := set.Render(New(MissingAuthenticationToken, ""), req).Header; h.Get("X-Mapped") != "" || len(h.Values("X-Mapped")) != 0 {
					t.Errorf("%s: X-Mapped %q, want the header omitted", name, h.Values("X-Mapped"))
				}
			}
		})
	}
	t.Run("unknown source", func(t *testing.T) {
		set := NewSet(map[string]*spec.GatewayResponse{
			"THROTTLED": {Type: "THROTTLED", ResponseParameters: []spec.KV{
				header("X-Body", "method.request.body"), header("X-Unquoted", "literal"),
			}},
		})
		h := set.Render(New(Throttled, ""), full).Header
		if _, ok := h["X-Body"]; ok {
			t.Errorf("X-Body from an unsupported source: %q", h["X-Body"])
		}
		if _, ok := h["X-Unquoted"]; ok {
			t.Errorf("X-Unquoted from an unquoted literal: %q", h["X-Unquoted"])
		}
	})
	t.Run("Content-Type mapping", func(t *testing.T) {
		set := NewSet(map[string]*spec.GatewayResponse{
			"THROTTLED": {Type: "THROTTLED",
				ResponseParameters: []spec.KV{header("Content-Type", "'application/problem+json'")},
				ResponseTemplates:  jsonTemplate(`{}`)},
		})
		if got := set.Render(New(Throttled, ""), full).Header.Values("Content-Type"); !slices.Equal(got, []string{"application/problem+json"}) {
			t.Errorf("Content-Type %q, want the mapped value only", got)
		}
	})
}

// TestEchoTemplateVector renders the template and header mappings of #put-gateway-response-echo.
func TestEchoTemplateVector(t *testing.T) {
	v := vectorByID(t, loadVectors(t), "put-gateway-response-echo")
	var in struct {
		ControlPlane struct {
			StatusCode         string            `json:"statusCode"`
			ResponseParameters map[string]string `json:"responseParameters"`
			ResponseTemplates  map[string]string `json:"responseTemplates"`
		} `json:"control_plane"`
	}
	if err := json.Unmarshal(v.Input, &in); err != nil {
		t.Fatal(err)
	}
	cp := in.ControlPlane
	gr := &spec.GatewayResponse{Type: "MISSING_AUTHENTICATION_TOKEN", StatusCode: cp.StatusCode}
	for _, k := range sortedKeys(cp.ResponseParameters) {
		gr.ResponseParameters = append(gr.ResponseParameters, spec.KV{Key: k, Value: cp.ResponseParameters[k]})
	}
	for _, k := range sortedKeys(cp.ResponseTemplates) {
		gr.ResponseTemplates = append(gr.ResponseTemplates, spec.KV{Key: k, Value: cp.ResponseTemplates[k]})
	}
	set := NewSet(map[string]*spec.GatewayResponse{"MISSING_AUTHENTICATION_TOKEN": gr})

	t.Run("all references known", func(t *testing.T) {
		req := Request{
			Context:        ctxOf(map[string]string{"stage": "dev", "resourcePath": "/pets/{petId}"}),
			StageVariables: map[string]string{"a": "A-value"},
			Header:         func(n string) string { return map[string]string{"Accept": "text/plain"}[n] },
			Query:          func(n string) string { return map[string]string{"q": "x y"}[n] },
			Path:           func(n string) string { return map[string]string{"petId": "7"}[n] },
		}
		resp := set.Render(New(MissingAuthenticationToken, "no route"), req)
		const want = "{\n" +
			`     "message": "Missing Authentication Token",` + "\n" +
			`     "type":  "MISSING_AUTHENTICATION_TOKEN",` + "\n" +
			`     "stage":  "dev",` + "\n" +
			`     "resourcePath":  "/pets/{petId}",` + "\n" +
			`     "stageVariables.a":  "A-value",` + "\n" +
			`     "statusCode": "'404'"` + "\n" +
			"}"
		if string(resp.Body) != want {
			t.Errorf("body\n got %s\nwant %s", resp.Body, want)
		}
		if resp.Status != 404 {
			t.Errorf("status %d, want 404", resp.Status)
		}
		if got := resp.Header.Get("Content-Type"); got != "application/json" {
			t.Errorf("Content-Type %q", got)
		}
		for name, want := range map[string]string{
			"Access-Control-Allow-Origin": "a.b.c",
			"x-request-header":            "text/plain",
			"x-request-query":             "x y",
			"x-request-path":              "7",
		} {
			if got := resp.Header.Get(name); got != want {
				t.Errorf("%s %q, want %q", name, got, want)
			}
		}
	})
	t.Run("unknown references empty", func(t *testing.T) {
		resp := set.Render(New(MissingAuthenticationToken, ""), Request{})
		var got map[string]string
		if err := json.Unmarshal(resp.Body, &got); err != nil {
			t.Fatalf("body %s: %v", resp.Body, err)
		}
		want := map[string]string{
			"message": "Missing Authentication Token", "type": "MISSING_AUTHENTICATION_TOKEN",
			"stage": "", "resourcePath": "", "stageVariables.a": "", "statusCode": "'404'",
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("body %v, want %v", got, want)
		}
		for _, h := range []string{"x-request-header", "x-request-query", "x-request-path"} {
			if vs := resp.Header.Values(h); len(vs) != 0 {
				t.Errorf("%s %q with no source, want omitted", h, vs)
			}
		}
	})
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// TestTemplateSubstitution covers the reference forms a gateway-response template may use.
func TestTemplateSubstitution(t *testing.T) {
	req := Request{
		Context:        ctxOf(map[string]string{"requestId": "r-9", "identity.sourceIp": "1.2.3.4", "stage": "prod"}),
		StageVariables: map[string]string{"env": "blue", "a": "A"},
	}
	const msg = `say "héllo" ✓ \ done`
	cases := []struct {
		name, tmpl, want string
	}{
		{"plain", `{"id":"$context.requestId"}`, `{"id":"r-9"}`},
		{"braces", `{"id":"${context.requestId}","env":"${stageVariables.env}"}`, `{"id":"r-9","env":"blue"}`},
		{"braces glued to text", `x${context.stage}y${stageVariables.a}z`, `xprodyAz`},
		{"dotted context key", `$context.identity.sourceIp`, `1.2.3.4`},
		{"trailing dot is text", `at $context.stage.`, `at prod.`},
		{"unknown context", `[$context.nope][${context.nope.deeper}]`, `[][]`},
		{"unknown stage variable", `[$stageVariables.missing]`, `[]`},
		{"message unquoted", `$context.error.message`, msg},
		{"messageString JSON-quoted", `$context.error.messageString`, `"say \"héllo\" ✓ \\ done"`},
		{"response type", `$context.error.responseType`, `THROTTLED`},
		{"no references", `static text, 'quoted' $ alone`, `static text, 'quoted' $ alone`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			set := NewSet(map[string]*spec.GatewayResponse{"THROTTLED": {Type: "THROTTLED", ResponseTemplates: jsonTemplate(c.tmpl)}})
			got := set.Render(&Error{Type: Throttled, Message: msg}, req).Body
			if string(got) != c.want {
				t.Errorf("template %s\n got %s\nwant %s", c.tmpl, got, c.want)
			}
		})
	}
	t.Run("messageString round-trips", func(t *testing.T) {
		set := NewSet(map[string]*spec.GatewayResponse{"THROTTLED": {Type: "THROTTLED",
			ResponseTemplates: jsonTemplate(`{"m":$context.error.messageString}`)}})
		body := set.Render(&Error{Type: Throttled, Message: msg}, req).Body
		var got struct{ M string }
		if err := json.Unmarshal(body, &got); err != nil || got.M != msg {
			t.Errorf("body %s decodes to %q (%v), want %q", body, got.M, err, msg)
		}
	})
	t.Run("default body quotes the message", func(t *testing.T) {
		body := render(NewSet(nil), &Error{Type: BadRequestParameters, Message: msg}).Body
		var got map[string]string
		if err := json.Unmarshal(body, &got); err != nil || got["message"] != msg {
			t.Errorf("body %s decodes to %v (%v)", body, got, err)
		}
	})
}

// TestTemplateContentType: Content-Type is the media type of the template used; application/json wins
// when there are several.
func TestTemplateContentType(t *testing.T) {
	cases := []struct {
		name      string
		templates []spec.KV
		wantType  string
		wantBody  string
	}{
		{"json only", jsonTemplate(`{"j":1}`), "application/json", `{"j":1}`},
		{"xml only", []spec.KV{{Key: "application/xml", Value: `<e>$context.error.message</e>`}}, "application/xml", `<e>Too Many Requests</e>`},
		{"json after others", []spec.KV{
			{Key: "text/html", Value: `<p>x</p>`},
			{Key: "application/json", Value: `{"j":2}`},
			{Key: "application/xml", Value: `<x/>`},
		}, "application/json", `{"j":2}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			set := NewSet(map[string]*spec.GatewayResponse{"THROTTLED": {Type: "THROTTLED", ResponseTemplates: c.templates}})
			resp := render(set, New(Throttled, ""))
			if got := resp.Header.Values("Content-Type"); !slices.Equal(got, []string{c.wantType}) {
				t.Errorf("Content-Type %q, want %q", got, c.wantType)
			}
			if string(resp.Body) != c.wantBody {
				t.Errorf("body %s, want %s", resp.Body, c.wantBody)
			}
		})
	}
}

// TestErrorOverrides: an Error's Message, Status and ErrorType replace the table's.
func TestErrorOverrides(t *testing.T) {
	resp := render(nil, &Error{Type: InvalidSignature, Status: 403, ErrorType: "IncompleteSignatureException",
		Message: "Invalid key=value pair (missing equal-sign) in Authorization header"})
	if want := `{"message":"Invalid key=value pair (missing equal-sign) in Authorization header"}`; string(resp.Body) != want {
		t.Errorf("body %s, want %s", resp.Body, want)
	}
	if got := errorType(t, resp.Header); got != "IncompleteSignatureException" {
		t.Errorf("x-amzn-ErrorType %q", got)
	}
	if got := render(nil, &Error{Type: IntegrationFailure, Status: 502}).Status; got != 502 {
		t.Errorf("status override: %d, want 502", got)
	}
	// A nil Set (no API resolved) renders the defaults.
	if resp := render(nil, New(MissingAuthenticationToken, "")); resp.Status != 403 || string(resp.Body) != `{"message":"Missing Authentication Token"}` {
		t.Errorf("nil Set: %d %s", resp.Status, resp.Body)
	}
	// Types without an x-amzn-ErrorType send none.
	if _, ok := render(nil, &Error{Type: Default4XX}).Header["x-amzn-ErrorType"]; ok {
		t.Errorf("DEFAULT_4XX sends an x-amzn-ErrorType")
	}
}

func TestErrorString(t *testing.T) {
	got := New(Throttled, "usage plan %s", "basic").Error()
	for _, want := range []string{"THROTTLED", "usage plan basic"} {
		if !strings.Contains(got, want) {
			t.Errorf("Error() = %q, missing %q", got, want)
		}
	}
	if got := (&Error{Type: ResourceNotFound}).Error(); got != "RESOURCE_NOT_FOUND" {
		t.Errorf("Error() without reason = %q", got)
	}
	if e := New(Throttled, "100%% sure"); e.Reason != "100% sure" || e.Type != Throttled || e.Message != "" || e.Status != 0 {
		t.Errorf("New: %+v", e)
	}
}

func BenchmarkRenderDefault(b *testing.B) {
	set := NewSet(nil)
	err := New(MissingAuthenticationToken, "no route")
	req := Request{Context: ctxOf(map[string]string{"requestId": "r"})}
	b.ReportAllocs()
	for b.Loop() {
		_ = set.Render(err, req)
	}
}

func BenchmarkRenderCustom(b *testing.B) {
	set := NewSet(map[string]*spec.GatewayResponse{
		"DEFAULT_4XX": {Type: "DEFAULT_4XX", ResponseParameters: []spec.KV{
			header("Access-Control-Allow-Origin", "'*'"),
			header("Access-Control-Allow-Headers", "'Content-Type,X-Api-Key'"),
		}},
		"MISSING_AUTHENTICATION_TOKEN": {Type: "MISSING_AUTHENTICATION_TOKEN", StatusCode: "404",
			ResponseParameters: []spec.KV{header("x-request-id", "context.requestId"), header("x-accept", "method.request.header.Accept")},
			ResponseTemplates: jsonTemplate(`{"message":$context.error.messageString,"type":"$context.error.responseType",` +
				`"stage":"$context.stage","path":"${context.resourcePath}","a":"$stageVariables.a"}`)},
	})
	err := New(MissingAuthenticationToken, "no route")
	req := Request{
		Context:        ctxOf(map[string]string{"requestId": "r-1", "stage": "dev", "resourcePath": "/pets/{petId}"}),
		StageVariables: map[string]string{"a": "A"},
		Header:         func(string) string { return "application/json" },
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = set.Render(err, req)
	}
}

// ctxOf serves a fixed $context, as reqctx.Context.Value does for a request.
func ctxOf(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}
