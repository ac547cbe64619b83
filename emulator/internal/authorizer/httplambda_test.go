package authorizer

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/apigw-local/apigw-local/emulator/internal/lambdaproxy"
	"github.com/apigw-local/apigw-local/internal/gatewayresponse"
	"github.com/apigw-local/apigw-local/internal/integration"
	"github.com/apigw-local/apigw-local/internal/spec"
)

// What keeps an HTTP API's Lambda authorizer from running is an error naming the setting; what AWS
// would refuse but the emulator can read is a note.
func TestCompileHTTP(t *testing.T) {
	ttl := func(n int) *int { return &n }
	for _, c := range []struct {
		a          spec.Authorizer
		err, note  string
		version    string
		sources    int
		restSource bool
	}{
		{a: spec.Authorizer{Type: "token", IdentitySource: "$request.header.A", AuthorizerURI: uri, AuthorizerPayloadFormatVersion: "2.0"}, err: "has type request"},
		{a: spec.Authorizer{Type: "request", IdentitySource: "$request.header.A", AuthorizerURI: uri, AuthorizerPayloadFormatVersion: "3.0"}, err: `authorizerPayloadFormatVersion "3.0"`},
		{a: spec.Authorizer{Type: "request", IdentitySource: "$request.header.A", AuthorizerURI: uri, AuthorizerPayloadFormatVersion: "1.0", EnableSimpleResponses: true}, err: "enableSimpleResponses needs authorizerPayloadFormatVersion 2.0"},
		{a: spec.Authorizer{Type: "request", IdentitySource: "$request.path.id", AuthorizerURI: uri, AuthorizerPayloadFormatVersion: "2.0"}, err: `identity source "$request.path.id" is not one an HTTP API reads`},
		{a: spec.Authorizer{Type: "request", AuthorizerURI: uri, AuthorizerPayloadFormatVersion: "2.0"}, err: "needs an identitySource"},
		{a: spec.Authorizer{Type: "request", IdentitySource: "$request.header.A", AuthorizerPayloadFormatVersion: "2.0"}, err: "needs authorizerUri"},
		{a: spec.Authorizer{Type: "request", IdentitySource: "$request.header.A", AuthorizerURI: uri, AuthorizerPayloadFormatVersion: "2.0", AuthorizerResultTTLInSeconds: ttl(3601)}, err: "out of range"},
		{a: spec.Authorizer{Type: "request", AuthorizerURI: uri, AuthorizerPayloadFormatVersion: "2.0", AuthorizerResultTTLInSeconds: ttl(0)}, version: "2.0"},
		{a: spec.Authorizer{Type: "request", IdentitySource: "$request.header.A, $request.querystring.q, $context.routeKey, $stageVariables.s", AuthorizerURI: uri, AuthorizerPayloadFormatVersion: "2.0", EnableSimpleResponses: true}, version: "2.0", sources: 4},
		{a: spec.Authorizer{Type: "request", IdentitySource: "method.request.header.Authorization", AuthorizerURI: uri}, version: "1.0", sources: 1,
			note: "authorizerPayloadFormatVersion is missing (AWS requires 1.0 or 2.0 for an HTTP API's Lambda authorizer): served as 1.0; identity source method.request.header.Authorization is written as a REST API's"},
	} {
		a, note, err := CompileHTTP("api", &c.a, "")
		switch {
		case c.err != "":
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%+v: %v, want %q", c.a, err, c.err)
			}
		case err != nil:
			t.Errorf("%+v: %v", c.a, err)
		case a.PayloadVersion() != c.version || len(a.sources) != c.sources || !strings.HasPrefix(strings.ReplaceAll(note, ", with the REST-style event and an IAM policy answer", ""), c.note) || (c.note == "") != (note == ""):
			t.Errorf("%+v: version %s, %d sources, note %q", c.a, a.PayloadVersion(), len(a.sources), note)
		}
	}
	rest, _ := Compile("api", &spec.Authorizer{Type: "request", IdentitySource: "method.request.header.A", AuthorizerURI: uri}, "")
	if rest.PayloadVersion() != "" {
		t.Error("a REST authorizer has no payload version")
	}
}

// Simple answers need a boolean isAuthorized; policy answers are REST's; both take objects and lists as
// context values, which REST refuses.
func TestParseHTTPAnswer(t *testing.T) {
	const policy = `"policyDocument":{"Version":"2012-10-17","Statement":[{"Action":"execute-api:Invoke","Effect":"Allow","Resource":"*"}]}`
	for _, c := range []struct {
		payload string
		simple  bool
		err     string
		lambda  string // the answer's Lambda() as JSON
	}{
		{payload: `{"isAuthorized":true,"context":{"s":"x","l":[1,"a"],"m":{"k":{"n":null}},"z":null}}`, simple: true, lambda: `{"l":[1,"a"],"m":{"k":{"n":null}},"s":"x"}`},
		{payload: `{"isAuthorized":false}`, simple: true, lambda: `{}`},
		{payload: `{"isAuthorized":"true"}`, simple: true, err: "isAuthorized must be true or false"},
		{payload: `{"isAuthorized":null}`, simple: true, err: "isAuthorized must be true or false"},
		{payload: `{"principalId":"u",` + policy + `}`, simple: true, err: "isAuthorized must be true or false"},
		{payload: `[true]`, simple: true, err: "not a JSON object"},
		{payload: `{"isAuthorized":true,"context":[1]}`, simple: true, err: "context must be an object"},
		{payload: `{"principalId":"u",` + policy + `,"context":{"l":["a"],"m":{"x":1}}}`, lambda: `{"l":["a"],"m":{"x":1}}`},
		{payload: `{"isAuthorized":true}`, err: "principalId must be a string"},
		{payload: `{"principalId":"u"}`, err: "policyDocument is missing"},
	} {
		a, err := parseHTTPAnswer([]byte(c.payload), c.simple)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s: %v, want %q", c.payload, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", c.payload, err)
			continue
		}
		if got, _ := json.Marshal(a.Lambda()); string(got) != c.lambda {
			t.Errorf("%s: lambda %s, want %s", c.payload, got, c.lambda)
		}
	}
	a, _ := parseHTTPAnswer([]byte(`{"isAuthorized":true,"context":{"m":{"a": 1}}}`), true)
	if tm := a.Template(); tm["m"] != `{"a":1}` || len(tm) != 1 {
		t.Errorf("templates see a map as its JSON text and a simple answer has no principalId: %v", tm)
	}
	if _, ok := a.Event()["principalId"]; ok {
		t.Error("a simple answer has no principalId in the 1.0 event")
	}
}

