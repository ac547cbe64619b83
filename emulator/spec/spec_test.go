package spec

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// modelCase parses one small inline spec and compares one part of the typed model with what it must be.
type modelCase struct {
	name     string         // what the case shows
	file     string         // the name given to Parse; only findings use it
	src      string         // the spec, JSON or YAML
	opts     Options        // import options; the zero value is AWS's default (basepath=ignore)
	findings []string       // every finding expected, in order, as Finding.String(); nil means none
	got      func(*API) any // extracts the part of the model the case is about
	want     any            // what got must return (reflect.DeepEqual)
}

func runModelCases(t *testing.T, cases []modelCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			api, fs := Parse(tc.file, []byte(tc.src), tc.opts)
			if got := findingStrings(fs); !reflect.DeepEqual(got, tc.findings) {
				t.Errorf("findings:\n got %s\nwant %s", show(got), show(tc.findings))
			}
			if api == nil {
				t.Fatal("Parse returned no API")
			}
			if got := tc.got(api); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("model:\n got %s\nwant %s", show(got), show(tc.want))
			}
		})
	}
}

func findingStrings(fs Findings) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.String())
	}
	return out
}

// show renders a value for a failure message: JSON follows pointers, which %v does not.
func show(v any) string {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err.Error()
	}
	return string(b)
}

// routes lists "VERB /path" for every method, resource by resource, methods in document order.
func routes(a *API) []string {
	var out []string
	for _, r := range a.Resources {
		for _, m := range r.Methods {
			out = append(out, m.HTTPMethod+" "+r.Path)
		}
	}
	return out
}

// method finds a method by "VERB /path", or returns nil.
func method(a *API, route string) *Method {
	verb, path, _ := strings.Cut(route, " ")
	for _, r := range a.Resources {
		if r.Path != path {
			continue
		}
		for _, m := range r.Methods {
			if m.HTTPMethod == verb {
				return m
			}
		}
	}
	return nil
}

// integration returns a copy of a method's integration without positions (asserted separately), or nil.
func integration(a *API, route string) *Integration {
	m := method(a, route)
	if m == nil || m.Integration == nil {
		return nil
	}
	in := *m.Integration
	in.Position = Position{}
	in.Responses = nil
	for _, r := range m.Integration.Responses {
		cp := *r
		cp.Position = Position{}
		in.Responses = append(in.Responses, &cp)
	}
	return &in
}

// authorizers returns copies of the API's authorizers without positions.
func authorizers(a *API) map[string]Authorizer {
	out := map[string]Authorizer{}
	for k, v := range a.Authorizers {
		cp := *v
		cp.Position = Position{}
		out[k] = cp
	}
	return out
}

// authView is what a method's security settings amount to.
type authView struct {
	Type       string   // AuthorizationType
	Authorizer string   // security scheme name of the authorizer
	Scopes     []string // AuthorizationScopes
	APIKey     bool     // APIKeyRequired
}

func auth(a *API, route string) authView {
	m := method(a, route)
	if m == nil {
		return authView{Type: "no such method " + route}
	}
	return authView{m.AuthorizationType, m.Authorizer, m.AuthorizationScopes, m.APIKeyRequired}
}

func intp(i int) *int { return &i }

// swaggerResources is a Swagger 2.0 YAML spec with a root method, path-level parameters, query and header
// parameters, a body parameter (not a request parameter in API Gateway's sense) and the ANY method.
const swaggerResources = `swagger: "2.0"
info:
  title: Pets
  version: "2024-01-02T03:04:05Z"
host: abc123.execute-api.us-east-1.amazonaws.com
basePath: /prod
schemes: [https]
paths:
  /:
    get:
      operationId: root
      x-amazon-apigateway-integration: {type: mock}
  /pets/{petId}:
    parameters:
      - {name: petId, in: path, required: true, type: string}
    get:
      parameters:
        - {name: verbose, in: query, type: boolean}
        - {name: X-Trace, in: header, required: true, type: string}
        - {name: body, in: body, schema: {type: object}}
      x-amazon-apigateway-integration: {type: mock}
    delete:
      x-amazon-apigateway-integration: {type: mock}
  /pets:
    post:
      x-amazon-apigateway-integration: {type: mock}
    get:
      x-amazon-apigateway-integration: {type: mock}
  /{proxy+}:
    x-amazon-apigateway-any-method:
      parameters:
        - {name: proxy, in: path, required: true, type: string}
      x-amazon-apigateway-integration: {type: mock}
`

