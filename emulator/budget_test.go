package emulator

import (
	"strings"
	"testing"
)

// Issue 10, point 1: a mapping template that doubles a string $input.params('n') times answers 500
// (the allocation budget) instead of killing the server, which keeps answering other routes.
func TestTemplateBudgetKeepsServerUp(t *testing.T) {
	t.Parallel()
	spec := `swagger: "2.0"
info: {title: budget, version: "1"}
basePath: /prod
paths:
  /double:
    get:
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates:
          application/json: |
            #set($s = $input.params('x'))#set($n = $util.parseJson($input.params('n')))#foreach($i in [1..$n])#set($s = $s.concat($s))#end{"statusCode": 200, "n": $s.length()}
        responses: {default: {statusCode: "200"}}
  /pets:
    get:
      x-amazon-apigateway-integration: {type: mock, requestTemplates: {application/json: '{"statusCode": 200}'}, responses: {default: {statusCode: "200"}}}
`
	gw, _ := newGateway(t, spec, "")
	r := do(t, "GET", gw.URL+"/prod/double?n=40&x=abcdefgh", nil, "")
	if r.status != 500 || !strings.Contains(string(r.body), "Internal server error") {
		t.Errorf("GET /prod/double?n=40: %d %s", r.status, r.body)
	}
	if ok := do(t, "GET", gw.URL+"/prod/pets", nil, ""); ok.status != 200 {
		t.Errorf("GET /prod/pets after the attack: %d", ok.status)
	}
	// the template itself works within the budget
	if small := do(t, "GET", gw.URL+"/prod/double?n=3&x=ab", nil, ""); small.status != 200 {
		t.Errorf("GET /prod/double?n=3: %d %s", small.status, small.body)
	}
}
