package mapping

import (
	"context"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/apigw-local/apigw-local/internal/gatewayresponse"
	"github.com/apigw-local/apigw-local/internal/reqctx"
	"github.com/apigw-local/apigw-local/internal/spec"
	"github.com/apigw-local/apigw-local/vtl"
)

// Template is a mapping template compiled for one content type.
type Template struct {
	ContentType string
	tmpl        *vtl.Template
	// usesContext and usesStageVariables are decided at compile time from the template's text (any
	// mention, conservatively): a render builds $context and $stageVariables only for templates that may
	// read them.
	usesContext, usesStageVariables bool
}

// Response is an integration response: where a backend outcome goes, and how it is shaped.
type Response struct {
	Name      string         // the selection pattern as written, "default" for the default response
	pattern   *vtl.JavaRegex // nil for the default response
	Status    int
	params    []responseParam
	templates []Template
	// contentHandling converts the integration response body (reference §l.2): "", CONVERT_TO_TEXT or
	// CONVERT_TO_BINARY.
	contentHandling string
}

type responseParam struct {
	header string // method.response.header.<header>
	source string
	path   *path // integration.response.body.<JSONPath>
}

// Integration is the mapping part of a MOCK, HTTP or AWS integration, compiled once.
type Integration struct {
	requestTemplates []Template
	passthrough      string
	// contentHandling converts the method request body (reference §l.1).
	contentHandling string
	responses       []*Response
	defaultResponse *Response
}

// Compile compiles every template and selection pattern of in. Errors name the template (by content type
// and integration response) and the line:column inside it.
func Compile(in *spec.Integration) (*Integration, error) {
	m := &Integration{passthrough: in.PassthroughBehavior, contentHandling: in.ContentHandling}
	if m.passthrough == "" {
		m.passthrough = "WHEN_NO_MATCH"
	}
	var errs []error
	for _, t := range in.RequestTemplates {
		ct, err := compileTemplate("request template "+t.Key, t.Key, t.Value)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		m.requestTemplates = append(m.requestTemplates, ct)
	}
	for _, r := range in.Responses {
		resp, err := compileResponse(r)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if resp.pattern == nil {
			m.defaultResponse = resp
		} else {
			m.responses = append(m.responses, resp)
		}
	}
	if len(errs) > 0 {
		msgs := make([]string, len(errs))
		for i, e := range errs {
			msgs[i] = e.Error()
		}
		return nil, errors.New(strings.Join(msgs, "; "))
	}
	return m, nil
}

func compileTemplate(name, contentType, src string) (Template, error) {
	t, err := vtl.Parse(name, src, vtl.Options{Mode: vtl.APIGateway})
	if err != nil {
		return Template{}, err
	}
	return Template{ContentType: contentType, tmpl: t,
		usesContext: strings.Contains(src, "context"), usesStageVariables: strings.Contains(src, "stageVariables")}, nil
}

func compileResponse(r *spec.IntegrationResponse) (*Response, error) {
	name := r.SelectionPattern
	if name == "" {
		name = "default"
	}
	status, err := strconv.Atoi(r.StatusCode)
	if err != nil || status < 100 || status > 599 {
		return nil, fmt.Errorf("integration response %s: statusCode %q is not an HTTP status", name, r.StatusCode)
	}
	resp := &Response{Name: name, Status: status, contentHandling: r.ContentHandling}
	if r.SelectionPattern != "" {
		// Selection patterns are Java regular expressions matched against the whole string.
		re, err := vtl.CompileJavaRegex(r.SelectionPattern)
		if err != nil {
			return nil, fmt.Errorf("integration response %s: selection pattern: %v", name, err)
		}
		resp.pattern = re
	}
	for _, p := range r.ResponseParameters {
		rp := responseParam{header: strings.TrimPrefix(p.Key, "method.response.header."), source: p.Value}
		if jp, ok := strings.CutPrefix(p.Value, "integration.response.body."); ok {
			cp, err := compilePath("$." + jp)
			if err != nil {
				return nil, fmt.Errorf("integration response %s: response parameter %s: %v", name, p.Key, err)
			}
			rp.path = cp
		}
		resp.params = append(resp.params, rp)
	}
	for _, t := range r.ResponseTemplates {
		ct, err := compileTemplate("response template "+t.Key+" of integration response "+name, t.Key, t.Value)
		if err != nil {
			return nil, err
		}
		resp.templates = append(resp.templates, ct)
	}
	return resp, nil
}

