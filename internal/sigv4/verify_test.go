package sigv4

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

const (
	testRegion = "us-east-1"
	testAKID   = "AKIAIOSFODNN7EXAMPLE"
	testSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	tempAKID   = "ASIAIOSFODNN7EXAMPLE"
	tempSecret = "tempSecretKeyEXAMPLE0123456789abcdefghij"
	tempToken  = "FQoGZXIvYXdzEXAMPLEtoken//+=="
)

var signTime = time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)

func testVerifier() *Verifier {
	return NewVerifier(testRegion, []Credential{
		{AccessKeyID: testAKID, SecretAccessKey: testSecret, UserARN: "arn:aws:iam::123456789012:user/alice"},
		{AccessKeyID: tempAKID, SecretAccessKey: tempSecret, SessionToken: tempToken, UserARN: "arn:aws:sts::210987654321:assumed-role/Admin/bob-session"},
	})
}

func hashOf(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// newReq builds a client request the way an SDK user would.
func newReq(t testing.TB, method, rawURL string, body []byte) *http.Request {
	t.Helper()
	var r *http.Request
	var err error
	if body != nil {
		r, err = http.NewRequest(method, rawURL, bytes.NewReader(body))
	} else {
		r, err = http.NewRequest(method, rawURL, nil)
	}
	if err != nil {
		t.Fatal(err)
	}
	return r
}

type signOpts struct {
	akid, secret, token string
	region, service     string
	at                  time.Time
}

func defaults(o signOpts) signOpts {
	if o.akid == "" {
		o.akid = testAKID
	}
	if o.secret == "" {
		o.secret = testSecret
	}
	if o.region == "" {
		o.region = testRegion
	}
	if o.service == "" {
		o.service = Service
	}
	if o.at.IsZero() {
		o.at = signTime
	}
	return o
}

// sign signs r in place with aws-sdk-go-v2's signer (header form).
func sign(t testing.TB, r *http.Request, body []byte, o signOpts) {
	t.Helper()
	o = defaults(o)
	creds := aws.Credentials{AccessKeyID: o.akid, SecretAccessKey: o.secret, SessionToken: o.token}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, r, hashOf(body), o.service, o.region, o.at); err != nil {
		t.Fatal(err)
	}
}

// presign returns a request for the presigned URL of r, carrying the signed headers.
func presign(t testing.TB, r *http.Request, payloadHash string, expires int, o signOpts) *http.Request {
	t.Helper()
	o = defaults(o)
	if expires > 0 {
		q := r.URL.Query()
		q.Set("X-Amz-Expires", strconv.Itoa(expires))
		r.URL.RawQuery = q.Encode()
	}
	creds := aws.Credentials{AccessKeyID: o.akid, SecretAccessKey: o.secret, SessionToken: o.token}
	u, hdr, err := v4.NewSigner().PresignHTTP(context.Background(), creds, r, payloadHash, o.service, o.region, o.at)
	if err != nil {
		t.Fatal(err)
	}
	out := newReq(t, r.Method, u, nil)
	for k, v := range hdr {
		if !strings.EqualFold(k, "host") {
			out.Header[k] = v
		}
	}
	return out
}

// serve sends r through a real HTTP server (so the verifier sees a server-side request, with the path and
// query as they arrive on the wire) and returns Verify's answer.
func serve(t testing.TB, v *Verifier, r *http.Request, now time.Time) (Identity, *Error) {
	t.Helper()
	var id Identity
	var verr *Error
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, sr *http.Request) {
		var body bytes.Buffer
		_, _ = body.ReadFrom(sr.Body)
		id, verr = v.Verify(sr, body.Bytes(), now)
	}))
	defer srv.Close()
	su, _ := url.Parse(srv.URL)
	// The request was signed for its own host; send it to the test server keeping the Host header.
	host := r.Host
	if host == "" {
		host = r.URL.Host
	}
	r.URL.Scheme, r.URL.Host = su.Scheme, su.Host
	r.Host = host
	r.RequestURI = ""
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return id, verr
}

