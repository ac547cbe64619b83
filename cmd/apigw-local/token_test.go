package main

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
)

const tokenPool = "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_dev"

// The README's three-line workflow: a pool with jwks: dev, a token from apigw-local token, a request with
// it. The token's claims are what the flags say, and serve accepts it (and refuses the method without it).
func TestTokenIsAcceptedByServe(t *testing.T) {
	t.Setenv("APIGW_LOCAL_CONFIG_DIR", t.TempDir())
	out, errOut, code := run("token", "--pool", tokenPool, "--sub", "alice", "--claim", "cognito:groups=admin", "--claim", "cognito:groups=staff", "--claim", "email=a@example.com")
	if code != 0 || strings.Count(out, "\n") != 1 || !strings.Contains(errOut, "made the development signing key") {
		t.Fatalf("token: exit %d\nstdout %q\nstderr %q", code, out, errOut)
	}
	tok := strings.TrimSpace(out)
	payload, err := base64.RawURLEncoding.DecodeString(strings.Split(tok, ".")[1])
	if err != nil {
		t.Fatal(err)
	}
	var claims map[string]any
	_ = json.Unmarshal(payload, &claims)
	if claims["iss"] != "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_dev" || claims["sub"] != "alice" || claims["token_use"] != "id" ||
		claims["email"] != "a@example.com" || len(claims["cognito:groups"].([]any)) != 2 {
		t.Errorf("claims %v", claims)
	}
	if _, errOut, _ := run("token", "--pool", tokenPool); strings.Contains(errOut, "made the development signing key") {
		t.Errorf("the key is made once: %q", errOut)
	}
	access, _, code := run("token", "--pool", tokenPool, "--use", "access", "--scope", "orders/read")
	if code != 0 {
		t.Fatalf("access token: exit %d", code)
	}

	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "openapi.yaml"), `openapi: "3.0.1"
info: {title: t, version: "1"}
components:
  securitySchemes:
    pool:
      type: apiKey
      name: Authorization
      in: header
      x-amazon-apigateway-authtype: cognito_user_pools
      x-amazon-apigateway-authorizer: {type: cognito_user_pools, providerARNs: ["`+tokenPool+`"]}
paths:
  /me:
    get:
      security: [{pool: []}]
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates: {application/json: '{"statusCode": 200}'}
        responses: {default: {statusCode: "200", responseTemplates: {application/json: '{"sub": "$context.authorizer.claims.sub"}'}}}
  /orders:
    get:
      security: [{pool: ["orders/read"]}]
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates: {application/json: '{"statusCode": 200}'}
        responses: {default: {statusCode: "200"}}
`)
	writeFile(t, filepath.Join(dir, "apigw-local.yaml"), "cognitoUserPools:\n  \""+tokenPool+"\": {jwks: dev}\n")
	s := startServe(t, dir, "openapi.yaml", "--no-watch")
	for _, c := range []struct {
		path, token string
		status      int
		body        string
	}{
		{"/dev/me", tok, 200, `{"sub": "alice"}`},
		{"/dev/me", "", 401, `{"message":"Unauthorized"}`},
		{"/dev/orders", strings.TrimSpace(access), 200, ""},
		{"/dev/orders", tok, 401, ""}, // an ID token carries no scopes
	} {
		req, _ := http.NewRequest("GET", s.url+c.path, nil)
		if c.token != "" {
			req.Header.Set("Authorization", c.token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		_, _ = io.Copy(&b, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != c.status || (c.body != "" && b.String() != c.body) {
			t.Errorf("GET %s: %d %s, want %d %s", c.path, resp.StatusCode, b.String(), c.status, c.body)
		}
	}
	if _, errOut, code := run("token", "--pool", "not-an-arn"); code != 2 || !strings.Contains(errOut, "is not a user pool ARN") {
		t.Errorf("bad pool: exit %d %q", code, errOut)
	}
	if _, errOut, code := run("token", "--pool", tokenPool, "--scope", "x"); code != 2 || !strings.Contains(errOut, "only access tokens carry scopes") {
		t.Errorf("scope on an ID token: exit %d %q", code, errOut)
	}
}
