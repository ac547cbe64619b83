package emulator

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/apigw-local/apigw-local/emulator/internal/cors"
	"github.com/apigw-local/apigw-local/emulator/internal/router"
	"github.com/apigw-local/apigw-local/emulator/internal/stagecache"
	"github.com/apigw-local/apigw-local/internal/config"
	"github.com/apigw-local/apigw-local/internal/spec"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/apigw-local/apigw-local/emulator/internal/authorizer"
	"github.com/apigw-local/apigw-local/emulator/internal/httpintegration"
	"github.com/apigw-local/apigw-local/emulator/internal/throttle"
	"github.com/apigw-local/apigw-local/internal/gatewayresponse"
	"github.com/apigw-local/apigw-local/internal/integration"
	"github.com/apigw-local/apigw-local/internal/reqctx"
)

// MaxBodyBytes is API Gateway's payload limit (10 MB).
const MaxBodyBytes = 10 << 20

// Gateway is the http.Handler that serves the current snapshot.
type Gateway struct {
	cur       atomic.Pointer[served]
	functions *functions
	log       *AccessLog
	now       func() time.Time // latencies, and $context times under the system clock
	// requestTime is $context.requestTime's source when a clock was injected (WithClock): the request's
	// time is then the limiter's, so that an access log written under a manual clock says when the
	// buckets and quotas saw each request (simulate reads it back), and quota days match the log's.
	requestTime func() time.Time
	// recent are the last requests answered, for the inspector.
	recent    *recent
	clock     throttle.Clock // token buckets and quotas
	meters    *throttle.Store
	authCache *authorizer.Cache // Lambda authorizers' answers, across reloads
	// stageCache holds the stage caches' answers; a new snapshot empties it (its integrations may answer
	// differently).
	stageCache *stagecache.Cache
	// stageLogs are the files of stages' access logs (accessLogDestination).
	stageLogs stageLogs
	handler   http.Handler // the pipeline wrapped in the cross-cutting middleware
	adminH    http.Handler
	// allowedHosts are host names the admin endpoints accept beyond the loopback ones (WithAllowedHosts).
	allowedHosts map[string]bool
	// adminClients are client ranges the admin endpoints accept beyond loopback (WithAdminClients).
	adminClients []netip.Prefix
}

// served is a snapshot with what serving it needs bound to the gateway: its limits bound to the
// gateway's buckets, and the runtime its integrations use. Swapped as one, so that a request never sees
// the routes of one snapshot and the limits of another.
type served struct {
	snap    *Snapshot
	meter   *meterTable
	runtime *integration.Runtime
}

// Option configures a Gateway.
type Option func(*Gateway)

// WithClock makes the token buckets and quotas read the time from c, so that tests can drive it.
func WithClock(c Clock) Option { return func(g *Gateway) { g.clock = c } }

// WithExternalHost makes external functions' Runtime API endpoints listen on host instead of 127.0.0.1
// (serve passes its --host, so that a runtime outside a container reaches them).
func WithExternalHost(host string) Option {
	return func(g *Gateway) { g.functions.externalHost = host }
}

// NewGateway returns a gateway serving s and logging each request to log (nil for none).
func NewGateway(s *Snapshot, log *AccessLog, opts ...Option) *Gateway {
	var fnLog io.Writer
	if log != nil {
		fnLog = log.w
	}
	g := &Gateway{functions: newFunctions(fnLog), log: log, now: time.Now, clock: throttle.SystemClock{}, allowedHosts: map[string]bool{}}
	for _, o := range opts {
		o(g)
	}
	if _, system := g.clock.(throttle.SystemClock); !system {
		g.requestTime = g.clock.Now
	}
	g.meters = throttle.NewStore(g.clock)
	g.recent = &recent{}
	g.authCache = authorizer.NewCache(g.clock.Now)
	g.stageCache = stagecache.New(g.clock.Now, g.stageCacheBound)
	// Cross-cutting concerns wrap the pipeline once; the outermost runs first.
	g.handler = g.withExchange(g.record(g.recoverPanic(http.HandlerFunc(g.pipeline))))
	g.adminH = g.guardAdmin(g.adminMux())
	g.Swap(s)
	return g
}

