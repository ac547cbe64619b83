package spec

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/apigw-local/apigw-local/internal/findings"
	"github.com/getkin/kin-openapi/openapi3"
	"go.yaml.in/yaml/v3"
)

const extPrefix = "x-amazon-apigateway-"

func pos(n *yaml.Node, path string) Position { return findings.At(n, path) }

// readRootExtensions decodes the API-wide extensions.
func (d *decoder) readRootExtensions(top object, api *API) {
	for _, e := range top.entries() {
		if !strings.HasPrefix(e.Key, extPrefix) {
			continue
		}
		path := top.at(e.Key)
		switch strings.TrimPrefix(e.Key, extPrefix) {
		case "api-key-source":
			if s, ok := d.scalar(e.Value, path, e.Key); ok {
				api.APIKeySource = strings.ToUpper(s)
				if api.APIKeySource != "HEADER" && api.APIKeySource != "AUTHORIZER" {
					d.add(Error, e.Value, path, "%s must be HEADER or AUTHORIZER, got %q", e.Key, s)
				}
			}
		case "binary-media-types":
			api.BinaryMediaTypes = d.strList(e.Value, path, e.Key)
			// Check each entry where it is written (a single string stands for a one-entry list).
			var entries []*yaml.Node
			if e.Value.Kind == yaml.SequenceNode {
				entries = e.Value.Content
			} else if e.Value.Kind == yaml.ScalarNode && e.Value.Tag == "!!str" {
				entries = []*yaml.Node{e.Value}
			}
			for i, n := range entries {
				n, at := deref(n), path
				if e.Value.Kind == yaml.SequenceNode {
					at = index(path, i)
				}
				if n.Kind == yaml.ScalarNode && n.Tag != "!!null" && !strings.Contains(n.Value, "/") {
					d.add(Error, n, at, "binary media type %q is not a media type: write type/subtype, e.g. image/png or */*", n.Value)
				}
			}
		case "gateway-responses":
			d.readGatewayResponses(e.Value, path, api)
		case "request-validators":
			if o, ok := d.asObject(e.Value, path, e.Key); ok {
				for _, v := range o.entries() {
					vo, ok := d.asObject(v.Value, o.at(v.Key), "a request validator")
					if !ok {
						continue
					}
					vo.unknownKeys("a request validator", "validateRequestBody", "validateRequestParameters")
					rv := &RequestValidator{Name: v.Key}
					rv.ValidateRequestBody, _ = vo.boolean("validateRequestBody")
					rv.ValidateRequestParameters, _ = vo.boolean("validateRequestParameters")
					api.RequestValidators[v.Key] = rv
				}
			}
		case "request-validator":
			api.RequestValidator, _ = d.scalar(e.Value, path, e.Key)
		case "cors":
			api.CORS = d.readCORS(e.Value, path)
		case "policy":
			if d.asObjectQuiet(e.Value) {
				api.Policy = toJSON(e.Value, jsonValue)
			} else if s, ok := d.scalar(e.Value, path, e.Key); ok {
				api.Policy = s
			}
		case "endpoint-configuration":
			if o, ok := d.asObject(e.Value, path, e.Key); ok {
				o.unknownKeys(e.Key, "types", "vpcEndpointIds", "disableExecuteApiEndpoint")
				ec := &EndpointConfiguration{Types: o.strList("types"), VPCEndpointIDs: o.strList("vpcEndpointIds")}
				ec.DisableExecuteAPIEndpoint, _ = o.boolean("disableExecuteApiEndpoint")
				api.EndpointConfig = ec
			}
		case "importexport-version":
			// Exports of HTTP APIs carry it, but so do some REST API examples in AWS's docs: not a signal.
			api.ImportExportVersion, _ = d.scalar(e.Value, path, e.Key)
		case "documentation":
			if _, ok := d.asObject(e.Value, path, e.Key); ok {
				api.Documentation = toJSON(e.Value, jsonValue)
			}
		case "minimum-compression-size":
			o := object{d: d, n: top.n, path: ""}
			if v, ok := o.integer(e.Key); ok {
				if v < 0 || v > 10485760 {
					d.add(Error, e.Value, path, "%s must be between 0 and 10485760 bytes, got %d", e.Key, v)
				}
				api.MinimumCompression = &v
			}
		case "protocol":
			api.Protocol, _ = d.scalar(e.Value, path, e.Key)
		case "tag-value", "route-selection-expression", "api-key-selection-expression":
			// Kept by API Gateway on import; they change nothing a REST or HTTP request sees.
		case "integrations":
			d.add(Warning, e.KeyN, path, "%s belongs under components (components.%s); API Gateway ignores it here", e.Key, e.Key)
		default:
			d.add(Warning, e.KeyN, path, "unknown extension %s at the top level; API Gateway ignores it", e.Key)
		}
	}
	if api.RequestValidator != "" && api.RequestValidators[api.RequestValidator] == nil {
		n := top.get(extPrefix + "request-validator")
		d.add(Error, n, top.at(extPrefix+"request-validator"), "request validator %q is not defined in x-amazon-apigateway-request-validators; define it or fix the name", api.RequestValidator)
	}
}

