package mock

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apigw-local/apigw-local/internal/gatewayresponse"
	"github.com/apigw-local/apigw-local/internal/mapping"
	"github.com/apigw-local/apigw-local/internal/spec"
	"github.com/apigw-local/apigw-local/internal/testcorpus"
)

// ir builds an integration response; chosen, when not "", becomes the literal of an X-Chosen header so that
// a test can tell which response was selected even when two share a status.
func ir(pattern, status, chosen string, templates ...spec.KV) *spec.IntegrationResponse {
	r := &spec.IntegrationResponse{SelectionPattern: pattern, StatusCode: status, ResponseTemplates: templates}
	if chosen != "" {
		r.ResponseParameters = []spec.KV{{Key: "method.response.header.X-Chosen", Value: "'" + chosen + "'"}}
	}
	return r
}

func kv(k, v string) spec.KV { return spec.KV{Key: k, Value: v} }

// jsonTemplate is a request template list holding one application/json template.
func jsonTemplate(src string) []spec.KV { return []spec.KV{kv("application/json", src)} }

func mustCompile(t testing.TB, in *spec.Integration) *Integration {
	t.Helper()
	m, err := Compile(in)
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	return m
}

// testRequestContext is the $context of the tests' requests.
var testRequestContext = mapping.RequestContext{
	AccountID: "123456789012", APIID: "abc123", DeploymentID: "dep1", DomainName: "abc123.execute-api.localhost",
	DomainPrefix: "abc123", ExtendedRequestID: "ext-1", HTTPMethod: "GET", Path: "/dev/pets/7", Protocol: "HTTP/1.1",
	RequestID: "req-1", RequestTime: time.Date(2024, 3, 5, 7, 8, 9, 0, time.UTC), ResourceID: "res1",
	ResourcePath: "/pets/{id}", Stage: "dev", SourceIP: "192.0.2.1", UserAgent: "test-agent",
}

// newEnv builds what the templates of one request see, as the gateway does: a fresh $context per request.
func newEnv(p mapping.Params, stageVariables map[string]string) *mapping.Env {
	return &mapping.Env{Params: p, Context: mapping.NewContext(testRequestContext), StageVariables: stageVariables}
}

// respond runs m for req, giving it a fresh empty Env when it has none.
func respond(m *Integration, req Request) (*mapping.MethodResponse, *gatewayresponse.Error) {
	if req.Env == nil {
		req.Env = newEnv(mapping.Params{}, nil)
	}
	return m.Respond(req)
}

func mustRespond(t testing.TB, m *Integration, req Request) *mapping.MethodResponse {
	t.Helper()
	got, gerr := respond(m, req)
	if gerr != nil {
		t.Fatalf("Respond: %v (%s)", gerr.Type, gerr.Reason)
	}
	return got
}

// query builds url.Values from name/value pairs.
func query(pairs ...string) url.Values {
	q := url.Values{}
	for i := 0; i+1 < len(pairs); i += 2 {
		q.Add(pairs[i], pairs[i+1])
	}
	return q
}

// header builds an http.Header from name/value pairs (names canonicalized, as net/http gives them).
func header(pairs ...string) http.Header {
	h := http.Header{}
	for i := 0; i+1 < len(pairs); i += 2 {
		h.Add(pairs[i], pairs[i+1])
	}
	return h
}

func gerrString(gerr *gatewayresponse.Error) string {
	if gerr == nil {
		return "<nil>"
	}
	return string(gerr.Type) + ": " + gerr.Reason
}

func TestCompile(t *testing.T) {
	cases := []struct {
		name    string
		in      *spec.Integration
		wantErr bool
		wantMsg []string // substrings the error message must hold
		notMsg  []string // substrings it must not hold
	}{
		{
			name: "plain text templates compile",
			in: &spec.Integration{RequestTemplates: jsonTemplate(`{"statusCode": 200}`),
				Responses: []*spec.IntegrationResponse{ir("", "200", "", kv("application/json", `{"ok": true}`)), ir(`4\d{2}`, "404", "")}},
		},
		{
			name: "explicit passthrough compiles",
			in:   &spec.Integration{PassthroughBehavior: "NEVER", Responses: []*spec.IntegrationResponse{ir("", "200", "")}},
		},
		{
			name: "no responses at all compiles (Respond then fails per request)",
			in:   &spec.Integration{},
		},
		// Formerly refused with ErrVTL: Velocity now compiles.
		{
			name: "request template with a $ reference",
			in:   &spec.Integration{RequestTemplates: jsonTemplate(`{"statusCode": $input.params('code')}`)},
		},
		{
			name: "request template with a # directive, second content type",
			in:   &spec.Integration{RequestTemplates: []spec.KV{kv("application/json", `{"statusCode": 200}`), kv("text/plain", "#set($x = 1)\n{\"statusCode\": 200}")}},
		},
		{
			name: "response template with VTL in the default response",
			in:   &spec.Integration{Responses: []*spec.IntegrationResponse{ir("", "200", "", kv("text/html", "<p>$context.requestId</p>"))}},
		},
		{
			name: "response template with a directive in a pattern response",
			in:   &spec.Integration{Responses: []*spec.IntegrationResponse{ir(`4\d{2}`, "400", "", kv("application/json", "#if(true)x#end"))}},
		},
		// Velocity syntax errors name the template and the place in it.
		{
			name:    "request template with a syntax error names its content type, line and column",
			in:      &spec.Integration{RequestTemplates: []spec.KV{kv("application/json", `{"statusCode": 200}`), kv("text/plain", "{\n  #if(\n}")}},
			wantErr: true, wantMsg: []string{"request template text/plain:"}, notMsg: []string{"application/json"},
		},
		{
			name:    "an unclosed #if in a response template names the integration response",
			in:      &spec.Integration{Responses: []*spec.IntegrationResponse{ir(`4\d{2}`, "400", "", kv("application/json", "#if(true)x"))}},
			wantErr: true, wantMsg: []string{"response template application/json", `integration response 4\d{2}`},
		},
		{
			name:    "a template ending in $ is a load error, as in Velocity 1.7; the default response is named default",
			in:      &spec.Integration{Responses: []*spec.IntegrationResponse{ir("", "200", "", kv("text/html", "costs 5$"))}},
			wantErr: true, wantMsg: []string{"response template text/html", "integration response default"}, notMsg: []string{`""`},
		},
		{
			name: "every broken request template is reported",
			in: &spec.Integration{RequestTemplates: []spec.KV{kv("application/json", "#foreach("), kv("text/plain", "#end")},
				Responses: []*spec.IntegrationResponse{ir("", "200", "")}},
			wantErr: true, wantMsg: []string{"request template application/json", "request template text/plain"},
		},
		// Selection patterns and status codes.
		{
			name:    "a lookahead is Java regex syntax Go cannot compile",
			in:      &spec.Integration{Responses: []*spec.IntegrationResponse{ir(`4(?!04)\d{2}`, "400", "")}},
			wantErr: true, wantMsg: []string{"selection pattern", `4(?!04)\d{2}`},
		},
		{
			name:    "a back-reference cannot compile either",
			in:      &spec.Integration{Responses: []*spec.IntegrationResponse{ir(`(4)\1\d`, "400", "")}},
			wantErr: true, wantMsg: []string{"selection pattern"},
		},
		{
			name:    "non-numeric statusCode",
			in:      &spec.Integration{Responses: []*spec.IntegrationResponse{ir("", "OK", "")}},
			wantErr: true, wantMsg: []string{`"OK"`, "integration response default"},
		},
		{
			name:    "statusCode with trailing letters is not a number",
			in:      &spec.Integration{Responses: []*spec.IntegrationResponse{ir(`5\d{2}`, "5xx", "")}},
			wantErr: true, wantMsg: []string{`"5xx"`},
		},
		{
			name:    "empty statusCode",
			in:      &spec.Integration{Responses: []*spec.IntegrationResponse{ir("", "", "")}},
			wantErr: true,
		},
		{
			name:    "statusCode outside 100-599 (net/http would panic writing it)",
			in:      &spec.Integration{Responses: []*spec.IntegrationResponse{ir("", "42", "")}},
			wantErr: true, wantMsg: []string{`"42"`},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := Compile(c.in)
			if !c.wantErr {
				if err != nil {
					t.Fatalf("Compile: %v", err)
				}
				if m == nil {
					t.Fatal("Compile returned a nil Integration and no error")
				}
				return
			}
			if err == nil {
				t.Fatalf("Compile succeeded, want an error")
			}
			for _, s := range c.wantMsg {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not mention %q", err, s)
				}
			}
			for _, s := range c.notMsg {
				if strings.Contains(err.Error(), s) {
					t.Errorf("error %q must not mention %q", err, s)
				}
			}
		})
	}
}

