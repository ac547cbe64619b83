package spec

import (
	"runtime"
	"strings"
	"testing"
)

// A spec nested past the depth budget, directly or through aliases, is one located error, found in memory
// linear in its size (issue 10: a 200 KB nested spec exhausted 24 GB, paths being built at every level).
func TestParseRefusesDeepNesting(t *testing.T) {
	for _, c := range []struct {
		name, doc, want string
	}{
		{"100,000-deep JSON", `{"openapi": "3.0.1", "paths": {},` + "\n" + `"x-deep": ` + strings.Repeat(`{"a":`, 100_000) + "1" + strings.Repeat("}", 100_000) + "}",
			"f.json:2:5006: error: the document nests mappings and lists more than 1000 levels deep; "},
		{"aliases nesting deeper than the file", oas3Head + "paths: {}\nx: &a " + strings.Repeat("[", 600) + strings.Repeat("]", 600) + "\ny: " + strings.Repeat("[", 600) + "*a" + strings.Repeat("]", 600) + "\n",
			"f.json:1:1: error: YAML aliases nest this document more than 1000 levels deep once expanded"},
	} {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		api, fs := Parse("f.json", []byte(c.doc), Options{})
		runtime.ReadMemStats(&after)
		if api != nil || len(fs) != 1 || !strings.HasPrefix(fs[0].String(), c.want) {
			t.Errorf("%s: got %v, want one error starting %q", c.name, fs, c.want)
		}
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 32<<20 {
			t.Errorf("%s: %d bytes allocated", c.name, alloc)
		}
	}
}
