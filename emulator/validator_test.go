package emulator

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/apigw-local/apigw-local/emulator/internal/validator"
	"github.com/apigw-local/apigw-local/fixtures/authz"
	"github.com/apigw-local/apigw-local/internal/config"
	"github.com/apigw-local/apigw-local/internal/spec"
	"github.com/apigw-local/apigw-local/internal/testcorpus"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/getkin/kin-openapi/openapi3"
)

// validatorVectorSpec is the API of request-validation.json's LocalStack tests, as an OpenAPI definition:
// /nested/{test} with GET and POST behind a validator, a model testSchema for application/json, and the
// ref-models and oneOf-with-null models (reconstructed from the vectors' descriptions: an array of
// testSchema items, and an object whose status is null or a Status object). A MOCK integration stands for
// the vectors' Lambda: validation happens before any integration.
const validatorVectorSpec = `openapi: 3.0.1
info: {title: validators, version: "1"}
servers: [{url: /dev}]
x-amazon-apigateway-request-validators:
  all: {validateRequestBody: %[1]t, validateRequestParameters: %[1]t}
x-amazon-apigateway-request-validator: all
paths:
  /nested/{test}:
    get:
      parameters: %[2]s
      requestBody: {content: {application/json: {schema: {$ref: "#/components/schemas/testSchema"}}}}
      x-amazon-apigateway-integration: &mock
        type: mock
        requestTemplates: {application/json: '{"statusCode": 200}'}
        passthroughBehavior: when_no_templates
        responses: {default: {statusCode: "200", responseTemplates: {application/json: '{"data": "ok"}'}}}
    post:
      parameters: %[3]s
      requestBody: {content: {application/json: {schema: {$ref: "#/components/schemas/testSchema"}}}}
      x-amazon-apigateway-integration: *mock
  /refs:
    post:
      requestBody: {content: {application/json: {schema: {$ref: "#/components/schemas/ItemList"}}}}
      x-amazon-apigateway-integration: *mock
  /oneof:
    post:
      requestBody: {content: {application/json: {schema: {$ref: "#/components/schemas/StatusHolder"}}}}
      x-amazon-apigateway-integration: *mock
  /validation:
    get:
      parameters:
        - {in: query, name: q1, required: true, schema: {type: string}}
        - {in: header, name: h1, required: true, schema: {type: string}}
      x-amazon-apigateway-integration: *mock
components:
  schemas:
    testSchema:
      type: object
      properties: {a: {type: number}, b: {type: number}}
      required: [a, b]
    ItemList:
      type: array
      items: {$ref: "#/components/schemas/testSchema"}
    StatusHolder:
      type: object
      properties:
        status: {oneOf: [{type: "null"}, {$ref: "#/components/schemas/Status"}]}
      required: [status]
    Status:
      type: object
      properties: {code: {type: integer}}
      required: [code]
`

const vectorParams = `[{in: path, name: test, required: true, schema: {type: string}}, {in: query, name: qs1, required: true, schema: {type: string}}, {in: header, name: x-header-param, required: true, schema: {type: string}}]`

type validationVector struct {
	ID    string `json:"id"`
	Input struct {
		Setup         json.RawMessage `json:"setup"`
		ClientRequest struct {
			Method   string            `json:"method"`
			Path     string            `json:"path"`
			Headers  map[string]string `json:"headers"`
			JSONBody json.RawMessage   `json:"json_body"`
		} `json:"client_request"`
	} `json:"input"`
	Expected struct {
		Status     int             `json:"status"`
		ClientBody json.RawMessage `json:"client_body"`
	} `json:"expected"`
}

