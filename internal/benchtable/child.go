//go:build linux

package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/apigw-local/apigw-local/emulator"
)

// roleArg is the hidden first argument that makes the program a server child instead of the driver. It
// is not a flag of the driver's FlagSet, so -h does not list it.
const roleArg = "--benchtable-role"

// The servers a child can be. Each pair of the table puts one apigw-local role against its plain peer.
const (
	roleMockGateway     = "gateway-mock"
	roleBare            = "bare"
	roleBackend         = "backend"
	roleProxyGateway    = "gateway-http-proxy"
	roleReverseProxy    = "reverseproxy"
	roleLambdaProcess   = "gateway-lambda-process"
	roleLambdaInProcess = "gateway-lambda-inprocess"
)

// mockBody is what the bare handler writes: the body the MOCK route's templates render for /pets/2.
const mockBody = `{"id": 2, "type": "cat", "price": 124.99}`

// benchConfig lifts the account throttle (AWS's default: 10,000 requests/s, burst 5,000), which the
// faster routes exceed on loopback and which would otherwise answer 429 as it should (as in
// emulator/bench_test.go).
const benchConfig = "account: {throttle: {rateLimit: 1000000000, burstLimit: 1000000000}}\n"

// mockSpec is BenchmarkMock's route: mapping templates that read $input.params.
const mockSpec = `openapi: "3.0.1"
info: {title: bench, version: "1"}
paths:
  /pets/{petId}:
    get:
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates:
          application/json: |
            #if($input.params('petId').matches("[1-3]"))
            {"statusCode": 200}
            #else
            {"statusCode": 404}
            #end
        responses:
          default:
            statusCode: "200"
            responseParameters: {method.response.header.Access-Control-Allow-Origin: "'*'"}
            responseTemplates:
              application/json: |
                #set($pets = {"1": "dog", "2": "cat", "3": "fish"})
                #set($id = $input.params('petId'))
                {"id": $id, "type": "$pets.get($id)", "price": 124.99}
`

// proxySpec is BenchmarkProxy's route; %s is the backend's base URL.
const proxySpec = `openapi: "3.0.1"
info: {title: bench, version: "1"}
paths:
  /pets/{proxy+}:
    x-amazon-apigateway-any-method:
      x-amazon-apigateway-integration:
        type: http_proxy
        httpMethod: ANY
        uri: "%s/pets/{proxy}"
        requestParameters: {integration.request.path.proxy: method.request.path.proxy}
`

// lambdaSpec serves GET /fixed from the function Fixed, the same path serverless-offline serves in the
// peer row, so both sides answer the same URL shape.
const lambdaSpec = `openapi: "3.0.1"
info: {title: bench, version: "1"}
paths:
  /fixed:
    get:
      x-amazon-apigateway-integration: {type: aws_proxy, httpMethod: POST, uri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/Fixed/invocations"}
`

// fixedHandler is fixtures/lambdas/fixed's handler, repeated here because a main package cannot be
// imported: the in-process side must run the same work as the process side.
func fixedHandler(events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	return events.APIGatewayProxyResponse{
		StatusCode: 200,
		Headers:    map[string]string{"Content-Type": "application/json"},
		Body:       `{"ok":true}`,
	}, nil
}

// memStats is what a child's stats listener answers; allocations are counted in the server's own
// process, so the driver's allocations never mix in.
type memStats struct {
	Mallocs uint64 `json:"mallocs"`
	NumGC   uint32 `json:"numGC"`
}

