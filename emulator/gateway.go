package emulator

import (
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/apigw-local/apigw-local/internal/gatewayresponse"
	"github.com/apigw-local/apigw-local/emulator/internal/httpintegration"
	"github.com/apigw-local/apigw-local/internal/mapping"
	"github.com/apigw-local/apigw-local/emulator/internal/throttle"
	"github.com/apigw-local/apigw-local/mock"
)

// MaxBodyBytes is API Gateway's payload limit (10 MB).
const MaxBodyBytes = 10 << 20

// Gateway is the http.Handler that serves the current snapshot.
type Gateway struct {
	cur       atomic.Pointer[served]
	proxy     *httpintegration.Proxy
	functions *functions
	log       *AccessLog
	now       func() time.Time // latencies and $context times
	clock     throttle.Clock   // token buckets and quotas
	meters    *throttle.Store
}

// served is a snapshot with its limits bound to the gateway's buckets: swapped as one, so that a request
// never sees the routes of one snapshot and the limits of another.
type served struct {
	snap  *Snapshot
	meter *meterTable
}

// Option configures a Gateway.
type Option func(*Gateway)

// WithClock makes the token buckets and quotas read the time from c, so that tests can drive it.
func WithClock(c Clock) Option { return func(g *Gateway) { g.clock = c } }

// NewGateway returns a gateway serving s and logging each request to log (nil for none).
func NewGateway(s *Snapshot, log *AccessLog, opts ...Option) *Gateway {
	var fnLog io.Writer
	if log != nil {
		fnLog = log.w
	}
	g := &Gateway{proxy: httpintegration.NewProxy(), functions: newFunctions(fnLog), log: log, now: time.Now,
		clock: throttle.SystemClock{}}
	for _, o := range opts {
		o(g)
	}
	g.meters = throttle.NewStore(g.clock)
	g.Swap(s)
	return g
}

// RegisterHandler serves the Lambda function name with an in-process Go handler (built with
// aws-lambda-go's lambda.NewHandler), instead of the command the config may give: for library users and
// fast tests.
func (g *Gateway) RegisterHandler(name string, h lambda.Handler) { g.functions.register(name, h) }

// Close stops every Lambda function process the gateway started.
func (g *Gateway) Close() error { return g.functions.close() }

// Swap replaces the snapshot; requests in flight keep the one they started with. Token buckets and quota
// counters whose settings the new snapshot leaves unchanged carry over. The Runtime API endpoints of
// external functions open here, so that a handler started before the first request finds its endpoint.
func (g *Gateway) Swap(s *Snapshot) {
	g.cur.Store(&served{snap: s, meter: bindMeter(s, g.meters)})
	g.functions.startExternal(s.Config)
}

// Snapshot returns the snapshot being served.
func (g *Gateway) Snapshot() *Snapshot { return g.cur.Load().snap }

// ResetLimits refills every token bucket and forgets the requests counted against quotas and usage.
func (g *Gateway) ResetLimits() { g.meters.Reset() }

// exchange is one request on its way through the phases.
type exchange struct {
	w         http.ResponseWriter
	r         *http.Request
	start     time.Time
	requestID string
	apigwID   string
	accountID string
	api       *API
	stage     *Stage
	route     *Route
	params    map[string]string
	resource  string
	path      string // the path after the stage, as received
	status    int
	integ     time.Duration
	reason    string
	// apiKey is the API key the meter phase accepted; nil for methods that require none.
	apiKey *apiKey
	// usageIdentifierKey is the API key a Lambda authorizer returned, for APIs whose key source is
	// AUTHORIZER.
	usageIdentifierKey string
}

func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	cur := g.cur.Load()
	snap := cur.snap
	if p := r.URL.Path; p == "/_apigw" || strings.HasPrefix(p, "/_apigw/") {
		g.admin(w, r, cur)
		return
	}
	x := &exchange{w: w, r: r, start: g.now(), requestID: newRequestID(), apigwID: newAPIGWID()}
	if snap.Config != nil {
		x.accountID = snap.Config.AccountID
	}
	h := w.Header()
	// API Gateway's own spelling; Go would canonicalise the names through Set.
	h["x-amzn-RequestId"] = []string{x.requestID}
	h["x-amz-apigw-id"] = []string{x.apigwID}
	defer func() {
		if v := recover(); v != nil {
			// A bug must not take the server down or leave the client without an answer.
			x.reason = fmt.Sprintf("internal error: %v", v)
			g.fail(x, snap, &gatewayresponse.Error{Type: gatewayresponse.APIConfigurationError, Reason: x.reason})
		}
		if g.log != nil {
			g.log.Record(x)
		}
	}()
	if gerr := g.serve(x, cur); gerr != nil {
		g.fail(x, snap, gerr)
	}
}

