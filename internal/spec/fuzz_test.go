package spec

import (
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/apigw-local/apigw-local/internal/testcorpus"
)

// fuzzSeeds are small documents that reach the parser's branches quickly; the corpus specs are added too
// when the spec corpus is there.
var fuzzSeeds = []string{
	"",
	"{}",
	"[]",
	"swagger: '2.0'\n",
	"openapi: 3.1.0\n",
	"{\"swagger\": \"2.0\", \"info\": {\"title\": \"T\" \"version\": \"1\"}}",
	"{\"swagger\": \"2.0\", \"paths\": {\"\\/a\": {\"get\": {\"x-amazon-apigateway-integration\": {\"type\": \"mock\", \"uri\": \"\\ud83d\\ude00\"}}}}}",
	swaggerHead + "basePath: /v1/x\nx-amazon-apigateway-binary-media-types: [image/png, 5, ~]\npaths:\n  /:\n    x-amazon-apigateway-any-method:\n      x-amazon-apigateway-integration: {type: mock, timeoutInMillis: abc}\n",
	swaggerHead + "securityDefinitions:\n  a: {type: apiKey, name: x-api-key, in: header}\n  t: {type: apiKey, name: Authorization, in: header, x-amazon-apigateway-authorizer: {type: token, authorizerUri: 'arn:${x}'}}\nsecurity: [{a: [], t: []}]\npaths:\n  /a/{b}:\n    parameters: [{name: b, in: path, required: true, type: string}]\n    get:\n      x-amazon-apigateway-auth: {type: aws_iam}\n      x-amazon-apigateway-integration:\n        type: http\n        httpMethod: GET\n        uri: https://${stageVariables.h}/\n        requestParameters: {integration.request.path.b: method.request.path.b}\n        responses: {default: {statusCode: 200}, '4\\d{2}': {statusCode: '400'}}\n",
	oas3Head + "servers: [{url: 'https://{h}/{basePath}', variables: {basePath: {default: v1}}}]\nx-amazon-apigateway-request-validators: {all: {validateRequestBody: true}}\nx-amazon-apigateway-request-validator: none\npaths:\n  /a:\n    get:\n      parameters: [{$ref: '#/components/parameters/P'}]\n      x-amazon-apigateway-integration: {$ref: '#/components/x-amazon-apigateway-integrations/i'}\ncomponents:\n  parameters: {P: {name: p, in: query, schema: {type: string}}}\n  x-amazon-apigateway-integrations: {i: {type: http_proxy, httpMethod: ANY, uri: 'https://x/', payloadFormatVersion: '2.0'}}\n",
	"AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Api:\n    Properties:\n      DefinitionBody: {swagger: '2.0', x: !Sub '${A}'}\n",
	swaggerHead + "paths:\n  /a:\n    get: &op {x-amazon-apigateway-integration: {type: mock, uri: {Fn::Sub: x}}}\n    put: *op\n",
}

// deepSeeds nest around the depth budget and far beyond it, in JSON, YAML flow and block styles, and by
// aliases, so that the fuzzer mutates documents at the limit and not only shallow ones.
func deepSeeds() []string {
	var seeds []string
	for _, depth := range []int{998, 1001, 20_000} {
		seeds = append(seeds,
			`{"openapi": "3.0.1", "paths": {}, "x": `+strings.Repeat(`{"a":`, depth)+"1"+strings.Repeat("}", depth)+"}",
			oas3Head+"paths: {}\nx: "+strings.Repeat("[", depth)+strings.Repeat("]", depth)+"\n",
			oas3Head+"paths: {}\nx:\n"+strings.Repeat("- ", depth)+"1\n")
	}
	return append(seeds, oas3Head+"paths: {}\nx: &a "+strings.Repeat("[", 600)+strings.Repeat("]", 600)+"\ny: "+strings.Repeat("[", 600)+"*a"+strings.Repeat("]", 600)+"\n")
}

func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	for _, s := range deepSeeds() {
		f.Add([]byte(s))
	}
	dir, err := testcorpus.SpecsDir()
	if err != nil {
		f.Fatal(err)
	}
	var corpus []string
	if dir != "" {
		corpus = corpusFilesIn(f, dir)
	}
	for _, path := range corpus {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	modes := []BasePathMode{BasePathIgnore, BasePathPrepend, BasePathSplit}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, file := range []string{"fuzz.json", "fuzz.yaml"} {
			api, fs := Parse(file, data, Options{BasePathMode: modes[len(data)%len(modes)]})
			if !sort.SliceIsSorted(fs, func(i, j int) bool { return findingLess(fs[i], fs[j]) }) {
				t.Errorf("%s: findings not sorted:\n%v", file, fs)
			}
			if api == nil && !fs.HasErrors() {
				t.Errorf("%s: neither an API nor an error finding", file)
			}
			for _, f := range fs {
				if f.File != file || f.Message == "" {
					t.Errorf("%s: finding %q has File %q", file, f, f.File)
				}
			}
			if api != nil && !fs.HasErrors() {
				checkAPI(t, api)
			}
		}
	})
}
