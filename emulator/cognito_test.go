package emulator

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apigw-local/apigw-local/internal/devkey"
	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

const (
	poolA    = "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_poolA"
	poolB    = "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_poolB"
	issuerA  = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_poolA"
	issuerB  = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_poolB"
	cognitoT = `openapi: "3.0.1"
info: {title: cognito, version: "1"}
components:
  securitySchemes:
    pool:
      type: apiKey
      name: Authorization
      in: header
      x-amazon-apigateway-authtype: cognito_user_pools
      x-amazon-apigateway-authorizer: {type: cognito_user_pools, providerARNs: ["` + poolA + `"]}
    dev:
      type: apiKey
      name: Authorization
      in: header
      x-amazon-apigateway-authtype: cognito_user_pools
      x-amazon-apigateway-authorizer: {type: cognito_user_pools, providerARNs: ["` + poolB + `"]}
paths:
  /claims:
    get:
      security: [{pool: []}]
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates: {application/json: '{"statusCode": 200}'}
        responses: {default: {statusCode: "200", responseTemplates: {application/json: '{"sub": "$context.authorizer.claims.sub", "exp": "$context.authorizer.claims.exp", "groups": "$context.authorizer.claims[''cognito:groups'']", "verified": "$context.authorizer.claims.email_verified"}'}}}
  /scoped:
    get:
      security: [{pool: ["orders/read", "orders/admin"]}]
      x-amazon-apigateway-integration: ` + mockIntegration + `
  /event:
    get:
      security: [{pool: []}]
      x-amazon-apigateway-integration: {type: aws_proxy, httpMethod: POST, uri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:Echo/invocations"}
  /dev:
    get:
      security: [{dev: []}]
      x-amazon-apigateway-integration: ` + mockIntegration + `
`
)

// signer signs tokens in the test with a key of its own, as a user pool would.
type signer struct {
	key *rsa.PrivateKey
	kid string
}

func newSigner(t *testing.T, kid string) *signer {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return &signer{key: k, kid: kid}
}

func (s *signer) sign(t *testing.T, claims map[string]any) string {
	t.Helper()
	sg, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: s.key, KeyID: s.kid}}, (&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		t.Fatal(err)
	}
	tok, err := jwt.Signed(sg).Claims(claims).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// Tokens of a COGNITO_USER_POOLS authorizer, signed in the test: what passes and every way to fail, with
