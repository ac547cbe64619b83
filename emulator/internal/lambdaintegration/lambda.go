// Package lambdaintegration is API Gateway's integrations with Lambda behind the integration interface:
// AWS (non-proxy: mapping templates, selection by errorMessage, X-Amz-Invocation-Type: Event) and
// AWS_PROXY with payload format 1.0 (REST APIs) and 2.0 (HTTP APIs), three separate kinds. The events
// and the response contracts are lambdaproxy's; running the function is lambdarun's, reached through
// the gateway's integration.Functions.
package lambdaintegration

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"

	"github.com/apigw-local/apigw-local/emulator/internal/lambdaproxy"
	"github.com/apigw-local/apigw-local/internal/gatewayresponse"
	"github.com/apigw-local/apigw-local/internal/integration"
	"github.com/apigw-local/apigw-local/internal/mapping"
	"github.com/apigw-local/apigw-local/internal/spec"
	"github.com/apigw-local/apigw-local/lambdarun"
)

var stageVariableRef = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\$\{stageVariables\.([A-Za-z0-9_]+)\}`) })

// target is the function a route invokes: fixed at build when the URI uses no stage variable.
type target struct {
	uri   string // may hold ${stageVariables.x}
	fixed string // the function name, resolved once; "" when the URI uses stage variables
}

func compileTarget(in *spec.Integration) (target, error) {
	if _, isLambda, err := parseLambdaURI(stageVariableRef().ReplaceAllString(in.URI, "x")); err != nil {
		return target{}, err
	} else if !isLambda {
		return target{}, &integration.NotEmulated{What: fmt.Sprintf("%s integrations with AWS services other than Lambda (%s)", in.Type, in.URI)}
	}
	t := target{uri: in.URI}
	if !strings.Contains(in.URI, "${") {
		lt, _, err := parseLambdaURI(in.URI)
		if err != nil {
			return target{}, err
		}
		if lt.Function == "" {
			return target{}, fmt.Errorf("invalid Lambda URI %q: no function name", in.URI)
		}
		t.fixed = lt.Function
	}
	return t, nil
}

// Function is a Lambda function named by an authorizer's authorizerUri, which has the form of a Lambda
// integration's URI (arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{function ARN}/invocations)
// and may use stage variables in the same way.
type Function struct{ t target }

// CompileFunction reads an authorizerUri.
func CompileFunction(uri string) (Function, error) {
	t, err := compileTarget(&spec.Integration{Type: "authorizer", URI: uri})
	if err != nil {
		return Function{}, err
	}
	return Function{t}, nil
}

// Name is the function the URI names when it uses no stage variable ("" otherwise).
func (f Function) Name() string { return f.t.fixed }

// StageVariables lists the stage variables the URI needs.
func (f Function) StageVariables() []string { return f.t.StageVariables() }

// Invoke calls the function with the stage's variables substituted into the URI. Every failure is an
// error: an authorizer answers them all alike (500 AuthorizerConfigurationException).
func (f Function) Invoke(ctx context.Context, fns integration.Functions, stageVars map[string]string, payload []byte, traceID string) (*integration.Invocation, error) {
	name, gerr := f.t.function(stageVars)
	if gerr != nil {
		return nil, errors.New(gerr.Reason)
	}
	return fns.Invoke(ctx, name, payload, traceID)
}

// IsLambda reports whether an AWS or AWS_PROXY integration calls Lambda (rather than another service).
func IsLambda(in *spec.Integration) bool {
	_, isLambda, _ := parseLambdaURI(stageVariableRef().ReplaceAllString(in.URI, "x"))
	return isLambda
}

// FunctionName is the function the URI names when it uses no stage variable ("" otherwise).
func (t target) FunctionName() string { return t.fixed }

// StageVariables lists the stage variables the URI needs.
func (t target) StageVariables() []string {
	var out []string
	for _, m := range stageVariableRef().FindAllStringSubmatch(t.uri, -1) {
		out = append(out, m[1])
	}
	return out
}

// function substitutes the stage's variables and names the function; an undefined variable is AWS's 500
// (the build reports it per stage, so this is the request-time guard).
func (t target) function(stageVars map[string]string) (string, *gatewayresponse.Error) {
	if t.fixed != "" {
		return t.fixed, nil
	}
	var missing string
	uri := stageVariableRef().ReplaceAllStringFunc(t.uri, func(m string) string {
		name := stageVariableRef().FindStringSubmatch(m)[1]
		v, ok := stageVars[name]
		if !ok {
			missing = name
		}
		return v
	})
	if missing != "" {
		return "", gatewayresponse.New(gatewayresponse.APIConfigurationError, "stage variable %q used in the integration URI is not defined on this stage", missing)
	}
	lt, _, err := parseLambdaURI(uri)
	if err != nil || lt.Function == "" {
		return "", gatewayresponse.New(gatewayresponse.APIConfigurationError, "invalid Lambda URI %q: %v", uri, err)
	}
	return lt.Function, nil
}

// invoke calls the function and turns Lambda's failures into API Gateway's answers.
func (t target) invoke(ctx context.Context, req *integration.Request, payload []byte) (*integration.Invocation, *gatewayresponse.Error) {
	name, gerr := t.function(req.StageVariables)
	if gerr != nil {
		return nil, gerr
	}
	res, err := req.Runtime.Functions.Invoke(ctx, name, payload, req.TraceID)
	var notConfigured *NotConfigured
	switch {
	case err == nil:
		return res, nil
	case errors.As(err, &notConfigured):
		return nil, gatewayresponse.New(gatewayresponse.APIConfigurationError, "%v", err)
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return nil, gatewayresponse.New(gatewayresponse.IntegrationTimeout, "Lambda function did not answer within the integration timeout")
	case errors.Is(err, lambdarun.ErrPayloadTooLarge):
		// Lambda's own 6 MB limit on the event (base64 and headers count), not the gateway's 10 MB.
		return nil, gatewayresponse.New(gatewayresponse.LambdaRequestTooLarge, "%v", err)
	default:
		return nil, gatewayresponse.New(gatewayresponse.IntegrationFailure, "invoking the function: %v", err)
	}
}

// NotConfigured is a Lambda integration naming a function the config does not define (nor an in-process
// handler): AWS would answer 500 (the function does not exist, or API Gateway may not call it).
type NotConfigured struct{ Name string }

func (e *NotConfigured) Error() string {
	return fmt.Sprintf("function %q is not configured: add functions.%s (command, or external) to apigw-local.yaml", e.Name, e.Name)
}

// CompileAWSProxy compiles an AWS_PROXY integration: payload format 2.0 for HTTP APIs, else 1.0.
func CompileAWSProxy(in *spec.Integration, _ integration.Build) (integration.Integration, error) {
	t, err := compileTarget(in)
	if err != nil {
		return nil, err
	}
	if in.HTTPMethod != "POST" {
		// Lambda's Invoke API is a POST; AWS answers 500 (lambda-proxy.json#v1-integration-method-get-fails).
		return nil, fmt.Errorf("AWS_PROXY integration httpMethod is %s; Lambda is invoked with POST, so AWS answers 500", in.HTTPMethod)
	}
	if in.PayloadFormatVersion == "2.0" {
		return &proxyV2{t}, nil
	}
	return &proxyV1{t}, nil
}

// CompileAWS compiles an AWS (non-proxy) integration with Lambda.
func CompileAWS(in *spec.Integration, _ integration.Build) (integration.Integration, error) {
	t, err := compileTarget(in)
	if err != nil {
		return nil, err
	}
	m, err := mapping.Compile(in)
	if err != nil {
		return nil, err
	}
	async, _ := spec.Lookup(in.RequestParameters, "integration.request.header.X-Amz-Invocation-Type")
	return &custom{target: t, mapping: m, async: async}, nil
}

// event is the Lambda proxy request: a view of the one request context.
func event(req *integration.Request) *lambdaproxy.Request {
	rc := req.Context
	r := req.HTTP
	routeKey := rc.RouteKey
	if routeKey == "" { // a payload 2.0 route of a REST API (which AWS would not import)
		routeKey = r.Method + " " + rc.ResourcePath
	}
	binary := false
	if req.HTTPAPI {
		// Without a body the flag is false, as in AWS's published sample (a GET without Content-Type).
		binary = len(req.Body) > 0 && httpAPIBinary(r.Header.Get("Content-Type"))
	} else {
		binary = mapping.IsBinaryType(r.Header.Get("Content-Type"), req.BinaryMediaTypes)
	}
	e := &lambdaproxy.Request{Method: r.Method, Path: r.URL.EscapedPath(), Stage: rc.Stage,
		Resource: rc.ResourcePath, PathParameters: req.PathParameters, RawQuery: r.URL.RawQuery, Header: r.Header,
		Body: req.Body, IsBase64: binary, StageVariables: req.StageVariables,
		SourceIP: rc.SourceIP, UserAgent: rc.UserAgent, Protocol: rc.Protocol, AccountID: rc.AccountID,
		APIID: rc.APIID, DeploymentID: rc.DeploymentID, DomainName: rc.DomainName, DomainPrefix: rc.DomainPrefix,
		ExtendedRequestID: rc.ExtendedRequestID, RequestID: rc.RequestID, ResourceID: rc.ResourceID, RequestTime: rc.RequestTime,
		TraceID: req.TraceID, APIKey: rc.APIKey, APIKeyID: rc.APIKeyID, RouteKey: routeKey,
		Caller: rc.Caller, HTTPAPI: req.HTTPAPI}
	if req.HeaderNames != nil && !req.HTTPAPI { // 2.0 and HTTP API 1.0 events lower-case the names
		e.HeaderNames = req.HeaderNames()
	}
	if rc.AuthorizerEvent != nil {
		e.Authorizer = rc.AuthorizerEvent
	} else if rc.Authorizer != nil {
		e.Authorizer = make(map[string]any, len(rc.Authorizer))
		for k, v := range rc.Authorizer {
			e.Authorizer[k] = v
		}
	}
	return e
}

// eventBuffers recycles the buffers proxy events are built in, so that a warm route builds its events
// without allocating.
var eventBuffers = sync.Pool{New: func() any { return new([]byte) }}

// maxPooledEvent is the largest buffer kept: an event with a big body should not pin its memory.
const maxPooledEvent = 64 << 10

// getEventBuffer returns an empty buffer for one event. The event goes back (putEventBuffer) only once
// the function has answered it successfully, after its answer has been read: then the runtime has
// delivered the event and the handler has returned. When Invoke fails (ctx done: the invocation may
// still be queued, or running on in the background, and read the event later) or the function failed
// (a timeout is a failure, and an in-process handler may still be running with the event), the buffer
// is left to the garbage collector.
func getEventBuffer() *[]byte { return eventBuffers.Get().(*[]byte) }

// putEventBuffer returns buf, now holding ev's array, to the pool; ev must not be used afterwards.
func putEventBuffer(buf *[]byte, ev []byte) {
	if cap(ev) > maxPooledEvent {
		return
	}
	*buf = ev[:0]
	eventBuffers.Put(buf)
}

// proxyV1 is AWS_PROXY with payload format 1.0 (REST APIs).
type proxyV1 struct{ target }

func (*proxyV1) Kind() string { return "AWS_PROXY (Lambda, payload 1.0)" }

func (k *proxyV1) Respond(ctx context.Context, req *integration.Request) (*integration.Response, *gatewayresponse.Error) {
	buf := getEventBuffer()
	ev, err := lambdaproxy.AppendEventV1(*buf, event(req))
	if err != nil {
		putEventBuffer(buf, ev)
		return nil, gatewayresponse.New(gatewayresponse.APIConfigurationError, "building the Lambda event: %v", err)
	}
	res, gerr := k.invoke(ctx, req, ev)
	if gerr != nil {
		return nil, gerr // ev is not recycled: see getEventBuffer
	}
	if res.FunctionError != "" {
		return nil, functionFailed(fmt.Sprintf("function error (%s): %s", res.FunctionError, truncate(res.Payload)))
	}
	// The response is read before the buffer goes back: a handler may answer with its event's own bytes.
	binaryTypes := req.BinaryMediaTypes
	if req.HTTPAPI {
		binaryTypes = decodeAlways // HTTP APIs have no binaryMediaTypes: a flagged body is decoded
	}
	resp, err := lambdaproxy.ResponseV1(res.Payload, req.HTTP.Header.Get("Accept"), binaryTypes)
	putEventBuffer(buf, ev)
	if err != nil {
		return nil, functionFailed(err.Error())
	}
	return &integration.Response{Status: resp.Status, Header: resp.Header, Body: resp.Body, Traced: true}, nil
}

// functionFailed is how a REST API answers a Lambda proxy function that failed or returned something it
// cannot read: 502 {"message": "Internal server error"} (lambda-proxy.json#v1-response-*), as an
// INTEGRATION_FAILURE that gateway-response customisation can change.
func functionFailed(reason string) *gatewayresponse.Error {
	return &gatewayresponse.Error{Type: gatewayresponse.IntegrationFailure, Status: 502, Message: "Internal server error", Reason: reason}
}

// proxyV2 is AWS_PROXY with payload format 2.0 (HTTP APIs).
type proxyV2 struct{ target }

func (*proxyV2) Kind() string { return "AWS_PROXY (Lambda, payload 2.0)" }

func (k *proxyV2) Respond(ctx context.Context, req *integration.Request) (*integration.Response, *gatewayresponse.Error) {
	buf := getEventBuffer()
	ev, err := lambdaproxy.AppendEventV2(*buf, event(req))
	if err != nil {
		putEventBuffer(buf, ev)
		return nil, gatewayresponse.New(gatewayresponse.APIConfigurationError, "building the Lambda event: %v", err)
	}
	res, gerr := k.invoke(ctx, req, ev)
	if gerr != nil {
		return nil, gerr // ev is not recycled: see getEventBuffer
	}
	if res.FunctionError != "" {
		return nil, httpAPIError(fmt.Sprintf("function error: %s", res.Payload))
	}
	resp, err := lambdaproxy.ResponseV2(res.Payload, req.BinaryMediaTypes)
	putEventBuffer(buf, ev)
	if err != nil {
		return nil, httpAPIError(err.Error())
	}
	return &integration.Response{Status: resp.Status, Header: resp.Header, Body: resp.Body, Traced: true}, nil
}

// httpAPIError is an HTTP API's answer to a failed or unreadable function: 500 {"message":"Internal
// Server Error"} (reference §e.3).
func httpAPIError(reason string) *gatewayresponse.Error {
	return &gatewayresponse.Error{Type: gatewayresponse.IntegrationFailure, Status: 500, Message: "Internal Server Error", Reason: reason}
}

// custom is AWS (non-proxy) with Lambda: templates build the payload; errorMessage selects the response.
type custom struct {
	target
	mapping *mapping.Integration
	async   string // the X-Amz-Invocation-Type mapping source, if any
}

func (*custom) Kind() string { return "AWS (Lambda)" }

func (k *custom) Respond(ctx context.Context, req *integration.Request) (*integration.Response, *gatewayresponse.Error) {
	env := req.Env()
	payload, gerr := k.mapping.RequestPayload(req.HTTP.Header.Get("Content-Type"), req.Body, env)
	if gerr != nil {
		return nil, gerr
	}
	if len(payload) == 0 {
		payload = []byte("{}") // an empty passthrough body reaches Lambda as an empty JSON object (assumed)
	}
	accept := req.HTTP.Header.Get("Accept")
	if k.asyncRequested(req) {
		// X-Amz-Invocation-Type: Event: Lambda queues the event and answers at once; API Gateway maps
		// that empty answer through the default integration response.
		name, gerr := k.function(req.StageVariables)
		if gerr != nil {
			return nil, gerr
		}
		if err := req.Runtime.Functions.InvokeAsync(name, payload, req.TraceID); err != nil {
			return nil, gatewayresponse.New(gatewayresponse.APIConfigurationError, "%v", err)
		}
		return k.respond(k.mapping.Select("", false), nil, accept, env)
	}
	res, gerr := k.invoke(ctx, req, payload)
	if gerr != nil {
		return nil, gerr
	}
	if res.FunctionError != "" {
		// Selection patterns match the error's errorMessage only; no match uses the default response with
		// the error JSON as the payload (reference §c, integrations.json#lambda-selection-pattern-*).
		var fe struct {
			ErrorMessage string `json:"errorMessage"`
		}
		_ = json.Unmarshal(res.Payload, &fe)
		return k.respond(k.mapping.Select(fe.ErrorMessage, true), res.Payload, accept, env)
	}
	// A successful result never matches a selection pattern (pattern "200" included).
	return k.respond(k.mapping.Select("", false), res.Payload, accept, env)
}

func (k *custom) respond(r *mapping.Response, payload []byte, accept string, env *mapping.Env) (*integration.Response, *gatewayresponse.Error) {
	if r == nil {
		return nil, gatewayresponse.New(gatewayresponse.APIConfigurationError, "no integration response matches and there is no default response")
	}
	resp, gerr := k.mapping.Respond(r, payload, nil, accept, env)
	if gerr != nil {
		return nil, gerr
	}
	return integration.FromMethodResponse(resp, true), nil
}

// asyncRequested evaluates the X-Amz-Invocation-Type mapping: a literal 'Event', or the client's header.
func (k *custom) asyncRequested(req *integration.Request) bool {
	src := k.async
	switch {
	case src == "":
		return false
	case strings.HasPrefix(src, "'"):
		return strings.Trim(src, "'") == "Event"
	case strings.HasPrefix(src, "method.request.header."):
		return req.HTTP.Header.Get(strings.TrimPrefix(src, "method.request.header.")) == "Event"
	}
	return false
}

// decodeAlways is the catch-all binaryMediaTypes entry: payload 1.0 answers of HTTP APIs are decoded
// whenever they are flagged isBase64Encoded, as 2.0 answers are.
var decodeAlways = []string{"*/*"}

// httpAPIBinary reports whether an HTTP API sends a request body to Lambda base64-encoded: every body
// except text/*, application/json, application/xml and application/javascript, a body without a
// Content-Type and a form (application/x-www-form-urlencoded) included (reference §j.2, measured).
func httpAPIBinary(contentType string) bool {
	mt, _, _ := strings.Cut(contentType, ";")
	mt = strings.ToLower(strings.TrimSpace(mt))
	switch {
	case strings.HasPrefix(mt, "text/"), mt == "application/json", mt == "application/xml", mt == "application/javascript":
		return false
	}
	return true
}

func truncate(b []byte) string {
	if len(b) > 512 {
		return string(b[:512]) + "..."
	}
	return string(b)
}

// Notices lists what the templates use that API Gateway accepts but does not run.
func (k *custom) Notices() []string { return k.mapping.Notices() }
