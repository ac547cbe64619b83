package emulator

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/apigw-local/apigw-local/emulator/internal/throttle"
)

const meteredSpec = `openapi: "3.0.1"
info: {title: metered, version: "1"}
paths:
  /pets:
    get:
      security: [{key: []}]
      x-amazon-apigateway-integration: &mock
        type: mock
        requestTemplates: {application/json: '{"statusCode": 200}'}
        responses:
          default:
            statusCode: "200"
            responseTemplates: {application/json: '{"apiKey": "$context.identity.apiKey", "apiKeyId": "$context.identity.apiKeyId"}'}
    post:
      security: [{key: []}]
      x-amazon-apigateway-integration: *mock
  /pets/{id}:
    get:
      security: [{key: []}]
      x-amazon-apigateway-integration: *mock
  /open:
    get:
      x-amazon-apigateway-integration: *mock
  /lambda:
    get:
      security: [{key: []}]
      x-amazon-apigateway-integration: {type: aws_proxy, httpMethod: POST, uri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/Identity/invocations"}
components:
  securitySchemes:
    key: {type: apiKey, name: x-api-key, in: header}
`

const meteredConfig = `stages:
  prod:
    throttling: {rateLimit: 5, burstLimit: 4}
    methodSettings:
      "/open/GET": {throttling: {rateLimit: 1, burstLimit: 2}}
  test: {}
apiKeys:
  - {name: alice, value: "alice-0123456789abcdefghij"}
  - {name: bob, value: "bob-0123456789abcdefghijkl"}
  - {name: carol, value: "carol-0123456789abcdefghij", enabled: false}
  - {name: dave, value: "dave-0123456789abcdefghijk"}
usagePlans:
  - name: basic
    apiStages:
      - stage: prod
        throttle: {"/pets/{id}/GET": {rateLimit: 1, burstLimit: 1}}
    throttle: {rateLimit: 2, burstLimit: 3}
    quota: {limit: 10, period: DAY}
    apiKeys: [alice, carol]
  - name: gold
    apiStages: [{stage: prod}, {stage: test}]
    quota: {limit: 1000, period: MONTH, offset: 10}
    apiKeys: [bob]
`

const (
	aliceKey = "alice-0123456789abcdefghij"
	bobKey   = "bob-0123456789abcdefghijkl"
)

// meterFixture is a gateway over real HTTP whose buckets and quotas read a manual clock.
type meterFixture struct {
	t     *testing.T
	srv   *httptest.Server
	gw    *Gateway
	clock *throttle.ManualClock
	log   *lvSyncBuffer
	dir   string
}

// t0Meter is a Wednesday, mid-morning UTC.
var t0Meter = time.Date(2026, time.November, 18, 10, 0, 0, 0, time.UTC)

func newMeterFixture(t *testing.T, specYAML, configYAML string) *meterFixture {
	t.Helper()
	f := &meterFixture{t: t, clock: throttle.NewManualClock(t0Meter), log: &lvSyncBuffer{}, dir: t.TempDir()}
	snap := f.load(specYAML, configYAML)
	f.gw = NewGateway(snap, NewAccessLog(f.log, LogText, false), WithClock(f.clock))
	t.Cleanup(func() { f.gw.Close() })
	f.srv = httptest.NewServer(f.gw)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *meterFixture) load(specYAML, configYAML string) *Snapshot {
	f.t.Helper()
	return loadFiles(f.t, f.dir, specYAML, configYAML)
}

// call sends one request with an optional x-api-key and returns the answer and the log line's reason.
func (f *meterFixture) call(method, path, key string) (result, string) {
	f.t.Helper()
	h := map[string]string{}
	if key != "" {
		h["x-api-key"] = key
	}
	before := strings.Count(f.log.String(), "\n")
	r := do(f.t, method, f.srv.URL+path, h, "")
	// The log line is written after the response; wait for it.
	deadline := time.Now().Add(30 * time.Second) // reached only when the line never comes
	for strings.Count(f.log.String(), "\n") == before && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	lines := strings.Split(strings.TrimSpace(f.log.String()), "\n")
	return r, lines[len(lines)-1]
}