// The status comes from the request template and is matched against whole-string selection patterns.
func TestRespondSelectsByStatus(t *testing.T) {
	responses := []*spec.IntegrationResponse{
		ir(`20`, "520", "twenty"),
		ir(`201`, "201", "created"),
		ir(`2\d{2}`, "202", "two-xx"),
		ir(`4\d{2}`, "404", "four-xx"),
		ir("", "200", "default"),
	}
	cases := []struct {
		name       string
		template   string // the application/json request template
		wantStatus int
		wantChosen string // which integration response answered
	}{
		{"strict JSON", `{"statusCode": 200}`, 202, "two-xx"},
		{"pattern 20 does not match 200: whole-string match", `{"statusCode":200}`, 202, "two-xx"},
		{"pattern 20 matches exactly 20", `{"statusCode": 20}`, 520, "twenty"},
		{"relaxed JSON, unquoted key", `{statusCode: 404}`, 404, "four-xx"},
		{"single quotes, string value", `{'statusCode': '201'}`, 201, "created"},
		{"string value in double quotes", `{"statusCode": "404"}`, 404, "four-xx"},
		{"spaces and newlines", "{\n  \"statusCode\" :\n 404\n}\n", 404, "four-xx"},
		{"first listed matching pattern wins", `{"statusCode": 201}`, 201, "created"},
		{"2000 is not a 2xx status: no partial match", `{"statusCode": 2000}`, 200, "default"},
		{"4040 is not a 4xx status", `{"statusCode": 4040}`, 200, "default"},
		{"nothing matches: default", `{"statusCode": 500}`, 200, "default"},
		{"no statusCode: default", `{"message": "hi"}`, 200, "default"},
		{"empty template: default", ``, 200, "default"},
		{"a longer field name is not statusCode", `{"upstreamStatusCode": 404}`, 200, "default"},
		{"nor one that ends in statusCode", `{"upstream_statusCode": 404}`, 200, "default"},
		{"nor one that ends in $statusCode", `{"x$statusCode": 404}`, 200, "default"},
		{"statusCode after a longer field name", `{"upstream_statusCode": 404, "statusCode": 201}`, 201, "created"},
		{"other fields around it", `{"a": 1, "statusCode": 404, "b": "x"}`, 404, "four-xx"},
		{"statusCode at the very start of the output", `statusCode: 404`, 404, "four-xx"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := mustCompile(t, &spec.Integration{RequestTemplates: jsonTemplate(c.template), Responses: responses})
			got := mustRespond(t, m, Request{})
			if got.Status != c.wantStatus || got.Header.Get("X-Chosen") != c.wantChosen {
				t.Errorf("got %d from %q, want %d from %q", got.Status, got.Header.Get("X-Chosen"), c.wantStatus, c.wantChosen)
			}
		})
	}
}

// Velocity in the request template computes the status: it is read from the rendered output.
func TestRespondRequestTemplateVTL(t *testing.T) {
	responses := []*spec.IntegrationResponse{
		ir(`201`, "201", "created"),
		ir(`4\d{2}`, "404", "four-xx"),
		ir("", "200", "default"),
	}
	const ifElse = `#if($input.params('x') == 'a'){"statusCode": 404}#else{"statusCode": 200}#end`
	cases := []struct {
		name       string
		template   string
		req        Request
		params     mapping.Params
		stage      map[string]string
		wantStatus int
		wantChosen string
	}{
		{name: "#if on a query parameter: taken", template: ifElse, params: mapping.Params{Query: query("x", "a")}, wantStatus: 404, wantChosen: "four-xx"},
		{name: "#if on a query parameter: #else", template: ifElse, params: mapping.Params{Query: query("x", "b")}, wantStatus: 200, wantChosen: "default"},
		{name: "#if on a missing parameter: #else", template: ifElse, wantStatus: 200, wantChosen: "default"},
		{name: "#if on a path parameter", template: ifElse, params: mapping.Params{Path: map[string]string{"x": "a"}}, wantStatus: 404, wantChosen: "four-xx"},
		{name: "#if on a header", template: ifElse, params: mapping.Params{Header: header("X", "a")}, wantStatus: 404, wantChosen: "four-xx"},
		{name: "path wins over query string", template: ifElse, params: mapping.Params{Path: map[string]string{"x": "b"}, Query: query("x", "a")}, wantStatus: 200, wantChosen: "default"},
		{name: "the last of repeated query values", template: ifElse, params: mapping.Params{Query: query("x", "b", "x", "a")}, wantStatus: 404, wantChosen: "four-xx"},
		{name: "status read from a parameter", template: `{"statusCode": $input.params('code')}`, params: mapping.Params{Query: query("code", "201")}, wantStatus: 201, wantChosen: "created"},
		{name: "status parameter missing: nothing to read, default", template: `{"statusCode": $input.params('code')}`, wantStatus: 200, wantChosen: "default"},
		{name: "status parameter not a number: default", template: `{"statusCode": "$input.params('code')"}`, params: mapping.Params{Query: query("code", "abc")}, wantStatus: 200, wantChosen: "default"},
		{name: "#set variable", template: `#set($code = 201){"statusCode": $code}`, wantStatus: 201, wantChosen: "created"},
		{name: "arithmetic", template: `#set($code = 400 + 4){"statusCode": $code}`, wantStatus: 404, wantChosen: "four-xx"},
		{name: "from the request body with $input.json", template: `{"statusCode": $input.json('$.status')}`, req: Request{Body: []byte(`{"status": 201}`)}, wantStatus: 201, wantChosen: "created"},
		{name: "from the request body with $input.path", template: `{"statusCode": $input.path('$.nested.code')}`, req: Request{Body: []byte(`{"nested": {"code": 404}}`)}, wantStatus: 404, wantChosen: "four-xx"},
		{name: "from $util.parseJson", template: `#set($o = $util.parseJson('{"s": 201}')){"statusCode": $o.s}`, wantStatus: 201, wantChosen: "created"},
		{name: "from a stage variable", template: `{"statusCode": $stageVariables.code}`, stage: map[string]string{"code": "404"}, wantStatus: 404, wantChosen: "four-xx"},
		{name: "from $context", template: `{"statusCode": #if($context.stage == "dev")201#{else}404#end}`, wantStatus: 201, wantChosen: "created"},
		{name: "#foreach with a condition", template: `#foreach($c in [404, 201])#if($c == 201){"statusCode": $c}#end#end`, wantStatus: 201, wantChosen: "created"},
		{name: "a ## comment is not output", template: "## {\"statusCode\": 404}\n{\"statusCode\": 201}", wantStatus: 201, wantChosen: "created"},
		{name: "a #* *# comment is not output", template: `#* {"statusCode": 404} *#{"statusCode": 201}`, wantStatus: 201, wantChosen: "created"},
		{name: "an escaped reference is text, so no status is read", template: `{"statusCode": \$code}`, wantStatus: 200, wantChosen: "default"},
		{name: "the first statusCode in the output wins", template: `#foreach($c in [404, 201]){"statusCode": $c}#end`, wantStatus: 404, wantChosen: "four-xx"},
		{name: "relaxed JSON rendered by VTL", template: `#set($c = 201){statusCode: $c}`, wantStatus: 201, wantChosen: "created"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := mustCompile(t, &spec.Integration{RequestTemplates: jsonTemplate(c.template), Responses: responses})
			req := c.req
			req.Env = newEnv(c.params, c.stage)
			got := mustRespond(t, m, req)
			if got.Status != c.wantStatus || got.Header.Get("X-Chosen") != c.wantChosen {
				t.Errorf("got %d from %q, want %d from %q", got.Status, got.Header.Get("X-Chosen"), c.wantStatus, c.wantChosen)
			}
		})
	}
}

