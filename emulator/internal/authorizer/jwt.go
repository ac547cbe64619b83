package authorizer

import (
	"bytes"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/apigw-local/apigw-local/internal/gatewayresponse"
	"github.com/apigw-local/apigw-local/internal/spec"
	"github.com/go-jose/go-jose/v4"
)

// TypeJWT is an HTTP API's JWT authorizer (x-amazon-apigateway-authorizer type jwt).
const TypeJWT = "jwt"

// rsaAlgorithms are the signatures an HTTP API's JWT authorizer verifies: "API Gateway supports only
// RSA-based algorithms" (the JWT authorizer guide), which the PKCS #1 v1.5 and PSS families both are.
// HMAC, ECDSA and "none" are refused before any key is looked at.
var rsaAlgorithms = []jose.SignatureAlgorithm{jose.RS256, jose.RS384, jose.RS512, jose.PS256, jose.PS384, jose.PS512}

// jwtAuthorizer verifies tokens as an HTTP API's JWT authorizer does (reference §j.5): the signature by
// the issuer's key named by kid, iss equal to the issuer, aud (or client_id when aud is absent) one of the
// audiences, exp, nbf and iat against the gateway's clock, and the route's authorizationScopes.
type jwtAuthorizer struct {
	source   identitySource
	issuer   string
	audience []string
	keys     *jose.JSONWebKeySet
}

// CompileJWT reads a jwt authorizer; keys gives its issuer's key set (from the config's jwtIssuers).
func CompileJWT(apiID string, a *spec.Authorizer, keys func(issuer string) (*jose.JSONWebKeySet, error)) (*Authorizer, error) {
	j := &jwtAuthorizer{source: identitySource{text: "$request.header.Authorization", kind: "header", name: "Authorization"},
		issuer: a.JWTIssuer, audience: a.JWTAudience}
	if s := strings.TrimSpace(a.IdentitySource); s != "" {
		src, err := parseHTTPIdentitySource(s)
		if err != nil {
			return nil, err
		}
		j.source = src
	}
	if j.issuer == "" {
		return nil, fmt.Errorf("jwtConfiguration.issuer is empty: name the issuer whose tokens it accepts")
	}
	ks, err := keys(j.issuer)
	if err != nil {
		return nil, err
	}
	j.keys = ks
	out := &Authorizer{Name: a.Name, Type: TypeJWT, jwt: j}
	out.ID = identity(apiID, a, "")
	return out, nil
}

// parseHTTPIdentitySource reads a JWT authorizer's one identity source: a header or a query string
// parameter, written in HTTP API syntax. A JWT authorizer takes exactly one (the JWT authorizer guide).
func parseHTTPIdentitySource(s string) (identitySource, error) {
	if strings.Contains(s, ",") {
		return identitySource{}, fmt.Errorf("a JWT authorizer reads one identity source, got %q", s)
	}
	for _, p := range []struct{ prefix, kind string }{
		{"$request.header.", "header"},
		{"$request.querystring.", "querystring"},
	} {
		if name, ok := strings.CutPrefix(s, p.prefix); ok && name != "" {
			return identitySource{text: s, kind: p.kind, name: name}, nil
		}
	}
	return identitySource{}, fmt.Errorf("identity source %q is not one a JWT authorizer reads: use $request.header.NAME (usually $request.header.Authorization) or $request.querystring.NAME", s)
}

// The www-authenticate descriptions. Only the audience's is documented (the HTTP API JWT troubleshooting
// page); no capture of the others was found, so they are assumed, in the same lower-case style.
const (
	descAudience  = "the token does not have a valid audience"   // documented
	descMissing   = "the token is missing"                       // assumed
	descMalformed = "the token is malformed"                     // assumed
	descSignature = "the token's signature is invalid"           // assumed
	descIssuer    = "the token does not have a valid issuer"     // assumed
	descExpired   = "the token has expired"                      // assumed
	descNotYet    = "the token is not valid yet"                 // assumed
	descScope     = "the token does not have the required scope" // assumed (sent with 403 insufficient_scope)
)

