package spec

import "github.com/getkin/kin-openapi/openapi3"

// KV is one entry of a string map whose order matters (templates, parameter mappings).
type KV struct {
	Key   string
	Value string
}

// Lookup returns the value for key and whether it is present.
func Lookup(kvs []KV, key string) (string, bool) {
	for _, kv := range kvs {
		if kv.Key == key {
			return kv.Value, true
		}
	}
	return "", false
}

// APIType tells a REST API (API Gateway v1) from an HTTP API (v2).
type APIType string

const (
	REST APIType = "REST"
	HTTP APIType = "HTTP"
)

// API is one imported API definition.
type API struct {
	// RefFiles are the other files the spec's $refs read (absolute paths), for hot reload to watch.
	RefFiles []string
	File     string  // as given to Load
	OpenAPI  string  // "2.0" for Swagger, else the openapi version, e.g. "3.0.1"
	Title    string  // info.title: the API name in API Gateway
	Version  string  // info.version (exports put the export timestamp here)
	Type     APIType // REST or HTTP, decided by classify from what the definition carries
	// TypeReason says why it is that kind ("it has x-amazon-apigateway-cors", "apiType in the config says
	// so"). RESTOnly is set when an HTTP API also has a REST-only feature ("it has requestTemplates (line 9)").
	TypeReason, RESTOnly string
	DeclaredBase         string // basePath (Swagger) or the base path from servers (OAS 3), before BasePathMode applies
	BasePathMode         BasePathMode
	DefaultStage         string // the stage named by the base path, else "" (the emulator then uses "dev")
	Resources            []*Resource
	Authorizers          map[string]*Authorizer // security schemes carrying x-amazon-apigateway-authorizer, by scheme name
	APIKeySchemes        map[string]bool        // names of apiKey security schemes that are API Gateway API keys (x-api-key header)

	APIKeySource        string // x-amazon-apigateway-api-key-source: HEADER (default) or AUTHORIZER
	BinaryMediaTypes    []string
	GatewayResponses    map[string]*GatewayResponse // by response type, e.g. MISSING_AUTHENTICATION_TOKEN
	RequestValidators   map[string]*RequestValidator
	RequestValidator    string // API-wide default validator name (root x-amazon-apigateway-request-validator)
	CORS                *CORS  // x-amazon-apigateway-cors (HTTP APIs)
	Policy              any    // x-amazon-apigateway-policy, as decoded JSON
	EndpointConfig      *EndpointConfiguration
	ImportExportVersion string // x-amazon-apigateway-importexport-version (HTTP APIs)
	Documentation       any    // x-amazon-apigateway-documentation, as decoded JSON
	MinimumCompression  *int   // x-amazon-apigateway-minimum-compression-size
	Protocol            string // x-amazon-apigateway-protocol: HTTP or WEBSOCKET (API Gateway v2)
}

// BasePathMode is API Gateway's import parameter `basepath`.
type BasePathMode string

const (
	// BasePathIgnore drops the base path: paths are served as written (API Gateway's default).
	BasePathIgnore BasePathMode = "ignore"
	// BasePathPrepend puts the base path in front of every path.
	BasePathPrepend BasePathMode = "prepend"
	// BasePathSplit drops the first segment of the base path and prepends the rest.
	BasePathSplit BasePathMode = "split"
)

// Resource is one API Gateway resource (a path) with its methods.
type Resource struct {
	Path    string
	Methods []*Method // in document order; ANY is "ANY"
}

// Method is one API Gateway method: the HTTP verb on a resource, with its integration.
type Method struct {
	HTTPMethod          string // GET, POST, ..., or ANY (x-amazon-apigateway-any-method)
	OperationID         string
	Parameters          []Parameter
	AuthorizationType   string   // NONE, AWS_IAM, CUSTOM, COGNITO_USER_POOLS, JWT
	Authorizer          string   // security scheme name of the authorizer, when CUSTOM/COGNITO_USER_POOLS/JWT
	AuthorizationScopes []string // OAuth scopes required (Cognito, JWT)
	APIKeyRequired      bool
	RequestValidator    string // effective validator name ("" = none)
	// RequestModels are the method's body models by content type (API Gateway's requestModels): an OpenAPI 3
	// requestBody's content, or a Swagger 2 body parameter under each of the operation's consumes types.
	RequestModels []RequestModel
	Integration   *Integration
	Position      Position
}

// Parameter is a declared request parameter (method.request.<in>.<name> in API Gateway's terms).
type Parameter struct {
	In       string // path, querystring, header (API Gateway's names; OpenAPI's "query" is "querystring")
	Name     string
	Required bool
}