// Without a default response, a status that matches nothing is a configuration error (500).
func TestRespondNoDefaultNoMatch(t *testing.T) {
	cases := []struct {
		name     string
		template string // the application/json request template
		wantErr  bool   // an API_CONFIGURATION_ERROR, else 200
	}{
		{"matching status", `{"statusCode": 200}`, false},
		{"status matched by nothing", `{"statusCode": 500}`, true},
		{"no statusCode", `{}`, true},
		{"partial match only", `{"statusCode": 2000}`, true},
		{"VTL renders nothing", `#if(false){"statusCode": 200}#end`, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := mustCompile(t, &spec.Integration{RequestTemplates: jsonTemplate(c.template),
				Responses: []*spec.IntegrationResponse{ir(`2\d{2}`, "200", "")}})
			got, gerr := respond(m, Request{})
			if !c.wantErr {
				if gerr != nil || got.Status != 200 {
					t.Fatalf("got %+v, %s; want 200", got, gerrString(gerr))
				}
				return
			}
			if gerr == nil {
				t.Fatalf("got %+v, want an API_CONFIGURATION_ERROR", got)
			}
			if gerr.Type != gatewayresponse.APIConfigurationError {
				t.Errorf("error type %s, want %s", gerr.Type, gatewayresponse.APIConfigurationError)
			}
			if gatewayresponse.DefaultFor(gerr.Type).Status != 500 {
				t.Errorf("an API_CONFIGURATION_ERROR must answer 500")
			}
		})
	}
	t.Run("no integration responses at all", func(t *testing.T) {
		m := mustCompile(t, &spec.Integration{RequestTemplates: jsonTemplate(`{"statusCode": 200}`)})
		if _, gerr := respond(m, Request{}); gerr == nil || gerr.Type != gatewayresponse.APIConfigurationError {
			t.Fatalf("got %s, want API_CONFIGURATION_ERROR", gerrString(gerr))
		}
	})
}

// The request template is chosen by Content-Type: missing means application/json; parameters are ignored;
// media types compare case-insensitively.
func TestRespondRequestTemplateByContentType(t *testing.T) {
	m := mustCompile(t, &spec.Integration{
		PassthroughBehavior: "WHEN_NO_TEMPLATES", // so that an unmatched type answers 415 instead of passing through
		RequestTemplates: []spec.KV{
			kv("application/json", `{"statusCode": 201}`),
			kv("Text/Plain", `{"statusCode": 404}`),
		},
		Responses: []*spec.IntegrationResponse{ir("201", "201", ""), ir("404", "404", ""), ir("", "200", "")},
	})
	cases := []struct {
		contentType string
		wantStatus  int // 415 for UNSUPPORTED_MEDIA_TYPE
	}{
		{"", 201},
		{"application/json", 201},
		{"application/json; charset=utf-8", 201},
		{"Application/JSON", 201},
		{"APPLICATION/JSON ; Charset=UTF-8", 201},
		{"text/plain", 404},
		{"TEXT/PLAIN;charset=ISO-8859-1", 404},
		{"application/xml", 415},
		{"application/json-patch+json", 415},
		{"text/plainer", 415},
	}
	for _, c := range cases {
		t.Run(c.contentType, func(t *testing.T) {
			body := []byte(`{"statusCode": 201}`) // never used: either a template applies or 415
			got, gerr := respond(m, Request{ContentType: c.contentType, Body: body})
			if c.wantStatus == 415 {
				if gerr == nil || gerr.Type != gatewayresponse.UnsupportedMediaType {
					t.Fatalf("got %+v, %s; want UNSUPPORTED_MEDIA_TYPE", got, gerrString(gerr))
				}
				return
			}
			if gerr != nil || got.Status != c.wantStatus {
				t.Errorf("got %+v, %s; want %d", got, gerrString(gerr), c.wantStatus)
			}
		})
	}
}

// Reference §f.3: the passthrough table. With passthrough, the method request body itself is read for the
// statusCode.
func TestRespondPassthroughTable(t *testing.T) {
	const (
		transform = 200 // the request template says 200
		passed    = 404 // the body says 404
		refused   = 415 // UNSUPPORTED_MEDIA_TYPE
	)
	templates := jsonTemplate(`{"statusCode": 200}`)
	situations := []struct {
		name        string
		templates   []spec.KV
		contentType string
	}{
		{"template matches", templates, "application/json"},
		{"template matches (no Content-Type)", templates, ""},
		{"templates exist, none matches", templates, "text/plain"},
		{"no templates", nil, "text/plain"},
	}
	cases := []struct {
		behaviour string // passthroughBehavior; "" is the default
		want      []int  // per situation above
	}{
		{"", []int{transform, transform, passed, passed}},
		{"WHEN_NO_MATCH", []int{transform, transform, passed, passed}},
		{"WHEN_NO_TEMPLATES", []int{transform, transform, refused, passed}},
		{"NEVER", []int{transform, transform, refused, refused}},
	}
	for _, c := range cases {
		for i, s := range situations {
			name := c.behaviour
			if name == "" {
				name = "default"
			}
			t.Run(name+"/"+s.name, func(t *testing.T) {
				m := mustCompile(t, &spec.Integration{PassthroughBehavior: c.behaviour, RequestTemplates: s.templates,
					Responses: []*spec.IntegrationResponse{ir(`4\d{2}`, "404", ""), ir("", "200", "")}})
				got, gerr := respond(m, Request{ContentType: s.contentType, Body: []byte(`{"statusCode": 404}`)})
				if c.want[i] == refused {
					if gerr == nil || gerr.Type != gatewayresponse.UnsupportedMediaType {
						t.Fatalf("got %+v, %s; want UNSUPPORTED_MEDIA_TYPE", got, gerrString(gerr))
					}
					if gatewayresponse.DefaultFor(gerr.Type).Status != 415 {
						t.Errorf("UNSUPPORTED_MEDIA_TYPE must answer 415")
					}
					return
				}
				if gerr != nil || got.Status != c.want[i] {
					t.Errorf("got %+v, %s; want %d", got, gerrString(gerr), c.want[i])
				}
			})
		}
	}
}