func (d *decoder) asObjectQuiet(n *yaml.Node) bool {
	n = deref(n)
	return n != nil && n.Kind == yaml.MappingNode
}

func (d *decoder) readCORS(n *yaml.Node, path string) *CORS {
	o, ok := d.asObject(n, path, "x-amazon-apigateway-cors")
	if !ok {
		return nil
	}
	o.unknownKeys("x-amazon-apigateway-cors", "allowOrigins", "allowMethods", "allowHeaders", "exposeHeaders", "allowCredentials", "maxAge")
	c := &CORS{AllowOrigins: o.strList("allowOrigins"), AllowMethods: o.strList("allowMethods"),
		AllowHeaders: o.strList("allowHeaders"), ExposeHeaders: o.strList("exposeHeaders")}
	c.AllowCredentials, _ = o.boolean("allowCredentials")
	if v, ok := o.integer("maxAge"); ok {
		// The v2 API reference bounds maxAge to -1..86400 (-1: browsers must not cache the preflight).
		if v < -1 || v > 86400 {
			d.add(Error, o.get("maxAge"), o.at("maxAge"), "maxAge must be between -1 and 86400 seconds, got %d (API Gateway refuses it)", v)
		} else {
			c.MaxAge = &v
		}
	}
	d.checkCORSOrigins(o, c)
	for i, m := range c.AllowMethods {
		if m = strings.TrimSpace(m); m != "*" && !corsMethods[m] {
			d.add(Warning, corsEntry(o, "allowMethods", i), index(o.at("allowMethods"), i), "allowMethods entry %q is not an HTTP method API Gateway routes (GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS) nor *; preflights asking for it are refused", m)
		}
	}
	return c
}

var corsMethods = map[string]bool{"GET": true, "POST": true, "PUT": true, "PATCH": true, "DELETE": true, "HEAD": true, "OPTIONS": true}

// checkCORSOrigins reports the allowOrigins entries API Gateway refuses or never matches: credentials with
// the * origin (refused at import: "allow-credentials is not supported if 'allow-origin' is *", a 400
// BadRequestException), and wildcards other than the documented *, http://* and https://*.
func (d *decoder) checkCORSOrigins(o object, c *CORS) {
	for i, origin := range c.AllowOrigins {
		origin = strings.TrimSpace(origin)
		at, n := index(o.at("allowOrigins"), i), corsEntry(o, "allowOrigins", i)
		switch {
		case origin == "*":
			if c.AllowCredentials {
				d.add(Error, n, at, "allowCredentials is not supported with the allowOrigins entry *: API Gateway refuses this CORS configuration (allow-credentials is not supported if 'allow-origin' is *); list the origins instead")
			}
		case strings.EqualFold(origin, "http://*"), strings.EqualFold(origin, "https://*"):
		case strings.Contains(origin, "*"):
			d.add(Warning, n, at, "allowOrigins entry %q: API Gateway documents only *, http://* and https://* as wildcards; this entry never matches an origin, list the origins instead", origin)
		case origin != "" && !strings.Contains(origin, "://"):
			d.add(Warning, n, at, "allowOrigins entry %q is not an origin (scheme://host[:port]); browsers send origins like https://www.example.com, so it never matches", origin)
		}
	}
}

// corsEntry is the node of entry i of a list-valued key, for findings; the key's node for a single string.
func corsEntry(o object, key string, i int) *yaml.Node {
	n := o.get(key)
	if n != nil && n.Kind == yaml.SequenceNode && i < len(n.Content) {
		return deref(n.Content[i])
	}
	return n
}