const base = "https://abc123.execute-api.us-east-1.amazonaws.com"

func TestVerifyValid(t *testing.T) {
	v := testVerifier()
	now := signTime.Add(2 * time.Minute)
	cases := []struct {
		name   string
		method string
		url    string
		body   []byte
		hdr    map[string]string
		o      signOpts
	}{
		{name: "GET with query", method: "GET", url: base + "/prod/pets?type=dog&page=2&a=b%20c"},
		{name: "POST with body", method: "POST", url: base + "/prod/pets", body: []byte(`{"name":"rex"}`), hdr: map[string]string{"Content-Type": "application/json"}},
		{name: "path with space, %2F and unicode", method: "GET", url: base + "/prod/a%20b/c%2Fd/%C3%A9t%C3%A9?q=%E2%9C%93"},
		{name: "path with reserved characters", method: "PUT", url: base + "/prod/items/x:y@z!$&'()*+,;=", body: []byte("x")},
		{name: "session token", method: "GET", url: base + "/prod/pets", o: signOpts{akid: tempAKID, secret: tempSecret, token: tempToken}},
		{name: "repeated query keys", method: "GET", url: base + "/prod/pets?b=2&a=1&b=1"},
		{name: "signed custom headers", method: "DELETE", url: base + "/prod/pets/1", hdr: map[string]string{"X-Custom": "  a   b  ", "Accept": "application/json"}},
		{name: "early clock, 4 minutes ahead", method: "GET", url: base + "/prod/pets", o: signOpts{at: now.Add(4 * time.Minute)}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := newReq(t, c.method, c.url, c.body)
			for k, val := range c.hdr {
				r.Header.Set(k, val)
			}
			sign(t, r, c.body, c.o)
			id, err := serve(t, v, r, now)
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if id.AccessKey == "" || id.UserARN == "" || id.AccountID == "" {
				t.Errorf("identity not filled: %+v", id)
			}
		})
	}
}

// TestVerifyDateHeaderLimitation pins the documented limitation: a request with a Date header and no
// X-Amz-Date passes the clock checks but never verifies, because the SDK signer always signs x-amz-date.
func TestVerifyDateHeaderLimitation(t *testing.T) {
	v := testVerifier()
	r := newReq(t, "GET", base+"/prod/pets", nil)
	sign(t, r, nil, signOpts{})
	r.Header.Del("X-Amz-Date") // signed x-amz-date, then lost it: AWS would not verify this either
	r.Header.Set("Date", signTime.Format(http.TimeFormat))
	err := serve2(t, v, r, signTime)
	wantErr(t, err, ErrorTypeInvalidSignature, "The request signature we calculated does not match")

	r = newReq(t, "GET", base+"/prod/pets", nil)
	r.Header.Set("Date", signTime.Add(-time.Hour).Format(http.TimeFormat))
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+testAKID+"/20260101/us-east-1/execute-api/aws4_request, SignedHeaders=date;host, Signature=00")
	wantExact(t, serve2(t, v, r, signTime), ErrorTypeInvalidSignature, "Signature expired: 20260101T110000Z is now earlier than 20260101T115500Z (20260101T120000Z - 5 min.)")
}

