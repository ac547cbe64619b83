package lambdaproxy

import (
	"cmp"
	"encoding/base64"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

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
	// HTTPAPI makes the payload 1.0 event an HTTP API's (reference §j.4): "version": "1.0" first, header
	// names in lower case, resourceId null, and requestContext.authorizer {"claims": null, "scopes":
	// null} without an authorizer.
	HTTPAPI bool
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

// eventHeader is one header of the event with all its values, under the name the event shows (in 2.0
// the name is lower-cased as it is written). values is nil when the header has the one value value; it
// shares the request's slice until a merge appends to it, which copies.
type eventHeader struct {
	name   string
	value  string
	values []string
}

func (h *eventHeader) count() int {
	if h.values == nil {
		return 1
	}
	return len(h.values)
}

func (h *eventHeader) last() string {
	if h.values == nil {
		return h.value
	}
	return h.values[len(h.values)-1]
}

// all returns the values; for a single value it uses one, a caller's array, so as not to allocate.
func (h *eventHeader) all(one *[1]string) []string {
	if h.values == nil {
		one[0] = h.value
		return one[:]
	}
	return h.values
}

// linearNames is how many header names or query keys are looked up by scanning before a map is built:
// cheaper for the dozen a request has, and still linear for a request with thousands.
const linearNames = 32

// eventHeaders computes the headers of the event into out: dropped ones removed, names spelled as AWS
// spells them, names that differ only in case merged (first spelling kept, values in order), the
// gateway's own headers set, and the result sorted case-insensitively (the order of both captured AWS
// events). For 2.0 names are lower case and Content-Length is kept (the Lambda developer guide's
// captured 2.0 event has "content-length"; it is a 1.0-only drop as far as the evidence goes). Names
// compare as strings.ToLower makes them, without allocating for ASCII names.
func eventHeaders(out []eventHeader, r *Request, v2 bool) []eventHeader {
	var keyBuf [linearNames]string
	keys := keyBuf[:0]
	for k := range r.Header {
		keys = append(keys, k)
	}
	slices.Sort(keys) // map order must not leak into the merge order

	var index map[string]int // lower-case name -> position in out, once out is long
	find := func(name string) int {
		if index != nil {
			if i, ok := index[strings.ToLower(name)]; ok {
				return i
			}
			return -1
		}
		for i := range out {
			if lowerEqual(out[i].name, name) {
				return i
			}
		}
		return -1
	}
	appendEntry := func(h eventHeader) {
		out = append(out, h)
		if index != nil {
			index[strings.ToLower(h.name)] = len(out) - 1
		} else if len(out) > linearNames {
			index = make(map[string]int, 2*len(out))
			for i := range out {
				index[strings.ToLower(out[i].name)] = i
			}
		}
	}
	set := func(name, value string) { // a gateway header replaces the client's
		if i := find(name); i >= 0 {
			out[i] = eventHeader{name: name, value: value}
			return
		}
		appendEntry(eventHeader{name: name, value: value})
	}

	for _, k := range keys {
		values := r.Header[k]
		if len(values) == 0 || !(v2 && lowerEqual(k, "content-length")) && lowerLookup(droppedHeaders, k) {
			continue
		}
		name := k
		if !v2 {
			if c := lowerLookup(canonicalHeaders, k); c != "" {
				name = c
			} else {
				for _, n := range r.HeaderNames {
					if canonicalEqual(n, k) {
						name = n
						break
					}
				}
			}
		}
		if i := find(name); i >= 0 {
			h := &out[i]
			if h.values == nil {
				h.values = []string{h.value}
			}
			h.values = append(h.values[:len(h.values):len(h.values)], values...)
			continue
		}
		h := eventHeader{name: name, values: values}
		if len(values) == 1 {
			h = eventHeader{name: name, value: values[0]}
		}
		appendEntry(h)
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
		if i := find(hdrForwardedFor); i >= 0 {
			var one [1]string
			xff = strings.Join(out[i].all(&one), ", ") + ", " + r.SourceIP
		}
		set(hdrForwardedFor, xff)
	}
	set(hdrForwardedPort, "443")
	set(hdrForwardedProto, "https")
	if v2 && len(r.Body) == 0 && find("content-length") < 0 {
		// An HTTP API states an empty body's length (AWS's published GET event has content-length 0).
		appendEntry(eventHeader{name: "content-length", value: "0"})
	}

	slices.SortStableFunc(out, func(a, b eventHeader) int { return lowerCompare(a.name, b.name) })
	return out
}

// isASCII reports whether s has only ASCII bytes, for which strings.ToLower is plain ASCII folding.
func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func lowerByte(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// lowerEqual reports strings.ToLower(a) == strings.ToLower(b). While both are ASCII the bytes decide:
// an ASCII prefix lower-cases to itself, so the first ASCII difference is a difference of the results.
func lowerEqual(a, b string) bool {
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		ca, cb := a[i], b[i]
		if ca|cb >= utf8.RuneSelf {
			return strings.ToLower(a) == strings.ToLower(b)
		}
		if lowerByte(ca) != lowerByte(cb) {
			return false
		}
	}
	if len(a) == len(b) {
		return true
	}
	if isASCII(a[n:]) && isASCII(b[n:]) {
		return false
	}
	return strings.ToLower(a) == strings.ToLower(b) // "K" (Kelvin sign) lower-cases to "k"
}

// lowerCompare is strings.Compare(strings.ToLower(a), strings.ToLower(b)), decided by the bytes as
// lowerEqual is.
func lowerCompare(a, b string) int {
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		ca, cb := a[i], b[i]
		if ca|cb >= utf8.RuneSelf {
			return strings.Compare(strings.ToLower(a), strings.ToLower(b))
		}
		if ca, cb = lowerByte(ca), lowerByte(cb); ca != cb {
			return cmp.Compare(ca, cb)
		}
	}
	if isASCII(a[n:]) && isASCII(b[n:]) {
		return cmp.Compare(len(a), len(b))
	}
	return strings.Compare(strings.ToLower(a), strings.ToLower(b))
}

