package spec

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/apigw-local/apigw-local/internal/testcorpus"
)

// Which kind of API a definition is, and why: HTTP-API-only features decide HTTP, REST-only ones REST, and
// the two marks both kinds carry (importexport-version, payloadFormatVersion 1.0) decide HTTP only when
// nothing REST-only is there.
func TestAPIType(t *testing.T) {
	const head = "openapi: \"3.0.1\"\ninfo: {title: t, version: \"1\"}\n"
	proxy := func(extra string) string {
		return "      x-amazon-apigateway-integration: {type: aws_proxy, httpMethod: POST, uri: \"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:f/invocations\"" + extra + "}\n"
	}
	mock := "      x-amazon-apigateway-integration: {type: mock, requestTemplates: {application/json: '{\"statusCode\": 200}'}}\n"
	for _, c := range []struct {
		name, doc string
		forced    APIType
		want      APIType
		reason    string // a part of TypeReason
		restOnly  string // a part of RESTOnly
	}{
		{"nothing either way", head + "paths:\n  /a:\n    get:\n" + proxy(""), "", REST, "nothing only HTTP APIs have", ""},
		{"payload 2.0", head + "paths:\n  /a:\n    get:\n" + proxy(", payloadFormatVersion: \"2.0\""), "", HTTP, "payloadFormatVersion 2.0 (line 6)", ""},
		{"payload 1.0 alone", head + "paths:\n  /a:\n    get:\n" + proxy(", payloadFormatVersion: \"1.0\""), "", HTTP, "payloadFormatVersion 1.0", ""},
		{"payload 1.0 with a MOCK", head + "paths:\n  /a:\n    get:\n" + proxy(", payloadFormatVersion: \"1.0\"") + "  /b:\n    get:\n" + mock, "", REST, "MOCK integration", ""},
		{"importexport-version alone", head + "x-amazon-apigateway-importexport-version: \"1.0\"\npaths:\n  /a:\n    get:\n" + proxy(""), "", HTTP, "importexport-version", ""},
		{"importexport-version with method.request identity source", head + "x-amazon-apigateway-importexport-version: \"1.0\"\npaths:\n  /a:\n    get:\n      security: [{auth: []}]\n" + proxy("") +
			"components:\n  securitySchemes:\n    auth:\n      type: apiKey\n      name: Authorization\n      in: header\n      x-amazon-apigateway-authorizer: {type: request, identitySource: method.request.header.Authorization, authorizerUri: \"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:a/invocations\"}\n",
			"", REST, "method.request.header.Authorization", ""},
		{"cors", head + "x-amazon-apigateway-cors: {allowOrigins: [\"*\"]}\npaths:\n  /a:\n    get:\n" + proxy(""), "", HTTP, "x-amazon-apigateway-cors", ""},
		{"$default route", head + "paths:\n  /$default:\n    x-amazon-apigateway-any-method:\n" + proxy(""), "", HTTP, "the $default route", ""},
		{"integrationSubtype", head + "paths:\n  /a:\n    post:\n      x-amazon-apigateway-integration: {type: aws_proxy, integrationSubtype: SQS-SendMessage, payloadFormatVersion: \"1.0\", requestParameters: {QueueUrl: q, MessageBody: $request.body}}\n", "", HTTP, "integrationSubtype SQS-SendMessage", ""},
		{"HTTP with a REST-only part", head + "x-amazon-apigateway-cors: {allowOrigins: [\"*\"]}\nx-amazon-apigateway-binary-media-types: [image/png]\npaths:\n  /a:\n    get:\n" + proxy(""), "", HTTP, "x-amazon-apigateway-cors", "binary-media-types"},
		{"forced REST", head + "x-amazon-apigateway-cors: {allowOrigins: [\"*\"]}\npaths:\n  /a:\n    get:\n" + proxy(""), REST, REST, "apiType in the config", ""},
		{"forced HTTP", head + "paths:\n  /a:\n    get:\n" + proxy(""), HTTP, HTTP, "apiType in the config", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			api, fs := Parse("api.yaml", []byte(c.doc), Options{Type: c.forced})
			if api == nil {
				t.Fatalf("not parsed: %v", fs)
			}
			if api.Type != c.want || !strings.Contains(api.TypeReason, c.reason) || (c.restOnly == "") != (api.RESTOnly == "") || !strings.Contains(api.RESTOnly, c.restOnly) {
				t.Errorf("got %s (%q, REST-only %q), want %s (%q, REST-only %q)", api.Type, api.TypeReason, api.RESTOnly, c.want, c.reason, c.restOnly)
			}
		})
	}
}

// Every spec of the corpus that is an HTTP API is recognised as one; every other one as a REST API. The
// corpus's index names its HTTP APIs; oas30-cognito-auth comes from AWS's HTTP API sample but has a
// Cognito user pool authorizer and non-proxy HTTP integrations, which only REST APIs have (LocalStack
// imports it as one), and stage-variables-http-proxy (written by LocalStack) has payloadFormatVersion
// 1.0 and nothing REST-only.
func TestCorpusAPITypes(t *testing.T) {
	dir := testcorpus.Specs(t)
	httpAPIs := map[string]bool{
		"awsdocs__amazon-api-gateway-developer-guide__http-api-export-oas30.json":            true,
		"awsdocs__amazon-api-gateway-developer-guide__http-api-integrations-components.json": true,
		"localstack__localstack__http-api-petstore-cors.json":                                true,
		"localstack__localstack__stage-variables-http-proxy.json":                            true,
		"in28minutes__go-serverless__hello-world-http-oas30.yaml":                            true,
		"in28minutes__go-serverless__todo-api-http-jwt-oas30.yaml":                           true,
		"aws-samples__serverless-patterns__http-api-sqs-integration.yaml":                    true,
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.*"))
	seen := 0
	for _, f := range files {
		if filepath.Ext(f) == ".md" {
			continue
		}
		api, _ := Load(f, Options{})
		if api == nil {
			continue // a template that embeds its definition (the smoke tests extract those)
		}
		want := REST
		if httpAPIs[filepath.Base(f)] {
			want, seen = HTTP, seen+1
		}
		if api.Type != want {
			t.Errorf("%s: %s (%s), want %s", filepath.Base(f), api.Type, api.TypeReason, want)
		}
	}
	if seen != len(httpAPIs) {
		t.Errorf("found %d of the corpus's %d HTTP APIs", seen, len(httpAPIs))
	}
}
