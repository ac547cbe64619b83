package spec

import (
	"fmt"
	"testing"
)

func TestZZBad(t *testing.T) {
	const h = "swagger: '2.0'\ninfo: {title: T, version: '1'}\n"
	const o = "openapi: 3.0.1\ninfo: {title: T, version: '1'}\n"
	cases := [][2]string{
		{"empty.yaml", "  \n\n"},
		{"comment.yaml", "# nothing here\n"},
		{"list.yaml", "- swagger: '2.0'\n"},
		{"noversion.yaml", "info: {title: T, version: '1'}\npaths: {}\n"},
		{"oas31.yaml", "openapi: 3.1.0\ninfo: {title: T, version: '1'}\npaths: {}\n"},
		{"swagger3.yaml", "swagger: '3.0'\ninfo: {title: T, version: '1'}\npaths: {}\n"},
		{"timeout.yaml", h + "paths:\n  /a:\n    get:\n      x-amazon-apigateway-integration:\n        type: mock\n        timeoutInMillis: abc\n"},
		{"intstr.yaml", h + "paths:\n  /a:\n    get:\n      x-amazon-apigateway-integration: x\n"},
		{"bmt.yaml", h + "x-amazon-apigateway-binary-media-types: 5\npaths: {}\n"},
		{"tmpl.yaml", h + "paths:\n  /a:\n    get:\n      x-amazon-apigateway-integration:\n        type: mock\n        requestTemplates:\n          - application/json\n"},
		{"type.yaml", h + "paths:\n  /a:\n    get:\n      x-amazon-apigateway-integration:\n        type: lambda\n        httpMethod: POST\n        uri: arn:aws:lambda:us-east-1:123456789012:function:f\n"},
		{"typo.yaml", h + "paths:\n  /a:\n    get:\n      x-amazon-apigateway-integration:\n        type: mock\n        passthroughBehaviour: when_no_match\n        requestTemplate:\n          application/json: '{}'\n"},
		{"params.yaml", h + "paths:\n  /a:\n    get:\n      x-amazon-apigateway-integration:\n        type: http\n        httpMethod: GET\n        uri: https://example.com/\n        requestParameters:\n          integration.request.body.name: method.request.querystring.name\n          integration.request.header.X-Name: method.request.query.name\n          integration.request.header.X-Ok: method.request.header.X-Ok\n"},
		{"cfn.yaml", "AWSTemplateFormatVersion: '2010-09-09'\nTransform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: index.handler\n  Api:\n    Type: AWS::Serverless::Api\n    Properties:\n      StageName: prod\n      DefinitionBody:\n        swagger: '2.0'\n        paths:\n          /a:\n            get:\n              x-amazon-apigateway-integration:\n                uri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations\n"},
		{"cfn.json", "{\"Resources\": {\"Api\": {\"Type\": \"AWS::ApiGateway::RestApi\", \"Properties\": {\"Body\": {\"openapi\": \"3.0.1\"}}}}}"},
		{"sub.yaml", h + "paths:\n  /a:\n    get:\n      x-amazon-apigateway-integration:\n        type: aws_proxy\n        httpMethod: POST\n        uri:\n          Fn::Sub: arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations\n        credentials: !GetAtt Role.Arn\n"},
		{"subtag.yaml", h + "paths:\n  /a:\n    get:\n      x-amazon-apigateway-integration:\n        type: aws_proxy\n        httpMethod: POST\n        uri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations\n"},
		{"placeholder.json", "{\n  \"swagger\": \"2.0\",\n  \"info\": {\"title\": \"T\", \"version\": \"1\"},\n  \"paths\": {\n    \"/a\": {\"get\": {\"x-amazon-apigateway-integration\": {\n      \"type\": \"aws_proxy\", \"httpMethod\": \"POST\",\n      \"uri\": \"arn:aws:apigateway:${region}:lambda:path/2015-03-31/functions/${lambda_arn}/invocations\"}}},\n    \"/b\": {\"get\": {\"x-amazon-apigateway-integration\": {\n      \"type\": \"http_proxy\", \"httpMethod\": \"GET\",\n      \"uri\": \"https://${stageVariables.host}/b\"}}}\n  }\n}\n"},
		{"validator.yaml", h + "x-amazon-apigateway-request-validators:\n  body: {validateRequestBody: true}\nx-amazon-apigateway-request-validator: all\npaths:\n  /a:\n    post:\n      x-amazon-apigateway-request-validator: bdy\n      x-amazon-apigateway-integration: {type: mock}\n"},
		{"ref.yaml", o + "paths:\n  /a:\n    get:\n      x-amazon-apigateway-integration:\n        $ref: '#/components/x-amazon-apigateway-integrations/missing'\ncomponents:\n  x-amazon-apigateway-integrations:\n    present: {type: mock}\n"},
		{"dup.yaml", h + "basePath: /v1\npaths:\n  /a:\n    get:\n      x-amazon-apigateway-integration: {type: mock}\n    GET:\n      x-amazon-apigateway-integration: {type: mock}\n"},
		{"syntax.json", "{\n  \"swagger\": \"2.0\",\n  \"info\": {\"title\": \"T\" \"version\": \"1\"}\n}\n"},
		{"syntax.yaml", "swagger: '2.0'\ninfo:\n  title: T\n version: '1'\n"},
	}
	for _, c := range cases {
		api, fs := Parse(c[0], []byte(c[1]), Options{})
		fmt.Println("==", c[0], api != nil)
		for _, f := range fs {
			fmt.Printf("  %q\n", f.String())
		}
	}
}
