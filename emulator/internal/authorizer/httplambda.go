package authorizer

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/apigw-local/apigw-local/emulator/internal/lambdaintegration"
	"github.com/apigw-local/apigw-local/emulator/internal/lambdaproxy"
	"github.com/apigw-local/apigw-local/internal/gatewayresponse"
	"github.com/apigw-local/apigw-local/internal/spec"
)

// Payload format versions of an HTTP API's Lambda authorizer (authorizerPayloadFormatVersion).
const (
	PayloadV1 = "1.0"
	PayloadV2 = "2.0"
)

// HTTPTimeout is how long an HTTP API waits for its Lambda authorizer (reference §j.6, the quota
// table of [D-lim]); REST waits as long as an integration may.
const HTTPTimeout = 10 * time.Second

// httpLambda is what sets an HTTP API's Lambda authorizer apart from REST's REQUEST authorizer.
type httpLambda struct {
	version string // PayloadV1 or PayloadV2
	simple  bool   // enableSimpleResponses: {"isAuthorized": bool, "context": {...}} instead of a policy
}

// CompileHTTP reads a Lambda authorizer of an HTTP API (reference §j.6). note, when not empty, is a
// finding for the build to report: something the spec leaves to a default AWS would not accept, that
// the emulator takes anyway (a missing authorizerPayloadFormatVersion, REST-style identity sources).
func CompileHTTP(apiID string, a *spec.Authorizer, fingerprint string) (az *Authorizer, note string, err error) {
	if a.Type != TypeRequest {
		return nil, "", fmt.Errorf("an HTTP API's Lambda authorizer has type request (token is REST only), got %q", a.Type)
	}
	h := &httpLambda{version: a.AuthorizerPayloadFormatVersion, simple: a.EnableSimpleResponses}
	var notes []string
	switch h.version {
	case PayloadV1, PayloadV2:
	case "":
		// AWS requires the version for HTTP API Lambda authorizers (CreateAuthorizer, SAM); 1.0 is the
		// REST-compatible one, which is what a spec without it was most likely written for.
		h.version = PayloadV1
		notes = append(notes, "authorizerPayloadFormatVersion is missing (AWS requires 1.0 or 2.0 for an HTTP API's Lambda authorizer): served as 1.0, with the REST-style event and an IAM policy answer")
	default:
		return nil, "", fmt.Errorf("authorizerPayloadFormatVersion %q: use 1.0 or 2.0", h.version)
	}
	if h.simple && h.version != PayloadV2 {
		return nil, "", fmt.Errorf("enableSimpleResponses needs authorizerPayloadFormatVersion 2.0 (got %s)", h.version)
	}
	out := &Authorizer{Name: a.Name, Type: a.Type, TTL: DefaultTTL, http: h}
	if a.AuthorizerResultTTLInSeconds != nil {
		ttl := *a.AuthorizerResultTTLInSeconds
		if ttl < 0 || time.Duration(ttl)*time.Second > MaxTTL {
			return nil, "", fmt.Errorf("authorizerResultTtlInSeconds %d is out of range: API Gateway accepts 0 (no caching) to 3600", ttl)
		}
		out.TTL = time.Duration(ttl) * time.Second
	}
	var restStyle []string
	for _, s := range strings.Split(a.IdentitySource, ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		src, rest, err := parseLambdaIdentitySource(s)
		if err != nil {
			return nil, "", err
		}
		if rest {
			restStyle = append(restStyle, s)
		}
		out.sources = append(out.sources, src)
	}
	if len(restStyle) > 0 {
		notes = append(notes, fmt.Sprintf("identity source %s is written as a REST API's; an HTTP API writes $request.header.NAME, $request.querystring.NAME, $context.NAME or $stageVariables.NAME: read as the same header, query parameter or variable", strings.Join(restStyle, ", ")))
	}
	if len(out.sources) == 0 && out.TTL > 0 {
		return nil, "", fmt.Errorf("an HTTP API's Lambda authorizer with caching on (authorizerResultTtlInSeconds %d) needs an identitySource: the cache is keyed by it", int(out.TTL/time.Second))
	}
	if a.AuthorizerURI == "" {
		return nil, "", fmt.Errorf("a REQUEST authorizer needs authorizerUri (the Lambda function's invocation ARN)")
	}
	fn, err := lambdaintegration.CompileFunction(a.AuthorizerURI)
	if err != nil {
		return nil, "", fmt.Errorf("authorizerUri: %v", err)
	}
	out.function = fn
	out.ID = identity(apiID, a, fingerprint)
	return out, strings.Join(notes, "; "), nil
}

// PayloadVersion is an HTTP API Lambda authorizer's payload format version ("" for REST authorizers).
func (a *Authorizer) PayloadVersion() string {
	if a.http == nil {
		return ""
	}
	return a.http.version
}

