package findings

import (
	"reflect"
	"testing"

	"go.yaml.in/yaml/v3"
)

func TestPaths(t *testing.T) {
	p := Index(Child(Child(Child("", "paths"), "/pets"), "parameters"), 0)
	if p != `paths["/pets"].parameters[0]` {
		t.Fatalf("built %q", p)
	}
	segs, ok := SplitPath(Child(p, "$ref"))
	want := []Segment{{Key: "paths"}, {Key: "/pets"}, {Key: "parameters"}, {Index: 0, IsIndex: true}, {Key: "$ref"}}
	if !ok || !reflect.DeepEqual(segs, want) {
		t.Errorf("SplitPath = %v, %v; want %v", segs, ok, want)
	}
	for _, bad := range []string{"a..b", "a.", "[x]", `["a"`, "a[1", ".a", "[-1]"} {
		if segs, ok := SplitPath(bad); ok {
			t.Errorf("SplitPath(%q) = %v, want not ok", bad, segs)
		}
	}
}

func TestLocate(t *testing.T) {
	src := "x-base: &b {rateLimit: 1}\nstages:\n  prod:\n    throttling: *b\n    methodSettings:\n      \"/pets/GET\": {}\nspecs: [a.yaml, b.yaml]\n"
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(src), &doc); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		path      string // a path written as findings write them
		line, col int    // where Locate finds it; 0 for a path not in the document
	}{
		{"stages.prod.throttling", 4, 5},
		{"stages.prod.throttling.rateLimit", 1, 13}, // through the alias, to where the anchored mapping has it
		{`stages.prod.methodSettings["/pets/GET"]`, 6, 7},
		{"specs[1]", 7, 17},
		{"specs[2]", 0, 0},
		{"stages.beta", 0, 0},
		{"specs.a", 0, 0},
		{"", 1, 1},
	} {
		n, ok := Locate(&doc, tt.path)
		switch {
		case tt.line == 0 && ok:
			t.Errorf("Locate(%q) found line %d", tt.path, n.Line)
		case tt.line != 0 && (!ok || n.Line != tt.line || n.Column != tt.col):
			t.Errorf("Locate(%q) = %v, want %d:%d", tt.path, n, tt.line, tt.col)
		}
	}
}
