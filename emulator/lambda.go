package emulator

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"regexp"
	"strconv"
	"strings"

	"github.com/apigw-local/apigw-local/internal/gatewayresponse"
	"github.com/apigw-local/apigw-local/emulator/internal/httpintegration"
	"github.com/apigw-local/apigw-local/emulator/internal/lambdaproxy"
	"github.com/apigw-local/apigw-local/internal/mapping"
	"github.com/apigw-local/apigw-local/internal/spec"
	"github.com/apigw-local/apigw-local/lambdarun"
)

// lambdaRoute is an AWS_PROXY or AWS integration that calls a Lambda function.
type lambdaRoute struct {
	proxy   bool
	v2      bool   // payload format 2.0 (HTTP APIs)
	uri     string // may hold ${stageVariables.x}
	method  string // the integration httpMethod; Lambda's Invoke API needs POST
	mapping *mapping.Integration
	async   string        // the X-Amz-Invocation-Type mapping source, if any
	fixed   *lambdaTarget // the target, resolved once, when the URI uses no stage variable
}

var stageVariableRef = regexp.MustCompile(`\$\{stageVariables\.([A-Za-z0-9_]+)\}`)

// compileLambda prepares an AWS or AWS_PROXY integration; ok=false when it calls another AWS service.
func compileLambda(in *spec.Integration) (*lambdaRoute, bool, error) {
	probe := stageVariableRef.ReplaceAllString(in.URI, "x")
	if _, isLambda, err := parseLambdaURI(probe); !isLambda || err != nil {
		return nil, isLambda, err
	}
	lr := &lambdaRoute{proxy: in.Type == spec.IntegrationAWSProxy, v2: in.PayloadFormatVersion == "2.0", uri: in.URI, method: in.HTTPMethod}
	if !strings.Contains(in.URI, "${") {
		if t, _, err := parseLambdaURI(in.URI); err == nil && t.Function != "" {
			lr.fixed = &t
		}
	}
	if !lr.proxy {
		m, err := mapping.Compile(in)
		if err != nil {
			return nil, true, err
		}
		lr.mapping = m
		lr.async, _ = spec.Lookup(in.RequestParameters, "integration.request.header.X-Amz-Invocation-Type")
	}
	return lr, true, nil
}

// target substitutes the stage's variables and names the function; an undefined variable is AWS's 500.
func (lr *lambdaRoute) target(stageVars map[string]string) (lambdaTarget, *gatewayresponse.Error) {
	if lr.fixed != nil {
		return *lr.fixed, nil
	}
	var missing string
	uri := stageVariableRef.ReplaceAllStringFunc(lr.uri, func(m string) string {
		name := stageVariableRef.FindStringSubmatch(m)[1]
		v, ok := stageVars[name]
		if !ok {
			missing = name
		}
		return v
	})
	if missing != "" {
		return lambdaTarget{}, gatewayresponse.New(gatewayresponse.APIConfigurationError, "stage variable %q used in the integration URI is not defined on this stage", missing)
	}
	t, _, err := parseLambdaURI(uri)
	if err != nil || t.Function == "" {
		return lambdaTarget{}, gatewayresponse.New(gatewayresponse.APIConfigurationError, "invalid Lambda URI %q: %v", uri, err)
	}
	return t, nil
}

// functionFailed is how a REST API answers a Lambda proxy function that failed or returned something it
// cannot read: 502 {"message": "Internal server error"} (lambda-proxy.json#v1-response-*), as an
// INTEGRATION_FAILURE that gateway-response customisation can change.
func functionFailed(reason string) *gatewayresponse.Error {
	return &gatewayresponse.Error{Type: gatewayresponse.IntegrationFailure, Status: 502, Message: "Internal server error", Reason: reason}
}

