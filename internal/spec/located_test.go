package spec

import (
	"reflect"
	"testing"
)

// TestLocatedErrors checks that errors are reported at the offending line and column: syntax errors at the
// text that breaks the file (not where the YAML parser's message puts it), duplicate keys at the
// repetition, and $ref problems at the $ref (not at the top of the file, where kin-openapi's error leaves
// them).
func TestLocatedErrors(t *testing.T) {
	for _, tc := range []struct {
		name string   // what is wrong
		file string   // the file name: .json files are read as JSON
		src  string   // the spec
		want []string // every finding, in order
	}{{
		name: "unclosed quote: at the opening quote (the parser names line 2, where the next quote closes it)",
		file: "quote.yaml",
		src:  "swagger: '2.0\ninfo: {title: T, version: '1'}\npaths: {}\n",
		want: []string{`quote.yaml:1:10: error: neither YAML nor JSON: did not find expected key; the quoted string that starts here is not closed on its line, so it runs on to line 2, where the file breaks: add the closing '`},
	}, {
		name: "unclosed quote in an integration uri",
		file: "quote2.yaml",
		src:  swaggerHead + "paths:\n  /a:\n    get:\n      x-amazon-apigateway-integration:\n        type: http_proxy\n        uri: \"https://example.com/a\n        httpMethod: GET\n",
		want: []string{`quote2.yaml:8:14: error: neither YAML nor JSON: found unexpected end of stream; the quoted string that starts here is not closed: add the closing "`},
	}, {
		name: "a method indented one space too far: at that line",
		file: "indent.yaml",
		src:  swaggerHead + "paths:\n  /a:\n    get:\n      responses: {}\n     post:\n      responses: {}\n",
		want: []string{`indent.yaml:7:6: error: neither YAML nor JSON: did not find expected key; check the indentation of this line: the keys of one mapping (and the items of one list) line up, and a nested value is indented more than its key`},
	}, {
		name: "a key indented under a plain value",
		file: "indent2.yaml",
		src:  swaggerHead + "paths:\n  /a:\n    get:\n      summary: hello\n        description: world\n",
		want: []string{`indent2.yaml:7:9: error: neither YAML nor JSON: mapping values are not allowed in this context; check the indentation of this line: the keys of one mapping (and the items of one list) line up, and a nested value is indented more than its key`},
	}, {
		name: "duplicate key in a YAML spec: at the second one",
		file: "dup.yaml",
		src:  swaggerHead + "paths:\n  /a:\n    get:\n      x-amazon-apigateway-integration:\n        type: mock\n        type: mock\n",
		want: []string{`dup.yaml:8:9: error: paths["/a"].get.x-amazon-apigateway-integration: duplicate key "type" (first at line 7): keep one of them; only one value can be used`},
	}, {
		name: "duplicate key in a JSON spec",
		file: "dup.json",
		src:  "{\"swagger\": \"2.0\", \"info\": {\"title\": \"T\", \"version\": \"1\"},\n \"paths\": {\n  \"/a\": {\"get\": {}},\n  \"/a\": {\"put\": {}}\n }\n}\n",
		want: []string{
			`dup.json:3:17: warning: paths["/a"].get: GET has no x-amazon-apigateway-integration: API Gateway imports the method but answers 500 (no integration) until one is set`,
			`dup.json:4:3: error: paths: duplicate key "/a" (first at line 3): keep one of them; only one value can be used`,
			`dup.json:4:17: warning: paths["/a"].put: PUT has no x-amazon-apigateway-integration: API Gateway imports the method but answers 500 (no integration) until one is set`,
		},
	}, {
		name: "a $ref that names nothing, in JSON: at the $ref",
		file: "ref.json",
		src:  "{\"openapi\": \"3.0.1\", \"info\": {\"title\": \"T\", \"version\": \"1\"},\n \"paths\": {\"/a\": {\"get\": {\n  \"responses\": {\"200\": {\"$ref\": \"#/components/responses/Ok\"}}}}}}\n",
		want: []string{`ref.json:3:33: error: paths["/a"].get.responses.200.$ref: $ref "#/components/responses/Ok" does not resolve: define what it names in the document, or fix the reference`},
	}, {
		name: "a $ref to a schema property that does not exist",
		file: "ref.yaml",
		src:  oas3Head + "paths: {}\ncomponents:\n  schemas:\n    A: {type: object}\n    B:\n      $ref: '#/components/schemas/A/properties/b'\n",
		want: []string{`ref.yaml:8:13: error: components.schemas.B.$ref: $ref "#/components/schemas/A/properties/b" does not resolve: define what it names in the document, or fix the reference`},
	}, {
		name: "a $ref to another file that is not there",
		file: "external.yaml",
		src:  oas3Head + "paths:\n  /a:\n    get:\n      parameters:\n        - $ref: 'common.yaml#/components/parameters/P'\n",
		want: []string{`external.yaml:7:17: error: paths["/a"].get.parameters[0].$ref: $ref "common.yaml#/components/parameters/P": cannot read common.yaml (no such file or directory); refer to a file beside the spec or below it`},
	}, {
		name: "a $ref without #/",
		file: "fragment.yaml",
		src:  oas3Head + "paths:\n  /a:\n    get:\n      parameters: [{$ref: '#components/parameters/P'}]\n",
		want: []string{`fragment.yaml:6:27: error: paths["/a"].get.parameters[0].$ref: $ref "#components/parameters/P" is not a reference into this document: a reference starts with "#/", e.g. "#/components/schemas/Pet"`},
	}, {
		name: "a parameter $ref that names a schema",
		file: "kind.yaml",
		src:  oas3Head + "paths:\n  /a:\n    get:\n      parameters:\n        - $ref: '#/components/schemas/S'\ncomponents:\n  schemas:\n    S: {type: string}\n",
		want: []string{`kind.yaml:7:17: error: paths["/a"].get.parameters[0].$ref: $ref "#/components/schemas/S" does not name a parameter: point it at one (API Gateway's import rejects it too)`},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			_, fs := Parse(tc.file, []byte(tc.src), Options{})
			if got := findingStrings(fs); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("findings:\n got %s\nwant %s", show(got), show(tc.want))
			}
		})
	}
}