// lowerLookup is m[strings.ToLower(name)], lower-casing short ASCII names on the stack.
func lowerLookup[V any](m map[string]V, name string) V {
	var buf [32]byte
	if len(name) > len(buf) || !isASCII(name) {
		return m[strings.ToLower(name)]
	}
	b := buf[:len(name)]
	for i := range b {
		b[i] = lowerByte(name[i])
	}
	return m[string(b)]
}

// canonicalEqual reports http.CanonicalHeaderKey(a) == http.CanonicalHeaderKey(b) without building
// either: a name with a byte that is not a token character is left as it is, any other is folded to
// upper case at its start and after each "-", lower case elsewhere.
func canonicalEqual(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	ta, tb := isToken(a), isToken(b)
	if !ta || !tb {
		return ta == tb && a == b // a canonical token never equals a name with a non-token byte
	}
	upper := true
	for i := 0; i < len(a); i++ {
		ca, cb := a[i], b[i]
		if upper {
			ca, cb = upperByte(ca), upperByte(cb)
		} else {
			ca, cb = lowerByte(ca), lowerByte(cb)
		}
		if ca != cb {
			return false
		}
		upper = ca == '-'
	}
	return true
}

func upperByte(c byte) byte {
	if 'a' <= c && c <= 'z' {
		return c - ('a' - 'A')
	}
	return c
}

// isToken reports whether every byte of s is an HTTP token character (RFC 9110 §5.6.2), the test
// net/textproto applies before canonicalizing.
func isToken(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0) {
			return false
		}
	}
	return true
}

// queryParam is one query-string key with its decoded values in request order (values nil: the one
// value value).
type queryParam struct {
	key    string
	value  string
	values []string
}

func (q *queryParam) last() string {
	if q.values == nil {
		return q.value
	}
	return q.values[len(q.values)-1]
}

