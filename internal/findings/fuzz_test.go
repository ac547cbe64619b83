package findings

import (
	"bytes"
	"errors"
	"testing"
	"unicode/utf8"
)

// FuzzRead checks that Read never panics, that a syntax error is located inside the file (a line it has,
// a column on that line), and that duplicate keys are located errors.
func FuzzRead(f *testing.F) {
	for _, s := range []string{
		"", "a: 1\nb: \"x\n", "a:\n  b: 1\n c: 2\n", "a: [1,\n  2\nb: 3\n", "{\"a\": 1, \"a\": 2}", "a: &x 1\nb: *y\n",
		"x: &x {a: 1}\ny: {<<: *x, a: 2}\n", "a:\n\tb: 1\n", "- a\nb: 1\n", "a: 'it''s\n", "a: 1\n---\nb: [\n",
		"{\n\"a\": \"\\/\"\n}", "key: \"ok\" extra\n",
	} {
		f.Add([]byte(s), true)
		f.Add([]byte(s), false)
	}
	f.Fuzz(func(t *testing.T, data []byte, asJSON bool) {
		file := "f.yaml"
		if asJSON {
			file = "f.json"
		}
		doc, err := Read(file, data)
		var se *SyntaxError
		switch {
		case err != nil && !errors.As(err, &se):
			t.Fatalf("error %T %v is not a *SyntaxError", err, err)
		case err == nil && doc.NextError != nil:
			se = doc.NextError
		}
		if se != nil {
			lines := bytes.Split(data, []byte("\n"))
			if se.File != file || se.Problem == "" || se.Line < 0 || se.Line > len(lines) || se.Column < 0 {
				t.Fatalf("bad location %+v for %q", se, data)
			}
			if se.Line > 0 && se.Column > utf8.RuneCount(lines[se.Line-1])+1 {
				t.Fatalf("column %d beyond line %d %q", se.Column, se.Line, lines[se.Line-1])
			}
			return
		}
		for _, d := range doc.Duplicates {
			if d.Severity != Error || d.File != file || d.Line < 1 || d.Column < 1 || d.Message == "" {
				t.Fatalf("bad duplicate finding %#v", d)
			}
		}
	})
}
