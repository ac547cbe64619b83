package spec

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A spec split across files with $ref (path items, schemas, values inside referenced files) is read as
// one document; each reference to another file is a warning (API Gateway's import refuses them); the
// files read are listed for hot reload.
func TestSplitSpec(t *testing.T) {
	api, fs := Load(filepath.Join("testdata", "split", "openapi.yaml"), Options{})
	if api == nil || fs.HasErrors() {
		t.Fatalf("findings:\n%s", fs.Error())
	}
	if len(api.Resources) != 2 {
		t.Fatalf("resources %v", api.Resources)
	}
	var integrations int
	for _, r := range api.Resources {
		for _, m := range r.Methods {
			if m.Integration != nil && m.Integration.Type == IntegrationMock {
				integrations++
			}
		}
	}
	if integrations != 2 {
		t.Errorf("%d mock integrations, want 2 (one through a reference inside a referenced file)", integrations)
	}
	if len(api.RefFiles) != 2 {
		t.Errorf("RefFiles %v", api.RefFiles)
	}
	got := fs.Error()
	for _, want := range []string{
		`openapi.yaml:5:11: warning: paths["/pets"].$ref: $ref to another file (paths/pets.yaml): served here, but API Gateway's import refuses references to other files: bundle the spec into one file before deploying it`,
		`testdata/split/paths/pets.yaml:7:47: warning: paths["/pets"].get.responses.200.content["application/json"].schema.items.$ref: $ref to another file (../schemas/pet.yaml)`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("findings lack %q:\n%s", want, got)
		}
	}
}

// References that cannot be followed are errors located at the reference.
func TestSplitSpecErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	write("a.yaml", "x: {$ref: b.yaml}\n")
	write("b.yaml", "x: {$ref: a.yaml}\n")
	write("bad.yaml", "get: {x-amazon-apigateway-integration: {type: mock, requestTemplates: [}\n")
	for _, c := range []struct{ ref, want string }{
		{"https://example.com/p.yaml", `is a URL (or is read from one): apigw-local fetches references only with --allow-ref-urls`},
		{"../outside.yaml", `leaves the spec's directory`},
		{"a.yaml#/x", `is circular across files`},
		{"a.yaml#/nope", `a.yaml has no value at #/nope`},
		{"bad.yaml", `bad.yaml:1:`},
	} {
		main := write("openapi.yaml", oas3Head+"paths:\n  /p:\n    $ref: '"+c.ref+"'\n")
		api, fs := Load(main, Options{})
		if api != nil || !strings.Contains(fs.Error(), c.want) {
			t.Errorf("%s: %v\n%s", c.ref, api != nil, fs.Error())
		}
	}
}

// With the explicit opt-ins, a $ref may read a file outside the spec's directory and fetch a URL (here a
// server of the test's own, on 127.0.0.1); references inside the fetched document resolve against its URL.
func TestSplitSpecOptIns(t *testing.T) {
	root := t.TempDir()
	item := "get:\n  x-amazon-apigateway-integration: {$ref: 'integration.yaml'}\n"
	integ := "{type: mock, requestTemplates: {application/json: '{\"statusCode\": 200}'}, responses: {default: {statusCode: \"200\"}}}\n"
	for name, content := range map[string]string{"shared/item.yaml": item, "shared/integration.yaml": integ} {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	web := httptest.NewServer(http.FileServer(http.Dir(filepath.Join(root, "shared"))))
	defer web.Close()
	specDir := filepath.Join(root, "api")
	if err := os.MkdirAll(specDir, 0o755); err != nil {
		t.Fatal(err)
	}
	main := filepath.Join(specDir, "openapi.yaml")
	if err := os.WriteFile(main, []byte(oas3Head+"paths:\n  /local: {$ref: '../shared/item.yaml'}\n  /web: {$ref: '"+web.URL+"/item.yaml'}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if api, fs := Load(main, Options{}); api != nil || !strings.Contains(fs.Error(), "--allow-ref-outside") || !strings.Contains(fs.Error(), "--allow-ref-urls") {
		t.Errorf("without the opt-ins:\n%s", fs.Error())
	}
	api, fs := Load(main, Options{RefsOutside: true, RefURLs: true})
	if api == nil || fs.HasErrors() || len(api.Resources) != 2 {
		t.Fatalf("with the opt-ins:\n%s", fs.Error())
	}
	for _, r := range api.Resources {
		if m := r.Methods[0]; m.Integration == nil || m.Integration.Type != IntegrationMock {
			t.Errorf("%s: integration %+v", r.Path, m.Integration)
		}
	}
	if len(api.RefFiles) != 2 { // the two files; the URLs are not watched
		t.Errorf("RefFiles %v", api.RefFiles)
	}
}