// Env is what templates of one request see besides the payload.
type Env struct {
	Params Params
	// Context is $context (from NewContext), shared by the request and response templates; NewEnv leaves
	// it nil until a template uses it (ContextMap builds it from the request context).
	Context        *vtl.Map
	StageVariables map[string]string
	// Ctx is the request's context (NewEnv takes it from the request): a client gone or an
	// integration timeout stops the templates' render. Nil: never cancelled.
	Ctx context.Context
	// BinaryMediaTypes are the API's binaryMediaTypes: with contentHandling, they decide how bodies are
	// converted (reference §l).
	BinaryMediaTypes []string
	rc               *reqctx.Context
}

// ContextMap returns $context, building it on first use.
func (e *Env) ContextMap() *vtl.Map {
	if e.Context == nil {
		var c reqctx.Context
		if e.rc != nil {
			c = *e.rc
		}
		e.Context = NewContext(c)
	}
	return e.Context
}

// Overrides are what templates set under $context.requestOverride and responseOverride; none when no
// template used $context.
func (e *Env) Overrides() Overrides {
	if e == nil || e.Context == nil {
		return Overrides{}
	}
	return ReadOverrides(e.Context)
}

func (e *Env) ctx() context.Context {
	if e == nil || e.Ctx == nil {
		return context.Background()
	}
	return e.Ctx
}

func (e *Env) vars(t Template, payload []byte) (*vtl.Vars, *Input) {
	in := NewInput(payload, e.Params)
	v := vtl.NewVars()
	v.Set("input", in)
	v.Set("util", Util{})
	if t.usesContext {
		v.Set("context", e.ContextMap())
	}
	if t.usesStageVariables {
		sv := vtl.NewMap()
		for _, k := range sortedKeys(e.StageVariables) {
			sv.Put(k, e.StageVariables[k])
		}
		v.Set("stageVariables", sv)
	}
	return v, in
}

// RequestPayload applies the request template chosen by the method request's Content-Type (missing means
// application/json) with the passthrough behaviour of reference §f.3, and returns the integration
// request body.
func (m *Integration) RequestPayload(contentType string, body []byte, env *Env) ([]byte, *gatewayresponse.Error) {
	ct := mediaType(contentType)
	binary := IsBinaryType(contentType, env.BinaryMediaTypes)
	switch m.contentHandling {
	case convertToBinary:
		for _, t := range m.requestTemplates {
			if strings.EqualFold(t.ContentType, ct) { // the template would see undecoded bytes (recorded: 500)
				return nil, conversionFailed("CONVERT_TO_BINARY with the request template for " + ct)
			}
		}
		if !binary {
			decoded, ok := decode(body)
			if !ok {
				return nil, conversionFailed("CONVERT_TO_BINARY of a request body that is not base64")
			}
			body = decoded
		}
	case convertToText:
		if binary {
			body = encode(body)
		} else {
			body = toText(body)
		}
	default:
		if !binary {
			body = toText(body)
		}
	}
	if len(m.requestTemplates) == 0 {
		if m.passthrough == "NEVER" {
			return nil, gatewayresponse.New(gatewayresponse.UnsupportedMediaType, "passthroughBehavior NEVER and no request templates")
		}
		return body, nil
	}
	for _, t := range m.requestTemplates {
		if strings.EqualFold(t.ContentType, ct) {
			out, gerr := render(t, body, env)
			return []byte(out), gerr
		}
	}
	if m.passthrough == "WHEN_NO_MATCH" {
		return body, nil
	}
	return nil, gatewayresponse.New(gatewayresponse.UnsupportedMediaType, "no request template for %s and passthroughBehavior %s", ct, m.passthrough)
}