// API Gateway's answers, and the claims as templates and proxy events see them.
func TestCognitoAuthorizer(t *testing.T) {
	t.Setenv(devkey.DirEnv, t.TempDir())
	now := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	pool := newSigner(t, "kid-1")
	intruder := newSigner(t, "kid-1") // an untrusted key that claims the pool's kid
	dir := t.TempDir()
	jwks, _ := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &pool.key.PublicKey, KeyID: "kid-1", Algorithm: "RS256", Use: "sig"}}})
	if err := os.WriteFile(filepath.Join(dir, "jwks.json"), jwks, 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := fmt.Sprintf("cognitoUserPools:\n  %q: {jwks: ./jwks.json}\n  %q: {jwks: dev}\nfunctions:\n  Echo: {command: [%q]}\n", poolA, poolB, fixture(t, "echo"))
	f := &authzFixture{t: t, log: &lineLog{lines: make(chan string, 16)}, clock: NewManualClock(now)}
	f.gw = NewGateway(loadFiles(t, dir, cognitoT, cfg), NewAccessLog(f.log, LogText, false), WithClock(f.clock))
	t.Cleanup(func() { f.gw.Close() })
	f.srv = httptest.NewServer(f.gw)
	t.Cleanup(f.srv.Close)

	claims := func(use string, edit func(map[string]any)) map[string]any {
		c := map[string]any{"sub": "user-1", "iss": issuerA, "token_use": use, "exp": now.Add(time.Hour).Unix(), "iat": now.Add(-time.Minute).Unix(),
			"auth_time": now.Add(-time.Minute).Unix(), "cognito:groups": []string{"admin", "staff"}, "email_verified": true, "scope": "orders/read openid"}
		if use == "id" {
			delete(c, "scope")
			c["aud"] = "client-1"
		}
		if edit != nil {
			edit(c)
		}
		return c
	}
	valid := pool.sign(t, claims("id", nil))
	parts := strings.Split(valid, ".")
	tampered := parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(`{"sub":"admin","iss":"`+issuerA+`","token_use":"id","exp":9999999999}`)) + "." + parts[2]
	none := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","kid":"kid-1"}`)) + "." + parts[1] + "."
	hs, _ := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: jwks}, nil) // the public key set as an HMAC secret
	hsToken, _ := jwt.Signed(hs).Claims(claims("id", nil)).Serialize()

	for _, c := range []struct {
		name, path, token string
		status            int
		body              string
	}{
		{"valid ID token", "/claims", valid, 200, `{"sub": "user-1", "exp": "Fri Dec 04 13:00:00 UTC 2026", "groups": "admin,staff", "verified": "true"}`},
		{"Bearer prefix", "/claims", "Bearer " + valid, 200, ""},
		{"an access token where no scopes are set", "/claims", pool.sign(t, claims("access", nil)), 401, `{"message":"Unauthorized"}`},
		{"access token with a required scope", "/scoped", pool.sign(t, claims("access", nil)), 200, ""},
		{"no token", "/claims", "", 401, `{"message":"Unauthorized"}`},
		{"expired", "/claims", pool.sign(t, claims("id", func(c map[string]any) { c["exp"] = now.Unix() })), 401, `{"message":"The incoming token has expired"}`},
		{"not yet valid", "/claims", pool.sign(t, claims("id", func(c map[string]any) { c["nbf"] = now.Add(time.Minute).Unix() })), 401, `{"message":"Unauthorized"}`},
		{"wrong issuer", "/claims", pool.sign(t, claims("id", func(c map[string]any) { c["iss"] = "https://evil.example" })), 401, `{"message":"Unauthorized"}`},
		{"another pool", "/claims", pool.sign(t, claims("id", func(c map[string]any) { c["iss"] = issuerB })), 401, `{"message":"Unauthorized"}`},
		{"unknown kid", "/claims", (&signer{key: pool.key, kid: "kid-2"}).sign(t, claims("id", nil)), 401, `{"message":"Unauthorized"}`},
		{"untrusted key with a known kid", "/claims", intruder.sign(t, claims("id", nil)), 401, `{"message":"Unauthorized"}`},
		{"tampered payload", "/claims", tampered, 401, `{"message":"Unauthorized"}`},
		{"alg none", "/claims", none, 401, `{"message":"Unauthorized"}`},
		{"HS256 with the public key as secret", "/claims", hsToken, 401, `{"message":"Unauthorized"}`},
		{"missing scope", "/scoped", pool.sign(t, claims("access", func(c map[string]any) { c["scope"] = "openid" })), 401, `{"message":"Unauthorized"}`},
		{"ID token where scopes are required", "/scoped", valid, 401, `{"message":"Unauthorized"}`},
		{"a refresh-like token_use", "/claims", pool.sign(t, claims("refresh", nil)), 401, `{"message":"Unauthorized"}`},
		{"RS512", "/claims", func() string {
			sg, _ := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS512, Key: jose.JSONWebKey{Key: pool.key, KeyID: "kid-1"}}, nil)
			tok, _ := jwt.Signed(sg).Claims(claims("id", nil)).Serialize()
			return tok
		}(), 401, `{"message":"Unauthorized"}`},
	} {
		h := map[string]string{}
		if c.token != "" {
			h["Authorization"] = c.token
		}
		r, line := f.call("/dev"+c.path, h)
		if r.status != c.status || (c.body != "" && string(r.body) != c.body) {
			t.Errorf("%s: %d %s, want %d %s (%s)", c.name, r.status, r.body, c.status, c.body, line)
		}
		if c.status == 401 && r.header.Get("x-amzn-ErrorType") != "UnauthorizedException" {
			t.Errorf("%s: x-amzn-ErrorType %q", c.name, r.header.Get("x-amzn-ErrorType"))
		}
	}

	// The proxy event carries the claims, as strings, under requestContext.authorizer.claims.
	r, _ := f.call("/dev/event", map[string]string{"Authorization": valid})
	var ev struct {
		RequestContext struct {
			Authorizer struct {
				Claims map[string]any `json:"claims"`
			} `json:"authorizer"`
		} `json:"requestContext"`
	}
	if err := json.Unmarshal(r.body, &ev); err != nil {
		t.Fatalf("%v: %s", err, r.body)
	}
	if c := ev.RequestContext.Authorizer.Claims; c["sub"] != "user-1" || c["auth_time"] != fmt.Sprint(now.Add(-time.Minute).Unix()) || c["email_verified"] != "true" {
		t.Errorf("requestContext.authorizer.claims = %v", c)
	}

	// jwks: dev trusts the development key, the one apigw-local token signs with.
	devToken, err := devkey.Sign(map[string]any{"sub": "dev-user", "iss": issuerB, "token_use": "id", "exp": now.Add(time.Hour).Unix()})
	if err != nil {
		t.Fatal(err)
	}
	if r, line := f.call("/dev/dev", map[string]string{"Authorization": devToken}); r.status != 200 {
		t.Errorf("a development token on a jwks: dev pool: %d %s (%s)", r.status, r.body, line)
	}
	if r, _ := f.call("/dev/dev", map[string]string{"Authorization": valid}); r.status != 401 {
		t.Errorf("pool A's token on pool B: %d %s", r.status, r.body)
	}
}
