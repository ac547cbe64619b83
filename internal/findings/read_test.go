package findings

import (
	"errors"
	"strconv"
	"strings"
	"testing"
)

// TestSyntaxErrorLocation checks that a syntax error is reported at the offending text, not where the YAML
// parser's message puts it (the enclosing mapping, the end of the file, or no line at all).
func TestSyntaxErrorLocation(t *testing.T) {
	for _, tt := range []struct {
		name      string // what is wrong
		file      string // the file name; .json files are located by the JSON decoder
		src       string // the file
		line, col int    // where the error must be reported
		problem   string // the parser's problem
		hint      string // a part of the hint, "" for none
	}{
		{"unclosed double quote", "a.yaml", "a: 1\nb: \"unclosed\nc: 2\n", 2, 4, "found unexpected end of stream", `add the closing "`},
		{"unclosed single quote", "a.yaml", "a: 1\nb: 'unclosed\nc: 2\n", 2, 4, "found unexpected end of stream", "add the closing '"},
		// The parser names line 5 (the end of the file) for a string opened on line 1.
		{"unclosed quote on the first line, escaped quote inside", "a.yaml", "a: 'it''s\n\n\nb: 2\n", 1, 4, "found unexpected end of stream", "add the closing '"},
		{"unclosed quote after a multi-line string", "a.yaml", "a: \"multi\n  line\"\nb: \"unclosed\n", 3, 4, "found unexpected end of stream", `add the closing "`},
		// The parser names line 2, where the next quote closes the string and "bar'" follows it.
		{"unclosed quote closed by the next one", "a.yaml", "a: 'foo\nb: 'bar'\nc: 1\n", 1, 4, "did not find expected key", "runs on to line 2"},
		{"unclosed quote closed two lines on", "a.yaml", "a: 1\nb: \"foo\nc: 2\nd: \"bar\"\n", 2, 4, "did not find expected key", `runs on to line 4, where the file breaks: add the closing "`},
		{"quotes in a block scalar are text", "a.yaml", "a: |\n  it's 'quoted\n  \"x\nb: 'unclosed\n", 4, 4, "found unexpected end of stream", "add the closing '"},
		{"a string over two lines is fine, the error is later", "a.yaml", "a: \"one\n  two\"\nb: 1\n  c: 2\n", 4, 3, "mapping values are not allowed in this context", "indentation"},
		{"unclosed quote in a list item", "a.yaml", "l:\n  - ok\n  - \"no\n", 3, 5, "found unexpected end of stream", `add the closing "`},
		// The parser names line 2 (the mapping that the line fails to continue).
		{"key indented less than its siblings", "a.yaml", "a:\n  b: 1\n c: 2\n", 3, 2, "did not find expected key", "indentation"},
		{"key indented more than its siblings", "a.yaml", "a:\n  b: 1\n    c: 2\n", 3, 5, "mapping values are not allowed in this context", "indentation"},
		{"key under a scalar value", "a.yaml", "a: 1\n  b: 2\n", 2, 3, "mapping values are not allowed in this context", "indentation"},
		{"deeper mapping, one space short", "a.yaml", "x:\n  y:\n    z: 1\n   w: 2\n", 4, 4, "did not find expected key", "indentation"},
		{"a list item among keys", "a.yaml", "a:\n  b: 1\n  - c\n", 3, 3, "did not find expected key", "indentation"},
		{"a key after a top-level list", "a.yaml", "- a\nb: 1\n", 2, 1, "did not find expected '-' indicator", "indentation"},
		{"tab in the indentation", "a.yaml", "a:\n\tb: 1\n", 2, 1, "found character that cannot start any token", "tabs"},
		{"unclosed flow list", "a.yaml", "a: [1, 2\nb: 3\n", 1, 4, "did not find expected ',' or ']'", "close it with ]"},
		{"unclosed flow mapping", "a.yaml", "a: {x: 1\nb: 3\n", 1, 4, "did not find expected ',' or '}'", "close it with }"},
		{"unclosed flow list at the end", "a.yaml", "openapi: 3.0.1\npaths:\n  /a: [\n", 3, 7, "did not find expected node content", "close it with ]"},
		{"two colons in a plain value", "a.yaml", "a: b: c\n", 1, 5, "mapping values are not allowed in this context", "quotes"},
		{"text after a closing quote", "a.yaml", "key: \"ok\" extra\n", 1, 11, "did not find expected key", "follows the closing quote"},
		{"value starting with @", "a.yaml", "a: @x\n", 1, 4, "found character that cannot start any token", "quotes"},
		{"unknown anchor: at the alias", "a.yaml", "a: &x 1\nb: *y\n", 2, 4, "unknown anchor 'y' referenced", "&y"},
		{"unknown anchor as a key, a colon right after it", "a.yaml", "*k:1\n", 1, 1, "unknown anchor 'k' referenced", "&k"},
		{"control character", "a.yaml", "a: \"x\x01\"\n", 1, 6, "control characters are not allowed", "escape"},
		{"invalid UTF-8", "a.yaml", "a: é\nb: \xff\n", 2, 4, "invalid leading UTF-8 octet", "UTF-8"},
		{"multi-byte characters count as one column", "a.yaml", "é: 1\nb: \"ü\" ö\n", 2, 8, "did not find expected key", "follows the closing quote"},
		{"a syntax error in the second document", "a.yaml", "a: 1\n---\nb: [\n", 3, 4, "did not find expected node content", "close it with ]"},
		{"json: at the offending byte", "a.json", "{\n  \"a\": 1\n  \"b\": 2\n}\n", 3, 3, "invalid character '\"' after object key:value pair", ""},
		{"json in a .yaml file: where JSON breaks, not at its first line", "a.yaml", "{\n  \"a\": 1\n  \"b\": 2\n}\n", 3, 3, "invalid character '\"' after object key:value pair", ""},
		{"a YAML flow mapping is not JSON", "a.yaml", "{a: 1,\n b: [2}\n", 2, 5, "did not find expected ',' or ']'", "close it with ]"},
		{"json: truncated", "a.json", "{\"a\": 1,\n", 2, 1, "unexpected end of JSON input", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := Read(tt.file, []byte(tt.src))
			var se *SyntaxError
			if doc != nil && doc.NextError != nil {
				se = doc.NextError
			} else if !errors.As(err, &se) {
				t.Fatalf("Read = %v, %v; want a *SyntaxError", doc, err)
			}
			if se.Line != tt.line || se.Column != tt.col || se.Problem != tt.problem || se.File != tt.file {
				t.Errorf("got %s:%d:%d %q, want %s:%d:%d %q", se.File, se.Line, se.Column, se.Problem, tt.file, tt.line, tt.col, tt.problem)
			}
			if tt.hint == "" && se.Hint != "" || !strings.Contains(se.Hint, tt.hint) {
				t.Errorf("hint %q, want one containing %q", se.Hint, tt.hint)
			}
			f := se.Finding("invalid YAML")
			if f.Severity != Error || f.Line != tt.line || f.Column != tt.col || !strings.HasPrefix(f.Message, "invalid YAML: "+tt.problem) {
				t.Errorf("Finding = %v", f)
			}
		})
	}
}

