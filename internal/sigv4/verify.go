package sigv4

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/smithy-go/logging"
)

// Algorithm is the only signing algorithm accepted.
const Algorithm = "AWS4-HMAC-SHA256"

// Service is the signing name of API Gateway's data plane, required in the credential scope.
const Service = "execute-api"

// Terminator ends every SigV4 credential scope.
const Terminator = "aws4_request"

// UnsignedPayload is the payload hash of a presigned URL that does not sign the body (botocore's presigner
// always uses it; aws-sdk-go-v2's PresignHTTP takes the hash from its caller).
const UnsignedPayload = "UNSIGNED-PAYLOAD"

// MaxSkew is how far X-Amz-Date may be from the server's clock, either way (AWS: 5 minutes).
const MaxSkew = 5 * time.Minute

// MaxPresignExpires is the longest X-Amz-Expires SigV4 allows: one week, in seconds.
const MaxPresignExpires = 604800

// Budgets: a request beyond them is rejected before any signing work, so that one request costs at most
// two signature computations over a bounded canonical request.
const (
	MaxAuthorizationLength = 8 << 10  // bytes of the Authorization header value
	MaxSignedHeaders       = 64       // names in SignedHeaders
	MaxSignedHeaderBytes   = 64 << 10 // total bytes of the values of the signed headers
	MaxQueryLength         = 64 << 10 // bytes of the raw query string
	maxAuthorizationParams = 16       // key=value pairs in the Authorization header
)

const amzDateFormat = "20060102T150405Z"

// Credential is one access key the emulator knows, with the identity it stands for.
type Credential struct {
	AccessKeyID     string
	SecretAccessKey string
	// SessionToken, when set, must be sent as X-Amz-Security-Token (temporary credentials); when empty,
	// a request carrying a token is refused, as AWS refuses a token with long-term keys.
	SessionToken string
	// UserARN is the IAM user, role session or root ARN, e.g. "arn:aws:iam::123456789012:user/alice".
	UserARN string
	// UserID is the principal id AWS puts in $context.identity.caller and .user (e.g. "AIDA..." for a
	// user, "AROA...:session" for a role session). Optional: see Identity for the default.
	UserID string
}

// Identity is what $context.identity holds for a caller authenticated with SigV4 (AWS_IAM).
type Identity struct {
	// AccessKey is the access key id of the signature ($context.identity.accessKey).
	AccessKey string
	// AccountID is the caller's account, the fifth field of UserARN ($context.identity.accountId).
	AccountID string
	// Caller and User are the principal id ($context.identity.caller, $context.identity.user). AWS fills
	// them with the IAM unique id ("AIDA..." for a user, "AROA...:<session name>" for an assumed role,
	// the account id for root). Local credentials have no such id, so: Credential.UserID when configured;
	// else "<access key id>:<session name>" for an sts assumed-role ARN (the shape of AWS's value), the
	// account id for a root ARN, and the access key id otherwise.
	Caller string
	User   string
	// UserARN is Credential.UserARN ($context.identity.userArn).
	UserARN string
}

// Verifier checks SigV4 signatures for one gateway region against a fixed set of credentials. It is safe
// for concurrent use.
type Verifier struct {
	region string
	creds  map[string]Credential
	signer *v4.Signer
}

// NewVerifier returns a Verifier for the gateway's region. A later credential with the same access key id
// replaces an earlier one (the config decoder rejects duplicates).
func NewVerifier(region string, creds []Credential) *Verifier {
	m := make(map[string]Credential, len(creds))
	for _, c := range creds {
		m[c.AccessKeyID] = c
	}
	// Path escaping stays on (DisableURIPathEscaping false): execute-api signs the once-more-escaped path,
	// unlike S3. Header hoisting is off so that a presigned request's signed headers stay headers.
	return &Verifier{region: region, creds: m, signer: v4.NewSigner(func(o *v4.SignerOptions) {
		o.DisableHeaderHoisting = true
	})}
}

// Verify checks the SigV4 signature of r, whose body (already read) is body, at time now. It accepts the
// Authorization header form and the presigned query form (X-Amz-Algorithm, X-Amz-Credential, X-Amz-Date,
// X-Amz-Expires, X-Amz-SignedHeaders, X-Amz-Signature). On success it returns the caller's Identity; else
// the Error API Gateway answers with (status 403).
func (v *Verifier) Verify(r *http.Request, body []byte, now time.Time) (Identity, *Error) {
	now = now.UTC()
	if h := r.Header.Values("Authorization"); len(h) > 0 {
		return v.verifyHeader(r, h[0], body, now)
	}
	if len(r.URL.RawQuery) > MaxQueryLength {
		// Assumed text (the emulator's own budget).
		return Identity{}, incomplete("Query string is longer than " + strconv.Itoa(MaxQueryLength) + " bytes.")
	}
	q := r.URL.Query()
	if q.Has("X-Amz-Algorithm") || q.Has("X-Amz-Signature") || q.Has("X-Amz-Credential") {
		return v.verifyPresigned(r, q, body, now)
	}
	return Identity{}, errMissingToken
}

