package emulator

import (
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

const simSpec = `openapi: "3.0.1"
info: {title: sim, version: "1"}
paths:
  /pets:
    get:
      security: [{api_key: []}]
      x-amazon-apigateway-integration: {type: mock, requestTemplates: {application/json: '{"statusCode": 200}'}, responses: {default: {statusCode: "200"}}}
  /toys:
    get:
      security: [{api_key: []}]
      x-amazon-apigateway-integration: {type: mock, requestTemplates: {application/json: '{"statusCode": 200}'}, responses: {default: {statusCode: "200"}}}
  /open:
    get:
      x-amazon-apigateway-integration: {type: mock, requestTemplates: {application/json: '{"statusCode": 200}'}, responses: {default: {statusCode: "200"}}}
components:
  securitySchemes:
    api_key: {type: apiKey, name: x-api-key, in: header}
`

const simConfig = `stages:
  prod: {}
apiKeys:
  - {id: k1, name: alice, value: "alice-0123456789abcdefghij"}
  - {id: k2, name: bob, value: "bob-0123456789abcdefghijkl"}
usagePlans:
  - name: basic
    apiStages: [{stage: prod, throttle: {"/toys/GET": {rateLimit: 1, burstLimit: 1}}}]
    throttle: {rateLimit: 10, burstLimit: 5}
    quota: {limit: 30, period: DAY}
    apiKeys: [alice]
  - name: premium
    apiStages: [{stage: prod}]
    throttle: {rateLimit: 100, burstLimit: 100}
    apiKeys: [bob]
account:
  throttle: {rateLimit: 1000, burstLimit: 200}
`

func simulate(t *testing.T, config string, start time.Time, log []LogRequest) *SimReport {
	t.Helper()
	clock := NewManualClock(start)
	g := NewGateway(loadFiles(t, t.TempDir(), simSpec, config), NewAccessLog(io.Discard, LogText, false), WithClock(clock))
	t.Cleanup(func() { g.Close() })
	i := 0
	return g.Simulate(func() (LogRequest, bool) {
		if i == len(log) {
			return LogRequest{}, false
		}
		i++
		return log[i-1], true
	}, clock, nil)
}

func burst(at time.Time, n int, method, resource, key string) []LogRequest {
	out := make([]LogRequest, n)
	for i := range out {
		out[i] = LogRequest{Time: at, Method: method, Resource: resource, Stage: "prod", KeyID: key}
	}
	return out
}

func keyOf(r *SimReport, id string) SimKey {
	for _, k := range r.Keys {
		if k.KeyID == id {
			return *k
		}
	}
	return SimKey{}
}

// Simulated traffic meets the limiter's exact answers: burst + rate × T accepted, the quota rolling over
// at UTC midnight, two keys on two plans, a plan's per-method throttle, and the account bucket shared by
// every route.
func TestSimulate(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 23, 59, 0, 0, time.UTC)
	var log []LogRequest
	// alice: 20 at once (plan burst 5), 20 one second later (rate 10 refills the bucket to its 5).
	log = append(log, burst(t0, 20, "GET", "/pets", "k1")...)
	log = append(log, burst(t0.Add(time.Second), 20, "GET", "/pets", "k1")...)
	// alice's /toys: the plan's per-method limit of 1.
	log = append(log, burst(t0.Add(10*time.Second), 3, "GET", "/toys", "k1")...)
	// bob on premium: 50 at once, all within his burst of 100.
	log = append(log, burst(t0.Add(11*time.Second), 50, "GET", "/pets", "k2")...)
	// an unknown key, and an unmatched route.
	log = append(log, LogRequest{Time: t0.Add(12 * time.Second), Method: "GET", Resource: "/pets", Stage: "prod", KeyID: "k9"})
	log = append(log, LogRequest{Time: t0.Add(12 * time.Second), Method: "GET", Resource: "/nowhere", Stage: "prod"})
	r := simulate(t, simConfig, t0, log)
	alice, bob, unknown := keyOf(r, "k1"), keyOf(r, "k2"), keyOf(r, "k9")
	if alice.Accepted != 5+5+1 || alice.Throttled != 15+15+2 || alice.Plan != "basic" || alice.KeyName != "alice" {
		t.Errorf("alice %+v, want 11 accepted and 32 throttled", alice)
	}
	if bob.Accepted != 50 || bob.Throttled != 0 || bob.Plan != "premium" {
		t.Errorf("bob %+v", bob)
	}
	if unknown.Forbidden != 1 || r.Unmatched != 1 {
		t.Errorf("unknown key %+v, unmatched %d", unknown, r.Unmatched)
	}
	if len(r.Methods) != 2 || r.Methods[0].Resource != "/pets" || r.Methods[0].Requests != 91 || r.Methods[0].Forbidden != 1 ||
		r.Methods[1].Resource != "/toys" || r.Methods[1].Accepted != 1 || r.Methods[1].Throttled != 2 {
		for _, m := range r.Methods {
			t.Logf("%+v", *m)
		}
		t.Errorf("per method: %d methods", len(r.Methods))
	}

	// The quota of 30 a day: alice has used 10; 26 more at a slow pace take it to 30, then 429 Limit
	// Exceeded, until UTC midnight.
	var slow []LogRequest
	for i := range 26 {
		slow = append(slow, LogRequest{Time: t0.Add(20*time.Second + time.Duration(i)*time.Second), Method: "GET", Resource: "/pets", Stage: "prod", KeyID: "k1"})
	}
	next := t0.Add(2 * time.Minute) // 00:01 the next day
	slow = append(slow, LogRequest{Time: next, Method: "GET", Resource: "/pets", Stage: "prod", KeyID: "k1"})
	r = simulate(t, simConfig, t0, append(append([]LogRequest(nil), log[:40]...), slow...))
	alice = keyOf(r, "k1")
	if alice.QuotaExceeded != 10+26-30 || alice.Accepted != 30+1 {
		t.Errorf("quota: alice %+v, want 31 accepted (30, then one after midnight) and 6 over the quota", alice)
	}

	// The account bucket (burst 200) is shared by every route: 150 on /open and 100 of bob's at once.
	shared := append(burst(t0, 150, "GET", "/open", ""), burst(t0, 100, "GET", "/pets", "k2")...)
	r = simulate(t, simConfig, t0, shared)
	if open, b := keyOf(r, ""), keyOf(r, "k2"); open.Accepted != 150 || b.Accepted != 50 || b.Throttled != 50 {
		t.Errorf("account bucket: open %+v, bob %+v", open, b)
	}
}

