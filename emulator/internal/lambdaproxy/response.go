package lambdaproxy

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
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

// v1Fields are the only top-level keys a 1.0 result may have: any other key is malformed (REC
// v1-response-wrong-format, v1-response-wrong-format-2). This also makes a Lambda error payload
// ({"errorMessage", "errorType", ...}) malformed, which is how AWS treats an unhandled function error
// (REC v1-response-empty-response).
var v1Fields = map[string]bool{
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
func ResponseV1(payload []byte, accept string, binaryMediaTypes []string) (*Response, error) {
	payload = trimJSONSpace(payload)
	if kind(payload) != '{' {
		// REC v1-response-just-string: a bare string (or any non-object) is malformed.
		return nil, malformed("the result is not a JSON object")
	}
	ms, err := members(payload)
	if err != nil {
		return nil, malformed("invalid JSON: %v", err)
	}
	fields := map[string]json.RawMessage{}
	for _, m := range ms {
		if !v1Fields[m.key] {
			return nil, malformed("unknown field %q", m.key)
		}
		fields[m.key] = m.val // a repeated key: the last one wins, as in any JSON binding
	}

	status, err := statusCode(fields["statusCode"])
	if err != nil {
		return nil, err
	}

	// REC v1-response-multi-headers-overwrite(-casing): multiValueHeaders first, then headers, merged by
	// case-insensitive name; the first spelling (the multiValueHeaders one) wins. DOC: a name/value pair
	// present in both appears once.
	hs := &headerSet{}
	if err := hs.addMulti(fields["multiValueHeaders"]); err != nil {
		return nil, err
	}
	if err := hs.addSingle(fields["headers"], true); err != nil {
		return nil, err
	}

	out, err := responseBody(fields, func() bool { return decodeForAccept(accept, binaryMediaTypes) })
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
func ResponseV2(payload []byte, binaryMediaTypes []string) (*Response, error) {
	_ = binaryMediaTypes
	payload = trimJSONSpace(payload)
	if !json.Valid(payload) {
		return nil, malformed("the result is not valid JSON")
	}
	switch kind(payload) {
	case '{':
	case '"':
		var s string
		if err := json.Unmarshal(payload, &s); err != nil {
			return nil, malformed("invalid JSON string: %v", err)
		}
		return (&headerSet{}).response(http.StatusOK, []byte(s)), nil
	default:
		return (&headerSet{}).response(http.StatusOK, append([]byte(nil), payload...)), nil
	}
	ms, err := members(payload)
	if err != nil {
		return nil, malformed("invalid JSON: %v", err)
	}
	fields := map[string]json.RawMessage{}
	for _, m := range ms {
		fields[m.key] = m.val
	}
	sc, described := fields["statusCode"]
	if !described {
		return (&headerSet{}).response(http.StatusOK, append([]byte(nil), payload...)), nil
	}
	status, err := statusCode(sc)
	if err != nil {
		return nil, err
	}
	hs := &headerSet{}
	if err := hs.addSingle(fields["headers"], false); err != nil {
		return nil, err
	}
	if c := fields["cookies"]; kind(c) != 0 && kind(c) != 'n' {
		if kind(c) != '[' {
			return nil, malformed("cookies is %s, not a list", typeName(c))
		}
		var list []json.RawMessage
		if err := json.Unmarshal(c, &list); err != nil {
			return nil, malformed("cookies: %v", err)
		}
		for _, item := range list {
			v, null, err := scalarText(trimJSONSpace(item))
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
	out, err := responseBody(fields, func() bool { return true }) // 2.0 decodes whenever the flag is set
	if err != nil {
		return nil, err
	}
	return hs.response(status, out), nil
}

// responseBody reads body and isBase64Encoded, and decodes the body when the flag is set and decode
// agrees (payload 1.0 decodes only for an Accept matching binaryMediaTypes).
func responseBody(fields map[string]json.RawMessage, decode func() bool) ([]byte, error) {
	body, err := bodyText(fields["body"])
	if err != nil {
		return nil, err
	}
	b64, err := base64Flag(fields["isBase64Encoded"])
	if err != nil {
		return nil, err
	}
	if b64 && decode() {
		return decodeBase64(body)
	}
	return []byte(body), nil
}

// statusCode reads statusCode: absent or null is 200 (REC v1-response-only-headers,
// v1-response-empty-object), a numeric string counts (REC v1-response-status-code-str), anything else
// is malformed (REC v1-response-invalid-status-code). 100-599 is the range an HTTP status can have.
func statusCode(raw json.RawMessage) (int, error) {
	var code int
	switch kind(raw) {
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
		return 0, malformed("statusCode is %s", typeName(raw))
	}
	if code < 100 || code > 599 {
		return 0, malformed("statusCode %d is not an HTTP status code", code)
	}
	return code, nil
}

// bodyText reads body: null or absent is empty (REC v1-response-no-body), scalars are coerced to text,
// objects and arrays are malformed.
func bodyText(raw json.RawMessage) (string, error) {
	if kind(raw) == 0 {
		return "", nil
	}
	s, _, err := scalarText(raw)
	if err != nil {
		return "", malformed("body: %v", err)
	}
	return s, nil
}

// base64Flag reads isBase64Encoded.
func base64Flag(raw json.RawMessage) (bool, error) {
	switch kind(raw) {
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
	return false, malformed("isBase64Encoded is %s, not a boolean", typeName(raw))
}

// decodeBase64 decodes a body flagged isBase64Encoded; padded or not.
func decodeBase64(s string) ([]byte, error) {
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
type headerSet struct {
	entries []headerEntry
	index   map[string]int // lower-case name -> entries position
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
	if hs.index == nil {
		hs.index = map[string]int{}
	}
	lower := strings.ToLower(name)
	i, ok := hs.index[lower]
	if !ok {
		hs.index[lower] = len(hs.entries)
		hs.entries = append(hs.entries, headerEntry{name: name, values: []string{value}})
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
func (hs *headerSet) addSingle(raw json.RawMessage, dedupe bool) error {
	switch kind(raw) {
	case 0, 'n':
		return nil
	case '{':
	default:
		return malformed("headers is %s, not an object", typeName(raw))
	}
	ms, err := members(raw)
	if err != nil {
		return malformed("headers: %v", err)
	}
	for _, m := range ms {
		v, null, err := scalarText(m.val)
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
func (hs *headerSet) addMulti(raw json.RawMessage) error {
	switch kind(raw) {
	case 0, 'n':
		return nil
	case '{':
	default:
		return malformed("multiValueHeaders is %s, not an object", typeName(raw))
	}
	ms, err := members(raw)
	if err != nil {
		return malformed("multiValueHeaders: %v", err)
	}
	for _, m := range ms {
		switch kind(m.val) {
		case 'n':
			continue
		case '[':
		default:
			return malformed("multiValueHeaders[%q] is %s, not a list", m.key, typeName(m.val))
		}
		var list []json.RawMessage
		if err := json.Unmarshal(m.val, &list); err != nil {
			return malformed("multiValueHeaders[%q]: %v", m.key, err)
		}
		for _, item := range list {
			v, null, err := scalarText(trimJSONSpace(item))
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
func (hs *headerSet) response(status int, body []byte) *Response {
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
