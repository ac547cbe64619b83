package mapping

import (
	"bytes"
	"encoding/base64"
	"strings"
	"unicode/utf8"

	"github.com/apigw-local/apigw-local/internal/gatewayresponse"
)

// Content handling of non-proxy integrations (reference §l). A payload is binary when its Content-Type
// is one of the API's binaryMediaTypes; a client accepts binary when the first media type of its Accept
// header is one. contentHandling then converts between the bytes and their base64 text, and text
// payloads travel as UTF-8 (invalid bytes become U+FFFD, as recorded).

const (
	convertToBinary = "CONVERT_TO_BINARY"
	convertToText   = "CONVERT_TO_TEXT"
)

// IsBinaryType reports whether a body of contentType is binary for an API: its media type (without
// parameters, any case) matches one of binaryMediaTypes, where either half of an entry may be "*"
// ("image/*", "*/*"). Request bodies and integration responses are judged so.
func IsBinaryType(contentType string, binaryMediaTypes []string) bool {
	if contentType == "" || len(binaryMediaTypes) == 0 {
		return false
	}
	typ, sub, _ := strings.Cut(mediaType(contentType), "/")
	for _, b := range binaryMediaTypes {
		bt, bs, _ := strings.Cut(strings.ToLower(strings.TrimSpace(b)), "/")
		if (bt == "*" || bt == typ) && (bs == "*" || bs == sub) {
			return true
		}
	}
	return false
}

// AcceptsBinary reports whether a client accepts a binary answer: the FIRST media type of its Accept
// header equals a binaryMediaTypes entry that has no wildcard, or an entry is "*/*" (the documented
// catch-all). Wildcards match nothing else: Accept "image/*" or "*/*" does not match "image/png", and the
// entry "*/test" matches neither "random/test" nor "*/test" (reference §e.2, recorded). Media types
// compare case-insensitively and without parameters.
func AcceptsBinary(accept string, binaryMediaTypes []string) bool {
	first, _, _ := strings.Cut(accept, ",")
	first, _, _ = strings.Cut(first, ";")
	first = strings.TrimSpace(first)
	for _, b := range binaryMediaTypes {
		b = strings.TrimSpace(b)
		if b == "*/*" || first != "" && !strings.Contains(b, "*") && strings.EqualFold(b, first) {
			return true
		}
	}
	return false
}

// conversionFailed is API Gateway's answer to a body contentHandling cannot convert: 500.
func conversionFailed(what string) *gatewayresponse.Error {
	return &gatewayresponse.Error{Type: gatewayresponse.APIConfigurationError, Reason: "contentHandling: " + what}
}

// toText reads b as UTF-8 the way Java's decoder does: each byte that starts no valid sequence becomes
// U+FFFD (the recorded 67-byte gzip arrived as 99 bytes: 16 bytes replaced, 2 more bytes each).
func toText(b []byte) []byte {
	if utf8.Valid(b) {
		return b
	}
	out := make([]byte, 0, len(b)+len(b)/2)
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		if r == utf8.RuneError && size == 1 {
			out = append(out, "\uFFFD"...)
		} else {
			out = append(out, b[:size]...)
		}
		b = b[size:]
	}
	return out
}

func encode(b []byte) []byte {
	out := make([]byte, base64.StdEncoding.EncodedLen(len(b)))
	base64.StdEncoding.Encode(out, b)
	return out
}

func decode(b []byte) ([]byte, bool) {
	out := make([]byte, base64.StdEncoding.DecodedLen(len(b)))
	n, err := base64.StdEncoding.Decode(out, bytes.TrimSpace(b))
	return out[:n], err == nil
}
