package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/apigw-local/apigw-local/emulator"
)

const simulateSpec = `openapi: "3.0.1"
info: {title: sim, version: "1"}
paths:
  /pets:
    get:
      security: [{api_key: []}]
      x-amazon-apigateway-integration: {type: mock, requestTemplates: {application/json: '{"statusCode": 200}'}, responses: {default: {statusCode: "200"}}}
components:
  securitySchemes:
    api_key: {type: apiKey, name: x-api-key, in: header}
`

const simulateConfig = `stages: {prod: {}}
apiKeys:
  - {id: k1, name: alice, value: "alice-0123456789abcdefghij"}
usagePlans:
  - {name: basic, apiStages: [{stage: prod}], throttle: {rateLimit: 1, burstLimit: 2}, apiKeys: [alice]}
`

// simulate reads JSON lines (the console's preset plus apiKeyId and requestTimeEpoch) and CSV, and
// reports per key, with the agreement when the log has statuses.
func TestSimulateCommand(t *testing.T) {
	dir := t.TempDir()
	spec, cfg := filepath.Join(dir, "openapi.yaml"), filepath.Join(dir, "apigw-local.yaml")
	writeFile(t, spec, simulateSpec)
	writeFile(t, cfg, simulateConfig)
	t0 := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC).UnixMilli()
	var jl strings.Builder
	for i := range 5 { // five at once: a burst of 2 lets two through
		fmt.Fprintf(&jl, `{"requestId":"r%d","ip":"10.0.0.1","requestTimeEpoch":%d,"httpMethod":"GET","resourcePath":"/pets","stage":"prod","status":"%d","apiKeyId":"k1"}`+"\n", i, t0, []int{200, 200, 200, 429, 429}[i])
	}
	logPath := filepath.Join(dir, "access.jsonl")
	writeFile(t, logPath, jl.String())
	stdout, stderr, code := run("simulate", "-c", cfg, "--log", logPath, "--json", spec)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var rep struct {
		Keys []struct {
			KeyID, KeyName, Plan          string
			Requests, Accepted, Throttled int
		} `json:"keys"`
		Agreement struct{ Compared, Agreed int } `json:"agreement"`
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil || len(rep.Keys) != 1 {
		t.Fatalf("%v: %s", err, stdout)
	}
	if k := rep.Keys[0]; k.KeyID != "k1" || k.KeyName != "alice" || k.Plan != "basic" || k.Requests != 5 || k.Accepted != 2 || k.Throttled != 3 {
		t.Errorf("key %+v", k)
	}
	if rep.Agreement.Compared != 5 || rep.Agreement.Agreed != 4 {
		t.Errorf("agreement %+v (production let 3 through)", rep.Agreement)
	}

	// CSV from Logs Insights, with the time in another column named by --field.
	csvPath := filepath.Join(dir, "insights.csv")
	writeFile(t, csvPath, "when,httpMethod,resourcePath,stage,apiKeyId\n"+
		"2026-05-01T10:00:00Z,GET,/pets,prod,k1\n2026-05-01T10:00:00Z,GET,/pets,prod,k1\n2026-05-01T10:00:00Z,GET,/pets,prod,k1\n2026-05-01T10:00:01Z,GET,/pets,prod,k1\n")
	stdout, stderr, code = run("simulate", "-c", cfg, "--log", csvPath, "--field", "time=when", spec)
	if code != 0 || !strings.Contains(stdout, "k1") || !regexpMatch(`k1\s+alice\s+basic\s+4\s+3\s+1\s+0\s+0`, stdout) {
		t.Errorf("CSV: exit %d\n%s%s", code, stdout, stderr)
	}
	// A line that is not JSON is named.
	writeFile(t, logPath, jl.String()+"not json\n")
	if _, stderr, code := run("simulate", "-c", cfg, "--log", logPath, spec); code == 0 || !strings.Contains(stderr, "line 6 is not a JSON object") {
		t.Errorf("a bad line: exit %d, %s", code, stderr)
	}
}

// The log reader never panics, and what it accepts has a time.
func FuzzLogReader(f *testing.F) {
	f.Add([]byte(`{"requestTimeEpoch":1,"httpMethod":"GET","resourcePath":"/p","stage":"s","apiKeyId":"k","status":"200"}` + "\n"))
	f.Add([]byte("requestTime,httpMethod\n01/May/2026:10:00:00 +0000,GET\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		lr, err := newLogReader(bytes.NewReader(data), nil)
		if err != nil {
			return
		}
		for range 100 {
			r, err := lr.next()
			if err != nil {
				return
			}
			if r.Time.IsZero() {
				t.Fatalf("a request without a time: %+v", r)
			}
		}
	})
}

// BenchmarkSimulate reads and simulates a JSON-lines log; make bench reports lines per second (the
// target: 1,000,000 lines in under 10 s).
func BenchmarkSimulate(b *testing.B) {
	dir := b.TempDir()
	spec, cfg := filepath.Join(dir, "openapi.yaml"), filepath.Join(dir, "apigw-local.yaml")
	writeFile(b, spec, simulateSpec)
	writeFile(b, cfg, simulateConfig)
	const lines = 100000
	var jl bytes.Buffer
	t0 := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC).UnixMilli()
	for i := range lines {
		fmt.Fprintf(&jl, `{"requestId":"r%d","ip":"10.0.0.1","requestTimeEpoch":%d,"httpMethod":"GET","resourcePath":"/pets","stage":"prod","status":"200","protocol":"HTTP/1.1","responseLength":"42","apiKeyId":"k1"}`+"\n", i, t0+int64(i))
	}
	logPath := filepath.Join(dir, "access.jsonl")
	writeFile(b, logPath, jl.String())
	o := &simulateOptions{log: logPath}
	o.config = cfg
	b.ResetTimer()
	for b.Loop() {
		if err := runSimulate(io.Discard, io.Discard, o, []string{spec}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(lines)*float64(b.N)/b.Elapsed().Seconds(), "lines/s")
	_ = emulator.LogRequest{}
}

func regexpMatch(pattern, s string) bool { return regexp.MustCompile(pattern).MatchString(s) }
