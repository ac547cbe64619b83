package emulator

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/apigw-local/apigw-local/internal/chromiumtest"
)

// inspectorGateway serves simSpec with simConfig (alice's /toys: a bucket of 1) under a manual clock.
func inspectorGateway(t *testing.T) *httptest.Server {
	t.Helper()
	clock := NewManualClock(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	g := NewGateway(loadFiles(t, t.TempDir(), simSpec, simConfig), NewAccessLog(io.Discard, LogText, false), WithClock(clock))
	srv := httptest.NewServer(g)
	t.Cleanup(func() { srv.Close(); g.Close() })
	return srv
}

type summaryJSON struct {
	RequestID, Method, Path, Stage, Resource, Reason string
	Status                                           int
}

func recentRequests(t *testing.T, url string) (int, []summaryJSON) {
	t.Helper()
	r := do(t, "GET", url, nil, "")
	var list struct {
		Requests []summaryJSON `json:"requests"`
		Kept     int           `json:"kept"`
	}
	if r.status == 200 {
		if err := json.Unmarshal(r.body, &list); err != nil {
			t.Fatalf("%s: %v", r.body, err)
		}
	}
	return r.status, list.Requests
}

// GET /_apigw/requests lists the last requests, newest first, with why each ended as it did;
// /_apigw/requests/{id} gives one request's phases in order, the one that ended it named with its gateway
// response; the ring keeps the last 200.
func TestInspectorRequests(t *testing.T) {
	srv := inspectorGateway(t)
	const alice = "alice-0123456789abcdefghij"
	do(t, "GET", srv.URL+"/prod/toys?color=red", map[string]string{"x-api-key": alice}, "")
	do(t, "GET", srv.URL+"/prod/toys", map[string]string{"x-api-key": alice}, "") // the bucket of 1 is empty
	do(t, "GET", srv.URL+"/prod/pets", nil, "")                                   // no key
	do(t, "GET", srv.URL+"/_apigw/health", nil, "")                               // the admin API is not a request to the API

	status, list := recentRequests(t, srv.URL+"/_apigw/requests")
	if status != 200 || len(list) != 3 {
		t.Fatalf("%d, %d requests: %+v", status, len(list), list)
	}
	if l := list[2]; l.Status != 200 || l.Path != "/prod/toys?color=red" || l.Stage != "prod" || l.Resource != "/toys" || l.Reason != "" {
		t.Errorf("the first request: %+v", l)
	}
	if l := list[1]; l.Status != 429 || !strings.HasPrefix(l.Reason, "THROTTLED usage-plan=basic key=alice") {
		t.Errorf("the throttled one: %+v", l)
	}
	if l := list[0]; l.Status != 403 || !strings.HasPrefix(l.Reason, "INVALID_API_KEY no API key") {
		t.Errorf("the newest, without a key: %+v", l)
	}

	r := do(t, "GET", srv.URL+"/_apigw/requests/"+list[1].RequestID, nil, "")
	var d struct {
		RequestID string
		Status    int
		Trace     []struct{ Phase, Decision, ResponseType, Cause string }
	}
	if err := json.Unmarshal(r.body, &d); err != nil || r.status != 200 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	var phases []string
	for _, s := range d.Trace {
		phases = append(phases, s.Phase+"="+s.Decision+s.ResponseType)
	}
	if got := strings.Join(phases, " "); got != "resolve=prod route=GET /toys authorize=NONE meter=THROTTLED" {
		t.Errorf("phases of the throttled request: %s", got)
	}
	if last := d.Trace[len(d.Trace)-1]; !strings.Contains(last.Cause, `limit="/toys/GET"`) {
		t.Errorf("the ending step's cause: %+v", last)
	}

	if r := do(t, "GET", srv.URL+"/_apigw/requests/nope", nil, ""); r.status != 404 || !strings.Contains(string(r.body), "not among the last 200") {
		t.Errorf("an unknown id: %d %s", r.status, r.body)
	}
	if status, l := recentRequests(t, srv.URL+"/_apigw/requests?limit=1"); status != 200 || len(l) != 1 || l[0].Status != 403 {
		t.Errorf("limit=1: %d %+v", status, l)
	}
	if status, _ := recentRequests(t, srv.URL+"/_apigw/requests?limit=x"); status != 400 {
		t.Errorf("limit=x: %d", status)
	}

	// 200 more: the first three are gone, the list holds the last 200.
	for range 200 {
		do(t, "GET", srv.URL+"/prod/open", nil, "")
	}
	if _, l := recentRequests(t, srv.URL+"/_apigw/requests"); len(l) != 200 || l[199].Resource != "/open" {
		t.Errorf("after 203 requests: %d kept", len(l))
	}
	if r := do(t, "GET", srv.URL+"/_apigw/requests/"+list[0].RequestID, nil, ""); r.status != 404 {
		t.Errorf("a request pushed out of the ring: %d", r.status)
	}
}

// The inspector page, opened in headless Chromium against a running gateway, lists the routes and the
// recent requests and, for the request its address names, each phase's decision.
func TestInspectorPageInChromium(t *testing.T) {
	chromiumtest.Binary(t)
	srv := inspectorGateway(t)
	do(t, "GET", srv.URL+"/prod/toys", map[string]string{"x-api-key": "alice-0123456789abcdefghij"}, "")
	do(t, "GET", srv.URL+"/prod/toys", map[string]string{"x-api-key": "alice-0123456789abcdefghij"}, "")
	do(t, "GET", srv.URL+"/prod/pets?<b>=1", nil, "") // markup in a path stays text
	_, list := recentRequests(t, srv.URL+"/_apigw/requests")
	throttled := list[1].RequestID

	dom, _ := chromiumtest.Open(t, srv.URL+"/_apigw/#req="+throttled)
	if strings.Contains(dom, "data-error=") {
		t.Fatalf("the page's script failed: %s", regexp.MustCompile(`data-error="[^"]*"`).FindString(dom))
	}
	if !strings.Contains(dom, `data-loaded="3"`) {
		t.Fatalf("the page did not load the 3 requests:\n%.3000s", dom)
	}
	if n := strings.Count(dom, `<tr class="route">`); n != 3 {
		t.Errorf("%d route rows, want 3 (/pets, /toys, /open on prod)", n)
	}
	for _, want := range []string{
		`data-status="429"`, `data-status="200"`, `data-status="403"`,
		`<tr class="request selected" data-id="` + throttled + `"`,
		`<li data-phase="meter" class="ended">meter → THROTTLED — usage-plan=basic key=alice`,
		`<li data-phase="route">route: GET /toys</li>`,
		`/prod/pets?&lt;b&gt;=1`,
	} {
		if !strings.Contains(dom, want) {
			t.Errorf("the page lacks %s", want)
		}
	}
	if strings.Contains(dom, "<b>=") {
		t.Errorf("markup from a path became markup")
	}
}

// The page is served to GET only, with a policy that lets it run its own script and reach nothing but
// this gateway.
func TestInspectorPageHeaders(t *testing.T) {
	srv := inspectorGateway(t)
	r := do(t, "GET", srv.URL+"/_apigw/", nil, "")
	if r.status != 200 || !strings.Contains(r.header.Get("Content-Security-Policy"), "connect-src 'self'") || !strings.Contains(string(r.body), "apigw-local inspector") {
		t.Errorf("%d %v", r.status, r.header)
	}
	if r := do(t, "POST", srv.URL+"/_apigw/", nil, ""); r.status != http.StatusMethodNotAllowed {
		t.Errorf("POST: %d", r.status)
	}
	res, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Get(srv.URL + "/_apigw")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusMovedPermanently || res.Header.Get("Location") != "/_apigw/" {
		t.Errorf("/_apigw: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
}