func (v *Verifier) verifyHeader(r *http.Request, value string, body []byte, now time.Time) (Identity, *Error) {
	amzDate := r.Header.Get("X-Amz-Date")
	date := r.Header.Get("Date")
	a, err := ParseAuthorization(value, amzDate != "" || date != "")
	if err != nil {
		return Identity{}, err
	}
	if a.Algorithm != Algorithm {
		return Identity{}, unsupportedAlgorithm(a.Algorithm)
	}
	var t time.Time
	var perr error
	if amzDate != "" {
		t, perr = time.Parse(amzDateFormat, amzDate)
	} else {
		// The Date form is parsed for the clock checks, but the SDK signer always signs x-amz-date, so a
		// request signed with Date only does not verify (see doc.go).
		t, perr = http.ParseTime(date)
		amzDate = t.UTC().Format(amzDateFormat)
	}
	if perr != nil {
		return Identity{}, badDate(amzDate, date)
	}
	if e := v.checkScope(a.Scope, amzDate); e != nil {
		return Identity{}, e
	}
	if e := checkClock(t, now); e != nil {
		return Identity{}, e
	}
	cred, e := v.lookup(a.Scope.AccessKeyID, r.Header.Get("X-Amz-Security-Token"))
	if e != nil {
		return Identity{}, e
	}
	if e := checkSignedHeaders(r, a.SignedHeaders); e != nil {
		return Identity{}, e
	}
	// The payload hash is SHA-256 of the body as received. A signed X-Amz-Content-Sha256 that matches it
	// gives the same canonical request; one that does not (a changed body, or UNSIGNED-PAYLOAD, which
	// execute-api is assumed not to honour) makes the signature mismatch.
	sum := sha256.Sum256(body)
	payload := hex.EncodeToString(sum[:])

	req := rebuild(r, a.SignedHeaders, r.URL.RawQuery)
	c := &capture{}
	awsCred := aws.Credentials{AccessKeyID: cred.AccessKeyID, SecretAccessKey: cred.SecretAccessKey}
	if serr := v.signer.SignHTTP(context.Background(), awsCred, req, payload, a.Scope.Service, a.Scope.Region, t, c.options); serr != nil {
		return Identity{}, mismatch(c)
	}
	_, got, _ := strings.Cut(req.Header.Get("Authorization"), "Signature=")
	if !equal(got, a.Signature) {
		return Identity{}, mismatch(c)
	}
	return identity(cred), nil
}