// Every vector of request-validation.json, end to end over HTTP.
func TestRequestValidationVectors(t *testing.T) {
	t.Parallel()
	var file struct{ Vectors []validationVector }
	if err := json.Unmarshal(testcorpus.Vectors("request-validation.json"), &file); err != nil {
		t.Fatal(err)
	}
	if len(file.Vectors) != 14 {
		t.Fatalf("%d vectors, want 14", len(file.Vectors))
	}
	for _, v := range file.Vectors {
		t.Run(v.ID, func(t *testing.T) {
			t.Parallel()
			var setup struct {
				RequestValidator struct{ ValidateRequestBody bool } `json:"requestValidator"`
				PostParams       map[string]bool                    `json:"requestParameters_POST"`
			}
			enabled := true
			if v.Input.Setup[0] == '{' {
				if err := json.Unmarshal(v.Input.Setup, &setup); err != nil {
					t.Fatal(err)
				}
				enabled = setup.RequestValidator.ValidateRequestBody
			}
			postParams := vectorParams
			if setup.PostParams != nil { // the POST's parameters as the LocalStack test changes them
				postParams = `[{in: header, name: x-header-param, required: true}, {in: path, name: issuer, required: true}, {in: query, name: qs1, required: true}]`
			}
			gw, _ := newGateway(t, fmt.Sprintf(validatorVectorSpec, enabled, vectorParams, postParams), "")
			cr := v.Input.ClientRequest
			path := cr.Path
			switch {
			case strings.HasPrefix(v.ID, "validator-with_ref_models"):
				path = "/refs"
			case strings.HasPrefix(v.ID, "validator-with_ref_one_ofmodels"):
				path = "/oneof"
			}
			headers := map[string]string{}
			for k, val := range cr.Headers {
				headers[k] = val
			}
			if v.ID == "validator-docs-blank-param" {
				// The docs' example sends h1 (its message names only q1); the vector leaves the header out.
				headers["h1"] = "v"
			}
			body := ""
			if cr.JSONBody != nil {
				body = string(cr.JSONBody)
				headers["Content-Type"] = "application/json"
			}
			r := do(t, cr.Method, gw.URL+"/dev"+path, headers, body)
			if r.status != v.Expected.Status {
				t.Fatalf("status %d, want %d: %s", r.status, v.Expected.Status, r.body)
			}
			var want map[string]string
			if json.Unmarshal(v.Expected.ClientBody, &want) != nil {
				return // "passes": the status is the whole expectation
			}
			var got map[string]string
			if err := json.Unmarshal(r.body, &got); err != nil || got["message"] != want["message"] || got["data"] != want["data"] {
				t.Errorf("body %s, want %s", r.body, v.Expected.ClientBody)
			}
			if want["message"] != "" {
				// API Gateway's own spelling, with a space after the colon (reference §a.1).
				if wantBody := `{"message": "` + want["message"] + `"}`; string(r.body) != wantBody {
					t.Errorf("body %s, want %s", r.body, wantBody)
				}
			}
		})
	}
}

const validatorSpec = `swagger: "2.0"
info: {title: v, version: "1"}
basePath: /dev
x-amazon-apigateway-request-validators:
  all: {validateRequestBody: true, validateRequestParameters: true}
  params: {validateRequestBody: false, validateRequestParameters: true}
  body: {validateRequestBody: true, validateRequestParameters: false}
x-amazon-apigateway-request-validator: all
x-amazon-apigateway-gateway-responses:
  BAD_REQUEST_BODY:
    responseTemplates:
      application/json: '{"message": $context.error.messageString, "detail": "$context.error.validationErrorString", "type": "$context.error.responseType"}'
paths:
  /tree:
    post:
      parameters:
        - {in: query, name: q, required: true, type: string}
        - {in: body, name: b, required: true, schema: {$ref: "#/definitions/Node"}}
      x-amazon-apigateway-integration: &mock
        type: mock
        requestTemplates: {application/json: '{"statusCode": 200}', text/plain: '{"statusCode": 200}'}
        passthroughBehavior: when_no_templates
        responses: {default: {statusCode: "200", responseTemplates: {application/json: '{"data": "ok"}'}}}
  /body-only:
    post:
      x-amazon-apigateway-request-validator: body
      parameters:
        - {in: query, name: q, required: true, type: string}
        - {in: body, name: b, required: true, schema: {$ref: "#/definitions/Node"}}
      x-amazon-apigateway-integration: *mock
  /pattern:
    post:
      parameters:
        - {in: body, name: b, required: true, schema: {type: object, properties: {id: {type: string, pattern: "^(?!tmp-)[a-z-]+$"}}}}
      x-amazon-apigateway-integration: *mock
definitions:
  Node:
    type: object
    required: [name]
    properties:
      name: {type: string, enum: [a, b]}
      size: {type: integer}
      children: {type: array, items: {$ref: "#/definitions/Node"}}
      parent: {oneOf: [{type: "null"}, {$ref: "#/definitions/Node"}]}
      note: {}
`