// oas3ParameterRefs is an OpenAPI 3.0 JSON spec whose parameters come from components.parameters, at the
// path level and the operation level, where an operation parameter overrides the path-level one.
const oas3ParameterRefs = `{
  "openapi": "3.0.1",
  "info": {"title": "Refs", "version": "1"},
  "paths": {
    "/items/{id}": {
      "parameters": [
        {"$ref": "#/components/parameters/Id"},
        {"name": "X-Tenant", "in": "header", "schema": {"type": "string"}}
      ],
      "get": {
        "parameters": [
          {"$ref": "#/components/parameters/Limit"},
          {"name": "X-Tenant", "in": "header", "required": true, "schema": {"type": "string"}},
          {"name": "session", "in": "cookie", "schema": {"type": "string"}}
        ],
        "x-amazon-apigateway-integration": {"type": "mock"}
      },
      "x-amazon-apigateway-any-method": {
        "parameters": [{"$ref": "#/components/parameters/Limit"}],
        "x-amazon-apigateway-integration": {"type": "mock"}
      }
    }
  },
  "components": {
    "parameters": {
      "Id": {"name": "id", "in": "path", "required": true, "schema": {"type": "string"}},
      "Limit": {"name": "limit", "in": "query", "schema": {"type": "integer"}}
    }
  }
}`

func TestResourcesAndMethods(t *testing.T) {
	runModelCases(t, []modelCase{{
		name: "swagger: resources sorted by path, methods in document order, any-method is ANY",
		file: "pets.yaml", src: swaggerResources,
		got:  func(a *API) any { return routes(a) },
		want: []string{"GET /", "POST /pets", "GET /pets", "GET /pets/{petId}", "DELETE /pets/{petId}", "ANY /{proxy+}"},
	}, {
		name: "swagger: API fields",
		file: "pets.yaml", src: swaggerResources,
		got: func(a *API) any {
			return []any{a.File, a.OpenAPI, a.Title, a.Version, a.Type, a.DeclaredBase, a.BasePathMode, a.DefaultStage}
		},
		want: []any{"pets.yaml", "2.0", "Pets", "2024-01-02T03:04:05Z", REST, "/prod", BasePathIgnore, "prod"},
	}, {
		name: "swagger: query is querystring, path-level parameters come first, body is no request parameter",
		file: "pets.yaml", src: swaggerResources,
		got:  func(a *API) any { return method(a, "GET /pets/{petId}").Parameters },
		want: []Parameter{{In: "path", Name: "petId", Required: true}, {In: "querystring", Name: "verbose"}, {In: "header", Name: "X-Trace", Required: true}},
	}, {
		name: "swagger: a method without parameters of its own inherits the path-level ones",
		file: "pets.yaml", src: swaggerResources,
		got:  func(a *API) any { return method(a, "DELETE /pets/{petId}").Parameters },
		want: []Parameter{{In: "path", Name: "petId", Required: true}},
	}, {
		name: "swagger: ANY has its parameters",
		file: "pets.yaml", src: swaggerResources,
		got:  func(a *API) any { return method(a, "ANY /{proxy+}").Parameters },
		want: []Parameter{{In: "path", Name: "proxy", Required: true}},
	}, {
		name: "swagger: method defaults and position",
		file: "pets.yaml", src: swaggerResources,
		got: func(a *API) any {
			m := *method(a, "GET /")
			m.Integration = nil
			return m
		},
		want: Method{HTTPMethod: "GET", OperationID: "root", AuthorizationType: "NONE",
			Position: Position{Line: 11, Column: 7, Path: `paths["/"].get`}},
	}, {
		name: "oas3 json: $ref parameters, an operation parameter overrides the path-level one, cookies are dropped",
		file: "refs.json", src: oas3ParameterRefs,
		got:  func(a *API) any { return method(a, "GET /items/{id}").Parameters },
		want: []Parameter{{In: "path", Name: "id", Required: true}, {In: "header", Name: "X-Tenant", Required: true}, {In: "querystring", Name: "limit"}},
	}, {
		name: "oas3 json: ANY resolves $ref parameters too",
		file: "refs.json", src: oas3ParameterRefs,
		got:  func(a *API) any { return method(a, "ANY /items/{id}").Parameters },
		want: []Parameter{{In: "path", Name: "id", Required: true}, {In: "header", Name: "X-Tenant"}, {In: "querystring", Name: "limit"}},
	}, {
		name: "oas3 json: routes and version",
		file: "refs.json", src: oas3ParameterRefs,
		got:  func(a *API) any { return []any{routes(a), a.OpenAPI, a.Type, a.DefaultStage} },
		want: []any{[]string{"GET /items/{id}", "ANY /items/{id}"}, "3.0.1", REST, ""},
	}, {
		name: "a numeric info.version is kept as written",
		file: "v.yaml", src: "openapi: 3.0.0\ninfo: {title: T, version: 1.10}\npaths:\n  /a:\n    get:\n      x-amazon-apigateway-integration: {type: mock}\n",
		got:  func(a *API) any { return a.Version },
		want: "1.10",
	}, {
		name: "methods with no integration are kept, with a warning",
		file: "noint.yaml", src: "openapi: 3.0.0\ninfo: {title: T, version: '1'}\npaths:\n  /a:\n    get:\n      responses: {}\n",
		findings: []string{
			// The method's position is its operation object, here at its first key.
			`noint.yaml:6:7: warning: paths["/a"].get: GET has no x-amazon-apigateway-integration: API Gateway imports the method but answers 500 (no integration) until one is set`,
		},
		got:  func(a *API) any { return []any{routes(a), method(a, "GET /a").Integration == nil} },
		want: []any{[]string{"GET /a"}, true},
	}})
}

