// Package gatewayresponse holds API Gateway's gateway responses: the answers the gateway itself gives when
// a request fails before, or instead of, reaching the integration (unknown route, throttling, timeouts, ...).
//
// The defaults live in one table (status, message, x-amzn-ErrorType per response type, reference §a).
// An API customises them with x-amazon-apigateway-gateway-responses; a specific type's customisation wins
// over DEFAULT_4XX / DEFAULT_5XX, which win over the defaults. Gateway-response templates are not VTL:
// API Gateway substitutes only $context.*, $stageVariables.* and method.request.* references, and so does
// this package.
package gatewayresponse

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/apigw-local/apigw-local/internal/spec"
)

// Type is a gateway response type, as API Gateway names it.
type Type string

const (
	AccessDenied                 Type = "ACCESS_DENIED"
	APIConfigurationError        Type = "API_CONFIGURATION_ERROR"
	AuthorizerConfigurationError Type = "AUTHORIZER_CONFIGURATION_ERROR"
	AuthorizerFailure            Type = "AUTHORIZER_FAILURE"
	BadRequestParameters         Type = "BAD_REQUEST_PARAMETERS"
	BadRequestBody               Type = "BAD_REQUEST_BODY"
	Default4XX                   Type = "DEFAULT_4XX"
	Default5XX                   Type = "DEFAULT_5XX"
	ExpiredToken                 Type = "EXPIRED_TOKEN"
	IntegrationFailure           Type = "INTEGRATION_FAILURE"
	IntegrationTimeout           Type = "INTEGRATION_TIMEOUT"
	InvalidAPIKey                Type = "INVALID_API_KEY"
	InvalidSignature             Type = "INVALID_SIGNATURE"
	MissingAuthenticationToken   Type = "MISSING_AUTHENTICATION_TOKEN"
	QuotaExceeded                Type = "QUOTA_EXCEEDED"
	RequestTooLarge              Type = "REQUEST_TOO_LARGE"
	ResourceNotFound             Type = "RESOURCE_NOT_FOUND"
	Throttled                    Type = "THROTTLED"
	Unauthorized                 Type = "UNAUTHORIZED"
	UnsupportedMediaType         Type = "UNSUPPORTED_MEDIA_TYPE"
	WAFFiltered                  Type = "WAF_FILTERED"
)

// bodyStyle is how the default body is spelled. AWS answers most gateway responses through the template
// {"message":$context.error.messageString} (no space), but some errors come from a hard-wired body with a
// space after the colon (recorded: Content-Length 36 for the 500, 56 for the 504 network error).
type bodyStyle int

const (
	templated   bodyStyle = iota // {"message":"..."}
	spaced                       // {"message": "..."}
	nullMessage                  // {"message": null}
	capitalM                     // {"Message":"..."} (authorizer deny)
)

// Default is one row of the table of default gateway responses.
type Default struct {
	Status    int    // 0 for DEFAULT_4XX / DEFAULT_5XX, which have none
	Message   string // $context.error.message
	ErrorType string // x-amzn-ErrorType; "" where AWS sends none
	style     bodyStyle
}

// defaults is reference §a. Where the reference marks a value unverified it is still the best evidence
// there is; the x-amzn-ErrorType of such rows follows the AWS exception naming used by the verified ones.
var defaults = map[Type]Default{
	AccessDenied:                 {403, "User is not authorized to access this resource with an explicit deny in an identity-based policy", "AccessDeniedException", capitalM},
	APIConfigurationError:        {500, "Internal server error", "InternalServerErrorException", spaced},
	AuthorizerConfigurationError: {500, "", "AuthorizerConfigurationException", nullMessage},
	AuthorizerFailure:            {500, "", "AuthorizerFailureException", nullMessage},
	BadRequestParameters:         {400, "Missing required request parameters", "BadRequestException", spaced},
	BadRequestBody:               {400, "Invalid request body", "BadRequestException", spaced},
	Default4XX:                   {0, "", "", templated},
	Default5XX:                   {0, "", "", templated},
	ExpiredToken:                 {403, "The security token included in the request is expired", "ExpiredTokenException", templated},
	IntegrationFailure:           {504, "Network error communicating with endpoint", "InternalServerErrorException", spaced},
	IntegrationTimeout:           {504, "Endpoint request timed out", "InternalServerErrorException", spaced},
	InvalidAPIKey:                {403, "Forbidden", "ForbiddenException", templated},
	InvalidSignature:             {403, "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.", "InvalidSignatureException", templated},
	MissingAuthenticationToken:   {403, "Missing Authentication Token", "MissingAuthenticationTokenException", templated},
	QuotaExceeded:                {429, "Limit Exceeded", "LimitExceededException", templated},
	RequestTooLarge:              {413, "Request Too Long", "RequestTooLargeException", templated},
	ResourceNotFound:             {404, "Not Found", "NotFoundException", templated},
	Throttled:                    {429, "Too Many Requests", "TooManyRequestsException", templated},
	Unauthorized:                 {401, "Unauthorized", "UnauthorizedException", templated},
	UnsupportedMediaType:         {415, "Unsupported Media Type", "UnsupportedMediaTypeException", templated},
	WAFFiltered:                  {403, "Forbidden", "ForbiddenException", templated},
}