func (g *Gateway) serve(x *exchange, cur *served) *gatewayresponse.Error {
	snap := cur.snap
	r := x.r
	// receive: AWS refuses bodies over 10 MB with a plain-text 413 that no gateway response customises.
	if r.ContentLength > MaxBodyBytes {
		tooLarge(x, fmt.Sprintf("body of %d bytes", r.ContentLength))
		return nil
	}
	if r.Body != nil {
		r.Body = http.MaxBytesReader(x.w, r.Body, MaxBodyBytes)
	}

	// resolve: API by host, stage by the first path segment.
	x.api = snap.api(r.Host)
	if x.api == nil {
		return missingToken(x, fmt.Sprintf("no API for host %q: use {apiId}.execute-api.localhost", r.Host))
	}
	stageName, rest := splitStage(r.URL.EscapedPath())
	x.path = rest
	x.stage = x.api.Stages[stageName]
	if x.stage == nil {
		return missingToken(x, fmt.Sprintf("no stage %q (stages: %s)", stageName, strings.Join(x.api.StageNames, ", ")))
	}

	// route
	m, ok := x.api.Tree.Lookup(r.Method, rest)
	x.resource = m.Resource
	if !ok {
		if m.Resource != "" {
			return missingToken(x, fmt.Sprintf("resource %s has no %s method", m.Resource, r.Method))
		}
		return missingToken(x, "no resource matches "+rest)
	}
	x.route, x.params = m.Value, m.PathParameters

	// meter
	if gerr := g.meter(x, cur.meter); gerr != nil {
		return gerr
	}

	// integrate
	if x.route.notServed != "" {
		return &gatewayresponse.Error{Type: gatewayresponse.APIConfigurationError, Reason: "not served: " + x.route.notServed}
	}
	return g.integrate(x, snap)
}

func (g *Gateway) integrate(x *exchange, snap *Snapshot) *gatewayresponse.Error {
	switch {
	case x.route.lambda != nil:
		return g.integrateLambda(x, snap)
	case x.route.mock != nil:
		return g.integrateMock(x)
	case x.route.custom != nil:
		return g.integrateCustom(x)
	}
	rw := &statusWriter{ResponseWriter: x.w}
	call := &httpintegration.Call{Request: x.r, PathParameters: x.params, StageVariables: x.stage.Variables,
		Context: func(key string) string { return x.context()[key] }, APIID: x.api.ID,
		TraceID: traceID(x.r.Header.Get("X-Amzn-Trace-Id"), x.start), SourceIP: sourceIP(x.r)}
	began := g.now()
	err := g.proxy.Serve(rw, x.route.proxy, call)
	x.integ = g.now().Sub(began)
	x.status = rw.status
	if err != nil && rw.wrote {
		x.reason = err.Error() // the response had started; nothing better can be sent
		return nil
	}
	return err
}

// missingToken is API Gateway's answer to an unknown stage, path or method: 403 Missing Authentication
// Token, never 404/405. A request carrying an Authorization header that is not SigV4 gets the SigV4
// parser's complaint instead (reference §a.2).
func missingToken(x *exchange, reason string) *gatewayresponse.Error {
	if auth := x.r.Header.Get("Authorization"); auth != "" && !strings.Contains(auth, "=") {
		sum := sha256.Sum256([]byte(auth))
		return &gatewayresponse.Error{Type: gatewayresponse.InvalidSignature, Reason: reason + " (Authorization header is not SigV4)",
			ErrorType: "IncompleteSignatureException",
			Message: "Invalid key=value pair (missing equal-sign) in Authorization header (hashed with SHA-256 and encoded with Base64): '" +
				base64.StdEncoding.EncodeToString(sum[:]) + "'."}
	}
	return &gatewayresponse.Error{Type: gatewayresponse.MissingAuthenticationToken, Reason: reason}
}

