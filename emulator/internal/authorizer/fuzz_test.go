package authorizer

import (
	"encoding/json"
	"strings"
	"testing"
)

// FuzzParseAnswer checks that any answer a function returns is either refused with an error or read into
// an Answer whose context holds only strings, numbers and booleans, and whose policy can be evaluated.
func FuzzParseAnswer(f *testing.F) {
	for _, s := range []string{
		`{"principalId":"u","policyDocument":{"Version":"2012-10-17","Statement":[{"Action":"execute-api:Invoke","Effect":"Allow","Resource":"*"}]},"context":{"a":"x","n":1,"b":true},"usageIdentifierKey":"k"}`,
		`{"principalId":"u","policyDocument":"{\"Statement\":{\"Action\":\"*\",\"Effect\":\"Deny\",\"Resource\":\"arn:*\"}}"}`,
		`{"principalId":1,"policyDocument":{}}`, `{"principalId":"u","policyDocument":{"Statement":[]},"context":{"o":{"a":1}}}`,
		`{"principalId":"u","policyDocument":{"Statement":[]},"context":{"l":[1],"z":null}}`, `[]`, `null`, `{}`, `"x"`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := parseAnswer(data)
		if err != nil {
			return
		}
		for _, c := range a.Context {
			if len(c.JSON) == 0 || strings.ContainsAny(string(c.JSON[:1]), "{[n") {
				t.Fatalf("context %q kept %s", c.Key, c.JSON)
			}
			var v any
			if json.Unmarshal(c.JSON, &v) != nil {
				t.Fatalf("context %q is not JSON: %s", c.Key, c.JSON)
			}
		}
		_ = a.policy.evaluate("arn:aws:execute-api:us-east-1:123456789012:api/dev/GET/x")
		_ = a.Template()
		_ = a.Event()
	})
}

// FuzzClaimText checks that any claims render to text without panicking.
func FuzzClaimText(f *testing.F) {
	f.Add([]byte(`{"sub":"u","exp":1700000000,"iat":1.5,"cognito:groups":["a","b"],"email_verified":true,"x":{"y":1},"n":null}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var raw map[string]any
		if json.Unmarshal(data, &raw) != nil {
			return
		}
		for k := range claimText(raw) {
			if raw[k] == nil {
				t.Fatalf("a null claim %q was kept", k)
			}
		}
	})
}
