package vtl

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the want/error sections of testdata/*.txtar with the current results")

// Golden cases live in testdata/*.txtar, one case per file, with sections:
//
//	-- template --   the template (one trailing newline is dropped)
//	-- vars.json --  optional: a JSON object whose top-level keys become variables (FromJSON values)
//	-- mode --       optional: "velocity" for stock Velocity; API Gateway mode otherwise
//	-- want --       the expected output (one trailing newline is dropped), or
//	-- error --      the expected error text (Parse or Execute), "name:line:col: msg"
//
// Cases for small limits use the file name: names starting "limit-" run with MaxForeach 5,
// MaxOutput 64 and MaxDepth 10.

type section struct {
	name string
	data string
}

func parseTxtar(data string) []section {
	var out []section
	lines := strings.SplitAfter(data, "\n")
	cur := -1
	for _, l := range lines {
		trim := strings.TrimRight(l, "\r\n")
		if strings.HasPrefix(trim, "-- ") && strings.HasSuffix(trim, " --") && len(trim) > 6 {
			out = append(out, section{name: strings.TrimSpace(trim[3 : len(trim)-3])})
			cur = len(out) - 1
			continue
		}
		if cur >= 0 {
			out[cur].data += l
		}
	}
	return out
}

func formatTxtar(secs []section) []byte {
	var b bytes.Buffer
	for _, s := range secs {
		b.WriteString("-- " + s.name + " --\n")
		b.WriteString(s.data)
		if s.data != "" && !strings.HasSuffix(s.data, "\n") {
			b.WriteString("\n")
		}
	}
	return b.Bytes()
}

func get(secs []section, name string) (string, bool) {
	for _, s := range secs {
		if s.name == name {
			return strings.TrimSuffix(s.data, "\n"), true
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
			raw, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			secs := parseTxtar(string(raw))
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
				var out []section
				for _, s := range secs {
					if s.name != "want" && s.name != "error" {
						out = append(out, s)
					}
				}
				if gotErr != "" {
					out = append(out, section{name: "error", data: gotErr + "\n"})
				} else {
					out = append(out, section{name: "want", data: got + "\n"})
				}
				if err := os.WriteFile(file, formatTxtar(out), 0o644); err != nil {
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
