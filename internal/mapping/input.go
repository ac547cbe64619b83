package mapping

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/apigw-local/apigw-local/vtl"
)

// Params are the method request parameters templates can read through $input.params.
type Params struct {
	Path   map[string]string
	Query  url.Values
	Header http.Header
	// Host is the Host header, which Go's server moves out of Header; templates see it like any other
	// header ($input.params('Host'), vtl-templates.json#input-params-header-visibility). Kept apart
	// rather than added to a copy of Header, which cost every request a copy of its headers.
	Host string
	// HeaderNames are the header names as the client wrote them, when known: $input.params().header
	// keys use the first spelling of each name (lookups stay case-insensitive).
	HeaderNames []string
}

// hiddenHeaders are not visible to templates; $input.params('Connection') renders empty
// (vtl-templates.json#input-params-header-visibility).
var hiddenHeaders = map[string]bool{"Connection": true, "Content-Length": true, "Content-Md5": true,
	"Expect": true, "Max-Forwards": true, "Proxy-Authenticate": true, "Server": true, "Te": true,
	"Transfer-Encoding": true, "Trailer": true, "Upgrade": true, "Www-Authenticate": true}

// ErrPayload is a payload that looks like JSON but is not: API Gateway answers 400 when a template reads
// it with $input.path or $input.json (reference §f.5 #8).
var ErrPayload = errors.New("could not process payload")

// Input is $input: the payload (the method request body, or the integration response body in response
// templates) and the method request parameters.
type Input struct {
	body   []byte
	params Params

	once   sync.Once
	doc    any
	docErr error
}

// NewInput returns $input for a payload and the method request parameters.
func NewInput(body []byte, params Params) *Input {
	return &Input{body: body, params: params}
}

// Body is $input.body: the raw payload, and "{}" for an empty one (reference §f.1, REC).
func (in *Input) Body() string {
	if len(in.body) == 0 {
		return "{}"
	}
	return string(in.body)
}

// document parses the payload once. Text that is not JSON is a JSON string holding that text, unless it
// starts like an object or array (then it is an error, as on AWS).
func (in *Input) document() (any, error) {
	in.once.Do(func() {
		trimmed := bytes.TrimSpace(in.body)
		if len(trimmed) == 0 {
			in.doc = vtl.NewMap()
			return
		}
		v, err := vtl.FromJSON(trimmed)
		if err == nil {
			in.doc = v
			return
		}
		if trimmed[0] == '{' || trimmed[0] == '[' {
			in.docErr = fmt.Errorf("%w: %v", ErrPayload, err)
			return
		}
		in.doc = string(in.body)
	})
	return in.doc, in.docErr
}

// Path is $input.path(p): the live value at the JSONPath, or nil.
func (in *Input) Path(p string) (any, error) {
	doc, err := in.document()
	if err != nil {
		return nil, err
	}
	cp, err := compilePath(p)
	if err != nil {
		return nil, err
	}
	return cp.eval(doc), nil
}

// JSON is $input.json(p): the value at the JSONPath as JSON text; a missing value is "" (an empty JSON
// string), as LocalStack's recordings show.
func (in *Input) JSON(p string) (string, error) {
	v, err := in.Path(p)
	if err != nil {
		return "", err
	}
	if v == nil {
		return `""`, nil
	}
	return vtl.ToJSON(v), nil
}

// ParamsMap is $input.params(): {path={...}, querystring={...}, header={...}}.
func (in *Input) ParamsMap() *vtl.Map {
	m := vtl.NewMap()
	path := vtl.NewMap()
	for _, k := range sortedKeys(in.params.Path) {
		path.Put(k, in.params.Path[k])
	}
	query := vtl.NewMap()
	for _, k := range sortedKeys(in.params.Query) {
		vs := in.params.Query[k]
		query.Put(k, vs[len(vs)-1])
	}
	header := vtl.NewMap()
	keys := sortedKeys(in.params.Header)
	if in.params.Host != "" && in.params.Header["Host"] == nil {
		keys = append(keys, "Host")
		slices.Sort(keys)
	}
	// Names that differ only in case are one header, under the first spelling the client used (as in
	// the proxy events; no AWS recording shows otherwise). EqualFold rather than CanonicalHeaderKey:
	// header names are ASCII tokens, so they agree, and EqualFold allocates nothing per comparison.
	spelled := func(k string) string {
		for _, n := range in.params.HeaderNames {
			if strings.EqualFold(n, k) {
				return n
			}
		}
		return k
	}
	for _, k := range keys {
		switch {
		case k == "Host" && in.params.Host != "":
			header.Put(spelled(k), in.params.Host)
		case !hiddenHeaders[k]:
			header.Put(spelled(k), in.params.Header[k][0])
		}
	}
	m.Put("path", path)
	m.Put("querystring", query)
	m.Put("header", header)
	return m
}

// Param is $input.params(name): path, then query string, then header; "" when absent.
func (in *Input) Param(name string) string {
	if v, ok := in.params.Path[name]; ok {
		return v
	}
	if vs, ok := in.params.Query[name]; ok && len(vs) > 0 {
		return vs[len(vs)-1]
	}
	key := http.CanonicalHeaderKey(name)
	if hiddenHeaders[key] {
		return ""
	}
	if key == "Host" && in.params.Host != "" {
		return in.params.Host
	}
	if vs := in.params.Header.Values(key); len(vs) > 0 {
		return vs[0]
	}
	return ""
}

// Property implements vtl.Object.
func (in *Input) Property(name string) (any, bool) {
	switch name {
	case "body":
		return in.Body(), true
	}
	return nil, false
}

// Call implements vtl.Object.
func (in *Input) Call(name string, args []any) (any, error) {
	switch {
	case name == "path" && len(args) == 1:
		return in.Path(vtl.ToString(args[0]))
	case name == "json" && len(args) == 1:
		return in.JSON(vtl.ToString(args[0]))
	case name == "params" && len(args) == 0:
		return in.ParamsMap(), nil
	case name == "params" && len(args) == 1:
		return in.Param(vtl.ToString(args[0])), nil
	case name == "getBody" && len(args) == 0:
		return in.Body(), nil
	}
	return nil, fmt.Errorf("$input.%s with %d arguments: %w", name, len(args), vtl.ErrNoMethod)
}

// String makes $input print like API Gateway's (an opaque object renders as nothing useful).
func (in *Input) String() string { return "" }

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