// Types lists every response type in API Gateway's order (alphabetical), for validation and listings.
func Types() []Type {
	out := make([]Type, 0, len(defaults))
	for t := range defaults {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// Known reports whether t is a gateway response type.
func Known(t string) bool { _, ok := defaults[Type(t)]; return ok }

// DefaultFor returns the table row of t.
func DefaultFor(t Type) Default { return defaults[t] }

// Error is the one typed error for a request that ends in a gateway response. Phases return it; the
// gateway turns it into the response.
type Error struct {
	Type Type
	// Message replaces the default $context.error.message, e.g. "Missing required request parameters: [q]".
	Message string
	// Reason says, for the request log, why the gateway answered this way (never shown to the client).
	Reason string
	// Status, when set, overrides the status of the default (AWS's own special cases, e.g. a Lambda proxy
	// function error is an INTEGRATION_FAILURE answered with 502).
	Status int
	// ErrorType, when set, overrides the default x-amzn-ErrorType (e.g. the SigV4 parser's
	// IncompleteSignatureException, answered as an INVALID_SIGNATURE response).
	ErrorType string
	// Header is added to the answer: a JWT authorizer's www-authenticate.
	Header http.Header
	// ValidationError is $context.error.validationErrorString: a request validator's detailed reason.
	ValidationError string
}

func (e *Error) Error() string {
	if e.Reason != "" {
		return string(e.Type) + ": " + e.Reason
	}
	return string(e.Type)
}

// New returns a gateway error of type t with a reason for the log.
func New(t Type, format string, args ...any) *Error {
	return &Error{Type: t, Reason: fmt.Sprintf(format, args...)}
}

// Request is what a gateway-response template or header mapping may read from the request.
type Request struct {
	Context        func(key string) (string, bool) // $context by dotted key, e.g. "requestId", "identity.sourceIp" (reqctx.Context.Value); nil for none
	StageVariables map[string]string
	Header         func(name string) string // method.request.header.<name>
	Query          func(name string) string // method.request.querystring.<name>
	Path           func(name string) string // method.request.path.<name>
}

// Response is the gateway response to write.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// Set is the gateway responses of one API: the defaults with the API's customisations applied.
// Build it once per snapshot; Render is safe for concurrent use.
type Set struct {
	custom map[Type]*spec.GatewayResponse
}

// NewSet builds the set from the spec's customisations (nil or empty for none).
func NewSet(custom map[string]*spec.GatewayResponse) *Set {
	s := &Set{custom: map[Type]*spec.GatewayResponse{}}
	for k, v := range custom {
		s.custom[Type(k)] = v
	}
	return s
}

// classOf is the DEFAULT_4XX / DEFAULT_5XX response that t falls back to. It follows the type's default
// status, not a status an Error overrides; DEFAULT_4XX and DEFAULT_5XX are their own class.
func classOf(t Type, def Default) Type {
	switch {
	case t == Default4XX || t == Default5XX:
		return t
	case def.Status >= 500:
		return Default5XX
	}
	return Default4XX
}

// Render produces the response for err.
func (s *Set) Render(err *Error, req Request) Response {
	def, ok := defaults[err.Type]
	if !ok {
		def = defaults[APIConfigurationError]
	}
	classType := classOf(err.Type, def)
	status := def.Status
	if err.Status != 0 {
		status = err.Status
	}
	if status == 0 { // DEFAULT_4XX / DEFAULT_5XX have no status of their own
		status = http.StatusBadRequest
		if classType == Default5XX {
			status = http.StatusInternalServerError
		}
	}
	message := def.Message
	if err.Message != "" {
		message = err.Message
	}
	resp := Response{Status: status, Header: http.Header{}}
	if errorType := cmp.Or(err.ErrorType, def.ErrorType); errorType != "" {
		resp.Header["x-amzn-ErrorType"] = []string{errorType} // AWS's spelling, kept as is
	}

	// A specific customisation wins; fields it leaves out come from DEFAULT_4XX / DEFAULT_5XX.
	var specific, class *spec.GatewayResponse
	if s != nil {
		specific = s.custom[err.Type]
		class = s.custom[classType]
	}
	if specific != nil {
		if specific.StatusCode != "" {
			resp.Status, _ = strconv.Atoi(specific.StatusCode)
		} else if err.Type == IntegrationFailure {
			// Recorded AWS quirk: customising INTEGRATION_FAILURE without a statusCode makes it answer 500,
			// although the advertised default is 504 (gateway-responses.json#integration-failure-customised-without-status).
			resp.Status = 500
		}
	} else if class != nil && class.StatusCode != "" {
		resp.Status, _ = strconv.Atoi(class.StatusCode)
	}

	ctx := func(key string) (string, bool) {
		switch key {
		case "error.message":
			return message, true
		case "error.messageString":
			return quoteJSON(message), true
		case "error.responseType":
			return string(err.Type), true
		case "error.validationErrorString":
			return err.ValidationError, true
		}
		if req.Context == nil {
			return "", false
		}
		return req.Context(key)
	}

	templates := pickTemplates(specific, class)
	if templates != nil {
		contentType, tmpl := chooseTemplate(templates)
		resp.Body = []byte(substitute(tmpl, ctx, req.StageVariables))
		resp.Header.Set("Content-Type", contentType)
	} else {
		resp.Body = defaultBody(def.style, message)
		resp.Header.Set("Content-Type", "application/json")
	}
	for _, src := range []*spec.GatewayResponse{class, specific} {
		if src == nil {
			continue
		}
		for _, kv := range src.ResponseParameters {
			name := strings.TrimPrefix(kv.Key, "gatewayresponse.header.")
			if v, ok := mapValue(kv.Value, ctx, req); ok {
				resp.Header.Set(name, v)
			}
		}
	}
	return resp
}

func pickTemplates(specific, class *spec.GatewayResponse) []spec.KV {
	if specific != nil && len(specific.ResponseTemplates) > 0 {
		return specific.ResponseTemplates
	}
	if class != nil && len(class.ResponseTemplates) > 0 {
		return class.ResponseTemplates
	}
	return nil
}

// chooseTemplate prefers application/json, API Gateway's default content type for gateway responses.
func chooseTemplate(ts []spec.KV) (string, string) {
	if v, ok := spec.Lookup(ts, "application/json"); ok {
		return "application/json", v
	}
	return ts[0].Key, ts[0].Value
}

func defaultBody(style bodyStyle, message string) []byte {
	q := quoteJSON(message)
	switch style {
	case spaced:
		return []byte(`{"message": ` + string(q) + `}`)
	case nullMessage:
		return []byte(`{"message": null}`)
	case capitalM:
		return []byte(`{"Message":` + string(q) + `}`)
	}
	return []byte(`{"message":` + string(q) + `}`)
}

var reference = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`\$(?:\{(context|stageVariables)\.([A-Za-z0-9_.]+)\}|(context|stageVariables)\.([A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*))`)
})