func (d *decoder) readGatewayResponses(n *yaml.Node, path string, api *API) {
	o, ok := d.asObject(n, path, "x-amazon-apigateway-gateway-responses")
	if !ok {
		return
	}
	for _, e := range o.entries() {
		ro, ok := d.asObject(e.Value, o.at(e.Key), "a gateway response")
		if !ok {
			continue
		}
		ro.unknownKeys("a gateway response", "statusCode", "responseParameters", "responseTemplates")
		gr := &GatewayResponse{Type: e.Key, StatusCode: ro.str("statusCode"),
			ResponseParameters: d.gatewayResponseParameters(ro), ResponseTemplates: ro.strMap("responseTemplates"),
			Position: pos(e.KeyN, ro.path)}
		if gr.StatusCode != "" && !statusCode().MatchString(gr.StatusCode) {
			d.add(Error, ro.get("statusCode"), ro.at("statusCode"), "statusCode must be an HTTP status code (100-599), got %q", gr.StatusCode)
		}
		api.GatewayResponses[e.Key] = gr
	}
}

var statusCode = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[1-5]\d\d$`) })

const gatewayResponseHeader = "gatewayresponse.header."

// gatewayResponseParameters decodes a gateway response's responseParameters, keeping the header mappings:
// gatewayresponse.header.<Name>, where Name is an HTTP header name (RFC 9110 token). Every other key is
// reported at the key and left out, so that no response carries a header named after a mistyped key.
func (d *decoder) gatewayResponseParameters(ro object) []KV {
	kvs := ro.strMap("responseParameters")
	keys := map[string]*yaml.Node{}
	if n := ro.get("responseParameters"); n != nil && n.Kind == yaml.MappingNode {
		for _, e := range (object{d: d, n: n}).entries() {
			if keys[e.Key] == nil {
				keys[e.Key] = e.KeyN
			}
		}
	}
	out := kvs[:0]
	for _, kv := range kvs {
		if sev, msg := checkGatewayResponseKey(kv.Key); msg != "" {
			d.add(sev, keys[kv.Key], child(ro.at("responseParameters"), kv.Key), "%s", msg)
			continue
		}
		out = append(out, kv)
	}
	return out
}

// checkGatewayResponseKey says what is wrong with a responseParameters key of a gateway response, and how
// serious it is; msg is "" for a valid header mapping.
func checkGatewayResponseKey(key string) (sev Severity, msg string) {
	const example = "gatewayresponse.header.Access-Control-Allow-Origin"
	lower := strings.ToLower(key)
	switch {
	case strings.HasPrefix(key, gatewayResponseHeader):
		name := key[len(gatewayResponseHeader):]
		if name == "" {
			return Error, fmt.Sprintf("gateway response parameter %q names no header: write gatewayresponse.header.<Name>, e.g. %s", key, example)
		}
		if i := strings.IndexFunc(name, func(r rune) bool { return !isTokenChar(r) }); i >= 0 {
			r, _ := utf8.DecodeRuneInString(name[i:])
			return Error, fmt.Sprintf("gateway response parameter %q: %q is not an HTTP header name, it contains %q; header names are letters, digits and !#$%%&'*+-.^_`|~", key, name, r)
		}
		return Info, ""
	case strings.HasPrefix(lower, "gatewayresponse.path.") || strings.HasPrefix(lower, "gatewayresponse.querystring."):
		return Warning, fmt.Sprintf("gateway response parameter %q has no effect: API Gateway's documentation allows path and querystring here, but a response has only headers, so it is ignored; to set a header write gatewayresponse.header.<Name>", key)
	case strings.HasPrefix(lower, "gatewayresponse.header.") || strings.HasPrefix(lower, "gatewayresponse.headers."):
		name := key[strings.IndexByte(key[len("gatewayresponse."):], '.')+len("gatewayresponse.")+1:]
		return Error, fmt.Sprintf("gateway response parameter %q is not a header mapping: did you mean %q?", key, gatewayResponseHeader+name)
	case strings.HasPrefix(lower, "method.response.header."):
		name := key[len("method.response.header."):]
		return Error, fmt.Sprintf("gateway response parameter %q is how integration responses name a method response header; a gateway response sets a header with %q", key, gatewayResponseHeader+name)
	}
	return Error, fmt.Sprintf("gateway response parameter %q must be gatewayresponse.header.<Name>, e.g. %s", key, example)
}

// isTokenChar reports whether r may appear in an HTTP header name (RFC 9110 tchar).
func isTokenChar(r rune) bool {
	return r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("!#$%&'*+-.^_`|~", r))
}

