package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/apigw-local/apigw-local/emulator"
	"github.com/apigw-local/apigw-local/internal/chromiumtest"
)

const reportConfig = `specs: [openapi.yaml]
stages: {prod: {}}
apiKeys:
  - {id: k1, name: alice, value: "alice-0123456789abcdefghij"}
  - {id: k2, name: bob, value: "bob-0123456789abcdefghijkl"}
usagePlans:
  - {name: basic, apiStages: [{stage: prod}], throttle: {rateLimit: 1, burstLimit: 2}, apiKeys: [alice]}
  - {name: premium, apiStages: [{stage: prod}], throttle: {rateLimit: 100, burstLimit: 100}, apiKeys: [bob]}
`

// reportLog is traffic whose answers are known: alice (rate 1, burst 2) sends 5 at once (2 accepted, 3
// throttled), then one a second for 5 s (each finds the token that second brought), then 4 at once at
// 10 s (the bucket refilled to 2: 2 accepted, 2 throttled); bob sends 3, all within his burst; one request
// has no key (403).
func reportLog(t0 time.Time) string {
	var b strings.Builder
	line := func(sec int, key string) {
		fmt.Fprintf(&b, `{"requestTimeEpoch":%d,"httpMethod":"GET","resourcePath":"/pets","path":"/prod/pets","stage":"prod","apiKeyId":"%s"}`+"\n",
			t0.Add(time.Duration(sec)*time.Second).UnixMilli(), key)
	}
	for range 5 {
		line(0, "k1")
	}
	for s := 1; s <= 5; s++ {
		line(s, "k1")
	}
	for range 4 {
		line(10, "k1")
	}
	for range 3 {
		line(0, "k2")
	}
	line(3, "-")
	return b.String()
}

// checkReportChart opens a report in headless Chromium and checks that its script ran and drew, for each
// key, the expected series with the expected totals.
func checkReportChart(t *testing.T, page string, wantLevel bool) {
	t.Helper()
	dom, shot := chromiumtest.Open(t, page)
	if strings.Contains(dom, "data-error=") {
		t.Fatalf("the page's script failed: %s", regexp.MustCompile(`data-error="[^"]*"`).FindString(dom))
	}
	if !strings.Contains(dom, `data-rendered="3"`) {
		t.Fatalf("the page did not draw its 3 charts:\n%.2000s", dom)
	}
	series := chartSeries(t, dom)
	want := map[string]map[string]string{ // key -> series -> total requests drawn
		"k1": {"offered": "14", "accepted": "9", "throttled": "5"},
		"k2": {"offered": "3", "accepted": "3", "throttled": "0"},
		"":   {"offered": "1", "accepted": "0", "throttled": "0", "forbidden": "1"},
	}
	for key, w := range want {
		got := series[key]
		for name, total := range w {
			s := got[name]
			if s == nil || s["data-total"] != total || s["data-points"] != "11" {
				t.Errorf("key %q series %s: %v, want %s requests over 11 seconds", key, name, s, total)
			}
		}
		if _, ok := got["quotaExceeded"]; ok {
			t.Errorf("key %q: a quota series drawn with no request over a quota", key)
		}
	}
	if lv := series["k1"]["level"]; wantLevel && (lv == nil || lv["data-points"] != "7" || lv["data-low"] != "0.000") {
		// alice's requests fall in 7 seconds; the bucket is empty after her first burst.
		t.Errorf("alice's bucket level: %v", lv)
	} else if !wantLevel && lv != nil {
		t.Errorf("a bucket level drawn without a model: %v", lv)
	}
	// The browser painted the lines, not only the legend (whose swatches are some 130 pixels of each colour):
	// the throttled line's red and the accepted line's green run across the charts.
	if red, green := chromiumtest.Reddish(shot), chromiumtest.Greenish(shot); red < 600 || green < 600 {
		t.Errorf("the screenshot shows %d red and %d green pixels: the lines were not painted", red, green)
	}
}