// oas3Integration has an x-amazon-apigateway-integration with every field a REST API imports.
const oas3Integration = `openapi: 3.0.1
info: {title: Integration, version: "1"}
paths:
  /calc/{id}:
    post:
      x-amazon-apigateway-integration:
        type: http
        uri: http://nlb.example.internal/calc/{id}
        httpMethod: post
        credentials: arn:aws:iam::123456789012:role/apigInvoke
        requestParameters:
          integration.request.path.id: method.request.path.id
          integration.request.header.X-Amz-Invocation-Type: "'Event'"
          integration.request.querystring.op: method.request.querystring.operator
          integration.request.header.X-Stage: stageVariables.stage
          integration.request.header.X-Request-Id: context.requestId
          integration.request.querystring.b: method.request.body.b
        requestTemplates:
          text/plain: $input.body
          application/json: |
            {"a": $input.json('$.a')}
          application/xml:
        passthroughBehavior: when_no_templates
        contentHandling: convert_to_text
        timeoutInMillis: 5000
        cacheNamespace: calc-ns
        cacheKeyParameters:
          - method.request.path.id
          - method.request.querystring.operator
        connectionType: vpc_link
        connectionId: ${stageVariables.vpcLinkId}
        responses:
          '4\d{2}':
            statusCode: "400"
            responseTemplates:
              application/json: '{"error": "$input.path(''$.errorMessage'')"}'
          default:
            statusCode: 200
            responseParameters:
              method.response.header.Content-Type: "'application/json'"
              method.response.header.X-Request-Id: context.requestId
            responseTemplates:
              application/json: $input.json('$')
            contentHandling: convert_to_binary
          .*Error.*:
            statusCode: "500"
        x-vendor-note: extensions of extensions are allowed and ignored
`

// swaggerIntegrationOrder is Swagger 2.0 JSON whose maps are not in alphabetical order, to show that
// templates and integration responses keep document order.
const swaggerIntegrationOrder = `{
  "swagger": "2.0",
  "info": {"title": "Order", "version": "1"},
  "paths": {
    "/": {
      "get": {
        "x-amazon-apigateway-integration": {
          "type": "AWS",
          "httpMethod": "POST",
          "uri": "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:Calc/invocations",
          "requestTemplates": {
            "application/xml": "<a/>",
            "application/json": "{}",
            "application/x-www-form-urlencoded": "a=1"
          },
          "responses": {
            "default": {"statusCode": "200"},
            "Invalid.*": {"statusCode": "400"},
            "2\\d{2}": {"statusCode": "201"},
            ".*Timeout.*": {"statusCode": "504"}
          }
        }
      }
    }
  }
}`

const lambdaCalcURI = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:Calc/invocations"

// oas3ComponentIntegrations is an HTTP API with integrations in components.x-amazon-apigateway-integrations.
const oas3ComponentIntegrations = `{
  "openapi": "3.0.1",
  "info": {"title": "Components", "version": "1"},
  "paths": {
    "/submit": {"post": {"x-amazon-apigateway-integration": {"$ref": "#/components/x-amazon-apigateway-integrations/sqs"}}},
    "/{proxy+}": {"x-amazon-apigateway-any-method": {"x-amazon-apigateway-integration": {"$ref": "#/components/x-amazon-apigateway-integrations/proxy"}}}
  },
  "components": {
    "x-amazon-apigateway-integrations": {
      "sqs": {
        "type": "aws_proxy",
        "integrationSubtype": "SQS-SendMessage",
        "credentials": "arn:aws:iam::123456789012:role/sqs",
        "requestParameters": {"QueueUrl": "$request.header.queueUrl", "MessageBody": "$request.body.message"},
        "payloadFormatVersion": "1.0"
      },
      "proxy": {
        "type": "http_proxy",
        "httpMethod": "ANY",
        "uri": "https://backend.example.com/{proxy}",
        "connectionType": "INTERNET",
        "payloadFormatVersion": "2.0",
        "timeoutInMillis": 30000,
        "tlsConfig": {"serverNameToVerify": "backend.example.com"}
      }
    }
  }
}`

