package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The AWS console's access log presets (CLF, JSON, XML, CSV), rendered for a request as the stage's
// accessLogFormat: one line per request in the request log's output, replacing apigw-local's own.
func TestStageAccessLogPresets(t *testing.T) {
	const doc = `openapi: "3.0.1"
info: {title: logs, version: "1"}
paths:
  /pets/{id}:
    get:
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates: {application/json: '{"statusCode": 200}'}
        responses: {default: {statusCode: "200", responseTemplates: {application/json: '{"id": "$input.params(''id'')"}'}}}
`
	presets := map[string]string{
		"CLF":  `$context.identity.sourceIp $context.identity.caller $context.identity.user [$context.requestTime] "$context.httpMethod $context.resourcePath $context.protocol" $context.status $context.responseLength $context.requestId`,
		"JSON": `{ "requestId":"$context.requestId", "ip": "$context.identity.sourceIp", "caller":"$context.identity.caller", "user":"$context.identity.user", "requestTime":"$context.requestTime", "httpMethod":"$context.httpMethod", "resourcePath":"$context.resourcePath", "status":"$context.status", "protocol":"$context.protocol", "responseLength":"$context.responseLength" }`,
		"XML":  `<request id="$context.requestId"> <ip>$context.identity.sourceIp</ip> <caller>$context.identity.caller</caller> <user>$context.identity.user</user> <requestTime>$context.requestTime</requestTime> <httpMethod>$context.httpMethod</httpMethod> <resourcePath>$context.resourcePath</resourcePath> <status>$context.status</status> <protocol>$context.protocol</protocol> <responseLength>$context.responseLength</responseLength> </request>`,
		"CSV":  `$context.identity.sourceIp,$context.identity.caller,$context.identity.user,$context.requestTime,$context.httpMethod,$context.resourcePath,$context.protocol,$context.status,$context.responseLength,$context.requestId`,
	}
	for name, format := range presets {
		cfg := fmt.Sprintf("stages:\n  dev:\n    accessLogFormat: %q\n", format)
		snap := loadFiles(t, t.TempDir(), doc, cfg)
		var log bytes.Buffer
		g := NewGateway(snap, NewAccessLog(&log, LogText, false))
		w := httptest.NewRecorder()
		r := httptest.NewRequest("GET", "/dev/pets/7", nil)
		r.RemoteAddr = "10.1.2.3:5555"
		g.ServeHTTP(w, r)
		g.Close()
		line := log.String()
		id := w.Header()["x-amzn-RequestId"][0] // API Gateway's spelling, which Get would canonicalise
		if w.Code != 200 || id == "" || strings.Count(line, "\n") != 1 || !strings.Contains(line, id) {
			t.Fatalf("%s: %d, log %q (request id %s)", name, w.Code, line, id)
		}
		want := map[string]string{
			"CLF":  `10.1.2.3 - - \[\d\d/\w\w\w/\d{4}:\d\d:\d\d:\d\d \+0000\] "GET /pets/\{id\} HTTP/1.1" 200 11 ` + id + "\n",
			"JSON": `{ "requestId":"` + id + `", "ip": "10.1.2.3", "caller":"-", "user":"-", "requestTime":"[^"]+", "httpMethod":"GET", "resourcePath":"/pets/{id}", "status":"200", "protocol":"HTTP/1.1", "responseLength":"11" }` + "\n",
			"XML":  `<request id="` + id + `"> <ip>10.1.2.3</ip> <caller>-</caller> <user>-</user> <requestTime>[^<]+</requestTime> <httpMethod>GET</httpMethod> <resourcePath>/pets/\{id\}</resourcePath> <status>200</status> <protocol>HTTP/1.1</protocol> <responseLength>11</responseLength> </request>` + "\n",
			"CSV":  `10.1.2.3,-,-,[^,]+,GET,/pets/\{id\},HTTP/1.1,200,11,` + id + "\n",
		}[name]
		if !regexp.MustCompile("^" + want + "$").MatchString(line) {
			t.Errorf("%s:\n got %q\nwant %q", name, line, want)
		}
		if name == "JSON" {
			var v map[string]string
			if err := json.Unmarshal([]byte(line), &v); err != nil || v["status"] != "200" {
				t.Errorf("JSON preset does not parse: %v %v", err, v)
			}
		}
	}
}