// parseQuery splits a raw query string on "&" (not ";": AWS does not treat it as a separator), decodes
// keys and values ("+" is a space, REC v1-event-with-params-encoding) and groups values by key in order
// of first appearance, into out. Empty pieces ("a=1&&b=2") are skipped; a key without "=" has the value
// "".
func parseQuery(out []queryParam, raw string) []queryParam {
	if i := strings.IndexByte(raw, '#'); i >= 0 { // REC: the fragment never reaches AWS
		raw = raw[:i]
	}
	var index map[string]int // once there are many keys
	for piece := range strings.SplitSeq(raw, "&") {
		if piece == "" {
			continue
		}
		k, v, _ := strings.Cut(piece, "=")
		k, v = queryUnescape(k), queryUnescape(v)
		i := -1
		if index != nil {
			if j, ok := index[k]; ok {
				i = j
			}
		} else {
			for j := range out {
				if out[j].key == k {
					i = j
					break
				}
			}
		}
		if i >= 0 {
			q := &out[i]
			if q.values == nil {
				q.values = append(make([]string, 0, 4), q.value)
			}
			q.values = append(q.values, v)
			continue
		}
		out = append(out, queryParam{key: k, value: v})
		if index != nil {
			index[k] = len(out) - 1
		} else if len(out) > linearNames {
			index = make(map[string]int, 2*len(out))
			for j := range out {
				index[out[j].key] = j
			}
		}
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
// Both are slices of full whenever it starts with a slash.
func stagePaths(full, stage string) (path, contextPath string) {
	contextPath = slashed(full)
	trimmed := contextPath[1:]
	if stage != "" && (trimmed == stage || strings.HasPrefix(trimmed, stage+"/")) {
		return slashed(trimmed[len(stage):]), contextPath
	}
	return contextPath, contextPath
}

// slashed is "/" + strings.TrimLeft(s, "/"), a slice of s when s starts with a slash.
func slashed(s string) string {
	i := 0
	for i < len(s) && s[i] == '/' {
		i++
	}
	if i > 0 {
		return s[i-1:]
	}
	return "/" + s
}

// appendStringMap writes a string map with sorted keys, or null when empty: AWS sends null, never {},
// for every empty map of a 1.0 event (REC: all v1-event vectors).
func appendStringMap(dst []byte, m map[string]string) []byte {
	if len(m) == 0 {
		return append(dst, "null"...)
	}
	var keyBuf [16]string
	dst = append(dst, '{')
	for i, k := range sortedKeys(m, keyBuf[:0]) {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendString(dst, k)
		dst = append(dst, ':')
		dst = appendString(dst, m[k])
	}
	return append(dst, '}')
}

// appendOrNull writes s, or JSON null when s is empty (identity fields: REC, all v1-event vectors).
func appendOrNull(dst []byte, s string) []byte {
	if s == "" {
		return append(dst, "null"...)
	}
	return appendString(dst, s)
}

// appendKey writes "key": after a comma unless the object has just been opened.
func appendKey(dst []byte, key string) []byte {
	if c := dst[len(dst)-1]; c != '{' {
		dst = append(dst, ',')
	}
	dst = append(dst, '"')
	dst = append(dst, key...) // keys are constants that need no escaping
	return append(dst, '"', ':')
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

// appendBody writes the event body: raw text, or base64 for a binary body; ok is false (nothing written)
// without a body.
func (r *Request) appendBody(dst []byte) (_ []byte, ok bool) {
	if len(r.Body) == 0 {
		return dst, false
	}
	if r.IsBase64 {
		dst = append(dst, '"')
		dst = base64.StdEncoding.AppendEncode(dst, r.Body) // the alphabet needs no escaping
		return append(dst, '"'), true
	}
	return appendString(dst, r.Body), true
}

// appendTime writes t as AWS's requestTime (its digits, letters and punctuation need no escaping).
func appendTime(dst []byte, t time.Time) []byte {
	dst = append(dst, '"')
	dst = t.UTC().AppendFormat(dst, requestTimeLayout)
	return append(dst, '"')
}

// sizeHint is a first capacity for an event of r: the fixed part (requestContext, an authorizer's
// claims) plus what grows with the request
// (header and query text twice for 1.0's two maps, base64's third more for a binary body).
func sizeHint(r *Request) int {
	n := 2048 + 2*(len(r.Path)+len(r.RawQuery)) + len(r.Body)*4/3
	for k, vs := range r.Header {
		for _, v := range vs {
			n += 2 * (len(k) + len(v) + 6)
		}
	}
	return n
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
	ev, err := AppendEventV1(make([]byte, 0, sizeHint(r)), r)
	if err != nil {
		return nil, err
	}
	return ev, nil
}

// AppendEventV1 is EventV1 appended to dst, so that the caller can reuse a buffer. On error dst is
// returned as it was.
func AppendEventV1(dst []byte, r *Request) ([]byte, error) {
	if r == nil {
		return dst, errors.New("lambdaproxy: nil request")
	}
	start := len(dst)
	dst = append(dst, '{')
	if r.HTTPAPI {
		dst = appendKey(dst, "version")
		dst = appendString(dst, "1.0")
	}
	ev, err := appendEventV1Request(dst, r)
	if err != nil {
		return dst[:start], err
	}
	dst = ev
	// REC: no body is null (GET, and v1-event-headers-dropped); an empty body is no body.
	dst = appendKey(dst, "body")
	dst, ok := r.appendBody(dst)
	if !ok {
		dst = append(dst, "null"...)
	}
	dst = appendKey(dst, "isBase64Encoded")
	dst = strconv.AppendBool(dst, ok && r.IsBase64)
	return append(dst, '}'), nil
}

// RequestAuthorizerEvent builds the event of a REQUEST Lambda authorizer (reference §d): type and
// methodArn, then the method request as the payload-1.0 proxy event carries it, without the body.
func RequestAuthorizerEvent(r *Request, methodARN string) ([]byte, error) {
	if r == nil {
		return nil, errors.New("lambdaproxy: nil request")
	}
	dst := make([]byte, 0, sizeHint(r))
	dst = append(dst, '{')
	dst = appendKey(dst, "type")
	dst = appendString(dst, "REQUEST")
	dst = appendKey(dst, "methodArn")
	dst = appendString(dst, methodARN)
	dst, err := appendEventV1Request(dst, r)
	if err != nil {
		return nil, err
	}
	return append(dst, '}'), nil
}

// appendEventV1Request writes the payload-1.0 members that describe the method request, body excepted.
func appendEventV1Request(dst []byte, r *Request) ([]byte, error) {
	path, contextPath := stagePaths(r.Path, r.Stage)
	dst = appendKey(dst, "resource")
	dst = appendString(dst, r.Resource)
	dst = appendKey(dst, "path")
	dst = appendString(dst, path)
	dst = appendKey(dst, "httpMethod")
	dst = appendString(dst, r.Method)

	var headerBuf [24]eventHeader
	hs := eventHeaders(headerBuf[:0], r, false)
	dst = appendKey(dst, "headers")
	if len(hs) == 0 {
		dst = append(dst, "null"...)
	} else {
		dst = append(dst, '{')
		for i := range hs {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendHeaderName(dst, hs[i].name, r.HTTPAPI)
			dst = append(dst, ':')
			dst = appendString(dst, hs[i].last()) // repeated header: the last value, as for query
		}
		dst = append(dst, '}')
	}
	dst = appendKey(dst, "multiValueHeaders")
	if len(hs) == 0 {
		dst = append(dst, "null"...)
	} else {
		dst = append(dst, '{')
		for i := range hs {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendHeaderName(dst, hs[i].name, r.HTTPAPI)
			dst = append(dst, ':')
			var one [1]string
			dst = appendStrings(dst, hs[i].all(&one))
		}
		dst = append(dst, '}')
	}

	// REC v1-event-with-params-encoding-multi: the single-value map holds the LAST value of a repeated
	// key, the multi-value map all of them in order.
	var queryBuf [16]queryParam
	qs := parseQuery(queryBuf[:0], r.RawQuery)
	dst = appendKey(dst, "queryStringParameters")
	if len(qs) == 0 {
		dst = append(dst, "null"...)
	} else {
		dst = append(dst, '{')
		for i := range qs {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendString(dst, qs[i].key)
			dst = append(dst, ':')
			dst = appendString(dst, qs[i].last())
		}
		dst = append(dst, '}')
	}
	dst = appendKey(dst, "multiValueQueryStringParameters")
	if len(qs) == 0 {
		dst = append(dst, "null"...)
	} else {
		dst = append(dst, '{')
		for i := range qs {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendString(dst, qs[i].key)
			dst = append(dst, ':')
			if qs[i].values == nil {
				dst = append(dst, '[')
				dst = appendString(dst, qs[i].value)
				dst = append(dst, ']')
			} else {
				dst = appendStrings(dst, qs[i].values)
			}
		}
		dst = append(dst, '}')
	}
	dst = appendKey(dst, "pathParameters")
	dst = appendStringMap(dst, r.PathParameters)
	dst = appendKey(dst, "stageVariables")
	dst = appendStringMap(dst, r.StageVariables)

	dst = appendKey(dst, "requestContext")
	dst = append(dst, '{')
	for _, k := range contextKeyOrder {
		switch k {
		case "authorizer":
			if r.Authorizer == nil && r.HTTPAPI {
				dst = appendKey(dst, k)
				dst = append(dst, `{"claims":null,"scopes":null}`...)
				continue
			}
			if r.Authorizer == nil { // DOC: present only with an authorizer
				continue
			}
			dst = appendKey(dst, k)
			var err error
			if dst, err = appendValue(dst, r.Authorizer, 0); err != nil {
				return nil, err
			}
			continue
		case "identity":
			dst = appendKey(dst, k)
			dst = appendIdentity(dst, r)
			continue
		case "requestTime":
			dst = appendKey(dst, k)
			dst = appendTime(dst, r.RequestTime)
			continue
		case "requestTimeEpoch":
			dst = appendKey(dst, k)
			dst = strconv.AppendInt(dst, r.RequestTime.UnixMilli(), 10)
			continue
		}
		if k == "resourceId" && r.HTTPAPI { // HTTP APIs have routes, not resources
			dst = appendKey(dst, k)
			dst = append(dst, "null"...)
			continue
		}
		var v string
		switch k {
		case "resourceId":
			v = r.ResourceID
		case "resourcePath":
			v = r.Resource
		case "httpMethod":
			v = r.Method
		case "extendedRequestId":
			v = r.ExtendedRequestID
		case "path":
			v = contextPath
		case "accountId":
			v = r.AccountID
		case "protocol":
			v = r.protocol()
		case "stage":
			v = r.Stage
		case "domainPrefix":
			v = r.domainPrefix()
		case "requestId":
			v = r.RequestID
		case "domainName":
			v = r.DomainName
		case "deploymentId":
			v = r.DeploymentID
		case "apiId":
			v = r.APIID
		}
		dst = appendKey(dst, k)
		dst = appendString(dst, v)
	}
	return append(dst, '}'), nil
}

// appendHeaderName writes a header name as the client spelled it, or in lower case for an HTTP API.
func appendHeaderName(dst []byte, name string, lower bool) []byte {
	if lower {
		return appendLowerString(dst, name)
	}
	return appendString(dst, name)
}

// appendIdentity writes requestContext.identity: the fields the gateway knows, null for the others.
func appendIdentity(dst []byte, r *Request) []byte {
	order := identityKeyOrder
	if r.APIKey != "" {
		order = identityKeyOrderWithKey
	}
	c := r.Caller
	signed := c.AccessKey != ""
	dst = append(dst, '{')
	for _, k := range order {
		dst = appendKey(dst, k)
		switch {
		case k == "sourceIp":
			dst = appendOrNull(dst, r.SourceIP)
		case k == "userAgent":
			dst = appendOrNull(dst, r.userAgent())
		case k == "apiKey":
			dst = appendString(dst, r.APIKey)
		case k == "apiKeyId":
			dst = appendString(dst, r.APIKeyID)
		case signed && k == "accessKey":
			dst = appendString(dst, c.AccessKey)
		case signed && k == "accountId":
			dst = appendOrNull(dst, c.AccountID)
		case signed && k == "caller":
			dst = appendOrNull(dst, c.Caller)
		case signed && k == "user":
			dst = appendOrNull(dst, c.User)
		case signed && k == "userArn":
			dst = appendOrNull(dst, c.UserARN)
		default:
			dst = append(dst, "null"...)
		}
	}
	return append(dst, '}')
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
	ev, err := AppendEventV2(make([]byte, 0, sizeHint(r)), r)
	if err != nil {
		return nil, err
	}
	return ev, nil
}

// AppendEventV2 is EventV2 appended to dst. On error dst is returned as it was.
func AppendEventV2(dst []byte, r *Request) ([]byte, error) {
	if r == nil {
		return dst, errors.New("lambdaproxy: nil request")
	}
	start := len(dst)
	routeKey := r.RouteKey
	if routeKey == "" {
		routeKey = "$default"
	}
	rawQuery := r.RawQuery
	if i := strings.IndexByte(rawQuery, '#'); i >= 0 {
		rawQuery = rawQuery[:i]
	}

	dst = append(dst, '{')
	dst = appendKey(dst, "version")
	dst = appendString(dst, "2.0")
	dst = appendKey(dst, "routeKey")
	dst = appendString(dst, routeKey)
	dst = appendKey(dst, "rawPath")
	dst = appendString(dst, r.Path)
	dst = appendKey(dst, "rawQueryString")
	dst = appendString(dst, rawQuery)

	var headerBuf [24]eventHeader
	hs := eventHeaders(headerBuf[:0], r, true)
	// Each "name=value" pair of every Cookie header is one element of cookies; the rest are headers.
	cookies := 0
	for i := range hs {
		if !lowerEqual(hs[i].name, "cookie") {
			continue
		}
		var one [1]string
		for _, line := range hs[i].all(&one) {
			for c := range strings.SplitSeq(line, ";") {
				if c = strings.TrimSpace(c); c != "" {
					if cookies == 0 {
						dst = appendKey(dst, "cookies")
						dst = append(dst, '[')
					} else {
						dst = append(dst, ',')
					}
					dst = appendString(dst, c)
					cookies++
				}
			}
		}
	}
	if cookies > 0 {
		dst = append(dst, ']')
	}
	headers := 0
	for i := range hs {
		if lowerEqual(hs[i].name, "cookie") {
			continue
		}
		if headers == 0 {
			dst = appendKey(dst, "headers")
			dst = append(dst, '{')
		} else {
			dst = append(dst, ',')
		}
		dst = appendLowerString(dst, hs[i].name)
		dst = append(dst, ':')
		var one [1]string
		dst = appendJoined(dst, hs[i].all(&one))
		headers++
	}
	if headers > 0 {
		dst = append(dst, '}')
	}
	var queryBuf [16]queryParam
	if qs := parseQuery(queryBuf[:0], r.RawQuery); len(qs) > 0 {
		dst = appendKey(dst, "queryStringParameters")
		dst = append(dst, '{')
		for i := range qs {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendString(dst, qs[i].key)
			dst = append(dst, ':')
			if qs[i].values == nil {
				dst = appendString(dst, qs[i].value)
			} else {
				dst = appendJoined(dst, qs[i].values)
			}
		}
		dst = append(dst, '}')
	}

	dst = appendKey(dst, "requestContext")
	dst = append(dst, '{')
	dst = appendKey(dst, "accountId")
	dst = appendString(dst, r.AccountID)
	dst = appendKey(dst, "apiId")
	dst = appendString(dst, r.APIID)
	if r.Authorizer != nil {
		dst = appendKey(dst, "authorizer")
		ev, err := appendValue(dst, r.Authorizer, 0)
		if err != nil {
			return dst[:start], err
		}
		dst = ev
	}
	dst = appendKey(dst, "domainName")
	dst = appendString(dst, r.DomainName)
	dst = appendKey(dst, "domainPrefix")
	dst = appendString(dst, r.domainPrefix())
	dst = appendKey(dst, "http")
	dst = append(dst, '{')
	dst = appendKey(dst, "method")
	dst = appendString(dst, r.Method)
	dst = appendKey(dst, "path")
	dst = appendString(dst, r.Path)
	dst = appendKey(dst, "protocol")
	dst = appendString(dst, r.protocol())
	dst = appendKey(dst, "sourceIp")
	dst = appendString(dst, r.SourceIP)
	dst = appendKey(dst, "userAgent")
	dst = appendString(dst, r.userAgent())
	dst = append(dst, '}')
	dst = appendKey(dst, "requestId")
	dst = appendString(dst, r.RequestID)
	dst = appendKey(dst, "routeKey")
	dst = appendString(dst, routeKey)
	dst = appendKey(dst, "stage")
	dst = appendString(dst, r.Stage)
	dst = appendKey(dst, "time")
	dst = appendTime(dst, r.RequestTime)
	dst = appendKey(dst, "timeEpoch")
	dst = strconv.AppendInt(dst, r.RequestTime.UnixMilli(), 10)
	dst = append(dst, '}')

	if len(r.Body) > 0 {
		dst = appendKey(dst, "body")
		dst, _ = r.appendBody(dst)
	}
	if len(r.PathParameters) > 0 {
		dst = appendKey(dst, "pathParameters")
		dst = appendStringMap(dst, r.PathParameters)
	}
	// HTTP APIs decide isBase64Encoded from the content type themselves, with or without a body (the
	// captured GET event has true); the caller's decision is passed through as is.
	dst = appendKey(dst, "isBase64Encoded")
	dst = strconv.AppendBool(dst, r.IsBase64)
	if len(r.StageVariables) > 0 {
		dst = appendKey(dst, "stageVariables")
		dst = appendStringMap(dst, r.StageVariables)
	}
	return append(dst, '}'), nil
}