func mediaType(contentType string) string {
	if contentType == "" {
		return "application/json"
	}
	if mt, _, err := mime.ParseMediaType(contentType); err == nil {
		return mt
	}
	return strings.ToLower(strings.TrimSpace(strings.SplitN(contentType, ";", 2)[0]))
}

// render runs one template over a payload, turning failures into the gateway responses AWS gives.
func render(t Template, payload []byte, env *Env) (string, *gatewayresponse.Error) {
	vars, in := env.vars(t, payload)
	out, err := t.tmpl.ExecuteContext(env.ctx(), vars)
	if err == nil {
		return out, nil
	}
	// The engine reports errors with their place in the template; whether the payload was at fault is
	// known to $input itself.
	if in.docErr != nil {
		return "", &gatewayresponse.Error{Type: gatewayresponse.BadRequestBody, Message: "Could not process payload: " + strings.TrimPrefix(in.docErr.Error(), ErrPayload.Error()+": "),
			Reason: "the payload looks like JSON but is not: " + err.Error()}
	}
	return "", &gatewayresponse.Error{Type: gatewayresponse.APIConfigurationError, Reason: "mapping template failed: " + err.Error()}
}

// Select picks the integration response: the first whose selection pattern matches key (the backend
// status, or a Lambda error message), else the default one. nil means there is none, and API Gateway
// answers 500.
func (m *Integration) Select(key string, isError bool) *Response {
	if isError || key != "" {
		for _, r := range m.responses {
			if ok, err := r.pattern.Matches(key); err == nil && ok { // a match stopped by its time budget selects nothing
				return r
			}
		}
	}
	return m.defaultResponse
}

// HasResponses reports whether any integration response is defined.
func (m *Integration) HasResponses() bool { return m.defaultResponse != nil || len(m.responses) > 0 }

// MethodResponse is what goes back to the client.
type MethodResponse struct {
	Status      int
	Header      http.Header
	ContentType string
	Body        []byte
}

// Respond shapes the method response from integration response r: status, mapped headers, the response
// template chosen by Accept (no template passes the integration body through), then the overrides the
// templates set.
func (m *Integration) Respond(r *Response, integBody []byte, integHeader http.Header, accept string, env *Env) (*MethodResponse, *gatewayresponse.Error) {
	out := &MethodResponse{Status: r.Status, Header: http.Header{}, ContentType: "application/json", Body: integBody}
	for _, p := range r.params {
		if v, ok := p.value(integBody, integHeader, env); ok {
			out.Header.Set(p.header, v)
		}
	}
	body, gerr := convertResponse(r, integBody, integHeader.Get("Content-Type"), accept, env.BinaryMediaTypes)
	if gerr != nil {
		return nil, gerr
	}
	out.Body = body
	if len(r.templates) > 0 {
		if r.contentHandling == convertToBinary { // recorded: a template with CONVERT_TO_BINARY answers 500
			return nil, conversionFailed("CONVERT_TO_BINARY with a response template")
		}
		t := pickTemplate(r.templates, accept)
		body, gerr := render(t, body, env)
		if gerr != nil {
			return nil, gerr
		}
		out.Body = []byte(body)
		out.ContentType = t.ContentType
	}
	o := env.Overrides()
	if o.ResponseStatus != 0 {
		out.Status = o.ResponseStatus
	}
	for k, v := range o.ResponseHeader {
		out.Header.Set(k, v)
	}
	// A mapped Transfer-Encoding is dropped (integrations.json#http-header-remapping-full): the gateway
	// frames the response itself, and a second transfer coding would make it unreadable.
	out.Header.Del("Transfer-Encoding")
	return out, nil
}