// A file destination gets the stage's lines (the request log keeps its own); a gateway error reaches
// $context.error.*; an unknown variable is a located warning and writes "-".
func TestStageAccessLogFile(t *testing.T) {
	dir := t.TempDir()
	const doc = `openapi: "3.0.1"
info: {title: logs, version: "1"}
paths:
  /ok:
    get:
      x-amazon-apigateway-integration: {type: mock, requestTemplates: {application/json: '{"statusCode": 200}'}, responses: {default: {statusCode: "204"}}}
`
	cfg := `stages:
  dev:
    accessLogFormat: '$context.requestId $context.status $context.error.responseType "$context.error.message" $context.nope'
    accessLogDestination: access.log
`
	l := loadFilesFindings(t, dir, doc, cfg)
	if want := `apigw-local.yaml:3:5: warning: stages.dev.accessLogFormat: $context.nope: not $context variables of access logging`; !strings.Contains(l.Findings.Error(), want) {
		t.Errorf("no finding %q in:\n%s", want, l.Findings.Error())
	}
	snap, err := l.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	g := NewGateway(snap, NewAccessLog(&log, LogText, false))
	for _, path := range []string{"/dev/ok", "/dev/missing"} {
		g.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", path, nil))
	}
	g.Close()
	data, err := os.ReadFile(filepath.Join(dir, "access.log"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	if len(lines) != 2 || !regexp.MustCompile(`^\S+ 204 - "-" -$`).MatchString(lines[0]) ||
		!regexp.MustCompile(`^\S+ 403 MISSING_AUTHENTICATION_TOKEN "Missing Authentication Token" -$`).MatchString(lines[1]) {
		t.Errorf("access.log:\n%s", data)
	}
	if strings.Count(log.String(), "\n") != 2 || !strings.Contains(log.String(), "GET /dev/ok stage=dev 204") {
		t.Errorf("the request log lost its own lines: %q", log.String())
	}
}

// The format reader never fails: any text is literal text and $context variables.
func FuzzCompileLogFormat(f *testing.F) {
	for _, s := range []string{"$context.requestId", "$context.", "$context.status.", "a $context.identity.sourceIp b", "$$context.x$context.y", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, format string) {
		lf, _ := compileLogFormat(format, "")
		var b strings.Builder
		for _, p := range lf.parts {
			if p.variable == "" {
				b.WriteString(p.lit)
			} else {
				b.WriteString("$context." + p.variable)
			}
		}
		if b.String() != format {
			t.Fatalf("parts %q do not spell the format %q", b.String(), format)
		}
	})
}

// An edited format applies from the next request: it is compiled into the snapshot a reload swaps in.
func TestStageAccessLogReload(t *testing.T) {
	const doc = `openapi: "3.0.1"
info: {title: logs, version: "1"}
paths:
  /ok:
    get:
      x-amazon-apigateway-integration: {type: mock, requestTemplates: {application/json: '{"statusCode": 200}'}, responses: {default: {statusCode: "200"}}}
`
	var log bytes.Buffer
	g := NewGateway(loadFiles(t, t.TempDir(), doc, "stages: {dev: {accessLogFormat: 'one $context.requestId'}}\n"), NewAccessLog(&log, LogText, false))
	t.Cleanup(func() { g.Close() })
	g.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/dev/ok", nil))
	g.Swap(loadFiles(t, t.TempDir(), doc, "stages: {dev: {accessLogFormat: 'two $context.status $context.requestId'}}\n"))
	g.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/dev/ok", nil))
	lines := strings.Split(strings.TrimSpace(log.String()), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "one ") || !strings.HasPrefix(lines[1], "two 200 ") {
		t.Errorf("lines %q, want the old format then the new", lines)
	}
}
