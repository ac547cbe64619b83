package mapping

import (
	"encoding/base64"
	"net/http"
	"testing"

	"github.com/apigw-local/apigw-local/internal/spec"
)

var (
	gzipBlob = []byte{0x1f, 0x8b, 0x08, 0x00, 0xff, 0x80, 0x00}
	b64Blob  = []byte(base64.StdEncoding.EncodeToString(gzipBlob))
	fffd     = "\x1f\ufffd\x08\x00\ufffd\ufffd\x00" // the blob as UTF-8 text: invalid bytes replaced
)

// Reference §l.1 (recorded against S3): the method request body as the integration gets it.
func TestContentHandlingRequest(t *testing.T) {
	for _, c := range []struct {
		name, handling, contentType string
		templates                   bool
		body                        []byte
		want                        string
		fails                       bool
	}{
		{"unset, binary", "", "application/gzip", false, gzipBlob, string(gzipBlob), false},
		{"unset, text", "", "text/plain", false, gzipBlob, fffd, false},
		{"to text, binary", "CONVERT_TO_TEXT", "application/gzip", false, gzipBlob, string(b64Blob), false},
		{"to text, text", "CONVERT_TO_TEXT", "text/plain", false, gzipBlob, fffd, false},
		{"to binary, binary", "CONVERT_TO_BINARY", "application/gzip", false, gzipBlob, string(gzipBlob), false},
		{"to binary, base64 text", "CONVERT_TO_BINARY", "text/plain", false, b64Blob, string(gzipBlob), false},
		{"to binary, text that is not base64", "CONVERT_TO_BINARY", "text/plain", false, []byte("not base64!"), "", true},
		{"to binary with a matching template", "CONVERT_TO_BINARY", "application/json", true, b64Blob, "", true},
	} {
		in := &spec.Integration{Type: "HTTP", ContentHandling: c.handling}
		if c.templates {
			in.RequestTemplates = []spec.KV{{Key: "application/json", Value: `{"data": "$input.body"}`}}
		}
		m, err := Compile(in)
		if err != nil {
			t.Fatal(err)
		}
		env := &Env{BinaryMediaTypes: []string{"application/gzip"}}
		got, gerr := m.RequestPayload(c.contentType, c.body, env)
		if (gerr != nil) != c.fails || gerr == nil && string(got) != c.want {
			t.Errorf("%s: %q %v, want %q (fails %v)", c.name, got, gerr, c.want, c.fails)
		}
	}
}

// Reference §l.2: the integration response body as the client gets it, by contentHandling, whether the
// payload is binary and whether the client's first Accept type is.
func TestContentHandlingResponse(t *testing.T) {
	binaryTypes := []string{"application/gzip", "image/png"}
	for _, c := range []struct {
		handling, contentType, accept string
		body                          []byte
		want                          string
		fails                         bool
	}{
		{"", "application/gzip", "image/png", gzipBlob, string(gzipBlob), false},
		{"", "application/gzip", "application/json", gzipBlob, string(b64Blob), false},
		{"", "text/plain", "image/png", b64Blob, string(gzipBlob), false},
		{"", "text/plain", "image/png", []byte("plain text"), "", true},
		{"", "text/plain", "application/json", gzipBlob, fffd, false},
		{"", "text/plain", "image/*", b64Blob, string(b64Blob), false}, // a wildcard Accept is not binary
		{"CONVERT_TO_TEXT", "application/gzip", "image/png", gzipBlob, string(b64Blob), false},
		{"CONVERT_TO_TEXT", "application/gzip", "application/json", gzipBlob, string(b64Blob), false},
		{"CONVERT_TO_TEXT", "text/plain", "image/png", b64Blob, string(b64Blob), false},
		{"CONVERT_TO_BINARY", "application/gzip", "application/json", gzipBlob, string(gzipBlob), false},
		{"CONVERT_TO_BINARY", "text/plain", "application/json", b64Blob, string(gzipBlob), false},
		{"CONVERT_TO_BINARY", "text/plain", "image/png", []byte("plain text"), "", true},
	} {
		m, err := Compile(&spec.Integration{Type: "HTTP", Responses: []*spec.IntegrationResponse{{StatusCode: "200", ContentHandling: c.handling}}})
		if err != nil {
			t.Fatal(err)
		}
		env := &Env{BinaryMediaTypes: binaryTypes}
		out, gerr := m.Respond(m.Select("200", false), c.body, http.Header{"Content-Type": {c.contentType}}, c.accept, env)
		var got []byte
		if out != nil {
			got = out.Body
		}
		if (gerr != nil) != c.fails || gerr == nil && string(got) != c.want {
			t.Errorf("%s %s, Accept %s: %q %v, want %q (fails %v)", c.handling, c.contentType, c.accept, got, gerr, c.want, c.fails)
		}
	}
	// Without binaryMediaTypes every payload is text; CONVERT_TO_BINARY still decodes.
	m, _ := Compile(&spec.Integration{Type: "HTTP", Responses: []*spec.IntegrationResponse{{StatusCode: "200", ContentHandling: "CONVERT_TO_BINARY"}}})
	if out, gerr := m.Respond(m.Select("200", false), b64Blob, nil, "image/png", &Env{}); gerr != nil || string(out.Body) != string(gzipBlob) {
		t.Errorf("no binaryMediaTypes, CONVERT_TO_BINARY: %v %v", out, gerr)
	}
}

// One matching of types, for every integration: request Content-Types against entries with "*" on either
// side; the Accept rule of reference §e.2 (exact entries and "*/*" only).
func TestBinaryTypeRules(t *testing.T) {
	for _, c := range []struct {
		contentType string
		types       []string
		want        bool
	}{
		{"image/png", []string{"image/png"}, true},
		{"IMAGE/PNG; q=1", []string{"image/png"}, true},
		{"image/jpeg", []string{"image/*"}, true},
		{"random/test", []string{"*/test"}, true},
		{"text/plain", []string{"*/*"}, true},
		{"text/plain", []string{"image/*"}, false},
		{"", []string{"*/*"}, false},
	} {
		if got := IsBinaryType(c.contentType, c.types); got != c.want {
			t.Errorf("IsBinaryType(%q, %v) = %v", c.contentType, c.types, got)
		}
	}
	for _, c := range []struct {
		accept string
		types  []string
		want   bool
	}{
		{"image/png", []string{"image/png"}, true},
		{"image/png, text/html", []string{"image/png"}, true},
		{"text/html, image/png", []string{"image/png"}, false},
		{"image/*", []string{"image/png"}, false},
		{"random/test", []string{"*/test"}, false},
		{"anything", []string{"*/*"}, true},
	} {
		if got := AcceptsBinary(c.accept, c.types); got != c.want {
			t.Errorf("AcceptsBinary(%q, %v) = %v", c.accept, c.types, got)
		}
	}
}
