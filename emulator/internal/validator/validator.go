// Package validator is API Gateway's request validation for REST APIs (x-amazon-apigateway-request-validators):
// required method request parameters, and the body against the method's model for its content type. A
// validator is compiled once per snapshot; Check is safe for concurrent use.
package validator

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/mail"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/ohler55/ojg/oj"

	"github.com/apigw-local/apigw-local/internal/gatewayresponse"
	"github.com/apigw-local/apigw-local/internal/spec"
	"github.com/dlclark/regexp2/v2"
	"github.com/getkin/kin-openapi/openapi3"
)

// Validator is one method's request validator, compiled.
type Validator struct {
	name string
	// params are the required method request parameters in the order AWS names them when they are missing:
	// headers, then path, then query string (request-validation.json#validator-missing-all-required-request-params-post),
	// each in declaration order (assumed: the recordings have one of each).
	params []spec.Parameter
	// resourceParams are the {names} of the resource path: a required path parameter that is not one of
	// them is always missing (request-validation.json notes).
	resourceParams map[string]bool
	// models are the body schemas by media type (lower case); nil when the body is not validated.
	models map[string]model
	// broken says why a model cannot be used: the method answers 500 rather than serve unvalidated bodies.
	broken string
}

type model struct {
	name   string // the model's name, or the content type for an inline schema
	schema *openapi3.Schema
}

// Compile compiles the validator v of method m on the resource at resourcePath. It returns nil when v
// validates nothing. Problems are findings for the build: a model that cannot be compiled (the method then
// answers 500, see Broken).
func Compile(v *spec.RequestValidator, m *spec.Method, resourcePath string) (val *Validator, problems []string) {
	if v == nil || !v.ValidateRequestBody && !v.ValidateRequestParameters {
		return nil, nil
	}
	val = &Validator{name: v.Name, resourceParams: map[string]bool{}}
	for _, seg := range strings.Split(resourcePath, "/") {
		if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
			val.resourceParams[strings.TrimSuffix(strings.Trim(seg, "{}"), "+")] = true
		}
	}
	if v.ValidateRequestParameters {
		for _, in := range []string{"header", "path", "querystring"} {
			for _, p := range m.Parameters {
				if p.Required && p.In == in {
					val.params = append(val.params, p)
				}
			}
		}
	}
	if v.ValidateRequestBody && len(m.RequestModels) > 0 {
		val.models = map[string]model{}
		for _, rm := range m.RequestModels {
			name := rm.Model
			if name == "" {
				name = rm.ContentType
			}
			if rm.Schema == nil {
				problems = append(problems, fmt.Sprintf("the model %s for %s cannot be resolved", name, rm.ContentType))
				continue
			}
			if err := compilePatterns(rm.Schema, map[*openapi3.Schema]bool{}); err != nil {
				problems = append(problems, fmt.Sprintf("the model %s for %s cannot be compiled: %v", name, rm.ContentType, err))
				continue
			}
			val.models[strings.ToLower(rm.ContentType)] = model{name: name, schema: draft4(rm.Schema, map[*openapi3.Schema]*openapi3.Schema{})}
		}
		if len(problems) > 0 {
			val.broken = fmt.Sprintf("request validator %q: %s", v.Name, strings.Join(problems, "; "))
		}
	}
	return val, problems
}

// Name is the validator's name, for the trace.
func (v *Validator) Name() string { return v.name }

// Broken says why the method cannot be validated ("" when it can): it answers 500 rather than pass bodies
// its model was meant to refuse (fail closed).
func (v *Validator) Broken() string { return v.broken }

// ValidatesBody tells whether a request with this Content-Type has a body to check, so that the caller reads
// the body only then (a streamed HTTP_PROXY body is otherwise left unread).
func (v *Validator) ValidatesBody(contentType string) bool {
	_, ok := v.modelFor(contentType)
	return ok
}

// modelFor picks the model for the request's Content-Type; a request without one is taken as
// application/json (reference §g, request-validation.json#validator-get-no-body). A content type without a
// model falls back to the model keyed $default, else it is not validated (AWS's docs, "Request validation for
// REST APIs": "If no matching content type is found, request validation is not performed. To use the same
// model regardless of the content type, set the content type for your data model to $default").
func (v *Validator) modelFor(contentType string) (model, bool) {
	if v.models == nil {
		return model{}, false
	}
	mt := "application/json"
	if contentType != "" {
		if parsed, _, err := mime.ParseMediaType(contentType); err == nil {
			mt = parsed
		} else {
			mt, _, _ = strings.Cut(strings.ToLower(strings.TrimSpace(contentType)), ";")
		}
	}
	if m, ok := v.models[mt]; ok {
		return m, true
	}
	m, ok := v.models["$default"]
	return m, ok
}

