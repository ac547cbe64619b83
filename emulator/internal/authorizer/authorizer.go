package authorizer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/apigw-local/apigw-local/emulator/internal/lambdaintegration"
	"github.com/apigw-local/apigw-local/emulator/internal/lambdaproxy"
	"github.com/apigw-local/apigw-local/internal/gatewayresponse"
	"github.com/apigw-local/apigw-local/internal/integration"
	"github.com/apigw-local/apigw-local/internal/reqctx"
	"github.com/apigw-local/apigw-local/internal/spec"
	"github.com/apigw-local/apigw-local/vtl"
)

const (
	// DefaultTTL is authorizerResultTtlInSeconds when the spec leaves it out.
	DefaultTTL = 300 * time.Second
	// MaxTTL is the largest authorizerResultTtlInSeconds API Gateway accepts.
	MaxTTL = 3600 * time.Second
	// MaxAnswerBytes bounds the answer read from an authorizer function: Lambda's own response limit.
	MaxAnswerBytes = 6 << 20
)

// Types of authorizer, as specs write them (x-amazon-apigateway-authorizer type).
const (
	TypeToken   = "token"
	TypeRequest = "request"
	TypeCognito = "cognito_user_pools"
)

// Authorizer is one of an API's authorizers, compiled once per build.
type Authorizer struct {
	Name string
	Type string
	// ID names the authorizer in the cache: its API, settings and function's configuration, hashed, so
	// that an edit to any of them starts with an empty cache.
	ID       string
	TTL      time.Duration
	http     *httpLambda // an HTTP API's Lambda authorizer (nil for REST's)
	sources  []identitySource
	validate *vtl.JavaRegex // identityValidationExpression (TOKEN)
	function lambdaintegration.Function
	cognito  *cognito
	jwt      *jwtAuthorizer
}

// identitySource is one entry of identitySource: where a request carries a piece of the caller's identity.
type identitySource struct {
	text string // as written, e.g. method.request.header.Authorization
	kind string // header, querystring, stageVariables, context
	name string
}

// Compile reads a Lambda (TOKEN or REQUEST) authorizer of api. fingerprint is what else its behaviour
// depends on (its function's configuration), for the cache identity.
func Compile(apiID string, a *spec.Authorizer, fingerprint string) (*Authorizer, error) {
	out := &Authorizer{Name: a.Name, Type: a.Type, TTL: DefaultTTL}
	if a.AuthorizerResultTTLInSeconds != nil {
		ttl := *a.AuthorizerResultTTLInSeconds
		if ttl < 0 || time.Duration(ttl)*time.Second > MaxTTL {
			return nil, fmt.Errorf("authorizerResultTtlInSeconds %d is out of range: API Gateway accepts 0 (no caching) to 3600", ttl)
		}
		out.TTL = time.Duration(ttl) * time.Second
	}
	for _, s := range strings.Split(a.IdentitySource, ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		src, err := parseIdentitySource(s)
		if err != nil {
			return nil, err
		}
		out.sources = append(out.sources, src)
	}
	switch a.Type {
	case TypeToken:
		if len(out.sources) != 1 || out.sources[0].kind != "header" {
			return nil, fmt.Errorf("a TOKEN authorizer's identitySource is one header (method.request.header.Authorization), got %q", a.IdentitySource)
		}
		if a.IdentityValidationExpression != "" {
			re, err := vtl.CompileJavaRegex(a.IdentityValidationExpression)
			if err != nil {
				return nil, fmt.Errorf("identityValidationExpression %q: %v", a.IdentityValidationExpression, err)
			}
			out.validate = re
		}
	case TypeRequest:
		if len(out.sources) == 0 && out.TTL > 0 {
			return nil, fmt.Errorf("a REQUEST authorizer with caching on (authorizerResultTtlInSeconds %d) needs an identitySource: the cache is keyed by it", int(out.TTL/time.Second))
		}
	default:
		return nil, fmt.Errorf("authorizer type %q is not a Lambda authorizer", a.Type)
	}
	if a.AuthorizerURI == "" {
		return nil, fmt.Errorf("a %s authorizer needs authorizerUri (the Lambda function's invocation ARN)", strings.ToUpper(a.Type))
	}
	fn, err := lambdaintegration.CompileFunction(a.AuthorizerURI)
	if err != nil {
		return nil, fmt.Errorf("authorizerUri: %v", err)
	}
	out.function = fn
	out.ID = identity(apiID, a, fingerprint)
	return out, nil
}