// substitute replaces $context.x, ${context.x} and $stageVariables.x references. Unknown references render
// as empty text, as they do on AWS.
func substitute(tmpl string, ctx func(string) (string, bool), stageVars map[string]string) string {
	return reference().ReplaceAllStringFunc(tmpl, func(m string) string {
		sub := reference().FindStringSubmatch(m)
		root, key := sub[1], sub[2]
		if root == "" {
			root, key = sub[3], sub[4]
		}
		if root == "stageVariables" {
			return stageVars[key]
		}
		v, _ := ctx(key)
		return v
	})
}

// mapValue resolves a gatewayresponse.header mapping source.
func mapValue(src string, ctx func(string) (string, bool), req Request) (string, bool) {
	switch {
	case len(src) >= 2 && strings.HasPrefix(src, "'") && strings.HasSuffix(src, "'"):
		return src[1 : len(src)-1], true
	case strings.HasPrefix(src, "method.request.header."):
		return nonEmpty(call(req.Header, strings.TrimPrefix(src, "method.request.header.")))
	case strings.HasPrefix(src, "method.request.querystring."):
		return nonEmpty(call(req.Query, strings.TrimPrefix(src, "method.request.querystring.")))
	case strings.HasPrefix(src, "method.request.path."):
		return nonEmpty(call(req.Path, strings.TrimPrefix(src, "method.request.path.")))
	case strings.HasPrefix(src, "stageVariables."):
		return nonEmpty(req.StageVariables[strings.TrimPrefix(src, "stageVariables.")])
	case strings.HasPrefix(src, "context."):
		v, _ := ctx(strings.TrimPrefix(src, "context."))
		return nonEmpty(v)
	}
	return "", false
}

func call(f func(string) string, name string) string {
	if f == nil {
		return ""
	}
	return f(name)
}

func nonEmpty(s string) (string, bool) { return s, s != "" }

// quoteJSON quotes s as a JSON string without json.Marshal's HTML escaping (<, >, & stay as they are).
func quoteJSON(s string) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return strings.TrimSuffix(b.String(), "\n")
}
