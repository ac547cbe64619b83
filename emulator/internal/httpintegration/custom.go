package httpintegration

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"

	"github.com/apigw-local/apigw-local/internal/gatewayresponse"
	"github.com/apigw-local/apigw-local/internal/mapping"
	"github.com/apigw-local/apigw-local/internal/spec"
)

// Custom is an HTTP (non-proxy) integration: the request template builds the backend request body,
// requestParameters (and $context.requestOverride) its path, query and headers; the backend status selects
// an integration response, whose parameters and template build the method response (reference §f.3-f.4).
type Custom struct {
	uri     *uriTemplate
	method  string
	params  []paramMapping
	Mapping *mapping.Integration
}

// CompileCustom prepares an HTTP integration.
func CompileCustom(in *spec.Integration) (*Custom, error) {
	base, err := Compile(in) // the URI template and requestParameters follow the same rules as HTTP_PROXY
	if err != nil {
		return nil, err
	}
	m, err := mapping.Compile(in)
	if err != nil {
		return nil, err
	}
	return &Custom{uri: base.uri, method: base.method, params: base.mappings, Mapping: m}, nil
}

// CustomCall is one request through an HTTP integration.
type CustomCall struct {
	Request        *http.Request
	Body           []byte
	PathParameters map[string]string
	StageVariables map[string]string
	Env            *mapping.Env
	Context        func(key string) string // context.* mapping sources
	APIID          string
	TraceID        string
}

// maxIntegrationResponse bounds what is read from a backend (API Gateway's payload limit).
const maxIntegrationResponse = 10 << 20

// ServeCustom calls the backend and maps its answer to the method response; ctx carries the integration
// timeout. Reserved headers and X-Amzn-Trace-Id are the respond phase's.
func (p *Proxy) ServeCustom(ctx context.Context, c *Custom, call *CustomCall) (*mapping.MethodResponse, *gatewayresponse.Error) {
	payload, gerr := c.Mapping.RequestPayload(call.Request.Header.Get("Content-Type"), call.Body, call.Env)
	if gerr != nil {
		return nil, gerr
	}
	overrides := call.Env.Overrides()
	pc := &Call{Request: call.Request, PathParameters: call.PathParameters, StageVariables: call.StageVariables,
		Context: call.Context}

	pathValue := func(name string) (string, bool) {
		if v, ok := overrides.RequestPath[name]; ok {
			return v, true
		}
		for _, m := range c.params {
			if m.location == "path" && m.name == name {
				if vs := m.src.values(pc); len(vs) > 0 {
					return vs[0], true
				}
				return "", false
			}
		}
		v, ok := call.PathParameters[name]
		return v, ok
	}
	raw, err := c.uri.expand(call.StageVariables, pathValue)
	if err != nil {
		return nil, gatewayresponse.New(gatewayresponse.APIConfigurationError, "%v", err)
	}
	target, err := url.Parse(raw)
	if err != nil || (target.Scheme != "http" && target.Scheme != "https") || target.Host == "" {
		return nil, gatewayresponse.New(gatewayresponse.APIConfigurationError, "invalid endpoint address %q", raw)
	}

	// Only mapped parameters reach the backend: a non-proxy integration forwards neither the client's
	// query string nor its headers (integrations.json#http-forwarded-headers).
	query := target.Query()
	header := http.Header{}
	header.Set("Accept", "application/json")
	header.Set("User-Agent", "AmazonAPIGateway_"+call.APIID)
	for _, m := range c.params {
		vs := m.src.values(pc)
		if len(vs) == 0 {
			continue
		}
		switch m.location {
		case "querystring":
			query.Set(m.name, vs[0])
		case "multivaluequerystring":
			query[m.name] = vs
		case "header":
			header.Set(m.name, vs[0])
		case "multivalueheader":
			header[http.CanonicalHeaderKey(m.name)] = vs
		}
	}
	for k, v := range overrides.RequestQueryString {
		query.Set(k, v)
	}
	for k, v := range overrides.RequestHeader {
		header.Set(k, v)
	}
	for _, h := range []string{"Via", "Connection", "Expect", "Proxy-Authenticate", "Te"} {
		header.Del(h) // mapped values of these never reach the backend (integrations.json#http-header-remapping-full)
	}
	if ct := call.Request.Header.Get("Content-Type"); ct != "" && header.Get("Content-Type") == "" {
		header.Set("Content-Type", ct)
	}
	header.Set("X-Amzn-Apigateway-Api-Id", call.APIID)
	header.Set("X-Amzn-Trace-Id", call.TraceID)
	target.RawQuery = query.Encode()

	method := c.method
	if method == "" || method == "ANY" {
		method = call.Request.Method
	}
	req, err := http.NewRequestWithContext(ctx, method, target.String(), bytes.NewReader(payload))
	if err != nil {
		return nil, gatewayresponse.New(gatewayresponse.APIConfigurationError, "cannot build the integration request: %v", err)
	}
	req.Header = header
	if len(payload) == 0 {
		req.Body, req.ContentLength = http.NoBody, 0
	}
	resp, err := p.transport.RoundTrip(req)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return nil, gatewayresponse.New(gatewayresponse.IntegrationTimeout, "backend %s did not answer in time", target.Host)
		}
		return nil, gatewayresponse.New(gatewayresponse.IntegrationFailure, "backend %s: %v", target.Host, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxIntegrationResponse+1))
	if err != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return nil, gatewayresponse.New(gatewayresponse.IntegrationTimeout, "backend %s did not finish in time", target.Host)
		}
		return nil, gatewayresponse.New(gatewayresponse.IntegrationFailure, "backend %s: reading the response: %v", target.Host, err)
	}
	if len(body) > maxIntegrationResponse {
		return nil, gatewayresponse.New(gatewayresponse.APIConfigurationError, "backend response over %d bytes", maxIntegrationResponse)
	}

	// Every backend status goes through the integration responses: a 400 with only a default 200
	// response becomes 200 (integrations.json#http-status-non-matching-response).
	ir := c.Mapping.Select(strconv.Itoa(resp.StatusCode), false)
	if ir == nil {
		return nil, gatewayresponse.New(gatewayresponse.APIConfigurationError, "no integration response for backend status %d and no default response", resp.StatusCode)
	}
	out, gerr := c.Mapping.Respond(ir, body, resp.Header, call.Request.Header.Get("Accept"), call.Env)
	if gerr != nil {
		return nil, gerr
	}
	return out, nil
}

// RemapReserved renames method response headers that API Gateway reserves to x-amzn-Remapped-<name>,
// as it does for mapped headers of non-proxy integrations (integrations.json#http-header-remapping-full).
func RemapReserved(h http.Header) {
	for _, name := range remappedResponseHeaders {
		if vs, ok := h[name]; ok {
			delete(h, name)
			h["X-Amzn-Remapped-"+name] = vs
		}
	}
}