// readComponentIntegrations decodes components.x-amazon-apigateway-integrations, the named integrations
// that methods reference with $ref.
func (d *decoder) readComponentIntegrations(top object) map[string]*Integration {
	comps, ok := d.asObject(top.get("components"), "components", "components")
	if !ok {
		return nil
	}
	n := comps.get(extPrefix + "integrations")
	if n == nil {
		return nil
	}
	o, ok := d.asObject(n, comps.at(extPrefix+"integrations"), "x-amazon-apigateway-integrations")
	if !ok {
		return nil
	}
	out := map[string]*Integration{}
	for _, e := range o.entries() {
		if in := d.readIntegration(e.Value, o.at(e.Key), nil); in != nil {
			out[e.Key] = in
		}
	}
	return out
}

// readSecuritySchemes turns security schemes into authorizers and API-key schemes.
func (d *decoder) readSecuritySchemes(top object, doc *document, api *API) {
	var schemes object
	var ok bool
	if api.OpenAPI == "2.0" {
		schemes, ok = d.asObject(top.get("securityDefinitions"), "securityDefinitions", "securityDefinitions")
	} else if comps, cok := d.asObject(top.get("components"), "components", "components"); cok {
		schemes, ok = d.asObject(comps.get("securitySchemes"), comps.at("securitySchemes"), "securitySchemes")
	}
	if !ok {
		return
	}
	for _, e := range schemes.entries() {
		so, ok := d.asObject(e.Value, schemes.at(e.Key), "a security scheme")
		if !ok {
			continue
		}
		var scheme *openapi3.SecurityScheme
		if doc.v3.Components != nil {
			if ref := doc.v3.Components.SecuritySchemes[e.Key]; ref != nil {
				scheme = ref.Value
			}
		}
		authType := strings.ToLower(so.str(extPrefix + "authtype"))
		authN := so.get(extPrefix + "authorizer")
		switch {
		case authN != nil:
			a := d.readAuthorizer(authN, so.at(extPrefix+"authorizer"), e.Key)
			if a == nil {
				continue
			}
			a.AuthType = authType
			if scheme != nil && scheme.Type == "apiKey" {
				a.HeaderName = scheme.Name
			}
			if a.Type == "token" && a.IdentitySource == "" && a.HeaderName != "" {
				a.IdentitySource = "method.request.header." + a.HeaderName
			}
			api.Authorizers[e.Key] = a
		case authType == "awssigv4":
			d.sigv4[e.Key] = true // methods that name this scheme use AWS_IAM authorization
		case scheme != nil && scheme.Type == "apiKey" && strings.EqualFold(scheme.Name, "x-api-key") && scheme.In == "header":
			api.APIKeySchemes[e.Key] = true
		}
	}
}

func (d *decoder) readAuthorizer(n *yaml.Node, path, name string) *Authorizer {
	o, ok := d.asObject(n, path, "x-amazon-apigateway-authorizer")
	if !ok {
		return nil
	}
	o.unknownKeys("x-amazon-apigateway-authorizer", "type", "authorizerUri", "authorizerCredentials",
		"identitySource", "identityValidationExpression", "authorizerResultTtlInSeconds", "providerARNs",
		"enableSimpleResponses", "authorizerPayloadFormatVersion", "jwtConfiguration")
	a := &Authorizer{Name: name, Type: strings.ToLower(o.str("type")), AuthorizerURI: o.str("authorizerUri"),
		AuthorizerCredentials: o.str("authorizerCredentials"), IdentitySource: o.str("identitySource"),
		IdentityValidationExpression: o.str("identityValidationExpression"), ProviderARNs: o.strList("providerARNs"),
		AuthorizerPayloadFormatVersion: o.str("authorizerPayloadFormatVersion"), Position: pos(o.n, path)}
	if ttl, ok := o.integer("authorizerResultTtlInSeconds"); ok {
		if ttl < 0 || ttl > 3600 {
			d.add(Error, o.get("authorizerResultTtlInSeconds"), o.at("authorizerResultTtlInSeconds"), "authorizerResultTtlInSeconds must be between 0 and 3600, got %d", ttl)
		}
		a.AuthorizerResultTTLInSeconds = &ttl
	}
	a.EnableSimpleResponses, _ = o.boolean("enableSimpleResponses")
	if jn := o.get("jwtConfiguration"); jn != nil {
		if jo, ok := d.asObject(jn, o.at("jwtConfiguration"), "jwtConfiguration"); ok {
			jo.unknownKeys("jwtConfiguration", "issuer", "audience")
			a.JWTIssuer = jo.str("issuer")
			a.JWTAudience = jo.strList("audience")
		}
	}
	switch a.Type {
	case "token", "request":
		if a.AuthorizerURI == "" && !d.intrinsics[o.get("authorizerUri")] {
			d.add(Error, o.n, path, "a %s authorizer needs authorizerUri (the Lambda function's invocation ARN)", strings.ToUpper(a.Type))
		}
		d.checkPlaceholders(o, "authorizerUri", "authorizerCredentials")
	case "cognito_user_pools":
		if len(a.ProviderARNs) == 0 && !d.intrinsics[o.get("providerARNs")] {
			d.add(Error, o.n, path, "a cognito_user_pools authorizer needs providerARNs (the user pool ARNs)")
		}
	case "jwt":
		if a.JWTIssuer == "" {
			d.add(Error, o.n, path, "a jwt authorizer needs jwtConfiguration.issuer")
		}
	case "":
		d.add(Error, o.n, path, "authorizer type is missing; use token, request, cognito_user_pools or jwt")
	default:
		d.add(Error, o.get("type"), o.at("type"), "unknown authorizer type %q; use token, request, cognito_user_pools or jwt", a.Type)
	}
	return a
}