// Parameters checks the required parameters: each must be present and not blank (`?q1=` is missing,
// request-validation.json#validator-docs-blank-param). It returns the BAD_REQUEST_PARAMETERS response, or nil.
func (v *Validator) Parameters(h http.Header, query url.Values, path map[string]string) *gatewayresponse.Error {
	var missing []string
	for _, p := range v.params {
		var value string
		switch p.In {
		case "header":
			value = h.Get(p.Name)
		case "path":
			if v.resourceParams[p.Name] {
				value = path[p.Name]
			}
		case "querystring":
			if vs := query[p.Name]; len(vs) > 0 {
				value = vs[len(vs)-1] // API Gateway's method.request.querystring is the last value
			}
		}
		if value == "" {
			missing = append(missing, p.Name)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	msg := "Missing required request parameters: [" + strings.Join(missing, ", ") + "]"
	// validationErrorString for parameters: assumed to be the message itself (AWS documents the variable as
	// "a detailed validation error message"; no recording of it for parameters was found).
	return &gatewayresponse.Error{Type: gatewayresponse.BadRequestParameters, Message: msg, ValidationError: msg,
		Reason: fmt.Sprintf("request validator %q: missing %s", v.name, strings.Join(missing, ", "))}
}

// Body checks body against the model for contentType. It returns the BAD_REQUEST_BODY response, or nil.
func (v *Validator) Body(contentType string, body []byte) *gatewayresponse.Error {
	m, ok := v.modelFor(contentType)
	if !ok {
		return nil
	}
	// The parser and the maps it reuses are this request's until the document has been visited.
	p := parsers.Get().(*oj.Parser)
	defer parsers.Put(p)
	doc, err := parse(p, body)
	var detail string
	if err != nil {
		// An empty body (a GET) is not JSON: it fails (request-validation.json#validator-get-no-body).
		detail = "[" + describeJSONError(body, err) + "]"
	} else if err := m.schema.VisitJSON(doc, fastOptions()...); err != nil {
		// Valid bodies, the common case, take the fast path; a refused one is visited again for every reason.
		err = m.schema.VisitJSON(doc, visitOptions()...)
		detail = "[" + strings.Join(describe(err), ", ") + "]"
	} else {
		return nil
	}
	return &gatewayresponse.Error{Type: gatewayresponse.BadRequestBody, ValidationError: detail,
		Reason: fmt.Sprintf("request validator %q: body does not match model %s: %s", v.name, m.name, detail)}
}

// parsers are reused, with the maps of their last document (Reuse): parsing is most of a valid body's
// cost, and ojg's parser is about twice as fast as encoding/json's when its buffers are kept
// (BenchmarkValidateBody). A document lives only until its body is validated.
var parsers = sync.Pool{New: func() any { return &oj.Parser{Reuse: true} }}

// parse reads a body as one JSON document; an empty body is not one.
func parse(p *oj.Parser, body []byte) (any, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, errors.New("empty body")
	}
	return p.Parse(body)
}

// visitOptions: every error (validationErrorString lists them all), ECMA 262 patterns as JSON Schema draft 4
// defines them (API Gateway's validator is Java's; Go's RE2 has no lookaround), and draft 4's formats.
// They are made on first use: package initialisation stays cheap for start-up.
var visitOptions, fastOptions = sync.OnceValue(func() []openapi3.SchemaValidationOption {
	return append([]openapi3.SchemaValidationOption{openapi3.MultiErrors()}, commonOptions()...)
}), sync.OnceValue(func() []openapi3.SchemaValidationOption {
	return append([]openapi3.SchemaValidationOption{openapi3.FailFast()}, commonOptions()...)
})

func commonOptions() []openapi3.SchemaValidationOption {
	return []openapi3.SchemaValidationOption{openapi3.SetSchemaRegexCompiler(compileECMA), openapi3.WithStringFormatValidators(draft4Formats()),
		openapi3.WithIntegerFormatValidators(anyFormat[int64]("int32", "int64")), openapi3.WithNumberFormatValidators(anyFormat[float64]("float", "double"))}
}

// draft4Formats are the formats JSON Schema draft 4 defines, checked as API Gateway's validator does
// (approximately: java-json-tools checks email with javax.mail, hostname with Guava, uri with java.net.URI).
// Formats draft 4 does not define, which kin-openapi would check for OpenAPI (byte, date), are accepted as
// draft 4 validators do with unknown formats.
func draft4Formats() map[string]openapi3.StringFormatValidator {
	check := func(ok func(string) bool) openapi3.StringFormatValidator {
		return openapi3.NewCallbackValidator(func(s string) error {
			if !ok(s) {
				return errors.New("not valid")
			}
			return nil
		})
	}
	formats := map[string]openapi3.StringFormatValidator{
		"date-time": openapi3.NewRegexpFormatValidator(openapi3.FormatOfStringDateTime),
		"email": check(func(s string) bool {
			a, err := mail.ParseAddress(s)
			return err == nil && a.Address == s
		}),
		"hostname": check(validHostname),
		"ipv4":     openapi3.NewIPValidator(true),
		"ipv6":     openapi3.NewIPValidator(false),
		"uri": check(func(s string) bool {
			u, err := url.Parse(s)
			return err == nil && u.Scheme != ""
		}),
		"regex": check(func(s string) bool {
			_, err := compileECMA(s)
			return err == nil
		}),
	}
	for name, v := range anyFormat[string]("byte", "binary", "date", "password", "uuid") {
		formats[name] = v
	}
	return formats
}

// anyFormat accepts every value for formats draft 4 does not define.
func anyFormat[T any](names ...string) map[string]openapi3.FormatValidator[T] {
	out := map[string]openapi3.FormatValidator[T]{}
	for _, n := range names {
		out[n] = openapi3.NewCallbackValidator(func(T) error { return nil })
	}
	return out
}

// validHostname follows RFC 1123: dot-separated labels of letters, digits and hyphens, 1 to 63 characters,
// not starting or ending with a hyphen, 253 characters at most.
func validHostname(s string) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	for _, label := range strings.Split(strings.TrimSuffix(s, "."), ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
				return false
			}
		}
	}
	return true
}

