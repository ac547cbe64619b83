// Package mock is API Gateway's MOCK integration: no backend is called; the request template decides the
// status code ({"statusCode": 200}), the integration response selected by that status shapes the answer.
//
// This version renders templates that hold plain text only. A template using Velocity ($ references or
// # directives) is refused when the snapshot is built — the VTL engine comes with the mapping-template
// work — so that such a method answers 500 with a clear reason instead of a wrong body.
package mock

import (
	"errors"
	"fmt"
	"mime"
	"regexp"
	"strconv"
	"strings"

	"github.com/apigw-local/apigw-local/emulator/gatewayresponse"
	"github.com/apigw-local/apigw-local/emulator/spec"
)

// Integration is one MOCK integration compiled for serving.
type Integration struct {
	requestTemplates []spec.KV
	passthrough      string
	responses        []response
	defaultResponse  *response
}

type response struct {
	pattern   *regexp.Regexp // nil for the default response
	status    int
	headers   []spec.KV // name -> source
	templates []spec.KV
}

// ErrVTL is returned for templates that need the Velocity engine.
var ErrVTL = errors.New("VTL mapping templates are not emulated yet")

// usesVTL reports whether a template needs Velocity rather than being served as written.
func usesVTL(t string) bool { return strings.ContainsAny(t, "$#") }

// Compile prepares in for serving.
func Compile(in *spec.Integration) (*Integration, error) {
	m := &Integration{requestTemplates: in.RequestTemplates, passthrough: in.PassthroughBehavior}
	if m.passthrough == "" {
		m.passthrough = "WHEN_NO_MATCH"
	}
	for _, t := range in.RequestTemplates {
		if usesVTL(t.Value) {
			return nil, fmt.Errorf("request template for %s: %w", t.Key, ErrVTL)
		}
	}
	for _, r := range in.Responses {
		for _, t := range r.ResponseTemplates {
			if usesVTL(t.Value) {
				return nil, fmt.Errorf("response template for %s of integration response %s: %w", t.Key, responseName(r), ErrVTL)
			}
		}
		// The whole string must be a status code: Sscanf("%d") read "2xx" as 2, and net/http panics on a
		// WriteHeader code outside 100-999.
		status, err := strconv.Atoi(r.StatusCode)
		if err != nil || status < 100 || status > 599 {
			return nil, fmt.Errorf("integration response %s: statusCode %q is not an HTTP status code (100-599)", responseName(r), r.StatusCode)
		}
		rs := response{status: status, templates: r.ResponseTemplates}
		for _, p := range r.ResponseParameters {
			rs.headers = append(rs.headers, spec.KV{Key: strings.TrimPrefix(p.Key, "method.response.header."), Value: p.Value})
		}
		if r.SelectionPattern == "" {
			d := rs
			m.defaultResponse = &d
			continue
		}
		// Selection patterns are Java regular expressions matched against the whole status string.
		re, err := regexp.Compile("^(?:" + r.SelectionPattern + ")$")
		if err != nil {
			return nil, fmt.Errorf("selection pattern %q is not a regular expression Go can run: %v", r.SelectionPattern, err)
		}
		rs.pattern = re
		m.responses = append(m.responses, rs)
	}
	return m, nil
}

// responseName names an integration response in messages: its selection pattern, or default.
func responseName(r *spec.IntegrationResponse) string {
	if r.SelectionPattern == "" {
		return "default"
	}
	return strconv.Quote(r.SelectionPattern)
}

// Request is what a MOCK integration reads from the method request.
type Request struct {
	ContentType    string // empty means application/json, as API Gateway assumes
	Accept         string
	Body           []byte
	StageVariables map[string]string
	Context        func(key string) string
}

// Response is what the MOCK integration answers.
type Response struct {
	Status      int
	Header      []spec.KV
	ContentType string
	Body        []byte
}

// statusCodeField finds the statusCode field. The digits are taken whole, so that 2000 is not read as
// 200, and the name must be a whole word, so that upstream_statusCode is not read as statusCode.
var statusCodeField = regexp.MustCompile(`["']?\bstatusCode["']?\s*:\s*["']?(\d+)`)

// Respond runs the integration for one request.
func (m *Integration) Respond(req Request) (Response, *gatewayresponse.Error) {
	input, gerr := m.requestPayload(req)
	if gerr != nil {
		return Response{}, gerr
	}
	// The status comes from the rendered request template; API Gateway reads it leniently (relaxed JSON
	// such as {statusCode: 200} is accepted), so a field match is the faithful reading.
	status := ""
	if sm := statusCodeField.FindSubmatch(input); sm != nil {
		status = string(sm[1])
	}
	chosen := m.defaultResponse
	for i := range m.responses {
		if status != "" && m.responses[i].pattern.MatchString(status) {
			chosen = &m.responses[i]
			break
		}
	}
	if chosen == nil {
		return Response{}, gatewayresponse.New(gatewayresponse.APIConfigurationError, "no integration response matches status %q and there is no default response", status)
	}
	out := Response{Status: chosen.status, ContentType: "application/json"}
	if len(chosen.templates) > 0 {
		ct, body := pickResponseTemplate(chosen.templates, req.Accept)
		out.ContentType, out.Body = ct, []byte(body)
	}
	for _, h := range chosen.headers {
		if v, ok := headerValue(h.Value, req); ok {
			out.Header = append(out.Header, spec.KV{Key: h.Key, Value: v})
		}
	}
	return out, nil
}

// requestPayload applies template selection and passthrough behaviour (reference §f.3).
func (m *Integration) requestPayload(req Request) ([]byte, *gatewayresponse.Error) {
	ct := "application/json"
	if req.ContentType != "" {
		if mt, _, err := mime.ParseMediaType(req.ContentType); err == nil {
			ct = mt
		}
	}
	if len(m.requestTemplates) == 0 {
		if m.passthrough == "NEVER" {
			return nil, gatewayresponse.New(gatewayresponse.UnsupportedMediaType, "passthroughBehavior NEVER and no request templates")
		}
		return req.Body, nil
	}
	for _, t := range m.requestTemplates {
		if strings.EqualFold(t.Key, ct) {
			return []byte(t.Value), nil
		}
	}
	if m.passthrough == "WHEN_NO_MATCH" {
		return req.Body, nil
	}
	return nil, gatewayresponse.New(gatewayresponse.UnsupportedMediaType, "no request template for %s and passthroughBehavior %s", ct, m.passthrough)
}

// pickResponseTemplate chooses by the Accept header, else application/json, else the first template.
func pickResponseTemplate(ts []spec.KV, accept string) (string, string) {
	for _, part := range strings.Split(accept, ",") {
		mt, _, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		if v, ok := spec.Lookup(ts, mt); ok {
			return mt, v
		}
	}
	if v, ok := spec.Lookup(ts, "application/json"); ok {
		return "application/json", v
	}
	return ts[0].Key, ts[0].Value
}

// headerValue resolves a method.response.header mapping source. A MOCK integration has no integration
// response headers or body, so those sources yield nothing and the header is omitted.
func headerValue(src string, req Request) (string, bool) {
	switch {
	case len(src) >= 2 && strings.HasPrefix(src, "'") && strings.HasSuffix(src, "'"):
		return src[1 : len(src)-1], true
	case strings.HasPrefix(src, "stageVariables."):
		v, ok := req.StageVariables[strings.TrimPrefix(src, "stageVariables.")]
		return v, ok
	case strings.HasPrefix(src, "context.") && req.Context != nil:
		v := req.Context(strings.TrimPrefix(src, "context."))
		return v, v != ""
	}
	return "", false
}
