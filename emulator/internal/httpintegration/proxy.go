// Package httpintegration holds API Gateway's HTTP integrations.
//
// HTTP_PROXY: the method request goes to an HTTP backend almost as it came, and the backend's response
// comes back almost as it went — "almost" being the rules of reference §f.4, which this package
// implements: the integration URI with its stage variables and {path} placeholders, requestParameters
// merged into the query and headers, headers API Gateway adds or drops, and backend response headers
// remapped to x-amzn-Remapped-*. It is built on net/http/httputil.ReverseProxy (Rewrite hook, streaming
// bodies) with one keep-alive transport shared by every route.
package httpintegration

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/apigw-local/apigw-local/internal/gatewayresponse"
	"github.com/apigw-local/apigw-local/internal/spec"
)

// DefaultTimeout is API Gateway's default (and, without a quota increase, maximum) integration timeout.
const DefaultTimeout = 29 * time.Second

// Integration is one HTTP_PROXY integration compiled for serving.
type Integration struct {
	uri      *uriTemplate
	method   string // the integration httpMethod; "" or ANY sends the client's method
	mappings []paramMapping
	timeout  time.Duration
}

// illegalHeaderMappings are request headers API Gateway refuses to map (reference §f.4): the request then
// fails with 500 Internal server error.
var illegalHeaderMappings = map[string]bool{"content-length": true, "transfer-encoding": true}

// Compile prepares in for serving. Problems that AWS would only reveal at request time are returned as
// errors so that the snapshot can report them (and the request answers 500).
func Compile(in *spec.Integration) (*Integration, error) {
	c := &Integration{uri: parseURI(in.URI), method: in.HTTPMethod, timeout: DefaultTimeout}
	if in.TimeoutInMillis > 0 {
		c.timeout = time.Duration(in.TimeoutInMillis) * time.Millisecond
	}
	var errs []error
	// So is a ${...} that is not a stage variable (a template placeholder).
	// An empty URI, or one with a CloudFormation intrinsic in its place, is already an error of the spec.
	if err := c.uri.staticCheck(); err != nil && in.URI != "" && !strings.Contains(in.URI, "${") {
		errs = append(errs, err)
	}
	for _, kv := range in.RequestParameters {
		target, ok := strings.CutPrefix(kv.Key, "integration.request.")
		if !ok {
			errs = append(errs, fmt.Errorf("request parameter %q: the target must start with integration.request.", kv.Key))
			continue
		}
		location, name, _ := strings.Cut(target, ".")
		if (location == "header" || location == "multivalueheader") && illegalHeaderMappings[strings.ToLower(name)] {
			errs = append(errs, fmt.Errorf("request parameter %q maps the %s header, which API Gateway does not allow: requests answer 500", kv.Key, name))
			continue
		}
		src, err := parseSource(kv.Value)
		if err != nil {
			errs = append(errs, fmt.Errorf("request parameter %q: %w", kv.Key, err))
			continue
		}
		if src.kind == "body" {
			// Mapping the body (or a JSONPath into it) needs the JSONPath engine of the mapping-template work.
			errs = append(errs, fmt.Errorf("request parameter %q maps %s, which is not emulated yet", kv.Key, kv.Value))
			continue
		}
		c.mappings = append(c.mappings, paramMapping{location: location, name: name, src: src})
	}
	return c, errors.Join(errs...)
}

// SetTimeout caps or sets the integration timeout (the config's integrationTimeoutMax).
func (in *Integration) SetTimeout(d time.Duration) { in.timeout = d }

// Timeout is the effective integration timeout.
func (in *Integration) Timeout() time.Duration { return in.timeout }

// StageVariables lists the stage variables the integration URI needs.
func (in *Integration) StageVariables() []string { return in.uri.stageVariables() }

// UnmappedPathParams lists the {name} placeholders of the URI that no integration.request.path mapping fills.
func (in *Integration) UnmappedPathParams() []string {
	var out []string
	for _, p := range in.uri.pathParams() {
		found := false
		for _, m := range in.mappings {
			if m.location == "path" && m.name == p {
				found = true
			}
		}
		if !found {
			out = append(out, p)
		}
	}
	return out
}

// Call is one request through an HTTP_PROXY integration.
type Call struct {
	Request        *http.Request
	PathParameters map[string]string // as matched, still percent-encoded
	StageVariables map[string]string
	Context        func(key string) string // $context values for context.* mappings
	APIID          string
	TraceID        string // X-Amzn-Trace-Id sent to the backend and returned to the client
	SourceIP       string
	// Path replaces the URI's path (an HTTP API's overwrite:path); "" keeps it.
	Path string

	parsedQuery url.Values
	target      *url.URL
	method      string
	header      http.Header // mapped headers, which replace the client's
	err         *gatewayresponse.Error
	body        *bodyRecorder // the client's body as sent on; nil without one
}

