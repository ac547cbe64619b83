package emulator

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apigw-local/apigw-local/internal/devkey"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

const (
	jwtIssuer      = "https://issuer.example.com"
	jwtDevIssuer   = "https://dev.example.com/"
	jwtUnconfigued = "https://unknown.example.com"
	jwtAPI         = `openapi: "3.0.1"
info: {title: orders, version: "1"}
x-amazon-apigateway-importexport-version: "1.0"
components:
  securitySchemes:
    main:
      type: oauth2
      flows: {}
      x-amazon-apigateway-authorizer:
        type: jwt
        identitySource: "$request.header.Authorization"
        jwtConfiguration: {issuer: "` + jwtIssuer + `", audience: ["client-1", "api://orders"]}
    query:
      type: oauth2
      flows: {}
      x-amazon-apigateway-authorizer:
        type: jwt
        identitySource: "$request.querystring.access_token"
        jwtConfiguration: {issuer: "` + jwtIssuer + `", audience: ["client-1"]}
    dev:
      type: oauth2
      flows: {}
      x-amazon-apigateway-authorizer:
        type: jwt
        identitySource: "$request.header.Authorization"
        jwtConfiguration: {issuer: "` + jwtDevIssuer + `", audience: ["apigwlocaldevclient"]}
    unknown:
      type: oauth2
      flows: {}
      x-amazon-apigateway-authorizer:
        type: jwt
        identitySource: "$request.header.Authorization"
        jwtConfiguration: {issuer: "` + jwtUnconfigued + `", audience: ["client-1"]}
paths:
  /claims:
    get:
      security: [{main: []}]
      x-amazon-apigateway-integration: {type: aws_proxy, httpMethod: POST, payloadFormatVersion: "2.0", uri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/Echo/invocations"}
  /scoped:
    get:
      security: [{main: ["orders/read", "orders/admin"]}]
      x-amazon-apigateway-integration: {type: aws_proxy, httpMethod: POST, payloadFormatVersion: "2.0", uri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/Echo/invocations"}
  /v1:
    get:
      security: [{main: ["orders/read"]}]
      x-amazon-apigateway-integration: {type: aws_proxy, httpMethod: POST, payloadFormatVersion: "1.0", uri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/Echo/invocations"}
  /query:
    get:
      security: [{query: []}]
      x-amazon-apigateway-integration: {type: aws_proxy, httpMethod: POST, payloadFormatVersion: "2.0", uri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/Echo/invocations"}
  /dev:
    get:
      security: [{dev: []}]
      x-amazon-apigateway-integration: {type: aws_proxy, httpMethod: POST, payloadFormatVersion: "2.0", uri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/Echo/invocations"}
  /unknown:
    get:
      security: [{unknown: []}]
      x-amazon-apigateway-integration: {type: aws_proxy, httpMethod: POST, payloadFormatVersion: "2.0", uri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/Echo/invocations"}
`
)

