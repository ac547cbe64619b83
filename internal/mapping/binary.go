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

// isBinaryType reports whether contentType is one of binaryMediaTypes: equal (without parameters, any
// case), "*/*", or a "type/*" entry of its type.
func isBinaryType(contentType string, binaryMediaTypes []string) bool {
	if contentType == "" || len(binaryMediaTypes) == 0 {
		return false
	}
	mt := mediaType(contentType)
	for _, b := range binaryMediaTypes {
		b = strings.ToLower(strings.TrimSpace(b))
		switch {
		case b == "*/*", b == mt:
			return true
		case strings.HasSuffix(b, "/*") && strings.HasPrefix(mt, strings.TrimSuffix(b, "*")):
			return true
		}
	}
	return false
}

// acceptsBinary reports whether the first media type of accept is one of binaryMediaTypes, exactly or
// through the "*/*" entry: wildcards elsewhere match nothing (reference §e.2, recorded).
func acceptsBinary(accept string, binaryMediaTypes []string) bool {
	first, _, _ := strings.Cut(accept, ",")
	first, _, _ = strings.Cut(first, ";")
	first = strings.ToLower(strings.TrimSpace(first))
	for _, b := range binaryMediaTypes {
		b = strings.ToLower(strings.TrimSpace(b))
		if b == "*/*" || first != "" && !strings.Contains(b, "*") && b == first {
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