// Parameters before the body, missing Content-Type as application/json, circular $ref, oneOf with null,
// ECMA 262 patterns, the BAD_REQUEST_BODY customisation with validationErrorString, and the log line.
func TestRequestValidation(t *testing.T) {
	t.Parallel()
	gw, _ := newGateway(t, validatorSpec, "")
	cases := []struct {
		name, method, path, contentType, body string
		status                                int
		wantBody                              string
	}{
		{"parameters before the body", "POST", "/tree", "application/json", `nonsense`, 400,
			`{"message": "Missing required request parameters: [q]"}`},
		{"blank parameter is missing", "POST", "/tree?q=", "application/json", `{"name": "a"}`, 400,
			`{"message": "Missing required request parameters: [q]"}`},
		{"valid", "POST", "/tree?q=1", "application/json", `{"name": "a", "note": null, "children": [{"name": "b", "parent": {"name": "a"}}]}`, 200, `{"data": "ok"}`},
		{"charset parameter ignored", "POST", "/tree?q=1", "application/json; charset=utf-8", `{"name": "a"}`, 200, `{"data": "ok"}`},
		{"circular $ref checked deep", "POST", "/tree?q=1", "application/json", `{"name": "a", "children": [{"name": "b", "children": [{"size": 1}]}]}`, 400,
			`{"message": "Invalid request body", "detail": "[object has missing required properties (["name"])]", "type": "BAD_REQUEST_BODY"}`},
		{"oneOf with null: null", "POST", "/tree?q=1", "application/json", `{"name": "a", "parent": null}`, 200, `{"data": "ok"}`},
		{"oneOf with null: neither", "POST", "/tree?q=1", "application/json", `{"name": "a", "parent": 3}`, 400, ""},
		{"a typed schema refuses null (draft 4)", "POST", "/tree?q=1", "application/json", `{"name": "a", "size": null}`, 400, ""},
		{"missing Content-Type is application/json", "POST", "/tree?q=1", "", `{"size": 1}`, 400, ""},
		{"missing Content-Type, valid JSON", "POST", "/tree?q=1", "", `{"name": "b"}`, 200, `{"data": "ok"}`},
		{"type and enum", "POST", "/tree?q=1", "application/json", `{"name": "c", "size": "big"}`, 400,
			`{"message": "Invalid request body", "detail": "[instance value ("c") not found in enum (possible values: ["a","b"]), instance type (string) does not match any allowed primitive type (allowed: ["integer"])]", "type": "BAD_REQUEST_BODY"}`},
		{"a content type without a model is not validated", "POST", "/tree?q=1", "text/plain", `not json`, 200, `{"data": "ok"}`},
		{"body-only validator ignores parameters", "POST", "/body-only", "application/json", `{"name": "a"}`, 200, `{"data": "ok"}`},
		{"body-only validator checks the body", "POST", "/body-only", "application/json", `{}`, 400, ""},
		{"ECMA 262 lookahead pattern: passes", "POST", "/pattern", "application/json", `{"id": "keep-me"}`, 200, `{"data": "ok"}`},
		{"ECMA 262 lookahead pattern: fails", "POST", "/pattern", "application/json", `{"id": "tmp-x"}`, 400, ""},
	}
	for _, c := range cases {
		h := map[string]string{}
		if c.contentType != "" {
			h["Content-Type"] = c.contentType
		}
		r := do(t, c.method, gw.URL+"/dev"+c.path, h, c.body)
		if r.status != c.status || c.wantBody != "" && string(r.body) != c.wantBody {
			t.Errorf("%s: %d %s, want %d %s", c.name, r.status, r.body, c.status, c.wantBody)
		}
	}
}

// The access log line says why validation refused a request.
func TestRequestValidationLogLine(t *testing.T) {
	t.Parallel()
	snap := loadFiles(t, t.TempDir(), validatorSpec, "")
	log := &syncWriter{}
	g := NewGateway(snap, NewAccessLog(log, LogText, false))
	srv := httptest.NewServer(g)
	t.Cleanup(srv.Close)
	do(t, "POST", srv.URL+"/dev/tree", nil, "{}")
	do(t, "POST", srv.URL+"/dev/tree?q=1", map[string]string{"Content-Type": "application/json"}, `{"size": 1}`)
	srv.Close()
	out := log.String()
	for _, want := range []string{
		`BAD_REQUEST_PARAMETERS request validator "all": missing q`,
		`BAD_REQUEST_BODY request validator "all": body does not match model Node: [object has missing required properties (["name"])]`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "not enforced") {
		t.Errorf("log still says validators are not enforced:\n%s", out)
	}
}

