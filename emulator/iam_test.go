package emulator

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

const iamSpec = `openapi: "3.0.1"
info: {title: iam, version: "1"}
paths:
  /orders/{id}:
    post:
      x-amazon-apigateway-auth: {type: AWS_IAM}
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates: {application/json: '{"statusCode": 200}'}
        responses: {default: {statusCode: "200", responseTemplates: {application/json: '{"userArn": "$context.identity.userArn", "accessKey": "$context.identity.accessKey", "accountId": "$context.identity.accountId", "caller": "$context.identity.caller"}'}}}
  /open:
    get:
      x-amazon-apigateway-integration: ` + mockIntegration + `
`

const iamConfig = `credentials:
  - {accessKeyId: AKIAIOSFODNN7EXAMPLE, secretAccessKey: wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY, userArn: "arn:aws:iam::111122223333:user/alice"}
`

// AWS_IAM methods answer only requests signed with SigV4 by a configured key, as API Gateway does, and the
// signer's identity reaches $context.identity. Requests are signed with aws-sdk-go-v2, as AWS clients sign.
func TestIAMAuthorization(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	clock := NewManualClock(now)
	snap := loadFiles(t, t.TempDir(), iamSpec, iamConfig)
	g := NewGateway(snap, nil, WithClock(clock))
	srv := httptest.NewServer(g)
	t.Cleanup(srv.Close)

	const body = `{"item": 1}`
	signed := func(akid, secret string, at time.Time, tamper func(*http.Request)) *http.Request {
		t.Helper()
		r, err := http.NewRequest("POST", srv.URL+"/dev/orders/7?x=1", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		r.Header.Set("Content-Type", "application/json")
		sum := sha256.Sum256([]byte(body))
		if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: akid, SecretAccessKey: secret}, r, hex.EncodeToString(sum[:]), "execute-api", "us-east-1", at); err != nil {
			t.Fatal(err)
		}
		if tamper != nil {
			tamper(r)
		}
		return r
	}
	send := func(r *http.Request) (int, string, string) {
		t.Helper()
		resp, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b), resp.Header.Get("x-amzn-ErrorType")
	}
	const akid, secret = "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"

	status, got, _ := send(signed(akid, secret, now, nil))
	if status != 200 {
		t.Fatalf("a signed request: %d %s", status, got)
	}
	var id map[string]string
	if err := json.Unmarshal([]byte(got), &id); err != nil {
		t.Fatal(err)
	}
	if id["userArn"] != "arn:aws:iam::111122223333:user/alice" || id["accessKey"] != akid || id["accountId"] != "111122223333" || id["caller"] == "" {
		t.Errorf("$context.identity = %v", id)
	}

	unsigned, _ := http.NewRequest("POST", srv.URL+"/dev/orders/7", strings.NewReader(body))
	for _, c := range []struct {
		name            string
		r               *http.Request
		status          int
		body, errorType string
	}{
		{"unsigned", unsigned, 403, `{"message":"Missing Authentication Token"}`, "MissingAuthenticationTokenException"},
		{"body tampered", signed(akid, secret, now, func(r *http.Request) { r.Body = io.NopCloser(strings.NewReader(`{"item": 2}`)); r.ContentLength = 11 }), 403,
			`{"message":"The request signature we calculated does not match the signature you provided.`, "InvalidSignatureException"},
		{"query tampered", signed(akid, secret, now, func(r *http.Request) { r.URL.RawQuery = "x=2" }), 403,
			`{"message":"The request signature we calculated does not match`, "InvalidSignatureException"},
		{"wrong secret", signed(akid, "not-the-secret", now, nil), 403, `{"message":"The request signature we calculated does not match`, "InvalidSignatureException"},
		{"unknown key", signed("AKIAUNKNOWNKEY000000", secret, now, nil), 403, `{"message":"The security token included in the request is invalid."}`, "UnrecognizedClientException"},
		{"signed 6 minutes ago", signed(akid, secret, now.Add(-6*time.Minute), nil), 403,
			`{"message":"Signature expired: 20261204T115400Z is now earlier than 20261204T115500Z (20261204T120000Z - 5 min.)"}`, "InvalidSignatureException"},
	} {
		status, got, et := send(c.r)
		if status != c.status || !strings.HasPrefix(got, c.body) || et != c.errorType {
			t.Errorf("%s: %d %s (%s), want %d %s... (%s)", c.name, status, got, et, c.status, c.body, c.errorType)
		}
	}
	// Within the 5-minute skew the clock allows a request signed before.
	clock.Advance(4 * time.Minute)
	if status, got, _ := send(signed(akid, secret, now, nil)); status != 200 {
		t.Errorf("4 minutes later: %d %s", status, got)
	}
	// Methods without AWS_IAM are not affected.
	if r := do(t, "GET", srv.URL+"/dev/open", nil, ""); r.status != 200 {
		t.Errorf("open method: %d %s", r.status, r.body)
	}
}