// Tokens of an HTTP API's JWT authorizer, signed in the test by keys of the test's own issuer: what passes
// and every way to fail with AWS's answers (401 with www-authenticate, 403 for a missing scope), and the
// claims and scopes as the Lambda event carries them (reference §j.4, §j.5).
func TestHTTPAPIJWTAuthorizer(t *testing.T) {
	t.Setenv(devkey.DirEnv, t.TempDir())
	now := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	issuer := newSigner(t, "kid-1")
	intruder := newSigner(t, "kid-1") // an untrusted key that claims the issuer's kid
	dir := t.TempDir()
	jwks, _ := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &issuer.key.PublicKey, KeyID: "kid-1", Algorithm: "RS256", Use: "sig"}}})
	if err := os.WriteFile(filepath.Join(dir, "jwks.json"), jwks, 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := fmt.Sprintf("jwtIssuers:\n  %q: {jwks: ./jwks.json}\n  %q: {jwks: dev}\n", jwtIssuer, jwtDevIssuer)
	l := loadFilesFindings(t, dir, jwtAPI, cfg)
	if fs := l.Findings.Error(); !strings.Contains(fs, `authorizer "unknown" cannot verify tokens: issuer `+jwtUnconfigued+` is not in the config's jwtIssuers: add jwtIssuers: {"`+jwtUnconfigued+`": {jwks: ./jwks.json}}`) ||
		strings.Contains(fs, "not enforced yet") {
		t.Errorf("findings:\n%s", fs)
	}
	snap, err := l.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	f := &authzFixture{t: t, log: &lineLog{lines: make(chan string, 16)}, clock: NewManualClock(now)}
	f.gw = NewGateway(snap, NewAccessLog(f.log, LogText, false), WithClock(f.clock))
	t.Cleanup(func() { f.gw.Close() })
	// The function answers with the event it was given.
	f.gw.RegisterHandler("Echo", lambda.NewHandler(func(_ context.Context, e json.RawMessage) (map[string]any, error) {
		return map[string]any{"statusCode": 200, "body": string(e)}, nil
	}))
	f.srv = httptest.NewServer(f.gw)
	t.Cleanup(f.srv.Close)

	claims := func(edit func(map[string]any)) map[string]any {
		c := map[string]any{"sub": "user-1", "iss": jwtIssuer, "aud": "client-1", "exp": now.Add(time.Hour).Unix(),
			"iat": now.Add(-time.Minute).Unix(), "nbf": now.Add(-time.Minute).Unix(), "groups": []any{"admin", "staff"},
			"email_verified": true, "ratio": 1.5, "address": map[string]any{"country": "FR"}, "nothing": nil,
			"scope": "orders/read openid"}
		if edit != nil {
			edit(c)
		}
		return c
	}
	valid := issuer.sign(t, claims(nil))
	hs, _ := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: jwks}, (&jose.SignerOptions{}).WithHeader("kid", "kid-1"))
	hsToken, _ := jwt.Signed(hs).Claims(claims(nil)).Serialize()
	rs512, _ := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS512, Key: jose.JSONWebKey{Key: issuer.key, KeyID: "kid-1"}}, nil)
	rs512Token, _ := jwt.Signed(rs512).Claims(claims(nil)).Serialize()
	devToken, err := devkey.Sign(map[string]any{"sub": "dev-user", "iss": jwtDevIssuer, "aud": "apigwlocaldevclient", "exp": now.Add(time.Hour).Unix()})
	if err != nil {
		t.Fatal(err)
	}
	challenge := func(desc string) string {
		return `Bearer scope="" error="invalid_token" error_description="` + desc + `"`
	}

	for _, c := range []struct {
		name, path, token string
		status            int
		challenge         string // www-authenticate
	}{
		{"valid", "/claims", valid, 200, ""},
		{"valid, Bearer prefix", "/claims", "Bearer " + valid, 200, ""},
		{"valid, RS512", "/claims", rs512Token, 200, ""},
		{"aud as a list", "/claims", issuer.sign(t, claims(func(c map[string]any) { c["aud"] = []string{"other", "api://orders"} })), 200, ""},
		{"client_id when there is no aud", "/claims", issuer.sign(t, claims(func(c map[string]any) { delete(c, "aud"); c["client_id"] = "client-1" })), 200, ""},
		{"a scope the route requires", "/scoped", valid, 200, ""},
		{"scp as a list", "/scoped", issuer.sign(t, claims(func(c map[string]any) { delete(c, "scope"); c["scp"] = []string{"orders/admin"} })), 200, ""},
		{"no token", "/claims", "", 401, challenge("the token is missing")},
		{"not a JWT", "/claims", "Bearer abc", 401, challenge("the token is malformed")},
		{"expired", "/claims", issuer.sign(t, claims(func(c map[string]any) { c["exp"] = now.Unix() })), 401, challenge("the token has expired")},
		{"no exp", "/claims", issuer.sign(t, claims(func(c map[string]any) { delete(c, "exp") })), 401, challenge("the token has expired")},
		{"not yet valid (nbf)", "/claims", issuer.sign(t, claims(func(c map[string]any) { c["nbf"] = now.Add(time.Minute).Unix() })), 401, challenge("the token is not valid yet")},
		{"issued in the future (iat)", "/claims", issuer.sign(t, claims(func(c map[string]any) { c["iat"] = now.Add(time.Minute).Unix() })), 401, challenge("the token is not valid yet")},
		{"wrong audience", "/claims", issuer.sign(t, claims(func(c map[string]any) { c["aud"] = "client-2" })), 401, challenge("the token does not have a valid audience")},
		{"aud decides over client_id", "/claims", issuer.sign(t, claims(func(c map[string]any) { c["aud"] = "client-2"; c["client_id"] = "client-1" })), 401, challenge("the token does not have a valid audience")},
		{"wrong client_id", "/claims", issuer.sign(t, claims(func(c map[string]any) { delete(c, "aud"); c["client_id"] = "client-2" })), 401, challenge("the token does not have a valid audience")},
		{"neither aud nor client_id", "/claims", issuer.sign(t, claims(func(c map[string]any) { delete(c, "aud") })), 401, challenge("the token does not have a valid audience")},
		{"wrong issuer", "/claims", issuer.sign(t, claims(func(c map[string]any) { c["iss"] = "https://evil.example" })), 401, challenge("the token does not have a valid issuer")},
		{"untrusted key with the issuer's kid", "/claims", intruder.sign(t, claims(nil)), 401, challenge("the token's signature is invalid")},
		{"unknown kid", "/claims", (&signer{key: issuer.key, kid: "kid-2"}).sign(t, claims(nil)), 401, challenge("the token's signature is invalid")},
		{"HS256 with the key set as secret", "/claims", hsToken, 401, challenge("the token is malformed")},
		{"the development key on another issuer", "/claims", devToken, 401, challenge("the token's signature is invalid")},
		{"missing scope", "/scoped", issuer.sign(t, claims(func(c map[string]any) { c["scope"] = "openid" })), 403, `Bearer scope="orders/read orders/admin" error="insufficient_scope" error_description="the token does not have the required scope"`},
		{"no scope at all", "/scoped", issuer.sign(t, claims(func(c map[string]any) { delete(c, "scope") })), 403, `Bearer scope="orders/read orders/admin" error="insufficient_scope" error_description="the token does not have the required scope"`},
		{"issuer not configured", "/unknown", valid, 500, ""},
	} {
		h := map[string]string{}
		if c.token != "" {
			h["Authorization"] = c.token
		}
		r, line := f.call(c.path, h)
		want := map[int]string{200: "", 401: `{"message":"Unauthorized"}`, 403: `{"message":"Forbidden"}`, 500: `{"message":"Internal Server Error"}`}[c.status]
		if r.status != c.status || (c.status != 200 && string(r.body) != want) {
			t.Errorf("%s: %d %s, want %d %s (%s)", c.name, r.status, r.body, c.status, want, line)
		}
		if got := r.header.Get("www-authenticate"); got != c.challenge {
			t.Errorf("%s: www-authenticate %q, want %q", c.name, got, c.challenge)
		}
		if c.status != 200 && !strings.Contains(line, "authorizer ") && c.status != 500 {
			t.Errorf("%s: the log line does not say which authorizer decided and why: %s", c.name, line)
		}
	}

	// The token in a query string parameter, as identitySource $request.querystring.X reads it.
	if r, line := f.call("/query?access_token="+valid, nil); r.status != 200 {
		t.Errorf("token in the query string: %d %s (%s)", r.status, r.body, line)
	}
	if r, _ := f.call("/query", map[string]string{"Authorization": valid}); r.status != 401 {
		t.Errorf("token in the header where the query string is read: %d %s", r.status, r.body)
	}
	// jwks: dev trusts the development key, the one apigw-local token --issuer signs with.
	if r, line := f.call("/dev", map[string]string{"Authorization": "Bearer " + devToken}); r.status != 200 {
		t.Errorf("a development token on a jwks: dev issuer: %d %s (%s)", r.status, r.body, line)
	}
	if r, _ := f.call("/dev", map[string]string{"Authorization": valid}); r.status != 401 {
		t.Errorf("the test issuer's token on the dev issuer: %d %s", r.status, r.body)
	}

	// The claims in the event, as text: numbers as written, lists as [a b], objects as JSON, nulls left out;
	// scopes null where the route has no authorizationScopes, the token's whole list where it has.
	wantClaims := map[string]any{"sub": "user-1", "iss": jwtIssuer, "aud": "client-1", "exp": fmt.Sprint(now.Add(time.Hour).Unix()),
		"iat": fmt.Sprint(now.Add(-time.Minute).Unix()), "nbf": fmt.Sprint(now.Add(-time.Minute).Unix()), "groups": "[admin staff]",
		"email_verified": "true", "ratio": "1.5", "address": `{"country":"FR"}`, "scope": "orders/read openid"}
	for _, c := range []struct {
		path, version string
		scopes        any
	}{
		{"/claims", "2.0", nil},
		{"/scoped", "2.0", []any{"orders/read", "openid"}},
		{"/v1", "1.0", []any{"orders/read", "openid"}},
	} {
		r, line := f.call(c.path, map[string]string{"Authorization": valid})
		var ev struct {
			Version        string `json:"version"`
			RequestContext struct {
				Authorizer map[string]any `json:"authorizer"`
			} `json:"requestContext"`
		}
		if r.status != 200 || json.Unmarshal(r.body, &ev) != nil {
			t.Fatalf("%s: %d %s (%s)", c.path, r.status, r.body, line)
		}
		az := ev.RequestContext.Authorizer
		if c.version == "2.0" {
			if len(az) != 1 {
				t.Errorf("%s: requestContext.authorizer = %v, want jwt alone", c.path, az)
			}
			az, _ = az["jwt"].(map[string]any)
		}
		scopes, present := az["scopes"]
		if !present || fmt.Sprint(scopes) != fmt.Sprint(c.scopes) || len(az) != 2 {
			t.Errorf("%s (payload %s): scopes = %#v (present %v), want %#v; authorizer %v", c.path, c.version, scopes, present, c.scopes, az)
		}
		if got, _ := json.Marshal(az["claims"]); string(got) != string(mustJSON(wantClaims)) {
			t.Errorf("%s (payload %s): claims\n%s\nwant\n%s", c.path, c.version, got, mustJSON(wantClaims))
		}
	}
}