func TestIdentity(t *testing.T) {
	v := testVerifier()
	r := newReq(t, "GET", base+"/prod/pets", nil)
	sign(t, r, nil, signOpts{})
	id, err := serve(t, v, r, signTime)
	if err != nil {
		t.Fatal(err)
	}
	want := Identity{AccessKey: testAKID, AccountID: "123456789012", Caller: testAKID, User: testAKID, UserARN: "arn:aws:iam::123456789012:user/alice"}
	if id != want {
		t.Errorf("identity = %+v, want %+v", id, want)
	}
	r = newReq(t, "GET", base+"/prod/pets", nil)
	sign(t, r, nil, signOpts{akid: tempAKID, secret: tempSecret, token: tempToken})
	id, err = serve(t, v, r, signTime)
	if err != nil {
		t.Fatal(err)
	}
	want = Identity{AccessKey: tempAKID, AccountID: "210987654321", Caller: tempAKID + ":bob-session", User: tempAKID + ":bob-session", UserARN: "arn:aws:sts::210987654321:assumed-role/Admin/bob-session"}
	if id != want {
		t.Errorf("identity = %+v, want %+v", id, want)
	}
	fed := NewVerifier(testRegion, []Credential{{AccessKeyID: testAKID, SecretAccessKey: testSecret, UserARN: "arn:aws:sts::123456789012:federated-user/carol"}})
	r = newReq(t, "GET", base+"/prod/pets", nil)
	sign(t, r, nil, signOpts{})
	if id, err = serve(t, fed, r, signTime); err != nil || id.Caller != "123456789012:carol" || id.AccountID != "123456789012" {
		t.Errorf("federated user: %+v, %v", id, err)
	}
	withID := NewVerifier(testRegion, []Credential{{AccessKeyID: testAKID, SecretAccessKey: testSecret, UserARN: "arn:aws:iam::123456789012:root", UserID: "AIDAEXAMPLE"}})
	r = newReq(t, "GET", base+"/prod/pets", nil)
	sign(t, r, nil, signOpts{})
	if id, err = serve(t, withID, r, signTime); err != nil || id.Caller != "AIDAEXAMPLE" || id.User != "AIDAEXAMPLE" {
		t.Errorf("configured user id: %+v, %v", id, err)
	}
}

