package integration_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"testing"

	"github.com/apigw-local/apigw-local/integration"
	"github.com/aws/aws-lambda-go/events"
	"github.com/testcontainers/testcontainers-go"
)

// A test against the apigw-local container (needs Docker and the image: make image). Specs, the config
// and a static handler binary are copied into the container; the Go handler runs in the test process.
func ExampleRun() {
	ctx := context.Background()
	c, err := integration.Run(ctx, "apigw-local:dev",
		integration.WithSpec("testdata/openapi.yaml"),
		integration.WithConfig("testdata/apigw-local.yaml"),
		integration.WithFunctionBinary("Echo", "bin/echo"), // CGO_ENABLED=0 GOOS=linux go build -o bin/echo ./echo
		integration.WithHandler("Greet", func(ctx context.Context, e events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
			return events.APIGatewayProxyResponse{StatusCode: 200, Body: "hello, " + e.QueryStringParameters["name"]}, nil
		}),
	)
	defer func() {
		if err := testcontainers.TerminateContainer(c); err != nil {
			fmt.Println(err)
		}
	}()
	if err != nil {
		fmt.Println(err)
		return
	}
	url, err := c.URL(ctx, "test") // http://127.0.0.1:PORT/test
	if err != nil {
		fmt.Println(err)
		return
	}
	resp, err := http.Get(url + "/greet?name=gopher")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.StatusCode, string(body))

	u, err := c.Usage(ctx, "tester") // the API key's usage, as AWS GetUsage answers it
	if err == nil {
		fmt.Println(u.UsagePlanID)
	}
	_ = c.Reset(ctx) // refill the buckets and forget the counts between tests
}

// The same API served in the test process: no Docker, started with the test and stopped when it ends.
func ExampleStart() {
	// A test function (func TestGreet(t *testing.T) in a _test.go file):
	testGreet := func(t *testing.T) {
		l := integration.Start(t,
			integration.WithSpec("testdata/openapi.yaml"),
			integration.WithConfig("testdata/apigw-local.yaml"),
			integration.WithFunctionBinary("Echo", "bin/echo"), // run as a local process
			integration.WithHandler("Greet", func(ctx context.Context, e events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
				return events.APIGatewayProxyResponse{StatusCode: 200, Body: "hello, " + e.QueryStringParameters["name"]}, nil
			}),
		)
		resp, err := http.Get(l.URL("test") + "/greet?name=gopher")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 || string(body) != "hello, gopher" {
			t.Errorf("GET /test/greet: %d %s", resp.StatusCode, body)
		}
		if err := l.Reset(t.Context()); err != nil { // between tests: refill the buckets, forget the counts
			t.Fatal(err)
		}
	}
	_ = testGreet
}
