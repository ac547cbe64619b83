package authorizer

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/apigw-local/apigw-local/internal/devkey"
	"github.com/apigw-local/apigw-local/internal/gatewayresponse"
	"github.com/apigw-local/apigw-local/internal/spec"
	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// MaxTokenBytes bounds the token read from a request: Cognito's tokens are a few kilobytes.
const MaxTokenBytes = 16 << 10

// cognito verifies Cognito user pool tokens, as COGNITO_USER_POOLS authorizers do: RS256 signatures by
// the pool's keys (chosen by kid), the issuer of one of the authorizer's pools, exp and nbf on the
// gateway's clock, and token_use: ID tokens on methods without authorizationScopes, access tokens holding
// one of the scopes on methods with them.
type cognito struct {
	header string
	pools  map[string]*jose.JSONWebKeySet // by issuer
}

// CompileCognito reads a COGNITO_USER_POOLS authorizer; keys gives each of its pools' key set (from the
// config's cognitoUserPools).
func CompileCognito(apiID string, a *spec.Authorizer, keys func(poolARN string) (*jose.JSONWebKeySet, error)) (*Authorizer, error) {
	out := &Authorizer{Name: a.Name, Type: TypeCognito, cognito: &cognito{header: "Authorization", pools: map[string]*jose.JSONWebKeySet{}}}
	if s := strings.TrimSpace(a.IdentitySource); s != "" {
		src, err := parseIdentitySource(s)
		if err != nil || src.kind != "header" {
			return nil, fmt.Errorf("a COGNITO_USER_POOLS authorizer's identitySource is one header (method.request.header.Authorization), got %q", a.IdentitySource)
		}
		out.cognito.header = src.name
	} else if a.HeaderName != "" {
		out.cognito.header = a.HeaderName
	}
	if len(a.ProviderARNs) == 0 {
		return nil, fmt.Errorf("providerARNs is empty: name the user pools whose tokens it accepts")
	}
	for _, arn := range a.ProviderARNs {
		iss, err := devkey.IssuerOf(arn)
		if err != nil {
			return nil, err
		}
		ks, err := keys(arn)
		if err != nil {
			return nil, err
		}
		out.cognito.pools[iss] = ks
	}
	out.ID = identity(apiID, a, "")
	return out, nil
}

// cognitoClaims are the registered claims read with their types; the rest are read as they come.
type cognitoClaims struct {
	Issuer   string           `json:"iss"`
	Expiry   *jwt.NumericDate `json:"exp"`
	NotAfter *jwt.NumericDate `json:"nbf"`
	TokenUse string           `json:"token_use"`
	Scope    string           `json:"scope"`
}

func (c *cognito) authorize(r *Request, name string) (Outcome, *gatewayresponse.Error) {
	fail := func(format string, args ...any) (Outcome, *gatewayresponse.Error) {
		return Outcome{}, unauthorized("authorizer %s: %s", name, fmt.Sprintf(format, args...))
	}
	// An AWS workshop tests the authorizer with the "Bearer " prefix; the docs show the bare token.
	token := bearerToken(r.Header.Get(c.header))
	switch {
	case token == "":
		return fail("no token in the %s header", c.header)
	case len(token) > MaxTokenBytes:
		return fail("the token is over %d bytes", MaxTokenBytes)
	}
	// Only RS256: "none", HMAC (the public key as a shared secret) and other algorithms are refused here.
	tok, err := jwt.ParseSigned(token, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		return fail("not an RS256 JWT: %v", err)
	}
	var unverified cognitoClaims
	if err := tok.UnsafeClaimsWithoutVerification(&unverified); err != nil {
		return fail("unreadable claims: %v", err)
	}
	keys := c.pools[unverified.Issuer]
	if keys == nil {
		return fail("issuer %q is not one of the authorizer's user pools", unverified.Issuer)
	}
	kid := tok.Headers[0].KeyID
	candidates := rsaKeys(keys, kid)
	if len(candidates) == 0 {
		return fail("no key with kid %q in the pool's key set", kid)
	}
	var claims cognitoClaims
	var raw map[string]any
	verified := false
	for _, k := range candidates {
		if tok.Claims(k, &claims, &raw) == nil {
			verified = true
			break
		}
	}
	if !verified {
		return fail("the signature does not verify with the pool's key %q", kid)
	}
	now := r.Now
	switch {
	case claims.Expiry == nil:
		return fail("the token has no exp")
	case !now.Before(claims.Expiry.Time()):
		// The body of this 401 names the expiry (observed on API Gateway).
		return Outcome{}, &gatewayresponse.Error{Type: gatewayresponse.Unauthorized, Message: "The incoming token has expired",
			Reason: fmt.Sprintf("authorizer %s: the token expired at %s", name, claims.Expiry.Time().UTC().Format(time.RFC3339))}
	case claims.NotAfter != nil && now.Before(claims.NotAfter.Time()):
		return fail("the token is not valid before %s", claims.NotAfter.Time().UTC().Format(time.RFC3339))
	case claims.TokenUse != "id" && claims.TokenUse != "access":
		return fail("token_use is %q, not id or access", claims.TokenUse)
	}
	// A method with authorizationScopes takes access tokens holding one of them; a method without takes
	// ID tokens only (AWS knowledge center, "api-gateway-cognito-401-unauthorized": no scopes, use a valid
	// ID token; scopes, use a valid access token).
	if len(r.Scopes) > 0 {
		if claims.TokenUse != "access" {
			return fail("the method requires one of the scopes %v: only an access token carries scopes", r.Scopes)
		}
		if !hasAnyScope(claims.Scope, r.Scopes) {
			return fail("the access token's scope %q holds none of %v", claims.Scope, r.Scopes)
		}
	} else if claims.TokenUse != "id" {
		return fail("the method has no authorizationScopes, so it takes ID tokens, not an %s token", claims.TokenUse)
	}
	return Outcome{Claims: claimText(raw)}, nil
}

func hasAnyScope(scope string, want []string) bool {
	have := strings.Fields(scope)
	for _, w := range want {
		for _, h := range have {
			if h == w {
				return true
			}
		}
	}
	return false
}

// claimText renders claims as API Gateway passes them on ($context.authorizer.claims.*, and the proxy
// event's requestContext.authorizer.claims): all strings; exp and iat as Java's Date.toString in UTC
// ("Thu Dec 06 17:08:23 UTC 2018"), other numbers as written, lists joined with commas ("admin,staff"),
// objects as JSON; null claims are left out (recorded in captures of REST proxy events).
func claimText(raw map[string]any) map[string]string {
	out := make(map[string]string, len(raw))
	for k, v := range raw {
		switch x := v.(type) {
		case nil:
			continue
		case string:
			out[k] = x
		case bool:
			out[k] = strconv.FormatBool(x)
		case float64:
			if (k == "exp" || k == "iat") && x == math.Trunc(x) {
				out[k] = time.Unix(int64(x), 0).UTC().Format("Mon Jan 02 15:04:05 UTC 2006")
			} else {
				out[k] = strconv.FormatFloat(x, 'f', -1, 64)
			}
		case []any:
			parts := make([]string, len(x))
			for i, e := range x {
				if s, ok := e.(string); ok {
					parts[i] = s
				} else {
					b, _ := json.Marshal(e)
					parts[i] = string(b)
				}
			}
			out[k] = strings.Join(parts, ",")
		default:
			b, _ := json.Marshal(x)
			out[k] = string(b)
		}
	}
	return out
}
