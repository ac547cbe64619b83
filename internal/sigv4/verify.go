package sigv4

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"maps"
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
	// a request carrying a token is refused (assumed: AWS has no token to match for long-term keys).
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
	// "<account>:<name>" for a federated user, the account id for root: the aws:userid values of IAM's
	// documentation). Local credentials have no unique id, so: Credential.UserID when configured; else
	// "<access key id>:<session name>" for an assumed-role ARN (the shape of AWS's value, the access key id
	// standing in for the role id), "<account>:<name>" for a federated user, the account id for root, and
	// the access key id for an IAM user.
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
//
// The checks run in the order AWS's request front end runs them, as recorded from DynamoDB's answers (the
// same com.amazon.coral.service errors; mhart/dynalite's notes): both forms present; missing parameters;
// the date's format, then its age; host signed; the algorithm; the credential's shape; the scope's region,
// service, terminator and date (one answer naming every mismatch); the access key id; the signature; the
// session token. That API Gateway runs them in the same order is assumed.
func (v *Verifier) Verify(r *http.Request, body []byte, now time.Time) (Identity, *Error) {
	now = now.UTC()
	if len(r.URL.RawQuery) > MaxQueryLength {
		// Assumed text (the emulator's own budget).
		return Identity{}, incomplete("Query string is longer than " + strconv.Itoa(MaxQueryLength) + " bytes.")
	}
	q := r.URL.Query()
	auth := r.Header.Values("Authorization")
	if len(auth) > 0 && q.Has("X-Amz-Algorithm") {
		// Recorded for DynamoDB (dynalite's notes); assumed for execute-api.
		return Identity{}, invalid("Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header.")
	}
	var c claim
	var e *Error
	switch {
	case len(auth) > 0:
		c, e = headerClaim(r, auth[0])
	case q.Has("X-Amz-Algorithm") || q.Has("X-Amz-Signature") || q.Has("X-Amz-Credential"):
		c, e = queryClaim(q)
	default:
		return Identity{}, errMissingToken
	}
	if e != nil {
		return Identity{}, e
	}
	return v.check(r, q, c, body, now)
}

// claim is what a request says about its signature, in either form.
type claim struct {
	presigned     bool
	algorithm     string
	credential    string
	signedHeaders []string
	signature     string
	amzDate       string // as written (X-Amz-Date, or Date converted)
	dateHeader    string // the Date header when X-Amz-Date is absent
	expires       string // X-Amz-Expires, presigned only
	token         string // X-Amz-Security-Token
}

func headerClaim(r *http.Request, value string) (claim, *Error) {
	c := claim{amzDate: r.Header.Get("X-Amz-Date"), token: r.Header.Get("X-Amz-Security-Token")}
	if c.amzDate == "" {
		c.dateHeader = r.Header.Get("Date")
	}
	a, err := ParseAuthorization(value, c.amzDate != "" || c.dateHeader != "")
	if err != nil {
		return c, err
	}
	c.algorithm, c.credential, c.signedHeaders, c.signature = a.Algorithm, a.Credential, a.SignedHeaders, a.Signature
	return c, nil
}

func queryClaim(q url.Values) (claim, *Error) {
	// Recorded for DynamoDB (dynalite's notes: one sentence per missing parameter, then "Re-examine the
	// query-string parameters."); assumed for execute-api.
	var missing strings.Builder
	for _, k := range []string{"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature", "X-Amz-SignedHeaders", "X-Amz-Date"} {
		if q.Get(k) == "" {
			missing.WriteString("AWS query-string parameters must include '" + k + "'. ")
		}
	}
	if missing.Len() > 0 {
		missing.WriteString("Re-examine the query-string parameters.")
		return claim{}, incomplete(missing.String())
	}
	c := claim{presigned: true, algorithm: q.Get("X-Amz-Algorithm"), credential: q.Get("X-Amz-Credential"),
		signature: q.Get("X-Amz-Signature"), amzDate: q.Get("X-Amz-Date"), expires: q.Get("X-Amz-Expires"),
		token: q.Get("X-Amz-Security-Token")}
	signed := q.Get("X-Amz-SignedHeaders")
	if strings.Count(signed, ";") >= MaxSignedHeaders {
		// Assumed text (the emulator's own budget).
		return c, incomplete("X-Amz-SignedHeaders signs more than " + strconv.Itoa(MaxSignedHeaders) + " headers.")
	}
	c.signedHeaders = strings.Split(signed, ";")
	return c, nil
}