func TestIntegration(t *testing.T) {
	runModelCases(t, []modelCase{{
		name: "every field, values upper-cased where API Gateway does, maps in document order",
		file: "integration.yaml", src: oas3Integration,
		got: func(a *API) any { return integration(a, "POST /calc/{id}") },
		want: &Integration{
			Type:        "HTTP",
			URI:         "http://nlb.example.internal/calc/{id}",
			HTTPMethod:  "POST",
			Credentials: "arn:aws:iam::123456789012:role/apigInvoke",
			RequestParameters: []KV{
				{"integration.request.path.id", "method.request.path.id"},
				{"integration.request.header.X-Amz-Invocation-Type", "'Event'"},
				{"integration.request.querystring.op", "method.request.querystring.operator"},
				{"integration.request.header.X-Stage", "stageVariables.stage"},
				{"integration.request.header.X-Request-Id", "context.requestId"},
				{"integration.request.querystring.b", "method.request.body.b"},
			},
			RequestTemplates: []KV{
				{"text/plain", "$input.body"},
				{"application/json", "{\"a\": $input.json('$.a')}\n"},
				{"application/xml", ""}, // an empty (null) template is kept
			},
			PassthroughBehavior: "WHEN_NO_TEMPLATES",
			ContentHandling:     "CONVERT_TO_TEXT",
			TimeoutInMillis:     5000,
			CacheNamespace:      "calc-ns",
			CacheKeyParameters:  []string{"method.request.path.id", "method.request.querystring.operator"},
			ConnectionType:      "VPC_LINK",
			ConnectionID:        "${stageVariables.vpcLinkId}",
			Responses: []*IntegrationResponse{{
				SelectionPattern:  `4\d{2}`,
				StatusCode:        "400",
				ResponseTemplates: []KV{{"application/json", `{"error": "$input.path('$.errorMessage')"}`}},
			}, {
				SelectionPattern: "", // the "default" key
				StatusCode:       "200",
				ResponseParameters: []KV{
					{"method.response.header.Content-Type", "'application/json'"},
					{"method.response.header.X-Request-Id", "context.requestId"},
				},
				ResponseTemplates: []KV{{"application/json", "$input.json('$')"}},
				ContentHandling:   "CONVERT_TO_BINARY",
			}, {
				SelectionPattern: ".*Error.*",
				StatusCode:       "500",
			}},
		},
	}, {
		name: "positions of the integration and of its responses",
		file: "integration.yaml", src: oas3Integration,
		got: func(a *API) any {
			in := method(a, "POST /calc/{id}").Integration
			out := []Position{in.Position}
			for _, r := range in.Responses {
				out = append(out, r.Position)
			}
			return out
		},
		want: []Position{
			{7, 9, `paths["/calc/{id}"].post.x-amazon-apigateway-integration`},
			{33, 11, `paths["/calc/{id}"].post.x-amazon-apigateway-integration.responses["4\\d{2}"]`},
			{37, 11, `paths["/calc/{id}"].post.x-amazon-apigateway-integration.responses.default`},
			{45, 11, `paths["/calc/{id}"].post.x-amazon-apigateway-integration.responses[".*Error.*"]`},
		},
	}, {
		name: "swagger json: templates and responses keep document order, not alphabetical",
		file: "order.json", src: swaggerIntegrationOrder,
		got: func(a *API) any { return integration(a, "GET /") },
		want: &Integration{
			Type: "AWS", HTTPMethod: "POST", URI: lambdaCalcURI,
			RequestTemplates: []KV{{"application/xml", "<a/>"}, {"application/json", "{}"}, {"application/x-www-form-urlencoded", "a=1"}},
			Responses: []*IntegrationResponse{
				{SelectionPattern: "", StatusCode: "200"},
				{SelectionPattern: "Invalid.*", StatusCode: "400"},
				{SelectionPattern: `2\d{2}`, StatusCode: "201"},
				{SelectionPattern: ".*Timeout.*", StatusCode: "504"},
			},
		},
	}, {
		name: "$ref to components.x-amazon-apigateway-integrations, HTTP API service integration",
		file: "components.json", src: oas3ComponentIntegrations,
		got: func(a *API) any { return integration(a, "POST /submit") },
		want: &Integration{
			Type: "AWS_PROXY", IntegrationSubtype: "SQS-SendMessage", Credentials: "arn:aws:iam::123456789012:role/sqs",
			// HTTP API parameter mappings are not checked against REST API rules.
			RequestParameters:    []KV{{"QueueUrl", "$request.header.queueUrl"}, {"MessageBody", "$request.body.message"}},
			PayloadFormatVersion: "1.0",
			Ref:                  "sqs",
		},
	}, {
		name: "$ref to a component with payloadFormatVersion 2.0 makes an HTTP API",
		file: "components.json", src: oas3ComponentIntegrations,
		got: func(a *API) any { return []any{a.Type, integration(a, "ANY /{proxy+}")} },
		want: []any{HTTP, &Integration{
			Type: "HTTP_PROXY", HTTPMethod: "ANY", URI: "https://backend.example.com/{proxy}", ConnectionType: "INTERNET",
			PayloadFormatVersion: "2.0", TimeoutInMillis: 30000,
			TLSConfig: map[string]any{"serverNameToVerify": "backend.example.com"},
			Ref:       "proxy",
		}},
	}, {
		name: "payloadFormatVersion 1.0 alone does not make an HTTP API (REST examples carry it too)",
		file: "pfv.yaml",
		src: `openapi: 3.0.1
info: {title: T, version: "1"}
paths:
  /a:
    get:
      x-amazon-apigateway-integration: {type: aws_proxy, httpMethod: POST, uri: "` + lambdaCalcURI + `", payloadFormatVersion: "1.0"}
`,
		got:  func(a *API) any { return a.Type },
		want: REST,
	}, {
		name: "stage variables in uri, connectionId and credentials are fine",
		file: "stagevars.yaml",
		src: `swagger: "2.0"
info: {title: T, version: "1"}
paths:
  /a:
    get:
      x-amazon-apigateway-integration:
        type: http_proxy
        httpMethod: GET
        uri: https://${stageVariables.host}/${stageVariables.path}?${stageVariables.qs}
        credentials: arn:aws:iam::123456789012:role/${stageVariables.role}
`,
		got:  func(a *API) any { return integration(a, "GET /a").URI },
		want: "https://${stageVariables.host}/${stageVariables.path}?${stageVariables.qs}",
	}})
}