func (g *Gateway) integrateLambda(x *exchange, snap *Snapshot) *gatewayresponse.Error {
	lr := x.route.lambda
	body, gerr := readBody(x)
	if gerr != nil {
		return gerr
	}
	t, gerr := lr.target(x.stage.Variables)
	if gerr != nil {
		return gerr
	}
	if lr.proxy && lr.method != "POST" {
		// Lambda's Invoke API is a POST; AWS answers 500 (lambda-proxy.json#v1-integration-method-get-fails).
		return gatewayresponse.New(gatewayresponse.APIConfigurationError, "AWS_PROXY integration httpMethod is %s; Lambda needs POST", lr.method)
	}
	fn, err := g.functions.get(t.Function, snap.Config)
	if err != nil {
		return gatewayresponse.New(gatewayresponse.APIConfigurationError, "%v", err)
	}
	trace := traceID(x.r.Header.Get("X-Amzn-Trace-Id"), x.start)
	timeout := x.route.timeout
	ctx, cancel := context.WithTimeout(x.r.Context(), timeout)
	defer cancel()
	if lr.proxy {
		return g.lambdaProxy(ctx, x, fn, body, trace)
	}
	return g.lambdaCustom(ctx, x, fn, body, trace)
}

func (g *Gateway) invoke(ctx context.Context, x *exchange, fn *lambdarun.Function, payload []byte, trace string) (*lambdarun.Result, *gatewayresponse.Error) {
	began := g.now()
	res, err := fn.Invoke(ctx, lambdarun.Invocation{Payload: payload, TraceID: trace})
	x.integ = g.now().Sub(began)
	switch {
	case err == nil:
		return res, nil
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return nil, gatewayresponse.New(gatewayresponse.IntegrationTimeout, "Lambda function did not answer within the integration timeout")
	case errors.Is(err, lambdarun.ErrPayloadTooLarge):
		return nil, gatewayresponse.New(gatewayresponse.RequestTooLarge, "%v", err)
	default:
		return nil, gatewayresponse.New(gatewayresponse.IntegrationFailure, "invoking the function: %v", err)
	}
}

func (g *Gateway) lambdaProxy(ctx context.Context, x *exchange, fn *lambdarun.Function, body []byte, trace string) *gatewayresponse.Error {
	lr := x.route.lambda
	binary := x.api.Spec.BinaryMediaTypes
	req := &lambdaproxy.Request{Method: x.r.Method, Path: x.r.URL.EscapedPath(), Stage: x.stage.Name,
		Resource: x.resource, PathParameters: x.params, RawQuery: x.r.URL.RawQuery, Header: x.r.Header,
		Body: body, IsBase64: isBinary(x.r.Header.Get("Content-Type"), binary), StageVariables: x.stage.Variables,
		SourceIP: sourceIP(x.r), UserAgent: x.r.UserAgent(), Protocol: x.r.Proto, AccountID: x.accountID,
		APIID: x.api.ID, DeploymentID: x.api.ID[:min(6, len(x.api.ID))], DomainName: x.r.Host,
		ExtendedRequestID: x.apigwID, RequestID: x.requestID, ResourceID: x.route.ResourceID, RequestTime: x.start,
		RouteKey: x.r.Method + " " + x.resource, TraceID: trace}
	if x.apiKey != nil {
		req.APIKey, req.APIKeyID = x.apiKey.value, x.apiKey.id
	}
	var event []byte
	var err error
	if lr.v2 {
		event, err = lambdaproxy.EventV2(req)
	} else {
		event, err = lambdaproxy.EventV1(req)
	}
	if err != nil {
		return gatewayresponse.New(gatewayresponse.APIConfigurationError, "building the Lambda event: %v", err)
	}
	res, gerr := g.invoke(ctx, x, fn, event, trace)
	if gerr != nil {
		return gerr
	}
	if res.FunctionError != "" {
		if lr.v2 {
			return httpAPIError(fmt.Sprintf("function error: %s", res.Payload))
		}
		return functionFailed(fmt.Sprintf("function error (%s): %s", res.FunctionError, truncate(res.Payload)))
	}
	var resp *lambdaproxy.Response
	if lr.v2 {
		resp, err = lambdaproxy.ResponseV2(res.Payload, binary)
	} else {
		resp, err = lambdaproxy.ResponseV1(res.Payload, x.r.Header.Get("Accept"), binary)
	}
	if err != nil {
		if lr.v2 {
			return httpAPIError(err.Error())
		}
		return functionFailed(err.Error())
	}
	h := x.w.Header()
	for k, vs := range resp.Header {
		h[k] = vs
	}
	h.Set("X-Amzn-Trace-Id", trace)
	h.Set("Content-Length", strconv.Itoa(len(resp.Body)))
	x.w.WriteHeader(resp.Status)
	_, _ = x.w.Write(resp.Body)
	x.status = resp.Status
	return nil
}

