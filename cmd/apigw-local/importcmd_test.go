package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// import aws merges saved CLI outputs into the config file, prints what it set and what it left, and
// the result validates; an invalid result writes nothing.
func TestImportAWSCommand(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "apigw-local.yaml")
	writeFile(t, cfg, "# mine\nregion: eu-west-1\n")
	td := filepath.Join("..", "..", "internal", "awsimport", "testdata")
	var out, errOut bytes.Buffer
	err := runImportAWS(&out, &errOut, &importOptions{config: cfg, usagePlans: filepath.Join(td, "usage-plans.json"),
		planKeys: []string{"a1b2c3=" + filepath.Join(td, "usage-plan-keys-basic.json"), "d4e5f6=" + filepath.Join(td, "usage-plan-keys-premium.json")},
		apiKeys:  filepath.Join(td, "api-keys.json"), stages: []string{filepath.Join(td, "stage.json")}, account: filepath.Join(td, "account.json")})
	if err != nil {
		t.Fatalf("%v\n%s", err, errOut.String())
	}
	written, _ := os.ReadFile(cfg)
	for _, want := range []string{"# mine", "region: eu-west-1", "id: k1alice", "name: basic"} {
		if !strings.Contains(string(written), want) {
			t.Errorf("the config lacks %q:\n%s", want, written)
		}
	}
	if !strings.Contains(out.String(), "set usagePlans: 2 plans") || !strings.Contains(errOut.String(), "note: api keys bob were saved without their values") {
		t.Errorf("output %q, notes %q", out.String(), errOut.String())
	}
	// validate accepts it with the API the limits are for.
	spec := filepath.Join(dir, "openapi.yaml")
	writeFile(t, spec, `openapi: "3.0.1"
info: {title: pets, version: "1"}
paths:
  /pets:
    get:
      x-amazon-apigateway-integration: {type: mock, requestTemplates: {application/json: '{"statusCode": 200}'}, responses: {default: {statusCode: "200"}}}
  /pets/{petId}:
    get:
      x-amazon-apigateway-integration: {type: mock, requestTemplates: {application/json: '{"statusCode": 200}'}, responses: {default: {statusCode: "200"}}}
`)
	if stdout, stderr, code := run("validate", "-c", cfg, spec); code != 0 {
		t.Errorf("validate of the imported config: exit %d\n%s%s", code, stdout, stderr)
	}

	// A stage name AWS allows but an invalid merge: nothing written.
	writeFile(t, filepath.Join(dir, "bad-stage.json"), `{"stageName": "prod", "cacheClusterSize": "2"}`)
	before, _ := os.ReadFile(cfg)
	err = runImportAWS(&out, &errOut, &importOptions{config: cfg, stages: []string{filepath.Join(dir, "bad-stage.json")}})
	after, _ := os.ReadFile(cfg)
	if err == nil || !strings.Contains(err.Error(), "nothing was written") || !bytes.Equal(before, after) {
		t.Errorf("an invalid import: %v (file changed: %v)", err, !bytes.Equal(before, after))
	}
}
