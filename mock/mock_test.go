package mock

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/apigw-local/apigw-local/emulator/gatewayresponse"
	"github.com/apigw-local/apigw-local/emulator/spec"
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

func mustCompile(t testing.TB, in *spec.Integration) *Integration {
	t.Helper()
	m, err := Compile(in)
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	return m
}

// chosenOf is the X-Chosen header of a response, "" when absent.
func chosenOf(r Response) string {
	for _, h := range r.Header {
		if h.Key == "X-Chosen" {
			return h.Value
		}
	}
	return ""
}

func TestCompile(t *testing.T) {
	cases := []struct {
		name        string
		in          *spec.Integration
		wantVTL     bool     // the error wraps ErrVTL
		wantErr     bool     // some error (implied by wantVTL)
		wantMsg     []string // substrings the error message must hold
		notMsg      []string // substrings it must not hold
		passthrough string   // the compiled passthrough behaviour, checked when there is no error
	}{
		{
			name: "plain text templates compile; passthrough defaults to WHEN_NO_MATCH",
			in: &spec.Integration{RequestTemplates: []spec.KV{kv("application/json", `{"statusCode": 200}`)},
				Responses: []*spec.IntegrationResponse{ir("", "200", "", kv("application/json", `{"ok": true}`)), ir(`4\d{2}`, "404", "")}},
			passthrough: "WHEN_NO_MATCH",
		},
		{
			name:        "explicit passthrough is kept",
			in:          &spec.Integration{PassthroughBehavior: "NEVER", Responses: []*spec.IntegrationResponse{ir("", "200", "")}},
			passthrough: "NEVER",
		},
		{
			name:        "no responses at all compiles (Respond then fails per request)",
			in:          &spec.Integration{},
			passthrough: "WHEN_NO_MATCH",
		},
		{
			name:    "request template with a $ reference",
			in:      &spec.Integration{RequestTemplates: []spec.KV{kv("application/json", `{"statusCode": $input.params('code')}`)}},
			wantVTL: true, wantMsg: []string{"request template", "application/json"},
		},
		{
			name:    "request template with a # directive, second content type",
			in:      &spec.Integration{RequestTemplates: []spec.KV{kv("application/json", `{"statusCode": 200}`), kv("text/plain", "#set($x = 1)\n{\"statusCode\": 200}")}},
			wantVTL: true, wantMsg: []string{"text/plain"}, notMsg: []string{"application/json"},
		},
		{
			name:    "response template with VTL in the default response is named default",
			in:      &spec.Integration{Responses: []*spec.IntegrationResponse{ir("", "200", "", kv("text/html", "<p>$context.requestId</p>"))}},
			wantVTL: true, wantMsg: []string{"response template", "text/html", "integration response default"}, notMsg: []string{`""`},
		},
		{
			name:    "response template with VTL in a pattern response names the pattern",
			in:      &spec.Integration{Responses: []*spec.IntegrationResponse{ir(`4\d{2}`, "400", "", kv("application/json", "#if(true)x#end"))}},
			wantVTL: true, wantMsg: []string{"application/json", `"4\\d{2}"`},
		},
		{
			name:    "a lookahead is Java regex syntax Go cannot compile",
			in:      &spec.Integration{Responses: []*spec.IntegrationResponse{ir(`4(?!04)\d{2}`, "400", "")}},
			wantErr: true, wantMsg: []string{"selection pattern", `"4(?!04)\\d{2}"`},
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
			if c.wantVTL || c.wantErr {
				if err == nil {
					t.Fatalf("Compile succeeded, want an error")
				}
				if got := errors.Is(err, ErrVTL); got != c.wantVTL {
					t.Errorf("errors.Is(err, ErrVTL) = %v, want %v (err: %v)", got, c.wantVTL, err)
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
				return
			}
			if err != nil {
				t.Fatalf("Compile: %v", err)
			}
			if m.passthrough != c.passthrough {
				t.Errorf("passthrough %q, want %q", m.passthrough, c.passthrough)
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
		{"statusCode after a longer field name", `{"upstream_statusCode": 404, "statusCode": 201}`, 201, "created"},
		{"other fields around it", `{"a": 1, "statusCode": 404, "b": "x"}`, 404, "four-xx"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := mustCompile(t, &spec.Integration{RequestTemplates: []spec.KV{kv("application/json", c.template)}, Responses: responses})
			got, gerr := m.Respond(Request{})
			if gerr != nil {
				t.Fatalf("Respond: %v", gerr)
			}
			if got.Status != c.wantStatus || chosenOf(got) != c.wantChosen {
				t.Errorf("got %d from %q, want %d from %q", got.Status, chosenOf(got), c.wantStatus, c.wantChosen)
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
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := mustCompile(t, &spec.Integration{RequestTemplates: []spec.KV{kv("application/json", c.template)},
				Responses: []*spec.IntegrationResponse{ir(`2\d{2}`, "200", "")}})
			got, gerr := m.Respond(Request{})
			if !c.wantErr {
				if gerr != nil || got.Status != 200 {
					t.Fatalf("got %d, %v; want 200", got.Status, gerr)
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
			got, gerr := m.Respond(Request{ContentType: c.contentType, Body: body})
			if c.wantStatus == 415 {
				if gerr == nil || gerr.Type != gatewayresponse.UnsupportedMediaType {
					t.Fatalf("got %d, %v; want UNSUPPORTED_MEDIA_TYPE", got.Status, gerr)
				}
				return
			}
			if gerr != nil || got.Status != c.wantStatus {
				t.Errorf("got %d, %v; want %d", got.Status, gerr, c.wantStatus)
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
	templates := []spec.KV{kv("application/json", `{"statusCode": 200}`)}
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
				got, gerr := m.Respond(Request{ContentType: s.contentType, Body: []byte(`{"statusCode": 404}`)})
				if c.want[i] == refused {
					if gerr == nil || gerr.Type != gatewayresponse.UnsupportedMediaType {
						t.Fatalf("got %d, %v; want UNSUPPORTED_MEDIA_TYPE", got.Status, gerr)
					}
					if gatewayresponse.DefaultFor(gerr.Type).Status != 415 {
						t.Errorf("UNSUPPORTED_MEDIA_TYPE must answer 415")
					}
					return
				}
				if gerr != nil || got.Status != c.want[i] {
					t.Errorf("got %d, %v; want %d", got.Status, gerr, c.want[i])
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
			m := mustCompile(t, &spec.Integration{RequestTemplates: []spec.KV{kv("application/json", `{"statusCode": 200}`)},
				Responses: []*spec.IntegrationResponse{ir("", "200", "", c.templates...)}})
			got, gerr := m.Respond(Request{Accept: c.accept})
			if gerr != nil {
				t.Fatal(gerr)
			}
			if got.ContentType != c.wantCT || string(got.Body) != c.wantBody {
				t.Errorf("got %q %q, want %q %q", got.ContentType, got.Body, c.wantCT, c.wantBody)
			}
		})
	}
}

// Body and Content-Type of the answer: no template means an empty body (the request template output or the
// passed-through body is never echoed) and application/json.
func TestRespondBody(t *testing.T) {
	cases := []struct {
		name      string
		in        *spec.Integration
		req       Request
		wantCT    string
		wantBody  string
		wantState int
	}{
		{
			name: "no response template: empty body, application/json",
			in: &spec.Integration{RequestTemplates: []spec.KV{kv("application/json", `{"statusCode": 200, "message": "not echoed"}`)},
				Responses: []*spec.IntegrationResponse{ir(`2\d{2}`, "200", "")}},
			wantCT: "application/json", wantBody: "", wantState: 200,
		},
		{
			name:   "passed-through body is not echoed either",
			in:     &spec.Integration{Responses: []*spec.IntegrationResponse{ir("", "200", "")}},
			req:    Request{ContentType: "text/plain", Body: []byte(`{"statusCode": 200, "message": "not echoed"}`)},
			wantCT: "application/json", wantBody: "", wantState: 200,
		},
		{
			name: "no template in the chosen response, though another response has one",
			in: &spec.Integration{RequestTemplates: []spec.KV{kv("application/json", `{"statusCode": 404}`)},
				Responses: []*spec.IntegrationResponse{ir("", "200", "", kv("application/json", `{"found": true}`)), ir("404", "404", "")}},
			wantCT: "application/json", wantBody: "", wantState: 404,
		},
		{
			name: "template text served as written, whitespace kept",
			in: &spec.Integration{RequestTemplates: []spec.KV{kv("application/json", `{"statusCode": 200}`)},
				Responses: []*spec.IntegrationResponse{ir("", "200", "", kv("text/plain", "  line one\n\tline two\n"))}},
			wantCT: "text/plain", wantBody: "  line one\n\tline two\n", wantState: 200,
		},
		{
			name: "an empty template gives an empty body with its content type",
			in: &spec.Integration{RequestTemplates: []spec.KV{kv("application/json", `{"statusCode": 200}`)},
				Responses: []*spec.IntegrationResponse{ir("", "204", "", kv("text/plain", ""))}},
			wantCT: "text/plain", wantBody: "", wantState: 204,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, gerr := mustCompile(t, c.in).Respond(c.req)
			if gerr != nil {
				t.Fatal(gerr)
			}
			if got.Status != c.wantState || got.ContentType != c.wantCT || string(got.Body) != c.wantBody {
				t.Errorf("got %d %q %q, want %d %q %q", got.Status, got.ContentType, got.Body, c.wantState, c.wantCT, c.wantBody)
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
		kv("method.response.header.X-Missing-Context", "context.nope"),
		kv("method.response.header.X-Backend-Header", "integration.response.header.Server"),
		kv("method.response.header.X-Backend-Multi", "integration.response.multivalueheader.Server"),
		kv("method.response.header.X-Backend-Body", "integration.response.body"),
		kv("method.response.header.X-Backend-Path", "integration.response.body.message"),
	}
	ctx := map[string]string{"requestId": "req-1", "stage": "dev"}
	cases := []struct {
		name string
		req  Request
		want []spec.KV // in mapping order
	}{
		{
			name: "everything available",
			req:  Request{StageVariables: map[string]string{"color": "blue"}, Context: func(k string) string { return ctx[k] }},
			want: []spec.KV{kv("X-Literal", "hello world"), kv("X-Empty-Literal", ""), kv("Access-Control-Allow-Origin", "*"),
				kv("X-Stage", "blue"), kv("X-Request-Id", "req-1")},
		},
		{
			name: "no stage variables, no context",
			req:  Request{},
			want: []spec.KV{kv("X-Literal", "hello world"), kv("X-Empty-Literal", ""), kv("Access-Control-Allow-Origin", "*")},
		},
		{
			name: "a stage variable set to empty is still sent",
			req:  Request{StageVariables: map[string]string{"color": ""}},
			want: []spec.KV{kv("X-Literal", "hello world"), kv("X-Empty-Literal", ""), kv("Access-Control-Allow-Origin", "*"), kv("X-Stage", "")},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := &spec.IntegrationResponse{StatusCode: "200", ResponseParameters: params}
			m := mustCompile(t, &spec.Integration{RequestTemplates: []spec.KV{kv("application/json", `{"statusCode": 200}`)},
				Responses: []*spec.IntegrationResponse{r}})
			got, gerr := m.Respond(c.req)
			if gerr != nil {
				t.Fatal(gerr)
			}
			if !reflect.DeepEqual(got.Header, c.want) {
				t.Errorf("headers\n got %v\nwant %v", got.Header, c.want)
			}
		})
	}
}

// The headers of the response chosen by status, not of another one.
func TestRespondHeadersFollowChosenResponse(t *testing.T) {
	m := mustCompile(t, &spec.Integration{RequestTemplates: []spec.KV{kv("application/json", `{"statusCode": 404}`)},
		Responses: []*spec.IntegrationResponse{ir("", "200", "default"), ir(`4\d{2}`, "404", "four-xx")}})
	got, gerr := m.Respond(Request{})
	if gerr != nil {
		t.Fatal(gerr)
	}
	if want := []spec.KV{kv("X-Chosen", "four-xx")}; !reflect.DeepEqual(got.Header, want) {
		t.Errorf("headers %v, want %v", got.Header, want)
	}
}

// vector is the part of a corpus vector these tests read.
type vector struct {
	ID       string          `json:"id"`
	Feature  []string        `json:"feature"`
	Evidence string          `json:"evidence"`
	Phase    string          `json:"phase"`
	Template json.RawMessage `json:"template"` // {"request": ..., "response": ...} for MOCK vectors; a string for others
	Expected struct {
		Status int             `json:"status"`
		Body   *string         `json:"client_response_body"`
		JSON   json.RawMessage `json:"client_response_json"`
	} `json:"expected"`
}

// mockVectorSetup is, per plain-text MOCK vector, the integration responses the vector describes in prose.
var mockVectorSetup = map[string][]*spec.IntegrationResponse{
	// "integration response selectionPattern 2\d{2} with no template"; no default, so a status that is
	// not read as 2xx fails the test with API_CONFIGURATION_ERROR instead of passing by luck.
	"mock-invalid-json-request-template-still-200": {ir(`2\d{2}`, "200", "")},
}

// MOCK vectors of the corpus (vtl-templates.json). Those needing Velocity are checked to be refused with
// ErrVTL (the method then answers 500 with a clear reason) and skipped.
func TestCorpusMockVectors(t *testing.T) {
	path := filepath.Join("..", "..", "shared", "corpus", "aws-vectors", "vtl-templates.json")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Skipf("corpus not available: %v", err)
	}
	var file struct {
		Vectors []vector `json:"vectors"`
	}
	if err := json.Unmarshal(data, &file); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, v := range file.Vectors {
		if !strings.Contains(v.Phase, "(MOCK)") {
			continue
		}
		n++
		t.Run(v.ID, func(t *testing.T) {
			var tpl struct {
				Request  *string `json:"request"`
				Response *string `json:"response"`
			}
			if err := json.Unmarshal(v.Template, &tpl); err != nil {
				t.Fatalf("template of a MOCK vector: %v", err)
			}
			in := &spec.Integration{}
			if tpl.Request != nil {
				in.RequestTemplates = []spec.KV{kv("application/json", *tpl.Request)}
			}
			responses, known := mockVectorSetup[v.ID]
			if !known {
				responses = []*spec.IntegrationResponse{ir("", "200", "")}
			}
			for _, r := range responses {
				c := *r
				if tpl.Response != nil {
					c.ResponseTemplates = []spec.KV{kv("application/json", *tpl.Response)}
				}
				in.Responses = append(in.Responses, &c)
			}
			needsVTL := (tpl.Request != nil && usesVTL(*tpl.Request)) || (tpl.Response != nil && usesVTL(*tpl.Response))
			m, err := Compile(in)
			if needsVTL {
				if !errors.Is(err, ErrVTL) {
					t.Fatalf("a VTL template must be refused with ErrVTL, got %v", err)
				}
				t.Skipf("needs the VTL engine (%s)", strings.Join(v.Feature, ", "))
			}
			if !known {
				t.Fatalf("plain-text MOCK vector without a setup in mockVectorSetup")
			}
			if err != nil {
				t.Fatal(err)
			}
			got, gerr := m.Respond(Request{})
			if gerr != nil {
				t.Fatalf("Respond: %v", gerr)
			}
			if got.Status != v.Expected.Status {
				t.Errorf("status %d, want %d", got.Status, v.Expected.Status)
			}
			if v.Expected.Body != nil && string(got.Body) != *v.Expected.Body {
				t.Errorf("body %q, want %q", got.Body, *v.Expected.Body)
			}
			if want := v.Expected.JSON; len(want) > 0 {
				var g, w any
				if err := json.Unmarshal(got.Body, &g); err != nil {
					t.Fatalf("body %q is not JSON: %v", got.Body, err)
				}
				_ = json.Unmarshal(want, &w)
				if !reflect.DeepEqual(g, w) {
					t.Errorf("body %s, want %s", got.Body, want)
				}
			}
		})
	}
	if n == 0 {
		t.Fatalf("no MOCK vectors found in %s", path)
	}
}

func BenchmarkRespond(b *testing.B) {
	m := mustCompile(b, &spec.Integration{
		RequestTemplates: []spec.KV{kv("text/plain", `{"statusCode": 500}`), kv("application/json", `{"statusCode": 404}`)},
		Responses: []*spec.IntegrationResponse{
			ir("", "200", "default"),
			{SelectionPattern: `4\d{2}`, StatusCode: "404",
				ResponseParameters: []spec.KV{kv("method.response.header.X-Stage", "stageVariables.color"), kv("method.response.header.X-Literal", "'v'")},
				ResponseTemplates:  []spec.KV{kv("text/html", "<p>not found</p>"), kv("application/json", `{"message": "not found"}`)}},
		},
	})
	req := Request{ContentType: "application/json; charset=utf-8", Accept: "text/html", StageVariables: map[string]string{"color": "blue"}}
	b.ReportAllocs()
	for b.Loop() {
		got, gerr := m.Respond(req)
		if gerr != nil || got.Status != 404 || !bytes.Equal(got.Body, []byte("<p>not found</p>")) {
			b.Fatalf("got %+v, %v", got, gerr)
		}
	}
}
