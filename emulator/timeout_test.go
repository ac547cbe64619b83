package emulator

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

// Every integration type that calls a backend answers 504 {"message": "Endpoint request timed out"} once
// timeoutInMillis has passed, and cancels the backend call (reference §c).
func TestIntegrationTimeoutEveryType(t *testing.T) {
	cancelled := make(chan string, 10)
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(60 * time.Second):
			w.Write([]byte(`{"late": true}`))
		case <-r.Context().Done():
			cancelled <- r.URL.Path
		}
	}))
	defer backend.Close()

	spec := fmt.Sprintf(`openapi: "3.0.1"
info: {title: timeouts, version: "1"}
paths:
  /http-proxy:
    get:
      x-amazon-apigateway-integration: {type: http_proxy, httpMethod: GET, uri: "%[1]s/http-proxy", timeoutInMillis: 150}
  /http:
    get:
      x-amazon-apigateway-integration:
        type: http
        httpMethod: GET
        uri: "%[1]s/http"
        timeoutInMillis: 150
        responses: {default: {statusCode: "200"}}
  /aws:
    get:
      x-amazon-apigateway-integration:
        type: aws
        httpMethod: POST
        uri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/Sleep/invocations"
        timeoutInMillis: 150
        requestTemplates: {application/json: '{"ms": 60000}'}
        responses: {default: {statusCode: "200"}}
  /aws-proxy:
    get:
      x-amazon-apigateway-integration: {type: aws_proxy, httpMethod: POST, timeoutInMillis: 150, uri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/InProcessSlow/invocations"}
`, backend.URL)
	cfg := fmt.Sprintf("functions:\n  Sleep: {command: [%q], timeout: 5s}\n", fixture(t, "sleep"))
	srv, gw := newGateway(t, spec, cfg)
	defer gw.Close()
	release := make(chan struct{})
	defer close(release) // before Close: the careless handler below returns then
	gw.RegisterHandler("InProcessSlow", lambda.NewHandler(func(ctx context.Context, e events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
		<-release // ignores its deadline, as a careless handler does
		return events.APIGatewayProxyResponse{StatusCode: 200}, nil
	}))
	for _, path := range []string{"/http-proxy", "/http", "/aws", "/aws-proxy"} {
		t.Run(strings.TrimPrefix(path, "/"), func(t *testing.T) {
			start := time.Now()
			r := do(t, "GET", srv.URL+"/dev"+path, nil, "")
			took := time.Since(start)
			if r.status != 504 || string(r.body) != `{"message": "Endpoint request timed out"}` || r.header.Get("x-amzn-ErrorType") != "InternalServerErrorException" {
				t.Errorf("%d %s %v", r.status, r.body, r.header)
			}
			// The backends would take 60 s (or until released): the upper bound is generous, so that only a
			// timeout that does not act reaches it, not a loaded machine.
			if took < 140*time.Millisecond || took > 30*time.Second {
				t.Errorf("answered after %v, want about timeoutInMillis 150", took)
			}
		})
	}
	for _, want := range []string{"/http-proxy", "/http"} {
		select {
		case got := <-cancelled:
			if got != want {
				t.Errorf("cancelled %s, want %s", got, want)
			}
		case <-time.After(30 * time.Second):
			t.Errorf("the backend call of %s was not cancelled", want)
		}
	}
}

// Without timeoutInMillis every integration gets AWS's default of 29 s, integrationTimeoutMax caps what
// the spec asks for, and /_apigw/routes says which timeout applies (checked without waiting 29 s).
func TestIntegrationTimeoutDefault(t *testing.T) {
	t.Parallel()
	spec := `openapi: "3.0.1"
info: {title: timeouts, version: "1"}
paths:
  /mock:
    get:
      x-amazon-apigateway-integration: {type: mock, requestTemplates: {application/json: '{"statusCode": 200}'}, responses: {default: {statusCode: "200"}}}
  /http-proxy:
    get:
      x-amazon-apigateway-integration: {type: http_proxy, httpMethod: GET, uri: "http://127.0.0.1:9/x"}
  /http:
    get:
      x-amazon-apigateway-integration: {type: http, httpMethod: GET, uri: "http://127.0.0.1:9/x", responses: {default: {statusCode: "200"}}}
  /aws:
    get:
      x-amazon-apigateway-integration: {type: aws, httpMethod: POST, uri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/F/invocations", responses: {default: {statusCode: "200"}}}
  /aws-proxy:
    get:
      x-amazon-apigateway-integration: {type: aws_proxy, httpMethod: POST, uri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/F/invocations"}
  /short:
    get:
      x-amazon-apigateway-integration: {type: http_proxy, httpMethod: GET, uri: "http://127.0.0.1:9/x", timeoutInMillis: 50}
  /long:
    get:
      x-amazon-apigateway-integration: {type: http_proxy, httpMethod: GET, uri: "http://127.0.0.1:9/x", timeoutInMillis: 60000}
`
	for _, c := range []struct {
		name, config string
		want         map[string]int64
	}{
		{"AWS defaults", "", map[string]int64{"/mock": 29000, "/http-proxy": 29000, "/http": 29000, "/aws": 29000, "/aws-proxy": 29000, "/short": 50, "/long": 29000}},
		{"lower cap", "integrationTimeoutMax: 10s\n", map[string]int64{"/mock": 10000, "/http": 10000, "/aws-proxy": 10000, "/short": 50, "/long": 10000}},
		{"raised quota", "integrationTimeoutMax: 120s\n", map[string]int64{"/aws": 29000, "/long": 60000}},
	} {
		t.Run(c.name, func(t *testing.T) {
			snap := loadFiles(t, t.TempDir(), spec, c.config)
			got := map[string]int64{}
			for _, r := range snap.Routes() {
				got[r.Path] = r.TimeoutInMillis
			}
			for path, want := range c.want {
				if got[path] != want {
					t.Errorf("%s: timeoutInMillis %d, want %d", path, got[path], want)
				}
			}
		})
	}
}
