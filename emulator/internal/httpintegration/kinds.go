package httpintegration

import (
	"context"
	"net/http"
	"sync"

	"github.com/apigw-local/apigw-local/internal/gatewayresponse"
	"github.com/apigw-local/apigw-local/internal/integration"
	"github.com/apigw-local/apigw-local/internal/spec"
)

// shared is the one proxy (and keep-alive transport) of the process: every route of every snapshot calls
// its backends through it, so connections stay warm across reloads.
var shared = sync.OnceValue(NewProxy)

// proxyKind is HTTP_PROXY behind the integration interface: it streams, so it writes its own response.
type proxyKind struct{ in *Integration }

// CompileProxy compiles an HTTP_PROXY integration. A VPC_LINK integration is called at its URI
// directly: locally there is no VPC link, and the URI is what a user points at a local backend.
func CompileProxy(in *spec.Integration, b integration.Build) (integration.Integration, error) {
	p, err := Compile(in)
	if err != nil {
		return nil, err
	}
	p.SetTimeout(b.Timeout)
	return &proxyKind{p}, nil
}

func (k *proxyKind) Kind() string { return spec.IntegrationHTTPProxy }

// Stream forwards the request and streams the backend's answer.
func (k *proxyKind) Stream(ctx context.Context, w http.ResponseWriter, req *integration.Request) *gatewayresponse.Error {
	call := &Call{Request: req.HTTP, PathParameters: req.PathParameters, StageVariables: req.StageVariables,
		Context: req.Context.Get, APIID: req.Context.APIID, TraceID: req.TraceID, SourceIP: req.Context.SourceIP, Path: req.Path}
	return shared().ServeContext(ctx, w, k.in, call)
}

// StageVariables lists the stage variables the integration URI needs.
func (k *proxyKind) StageVariables() []string { return k.in.StageVariables() }

// customKind is HTTP (non-proxy) behind the integration interface.
type customKind struct{ c *Custom }

// CompileHTTP compiles an HTTP (non-proxy) integration.
// The integrate phase enforces b.Timeout through the request's context.
func CompileHTTP(in *spec.Integration, _ integration.Build) (integration.Integration, error) {
	c, err := CompileCustom(in)
	if err != nil {
		return nil, err
	}
	return &customKind{c}, nil
}

func (k *customKind) Kind() string { return spec.IntegrationHTTP }

// Respond calls the backend and maps its answer.
func (k *customKind) Respond(ctx context.Context, req *integration.Request) (*integration.Response, *gatewayresponse.Error) {
	out, gerr := shared().ServeCustom(ctx, k.c, &CustomCall{Request: req.HTTP, Body: req.Body, PathParameters: req.PathParameters,
		StageVariables: req.StageVariables, Env: req.Env(), Context: req.Context.Get, APIID: req.Context.APIID, TraceID: req.TraceID})
	if gerr != nil {
		return nil, gerr
	}
	return integration.FromMethodResponse(out, true), nil
}

// StageVariables lists the stage variables the integration URI needs.
func (k *customKind) StageVariables() []string { return k.c.uri.stageVariables() }

// UnmappedPathParams lists the URI's {name} placeholders no integration.request.path mapping fills.
func (k *proxyKind) UnmappedPathParams() []string { return k.in.UnmappedPathParams() }

// UnmappedPathParams lists the URI's {name} placeholders no integration.request.path mapping fills.
func (k *customKind) UnmappedPathParams() []string {
	return (&Integration{uri: k.c.uri, mappings: k.c.params}).UnmappedPathParams()
}

// Notices lists what the templates use that API Gateway accepts but does not run.
func (k *customKind) Notices() []string { return k.c.Mapping.Notices() }
