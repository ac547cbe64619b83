package emulator

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/apigw-local/apigw-local/fixtures/authz"
	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

// BenchmarkProxy compares an HTTP_PROXY route of apigw-local with a plain httputil.ReverseProxy in front
// of the same backend, over real HTTP on loopback, in the same run. The target is apigw-local at 80% or
// more of the plain proxy's requests/s. make bench's table (internal/benchtable) measures the same pair
// with each server in its own process, which also gives each side's CPU and allocations.
func BenchmarkProxy(b *testing.B) {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"id":1,"type":"dog","price":249.99}`)
	}))
	defer backend.Close()
	target, _ := url.Parse(backend.URL)

	plain := httptest.NewServer(&httputil.ReverseProxy{
		Rewrite:   func(pr *httputil.ProxyRequest) { pr.SetURL(target) },
		Transport: &http.Transport{MaxIdleConnsPerHost: 256},
	})
	defer plain.Close()

	spec := `openapi: "3.0.1"
info: {title: bench, version: "1"}
paths:
  /pets/{proxy+}:
    x-amazon-apigateway-any-method:
      x-amazon-apigateway-integration:
        type: http_proxy
        httpMethod: ANY
        uri: "` + backend.URL + `/pets/{proxy}"
        requestParameters: {integration.request.path.proxy: method.request.path.proxy}
`
	gw, _ := newGatewayB(b, spec)

	for _, c := range []struct{ name, url string }{
		{"plain-reverseproxy", plain.URL + "/pets/1?q=x"},
		{"apigw-local-http-proxy", gw.URL + "/dev/pets/1?q=x"},
	} {
		b.Run(c.name, func(b *testing.B) { loadLoop(b, c.url) })
	}
}

// loadLoop sends GET requests from 8 concurrent clients and reports requests/s.
func loadLoop(b *testing.B, u string) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64, DisableCompression: true}}
	defer client.CloseIdleConnections()
	b.SetParallelism(4) // 4 × GOMAXPROCS (2 here) = 8 clients
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			resp, err := client.Get(u)
			if err != nil {
				b.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				b.Errorf("status %d", resp.StatusCode)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "req/s")
}

func newGatewayB(b *testing.B, spec string) (*httptest.Server, *Gateway) {
	l, err := loadInline(b.TempDir(), spec)
	if err != nil {
		b.Fatal(err)
	}
	snap, err := l.Snapshot()
	if err != nil {
		b.Fatal(err)
	}
	g := NewGateway(snap, NewAccessLog(io.Discard, LogText, false))
	srv := httptest.NewServer(g)
	b.Cleanup(srv.Close)
	return srv, g
}

// benchConfig lifts the account throttle (AWS's default: 10,000 requests/s, burst 5,000), which the
// faster routes exceed on loopback and which would otherwise answer 429 as it should.
const benchConfig = "account: {throttle: {rateLimit: 1000000000, burstLimit: 1000000000}}\n"

func loadInline(dir, spec string) (*Loaded, error) {
	p := filepath.Join(dir, "openapi.yaml")
	if err := os.WriteFile(p, []byte(spec), 0o644); err != nil {
		return nil, err
	}
	c := filepath.Join(dir, "apigw-local.yaml")
	if err := os.WriteFile(c, []byte(benchConfig), 0o644); err != nil {
		return nil, err
	}
	l, err := Load(Sources{Specs: []string{p}, Config: c})
	if err != nil && l != nil {
		return nil, fmt.Errorf("%w:\n%s", err, l.Findings.Error())
	}
	return l, err
}

// BenchmarkMock compares a MOCK route with mapping templates against a bare net/http handler that writes
// a fixed body, both over real HTTP on loopback in the same run (target: the MOCK route at 50% or more).
func BenchmarkMock(b *testing.B) {
	const fixed = `{"id": 2, "type": "cat", "price": 124.99}`
	bare := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, fixed)
	}))
	defer bare.Close()
	spec := `openapi: "3.0.1"
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
	gw, _ := newGatewayB(b, spec)
	for _, c := range []struct{ name, url string }{
		{"bare-handler", bare.URL + "/pets/2"},
		{"apigw-local-mock", gw.URL + "/dev/pets/2"},
	} {
		b.Run(c.name, func(b *testing.B) { loadLoop(b, c.url) })
	}
}