// The response template is chosen by Accept, then application/json, then the first one.
func TestRespondResponseTemplateByAccept(t *testing.T) {
	withJSON := []spec.KV{kv("text/html", "<p>html</p>"), kv("application/json", `{"json": true}`), kv("application/xml", "<xml/>")}
	withoutJSON := []spec.KV{kv("text/plain", "plain"), kv("text/csv", "a,b")}
	cases := []struct {
		name      string
		templates []spec.KV
		accept    string
		wantCT    string
		wantBody  string
	}{
		{"exact", withJSON, "text/html", "text/html", "<p>html</p>"},
		{"exact, not the first", withJSON, "application/xml", "application/xml", "<xml/>"},
		{"parameters ignored", withJSON, "text/html; q=0.9; charset=utf-8", "text/html", "<p>html</p>"},
		{"first listed type that has a template", withJSON, "image/png, application/xml;q=0.5, text/html", "application/xml", "<xml/>"},
		{"case-insensitive Accept", withJSON, "TEXT/HTML", "text/html", "<p>html</p>"},
		{"no Accept: application/json", withJSON, "", "application/json", `{"json": true}`},
		{"*/* is no match: application/json", withJSON, "*/*", "application/json", `{"json": true}`},
		{"unknown type: application/json", withJSON, "image/png", "application/json", `{"json": true}`},
		{"garbage Accept: application/json", withJSON, ";;;", "application/json", `{"json": true}`},
		{"no json template: the first", withoutJSON, "", "text/plain", "plain"},
		{"no json template, unknown type: the first", withoutJSON, "image/png", "text/plain", "plain"},
		{"no json template, Accept matches the second", withoutJSON, "text/csv", "text/csv", "a,b"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := mustCompile(t, &spec.Integration{RequestTemplates: jsonTemplate(`{"statusCode": 200}`),
				Responses: []*spec.IntegrationResponse{ir("", "200", "", c.templates...)}})
			got := mustRespond(t, m, Request{Accept: c.accept})
			if got.ContentType != c.wantCT || string(got.Body) != c.wantBody {
				t.Errorf("got %q %q, want %q %q", got.ContentType, got.Body, c.wantCT, c.wantBody)
			}
		})
	}
	t.Run("only the template chosen by Accept is rendered", func(t *testing.T) {
		// The other template would set a status override if it ran.
		m := mustCompile(t, &spec.Integration{RequestTemplates: jsonTemplate(`{"statusCode": 200}`),
			Responses: []*spec.IntegrationResponse{ir("", "200", "",
				kv("application/json", `#set($context.responseOverride.status = 500)json`),
				kv("text/html", `<p>$context.requestId</p>`))}})
		got := mustRespond(t, m, Request{Accept: "text/html"})
		if got.Status != 200 || got.ContentType != "text/html" || string(got.Body) != "<p>req-1</p>" {
			t.Errorf("got %d %q %q, want 200 text/html <p>req-1</p>", got.Status, got.ContentType, got.Body)
		}
	})
}

// Body and Content-Type of the answer: no template means an empty body (the request template output or the
// passed-through body is never echoed) and application/json.
func TestRespondBody(t *testing.T) {
	cases := []struct {
		name       string
		in         *spec.Integration
		req        Request
		wantCT     string
		wantBody   string
		wantStatus int
	}{
		{
			name: "no response template: empty body, application/json",
			in: &spec.Integration{RequestTemplates: jsonTemplate(`{"statusCode": 200, "message": "not echoed"}`),
				Responses: []*spec.IntegrationResponse{ir(`2\d{2}`, "200", "")}},
			wantCT: "application/json", wantBody: "", wantStatus: 200,
		},
		{
			name:   "passed-through body is not echoed either",
			in:     &spec.Integration{Responses: []*spec.IntegrationResponse{ir("", "200", "")}},
			req:    Request{ContentType: "text/plain", Body: []byte(`{"statusCode": 200, "message": "not echoed"}`)},
			wantCT: "application/json", wantBody: "", wantStatus: 200,
		},
		{
			name: "no template in the chosen response, though another response has one",
			in: &spec.Integration{RequestTemplates: jsonTemplate(`{"statusCode": 404}`),
				Responses: []*spec.IntegrationResponse{ir("", "200", "", kv("application/json", `{"found": true}`)), ir("404", "404", "")}},
			wantCT: "application/json", wantBody: "", wantStatus: 404,
		},
		{
			name: "template text served as written, whitespace kept",
			in: &spec.Integration{RequestTemplates: jsonTemplate(`{"statusCode": 200}`),
				Responses: []*spec.IntegrationResponse{ir("", "200", "", kv("text/plain", "  line one\n\tline two\n"))}},
			wantCT: "text/plain", wantBody: "  line one\n\tline two\n", wantStatus: 200,
		},
		{
			name: "an empty template gives an empty body with its content type",
			in: &spec.Integration{RequestTemplates: jsonTemplate(`{"statusCode": 200}`),
				Responses: []*spec.IntegrationResponse{ir("", "204", "", kv("text/plain", ""))}},
			wantCT: "text/plain", wantBody: "", wantStatus: 204,
		},
		{
			name: "a template rendering nothing gives an empty body with its content type",
			in: &spec.Integration{RequestTemplates: jsonTemplate(`{"statusCode": 200}`),
				Responses: []*spec.IntegrationResponse{ir("", "200", "", kv("application/xml", "#set($x = 1)\n## nothing\n"))}},
			wantCT: "application/xml", wantBody: "", wantStatus: 200,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := mustRespond(t, mustCompile(t, c.in), c.req)
			if got.Status != c.wantStatus || got.ContentType != c.wantCT || string(got.Body) != c.wantBody {
				t.Errorf("got %d %q %q, want %d %q %q", got.Status, got.ContentType, got.Body, c.wantStatus, c.wantCT, c.wantBody)
			}
		})
	}
}