// RegisterHandler serves the Lambda function name with an in-process Go handler (built with
// aws-lambda-go's lambda.NewHandler), instead of the command the config may give: for library users and
// fast tests. The payload passed to h.Invoke is valid until Invoke returns, as io.Writer's p is: proxy
// events are built in reused buffers, so a handler that keeps the bytes must copy them (handlers built
// with lambda.NewHandler decode them and keep nothing).
func (g *Gateway) RegisterHandler(name string, h lambda.Handler) { g.functions.register(name, h) }

// Close stops every Lambda function process the gateway started, and closes the access log files.
func (g *Gateway) Close() error {
	g.stageLogs.close()
	return g.functions.close()
}

// Swap replaces the snapshot; requests in flight keep the one they started with. Token buckets and quota
// counters whose settings the new snapshot leaves unchanged carry over. The Runtime API endpoints of
// external functions open here, so that a handler started before the first request finds its endpoint.
func (g *Gateway) Swap(s *Snapshot) {
	rt := &integration.Runtime{Functions: functionsOf{g.functions, s.Config}}
	g.cur.Store(&served{snap: s, meter: bindMeter(s, g.meters), runtime: rt})
	g.stageCache.Flush("")
	g.functions.startExternal(s.Config)
}

// Snapshot returns the snapshot being served.
func (g *Gateway) Snapshot() *Snapshot { return g.cur.Load().snap }

// Routes lists the routes being served, knowing the in-process handlers too.
func (g *Gateway) Routes() []RouteInfo {
	snap := g.Snapshot()
	return snap.routes(func(name string) bool { return g.functions.has(name, snap.Config) })
}

// ResetLimits refills every token bucket, forgets the requests counted against quotas and usage, and
// empties the authorizer cache and the stage caches.
func (g *Gateway) ResetLimits() {
	g.meters.Reset()
	g.authCache.Reset()
	g.stageCache.Reset()
}

func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if p := r.URL.Path; p == "/_apigw" || strings.HasPrefix(p, "/_apigw/") {
		g.adminH.ServeHTTP(w, r)
		return
	}
	g.handler.ServeHTTP(w, r)
}

// exchange is one request on its way through the phases.
type exchange struct {
	w   *recorder
	rec recorder // w points here: one allocation for both
	// hdr backs the values of the headers every answer carries (request ids, Content-Length, trace id),
	// so that setting them allocates nothing.
	hdr   [4]string
	r     *http.Request
	cur   *served
	start time.Time
	// ctx is the one request context, filled in as the phases learn its facts.
	ctx     reqctx.Context
	api     *API
	stage   *Stage
	route   *Route
	params  map[string]string
	path    string // the path after the stage, as received
	traceID string
	resp    *integration.Response // a Responder's answer, for the respond phase
	integ   time.Duration
	apiKey  *apiKey // the API key the meter phase accepted; nil for methods that require none
	trace   trace
	// body is the method request body once read (bodyRead), by AWS_IAM or the integration.
	body     []byte
	bodyRead bool
	// authLog is the authorizer's verdict for the log line, e.g. "tok:allow:cached"; "" without one.
	authLog string
	// cacheLog is the stage cache's decision for the log line: hit, miss, invalidated, ignored max-age=0.
	cacheLog string
	// wire is the request's connection when its listener keeps header names (WireNames); names holds
	// them once read (headerNames).
	wire      *wireConn
	names     []string
	namesRead bool
	// usageIdentifierKey is the API key a Lambda authorizer returned, for APIs whose key source is
	// AUTHORIZER.
	usageIdentifierKey string
}

type exchangeKey struct{}

func exchangeOf(r *http.Request) *exchange { return r.Context().Value(exchangeKey{}).(*exchange) }

