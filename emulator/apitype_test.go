package emulator

import (
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// apiType in the config decides the kind of API the specs are served as, whatever their definitions say;
// the routes list and the findings show the kind and why.
func TestConfigAPITypes(t *testing.T) {
	const doc = `openapi: "3.0.1"
info: {title: t, version: "1"}
paths:
  /a:
    get:
      x-amazon-apigateway-integration: {type: aws_proxy, httpMethod: POST, uri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/F/invocations"}
`
	for _, c := range []struct {
		config, want, reason, finding string
	}{
		{"", "REST", "it has nothing only HTTP APIs have", "a REST API (API Gateway v1): it has nothing only HTTP APIs have"},
		{"apiType: http\n", "HTTP", "apiType in the config says so", "an HTTP API (API Gateway v2): apiType in the config says so; served by HTTP API rules"},
		{"apiType: REST\n", "REST", "apiType in the config says so", "a REST API (API Gateway v1): apiType in the config says so"},
		{"apiType: HTTP\nstages: {$default: {}}\n", "HTTP", "apiType in the config says so", "an HTTP API (API Gateway v2)"},
	} {
		l := loadFilesFindings(t, t.TempDir(), doc, c.config)
		snap, err := l.Snapshot()
		if err != nil {
			t.Fatal(err)
		}
		r := snap.Routes()[0]
		if r.APIType != c.want || r.APITypeReason != c.reason {
			t.Errorf("config %q: route says %s (%q), want %s (%q)", c.config, r.APIType, r.APITypeReason, c.want, c.reason)
		}
		if !strings.Contains(l.Findings.Error(), c.finding) {
			t.Errorf("config %q: no finding %q in:\n%s", c.config, c.finding, l.Findings.Error())
		}
	}
	dir := t.TempDir()
	specPath, cfgPath := filepath.Join(dir, "openapi.yaml"), filepath.Join(dir, "apigw-local.yaml")
	_ = os.WriteFile(specPath, []byte(doc), 0o644)
	_ = os.WriteFile(cfgPath, []byte("stages:\n  $default: {}\n"), 0o644)
	l, err := Load(Sources{Specs: []string{specPath}, Config: cfgPath})
	if want := "apigw-local.yaml:2:3: error: stages.$default: stage $default is an HTTP API's stage at the root; " + specPath + " is a REST API"; err == nil || l == nil || !strings.Contains(l.Findings.Error(), want) {
		t.Errorf("$default on a REST API: %v, want %q in\n%s", err, want, l.Findings.Error())
	}
	_ = os.WriteFile(cfgPath, []byte("apiType: GRAPHQL\n"), 0o644)
	l, err = Load(Sources{Specs: []string{specPath}, Config: cfgPath})
	if err == nil || l == nil || !strings.Contains(l.Findings.Error(), `apiType: "GRAPHQL" is not a kind of API: use REST (API Gateway v1) or HTTP (API Gateway v2)`) {
		t.Errorf("an unknown kind: %v", err)
	}
}

// apis: serves several APIs by name, each with its own apiId and apiType (over the top-level apiType):
// the same export served as an HTTP API and as a REST API answers an unknown route each its own way.
func TestConfigAPIsPerAPIType(t *testing.T) {
	const doc = `openapi: "3.0.1"
info: {title: t, version: "1"}
paths:
  /a:
    get:
      x-amazon-apigateway-integration: {type: mock, requestTemplates: {application/json: '{"statusCode": 200}'}, responses: {default: {statusCode: "200"}}}
`
	dir := t.TempDir()
	for _, name := range []string{"one.yaml", "two.yaml"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cfgPath := filepath.Join(dir, "apigw-local.yaml")
	_ = os.WriteFile(cfgPath, []byte(`apiType: REST
apis:
  orders: {spec: one.yaml, apiId: orders1, apiType: HTTP}
  billing: {spec: ./two.yaml, apiId: billing1}
stages: {$default: {}, dev: {}}
`), 0o644)
	l, err := Load(Sources{Config: cfgPath})
	if err == nil {
		t.Fatalf("stage $default on the REST API billing1 is not refused:\n%s", l.Findings.Error())
	}
	_ = os.WriteFile(cfgPath, []byte(`apiType: REST
apis:
  orders: {spec: one.yaml, apiId: orders1, apiType: HTTP}
  billing: {spec: ./two.yaml, apiId: billing1}
stages: {dev: {}}
`), 0o644)
	l, err = Load(Sources{Config: cfgPath})
	if err != nil {
		t.Fatalf("%v\n%s", err, l.Findings.Error())
	}
	snap, err := l.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	types := map[string]string{}
	for _, r := range snap.Routes() {
		types[r.APIID] = r.APIType + " (" + r.APITypeReason + ")"
	}
	if types["orders1"] != "HTTP (apiType in the config says so)" || types["billing1"] != "REST (apiType in the config says so)" || len(types) != 2 {
		t.Errorf("API kinds %v, want orders1 HTTP and billing1 REST", types)
	}
	g := NewGateway(snap, NewAccessLog(io.Discard, LogText, false))
	t.Cleanup(func() { g.Close() })
	for _, c := range []struct {
		host   string
		status int
	}{{"orders1.execute-api.localhost", 404}, {"billing1.execute-api.localhost", 403}} {
		w := httptest.NewRecorder()
		r := httptest.NewRequest("GET", "/dev/nothing", nil)
		r.Host = c.host
		g.ServeHTTP(w, r)
		if w.Code != c.status {
			t.Errorf("%s: an unknown route answers %d %s, want %d", c.host, w.Code, w.Body, c.status)
		}
		w = httptest.NewRecorder()
		r = httptest.NewRequest("GET", "/dev/a", nil)
		r.Host = c.host
		g.ServeHTTP(w, r)
		if w.Code != 200 {
			t.Errorf("%s: GET /dev/a answers %d %s, want 200", c.host, w.Code, w.Body)
		}
	}
}
