package emulator

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apigw-local/apigw-local/emulator/internal/throttle"
)

// The stage cache (reference §k), against a backend that counts its calls and a manual clock: GETs are
// cached for the stage's TTL, other methods only when their method settings say so; only the
// cacheKeyParameters split entries; Cache-Control: max-age=0 follows the method's authorization
// settings; a flush empties the stage; the log line says hit or miss.
func TestStageCache(t *testing.T) {
	var calls atomic.Int32
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := calls.Add(1)
		w.Header().Set("X-Call", fmt.Sprint(n))
		fmt.Fprintf(w, "call %d %s %s", n, r.Method, r.URL.RequestURI())
	}))
	t.Cleanup(backend.Close)
	doc := `openapi: "3.0.1"
info: {title: cached, version: "1"}
paths:
  /items/{id}:
    get:
      x-amazon-apigateway-integration: {type: http_proxy, httpMethod: GET, uri: "` + backend.URL + `/items/{id}", requestParameters: {integration.request.path.id: method.request.path.id}}
    post:
      x-amazon-apigateway-integration: {type: http_proxy, httpMethod: POST, uri: "` + backend.URL + `/items/{id}", requestParameters: {integration.request.path.id: method.request.path.id}}
  /keyed:
    get:
      x-amazon-apigateway-integration: {type: http_proxy, httpMethod: GET, uri: "` + backend.URL + `/keyed", cacheKeyParameters: [method.request.querystring.type]}
  /short:
    get:
      x-amazon-apigateway-integration: {type: http_proxy, httpMethod: GET, uri: "` + backend.URL + `/short"}
  /strict:
    get:
      x-amazon-apigateway-integration: {type: http_proxy, httpMethod: GET, uri: "` + backend.URL + `/strict"}
  /open:
    get:
      x-amazon-apigateway-integration: {type: http_proxy, httpMethod: GET, uri: "` + backend.URL + `/open"}
  /fn:
    get:
      x-amazon-apigateway-integration: {type: aws_proxy, httpMethod: POST, uri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/Fn/invocations"}
`
	cfg := `stages:
  dev:
    cacheClusterEnabled: true
    methodSettings:
      "/items/{id}/POST": {cachingEnabled: true}
      "/short/GET": {cacheTtlInSeconds: 10}
      "/strict/GET": {unauthorizedCacheControlHeaderStrategy: FAIL_WITH_403}
      "/open/GET": {requireAuthorizationForCacheControl: false}
  nocache: {}
`
	clock := throttle.NewManualClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	snap := loadFiles(t, t.TempDir(), doc, cfg)
	var log lvSyncBuffer // the access log and the function's log lines write to it
	g := NewGateway(snap, NewAccessLog(&log, LogText, false), WithClock(clock))
	t.Cleanup(func() { g.Close() })
	var fnCalls atomic.Int32
	g.RegisterHandler("Fn", handlerFunc(func(ctx context.Context, payload []byte) ([]byte, error) {
		return []byte(fmt.Sprintf(`{"statusCode": 200, "body": "fn %d"}`, fnCalls.Add(1))), nil
	}))
	// Requests go through ServeHTTP directly: the log line is written when it returns.
	get := func(method, path string, header map[string]string) (int, string) {
		t.Helper()
		w := httptest.NewRecorder()
		r := httptest.NewRequest(method, path, nil)
		for k, v := range header {
			r.Header.Set(k, v)
		}
		log.Reset()
		g.ServeHTTP(w, r)
		return w.Code, w.Body.String()
	}
	expect := func(what, method, path string, header map[string]string, wantBody, wantLog string) {
		t.Helper()
		code, body := get(method, path, header)
		if code != 200 || body != wantBody || !strings.Contains(log.String(), wantLog) {
			t.Errorf("%s: %d %q (log %q), want %q with %q in the log", what, code, body, strings.TrimSpace(log.String()), wantBody, wantLog)
		}
	}
	expect("first GET", "GET", "/dev/items/1", nil, "call 1 GET /items/1", "cache=miss")
	expect("second GET", "GET", "/dev/items/1", nil, "call 1 GET /items/1", "cache=hit")
	// Path parameters are not keys: /items/2 shares /items/1's entry (the documented rule).
	expect("another id, not a key", "GET", "/dev/items/2", nil, "call 1 GET /items/1", "cache=hit")
	expect("a stage without the cache", "GET", "/nocache/items/1", nil, "call 2 GET /items/1", "")
	clock.Advance(299 * time.Second)
	expect("at 299 s", "GET", "/dev/items/1", nil, "call 1 GET /items/1", "cache=hit")
	clock.Advance(time.Second)
	expect("at the stage's TTL of 300 s", "GET", "/dev/items/1", nil, "call 3 GET /items/1", "cache=miss")

	expect("POST, cached by its method setting", "POST", "/dev/items/1", nil, "call 4 POST /items/1", "cache=miss")
	expect("POST again", "POST", "/dev/items/1", nil, "call 4 POST /items/1", "cache=hit")

	expect("keyed a", "GET", "/dev/keyed?type=a&dept=1", nil, "call 5 GET /keyed?type=a&dept=1", "cache=miss")
	expect("keyed a, another dept", "GET", "/dev/keyed?type=a&dept=2", nil, "call 5 GET /keyed?type=a&dept=1", "cache=hit")
	expect("keyed b", "GET", "/dev/keyed?type=b", nil, "call 6 GET /keyed?type=b", "cache=miss")

	expect("short", "GET", "/dev/short", nil, "call 7 GET /short", "cache=miss")
	clock.Advance(10 * time.Second)
	expect("short after its 10 s", "GET", "/dev/short", nil, "call 8 GET /short", "cache=miss")

	// Cache-Control: max-age=0 without a SigV4 caller: ignored by default, refused by FAIL_WITH_403,
	// obeyed where authorization is not required.
	noCache := map[string]string{"Cache-Control": "max-age=0"}
	expect("max-age=0, unauthorised", "GET", "/dev/items/1", noCache, "call 3 GET /items/1", "cache=max-age=0-ignored")
	expect("strict, first", "GET", "/dev/strict", nil, "call 9 GET /strict", "cache=miss")
	if code, _ := get("GET", "/dev/strict", noCache); code != 403 {
		t.Errorf("max-age=0 with FAIL_WITH_403: %d, want 403", code)
	}
	expect("open, first", "GET", "/dev/open", nil, "call 10 GET /open", "cache=miss")
	expect("open, max-age=0", "GET", "/dev/open", noCache, "call 11 GET /open", "cache=invalidated")
	expect("open, after", "GET", "/dev/open", nil, "call 11 GET /open", "cache=hit")

	expect("a Lambda answer", "GET", "/dev/fn", nil, "fn 1", "cache=miss")
	expect("a Lambda answer, again", "GET", "/dev/fn", nil, "fn 1", "cache=hit")

	// FlushStageCache: 202, then the integration again.
	admin := func(method, path string) *httptest.ResponseRecorder {
		w := httptest.NewRecorder()
		r := httptest.NewRequest(method, path, nil)
		r.RemoteAddr, r.Host = "127.0.0.1:1234", "127.0.0.1" // the admin endpoints answer loopback clients
		g.ServeHTTP(w, r)
		return w
	}
	w := admin("DELETE", "/_apigw/stages/dev/cache/data")
	if w.Code != 202 {
		t.Errorf("flush: %d %s", w.Code, w.Body)
	}
	expect("after the flush", "GET", "/dev/items/1", nil, "call 12 GET /items/1", "cache=miss")
	w = admin("GET", "/_apigw/health")
	var health struct {
		StageCache struct{ Hits, Misses, Entries int } `json:"stageCache"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &health); err != nil || health.StageCache.Hits == 0 || health.StageCache.Entries == 0 {
		t.Errorf("health: %s", w.Body)
	}
	// POST /_apigw/reset empties it too.
	admin("POST", "/_apigw/reset")
	expect("after a reset", "GET", "/dev/items/1", nil, "call 13 GET /items/1", "cache=miss")
}

// What the stage cache cannot do is said at build: a cacheKeyParameters entry that names no method
// request parameter, and a cache on an HTTP API's stage.
func TestStageCacheFindings(t *testing.T) {
	const doc = `openapi: "3.0.1"
info: {title: cached, version: "1"}
paths:
  /k:
    get:
      x-amazon-apigateway-integration: {type: http_proxy, httpMethod: GET, uri: "http://127.0.0.1:1/k", cacheKeyParameters: [integration.request.header.x-unmapped, method.request.cookie.c]}
`
	l := loadFilesFindings(t, t.TempDir(), doc, "stages: {dev: {cacheClusterEnabled: true}}\n")
	for _, want := range []string{
		"GET /k: cacheKeyParameters integration.request.header.x-unmapped names no method request",
		"GET /k: cacheKeyParameters method.request.cookie.c names no method request",
	} {
		if !strings.Contains(l.Findings.Error(), want) {
			t.Errorf("no finding %q in:\n%s", want, l.Findings.Error())
		}
	}
	l = loadFilesFindings(t, t.TempDir(), doc, "apiType: HTTP\nstages: {dev: {cacheClusterEnabled: true}}\n")
	if want := "stages.dev.cacheClusterEnabled: HTTP APIs have no response cache"; !strings.Contains(l.Findings.Error(), want) {
		t.Errorf("no finding %q in:\n%s", want, l.Findings.Error())
	}
}

// BenchmarkStageCache is a cached GET (a hit) against the same GET with the cache flushed before each
// request (a miss: the HTTP_PROXY backend is called), through ServeHTTP, so the difference is what a hit
// saves.
func BenchmarkStageCache(b *testing.B) {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"id": 2, "type": "cat", "price": 124.99}`)
	}))
	defer backend.Close()
	doc := `openapi: "3.0.1"
info: {title: bench, version: "1"}
paths:
  /pets/{petId}:
    get:
      x-amazon-apigateway-integration: {type: http_proxy, httpMethod: GET, uri: "` + backend.URL + `/pets/{petId}", cacheKeyParameters: [method.request.path.petId]}
`
	snap := loadFiles(b, b.TempDir(), doc, "stages: {dev: {cacheClusterEnabled: true}}\n")
	g := NewGateway(snap, nil)
	defer g.Close()
	req := httptest.NewRequest("GET", "/dev/pets/2", nil)
	for _, c := range []struct {
		name  string
		flush bool
	}{{"hit", false}, {"miss", true}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if c.flush {
					g.FlushStageCache("", "dev")
				}
				w := httptest.NewRecorder()
				g.ServeHTTP(w, req)
				if w.Code != 200 {
					b.Fatal(w.Code, w.Body)
				}
			}
		})
	}
}