// withExchange starts the exchange: request ids, start time, the snapshot the request will see to its
// end, and the status-recording response writer.
func (g *Gateway) withExchange(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cur := g.cur.Load()
		x := &exchange{cur: cur, start: g.now()}
		x.rec.ResponseWriter = w
		x.w = &x.rec
		x.wire = wireConnOf(r)
		x.ctx = reqctx.Context{RequestID: newRequestID(), ExtendedRequestID: newAPIGWID(), HTTPMethod: r.Method,
			Protocol: r.Proto, RequestTime: x.start, DomainName: r.Host, SourceIP: sourceIP(r), UserAgent: r.UserAgent(),
			Path: r.URL.EscapedPath()}
		if g.requestTime != nil {
			x.ctx.RequestTime = g.requestTime()
		}
		x.ctx.DomainPrefix = reqctx.DomainPrefixOf(r.Host)
		if cur.snap.Config != nil {
			x.ctx.AccountID = cur.snap.Config.AccountID
		}
		h := w.Header()
		// API Gateway's own spelling; Go would canonicalise the names through Set.
		x.hdr[0], x.hdr[1] = x.ctx.RequestID, x.ctx.ExtendedRequestID
		h["x-amzn-RequestId"] = x.hdr[0:1:1]
		h["x-amz-apigw-id"] = x.hdr[1:2:2]
		x.r = r.WithContext(context.WithValue(r.Context(), exchangeKey{}, x))
		next.ServeHTTP(x.w, x.r)
	})
}

// record is the record phase: the log line, read from the exchange's trace, once the request is done.
func (g *Gateway) record(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r)
		x := exchangeOf(r)
		g.recent.add(x, g.now())
		if x.stage != nil && x.stage.accessLog != nil {
			// The stage's own format: it replaces this log's line on the same output, or goes to its file.
			f := x.stage.accessLog
			line := f.render(nil, x, g.now())
			if f.dest == "" || f.dest == "stdout" {
				if g.log != nil {
					g.log.writeLine(line)
				}
				return
			}
			g.stageLogs.write(g, f.dest, line)
		}
		if g.log != nil {
			g.log.Record(x)
		}
	})
}