func (v *Verifier) verifyPresigned(r *http.Request, q url.Values, body []byte, now time.Time) (Identity, *Error) {
	// Assumed text: API Gateway's answer to an incomplete presigned query was not found; this is the
	// wording other AWS query-signing services use (remembered), one sentence per missing parameter.
	var missing strings.Builder
	for _, k := range []string{"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature", "X-Amz-Date", "X-Amz-SignedHeaders"} {
		if q.Get(k) == "" {
			missing.WriteString("AWS query-string parameters must include '" + k + "'. ")
		}
	}
	if missing.Len() > 0 {
		missing.WriteString("Re-examine the query-string parameters.")
		return Identity{}, incomplete(missing.String())
	}
	if alg := q.Get("X-Amz-Algorithm"); alg != Algorithm {
		return Identity{}, unsupportedAlgorithm(alg)
	}
	cred := q.Get("X-Amz-Credential")
	sc, ok := ParseCredential(cred)
	if !ok {
		return Identity{}, badCredential(cred)
	}
	signed := q.Get("X-Amz-SignedHeaders")
	if strings.Count(signed, ";") >= MaxSignedHeaders {
		return Identity{}, incomplete("X-Amz-SignedHeaders signs more than " + strconv.Itoa(MaxSignedHeaders) + " headers.")
	}
	names := strings.Split(signed, ";")
	amzDate := q.Get("X-Amz-Date")
	t, perr := time.Parse(amzDateFormat, amzDate)
	if perr != nil {
		return Identity{}, badDate(amzDate, "")
	}
	if e := v.checkScope(sc, amzDate); e != nil {
		return Identity{}, e
	}
	if exp := q.Get("X-Amz-Expires"); exp != "" {
		secs, err := strconv.Atoi(exp)
		switch {
		case err != nil || secs < 0:
			// Assumed text.
			return Identity{}, incomplete("X-Amz-Expires should be a number of seconds, got '" + exp + "'.")
		case secs > MaxPresignExpires:
			// Recorded for S3 (bryanjos/aws_auth#31); assumed for execute-api.
			return Identity{}, incomplete("X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds")
		}
		if t.After(now.Add(MaxSkew)) {
			return Identity{}, notYetCurrent(t, now)
		}
		if now.After(t.Add(time.Duration(secs) * time.Second)) {
			// Assumed text: S3's answer to an expired presigned URL (aws-sdk-js#3493); API Gateway's was
			// not found.
			return Identity{}, invalid("Request has expired")
		}
	} else if e := checkClock(t, now); e != nil {
		// Without X-Amz-Expires the header form's 5-minute window applies (assumed).
		return Identity{}, e
	}
	c, e := v.lookup(sc.AccessKeyID, q.Get("X-Amz-Security-Token"))
	if e != nil {
		return Identity{}, e
	}
	if e := checkSignedHeaders(r, names); e != nil {
		return Identity{}, e
	}
	claimed := q.Get("X-Amz-Signature")
	q.Del("X-Amz-Signature")
	raw := q.Encode()
	awsCred := aws.Credentials{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey}
	// Payload hash: UNSIGNED-PAYLOAD when the query says so; else the body's hash (what aws-sdk-go-v2's
	// PresignHTTP callers pass for a body they know), then UNSIGNED-PAYLOAD (botocore's presigner).
	sum := sha256.Sum256(body)
	hashes := []string{hex.EncodeToString(sum[:]), UnsignedPayload}
	if q.Get("X-Amz-Content-Sha256") == UnsignedPayload {
		hashes = hashes[1:]
	}
	var first *capture
	for _, h := range hashes {
		req := rebuild(r, names, raw)
		cp := &capture{}
		signedURL, _, serr := v.signer.PresignHTTP(context.Background(), awsCred, req, h, sc.Service, sc.Region, t, cp.options)
		if first == nil {
			first = cp
		}
		if serr != nil {
			continue
		}
		u, uerr := url.Parse(signedURL)
		if uerr != nil {
			continue
		}
		if equal(u.Query().Get("X-Amz-Signature"), claimed) {
			return identity(c), nil
		}
	}
	return Identity{}, mismatch(first)
}

// checkScope checks the terminator, region and service of the credential scope, then its date against the
// request's. Recorded texts (Kong/insomnia#713 shows two of them in one answer, each ending ". "):
// "Credential should be scoped to a valid region, not 'us-east-1'. " and "Credential should be scoped to
// correct service: 'execute-api'. ". The terminator and date texts are remembered from other AWS services
// (assumed for execute-api). The error type is InvalidSignatureException (our reference; aws-sdk-js#792
// recorded "SignatureDoesNotMatch" as the __type in 2015).
func (v *Verifier) checkScope(sc Scope, amzDate string) *Error {
	var b strings.Builder
	if sc.Terminator != Terminator {
		b.WriteString("Credential should be scoped with a valid terminator: 'aws4_request', not '" + sc.Terminator + "'. ")
	}
	if sc.Region != v.region {
		b.WriteString("Credential should be scoped to a valid region, not '" + sc.Region + "'. ")
	}
	if sc.Service != Service {
		b.WriteString("Credential should be scoped to correct service: '" + Service + "'. ")
	}
	if b.Len() > 0 {
		return invalid(b.String())
	}
	if len(amzDate) >= 8 && sc.Date != amzDate[:8] {
		return invalid("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '" +
			sc.Date + "' != '" + amzDate[:8] + "', from '" + amzDate + "'.")
	}
	return nil
}

// checkClock refuses a signing time more than MaxSkew from now. Recorded texts (our reference;
// aws-sdk-js#573, mhart/aws4#118): "Signature expired: 20170212T175938Z is now earlier than
// 20170215T145534Z (20170215T150034Z - 5 min.)"; the future case is the mirror image, "Signature not yet
// current: <t> is still later than <now+5min> (<now> + 5 min.)".
func checkClock(t, now time.Time) *Error {
	if t.Before(now.Add(-MaxSkew)) {
		return invalid("Signature expired: " + t.Format(amzDateFormat) + " is now earlier than " +
			now.Add(-MaxSkew).Format(amzDateFormat) + " (" + now.Format(amzDateFormat) + " - 5 min.)")
	}
	if t.After(now.Add(MaxSkew)) {
		return notYetCurrent(t, now)
	}
	return nil
}

func notYetCurrent(t, now time.Time) *Error {
	return invalid("Signature not yet current: " + t.Format(amzDateFormat) + " is still later than " +
		now.Add(MaxSkew).Format(amzDateFormat) + " (" + now.Format(amzDateFormat) + " + 5 min.)")
}

