// Package reqctx is the one request context: the facts API Gateway knows about a request (ids, times,
// caller, stage, resource, API key, authorizer output), gathered once per request as the phases learn
// them. Every view of them is derived from here: the VTL $context (mapping.NewContext), the Lambda proxy
// events, context.* sources of parameter mappings and gateway-response templates (Value), so that the
// four can never disagree about a request.
package reqctx

import (
	"strconv"
	"strings"
	"time"
)

// Context holds the request data $context exposes (reference §f.2). The gateway fills it phase by phase:
// resolve sets the API and stage, route the resource, meter the API key, authorize the authorizer output.
type Context struct {
	AccountID         string
	APIID             string
	DeploymentID      string
	DomainName        string
	DomainPrefix      string
	ExtendedRequestID string
	HTTPMethod        string
	// Path is /{stage}/..., as received (still percent-encoded); without a stage, the whole path.
	Path         string
	Protocol     string
	RequestID    string
	RequestTime  time.Time
	ResourceID   string
	ResourcePath string
	// RouteKey is an HTTP API route's key ("GET /pets/{id}", "ANY /{proxy+}", "$default"); "" for REST.
	RouteKey  string
	Stage     string
	SourceIP  string
	UserAgent string
	// APIKey and APIKeyID are set only for methods that require a key, as on AWS.
	APIKey   string
	APIKeyID string
	// Caller is the IAM identity of a request signed with SigV4 (AWS_IAM methods): $context.identity's
	// accessKey, accountId, caller, user and userArn. Empty otherwise.
	Caller Caller
	// Authorizer is $context.authorizer.*: nil without an authorizer. Values are text, as templates see
	// them (a context number 1 is "1").
	Authorizer map[string]string
	// Claims are the claims of a Cognito user pool token ($context.authorizer.claims.*), as text; nil
	// without a COGNITO_USER_POOLS authorizer.
	Claims map[string]string
	// AuthorizerEvent is the authorizer's output as a proxy event's requestContext.authorizer carries it:
	// context values keep their JSON types, and integrationLatency (ms) is added. Nil without an authorizer.
	AuthorizerEvent map[string]any
}

// Caller is the IAM principal that signed a request.
type Caller struct {
	AccessKey, AccountID, Caller, User, UserARN string
}

// RequestTimeText is requestTime in API Gateway's CLF-like format, always UTC.
func (c *Context) RequestTimeText() string {
	return c.RequestTime.UTC().Format("02/Jan/2006:15:04:05 -0700")
}

// Value returns the $context value at a dotted key ("requestId", "identity.sourceIp",
// "authorizer.principalId") as text; ok is false for a key the request has no value for. It allocates
// only for the two time keys.
func (c *Context) Value(key string) (string, bool) {
	v := ""
	switch key {
	case "requestId":
		v = c.RequestID
	case "extendedRequestId":
		v = c.ExtendedRequestID
	case "httpMethod":
		v = c.HTTPMethod
	case "protocol":
		v = c.Protocol
	case "requestTime":
		return c.RequestTimeText(), true
	case "requestTimeEpoch":
		return strconv.FormatInt(c.RequestTime.UnixMilli(), 10), true
	case "domainName":
		v = c.DomainName
	case "domainPrefix":
		v = c.DomainPrefix
	case "identity.sourceIp":
		v = c.SourceIP
	case "identity.userAgent":
		v = c.UserAgent
	case "identity.apiKey":
		v = c.APIKey
	case "identity.apiKeyId":
		v = c.APIKeyID
	case "identity.accessKey":
		v = c.Caller.AccessKey
	case "identity.accountId":
		v = c.Caller.AccountID
	case "identity.caller":
		v = c.Caller.Caller
	case "identity.user":
		v = c.Caller.User
	case "identity.userArn":
		v = c.Caller.UserARN
	case "routeKey":
		v = c.RouteKey
	case "resourcePath":
		v = c.ResourcePath
	case "resourceId":
		v = c.ResourceID
	case "accountId":
		v = c.AccountID
	case "apiId":
		v = c.APIID
	case "deploymentId":
		v = c.DeploymentID
	case "stage":
		v = c.Stage
	case "path":
		v = c.Path
	default:
		if name, ok := strings.CutPrefix(key, "authorizer.claims."); ok && c.Claims != nil {
			v, ok = c.Claims[name]
			return v, ok
		}
		if name, ok := strings.CutPrefix(key, "authorizer."); ok && c.Authorizer != nil {
			v, ok = c.Authorizer[name]
			return v, ok
		}
		return "", false
	}
	return v, v != ""
}

// DomainPrefixOf is the first label of a host name: API Gateway's $context.domainPrefix.
func DomainPrefixOf(host string) string {
	prefix, _, _ := strings.Cut(host, ".")
	return prefix
}

// Get is Value without the presence flag: "" for a key the request has no value for.
func (c *Context) Get(key string) string {
	v, _ := c.Value(key)
	return v
}
