package lambdaproxy

import (
	"encoding/base64"
	"errors"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/apigw-local/apigw-local/internal/reqctx"
)

// Request is the method request as API Gateway saw it, plus what the gateway knows about it (stage,
// matched resource, ids). The gateway fills it; EventV1 and EventV2 only read it.
type Request struct {
	Method string
	// Path is the full request path as received, including the stage ("/dev/proxy-value/"), raw (still
	// percent-encoded): AWS puts it in the event without decoding it, and needs the stage to tell path
	// from requestContext.path apart.
	Path  string
	Stage string
	// Resource is the matched resource path, e.g. "/{proxy+}".
	Resource string
	// PathParameters are as the router matched them: still percent-encoded, a greedy value without its
	// trailing slash (REC v1-event-with-path-encoded-email, v1-event-with-trailing-slash).
	PathParameters map[string]string
	// RawQuery is the query string without "?" (a "#fragment", if one slipped in, is ignored).
	RawQuery string
	// Header holds the request headers under Go-canonical names (as net/http delivers them). Go moves
	// Host out of the header map; pass the host as DomainName.
	Header http.Header
	// HeaderNames optionally gives the header names as the client spelled them, in order. AWS keeps the
	// client's spelling ("tEsT-HEADeR") except for a few well-known names; without HeaderNames the event
	// can only show Go's canonical spelling.
	HeaderNames []string
	Body        []byte
	// IsBase64 is set by the caller when the body is binary (binaryMediaTypes match the Content-Type):
	// the event then carries the body base64-encoded with isBase64Encoded true.
	IsBase64       bool
	StageVariables map[string]string
	SourceIP       string
	UserAgent      string // identity.userAgent; the User-Agent header when empty
	// APIKey and APIKeyID are identity.apiKey and identity.apiKeyId, set for methods that require an API
	// key (DOC: present only then).
	APIKey, APIKeyID string
	Protocol         string // "HTTP/1.1" when empty

	// Request context.
	AccountID, APIID, DeploymentID, DomainName, ExtendedRequestID, RequestID, ResourceID string
	// DomainPrefix is the first label of DomainName when empty (AWS: the API id on execute-api hosts).
	DomainPrefix string
	RequestTime  time.Time
	// Authorizer is requestContext.authorizer; nil without an authorizer, and the key is then absent.
	// For 2.0 pass the whole object, e.g. {"jwt": {...}} or {"lambda": {...}}.
	Authorizer map[string]any
	// RouteKey is the matched HTTP API route, "GET /pets/{id}"; "$default" when empty.
	RouteKey string
	// Caller is the IAM identity of a SigV4-signed request (identity.accessKey, accountId, caller, user,
	// userArn); zero for others, whose identity fields are null.
	Caller reqctx.Caller
	// TraceID is the X-Amzn-Trace-Id value API Gateway adds to the headers. It replaces the client's
	// header; the caller composes it (keeping the client's Root, as X-Ray does). Empty: the client's
	// header, if any, passes through.
	TraceID string
}

// requestTimeLayout is AWS's CLF-style requestTime / time: "04/Mar/2020:19:15:17 +0000" (always UTC).
const requestTimeLayout = "02/Jan/2006:15:04:05 +0000"

// droppedHeaders are the request headers API Gateway does not pass to a proxy integration: hop-by-hop
// and framing headers it owns (REC v1-event-headers-dropped). Keys are lower case.
var droppedHeaders = map[string]bool{
	"connection": true, "content-length": true, "content-md5": true, "expect": true,
	"max-forwards": true, "proxy-authenticate": true, "server": true, "te": true, "trailer": true,
	"transfer-encoding": true, "upgrade": true, "www-authenticate": true,
}

// canonicalHeaders are the client header names AWS rewrites to their canonical spelling in a 1.0 event;
// every other name keeps the client's spelling. Recorded: "authorization" -> "Authorization"
// (v1-event-*), "user-Agent" -> "User-Agent" (v1-event-requestparameters-ignored), while "tEsT-HEADeR",
// "foobar", "headerVar" keep theirs and the Lambda developer guide's captured event keeps "accept",
// "accept-encoding", "cookie", "sec-fetch-*" in lower case. Host is always rewritten (AWS sets it).
var canonicalHeaders = map[string]string{
	"authorization": "Authorization",
	"user-agent":    "User-Agent",
	"host":          "Host",
}