// Against a log whose statuses another limit produced, the report says how often the emulator agrees and
// names the requests it does not.
func TestSimulateAgreement(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	log := burst(t0, 10, "GET", "/pets", "k1")
	for i := range log { // production let 8 through (a burst of 8); the config says 5
		log[i].Status = 200
		if i >= 8 {
			log[i].Status = 429
		}
	}
	// bob, a second later: production refused one request of his premium plan that the config lets through.
	log = append(log, LogRequest{Time: t0.Add(time.Second), Method: "GET", Resource: "/pets", Stage: "prod", KeyID: "k2", Status: 429})
	r := simulate(t, simConfig, t0, log)
	a := r.Agreement
	if a == nil || a.Compared != 11 || a.Agreed != 7 || len(a.Largest) != 2 {
		t.Fatalf("agreement %+v", a)
	}
	// The largest group first: alice's three requests that production let through and the config throttles.
	if d := a.Largest[0]; d.KeyID != "k1" || d.Count != 3 || d.Production != 200 || d.Emulator != 429 || !d.Time.Equal(t0) || !d.Until.Equal(t0) {
		t.Errorf("largest disagreement %+v", d)
	}
	if d := a.Largest[1]; d.KeyID != "k2" || d.Count != 1 || d.Production != 429 || d.Emulator != 200 {
		t.Errorf("second disagreement %+v", d)
	}
}

