// Package cors is an HTTP API's CORS configuration (x-amazon-apigateway-cors, corsConfiguration),
// compiled once at build into the matching sets and header values the gateway needs per request.
//
// What AWS does, and what is assumed where no source says (reference §j.7, DOC http-api-cors.html):
//   - Lists are sets: AWS answers allowMethods and allowHeaders sorted and comma-joined without spaces,
//     header names lower-cased (captured answers: "GET,OPTIONS,POST", "authorization,content-type" for a
//     configuration listing Content-Type, Authorization).
//   - allowOrigins entries are exact origins, "*" (any origin) or the two documented prefixes "http://*" and
//     "https://*". With "*" the answer is access-control-allow-origin: * (a captured GET answer); otherwise
//     the request's own origin is echoed.
//   - A preflight is allowed when its origin, its Access-Control-Request-Method (GET, HEAD and POST always)
//     and every name in Access-Control-Request-Headers are allowed; a header missing from allowHeaders
//     costs the whole answer its allow-origin (observed and written up for HTTP APIs). A refused preflight
//     is still 204 with an empty body but carries no access-control-* header (a captured answer to a
//     foreign origin).
//   - Comparison of origins ignores case (scheme and host are case-insensitive); methods are compared as
//     written, header names without case.
package cors

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/apigw-local/apigw-local/internal/spec"
)

// Config is a compiled CORS configuration. The zero value allows nothing.
type Config struct {
	anyOrigin bool
	origins   map[string]bool // lower-cased exact origins
	prefixes  []string        // "http://", "https://" from the documented wildcards
	anyMethod bool
	methods   map[string]bool
	anyHeader bool
	headers   map[string]bool // lower-cased

	// The header values, computed once.
	allowMethods  []string
	allowHeaders  []string
	exposeHeaders []string
	maxAge        []string
	credentials   bool
}

// Compile turns the spec's configuration into what the gateway matches against.
func Compile(c *spec.CORS) *Config {
	cfg := &Config{origins: map[string]bool{}, methods: map[string]bool{}, headers: map[string]bool{}}
	for _, o := range c.AllowOrigins {
		o = strings.TrimSpace(o)
		switch {
		case o == "*":
			cfg.anyOrigin = true
		case strings.EqualFold(o, "http://*"), strings.EqualFold(o, "https://*"):
			cfg.prefixes = append(cfg.prefixes, strings.ToLower(strings.TrimSuffix(o, "*")))
		case o != "":
			cfg.origins[strings.ToLower(o)] = true
		}
	}
	var methods []string
	for _, m := range c.AllowMethods {
		m = strings.TrimSpace(m)
		if m == "*" {
			cfg.anyMethod = true
		} else if m != "" && !cfg.methods[m] {
			cfg.methods[m] = true
		}
		if m != "" && !slices.Contains(methods, m) {
			methods = append(methods, m)
		}
	}
	var headers []string
	for _, h := range c.AllowHeaders {
		h = strings.ToLower(strings.TrimSpace(h))
		if h == "*" {
			cfg.anyHeader = true
		} else if h != "" {
			cfg.headers[h] = true
		}
		if h != "" && !slices.Contains(headers, h) {
			headers = append(headers, h)
		}
	}
	var expose []string
	for _, h := range c.ExposeHeaders {
		if h = strings.ToLower(strings.TrimSpace(h)); h != "" && !slices.Contains(expose, h) {
			expose = append(expose, h)
		}
	}
	cfg.allowMethods = joined(methods)
	cfg.allowHeaders = joined(headers)
	cfg.exposeHeaders = joined(expose)
	if c.MaxAge != nil {
		cfg.maxAge = []string{strconv.Itoa(*c.MaxAge)}
	}
	cfg.credentials = c.AllowCredentials
	return cfg
}

// joined is AWS's rendering of a set: sorted, comma-joined without spaces; nil for an empty set, whose
// header is not sent.
func joined(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	s = slices.Clone(s)
	slices.Sort(s)
	return []string{strings.Join(s, ",")}
}