func (j *jwtAuthorizer) authorize(r *Request, name string) (Outcome, *gatewayresponse.Error) {
	fail := func(desc, format string, args ...any) (Outcome, *gatewayresponse.Error) {
		return Outcome{}, &gatewayresponse.Error{Type: gatewayresponse.Unauthorized,
			Reason: fmt.Sprintf("authorizer %s: %s", name, fmt.Sprintf(format, args...)),
			Header: http.Header{"www-authenticate": {`Bearer scope="" error="invalid_token" error_description="` + desc + `"`}}}
	}
	token := bearerToken(j.source.value(r))
	switch {
	case token == "":
		return fail(descMissing, "no token in %s", j.source.text)
	case len(token) > MaxTokenBytes:
		return fail(descMalformed, "the token is over %d bytes", MaxTokenBytes)
	}
	sig, err := jose.ParseSignedCompact(token, rsaAlgorithms)
	if err != nil {
		return fail(descMalformed, "not a JWT signed with an RSA algorithm (RS256, RS384, RS512, PS256, PS384, PS512): %v", err)
	}
	kid := sig.Signatures[0].Header.KeyID
	var payload []byte
	for _, k := range rsaKeys(j.keys, kid) {
		if p, err := sig.Verify(k); err == nil {
			payload = p
			break
		}
	}
	if payload == nil {
		return fail(descSignature, "no key of issuer %s with kid %q verifies the signature", j.issuer, kid)
	}
	// The claims are read from a map: encoding/json matches struct fields case-insensitively, which would
	// take "EXP" for exp.
	var raw map[string]any
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.UseNumber()
	if dec.Decode(&raw) != nil || raw == nil || !atEOF(dec) {
		return fail(descMalformed, "the claims are not a JSON object")
	}
	if iss, _ := raw["iss"].(string); iss != j.issuer {
		return fail(descIssuer, "iss is %s, not the authorizer's issuer %q", describeClaim(raw["iss"]), j.issuer)
	}
	now := r.Now
	exp, expOK := epoch(raw["exp"])
	switch {
	case !expOK:
		return fail(descExpired, "the token has no exp as a number (%s)", describeClaim(raw["exp"]))
	case !now.Before(exp):
		return fail(descExpired, "the token expired at %s", exp.UTC().Format(time.RFC3339))
	}
	if v, ok := raw["nbf"]; ok {
		if nbf, ok := epoch(v); !ok || now.Before(nbf) {
			return fail(descNotYet, "the token is not valid before %s (nbf)", describeClaim(v))
		}
	}
	if v, ok := raw["iat"]; ok {
		if iat, ok := epoch(v); !ok || now.Before(iat) {
			return fail(descNotYet, "the token is issued in the future (iat %s)", describeClaim(v))
		}
	}
	// aud decides when present, client_id only when aud is absent (the JWT troubleshooting page).
	if aud, ok := raw["aud"]; ok && aud != nil {
		auds, ok := stringList(aud)
		if !ok {
			return fail(descAudience, "aud is neither a string nor a list of strings (%s)", describeClaim(aud))
		}
		if !slices.ContainsFunc(auds, func(a string) bool { return slices.Contains(j.audience, a) }) {
			return fail(descAudience, "aud %q holds none of the authorizer's audiences %q", auds, j.audience)
		}
	} else if id, _ := raw["client_id"].(string); !slices.Contains(j.audience, id) {
		return fail(descAudience, "no aud, and client_id (%s) is not one of the authorizer's audiences %q", describeClaim(raw["client_id"]), j.audience)
	}
	scopes := tokenScopes(raw)
	out := Outcome{Claims: jwtClaimText(raw)}
	if len(r.Scopes) > 0 {
		if !slices.ContainsFunc(r.Scopes, func(s string) bool { return slices.Contains(scopes, s) }) {
			// 403 {"message":"Forbidden"} (measured, reference §j.5); the header is assumed, after RFC 6750.
			return Outcome{}, &gatewayresponse.Error{Type: gatewayresponse.AccessDenied,
				Reason: fmt.Sprintf("authorizer %s: the token's scopes %q hold none of the route's authorizationScopes %q", name, scopes, r.Scopes),
				Header: http.Header{"www-authenticate": {`Bearer scope="` + strings.Join(r.Scopes, " ") + `" error="insufficient_scope" error_description="` + descScope + `"`}}}
		}
		// The event's scopes are the token's on scoped routes, null elsewhere (observed, reference §j.5).
		out.Scopes = scopes
	}
	return out, nil
}