// Proxy sends calls to backends. One Proxy serves every integration.
type Proxy struct {
	rp        *httputil.ReverseProxy
	transport *http.Transport // shared with HTTP (non-proxy) integrations
}

// NewProxy returns a proxy with one shared keep-alive transport.
func NewProxy() *Proxy {
	transport := &http.Transport{
		Proxy:                 nil, // the emulator talks to the backend directly, as API Gateway does
		DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:          1024,
		MaxIdleConnsPerHost:   256,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
		DisableCompression:    true, // pass Accept-Encoding and encoded bodies through untouched
		ForceAttemptHTTP2:     true,
	}
	p := &Proxy{transport: transport}
	p.rp = &httputil.ReverseProxy{
		Rewrite:   rewrite,
		Transport: remappingTransport{transport},
		// 0: responses of known length go out in one write; ReverseProxy still flushes every write of a
		// streamed (chunked, event-stream) response, so streaming backends stream through.
		FlushInterval: 0,
		ErrorHandler:  recordError,
		ErrorLog:      nil,
		// ReverseProxy allocates a 32 KB copy buffer per request without a pool.
		BufferPool: copyBuffers,
	}
	return p
}

// copyBuffers are the reverse proxy's 32 KB copy buffers, shared by every proxy.
var copyBuffers = &bufferPool{pool: sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}}

type bufferPool struct{ pool sync.Pool }

func (p *bufferPool) Get() []byte  { return *p.pool.Get().(*[]byte) }
func (p *bufferPool) Put(b []byte) { p.pool.Put(&b) }

type callKey struct{}

// Serve forwards the call and writes the backend's response to w. A failure before any byte is written is
// returned as a gateway error for the caller to render (API Gateway answers with a gateway response).
func (p *Proxy) Serve(w http.ResponseWriter, in *Integration, c *Call) *gatewayresponse.Error {
	ctx, cancel := context.WithTimeout(c.Request.Context(), in.timeout)
	defer cancel()
	return p.ServeContext(ctx, w, in, c)
}

// ServeContext is Serve under a context that already carries the integration timeout.
func (p *Proxy) ServeContext(ctx context.Context, w http.ResponseWriter, in *Integration, c *Call) *gatewayresponse.Error {
	pathValue := func(name string) (string, bool) {
		for _, m := range in.mappings {
			if m.location == "path" && m.name == name {
				if vs := m.src.values(c); len(vs) > 0 {
					return vs[0], true
				}
				return "", false
			}
		}
		// No mapping: use the method's path parameter of the same name. The console always adds the
		// mapping; hand-written specs often forget it.
		v, ok := c.PathParameters[name]
		return v, ok
	}
	raw, err := in.uri.expand(c.StageVariables, pathValue)
	if err != nil {
		return gatewayresponse.New(gatewayresponse.APIConfigurationError, "%v", err)
	}
	target, err := url.Parse(raw)
	if err != nil || (target.Scheme != "http" && target.Scheme != "https") || target.Host == "" {
		return gatewayresponse.New(gatewayresponse.APIConfigurationError, "invalid endpoint address %q", raw)
	}
	if c.Path != "" { // as the client escaped it (the mapping copies request text)
		if p, err := url.PathUnescape(c.Path); err == nil {
			target.Path, target.RawPath = p, c.Path
		} else {
			target.Path, target.RawPath = c.Path, ""
		}
	}
	c.target = target
	c.method = in.method
	if c.method == "" || c.method == "ANY" {
		c.method = c.Request.Method
	}
	if err := c.applyMappings(in.mappings); err != nil {
		return err
	}
	r := c.Request.WithContext(context.WithValue(ctx, callKey{}, c))
	if r.Body != nil && r.Body != http.NoBody {
		c.body = &bodyRecorder{ReadCloser: r.Body}
		r.Body = c.body
	}
	p.rp.ServeHTTP(w, r)
	return c.err
}

// applyMappings merges requestParameters into the target query and the header set. Query values from the
// URI, the mappings and the client are all sent, in that order; a mapped header replaces the client's.
func (c *Call) applyMappings(ms []paramMapping) *gatewayresponse.Error {
	// The query is assembled as text so that the URI's and the client's parts go out as they were written
	// (order and encoding kept); only mapped values are encoded here.
	var mapped []string
	addQuery := func(name, v string) { mapped = append(mapped, url.QueryEscape(name)+"="+url.QueryEscape(v)) }
	for _, m := range ms {
		vs := m.src.values(c)
		if len(vs) == 0 {
			continue
		}
		switch m.location {
		case "querystring":
			addQuery(m.name, vs[0])
		case "multivaluequerystring":
			for _, v := range vs {
				addQuery(m.name, v)
			}
		case "header":
			if c.header == nil {
				c.header = http.Header{}
			}
			c.header.Set(m.name, vs[0])
		case "multivalueheader":
			if c.header == nil {
				c.header = http.Header{}
			}
			c.header.Del(m.name)
			for _, v := range vs {
				c.header.Add(m.name, v)
			}
		}
	}
	parts := make([]string, 0, len(mapped)+2)
	if c.target.RawQuery != "" {
		parts = append(parts, c.target.RawQuery)
	}
	parts = append(parts, mapped...)
	if q := c.Request.URL.RawQuery; q != "" {
		parts = append(parts, q)
	}
	c.target.RawQuery = strings.Join(parts, "&")
	c.target.ForceQuery = false
	return nil
}