// expect sends n requests and checks that each gets status; it returns the last log line.
func (f *meterFixture) expect(n int, method, path, key string, status int) string {
	f.t.Helper()
	var line string
	for i := 0; i < n; i++ {
		var r result
		r, line = f.call(method, path, key)
		if r.status != status {
			f.t.Fatalf("%s %s (key %q) #%d at %v: %d %s, want %d\nlog: %s", method, path, key, i+1, f.clock.Now().Format(time.TimeOnly), r.status, r.body, status, line)
		}
	}
	return line
}

// API keys (reference §b, usage-plans-throttling.json#apikey-required-*): a method that requires a key
// answers 403 {"message":"Forbidden"} for a missing, unknown or disabled key, or one that no usage plan of
// the stage holds; a method that requires none ignores the header.
func TestAPIKeyRequired(t *testing.T) {
	t.Parallel()
	f := newMeterFixture(t, meteredSpec, meteredConfig)
	for _, c := range []struct {
		name, path, header, key string
		status                  int
		reason                  string // in the log line
	}{
		{name: "no key", path: "/prod/pets", status: 403, reason: "INVALID_API_KEY no API key"},
		{name: "unknown key", path: "/prod/pets", header: "x-api-key", key: "not-a-key-0123456789abc", status: 403, reason: `INVALID_API_KEY unknown API key "not-…9abc" GET /pets`},
		{name: "disabled key", path: "/prod/pets", header: "x-api-key", key: "carol-0123456789abcdefghij", status: 403, reason: "API key carol is disabled"},
		{name: "key in no plan", path: "/prod/pets", header: "x-api-key", key: "dave-0123456789abcdefghijk", status: 403, reason: "API key dave is in no usage plan of stage prod"},
		{name: "plan not on this stage", path: "/test/pets", header: "x-api-key", key: aliceKey, status: 403, reason: "API key alice is in no usage plan of stage test"},
		{name: "valid key", path: "/prod/pets", header: "x-api-key", key: aliceKey, status: 200},
		{name: "header name in any case", path: "/prod/pets", header: "X-API-KEY", key: aliceKey, status: 200},
		{name: "another plan, another stage", path: "/test/pets", header: "X-Api-Key", key: bobKey, status: 200},
		{name: "key value is case-sensitive", path: "/prod/pets", header: "x-api-key", key: strings.ToUpper(aliceKey), status: 403},
		{name: "no key needed", path: "/prod/open", status: 200},
		{name: "no key needed, unknown key ignored", path: "/prod/open", header: "x-api-key", key: "whatever", status: 200},
	} {
		t.Run(c.name, func(t *testing.T) {
			f.gw.ResetLimits()
			h := map[string]string{}
			if c.header != "" {
				h[c.header] = c.key
			}
			r := do(t, "GET", f.srv.URL+c.path, h, "")
			if r.status != c.status {
				t.Fatalf("%d %s, want %d", r.status, r.body, c.status)
			}
			if c.status == 403 {
				if string(r.body) != `{"message":"Forbidden"}` || r.header.Get("x-amzn-ErrorType") != "ForbiddenException" {
					t.Errorf("403 answer: %s, x-amzn-ErrorType %q", r.body, r.header.Get("x-amzn-ErrorType"))
				}
				deadline := time.Now().Add(30 * time.Second) // reached only when the line never comes
				for !strings.Contains(f.log.String(), c.reason) && time.Now().Before(deadline) {
					time.Sleep(time.Millisecond)
				}
				if !strings.Contains(f.log.String(), c.reason) {
					t.Errorf("log lacks %q:\n%s", c.reason, f.log.String())
				}
			}
		})
	}
}

// With the AUTHORIZER key source the key comes from a Lambda authorizer, never from x-api-key; until
// authorizers are emulated such methods answer 403, and the log says why.
func TestAPIKeySourceAuthorizer(t *testing.T) {
	t.Parallel()
	spec := strings.Replace(meteredSpec, "paths:\n", "x-amazon-apigateway-api-key-source: AUTHORIZER\npaths:\n", 1)
	f := newMeterFixture(t, spec, meteredConfig)
	r, line := f.call("GET", "/prod/pets", aliceKey)
	if r.status != 403 || string(r.body) != `{"message":"Forbidden"}` || !strings.Contains(line, "key source is AUTHORIZER") {
		t.Errorf("%d %s, log: %s", r.status, r.body, line)
	}
}