// A model that cannot be compiled is a build finding, and its method answers 500 rather than serve
// unvalidated bodies.
func TestRequestValidationBrokenModelFailsClosed(t *testing.T) {
	t.Parallel()
	specYAML := strings.Replace(validatorSpec, `pattern: "^(?!tmp-)[a-z-]+$"`, `pattern: "([a-z"`, 1)
	l := loadFilesFindings(t, t.TempDir(), specYAML, "")
	if !strings.Contains(l.Findings.Error(), `POST /pattern: request validator "all": the model application/json for application/json cannot be compiled`) {
		t.Errorf("findings lack the broken model:\n%s", l.Findings.Error())
	}
	snap, err := l.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(NewGateway(snap, nil))
	t.Cleanup(srv.Close)
	if r := do(t, "POST", srv.URL+"/dev/pattern", nil, `{"id": "x"}`); r.status != 500 {
		t.Errorf("broken model: %d %s, want 500", r.status, r.body)
	}
	if r := do(t, "POST", srv.URL+"/dev/tree?q=1", nil, `{"name": "a"}`); r.status != 200 {
		t.Errorf("other methods: %d %s, want 200", r.status, r.body)
	}
}

// Every corpus spec that declares validators serves one request that passes validation and one that fails
// it: a method with a validator gets its required parameters and a body made from its model (passes), then
// the same request without a parameter, or with a body of the wrong type (fails).
func TestCorpusRequestValidators(t *testing.T) {
	t.Parallel()
	files, _ := filepath.Glob(filepath.Join(testcorpus.Specs(t), "*.*"))
	specs := 0
	for _, f := range files {
		if filepath.Ext(f) == ".md" {
			continue
		}
		api, fs := spec.Load(f, spec.Options{})
		if api != nil && fs.HasErrors() && len(api.RequestValidators) > 0 {
			// CloudFormation intrinsics and Terraform placeholders, resolved as a deployment would.
			api, fs = spec.Load(deployed(t, f, false), spec.Options{})
			if fs.HasErrors() {
				t.Errorf("%s: declares validators but cannot be served even deployed:\n%s", filepath.Base(f), fs.Error())
				continue
			}
		}
		if api == nil || fs.HasErrors() || len(api.RequestValidators) == 0 {
			continue
		}
		specs++
		snap, _, err := Build([]*spec.API{api}, nil)
		if err != nil {
			t.Errorf("%s: %v", filepath.Base(f), err)
			continue
		}
		g := NewGateway(snap, nil)
		srv := httptest.NewServer(g)
		passed, failed, reachable := false, false, false
		for _, a := range snap.APIs {
			stage := a.StageNames[0]
			prefix := "/" + stage
			if stage == config.DefaultHTTPStage {
				prefix = ""
			}
			for _, rt := range a.Tree.Routes() {
				r := rt.Value
				v := r.validator
				custom := r.Method.AuthorizationType == "CUSTOM" && r.authorizer != nil && r.authorizer.FunctionName() != ""
				if v == nil || r.Method.AuthorizationType != "NONE" && !custom || r.Method.APIKeyRequired || v.Broken() != "" {
					continue
				}
				if custom { // a Lambda authorizer that lets the request through, so that validation is reached
					g.RegisterHandler(r.authorizer.FunctionName(), lambda.NewHandler(func(ctx context.Context, e struct {
						MethodArn string `json:"methodArn"`
					}) (*authz.Answer, error) {
						return authz.Decide("REQUEST", "allow-all", e.MethodArn)
					}))
				}
				reachable = true
				method := rt.Method
				if method == "ANY" {
					method = "POST"
				}
				path := regexp.MustCompile(`\{[^}]+\+\}`).ReplaceAllString(rt.Resource, "a/b")
				path = regexp.MustCompile(`\{[^}]+\}`).ReplaceAllString(path, "x1")
				query, header := []string{}, map[string]string{"Content-Type": "application/json", "Authorization": "allow-all"}
				var required []spec.Parameter
				for _, p := range r.Method.Parameters {
					if !p.Required {
						continue
					}
					switch p.In {
					case "querystring":
						query = append(query, p.Name+"=x1")
						required = append(required, p)
					case "header":
						header[p.Name] = "x1"
						required = append(required, p)
					}
				}
				body := "{}"
				var schema *openapi3.Schema
				for _, m := range r.Method.RequestModels {
					if m.ContentType == "application/json" {
						schema = m.Schema
					}
				}
				if schema != nil {
					b, _ := json.Marshal(sample(schema, 0))
					body = string(b)
				}
				u := srv.URL + prefix + path + "?" + strings.Join(query, "&")
				res := do(t, method, u, header, body)
				// Past validation: the integration answered (a Lambda not configured here answers 500 after it).
				if !isValidationAnswer(res) && res.status != 401 && res.status != 403 && res.status != 429 {
					passed = true
				} else {
					t.Logf("%s %s %s: the sample request was refused: %s (body %s)", filepath.Base(f), method, rt.Resource, res.body, body)
				}
				// Now one that must fail.
				bad := res
				switch {
				case len(required) > 0:
					p := required[0]
					if p.In == "header" {
						delete(header, p.Name)
					} else {
						u = srv.URL + prefix + path + "?" + strings.Join(query[1:], "&")
					}
					bad = do(t, method, u, header, body)
				case schema != nil:
					bad = do(t, method, u, header, badSample(schema))
				}
				if isValidationAnswer(bad) {
					failed = true
				}
			}
		}
		srv.Close()
		g.Close()
		if !reachable {
			// Every validated method is behind an API key or an authorizer the test cannot stand in for.
			t.Logf("%s: skipped: no validated method can be reached without credentials", filepath.Base(f))
			continue
		}
		if !passed || !failed {
			t.Errorf("%s: a request that passes validation: %v, one that fails it: %v", filepath.Base(f), passed, failed)
		}
	}
	t.Logf("%d corpus specs declare validators", specs)
	if specs < 5 {
		t.Errorf("only %d corpus specs declare validators", specs)
	}
}

