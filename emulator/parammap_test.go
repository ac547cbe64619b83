package emulator

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

// An HTTP API's requestParameters change what the backend gets and its responseParameters what the
// client gets (reference §j.8), for HTTP_PROXY and Lambda integrations alike; the client's request is
// read before anything changes.
func TestHTTPAPIParameterMapping(t *testing.T) {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Backend", "b-value")
		w.Header().Set("Server", "backend")
		status := 200
		if r.URL.Query().Get("fail") != "" {
			status = 404
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(map[string]any{"path": r.URL.EscapedPath(), "query": r.URL.RawQuery, "header": r.Header, "id": "from-body"})
	}))
	t.Cleanup(backend.Close)
	doc := fmt.Sprintf(`openapi: "3.0.1"
info: {title: mapped, version: "1"}
paths:
  /items/{id}:
    get:
      x-amazon-apigateway-integration:
        type: http_proxy
        httpMethod: GET
        payloadFormatVersion: "1.0"
        uri: %[1]q
        requestParameters:
          overwrite:header.x-user: "${request.path.id}-${stageVariables.env}"
          append:header.x-tag: added
          remove:header.x-secret: "''"
          overwrite:querystring.page: "$request.header.x-page"
          remove:querystring.drop: "''"
          overwrite:path: "/backend/$request.path.id"
        responseParameters:
          "200":
            append:header.x-copied: "$response.header.x-backend"
            remove:header.server: "''"
            overwrite:header.x-id: "$response.body.id"
          "404":
            overwrite:statuscode: "200"
            overwrite:header.x-was: "404"
  /fn:
    post:
      x-amazon-apigateway-integration:
        type: aws_proxy
        httpMethod: POST
        payloadFormatVersion: "2.0"
        uri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/Fn/invocations"
        requestParameters:
          overwrite:header.x-from-body: "$request.body.name"
          append:querystring.q: "$context.stage"
        responseParameters:
          "200":
            overwrite:statuscode: "201"
            overwrite:header.x-fn: "$response.header.x-own"
`, backend.URL+"/ignored")
	l := loadFilesFindings(t, t.TempDir(), doc, "stages: {$default: {variables: {env: beta}}}\n")
	snap, err := l.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	g := NewGateway(snap, NewAccessLog(io.Discard, LogText, false))
	t.Cleanup(func() { g.Close() })
	g.RegisterHandler("Fn", lambda.NewHandler(func(ctx context.Context, e events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
		return events.APIGatewayV2HTTPResponse{StatusCode: 200, Headers: map[string]string{"x-own": "own"},
			Body: e.Headers["x-from-body"] + " " + e.RawQueryString}, nil
	}))
	srv := httptest.NewServer(g)
	t.Cleanup(srv.Close)

	res := do(t, "GET", srv.URL+"/items/42?page=1&drop=x&keep=%2F", map[string]string{"X-Page": "7", "X-Secret": "s", "X-Tag": "client"}, "")
	var got struct {
		Path, Query string
		Header      http.Header
	}
	if err := json.Unmarshal(res.body, &got); err != nil || res.status != 200 {
		t.Fatalf("GET /items/42: %d %s", res.status, res.body)
	}
	if got.Path != "/backend/42" || got.Query != "keep=%2F&page=7" {
		t.Errorf("the backend got path %q query %q, want /backend/42 and keep=%%2F&page=7", got.Path, got.Query)
	}
	if got.Header.Get("X-User") != "42-beta" || strings.Join(got.Header.Values("X-Tag"), "|") != "client|added" || got.Header.Get("X-Secret") != "" {
		t.Errorf("the backend got headers %v", got.Header)
	}
	if res.header.Get("X-Copied") != "b-value" || res.header.Get("Server") != "" || res.header.Get("X-Id") != "from-body" || res.header.Get("X-Backend") != "b-value" {
		t.Errorf("the client got headers %v", res.header)
	}

	res = do(t, "GET", srv.URL+"/items/1?fail=1", nil, "")
	if res.status != 200 || res.header.Get("X-Was") != "404" || res.header.Get("X-Copied") != "" {
		t.Errorf("a mapped 404: %d %v", res.status, res.header)
	}

	res = do(t, "POST", srv.URL+"/fn?q=1", map[string]string{"Content-Type": "application/json"}, `{"name": "ann"}`)
	if res.status != 201 || string(res.body) != "ann q=1&q=%24default" || res.header.Get("X-Fn") != "own" {
		t.Errorf("POST /fn: %d %s %v, want 201 \"ann q=1&q=%%24default\" with x-fn: own", res.status, res.body, res.header)
	}

	// A mapping the import refuses is an error of the spec, located at its integration.
	dir := t.TempDir()
	specPath := dir + "/openapi.yaml"
	_ = os.WriteFile(specPath, []byte(doc+fmt.Sprintf(`  /bad:
    get:
      x-amazon-apigateway-integration:
        type: http_proxy
        httpMethod: GET
        payloadFormatVersion: "1.0"
        uri: %[1]q
        requestParameters:
          overwrite:header.authorization: "x"
`, backend.URL)), 0o644)
	l, err = Load(Sources{Specs: []string{specPath}})
	want := specPath + `:43:9: error: paths["/bad"].get.x-amazon-apigateway-integration: GET /bad: parameter mapping: "overwrite:header.authorization": the authorization header is reserved: API Gateway does not let a mapping change it; API Gateway's import refuses it`
	if err == nil || !strings.Contains(l.Findings.Error(), want) {
		t.Errorf("a reserved header: %v, want the finding\n%s\nin\n%s", err, want, l.Findings.Error())
	}
}