// $context.identity.apiKey and apiKeyId are set for methods that require a key, and only for them
// (reference §b, DOC [D-ctx]); the ids are stable, API Gateway-shaped (10 lower-case letters and digits).
func TestAPIKeyInContext(t *testing.T) {
	t.Parallel()
	f := newMeterFixture(t, meteredSpec, meteredConfig)
	r, _ := f.call("GET", "/prod/pets", aliceKey)
	var got struct{ APIKey, APIKeyID string }
	if err := json.Unmarshal(r.body, &got); err != nil {
		t.Fatalf("%s: %v", r.body, err)
	}
	if got.APIKey != aliceKey || len(got.APIKeyID) != 10 || strings.Trim(got.APIKeyID, "abcdefghijklmnopqrstuvwxyz0123456789") != "" {
		t.Errorf("$context.identity: %s", r.body)
	}
	if again := newID("apikey", "alice", 10); again != got.APIKeyID {
		t.Errorf("apiKeyId %q is not stable (%q)", got.APIKeyID, again)
	}
	r, _ = f.call("GET", "/prod/open", aliceKey)
	if string(r.body) != `{"apiKey": "", "apiKeyId": ""}` {
		t.Errorf("a method without apiKeyRequired must not expose the key: %s", r.body)
	}

	// The Lambda proxy event carries them in requestContext.identity.
	f.gw.RegisterHandler("Identity", lambda.NewHandler(func(ctx context.Context, e json.RawMessage) (events.APIGatewayProxyResponse, error) {
		return events.APIGatewayProxyResponse{StatusCode: 200, Body: string(e)}, nil
	}))
	r, _ = f.call("GET", "/prod/lambda", bobKey)
	var ev struct {
		RequestContext struct {
			Identity map[string]any `json:"identity"`
		} `json:"requestContext"`
	}
	if err := json.Unmarshal(r.body, &ev); err != nil {
		t.Fatalf("%d %s: %v", r.status, r.body, err)
	}
	if id := ev.RequestContext.Identity; id["apiKey"] != bobKey || id["apiKeyId"] != newID("apikey", "bob", 10) || len(id) != 14 {
		t.Errorf("event identity: %v", id)
	}
	if !strings.Contains(string(r.body), `"principalOrgId":null,"apiKey":"`+bobKey+`","cognitoAuthenticationType":null,"userArn":null,"apiKeyId":"`) {
		t.Errorf("identity keys not in the 14-key order: %s", r.body)
	}
}