// parseLambdaIdentitySource reads an identity source of an HTTP API's Lambda authorizer; rest is true
// for one written the REST way (method.request.header.NAME), which is read as its HTTP API equivalent.
func parseLambdaIdentitySource(s string) (src identitySource, rest bool, err error) {
	for _, p := range []struct{ prefix, kind string }{
		{"$request.header.", "header"},
		{"$request.querystring.", "querystring"},
		{"$stageVariables.", "stageVariables"},
		{"$context.", "context"},
	} {
		if name, ok := strings.CutPrefix(s, p.prefix); ok && name != "" {
			return identitySource{text: s, kind: p.kind, name: name}, false, nil
		}
	}
	if src, err := parseIdentitySource(s); err == nil {
		return src, true, nil
	}
	return identitySource{}, false, fmt.Errorf("identity source %q is not one an HTTP API reads: use $request.header.NAME, $request.querystring.NAME, $context.NAME or $stageVariables.NAME", s)
}

// httpValue reads one identity source of r as an HTTP API does: header names without regard to case,
// query parameter names with it, repeated values joined with "," as the 2.0 event joins them.
func (s identitySource) httpValue(r *Request) string {
	switch s.kind {
	case "header":
		return strings.Join(r.Header.Values(s.name), ",")
	case "querystring":
		q, _ := url.ParseQuery(r.RawQuery)
		return strings.Join(q[s.name], ",")
	case "stageVariables":
		return r.StageVariables[s.name]
	case "context":
		if s.name == "routeKey" {
			return r.RouteKey
		}
		if r.Context != nil {
			return r.Context.Get(s.name)
		}
	}
	return ""
}

// authorizeHTTP is Authorize for an HTTP API's Lambda authorizer (reference §j.6): every identity source
// must be present and non-empty, else 401 without calling the function (with or without caching, as
// the v2 API reference states it); a denial (isAuthorized false, or a policy that does not allow the
// route ARN) is 403; a function that fails, times out or answers something unreadable is 500. Assumed:
// a function error, even one whose message is "Unauthorized", is 500 (REST's 401 rule is documented for
// REST only).
func (a *Authorizer) authorizeHTTP(ctx context.Context, r *Request, cache *Cache) (Outcome, *gatewayresponse.Error) {
	values := make([]string, len(a.sources))
	for i, s := range a.sources {
		if values[i] = s.httpValue(r); values[i] == "" {
			return Outcome{}, unauthorized("identity source %s is missing or empty: 401 without calling the authorizer", s.text)
		}
	}
	key := ""
	if a.TTL > 0 {
		// The key holds the identity values only, so that every route using the authorizer shares the
		// answer, unless $context.routeKey is one of the sources (then its value separates them).
		key = a.ID + "\x00" + strings.Join(values, "\x00")
		if ans := cache.get(key); ans != nil {
			return a.judgeHTTP(Outcome{Answer: ans, Cached: true}, r)
		}
	}
	payload, err := a.http.event(r, values)
	if err != nil {
		return Outcome{}, configurationError("building the authorizer's %s event: %v", a.http.version, err)
	}
	if r.Functions == nil {
		return Outcome{}, configurationError("no functions to run the authorizer")
	}
	callCtx, cancel := context.WithTimeout(ctx, HTTPTimeout)
	defer cancel()
	start := time.Now()
	res, err := a.function.Invoke(callCtx, r.Functions, r.StageVariables, payload, r.TraceID)
	o := Outcome{Called: true, Latency: time.Since(start)}
	switch {
	case err != nil && callCtx.Err() != nil:
		return o, configurationError("the authorizer function did not answer within %v", HTTPTimeout)
	case err != nil:
		return o, configurationError("calling the authorizer function: %v", err)
	case res.FunctionError != "":
		return o, configurationError("the authorizer function failed: %s", shorten(string(res.Payload)))
	}
	ans, perr := parseHTTPAnswer(res.Payload, a.http.simple)
	if perr != nil {
		return o, configurationError("the authorizer's answer is invalid: %v", perr)
	}
	if key != "" {
		cache.put(key, ans, a.TTL)
	}
	o.Answer = ans
	return a.judgeHTTP(o, r)
}

