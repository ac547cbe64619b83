package lambdaproxy

// The implementations this package had before events were appended into a reused buffer and results
// were read in one pass, kept as the oracles of FuzzEventEquivalence and FuzzResponseEquivalence: the
// fast code must produce the same bytes, results and error texts.

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// headerEntry is one header of the event with all its values, under the name the event shows.
type oracleHeaderEntry struct {
	name   string
	values []string
}

// eventHeaders computes the headers of the event: dropped ones removed, names spelled as AWS spells them,
// names that differ only in case merged (first spelling kept, values in order), the gateway's own headers
// set, and the result sorted case-insensitively (the order of both captured AWS events). For 2.0 names
// are lower case and Content-Length is kept (the Lambda developer guide's captured 2.0 event has
// "content-length"; it is a 1.0-only drop as far as the evidence goes).
func oracleEventHeaders(r *Request, v2 bool) []oracleHeaderEntry {
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
	var out []oracleHeaderEntry
	add := func(name string, values ...string) {
		lower := strings.ToLower(name)
		if i, ok := index[lower]; ok {
			out[i].values = append(out[i].values, values...)
			return
		}
		index[lower] = len(out)
		out = append(out, oracleHeaderEntry{name, append([]string(nil), values...)})
	}
	set := func(name string, value string) { // a gateway header replaces the client's
		lower := strings.ToLower(name)
		if v2 {
			name = lower
		}
		if i, ok := index[lower]; ok {
			out[i] = oracleHeaderEntry{name, []string{value}}
			return
		}
		index[lower] = len(out)
		out = append(out, oracleHeaderEntry{name, []string{value}})
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
	if _, ok := index["content-length"]; v2 && len(r.Body) == 0 && !ok {
		out = append(out, oracleHeaderEntry{"content-length", []string{"0"}})
	}

	sort.SliceStable(out, func(i, j int) bool {
		return strings.ToLower(out[i].name) < strings.ToLower(out[j].name)
	})
	return out
}

// queryParam is one query-string key with its decoded values in request order.
type oracleQueryParam struct {
	key    string
	values []string
}

// parseQuery splits a raw query string on "&" (not ";": AWS does not treat it as a separator), decodes
// keys and values ("+" is a space, REC v1-event-with-params-encoding) and groups values by key in order
// of first appearance. Empty pieces ("a=1&&b=2") are skipped; a key without "=" has the value "".
func oracleParseQuery(raw string) []oracleQueryParam {
	if i := strings.IndexByte(raw, '#'); i >= 0 { // REC: the fragment never reaches AWS
		raw = raw[:i]
	}
	var out []oracleQueryParam
	index := map[string]int{}
	for piece := range strings.SplitSeq(raw, "&") {
		if piece == "" {
			continue
		}
		k, v, _ := strings.Cut(piece, "=")
		k, v = oracleQueryUnescape(k), oracleQueryUnescape(v)
		if i, ok := index[k]; ok {
			out[i].values = append(out[i].values, v)
			continue
		}
		index[k] = len(out)
		out = append(out, oracleQueryParam{k, []string{v}})
	}
	return out
}

// queryUnescape decodes "+" and %XX. A malformed escape ("%zz", a trailing "%") is kept literally rather
// than failing the request: the event must be built for whatever a client sends (reference is silent).
func oracleQueryUnescape(s string) string {
	if !strings.ContainsAny(s, "+%") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '+':
			b.WriteByte(' ')
		case c == '%' && i+2 < len(s) && oracleIsHex(s[i+1]) && oracleIsHex(s[i+2]):
			b.WriteByte(oracleUnhex(s[i+1])<<4 | oracleUnhex(s[i+2]))
			i += 2
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func oracleIsHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func oracleUnhex(c byte) byte {
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
func oracleStagePaths(full, stage string) (path, contextPath string) {
	trimmed := strings.TrimLeft(full, "/")
	contextPath = "/" + trimmed
	if stage != "" && (trimmed == stage || strings.HasPrefix(trimmed, stage+"/")) {
		return "/" + strings.TrimLeft(trimmed[len(stage):], "/"), contextPath
	}
	return contextPath, contextPath
}

// stringMap writes a string map with sorted keys, or null when empty: AWS sends null, never {}, for
// every empty map of a 1.0 event (REC: all v1-event vectors).
func oracleStringMap(m map[string]string) any {
	if len(m) == 0 {
		return nil
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	o := &oracleObject{}
	for _, k := range keys {
		o.set(k, m[k])
	}
	return o
}

// orNull is s, or JSON null when s is empty (identity fields: REC, all v1-event vectors).
func oracleOrNull(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// EventV1 builds the payload-1.0 event of a REST API's AWS_PROXY integration (reference §e.1). The
// integration's requestParameters are not applied: AWS ignores them for AWS_PROXY (REC
// v1-event-requestparameters-ignored), so Request carries the method request only. The error is only
// for an Authorizer that cannot be written as JSON.
func oracleEventV1(r *Request) ([]byte, error) {
	if r == nil {
		return nil, errors.New("lambdaproxy: nil request")
	}
	ev := &oracleObject{}
	if r.HTTPAPI {
		ev.set("version", "1.0")
	}
	oracleEventV1Request(ev, r)

	// REC: no body is null (GET, and v1-event-headers-dropped); an empty body is no body.
	body, ok := oracleRequestBody(r)
	if ok {
		ev.set("body", body)
	} else {
		ev.set("body", nil)
	}
	ev.set("isBase64Encoded", ok && r.IsBase64)

	w := oracleNewJSONWriter()
	if err := w.write(ev); err != nil {
		return nil, err
	}
	return w.buf.Bytes(), nil
}

// RequestAuthorizerEvent builds the event of a REQUEST Lambda authorizer (reference §d): type and
// methodArn, then the method request as the payload-1.0 proxy event carries it, without the body.
func oracleRequestAuthorizerEvent(r *Request, methodARN string) ([]byte, error) {
	if r == nil {
		return nil, errors.New("lambdaproxy: nil request")
	}
	ev := &oracleObject{}
	ev.set("type", "REQUEST")
	ev.set("methodArn", methodARN)
	oracleEventV1Request(ev, r)
	w := oracleNewJSONWriter()
	if err := w.write(ev); err != nil {
		return nil, err
	}
	return w.buf.Bytes(), nil
}

// eventV1Request sets the payload-1.0 fields that describe the method request, body excepted.
func oracleEventV1Request(ev *oracleObject, r *Request) {
	path, contextPath := oracleStagePaths(r.Path, r.Stage)
	ev.set("resource", r.Resource)
	ev.set("path", path)
	ev.set("httpMethod", r.Method)

	var headers, multiHeaders any
	if hs := oracleEventHeaders(r, false); len(hs) > 0 {
		single, multi := &oracleObject{}, &oracleObject{}
		for _, h := range hs {
			name := h.name
			if r.HTTPAPI {
				name = strings.ToLower(name)
			}
			single.set(name, h.values[len(h.values)-1]) // repeated header: the last value, as for query
			multi.set(name, h.values)
		}
		headers, multiHeaders = single, multi
	}
	ev.set("headers", headers)
	ev.set("multiValueHeaders", multiHeaders)

	// REC v1-event-with-params-encoding-multi: the single-value map holds the LAST value of a repeated
	// key, the multi-value map all of them in order.
	var query, multiQuery any
	if qs := oracleParseQuery(r.RawQuery); len(qs) > 0 {
		single, multi := &oracleObject{}, &oracleObject{}
		for _, q := range qs {
			single.set(q.key, q.values[len(q.values)-1])
			multi.set(q.key, q.values)
		}
		query, multiQuery = single, multi
	}
	ev.set("queryStringParameters", query)
	ev.set("multiValueQueryStringParameters", multiQuery)
	ev.set("pathParameters", oracleStringMap(r.PathParameters))
	ev.set("stageVariables", oracleStringMap(r.StageVariables))

	ua := r.userAgent()
	identity := map[string]any{"sourceIp": oracleOrNull(r.SourceIP), "userAgent": oracleOrNull(ua)}
	if c := r.Caller; c.AccessKey != "" {
		identity["accessKey"], identity["accountId"], identity["caller"] = c.AccessKey, oracleOrNull(c.AccountID), oracleOrNull(c.Caller)
		identity["user"], identity["userArn"] = oracleOrNull(c.User), oracleOrNull(c.UserARN)
	}
	order := identityKeyOrder
	if r.APIKey != "" {
		identity["apiKey"], identity["apiKeyId"] = r.APIKey, r.APIKeyID
		order = identityKeyOrderWithKey
	}
	id := &oracleObject{}
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
	if r.HTTPAPI {
		rc["resourceId"] = nil
	}
	ctx := &oracleObject{}
	for _, k := range contextKeyOrder {
		if k == "authorizer" {
			switch {
			case r.Authorizer != nil:
				ctx.set(k, r.Authorizer)
			case r.HTTPAPI: // an HTTP API's 1.0 event names the JWT fields even without an authorizer
				a := &oracleObject{}
				a.set("claims", nil)
				a.set("scopes", nil)
				ctx.set(k, a)
			}
			continue // DOC: a REST event has it only with an authorizer
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
func oracleEventV2(r *Request) ([]byte, error) {
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

	ev := &oracleObject{}
	ev.set("version", "2.0")
	ev.set("routeKey", routeKey)
	ev.set("rawPath", r.Path)
	ev.set("rawQueryString", rawQuery)

	var cookies []string
	headers := &oracleObject{}
	for _, h := range oracleEventHeaders(r, true) {
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
	if qs := oracleParseQuery(r.RawQuery); len(qs) > 0 {
		q := &oracleObject{}
		for _, p := range qs {
			q.set(p.key, strings.Join(p.values, ","))
		}
		ev.set("queryStringParameters", q)
	}

	ctx := &oracleObject{}
	ctx.set("accountId", r.AccountID)
	ctx.set("apiId", r.APIID)
	if r.Authorizer != nil {
		ctx.set("authorizer", r.Authorizer)
	}
	ctx.set("domainName", r.DomainName)
	ctx.set("domainPrefix", r.domainPrefix())
	h := &oracleObject{}
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

	if body, ok := oracleRequestBody(r); ok {
		ev.set("body", body)
	}
	if p := oracleStringMap(r.PathParameters); p != nil {
		ev.set("pathParameters", p)
	}
	// HTTP APIs decide isBase64Encoded from the content type themselves, with or without a body (the
	// captured GET event has true); the caller's decision is passed through as is.
	ev.set("isBase64Encoded", r.IsBase64)
	if s := oracleStringMap(r.StageVariables); s != nil {
		ev.set("stageVariables", s)
	}

	w := oracleNewJSONWriter()
	if err := w.write(ev); err != nil {
		return nil, err
	}
	return w.buf.Bytes(), nil
}

// object is a JSON object that keeps its keys in the order they were set. AWS's events have a fixed key
// order (see EventV1) that a Go map, always marshalled sorted, cannot express.
type oracleObject struct {
	keys []string
	vals []any
}

func (o *oracleObject) set(k string, v any) {
	o.keys = append(o.keys, k)
	o.vals = append(o.vals, v)
}

// jsonWriter writes the values the events are made of. Strings go through encoding/json with HTML
// escaping off: AWS writes <, > and & literally, Go's default would write \u003c.
type oracleJsonWriter struct {
	buf bytes.Buffer
	enc *json.Encoder
}

func oracleNewJSONWriter() *oracleJsonWriter {
	w := &oracleJsonWriter{}
	w.enc = json.NewEncoder(&w.buf)
	w.enc.SetEscapeHTML(false)
	return w
}

// encode writes v with encoding/json (no HTML escaping) and drops the newline Encoder adds.
func (w *oracleJsonWriter) encode(v any) error {
	if err := w.enc.Encode(v); err != nil {
		return err
	}
	w.buf.Truncate(w.buf.Len() - 1)
	return nil
}

func (w *oracleJsonWriter) write(v any) error {
	switch x := v.(type) {
	case nil:
		w.buf.WriteString("null")
	case *oracleObject:
		if x == nil {
			w.buf.WriteString("null")
			return nil
		}
		w.buf.WriteByte('{')
		for i, k := range x.keys {
			if i > 0 {
				w.buf.WriteByte(',')
			}
			w.str(k)
			w.buf.WriteByte(':')
			if err := w.write(x.vals[i]); err != nil {
				return err
			}
		}
		w.buf.WriteByte('}')
	case bool:
		w.buf.WriteString(strconv.FormatBool(x))
	case int64:
		w.buf.WriteString(strconv.FormatInt(x, 10))
	case []string:
		w.buf.WriteByte('[')
		for i, s := range x {
			if i > 0 {
				w.buf.WriteByte(',')
			}
			w.str(s)
		}
		w.buf.WriteByte(']')
	case string:
		w.str(x)
	default: // caller-supplied values such as the authorizer context
		return w.encode(x)
	}
	return nil
}

// member is one member of a JSON object, its value left raw.
type oracleMember struct {
	key string
	val json.RawMessage
}

// members decodes the JSON object raw into its members in document order, duplicates included (callers
// decide what a duplicate means). It fails when raw is not exactly one JSON object.
func oracleMembers(raw []byte) ([]oracleMember, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, errors.New("not a JSON object")
	}
	var out []oracleMember
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, ok := tok.(string)
		if !ok {
			return nil, errors.New("object key is not a string")
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		out = append(out, oracleMember{key, oracleTrimJSONSpace(v)})
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("data after the JSON object")
	}
	return out, nil
}

// trimJSONSpace trims JSON's whitespace (space, tab, CR, LF) and nothing else: bytes.TrimSpace would
// also drop \v, \f and Unicode spaces, accepting payloads no JSON parser (AWS's included) accepts.
func oracleTrimJSONSpace(b []byte) []byte { return bytes.Trim(b, " \t\r\n") }

// kind is the JSON type of a raw value, from its first byte (members trims the value).
func oracleKind(raw json.RawMessage) byte {
	if len(raw) == 0 {
		return 0
	}
	switch c := raw[0]; c {
	case 'n', 't', 'f', '"', '{', '[':
		return c
	default:
		return '0' // a number
	}
}

// scalarText is the text a JSON scalar is coerced to where AWS expects a string (header values, body):
// strings as they are, true/false, numbers as written ("1.50" stays "1.50"). null reports isNull; objects
// and arrays cannot be coerced and are an error.
func oracleScalarText(raw json.RawMessage) (text string, isNull bool, err error) {
	switch oracleKind(raw) {
	case 'n':
		return "", true, nil
	case 't':
		return "true", false, nil
	case 'f':
		return "false", false, nil
	case '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", false, err
		}
		return s, false, nil
	case '0':
		return string(raw), false, nil
	default:
		return "", false, fmt.Errorf("expected a string, got %s", oracleTypeName(raw))
	}
}

// typeName names the JSON type of raw for error messages.
func oracleTypeName(raw json.RawMessage) string {
	switch oracleKind(raw) {
	case 'n':
		return "null"
	case 't', 'f':
		return "a boolean"
	case '"':
		return "a string"
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '0':
		return "a number"
	}
	return "nothing"
}

// str writes s as a JSON string exactly as encoding/json does with HTML escaping off (the events are
// built on every request; going through json.Encoder for each string cost most of EventV1's time).
func (w *oracleJsonWriter) str(s string) {
	const hex = "0123456789abcdef"
	b := &w.buf
	b.WriteByte('"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b.WriteString(s[start:i])
			switch c {
			case '"', '\\':
				b.WriteByte('\\')
				b.WriteByte(c)
			case '\b':
				b.WriteString(`\b`)
			case '\f':
				b.WriteString(`\f`)
			case '\n':
				b.WriteString(`\n`)
			case '\r':
				b.WriteString(`\r`)
			case '\t':
				b.WriteString(`\t`)
			default:
				b.WriteString(`\u00`)
				b.WriteByte(hex[c>>4])
				b.WriteByte(hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b.WriteString(s[start:i])
			b.WriteString(`\ufffd`)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b.WriteString(s[start:i])
			b.WriteString(`\u202`)
			b.WriteByte(hex[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b.WriteString(s[start:])
	b.WriteByte('"')
}

// v1Fields are the only top-level keys a 1.0 result may have: any other key is malformed (REC
// v1-response-wrong-format, v1-response-wrong-format-2). This also makes a Lambda error payload
// ({"errorMessage", "errorType", ...}) malformed, which is how AWS treats an unhandled function error
// (REC v1-response-empty-response).
var oracleV1Fields = map[string]bool{
	"statusCode": true, "headers": true, "multiValueHeaders": true, "body": true, "isBase64Encoded": true,
}

// ResponseV1 interprets a payload-1.0 function result (reference §e.2). accept is the method request's
// Accept header (its first line if the client repeated it) and binaryMediaTypes the API's setting; together they decide whether a body flagged
// isBase64Encoded is decoded (see decodeForAccept). An error (always a *MalformedError) means AWS
// answers 502 {"message": "Internal server error"}; its text is for the log.
//
// Where §e is silent, the result is read the way a typed (Jackson-style) binding reads it, a model that
// agrees with every recorded case:
//   - statusCode: absent or null -> 200; an integer, an integral number (200.0) or a numeric string
//     ("201") -> that code; anything else, or a code outside 100-599, is malformed.
//   - headers values and multiValueHeaders elements: strings as they are, booleans and numbers as
//     their JSON text (true -> "true"), null skipped; objects and arrays are malformed.
//   - headers / multiValueHeaders null -> none (REC v1-response-with-headers-null); a multiValueHeaders
//     value that is not a list (REC v1-response-multi-headers-invalid) or a headers member that is not an
//     object is malformed.
//   - body: null or absent -> empty; a boolean or number -> its JSON text; an object or array is
//     malformed (the well-known "body must be a string" 502).
//   - isBase64Encoded: null -> false, true/false, or the strings "true"/"false" (any case); else
//     malformed. A body flagged and decoded that is not valid base64 is malformed.
//   - header names that are not HTTP tokens and values with control characters cannot be sent and are
//     malformed (the emulator must not emit an invalid HTTP response).
func oracleResponseV1(payload []byte, accept string, binaryMediaTypes []string) (*Response, error) {
	payload = oracleTrimJSONSpace(payload)
	if oracleKind(payload) != '{' {
		// REC v1-response-just-string: a bare string (or any non-object) is malformed.
		return nil, malformed("the result is not a JSON object")
	}
	ms, err := oracleMembers(payload)
	if err != nil {
		return nil, malformed("invalid JSON: %v", err)
	}
	fields := map[string]json.RawMessage{}
	for _, m := range ms {
		if !oracleV1Fields[m.key] {
			return nil, malformed("unknown field %q", m.key)
		}
		fields[m.key] = m.val // a repeated key: the last one wins, as in any JSON binding
	}

	status, err := oracleStatusCode(fields["statusCode"])
	if err != nil {
		return nil, err
	}

	// REC v1-response-multi-headers-overwrite(-casing): multiValueHeaders first, then headers, merged by
	// case-insensitive name; the first spelling (the multiValueHeaders one) wins. DOC: a name/value pair
	// present in both appears once.
	hs := &oracleHeaderSet{}
	if err := hs.addMulti(fields["multiValueHeaders"]); err != nil {
		return nil, err
	}
	if err := hs.addSingle(fields["headers"], true); err != nil {
		return nil, err
	}

	out, err := oracleResponseBody(fields, func() bool { return oracleDecodeForAccept(accept, binaryMediaTypes) })
	if err != nil {
		return nil, err
	}
	return hs.response(status, out), nil
}

// decodeForAccept reports whether a 1.0 body flagged isBase64Encoded is decoded before it reaches the
// client: only when the FIRST media type of the request's Accept header equals a binaryMediaTypes entry
// that has no wildcard, or an entry is "*/*" (the documented catch-all). Wildcards match nothing else:
// Accept "image/*" or "*/*" does not match the entry "image/png", and the entry "*/test" matches
// neither Accept "random/test" nor even Accept "*/test" (VAL v1-binary-response-1..7). Otherwise the
// client gets the base64 text as is (REC v1-response-b64-encoded-true). Only Accept counts, not the
// response's Content-Type (v1-binary-response-3 returns image/png to an Accept of image/jpg and is not
// decoded). Entries with a wildcard elsewhere ("image/*") are assumed to behave like "*/test" (no
// evidence either way). Media types compare case-insensitively and without parameters
// ("image/png;q=0.9"), as media types do.
func oracleDecodeForAccept(accept string, binaryMediaTypes []string) bool {
	first, _, _ := strings.Cut(accept, ",")
	first, _, _ = strings.Cut(first, ";")
	first = strings.TrimSpace(first)
	for _, t := range binaryMediaTypes {
		t = strings.TrimSpace(t)
		if t == "*/*" {
			return true
		}
		if first != "" && !strings.Contains(t, "*") && strings.EqualFold(t, first) {
			return true
		}
	}
	return false
}

// ResponseV2 interprets a payload-2.0 function result (reference §e.3). A JSON object with a statusCode
// key is a response description (statusCode, headers, cookies, body, isBase64Encoded; other keys are
// ignored, multiValueHeaders included, as 2.0 has none). Any other valid JSON is inferred as 200 with
// content-type application/json and the result as the body: the JSON text as returned for objects,
// arrays, numbers, booleans and null, the string's value for a string (the documentation's table:
// "Hello from Lambda!" -> body Hello from Lambda!). cookies become one Set-Cookie header each.
//
// binaryMediaTypes is not used: HTTP APIs have no binaryMediaTypes, a body flagged isBase64Encoded is
// always decoded. The parameter keeps the call shaped like ResponseV1. An error (a *MalformedError:
// invalid JSON, a bad statusCode, a non-list cookies, a header that cannot be sent) means the HTTP API
// answers 500 {"message":"Internal Server Error"}. Where the documentation is silent, values are read as
// in ResponseV1 (a default content-type of application/json included).
func oracleResponseV2(payload []byte, binaryMediaTypes []string) (*Response, error) {
	_ = binaryMediaTypes
	payload = oracleTrimJSONSpace(payload)
	if !json.Valid(payload) {
		return nil, malformed("the result is not valid JSON")
	}
	switch oracleKind(payload) {
	case '{':
	case '"':
		var s string
		if err := json.Unmarshal(payload, &s); err != nil {
			return nil, malformed("invalid JSON string: %v", err)
		}
		return (&oracleHeaderSet{}).response(http.StatusOK, []byte(s)), nil
	default:
		return (&oracleHeaderSet{}).response(http.StatusOK, append([]byte(nil), payload...)), nil
	}
	ms, err := oracleMembers(payload)
	if err != nil {
		return nil, malformed("invalid JSON: %v", err)
	}
	fields := map[string]json.RawMessage{}
	for _, m := range ms {
		fields[m.key] = m.val
	}
	sc, described := fields["statusCode"]
	if !described {
		return (&oracleHeaderSet{}).response(http.StatusOK, append([]byte(nil), payload...)), nil
	}
	status, err := oracleStatusCode(sc)
	if err != nil {
		return nil, err
	}
	hs := &oracleHeaderSet{}
	if err := hs.addSingle(fields["headers"], false); err != nil {
		return nil, err
	}
	if c := fields["cookies"]; oracleKind(c) != 0 && oracleKind(c) != 'n' {
		if oracleKind(c) != '[' {
			return nil, malformed("cookies is %s, not a list", oracleTypeName(c))
		}
		var list []json.RawMessage
		if err := json.Unmarshal(c, &list); err != nil {
			return nil, malformed("cookies: %v", err)
		}
		for _, item := range list {
			v, null, err := oracleScalarText(oracleTrimJSONSpace(item))
			if err != nil {
				return nil, malformed("cookies: %v", err)
			}
			if !null {
				if err := hs.add("Set-Cookie", v, false); err != nil {
					return nil, err
				}
			}
		}
	}
	out, err := oracleResponseBody(fields, func() bool { return true }) // 2.0 decodes whenever the flag is set
	if err != nil {
		return nil, err
	}
	return hs.response(status, out), nil
}

// responseBody reads body and isBase64Encoded, and decodes the body when the flag is set and decode
// agrees (payload 1.0 decodes only for an Accept matching binaryMediaTypes).
func oracleResponseBody(fields map[string]json.RawMessage, decode func() bool) ([]byte, error) {
	body, err := oracleBodyText(fields["body"])
	if err != nil {
		return nil, err
	}
	b64, err := oracleBase64Flag(fields["isBase64Encoded"])
	if err != nil {
		return nil, err
	}
	if b64 && decode() {
		return oracleDecodeBase64(body)
	}
	return []byte(body), nil
}

// statusCode reads statusCode: absent or null is 200 (REC v1-response-only-headers,
// v1-response-empty-object), a numeric string counts (REC v1-response-status-code-str), anything else
// is malformed (REC v1-response-invalid-status-code). 100-599 is the range an HTTP status can have.
func oracleStatusCode(raw json.RawMessage) (int, error) {
	var code int
	switch oracleKind(raw) {
	case 0, 'n':
		return http.StatusOK, nil
	case '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return 0, malformed("statusCode: %v", err)
		}
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil {
			return 0, malformed("statusCode %q is not a number", s)
		}
		code = n
	case '0':
		f, err := strconv.ParseFloat(string(raw), 64)
		if err != nil || f != math.Trunc(f) || f < 0 || f > 1000 {
			return 0, malformed("statusCode %s is not an HTTP status code", raw)
		}
		code = int(f)
	default:
		return 0, malformed("statusCode is %s", oracleTypeName(raw))
	}
	if code < 100 || code > 599 {
		return 0, malformed("statusCode %d is not an HTTP status code", code)
	}
	return code, nil
}

// bodyText reads body: null or absent is empty (REC v1-response-no-body), scalars are coerced to text,
// objects and arrays are malformed.
func oracleBodyText(raw json.RawMessage) (string, error) {
	if oracleKind(raw) == 0 {
		return "", nil
	}
	s, _, err := oracleScalarText(raw)
	if err != nil {
		return "", malformed("body: %v", err)
	}
	return s, nil
}

// base64Flag reads isBase64Encoded.
func oracleBase64Flag(raw json.RawMessage) (bool, error) {
	switch oracleKind(raw) {
	case 0, 'n', 'f':
		return false, nil
	case 't':
		return true, nil
	case '"':
		var s string
		if err := json.Unmarshal(raw, &s); err == nil {
			switch strings.ToLower(s) {
			case "true":
				return true, nil
			case "false":
				return false, nil
			}
		}
	}
	return false, malformed("isBase64Encoded is %s, not a boolean", oracleTypeName(raw))
}

// decodeBase64 decodes a body flagged isBase64Encoded; padded or not.
func oracleDecodeBase64(s string) ([]byte, error) {
	if b, err := base64.StdEncoding.DecodeString(s); err == nil {
		return b, nil
	}
	b, err := base64.RawStdEncoding.DecodeString(s)
	if err != nil {
		return nil, malformed("isBase64Encoded is true but the body is not base64: %v", err)
	}
	return b, nil
}

// headerSet collects response headers in order, merging names case-insensitively under their first
// spelling.
type oracleHeaderSet struct {
	entries []oracleHeaderEntry
	index   map[string]int // lower-case name -> entries position
}

// add appends value to name. With dedupe, a value the name already has is not added again (DOC: "If the
// same key-value pair is specified in both headers and multiValueHeaders, it appears only once").
func (hs *oracleHeaderSet) add(name, value string, dedupe bool) error {
	if !oracleValidName(name) {
		return malformed("header name %q cannot be sent", name)
	}
	if !oracleValidValue(value) {
		return malformed("header %s has a value that cannot be sent", name)
	}
	if hs.index == nil {
		hs.index = map[string]int{}
	}
	lower := strings.ToLower(name)
	i, ok := hs.index[lower]
	if !ok {
		hs.index[lower] = len(hs.entries)
		hs.entries = append(hs.entries, oracleHeaderEntry{name: name, values: []string{value}})
		return nil
	}
	if dedupe {
		for _, v := range hs.entries[i].values {
			if v == value {
				return nil
			}
		}
	}
	hs.entries[i].values = append(hs.entries[i].values, value)
	return nil
}

// addSingle adds a "headers" object (REC v1-response-with-headers: header-bool true -> "true").
func (hs *oracleHeaderSet) addSingle(raw json.RawMessage, dedupe bool) error {
	switch oracleKind(raw) {
	case 0, 'n':
		return nil
	case '{':
	default:
		return malformed("headers is %s, not an object", oracleTypeName(raw))
	}
	ms, err := oracleMembers(raw)
	if err != nil {
		return malformed("headers: %v", err)
	}
	for _, m := range ms {
		v, null, err := oracleScalarText(m.val)
		if err != nil {
			return malformed("headers[%q]: %v", m.key, err)
		}
		if null {
			continue
		}
		if err := hs.add(m.key, v, dedupe); err != nil {
			return err
		}
	}
	return nil
}

// addMulti adds a "multiValueHeaders" object, whose values must be lists (REC
// v1-response-multi-headers-valid, v1-response-multi-headers-invalid).
func (hs *oracleHeaderSet) addMulti(raw json.RawMessage) error {
	switch oracleKind(raw) {
	case 0, 'n':
		return nil
	case '{':
	default:
		return malformed("multiValueHeaders is %s, not an object", oracleTypeName(raw))
	}
	ms, err := oracleMembers(raw)
	if err != nil {
		return malformed("multiValueHeaders: %v", err)
	}
	for _, m := range ms {
		switch oracleKind(m.val) {
		case 'n':
			continue
		case '[':
		default:
			return malformed("multiValueHeaders[%q] is %s, not a list", m.key, oracleTypeName(m.val))
		}
		var list []json.RawMessage
		if err := json.Unmarshal(m.val, &list); err != nil {
			return malformed("multiValueHeaders[%q]: %v", m.key, err)
		}
		for _, item := range list {
			v, null, err := oracleScalarText(oracleTrimJSONSpace(item))
			if err != nil {
				return malformed("multiValueHeaders[%q]: %v", m.key, err)
			}
			if null {
				continue
			}
			if err := hs.add(m.key, v, false); err != nil {
				return err
			}
		}
	}
	return nil
}

// response builds the Response. Without a Content-Type from the function, AWS sends application/json
// (REC v1-response-with-headers and every recorded response; DOC for 2.0).
func (hs *oracleHeaderSet) response(status int, body []byte) *Response {
	if _, ok := hs.index["content-type"]; !ok {
		_ = hs.add("Content-Type", "application/json", false)
	}
	h := make(http.Header, len(hs.entries))
	for _, e := range hs.entries {
		h[e.name] = e.values
	}
	return &Response{Status: status, Header: h, Body: body}
}

// validName reports whether name is an HTTP token (RFC 9110 §5.1).
func oracleValidName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c >= 0x80 || c <= ' ' || c == 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return false
		}
	}
	return true
}

// validValue reports whether v can be sent as a field value: no control characters but tab (RFC 9110
// §5.5); obs-text (bytes >= 0x80) is allowed.
func oracleValidValue(v string) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; (c < ' ' && c != '\t') || c == 0x7f {
			return false
		}
	}
	return true
}

// jsonWriter keeps FuzzJSONString's view: str is the string appender the events use, encode is
// encoding/json without HTML escaping, the reference it is held to.
type jsonWriter struct{ buf bytes.Buffer }

func newJSONWriter() *jsonWriter { return &jsonWriter{} }

func (w *jsonWriter) str(s string) { w.buf.Write(appendString(nil, s)) }

func (w *jsonWriter) encode(v any) error {
	enc := json.NewEncoder(&w.buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	w.buf.Truncate(w.buf.Len() - 1)
	return nil
}

// oracleRequestBody is the event body: raw text, or base64 for a binary body; ok is false without a body.
func oracleRequestBody(r *Request) (body string, ok bool) {
	if len(r.Body) == 0 {
		return "", false
	}
	if r.IsBase64 {
		return base64.StdEncoding.EncodeToString(r.Body), true
	}
	return string(r.Body), true
}