// Velocity in the response template: $input.params, $context, $util and $stageVariables.
func TestRespondResponseTemplateVTL(t *testing.T) {
	params := mapping.Params{
		Path:   map[string]string{"id": "7"},
		Query:  query("q", `a "b"/c's`, "z", "last", "a", "first"),
		Header: header("X-Custom", "hdr", "Connection", "keep-alive"),
	}
	stage := map[string]string{"color": "blue", "with space": "x"}
	cases := []struct {
		name     string
		template string
		body     []byte // method request body (never the response template's payload)
		want     string
	}{
		{name: "$input.params(name): path", template: `{"id": "$input.params('id')"}`, want: `{"id": "7"}`},
		{name: "$input.params(name): query string", template: `$input.params('z')`, want: `last`},
		{name: "$input.params(name): header, any case", template: `$input.params('x-custom')`, want: `hdr`},
		{name: "$input.params(name): hidden header renders empty", template: `[$input.params('Connection')]`, want: `[]`},
		{name: "$input.params(name): missing renders empty", template: `[$input.params('nope')]`, want: `[]`},
		{name: "$input.params().path", template: `$input.params().path.id`, want: `7`},
		{name: "$input.params().querystring keys are sorted", template: `#foreach($k in $input.params().querystring.keySet())$k;#end`, want: `a;q;z;`},
		{name: "$input.params().header", template: `$input.params().header.get('X-Custom')`, want: `hdr`},
		{name: "$context.requestId", template: `{"requestId": "$context.requestId"}`, want: `{"requestId": "req-1"}`},
		{name: "other $context values", template: `$context.stage $context.httpMethod $context.resourcePath $context.path $context.apiId $context.accountId`,
			want: `dev GET /pets/{id} /dev/pets/7 abc123 123456789012`},
		{name: "$context.identity", template: `$context.identity.sourceIp|$context.identity.userAgent|$context.identity.user|`, want: `192.0.2.1|test-agent||`},
		{name: "$context.requestTime and epoch", template: `$context.requestTime $context.requestTimeEpoch`, want: `05/Mar/2024:07:08:09 +0000 1709622489000`},
		{name: "$context.identity prints as empty text", template: `[$context.identity]`, want: `[]`},
		{name: "$util.escapeJavaScript", template: `$util.escapeJavaScript($input.params('q'))`, want: `a \"b\"\/c\'s`},
		{name: "$util.urlEncode", template: `$util.urlEncode($input.params('q'))`, want: `a+%22b%22%2Fc%27s`},
		{name: "$util.urlDecode", template: `$util.urlDecode("a+b%2Fc")`, want: `a b/c`},
		{name: "$util.base64Encode", template: `$util.base64Encode("hello")`, want: `aGVsbG8=`},
		{name: "$util.base64Decode", template: `$util.base64Decode("aGVsbG8=")`, want: `hello`},
		{name: "$util.parseJson", template: `#set($o = $util.parseJson('{"a": [1, {"b": "c"}]}'))$o.a[1].b $o.a.size()`, want: `c 2`},
		{name: "$stageVariables", template: `$stageVariables.color $stageVariables['with space'] [$stageVariables.nope]`, want: `blue x []`},
		{name: "#if on a parameter", template: `#if($input.params('id') == "7")seven#{else}other#end`, want: `seven`},
		{name: "#foreach over a list", template: `#foreach($i in [1..3])$i#if($foreach.hasNext),#end#end`, want: `1,2,3`},
		{name: "string methods", template: `$input.params('z').toUpperCase() $input.params('z').length()`, want: `LAST 4`},
		// No backend: the payload of the response template is empty, whatever the method request sent (the
		// empty-payload rule of §f.1; unverified on AWS for MOCK).
		{name: "$input.body is the empty payload {}", template: `$input.body`, body: []byte(`{"from": "request"}`), want: `{}`},
		{name: "$input.path('$.from') finds nothing", template: `[$input.path('$.from')]`, body: []byte(`{"from": "request"}`), want: `[]`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := mustCompile(t, &spec.Integration{RequestTemplates: jsonTemplate(`{"statusCode": 200}`),
				Responses: []*spec.IntegrationResponse{ir("", "200", "", kv("application/json", c.template))}})
			got := mustRespond(t, m, Request{Body: c.body, Env: newEnv(params, stage)})
			if got.Status != 200 || string(got.Body) != c.want {
				t.Errorf("got %d %q, want 200 %q", got.Status, got.Body, c.want)
			}
		})
	}
}

// Run errors in templates become gateway responses.
func TestRespondTemplateErrors(t *testing.T) {
	cases := []struct {
		name     string
		in       *spec.Integration
		body     string
		wantType gatewayresponse.Type
		wantCode int
	}{
		{
			name: "request template reads a body that looks like JSON but is not: 400",
			in: &spec.Integration{RequestTemplates: jsonTemplate(`{"statusCode": 200, "a": "$input.path('$.a')"}`),
				Responses: []*spec.IntegrationResponse{ir("", "200", "")}},
			body: `{a`, wantType: gatewayresponse.BadRequestBody, wantCode: 400,
		},
		{
			name: "request template that does not read the body does not fail on it",
			in: &spec.Integration{RequestTemplates: jsonTemplate(`{"statusCode": 200}`),
				Responses: []*spec.IntegrationResponse{ir("", "200", "")}},
			body: `{a`, wantCode: 200,
		},
		{
			name: "a Java exception in the response template: 500",
			in: &spec.Integration{RequestTemplates: jsonTemplate(`{"statusCode": 200}`),
				Responses: []*spec.IntegrationResponse{ir("", "200", "", kv("application/json", `$util.parseJson("{bad")`))}},
			wantType: gatewayresponse.APIConfigurationError, wantCode: 500,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := mustCompile(t, c.in)
			got, gerr := respond(m, Request{Body: []byte(c.body)})
			if c.wantType == "" {
				if gerr != nil || got.Status != c.wantCode {
					t.Fatalf("got %+v, %s; want %d", got, gerrString(gerr), c.wantCode)
				}
				return
			}
			if gerr == nil || gerr.Type != c.wantType {
				t.Fatalf("got %+v, %s; want %s", got, gerrString(gerr), c.wantType)
			}
			if s := gatewayresponse.DefaultFor(gerr.Type).Status; s != c.wantCode {
				t.Errorf("%s answers %d, want %d", gerr.Type, s, c.wantCode)
			}
		})
	}
}

// Response headers: literals, stage variables and context values; integration.response.* sources yield
// nothing for a MOCK (there is no integration response) and the header is omitted.
func TestRespondHeaders(t *testing.T) {
	params := []spec.KV{
		kv("method.response.header.X-Literal", "'hello world'"),
		kv("method.response.header.X-Empty-Literal", "''"),
		kv("method.response.header.Access-Control-Allow-Origin", "'*'"),
		kv("method.response.header.X-Stage", "stageVariables.color"),
		kv("method.response.header.X-Missing-Stage", "stageVariables.nope"),
		kv("method.response.header.X-Request-Id", "context.requestId"),
		kv("method.response.header.X-Source-Ip", "context.identity.sourceIp"),
		kv("method.response.header.X-Missing-Context", "context.nope"),
		kv("method.response.header.X-Missing-Nested", "context.identity.nope.deeper"),
		kv("method.response.header.X-Backend-Header", "integration.response.header.Server"),
		kv("method.response.header.X-Backend-Multi", "integration.response.multivalueheader.Server"),
		kv("method.response.header.X-Backend-Body", "integration.response.body"),
		kv("method.response.header.X-Backend-Path", "integration.response.body.message"),
	}
	fixed := http.Header{
		"X-Literal":                   {"hello world"},
		"X-Empty-Literal":             {""},
		"Access-Control-Allow-Origin": {"*"},
		"X-Request-Id":                {"req-1"},
		"X-Source-Ip":                 {"192.0.2.1"},
	}
	with := func(extra ...string) http.Header {
		h := fixed.Clone()
		for i := 0; i+1 < len(extra); i += 2 {
			h.Set(extra[i], extra[i+1])
		}
		return h
	}
	cases := []struct {
		name  string
		stage map[string]string
		body  string // the method request body: never a source of integration.response.body
		want  http.Header
	}{
		{name: "everything available", stage: map[string]string{"color": "blue"}, want: with("X-Stage", "blue")},
		{name: "no stage variables", want: with()},
		{name: "a stage variable set to empty is still sent", stage: map[string]string{"color": ""}, want: with("X-Stage", "")},
		{name: "the method request body is not the integration response body", body: `{"message": "hi"}`, want: with()},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := &spec.IntegrationResponse{StatusCode: "200", ResponseParameters: params}
			m := mustCompile(t, &spec.Integration{RequestTemplates: jsonTemplate(`{"statusCode": 200}`),
				Responses: []*spec.IntegrationResponse{r}})
			got := mustRespond(t, m, Request{Body: []byte(c.body), Env: newEnv(mapping.Params{}, c.stage)})
			if !reflect.DeepEqual(got.Header, c.want) {
				t.Errorf("headers\n got %v\nwant %v", got.Header, c.want)
			}
		})
	}
}