func TestVerifyPresigned(t *testing.T) {
	v := testVerifier()
	now := signTime.Add(10 * time.Minute)
	t.Run("GET, empty body hash", func(t *testing.T) {
		r := presign(t, newReq(t, "GET", base+"/prod/pets?type=dog", nil), hashOf(nil), 900, signOpts{})
		if _, err := serve(t, v, r, now); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("UNSIGNED-PAYLOAD, as botocore presigns", func(t *testing.T) {
		r := presign(t, newReq(t, "GET", base+"/prod/a%20b/%C3%A9", nil), UnsignedPayload, 900, signOpts{})
		if _, err := serve(t, v, r, now); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("session token and a signed header", func(t *testing.T) {
		req := newReq(t, "GET", base+"/prod/pets", nil)
		req.Header.Set("X-Custom", "v")
		r := presign(t, req, hashOf(nil), 900, signOpts{akid: tempAKID, secret: tempSecret, token: tempToken})
		if !strings.Contains(r.URL.RawQuery, "X-Amz-Security-Token=") || !strings.Contains(r.URL.RawQuery, "x-custom") {
			t.Fatalf("unexpected presigned URL %s", r.URL)
		}
		if _, err := serve(t, v, r, now); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("POST, body hash signed; body changed", func(t *testing.T) {
		body := []byte("payload")
		r := presign(t, newReq(t, "POST", base+"/prod/pets", body), hashOf(body), 900, signOpts{})
		r2 := newReq(t, "POST", r.URL.String(), body)
		r2.Header = r.Header.Clone()
		if _, err := serve(t, v, r2, now); err != nil {
			t.Fatal(err)
		}
		r3 := newReq(t, "POST", r.URL.String(), []byte("other"))
		r3.Header = r.Header.Clone()
		wantErr(t, serve2(t, v, r3, now), ErrorTypeInvalidSignature, "The request signature we calculated does not match")
	})
	t.Run("expired", func(t *testing.T) {
		r := presign(t, newReq(t, "GET", base+"/prod/pets", nil), hashOf(nil), 60, signOpts{})
		wantErr(t, serve2(t, v, r, now), ErrorTypeInvalidSignature, "Request has expired")
	})
	t.Run("without X-Amz-Expires the 5-minute window applies", func(t *testing.T) {
		r := presign(t, newReq(t, "GET", base+"/prod/pets", nil), hashOf(nil), 0, signOpts{})
		wantErr(t, serve2(t, v, r, now), ErrorTypeInvalidSignature, "Signature expired: 20260101T120000Z is now earlier than 20260101T120500Z (20260101T121000Z - 5 min.)")
	})
	t.Run("tampered query", func(t *testing.T) {
		r := presign(t, newReq(t, "GET", base+"/prod/pets?type=dog", nil), hashOf(nil), 900, signOpts{})
		r.URL.RawQuery = strings.Replace(r.URL.RawQuery, "type=dog", "type=cat", 1)
		err := serve2(t, v, r, now)
		wantErr(t, err, ErrorTypeInvalidSignature, "The request signature we calculated does not match")
		if err != nil && !strings.Contains(err.Message, "type=cat") {
			t.Errorf("canonical request does not show the query received: %s", err.Message)
		}
	})
	t.Run("missing parameters", func(t *testing.T) {
		r := newReq(t, "GET", base+"/prod/pets?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=00", nil)
		wantErr(t, serve2(t, v, r, now), ErrorTypeIncompleteSignature,
			"AWS query-string parameters must include 'X-Amz-Credential'. AWS query-string parameters must include 'X-Amz-SignedHeaders'. AWS query-string parameters must include 'X-Amz-Date'. Re-examine the query-string parameters.")
	})
}

func serve2(t testing.TB, v *Verifier, r *http.Request, now time.Time) *Error {
	t.Helper()
	_, err := serve(t, v, r, now)
	return err
}

func wantErr(t *testing.T, err *Error, errType, msgPrefix string) {
	t.Helper()
	if err == nil {
		t.Fatalf("Verify accepted the request; want %s %q", errType, msgPrefix)
	}
	if err.ErrorType != errType || !strings.HasPrefix(err.Message, msgPrefix) {
		t.Fatalf("Verify = %s %q\nwant %s %q", err.ErrorType, err.Message, errType, msgPrefix)
	}
	want := ResponseInvalidSignature
	if errType == ErrorTypeMissingAuthenticationToken {
		want = ResponseMissingAuthenticationToken
	}
	if err.ResponseType != want {
		t.Errorf("response type %s, want %s", err.ResponseType, want)
	}
}

func TestVerifyTampered(t *testing.T) {
	v := testVerifier()
	body := []byte(`{"amount":10}`)
	signed := func(t *testing.T) *http.Request {
		r := newReq(t, "POST", base+"/prod/pay?to=alice", body)
		r.Header.Set("X-Custom", "one")
		sign(t, r, body, signOpts{})
		return r
	}
	cases := []struct {
		name   string
		change func(r *http.Request) *http.Request
		shows  string // what the canonical request must show
	}{
		{"body changed", func(r *http.Request) *http.Request {
			nb := []byte(`{"amount":99}`)
			r2 := newReq(t, r.Method, r.URL.String(), nb)
			r2.Header = r.Header.Clone()
			return r2
		}, hashOf([]byte(`{"amount":99}`))},
		{"signed header changed", func(r *http.Request) *http.Request { r.Header.Set("X-Custom", "two"); return r }, "x-custom:two"},
		{"query changed", func(r *http.Request) *http.Request { r.URL.RawQuery = "to=mallory"; return r }, "to=mallory"},
		{"path changed", func(r *http.Request) *http.Request { r.URL.Path = "/prod/refund"; return r }, "/prod/refund"},
		{"method changed", func(r *http.Request) *http.Request { r.Method = "PUT"; return r }, "PUT\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := serve2(t, v, c.change(signed(t)), signTime)
			wantErr(t, err, ErrorTypeInvalidSignature, "The request signature we calculated does not match")
			if !strings.Contains(err.Message, c.shows) {
				t.Errorf("message does not show %q:\n%s", c.shows, err.Message)
			}
		})
	}
	t.Run("unsigned header changed is fine", func(t *testing.T) {
		r := signed(t)
		r.Header.Set("X-Other", "added")
		if err := serve2(t, v, r, signTime); err != nil {
			t.Fatal(err)
		}
	})
}

func TestVerifyWrongSecret(t *testing.T) {
	v := testVerifier()
	r := newReq(t, "GET", base+"/prod/pets?b=2&a=1", nil)
	sign(t, r, nil, signOpts{secret: "not-the-secret"})
	err := serve2(t, v, r, signTime)
	canonical := "GET\n/prod/pets\na=1&b=2\nhost:abc123.execute-api.us-east-1.amazonaws.com\nx-amz-date:20260101T120000Z\n\nhost;x-amz-date\n" + hashOf(nil)
	sum := sha256.Sum256([]byte(canonical))
	sts := "AWS4-HMAC-SHA256\n20260101T120000Z\n20260101/us-east-1/execute-api/aws4_request\n" + hex.EncodeToString(sum[:])
	want := "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.\n\nThe Canonical String for this request should have been\n'" +
		canonical + "'\n\nThe String-to-Sign should have been\n'" + sts + "'\n"
	if err == nil || err.Message != want || err.ErrorType != ErrorTypeInvalidSignature || err.ResponseType != ResponseInvalidSignature {
		t.Fatalf("got %+v\nwant message %q", err, want)
	}
}

func TestVerifyClock(t *testing.T) {
	v := testVerifier()
	now := time.Date(2017, 2, 15, 15, 0, 34, 0, time.UTC)
	r := newReq(t, "GET", base+"/prod/pets", nil)
	sign(t, r, nil, signOpts{at: time.Date(2017, 2, 12, 17, 59, 38, 0, time.UTC)})
	wantExact(t, serve2(t, v, r, now), ErrorTypeInvalidSignature, "Signature expired: 20170212T175938Z is now earlier than 20170215T145534Z (20170215T150034Z - 5 min.)")

	r = newReq(t, "GET", base+"/prod/pets", nil)
	sign(t, r, nil, signOpts{at: now.Add(5*time.Minute + time.Second)})
	wantExact(t, serve2(t, v, r, now), ErrorTypeInvalidSignature, "Signature not yet current: 20170215T150535Z is still later than 20170215T150534Z (20170215T150034Z + 5 min.)")

	r = newReq(t, "GET", base+"/prod/pets", nil)
	sign(t, r, nil, signOpts{at: now.Add(-5 * time.Minute)})
	if err := serve2(t, v, r, now); err != nil {
		t.Errorf("exactly 5 minutes old: %v", err)
	}
}

func wantExact(t *testing.T, err *Error, errType, msg string) {
	t.Helper()
	if err == nil || err.ErrorType != errType || err.Message != msg {
		t.Fatalf("got %+v\nwant %s %q", err, errType, msg)
	}
}

func TestVerifyCredentials(t *testing.T) {
	v := testVerifier()
	const invalidToken = "The security token included in the request is invalid."
	cases := []struct {
		name string
		o    signOpts
	}{
		{"unknown access key", signOpts{akid: "AKIAUNKNOWNKEY000000", secret: testSecret}},
		{"temporary key without its token", signOpts{akid: tempAKID, secret: tempSecret}},
		{"temporary key with a wrong token", signOpts{akid: tempAKID, secret: tempSecret, token: "other"}},
		{"long-term key with a token", signOpts{token: "tok"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := newReq(t, "GET", base+"/prod/pets", nil)
			sign(t, r, nil, c.o)
			wantExact(t, serve2(t, v, r, signTime), ErrorTypeUnrecognizedClient, invalidToken)
		})
	}
}

func TestVerifyScope(t *testing.T) {
	v := testVerifier()
	cases := []struct {
		name string
		o    signOpts
		want string
	}{
		{"wrong region", signOpts{region: "eu-west-1"}, "Credential should be scoped to a valid region, not 'eu-west-1'. "},
		{"wrong service", signOpts{service: "execute_api"}, "Credential should be scoped to correct service: 'execute-api'. "},
		{"both", signOpts{region: "eu-west-1", service: "s3"}, "Credential should be scoped to a valid region, not 'eu-west-1'. Credential should be scoped to correct service: 'execute-api'. "},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := newReq(t, "GET", base+"/prod/pets", nil)
			sign(t, r, nil, c.o)
			wantExact(t, serve2(t, v, r, signTime), ErrorTypeInvalidSignature, c.want)
		})
	}
	t.Run("every scope element wrong, in AWS's order", func(t *testing.T) {
		r := newReq(t, "GET", base+"/prod/pets", nil)
		r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+testAKID+"/b/c/d/e, SignedHeaders=host;x-amz-date, Signature=00")
		r.Header.Set("X-Amz-Date", "20260101T120000Z")
		wantExact(t, serve2(t, v, r, signTime), ErrorTypeInvalidSignature,
			"Credential should be scoped to a valid region, not 'c'. Credential should be scoped to correct service: 'execute-api'. Credential should be scoped with a valid terminator: 'aws4_request', not 'e'. Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: 'b' != '20260101', from '20260101T120000Z'. ")
	})
	t.Run("scope date differs from X-Amz-Date", func(t *testing.T) {
		r := newReq(t, "GET", base+"/prod/pets", nil)
		sign(t, r, nil, signOpts{})
		r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "/20260101/", "/20251231/", 1))
		wantExact(t, serve2(t, v, r, signTime), ErrorTypeInvalidSignature,
			"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20251231' != '20260101', from '20260101T120000Z'. ")
	})
}

