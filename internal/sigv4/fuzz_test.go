package sigv4

import (
	"strings"
	"testing"
)

// FuzzParseAuthorization runs the Authorization header and credential scope parsers on arbitrary input:
// they must not panic, must answer an IncompleteSignatureException when they refuse, and what they accept
// must hold together (a date, at most MaxSignedHeaders names, a scope that rebuilds the credential).
func FuzzParseAuthorization(f *testing.F) {
	for _, s := range []string{
		"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/execute-api/aws4_request, SignedHeaders=host;x-amz-date, Signature=abcdef",
		"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/execute-api/aws4_request,SignedHeaders=host,Signature=",
		"Bearer x",
		"AWS4-HMAC-SHA256 Credential=AKID /20260101/us-east-1/execute-api/aws4_request, SignedHeaders=host, Signature=00",
		"AWS4-HMAC-SHA256\tCredential=a/b/c/d/e//,SignedHeaders=host;x-amz-date;x-amz-date,Signature=0,Signature=1",
		"Basic dXNlcjpwYXNz==",
		"eyJhbGciOiJIUzI1NiJ9.e30.sig",
		"AWS4-HMAC-SHA256 Credential=a/b/c, SignedHeaders=, Signature=0",
		"AWS4-HMAC-SHA256 Credential=a/b/c/d/e/f, SignedHeaders=;;;, Signature==",
		"  AWS4-HMAC-SHA256   ,,, Credential==/////",
		"",
	} {
		f.Add(s, true)
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, value string, hasDate bool) {
		a, err := ParseAuthorization(value, hasDate)
		if err != nil {
			if err.ErrorType != ErrorTypeIncompleteSignature || err.ResponseType != ResponseInvalidSignature || err.Message == "" {
				t.Fatalf("unexpected error %+v", err)
			}
			return
		}
		if !hasDate {
			t.Fatalf("accepted %q without a date", value)
		}
		if len(a.SignedHeaders) > MaxSignedHeaders {
			t.Fatalf("%d signed headers accepted", len(a.SignedHeaders))
		}
		sc, ok := ParseCredential(a.Credential)
		if sc != a.Scope {
			t.Fatalf("credential %q parses to %+v, Authorization.Scope is %+v", a.Credential, sc, a.Scope)
		}
		if !ok {
			return
		}
		if got := strings.Join([]string{sc.AccessKeyID, sc.Date, sc.Region, sc.Service, sc.Terminator}, "/"); got != strings.TrimRight(a.Credential, "/") {
			t.Fatalf("scope %q does not rebuild the credential %q", got, a.Credential)
		}
	})
}