// swaggerSecurity has every kind of authorizer a REST API has, an API-key scheme and a sigv4 scheme, an
// API-wide security requirement and operations that override it.
const swaggerSecurity = `swagger: "2.0"
info: {title: Secure, version: "1"}
security:
  - requestAuth: []
securityDefinitions:
  tokenAuth:
    type: apiKey
    name: Authorization
    in: header
    x-amazon-apigateway-authtype: custom
    x-amazon-apigateway-authorizer:
      type: token
      authorizerUri: arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:auth/invocations
      authorizerCredentials: arn:aws:iam::123456789012:role/invokeAuth
      authorizerResultTtlInSeconds: 60
      identityValidationExpression: "^Bearer [-0-9a-zA-Z._]*$"
  requestAuth:
    type: apiKey
    name: Unused
    in: header
    x-amazon-apigateway-authtype: custom
    x-amazon-apigateway-authorizer:
      type: REQUEST
      identitySource: method.request.header.X-User, method.request.querystring.token
      authorizerUri: arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:req/invocations
      authorizerResultTtlInSeconds: 0
  cognito:
    type: apiKey
    name: Authorization
    in: header
    x-amazon-apigateway-authtype: cognito_user_pools
    x-amazon-apigateway-authorizer:
      type: cognito_user_pools
      providerARNs:
        - arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc
  api_key:
    type: apiKey
    name: x-api-key
    in: header
  queryKey:
    type: apiKey
    name: x-api-key
    in: query
  sigv4:
    type: apiKey
    name: Authorization
    in: header
    x-amazon-apigateway-authtype: awsSigv4
paths:
  /token:
    get:
      security: [{tokenAuth: []}]
      x-amazon-apigateway-integration: {type: mock}
  /token-and-key:
    get:
      security: [{tokenAuth: [], api_key: []}]
      x-amazon-apigateway-integration: {type: mock}
  /cognito:
    get:
      security: [{cognito: [email, openid]}]
      x-amazon-apigateway-integration: {type: mock}
  /iam:
    get:
      security: [{sigv4: []}]
      x-amazon-apigateway-integration: {type: mock}
  /key:
    get:
      security: [{api_key: []}]
      x-amazon-apigateway-integration: {type: mock}
  /query-key:
    get:
      security: [{queryKey: []}]
      x-amazon-apigateway-integration: {type: mock}
  /legacy-iam:
    get:
      security: []
      x-amazon-apigateway-auth: {type: aws_iam}
      x-amazon-apigateway-integration: {type: mock}
  /legacy-none:
    get:
      security: []
      x-amazon-apigateway-auth: {type: NONE}
      x-amazon-apigateway-integration: {type: mock}
  /open:
    get:
      security: []
      x-amazon-apigateway-integration: {type: mock}
  /inherited:
    get:
      x-amazon-apigateway-integration: {type: mock}
  /required-key:
    get:
      security: []
      x-amazon-apigateway-api-key-required: true
      x-amazon-apigateway-integration: {type: mock}
`