// RequestModel is the JSON schema a request body of one content type must satisfy.
type RequestModel struct {
	ContentType string
	Model       string           // the model's name when the schema is a $ref to one (components/schemas, definitions), else ""
	Schema      *openapi3.Schema // references resolved by the import (circular ones point back into the graph); nil when unresolved
}

// Integration types, as API Gateway writes them.
const (
	IntegrationMock      = "MOCK"
	IntegrationHTTP      = "HTTP"
	IntegrationHTTPProxy = "HTTP_PROXY"
	IntegrationAWS       = "AWS"
	IntegrationAWSProxy  = "AWS_PROXY"
)

// Integration is x-amazon-apigateway-integration.
type Integration struct {
	Type                 string // upper case: MOCK, HTTP, HTTP_PROXY, AWS, AWS_PROXY
	URI                  string
	HTTPMethod           string // the integration's own method (httpMethod)
	RequestParameters    []KV   // integration.request.<loc>.<name> -> source
	RequestTemplates     []KV   // content type -> template
	PassthroughBehavior  string // WHEN_NO_MATCH (default), WHEN_NO_TEMPLATES, NEVER
	ContentHandling      string // CONVERT_TO_BINARY, CONVERT_TO_TEXT, or ""
	TimeoutInMillis      int    // 0 = default (29,000)
	CacheNamespace       string
	CacheKeyParameters   []string
	ConnectionType       string // INTERNET (default) or VPC_LINK
	ConnectionID         string
	Credentials          string
	Responses            []*IntegrationResponse // in document order; the default one has SelectionPattern ""
	PayloadFormatVersion string                 // HTTP APIs: 1.0 or 2.0
	IntegrationSubtype   string                 // HTTP APIs: AWS service integrations, e.g. SQS-SendMessage
	TLSConfig            map[string]any
	// ResponseParameters are an HTTP API's response mappings, by the backend's status code ("404":
	// {"overwrite:statuscode": "200"}), in document order.
	ResponseParameters []StatusParameters
	Ref                string // the components ref it came from, if any
	Position           Position
}

// StatusParameters are the response parameters an HTTP API applies to one status code of the backend.
type StatusParameters struct {
	Status     string
	Parameters []KV
	Position   Position
}

// IntegrationResponse is one entry of an integration's responses, keyed by its selection pattern.
type IntegrationResponse struct {
	SelectionPattern   string // "" for the default response (key "default")
	StatusCode         string
	ResponseParameters []KV // method.response.header.<name> -> source
	ResponseTemplates  []KV
	ContentHandling    string
	Position           Position
}

// Authorizer is a security scheme with x-amazon-apigateway-authorizer.
type Authorizer struct {
	Name                           string
	Type                           string // token, request, cognito_user_pools, jwt (lower case, as in specs)
	AuthType                       string // x-amazon-apigateway-authtype, e.g. custom, cognito_user_pools
	IdentitySource                 string // comma separated, e.g. method.request.header.Authorization
	HeaderName                     string // the apiKey scheme's header name (TOKEN authorizers read it)
	AuthorizerURI                  string
	AuthorizerCredentials          string
	AuthorizerResultTTLInSeconds   *int // nil = default (300)
	IdentityValidationExpression   string
	ProviderARNs                   []string
	EnableSimpleResponses          bool
	AuthorizerPayloadFormatVersion string
	JWTIssuer                      string
	JWTAudience                    []string
	Position                       Position
}

// GatewayResponse is one entry of x-amazon-apigateway-gateway-responses.
type GatewayResponse struct {
	Type               string
	StatusCode         string
	ResponseParameters []KV
	ResponseTemplates  []KV
	Position           Position
}

// RequestValidator is one entry of x-amazon-apigateway-request-validators.
type RequestValidator struct {
	Name                      string
	ValidateRequestBody       bool
	ValidateRequestParameters bool
}

// CORS is x-amazon-apigateway-cors (HTTP APIs).
type CORS struct {
	AllowOrigins     []string
	AllowMethods     []string
	AllowHeaders     []string
	ExposeHeaders    []string
	AllowCredentials bool
	MaxAge           *int // nil when unset: no access-control-max-age
}

// EndpointConfiguration is x-amazon-apigateway-endpoint-configuration.
type EndpointConfiguration struct {
	Types                     []string
	VPCEndpointIDs            []string
	DisableExecuteAPIEndpoint bool
}

// Methods returns every method of the API, resource by resource.
func (a *API) Methods() []*Method {
	var out []*Method
	for _, r := range a.Resources {
		out = append(out, r.Methods...)
	}
	return out
}