func TestRead(t *testing.T) {
	for _, tt := range []struct {
		name       string // what the file holds
		file, src  string // the file
		root       string // the root node's kind and position ("" when there is none)
		json, next bool   // read by the JSON reader; a second document follows
	}{
		{"empty", "a.yaml", "", "", false, false},
		{"only a comment", "a.yaml", "# nothing\n", "", false, false},
		{"a mapping", "a.yaml", "\na: 1\n", "mapping 2:1", false, false},
		{"a list", "a.yaml", "- 1\n", "list 1:1", false, false},
		{"JSON the YAML parser rejects (\\/ escape)", "a.json", "{\"a\": \"\\/x\", \"b\": \"\\ud83d\\ude00\"}", "mapping 1:1", true, false},
		{"two documents", "a.yaml", "a: 1\n---\nb: 2\n", "mapping 1:1", false, true},
		{"an empty second document", "a.yaml", "a: 1\n---\n", "mapping 1:1", false, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := Read(tt.file, []byte(tt.src))
			if err != nil {
				t.Fatal(err)
			}
			root := ""
			if doc.Root != nil {
				root = map[int]string{4: "mapping", 2: "list", 8: "scalar"}[int(doc.Root.Kind)] + " " + itoa(doc.Root.Line) + ":" + itoa(doc.Root.Column)
			}
			if root != tt.root || doc.JSON != tt.json || (doc.Next != nil) != tt.next || doc.File != tt.file {
				t.Errorf("root %q json %v next %v, want %q %v %v", root, doc.JSON, doc.Next != nil, tt.root, tt.json, tt.next)
			}
		})
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

// TestDuplicateKeys checks that a repeated key is an error at the repetition, naming the first one's line, in
// YAML and in JSON (which goes through the same reader), and that merge keys and aliases are not repetitions.
func TestDuplicateKeys(t *testing.T) {
	for _, tt := range []struct {
		name, file, src string   // the file
		want            []string // the findings
	}{
		{"yaml: the second occurrence, naming the first", "a.yaml", "a: 1\nb:\n  c: 1\n  d: 2\n  c: 3\n",
			[]string{`a.yaml:5:3: error: b: duplicate key "c" (first at line 3): keep one of them; only one value can be used`}},
		{"yaml: quoted and plain spellings are one key", "a.yaml", "\"get\": 1\nget: 2\n",
			[]string{`a.yaml:2:1: error: duplicate key "get" (first at line 1): keep one of them; only one value can be used`}},
		{"yaml: three times", "a.yaml", "l:\n  - {x: 1, x: 2, x: 3}\n",
			[]string{
				`a.yaml:2:12: error: l[0]: duplicate key "x" (first at line 2): keep one of them; only one value can be used`,
				`a.yaml:2:18: error: l[0]: duplicate key "x" (first at line 2): keep one of them; only one value can be used`,
			}},
		{"json", "a.json", "{\"paths\": {\n  \"/a\": {},\n  \"/a\": {}\n}}\n",
			[]string{`a.json:3:3: error: paths: duplicate key "/a" (first at line 2): keep one of them; only one value can be used`}},
		{"json the YAML parser rejects", "a.json", "{\"a\": \"\\/\",\n \"a\": 2}",
			[]string{`a.json:2:2: error: duplicate key "a" (first at line 1): keep one of them; only one value can be used`}},
		{"merge keys and aliases are not repetitions", "a.yaml", "x: &x {a: 1}\ny:\n  <<: *x\n  <<: {b: 1}\n  a: 2\nz: *x\n", nil},
		{"the same key in different mappings", "a.yaml", "a: {k: 1}\nb: {k: 1}\n", nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := Read(tt.file, []byte(tt.src))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range doc.Duplicates {
				got = append(got, f.String())
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}