// Every bucket level throttles on its own, with a manual clock: burst first, then the steady rate. The
// 429 is AWS's, and the log says which limit acted.
func TestThrottleLevels(t *testing.T) {
	t.Parallel()
	tooMany := func(t *testing.T, r result) {
		t.Helper()
		if string(r.body) != `{"message":"Too Many Requests"}` || r.header.Get("x-amzn-ErrorType") != "TooManyRequestsException" || r.header.Get("Retry-After") != "" {
			t.Errorf("429 answer: %s %v", r.body, r.header)
		}
	}
	t.Run("usage plan per method, per key", func(t *testing.T) {
		f := newMeterFixture(t, meteredSpec, meteredConfig)
		f.expect(1, "GET", "/prod/pets/1", aliceKey, 200) // burst 1
		r, line := f.call("GET", "/prod/pets/2", aliceKey)
		if r.status != 429 || !strings.Contains(line, `THROTTLED usage-plan=basic key=alice limit="/pets/{id}/GET" (rate=1 burst=1) GET /pets/{id}`) {
			t.Fatalf("%d, log: %s", r.status, line)
		}
		tooMany(t, r)
		f.clock.Advance(999 * time.Millisecond)
		f.expect(1, "GET", "/prod/pets/1", aliceKey, 429)
		f.clock.Advance(time.Millisecond)
		f.expect(1, "GET", "/prod/pets/1", aliceKey, 200)
		// The per-method limit is alice's alone; bob's plan has none.
		f.expect(3, "GET", "/prod/pets/1", bobKey, 200)
	})
	t.Run("usage plan, per key", func(t *testing.T) {
		f := newMeterFixture(t, meteredSpec, meteredConfig)
		f.expect(3, "GET", "/prod/pets", aliceKey, 200) // burst 3
		line := f.expect(1, "GET", "/prod/pets", aliceKey, 429)
		if !strings.Contains(line, "THROTTLED usage-plan=basic key=alice (rate=2 burst=3) GET /pets") {
			t.Errorf("log: %s", line)
		}
		f.clock.Advance(500 * time.Millisecond) // rate 2: one token
		f.expect(1, "GET", "/prod/pets", aliceKey, 200)
		f.expect(1, "GET", "/prod/pets", aliceKey, 429)
		f.clock.Advance(10 * time.Second) // refills to the burst, not beyond
		f.expect(3, "GET", "/prod/pets", aliceKey, 200)
		f.expect(1, "GET", "/prod/pets", aliceKey, 429)
		// Across the plan's methods: the plan bucket is per key, not per method.
		f.expect(1, "POST", "/prod/pets", aliceKey, 429)
	})
	t.Run("stage method setting", func(t *testing.T) {
		f := newMeterFixture(t, meteredSpec, meteredConfig)
		f.expect(2, "GET", "/prod/open", "", 200)
		line := f.expect(1, "GET", "/prod/open", "", 429)
		if !strings.Contains(line, `THROTTLED stage=prod methodSettings "/open/GET" (rate=1 burst=2) GET /open`) {
			t.Errorf("log: %s", line)
		}
		f.expect(5, "GET", "/test/open", "", 200) // another stage, another bucket
		f.clock.Advance(time.Second)
		f.expect(1, "GET", "/prod/open", "", 200)
	})
	t.Run("stage default, per method", func(t *testing.T) {
		f := newMeterFixture(t, meteredSpec, meteredConfig)
		f.expect(4, "POST", "/prod/pets", bobKey, 200) // gold has no throttle: the stage's burst 4 acts
		line := f.expect(1, "POST", "/prod/pets", bobKey, 429)
		if !strings.Contains(line, "THROTTLED stage=prod throttling (rate=5 burst=4) POST /pets") {
			t.Errorf("log: %s", line)
		}
		// The stage default applies to each method separately (AWS: "applied at the API method level").
		f.expect(4, "GET", "/prod/pets", bobKey, 200)
		f.clock.Advance(200 * time.Millisecond)
		f.expect(1, "POST", "/prod/pets", bobKey, 200)
	})
	t.Run("account", func(t *testing.T) {
		f := newMeterFixture(t, meteredSpec, meteredConfig+"account: {throttle: {rateLimit: 10, burstLimit: 3}}\n")
		f.expect(2, "GET", "/test/open", "", 200)
		f.expect(1, "GET", "/prod/open", "", 200)
		line := f.expect(1, "GET", "/test/pets", bobKey, 429)
		if !strings.Contains(line, "THROTTLED account (rate=10 burst=3) GET /pets") {
			t.Errorf("log: %s", line)
		}
		f.clock.Advance(100 * time.Millisecond)
		f.expect(1, "GET", "/prod/open", "", 200)
	})
}

// The levels are checked in AWS's order (reference §b): the first empty bucket answers, and a request
// throttled early spends no token of the later levels.
func TestThrottlePrecedence(t *testing.T) {
	t.Parallel()
	f := newMeterFixture(t, meteredSpec, meteredConfig)
	// alice's per-method limit (burst 1) acts before her plan limit (burst 3) and the stage (burst 4).
	f.expect(1, "GET", "/prod/pets/1", aliceKey, 200)
	for i := 0; i < 5; i++ {
		if _, line := f.call("GET", "/prod/pets/1", aliceKey); !strings.Contains(line, `limit="/pets/{id}/GET"`) {
			t.Fatalf("request %d: %s", i, line)
		}
	}
	// Those throttled requests spent none of the plan's tokens (2 left of 3) nor the stage's.
	f.expect(2, "GET", "/prod/pets", aliceKey, 200)
	if _, line := f.call("GET", "/prod/pets", aliceKey); !strings.Contains(line, "usage-plan=basic key=alice (rate=2") {
		t.Errorf("after the plan's burst: %s", line)
	}
	// The stage bucket of GET /pets/{id} lost only alice's one accepted request: bob gets 3 more.
	f.expect(3, "GET", "/prod/pets/1", bobKey, 200)
	if _, line := f.call("GET", "/prod/pets/1", bobKey); !strings.Contains(line, "THROTTLED stage=prod throttling") {
		t.Errorf("after the stage's burst: %s", line)
	}
}

