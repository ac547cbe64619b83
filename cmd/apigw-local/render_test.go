package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// `apigw-local render` renders a template with the variables API Gateway would give it.
func TestRender(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tmpl := write("t.vtl", `#set($pet = $input.path('$'))
{"name": "$pet.name", "tags": $input.json('$.tags'), "id": "$input.params('id')", "q": "$input.params('q')", "ua": "$input.params('User-Agent')", "env": "$stageVariables.env", "stage": "$context.stage", "ip": "$context.identity.sourceIp", "enc": "$util.urlEncode($pet.name)"}`)
	body := write("body.json", `{"name": "Rex the dog", "tags": ["a", "b"]}`)
	ctx := write("ctx.json", `{"stage": "prod", "identity": {"sourceIp": "10.1.2.3"}}`)
	cases := []struct {
		name     string
		args     []string
		want     string // exact stdout
		wantErr  string // substring of stderr
		wantCode int
	}{
		{
			name: "every variable",
			args: []string{"render", tmpl, "--body", body, "--path", "id=7", "--query", "q=x y", "--header", "User-Agent=curl/8", "--stage-var", "env=test", "--context", ctx},
			want: `{"name": "Rex the dog", "tags": ["a","b"], "id": "7", "q": "x y", "ua": "curl/8", "env": "test", "stage": "prod", "ip": "10.1.2.3", "enc": "Rex+the+dog"}`,
		},
		{
			name: "defaults: empty body is {}, stage dev",
			args: []string{"render", write("d.vtl", `$input.body|$context.stage|$context.httpMethod`)},
			want: `{}|dev|POST`,
		},
		{
			name:     "a render past the step budget names it",
			args:     []string{"render", write("steps.vtl", "#foreach($a in [1..1000])#foreach($b in [1..1000])#foreach($c in [1..1000])#end#end#end")},
			wantErr:  "step budget (vtl.MaxSteps = 1000000)",
			wantCode: 1,
		},
		{
			name:     "a render past the allocation budget names it",
			args:     []string{"render", write("alloc.vtl", `#set($s = "abcdefgh")#foreach($i in [1..40])#set($s = $s.concat($s))#end$s`)},
			wantErr:  "allocation budget (vtl.MaxAllocBytes = 16777216 bytes)",
			wantCode: 1,
		},
		{
			name:     "a template error names the file, line and column",
			args:     []string{"render", write("bad.vtl", "line one\n#if($x\n")},
			wantErr:  filepath.Join(dir, "bad.vtl") + ":2:",
			wantCode: 1,
		},
		{
			// vtl-aws.json#test_local_namespace_methods_are_not_available_in_context: API Gateway has no
			// velocimacros; the definition renders nothing and the call is printed as written.
			name: "#macro renders as on AWS",
			args: []string{"render", write("macro.vtl", "#macro(m)x#end#m()")},
			want: "#m()",
		},
		{
			name:     "bad K=V",
			args:     []string{"render", tmpl, "--query", "novalue"},
			wantErr:  `--query "novalue": use K=V`,
			wantCode: 2,
		},
		{
			name:     "missing template file",
			args:     []string{"render", filepath.Join(dir, "nope.vtl")},
			wantErr:  "cannot read the template",
			wantCode: 1,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, errOut, code := run(c.args...)
			if code != c.wantCode {
				t.Fatalf("exit %d, want %d (stderr %q)", code, c.wantCode, errOut)
			}
			if c.wantErr != "" {
				if !strings.Contains(errOut, c.wantErr) {
					t.Errorf("stderr %q lacks %q", errOut, c.wantErr)
				}
				return
			}
			if out != c.want {
				t.Errorf("stdout:\n%s\nwant:\n%s", out, c.want)
			}
		})
	}
}
