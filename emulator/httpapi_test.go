package emulator

import (
	"context"
	"encoding/json"
	"io"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

// An HTTP API answers a request no route matches with 404 {"message":"Not Found"} (a REST API: 403
// Missing Authentication Token), names its answers with apigw-requestid alone, and sends every request
// no other route takes to its $default route when it has one (reference §j.1).
func TestHTTPAPINotFoundAndDefaultRoute(t *testing.T) {
	const head = `openapi: "3.0.1"
info: {title: shop, version: "1"}
x-amazon-apigateway-cors: {allowOrigins: ["*"]}
paths:
  /pets:
    get:
      x-amazon-apigateway-integration: {type: aws_proxy, httpMethod: POST, payloadFormatVersion: "2.0", uri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/Pets/invocations"}
`
	const withDefault = head + `  /toys/{id}:
    post:
      x-amazon-apigateway-integration: {type: aws_proxy, httpMethod: POST, payloadFormatVersion: "2.0", uri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/Pets/invocations"}
  /$default:
    x-amazon-apigateway-any-method:
      x-amazon-apigateway-integration: {type: aws_proxy, httpMethod: POST, payloadFormatVersion: "2.0", uri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/Catch/invocations"}
`
	serve := func(doc string) string {
		snap := loadFiles(t, t.TempDir(), doc, "")
		g := NewGateway(snap, NewAccessLog(io.Discard, LogText, false))
		t.Cleanup(func() { g.Close() })
		for _, name := range []string{"Pets", "Catch"} {
			g.RegisterHandler(name, lambda.NewHandler(func(ctx context.Context, e events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
				return events.APIGatewayV2HTTPResponse{StatusCode: 200, Body: name + " " + e.RawPath}, nil
			}))
		}
		srv := httptest.NewServer(g)
		t.Cleanup(srv.Close)
		return srv.URL
	}

	base := serve(head)
	if res := do(t, "GET", base+"/dev/pets", nil, ""); res.status != 200 || string(res.body) != "Pets /dev/pets" {
		t.Fatalf("GET /pets: %d %s", res.status, res.body)
	}
	for _, c := range []struct {
		name, method, path string
		header             map[string]string
	}{
		{"unknown path", "GET", "/dev/nothing", nil},
		{"known path, another method", "DELETE", "/dev/pets", nil},
		{"unknown stage", "GET", "/prod/pets", nil},
		{"an Authorization header that is not SigV4", "GET", "/dev/nothing", map[string]string{"Authorization": "Bearer abc"}},
	} {
		res := do(t, c.method, base+c.path, c.header, "")
		var body map[string]string
		_ = json.Unmarshal(res.body, &body)
		if res.status != 404 || string(res.body) != `{"message":"Not Found"}` || res.header.Get("Content-Type") != "application/json" {
			t.Errorf("%s: %d %s %v, want 404 {\"message\":\"Not Found\"}", c.name, res.status, res.body, res.header)
		}
		if res.header.Get("apigw-requestid") == "" || res.header.Get("x-amzn-RequestId") != "" || res.header.Get("x-amzn-ErrorType") != "" {
			t.Errorf("%s: headers %v, want apigw-requestid and no REST headers", c.name, res.header)
		}
	}

	base = serve(withDefault)
	for _, c := range []struct{ method, path, want string }{
		{"GET", "/dev/pets", "Pets /dev/pets"},
		{"GET", "/dev/nothing/here", "Catch /dev/nothing/here"},
		{"DELETE", "/dev/pets", "Catch /dev/pets"},
		{"GET", "/dev/toys/1", "Catch /dev/toys/1"}, // /toys/{id} has no GET: the search goes on (REST: 403)
		{"POST", "/dev/toys/1", "Pets /dev/toys/1"},
	} {
		if res := do(t, c.method, base+c.path, nil, ""); res.status != 200 || string(res.body) != c.want {
			t.Errorf("%s %s with a $default route: %d %s, want 200 %s", c.method, c.path, res.status, res.body, c.want)
		}
	}
}