// placeholder finds ${...} in values that API Gateway substitutes only for stage variables.
var placeholder = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\$\{([^}]*)\}`) })
var stageVariableRef = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^stageVariables\.[A-Za-z0-9_]+$`) })

// checkPlaceholders reports ${name} template variables (Terraform templatefile, CloudFormation Fn::Sub
// bodies) left in ARNs and URIs: API Gateway would send them literally and fail.
func (d *decoder) checkPlaceholders(o object, keys ...string) {
	for _, k := range keys {
		n := o.get(k)
		if n == nil || n.Kind != yaml.ScalarNode || d.intrinsics[n] { // a !Sub string is reported as the intrinsic
			continue
		}
		for _, m := range placeholder().FindAllStringSubmatch(n.Value, -1) {
			if !stageVariableRef().MatchString(m[1]) {
				d.add(Error, n, o.at(k), "unresolved placeholder %s: it is a template variable (Terraform, CloudFormation Fn::Sub), not a stage variable; substitute it before serving, or serve the API exported after deployment", m[0])
			}
		}
	}
}

// readMethod builds one method from its operation.
func (d *decoder) readMethod(op object, verb string, op3 *openapi3.Operation, item3 *openapi3.PathItem, doc *document, api *API, integrations map[string]*Integration) *Method {
	m := &Method{HTTPMethod: verb, OperationID: op.str("operationId"), AuthorizationType: "NONE",
		RequestValidator: api.RequestValidator, Position: pos(op.n, op.path)}
	m.Parameters = parameters(item3, op3)
	m.RequestModels = requestModels(op3, doc)
	security := doc.v3.Security
	if op3 != nil && op3.Security != nil {
		security = *op3.Security
	}
	d.applySecurity(m, security, op, api)
	for _, e := range op.entries() {
		if !strings.HasPrefix(e.Key, extPrefix) {
			continue
		}
		path := op.at(e.Key)
		switch strings.TrimPrefix(e.Key, extPrefix) {
		case "integration":
			m.Integration = d.readIntegration(e.Value, path, integrations)
		case "request-validator":
			name, _ := d.scalar(e.Value, path, e.Key)
			m.RequestValidator = name
			if name != "" && api.RequestValidators[name] == nil {
				d.add(Error, e.Value, path, "request validator %q is not defined in x-amazon-apigateway-request-validators; define it or fix the name", name)
			}
		case "auth":
			// The 2015 importer's dialect: {type: aws_iam | none}.
			if ao, ok := d.asObject(e.Value, path, e.Key); ok {
				switch t := strings.ToLower(ao.str("type")); t {
				case "aws_iam":
					m.AuthorizationType = "AWS_IAM"
				case "none", "":
				default:
					d.add(Error, ao.get("type"), ao.at("type"), "x-amazon-apigateway-auth type must be aws_iam or none, got %q", t)
				}
			}
		case "api-key-required":
			m.APIKeyRequired, _ = op.boolean(e.Key)
		case "authorizer":
			d.add(Warning, e.KeyN, path, "%s belongs on a security scheme, not on an operation; API Gateway ignores it here", e.Key)
		default:
			d.add(Warning, e.KeyN, path, "unknown extension %s on an operation; API Gateway ignores it", e.Key)
		}
	}
	if m.Integration == nil && !op.has(extPrefix+"integration") { // one that is there but invalid is reported already
		d.add(Warning, op.n, op.path, "%s has no x-amazon-apigateway-integration: API Gateway imports the method but answers 500 (no integration) until one is set", verb)
	}
	return m
}