func isValidationAnswer(r result) bool {
	// Case-insensitively: a customised BAD_REQUEST_BODY may word it so ("Invalid Request Body": ...).
	body := strings.ToLower(string(r.body))
	return r.status == 400 && (strings.Contains(body, "invalid request body") || strings.Contains(body, "missing required request parameters"))
}

// sample makes a value the schema accepts, for the schemas of the corpus (required properties, types,
// enums, lengths and counts); it is test data, not a validator.
func sample(s *openapi3.Schema, depth int) any {
	if s == nil || depth > 8 {
		return nil
	}
	if len(s.Enum) > 0 {
		return s.Enum[0]
	}
	for _, alts := range [][]*openapi3.SchemaRef{s.OneOf, s.AnyOf} {
		if len(alts) > 0 && alts[0].Value != nil {
			return sample(alts[len(alts)-1].Value, depth+1)
		}
	}
	typ := ""
	if s.Type != nil && len(s.Type.Slice()) > 0 {
		typ = s.Type.Slice()[0]
	} else if len(s.Properties) > 0 || len(s.Required) > 0 {
		typ = "object"
	}
	switch typ {
	case "object":
		o := map[string]any{}
		for _, name := range s.Required {
			if p := s.Properties[name]; p != nil {
				o[name] = sample(p.Value, depth+1)
			} else {
				o[name] = "x"
			}
		}
		for _, all := range s.AllOf {
			if m, ok := sample(all.Value, depth+1).(map[string]any); ok {
				for k, v := range m {
					o[k] = v
				}
			}
		}
		return o
	case "array":
		var a []any
		for i := uint64(0); i < max(s.MinItems, 1); i++ {
			if s.Items != nil {
				a = append(a, sample(s.Items.Value, depth+1))
			}
		}
		if a == nil {
			a = []any{}
		}
		return a
	case "string":
		switch s.Format {
		case "date-time":
			return "2024-01-01T00:00:00Z"
		case "date":
			return "2024-01-01"
		case "email":
			return "a@example.com"
		}
		return strings.Repeat("x", int(max(s.MinLength, 1)))
	case "integer", "number":
		if s.Min != nil {
			return *s.Min + 1
		}
		return 1
	case "boolean":
		return true
	}
	return nil
}

// badSample is a body of the wrong JSON type for the schema.
func badSample(s *openapi3.Schema) string {
	if s.Type != nil && s.Type.Is("string") {
		return "123"
	}
	return `"not the model"`
}