// droppedRequestHeaders never reach the backend (reference §e.1, dropped headers; hop-by-hop headers are
// removed by ReverseProxy itself).
var droppedRequestHeaders = []string{"Content-Md5", "Expect", "Max-Forwards", "Proxy-Authenticate", "Server", "Www-Authenticate", "Via"}

func rewrite(pr *httputil.ProxyRequest) {
	c := pr.In.Context().Value(callKey{}).(*Call)
	out := pr.Out
	out.Method = c.method
	out.URL = c.target
	out.Host = c.target.Host
	out.RequestURI = ""
	for _, h := range droppedRequestHeaders {
		out.Header.Del(h)
	}
	for k, vs := range c.header {
		if k == "Via" || k == "Connection" || k == "Expect" || k == "Proxy-Authenticate" || k == "Te" {
			continue // mapped values of these never reach the backend (integrations.json#http-header-remapping-full)
		}
		out.Header[k] = vs
	}
	if prior := pr.In.Header.Values("X-Forwarded-For"); len(prior) > 0 {
		out.Header.Set("X-Forwarded-For", strings.Join(prior, ", ")+", "+c.SourceIP)
	} else {
		out.Header.Set("X-Forwarded-For", c.SourceIP)
	}
	out.Header.Set("X-Forwarded-Proto", "https")
	out.Header.Set("X-Forwarded-Port", "443")
	out.Header.Set("X-Amzn-Trace-Id", c.TraceID)
	out.Header.Set("X-Amzn-Apigateway-Api-Id", c.APIID)
	if _, ok := out.Header["User-Agent"]; !ok {
		out.Header["User-Agent"] = []string{""} // keep Go's client from adding its own
	}
}

// remappedResponseHeaders are backend headers API Gateway returns under x-amzn-Remapped-<name>
// (integrations.json#http-header-remapping-full, #http_proxy-forwarded-headers).
var remappedResponseHeaders = []string{"Authorization", "Connection", "Content-Length", "Content-Md5", "Date",
	"Expect", "Host", "Max-Forwards", "Proxy-Authenticate", "Server", "Trailer", "Upgrade", "User-Agent",
	"Www-Authenticate", "X-Amzn-Requestid"}

// remappingTransport rewrites backend response headers before ReverseProxy strips hop-by-hop ones, so
// that Connection can be remapped as AWS does.
type remappingTransport struct{ base http.RoundTripper }

func (t remappingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	h := resp.Header
	if h.Get("Content-Length") == "" && resp.ContentLength >= 0 {
		h.Set("Content-Length", strconv.FormatInt(resp.ContentLength, 10))
	}
	for _, name := range remappedResponseHeaders {
		if vs, ok := h[name]; ok {
			delete(h, name)
			h["X-Amzn-Remapped-"+name] = vs
		}
	}
	delete(h, "Transfer-Encoding")
	if h.Get("Content-Type") == "" {
		h.Set("Content-Type", "application/json") // API Gateway's default for proxy responses without one
	}
	if c, ok := r.Context().Value(callKey{}).(*Call); ok {
		h.Set("X-Amzn-Trace-Id", c.TraceID)
	}
	return resp, nil
}

// recordError turns a failed backend call into the gateway response API Gateway would give; nothing has
// been written to the client yet when ReverseProxy calls it.
func recordError(w http.ResponseWriter, r *http.Request, err error) {
	c := r.Context().Value(callKey{}).(*Call)
	var tooLarge *http.MaxBytesError
	switch {
	case MalformedBody(c.body.readErr()):
		c.err = MalformedBodyError(c.body.readErr())
	case errors.As(err, &tooLarge):
		c.err = gatewayresponse.New(gatewayresponse.RequestTooLarge, "request body over %d bytes", tooLarge.Limit)
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(r.Context().Err(), context.DeadlineExceeded):
		c.err = gatewayresponse.New(gatewayresponse.IntegrationTimeout, "backend %s did not answer in time: %v", c.target.Host, err)
	case errors.Is(err, context.Canceled):
		c.err = gatewayresponse.New(gatewayresponse.IntegrationFailure, "client went away: %v", err)
	default:
		c.err = gatewayresponse.New(gatewayresponse.IntegrationFailure, "backend %s: %v", c.target.Host, err)
	}
}