// IsPreflight tells a CORS preflight: OPTIONS with Origin and Access-Control-Request-Method.
func IsPreflight(r *http.Request) bool {
	return r.Method == http.MethodOptions && r.Header.Get("Origin") != "" && r.Header.Get("Access-Control-Request-Method") != ""
}

// AllowOrigin is the access-control-allow-origin value for origin, and whether origin is allowed at all.
func (c *Config) AllowOrigin(origin string) (string, bool) {
	if origin == "" {
		return "", false
	}
	if c.anyOrigin {
		return "*", true
	}
	lo := strings.ToLower(origin)
	if c.origins[lo] {
		return origin, true
	}
	for _, p := range c.prefixes {
		if len(lo) > len(p) && strings.HasPrefix(lo, p) {
			return origin, true
		}
	}
	return "", false
}

// allowsMethod tells whether a preflight may announce method. GET, HEAD and POST pass whatever
// allowMethods says: browsers take them without Access-Control-Allow-Methods (Fetch's CORS-safelisted
// methods), and no source shows AWS refusing them (assumed).
func (c *Config) allowsMethod(method string) bool {
	method = strings.TrimSpace(method)
	return c.anyMethod || c.methods[method] || method == http.MethodGet || method == http.MethodHead || method == http.MethodPost
}

// allowsHeaders tells whether every name of an Access-Control-Request-Headers value is allowed.
func (c *Config) allowsHeaders(list string) bool {
	if c.anyHeader {
		return true
	}
	for name := range strings.SplitSeq(list, ",") {
		if name = strings.ToLower(strings.TrimSpace(name)); name != "" && !c.headers[name] {
			return false
		}
	}
	return true
}

// Preflight writes the answer's headers for a preflight r into h (the status, 204, and the empty body are
// the caller's), and tells whether it was allowed. A refused preflight gets no access-control-* header.
func (c *Config) Preflight(h http.Header, r *http.Request) bool {
	origin := r.Header.Get("Origin")
	value, ok := c.AllowOrigin(origin)
	if !ok || !c.allowsMethod(r.Header.Get("Access-Control-Request-Method")) ||
		!c.allowsHeaders(strings.Join(r.Header.Values("Access-Control-Request-Headers"), ",")) {
		return false
	}
	h["Access-Control-Allow-Origin"] = []string{value}
	if c.allowMethods != nil {
		h["Access-Control-Allow-Methods"] = c.allowMethods
	}
	if c.allowHeaders != nil {
		h["Access-Control-Allow-Headers"] = c.allowHeaders
	}
	if c.maxAge != nil {
		h["Access-Control-Max-Age"] = c.maxAge
	}
	if c.credentials {
		h["Access-Control-Allow-Credentials"] = credentialsTrue
	}
	return true
}

var credentialsTrue = []string{"true"}

// Apply sets the headers of an integration's response to r. The backend's own access-control-* headers
// are dropped, since AWS ignores them with CORS configured. For an allowed origin the configured
// allow-origin, expose-headers and allow-credentials take their place; a preflight that a route took
// (an OPTIONS route, ANY or $default) gets the preflight's headers instead, as the gateway would have
// answered it (assumed: AWS documents only that the backend's CORS headers are ignored).
func (c *Config) Apply(h http.Header, r *http.Request) {
	for k := range h {
		if len(k) > 15 && strings.EqualFold(k[:15], "access-control-") {
			delete(h, k)
		}
	}
	if IsPreflight(r) {
		c.Preflight(h, r)
		return
	}
	value, ok := c.AllowOrigin(r.Header.Get("Origin"))
	if !ok {
		return
	}
	h["Access-Control-Allow-Origin"] = []string{value}
	if c.exposeHeaders != nil {
		h["Access-Control-Expose-Headers"] = c.exposeHeaders
	}
	if c.credentials {
		h["Access-Control-Allow-Credentials"] = credentialsTrue
	}
}