// benchOrderSpec has the model of a typical JSON request: an order with a customer, an address and a few
// lines, as a 1 KB body.
const benchOrderSpec = `openapi: 3.0.1
info: {title: bench, version: "1"}
x-amazon-apigateway-request-validators: {all: {validateRequestBody: true, validateRequestParameters: true}}
x-amazon-apigateway-request-validator: all
paths:
  /orders:
    post:
      requestBody: {content: {application/json: {schema: {$ref: "#/components/schemas/Order"}}}}
      x-amazon-apigateway-integration: {type: mock, requestTemplates: {application/json: '{"statusCode": 200}'}}
components:
  schemas:
    Order:
      type: object
      required: [orderId, customer, lines, currency]
      properties:
        orderId: {type: string, minLength: 1, maxLength: 64}
        currency: {type: string, enum: [EUR, USD, GBP]}
        note: {type: string, maxLength: 500}
        customer:
          type: object
          required: [name, email]
          properties:
            name: {type: string}
            email: {type: string}
            phone: {type: string}
            address:
              type: object
              properties: {street: {type: string}, city: {type: string}, zip: {type: string}, country: {type: string, minLength: 2, maxLength: 2}}
        lines:
          type: array
          minItems: 1
          items:
            type: object
            required: [sku, quantity, price]
            properties: {sku: {type: string}, quantity: {type: integer, minimum: 1}, price: {type: number, minimum: 0}, gift: {type: boolean}}
`

const benchOrderBody = `{"orderId": "ord-2024-000123", "currency": "EUR",
 "note": "Please deliver between 9 and 5; ring the bell twice. Leave with the neighbour at number 12 if nobody answers. Fragile items inside, handle with care.",
 "customer": {"name": "Ada Lovelace", "email": "ada@example.com", "phone": "+44 20 7946 0000",
  "address": {"street": "12 St James's Square", "city": "London", "zip": "SW1Y 4JH", "country": "GB"}},
 "lines": [
  {"sku": "BOOK-ANALYTICAL-ENGINE", "quantity": 1, "price": 39.5, "gift": true},
  {"sku": "PEN-FOUNTAIN-BLACK", "quantity": 2, "price": 12.25, "gift": false},
  {"sku": "NOTEBOOK-A5-DOTTED", "quantity": 3, "price": 7.99, "gift": false},
  {"sku": "INK-BOTTLE-BLUE-50ML", "quantity": 1, "price": 9.0, "gift": false},
  {"sku": "BOOKMARK-BRASS", "quantity": 4, "price": 3.75, "gift": true},
  {"sku": "STICKER-PACK-GEARS", "quantity": 5, "price": 1.5, "gift": false},
  {"sku": "POSTCARD-BABBAGE-PORTRAIT", "quantity": 2, "price": 0.95, "gift": true}
 ]}`

// BenchmarkValidateBody is the body validation of a request against its model (issue 16 target: 10 µs or
// less for a typical 1 KB JSON body): "order" is that typical body, "tree" a 1 KB body of 20 nested objects
// against a recursive model, the costlier shape.
func BenchmarkValidateBody(b *testing.B) {
	var children []string
	for i := 0; len(strings.Join(children, ",")) < 950; i++ {
		children = append(children, fmt.Sprintf(`{"name": "b", "size": %d, "children": []}`, i))
	}
	tree := `{"name": "a", "size": 1, "children": [` + strings.Join(children, ",") + `]}`
	for _, c := range []struct{ name, spec, resource, body string }{
		{"order", benchOrderSpec, "/orders", benchOrderBody},
		{"tree", validatorSpec, "/tree", tree},
	} {
		b.Run(c.name, func(b *testing.B) {
			snap := loadFiles(b, b.TempDir(), c.spec, "")
			var v *validator.Validator
			for _, rt := range snap.APIs[0].Tree.Routes() {
				if rt.Resource == c.resource {
					v = rt.Value.validator
				}
			}
			body := []byte(c.body)
			if len(body) < 950 || len(body) > 1100 {
				b.Fatalf("body is %d bytes", len(body))
			}
			if gerr := v.Body("application/json", body); gerr != nil {
				b.Fatal(gerr)
			}
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				if gerr := v.Body("application/json", body); gerr != nil {
					b.Fatal(gerr)
				}
			}
		})
	}
}