// What keeps a JWT authorizer from verifying tokens is a build warning at the authorizer, saying what to
// do, and its routes answer 500 rather than being served unprotected.
func TestHTTPAPIJWTAuthorizerFindings(t *testing.T) {
	doc := func(authorizer string) string {
		return `openapi: "3.0.1"
info: {title: orders, version: "1"}
components:
  securitySchemes:
    main:
      type: oauth2
      flows: {}
      x-amazon-apigateway-authorizer: ` + authorizer + `
paths:
  /claims:
    get:
      security: [{main: []}]
      x-amazon-apigateway-integration: {type: aws_proxy, httpMethod: POST, payloadFormatVersion: "2.0", uri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/Echo/invocations"}
`
	}
	const ok = `{type: jwt, identitySource: "$request.header.Authorization", jwtConfiguration: {issuer: "https://issuer.example.com", audience: [a]}}`
	for _, c := range []struct {
		name, authorizer, jwks, config string
		status                         int
		finding                        string
	}{
		{"served", ok, `{"keys":[{"kty":"RSA","kid":"k","n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw","e":"AQAB"}]}`, `jwtIssuers: {"https://issuer.example.com": {jwks: ./jwks.json}}`, 401, ""},
		{"issuer not configured", ok, "", `jwtIssuers: {"https://other.example.com": {jwks: dev}}`, 500,
			`authorizer "main" cannot verify tokens: issuer https://issuer.example.com is not in the config's jwtIssuers: add jwtIssuers: {"https://issuer.example.com": {jwks: ./jwks.json}}`},
		{"no config at all", ok, "", "", 500, `is not in the config's jwtIssuers`},
		{"no key file", ok, "", `jwtIssuers: {"https://issuer.example.com": {jwks: ./jwks.json}}`, 500, `authorizer "main" cannot verify tokens: reading the keys of issuer https://issuer.example.com:`},
		{"not a key set", ok, `{"keys": []}`, `jwtIssuers: {"https://issuer.example.com": {jwks: ./jwks.json}}`, 500, `jwks.json is not a JSON Web Key Set ({"keys": [...]}) with keys`},
		{"REST identity source", `{type: jwt, identitySource: "method.request.header.Authorization", jwtConfiguration: {issuer: "https://issuer.example.com", audience: [a]}}`, "",
			`jwtIssuers: {"https://issuer.example.com": {jwks: dev}}`, 500, `identity source "method.request.header.Authorization" is not one a JWT authorizer reads: use $request.header.NAME`},
		{"no audience", `{type: jwt, identitySource: "$request.header.Authorization", jwtConfiguration: {issuer: "https://issuer.example.com"}}`, "",
			`jwtIssuers: {"https://issuer.example.com": {jwks: dev}}`, 401, `authorizer "main" has no jwtConfiguration.audience: no token's aud or client_id can match, so every request answers 401`},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv(devkey.DirEnv, t.TempDir())
			dir := t.TempDir()
			if c.jwks != "" {
				if err := os.WriteFile(filepath.Join(dir, "jwks.json"), []byte(c.jwks), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			l := loadFilesFindings(t, dir, doc(c.authorizer), c.config)
			fs := l.Findings.Error()
			if c.finding == "" && strings.Contains(fs, `authorizer "main"`) || !strings.Contains(fs, c.finding) {
				t.Errorf("findings:\n%s\nwant %q", fs, c.finding)
			}
			if c.finding != "" && !strings.Contains(fs, "openapi.yaml:8:") {
				t.Errorf("the finding is not at the authorizer (line 8):\n%s", fs)
			}
			snap, err := l.Snapshot()
			if err != nil {
				t.Fatal(err)
			}
			g := NewGateway(snap, NewAccessLog(io.Discard, LogText, false))
			t.Cleanup(func() { g.Close() })
			srv := httptest.NewServer(g)
			t.Cleanup(srv.Close)
			if r := do(t, "GET", srv.URL+"/claims", nil, ""); r.status != c.status {
				t.Errorf("GET /claims without a token: %d %s, want %d", r.status, r.body, c.status)
			}
		})
	}
}
