// Package integration is the one interface every integration kind implements (MOCK, HTTP, HTTP_PROXY,
// Lambda non-proxy, Lambda proxy 1.0 and 2.0, and the kinds to come: AWS services, VPC links, WebSocket
// routes). A kind is compiled once per route when the snapshot is built, and then called per request by
// the gateway's integrate phase, which knows nothing of how any one kind works inside.
//
// Most kinds answer with a Response that the gateway's respond phase writes: reserved-header remapping,
// X-Amzn-Trace-Id, Content-Length and the recorded status are done there, in one place. A kind that must
// stream the backend's answer as it arrives (HTTP_PROXY) implements Streamer instead and writes itself.
package integration

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/apigw-local/apigw-local/internal/gatewayresponse"
	"github.com/apigw-local/apigw-local/internal/mapping"
	"github.com/apigw-local/apigw-local/internal/reqctx"
	"github.com/apigw-local/apigw-local/internal/spec"
)

// Integration is a compiled integration of one method.
type Integration interface {
	// Kind names the kind for the route table and the log ("MOCK", "AWS_PROXY (Lambda, payload 2.0)").
	Kind() string
}

// Responder is a kind whose answer the respond phase writes.
type Responder interface {
	Integration
	// Respond runs the integration for one request. ctx carries the integration timeout; a failure is a
	// gateway error, which the gateway renders through the API's gateway responses.
	Respond(ctx context.Context, req *Request) (*Response, *gatewayresponse.Error)
}

// Streamer is a kind that writes the response itself, as it arrives from the backend. It returns a
// gateway error only while nothing has been written.
type Streamer interface {
	Integration
	Stream(ctx context.Context, w http.ResponseWriter, req *Request) *gatewayresponse.Error
}

// Request is what an integration reads of one method request. Views of the request context are derived
// lazily and at most once per request.
type Request struct {
	HTTP *http.Request
	// Body is the whole method request body, read by the gateway for Responder kinds (nil for none);
	// Streamer kinds read HTTP.Body themselves.
	Body []byte
	// PathParameters are as the router matched them, still percent-encoded.
	PathParameters map[string]string
	StageVariables map[string]string
	// Context is the one request context; the VTL $context and the Lambda events are views of it.
	Context *reqctx.Context
	// TraceID is the X-Amzn-Trace-Id API Gateway sends to the backend and returns to the client.
	TraceID string
	// BinaryMediaTypes are the API's binaryMediaTypes.
	BinaryMediaTypes []string
	// Runtime holds what the gateway lends to integrations at request time.
	Runtime *Runtime
	// HeaderNames are the request's header names as the client wrote them, when the listener kept them
	// (emulator.WireNames): templates and proxy events show them so, as API Gateway does.
	HeaderNames func() []string
	// HTTPAPI is set for an HTTP API (API Gateway v2), whose proxy events and answers differ from a REST
	// API's (reference §j.2-§j.4).
	HTTPAPI bool
	// Path, when set, is the path an HTTP API's overwrite:path mapping gives the backend: it replaces the
	// path of an HTTP integration's URI (HTTP carries the mapped path in its URL too).
	Path string

	env *mapping.Env
}

// Env is the mapping-template environment of the request ($input, $context, $stageVariables), built on
// first use: the request and response templates of one request share it, as on AWS.
func (r *Request) Env() *mapping.Env {
	if r.env == nil {
		r.env = mapping.NewEnv(r.HTTP, r.PathParameters, r.StageVariables, r.Context)
		r.env.BinaryMediaTypes = r.BinaryMediaTypes
		if r.HeaderNames != nil {
			r.env.Params.HeaderNames = r.HeaderNames()
		}
	}
	return r.env
}

// Response is an integration's answer, for the respond phase to write.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
	// ContentType is set when Header has no Content-Type ("" leaves it out).
	ContentType string
	// RemapReserved renames the headers API Gateway reserves to x-amzn-Remapped-<name>, as it does for
	// the mapped method responses of non-proxy integrations.
	RemapReserved bool
	// Traced adds X-Amzn-Trace-Id: every integration that calls a backend; MOCK does not (reference §a.2).
	Traced bool
}

// FromMethodResponse wraps a mapped method response.
func FromMethodResponse(m *mapping.MethodResponse, traced bool) *Response {
	return &Response{Status: m.Status, Header: m.Header, Body: m.Body, ContentType: m.ContentType, RemapReserved: true, Traced: traced}
}

// Runtime is what the gateway lends integrations while it serves: the running functions. (HTTP kinds
// share their keep-alive transport themselves, process-wide.)
type Runtime struct {
	// Functions resolves a Lambda function name to a running function.
	Functions Functions
}

// Functions gives Lambda functions by name (the config's functions, or in-process handlers).
type Functions interface {
	Invoke(ctx context.Context, name string, payload []byte, traceID string) (*Invocation, error)
	// InvokeAsync queues an invocation of type Event: the caller does not wait for it.
	InvokeAsync(name string, payload []byte, traceID string) error
}

// Invocation is a Lambda function's answer.
type Invocation struct {
	Payload []byte
	// FunctionError is Lambda's X-Amz-Function-Error ("Unhandled", or the error type); "" on success.
	FunctionError string
}

// Build is what compiling an integration may read besides the spec: the integration timeout that
// applies to the route (timeoutInMillis, else AWS's default, capped by integrationTimeoutMax).
type Build struct {
	Timeout time.Duration
}

// Compiler compiles one kind for one method. It returns ErrNotEmulated-wrapped errors for what the
// emulator does not do, and other errors for what AWS would answer 500 to; either way the route answers
// 500 with the error as the reason, and the build reports it.
type Compiler func(in *spec.Integration, b Build) (Integration, error)

// NotEmulated is a compile error for a feature the emulator does not have yet (as opposed to a
// configuration AWS itself would fail on).
type NotEmulated struct{ What string }

func (e *NotEmulated) Error() string { return e.What + " is not emulated yet" }

// Registry maps an integration type (spec.Integration.Type) to its compiler: adding a kind is a new
// type plus one entry here, touching no phase of the gateway.
type Registry map[string]Compiler

// Compile compiles in with the compiler registered for its type.
func (r Registry) Compile(in *spec.Integration, b Build) (Integration, error) {
	c := r[in.Type]
	if c == nil {
		return nil, &NotEmulated{What: fmt.Sprintf("%s integrations", in.Type)}
	}
	return c(in, b)
}