// convertResponse is the table of reference §l.2: the integration response body as the client (or the
// response template) gets it.
func convertResponse(r *Response, body []byte, contentType, accept string, binaryMediaTypes []string) ([]byte, *gatewayresponse.Error) {
	binary := IsBinaryType(contentType, binaryMediaTypes)
	switch r.contentHandling {
	case convertToText:
		if binary {
			return encode(body), nil
		}
		return toText(body), nil
	case convertToBinary:
		if binary {
			return body, nil
		}
	default:
		wantsBinary := AcceptsBinary(accept, binaryMediaTypes)
		switch {
		case binary && wantsBinary:
			return body, nil
		case binary:
			return encode(body), nil
		case !wantsBinary:
			return toText(body), nil
		}
	}
	decoded, ok := decode(body)
	if !ok {
		return nil, conversionFailed("a text integration response that is not base64 cannot be converted to binary")
	}
	return decoded, nil
}

// pickTemplate chooses by the Accept header, else application/json, else the first template (reference
// §f.3; the fallback order is LocalStack's reading, unverified on AWS).
func pickTemplate(ts []Template, accept string) Template {
	for _, part := range strings.Split(accept, ",") {
		mt, _, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		for _, t := range ts {
			if strings.EqualFold(t.ContentType, mt) {
				return t
			}
		}
	}
	for _, t := range ts {
		if strings.EqualFold(t.ContentType, "application/json") {
			return t
		}
	}
	return ts[0]
}

// value resolves a method.response.header mapping source (reference §f.4).
func (p responseParam) value(body []byte, header http.Header, env *Env) (string, bool) {
	src := p.source
	switch {
	case len(src) >= 2 && strings.HasPrefix(src, "'") && strings.HasSuffix(src, "'"):
		return src[1 : len(src)-1], true
	case strings.HasPrefix(src, "integration.response.header."):
		v := header.Get(strings.TrimPrefix(src, "integration.response.header."))
		return v, v != ""
	case strings.HasPrefix(src, "integration.response.multivalueheader."):
		vs := header.Values(strings.TrimPrefix(src, "integration.response.multivalueheader."))
		return strings.Join(vs, ","), len(vs) > 0
	case src == "integration.response.body":
		return string(body), len(body) > 0
	case p.path != nil:
		in := NewInput(body, Params{})
		v, err := in.Path(p.path.String())
		if err != nil || v == nil {
			return "", false
		}
		if s, ok := v.(string); ok {
			return s, true
		}
		return vtl.ToJSON(v), true
	case strings.HasPrefix(src, "stageVariables."):
		v, ok := env.StageVariables[strings.TrimPrefix(src, "stageVariables.")]
		return v, ok
	case strings.HasPrefix(src, "context."):
		v := lookupPath(env.ContextMap(), strings.Split(strings.TrimPrefix(src, "context."), "."))
		if v == nil {
			return "", false
		}
		return vtl.ToString(v), true
	}
	return "", false
}

func lookupPath(m *vtl.Map, keys []string) any {
	var cur any = m
	for _, k := range keys {
		mm, ok := cur.(*vtl.Map)
		if !ok {
			return nil
		}
		cur, _ = mm.Get(k)
	}
	return cur
}

// Render runs one compiled template over a payload with env's variables; for tools such as
// `apigw-local render`.
func Render(t *vtl.Template, payload []byte, env *Env) (string, error) {
	vars, _ := env.vars(Template{tmpl: t, usesContext: true, usesStageVariables: true}, payload)
	return t.ExecuteContext(env.ctx(), vars)
}

// Notices lists what the templates contain that API Gateway accepts but does not run (#macro,
// #evaluate), each as "template name:line:col: text", for validate to report.
func (m *Integration) Notices() []string {
	var out []string
	add := func(ts []Template) {
		for _, t := range ts {
			for _, n := range t.tmpl.Notices() {
				out = append(out, n.Error())
			}
		}
	}
	add(m.requestTemplates)
	for _, r := range m.responses {
		add(r.templates)
	}
	if m.defaultResponse != nil {
		add(m.defaultResponse.templates)
	}
	return out
}