// TestGatewayResponseHeaderKeys checks the responseParameters keys of gateway responses: only
// gatewayresponse.header.<Name>, with Name an HTTP header name, sets a header; every other key is reported at
// the key itself and left out of the model, so that no response carries a header named after a typo.
func TestGatewayResponseHeaderKeys(t *testing.T) {
	const head = swaggerHead + "paths: {}\nx-amazon-apigateway-gateway-responses:\n  DEFAULT_4XX:\n    responseParameters:\n"
	const at = "x-amazon-apigateway-gateway-responses.DEFAULT_4XX.responseParameters"
	for _, tc := range []struct {
		name string   // what is wrong with the key
		keys string   // the responseParameters entries, YAML lines from line 7, indented by 6
		want []string // every finding
		kept []string // the keys left in the model
	}{{
		name: "valid header names, with token characters",
		keys: "      gatewayresponse.header.Access-Control-Allow-Origin: \"'*'\"\n      gatewayresponse.header.X_Trace.id~1: method.request.header.x\n",
		kept: []string{"gatewayresponse.header.Access-Control-Allow-Origin", "gatewayresponse.header.X_Trace.id~1"},
	}, {
		name: "no header name",
		keys: "      gatewayresponse.header.: \"'x'\"\n",
		want: []string{`g.yaml:7:7: error: ` + at + `["gatewayresponse.header."]: gateway response parameter "gatewayresponse.header." names no header: write gatewayresponse.header.<Name>, e.g. gatewayresponse.header.Access-Control-Allow-Origin`},
	}, {
		name: "a space in the header name",
		keys: "      gatewayresponse.header.X Error: \"'1'\"\n      gatewayresponse.header.ok: \"'1'\"\n",
		want: []string{`g.yaml:7:7: error: ` + at + `["gatewayresponse.header.X Error"]: gateway response parameter "gatewayresponse.header.X Error": "X Error" is not an HTTP header name, it contains ' '; header names are letters, digits and !#$%&'*+-.^_` + "`" + `|~`},
		kept: []string{"gatewayresponse.header.ok"},
	}, {
		name: "a colon in the header name, in JSON-style quotes",
		keys: "      \"gatewayresponse.header.X-A:b\": \"'1'\"\n",
		want: []string{`g.yaml:7:7: error: ` + at + `["gatewayresponse.header.X-A:b"]: gateway response parameter "gatewayresponse.header.X-A:b": "X-A:b" is not an HTTP header name, it contains ':'; header names are letters, digits and !#$%&'*+-.^_` + "`" + `|~`},
	}, {
		name: "headers instead of header",
		keys: "      gatewayresponse.header.A: \"'1'\"\n      gatewayresponse.headers.X-Error: \"'1'\"\n",
		want: []string{`g.yaml:8:7: error: ` + at + `["gatewayresponse.headers.X-Error"]: gateway response parameter "gatewayresponse.headers.X-Error" is not a header mapping: did you mean "gatewayresponse.header.X-Error"?`},
		kept: []string{"gatewayresponse.header.A"},
	}, {
		name: "capitalised",
		keys: "      GatewayResponse.Header.X-Error: \"'1'\"\n",
		want: []string{`g.yaml:7:7: error: ` + at + `["GatewayResponse.Header.X-Error"]: gateway response parameter "GatewayResponse.Header.X-Error" is not a header mapping: did you mean "gatewayresponse.header.X-Error"?`},
	}, {
		name: "an integration response's key",
		keys: "      method.response.header.X-Error: \"'1'\"\n",
		want: []string{`g.yaml:7:7: error: ` + at + `["method.response.header.X-Error"]: gateway response parameter "method.response.header.X-Error" is how integration responses name a method response header; a gateway response sets a header with "gatewayresponse.header.X-Error"`},
	}, {
		name: "path and querystring: documented, but a response has neither",
		keys: "      gatewayresponse.path.p: \"'1'\"\n      gatewayresponse.querystring.q: \"'1'\"\n",
		want: []string{
			`g.yaml:7:7: warning: ` + at + `["gatewayresponse.path.p"]: gateway response parameter "gatewayresponse.path.p" has no effect: API Gateway's documentation allows path and querystring here, but a response has only headers, so it is ignored; to set a header write gatewayresponse.header.<Name>`,
			`g.yaml:8:7: warning: ` + at + `["gatewayresponse.querystring.q"]: gateway response parameter "gatewayresponse.querystring.q" has no effect: API Gateway's documentation allows path and querystring here, but a response has only headers, so it is ignored; to set a header write gatewayresponse.header.<Name>`,
		},
	}, {
		name: "something else",
		keys: "      X-Error: \"'1'\"\n",
		want: []string{`g.yaml:7:7: error: ` + at + `.X-Error: gateway response parameter "X-Error" must be gatewayresponse.header.<Name>, e.g. gatewayresponse.header.Access-Control-Allow-Origin`},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			api, fs := Parse("g.yaml", []byte(head+tc.keys), Options{})
			if got := findingStrings(fs); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("findings:\n got %s\nwant %s", show(got), show(tc.want))
			}
			if api == nil {
				t.Fatal("no API")
			}
			var kept []string
			for _, kv := range api.GatewayResponses["DEFAULT_4XX"].ResponseParameters {
				kept = append(kept, kv.Key)
			}
			if !reflect.DeepEqual(kept, tc.kept) {
				t.Errorf("kept %q, want %q", kept, tc.kept)
			}
		})
	}
}