// judgeHTTP applies an answer, new or cached, to r: a simple answer's isAuthorized holds for every
// request with the same identity; a policy is evaluated against each request's route ARN.
func (a *Authorizer) judgeHTTP(o Outcome, r *Request) (Outcome, *gatewayresponse.Error) {
	from := "its answer"
	if o.Cached {
		from = "its cached answer"
	}
	if o.Answer.simple {
		if o.Answer.authorized {
			return o, nil
		}
		return o, &gatewayresponse.Error{Type: gatewayresponse.AccessDenied, Reason: fmt.Sprintf("authorizer %s: %s is isAuthorized false", a.Name, from)}
	}
	switch o.Answer.policy.evaluate(r.MethodARN) {
	case allow:
		return o, nil
	case explicitDeny:
		return o, &gatewayresponse.Error{Type: gatewayresponse.AccessDenied, Reason: fmt.Sprintf("authorizer %s: the policy of %s explicitly denies %s", a.Name, from, r.MethodARN)}
	}
	return o, &gatewayresponse.Error{Type: gatewayresponse.AccessDenied, Reason: fmt.Sprintf("authorizer %s: the policy of %s does not allow %s", a.Name, from, r.MethodARN)}
}

// parseHTTPAnswer validates an HTTP API Lambda authorizer's answer. With simple responses it is
// {"isAuthorized": bool, "context": {...}} (isAuthorized must be a boolean; anything else is an invalid
// answer, 500); otherwise an IAM policy answer as REST's. Either way context values may be objects and
// lists (reference §j.6).
func parseHTTPAnswer(payload []byte, simple bool) (*Answer, error) {
	if !simple {
		return parsePolicyAnswer(payload, true)
	}
	if len(payload) > MaxAnswerBytes {
		return nil, fmt.Errorf("%d bytes, over Lambda's %d", len(payload), MaxAnswerBytes)
	}
	var raw struct {
		IsAuthorized json.RawMessage `json:"isAuthorized"`
		Context      json.RawMessage `json:"context"`
	}
	if err := json.NewDecoder(bytes.NewReader(payload)).Decode(&raw); err != nil {
		return nil, fmt.Errorf("not a JSON object: %v", err)
	}
	a := &Answer{simple: true}
	if isNull(raw.IsAuthorized) || json.Unmarshal(raw.IsAuthorized, &a.authorized) != nil {
		return nil, fmt.Errorf("isAuthorized must be true or false (enableSimpleResponses)")
	}
	if !isNull(raw.Context) {
		var err error
		if a.Context, err = parseContext(raw.Context, true); err != nil {
			return nil, err
		}
	}
	return a, nil
}

// event builds the authorizer's event for r. 1.0 is the REST REQUEST event with version, and
// identitySource and authorizationToken holding the identity values joined with ","; 2.0 is the
// payload-2.0 request without its body, headed by type, routeArn and identitySource (the values as a
// list), in the order of AWS's published sample.
func (h *httpLambda) event(r *Request, values []string) ([]byte, error) {
	ev := r.Event()
	if h.version == PayloadV1 {
		base, err := lambdaproxy.RequestAuthorizerEvent(ev, r.MethodARN)
		if err != nil {
			return nil, err
		}
		joined, arn := jsonText(strings.Join(values, ",")), jsonText(r.MethodARN)
		return reshape(base, []member{{"version", []byte(`"1.0"`)}, {"type", []byte(`"REQUEST"`)}, {"methodArn", arn},
			{"identitySource", joined}, {"authorizationToken", joined}}, "type", "methodArn")
	}
	if values == nil {
		values = []string{}
	}
	trimmed := *ev
	trimmed.Body, trimmed.IsBase64, trimmed.Authorizer = nil, false, nil
	trimmed.RouteKey = r.RouteKey
	base, err := lambdaproxy.EventV2(&trimmed)
	if err != nil {
		return nil, err
	}
	return reshape(base, []member{{"version", []byte(`"2.0"`)}, {"type", []byte(`"REQUEST"`)}, {"routeArn", jsonText(r.MethodARN)},
		{"identitySource", jsonText(values)}}, "version", "body", "isBase64Encoded")
}

// jsonText is v as JSON, without HTML escaping (API Gateway writes "&" and "<" as they are).
func jsonText(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

// member is one member of a JSON object, its value as JSON text.
type member struct {
	key   string
	value json.RawMessage
}

// reshape writes the object base with head first, then base's members in their order but those named
// in drop.
func reshape(base []byte, head []member, drop ...string) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(base))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, fmt.Errorf("the event is not a JSON object")
	}
	out := make([]byte, 0, len(base)+256)
	out = append(out, '{')
	n := 0
	add := func(k string, v []byte) {
		if n > 0 {
			out = append(out, ',')
		}
		out = append(append(append(out, jsonText(k)...), ':'), v...)
		n++
	}
	for _, m := range head {
		add(m.key, m.value)
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, err
		}
		k, _ := t.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		skip := false
		for _, d := range drop {
			skip = skip || d == k
		}
		if !skip {
			add(k, v)
		}
	}
	return append(out, '}'), nil
}