// Quotas count per key and plan across the plan's stages, roll over at UTC period boundaries, answer
// 429 Limit Exceeded, and count only requests that got through. /_apigw/usage reports them in get-usage's
// shape; /_apigw/reset forgets them.
func TestQuota(t *testing.T) {
	t.Parallel()
	f := newMeterFixture(t, meteredSpec, meteredConfig)
	for i := 0; i < 5; i++ { // 2 counted requests a second, and one throttled that does not count
		f.expect(1, "GET", "/prod/pets", aliceKey, 200)
		f.expect(1, "GET", "/prod/pets/1", aliceKey, 200)
		f.expect(1, "GET", "/prod/pets/1", aliceKey, 429) // per-method limit, burst 1
		f.clock.Advance(time.Second)
	}
	r, line := f.call("GET", "/prod/pets", aliceKey)
	if r.status != 429 || string(r.body) != `{"message":"Limit Exceeded"}` || r.header.Get("x-amzn-ErrorType") != "LimitExceededException" {
		t.Fatalf("11th request: %d %s %v", r.status, r.body, r.header)
	}
	if !strings.Contains(line, "QUOTA_EXCEEDED usage-plan=basic key=alice quota=10/DAY GET /pets") {
		t.Errorf("log: %s", line)
	}
	f.clock.Set(time.Date(2026, 11, 18, 23, 59, 59, 0, time.UTC))
	f.expect(1, "POST", "/prod/pets", aliceKey, 429)
	f.clock.Set(time.Date(2026, 11, 19, 0, 0, 0, 0, time.UTC)) // midnight UTC: a new day
	f.expect(1, "GET", "/prod/pets", aliceKey, 200)

	usage := func(query string) (int, map[string]any) {
		r := do(t, "GET", f.srv.URL+"/_apigw/usage?"+query, nil, "")
		var m map[string]any
		if err := json.Unmarshal(r.body, &m); err != nil {
			t.Fatalf("%s: %v", r.body, err)
		}
		return r.status, m
	}
	aliceID, bobID := newID("apikey", "alice", 10), newID("apikey", "bob", 10)
	status, m := usage("usagePlanId=basic&keyId=alice&startDate=2026-11-17&endDate=2026-11-19")
	want := fmt.Sprintf(`{"endDate":"2026-11-19","startDate":"2026-11-17","usagePlanId":"%s","values":{"%s":[[0,10],[10,0],[1,9]]}}`, newID("usageplan", "basic", 6), aliceID)
	if b, _ := json.Marshal(m); status != 200 || string(b) != want {
		t.Errorf("usage: %d %s\nwant %s", status, b, want)
	}
	// keyId alone finds the one plan holding the key (product.md: GET /_apigw/usage?keyId=...).
	if status, m := usage("keyId=" + bobID); status != 200 || m["usagePlanId"] != newID("usageplan", "gold", 6) {
		t.Errorf("usage?keyId=bob: %d %v", status, m)
	}
	// Defaults: the current quota period to today, every key of the plan (carol, disabled, never counted).
	if _, m = usage("usagePlanId=" + newID("usageplan", "basic", 6)); fmt.Sprint(m["values"]) != fmt.Sprintf("map[%s:[[1 9]] %s:[[0 10]]]", aliceID, newID("apikey", "carol", 10)) {
		t.Errorf("usage defaults: %v", m)
	}
	// gold: MONTH from the 1st, offset 10 in the initial month; the requests of both stages count.
	f.expect(1, "GET", "/test/pets", bobKey, 200)
	f.expect(1, "GET", "/prod/pets", bobKey, 200)
	if _, m = usage("usagePlanId=gold&keyId=" + bobID + "&startDate=2026-11-18"); fmt.Sprint(m["values"]) != fmt.Sprintf("map[%s:[[0 990] [2 988]]]", bobID) {
		t.Errorf("gold usage: %v", m)
	}
	for _, c := range []struct {
		query  string
		status int
	}{{"", 400}, {"usagePlanId=nope", 404}, {"usagePlanId=basic&keyId=bob", 404}, {"usagePlanId=basic&startDate=yesterday", 400}, {"usagePlanId=basic&startDate=2026-11-19&endDate=2026-11-18", 400}} {
		if status, m := usage(c.query); status != c.status || m["message"] == "" {
			t.Errorf("usage?%s: %d %v, want %d with a message", c.query, status, m, c.status)
		}
	}

	// Reset: quotas and buckets start again.
	f.clock.Set(time.Date(2026, 11, 19, 0, 0, 0, 0, time.UTC))
	f.expect(1, "GET", "/prod/pets/1", aliceKey, 200)
	f.expect(1, "GET", "/prod/pets/1", aliceKey, 429)
	if r := do(t, "POST", f.srv.URL+"/_apigw/reset", nil, ""); r.status != 200 {
		t.Fatalf("reset: %d %s", r.status, r.body)
	}
	f.expect(1, "GET", "/prod/pets/1", aliceKey, 200)
	if _, m = usage("usagePlanId=basic&keyId=alice"); fmt.Sprint(m["values"]) != fmt.Sprintf("map[%s:[[1 9]]]", aliceID) {
		t.Errorf("usage after reset: %v", m)
	}
}