// FuzzParseHTTPAnswer checks that any answer an HTTP API Lambda authorizer returns is either refused
// with an error or read into an Answer that can be judged, whose context is JSON, and whose kind
// (simple or policy) is the authorizer's.
func FuzzParseHTTPAnswer(f *testing.F) {
	for _, s := range []string{
		`{"isAuthorized":true,"context":{"a":"x","n":1,"b":true,"l":[1,{"x":null}],"m":{"k":"v"},"z":null}}`,
		`{"isAuthorized":false}`, `{"isAuthorized":"false"}`, `{"isAuthorized":1}`,
		`{"principalId":"u","policyDocument":{"Version":"2012-10-17","Statement":[{"Action":"execute-api:Invoke","Effect":"Deny","Resource":"*"}]},"context":{"l":[1]}}`,
		`[]`, `null`, `{}`, `"x"`, `{"isAuthorized":true,"context":"x"}`,
	} {
		f.Add([]byte(s), true)
		f.Add([]byte(s), false)
	}
	f.Fuzz(func(t *testing.T, data []byte, simple bool) {
		a, err := parseHTTPAnswer(data, simple)
		if err != nil {
			return
		}
		if a.simple != simple || (!simple && a.policy == nil) {
			t.Fatalf("simple %v: answer %+v", simple, a)
		}
		for _, c := range a.Context {
			var v any
			if len(c.JSON) == 0 || json.Unmarshal(c.JSON, &v) != nil || v == nil {
				t.Fatalf("context %q is not a JSON value: %s", c.Key, c.JSON)
			}
		}
		r := &Request{MethodARN: "arn:aws:execute-api:us-east-1:123456789012:api/$default/GET/x"}
		_, _ = (&Authorizer{Name: "fuzz"}).judgeHTTP(Outcome{Answer: a}, r)
		if _, err := json.Marshal(a.Lambda()); err != nil {
			t.Fatalf("the context cannot reach the event: %v", err)
		}
		_ = a.Template()
	})
}

// deadlineFunctions is a function runner that records its call's deadline and answers with err.
type deadlineFunctions struct {
	deadline time.Time
	err      error
}

func (f *deadlineFunctions) Invoke(ctx context.Context, _ string, _ []byte, _ string) (*integration.Invocation, error) {
	f.deadline, _ = ctx.Deadline()
	if f.err == nil {
		f.err = ctx.Err()
	}
	if f.err != nil {
		return nil, f.err
	}
	return &integration.Invocation{Payload: []byte(`{"isAuthorized":true}`)}, nil
}

func (f *deadlineFunctions) InvokeAsync(string, []byte, string) error { return nil }

// An HTTP API waits 10 s for its authorizer, whatever the integration time-out (REST: the integration
// maximum), and a time-out is 500.
func TestHTTPAuthorizerTimeout(t *testing.T) {
	a, _, err := CompileHTTP("api", &spec.Authorizer{Type: "request", IdentitySource: "$request.header.A", AuthorizerURI: uri,
		AuthorizerPayloadFormatVersion: "2.0", EnableSimpleResponses: true, AuthorizerResultTTLInSeconds: new(int)}, "")
	if err != nil {
		t.Fatal(err)
	}
	fns := &deadlineFunctions{}
	r := &Request{MethodARN: "arn:aws:execute-api:us-east-1:123456789012:api/$default/GET/x", Header: http.Header{"A": {"t"}},
		Event: func() *lambdaproxy.Request { return &lambdaproxy.Request{Method: "GET", Path: "/x"} }, Functions: fns, Timeout: time.Minute}
	start := time.Now()
	if _, gerr := a.Authorize(context.Background(), r, NewCache(time.Now)); gerr != nil {
		t.Fatal(gerr)
	}
	if d := fns.deadline.Sub(start); d < HTTPTimeout-time.Second || d > HTTPTimeout+time.Second {
		t.Errorf("the call's deadline is %v away, want %v", d, HTTPTimeout)
	}
	expired, cancel := context.WithCancel(context.Background())
	cancel()
	_, gerr := a.Authorize(expired, r, NewCache(time.Now))
	if gerr == nil || gerr.Type != gatewayresponse.AuthorizerConfigurationError || !strings.Contains(gerr.Reason, "did not answer within 10s") {
		t.Errorf("a call that runs out of time: %+v", gerr)
	}
}