// simulate --report writes a page that renders in a browser: a chart per key with offered, accepted and
// throttled per second and the bucket's level, and the tables.
func TestSimulateReportInChromium(t *testing.T) {
	dir := t.TempDir()
	spec, cfg := filepath.Join(dir, "openapi.yaml"), filepath.Join(dir, "apigw-local.yaml")
	writeFile(t, spec, simulateSpec)
	writeFile(t, cfg, reportConfig)
	logPath := filepath.Join(dir, "access.jsonl")
	writeFile(t, logPath, reportLog(time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)))
	page := filepath.Join(dir, "report.html")
	stdout, stderr, code := run("simulate", "-c", cfg, "--log", logPath, "--report", page)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !regexpMatch(`k1\s+alice\s+basic\s+14\s+9\s+5\s+0\s+0`, stdout) || !strings.Contains(stderr, "report: "+page) {
		t.Errorf("the text report stays the default:\n%s%s", stdout, stderr)
	}
	html, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"<td>alice</td>", "<td>basic</td>", "2026-05-01 10:00:00 UTC", "one point per second", "Per method and stage"} {
		if !strings.Contains(string(html), want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if strings.Contains(string(html), "http://") && !strings.Contains(string(html), `"http://www.w3.org/2000/svg"`) {
		t.Errorf("the page must be self-contained")
	}
	checkReportChart(t, page, true)
}

// replay --report draws the answers received, with the level the config's limits give on the replay's
// timeline.
func TestReplayReportInChromium(t *testing.T) {
	dir := t.TempDir()
	spec, cfg := filepath.Join(dir, "openapi.yaml"), filepath.Join(dir, "apigw-local.yaml")
	writeFile(t, spec, simulateSpec)
	writeFile(t, cfg, reportConfig)
	// The gateway replayed to runs on a manual clock held at one instant, so that its answers do not
	// depend on how fast the replay goes: the bucket never refills, and alice gets 2 of her 14 through.
	target, _ := serveForTest(t, emulator.Sources{Config: cfg}, nil, emulator.WithClock(emulator.NewManualClock(time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC))))

	logPath := filepath.Join(dir, "access.jsonl")
	writeFile(t, logPath, reportLog(time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)))
	page := filepath.Join(dir, "replay.html")
	var out, errOut bytes.Buffer
	// 1,000 times faster: the 10 s log takes 10 ms.
	if err := runReplay(context.Background(), &out, &errOut, &replayOptions{config: cfg, log: logPath, target: target, speed: 1000, clients: 1, report: page}); err != nil {
		t.Fatal(err)
	}
	if !regexpMatch(`k1\s+14\s+2\s+12\s+0\s+0`, out.String()) {
		t.Fatalf("replay's table:\n%s", out.String())
	}
	html, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(html), "The bucket level is modelled") || !strings.Contains(string(html), "1000 times faster") {
		t.Errorf("the page does not say where its level comes from")
	}
	dom, _ := chromiumtest.Open(t, page)
	series := chartSeries(t, dom)
	// At 1,000 times the pace the replay spans 10 ms: one second on its axis.
	if k1 := series["k1"]; k1["offered"]["data-total"] != "14" || k1["accepted"]["data-total"] != "2" || k1["throttled"]["data-total"] != "12" ||
		k1["offered"]["data-points"] != "1" || k1["level"] == nil || k1["level"]["data-low"] != "0.000" {
		t.Errorf("alice on the replay's page: %v", k1)
	}

	// At the recorded pace against no model (a config without specs), the page says there is no level.
	bare := filepath.Join(dir, "keys-only.yaml")
	writeFile(t, bare, strings.Replace(reportConfig, "specs: [openapi.yaml]\n", "", 1))
	writeFile(t, logPath, `{"requestTimeEpoch":1777629600000,"httpMethod":"GET","resourcePath":"/pets","path":"/prod/pets","stage":"prod","apiKeyId":"k1"}`+"\n")
	if err := runReplay(context.Background(), io.Discard, io.Discard, &replayOptions{config: bare, log: logPath, target: target, speed: 1, clients: 1, report: page}); err != nil {
		t.Fatal(err)
	}
	if html, _ := os.ReadFile(page); !strings.Contains(string(html), "No bucket level") {
		t.Errorf("a page without a model does not say so")
	}
}