// tooLarge is AWS's answer to a body over 10 MB: plain text, and no gateway response customises it
// (gateway-responses.json#live-413-over-10mb).
func tooLarge(x *exchange, reason string) {
	x.status = http.StatusRequestEntityTooLarge
	x.reason = "REQUEST_TOO_LARGE " + reason
	x.w.Header().Set("Content-Type", "text/plain")
	x.w.WriteHeader(x.status)
	fmt.Fprintf(x.w, "HTTP content length exceeded %d bytes.", MaxBodyBytes)
}

// splitStage splits "/dev/pets/1" into "dev" and "/pets/1". Leading slashes before the stage are
// collapsed, as API Gateway does; what follows the stage is kept as sent.
func splitStage(p string) (string, string) {
	p = strings.TrimLeft(p, "/")
	if i := strings.IndexByte(p, '/'); i >= 0 {
		return p[:i], p[i:]
	}
	return p, ""
}

func sourceIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// fail writes the gateway response for err.
func (g *Gateway) fail(x *exchange, snap *Snapshot, err *gatewayresponse.Error) {
	if err.Type == gatewayresponse.RequestTooLarge {
		tooLarge(x, err.Reason)
		return
	}
	var set *gatewayresponse.Set
	if x.api != nil {
		set = x.api.Responses
	}
	ctx := x.context()
	resp := set.Render(err, gatewayresponse.Request{
		Context:        ctx,
		StageVariables: x.stageVariables(),
		Header:         x.r.Header.Get,
		Query:          func(name string) string { return x.r.URL.Query().Get(name) },
		Path:           func(name string) string { return x.params[name] },
	})
	h := x.w.Header()
	for k, vs := range resp.Header {
		h[k] = vs
	}
	h.Set("Content-Length", strconv.Itoa(len(resp.Body)))
	x.w.WriteHeader(resp.Status)
	_, _ = x.w.Write(resp.Body)
	x.status = resp.Status
	x.reason = string(err.Type)
	if err.Reason != "" {
		x.reason += " " + err.Reason
	}
}

func (x *exchange) stageVariables() map[string]string {
	if x.stage == nil {
		return nil
	}
	return x.stage.Variables
}

// context returns the $context values available before the integration runs, flattened with dots.
func (x *exchange) context() map[string]string {
	c := map[string]string{
		"requestId":          x.requestID,
		"extendedRequestId":  x.apigwID,
		"httpMethod":         x.r.Method,
		"protocol":           x.r.Proto,
		"requestTime":        x.start.UTC().Format("02/Jan/2006:15:04:05 -0700"),
		"requestTimeEpoch":   strconv.FormatInt(x.start.UnixMilli(), 10),
		"domainName":         x.r.Host,
		"domainPrefix":       strings.SplitN(x.r.Host, ".", 2)[0],
		"identity.sourceIp":  sourceIP(x.r),
		"identity.userAgent": x.r.UserAgent(),
		"resourcePath":       x.resource,
		"accountId":          x.accountID,
	}
	if x.api != nil {
		c["apiId"] = x.api.ID
		c["deploymentId"] = x.api.ID[:min(6, len(x.api.ID))]
	}
	if x.stage != nil {
		c["stage"] = x.stage.Name
		c["path"] = "/" + x.stage.Name + x.path
	} else {
		c["path"] = x.r.URL.EscapedPath()
	}
	if x.route != nil {
		c["resourceId"] = x.route.ResourceID
	}
	if x.apiKey != nil {
		c["identity.apiKey"] = x.apiKey.value
		c["identity.apiKeyId"] = x.apiKey.id
	}
	return c
}

// statusWriter remembers whether the response has started, so that a failure after the first byte is
// logged rather than answered twice.
type statusWriter struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.wrote {
		w.status, w.wrote = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if !w.wrote {
		w.status, w.wrote = http.StatusOK, true
	}
	return w.ResponseWriter.Write(b)
}

