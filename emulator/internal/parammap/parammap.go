// Package parammap is an HTTP API's parameter mapping (API Gateway v2, reference §j.8): the integration's
// requestParameters change the request before it reaches the backend (append|overwrite|remove of a header
// or a query string parameter, overwrite:path), and its responseParameters change the backend's response
// by status code (headers, overwrite:statuscode). REST APIs map with integration.request.* and templates
// instead (internal/mapping, httpintegration).
//
// Mappings are compiled once at build, where every error AWS's import would refuse is reported; at request
// time every value is read from the request (or response) as it arrived, then the changes are applied, so
// the order of the keys does not matter.
package parammap

import (
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/apigw-local/apigw-local/internal/mapping"
	"github.com/apigw-local/apigw-local/vtl"
	"github.com/ohler55/ojg/jp"
)

// MaxBodyForJSONPath is where API Gateway cuts a body before applying a JSONPath of $request.body.<path>
// (documented: "API Gateway truncates the request body at 100 KB"); $request.body alone is whole.
const MaxBodyForJSONPath = 100 << 10

// op is one mapping: key "overwrite:header.x-user" with its value.
type op struct {
	action   string // append, overwrite, remove
	location string // header, querystring, path, statuscode
	name     string // the header (canonical) or query string parameter
	value    value
}

// value is a mapping value: literal text and variables, e.g. "${request.path.id}-$context.requestId".
type value []part

type part struct {
	lit  string
	src  string // request.header, request.querystring, request.body, request.path, context, stageVariables, response.header, response.body; "" for a literal
	name string
	path jp.Expr // the JSONPath of request.body.<path> / response.body.<path>
}

// reserved are the headers no mapping may change (reference §j.8); the import refuses such a key.
var reserved = map[string]bool{"authorization": true, "connection": true, "content-encoding": true,
	"content-length": true, "content-location": true, "forwarded": true, "keep-alive": true, "origin": true,
	"proxy-authenticate": true, "proxy-authorization": true, "te": true, "trailers": true,
	"transfer-encoding": true, "upgrade": true, "x-forwarded-for": true, "x-forwarded-host": true,
	"x-forwarded-proto": true, "via": true}

func isReserved(name string) bool {
	n := strings.ToLower(name)
	return reserved[n] || strings.HasPrefix(n, "access-control-") || strings.HasPrefix(n, "apigw-") ||
		strings.HasPrefix(n, "x-amz-") || strings.HasPrefix(n, "x-amzn-")
}

// parseKey reads "append:header.name", "overwrite:querystring.name", "remove:...", "overwrite:path" or
// (response) "overwrite:statuscode".
func parseKey(key string, response bool) (op, error) {
	action, target, ok := strings.Cut(key, ":")
	if !ok {
		return op{}, fmt.Errorf("%q is not a mapping key: use append|overwrite|remove:header.<name>%s", key, keyHint(response))
	}
	switch action {
	case "append", "overwrite", "remove":
	default:
		return op{}, fmt.Errorf("%q: the action must be append, overwrite or remove, got %q", key, action)
	}
	location, name, _ := strings.Cut(target, ".")
	o := op{action: action, location: location, name: name}
	switch {
	case location == "header" && name != "":
		if isReserved(name) {
			return op{}, fmt.Errorf("%q: the %s header is reserved: API Gateway does not let a mapping change it", key, name)
		}
		o.name = http.CanonicalHeaderKey(name)
	case location == "querystring" && name != "" && !response:
	case location == "path" && name == "" && !response:
		if action != "overwrite" {
			return op{}, fmt.Errorf("%q: the path can only be overwritten (overwrite:path)", key)
		}
	case location == "statuscode" && name == "" && response:
		if action != "overwrite" {
			return op{}, fmt.Errorf("%q: the status code can only be overwritten (overwrite:statuscode)", key)
		}
	default:
		return op{}, fmt.Errorf("%q is not a mapping key: use append|overwrite|remove:header.<name>%s", key, keyHint(response))
	}
	return o, nil
}

func keyHint(response bool) string {
	if response {
		return " or overwrite:statuscode"
	}
	return ", append|overwrite|remove:querystring.<name> or overwrite:path"
}