// Headers API Gateway adds (REC: every v1-event vector; DOC and the captured 2.0 event for 2.0).
const (
	hdrHost           = "Host"
	hdrTraceID        = "X-Amzn-Trace-Id"
	hdrForwardedFor   = "X-Forwarded-For"
	hdrForwardedPort  = "X-Forwarded-Port"
	hdrForwardedProto = "X-Forwarded-Proto"
)

// headerEntry is one header of the event with all its values, under the name the event shows.
type headerEntry struct {
	name   string
	values []string
}

// eventHeaders computes the headers of the event: dropped ones removed, names spelled as AWS spells them,
// names that differ only in case merged (first spelling kept, values in order), the gateway's own headers
// set, and the result sorted case-insensitively (the order of both captured AWS events). For 2.0 names
// are lower case and Content-Length is kept (the Lambda developer guide's captured 2.0 event has
// "content-length"; it is a 1.0-only drop as far as the evidence goes).
func eventHeaders(r *Request, v2 bool) []headerEntry {
	spelled := map[string]string{} // canonical -> first client spelling
	for _, n := range r.HeaderNames {
		c := http.CanonicalHeaderKey(n)
		if _, ok := spelled[c]; !ok {
			spelled[c] = n
		}
	}
	keys := make([]string, 0, len(r.Header))
	for k := range r.Header {
		keys = append(keys, k)
	}
	sort.Strings(keys) // map order must not leak into the merge order

	index := map[string]int{} // lower-case name -> position in out
	var out []headerEntry
	add := func(name string, values ...string) {
		lower := strings.ToLower(name)
		if i, ok := index[lower]; ok {
			out[i].values = append(out[i].values, values...)
			return
		}
		index[lower] = len(out)
		out = append(out, headerEntry{name, append([]string(nil), values...)})
	}
	set := func(name string, value string) { // a gateway header replaces the client's
		lower := strings.ToLower(name)
		if v2 {
			name = lower
		}
		if i, ok := index[lower]; ok {
			out[i] = headerEntry{name, []string{value}}
			return
		}
		index[lower] = len(out)
		out = append(out, headerEntry{name, []string{value}})
	}

	for _, k := range keys {
		lower := strings.ToLower(k)
		if droppedHeaders[lower] && !(v2 && lower == "content-length") {
			continue
		}
		if len(r.Header[k]) == 0 {
			continue
		}
		name := k
		switch {
		case v2:
			name = lower
		case canonicalHeaders[lower] != "":
			name = canonicalHeaders[lower]
		default:
			if s, ok := spelled[http.CanonicalHeaderKey(k)]; ok {
				name = s
			}
		}
		add(name, r.Header[k]...)
	}

	if r.DomainName != "" {
		set(hdrHost, r.DomainName)
	}
	if r.TraceID != "" {
		set(hdrTraceID, r.TraceID)
	}
	if r.SourceIP != "" {
		// AWS appends the client address to what the client (or CloudFront) already forwarded.
		xff := r.SourceIP
		if i, ok := index[strings.ToLower(hdrForwardedFor)]; ok {
			xff = strings.Join(out[i].values, ", ") + ", " + r.SourceIP
		}
		set(hdrForwardedFor, xff)
	}
	set(hdrForwardedPort, "443")
	set(hdrForwardedProto, "https")

	sort.SliceStable(out, func(i, j int) bool {
		return strings.ToLower(out[i].name) < strings.ToLower(out[j].name)
	})
	return out
}

// queryParam is one query-string key with its decoded values in request order.
type queryParam struct {
	key    string
	values []string
}

// parseQuery splits a raw query string on "&" (not ";": AWS does not treat it as a separator), decodes
// keys and values ("+" is a space, REC v1-event-with-params-encoding) and groups values by key in order
// of first appearance. Empty pieces ("a=1&&b=2") are skipped; a key without "=" has the value "".
func parseQuery(raw string) []queryParam {
	if i := strings.IndexByte(raw, '#'); i >= 0 { // REC: the fragment never reaches AWS
		raw = raw[:i]
	}
	var out []queryParam
	index := map[string]int{}
	for piece := range strings.SplitSeq(raw, "&") {
		if piece == "" {
			continue
		}
		k, v, _ := strings.Cut(piece, "=")
		k, v = queryUnescape(k), queryUnescape(v)
		if i, ok := index[k]; ok {
			out[i].values = append(out[i].values, v)
			continue
		}
		index[k] = len(out)
		out = append(out, queryParam{k, []string{v}})
	}
	return out
}