// The headers of the response chosen by status, not of another one.
func TestRespondHeadersFollowChosenResponse(t *testing.T) {
	m := mustCompile(t, &spec.Integration{RequestTemplates: jsonTemplate(`{"statusCode": 404}`),
		Responses: []*spec.IntegrationResponse{ir("", "200", "default"), ir(`4\d{2}`, "404", "four-xx")}})
	got := mustRespond(t, m, Request{})
	if want := (http.Header{"X-Chosen": {"four-xx"}}); !reflect.DeepEqual(got.Header, want) {
		t.Errorf("headers %v, want %v", got.Header, want)
	}
}

// $context.responseOverride.status and .header, set in the request template or in the response template
// (reference §f.1; vtl-templates.json#mock-responseoverride-*).
func TestRespondResponseOverride(t *testing.T) {
	responses := func(tmpl ...spec.KV) []*spec.IntegrationResponse {
		return []*spec.IntegrationResponse{ir(`4\d{2}`, "404", "four-xx", tmpl...), ir(`2\d{2}`, "200", "two-xx", tmpl...)}
	}
	cases := []struct {
		name       string
		request    string    // the application/json request template
		response   []spec.KV // the response templates of both integration responses
		params     mapping.Params
		wantStatus int
		wantHeader http.Header
		wantBody   string
	}{
		{
			name:       "status and header set in the request template, no response template",
			request:    "#set($context.responseOverride.status = 444)\n#set($context.responseOverride.header.foo = \"bar\")\n{\"statusCode\": 200}",
			wantStatus: 444, wantHeader: http.Header{"X-Chosen": {"two-xx"}, "Foo": {"bar"}}, wantBody: "",
		},
		{
			name:       "status and header set in the response template",
			request:    `{"statusCode": 200}`,
			response:   []spec.KV{kv("application/json", "#set($context.responseOverride.status = 201)\n#set($context.responseOverride.header['X-Extra'] = 'yes')\n{\"ok\": true}")},
			wantStatus: 201, wantHeader: http.Header{"X-Chosen": {"two-xx"}, "X-Extra": {"yes"}}, wantBody: `{"ok": true}`,
		},
		{
			name:       "set in the request template, read in the response template",
			request:    "#set($context.responseOverride.status = 444)\n#set($context.responseOverride.header.foo = \"bar\")\n{\"statusCode\": 200}",
			response:   []spec.KV{kv("application/json", `$context.responseOverride.status/$context.responseOverride.header.foo`)},
			wantStatus: 444, wantHeader: http.Header{"X-Chosen": {"two-xx"}, "Foo": {"bar"}}, wantBody: "444/bar",
		},
		{
			name:       "the response template's value wins over the request template's",
			request:    "#set($context.responseOverride.status = 444)\n#set($context.responseOverride.header.foo = \"req\")\n{\"statusCode\": 200}",
			response:   []spec.KV{kv("application/json", "#set($context.responseOverride.status = 555)\n#set($context.responseOverride.header.foo = \"resp\")")},
			wantStatus: 555, wantHeader: http.Header{"X-Chosen": {"two-xx"}, "Foo": {"resp"}}, wantBody: "",
		},
		{
			name:       "the override does not drive selection: statusCode does",
			request:    "#set($context.responseOverride.status = 299){\"statusCode\": 404}",
			wantStatus: 299, wantHeader: http.Header{"X-Chosen": {"four-xx"}},
		},
		{
			name:       "an override header replaces a mapped header of the same name",
			request:    "#set($context.responseOverride.header[\"X-Chosen\"] = \"overridden\"){\"statusCode\": 200}",
			wantStatus: 200, wantHeader: http.Header{"X-Chosen": {"overridden"}},
		},
		{
			name:       "status given as a string",
			request:    "#set($context.responseOverride.status = \"418\"){\"statusCode\": 200}",
			wantStatus: 418, wantHeader: http.Header{"X-Chosen": {"two-xx"}},
		},
		{
			name:       "status override computed from a parameter",
			request:    "#if($input.params('fail') == 'yes')#set($context.responseOverride.status = 503)#end{\"statusCode\": 200}",
			params:     mapping.Params{Query: query("fail", "yes")},
			wantStatus: 503, wantHeader: http.Header{"X-Chosen": {"two-xx"}},
		},
		{
			name:       "status override not taken",
			request:    "#if($input.params('fail') == 'yes')#set($context.responseOverride.status = 503)#end{\"statusCode\": 200}",
			wantStatus: 200, wantHeader: http.Header{"X-Chosen": {"two-xx"}},
		},
		// Emulator choices: a status net/http cannot send is ignored rather than crashing the response.
		{
			name:       "a status that is not a number is ignored",
			request:    "#set($context.responseOverride.status = \"abc\"){\"statusCode\": 200}",
			wantStatus: 200, wantHeader: http.Header{"X-Chosen": {"two-xx"}},
		},
		{
			name:       "a status outside 100-599 is ignored",
			request:    "#set($context.responseOverride.status = 600){\"statusCode\": 200}",
			wantStatus: 200, wantHeader: http.Header{"X-Chosen": {"two-xx"}},
		},
		{
			name:       "other keys on responseOverride are kept and readable, and change nothing",
			request:    "#set($context.responseOverride.custom = \"passed around\"){\"statusCode\": 200}",
			response:   []spec.KV{kv("application/json", `$context.responseOverride.custom`)},
			wantStatus: 200, wantHeader: http.Header{"X-Chosen": {"two-xx"}}, wantBody: "passed around",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := mustCompile(t, &spec.Integration{RequestTemplates: jsonTemplate(c.request), Responses: responses(c.response...)})
			got := mustRespond(t, m, Request{Env: newEnv(c.params, nil)})
			if got.Status != c.wantStatus || string(got.Body) != c.wantBody || !reflect.DeepEqual(got.Header, c.wantHeader) {
				t.Errorf("got %d %v %q, want %d %v %q", got.Status, got.Header, got.Body, c.wantStatus, c.wantHeader, c.wantBody)
			}
		})
	}
	t.Run("overrides do not leak into the next request", func(t *testing.T) {
		m := mustCompile(t, &spec.Integration{
			RequestTemplates: jsonTemplate("#if($input.params('o') == 'y')#set($context.responseOverride.status = 444)#set($context.responseOverride.header.foo = 'bar')#end{\"statusCode\": 200}"),
			Responses:        []*spec.IntegrationResponse{ir("", "200", "")}})
		first := mustRespond(t, m, Request{Env: newEnv(mapping.Params{Query: query("o", "y")}, nil)})
		second := mustRespond(t, m, Request{Env: newEnv(mapping.Params{}, nil)})
		if first.Status != 444 || first.Header.Get("Foo") != "bar" {
			t.Errorf("first request: got %d %v, want 444 with Foo: bar", first.Status, first.Header)
		}
		if second.Status != 200 || len(second.Header) != 0 {
			t.Errorf("second request: got %d %v, want 200 and no headers", second.Status, second.Header)
		}
	})
}