// FunctionName is the function the authorizer calls ("" when its URI uses stage variables).
func (a *Authorizer) FunctionName() string { return a.function.Name() }

// StageVariables are the stage variables the authorizer's URI needs.
func (a *Authorizer) StageVariables() []string { return a.function.StageVariables() }

func identity(apiID string, a *spec.Authorizer, fingerprint string) string {
	settings, _ := json.Marshal(struct {
		API string
		A   spec.Authorizer
		F   string
	}{apiID, *a, fingerprint})
	sum := sha256.Sum256(settings)
	return hex.EncodeToString(sum[:12])
}

func parseIdentitySource(s string) (identitySource, error) {
	for _, p := range []struct{ prefix, kind string }{
		{"method.request.header.", "header"},
		{"method.request.querystring.", "querystring"},
		{"stageVariables.", "stageVariables"},
		{"context.", "context"},
	} {
		if name, ok := strings.CutPrefix(s, p.prefix); ok && name != "" {
			return identitySource{text: s, kind: p.kind, name: name}, nil
		}
	}
	return identitySource{}, fmt.Errorf("identity source %q is not one API Gateway reads: use method.request.header.NAME, method.request.querystring.NAME, stageVariables.NAME or context.NAME", s)
}

// Request is what an authorizer may read of a request.
type Request struct {
	// MethodARN is arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{METHOD}/{path}.
	MethodARN string
	Header    http.Header
	// RawQuery is the request's query string, parsed only for querystring identity sources.
	RawQuery       string
	StageVariables map[string]string
	Context        *reqctx.Context
	// Event gives the method request as the REQUEST authorizer's event describes it, built only when one
	// is called.
	Event   func() *lambdaproxy.Request
	TraceID string
	// Functions runs the authorizer's function; Timeout bounds its call.
	Functions integration.Functions
	Timeout   time.Duration
	// Scopes are the method's authorizationScopes (Cognito, JWT).
	Scopes []string
	// Now is the gateway's clock, for token expiry.
	Now time.Time
	// RouteKey is the HTTP API route's key ("GET /pets/{id}", "$default"): the 2.0 event's routeKey and
	// the $context.routeKey identity source.
	RouteKey string
}

// Outcome is an authorizer's verdict on one request, for the gateway and its log.
type Outcome struct {
	// Answer is the authorizer's answer (nil when it was not called or failed).
	Answer *Answer
	// Cached tells an answer taken from the cache; Called one the function gave for this request.
	Cached, Called bool
	// Latency is the function call's duration (0 from the cache).
	Latency time.Duration
	// Claims are a Cognito or JWT authorizer's token's claims, as text ($context.authorizer.claims.*);
	// nil for Lambda.
	Claims map[string]string
	// Scopes are a JWT authorizer's token's scopes on a route with authorizationScopes; nil on other
	// routes, where the event's scopes are null.
	Scopes []string
}

// value reads one identity source of r ("" when absent).
func (s identitySource) value(r *Request) string {
	switch s.kind {
	case "header":
		return r.Header.Get(s.name)
	case "querystring":
		q, _ := url.ParseQuery(r.RawQuery)
		return q.Get(s.name)
	case "stageVariables":
		return r.StageVariables[s.name]
	case "context":
		if r.Context != nil {
			return r.Context.Get(s.name)
		}
	}
	return ""
}