// recoverPanic keeps a bug from taking the server down or leaving the client without an answer.
func (g *Gateway) recoverPanic(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				x := exchangeOf(r)
				gerr := &gatewayresponse.Error{Type: gatewayresponse.APIConfigurationError, Reason: fmt.Sprintf("internal error: %v", v)}
				x.trace.end("recover", gerr)
				if !x.w.wrote {
					g.fail(x, gerr)
				}
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// phase is one step of API Gateway's request pipeline. It hands the exchange on (nil) or ends it with a
// gateway response; either way it writes its decision to the exchange's trace.
type phase struct {
	name string
	run  func(*Gateway, *exchange) *gatewayresponse.Error
}

// phases mirror API Gateway's own, in its order (ARCHITECTURE.md). record wraps them as middleware.
var phases = [...]phase{
	{"resolve", (*Gateway).resolve},
	{"route", (*Gateway).route},
	{"authorize", (*Gateway).authorize},
	{"meter", (*Gateway).meterPhase},
	{"validate", (*Gateway).validate},
	{"integrate", (*Gateway).integrate},
	{"respond", (*Gateway).respond},
}

// pipeline runs the phases.
func (g *Gateway) pipeline(_ http.ResponseWriter, r *http.Request) {
	x := exchangeOf(r)
	for i := range phases {
		p := &phases[i]
		if gerr := p.run(g, x); gerr != nil {
			x.trace.end(p.name, gerr)
			g.fail(x, gerr)
			return
		}
		if x.w.wrote { // answered early: an HTTP API's CORS preflight
			return
		}
	}
}

// resolve finds the API by host and the stage by the first path segment. AWS refuses bodies over 10 MB
// before anything else, with a plain-text 413 that no gateway response customises.
func (g *Gateway) resolve(x *exchange) *gatewayresponse.Error {
	r := x.r
	if r.ContentLength > MaxBodyBytes {
		return gatewayresponse.New(gatewayresponse.RequestTooLarge, "body of %d bytes", r.ContentLength)
	}
	if r.Body != nil && r.Body != http.NoBody {
		r.Body = http.MaxBytesReader(x.w, r.Body, MaxBodyBytes)
	}
	x.api = x.cur.snap.api(r.Host)
	if x.api == nil {
		return missingToken(x, fmt.Sprintf("no API for host %q: use {apiId}.execute-api.localhost", r.Host))
	}
	x.ctx.APIID = x.api.ID
	x.ctx.DeploymentID = x.api.ID[:min(6, len(x.api.ID))]
	if x.api.Spec.Type == spec.HTTP {
		// HTTP APIs name their answers with apigw-requestid alone (reference §j).
		h := x.w.Header()
		delete(h, "x-amzn-RequestId")
		delete(h, "x-amz-apigw-id")
		h["apigw-requestid"] = x.hdr[1:2:2]
		// ... and that id is $context.requestId, the events' requestContext.requestId ("LV7fzho-PHcEJPw=" in
		// AWS's sample), not REST's UUID.
		x.ctx.RequestID = x.ctx.ExtendedRequestID
		if n := requestHeadSize(r); n > HTTPAPIMaxRequestHead {
			return &gatewayresponse.Error{Type: gatewayresponse.RequestHeaderTooLarge,
				Reason: fmt.Sprintf("request line and headers of %d bytes, over an HTTP API's %d", n, HTTPAPIMaxRequestHead)}
		}
	} else {
		// A REST API's limits are on the URL and on the header values (reference §h).
		if n := len(r.RequestURI); n > MaxURLLength {
			return &gatewayresponse.Error{Type: gatewayresponse.URITooLong, Reason: fmt.Sprintf("a URL of %d characters, over %d", n, MaxURLLength)}
		}
		if name, n := largestHeaderValue(r); n > MaxHeaderValue {
			return &gatewayresponse.Error{Type: gatewayresponse.RequestHeaderTooLarge,
				Reason: fmt.Sprintf("header %s has a value of %d bytes, over a REST API's %d", name, n, MaxHeaderValue)}
		}
	}
	stageName, rest := splitStage(r.URL.EscapedPath())
	x.path = rest
	x.stage = x.api.Stages[stageName]
	if x.api.Spec.Type == spec.HTTP && (x.stage == nil || stageName == config.DefaultHTTPStage) {
		// A first segment naming no stage leaves the whole path to the $default stage, served at the
		// root (reference §j.1); /$default/... is not a way to it.
		if x.stage = x.api.Stages[config.DefaultHTTPStage]; x.stage == nil {
			return notFound(fmt.Sprintf("no stage %q and no $default stage (stages: %s)", stageName, strings.Join(x.api.StageNames, ", ")))
		}
		x.path = r.URL.EscapedPath()
	}
	if x.stage == nil {
		return missingToken(x, fmt.Sprintf("no stage %q (stages: %s)", stageName, strings.Join(x.api.StageNames, ", ")))
	}
	x.ctx.Stage = x.stage.Name
	if x.stage.Name == config.DefaultHTTPStage {
		x.ctx.Path = x.path
	} else {
		x.ctx.Path = "/" + x.stage.Name + x.path
	}
	x.trace.add("resolve", x.stage.Name)
	return nil
}

// route matches the resource tree: literal > {param} > {proxy+}; ANY.
func (g *Gateway) route(x *exchange) *gatewayresponse.Error {
	var m router.Match[*Route]
	var ok bool
	if x.api.Spec.Type == spec.HTTP {
		// HTTP API priority: exact path with the method, the most specific greedy route with it, then the
		// $default route (path /$default in exports); else 404 Not Found, never REST's 403 (reference §j.1).
		if m, ok = x.api.Tree.LookupHTTPAPI(x.r.Method, x.path); !ok {
			if m, ok = x.api.Tree.Lookup(x.r.Method, defaultRoute); !ok {
				if x.api.cors != nil && cors.IsPreflight(x.r) {
					preflight(x)
					return nil
				}
				return notFound(fmt.Sprintf("no route takes %s %s, and there is no $default route", x.r.Method, x.path))
			}
		}
	} else {
		m, ok = x.api.Tree.Lookup(x.r.Method, x.path)
	}
	x.ctx.ResourcePath = m.Resource
	if !ok {
		if m.Resource != "" {
			return missingToken(x, fmt.Sprintf("resource %s has no %s method", m.Resource, x.r.Method))
		}
		return missingToken(x, "no resource matches "+x.path)
	}
	if x.api.cors != nil && m.Value.Method.Integration == nil && cors.IsPreflight(x.r) {
		// An OPTIONS route without an integration, as exports of APIs with CORS carry: the route has
		// nothing to answer with, the gateway answers the preflight (assumed).
		preflight(x)
		return nil
	}
	x.route, x.params = m.Value, m.PathParameters
	x.ctx.ResourceID = x.route.ResourceID
	if x.api.Spec.Type == spec.HTTP {
		x.ctx.RouteKey = x.route.routeKey
	}
	x.trace.add("route", x.route.key)
	return nil
}

// meterPhase checks the API key, quota and token buckets (meter.go).
func (g *Gateway) meterPhase(x *exchange) *gatewayresponse.Error {
	gerr := g.meter(x, x.cur.meter)
	if x.apiKey != nil {
		// A key found in a usage plan of the stage stays the request's even when a bucket or the quota
		// refuses it: the 429's access log line and gateway response name the key (assumed of AWS, whose
		// usage plan throttling identifies the key first), and simulate compares production's answers key
		// by key on it.
		x.ctx.APIKey, x.ctx.APIKeyID = x.apiKey.value, x.apiKey.id
	}
	if gerr != nil {
		return gerr
	}
	if x.apiKey != nil {
		x.trace.add("meter", x.apiKey.name)
	} else {
		x.trace.add("meter", "")
	}
	return nil
}

// validate runs the method's request validator: the required parameters first, then the body against the
// model for its content type (reference §g). What the method configures and is not emulated is recorded as
// skipped in the trace (and so the log line).
func (g *Gateway) validate(x *exchange) *gatewayresponse.Error {
	if v := x.route.validator; v != nil {
		if why := v.Broken(); why != "" {
			return &gatewayresponse.Error{Type: gatewayresponse.APIConfigurationError, Reason: why}
		}
		if gerr := v.Parameters(x.r.Header, x.r.URL.Query(), x.params); gerr != nil {
			return gerr
		}
		if ct := x.r.Header.Get("Content-Type"); v.ValidatesBody(ct) {
			body, gerr := readBody(x)
			if gerr != nil {
				return gerr
			}
			x.r.Body = io.NopCloser(bytes.NewReader(body)) // for a Streamer (HTTP_PROXY), which reads it itself
			if gerr := v.Body(ct, body); gerr != nil {
				return gerr
			}
		}
		x.trace.add("validate", v.Name())
	} else {
		x.trace.add("validate", "")
	}
	if s := x.route.skipped; s != "" {
		x.trace.skip("validate", s)
	}
	if s := x.stage.skipped; s != "" {
		x.trace.skip("validate", s)
	}
	return nil
}

// integrate calls the route's integration under its timeout.
func (g *Gateway) integrate(x *exchange) *gatewayresponse.Error {
	rt := x.route
	if why := rt.servedIn(x.stage.Name); why != "" {
		return &gatewayresponse.Error{Type: gatewayresponse.APIConfigurationError, Reason: "not served: " + why}
	}
	if rt.callsBackend && x.traceID == "" { // X-Amzn-Trace-Id goes to a backend and back; a MOCK has none (reference §a.2)
		x.traceID = traceID(x.r.Header.Get("X-Amzn-Trace-Id"), x.start)
	}
	req := &integration.Request{HTTP: x.r, PathParameters: x.params, StageVariables: x.stage.Variables,
		Context: &x.ctx, TraceID: x.traceID, BinaryMediaTypes: x.api.Spec.BinaryMediaTypes, Runtime: x.cur.runtime,
		HTTPAPI: x.api.Spec.Type == spec.HTTP}
	if x.wire != nil {
		req.HeaderNames = x.headerNames
	}
	if rt.requestMap != nil {
		if gerr := mapRequest(x, rt.requestMap, req); gerr != nil {
			return gerr
		}
	}
	ctx := x.r.Context()
	if rt.callsBackend {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, rt.timeout)
		defer cancel()
	}
	var cs *cacheSetting
	var cacheKey string
	if cs = rt.cache[x.stage.Name]; cs != nil {
		cacheKey = cs.key(x)
		hit, gerr := g.cacheLookup(x, cs, cacheKey)
		if gerr != nil || hit {
			return gerr
		}
	}
	began := g.now()
	switch in := rt.integration.(type) {
	case integration.Streamer:
		var w http.ResponseWriter = x.w
		if c := x.api.cors; c != nil {
			x.w.beforeHeader = func(h http.Header) { c.Apply(h, x.r) }
			defer func() { x.w.beforeHeader = nil }() // a gateway error after a failed stream has none
		}
		var cw *cachingWriter
		if cs != nil {
			cw = &cachingWriter{ResponseWriter: w}
			w = cw
		}
		var mw *mappingWriter
		if rt.responseMap != nil {
			mw = &mappingWriter{ResponseWriter: w, x: x, m: rt.responseMap}
			w = mw
		}
		gerr := in.Stream(ctx, w, req)
		if mw != nil && gerr == nil {
			mw.finish()
		}
		if cw != nil && gerr == nil {
			cw.store(g, cacheKey, cs)
		}
		x.integ = g.now().Sub(began)
		if gerr != nil && x.w.wrote {
			// The response had started; nothing better can be sent.
			x.trace.end("integrate", gerr)
			return nil
		}
		x.trace.add("integrate", rt.integration.Kind())
		return gerr
	case integration.Responder:
		body, gerr := readBody(x)
		if gerr != nil {
			return gerr
		}
		req.Body = body
		x.resp, gerr = in.Respond(ctx, req)
		x.integ = g.now().Sub(began)
		if gerr != nil {
			return gerr
		}
		if rt.responseMap != nil {
			mapResponse(x, rt.responseMap, x.resp)
		}
		if cs != nil {
			g.cacheStore(cacheKey, cs, x.resp)
		}
		x.trace.add("integrate", rt.integration.Kind())
		return nil
	}
	return gatewayresponse.New(gatewayresponse.APIConfigurationError, "integration kind %T neither responds nor streams", rt.integration)
}

