package router

import (
	"maps"
	"net/url"
	"strings"
	"testing"
)

// oracle is a deliberately naive reference for Lookup. It enumerates every
// resource (including the intermediate prefixes), keeps those that match the
// whole path, and picks the most specific one by comparing part kinds
// (literal < {param} < {proxy+}) at the first position where they differ. It
// shares no code with the tree search.
type oracle struct {
	resources map[string]bool
	methods   map[string]map[string]string // resource -> method -> Value
}

func newOracle(routes []Route[string]) *oracle {
	o := &oracle{resources: map[string]bool{"/": true}, methods: map[string]map[string]string{}}
	for _, r := range routes {
		parts := strings.Split(r.Resource[1:], "/")
		for i := range parts {
			if parts[0] != "" {
				o.resources["/"+strings.Join(parts[:i+1], "/")] = true
			}
		}
		if o.methods[r.Resource] == nil {
			o.methods[r.Resource] = map[string]string{}
		}
		o.methods[r.Resource][r.Method] = r.Value
	}
	return o
}

func kindOf(part string) int {
	switch {
	case strings.HasSuffix(part, "+}"):
		return 2
	case strings.HasPrefix(part, "{"):
		return 1
	}
	return 0
}

// matchResource reports whether resource matches the segments of the
// normalised path, and the kinds of its parts and the parameters.
func matchResource(resource string, segs []string, rest func(i int) string) ([]int, map[string]string, bool) {
	if resource == "/" {
		return nil, nil, len(segs) == 0
	}
	parts := strings.Split(resource[1:], "/")
	kinds := make([]int, len(parts))
	var params map[string]string
	for i, part := range parts {
		kinds[i] = kindOf(part)
		if i >= len(segs) {
			return nil, nil, false
		}
		switch kinds[i] {
		case 2:
			v := rest(i)
			if strings.Trim(v, "/") == "" {
				return nil, nil, false
			}
			if params == nil {
				params = map[string]string{}
			}
			params[part[1:len(part)-2]] = v
			return kinds, params, true
		case 1:
			if segs[i] == "" {
				return nil, nil, false
			}
			if params == nil {
				params = map[string]string{}
			}
			params[part[1:len(part)-1]] = segs[i]
		case 0:
			dec, err := url.PathUnescape(segs[i])
			if err != nil {
				dec = segs[i]
			}
			if segs[i] == "" || dec != part {
				return nil, nil, false
			}
		}
	}
	return kinds, params, len(parts) == len(segs)
}

func lessKinds(a, b []int) bool {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return len(a) < len(b)
}

func (o *oracle) lookup(method, path string) (Match[string], bool) {
	p := strings.TrimLeft(path, "/")
	p = strings.TrimSuffix(p, "/")
	var segs []string
	if p != "" {
		segs = strings.Split(p, "/")
	}
	rest := func(i int) string { return strings.Join(segs[i:], "/") }

	var best string
	var bestKinds []int
	var bestParams map[string]string
	for res := range o.resources {
		kinds, params, ok := matchResource(res, segs, rest)
		if !ok {
			continue
		}
		if best == "" || lessKinds(kinds, bestKinds) {
			best, bestKinds, bestParams = res, kinds, params
		}
	}
	var m Match[string]
	if best == "" {
		return m, false
	}
	m.Resource = best
	switch method {
	case "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS":
	default:
		return m, false
	}
	for _, meth := range []string{method, "ANY"} {
		if v, ok := o.methods[best][meth]; ok {
			m.Value, m.Method, m.PathParameters = v, meth, bestParams
			return m, true
		}
	}
	return m, false
}

var fuzzRoutes = []Route[string]{
	{"/", "GET", "GET /"},
	{"/pets", "GET", "GET /pets"},
	{"/pets", "POST", "POST /pets"},
	{"/pets/mine", "GET", "GET /pets/mine"},
	{"/pets/{petId}", "GET", "GET /pets/{petId}"},
	{"/pets/{petId}", "ANY", "ANY /pets/{petId}"},
	{"/pets/{petId}/toys/{toyId}", "GET", "GET /pets/{petId}/toys/{toyId}"},
	{"/files", "GET", "GET /files"},
	{"/files/{path+}", "ANY", "ANY /files/{path+}"},
	{"/files/special/x", "GET", "GET /files/special/x"},
	{"/orders/recent", "GET", "GET /orders/recent"},
	{"/orders/{orderId}/items", "GET", "GET /orders/{orderId}/items"},
	{"/v1/{a}/{b}/{c}", "PUT", "PUT /v1/{a}/{b}/{c}"},
	{"/v1/{a}/lit/{rest+}", "DELETE", "DELETE /v1/{a}/lit/{rest+}"},
	{"/v1/x/lit", "HEAD", "HEAD /v1/x/lit"},
	{"/a+b", "GET", "GET /a+b"},
	{"/é", "GET", "GET /é"},
}

