package authorizer

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/apigw-local/apigw-local/internal/gatewayresponse"
	"github.com/apigw-local/apigw-local/internal/spec"
	"github.com/go-jose/go-jose/v4"
)

// jwtFixture is a JWT authorizer trusting one key, and that key's signer.
func jwtFixture(tb testing.TB) (*Authorizer, jose.Signer) {
	tb.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		tb.Fatal(err)
	}
	ks := &jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &key.PublicKey, KeyID: "k"}}}
	az, err := CompileJWT("api", &spec.Authorizer{Name: "j", Type: TypeJWT, IdentitySource: "$request.header.Authorization",
		JWTIssuer: "https://issuer.test", JWTAudience: []string{"aud-1"}}, func(string) (*jose.JSONWebKeySet, error) { return ks, nil })
	if err != nil {
		tb.Fatal(err)
	}
	sg, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: key, KeyID: "k"}}, nil)
	if err != nil {
		tb.Fatal(err)
	}
	return az, sg
}

// FuzzJWTAuthorize signs any payload with the trusted key: the authorizer never panics, lets a token through
// only when its registered claims pass, and renders the claims it keeps as text without nulls.
func FuzzJWTAuthorize(f *testing.F) {
	for _, s := range []string{
		`{"iss":"https://issuer.test","aud":"aud-1","exp":2000000000,"scope":"a b","x":[1,"y",null,{"z":true}],"n":null}`,
		`{"iss":"https://issuer.test","aud":["aud-1"],"exp":2e9,"nbf":1.5,"iat":1e300}`,
		`{"iss":"https://issuer.test","client_id":"aud-1","exp":"2000000000"}`, `{"iss":null,"aud":1}`, `[]`, `null`, `{`,
	} {
		f.Add([]byte(s), "a")
	}
	az, sg := jwtFixture(f)
	now := time.Unix(1_900_000_000, 0)
	f.Fuzz(func(t *testing.T, payload []byte, scope string) {
		obj, err := sg.Sign(payload)
		if err != nil {
			return
		}
		token, _ := obj.CompactSerialize()
		r := &Request{Header: http.Header{"Authorization": {"Bearer " + token}}, Now: now, Scopes: strings.Fields(scope)}
		out, gerr := az.Authorize(t.Context(), r, nil)
		if gerr != nil {
			if gerr.Type != gatewayresponse.Unauthorized && gerr.Type != gatewayresponse.AccessDenied {
				t.Fatalf("%s: %v", payload, gerr)
			}
			return
		}
		var c map[string]any
		if json.Unmarshal(payload, &c) != nil || c["iss"] != "https://issuer.test" {
			t.Fatalf("accepted %s", payload)
		}
		if exp, ok := c["exp"].(float64); !ok || exp <= float64(now.Unix()) {
			t.Fatalf("accepted %s", payload)
		}
		if aud, ok := c["aud"]; (ok && aud != "aud-1" && !strings.Contains(string(payload), `"aud-1"`)) || (!ok && c["client_id"] != "aud-1") {
			t.Fatalf("accepted %s", payload)
		}
		for k, v := range out.Claims {
			if v == "" && k == "" {
				t.Fatalf("empty claim kept")
			}
		}
	})
}

// The claims as an HTTP API's event carries them (reference §j.5).
func TestJWTClaimText(t *testing.T) {
	var raw map[string]any
	dec := json.NewDecoder(strings.NewReader(`{"s":"x","n":1700000000,"f":1.50,"b":false,"l":["a","b"],"m":[1,[2,3],{"k":"v"}],"o":{"a":[1]},"z":null,"e":[]}`))
	dec.UseNumber()
	if err := dec.Decode(&raw); err != nil {
		t.Fatal(err)
	}
	got, _ := json.Marshal(jwtClaimText(raw))
	want := `{"b":"false","e":"[]","f":"1.50","l":"[a b]","m":"[1 [2 3] {\"k\":\"v\"}]","n":"1700000000","o":"{\"a\":[1]}","s":"x"}`
	if string(got) != want {
		t.Errorf("claims\n%s\nwant\n%s", got, want)
	}
}

// A JWT authorizer reads one identity source, a header or a query string parameter.
func TestJWTIdentitySource(t *testing.T) {
	for _, c := range []struct {
		source, err string
	}{
		{"$request.header.X-Token", ""},
		{"$request.querystring.token", ""},
		{"$request.header.A, $request.header.B", "reads one identity source"},
		{"method.request.header.Authorization", "is not one a JWT authorizer reads"},
		{"$context.authorizer.x", "is not one a JWT authorizer reads"},
	} {
		_, err := CompileJWT("api", &spec.Authorizer{Name: "j", Type: TypeJWT, IdentitySource: c.source, JWTIssuer: "https://i"},
			func(string) (*jose.JSONWebKeySet, error) { return &jose.JSONWebKeySet{}, nil })
		if (err == nil) != (c.err == "") || (err != nil && !strings.Contains(err.Error(), c.err)) {
			t.Errorf("%q: %v, want %q", c.source, err, c.err)
		}
	}
}