// recommendedLogFormat is the access log format the README's walkthrough asks production's stage for: the
// console's JSON preset plus the request's epoch time, its API, stage and path, and its API key's id.
const recommendedLogFormat = `{ "requestId":"$context.requestId", "ip": "$context.identity.sourceIp", "caller":"$context.identity.caller", "user":"$context.identity.user", "requestTime":"$context.requestTime", "httpMethod":"$context.httpMethod", "resourcePath":"$context.resourcePath", "status":"$context.status", "protocol":"$context.protocol", "responseLength":"$context.responseLength", "requestTimeEpoch":"$context.requestTimeEpoch", "apiId":"$context.apiId", "stage":"$context.stage", "path":"$context.path", "apiKeyId":"$context.identity.apiKeyId" }`

// An access log in the recommended format, as a gateway writes it, is what simulate reads: run through
// the limits that produced it, every answer agrees; through others, the disagreements are named. The
// README gives the format to production's stage as it is tested here.
func TestSimulateTheRecommendedAccessLog(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	quoted, _ := json.Marshal(recommendedLogFormat)
	if !strings.Contains(string(readme), string(quoted)) {
		t.Errorf("the README's walkthrough does not give the stage this format (JSON-quoted, as in its patch file):\n%s", quoted)
	}

	dir := t.TempDir()
	spec, cfg := filepath.Join(dir, "openapi.yaml"), filepath.Join(dir, "apigw-local.yaml")
	writeFile(t, spec, simulateSpec)
	logged := strings.Replace(reportConfig, "stages: {prod: {}}\n", "stages:\n  prod:\n    accessLogFormat: '"+recommendedLogFormat+"'\n    accessLogDestination: access.jsonl\n", 1)
	writeFile(t, cfg, logged)
	t0 := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	clock := emulator.NewManualClock(t0)
	target, stop := serveForTest(t, emulator.Sources{Config: cfg}, emulator.NewAccessLog(io.Discard, emulator.LogText, false), emulator.WithClock(clock))
	send := func(n int, key string) {
		for range n {
			req, _ := http.NewRequest("GET", target+"/prod/pets", nil)
			if key != "" {
				req.Header.Set("x-api-key", key)
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
		}
	}
	send(5, "alice-0123456789abcdefghij") // burst 2: 2 accepted, 3 throttled
	send(3, "bob-0123456789abcdefghijkl")
	clock.Advance(1500 * time.Millisecond)
	send(3, "alice-0123456789abcdefghij") // 1.5 tokens back: 1 accepted, 2 throttled
	send(1, "")                           // 403
	stop()                                // the stage's access log is complete once the gateway is closed

	logPath := filepath.Join(dir, "access.jsonl")
	stdout, stderr, code := run("simulate", "-c", cfg, "--log", logPath, "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var rep struct {
		Keys []struct {
			KeyID                                    string
			Requests, Accepted, Throttled, Forbidden int
		} `json:"keys"`
		Agreement struct {
			Compared, Agreed int
			Disagreements    []struct {
				KeyID                string
				Count                int
				Production, Emulator int
			}
		} `json:"agreement"`
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("%v: %s", err, stdout)
	}
	if a := rep.Agreement; a.Compared != 12 || a.Agreed != 12 {
		t.Errorf("against the limits that wrote the log: %+v\n%s", a, stdout)
	}
	got := fmt.Sprint(rep.Keys)
	if want := "[{ 1 0 0 1} {k1 8 3 5 0} {k2 3 3 0 0}]"; got != want {
		t.Errorf("keys %s, want %s", got, want)
	}

	// A burst of 4 for alice: production's throttling of two of her first five is now a disagreement.
	writeFile(t, cfg, strings.Replace(logged, "rateLimit: 1, burstLimit: 2", "rateLimit: 1, burstLimit: 4", 1))
	stdout, stderr, code = run("simulate", "-c", cfg, "--log", logPath, "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	rep.Agreement.Disagreements = nil
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatal(err)
	}
	if a := rep.Agreement; a.Compared != 12 || a.Agreed == 12 || len(a.Disagreements) == 0 ||
		a.Disagreements[0].KeyID != "k1" || a.Disagreements[0].Production != 429 || a.Disagreements[0].Emulator != 200 {
		t.Errorf("against other limits: %+v", a)
	}
}