// Buckets and quotas survive a hot reload that leaves their settings alone; a changed limit starts a
// full bucket.
func TestLimitsSurviveReload(t *testing.T) {
	t.Parallel()
	f := newMeterFixture(t, meteredSpec, meteredConfig)
	f.expect(3, "GET", "/prod/pets", aliceKey, 200)
	f.expect(1, "GET", "/prod/pets", aliceKey, 429)
	f.expect(2, "GET", "/prod/open", "", 200)
	f.expect(1, "GET", "/prod/open", "", 429)

	// An unrelated edit: a new stage variable.
	f.gw.Swap(f.load(meteredSpec, strings.Replace(meteredConfig, "  test: {}", "  test: {variables: {x: y}}", 1)))
	f.expect(1, "GET", "/prod/pets", aliceKey, 429)
	f.expect(1, "GET", "/prod/open", "", 429)

	// The plan's throttle changes: alice's plan bucket starts full; the stage bucket is untouched.
	f.gw.Swap(f.load(meteredSpec, strings.Replace(meteredConfig, "throttle: {rateLimit: 2, burstLimit: 3}", "throttle: {rateLimit: 2, burstLimit: 5}", 1)))
	f.expect(1, "GET", "/prod/open", "", 429)
	f.expect(1, "GET", "/prod/pets", aliceKey, 200) // the stage's GET /pets bucket (burst 4) had 1 left
	if _, line := f.call("GET", "/prod/pets", aliceKey); !strings.Contains(line, "THROTTLED stage=prod throttling") {
		t.Errorf("the plan bucket must be full and the stage's empty: %s", line)
	}
	// The quota counted all along: 3 + 1 of 10.
	if _, m := f.usageValues("basic", "alice"); m != "[[4 6]]" {
		t.Errorf("usage after reloads: %s", m)
	}
}

func (f *meterFixture) usageValues(plan, key string) (int, string) {
	f.t.Helper()
	r := do(f.t, "GET", f.srv.URL+"/_apigw/usage?usagePlanId="+plan+"&keyId="+key, nil, "")
	var u usageReport
	if err := json.Unmarshal(r.body, &u); err != nil {
		f.t.Fatalf("%s: %v", r.body, err)
	}
	for _, rows := range u.Values {
		var parts []string
		for _, row := range rows {
			parts = append(parts, fmt.Sprintf("[%d %d]", *row[0], *row[1]))
		}
		return r.status, "[" + strings.Join(parts, " ") + "]"
	}
	return r.status, ""
}

// throttleLoadConfig gives alice and bob usage plans of their own on stage prod.
const throttleLoadConfig = `apiKeys:
  - {name: alice, value: "alice-0123456789abcdefghij"}
  - {name: bob, value: "bob-0123456789abcdefghijkl"}
usagePlans:
  - {name: a, apiStages: [{stage: prod}], throttle: {rateLimit: 100, burstLimit: 50}, apiKeys: [alice]}
  - {name: b, apiStages: [{stage: prod}], throttle: {rateLimit: 40, burstLimit: 20}, apiKeys: [bob]}
stages: {prod: {}}
`