// $context.requestOverride set in the request template is readable in the response template of a MOCK
// (vtl-templates.json#mock-requestoverride-*).
func TestRespondRequestOverrideCarried(t *testing.T) {
	cases := []struct {
		name     string
		request  string
		response string
		params   mapping.Params
		want     string
	}{
		{
			name:     "header, querystring and path",
			request:  "#set($context.requestOverride.header.h = 'H')\n#set($context.requestOverride.querystring.q = 'Q')\n#set($context.requestOverride.path.p = 'P')\n{\"statusCode\": 200}",
			response: `$context.requestOverride.header.h $context.requestOverride.querystring.q $context.requestOverride.path.p`,
			want:     "H Q P",
		},
		{
			name:     "a value computed from the method request",
			request:  "#set($context.requestOverride.header.id = \"id-$input.params('id')\")\n{\"statusCode\": 200}",
			response: `$context.requestOverride.header.id`,
			params:   mapping.Params{Path: map[string]string{"id": "7"}},
			want:     "id-7",
		},
		{
			name:     "bracket assignment and put()",
			request:  "#set($k = 'a')\n#set($context.requestOverride.querystring[$k] = '1')\n$context.requestOverride.querystring.put('b', '2')\n{\"statusCode\": 200}",
			response: `#foreach($e in $context.requestOverride.querystring.entrySet())$e.key=$e.value;#end`,
			want:     "a=1;b=2;",
		},
		{
			name:     "not set: renders empty",
			request:  `{"statusCode": 200}`,
			response: `[$context.requestOverride.header.h]`,
			want:     "[]",
		},
		{
			name:     "the override maps print as empty text",
			request:  "#set($context.requestOverride.header.h = 'H'){\"statusCode\": 200}",
			response: `[$context.requestOverride][$context.requestOverride.header]`,
			want:     "[][]",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := mustCompile(t, &spec.Integration{RequestTemplates: jsonTemplate(c.request),
				Responses: []*spec.IntegrationResponse{ir("", "200", "", kv("application/json", c.response))}})
			got := mustRespond(t, m, Request{Env: newEnv(c.params, nil)})
			if got.Status != 200 || string(got.Body) != c.want || len(got.Header) != 0 {
				t.Errorf("got %d %v %q, want 200, no headers, %q", got.Status, got.Header, got.Body, c.want)
			}
		})
	}
}