// A key's request that a bucket or the quota refuses still carries the key in the stage's access log, and
// under an injected clock the request's time is the clock's: the log says when, and for which key, the
// limiter answered, which is what simulate reads back.
func TestAccessLogOfRefusedRequests(t *testing.T) {
	dir := t.TempDir()
	cfg := strings.Replace(simConfig, "stages:\n  prod: {}\n", "stages:\n  prod:\n    accessLogFormat: '$context.requestId $context.identity.apiKeyId $context.status $context.requestTimeEpoch $context.error.responseType'\n    accessLogDestination: access.log\n", 1)
	t0 := time.Date(2026, 3, 1, 23, 59, 59, 0, time.UTC)
	clock := NewManualClock(t0)
	g := NewGateway(loadFiles(t, dir, simSpec, cfg), NewAccessLog(io.Discard, LogText, false), WithClock(clock))
	send := func(path, key string) {
		r := httptest.NewRequest("GET", path, nil)
		r.Header.Set("x-api-key", key)
		g.ServeHTTP(httptest.NewRecorder(), r)
	}
	send("/prod/toys", "alice-0123456789abcdefghij") // the plan's /toys limit: burst 1
	send("/prod/toys", "alice-0123456789abcdefghij") // throttled
	send("/prod/pets", "nobody")                     // no such key: none to log
	g.Close()
	data, err := os.ReadFile(filepath.Join(dir, "access.log"))
	if err != nil {
		t.Fatal(err)
	}
	epoch := strconv.FormatInt(t0.UnixMilli(), 10)
	want := []string{"k1 200 " + epoch + " -", "k1 429 " + epoch + " THROTTLED", "- 403 " + epoch + " INVALID_API_KEY"}
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	for i, w := range want {
		if i >= len(lines) || !strings.HasSuffix(lines[i], " "+w) {
			t.Errorf("line %d: want … %s in\n%s", i+1, w, data)
		}
	}
}

// The account bucket is shared by every API of the account: two APIs' logs merged, told apart by
// $context.apiId, draw on one bucket; each method is counted under its API.
func TestSimulateAccountBucketAcrossAPIs(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"orders.yaml", "pets.yaml"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(strings.Replace(simSpec, "title: sim", "title: "+name, 1)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cfg := filepath.Join(dir, "apigw-local.yaml")
	if err := os.WriteFile(cfg, []byte(`apis:
  orders: {spec: orders.yaml, apiId: orders1111}
  pets: {spec: pets.yaml, apiId: pets222222}
stages: {prod: {}}
account:
  throttle: {rateLimit: 1, burstLimit: 10}
`), 0o644); err != nil {
		t.Fatal(err)
	}
	l, err := Load(Sources{Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	snap, err := l.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	clock := NewManualClock(t0)
	g := NewGateway(snap, NewAccessLog(io.Discard, LogText, false), WithClock(clock))
	t.Cleanup(func() { g.Close() })
	var log []LogRequest
	for i := range 16 { // eight to each API at once: the shared burst of 10 lets 10 through
		api := []string{"orders1111", "pets222222"}[i%2]
		log = append(log, LogRequest{Time: t0, Method: "GET", Resource: "/open", Stage: "prod", APIID: api})
	}
	i := 0
	r := g.Simulate(func() (LogRequest, bool) {
		if i == len(log) {
			return LogRequest{}, false
		}
		i++
		return log[i-1], true
	}, clock, nil)
	if len(r.Methods) != 2 {
		t.Fatalf("methods %d, want one per API", len(r.Methods))
	}
	o, p := r.Methods[0], r.Methods[1]
	if o.APIID != "orders1111" || p.APIID != "pets222222" || o.Requests != 8 || p.Requests != 8 ||
		o.Accepted+p.Accepted != 10 || o.Throttled+p.Throttled != 6 || o.Accepted != 5 {
		t.Errorf("orders %+v, pets %+v: want 10 of 16 through the account's burst, alternating", *o, *p)
	}
}