// Authorize runs the authorizer for r: the answer (from the cache or the function) and the verdict of
// its policy on r's method ARN, or the gateway response that ends the request.
func (a *Authorizer) Authorize(ctx context.Context, r *Request, cache *Cache) (Outcome, *gatewayresponse.Error) {
	if a.http != nil {
		return a.authorizeHTTP(ctx, r, cache)
	}
	if a.cognito != nil {
		return a.cognito.authorize(r, a.Name)
	}
	if a.jwt != nil {
		return a.jwt.authorize(r, a.Name)
	}
	values := make([]string, len(a.sources))
	for i, s := range a.sources {
		values[i] = s.value(r)
		// TOKEN: an absent or empty header is 401 before the function. REQUEST: so is any absent source,
		// but only with caching on; without it the sources are optional (reference §d).
		if values[i] == "" && (a.Type == TypeToken || a.TTL > 0) {
			return Outcome{}, unauthorized("identity source %s is missing or empty: 401 without calling the authorizer", s.text)
		}
	}
	if a.validate != nil {
		ok, err := a.validate.Matches(values[0])
		if err != nil || !ok {
			return Outcome{}, unauthorized("the token does not match identityValidationExpression %s: 401 without calling the authorizer", a.validate)
		}
	}
	key := ""
	if a.TTL > 0 {
		key = a.ID + "\x00" + strings.Join(values, "\x00")
		if ans := cache.get(key); ans != nil {
			return a.judge(Outcome{Answer: ans, Cached: true}, r)
		}
	}
	var payload []byte
	if a.Type == TypeToken {
		payload, _ = json.Marshal(struct {
			Type               string `json:"type"`
			AuthorizationToken string `json:"authorizationToken"`
			MethodArn          string `json:"methodArn"`
		}{"TOKEN", values[0], r.MethodARN})
	} else {
		var err error
		if payload, err = lambdaproxy.RequestAuthorizerEvent(r.Event(), r.MethodARN); err != nil {
			return Outcome{}, configurationError("building the REQUEST event: %v", err)
		}
	}
	if r.Functions == nil {
		return Outcome{}, configurationError("no functions to run the authorizer")
	}
	callCtx, cancel := context.WithTimeout(ctx, r.Timeout)
	defer cancel()
	start := time.Now()
	res, err := a.function.Invoke(callCtx, r.Functions, r.StageVariables, payload, r.TraceID)
	latency := time.Since(start)
	switch {
	case err != nil && callCtx.Err() != nil:
		return Outcome{Called: true, Latency: latency}, configurationError("the authorizer function did not answer within %v", r.Timeout)
	case err != nil:
		return Outcome{Called: true, Latency: latency}, configurationError("calling the authorizer function: %v", err)
	case res.FunctionError != "":
		var fe struct {
			ErrorMessage string `json:"errorMessage"`
		}
		_ = json.Unmarshal(res.Payload, &fe)
		if fe.ErrorMessage == "Unauthorized" {
			return Outcome{Called: true, Latency: latency}, unauthorized("the authorizer function failed with \"Unauthorized\"")
		}
		return Outcome{Called: true, Latency: latency}, configurationError("the authorizer function failed: %s", shorten(string(res.Payload)))
	}
	ans, perr := parseAnswer(res.Payload)
	if perr != nil {
		return Outcome{Called: true, Latency: latency}, configurationError("the authorizer's answer is invalid: %v", perr)
	}
	if key != "" {
		cache.put(key, ans, a.TTL)
	}
	return a.judge(Outcome{Answer: ans, Called: true, Latency: latency}, r)
}

// judge evaluates the answer's policy against the request's method ARN, whether the answer is new or
// cached.
func (a *Authorizer) judge(o Outcome, r *Request) (Outcome, *gatewayresponse.Error) {
	from := "its policy"
	if o.Cached {
		from = "its cached policy"
	}
	switch o.Answer.policy.evaluate(r.MethodARN) {
	case allow:
		return o, nil
	case explicitDeny:
		return o, &gatewayresponse.Error{Type: gatewayresponse.AccessDenied, Reason: fmt.Sprintf("authorizer %s: %s explicitly denies %s", a.Name, from, r.MethodARN)}
	default:
		return o, &gatewayresponse.Error{Type: gatewayresponse.AccessDenied, Message: "User is not authorized to access this resource",
			Reason: fmt.Sprintf("authorizer %s: %s does not allow %s", a.Name, from, r.MethodARN)}
	}
}

func unauthorized(format string, args ...any) *gatewayresponse.Error {
	return gatewayresponse.New(gatewayresponse.Unauthorized, format, args...)
}

func configurationError(format string, args ...any) *gatewayresponse.Error {
	return gatewayresponse.New(gatewayresponse.AuthorizerConfigurationError, format, args...)
}

func shorten(s string) string {
	if len(s) > 200 {
		return s[:200] + "..."
	}
	return s
}

// MethodARN is the ARN API Gateway gives the authorizer and evaluates policies against:
// arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{METHOD}/{path}, the path as requested (not the
// resource template) without its leading slash, so that the root ends with "/".
func MethodARN(region, account, apiID, stage, method, path string) string {
	return "arn:aws:execute-api:" + region + ":" + account + ":" + apiID + "/" + stage + "/" + method + "/" + strings.TrimPrefix(path, "/")
}