func TestVerifyMalformed(t *testing.T) {
	v := testVerifier()
	sum := sha256.Sum256([]byte("Bearer x"))
	bearer := "Invalid key=value pair (missing equal-sign) in Authorization header (hashed with SHA-256 and encoded with Base64): '" + base64.StdEncoding.EncodeToString(sum[:]) + "'."
	cases := []struct {
		name, auth, date, errType, msg string
	}{
		{"Bearer token", "Bearer x", "", ErrorTypeIncompleteSignature, bearer},
		{"JWT without scheme", "eyJhbGciOiJIUzI1NiJ9.e30.sig", "", ErrorTypeIncompleteSignature,
			"Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=eyJhbGciOiJIUzI1NiJ9.e30.sig"},
		{"missing Signature", "AWS4-HMAC-SHA256 Credential=" + testAKID + "/20260101/us-east-1/execute-api/aws4_request, SignedHeaders=host;x-amz-date", "20260101T120000Z", ErrorTypeIncompleteSignature,
			"Authorization header requires 'Signature' parameter. Authorization=AWS4-HMAC-SHA256 Credential=" + testAKID + "/20260101/us-east-1/execute-api/aws4_request, SignedHeaders=host;x-amz-date"},
		{"space inside the credential", "AWS4-HMAC-SHA256 Credential=" + testAKID + " /20260101/us-east-1/execute-api/aws4_request, SignedHeaders=host;x-amz-date, Signature=00", "20260101T120000Z", ErrorTypeIncompleteSignature,
			"Invalid key=value pair (missing equal-sign) in Authorization header (hashed with SHA-256 and encoded with Base64): '"},
		{"empty Signature", "AWS4-HMAC-SHA256 Credential=" + testAKID + "/20260101/us-east-1/execute-api/aws4_request, SignedHeaders=host;x-amz-date, Signature=", "20260101T120000Z", ErrorTypeIncompleteSignature,
			"Authorization header requires 'Signature' parameter. Authorization=AWS4-HMAC-SHA256 Credential="},
		{"bad credential", "AWS4-HMAC-SHA256 Credential=" + testAKID + "/20260101/us-east-1, SignedHeaders=host;x-amz-date, Signature=00", "20260101T120000Z", ErrorTypeIncompleteSignature,
			"Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '" + testAKID + "/20260101/us-east-1'"},
		{"bad terminator", "AWS4-HMAC-SHA256 Credential=" + testAKID + "/20260101/us-east-1/execute-api/aws4, SignedHeaders=host;x-amz-date, Signature=00", "20260101T120000Z", ErrorTypeInvalidSignature,
			"Credential should be scoped with a valid terminator: 'aws4_request', not 'aws4'. "},
		{"other algorithm", "AWS4-HMAC-SHA512 Credential=" + testAKID + "/20260101/us-east-1/execute-api/aws4_request, SignedHeaders=host;x-amz-date, Signature=00", "20260101T120000Z", ErrorTypeIncompleteSignature,
			"Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512' (only AWS4-HMAC-SHA256 for now). "},
		{"host not signed", "AWS4-HMAC-SHA256 Credential=" + testAKID + "/20260101/us-east-1/execute-api/aws4_request, SignedHeaders=x-amz-date, Signature=00", "20260101T120000Z", ErrorTypeInvalidSignature,
			"'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."},
		{"bad date", "AWS4-HMAC-SHA256 Credential=" + testAKID + "/20260101/us-east-1/execute-api/aws4_request, SignedHeaders=host;x-amz-date, Signature=00", "2026-01-01", ErrorTypeIncompleteSignature,
			"Date must be in ISO-8601 'basic format'. Got '2026-01-01'."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := newReq(t, "GET", base+"/prod/pets", nil)
			r.Header.Set("Authorization", c.auth)
			if c.date != "" {
				r.Header.Set("X-Amz-Date", c.date)
			}
			wantErr(t, serve2(t, v, r, signTime), c.errType, c.msg)
		})
	}
	t.Run("both forms", func(t *testing.T) {
		r := newReq(t, "GET", base+"/prod/pets?X-Amz-Algorithm=AWS4-HMAC-SHA256", nil)
		sign(t, r, nil, signOpts{})
		wantExact(t, serve2(t, v, r, signTime), ErrorTypeInvalidSignature, "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header.")
	})
	t.Run("credential with trailing slashes", func(t *testing.T) {
		r := newReq(t, "GET", base+"/prod/pets", nil)
		sign(t, r, nil, signOpts{})
		r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "aws4_request,", "aws4_request//,", 1))
		if err := serve2(t, v, r, signTime); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("no signature at all", func(t *testing.T) {
		r := newReq(t, "GET", base+"/prod/pets?x=1", nil)
		wantExact(t, serve2(t, v, r, signTime), ErrorTypeMissingAuthenticationToken, "Missing Authentication Token")
	})
	t.Run("too many signed headers", func(t *testing.T) {
		r := newReq(t, "GET", base+"/prod/pets", nil)
		r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+testAKID+"/20260101/us-east-1/execute-api/aws4_request, SignedHeaders=host"+strings.Repeat(";a", MaxSignedHeaders)+", Signature=00")
		r.Header.Set("X-Amz-Date", "20260101T120000Z")
		wantErr(t, serve2(t, v, r, signTime), ErrorTypeIncompleteSignature, "Authorization header signs more than")
	})
}

