package emulator

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apigw-local/apigw-local/internal/integration"
	"github.com/apigw-local/apigw-local/internal/spec"
)

// newLoggedGateway serves spec+config and returns the server and the request log.
func newLoggedGateway(t *testing.T, specYAML, configYAML string, format LogFormat) (*httptest.Server, *bytes.Buffer) {
	t.Helper()
	snap := loadFiles(t, t.TempDir(), specYAML, configYAML)
	var log bytes.Buffer
	g := NewGateway(snap, NewAccessLog(&log, format, false))
	srv := httptest.NewServer(g)
	t.Cleanup(srv.Close)
	return srv, &log
}

const mockIntegration = `{type: mock, requestTemplates: {application/json: '{"statusCode": 200}'}, responses: {default: {statusCode: "200", responseTemplates: {application/json: '{"ok": true}'}}}}`

// A method whose authorization cannot be enforced (here: a Cognito authorizer whose pool's keys the config
// does not give) answers 500 and says why in its log line, rather than serving the integration
// unprotected (fail closed).
func TestUnenforcedAuthorizationFailsClosed(t *testing.T) {
	specYAML := `openapi: "3.0.1"
info: {title: t, version: "1"}
paths:
  /cognito:
    get:
      security: [{pool: []}]
      x-amazon-apigateway-integration: ` + mockIntegration + `
  /open:
    get:
      x-amazon-apigateway-integration: ` + mockIntegration + `
components:
  securitySchemes:
    pool:
      type: apiKey
      name: Authorization
      in: header
      x-amazon-apigateway-authtype: cognito_user_pools
      x-amazon-apigateway-authorizer: {type: cognito_user_pools, providerARNs: ["arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc"]}
`
	srv, log := newLoggedGateway(t, specYAML, "", LogText)
	for _, c := range []struct {
		path   string // request path
		status int    // what the client gets
		log    string // what the log line must say ("" for nothing)
	}{
		{"/dev/cognito", 500, `not served: authorizer "pool" cannot verify tokens: user pool arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc is not in the config's cognitoUserPools`},
		{"/dev/open", 200, ""},
	} {
		log.Reset()
		r := do(t, "GET", srv.URL+c.path, map[string]string{"Authorization": "allow"}, "")
		if r.status != c.status {
			t.Errorf("GET %s: %d %s, want %d", c.path, r.status, r.body, c.status)
		}
		if c.status == 500 && string(r.body) != `{"message": "Internal server error"}` {
			t.Errorf("GET %s: body %s, want AWS's 500", c.path, r.body)
		}
		if c.log != "" && !strings.Contains(log.String(), c.log) {
			t.Errorf("GET %s: log line %q lacks %q", c.path, log.String(), c.log)
		}
	}
}

// Features that only relax behaviour keep serving, and the log line names what was skipped.
func TestRelaxingFeaturesAreServedAndLogged(t *testing.T) {
	specYAML := `openapi: "3.0.1"
info: {title: t, version: "1"}
x-amazon-apigateway-request-validators:
  all: {validateRequestBody: true, validateRequestParameters: true}
paths:
  /v:
    post:
      x-amazon-apigateway-request-validator: all
      x-amazon-apigateway-integration: ` + mockIntegration + `
`
	srv, log := newLoggedGateway(t, specYAML, "", LogText)
	r := do(t, "POST", srv.URL+"/dev/v", map[string]string{"Content-Type": "application/json"}, "not json")
	if r.status != 200 {
		t.Fatalf("POST /dev/v: %d %s, want 200 (the validator has no model and no parameters to check)", r.status, r.body)
	}
	if strings.Contains(log.String(), "request validator") {
		t.Errorf("log line %q still calls the validator skipped", log.String())
	}
}

