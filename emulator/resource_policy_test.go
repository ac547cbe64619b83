package emulator

import (
	"net/http/httptest"
	"strings"
	"testing"
)

// A resource policy (x-amazon-apigateway-policy) is enforced with the IAM evaluator: "execute-api:/..."
// resources expand to the API's ARNs, aws:SourceIp conditions see the client's address, an explicit Deny
// and an unauthenticated call that nothing allows both answer AWS's 403 (reference §m).
func TestResourcePolicy(t *testing.T) {
	t.Parallel()
	spec := `openapi: "3.0.1"
info: {title: rp, version: "1"}
x-amazon-apigateway-policy:
  Version: "2012-10-17"
  Statement:
    - {Effect: Allow, Principal: "*", Action: "execute-api:Invoke", Resource: "execute-api:/*", Condition: {IpAddress: {"aws:SourceIp": ["127.0.0.0/8", "10.0.0.0/8"]}}}
    - {Effect: Deny, Principal: "*", Action: "execute-api:Invoke", Resource: "execute-api:/*/GET/admin", Condition: {NotIpAddress: {"aws:SourceIp": "10.0.0.0/8"}}}
paths:
  /open:
    get:
      x-amazon-apigateway-integration: ` + mockIntegration + `
  /admin:
    get:
      x-amazon-apigateway-integration: ` + mockIntegration + `
`
	g := NewGateway(loadFiles(t, t.TempDir(), spec, ""), nil)
	for _, c := range []struct {
		name, remote, path string
		status             int
		body               string
	}{
		{"allowed by source IP", "127.0.0.1:5000", "/dev/open", 200, `{"ok": true}`},
		{"allowed from the other range", "10.1.2.3:5000", "/dev/admin", 200, `{"ok": true}`},
		{"explicitly denied outside 10/8", "127.0.0.1:5000", "/dev/admin", 403,
			`{"Message":"User: anonymous is not authorized to perform: execute-api:Invoke on resource: arn:aws:execute-api:us-east-1:********9012:rp/dev/GET/admin with an explicit deny"}`},
		{"allowed by nothing", "192.0.2.9:5000", "/dev/open", 403,
			`{"Message":"User: anonymous is not authorized to perform: execute-api:Invoke on resource: arn:aws:execute-api:us-east-1:********9012:rp/dev/GET/open"}`},
	} {
		r := httptest.NewRequest("GET", c.path, nil)
		r.RemoteAddr = c.remote
		w := httptest.NewRecorder()
		g.ServeHTTP(w, r)
		if w.Code != c.status || w.Body.String() != c.body {
			t.Errorf("%s: %d %s, want %d %s", c.name, w.Code, w.Body, c.status, c.body)
		}
		if et := w.Header()["x-amzn-ErrorType"]; c.status == 403 && (len(et) != 1 || et[0] != "AccessDeniedException") {
			t.Errorf("%s: x-amzn-ErrorType %q", c.name, et)
		}
	}
}

// A condition the evaluator does not emulate is a validate warning, and its statement never matches (an
// Allow behind it admits nobody: fail closed).
func TestResourcePolicyUnsupportedCondition(t *testing.T) {
	t.Parallel()
	spec := `openapi: "3.0.1"
info: {title: rp, version: "1"}
x-amazon-apigateway-policy:
  Version: "2012-10-17"
  Statement:
    - {Effect: Allow, Principal: "*", Action: "execute-api:Invoke", Resource: "execute-api:/*", Condition: {StringEquals: {"aws:PrincipalOrgID": "o-123"}}}
paths:
  /open:
    get:
      x-amazon-apigateway-integration: ` + mockIntegration + `
`
	l := loadFilesFindings(t, t.TempDir(), spec, "")
	if !strings.Contains(l.Findings.Error(), "warning: x-amazon-apigateway-policy: Statement[0].Condition: StringEquals on aws:PrincipalOrgID is not emulated") {
		t.Errorf("findings:\n%s", l.Findings.Error())
	}
	snap, err := l.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	w := httptest.NewRecorder()
	NewGateway(snap, nil).ServeHTTP(w, httptest.NewRequest("GET", "/dev/open", nil))
	if w.Code != 403 {
		t.Errorf("the unsupported Allow admitted the request: %d %s", w.Code, w.Body)
	}
}
