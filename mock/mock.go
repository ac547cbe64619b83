// Package mock is API Gateway's MOCK integration: no backend is called; the request template decides the
// status code ({"statusCode": 200}), and the integration response selected by that status shapes the
// answer with its parameters and response template (reference §f.4, MOCK row). Templates are Velocity,
// rendered by the mapping package exactly as for the other non-proxy integrations.
package mock

import (
	"context"
	"math"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/apigw-local/apigw-local/internal/gatewayresponse"
	"github.com/apigw-local/apigw-local/internal/integration"
	"github.com/apigw-local/apigw-local/internal/mapping"
	"github.com/apigw-local/apigw-local/internal/spec"
	"github.com/apigw-local/apigw-local/vtl"
)

// Integration is one MOCK integration compiled for serving.
type Integration struct {
	m *mapping.Integration
}

// Compile prepares in for serving: every template and selection pattern is compiled here, once.
func Compile(in *spec.Integration) (*Integration, error) {
	m, err := mapping.Compile(in)
	if err != nil {
		return nil, err
	}
	return &Integration{m: m}, nil
}

// Request is what a MOCK integration reads from the method request.
type Request struct {
	ContentType string // empty means application/json, as API Gateway assumes
	Accept      string
	Body        []byte
	Env         *mapping.Env
}

// statusCodeField reads the status from the rendered request template. API Gateway reads it leniently
// (relaxed JSON such as {statusCode: 200} is accepted, vtl-templates.json#mock-invalid-json-request-template-still-200),
// so a field match is the faithful reading; the word boundary keeps "upstream_statusCode" out.
var statusCodeField = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?:^|[^A-Za-z0-9_$])["']?statusCode["']?\s*:\s*["']?(\d+)`)
})

// statusCode reads the status from the rendered request template: the top-level statusCode of a JSON
// object (a field of a nested object does not count), else, for relaxed JSON, the first statusCode field.
func statusCode(payload []byte) string {
	if v, err := vtl.FromJSON(payload); err == nil {
		m, ok := v.(*vtl.Map)
		if !ok {
			return ""
		}
		s, _ := m.Get("statusCode")
		switch n := s.(type) {
		case nil:
			return ""
		case float64:
			if n == math.Trunc(n) && math.Abs(n) < 1e9 {
				return strconv.FormatInt(int64(n), 10)
			}
		}
		return strings.TrimSpace(vtl.ToString(s))
	}
	if sm := statusCodeField().FindSubmatch(payload); sm != nil {
		return string(sm[1])
	}
	return ""
}

// Kind names the integration kind.
func (m *Integration) Kind() string { return "MOCK" }

// Respond answers one method request through the gateway: the respond phase writes the answer, without
// X-Amzn-Trace-Id (a MOCK calls no backend, reference §a.2).
func (m *Integration) Respond(_ context.Context, req *integration.Request) (*integration.Response, *gatewayresponse.Error) {
	resp, gerr := m.Run(Request{ContentType: req.HTTP.Header.Get("Content-Type"), Accept: req.HTTP.Header.Get("Accept"),
		Body: req.Body, Env: req.Env()})
	if gerr != nil {
		return nil, gerr
	}
	return integration.FromMethodResponse(resp, false), nil
}

// Run runs the integration for one request.
func (m *Integration) Run(req Request) (*mapping.MethodResponse, *gatewayresponse.Error) {
	if req.Env == nil {
		// Callers outside the gateway may leave Env out: templates then see an empty request.
		req.Env = &mapping.Env{Context: mapping.NewContext(mapping.RequestContext{})}
	}
	payload, gerr := m.m.RequestPayload(req.ContentType, req.Body, req.Env)
	if gerr != nil {
		return nil, gerr
	}
	status := statusCode(payload)
	chosen := m.m.Select(status, false)
	if chosen == nil {
		return nil, gatewayresponse.New(gatewayresponse.APIConfigurationError, "no integration response matches status %q and there is no default response", status)
	}
	// A MOCK has no integration response body: without a response template the body is empty.
	return m.m.Respond(chosen, nil, nil, req.Accept, req.Env)
}

// Notices lists what the templates use that API Gateway accepts but does not run.
func (m *Integration) Notices() []string { return m.m.Notices() }