// requestModels reads the body schemas of an operation, in content-type order (the document's map order
// is not kept by kin-openapi; sorting makes builds reproducible).
func requestModels(op3 *openapi3.Operation, doc *document) []RequestModel {
	if op3 == nil || op3.RequestBody == nil || op3.RequestBody.Value == nil {
		return nil
	}
	content := op3.RequestBody.Value.Content
	types := make([]string, 0, len(content))
	for ct := range content {
		types = append(types, ct)
	}
	sort.Strings(types)
	var out []RequestModel
	for _, ct := range types {
		mt := content[ct]
		if mt == nil || mt.Schema == nil {
			continue
		}
		name := mt.Schema.Ref
		if i := strings.LastIndexByte(name, '/'); i >= 0 {
			name = name[i+1:]
		}
		schema := mt.Schema.Value
		if m := doc.models[name]; m != nil && strings.HasPrefix(mt.Schema.Ref, "#/components/schemas/") && m.Value != nil {
			schema = m.Value // a Swagger definition with its oneOf and anyOf
		}
		if doc.v2 != nil && ct == "*/*" {
			// A Swagger body parameter without consumes: kin-openapi says */*, API Gateway's importer keys
			// the model application/json (assumed from its exports, which write consumes: application/json).
			ct = "application/json"
		}
		out = append(out, RequestModel{ContentType: ct, Model: name, Schema: schema})
	}
	return out
}

func parameters(item3 *openapi3.PathItem, op3 *openapi3.Operation) []Parameter {
	var out []Parameter
	seen := map[string]int{}
	add := func(ps openapi3.Parameters) {
		for _, ref := range ps {
			if ref == nil || ref.Value == nil {
				continue
			}
			p := ref.Value
			in := p.In
			if in == "query" {
				in = "querystring"
			}
			if in != "path" && in != "querystring" && in != "header" {
				continue
			}
			key := in + "." + p.Name
			if i, ok := seen[key]; ok { // operation parameters override path-item ones
				out[i] = Parameter{In: in, Name: p.Name, Required: p.Required}
				continue
			}
			seen[key] = len(out)
			out = append(out, Parameter{In: in, Name: p.Name, Required: p.Required})
		}
	}
	if item3 != nil {
		add(item3.Parameters)
	}
	if op3 != nil {
		add(op3.Parameters)
	}
	return out
}

// applySecurity maps OpenAPI security requirements onto API Gateway's method authorization: an API-key
// scheme sets apiKeyRequired, an authorizer scheme selects the authorizer, a sigv4 scheme means AWS_IAM.
func (d *decoder) applySecurity(m *Method, reqs openapi3.SecurityRequirements, op object, api *API) {
	for _, req := range reqs {
		for name, scopes := range req {
			switch a := api.Authorizers[name]; {
			case a != nil:
				if m.Authorizer != "" && m.Authorizer != name {
					d.add(Warning, op.get("security"), op.at("security"), "more than one authorizer (%s, %s); API Gateway uses one per method, %s is kept", m.Authorizer, name, m.Authorizer)
					continue
				}
				m.Authorizer = name
				m.AuthorizationScopes = scopes
				switch a.Type {
				case "cognito_user_pools":
					m.AuthorizationType = "COGNITO_USER_POOLS"
				case "jwt":
					m.AuthorizationType = "JWT"
				default:
					m.AuthorizationType = "CUSTOM"
				}
			case api.APIKeySchemes[name]:
				m.APIKeyRequired = true
			case d.sigv4[name]:
				m.AuthorizationType = "AWS_IAM"
			}
		}
	}
}

// integrationKeys are the fields of x-amazon-apigateway-integration that API Gateway imports.
var integrationKeys = []string{"type", "uri", "httpMethod", "requestParameters", "requestTemplates",
	"passthroughBehavior", "contentHandling", "timeoutInMillis", "cacheNamespace", "cacheKeyParameters",
	"connectionType", "connectionId", "credentials", "responses", "payloadFormatVersion",
	"integrationSubtype", "tlsConfig", "integrationTarget", "description", "responseParameters"}

