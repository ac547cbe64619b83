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
			Position: Position{Line: 10, Column: 5, Path: `paths["/"].get`}}, // the key "get:"
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
		name: "valid JSON that the YAML parser rejects (\\/ escapes, surrogate pairs) is read as JSON, with positions",
		file: "python.json",
		src: `{
  "swagger": "2.0",
  "info": {"title": "Pets \ud83d\udc36", "version": "1"},
  "paths": {"\/pets": {"get": {"x-amazon-apigateway-integration": {"type": "http_proxy", "httpMethod": "GET", "uri": "https:\/\/example.com\/pets", "timeoutInMilis": 100}}}}
}`,
		findings: []string{
			`python.json:4:149: warning: paths["/pets"].get.x-amazon-apigateway-integration.timeoutInMilis: unknown key "timeoutInMilis" in x-amazon-apigateway-integration is ignored by API Gateway (did you mean "timeoutInMillis"?)`,
		},
		got: func(a *API) any {
			m := method(a, "GET /pets")
			return []any{a.Title, routes(a), m.Integration.URI, m.Position, m.Integration.Position}
		},
		want: []any{"Pets \U0001F436", []string{"GET /pets"}, "https://example.com/pets",
			Position{Line: 4, Column: 24, Path: `paths["/pets"].get`}, Position{Line: 4, Column: 67, Path: `paths["/pets"].get.x-amazon-apigateway-integration`}},
	}, {
		name: "YAML anchors and aliases share an operation between methods",
		file: "alias.yaml",
		src:  swaggerHead + "paths:\n  /a:\n    get: &op\n      x-amazon-apigateway-integration: {type: http_proxy, httpMethod: ANY, uri: 'https://example.com/a'}\n    put: *op\n",
		got:  func(a *API) any { return []any{routes(a), integration(a, "GET /a"), integration(a, "PUT /a")} },
		want: []any{[]string{"GET /a", "PUT /a"},
			&Integration{Type: "HTTP_PROXY", HTTPMethod: "ANY", URI: "https://example.com/a"},
			&Integration{Type: "HTTP_PROXY", HTTPMethod: "ANY", URI: "https://example.com/a"}},
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
			{Line: 7, Column: 9, Path: `paths["/calc/{id}"].post.x-amazon-apigateway-integration`},
			{Line: 33, Column: 11, Path: `paths["/calc/{id}"].post.x-amazon-apigateway-integration.responses["4\\d{2}"]`},
			{Line: 37, Column: 11, Path: `paths["/calc/{id}"].post.x-amazon-apigateway-integration.responses.default`},
			{Line: 45, Column: 11, Path: `paths["/calc/{id}"].post.x-amazon-apigateway-integration.responses[".*Error.*"]`},
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
		// Was REST: an HTTP API whose integrations all use payload 1.0 was taken for a REST API (issue 15).
		// REST examples that carry it have something REST-only too (TestAPIType).
		name: "payloadFormatVersion 1.0 with nothing REST-only makes an HTTP API",
		file: "pfv.yaml",
		src: `openapi: 3.0.1
info: {title: T, version: "1"}
paths:
  /a:
    get:
      x-amazon-apigateway-integration: {type: aws_proxy, httpMethod: POST, uri: "` + lambdaCalcURI + `", payloadFormatVersion: "1.0"}
`,
		got:  func(a *API) any { return a.Type },
		want: HTTP,
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
			"/open":          {Type: "NONE"},                                                  // security: [] overrides the API-wide requirement
			"/inherited":     {Type: "CUSTOM", Authorizer: "requestAuth", Scopes: []string{}}, // the API-wide requirement
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
		want: Position{Line: 20, Column: 9, Path: "components.securitySchemes.jwtAuth.x-amazon-apigateway-authorizer"},
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
		got: func(a *API) any { return a.GatewayResponses },
		want: map[string]*GatewayResponse{
			"MISSING_AUTHENTICATION_TOKEN": {Type: "MISSING_AUTHENTICATION_TOKEN", StatusCode: "404",
				ResponseParameters: []KV{{"gatewayresponse.header.Access-Control-Allow-Origin", "'*'"}},
				ResponseTemplates:  []KV{{"application/json", `{"message": $context.error.messageString}`}},
				Position:           Position{Line: 6, Column: 3, Path: "x-amazon-apigateway-gateway-responses.MISSING_AUTHENTICATION_TOKEN"}},
			"DEFAULT_4XX": {Type: "DEFAULT_4XX",
				ResponseParameters: []KV{{"gatewayresponse.header.X-Error", "'1'"}},
				Position:           Position{Line: 12, Column: 3, Path: "x-amazon-apigateway-gateway-responses.DEFAULT_4XX"}},
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
		got: func(a *API) any { return []any{a.Policy, a.EndpointConfig, a.Documentation} },
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
			AllowHeaders: []string{"authorization"}, ExposeHeaders: []string{"x-request-id"}, AllowCredentials: true, MaxAge: new(3600)}},
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