// queryUnescape decodes "+" and %XX. A malformed escape ("%zz", a trailing "%") is kept literally rather
// than failing the request: the event must be built for whatever a client sends (reference is silent).
func queryUnescape(s string) string {
	if !strings.ContainsAny(s, "+%") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '+':
			b.WriteByte(' ')
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			b.WriteByte(unhex(s[i+1])<<4 | unhex(s[i+2]))
			i += 2
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}

// stagePaths derives the two paths of a 1.0 event from the path as received (REC
// v1-event-with-prepended-slash*, v1-event-with-double-slash, v1-event-with-trailing-slash):
//   - contextPath (requestContext.path) is the received path with the slashes before the stage
//     collapsed: "//stage/x" -> "/stage/x", while "/stage//x" stays as it is;
//   - path has no stage and the slashes that start the resource part collapsed: "/stage//x" -> "/x".
//
// Interior "//", the trailing slash and percent-encoding are kept in both. A path whose first segment is
// not the stage (a custom domain's base path mapping, which the caller resolves) is used whole for both.
func stagePaths(full, stage string) (path, contextPath string) {
	trimmed := strings.TrimLeft(full, "/")
	contextPath = "/" + trimmed
	if stage != "" && (trimmed == stage || strings.HasPrefix(trimmed, stage+"/")) {
		return "/" + strings.TrimLeft(trimmed[len(stage):], "/"), contextPath
	}
	return contextPath, contextPath
}

