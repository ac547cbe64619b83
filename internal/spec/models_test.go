package spec

import "testing"

// Request models: OpenAPI 3 requestBody content, and Swagger 2 body parameters, whose definitions keep the
// oneOf that kin-openapi's Swagger reader drops; a body parameter without consumes is application/json.
func TestRequestModels(t *testing.T) {
	for _, c := range []struct{ name, doc, wantType, wantModel string }{
		{"openapi 3", `openapi: 3.0.1
info: {title: t, version: "1"}
paths:
  /a:
    post:
      requestBody: {content: {application/json: {schema: {$ref: "#/components/schemas/Node"}}}}
      x-amazon-apigateway-integration: {type: mock}
components:
  schemas:
    Node: {type: object, properties: {p: {oneOf: [{type: "null"}, {$ref: "#/components/schemas/Node"}]}}}
`, "application/json", "Node"},
		{"swagger 2", `swagger: "2.0"
info: {title: t, version: "1"}
paths:
  /a:
    post:
      parameters: [{in: body, name: b, schema: {$ref: "#/definitions/Node"}}]
      x-amazon-apigateway-integration: {type: mock}
definitions:
  Node: {type: object, properties: {p: {oneOf: [{type: "null"}, {$ref: "#/definitions/Node"}]}}}
`, "application/json", "Node"},
	} {
		api, fs := Parse("x.yaml", []byte(c.doc), Options{})
		if fs.HasErrors() {
			t.Fatalf("%s: %v", c.name, fs)
		}
		ms := api.Resources[0].Methods[0].RequestModels
		if len(ms) != 1 || ms[0].ContentType != c.wantType || ms[0].Model != c.wantModel || ms[0].Schema == nil {
			t.Fatalf("%s: models %+v", c.name, ms)
		}
		p := ms[0].Schema.Properties["p"]
		if p == nil || len(p.Value.OneOf) != 2 || p.Value.OneOf[1].Value != ms[0].Schema {
			t.Errorf("%s: the oneOf with its circular reference is not kept: %+v", c.name, p)
		}
	}
}