// A stage that lacks a stage variable the URI uses answers 500 there only; the finding names the stage.
func TestStageVariableDecidedPerStage(t *testing.T) {
	backend := newEcho(t)
	specYAML := `openapi: "3.0.1"
info: {title: t, version: "1"}
paths:
  /p:
    get:
      x-amazon-apigateway-integration: {type: http_proxy, httpMethod: GET, uri: "${stageVariables.url}/p"}
  /vpc:
    get:
      x-amazon-apigateway-integration: {type: http_proxy, httpMethod: GET, uri: "` + backend.URL + `/vpc", connectionType: VPC_LINK, connectionId: "${stageVariables.link}"}
`
	cfg := "stages:\n  prod:\n    variables: {url: \"" + backend.URL + "\", link: abc}\n  beta:\n    variables: {}\n"
	l := loadFilesFindings(t, t.TempDir(), specYAML, cfg)
	got := l.Findings.Error()
	for _, want := range []string{
		"GET /p: the integration URI uses ${stageVariables.url}, which stage beta does not define",
		"GET /vpc: connectionId ${stageVariables.link} uses ${stageVariables.link}, which stage beta does not define",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("findings lack %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "stage prod does not define") {
		t.Errorf("prod defines every variable, yet:\n%s", got)
	}
	snap, _ := l.Snapshot()
	srv := httptest.NewServer(NewGateway(snap, nil))
	defer srv.Close()
	for _, c := range []struct {
		path   string
		status int
	}{{"/prod/p", 200}, {"/beta/p", 500}, {"/prod/vpc", 200}, {"/beta/vpc", 500}} {
		if r := do(t, "GET", srv.URL+c.path, nil, ""); r.status != c.status {
			t.Errorf("GET %s: %d %s, want %d", c.path, r.status, r.body, c.status)
		}
	}
	served := map[string]bool{}
	for _, r := range snap.Routes() {
		served[r.Stage+" "+r.Path] = r.Served
	}
	if !served["prod /p"] || served["beta /p"] || !served["prod /vpc"] || served["beta /vpc"] {
		t.Errorf("route table disagrees with what is served: %v", served)
	}
}

// The JSON log line carries each phase's decision, in order, read from the exchange's trace.
func TestTraceRecordsEachPhase(t *testing.T) {
	specYAML := `openapi: "3.0.1"
info: {title: t, version: "1"}
paths:
  /pets/{id}:
    get:
      x-amazon-apigateway-integration: ` + mockIntegration + `
`
	srv, log := newLoggedGateway(t, specYAML, "", LogJSON)
	for _, c := range []struct {
		path   string
		phases string // phase:decision, in order
		reason string
	}{
		{"/dev/pets/1", "resolve:dev route:GET /pets/{id} authorize:NONE meter: validate: integrate:MOCK respond:", ""},
		{"/dev/nowhere", "resolve:dev route:", "MISSING_AUTHENTICATION_TOKEN no resource matches /nowhere"},
		{"/prod/pets/1", "resolve:", `MISSING_AUTHENTICATION_TOKEN no stage "prod" (stages: dev)`},
	} {
		log.Reset()
		do(t, "GET", srv.URL+c.path, nil, "")
		var e struct {
			Reason string `json:"reason"`
			Trace  []step `json:"trace"`
		}
		if err := json.Unmarshal(log.Bytes(), &e); err != nil {
			t.Fatalf("%s: log %q: %v", c.path, log.String(), err)
		}
		var got []string
		for _, s := range e.Trace {
			got = append(got, s.Phase+":"+s.Decision)
		}
		if strings.Join(got, " ") != c.phases || e.Reason != c.reason {
			t.Errorf("GET %s: trace %q reason %q, want %q reason %q", c.path, strings.Join(got, " "), e.Reason, c.phases, c.reason)
		}
	}
}

// Every registered kind compiles to something the integrate phase can run: a Responder or a Streamer.
func TestEveryKindRespondsOrStreams(t *testing.T) {
	integrations := map[string]*spec.Integration{
		spec.IntegrationMock:      {Type: spec.IntegrationMock},
		spec.IntegrationHTTP:      {Type: spec.IntegrationHTTP, HTTPMethod: "GET", URI: "http://127.0.0.1:1/x"},
		spec.IntegrationHTTPProxy: {Type: spec.IntegrationHTTPProxy, HTTPMethod: "GET", URI: "http://127.0.0.1:1/x"},
		spec.IntegrationAWS:       {Type: spec.IntegrationAWS, HTTPMethod: "POST", URI: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/F/invocations"},
		spec.IntegrationAWSProxy:  {Type: spec.IntegrationAWSProxy, HTTPMethod: "POST", URI: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/F/invocations"},
	}
	for typ := range kinds {
		in := integrations[typ]
		if in == nil {
			t.Errorf("kind %s is registered but not covered here", typ)
			continue
		}
		got, err := kinds.Compile(in, integration.Build{})
		if err != nil {
			t.Errorf("%s: %v", typ, err)
			continue
		}
		_, responds := got.(integration.Responder)
		_, streams := got.(integration.Streamer)
		if responds == streams {
			t.Errorf("%s compiles to %T: it must be exactly one of Responder and Streamer", typ, got)
		}
	}
	v2 := *integrations[spec.IntegrationAWSProxy]
	v2.PayloadFormatVersion = "2.0"
	k1, _ := kinds.Compile(integrations[spec.IntegrationAWSProxy], integration.Build{})
	k2, _ := kinds.Compile(&v2, integration.Build{})
	if k1.Kind() == k2.Kind() {
		t.Errorf("payload 1.0 and 2.0 compile to the same kind %q", k1.Kind())
	}
	if _, err := kinds.Compile(&spec.Integration{Type: "WEBSOCKET_THING"}, integration.Build{}); err == nil || !strings.Contains(err.Error(), "not emulated") {
		t.Errorf("an unregistered type: %v, want a not-emulated error", err)
	}
}

// The one build reports the config's accepted-but-not-acted-on settings and commands that cannot start,
// so that serve and validate see the same findings.
func TestBuildReportsConfigFindings(t *testing.T) {
	dir := t.TempDir()
	specYAML := `openapi: "3.0.1"
info: {title: t, version: "1"}
paths:
  /f:
    get:
      x-amazon-apigateway-integration: {type: aws_proxy, httpMethod: POST, uri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/F/invocations"}
`
	cfg := "functions:\n  F:\n    command: [./bin/missing]\n    build: [go, build, -o, bin/missing, .]\n"
	if err := writeTemp(dir, "openapi.yaml", specYAML); err != nil {
		t.Fatal(err)
	}
	if err := writeTemp(dir, "apigw-local.yaml", cfg); err != nil {
		t.Fatal(err)
	}
	// With a build, a missing binary is a warning (serve builds it before checking); without, an error.
	l, _ := Load(Sources{Specs: []string{dir + "/openapi.yaml"}, Config: dir + "/apigw-local.yaml"})
	if got := l.Findings.Error(); !strings.Contains(got, `warning: functions.F.command: the program "./bin/missing"`) || !strings.Contains(got, `(serve runs its build, "go build -o bin/missing .", first)`) {
		t.Errorf("findings:\n%s", got)
	}
	if err := writeTemp(dir, "apigw-local.yaml", "functions:\n  F:\n    command: [./bin/missing]\n"); err != nil {
		t.Fatal(err)
	}
	l, err := Load(Sources{Specs: []string{dir + "/openapi.yaml"}, Config: dir + "/apigw-local.yaml"})
	if err == nil || !strings.Contains(l.Findings.Error(), `error: functions.F.command: the program "./bin/missing"`) {
		t.Errorf("a missing command without a build: %v\n%s", err, l.Findings.Error())
	}
}

func writeTemp(dir, name, content string) error {
	return os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644)
}

// Findings about the config's stages point at the key's line, not only at its path.
func TestConfigFindingsAreLocated(t *testing.T) {
	specYAML := `openapi: "3.0.1"
info: {title: t, version: "1"}
paths:
  /v:
    get:
      x-amazon-apigateway-integration: ` + mockIntegration + `
`
	cfg := "stages:\n  dev:\n    routeSettings: {\"GET /v\": {throttlingRateLimit: 1, throttlingBurstLimit: 1}}\n    methodSettings:\n      \"/nope/GET\": {throttling: {rateLimit: 1, burstLimit: 1}}\n"
	l := loadFilesFindings(t, t.TempDir(), specYAML, cfg)
	got := l.Findings.Error()
	for _, want := range []string{`apigw-local.yaml:3:21: warning: stages.dev.routeSettings["GET /v"]`, `apigw-local.yaml:5:7: warning: stages.dev.methodSettings["/nope/GET"]`} {
		if !strings.Contains(got, want) {
			t.Errorf("findings lack %q:\n%s", want, got)
		}
	}
}
