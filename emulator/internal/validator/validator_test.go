package validator

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/apigw-local/apigw-local/internal/spec"
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