// BenchmarkLambdaProxy measures a warm AWS_PROXY round trip through the gateway over real HTTP, with the
// function run as an aws-lambda-go process and as an in-process handler, next to a MOCK route, at 8
// concurrent clients: requests/s, p50 and p99 (target: p50 of the process round trip at or under 1 ms).
func BenchmarkLambdaProxy(b *testing.B) {
	spec := `openapi: "3.0.1"
info: {title: bench, version: "1"}
paths:
  /process/{id}:
    get:
      x-amazon-apigateway-integration: {type: aws_proxy, httpMethod: POST, uri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/Echo/invocations"}
  /inprocess/{id}:
    get:
      x-amazon-apigateway-integration: {type: aws_proxy, httpMethod: POST, uri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/InProcess/invocations"}
  /mock/{id}:
    get:
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates: {application/json: '{"statusCode": 200}'}
        responses: {default: {statusCode: "200", responseTemplates: {application/json: '{"id": "$input.params(''id'')"}'}}}
`
	dir := b.TempDir()
	specPath := filepath.Join(dir, "openapi.yaml")
	cfgPath := filepath.Join(dir, "apigw-local.yaml")
	_ = os.WriteFile(specPath, []byte(spec), 0o644)
	_ = os.WriteFile(cfgPath, []byte(benchConfig+fmt.Sprintf("functions:\n  Echo: {command: [%q], concurrency: 8}\n", fixture(b, "echo"))), 0o644)
	l, err := Load(Sources{Specs: []string{specPath}, Config: cfgPath})
	if err != nil {
		b.Fatal(l.Findings.Error())
	}
	snap, _ := l.Snapshot()
	g := NewGateway(snap, NewAccessLog(io.Discard, LogText, false))
	defer g.Close()
	g.RegisterHandler("InProcess", lambda.NewHandler(func(ctx context.Context, e events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
		return events.APIGatewayProxyResponse{StatusCode: 200, Body: e.PathParameters["id"]}, nil
	}))
	srv := httptest.NewServer(g)
	defer srv.Close()
	for _, name := range []string{"process", "inprocess", "mock"} {
		b.Run(name, func(b *testing.B) { latencyLoop(b, srv.URL+"/dev/"+name+"/7", 4) })
	}
	// One client: the round trip without queueing behind other requests for the machine's two cores.
	b.Run("process-1client", func(b *testing.B) { latencyLoop(b, srv.URL+"/dev/process/7", 0) })
}

// latencyLoop is loadLoop that also records each request's latency and reports p50, p99 and the machine's
// CPU time per request. parallelism 4 means 4 × GOMAXPROCS clients (8 here); 0 means a single client.
func latencyLoop(b *testing.B, u string, parallelism int) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64, DisableCompression: true}}
	defer client.CloseIdleConnections()
	// Warm up: start the processes before measuring.
	for i := 0; i < 16; i++ {
		if resp, err := client.Get(u); err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	}
	var mu sync.Mutex
	var lat []time.Duration
	client1 := func(next func() bool) {
		local := make([]time.Duration, 0, 1024)
		for next() {
			t0 := time.Now()
			resp, err := client.Get(u)
			if err != nil {
				b.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			local = append(local, time.Since(t0))
			if resp.StatusCode != 200 {
				b.Errorf("status %d", resp.StatusCode)
				return
			}
		}
		mu.Lock()
		lat = append(lat, local...)
		mu.Unlock()
	}
	cpu0, cpuOK := machineCPUTicks()
	self0, selfOK := selfCPUTicks()
	b.ResetTimer()
	start := time.Now()
	if parallelism == 0 {
		i := 0
		client1(func() bool { i++; return i <= b.N })
	} else {
		b.SetParallelism(parallelism)
		b.RunParallel(func(pb *testing.PB) { client1(pb.Next) })
	}
	elapsed := time.Since(start)
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "req/s")
	if cpu1, ok := machineCPUTicks(); ok && cpuOK && b.N > 0 {
		b.ReportMetric(float64(cpu1-cpu0)/clockTicksPerSecond*1e6/float64(b.N), "machine-cpu-µs/req")
	}
	if self1, ok := selfCPUTicks(); ok && selfOK && b.N > 0 {
		b.ReportMetric(float64(self1-self0)/clockTicksPerSecond*1e6/float64(b.N), "gateway+clients-cpu-µs/req")
	}
	if len(lat) > 0 {
		sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
		b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	}
}

// BenchmarkMeter measures the meter phase alone at 8 concurrent clients: API key lookup, quota, and the
// four token-bucket levels of a method that requires a key (usage plan per method, usage plan, stage
// method, account), with limits high enough never to throttle. make bench prints it as the limiter's cost
// per request.
func BenchmarkMeter(b *testing.B) {
	cfg := `stages:
  prod:
    throttling: {rateLimit: 1000000000, burstLimit: 1000000000}
apiKeys:
  - {name: alice, value: "alice-0123456789abcdefghij"}
usagePlans:
  - name: basic
    apiStages:
      - stage: prod
        throttle: {"/pets/{id}/GET": {rateLimit: 1000000000, burstLimit: 1000000000}}
    throttle: {rateLimit: 1000000000, burstLimit: 1000000000}
    quota: {limit: 1000000000, period: DAY}
    apiKeys: [alice]
account: {throttle: {rateLimit: 1000000000, burstLimit: 1000000000}}
`
	snap := loadFiles(b, b.TempDir(), meteredSpec, cfg)
	g := NewGateway(snap, nil)
	defer g.Close()
	cur := g.cur.Load()
	api := cur.snap.APIs[0]
	m, ok := api.Tree.Lookup("GET", "/pets/7")
	if !ok {
		b.Fatal("no route")
	}
	b.SetParallelism(4) // 8 clients on 2 cores
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		r := httptest.NewRequest("GET", "/prod/pets/7", nil)
		r.Header.Set("x-api-key", aliceKey)
		for pb.Next() {
			x := exchange{r: r, api: api, stage: api.Stages["prod"], route: m.Value}
			if err := g.meter(&x, cur.meter); err != nil || x.apiKey == nil {
				b.Errorf("metered: %v", err)
				return
			}
		}
	})
}