// Under load above the rate, a usage plan lets through exactly what a token bucket allows: the burst at
// once, then rate × elapsed, never more than the burst after a pause; and two keys on different plans do
// not affect each other. Over real HTTP on the manual clock, so that the counts are exact: steps of
// 12.5 ms, in which alice (rate 100, burst 50) gains 1.25 tokens and bob (rate 40, burst 20) 0.5, each key
// sending requests, interleaved with the other's, until one is throttled; every step must admit exactly
// the whole tokens of a model bucket. (Token counts that are multiples of 1/4 are exact in floating
// point, so the bucket's arithmetic and the model's agree to the last request.)
// BenchmarkThrottleWallClock is the same kind of load on the wall clock.
func TestThrottleSustainedLoad(t *testing.T) {
	t.Parallel()
	f := newMeterFixture(t, meteredSpec, throttleLoadConfig)
	const step = 12500 * time.Microsecond
	type key struct {
		name, value       string
		rate, burst       float64
		tokens            float64 // the model's bucket
		admitted, refused int
	}
	keys := []*key{
		{name: "alice", value: aliceKey, rate: 100, burst: 50},
		{name: "bob", value: bobKey, rate: 40, burst: 20},
	}
	for _, k := range keys {
		k.tokens = k.burst // a bucket starts full
	}
	send := func(k *key, step int) bool {
		t.Helper()
		r := do(t, "GET", f.srv.URL+"/prod/pets", map[string]string{"x-api-key": k.value}, "")
		switch r.status {
		case 200:
			k.admitted++
			return true
		case 429:
			k.refused++
			return false
		}
		t.Fatalf("%s, step %d: %d %s", k.name, step, r.status, r.body)
		return false
	}
	// Two phases of 1.5 s (120 steps) with a pause of 2 s between them, which refills both buckets to
	// their burst and not beyond.
	const steps = 120
	for phase := range 2 {
		for i := 0; i <= steps; i++ {
			switch {
			case i == 0 && phase > 0:
				f.clock.Advance(2 * time.Second)
				for _, k := range keys {
					k.tokens = k.burst
				}
			case i > 0:
				f.clock.Advance(step)
				for _, k := range keys {
					k.tokens = min(k.burst, k.tokens+k.rate*step.Seconds())
				}
			}
			// Each key sends until it is throttled; the keys take turns.
			admitted := map[*key]int{}
			done := map[*key]bool{}
			for len(done) < len(keys) {
				for _, k := range keys {
					if done[k] {
						continue
					}
					if send(k, i) {
						admitted[k]++
					} else {
						done[k] = true
					}
				}
			}
			for _, k := range keys {
				if want := int(k.tokens); admitted[k] != want {
					t.Fatalf("%s, phase %d, step %d (%v): %d requests admitted, want %d (%.2f tokens)",
						k.name, phase, i, time.Duration(i)*step, admitted[k], want, k.tokens)
				}
				k.tokens -= float64(admitted[k])
			}
		}
	}
	for _, k := range keys {
		// Each phase: the burst, then rate × 1.5 s.
		want := int(2 * (k.burst + k.rate*1.5))
		t.Logf("%s (rate %v, burst %v): %d admitted, %d throttled", k.name, k.rate, k.burst, k.admitted, k.refused)
		if k.admitted != want {
			t.Errorf("%s: %d admitted in all, want %d", k.name, k.admitted, want)
		}
	}
}

