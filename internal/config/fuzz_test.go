package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apigw-local/apigw-local/internal/findings"
)

// FuzzParse checks that Parse never panics and always returns either a config or a non-empty list of
// located findings, one per line.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*", "*.yaml"))
	for _, name := range files {
		if data, err := os.ReadFile(name); err == nil {
			f.Add(data)
		}
	}
	for _, s := range []string{
		"", "---", "~", "[]", "a: [", "stages: {prod: ~}", "functions: {F: {external: {port: 1}}}",
		"x-a: &a {rateLimit: 1, burstLimit: 1}\naccount: {throttle: {<<: *a}}",
		"stages: {p: {methodSettings: {\"//GET\": {}, \"/a/{b+}/*\": {}}}}",
		"usagePlans: [{name: a, apiStages: [{stage: s}], apiKeys: [k]}, {name: b, apiStages: [{stage: s}], apiKeys: [k]}]",
		manyVariables(3), aliasBomb(),
		// the shared reader: syntax errors located at the text, duplicate keys; warnings that do not stop loading
		"region: 'us-east-1\nstages: {prod: {}}\nx: 'y'\n", "stages:\n  prod:\n    variables: {}\n   throttling: {}\n",
		"functions: {F: {command: [./f], command: [./g]}}", "a: 1\n---\nb: [\n",
		"functions: {F: {command: [./f], build: [make], watch: ['**/*.go']}}",
		"functions: {F: {external: {port: 1}, build: [make], watch: ['*']}}",
		// nesting at and beyond the depth budget
		"x: " + strings.Repeat("[", 998) + strings.Repeat("]", 998), "x: " + strings.Repeat("{a: ", 1001) + strings.Repeat("}", 1001),
		"stages:\n" + strings.Repeat("- ", 20_000) + "1\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(FileName, data)
		if (c == nil) == (err == nil) {
			t.Fatalf("Parse returned config %v and error %v", c != nil, err)
		}
		if err != nil {
			var fs Findings
			if !errors.As(err, &fs) || len(fs) == 0 {
				t.Fatalf("error %T %v is not a non-empty Findings", err, err)
			}
			for _, fd := range fs {
				if fd.File != FileName || fd.Message == "" || strings.Contains(fd.Message, "\n") || fd.Severity != findings.Error {
					t.Fatalf("bad finding %#v", fd)
				}
				if strings.HasPrefix(fd.Message, "invalid YAML") && fd.Line < 1 {
					t.Fatalf("syntax error not located: %#v", fd)
				}
			}
			if n := strings.Count(err.Error(), "\n") + 1; n != len(fs) {
				t.Fatalf("%d findings printed on %d lines:\n%s", len(fs), n, err)
			}
			return
		}
		for _, w := range c.Warnings {
			if w.File != FileName || w.Severity != findings.Warning || w.Line < 1 || w.Message == "" {
				t.Fatalf("bad warning %#v", w)
			}
		}
		if len(c.StageNames) != len(c.Stages) || len(c.FunctionNames) != len(c.Functions) || len(c.CognitoUserPoolARNs) != len(c.CognitoUserPools) {
			t.Fatalf("name lists do not match maps: %+v", c)
		}
		for _, n := range c.StageNames {
			if c.Stages[n] == nil || c.Stages[n].Name != n {
				t.Fatalf("stage %q missing or misnamed", n)
			}
		}
		for _, n := range c.FunctionNames {
			fn := c.Functions[n]
			if fn == nil || (len(fn.Command) > 0) == (fn.External != nil) {
				t.Fatalf("function %q: want exactly one of command and external: %+v", n, fn)
			}
		}
		akids := map[string]bool{}
		for _, cr := range c.Credentials {
			if cr.AccessKeyID == "" || cr.SecretAccessKey == "" || cr.UserARN == "" || akids[cr.AccessKeyID] {
				t.Fatalf("credential accepted without a unique key id, a secret and an ARN: %+v", cr)
			}
			akids[cr.AccessKeyID] = true
		}
	})
}