// matchTimeout bounds one pattern match, so that a catastrophically backtracking pattern fails the request
// (400) instead of pinning a CPU.
const matchTimeout = 100 * time.Millisecond

type ecmaPattern struct{ re *regexp2.Regexp }

// MatchString fails a value whose match was stopped (timeout, backtracking limit): the body is refused.
func (p ecmaPattern) MatchString(s string) bool {
	ok, err := p.re.MatchString(s)
	return ok && err == nil
}

func compileECMA(expr string) (openapi3.RegexMatcher, error) {
	re, err := regexp2.Compile(expr, regexp2.ECMAScript)
	if err != nil {
		return nil, err
	}
	re.MatchTimeout = matchTimeout
	return ecmaPattern{re}, nil
}

// compilePatterns compiles every pattern the schema graph holds (circular references are visited once),
// so that a pattern that cannot compile is found at build, not on the first request.
func compilePatterns(s *openapi3.Schema, seen map[*openapi3.Schema]bool) error {
	if s == nil || seen[s] {
		return nil
	}
	seen[s] = true
	if s.Pattern != "" {
		if _, err := compileECMA(s.Pattern); err != nil {
			return fmt.Errorf("pattern %q: %v", s.Pattern, err)
		}
	}
	refs := []*openapi3.SchemaRef{s.Items, s.Not}
	refs = append(refs, s.OneOf...)
	refs = append(refs, s.AnyOf...)
	refs = append(refs, s.AllOf...)
	if s.AdditionalProperties.Schema != nil {
		refs = append(refs, s.AdditionalProperties.Schema)
	}
	names := make([]string, 0, len(s.Properties))
	for k := range s.Properties {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		refs = append(refs, s.Properties[k])
	}
	for _, r := range refs {
		if r == nil {
			continue
		}
		if r.Value == nil {
			return fmt.Errorf("$ref %q is not resolved", r.Ref)
		}
		if err := compilePatterns(r.Value, seen); err != nil {
			return err
		}
	}
	return nil
}