// epoch reads a NumericDate: a JSON number of seconds since the epoch, possibly fractional.
func epoch(v any) (time.Time, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return time.Time{}, false
	}
	f, err := n.Float64()
	if err != nil || f > 1<<62 || f < -(1<<62) {
		return time.Time{}, false
	}
	sec := int64(f)
	return time.Unix(sec, int64((f-float64(sec))*1e9)), true
}

// atEOF tells that nothing follows the value dec read.
func atEOF(dec *json.Decoder) bool {
	_, err := dec.Token()
	return err == io.EOF
}

// describeClaim writes a claim's value for the log.
func describeClaim(v any) string {
	if v == nil {
		return "absent"
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// stringList reads a claim that is a string or a list of strings (aud, scp).
func stringList(v any) ([]string, bool) {
	switch x := v.(type) {
	case string:
		return []string{x}, true
	case []any:
		out := make([]string, len(x))
		for i, e := range x {
			s, ok := e.(string)
			if !ok {
				return nil, false
			}
			out[i] = s
		}
		return out, true
	}
	return nil, false
}

// tokenScopes is the token's scope claim (space separated) or, without one, its scp claim (space separated
// or a list, as Okta and Azure AD write it).
func tokenScopes(raw map[string]any) []string {
	for _, name := range []string{"scope", "scp"} {
		switch v := raw[name].(type) {
		case string:
			return strings.Fields(v)
		case []any:
			if list, ok := stringList(v); ok {
				return list
			}
		}
	}
	return nil
}

// jwtClaimText renders claims as an HTTP API passes them on (requestContext.authorizer.jwt.claims,
// observed, reference §j.5): every value a string; numbers as written, booleans as true/false; lists as
// [a b] (their elements rendered the same way, separated by spaces); objects as JSON; null claims left out.
func jwtClaimText(raw map[string]any) map[string]string {
	out := make(map[string]string, len(raw))
	for k, v := range raw {
		if v == nil {
			continue
		}
		out[k] = jwtValueText(v)
	}
	return out
}

func jwtValueText(v any) string {
	switch x := v.(type) {
	case nil:
		return "<nil>" // only inside a list, as Go's %v prints it there (assumed)
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		if x {
			return "true"
		}
		return "false"
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = jwtValueText(e)
		}
		return "[" + strings.Join(parts, " ") + "]"
	default:
		b, _ := json.Marshal(x)
		return string(b)
	}
}

// rsaKeys are the RSA public keys of keys with the id kid.
func rsaKeys(keys *jose.JSONWebKeySet, kid string) []*rsa.PublicKey {
	if keys == nil {
		return nil
	}
	var out []*rsa.PublicKey
	for _, k := range keys.Key(kid) {
		if pk, ok := k.Key.(*rsa.PublicKey); ok {
			out = append(out, pk)
		}
	}
	return out
}

// bearerToken is the token of an identity value: clients send it alone or as "Bearer <token>", and both
// pass (Cognito authorizers, and HTTP APIs' JWT authorizers since their 2019 preview refused the prefix).
func bearerToken(v string) string {
	if len(v) > 7 && strings.EqualFold(v[:7], "bearer ") {
		return strings.TrimSpace(v[7:])
	}
	return v
}