func (v *Verifier) check(r *http.Request, q url.Values, c claim, body []byte, now time.Time) (Identity, *Error) {
	// Date format, then age.
	var t time.Time
	var perr error
	if c.amzDate != "" {
		t, perr = time.Parse(amzDateFormat, c.amzDate)
	} else {
		// The Date form is parsed for the clock checks, but the SDK signer always signs x-amz-date, so a
		// request signed with Date only does not verify (see doc.go).
		t, perr = http.ParseTime(c.dateHeader)
		c.amzDate = t.UTC().Format(amzDateFormat)
	}
	if perr != nil {
		got := c.amzDate
		if got == "" {
			got = c.dateHeader
		}
		// Recorded for DynamoDB (dynalite's notes); assumed for execute-api.
		return Identity{}, incomplete("Date must be in ISO-8601 'basic format'. Got '" + got + "'. See http://en.wikipedia.org/wiki/ISO_8601")
	}
	if e := checkAge(c, t, now); e != nil {
		return Identity{}, e
	}
	if e := checkSignedHeaders(r, c.signedHeaders); e != nil {
		return Identity{}, e
	}
	if c.algorithm != Algorithm {
		// Recorded for DynamoDB (dynalite's notes); assumed for execute-api.
		return Identity{}, incomplete("Unsupported AWS 'algorithm': '" + c.algorithm + "' (only AWS4-HMAC-SHA256 for now). ")
	}
	sc, ok := ParseCredential(c.credential)
	if !ok {
		return Identity{}, badCredential(c.credential)
	}
	if e := v.checkScope(sc, c.amzDate); e != nil {
		return Identity{}, e
	}
	cred, known := v.creds[sc.AccessKeyID]
	if !known {
		return Identity{}, unrecognized()
	}
	if e := v.checkSignature(r, q, c, sc, cred, t, body); e != nil {
		return Identity{}, e
	}
	// The session token is checked last, as AWS does. A missing or wrong token for temporary credentials
	// and a token sent with long-term ones get the same answer.
	if subtle.ConstantTimeCompare([]byte(cred.SessionToken), []byte(c.token)) != 1 {
		return Identity{}, unrecognized()
	}
	return identity(cred), nil
}

// checkAge applies the clock rules: 5 minutes either way for the header form (and a presigned URL without
// X-Amz-Expires, assumed), X-Amz-Expires for presigned URLs.
func checkAge(c claim, t, now time.Time) *Error {
	if !c.presigned || c.expires == "" {
		return checkClock(t, now)
	}
	secs, err := strconv.Atoi(c.expires)
	switch {
	case err != nil || secs < 0:
		// Assumed text.
		return incomplete("X-Amz-Expires should be a number of seconds, got '" + c.expires + "'.")
	case secs > MaxPresignExpires:
		// Recorded for S3 (bryanjos/aws_auth#31); assumed for execute-api.
		return incomplete("X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds")
	}
	if t.After(now.Add(MaxSkew)) {
		return notYetCurrent(t, now)
	}
	if now.After(t.Add(time.Duration(secs) * time.Second)) {
		// Assumed text: S3's answer to an expired presigned URL (aws-sdk-js#3493); API Gateway's was not
		// found.
		return invalid("Request has expired")
	}
	return nil
}