var requestParamTarget = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^integration\.request\.(header|querystring|path|multivalueheader|multivaluequerystring)\.[^\s.][^\s]*$`)
})
var requestParamSource = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^(method\.request\.(path|querystring|multivaluequerystring|header|multivalueheader)\.[^\s]+|method\.request\.body(\..+)?|stageVariables\.[A-Za-z0-9_]+|context\.[A-Za-z0-9_.]+|'[^']*')$`)
})

// readIntegration decodes x-amazon-apigateway-integration (or a $ref to a component integration).
func (d *decoder) readIntegration(n *yaml.Node, path string, components map[string]*Integration) *Integration {
	o, ok := d.asObject(n, path, "x-amazon-apigateway-integration")
	if !ok {
		return nil
	}
	if ref := o.str("$ref"); ref != "" {
		const prefix = "#/components/x-amazon-apigateway-integrations/"
		name := strings.TrimPrefix(ref, prefix)
		in := components[name]
		if !strings.HasPrefix(ref, prefix) || in == nil {
			d.add(Error, o.get("$ref"), o.at("$ref"), "integration reference %q does not resolve; it must name an entry of components.x-amazon-apigateway-integrations", ref)
			return nil
		}
		cp := *in
		cp.Ref = name
		return &cp
	}
	o.unknownKeys("x-amazon-apigateway-integration", integrationKeys...)
	in := &Integration{Type: strings.ToUpper(o.str("type")), URI: o.str("uri"), HTTPMethod: strings.ToUpper(o.str("httpMethod")),
		RequestParameters: o.strMap("requestParameters"), RequestTemplates: o.strMap("requestTemplates"),
		PassthroughBehavior: strings.ToUpper(o.str("passthroughBehavior")), ContentHandling: strings.ToUpper(o.str("contentHandling")),
		CacheNamespace: o.str("cacheNamespace"), CacheKeyParameters: o.strList("cacheKeyParameters"),
		ConnectionType: strings.ToUpper(o.str("connectionType")), ConnectionID: o.str("connectionId"),
		Credentials: o.str("credentials"), PayloadFormatVersion: o.str("payloadFormatVersion"),
		IntegrationSubtype: o.str("integrationSubtype"), Position: pos(o.n, path)}
	if t, ok := d.asObjectOptional(o, "tlsConfig"); ok {
		in.TLSConfig, _ = toJSON(t.n, jsonValue).(map[string]any)
	}
	if rp, ok := d.asObjectOptional(o, "responseParameters"); ok {
		for _, e := range rp.entries() {
			if po, ok := d.asObject(e.Value, rp.at(e.Key), "the response parameters of a status code"); ok {
				sp := StatusParameters{Status: e.Key, Position: pos(e.KeyN, po.path)}
				for _, pe := range po.entries() {
					if s, ok := d.scalar(pe.Value, po.at(pe.Key), pe.Key); ok {
						sp.Parameters = append(sp.Parameters, KV{Key: pe.Key, Value: s})
					}
				}
				in.ResponseParameters = append(in.ResponseParameters, sp)
			}
		}
	}
	switch in.Type {
	case IntegrationMock, IntegrationHTTP, IntegrationHTTPProxy, IntegrationAWS, IntegrationAWSProxy:
	case "":
		d.add(Error, o.n, path, "integration type is missing; use mock, http, http_proxy, aws or aws_proxy")
	default:
		d.add(Error, o.get("type"), o.at("type"), "unknown integration type %q; use mock, http, http_proxy, aws or aws_proxy", o.str("type"))
	}
	if in.Type != IntegrationMock && in.Type != "" {
		if in.URI == "" && !d.intrinsics[o.get("uri")] && in.IntegrationSubtype == "" {
			d.add(Error, o.n, path, "integration type %s needs uri (the backend URL, or the ARN of the Lambda function or AWS service action)", in.Type)
		}
		if in.HTTPMethod == "" && in.PayloadFormatVersion == "" && in.IntegrationSubtype == "" {
			d.add(Error, o.n, path, "integration type %s needs httpMethod (the method API Gateway uses to call the backend; POST for Lambda)", in.Type)
		}
	}
	if v, ok := o.integer("timeoutInMillis"); ok {
		if v < 50 {
			d.add(Error, o.get("timeoutInMillis"), o.at("timeoutInMillis"), "timeoutInMillis must be at least 50 (API Gateway's minimum), got %d", v)
		}
		in.TimeoutInMillis = v
	}
	switch in.PassthroughBehavior {
	case "", "WHEN_NO_MATCH", "WHEN_NO_TEMPLATES", "NEVER":
	default:
		d.add(Error, o.get("passthroughBehavior"), o.at("passthroughBehavior"), "passthroughBehavior must be when_no_match, when_no_templates or never, got %q", o.str("passthroughBehavior"))
	}
	switch in.ContentHandling {
	case "", "CONVERT_TO_BINARY", "CONVERT_TO_TEXT":
	default:
		d.add(Error, o.get("contentHandling"), o.at("contentHandling"), "contentHandling must be CONVERT_TO_BINARY or CONVERT_TO_TEXT, got %q", o.str("contentHandling"))
	}
	switch in.ConnectionType {
	case "", "INTERNET", "VPC_LINK":
	default:
		d.add(Error, o.get("connectionType"), o.at("connectionType"), "connectionType must be INTERNET or VPC_LINK, got %q", o.str("connectionType"))
	}
	if in.PayloadFormatVersion != "" && in.PayloadFormatVersion != "1.0" && in.PayloadFormatVersion != "2.0" {
		d.add(Error, o.get("payloadFormatVersion"), o.at("payloadFormatVersion"), "payloadFormatVersion must be \"1.0\" or \"2.0\", got %q", in.PayloadFormatVersion)
	}
	if in.PayloadFormatVersion == "" {
		d.checkRequestParameters(o, in)
	}
	d.checkPlaceholders(o, "uri", "credentials", "connectionId")
	if rn := o.get("responses"); rn != nil {
		if ro, ok := d.asObject(rn, o.at("responses"), "responses"); ok {
			for _, e := range ro.entries() {
				if r := d.readIntegrationResponse(e, ro); r != nil {
					in.Responses = append(in.Responses, r)
				}
			}
		}
	}
	return in
}

