package validator

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/apigw-local/apigw-local/internal/spec"
	"github.com/getkin/kin-openapi/openapi3"
)

// Missing parameters are named headers first, then path, then query string, each in declaration order; a
// required path parameter the resource path lacks is always missing; blank is missing.
func TestParametersOrder(t *testing.T) {
	m := &spec.Method{Parameters: []spec.Parameter{
		{In: "querystring", Name: "q2", Required: true},
		{In: "path", Name: "id", Required: true},
		{In: "header", Name: "h2", Required: true},
		{In: "querystring", Name: "q1", Required: true},
		{In: "path", Name: "issuer", Required: true},
		{In: "header", Name: "h1", Required: true},
		{In: "querystring", Name: "optional"},
	}}
	v, problems := Compile(&spec.RequestValidator{Name: "p", ValidateRequestParameters: true}, m, "/things/{id}")
	if v == nil || problems != nil {
		t.Fatalf("compile: %v %v", v, problems)
	}
	gerr := v.Parameters(http.Header{"H1": {""}}, url.Values{"q1": {"x", ""}}, map[string]string{"id": "7"})
	if gerr == nil || gerr.Message != "Missing required request parameters: [h2, h1, issuer, q2, q1]" {
		t.Fatalf("got %+v", gerr)
	}
	ok := v.Parameters(http.Header{"H1": {"a"}, "H2": {"b"}}, url.Values{"q1": {"x"}, "q2": {"y"}}, map[string]string{"id": "7", "issuer": "i"})
	if ok == nil || ok.Message != "Missing required request parameters: [issuer]" {
		t.Errorf("issuer outside the resource path: got %+v", ok)
	}
	if v, _ := Compile(&spec.RequestValidator{Name: "none"}, m, "/things/{id}"); v != nil {
		t.Errorf("a validator that validates nothing compiled to %+v", v)
	}
}

// Formats are draft 4's: email, hostname, ipv4, ipv6, uri and date-time are checked; OpenAPI's own (byte,
// int32) are not, as draft 4 validators ignore formats they do not define.
func TestDraft4Formats(t *testing.T) {
	str := func(format string) *openapi3.SchemaRef {
		return &openapi3.SchemaRef{Value: &openapi3.Schema{Type: &openapi3.Types{"string"}, Format: format}}
	}
	schema := &openapi3.Schema{Type: &openapi3.Types{"object"}, Properties: openapi3.Schemas{
		"email": str("email"), "host": str("hostname"), "ip": str("ipv4"), "uri": str("uri"), "at": str("date-time"),
		"b64": str("byte"),
		"n":   {Value: &openapi3.Schema{Type: &openapi3.Types{"integer"}, Format: "int32"}},
	}}
	m := &spec.Method{RequestModels: []spec.RequestModel{{ContentType: "application/json", Model: "M", Schema: schema}}}
	v, problems := Compile(&spec.RequestValidator{Name: "b", ValidateRequestBody: true}, m, "/")
	if problems != nil {
		t.Fatal(problems)
	}
	for body, valid := range map[string]bool{
		`{"email": "ada@example.com", "host": "api.example.com", "ip": "10.0.0.1", "uri": "https://x.test/a", "at": "2024-01-02T03:04:05Z"}`: true,
		`{"b64": "not base64 at all!", "n": 1099511627776}`: true,
		`{"email": "not an email"}`:                         false,
		`{"host": "-bad-.example"}`:                         false,
		`{"ip": "300.1.1.1"}`:                               false,
		`{"uri": "no scheme"}`:                              false,
		`{"at": "yesterday"}`:                               false,
	} {
		if gerr := v.Body("", []byte(body)); (gerr == nil) != valid {
			t.Errorf("%s: valid %v, got %+v", body, valid, gerr)
		}
	}
}

// A content type without a model is not validated, unless a $default model stands for every content type.
func TestModelForContentType(t *testing.T) {
	obj := &openapi3.Schema{Type: &openapi3.Types{"object"}}
	arr := &openapi3.Schema{Type: &openapi3.Types{"array"}}
	for _, c := range []struct {
		models      []spec.RequestModel
		contentType string
		body        string
		wantRefused bool
	}{
		{[]spec.RequestModel{{ContentType: "application/json", Schema: obj}}, "", "[]", true},
		{[]spec.RequestModel{{ContentType: "application/json", Schema: obj}}, "Application/JSON; charset=utf-8", "[]", true},
		{[]spec.RequestModel{{ContentType: "application/json", Schema: obj}}, "text/plain", "[]", false},
		{[]spec.RequestModel{{ContentType: "application/json", Schema: obj}, {ContentType: "$default", Schema: arr}}, "text/plain", "{}", true},
		{[]spec.RequestModel{{ContentType: "application/json", Schema: obj}, {ContentType: "$default", Schema: arr}}, "application/json", "{}", false},
	} {
		v, _ := Compile(&spec.RequestValidator{Name: "b", ValidateRequestBody: true}, &spec.Method{RequestModels: c.models}, "/")
		if gerr := v.Body(c.contentType, []byte(c.body)); (gerr != nil) != c.wantRefused {
			t.Errorf("%q %s with %d models: refused %v, want %v", c.contentType, c.body, len(c.models), gerr != nil, c.wantRefused)
		}
	}
}