// One compiled Integration serves concurrent requests, each with its own Env.
func TestRespondConcurrent(t *testing.T) {
	m := mustCompile(t, &spec.Integration{
		RequestTemplates: jsonTemplate("#set($context.requestOverride.header.n = $input.params('n'))#set($context.responseOverride.header.n = $input.params('n')){\"statusCode\": 200}"),
		Responses:        []*spec.IntegrationResponse{ir("", "200", "", kv("application/json", `{"n": "$context.requestOverride.header.n", "q": "$input.params('n')"}`))},
	})
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for i := range 64 {
		wg.Go(func() {
			n := fmt.Sprint(i)
			got, gerr := respond(m, Request{Env: newEnv(mapping.Params{Query: query("n", n)}, nil)})
			want := `{"n": "` + n + `", "q": "` + n + `"}`
			if gerr != nil || got.Status != 200 || string(got.Body) != want || got.Header.Get("N") != n {
				errs <- fmt.Sprintf("request %s: got %+v, %s", n, got, gerrString(gerr))
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// vector is the part of a corpus vector these tests read.
type vector struct {
	ID       string          `json:"id"`
	Feature  []string        `json:"feature"`
	Phase    string          `json:"phase"`
	Template json.RawMessage `json:"template"` // {"request": ..., "response": ...} for MOCK vectors; a string for others
	Input    struct {
		ClientRequest *struct {
			Method  string            `json:"method"`
			Path    string            `json:"path"`
			Headers map[string]string `json:"headers"`
		} `json:"client_request"`
		TestInvokeMethod *struct {
			PathWithQueryString *string `json:"pathWithQueryString"`
			Body                string  `json:"body"`
		} `json:"test_invoke_method"`
	} `json:"input"`
	Expected struct {
		Status         int               `json:"status"`
		HeadersInclude map[string]string `json:"headers_include"`
		Body           *string           `json:"client_response_body"`
		JSON           json.RawMessage   `json:"client_response_json"`
		BodyJSON       json.RawMessage   `json:"body_json"` // TestInvokeMethod vectors
	} `json:"expected"`
}

// vectorSetup is what a vector describes in prose ("integration" field): the integration responses and
// the resource path whose {parameters} the request path fills.
type vectorSetup struct {
	responses func(responseTemplates []spec.KV) []*spec.IntegrationResponse
	resource  string
	skip      string // a reason the vector cannot apply at this level
}

func defaultOnly(tmpl []spec.KV) []*spec.IntegrationResponse {
	return []*spec.IntegrationResponse{ir("", "200", "", tmpl...)}
}

// twoXXOnly is "integration response 200 with selectionPattern 2\d{2}"; with no default, a status not
// read as 2xx fails the vector with API_CONFIGURATION_ERROR instead of passing by luck.
func twoXXOnly(tmpl []spec.KV) []*spec.IntegrationResponse {
	return []*spec.IntegrationResponse{ir(`2\d{2}`, "200", "", tmpl...)}
}

// mockVectorSetups maps vector ids (or id prefixes ending in '-') to their setup.
var mockVectorSetups = map[string]vectorSetup{
	"mock-requestoverride-carried-to-response-":                            {responses: defaultOnly, resource: "/{testPath}"},
	"mock-responseoverride-set-in-request-template-with-response-template": {responses: twoXXOnly, resource: "/"},
	"mock-responseoverride-set-in-request-template-no-response-template":   {responses: twoXXOnly, resource: "/"},
	"mock-map-assignment-bracket-put-nested":                               {responses: defaultOnly, resource: "/"},
	"mock-invalid-json-request-template-still-200":                         {responses: twoXXOnly, resource: "/test-path"},
	"mock-input-params-path-unquoted-number":                               {responses: defaultOnly, resource: "/{id}"},
	// TestInvokeMethod resolves pathWithQueryString against the resource (absent: the literal resource
	// path, so {petId} is its own value; not matching: no path parameters). That resolution is the
	// control plane's; here the parameters it yields are given to the MOCK, which renders them.
	"testinvoke-get-pets-id": {responses: defaultOnly, resource: "/pets/{petId}"},
}

func setupFor(id string) (vectorSetup, bool) {
	if s, ok := mockVectorSetups[id]; ok {
		return s, true
	}
	for k, s := range mockVectorSetups {
		if strings.HasSuffix(k, "-") && strings.HasPrefix(id, k) {
			return s, true
		}
	}
	// testinvoke-get-pets-id-no-path and -bad-path share the resource of testinvoke-get-pets-id.
	if strings.HasPrefix(id, "testinvoke-get-pets-id-") {
		return mockVectorSetups["testinvoke-get-pets-id"], true
	}
	return vectorSetup{}, false
}

// pathParams matches a request path against a resource path such as /pets/{petId}; ok is false when it
// does not match.
func pathParams(resource, p string) (map[string]string, bool) {
	rs := strings.Split(strings.Trim(resource, "/"), "/")
	ps := strings.Split(strings.Trim(p, "/"), "/")
	if len(rs) != len(ps) {
		return nil, false
	}
	out := map[string]string{}
	for i, r := range rs {
		if strings.HasPrefix(r, "{") && strings.HasSuffix(r, "}") {
			v, err := url.PathUnescape(ps[i])
			if err != nil {
				return nil, false
			}
			out[r[1:len(r)-1]] = v
			continue
		}
		if r != ps[i] {
			return nil, false
		}
	}
	return out, true
}

// MOCK vectors of the corpus (vtl-templates.json, ids mock-* and testinvoke-*).
func TestCorpusMockVectors(t *testing.T) {
	data := testcorpus.Vectors("vtl-templates.json")
	var doc struct {
		Vectors []vector `json:"vectors"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, v := range doc.Vectors {
		if !strings.HasPrefix(v.ID, "mock-") && !strings.HasPrefix(v.ID, "testinvoke-") {
			continue
		}
		n++
		t.Run(v.ID, func(t *testing.T) {
			setup, ok := setupFor(v.ID)
			if !ok {
				t.Fatalf("MOCK vector without a setup in mockVectorSetups (phase %q)", v.Phase)
			}
			if setup.skip != "" {
				t.Skip(setup.skip)
			}
			var tpl struct {
				Request  *string `json:"request"`
				Response *string `json:"response"`
			}
			if err := json.Unmarshal(v.Template, &tpl); err != nil {
				t.Fatalf("template of a MOCK vector: %v", err)
			}
			in := &spec.Integration{Type: "MOCK"}
			if tpl.Request != nil {
				in.RequestTemplates = jsonTemplate(*tpl.Request)
			}
			var tmpl []spec.KV
			if tpl.Response != nil {
				tmpl = jsonTemplate(*tpl.Response)
			}
			in.Responses = setup.responses(tmpl)
			m := mustCompile(t, in)

			req := Request{}
			params := mapping.Params{Header: http.Header{}}
			var reqPath string
			switch {
			case v.Input.ClientRequest != nil:
				cr := v.Input.ClientRequest
				reqPath = cr.Path
				for k, val := range cr.Headers {
					params.Header.Set(k, val)
				}
				req.ContentType = params.Header.Get("Content-Type")
				req.Accept = params.Header.Get("Accept")
			case v.Input.TestInvokeMethod != nil:
				ti := v.Input.TestInvokeMethod
				reqPath = setup.resource
				if ti.PathWithQueryString != nil {
					reqPath = *ti.PathWithQueryString
				}
				req.Body = []byte(ti.Body)
			default:
				t.Fatalf("vector has no client request")
			}
			reqPath, rawQuery, _ := strings.Cut(reqPath, "?")
			if pp, ok := pathParams(setup.resource, reqPath); ok {
				params.Path = pp
			} else if v.Input.ClientRequest != nil {
				t.Fatalf("client path %q does not match resource %q", reqPath, setup.resource)
			}
			params.Query, _ = url.ParseQuery(rawQuery)
			req.Env = newEnv(params, nil)

			got, gerr := m.Respond(req)
			if gerr != nil {
				t.Fatalf("Respond: %s", gerrString(gerr))
			}
			if got.Status != v.Expected.Status {
				t.Errorf("status %d, want %d", got.Status, v.Expected.Status)
			}
			for k, want := range v.Expected.HeadersInclude {
				if g := got.Header.Values(k); len(g) != 1 || g[0] != want {
					t.Errorf("header %s: %q, want %q", k, g, want)
				}
			}
			if v.Expected.Body != nil && string(got.Body) != *v.Expected.Body {
				t.Errorf("body %q, want %q", got.Body, *v.Expected.Body)
			}
			want := v.Expected.JSON
			if len(want) == 0 {
				want = v.Expected.BodyJSON
			}
			if len(want) > 0 {
				var g, w any
				if err := json.Unmarshal(got.Body, &g); err != nil {
					t.Fatalf("body %q is not JSON: %v", got.Body, err)
				}
				if err := json.Unmarshal(want, &w); err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(g, w) {
					t.Errorf("body %s, want %s", got.Body, want)
				}
			}
		})
	}
	if n == 0 {
		t.Fatal("no MOCK vectors found in vtl-templates.json")
	}
}

// BenchmarkRespond is one MOCK request with a small VTL response template: request template, selection,
// a mapped header and the response template.
func BenchmarkRespond(b *testing.B) {
	m := mustCompile(b, &spec.Integration{
		RequestTemplates: []spec.KV{kv("text/plain", `{"statusCode": 500}`), kv("application/json", `{"statusCode": #if($input.params('id') == "0")404#{else}200#end}`)},
		Responses: []*spec.IntegrationResponse{
			ir(`4\d{2}`, "404", "four-xx"),
			{StatusCode: "200",
				ResponseParameters: []spec.KV{kv("method.response.header.X-Stage", "stageVariables.color"), kv("method.response.header.X-Literal", "'v'")},
				ResponseTemplates: []spec.KV{kv("text/html", "<p>$input.params('id')</p>"),
					kv("application/json", `{"id": "$input.params('id')", "requestId": "$context.requestId", "q": "$util.urlEncode($input.params('q'))"}`)}},
		},
	})
	params := mapping.Params{Path: map[string]string{"id": "7"}, Query: query("q", "a b"), Header: header("Accept", "application/json")}
	stage := map[string]string{"color": "blue"}
	const want = `{"id": "7", "requestId": "req-1", "q": "a+b"}`
	check := func(b *testing.B, got *mapping.MethodResponse, gerr *gatewayresponse.Error) {
		if gerr != nil || got.Status != 200 || string(got.Body) != want || got.Header.Get("X-Stage") != "blue" {
			b.Fatalf("got %+v, %s", got, gerrString(gerr))
		}
	}
	// The templates write nothing into $context, so one Env can serve every iteration.
	b.Run("shared-env", func(b *testing.B) {
		req := Request{ContentType: "application/json; charset=utf-8", Accept: "application/json", Env: newEnv(params, stage)}
		b.ReportAllocs()
		for b.Loop() {
			got, gerr := m.Respond(req)
			check(b, got, gerr)
		}
	})
	// As the gateway serves it: a fresh $context per request.
	b.Run("fresh-env", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			got, gerr := m.Respond(Request{ContentType: "application/json; charset=utf-8", Accept: "application/json", Env: newEnv(params, stage)})
			check(b, got, gerr)
		}
	})
}

// A Request without Env is answered as a request with no parameters, not a panic.
func TestRespondWithoutEnv(t *testing.T) {
	m, err := Compile(&spec.Integration{Type: "MOCK",
		RequestTemplates: []spec.KV{{Key: "application/json", Value: `{"statusCode": 200}`}},
		Responses: []*spec.IntegrationResponse{{StatusCode: "200",
			ResponseTemplates: []spec.KV{{Key: "application/json", Value: `[$input.params('x')|$context.stage]`}}}}})
	if err != nil {
		t.Fatal(err)
	}
	resp, gerr := m.Respond(Request{})
	if gerr != nil || resp.Status != 200 || string(resp.Body) != "[|]" {
		t.Errorf("got %+v %v", resp, gerr)
	}
}