// oas3HTTPAuth is an HTTP API with a JWT authorizer and a Lambda REQUEST authorizer with simple responses.
const oas3HTTPAuth = `openapi: 3.0.1
info: {title: Http, version: "1"}
x-amazon-apigateway-importexport-version: "1.0"
paths:
  /todos:
    get:
      security:
        - jwtAuth: [todos/read]
      x-amazon-apigateway-integration: {type: aws_proxy, httpMethod: POST, uri: "` + lambdaCalcURI + `", payloadFormatVersion: "2.0"}
    post:
      security:
        - lambdaAuth: []
      x-amazon-apigateway-integration: {type: aws_proxy, httpMethod: POST, uri: "` + lambdaCalcURI + `", payloadFormatVersion: "2.0"}
components:
  securitySchemes:
    jwtAuth:
      type: oauth2
      flows: {}
      x-amazon-apigateway-authorizer:
        type: jwt
        identitySource: $request.header.Authorization
        jwtConfiguration:
          issuer: https://cognito-idp.us-east-1.amazonaws.com/us-east-1_abc
          audience: [client1, client2]
    lambdaAuth:
      type: apiKey
      name: Authorization
      in: header
      x-amazon-apigateway-authorizer:
        type: request
        identitySource: $request.header.Authorization
        authorizerUri: ` + lambdaCalcURI + `
        authorizerPayloadFormatVersion: "2.0"
        enableSimpleResponses: true
        authorizerResultTtlInSeconds: 300
`

func TestAuthorizersAndSecurity(t *testing.T) {
	const authURI = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:auth/invocations"
	const reqURI = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:req/invocations"
	runModelCases(t, []modelCase{{
		name: "swagger: token, request and cognito authorizers",
		file: "secure.yaml", src: swaggerSecurity,
		got: func(a *API) any { return authorizers(a) },
		want: map[string]Authorizer{
			"tokenAuth": {Name: "tokenAuth", Type: "token", AuthType: "custom",
				IdentitySource: "method.request.header.Authorization", // defaulted from the apiKey scheme's header
				HeaderName:     "Authorization", AuthorizerURI: authURI,
				AuthorizerCredentials:        "arn:aws:iam::123456789012:role/invokeAuth",
				AuthorizerResultTTLInSeconds: intp(60), IdentityValidationExpression: "^Bearer [-0-9a-zA-Z._]*$"},
			"requestAuth": {Name: "requestAuth", Type: "request", AuthType: "custom",
				IdentitySource: "method.request.header.X-User, method.request.querystring.token",
				HeaderName:     "Unused", AuthorizerURI: reqURI, AuthorizerResultTTLInSeconds: intp(0)},
			"cognito": {Name: "cognito", Type: "cognito_user_pools", AuthType: "cognito_user_pools", HeaderName: "Authorization",
				ProviderARNs: []string{"arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc"}},
		},
	}, {
		name: "swagger: only an apiKey scheme named x-api-key in the header is an API key",
		file: "secure.yaml", src: swaggerSecurity,
		got:  func(a *API) any { return a.APIKeySchemes },
		want: map[string]bool{"api_key": true},
	}, {
		name: "swagger: method authorization from security, x-amazon-apigateway-auth and api-key-required",
		file: "secure.yaml", src: swaggerSecurity,
		got: func(a *API) any {
			out := map[string]authView{}
			for _, r := range []string{"/token", "/token-and-key", "/cognito", "/iam", "/key", "/query-key", "/legacy-iam", "/legacy-none", "/open", "/inherited", "/required-key"} {
				out[r] = auth(a, "GET "+r)
			}
			return out
		},
		want: map[string]authView{
			"/token":         {Type: "CUSTOM", Authorizer: "tokenAuth", Scopes: []string{}},
			"/token-and-key": {Type: "CUSTOM", Authorizer: "tokenAuth", Scopes: []string{}, APIKey: true},
			"/cognito":       {Type: "COGNITO_USER_POOLS", Authorizer: "cognito", Scopes: []string{"email", "openid"}},
			"/iam":           {Type: "AWS_IAM"},
			"/key":           {Type: "NONE", APIKey: true},
			"/query-key":     {Type: "NONE"},
			"/legacy-iam":    {Type: "AWS_IAM"},
			"/legacy-none":   {Type: "NONE"},
			"/open":          {Type: "NONE"},                                                       // security: [] overrides the API-wide requirement
			"/inherited":     {Type: "CUSTOM", Authorizer: "requestAuth", Scopes: []string{}},      // the API-wide requirement
			"/required-key":  {Type: "NONE", APIKey: true},
		},
	}, {
		name: "oas3: jwt and HTTP API request authorizers",
		file: "http.yaml", src: oas3HTTPAuth,
		got: func(a *API) any { return authorizers(a) },
		want: map[string]Authorizer{
			"jwtAuth": {Name: "jwtAuth", Type: "jwt", IdentitySource: "$request.header.Authorization",
				JWTIssuer: "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_abc", JWTAudience: []string{"client1", "client2"}},
			"lambdaAuth": {Name: "lambdaAuth", Type: "request", IdentitySource: "$request.header.Authorization",
				HeaderName: "Authorization", AuthorizerURI: lambdaCalcURI, AuthorizerResultTTLInSeconds: intp(300),
				EnableSimpleResponses: true, AuthorizerPayloadFormatVersion: "2.0"},
		},
	}, {
		name: "oas3: JWT and CUSTOM methods, HTTP API",
		file: "http.yaml", src: oas3HTTPAuth,
		got: func(a *API) any {
			return []any{a.Type, a.ImportExportVersion, auth(a, "GET /todos"), auth(a, "POST /todos")}
		},
		want: []any{HTTP, "1.0",
			authView{Type: "JWT", Authorizer: "jwtAuth", Scopes: []string{"todos/read"}},
			authView{Type: "CUSTOM", Authorizer: "lambdaAuth", Scopes: []string{}}},
	}, {
		name: "authorizer position",
		file: "http.yaml", src: oas3HTTPAuth,
		got:  func(a *API) any { return a.Authorizers["jwtAuth"].Position },
		want: Position{20, 9, "components.securitySchemes.jwtAuth.x-amazon-apigateway-authorizer"},
	}})
}