// BenchmarkThrottleWallClock is TestThrottleSustainedLoad on the wall clock, over real HTTP: 8 clients
// (4 per key) send b.N requests in all, and the admitted counts are compared with burst + rate ×
// elapsed. The deviation depends on the machine's timing, so it is reported (alice-dev-%, bob-dev-%),
// not asserted; with -benchtime 3s it stays within about 2%.
func BenchmarkThrottleWallClock(b *testing.B) {
	gw := NewGateway(loadFiles(b, b.TempDir(), meteredSpec, throttleLoadConfig), nil)
	defer gw.Close()
	srv := httptest.NewServer(gw)
	defer srv.Close()

	type outcome struct {
		ok, throttled, other atomic.Int64
		first, last          atomic.Int64 // UnixNano of the first request sent and the last answer
	}
	work := make(chan struct{}, b.N)
	for range b.N {
		work <- struct{}{}
	}
	close(work)
	run := func(key string, clients int, o *outcome, wg *sync.WaitGroup) {
		client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
		for range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range work {
					req, _ := http.NewRequest("GET", srv.URL+"/prod/pets", nil)
					req.Header.Set("x-api-key", key)
					sent := time.Now().UnixNano()
					resp, err := client.Do(req)
					if err != nil {
						o.other.Add(1)
						continue
					}
					resp.Body.Close()
					o.first.CompareAndSwap(0, sent)
					switch resp.StatusCode {
					case 200:
						o.ok.Add(1)
					case 429:
						o.throttled.Add(1)
					default:
						o.other.Add(1)
					}
					o.last.Store(time.Now().UnixNano())
				}
			}()
		}
	}
	var alice, bob outcome
	var wg sync.WaitGroup
	b.ResetTimer()
	run(aliceKey, 4, &alice, &wg)
	run(bobKey, 4, &bob, &wg)
	wg.Wait()
	b.StopTimer()
	for _, c := range []struct {
		name        string
		o           *outcome
		rate, burst float64
	}{{"alice", &alice, 100, 50}, {"bob", &bob, 40, 20}} {
		if c.o.other.Load() > 0 {
			b.Errorf("%s: %d answers neither 200 nor 429", c.name, c.o.other.Load())
		}
		elapsed := time.Duration(c.o.last.Load() - c.o.first.Load())
		if elapsed <= 0 {
			continue
		}
		want := c.burst + c.rate*elapsed.Seconds()
		got := float64(c.o.ok.Load())
		b.ReportMetric(100*(got-want)/want, c.name+"-dev-%")
		b.ReportMetric(float64(c.o.ok.Load()+c.o.throttled.Load())/elapsed.Seconds()/c.rate, c.name+"-offered/rate")
	}
}

// validate says when a limit cannot act: a method settings or usage plan throttle key that names no
// method, and a key-requiring method on a stage that no plan with keys covers. Keys that do match stay
// silent.
func TestCheckMeterFindings(t *testing.T) {
	t.Parallel()
	cfg := strings.Replace(meteredConfig, `"/open/GET": {throttling: {rateLimit: 1, burstLimit: 2}}`,
		`"/open/GET": {throttling: {rateLimit: 1, burstLimit: 2}}
      "/pets/*": {throttling: {rateLimit: 1, burstLimit: 2}}
      "/petz/GET": {throttling: {rateLimit: 1, burstLimit: 2}}`, 1)
	cfg = strings.Replace(cfg, `throttle: {"/pets/{id}/GET": {rateLimit: 1, burstLimit: 1}}`, `throttle: {"/pets/{id}/GET": {rateLimit: 1, burstLimit: 1}, "/pets/{petId}/GET": {rateLimit: 1, burstLimit: 1}}`, 1)
	cfg = strings.Replace(cfg, "    apiStages: [{stage: prod}, {stage: test}]\n", "    apiStages: [{stage: prod}]\n", 1)
	got := loadFilesFindings(t, t.TempDir(), meteredSpec, cfg).Findings.Error()
	for _, want := range []string{
		`stages.prod.methodSettings["/petz/GET"]: "/petz/GET" matches no method of the API, so it limits nothing`,
		`usagePlans[0].apiStages[0].throttle["/pets/{petId}/GET"]: "/pets/{petId}/GET" matches no method`,
		`GET /pets: requires an API key, but no usage plan with API keys covers stage test: every request there answers 403 Forbidden`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("findings lack %q:\n%s", want, got)
		}
	}
	for _, quiet := range []string{`"/open/GET" matches`, `"/pets/*" matches`, `"/pets/{id}/GET" matches`, "GET /open: requires"} {
		if strings.Contains(got, quiet) {
			t.Errorf("findings wrongly report %q:\n%s", quiet, got)
		}
	}
}