// badCase is an input API Gateway would not import (or the emulator cannot serve as written), with every
// finding it must produce.
type badCase struct {
	name string   // what is wrong
	file string   // the name given to Parse; a .json name reports JSON syntax errors at JSON's offset
	src  string   // the spec
	opts Options  // import options
	want []string // every finding, in order, as Finding.String()
	api  bool     // whether an API is still returned (false: the file cannot be read as an API at all)
}

// swaggerHead and oas3Head start a valid document; the cases append the part that is wrong.
const (
	swaggerHead = "swagger: '2.0'\ninfo: {title: T, version: '1'}\n"
	oas3Head    = "openapi: 3.0.1\ninfo: {title: T, version: '1'}\n"
)

func TestBadInput(t *testing.T) {
	for _, tc := range []badCase{{
		name: "json syntax error, located at JSON's offset",
		file: "syntax.json",
		src:  "{\n  \"swagger\": \"2.0\",\n  \"info\": {\"title\": \"T\" \"version\": \"1\"}\n}\n",
		want: []string{`syntax.json:3:25: error: not valid JSON: invalid character '"' after object key:value pair; fix the syntax (an exported API definition is a JSON or YAML document)`},
	}, {
		name: "json syntax error after multi-byte characters: the column counts characters",
		file: "utf8.json",
		src:  "{\"info\": {\"title\": \"Café ☕\"] }",
		want: []string{`utf8.json:1:28: error: not valid JSON: invalid character ']' after object key:value pair; fix the syntax (an exported API definition is a JSON or YAML document)`},
	}, {
		name: "truncated json",
		file: "truncated.json",
		src:  "{\"swagger\": \"2.0\",\n",
		want: []string{`truncated.json:2:1: error: not valid JSON: unexpected end of JSON input; fix the syntax (an exported API definition is a JSON or YAML document)`},
	}, {
		name: "broken yaml: at the line indented wrongly (the YAML parser names the line before it)",
		file: "syntax.yaml",
		src:  "swagger: '2.0'\ninfo:\n  title: T\n version: '1'\n",
		want: []string{`syntax.yaml:4:2: error: neither YAML nor JSON: did not find expected key; check the indentation of this line: the keys of one mapping (and the items of one list) line up, and a nested value is indented more than its key`},
	}, {
		name: "yaml with a tab for indentation",
		file: "tab.yaml",
		src:  "swagger: '2.0'\ninfo:\n\ttitle: T\n",
		want: []string{`tab.yaml:3:1: error: neither YAML nor JSON: found character that cannot start any token; YAML does not allow tabs in indentation: indent with spaces`},
	}, {
		name: "empty file: a whole-file error has no position",
		file: "empty.yaml",
		src:  " \n\n",
		want: []string{`empty.yaml: error: the file is empty; expected an OpenAPI 3.0 or Swagger 2.0 document exported from API Gateway`},
	}, {
		name: "only a comment",
		file: "comment.yaml",
		src:  "# nothing here\n",
		want: []string{`comment.yaml: error: the file holds no document; expected an OpenAPI 3.0 or Swagger 2.0 document`},
	}, {
		name: "the document is a list",
		file: "list.yaml",
		src:  "- swagger: '2.0'\n",
		want: []string{"list.yaml:1:1: error: the document is a list, not an API definition: expected an object with `swagger: \"2.0\"` or `openapi: 3.0.x` at the top (an OpenAPI 3.0 or Swagger 2.0 document exported from API Gateway)"},
	}, {
		name: "the document is a string (a URL instead of a spec)",
		file: "url.yaml",
		src:  "https://example.com/openapi.yaml\n",
		want: []string{"url.yaml:1:1: error: the document is a string, not an API definition: expected an object with `swagger: \"2.0\"` or `openapi: 3.0.x` at the top (an OpenAPI 3.0 or Swagger 2.0 document exported from API Gateway)"},
	}, {
		name: "neither swagger nor openapi",
		file: "noversion.yaml",
		src:  "info: {title: T, version: '1'}\npaths: {}\n",
		want: []string{"noversion.yaml:1:1: error: not an OpenAPI document: it has neither `swagger: \"2.0\"` nor `openapi: 3.0.x` at the top; export the API from API Gateway (aws apigateway get-export --export-type oas30 --parameters extensions=apigateway)"},
	}, {
		name: "openapi 3.1",
		file: "oas31.yaml",
		src:  "openapi: 3.1.0\ninfo: {title: T, version: '1'}\npaths: {}\n",
		want: []string{`oas31.yaml:1:10: error: openapi: unsupported OpenAPI version "3.1.0"; API Gateway imports OpenAPI 3.0.x (and Swagger 2.0): change the version or export the API again`},
	}, {
		name: "swagger 3.0",
		file: "swagger3.json",
		src:  `{"swagger": "3.0", "info": {"title": "T", "version": "1"}, "paths": {}}`,
		want: []string{`swagger3.json:1:13: error: swagger: unsupported Swagger version "3.0"; API Gateway imports Swagger 2.0 and OpenAPI 3.0.x: write swagger: "2.0" (or openapi: 3.0.1 for an OpenAPI 3 document)`},
	}, {
		name: "x-amazon-apigateway-cors: what API Gateway refuses or never matches, each entry located",
		file: "cors.yaml",
		api:  true,
		src: oas3Head + `x-amazon-apigateway-cors:
  allowOrigins: ["*", "https://*.example.com", localhost:3000, "https://*"]
  allowCredentials: true
  allowMethods: [GET, get, "*"]
  allowHeaders: {a: b}
  maxAge: 100000
  allowOrigin: x
paths: {}
`,
		want: []string{
			`cors.yaml:4:18: error: x-amazon-apigateway-cors.allowOrigins[0]: allowCredentials is not supported with the allowOrigins entry *: API Gateway refuses this CORS configuration (allow-credentials is not supported if 'allow-origin' is *); list the origins instead`,
			`cors.yaml:4:23: warning: x-amazon-apigateway-cors.allowOrigins[1]: allowOrigins entry "https://*.example.com": API Gateway documents only *, http://* and https://* as wildcards; this entry never matches an origin, list the origins instead`,
			`cors.yaml:4:48: warning: x-amazon-apigateway-cors.allowOrigins[2]: allowOrigins entry "localhost:3000" is not an origin (scheme://host[:port]); browsers send origins like https://www.example.com, so it never matches`,
			`cors.yaml:6:23: warning: x-amazon-apigateway-cors.allowMethods[1]: allowMethods entry "get" is not an HTTP method API Gateway routes (GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS) nor *; preflights asking for it are refused`,
			`cors.yaml:7:17: error: x-amazon-apigateway-cors.allowHeaders: allowHeaders must be a list of strings, got an object`,
			`cors.yaml:8:11: error: x-amazon-apigateway-cors.maxAge: maxAge must be between -1 and 86400 seconds, got 100000 (API Gateway refuses it)`,
			`cors.yaml:9:3: warning: x-amazon-apigateway-cors.allowOrigin: unknown key "allowOrigin" in x-amazon-apigateway-cors is ignored by API Gateway (did you mean "allowOrigins"?)`,
		},
	}, {
		name: "servers is not a list: kin-openapi's error is located and says what it must be",
		file: "servers.yaml",
		src:  oas3Head + "servers: {url: https://example.com}\npaths: {}\n",
		want: []string{`servers.yaml:3:10: error: servers: not a valid OpenAPI document: servers must be a list, got an object; fix the value (API Gateway's import rejects it too)`},
	}, {
		name: "operation parameters are not a list",
		file: "params.yaml",
		src:  swaggerHead + "paths:\n  /a:\n    get:\n      parameters: 5\n",
		want: []string{`params.yaml:6:19: error: paths["/a"].get.parameters: parameters must be a list, got a number (5)`},
	}, {
		name: "a path item is not an object",
		file: "pathitem.yaml",
		src:  swaggerHead + "paths:\n  /a: 5\n",
		want: []string{`pathitem.yaml:4:7: error: paths["/a"]: a path item must be an object, got a number (5)`},
	}, {
		name: "a null path item (kin-openapi would crash on it)",
		file: "nullpath.yaml",
		src:  swaggerHead + "paths:\n  /a: ~\n",
		want: []string{`nullpath.yaml:4:7: error: paths["/a"]: a path item must be an object, got null`},
	}, {
		name: "null parameters and responses, each reported where it is",
		file: "nulls.yaml",
		src:  swaggerHead + "parameters: {p: ~}\npaths:\n  /a:\n    parameters: [~]\n    x-amazon-apigateway-any-method:\n      parameters: [{name: q, in: query, type: string}, ~]\n      responses: {'200': ~}\n",
		want: []string{
			`nulls.yaml:3:17: error: parameters.p: a parameter must be an object, got null`,
			`nulls.yaml:6:18: error: paths["/a"].parameters[0]: a parameter must be an object, got null`,
			`nulls.yaml:8:56: error: paths["/a"].x-amazon-apigateway-any-method.parameters[1]: a parameter must be an object, got null`,
			`nulls.yaml:9:26: error: paths["/a"].x-amazon-apigateway-any-method.responses.200: a response must be an object, got null`,
		},
	}, {
		name: "null component entries (oas3)",
		file: "nullcomp.json",
		src:  `{"openapi": "3.0.1", "info": {"title": "T", "version": "1"}, "paths": {}, "components": {"securitySchemes": {"a": null}}}`,
		want: []string{`nullcomp.json:1:115: error: components.securitySchemes.a: an entry of components.securitySchemes must be an object, got null`},
	}, {
		name: "a $ref to a parameter that is not defined (swagger)",
		file: "badref.yaml",
		src:  swaggerHead + "paths:\n  /a:\n    get:\n      parameters: [{$ref: '#/parameters/limit'}]\n",
		want: []string{`badref.yaml:6:27: error: paths["/a"].get.parameters[0].$ref: $ref "#/parameters/limit" does not resolve: define what it names in the document, or fix the reference`},
	}, {
		name: "a $ref to a schema that is not defined (oas3)",
		file: "badref.json",
		src:  "{\"openapi\": \"3.0.1\", \"info\": {\"title\": \"T\", \"version\": \"1\"},\n \"paths\": {\"/a\": {\"post\": {\"requestBody\": {\"content\": {\"application/json\": {\"schema\": {\"$ref\": \"#/components/schemas/Pet\"}}}}}}}}",
		want: []string{`badref.json:2:96: error: paths["/a"].post.requestBody.content["application/json"].schema.$ref: $ref "#/components/schemas/Pet" does not resolve: define what it names in the document, or fix the reference`},
	}, {
		name: "info.title is a number: kin-openapi's type error, located",
		file: "title.yaml",
		src:  "openapi: 3.0.1\ninfo: {title: 5, version: '1'}\npaths: {}\n",
		want: []string{`title.yaml:2:15: error: info.title: not a valid OpenAPI document: title must be a string, got a number (5); fix the value (API Gateway's import rejects it too)`},
	}, {
		name: "operation security is an object: kin-openapi's type error, located",
		file: "security.yaml",
		src:  oas3Head + "paths:\n  /a:\n    get:\n      security: {a: []}\n",
		want: []string{`security.yaml:6:17: error: paths["/a"].get.security: not a valid OpenAPI document: security must be a list, got an object; fix the value (API Gateway's import rejects it too)`},
	}, {
		name: "timeoutInMillis is not an integer",
		file: "timeout.yaml",
		src:  swaggerHead + "paths:\n  /a:\n    get:\n      x-amazon-apigateway-integration:\n        type: mock\n        timeoutInMillis: abc\n",
		want: []string{`timeout.yaml:8:26: error: paths["/a"].get.x-amazon-apigateway-integration.timeoutInMillis: timeoutInMillis must be an integer, got a string`},
		api:  true,
	}, {
		name: "timeoutInMillis below API Gateway's minimum",
		file: "timeout.json",
		src:  `{"swagger": "2.0", "info": {"title": "T", "version": "1"}, "paths": {"/a": {"get": {"x-amazon-apigateway-integration": {"type": "mock", "timeoutInMillis": 10}}}}}`,
		want: []string{`timeout.json:1:156: error: paths["/a"].get.x-amazon-apigateway-integration.timeoutInMillis: timeoutInMillis must be at least 50 (API Gateway's minimum), got 10`},
		api:  true,
	}, {
		name: "the integration is a string: one error, no second complaint that it is missing",
		file: "intstr.yaml",
		src:  swaggerHead + "paths:\n  /a:\n    get:\n      x-amazon-apigateway-integration: x\n",
		want: []string{`intstr.yaml:6:40: error: paths["/a"].get.x-amazon-apigateway-integration: x-amazon-apigateway-integration must be an object, got a string`},
		api:  true,
	}, {
		name: "binary media types is a number",
		file: "bmt.yaml",
		src:  swaggerHead + "x-amazon-apigateway-binary-media-types: 5\npaths: {}\n",
		want: []string{`bmt.yaml:3:41: error: x-amazon-apigateway-binary-media-types: x-amazon-apigateway-binary-media-types must be a list of strings, got a number (5)`},
		api:  true,
	}, {
		name: "a binary media type without a slash is reported at its own entry",
		file: "bmt2.yaml",
		src:  swaggerHead + "x-amazon-apigateway-binary-media-types: [image/png, ~, png]\npaths: {}\n",
		want: []string{`bmt2.yaml:3:56: error: x-amazon-apigateway-binary-media-types[2]: binary media type "png" is not a media type: write type/subtype, e.g. image/png or */*`},
		api:  true,
	}, {
		name: "a single binary media type string without a slash",
		file: "bmt3.yaml",
		src:  swaggerHead + "x-amazon-apigateway-binary-media-types: png\npaths: {}\n",
		want: []string{`bmt3.yaml:3:41: error: x-amazon-apigateway-binary-media-types: binary media type "png" is not a media type: write type/subtype, e.g. image/png or */*`},
		api:  true,
	}, {
		name: "requestTemplates is a list",
		file: "tmpl.yaml",
		src:  swaggerHead + "paths:\n  /a:\n    get:\n      x-amazon-apigateway-integration:\n        type: mock\n        requestTemplates:\n          - application/json\n",
		want: []string{`tmpl.yaml:9:11: error: paths["/a"].get.x-amazon-apigateway-integration.requestTemplates: requestTemplates must be an object, got a list`},
		api:  true,
	}, {
		name: "unknown integration type",
		file: "type.yaml",
		src:  swaggerHead + "paths:\n  /a:\n    get:\n      x-amazon-apigateway-integration:\n        type: lambda\n        httpMethod: POST\n        uri: arn:aws:lambda:us-east-1:123456789012:function:f\n",
		want: []string{`type.yaml:7:15: error: paths["/a"].get.x-amazon-apigateway-integration.type: unknown integration type "lambda"; use mock, http, http_proxy, aws or aws_proxy`},
		api:  true,
	}, {
		name: "integration without uri and httpMethod",
		file: "nouri.yaml",
		src:  swaggerHead + "paths:\n  /a:\n    get:\n      x-amazon-apigateway-integration: {type: aws_proxy}\n",
		want: []string{
			`nouri.yaml:6:40: error: paths["/a"].get.x-amazon-apigateway-integration: integration type AWS_PROXY needs httpMethod (the method API Gateway uses to call the backend; POST for Lambda)`,
			`nouri.yaml:6:40: error: paths["/a"].get.x-amazon-apigateway-integration: integration type AWS_PROXY needs uri (the backend URL, or the ARN of the Lambda function or AWS service action)`,
		},
		api: true,
	}, {
		name: "typo'd keys in the integration: warnings with did-you-mean",
		file: "typo.yaml",
		src:  swaggerHead + "paths:\n  /a:\n    get:\n      x-amazon-apigateway-integration:\n        type: mock\n        passthroughBehaviour: when_no_match\n        requestTemplate:\n          application/json: '{}'\n        frobnicate: true\n",
		want: []string{
			`typo.yaml:8:9: warning: paths["/a"].get.x-amazon-apigateway-integration.passthroughBehaviour: unknown key "passthroughBehaviour" in x-amazon-apigateway-integration is ignored by API Gateway (did you mean "passthroughBehavior"?)`,
			`typo.yaml:9:9: warning: paths["/a"].get.x-amazon-apigateway-integration.requestTemplate: unknown key "requestTemplate" in x-amazon-apigateway-integration is ignored by API Gateway (did you mean "requestTemplates"?)`,
			`typo.yaml:11:9: warning: paths["/a"].get.x-amazon-apigateway-integration.frobnicate: unknown key "frobnicate" in x-amazon-apigateway-integration is ignored by API Gateway`,
		},
		api: true,
	}, {
		name: "invalid requestParameters target and source",
		file: "mapping.yaml",
		src:  swaggerHead + "paths:\n  /a:\n    get:\n      x-amazon-apigateway-integration:\n        type: http\n        httpMethod: GET\n        uri: https://example.com/\n        requestParameters:\n          integration.request.body.name: method.request.querystring.name\n          integration.request.header.X-Name: method.request.query.name\n          integration.request.header.X-Ok: method.request.header.X-Ok\n",
		want: []string{
			`mapping.yaml:11:11: error: paths["/a"].get.x-amazon-apigateway-integration.requestParameters["integration.request.body.name"]: invalid mapping target "integration.request.body.name": use integration.request.{header|querystring|path|multivalueheader|multivaluequerystring}.<name>`,
			`mapping.yaml:12:46: error: paths["/a"].get.x-amazon-apigateway-integration.requestParameters["integration.request.header.X-Name"]: invalid mapping source "method.request.query.name": use method.request.{path|querystring|header|multivaluequerystring|multivalueheader}.<name>, method.request.body[.<JSONPath>], stageVariables.<name>, context.<name> or a 'quoted literal'`,
		},
		api: true,
	}, {
		name: "integration response without statusCode and with a bad response parameter",
		file: "resp.yaml",
		src:  swaggerHead + "paths:\n  /a:\n    get:\n      x-amazon-apigateway-integration:\n        type: mock\n        responses:\n          default:\n            responseParameters:\n              header.X-A: \"'1'\"\n          '5\\d{2}':\n            statusCode: 999\n",
		want: []string{
			`resp.yaml:10:13: error: paths["/a"].get.x-amazon-apigateway-integration.responses.default: integration response "default" needs statusCode (the method response it maps to)`,
			`resp.yaml:11:15: error: paths["/a"].get.x-amazon-apigateway-integration.responses.default.responseParameters["header.X-A"]: response parameter "header.X-A" must be method.response.header.<name>`,
			`resp.yaml:13:25: error: paths["/a"].get.x-amazon-apigateway-integration.responses["5\\d{2}"].statusCode: statusCode must be an HTTP status code (100-599), got "999"`,
		},
		api: true,
	}, {
		name: "a CloudFormation template: one error naming where the body is, not one per intrinsic",
		file: "template.yaml",
		src: `AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Handler: index.handler
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      DefinitionBody:
        swagger: '2.0'
        paths:
          /a:
            get:
              x-amazon-apigateway-integration:
                uri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations
`,
		want: []string{`template.yaml:1:1: error: this is a CloudFormation/SAM template, not an API definition: deploy it and export the API (aws apigateway get-export --parameters extensions=apigateway), then serve the export; the API definition is embedded at Resources.Api.Properties.DefinitionBody (line 13)`},
	}, {
		name: "a CloudFormation template in JSON with a RestApi Body",
		file: "template.json",
		src:  "{\n  \"Resources\": {\n    \"Api\": {\n      \"Type\": \"AWS::ApiGateway::RestApi\",\n      \"Properties\": {\"Body\": {\"openapi\": \"3.0.1\", \"paths\": {\"/a\": {\"get\": {\"x-amazon-apigateway-integration\": {\"uri\": {\"Fn::Sub\": \"${Fn.Arn}\"}}}}}}}\n    }\n  }\n}\n",
		want: []string{`template.json:1:1: error: this is a CloudFormation/SAM template, not an API definition: deploy it and export the API (aws apigateway get-export --parameters extensions=apigateway), then serve the export; the API definition is embedded at Resources.Api.Properties.Body (line 5)`},
	}, {
		name: "Fn::Sub map and !GetAtt tag: errors where they are",
		file: "intrinsics.yaml",
		src:  swaggerHead + "paths:\n  /a:\n    get:\n      x-amazon-apigateway-integration:\n        type: aws_proxy\n        httpMethod: POST\n        uri:\n          Fn::Sub: arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations\n        credentials: !GetAtt Role.Arn\n",
		want: []string{
			`intrinsics.yaml:10:11: error: paths["/a"].get.x-amazon-apigateway-integration.uri: CloudFormation intrinsic Fn::Sub cannot be served: it is resolved only when CloudFormation deploys the template; deploy the API and export it (aws apigateway get-export --parameters extensions=apigateway), or replace it with the literal value`,
			`intrinsics.yaml:11:22: error: paths["/a"].get.x-amazon-apigateway-integration.credentials: CloudFormation intrinsic !GetAtt cannot be served: it is resolved only when CloudFormation deploys the template; deploy the API and export it (aws apigateway get-export --parameters extensions=apigateway), or replace it with the literal value`,
		},
		api: true,
	}, {
		name: "!Sub tag: one error, its ${...} are not reported again as placeholders",
		file: "subtag.yaml",
		src:  swaggerHead + "paths:\n  /a:\n    get:\n      x-amazon-apigateway-integration:\n        type: aws_proxy\n        httpMethod: POST\n        uri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations\n",
		want: []string{`subtag.yaml:9:14: error: paths["/a"].get.x-amazon-apigateway-integration.uri: CloudFormation intrinsic !Sub cannot be served: it is resolved only when CloudFormation deploys the template; deploy the API and export it (aws apigateway get-export --parameters extensions=apigateway), or replace it with the literal value`},
		api:  true,
	}, {
		name: "template placeholders in a uri are errors, ${stageVariables.x} is fine",
		file: "placeholder.json",
		src:  "{\n  \"swagger\": \"2.0\",\n  \"info\": {\"title\": \"T\", \"version\": \"1\"},\n  \"paths\": {\n    \"/a\": {\"get\": {\"x-amazon-apigateway-integration\": {\n      \"type\": \"aws_proxy\", \"httpMethod\": \"POST\",\n      \"uri\": \"arn:aws:apigateway:${region}:lambda:path/2015-03-31/functions/${lambda_arn}/invocations\"}}},\n    \"/b\": {\"get\": {\"x-amazon-apigateway-integration\": {\n      \"type\": \"http_proxy\", \"httpMethod\": \"GET\",\n      \"uri\": \"https://${stageVariables.host}/b\"}}}\n  }\n}\n",
		want: []string{
			`placeholder.json:7:14: error: paths["/a"].get.x-amazon-apigateway-integration.uri: unresolved placeholder ${lambda_arn}: it is a template variable (Terraform, CloudFormation Fn::Sub), not a stage variable; substitute it before serving, or serve the API exported after deployment`,
			`placeholder.json:7:14: error: paths["/a"].get.x-amazon-apigateway-integration.uri: unresolved placeholder ${region}: it is a template variable (Terraform, CloudFormation Fn::Sub), not a stage variable; substitute it before serving, or serve the API exported after deployment`,
		},
		api: true,
	}, {
		name: "undefined request validator names, API-wide and on an operation",
		file: "validator.yaml",
		src:  swaggerHead + "x-amazon-apigateway-request-validators:\n  body: {validateRequestBody: true}\nx-amazon-apigateway-request-validator: all\npaths:\n  /a:\n    post:\n      x-amazon-apigateway-request-validator: bdy\n      x-amazon-apigateway-integration: {type: mock}\n",
		want: []string{
			`validator.yaml:5:40: error: x-amazon-apigateway-request-validator: request validator "all" is not defined in x-amazon-apigateway-request-validators; define it or fix the name`,
			`validator.yaml:9:46: error: paths["/a"].post.x-amazon-apigateway-request-validator: request validator "bdy" is not defined in x-amazon-apigateway-request-validators; define it or fix the name`,
		},
		api: true,
	}, {
		name: "$ref to a component integration that does not exist",
		file: "ref.yaml",
		src:  oas3Head + "paths:\n  /a:\n    get:\n      x-amazon-apigateway-integration:\n        $ref: '#/components/x-amazon-apigateway-integrations/missing'\ncomponents:\n  x-amazon-apigateway-integrations:\n    present: {type: mock}\n",
		want: []string{`ref.yaml:7:15: error: paths["/a"].get.x-amazon-apigateway-integration.$ref: integration reference "#/components/x-amazon-apigateway-integrations/missing" does not resolve; it must name an entry of components.x-amazon-apigateway-integrations`},
		api:  true,
	}, {
		name: "a method defined twice on a resource (duplicate key), with basepath=prepend",
		file: "dup.yaml",
		src:  swaggerHead + "basePath: /v1\npaths:\n  /a:\n    get:\n      x-amazon-apigateway-integration: {type: mock}\n    get:\n      x-amazon-apigateway-integration: {type: mock}\n",
		opts: Options{BasePathMode: BasePathPrepend},
		want: []string{`dup.yaml:8:5: error: paths["/a"]: duplicate key "get" (first at line 6): keep one of them; only one value can be used`},
		api:  true,
	}, {
		name: "a method defined twice, once in upper case",
		file: "dupcase.yaml",
		src:  swaggerHead + "paths:\n  /a:\n    get:\n      x-amazon-apigateway-integration: {type: mock}\n    GET:\n      x-amazon-apigateway-integration: {type: mock}\n",
		want: []string{`dupcase.yaml:7:5: error: paths["/a"].GET: method GET is defined twice for resource /a (after the base path is applied); remove one`},
		api:  true,
	}, {
		name: "a YAML alias inside the value it names",
		file: "cycle.yaml",
		src:  swaggerHead + "paths: &p\n  /a: *p\n",
		want: []string{`cycle.yaml:4:7: error: YAML alias *p is inside the value it names, so it never ends; replace the alias with the values it stands for`},
	}, {
		name: "YAML aliases of aliases that expand to millions of values",
		file: "laughs.yaml",
		src: swaggerHead + `x-a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]
x-b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]
x-c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]
x-d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]
x-e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]
x-f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]
x-g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]
paths: {}
`,
		want: []string{`laughs.yaml:1:1: error: YAML aliases expand this document by more than 200000 values (aliases of aliases); write the repeated parts out, or use fewer nested aliases`},
	}, {
		name: "api-key-source that is neither HEADER nor AUTHORIZER",
		file: "keysource.yaml",
		src:  swaggerHead + "x-amazon-apigateway-api-key-source: QUERY\npaths: {}\n",
		want: []string{`keysource.yaml:3:37: error: x-amazon-apigateway-api-key-source: x-amazon-apigateway-api-key-source must be HEADER or AUTHORIZER, got "QUERY"`},
		api:  true,
	}, {
		name: "authorizers: missing uri, unknown type, TTL out of range",
		file: "authorizers.yaml",
		src: swaggerHead + `securityDefinitions:
  a:
    type: apiKey
    name: Authorization
    in: header
    x-amazon-apigateway-authorizer: {type: token, authorizerResultTtlInSeconds: 7200}
  b:
    type: apiKey
    name: Authorization
    in: header
    x-amazon-apigateway-authorizer: {type: lambda, authorizerUri: arn}
paths: {}
`,
		want: []string{
			`authorizers.yaml:8:37: error: securityDefinitions.a.x-amazon-apigateway-authorizer: a TOKEN authorizer needs authorizerUri (the Lambda function's invocation ARN)`,
			`authorizers.yaml:8:81: error: securityDefinitions.a.x-amazon-apigateway-authorizer.authorizerResultTtlInSeconds: authorizerResultTtlInSeconds must be between 0 and 3600, got 7200`,
			`authorizers.yaml:13:44: error: securityDefinitions.b.x-amazon-apigateway-authorizer.type: unknown authorizer type "lambda"; use token, request, cognito_user_pools or jwt`,
		},
		api: true,
	}} {
		t.Run(tc.name, func(t *testing.T) {
			api, fs := Parse(tc.file, []byte(tc.src), tc.opts)
			if got := findingStrings(fs); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("findings:\n got %s\nwant %s", show(got), show(tc.want))
			}
			if (api != nil) != tc.api {
				t.Errorf("API returned: %v, want %v", api != nil, tc.api)
			}
			for _, f := range fs {
				if f.File != tc.file {
					t.Errorf("finding %q: File = %q", f, f.File)
				}
			}
		})
	}
}
