package vtl

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"
)

var update = flag.Bool("update", false, "rewrite the want/error sections of testdata/*.txtar with the current results")

// Golden cases live in testdata/*.txtar (golang.org/x/tools/txtar archives), one case per file: an
// optional comment (the text before the first section: what the case shows, and why the expected
// output is what it is), then the sections
//
//	-- template --   the template (one trailing newline is dropped)
//	-- vars.json --  optional: a JSON object whose top-level keys become variables (FromJSON values)
//	-- mode --       optional: "velocity" for stock Velocity; API Gateway mode otherwise
//	-- want --       the expected output (one trailing newline is dropped), or
//	-- error --      the expected error text (Parse or Execute), "name:line:col: msg"
//
// Cases for small limits use the file name: names starting "limit-" run with MaxForeach 5,
// MaxOutput 64 and MaxDepth 10. -update rewrites the want/error section and keeps the rest.

// get returns the named section of a case without its one trailing newline.
func get(a *txtar.Archive, name string) (string, bool) {
	for _, f := range a.Files {
		if f.Name == name {
			return strings.TrimSuffix(string(f.Data), "\n"), true
		}
	}
	return "", false
}

func TestGolden(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.txtar"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no testdata/*.txtar cases")
	}
	sort.Strings(files)
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".txtar")
		t.Run(name, func(t *testing.T) {
			secs, err := txtar.ParseFile(file)
			if err != nil {
				t.Fatal(err)
			}
			tmplSrc, ok := get(secs, "template")
			if !ok {
				t.Fatal("no template section")
			}
			opts := Options{Mode: APIGateway}
			if m, ok := get(secs, "mode"); ok && strings.TrimSpace(m) == "velocity" {
				opts.Mode = Velocity
			}
			if strings.HasPrefix(name, "limit-") {
				opts.MaxForeach, opts.MaxOutput, opts.MaxDepth = 5, 64, 10
			}
			vars := NewVars()
			if vj, ok := get(secs, "vars.json"); ok && strings.TrimSpace(vj) != "" {
				v, err := FromJSON([]byte(vj))
				if err != nil {
					t.Fatalf("vars.json: %v", err)
				}
				m, ok := v.(*Map)
				if !ok {
					t.Fatal("vars.json is not an object")
				}
				for _, k := range m.Keys() {
					x, _ := m.Get(k)
					vars.Set(k, x)
				}
			}
			var got, gotErr string
			tmpl, err := Parse("test.vtl", tmplSrc, opts)
			if err == nil {
				got, err = tmpl.Execute(vars)
			}
			if err != nil {
				var e *Error
				if !errors.As(err, &e) {
					t.Fatalf("error is %T, not *Error: %v", err, err)
				}
				if e.Line <= 0 || e.Column <= 0 {
					t.Fatalf("error without a position: %v", err)
				}
				gotErr = err.Error()
			}
			if *update {
				out := &txtar.Archive{Comment: secs.Comment}
				for _, f := range secs.Files {
					if f.Name != "want" && f.Name != "error" {
						out.Files = append(out.Files, f)
					}
				}
				if gotErr != "" {
					out.Files = append(out.Files, txtar.File{Name: "error", Data: []byte(gotErr + "\n")})
				} else {
					out.Files = append(out.Files, txtar.File{Name: "want", Data: []byte(got + "\n")})
				}
				if err := os.WriteFile(file, txtar.Format(out), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			wantErr, hasErr := get(secs, "error")
			want, hasWant := get(secs, "want")
			switch {
			case hasErr:
				if gotErr != wantErr {
					t.Fatalf("error mismatch\ngot:  %q (output %q)\nwant: %q", gotErr, got, wantErr)
				}
			case hasWant:
				if gotErr != "" {
					t.Fatalf("unexpected error: %s\nwant output: %q", gotErr, want)
				}
				if got != want {
					t.Fatalf("output mismatch\ngot:  %q\nwant: %q", got, want)
				}
			default:
				t.Fatal("no want or error section (run with -update)")
			}
		})
	}
}