// BenchmarkAuthorizer measures the gateway's CPU per request for a MOCK route behind a cached Lambda
// authorizer (the answer is in the cache; its policy is evaluated against the request's method ARN) and
// for the same route without one; the difference is the authorizer's overhead on a cache hit (target
// under 5 µs). Requests go straight to ServeHTTP, so that the figure is the gateway's own work.
func BenchmarkAuthorizer(b *testing.B) {
	spec := `openapi: "3.0.1"
info: {title: bench, version: "1"}
components:
  securitySchemes:
    tok:
      type: apiKey
      name: Authorization
      in: header
      x-amazon-apigateway-authtype: custom
      x-amazon-apigateway-authorizer:
        type: token
        authorizerUri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:Auth/invocations"
paths:
  /open/{id}:
    get:
      x-amazon-apigateway-integration: &mock
        type: mock
        requestTemplates: {application/json: '{"statusCode": 200}'}
        responses: {default: {statusCode: "200", responseTemplates: {application/json: '{"ok": true}'}}}
  /protected/{id}:
    get:
      security: [{tok: []}]
      x-amazon-apigateway-integration: *mock
`
	l, err := loadInline(b.TempDir(), spec)
	if err != nil {
		b.Fatal(err)
	}
	snap, _ := l.Snapshot()
	g := NewGateway(snap, NewAccessLog(io.Discard, LogText, false))
	defer g.Close()
	g.RegisterHandler("Auth", lambda.NewHandler(func(ctx context.Context, e events.APIGatewayCustomAuthorizerRequest) (*authz.Answer, error) {
		return authz.Decide(e.Type, e.AuthorizationToken, e.MethodArn)
	}))
	for _, c := range []struct{ name, path string }{{"none", "/dev/open/7"}, {"cached", "/dev/protected/7"}} {
		b.Run(c.name, func(b *testing.B) {
			serve := func() {
				r := httptest.NewRequest("GET", c.path, nil)
				r.Header.Set("Authorization", "allow-all")
				w := httptest.NewRecorder()
				g.ServeHTTP(w, r)
				if w.Code != 200 {
					b.Fatalf("%s: %d %s", c.path, w.Code, w.Body)
				}
			}
			serve() // fills the cache
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				serve()
			}
		})
	}
}

// BenchmarkReloadLatency measures write-to-live: from writing an edited spec to the first request that
// sees it, over 50 edits of a served spec under Watch (target p99 <= 100 ms). Reported as p50-ms and
// p99-ms; ns/op is one edit's whole cycle.
func BenchmarkReloadLatency(b *testing.B) {
	dir := b.TempDir()
	specPath := filepath.Join(dir, "api.yaml")
	spec := func(n int) []byte {
		return []byte(fmt.Sprintf(`openapi: "3.0.1"
info: {title: t, version: "1"}
paths:
  /a:
    get:
      x-amazon-apigateway-integration: {type: mock, requestTemplates: {application/json: '{"statusCode": 200}'}, responses: {default: {statusCode: "200", responseTemplates: {application/json: 'edit %d'}}}}
`, n))
	}
	if err := os.WriteFile(specPath, spec(0), 0o600); err != nil {
		b.Fatal(err)
	}
	srv, _, err := NewServer(Sources{Specs: []string{specPath}}, nil, io.Discard)
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := srv.Watch(ctx); err != nil {
		b.Fatal(err)
	}
	hs := httptest.NewServer(srv.Gateway)
	defer hs.Close()
	body := func() string {
		resp, err := http.Get(hs.URL + "/dev/a")
		if err != nil {
			b.Fatal(err)
		}
		defer resp.Body.Close()
		data, _ := io.ReadAll(resp.Body)
		return string(data)
	}
	var lat []time.Duration
	n := 0
	for b.Loop() {
		for range 50 {
			n++
			want := fmt.Sprintf("edit %d", n)
			start := time.Now()
			if err := os.WriteFile(specPath, spec(n), 0o600); err != nil {
				b.Fatal(err)
			}
			for body() != want {
				if time.Since(start) > 10*time.Second {
					b.Fatalf("edit %d never went live", n)
				}
			}
			lat = append(lat, time.Since(start))
		}
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}