// FuzzLookup checks that Lookup never panics, that a match is consistent with
// its resource (one parameter per variable, single segments for {param},
// values that really occur in the path), and that it agrees with the naive
// oracle, on an API without and with a root catch-all.
func FuzzLookup(f *testing.F) {
	withCatchall := append([]Route[string]{{"/{proxy+}", "ANY", "ANY /{proxy+}"}}, fuzzRoutes...)
	trees := []*Tree[string]{mustNew(f, fuzzRoutes), mustNew(f, withCatchall)}
	oracles := []*oracle{newOracle(fuzzRoutes), newOracle(withCatchall)}
	for _, tc := range []struct{ method, path string }{
		{"GET", ""}, {"GET", "/"}, {"GET", "//pets/"}, {"POST", "/pets/mine"}, {"GET", "/pets/1/toys/2"},
		{"GET", "/files/a//b/"}, {"GET", "/files/special/y"}, {"GET", "/orders/recent/items"},
		{"PUT", "/v1/x/lit/y"}, {"DELETE", "/v1/x/lit/y/z"}, {"HEAD", "/v1/x/lit"}, {"GET", "/p%65ts/a%2Fb"},
		{"GET", "/%C3%A9"}, {"GET", "/a%2bb"}, {"GET", "/pets/%"}, {"ANY", "/pets/1"}, {"get", "/"},
	} {
		f.Add(tc.method, tc.path)
	}
	f.Fuzz(func(t *testing.T, method, path string) {
		for i, tr := range trees {
			m, ok := tr.Lookup(method, path)
			if !ok && (m.Method != "" || m.PathParameters != nil || m.Value != "") {
				t.Fatalf("tree %d: Lookup(%q, %q) failed but returned %+v", i, method, path, m)
			}
			if ok {
				checkConsistent(t, m, method, path)
			}
			// The HTTP API search never fails where the REST one succeeds: it only looks further.
			hm, hok := tr.LookupHTTPAPI(method, path)
			if hok {
				checkConsistent(t, hm, method, path)
			} else if ok {
				t.Fatalf("tree %d: LookupHTTPAPI(%q, %q) failed where Lookup found %+v", i, method, path, m)
			}
			want, wantOK := oracles[i].lookup(method, path)
			if ok != wantOK || m.Resource != want.Resource || m.Method != want.Method || m.Value != want.Value ||
				!maps.Equal(m.PathParameters, want.PathParameters) {
				t.Fatalf("tree %d: Lookup(%q, %q) = %+v, %v; oracle says %+v, %v", i, method, path, m, ok, want, wantOK)
			}
		}
	})
}

func checkConsistent(t *testing.T, m Match[string], method, path string) {
	t.Helper()
	if m.Method != method && m.Method != "ANY" {
		t.Fatalf("Lookup(%q, %q) matched method %q", method, path, m.Method)
	}
	if m.Value != m.Method+" "+m.Resource {
		t.Fatalf("Lookup(%q, %q) returned Value %q for %s %s", method, path, m.Value, m.Method, m.Resource)
	}
	vars := 0
	for _, part := range strings.Split(m.Resource, "/") {
		if !strings.HasPrefix(part, "{") {
			continue
		}
		vars++
		name := strings.TrimSuffix(strings.Trim(part, "{}"), "+")
		v, ok := m.PathParameters[name]
		if !ok || v == "" {
			t.Fatalf("Lookup(%q, %q) -> %s: parameter %q missing or empty in %v", method, path, m.Resource, name, m.PathParameters)
		}
		if !strings.HasSuffix(part, "+}") && strings.Contains(v, "/") {
			t.Fatalf("Lookup(%q, %q) -> %s: parameter %q = %q spans segments", method, path, m.Resource, name, v)
		}
		if !strings.Contains(path, v) {
			t.Fatalf("Lookup(%q, %q) -> %s: parameter %q = %q is not from the path", method, path, m.Resource, name, v)
		}
	}
	if len(m.PathParameters) != vars || (vars == 0) != (m.PathParameters == nil) {
		t.Fatalf("Lookup(%q, %q) -> %s: %d variables but parameters %#v", method, path, m.Resource, vars, m.PathParameters)
	}
}