// draft4 copies a schema graph (circular references stay circular) with JSON Schema draft 4's meaning of
// null where OpenAPI 3.0's differs: a schema without a type accepts null in draft 4 (API Gateway's models),
// while kin-openapi, following OpenAPI, accepts null only where nullable is set. The copy leaves the
// spec's schemas, which other snapshots may be reading, untouched.
func draft4(s *openapi3.Schema, done map[*openapi3.Schema]*openapi3.Schema) *openapi3.Schema {
	if s == nil {
		return nil
	}
	if c, ok := done[s]; ok {
		return c
	}
	c := new(openapi3.Schema)
	*c = *s
	done[s] = c
	if c.Type == nil {
		c.Nullable = true
	}
	ref := func(r *openapi3.SchemaRef) *openapi3.SchemaRef {
		if r == nil {
			return nil
		}
		return &openapi3.SchemaRef{Ref: r.Ref, Value: draft4(r.Value, done)}
	}
	refs := func(rs openapi3.SchemaRefs) openapi3.SchemaRefs {
		if rs == nil {
			return nil
		}
		out := make(openapi3.SchemaRefs, len(rs))
		for i, r := range rs {
			out[i] = ref(r)
		}
		return out
	}
	c.Items, c.Not = ref(s.Items), ref(s.Not)
	c.OneOf, c.AnyOf, c.AllOf = refs(s.OneOf), refs(s.AnyOf), refs(s.AllOf)
	c.AdditionalProperties.Schema = ref(s.AdditionalProperties.Schema)
	if s.Properties != nil {
		c.Properties = make(openapi3.Schemas, len(s.Properties))
		for k, r := range s.Properties {
			c.Properties[k] = ref(r)
		}
	}
	return c
}

func describeJSONError(body []byte, err error) string {
	if len(strings.TrimSpace(string(body))) == 0 {
		return "the body is empty, not JSON" // assumed wording: AWS's is not recorded
	}
	return "the body is not JSON: " + err.Error()
}

// describe turns kin-openapi's errors into the messages of API Gateway's validator (java-json-tools'
// json-schema-validator, whose wording AWS shows in validationErrorString, e.g. `[object has missing required
// properties (["body","subject","to"])]`, github.com/RafPe/serverless-reqvalidator-plugin/issues/1) for the
// common keywords; other keywords keep kin-openapi's reason.
func describe(err error) []string {
	var all []*openapi3.SchemaError
	collect(err, &all)
	if len(all) == 0 {
		return []string{err.Error()}
	}
	var out []string
	missing := map[string][]string{} // object pointer -> missing properties
	var objects []string
	for _, se := range all {
		ptr := se.JSONPointer()
		switch se.SchemaField {
		case "required":
			at := "/" + strings.Join(ptr[:max(len(ptr)-1, 0)], "/")
			if _, ok := missing[at]; !ok {
				objects = append(objects, at)
			}
			if len(ptr) > 0 {
				missing[at] = append(missing[at], ptr[len(ptr)-1])
			}
		case "type":
			out = append(out, fmt.Sprintf("instance type (%s) does not match any allowed primitive type (allowed: %s)", jsonType(se.Value), quotedList(typesOf(se.Schema))))
		case "enum":
			v, _ := json.Marshal(se.Value)
			vals, _ := json.Marshal(se.Schema.Enum)
			out = append(out, fmt.Sprintf("instance value (%s) not found in enum (possible values: %s)", v, vals))
		default:
			out = append(out, se.Reason)
		}
	}
	var req []string
	for _, at := range objects {
		names := missing[at]
		sort.Strings(names)
		req = append(req, fmt.Sprintf("object has missing required properties (%s)", quotedList(names)))
	}
	return append(req, out...)
}

func collect(err error, out *[]*openapi3.SchemaError) {
	var me openapi3.MultiError
	if errors.As(err, &me) {
		for _, e := range me {
			collect(e, out)
		}
		return
	}
	var se *openapi3.SchemaError
	if errors.As(err, &se) {
		*out = append(*out, se)
	}
}

func typesOf(s *openapi3.Schema) []string {
	if s == nil || s.Type == nil {
		return nil
	}
	return s.Type.Slice()
}

func quotedList(ss []string) string {
	b, _ := json.Marshal(ss)
	if ss == nil {
		return "[]"
	}
	return string(b)
}

// jsonType names a value's type as JSON Schema draft 4 does (a whole number is an integer).
func jsonType(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case int64, int:
		return "integer"
	case json.Number:
		if _, err := v.Int64(); err == nil || !strings.ContainsAny(string(v), ".eE") {
			return "integer"
		}
		return "number"
	case float64:
		if v == float64(int64(v)) {
			return "integer"
		}
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}