// checkSignature signs the rebuilt request again with the SDK signer and compares the signatures.
func (v *Verifier) checkSignature(r *http.Request, q url.Values, c claim, sc Scope, cred Credential, t time.Time, body []byte) *Error {
	// The token is left out of the credentials so that the signer adds nothing: a signed
	// X-Amz-Security-Token header is copied with the other signed headers, and the query keeps its own.
	awsCred := aws.Credentials{AccessKeyID: cred.AccessKeyID, SecretAccessKey: cred.SecretAccessKey}
	// The payload hash is SHA-256 of the body as received. A signed X-Amz-Content-Sha256 that matches it
	// gives the same canonical request; one that does not (a changed body, or UNSIGNED-PAYLOAD, which
	// execute-api is assumed not to honour in the header form) makes the signature mismatch.
	sum := sha256.Sum256(body)
	bodyHash := hex.EncodeToString(sum[:])
	if !c.presigned {
		req := rebuild(r, c.signedHeaders, r.URL.RawQuery)
		cp := &capture{}
		if err := v.signer.SignHTTP(context.Background(), awsCred, req, bodyHash, sc.Service, sc.Region, t, cp.options); err != nil {
			return mismatch(cp)
		}
		_, got, _ := strings.Cut(req.Header.Get("Authorization"), "Signature=")
		// Without an X-Amz-Date header the SDK signer still signs the x-amz-date it adds, which the client
		// did not send: whatever the client signed (date, or an x-amz-date header removed since), AWS's
		// canonical request differs from the SDK's, so the answer is a mismatch (see doc.go).
		if c.dateHeader != "" || !equal(got, c.signature) {
			return mismatch(cp)
		}
		return nil
	}
	q = maps.Clone(q)
	q.Del("X-Amz-Signature")
	raw := q.Encode()
	// Presigned: UNSIGNED-PAYLOAD when the query says so; else the body's hash (what aws-sdk-go-v2's
	// PresignHTTP callers pass for a body they know), then UNSIGNED-PAYLOAD (botocore's presigner).
	hashes := []string{bodyHash, UnsignedPayload}
	if q.Get("X-Amz-Content-Sha256") == UnsignedPayload {
		hashes = hashes[1:]
	}
	var first *capture
	for _, h := range hashes {
		req := rebuild(r, c.signedHeaders, raw)
		cp := &capture{}
		if first == nil {
			first = cp
		}
		signedURL, _, err := v.signer.PresignHTTP(context.Background(), awsCred, req, h, sc.Service, sc.Region, t, cp.options)
		if err != nil {
			continue
		}
		u, err := url.Parse(signedURL)
		if err != nil {
			continue
		}
		if equal(u.Query().Get("X-Amz-Signature"), c.signature) {
			return nil
		}
	}
	return mismatch(first)
}

// checkScope checks the region, service, terminator and date of the credential scope, and names every
// mismatch in one answer, each sentence ending with ". ". Recorded texts and order: DynamoDB's answer in
// dynalite's notes ("Credential should be scoped to a valid region, not 'c'. Credential should be scoped to
// correct service: 'dynamodb'. Credential should be scoped with a valid terminator: 'aws4_request', not
// 'e'. Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: 'b' !=
// '20130609', from '20130609T095204Z'."), and API Gateway's own for region and service
// (Kong/insomnia#713: "Credential should be scoped to a valid region, not 'us-east-1'. Credential should be
// scoped to correct service: 'execute-api'. "). The error type is InvalidSignatureException (our reference
// and dynalite's notes; aws-sdk-js#792 saw "SignatureDoesNotMatch" from an execute-api host in 2015).
func (v *Verifier) checkScope(sc Scope, amzDate string) *Error {
	var b strings.Builder
	if sc.Region != v.region {
		b.WriteString("Credential should be scoped to a valid region, not '" + sc.Region + "'. ")
	}
	if sc.Service != Service {
		b.WriteString("Credential should be scoped to correct service: '" + Service + "'. ")
	}
	if sc.Terminator != Terminator {
		b.WriteString("Credential should be scoped with a valid terminator: 'aws4_request', not '" + sc.Terminator + "'. ")
	}
	if len(amzDate) >= 8 && sc.Date != amzDate[:8] {
		b.WriteString("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '" +
			sc.Date + "' != '" + amzDate[:8] + "', from '" + amzDate + "'. ")
	}
	if b.Len() > 0 {
		return invalid(b.String())
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

// checkSignedHeaders enforces the budgets and that host is signed. Texts: "'Host' or ':authority' must be
// a 'SignedHeader' in the AWS Authorization." is the current wording AWS services answer with (quoted by
// several SigV4 reimplementations; DynamoDB's older answer in dynalite's notes: "'Host' must be a
// 'SignedHeader' in the AWS Authorization.", InvalidSignatureException); assumed for execute-api. The
// budget texts are the emulator's own.
func checkSignedHeaders(r *http.Request, names []string) *Error {
	host := false
	total := 0
	for _, n := range names {
		if strings.EqualFold(n, "host") {
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
		return invalid("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.")
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
		switch strings.ToLower(n) {
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
		} else if _, name, ok := strings.Cut(c.UserARN, ":federated-user/"); ok {
			principal = id.AccountID + ":" + name
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
