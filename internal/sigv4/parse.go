package sigv4

import (
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"strings"
)

// Authorization is a parsed SigV4 Authorization header or presigned query: the algorithm, the credential
// scope, the signed header names as written and the signature.
type Authorization struct {
	// Algorithm is the first word of the header (or X-Amz-Algorithm), e.g. "AWS4-HMAC-SHA256".
	Algorithm string
	// Credential is the Credential parameter as written, e.g. "AKID/20260101/us-east-1/execute-api/aws4_request".
	Credential string
	// Scope is Credential split into its five elements; zero when ParseCredential refuses it.
	Scope Scope
	// SignedHeaders are the names of SignedHeaders as written (lowercase on a well-formed request).
	SignedHeaders []string
	// Signature is the hex signature claimed by the client.
	Signature string
}

// Scope is a credential scope: access key id / date / region / service / terminator.
type Scope struct {
	AccessKeyID string
	Date        string // YYYYMMDD
	Region      string
	Service     string
	Terminator  string // "aws4_request"
}

// ParseAuthorization parses the value of an Authorization header the way API Gateway does: the first word
// is the algorithm, the rest is a list of key=value pairs separated by commas or spaces, of which
// Credential, SignedHeaders and Signature are required. hasDate tells whether the request carries an X-Amz-Date or Date header, whose
// absence AWS reports in the same message as missing parameters. It does not check the algorithm or the
// scope's content (Verify does), so that it can serve the fuzz target on its own.
func ParseAuthorization(value string, hasDate bool) (Authorization, *Error) {
	var a Authorization
	if len(value) > MaxAuthorizationLength {
		// Assumed text (the emulator's own budget; AWS's header limit is enforced before API Gateway).
		return a, incomplete("Authorization header is longer than " + strconv.Itoa(MaxAuthorizationLength) + " bytes.")
	}
	v := strings.TrimSpace(value)
	alg, rest, _ := strings.Cut(v, " ")
	a.Algorithm = alg
	var haveCred, haveSigned, haveSig bool
	// AWS splits the parameters on commas and spaces alike: a space inside a value makes its tail a pair
	// without an equal sign (aws-sdk-go#289: "Credential=AKID /20150620/..." is answered "'/20150620/...'
	// not a valid key=value pair (missing equal-sign)").
	n := 0
	for part := range strings.FieldsFuncSeq(rest, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' }) {
		if n++; n > maxAuthorizationParams {
			// Assumed text (the emulator's own budget).
			return a, incomplete("Authorization header has more than " + strconv.Itoa(maxAuthorizationParams) + " parameters.")
		}
		k, val, ok := strings.Cut(part, "=")
		if !ok {
			return a, missingEqualSign(value)
		}
		// An empty Credential or Signature counts as missing; SignedHeaders may be empty at this point
		// (dynalite's notes), and "host not signed" answers it later.
		switch k {
		case "Credential":
			a.Credential, haveCred = val, val != ""
		case "SignedHeaders":
			haveSigned = true
			if val != "" {
				if strings.Count(val, ";") >= MaxSignedHeaders {
					// Assumed text (the emulator's own budget).
					return a, incomplete("Authorization header signs more than " + strconv.Itoa(MaxSignedHeaders) + " headers.")
				}
				a.SignedHeaders = strings.Split(val, ";")
			}
		case "Signature":
			a.Signature, haveSig = val, val != ""
		}
	}
	// Recorded text and order (chalice#828, serverless-basic-authentication#3, cognitocurl#15, amplify-js#476):
	// "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature'
	// parameter. Authorization header requires 'SignedHeaders' parameter. Authorization header requires
	// existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=<value>".
	if !haveCred || !haveSigned || !haveSig || !hasDate {
		var b strings.Builder
		if !haveCred {
			b.WriteString("Authorization header requires 'Credential' parameter. ")
		}
		if !haveSig {
			b.WriteString("Authorization header requires 'Signature' parameter. ")
		}
		if !haveSigned {
			b.WriteString("Authorization header requires 'SignedHeaders' parameter. ")
		}
		if !hasDate {
			b.WriteString("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ")
		}
		b.WriteString("Authorization=")
		b.WriteString(value)
		return a, incomplete(b.String())
	}
	a.Scope, _ = ParseCredential(a.Credential)
	return a, nil
}

// ParseCredential splits "AKID/YYYYMMDD/region/service/aws4_request" into its five elements. Trailing
// slashes are ignored, as AWS ignores them (dynalite's notes). It accepts any non-empty elements; Verify
// checks their values.
func ParseCredential(s string) (Scope, bool) {
	var sc Scope
	s = strings.TrimRight(s, "/")
	parts := strings.SplitN(s, "/", 6)
	if len(parts) != 5 {
		return sc, false
	}
	for _, p := range parts {
		if p == "" {
			return sc, false
		}
	}
	sc = Scope{AccessKeyID: parts[0], Date: parts[1], Region: parts[2], Service: parts[3], Terminator: parts[4]}
	return sc, true
}

// missingEqualSign is API Gateway's answer to an Authorization header that is not a list of key=value
// pairs, such as "Bearer x". Recorded text (given by our reference; older answers quoted the raw value,
// serverless#3205: "'sometoken' not a valid key=value pair (missing equal-sign) in Authorization header:
// 'Bearer sometoken'."). The hash is SHA-256 of the header value as received, in standard Base64.
func missingEqualSign(value string) *Error {
	sum := sha256.Sum256([]byte(value))
	return incomplete("Invalid key=value pair (missing equal-sign) in Authorization header (hashed with SHA-256 and encoded with Base64): '" +
		base64.StdEncoding.EncodeToString(sum[:]) + "'.")
}

// badCredential answers a Credential that is not five slash-separated elements. Recorded for DynamoDB
// (dynalite's notes: "Credential must have exactly 5 slash-delimited elements, e.g.
// keyid/date/region/service/term, got 'a/b/c/d'"); assumed for execute-api.
func badCredential(cred string) *Error {
	return incomplete("Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '" + cred + "'")
}