// TestVerifyConcurrent verifies requests of two access keys from several goroutines with one Verifier
// (run with -race): the SDK signer's derived-key cache is shared.
func TestVerifyConcurrent(t *testing.T) {
	v := testVerifier()
	var reqs []*http.Request
	for i := range 8 {
		r := newReq(t, "GET", base+"/prod/pets?i="+strconv.Itoa(i), nil)
		if i%2 == 0 {
			sign(t, r, nil, signOpts{})
		} else {
			sign(t, r, nil, signOpts{akid: tempAKID, secret: tempSecret, token: tempToken})
		}
		r.Host = r.URL.Host
		reqs = append(reqs, r)
	}
	done := make(chan *Error)
	for _, r := range reqs {
		go func() {
			var first *Error
			for range 50 {
				if _, err := v.Verify(r, nil, signTime); err != nil && first == nil {
					first = err
				}
			}
			done <- first
		}()
	}
	for range reqs {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}

func TestAccountFromARN(t *testing.T) {
	for in, want := range map[string]string{
		"arn:aws:iam::123456789012:user/alice":              "123456789012",
		"arn:aws:sts::123456789012:assumed-role/R/s":        "123456789012",
		"arn:aws:iam::123456789012:root":                    "123456789012",
		"arn:aws-cn:iam::123456789012:user/path/to/bob:odd": "123456789012",
		"nonsense": "",
	} {
		if got := AccountFromARN(in); got != want {
			t.Errorf("AccountFromARN(%q) = %q, want %q", in, got, want)
		}
	}
}
