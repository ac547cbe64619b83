package authorizer

import (
	"strings"
	"testing"
	"time"

	"github.com/apigw-local/apigw-local/internal/spec"
)

const uri = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:Auth/invocations"

// What makes an authorizer impossible to run is an error naming the setting, so that its methods answer
// 500 with the reason rather than run without it.
func TestCompileErrors(t *testing.T) {
	ttl := func(n int) *int { return &n }
	for _, c := range []struct {
		a    spec.Authorizer
		want string
	}{
		{spec.Authorizer{Type: "token", IdentitySource: "method.request.header.Authorization", AuthorizerURI: uri, AuthorizerResultTTLInSeconds: ttl(3601)}, "authorizerResultTtlInSeconds 3601 is out of range"},
		{spec.Authorizer{Type: "token", IdentitySource: "method.request.header.A, method.request.header.B", AuthorizerURI: uri}, "a TOKEN authorizer's identitySource is one header"},
		{spec.Authorizer{Type: "token", IdentitySource: "method.request.path.id", AuthorizerURI: uri}, `identity source "method.request.path.id" is not one API Gateway reads`},
		{spec.Authorizer{Type: "request", AuthorizerURI: uri}, "needs an identitySource"},
		{spec.Authorizer{Type: "token", IdentitySource: "method.request.header.A"}, "needs authorizerUri"},
		{spec.Authorizer{Type: "token", IdentitySource: "method.request.header.A", AuthorizerURI: uri, IdentityValidationExpression: "("}, "identityValidationExpression"},
	} {
		if _, err := Compile("api", &c.a, ""); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v, want %q", c.a, err, c.want)
		}
	}
	a, err := Compile("api", &spec.Authorizer{Type: "request", AuthorizerURI: uri, AuthorizerResultTTLInSeconds: ttl(0)}, "")
	if err != nil || a.TTL != 0 || a.FunctionName() != "Auth" {
		t.Errorf("a REQUEST authorizer without caching needs no identity source: %+v, %v", a, err)
	}
	b, _ := Compile("api", &spec.Authorizer{Type: "request", AuthorizerURI: uri, AuthorizerResultTTLInSeconds: ttl(0)}, "other function")
	if a.ID == b.ID {
		t.Error("the cache identity must change with the function's configuration")
	}
}

func TestMethodARN(t *testing.T) {
	for path, want := range map[string]string{"/": "arn:aws:execute-api:us-east-1:123456789012:api/dev/GET/", "/pets/1": "arn:aws:execute-api:us-east-1:123456789012:api/dev/GET/pets/1"} {
		if got := MethodARN("us-east-1", "123456789012", "api", "dev", "GET", path); got != want {
			t.Errorf("%s: %s, want %s", path, got, want)
		}
	}
}

// The cache never grows past MaxCacheEntries, whatever tokens clients send; expired entries go first.
func TestCacheBound(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := NewCache(func() time.Time { return now })
	a := &Answer{PrincipalID: "p"}
	for i := range MaxCacheEntries + 10 {
		c.put(strings.Repeat("k", 8)+string(rune(i)), a, time.Minute)
	}
	if n := c.Len(); n > MaxCacheEntries {
		t.Errorf("%d entries", n)
	}
	now = now.Add(time.Minute)
	if c.get(strings.Repeat("k", 8)+string(rune(MaxCacheEntries+5))) != nil {
		t.Error("an entry past its TTL was returned")
	}
}