// oas3RootExtensions has every API-wide extension of a REST API.
const oas3RootExtensions = `openapi: 3.0.1
info: {title: Root, version: "1"}
x-amazon-apigateway-api-key-source: authorizer
x-amazon-apigateway-binary-media-types: [image/png, "*/*"]
x-amazon-apigateway-gateway-responses:
  MISSING_AUTHENTICATION_TOKEN:
    statusCode: 404
    responseParameters:
      gatewayresponse.header.Access-Control-Allow-Origin: "'*'"
    responseTemplates:
      application/json: '{"message": $context.error.messageString}'
  DEFAULT_4XX:
    responseParameters:
      gatewayresponse.header.X-Error: "'1'"
x-amazon-apigateway-request-validators:
  all: {validateRequestBody: true, validateRequestParameters: true}
  params-only: {validateRequestBody: false, validateRequestParameters: true}
x-amazon-apigateway-request-validator: all
x-amazon-apigateway-policy:
  Version: "2012-10-17"
  Statement:
    - Effect: Allow
      Principal: "*"
      Action: execute-api:Invoke
      Resource: execute-api:/*
x-amazon-apigateway-endpoint-configuration:
  types: [PRIVATE]
  vpcEndpointIds: [vpce-0123]
  disableExecuteApiEndpoint: true
x-amazon-apigateway-documentation:
  version: "1"
  documentationParts:
    - location: {type: API}
      properties: {description: the API}
x-amazon-apigateway-minimum-compression-size: 1024
paths:
  /a:
    get:
      x-amazon-apigateway-integration: {type: mock}
    post:
      x-amazon-apigateway-request-validator: params-only
      x-amazon-apigateway-integration: {type: mock}
`

