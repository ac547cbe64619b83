package vtl

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/tools/txtar"
)

// FuzzParseExecute parses and runs arbitrary templates in both modes with small limits: it must never
// panic or hang, and every error must be an *Error with a position.
func FuzzParseExecute(f *testing.F) {
	for _, c := range loadCorpus(f) {
		f.Add(c.Template, c.RequestBody)
	}
	files, _ := filepath.Glob(filepath.Join("testdata", "*.txtar"))
	for _, file := range files {
		secs, err := txtar.ParseFile(file)
		if err != nil {
			f.Fatal(err)
		}
		tmpl, _ := get(secs, "template")
		vars, _ := get(secs, "vars.json")
		f.Add(tmpl, vars)
	}
	f.Fuzz(func(t *testing.T, src, varsJSON string) {
		for _, mode := range []Mode{APIGateway, Velocity} {
			opts := Options{Mode: mode, MaxForeach: 20, MaxOutput: 1 << 14, MaxDepth: 30}
			tmpl, err := Parse("fuzz", src, opts)
			if err != nil {
				checkErr(t, err)
				continue
			}
			vars := NewVars()
			if v, err := FromJSON([]byte(varsJSON)); err == nil {
				if m, ok := v.(*Map); ok {
					for _, k := range m.Keys() {
						x, _ := m.Get(k)
						vars.Set(k, x)
					}
				}
			}
			start := time.Now()
			out, st, err := tmpl.execute(context.Background(), vars)
			if err == nil && st != nil && (st.steps > MaxSteps || st.alloc > MaxAllocBytes) {
				t.Fatalf("render ran past its budget unnoticed: %d steps, %d bytes allocated (err %v)", st.steps, st.alloc, err)
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Fatalf("Execute took %v", d)
			}
			if err != nil {
				checkErr(t, err)
				continue
			}
			if len(out) > opts.MaxOutput {
				t.Fatalf("output of %d bytes exceeds MaxOutput %d", len(out), opts.MaxOutput)
			}
		}
	})
}

func checkErr(t *testing.T, err error) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %T is not *Error: %v", err, err)
	}
	if e.Line <= 0 || e.Column <= 0 {
		t.Fatalf("error without a position: %v", err)
	}
	if !strings.HasPrefix(err.Error(), "fuzz:") {
		t.Fatalf("error does not name the template: %v", err)
	}
}