// stringMap writes a string map with sorted keys, or null when empty: AWS sends null, never {}, for
// every empty map of a 1.0 event (REC: all v1-event vectors).
func stringMap(m map[string]string) any {
	if len(m) == 0 {
		return nil
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	o := &object{}
	for _, k := range keys {
		o.set(k, m[k])
	}
	return o
}

// orNull is s, or JSON null when s is empty (identity fields: REC, all v1-event vectors).
func orNull(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func (r *Request) userAgent() string {
	if r.UserAgent != "" {
		return r.UserAgent
	}
	return r.Header.Get("User-Agent")
}

func (r *Request) protocol() string {
	if r.Protocol != "" {
		return r.Protocol
	}
	return "HTTP/1.1"
}

func (r *Request) domainPrefix() string {
	if r.DomainPrefix != "" {
		return r.DomainPrefix
	}
	prefix, _, _ := strings.Cut(r.DomainName, ".")
	return prefix
}

// body is the event body: raw text, or base64 for a binary body; ok is false without a body.
func (r *Request) body() (body string, ok bool) {
	if len(r.Body) == 0 {
		return "", false
	}
	if r.IsBase64 {
		return base64.StdEncoding.EncodeToString(r.Body), true
	}
	return string(r.Body), true
}

// contextKeyOrder is the order of requestContext keys in AWS's 1.0 event: the iteration order of a Java
// HashMap with 32 buckets over these keys. The hash order reproduces exactly the event the AWS Lambda
// developer guide captured (sample-apps/nodejs-apig/event.json, 15 keys), and the recorded events have
// one key more, deploymentId (REC v1-event-*), which the same hash puts after domainName (its bucket
// mate; insertion order within a bucket is a guess). "authorizer" is where the hash puts it.
var contextKeyOrder = []string{
	"resourceId", "authorizer", "resourcePath", "httpMethod", "extendedRequestId", "requestTime", "path",
	"accountId", "protocol", "stage", "domainPrefix", "requestTimeEpoch", "requestId", "identity",
	"domainName", "deploymentId", "apiId",
}

// identityKeyOrder is the order of identity keys in the same captured event (a 16-bucket Java HashMap).
var identityKeyOrder = []string{
	"cognitoIdentityPoolId", "accountId", "cognitoIdentityId", "caller", "sourceIp", "principalOrgId",
	"accessKey", "cognitoAuthenticationType", "cognitoAuthenticationProvider", "userArn", "userAgent", "user",
}

// identityKeyOrderWithKey is the identity key order when apiKey and apiKeyId are present. Fourteen keys
// make Java's HashMap grow to 32 buckets; the order is that of such a map, the model that reproduces the
// captured 12-key order exactly (no capture with a key exists).
var identityKeyOrderWithKey = []string{
	"cognitoIdentityPoolId", "cognitoIdentityId", "principalOrgId", "apiKey", "cognitoAuthenticationType",
	"userArn", "apiKeyId", "userAgent", "accountId", "caller", "sourceIp", "accessKey",
	"cognitoAuthenticationProvider", "user",
}

// EventV1 builds the payload-1.0 event of a REST API's AWS_PROXY integration (reference §e.1). The
// integration's requestParameters are not applied: AWS ignores them for AWS_PROXY (REC
// v1-event-requestparameters-ignored), so Request carries the method request only. The error is only
// for an Authorizer that cannot be written as JSON.
func EventV1(r *Request) ([]byte, error) {
	if r == nil {
		return nil, errors.New("lambdaproxy: nil request")
	}
	ev := &object{}
	eventV1Request(ev, r)

	// REC: no body is null (GET, and v1-event-headers-dropped); an empty body is no body.
	body, ok := r.body()
	if ok {
		ev.set("body", body)
	} else {
		ev.set("body", nil)
	}
	ev.set("isBase64Encoded", ok && r.IsBase64)

	w := newJSONWriter()
	if err := w.write(ev); err != nil {
		return nil, err
	}
	return w.buf.Bytes(), nil
}

// RequestAuthorizerEvent builds the event of a REQUEST Lambda authorizer (reference §d): type and
// methodArn, then the method request as the payload-1.0 proxy event carries it, without the body.
func RequestAuthorizerEvent(r *Request, methodARN string) ([]byte, error) {
	if r == nil {
		return nil, errors.New("lambdaproxy: nil request")
	}
	ev := &object{}
	ev.set("type", "REQUEST")
	ev.set("methodArn", methodARN)
	eventV1Request(ev, r)
	w := newJSONWriter()
	if err := w.write(ev); err != nil {
		return nil, err
	}
	return w.buf.Bytes(), nil
}

// eventV1Request sets the payload-1.0 fields that describe the method request, body excepted.
func eventV1Request(ev *object, r *Request) {
	path, contextPath := stagePaths(r.Path, r.Stage)
	ev.set("resource", r.Resource)
	ev.set("path", path)
	ev.set("httpMethod", r.Method)

	var headers, multiHeaders any
	if hs := eventHeaders(r, false); len(hs) > 0 {
		single, multi := &object{}, &object{}
		for _, h := range hs {
			single.set(h.name, h.values[len(h.values)-1]) // repeated header: the last value, as for query
			multi.set(h.name, h.values)
		}
		headers, multiHeaders = single, multi
	}
	ev.set("headers", headers)
	ev.set("multiValueHeaders", multiHeaders)

	// REC v1-event-with-params-encoding-multi: the single-value map holds the LAST value of a repeated
	// key, the multi-value map all of them in order.
	var query, multiQuery any
	if qs := parseQuery(r.RawQuery); len(qs) > 0 {
		single, multi := &object{}, &object{}
		for _, q := range qs {
			single.set(q.key, q.values[len(q.values)-1])
			multi.set(q.key, q.values)
		}
		query, multiQuery = single, multi
	}
	ev.set("queryStringParameters", query)
	ev.set("multiValueQueryStringParameters", multiQuery)
	ev.set("pathParameters", stringMap(r.PathParameters))
	ev.set("stageVariables", stringMap(r.StageVariables))

	ua := r.userAgent()
	identity := map[string]any{"sourceIp": orNull(r.SourceIP), "userAgent": orNull(ua)}
	if c := r.Caller; c.AccessKey != "" {
		identity["accessKey"], identity["accountId"], identity["caller"] = c.AccessKey, orNull(c.AccountID), orNull(c.Caller)
		identity["user"], identity["userArn"] = orNull(c.User), orNull(c.UserARN)
	}
	order := identityKeyOrder
	if r.APIKey != "" {
		identity["apiKey"], identity["apiKeyId"] = r.APIKey, r.APIKeyID
		order = identityKeyOrderWithKey
	}
	id := &object{}
	for _, k := range order {
		id.set(k, identity[k]) // absent -> null
	}
	rc := map[string]any{
		"resourceId":        r.ResourceID,
		"resourcePath":      r.Resource,
		"httpMethod":        r.Method,
		"extendedRequestId": r.ExtendedRequestID,
		"requestTime":       r.RequestTime.UTC().Format(requestTimeLayout),
		"path":              contextPath,
		"accountId":         r.AccountID,
		"protocol":          r.protocol(),
		"stage":             r.Stage,
		"domainPrefix":      r.domainPrefix(),
		"requestTimeEpoch":  r.RequestTime.UnixMilli(),
		"requestId":         r.RequestID,
		"identity":          id,
		"domainName":        r.DomainName,
		"deploymentId":      r.DeploymentID,
		"apiId":             r.APIID,
	}
	ctx := &object{}
	for _, k := range contextKeyOrder {
		if k == "authorizer" {
			if r.Authorizer != nil { // DOC: present only with an authorizer
				ctx.set(k, r.Authorizer)
			}
			continue
		}
		ctx.set(k, rc[k])
	}
	ev.set("requestContext", ctx)
}

// EventV2 builds the payload-2.0 event of an HTTP API's Lambda integration (reference §e.3). Unlike 1.0,
// empty fields are absent rather than null (the captured 2.0 event of the Lambda developer guide has no
// queryStringParameters, pathParameters, body or stageVariables keys), header names are lower case,
// repeated headers and query keys are joined with ",", Cookie headers become the cookies array (and
// leave headers), and there are no multiValue fields. rawPath and requestContext.http.path are the path
// as received, stage included (as in the captured event, "/default/nodejs-apig-function-..."), and
// requestContext.authentication (mutual TLS only) is never present.
func EventV2(r *Request) ([]byte, error) {
	if r == nil {
		return nil, errors.New("lambdaproxy: nil request")
	}
	routeKey := r.RouteKey
	if routeKey == "" {
		routeKey = "$default"
	}
	rawQuery := r.RawQuery
	if i := strings.IndexByte(rawQuery, '#'); i >= 0 {
		rawQuery = rawQuery[:i]
	}

	ev := &object{}
	ev.set("version", "2.0")
	ev.set("routeKey", routeKey)
	ev.set("rawPath", r.Path)
	ev.set("rawQueryString", rawQuery)

	var cookies []string
	headers := &object{}
	for _, h := range eventHeaders(r, true) {
		if h.name == "cookie" {
			// Each "name=value" pair of every Cookie header is one element.
			for _, line := range h.values {
				for c := range strings.SplitSeq(line, ";") {
					if c = strings.TrimSpace(c); c != "" {
						cookies = append(cookies, c)
					}
				}
			}
			continue
		}
		headers.set(h.name, strings.Join(h.values, ","))
	}
	if len(cookies) > 0 {
		ev.set("cookies", cookies)
	}
	if len(headers.keys) > 0 {
		ev.set("headers", headers)
	}
	if qs := parseQuery(r.RawQuery); len(qs) > 0 {
		q := &object{}
		for _, p := range qs {
			q.set(p.key, strings.Join(p.values, ","))
		}
		ev.set("queryStringParameters", q)
	}

	ctx := &object{}
	ctx.set("accountId", r.AccountID)
	ctx.set("apiId", r.APIID)
	if r.Authorizer != nil {
		ctx.set("authorizer", r.Authorizer)
	}
	ctx.set("domainName", r.DomainName)
	ctx.set("domainPrefix", r.domainPrefix())
	h := &object{}
	h.set("method", r.Method)
	h.set("path", r.Path)
	h.set("protocol", r.protocol())
	h.set("sourceIp", r.SourceIP)
	h.set("userAgent", r.userAgent())
	ctx.set("http", h)
	ctx.set("requestId", r.RequestID)
	ctx.set("routeKey", routeKey)
	ctx.set("stage", r.Stage)
	ctx.set("time", r.RequestTime.UTC().Format(requestTimeLayout))
	ctx.set("timeEpoch", r.RequestTime.UnixMilli())
	ev.set("requestContext", ctx)

	if body, ok := r.body(); ok {
		ev.set("body", body)
	}
	if p := stringMap(r.PathParameters); p != nil {
		ev.set("pathParameters", p)
	}
	// HTTP APIs decide isBase64Encoded from the content type themselves, with or without a body (the
	// captured GET event has true); the caller's decision is passed through as is.
	ev.set("isBase64Encoded", r.IsBase64)
	if s := stringMap(r.StageVariables); s != nil {
		ev.set("stageVariables", s)
	}

	w := newJSONWriter()
	if err := w.write(ev); err != nil {
		return nil, err
	}
	return w.buf.Bytes(), nil
}