func TestRootExtensions(t *testing.T) {
	runModelCases(t, []modelCase{{
		name: "api-key-source, binary media types, minimum compression size",
		file: "root.yaml", src: oas3RootExtensions,
		got:  func(a *API) any { return []any{a.APIKeySource, a.BinaryMediaTypes, a.MinimumCompression, a.Type} },
		want: []any{"AUTHORIZER", []string{"image/png", "*/*"}, intp(1024), REST},
	}, {
		name: "gateway responses",
		file: "root.yaml", src: oas3RootExtensions,
		got:  func(a *API) any { return a.GatewayResponses },
		want: map[string]*GatewayResponse{
			"MISSING_AUTHENTICATION_TOKEN": {Type: "MISSING_AUTHENTICATION_TOKEN", StatusCode: "404",
				ResponseParameters: []KV{{"gatewayresponse.header.Access-Control-Allow-Origin", "'*'"}},
				ResponseTemplates:  []KV{{"application/json", `{"message": $context.error.messageString}`}},
				Position:           Position{6, 3, "x-amazon-apigateway-gateway-responses.MISSING_AUTHENTICATION_TOKEN"}},
			"DEFAULT_4XX": {Type: "DEFAULT_4XX",
				ResponseParameters: []KV{{"gatewayresponse.header.X-Error", "'1'"}},
				Position:           Position{12, 3, "x-amazon-apigateway-gateway-responses.DEFAULT_4XX"}},
		},
	}, {
		name: "request validators: the root one is the default, an operation overrides it",
		file: "root.yaml", src: oas3RootExtensions,
		got: func(a *API) any {
			return []any{a.RequestValidators, a.RequestValidator, method(a, "GET /a").RequestValidator, method(a, "POST /a").RequestValidator}
		},
		want: []any{map[string]*RequestValidator{
			"all":         {Name: "all", ValidateRequestBody: true, ValidateRequestParameters: true},
			"params-only": {Name: "params-only", ValidateRequestParameters: true},
		}, "all", "all", "params-only"},
	}, {
		name: "policy, endpoint configuration and documentation",
		file: "root.yaml", src: oas3RootExtensions,
		got:  func(a *API) any { return []any{a.Policy, a.EndpointConfig, a.Documentation} },
		want: []any{
			map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{
				"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*"}}},
			&EndpointConfiguration{Types: []string{"PRIVATE"}, VPCEndpointIDs: []string{"vpce-0123"}, DisableExecuteAPIEndpoint: true},
			map[string]any{"version": "1", "documentationParts": []any{map[string]any{
				"location": map[string]any{"type": "API"}, "properties": map[string]any{"description": "the API"}}}},
		},
	}, {
		name: "a policy given as a JSON string is kept as the string",
		file: "policy.json",
		src:  `{"swagger": "2.0", "info": {"title": "P", "version": "1"}, "x-amazon-apigateway-policy": "{\"Version\": \"2012-10-17\"}", "paths": {"/": {"get": {"x-amazon-apigateway-integration": {"type": "mock"}}}}}`,
		got:  func(a *API) any { return a.Policy },
		want: `{"Version": "2012-10-17"}`,
	}, {
		name: "a single binary media type string is a one-entry list",
		file: "binary.yaml",
		src:  "swagger: '2.0'\ninfo: {title: B, version: '1'}\nx-amazon-apigateway-binary-media-types: image/png\npaths:\n  /:\n    get:\n      x-amazon-apigateway-integration: {type: mock}\n",
		got:  func(a *API) any { return a.BinaryMediaTypes },
		want: []string{"image/png"},
	}, {
		name: "cors makes an HTTP API",
		file: "cors.yaml",
		src: `openapi: 3.0.1
info: {title: C, version: "1"}
x-amazon-apigateway-cors:
  allowOrigins: ["https://example.com"]
  allowMethods: [GET, OPTIONS]
  allowHeaders: [authorization]
  exposeHeaders: [x-request-id]
  allowCredentials: true
  maxAge: 3600
paths:
  /:
    get:
      x-amazon-apigateway-integration: {type: http_proxy, httpMethod: GET, uri: "https://example.com/", payloadFormatVersion: "1.0"}
`,
		got: func(a *API) any { return []any{a.Type, a.CORS} },
		want: []any{HTTP, &CORS{AllowOrigins: []string{"https://example.com"}, AllowMethods: []string{"GET", "OPTIONS"},
			AllowHeaders: []string{"authorization"}, ExposeHeaders: []string{"x-request-id"}, AllowCredentials: true, MaxAge: 3600}},
	}, {
		name: "unset extensions keep their zero values",
		file: "plain.yaml",
		src:  "swagger: '2.0'\ninfo: {title: P, version: '1'}\npaths:\n  /:\n    get:\n      x-amazon-apigateway-integration: {type: mock}\n",
		got: func(a *API) any {
			return []any{a.APIKeySource, a.BinaryMediaTypes, len(a.GatewayResponses), len(a.RequestValidators), a.RequestValidator,
				a.CORS, a.Policy, a.EndpointConfig, a.Documentation, a.MinimumCompression, method(a, "GET /").RequestValidator}
		},
		want: []any{"", []string(nil), 0, 0, "", (*CORS)(nil), nil, (*EndpointConfiguration)(nil), nil, (*int)(nil), ""},
	}})
}