// runChild serves one role until its stdin closes (the driver closes it to stop the child; a driver that
// dies closes it too). It prints one line, "ready <serve address> <stats address>", once both listeners
// accept connections.
func runChild(role string, args []string) error {
	debug.SetGCPercent(emulator.DefaultGCPercent)
	fs := flag.NewFlagSet(role, flag.ContinueOnError)
	backend := fs.String("backend", "", "the backend's base URL (HTTP_PROXY roles)")
	function := fs.String("function", "", "the Lambda fixture's binary (process role)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	// BENCHTABLE_CPUPROFILE=DIR profiles each server (warm-up included) into DIR/<role>-<pid>.prof, for
	// `go tool pprof`: the server's own CPU, without the load generator's.
	if dir := os.Getenv("BENCHTABLE_CPUPROFILE"); dir != "" {
		f, err := os.Create(filepath.Join(dir, fmt.Sprintf("%s-%d.prof", role, os.Getpid())))
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer func() {
			pprof.StopCPUProfile()
			_ = f.Close()
		}()
	}
	h, closeHandler, err := handlerFor(role, *backend, *function)
	if err != nil {
		return fmt.Errorf("%s: %w", role, err)
	}
	defer closeHandler()
	serveLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	statsLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	go func() { _ = http.Serve(serveLn, h) }()
	go func() {
		_ = http.Serve(statsLn, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(memStats{Mallocs: m.Mallocs, NumGC: m.NumGC})
		}))
	}()
	fmt.Printf("ready %s %s\n", serveLn.Addr(), statsLn.Addr())
	_, _ = io.Copy(io.Discard, os.Stdin)
	return nil
}

// handlerFor builds a role's server. The returned func releases what the server holds (the gateway's
// Lambda processes, its temporary spec directory).
func handlerFor(role, backend, function string) (http.Handler, func(), error) {
	switch role {
	case roleBare:
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, mockBody)
		}), func() {}, nil
	case roleBackend:
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"id":1,"type":"dog","price":249.99}`)
		}), func() {}, nil
	case roleReverseProxy:
		target, err := url.Parse(backend)
		if err != nil || backend == "" {
			return nil, nil, fmt.Errorf("-backend %q: not a URL", backend)
		}
		// The same transport settings as BenchmarkProxy's plain side.
		return &httputil.ReverseProxy{
			Rewrite:   func(pr *httputil.ProxyRequest) { pr.SetURL(target) },
			Transport: &http.Transport{MaxIdleConnsPerHost: 256},
		}, func() {}, nil
	case roleMockGateway:
		return gateway(mockSpec, "", nil)
	case roleProxyGateway:
		if backend == "" {
			return nil, nil, errors.New("-backend is required")
		}
		return gateway(fmt.Sprintf(proxySpec, backend), "", nil)
	case roleLambdaProcess:
		if function == "" {
			return nil, nil, errors.New("-function is required")
		}
		return gateway(lambdaSpec, fmt.Sprintf("functions:\n  Fixed: {command: [%q], concurrency: 8}\n", function), nil)
	case roleLambdaInProcess:
		return gateway(lambdaSpec, "", func(g *emulator.Gateway) {
			g.RegisterHandler("Fixed", lambda.NewHandler(fixedHandler))
		})
	}
	return nil, nil, fmt.Errorf("unknown role %q", role)
}

// gateway loads spec and config (after benchConfig) the way the emulator's benchmarks do and returns the
// Gateway, with its access log discarded: the table measures serving, not logging to a terminal.
func gateway(spec, config string, setup func(*emulator.Gateway)) (http.Handler, func(), error) {
	dir, err := os.MkdirTemp("", "benchtable-gateway-")
	if err != nil {
		return nil, nil, err
	}
	specPath := filepath.Join(dir, "openapi.yaml")
	cfgPath := filepath.Join(dir, "apigw-local.yaml")
	if err := os.WriteFile(specPath, []byte(spec), 0o600); err != nil {
		return nil, nil, err
	}
	if err := os.WriteFile(cfgPath, []byte(benchConfig+config), 0o600); err != nil {
		return nil, nil, err
	}
	l, err := emulator.Load(emulator.Sources{Specs: []string{specPath}, Config: cfgPath})
	if err != nil {
		_ = os.RemoveAll(dir)
		if l != nil {
			return nil, nil, fmt.Errorf("%w:\n%s", err, l.Findings.Error())
		}
		return nil, nil, err
	}
	snap, err := l.Snapshot()
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, nil, err
	}
	g := emulator.NewGateway(snap, emulator.NewAccessLog(io.Discard, emulator.LogText, false))
	if setup != nil {
		setup(g)
	}
	return g, func() { _ = g.Close(); _ = os.RemoveAll(dir) }, nil
}
