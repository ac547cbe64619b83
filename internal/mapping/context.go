package mapping

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/apigw-local/apigw-local/internal/reqctx"
	"github.com/apigw-local/apigw-local/vtl"
)

// RequestContext is the request data $context exposes: the one request context of reqctx.
type RequestContext = reqctx.Context

// identityKeys is the order of $context.identity.keySet() as recorded on AWS.
var identityKeys = []string{"cognitoIdentityPoolId", "accountId", "cognitoIdentityId", "caller", "sourceIp",
	"principalOrgId", "accessKey", "cognitoAuthenticationType", "cognitoAuthenticationProvider", "userArn",
	"userAgent", "user"}

// NewContext builds $context for one request. Its requestOverride and responseOverride maps are written
// by templates and read back by the gateway after rendering; the same map serves the request and the
// response template of a request, as on AWS (values set in one are visible in the other).
//
// The key order of $context.keySet() is the one recorded on AWS
// (vtl-templates.json#context-keyset-and-nested-maps); nested maps print as empty text there, as they do
// on AWS, while their keys and values stay readable.
func NewContext(rc RequestContext) *vtl.Map {
	identity := vtl.NewOpaqueMap()
	for _, k := range identityKeys {
		identity.Put(k, nil)
	}
	identity.Put("sourceIp", rc.SourceIP)
	identity.Put("userAgent", rc.UserAgent)
	if c := rc.Caller; c.AccessKey != "" {
		identity.Put("accessKey", c.AccessKey)
		identity.Put("accountId", c.AccountID)
		identity.Put("caller", c.Caller)
		identity.Put("user", c.User)
		identity.Put("userArn", c.UserARN)
	}
	if rc.APIKey != "" {
		identity.Put("apiKey", rc.APIKey)
		identity.Put("apiKeyId", rc.APIKeyID)
	}
	requestOverride := vtl.NewOpaqueMap()
	requestOverride.Put("path", vtl.NewOpaqueMap())
	requestOverride.Put("header", vtl.NewOpaqueMap())
	requestOverride.Put("querystring", vtl.NewOpaqueMap())
	responseOverride := vtl.NewOpaqueMap()
	responseOverride.Put("header", vtl.NewOpaqueMap())

	c := vtl.NewMap()
	c.Put("resourceId", rc.ResourceID)
	c.Put("resourcePath", rc.ResourcePath)
	c.Put("httpMethod", rc.HTTPMethod)
	c.Put("extendedRequestId", rc.ExtendedRequestID)
	c.Put("requestTime", rc.RequestTimeText())
	c.Put("path", rc.Path)
	c.Put("accountId", rc.AccountID)
	c.Put("protocol", rc.Protocol)
	c.Put("requestOverride", requestOverride)
	c.Put("stage", rc.Stage)
	c.Put("domainPrefix", rc.DomainPrefix)
	c.Put("requestTimeEpoch", rc.RequestTime.UnixMilli())
	c.Put("requestId", rc.RequestID)
	c.Put("identity", identity)
	c.Put("domainName", rc.DomainName)
	c.Put("deploymentId", rc.DeploymentID)
	c.Put("responseOverride", responseOverride)
	c.Put("apiId", rc.APIID)
	if rc.Authorizer != nil || rc.Claims != nil {
		a := vtl.NewOpaqueMap()
		for _, k := range sortedKeys(rc.Authorizer) {
			a.Put(k, rc.Authorizer[k])
		}
		if rc.Claims != nil { // $context.authorizer.claims.sub; the map itself prints as nothing, as on AWS
			claims := vtl.NewOpaqueMap()
			for _, k := range sortedKeys(rc.Claims) {
				claims.Put(k, rc.Claims[k])
			}
			a.Put("claims", claims)
		}
		c.Put("authorizer", a)
	}
	return c
}

// Overrides are what templates set under $context.requestOverride and $context.responseOverride.
type Overrides struct {
	RequestHeader      map[string]string
	RequestPath        map[string]string
	RequestQueryString map[string]string
	ResponseStatus     int // 0: not set
	ResponseHeader     map[string]string
}

// ReadOverrides reads the override maps back after rendering.
func ReadOverrides(ctx *vtl.Map) Overrides {
	var o Overrides
	if ro, ok := mapAt(ctx, "requestOverride"); ok {
		o.RequestHeader = stringMap(ro, "header")
		o.RequestPath = stringMap(ro, "path")
		o.RequestQueryString = stringMap(ro, "querystring")
	}
	if ro, ok := mapAt(ctx, "responseOverride"); ok {
		o.ResponseHeader = stringMap(ro, "header")
		if v, ok := ro.Get("status"); ok && v != nil {
			if n, err := strconv.Atoi(vtl.ToString(v)); err == nil && n >= 100 && n <= 599 {
				o.ResponseStatus = n
			}
		}
	}
	return o
}

func mapAt(m *vtl.Map, key string) (*vtl.Map, bool) {
	v, ok := m.Get(key)
	if !ok {
		return nil, false
	}
	mm, ok := v.(*vtl.Map)
	return mm, ok
}

func stringMap(m *vtl.Map, key string) map[string]string {
	mm, ok := mapAt(m, key)
	if !ok || mm.Len() == 0 {
		return nil
	}
	out := make(map[string]string, mm.Len())
	for _, k := range mm.Keys() {
		v, _ := mm.Get(k)
		if v != nil {
			out[k] = vtl.ToString(v)
		}
	}
	return out
}

// ContextValue returns the $context value at a dotted key (e.g. "identity.sourceIp") as text, "" when
// absent; request parameter mappings read context.<key> this way.
func ContextValue(ctx *vtl.Map, key string) string {
	v := lookupPath(ctx, strings.Split(key, "."))
	if v == nil {
		return ""
	}
	return vtl.ToString(v)
}

// MergeContext sets $context values from a JSON object (nested objects merge into the nested maps).
func MergeContext(ctx *vtl.Map, data []byte) error {
	v, err := vtl.FromJSON(data)
	if err != nil {
		return err
	}
	m, ok := v.(*vtl.Map)
	if !ok {
		return fmt.Errorf("expected a JSON object")
	}
	mergeInto(ctx, m)
	return nil
}

func mergeInto(dst, src *vtl.Map) {
	for _, k := range src.Keys() {
		v, _ := src.Get(k)
		if sm, ok := v.(*vtl.Map); ok {
			if dm, ok := mapAt(dst, k); ok {
				mergeInto(dm, sm)
				continue
			}
		}
		dst.Put(k, v)
	}
}