// respond writes a Responder's answer: reserved headers remapped, X-Amzn-Trace-Id for integrations that
// call a backend, the default Content-Type, Content-Length and the status, here and nowhere else.
func (g *Gateway) respond(x *exchange) *gatewayresponse.Error {
	resp := x.resp
	if resp == nil { // a Streamer has answered
		return nil
	}
	if resp.RemapReserved {
		httpintegration.RemapReserved(resp.Header)
	}
	h := x.w.Header()
	for k, vs := range resp.Header {
		h[k] = vs
	}
	if resp.Traced {
		x.hdr[2] = x.traceID
		h["X-Amzn-Trace-Id"] = x.hdr[2:3:3]
	}
	if x.api.cors != nil {
		x.api.cors.Apply(h, x.r)
	}
	if resp.ContentType != "" && h.Get("Content-Type") == "" {
		h.Set("Content-Type", resp.ContentType)
	}
	x.hdr[3] = strconv.Itoa(len(resp.Body))
	h["Content-Length"] = x.hdr[3:4:4]
	x.w.WriteHeader(resp.Status)
	_, _ = x.w.Write(resp.Body)
	x.trace.add("respond", "")
	return nil
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

// HTTPAPIMaxRequestHead is an HTTP API's limit on the request line and headers together (reference §h).
const HTTPAPIMaxRequestHead = 10240

// MaxURLLength and MaxHeaderValue are a (regional) REST API's limits on the URL and on a header value
// (reference §h: "header values, 10,240 bytes"; read as the size of one value, the reading that refuses
// fewer requests, since the quota table does not say whether it is a total). AWS does not document its
// answers: 414 (as for a method ARN over 1,600 bytes) and 431 are assumed.
const (
	MaxURLLength   = 10240
	MaxHeaderValue = 10240
)

// maxMethodARN is the longest method ARN a method with authorization takes (reference §h).
const maxMethodARN = 1600

// largestHeaderValue is r's largest header value and its name.
func largestHeaderValue(r *http.Request) (string, int) {
	name, n := "Host", len(r.Host)
	for k, vs := range r.Header {
		for _, v := range vs {
			if len(v) > n {
				name, n = k, len(v)
			}
		}
	}
	return name, n
}

// requestHeadSize is the size of r's request line and headers as the client sent them (Host included,
// which net/http moves out of the header map).
func requestHeadSize(r *http.Request) int {
	n := len(r.Method) + 1 + len(r.RequestURI) + 1 + len(r.Proto) + 2
	if r.Host != "" {
		n += len("Host: ") + len(r.Host) + 2
	}
	for k, vs := range r.Header {
		for _, v := range vs {
			n += len(k) + 2 + len(v) + 2
		}
	}
	return n
}

// defaultRoute is the path of an HTTP API's $default route in its export.
const defaultRoute = "/$default"

// notFound is an HTTP API's answer when no stage or route matches: 404 {"message":"Not Found"}.
func notFound(reason string) *gatewayresponse.Error {
	return &gatewayresponse.Error{Type: gatewayresponse.ResourceNotFound, Reason: reason}
}

// tooLarge is AWS's answer to a body over 10 MB: plain text, and no gateway response customises it
// (gateway-responses.json#live-413-over-10mb).
func tooLarge(x *exchange) {
	x.w.Header().Set("Content-Type", "text/plain")
	x.w.WriteHeader(http.StatusRequestEntityTooLarge)
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

// fail writes the gateway response for err, with the API's customisations.
func (g *Gateway) fail(x *exchange, err *gatewayresponse.Error) {
	if err.Type == gatewayresponse.RequestTooLarge {
		tooLarge(x)
		return
	}
	if status, body, ok := gatewayresponse.FixedAnswer(err.Type); ok && (x.api == nil || x.api.Spec.Type != spec.HTTP) {
		h := x.w.Header()
		h["Content-Type"] = []string{"application/json"}
		if err.Type == gatewayresponse.LambdaRequestTooLarge {
			h["x-amzn-ErrorType"] = []string{"BadRequestException"}
		}
		h["Content-Length"] = []string{strconv.Itoa(len(body))}
		x.w.WriteHeader(status)
		_, _ = io.WriteString(x.w, body)
		return
	}
	h := x.w.Header()
	for k, vs := range err.Header {
		h[k] = vs
	}
	if x.api != nil && x.api.Spec.Type == spec.HTTP {
		status, body := gatewayresponse.HTTPAPIAnswer(err)
		h["Content-Type"] = []string{"application/json"}
		h["Content-Length"] = []string{strconv.Itoa(len(body))}
		x.w.WriteHeader(status)
		_, _ = io.WriteString(x.w, body)
		return
	}
	var set *gatewayresponse.Set
	if x.api != nil {
		set = x.api.Responses
	}
	resp := set.Render(err, gatewayresponse.Request{
		Context:        x.ctx.Value,
		StageVariables: x.stageVariables(),
		Header:         x.r.Header.Get,
		Query:          func(name string) string { return x.r.URL.Query().Get(name) },
		Path:           func(name string) string { return x.params[name] },
	})
	for k, vs := range resp.Header {
		h[k] = vs
	}
	h.Set("Content-Length", strconv.Itoa(len(resp.Body)))
	x.w.WriteHeader(resp.Status)
	_, _ = x.w.Write(resp.Body)
}

func (x *exchange) stageVariables() map[string]string {
	if x.stage == nil {
		return nil
	}
	return x.stage.Variables
}

// recorder remembers the status and whether the response has started, so that a failure after the first
// byte is logged rather than answered twice.
type recorder struct {
	http.ResponseWriter
	status int
	wrote  bool
	// written counts the body bytes sent: $context.responseLength in access logs.
	written int64
	// beforeHeader, when set, edits the headers once, just before they are sent: CORS on an answer a
	// Streamer writes itself.
	beforeHeader func(http.Header)
}

func (w *recorder) WriteHeader(code int) {
	if !w.wrote {
		w.status, w.wrote = code, true
		w.sendingHeader()
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *recorder) Write(b []byte) (int, error) {
	if !w.wrote {
		w.status, w.wrote = http.StatusOK, true
		w.sendingHeader()
	}
	n, err := w.ResponseWriter.Write(b)
	w.written += int64(n)
	return n, err
}

func (w *recorder) sendingHeader() {
	if f := w.beforeHeader; f != nil {
		w.beforeHeader = nil
		f(w.ResponseWriter.Header())
	}
}

// Flush lets ReverseProxy stream through the wrapper.
func (w *recorder) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the connection.
func (w *recorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// headerNames are the request's header names as the client wrote them, read from its connection on
// first use (only templates and proxy events need them); nil when the listener does not keep them.
func (x *exchange) headerNames() []string {
	if !x.namesRead && x.wire != nil {
		x.names, x.namesRead = x.wire.headerNames(x.r), true
	}
	return x.names
}

// readBody reads the method request body for the kinds that need all of it, once: AWS_IAM reads it to
// check the signature (and puts it back for a Streamer), the integration then gets the same bytes.
func readBody(x *exchange) ([]byte, *gatewayresponse.Error) {
	if x.bodyRead {
		return x.body, nil
	}
	if x.r.Body == nil || x.r.Body == http.NoBody {
		// No body (net/http's server says so when there is no Content-Length and no chunked
		// encoding): the same empty body io.ReadAll would give, without reading.
		x.body, x.bodyRead = []byte{}, true
		return x.body, nil
	}
	body, err := io.ReadAll(x.r.Body)
	if err == nil {
		x.body, x.bodyRead = body, true
	}
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return nil, gatewayresponse.New(gatewayresponse.RequestTooLarge, "request body over %d bytes", tooLarge.Limit)
	}
	if httpintegration.MalformedBody(err) {
		return nil, httpintegration.MalformedBodyError(err)
	}
	var netErr net.Error
	if errors.As(err, &netErr) && netErr.Timeout() || errors.Is(err, io.ErrUnexpectedEOF) {
		// The client stopped sending (the server's read timeout cut it, or it closed the connection
		// mid-body): its fault, not the integration's. AWS's answer to an incomplete body is not
		// recorded; 400 BAD_REQUEST_BODY is assumed, as for a malformed chunked body, and the client has
		// usually gone before it is written.
		return nil, gatewayresponse.New(gatewayresponse.BadRequestBody, "client did not send the whole body: %v", err)
	}
	if err != nil {
		return nil, gatewayresponse.New(gatewayresponse.IntegrationFailure, "reading the request body: %v", err)
	}
	return body, nil
}

// preflight is an HTTP API's answer to a CORS preflight that no route takes: 204 with an empty body,
// from the gateway itself, so that no authorizer or function sees it (reference §j.7).
//
// Routes come first. AWS documents that the $default route catches OPTIONS requests, preflights included,
// and advises an unauthenticated OPTIONS /{proxy+} route so that preflights escape the $default route's
// authorizer; users report that an ANY route with an authorizer answers preflights 401 where a GET route
// leaves them to the gateway (sst issue 5493, arpadt.com "Fixing up CORS errors in HTTP API"). So a
// preflight reaches the gateway's own answer only where it would otherwise be 404, or where the route
// that takes it has no integration to answer with.
func preflight(x *exchange) {
	if x.api.cors.Preflight(x.w.Header(), x.r) {
		x.trace.add("route", "CORS preflight, answered by the gateway")
	} else {
		// Still 204, without any access-control-* header: the browser refuses it (a captured answer to a
		// foreign origin).
		x.trace.add("route", "CORS preflight refused by the gateway: origin, method or headers not allowed")
	}
	x.w.WriteHeader(http.StatusNoContent)
}