// parseValue reads a mapping value. A variable is $name... up to the end of the value or a space, or
// ${name...} up to its brace ("to use several variables in one value, enclose them in braces"); anything
// else is literal text.
func parseValue(s string, response bool) (value, error) {
	var v value
	lit := strings.Builder{}
	flush := func() {
		if lit.Len() > 0 {
			v = append(v, part{lit: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(s); {
		if s[i] != '$' || i+1 == len(s) {
			lit.WriteByte(s[i])
			i++
			continue
		}
		var name string
		if s[i+1] == '{' {
			end := strings.IndexByte(s[i:], '}')
			if end < 0 {
				return nil, fmt.Errorf("value %q: ${ without its closing }", s)
			}
			name, i = s[i+2:i+end], i+end+1
		} else {
			end := strings.IndexAny(s[i:], " \t")
			if end < 0 {
				end = len(s) - i
			}
			name, i = s[i+1:i+end], i+end
		}
		p, err := parseVariable(name, response)
		if err != nil {
			return nil, fmt.Errorf("value %q: %v", s, err)
		}
		flush()
		v = append(v, p)
	}
	flush()
	return v, nil
}

func parseVariable(name string, response bool) (part, error) {
	side, other := "request", "response"
	if response {
		side, other = other, side
	}
	switch {
	case strings.HasPrefix(name, "context.") && len(name) > len("context."):
		return part{src: "context", name: name[len("context."):]}, nil
	case strings.HasPrefix(name, "stageVariables.") && len(name) > len("stageVariables."):
		return part{src: "stageVariables", name: name[len("stageVariables."):]}, nil
	case strings.HasPrefix(name, other+"."):
		return part{}, fmt.Errorf("$%s is not available in %s parameters", name, side)
	case name == "request.path" && !response:
		return part{src: "request.path"}, nil
	case name == side+".body":
		return part{src: side + ".body"}, nil
	}
	kind, rest, _ := strings.Cut(strings.TrimPrefix(name, side+"."), ".")
	if !strings.HasPrefix(name, side+".") || rest == "" {
		return part{}, fmt.Errorf("$%s is not a mapping variable: use %s", name, variableHint(response))
	}
	switch {
	case kind == "header":
		return part{src: side + ".header", name: http.CanonicalHeaderKey(rest)}, nil
	case kind == "querystring" && !response:
		return part{src: "request.querystring", name: rest}, nil
	case kind == "path" && !response:
		return part{src: "request.path", name: rest}, nil
	case kind == "body":
		if strings.HasPrefix(rest, ".") || strings.Contains(rest, "?(") {
			return part{}, fmt.Errorf("$%s: JSONPath recursive descent (..) and filter expressions are not supported in mappings", name)
		}
		x, err := jp.ParseString("$." + rest)
		if err != nil {
			return part{}, fmt.Errorf("$%s: invalid JSONPath: %v", name, err)
		}
		return part{src: side + ".body", name: rest, path: x}, nil
	}
	return part{}, fmt.Errorf("$%s is not a mapping variable: use %s", name, variableHint(response))
}

func variableHint(response bool) string {
	if response {
		return "$response.header.<name>, $response.body.<JSONPath>, $context.<name> or $stageVariables.<name>"
	}
	return "$request.header.<name>, $request.querystring.<name>, $request.body[.<JSONPath>], $request.path[.<name>], $context.<name> or $stageVariables.<name>"
}

// Request is an integration's compiled requestParameters.
type Request struct {
	ops []op
	// NeedsBody is set when a value reads the request body.
	NeedsBody bool
}

// CompileRequest compiles requestParameters (key → value). The errors name the key; AWS's import
// refuses every one of them.
func CompileRequest(params [][2]string) (*Request, []error) {
	m := &Request{}
	var errs []error
	for _, kv := range params {
		o, err := parseKey(kv[0], false)
		if err == nil && o.action != "remove" {
			o.value, err = parseValue(kv[1], false)
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for _, p := range o.value {
			if p.src == "request.body" {
				m.NeedsBody = true
			}
		}
		m.ops = append(m.ops, o)
	}
	if len(m.ops) == 0 {
		return nil, errs
	}
	return m, errs
}

// Data is what mapping values read, for one request (and, for responseParameters, its response).
type Data struct {
	Header         http.Header // the request's (or, for a response, the backend response's) headers
	RawQuery       string
	Path           string // the request path without the stage
	PathParameters map[string]string
	Body           []byte // the request's (or the response's) body
	Context        func(name string) string
	StageVariables map[string]string
}

// resolve evaluates v. ok is false when a variable names nothing (an absent header, parameter, ...);
// the mapping is then skipped, as AWS omits parameters whose source is absent (assumed: the v2 docs do
// not say; REST's mappings behave so, integrations.json#http-proxy-request-parameter-merge).
func (v value) resolve(d *Data, query func() map[string][]string) (string, bool) {
	if len(v) == 1 && v[0].src == "" {
		return v[0].lit, true
	}
	var b strings.Builder
	for _, p := range v {
		s, ok := p.resolve(d, query)
		if !ok {
			return "", false
		}
		b.WriteString(s)
	}
	return b.String(), true
}

func (p part) resolve(d *Data, query func() map[string][]string) (string, bool) {
	switch p.src {
	case "":
		return p.lit, true
	case "request.header", "response.header":
		vs := values(d.Header, p.name)
		return strings.Join(vs, ","), len(vs) > 0 // several values are joined with commas (documented)
	case "request.querystring":
		vs := query()[p.name]
		return strings.Join(vs, ","), len(vs) > 0
	case "request.path":
		if p.name == "" {
			return d.Path, true
		}
		v, ok := d.PathParameters[p.name]
		return v, ok
	case "context":
		if d.Context == nil {
			return "", false
		}
		v := d.Context(p.name)
		return v, v != ""
	case "stageVariables":
		v, ok := d.StageVariables[p.name]
		return v, ok
	case "request.body", "response.body":
		if p.path == nil {
			return string(d.Body), len(d.Body) > 0
		}
		body := d.Body
		if len(body) > MaxBodyForJSONPath {
			body = body[:MaxBodyForJSONPath]
		}
		// $input.path's reading of JSON (Jayway's, keys in document order), which API Gateway shares.
		v, err := mapping.NewInput(body, mapping.Params{}).Path("$." + p.name)
		switch v := v.(type) {
		case nil:
			return "", false
		case string:
			return v, err == nil
		default:
			return vtl.ToJSON(v), err == nil
		}
	}
	return "", false
}

// Result is the request as the integration gets it: nil fields are unchanged.
type Result struct {
	Header   http.Header // the whole new header set, or nil
	RawQuery *string
	Path     *string // overwrite:path, as sent (not escaped again)
}

// Apply evaluates every value against the request as it arrived, then makes the changes.
func (m *Request) Apply(d *Data) Result {
	var parsed map[string][]string
	query := func() map[string][]string {
		if parsed == nil {
			parsed = map[string][]string{}
			for _, kv := range splitQuery(d.RawQuery) {
				parsed[kv.name] = append(parsed[kv.name], kv.value)
			}
		}
		return parsed
	}
	type change struct {
		op    *op
		value string
	}
	changes := make([]change, 0, len(m.ops))
	for i := range m.ops {
		o := &m.ops[i]
		if o.action == "remove" {
			changes = append(changes, change{op: o})
			continue
		}
		if v, ok := o.value.resolve(d, query); ok {
			changes = append(changes, change{op: o, value: v})
		}
	}
	var res Result
	var pairs []queryPair
	queryChanged := false
	for _, c := range changes {
		switch c.op.location {
		case "header":
			if res.Header == nil {
				res.Header = d.Header.Clone()
				if res.Header == nil {
					res.Header = http.Header{}
				}
			}
			switch c.op.action {
			case "append":
				res.Header.Add(c.op.name, c.value)
			case "overwrite":
				res.Header.Set(c.op.name, c.value)
			case "remove":
				res.Header.Del(c.op.name)
			}
		case "querystring":
			if !queryChanged {
				pairs, queryChanged = splitQuery(d.RawQuery), true
			}
			if c.op.action != "append" {
				kept := pairs[:0]
				for _, p := range pairs {
					if p.name != c.op.name {
						kept = append(kept, p)
					}
				}
				pairs = kept
			}
			if c.op.action != "remove" {
				pairs = append(pairs, queryPair{name: c.op.name, value: c.value})
			}
		case "path":
			v := c.value
			if !strings.HasPrefix(v, "/") {
				v = "/" + v
			}
			res.Path = &v
		}
	}
	if queryChanged {
		q := joinQuery(pairs)
		res.RawQuery = &q
	}
	return res
}

// Response is an integration's compiled responseParameters, by the backend's status code.
type Response struct {
	byStatus map[int][]op
	// NeedsBody lists the status codes whose mappings read the response body.
	needsBody map[int]bool
}

// CompileResponse compiles responseParameters (status code → key → value).
func CompileResponse(params map[string][][2]string) (*Response, []error) {
	m := &Response{byStatus: map[int][]op{}, needsBody: map[int]bool{}}
	var errs []error
	statuses := make([]string, 0, len(params))
	for s := range params {
		statuses = append(statuses, s)
	}
	sort.Strings(statuses)
	for _, s := range statuses {
		code, err := strconv.Atoi(s)
		if err != nil || code < 200 || code > 599 {
			errs = append(errs, fmt.Errorf("responseParameters key %q: the selection key must be a status code from 200 to 599", s))
			continue
		}
		for _, kv := range params[s] {
			o, err := parseKey(kv[0], true)
			if err == nil && o.action != "remove" {
				o.value, err = parseValue(kv[1], true)
			}
			if err == nil && o.location == "statuscode" && len(o.value) == 1 && o.value[0].src == "" {
				if c, cerr := strconv.Atoi(o.value[0].lit); cerr != nil || c < 100 || c > 599 {
					err = fmt.Errorf("%q: %q is not a status code", kv[0], kv[1])
				}
			}
			if err != nil {
				errs = append(errs, fmt.Errorf("responseParameters[%q]: %v", s, err))
				continue
			}
			for _, p := range o.value {
				if p.src == "response.body" {
					m.needsBody[code] = true
				}
			}
			m.byStatus[code] = append(m.byStatus[code], o)
		}
	}
	if len(m.byStatus) == 0 {
		return nil, errs
	}
	return m, errs
}

// For reports whether the backend's status has mappings, and whether they read the body.
func (m *Response) For(status int) (mapped, needsBody bool) {
	if m == nil {
		return false, false
	}
	_, mapped = m.byStatus[status]
	return mapped, m.needsBody[status]
}

// Apply changes header in place and returns the status the client gets. d.Header is the backend's
// response header (values are read from it before anything changes).
func (m *Response) Apply(status int, header http.Header, d *Data) int {
	ops := m.byStatus[status]
	if len(ops) == 0 {
		return status
	}
	orig := d.Header.Clone()
	read := *d
	read.Header = orig
	noQuery := func() map[string][]string { return nil }
	for i := range ops {
		o := &ops[i]
		if o.action == "remove" {
			del(header, o.name)
			continue
		}
		v, ok := o.value.resolve(&read, noQuery)
		if !ok {
			continue
		}
		switch {
		case o.location == "statuscode":
			// A value that is no status code at run time leaves the backend's (assumed; AWS validates only
			// static values at import).
			if c, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && c >= 100 && c <= 599 {
				status = c
			}
		case o.action == "append":
			add(header, o.name, v)
		default:
			del(header, o.name)
			header[o.name] = []string{v}
		}
	}
	return status
}

// queryPair is one name=value of a query string, kept as received (still escaped) unless mapped.
type queryPair struct {
	name, value string // decoded
	raw         string // as received; "" for a mapped pair
}

func splitQuery(raw string) []queryPair {
	var out []queryPair
	for raw != "" {
		var part string
		part, raw, _ = strings.Cut(raw, "&")
		if part == "" {
			continue
		}
		n, v, _ := strings.Cut(part, "=")
		out = append(out, queryPair{name: unescape(n), value: unescape(v), raw: part})
	}
	return out
}

func joinQuery(pairs []queryPair) string {
	var b strings.Builder
	for i, p := range pairs {
		if i > 0 {
			b.WriteByte('&')
		}
		if p.raw != "" {
			b.WriteString(p.raw)
			continue
		}
		b.WriteString(escape(p.name))
		b.WriteByte('=')
		b.WriteString(escape(p.value))
	}
	return b.String()
}

func unescape(s string) string {
	if u, err := url.QueryUnescape(s); err == nil {
		return u
	}
	return s
}

func escape(s string) string { return url.QueryEscape(s) }

// A Lambda function's response headers keep the names it wrote ("x-own"), so response headers are
// matched without regard to case, as HTTP names are.

func values(h http.Header, name string) []string {
	var out []string
	for k, vs := range h {
		if strings.EqualFold(k, name) {
			out = append(out, vs...)
		}
	}
	return out
}

func del(h http.Header, name string) {
	for k := range h {
		if strings.EqualFold(k, name) {
			delete(h, k)
		}
	}
}

func add(h http.Header, name, v string) {
	for k, vs := range h {
		if strings.EqualFold(k, name) {
			h[k] = append(vs, v)
			return
		}
	}
	h[name] = []string{v}
}