// httpAPIError is an HTTP API's answer to a failed or unreadable function: 500 {"message":"Internal
// Server Error"} (reference §e.3).
func httpAPIError(reason string) *gatewayresponse.Error {
	return &gatewayresponse.Error{Type: gatewayresponse.IntegrationFailure, Status: 500, Message: "Internal Server Error", Reason: reason}
}

func (g *Gateway) lambdaCustom(ctx context.Context, x *exchange, fn *lambdarun.Function, body []byte, trace string) *gatewayresponse.Error {
	lr := x.route.lambda
	env := x.env()
	payload, gerr := lr.mapping.RequestPayload(x.r.Header.Get("Content-Type"), body, env)
	if gerr != nil {
		return gerr
	}
	if len(payload) == 0 {
		payload = []byte("{}") // an empty passthrough body reaches Lambda as an empty JSON object (assumed)
	}
	accept := x.r.Header.Get("Accept")
	if lr.asyncRequested(x) {
		// X-Amz-Invocation-Type: Event: Lambda queues the event and answers at once; API Gateway maps
		// that empty answer through the default integration response.
		go func() {
			// The function's own timeout bounds it; the client's request is already answered.
			_, _ = fn.Invoke(context.Background(), lambdarun.Invocation{Payload: payload, TraceID: trace})
		}()
		return respondMapped(x, lr.mapping, lr.mapping.Select("", false), nil, accept, env, trace)
	}
	res, gerr := g.invoke(ctx, x, fn, payload, trace)
	if gerr != nil {
		return gerr
	}
	if res.FunctionError != "" {
		// Selection patterns match the error's errorMessage only; no match uses the default response with
		// the error JSON as the payload (reference §c, integrations.json#lambda-selection-pattern-*).
		var fe struct {
			ErrorMessage string `json:"errorMessage"`
		}
		_ = json.Unmarshal(res.Payload, &fe)
		return respondMapped(x, lr.mapping, lr.mapping.Select(fe.ErrorMessage, true), res.Payload, accept, env, trace)
	}
	// A successful result never matches a selection pattern (pattern "200" included).
	return respondMapped(x, lr.mapping, lr.mapping.Select("", false), res.Payload, accept, env, trace)
}

func respondMapped(x *exchange, m *mapping.Integration, r *mapping.Response, payload []byte, accept string, env *mapping.Env, trace string) *gatewayresponse.Error {
	if r == nil {
		return gatewayresponse.New(gatewayresponse.APIConfigurationError, "no integration response matches and there is no default response")
	}
	resp, gerr := m.Respond(r, payload, nil, accept, env)
	if gerr != nil {
		return gerr
	}
	httpintegration.RemapReserved(resp.Header)
	resp.Header.Set("X-Amzn-Trace-Id", trace)
	writeMethodResponse(x, resp)
	return nil
}

// asyncRequested evaluates the X-Amz-Invocation-Type mapping: a literal 'Event', or the client's header.
func (lr *lambdaRoute) asyncRequested(x *exchange) bool {
	src := lr.async
	switch {
	case src == "":
		return false
	case strings.HasPrefix(src, "'"):
		return strings.Trim(src, "'") == "Event"
	case strings.HasPrefix(src, "method.request.header."):
		return x.r.Header.Get(strings.TrimPrefix(src, "method.request.header.")) == "Event"
	}
	return false
}

// isBinary reports whether a request body is binary for API Gateway: its Content-Type is one of the
// binaryMediaTypes (an entry may use a wildcard: "image/*", "*/*").
func isBinary(contentType string, binaryMediaTypes []string) bool {
	if contentType == "" || len(binaryMediaTypes) == 0 {
		return false
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	typ, sub, _ := strings.Cut(mt, "/")
	for _, b := range binaryMediaTypes {
		bt, bs, _ := strings.Cut(strings.ToLower(b), "/")
		if (bt == "*" || bt == typ) && (bs == "*" || bs == sub) {
			return true
		}
	}
	return false
}

func truncate(b []byte) string {
	if len(b) > 512 {
		return string(b[:512]) + "..."
	}
	return string(b)
}
