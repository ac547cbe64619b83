package main

import (
	"path/filepath"
	"testing"
)

// The start-up summary counts, per stage, the routes that answer 500 because of a build decision: an
// authorizer whose function is not configured, a stage variable the stage lacks, a function that is not
// configured.
func TestServeSummaryCountsRoutesAnswering500(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "openapi.yaml"), `openapi: "3.0.1"
info: {title: t, version: "1"}
paths:
  /ok:
    get:
      x-amazon-apigateway-integration: {type: mock, requestTemplates: {application/json: '{"statusCode": 200}'}, responses: {default: {statusCode: "200"}}}
  /custom:
    get:
      security: [{tok: []}]
      x-amazon-apigateway-integration: {type: mock, requestTemplates: {application/json: '{"statusCode": 200}'}, responses: {default: {statusCode: "200"}}}
  /var:
    get:
      x-amazon-apigateway-integration: {type: http_proxy, httpMethod: GET, uri: "${stageVariables.url}/x"}
  /fn:
    get:
      x-amazon-apigateway-integration: {type: aws_proxy, httpMethod: POST, uri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/Missing/invocations"}
components:
  securitySchemes:
    tok:
      type: apiKey
      name: Authorization
      in: header
      x-amazon-apigateway-authtype: custom
      x-amazon-apigateway-authorizer: {type: token, authorizerUri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/MissingAuth/invocations"}
`)
	writeFile(t, filepath.Join(dir, "apigw-local.yaml"), `stages:
  prod:
    variables: {url: "http://127.0.0.1:1"}
  beta:
    variables: {}
`)
	s := startServe(t, dir, "openapi.yaml", "--no-watch")
	// prod: /ok and /var served; beta: /ok only. /custom and /fn answer 500 on both.
	s.waitLog(t, `^8 routes \(3 served, 5 answer 500: see apigw-local routes\)`)
}