// lookup finds the credential of the access key id and checks the session token. An unknown key, a
// missing or wrong token for temporary credentials, and a token sent with long-term credentials all get
// the same answer, as on AWS.
func (v *Verifier) lookup(akid, token string) (Credential, *Error) {
	c, ok := v.creds[akid]
	if !ok {
		return c, unrecognized()
	}
	if subtle.ConstantTimeCompare([]byte(c.SessionToken), []byte(token)) != 1 {
		return c, unrecognized()
	}
	return c, nil
}

// checkSignedHeaders enforces the budgets and that host is signed. Texts: "'Host' or ':authority' must be
// a 'SignedHeader' in the AWS Authorization." is remembered from AWS services (assumed for execute-api);
// the budget texts are the emulator's own.
func checkSignedHeaders(r *http.Request, names []string) *Error {
	host := false
	total := 0
	for _, n := range names {
		if n == "host" {
			host = true
			total += len(r.Host)
			continue
		}
		for _, val := range r.Header.Values(n) {
			total += len(val)
		}
		if total > MaxSignedHeaderBytes {
			return incomplete("Signed headers are longer than " + strconv.Itoa(MaxSignedHeaderBytes) + " bytes in total.")
		}
	}
	if !host {
		return incomplete("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.")
	}
	return nil
}

// rebuild returns a request carrying only what the signature covers: method, path, rawQuery, the signed
// headers (host from r.Host, content-length from r.ContentLength) and nothing else, for the SDK signer to
// sign again.
func rebuild(r *http.Request, names []string, rawQuery string) *http.Request {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	u := &url.URL{Scheme: scheme, Host: r.Host, Path: r.URL.Path, RawPath: r.URL.RawPath, RawQuery: rawQuery}
	req := &http.Request{Method: r.Method, URL: u, Host: r.Host, Header: make(http.Header, len(names)), Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1}
	for _, n := range names {
		switch n {
		case "host", "":
		case "content-length":
			if r.ContentLength > 0 {
				req.ContentLength = r.ContentLength
			} else if cl, err := strconv.ParseInt(r.Header.Get("Content-Length"), 10, 64); err == nil {
				req.ContentLength = cl
			}
		default:
			if vals := r.Header.Values(n); len(vals) > 0 {
				req.Header[http.CanonicalHeaderKey(n)] = vals
			}
		}
	}
	return req
}

// capture receives the canonical request and string to sign from the SDK signer's signing log (LogSigning),
// for the "should have been" message, so that neither is rebuilt here.
type capture struct {
	canonical, stringToSign string
}

func (c *capture) Logf(_ logging.Classification, _ string, v ...any) {
	if len(v) >= 2 {
		c.canonical, _ = v[0].(string)
		c.stringToSign, _ = v[1].(string)
	}
}

func (c *capture) options(o *v4.SignerOptions) {
	o.LogSigning = true
	o.Logger = c
}

// mismatch is AWS's answer to a wrong signature. Recorded text (our reference).
func mismatch(c *capture) *Error {
	return invalid("The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.\n\nThe Canonical String for this request should have been\n'" +
		c.canonical + "'\n\nThe String-to-Sign should have been\n'" + c.stringToSign + "'\n")
}

// unsupportedAlgorithm answers an algorithm other than AWS4-HMAC-SHA256. Assumed text.
func unsupportedAlgorithm(alg string) *Error {
	return incomplete("Unsupported AWS 'algorithm': '" + alg + "'.")
}

// badDate answers an X-Amz-Date (or Date) that does not parse. Assumed text.
func badDate(amzDate, date string) *Error {
	if amzDate == "" {
		amzDate = date
	}
	return incomplete("Date must be in ISO-8601 'basic format'. Got '" + amzDate + "'. See http://en.wikipedia.org/wiki/ISO_8601")
}

func equal(a, b string) bool {
	return len(a) > 0 && hmac.Equal([]byte(a), []byte(b))
}

func identity(c Credential) Identity {
	id := Identity{AccessKey: c.AccessKeyID, UserARN: c.UserARN, AccountID: AccountFromARN(c.UserARN)}
	principal := c.UserID
	if principal == "" {
		principal = c.AccessKeyID
		if _, res, ok := strings.Cut(c.UserARN, ":assumed-role/"); ok {
			if i := strings.LastIndexByte(res, '/'); i >= 0 {
				principal = c.AccessKeyID + ":" + res[i+1:]
			}
		} else if strings.HasSuffix(c.UserARN, ":root") {
			principal = id.AccountID
		}
	}
	id.Caller, id.User = principal, principal
	return id
}

// AccountFromARN returns the account id field of an ARN ("arn:aws:iam::123456789012:user/alice" gives
// "123456789012"), or "" when s has fewer than six fields.
func AccountFromARN(s string) string {
	parts := strings.SplitN(s, ":", 6)
	if len(parts) < 6 {
		return ""
	}
	return parts[4]
}
