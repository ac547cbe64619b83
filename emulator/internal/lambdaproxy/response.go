package lambdaproxy

import (
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/apigw-local/apigw-local/internal/mapping"
)

// Response is the HTTP response API Gateway sends to the client for a function result.
type Response struct {
	Status int
	// Header holds the function's headers under the names as the function spelled them ("test-header",
	// "tesT-Multi"): AWS sends them that way (REC v1-response-with-headers,
	// v1-response-multi-headers-overwrite-casing), and net/http writes map keys as they are. The keys are
	// therefore not Go-canonical: use Values, or range over the map, rather than Header.Get. Names never
	// repeat case-insensitively. Content-Type is always present.
	Header http.Header
	// Body is what the client receives: decoded when isBase64Encoded applies, else the body text.
	Body []byte
}

// Values returns the values of the header name, matched case-insensitively (see Header).
func (r *Response) Values(name string) []string {
	for k, v := range r.Header {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return nil
}

// MalformedError is a function result API Gateway cannot interpret. A REST API (1.0) answers it with
// 502 {"message": "Internal server error"}, an HTTP API (2.0) with 500 {"message":"Internal Server
// Error"}; the text is for the log and follows AWS's execution log ("Malformed Lambda proxy response").
type MalformedError struct {
	Reason string
}

func (e *MalformedError) Error() string { return "Malformed Lambda proxy response: " + e.Reason }

func malformed(format string, args ...any) error {
	return &MalformedError{Reason: fmt.Sprintf(format, args...)}
}

// result is what the scanner found at the top level of a function result: the raw value of each
// member the contracts read (the last one of a repeated key, as in any JSON binding).
type result struct {
	statusCode, headers, multiValueHeaders, body, isBase64Encoded, cookies []byte
	described                                                              bool   // a statusCode member is present (2.0: the result describes a response)
	unknown                                                                []byte // the first key that is not a 1.0 field, raw
}

// scanResult checks the object payload (trimmed, starting with '{') and records its members.
func scanResult(payload []byte) (result, bool) {
	var res result
	end := scanObject(payload, 0, 1, func(key, val []byte) {
		switch string(key) { // the unescaped spelling, without allocating
		case `"statusCode"`:
			res.statusCode, res.described = val, true
		case `"headers"`:
			res.headers = val
		case `"multiValueHeaders"`:
			res.multiValueHeaders = val
		case `"body"`:
			res.body = val
		case `"isBase64Encoded"`:
			res.isBase64Encoded = val
		case `"cookies"`:
			res.cookies = val
			if res.unknown == nil {
				res.unknown = key
			}
		default:
			res.escapedMember(key, val)
		}
	})
	return res, end == len(payload)
}

// escapedMember handles a key that is not spelled plainly: an escaped spelling of a known key
// ("status\u0043ode") counts as that key, as encoding/json reads it.
func (res *result) escapedMember(key, val []byte) {
	switch {
	case keyIs(key, "statusCode"):
		res.statusCode, res.described = val, true
	case keyIs(key, "headers"):
		res.headers = val
	case keyIs(key, "multiValueHeaders"):
		res.multiValueHeaders = val
	case keyIs(key, "body"):
		res.body = val
	case keyIs(key, "isBase64Encoded"):
		res.isBase64Encoded = val
	case keyIs(key, "cookies"):
		res.cookies = val
		if res.unknown == nil {
			res.unknown = key
		}
	default:
		if res.unknown == nil {
			res.unknown = key
		}
	}
}

// syntaxError words why payload is not valid JSON, as encoding/json does.
func syntaxError(payload []byte) error {
	if _, err := members(payload); err != nil {
		return err
	}
	return errors.New("invalid JSON")
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
func ResponseV1(payload []byte, accept string, binaryMediaTypes []string) (*Response, error) {
	payload = trimJSONSpace(payload)
	if kind(payload) != '{' {
		// REC v1-response-just-string: a bare string (or any non-object) is malformed.
		return nil, malformed("the result is not a JSON object")
	}
	res, ok := scanResult(payload)
	if !ok {
		return nil, malformed("invalid JSON: %v", syntaxError(payload))
	}
	// Any key but the five is malformed (REC v1-response-wrong-format, v1-response-wrong-format-2).
	// This also makes a Lambda error payload ({"errorMessage", "errorType", ...}) malformed, which is
	// how AWS treats an unhandled function error (REC v1-response-empty-response).
	if res.unknown != nil {
		return nil, malformed("unknown field %q", unquote(res.unknown))
	}

	status, err := statusCode(res.statusCode)
	if err != nil {
		return nil, err
	}

	// REC v1-response-multi-headers-overwrite(-casing): multiValueHeaders first, then headers, merged by
	// case-insensitive name; the first spelling (the multiValueHeaders one) wins. DOC: a name/value pair
	// present in both appears once.
	hs := newHeaderSet()
	defer hs.release()
	if err := hs.addMulti(res.multiValueHeaders); err != nil {
		return nil, err
	}
	if err := hs.addSingle(res.headers, true); err != nil {
		return nil, err
	}

	out, err := responseBody(&res, func() bool { return decodeForAccept(accept, binaryMediaTypes) })
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
func decodeForAccept(accept string, binaryMediaTypes []string) bool {
	return mapping.AcceptsBinary(accept, binaryMediaTypes)
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
func ResponseV2(payload []byte, binaryMediaTypes []string) (*Response, error) {
	_ = binaryMediaTypes
	payload = trimJSONSpace(payload)
	var res result
	switch kind(payload) {
	case '{':
		var ok bool
		if res, ok = scanResult(payload); !ok {
			return nil, malformed("the result is not valid JSON")
		}
	case '"':
		if !validJSON(payload) {
			return nil, malformed("the result is not valid JSON")
		}
		return (&headerSet{}).response(http.StatusOK, unquoteBytes(payload)), nil
	default:
		if !validJSON(payload) {
			return nil, malformed("the result is not valid JSON")
		}
		return (&headerSet{}).response(http.StatusOK, append([]byte(nil), payload...)), nil
	}
	if !res.described {
		return (&headerSet{}).response(http.StatusOK, append([]byte(nil), payload...)), nil
	}
	status, err := statusCode(res.statusCode)
	if err != nil {
		return nil, err
	}
	hs := newHeaderSet()
	defer hs.release()
	if err := hs.addSingle(res.headers, false); err != nil {
		return nil, err
	}
	if c := res.cookies; kind(c) != 0 && kind(c) != 'n' {
		if kind(c) != '[' {
			return nil, malformed("cookies is %s, not a list", typeName(c))
		}
		for item, j, ok := elementAt(c, 1); ok; item, j, ok = elementAt(c, j) {
			v, null, err := scalarText(item)
			if err != nil {
				return nil, malformed("cookies: %v", err)
			}
			if null {
				continue
			}
			if err := hs.add("Set-Cookie", v, false); err != nil {
				return nil, err
			}
		}
	}
	out, err := responseBody(&res, func() bool { return true }) // 2.0 decodes whenever the flag is set
	if err != nil {
		return nil, err
	}
	return hs.response(status, out), nil
}

// scalarText is the text a JSON scalar is coerced to where AWS expects a string (header values, body):
// strings as they are, true/false, numbers as written ("1.50" stays "1.50"). null reports isNull; objects
// and arrays cannot be coerced and are an error.
func scalarText(raw []byte) (text string, isNull bool, err error) {
	switch kind(raw) {
	case 'n':
		return "", true, nil
	case 't':
		return "true", false, nil
	case 'f':
		return "false", false, nil
	case '"':
		return unquote(raw), false, nil
	case '0':
		return string(raw), false, nil
	default:
		return "", false, errNotString(raw)
	}
}

// responseBody reads body and isBase64Encoded, and decodes the body when the flag is set and decode
// agrees (payload 1.0 decodes only for an Accept matching binaryMediaTypes).
func responseBody(res *result, decode func() bool) ([]byte, error) {
	var body []byte
	switch raw := res.body; kind(raw) {
	case 0, 'n': // REC v1-response-no-body: null or absent is empty
	case '"':
		body = unquoteBytes(raw)
	case 't', 'f', '0':
		body = append([]byte(nil), raw...)
	default:
		return nil, malformed("body: %v", errNotString(raw))
	}
	b64, err := base64Flag(res.isBase64Encoded)
	if err != nil {
		return nil, err
	}
	if b64 && decode() {
		return decodeBase64(body)
	}
	if body == nil {
		body = []byte{}
	}
	return body, nil
}

// statusCode reads statusCode: absent or null is 200 (REC v1-response-only-headers,
// v1-response-empty-object), a numeric string counts (REC v1-response-status-code-str), anything else
// is malformed (REC v1-response-invalid-status-code). 100-599 is the range an HTTP status can have.
func statusCode(raw []byte) (int, error) {
	var code int
	switch kind(raw) {
	case 0, 'n':
		return http.StatusOK, nil
	case '"':
		s := unquote(raw)
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
		return 0, malformed("statusCode is %s", typeName(raw))
	}
	if code < 100 || code > 599 {
		return 0, malformed("statusCode %d is not an HTTP status code", code)
	}
	return code, nil
}

// base64Flag reads isBase64Encoded.
func base64Flag(raw []byte) (bool, error) {
	switch kind(raw) {
	case 0, 'n', 'f':
		return false, nil
	case 't':
		return true, nil
	case '"':
		switch strings.ToLower(unquote(raw)) {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
	}
	return false, malformed("isBase64Encoded is %s, not a boolean", typeName(raw))
}

// decodeBase64 decodes a body flagged isBase64Encoded; padded or not.
func decodeBase64(s []byte) ([]byte, error) {
	b := make([]byte, base64.StdEncoding.DecodedLen(len(s)))
	if n, err := base64.StdEncoding.Decode(b, s); err == nil {
		return b[:n], nil
	}
	b = make([]byte, base64.RawStdEncoding.DecodedLen(len(s)))
	n, err := base64.RawStdEncoding.Decode(b, s)
	if err != nil {
		return nil, malformed("isBase64Encoded is true but the body is not base64: %v", err)
	}
	return b[:n], nil
}

// linearHeaders is the number of header names up to which a name is looked up by scanning, which for
// the handful of headers a function returns is cheaper than a map; past it, a map keeps a result with
// very many headers linear.
const linearHeaders = 16

// headerValue is one value of the header names[entry].
type headerValue struct {
	entry int
	value string
}

// headerSet collects response headers in order, merging names case-insensitively under their first
// spelling (names are HTTP tokens, so ASCII case folding is exact).
type headerSet struct {
	names  []string
	values []headerValue
	index  map[string]int // lower-case name -> names position, once there are many
}

// headerSets recycles the sets' arrays: stored through the set's methods, arrays on the caller's stack
// would escape, and the set is done with once response has copied it into the Response.
var headerSets = sync.Pool{New: func() any {
	return &headerSet{names: make([]string, 0, 8), values: make([]headerValue, 0, 16)}
}}

func newHeaderSet() *headerSet { return headerSets.Get().(*headerSet) }

// release clears the set (so that the pool holds no header text) and returns it to the pool, unless
// a result with very many headers grew it.
func (hs *headerSet) release() {
	if cap(hs.names) > 64 || cap(hs.values) > 256 {
		return
	}
	clear(hs.names)
	clear(hs.values)
	*hs = headerSet{names: hs.names[:0], values: hs.values[:0]}
	headerSets.Put(hs)
}

// find returns the position of name, or -1.
func (hs *headerSet) find(name string) int {
	if hs.index != nil {
		if i, ok := hs.index[strings.ToLower(name)]; ok {
			return i
		}
		return -1
	}
	for i, n := range hs.names {
		if len(n) == len(name) && strings.EqualFold(n, name) {
			return i
		}
	}
	return -1
}

// add appends value to name. With dedupe, a value the name already has is not added again (DOC: "If the
// same key-value pair is specified in both headers and multiValueHeaders, it appears only once").
func (hs *headerSet) add(name, value string, dedupe bool) error {
	if !validName(name) {
		return malformed("header name %q cannot be sent", name)
	}
	if !validValue(value) {
		return malformed("header %s has a value that cannot be sent", name)
	}
	i := hs.find(name)
	if i < 0 {
		i = len(hs.names)
		hs.names = append(hs.names, name)
		if hs.index != nil {
			hs.index[strings.ToLower(name)] = i
		} else if len(hs.names) > linearHeaders {
			hs.index = make(map[string]int, 2*len(hs.names))
			for j, n := range hs.names {
				hs.index[strings.ToLower(n)] = j
			}
		}
	} else if dedupe {
		for _, v := range hs.values {
			if v.entry == i && v.value == value {
				return nil
			}
		}
	}
	hs.values = append(hs.values, headerValue{i, value})
	return nil
}

// addSingle adds a "headers" object (REC v1-response-with-headers: header-bool true -> "true").
func (hs *headerSet) addSingle(raw []byte, dedupe bool) error {
	switch kind(raw) {
	case 0, 'n':
		return nil
	case '{':
	default:
		return malformed("headers is %s, not an object", typeName(raw))
	}
	for key, val, i, ok := memberAt(raw, 1); ok; key, val, i, ok = memberAt(raw, i) {
		v, null, err := scalarText(val)
		if err != nil {
			return malformed("headers[%q]: %v", unquote(key), err)
		}
		if null {
			continue
		}
		if err := hs.add(unquote(key), v, dedupe); err != nil {
			return err
		}
	}
	return nil
}

// addMulti adds a "multiValueHeaders" object, whose values must be lists (REC
// v1-response-multi-headers-valid, v1-response-multi-headers-invalid).
func (hs *headerSet) addMulti(raw []byte) error {
	switch kind(raw) {
	case 0, 'n':
		return nil
	case '{':
	default:
		return malformed("multiValueHeaders is %s, not an object", typeName(raw))
	}
	for key, val, i, ok := memberAt(raw, 1); ok; key, val, i, ok = memberAt(raw, i) {
		switch kind(val) {
		case 'n':
			continue
		case '[':
		default:
			return malformed("multiValueHeaders[%q] is %s, not a list", unquote(key), typeName(val))
		}
		name := unquote(key)
		for item, j, ok := elementAt(val, 1); ok; item, j, ok = elementAt(val, j) {
			v, null, err := scalarText(item)
			if err != nil {
				return malformed("multiValueHeaders[%q]: %v", name, err)
			}
			if null {
				continue
			}
			if err := hs.add(name, v, false); err != nil {
				return err
			}
		}
	}
	return nil
}

// response builds the Response. Without a Content-Type from the function, AWS sends application/json
// (REC v1-response-with-headers and every recorded response; DOC for 2.0). The values of all headers
// share one backing array, each header's slice capped so that appending to one cannot touch the next.
func (hs *headerSet) response(status int, body []byte) *Response {
	if hs.find("Content-Type") < 0 {
		_ = hs.add("Content-Type", "application/json", false)
	}
	var counts [16]int
	n := counts[:0]
	if len(hs.names) > len(counts) {
		n = make([]int, 0, len(hs.names))
	}
	n = n[:len(hs.names)]
	for _, v := range hs.values {
		n[v.entry]++
	}
	all := make([]string, len(hs.values))
	start := 0
	for i, c := range n { // n[i] becomes where entry i's next value goes
		n[i] = start
		start += c
	}
	for _, v := range hs.values {
		all[n[v.entry]] = v.value
		n[v.entry]++
	}
	h := make(http.Header, len(hs.names))
	start = 0
	for i, name := range hs.names {
		h[name] = all[start:n[i]:n[i]]
		start = n[i]
	}
	return &Response{Status: status, Header: h, Body: body}
}

// validName reports whether name is an HTTP token (RFC 9110 §5.1).
func validName(name string) bool {
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
func validValue(v string) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; (c < ' ' && c != '\t') || c == 0x7f {
			return false
		}
	}
	return true
}