// Flush lets ReverseProxy stream through the wrapper.
func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the connection.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// readBody reads the method request body for the non-proxy integrations, which need all of it.
func readBody(x *exchange) ([]byte, *gatewayresponse.Error) {
	if x.r.Body == nil {
		return nil, nil
	}
	body, err := io.ReadAll(x.r.Body)
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return nil, gatewayresponse.New(gatewayresponse.RequestTooLarge, "request body over %d bytes", tooLarge.Limit)
	}
	if err != nil {
		return nil, gatewayresponse.New(gatewayresponse.IntegrationFailure, "reading the request body: %v", err)
	}
	return body, nil
}

// env builds what the mapping templates of this request see.
func (x *exchange) env() *mapping.Env {
	path := make(map[string]string, len(x.params))
	for k, v := range x.params {
		// Templates see path parameters decoded ($input.params('id')); the router keeps them as sent.
		if d, err := url.PathUnescape(v); err == nil {
			v = d
		}
		path[k] = v
	}
	query, _ := url.ParseQuery(x.r.URL.RawQuery)
	// Go's server moves Host out of the header map; templates see it like any other header
	// ($input.params('Host'), vtl-templates.json#input-params-header-visibility).
	header := x.r.Header
	if x.r.Host != "" {
		header = header.Clone()
		header.Set("Host", x.r.Host)
	}
	rc := mapping.RequestContext{AccountID: x.accountID, APIID: x.api.ID, DeploymentID: x.api.ID[:min(6, len(x.api.ID))],
		DomainName: x.r.Host, DomainPrefix: strings.SplitN(x.r.Host, ".", 2)[0], ExtendedRequestID: x.apigwID,
		HTTPMethod: x.r.Method, Path: "/" + x.stage.Name + x.path, Protocol: x.r.Proto, RequestID: x.requestID,
		RequestTime: x.start, ResourceID: x.route.ResourceID, ResourcePath: x.resource, Stage: x.stage.Name,
		SourceIP: sourceIP(x.r), UserAgent: x.r.UserAgent()}
	if x.apiKey != nil {
		rc.APIKey, rc.APIKeyID = x.apiKey.value, x.apiKey.id
	}
	return &mapping.Env{Params: mapping.Params{Path: path, Query: query, Header: header},
		Context: mapping.NewContext(rc), StageVariables: x.stage.Variables}
}

// writeMethodResponse sends a mapped method response.
func writeMethodResponse(x *exchange, resp *mapping.MethodResponse) {
	h := x.w.Header()
	for k, vs := range resp.Header {
		h[k] = vs
	}
	if h.Get("Content-Type") == "" {
		h.Set("Content-Type", resp.ContentType)
	}
	h.Set("Content-Length", strconv.Itoa(len(resp.Body)))
	x.w.WriteHeader(resp.Status)
	_, _ = x.w.Write(resp.Body)
	x.status = resp.Status
}

// integrateMock answers from the MOCK integration. MOCK responses carry no X-Amzn-Trace-Id (reference §a.2).
func (g *Gateway) integrateMock(x *exchange) *gatewayresponse.Error {
	body, gerr := readBody(x)
	if gerr != nil {
		return gerr
	}
	resp, gerr := x.route.mock.Respond(mock.Request{ContentType: x.r.Header.Get("Content-Type"),
		Accept: x.r.Header.Get("Accept"), Body: body, Env: x.env()})
	if gerr != nil {
		return gerr
	}
	httpintegration.RemapReserved(resp.Header)
	writeMethodResponse(x, resp)
	return nil
}

// integrateCustom calls an HTTP (non-proxy) integration.
func (g *Gateway) integrateCustom(x *exchange) *gatewayresponse.Error {
	body, gerr := readBody(x)
	if gerr != nil {
		return gerr
	}
	began := g.now()
	resp, gerr := g.proxy.ServeCustom(x.route.custom, &httpintegration.CustomCall{Request: x.r, Body: body,
		PathParameters: x.params, StageVariables: x.stage.Variables, Env: x.env(), APIID: x.api.ID,
		TraceID: traceID(x.r.Header.Get("X-Amzn-Trace-Id"), x.start)})
	x.integ = g.now().Sub(began)
	if gerr != nil {
		return gerr
	}
	writeMethodResponse(x, resp)
	return nil
}