func (d *decoder) asObjectOptional(o object, key string) (object, bool) {
	n := o.get(key)
	if n == nil {
		return object{}, false
	}
	return d.asObject(n, o.at(key), key)
}

// checkRequestParameters applies the mapping rules API Gateway's import enforces for REST APIs.
func (d *decoder) checkRequestParameters(o object, in *Integration) {
	rp, _ := d.asObjectOptional(o, "requestParameters")
	for _, e := range rp.entries() {
		path := rp.at(e.Key)
		if !requestParamTarget().MatchString(e.Key) {
			d.add(Error, e.KeyN, path, "invalid mapping target %q: use integration.request.{header|querystring|path|multivalueheader|multivaluequerystring}.<name>", e.Key)
			continue
		}
		v, ok := Lookup(in.RequestParameters, e.Key)
		if ok && !requestParamSource().MatchString(v) && !d.intrinsics[e.Value] {
			d.add(Error, e.Value, path, "invalid mapping source %q: use method.request.{path|querystring|header|multivaluequerystring|multivalueheader}.<name>, method.request.body[.<JSONPath>], stageVariables.<name>, context.<name> or a 'quoted literal'", v)
		}
	}
}

func (d *decoder) readIntegrationResponse(e keyValue, parent object) *IntegrationResponse {
	ro, ok := d.asObject(e.Value, parent.at(e.Key), "an integration response")
	if !ok {
		return nil
	}
	ro.unknownKeys("an integration response", "statusCode", "responseParameters", "responseTemplates", "contentHandling")
	r := &IntegrationResponse{SelectionPattern: e.Key, StatusCode: ro.str("statusCode"),
		ResponseParameters: ro.strMap("responseParameters"), ResponseTemplates: ro.strMap("responseTemplates"),
		ContentHandling: strings.ToUpper(ro.str("contentHandling")), Position: pos(e.KeyN, ro.path)}
	if e.Key == "default" {
		r.SelectionPattern = ""
	}
	if r.StatusCode == "" {
		d.add(Error, ro.n, ro.path, "integration response %q needs statusCode (the method response it maps to)", e.Key)
	} else if !statusCode().MatchString(r.StatusCode) {
		d.add(Error, ro.get("statusCode"), ro.at("statusCode"), "statusCode must be an HTTP status code (100-599), got %q", r.StatusCode)
	}
	for _, kv := range r.ResponseParameters {
		if !strings.HasPrefix(kv.Key, "method.response.header.") {
			d.add(Error, ro.get("responseParameters"), child(ro.at("responseParameters"), kv.Key), "response parameter %q must be method.response.header.<name>", kv.Key)
		}
	}
	return r
}
