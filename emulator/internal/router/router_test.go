package router

import (
	"maps"
	"slices"
	"strings"
	"testing"
)

// petstoreRoutes is an API without a root catch-all, so unknown paths fail.
// Each Value is "METHOD resource" so that a test also sees which route
// served the request.
var petstoreRoutes = []Route[string]{
	{"/", "GET", "GET /"},
	{"/pets", "GET", "GET /pets"},
	{"/pets", "POST", "POST /pets"},
	{"/pets/mine", "GET", "GET /pets/mine"},
	{"/pets/{petId}", "GET", "GET /pets/{petId}"},
	{"/pets/{petId}", "ANY", "ANY /pets/{petId}"},
	// "/pets/{petId}/toys" exists only as an intermediate resource.
	{"/pets/{petId}/toys/{toyId}", "GET", "GET /pets/{petId}/toys/{toyId}"},
	{"/files", "GET", "GET /files"},
	{"/files/{proxy+}", "ANY", "ANY /files/{proxy+}"},
	// "/files/special" exists only as an intermediate resource.
	{"/files/special/x", "GET", "GET /files/special/x"},
	{"/orders/recent", "GET", "GET /orders/recent"},
	{"/orders/{orderId}/items", "GET", "GET /orders/{orderId}/items"},
	{"/health", "GET", "GET /health"},
	{"/health", "HEAD", "HEAD /health"},
	{"/a+b", "GET", "GET /a+b"},
}

// catchallRoutes has a greedy variable at the root, as in a typical Lambda
// proxy API.
var catchallRoutes = []Route[string]{
	{"/{proxy+}", "ANY", "ANY /{proxy+}"},
	{"/pets", "GET", "GET /pets"},
	{"/pets/{petId}", "GET", "GET /pets/{petId}"},
}

func mustNew(t testing.TB, routes []Route[string]) *Tree[string] {
	t.Helper()
	tr, err := New(routes)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return tr
}

func TestLookup(t *testing.T) {
	trees := map[string]*Tree[string]{
		"petstore": mustNew(t, petstoreRoutes),
		"catchall": mustNew(t, catchallRoutes),
	}
	type params = map[string]string
	tests := []struct {
		name     string // what the case shows
		api      string // key into trees
		method   string // request method as sent by the client
		path     string // raw request path after the stage
		ok       bool   // a method matched (false = 403 Missing Authentication Token)
		resource string // selected resource, also when ok is false ("" = none)
		matched  string // method as defined on the resource ("" when !ok)
		params   params // expected PathParameters (nil when the resource has none)
	}{
		// Root resource.
		{"stage root empty path", "petstore", "GET", "", true, "/", "GET", nil},
		{"stage root slash", "petstore", "GET", "/", true, "/", "GET", nil},
		{"stage root double slash", "petstore", "GET", "//", true, "/", "GET", nil},
		{"root method missing", "petstore", "POST", "/", false, "/", "", nil},
		{"root without methods not taken by root greedy", "catchall", "GET", "/", false, "/", "", nil},

		// Literal resources and methods.
		{"literal", "petstore", "GET", "/pets", true, "/pets", "GET", nil},
		{"second method on same resource", "petstore", "POST", "/pets", true, "/pets", "POST", nil},
		{"method missing no fallback", "petstore", "DELETE", "/pets", false, "/pets", "", nil},
		{"HEAD not served by GET", "petstore", "HEAD", "/pets", false, "/pets", "", nil},
		{"explicit HEAD", "petstore", "HEAD", "/health", true, "/health", "HEAD", nil},
		{"lower-case method", "petstore", "get", "/pets", false, "/pets", "", nil},
		{"unknown method", "petstore", "PROPFIND", "/pets", false, "/pets", "", nil},
		{"client method ANY", "petstore", "ANY", "/pets/1", false, "/pets/{petId}", "", nil},
		{"literal plus sign", "petstore", "GET", "/a+b", true, "/a+b", "GET", nil},
		{"literal is case-sensitive", "petstore", "GET", "/Pets", false, "", "", nil},

		// Precedence and backtracking.
		{"literal beats param", "petstore", "GET", "/pets/mine", true, "/pets/mine", "GET", nil},
		{"param", "petstore", "GET", "/pets/42", true, "/pets/{petId}", "GET", params{"petId": "42"}},
		{"explicit method beats ANY", "petstore", "GET", "/pets/7", true, "/pets/{petId}", "GET", params{"petId": "7"}},
		{"ANY fallback", "petstore", "DELETE", "/pets/7", true, "/pets/{petId}", "ANY", params{"petId": "7"}},
		{"ANY fallback HEAD", "petstore", "HEAD", "/pets/7", true, "/pets/{petId}", "ANY", params{"petId": "7"}},
		{"literal resource lacks method: no fallback to param", "petstore", "POST", "/pets/mine", false, "/pets/mine", "", nil},
		{"backtrack literal to param", "petstore", "GET", "/orders/recent/items", true, "/orders/{orderId}/items", "GET", params{"orderId": "recent"}},
		{"literal after backtrack target", "petstore", "GET", "/orders/recent", true, "/orders/recent", "GET", nil},
		{"intermediate resource under param", "petstore", "GET", "/orders/9", false, "/orders/{orderId}", "", nil},
		{"backtrack literal to greedy", "petstore", "GET", "/files/special/y", true, "/files/{proxy+}", "ANY", params{"proxy": "special/y"}},
		{"literal deep wins over greedy", "petstore", "GET", "/files/special/x", true, "/files/special/x", "GET", nil},
		{"intermediate literal wins over greedy", "petstore", "GET", "/files/special", false, "/files/special", "", nil},
		{"param beats root greedy", "catchall", "GET", "/pets/1", true, "/pets/{petId}", "GET", params{"petId": "1"}},
		{"backtrack param to root greedy", "catchall", "GET", "/pets/1/x", true, "/{proxy+}", "ANY", params{"proxy": "pets/1/x"}},
		{"literal lacks method: no fallback to greedy", "catchall", "POST", "/pets", false, "/pets", "", nil},
		{"root greedy", "catchall", "PATCH", "/anything/else", true, "/{proxy+}", "ANY", params{"proxy": "anything/else"}},

		// Greedy variables.
		{"greedy single segment", "petstore", "PUT", "/files/a", true, "/files/{proxy+}", "ANY", params{"proxy": "a"}},
		{"greedy nested segments", "petstore", "GET", "/files/a/b/c.txt", true, "/files/{proxy+}", "ANY", params{"proxy": "a/b/c.txt"}},
		{"greedy needs a segment", "petstore", "GET", "/files", true, "/files", "GET", nil},
		{"greedy needs a character", "petstore", "GET", "/files/", true, "/files", "GET", nil},
		{"greedy needs a character, method missing on parent", "petstore", "POST", "/files", false, "/files", "", nil},
		{"greedy drops trailing slash", "petstore", "GET", "/files/a/b/", true, "/files/{proxy+}", "ANY", params{"proxy": "a/b"}},
		{"greedy keeps interior empty segment", "petstore", "GET", "/files/a//b", true, "/files/{proxy+}", "ANY", params{"proxy": "a//b"}},
		{"greedy keeps leading empty segment", "petstore", "GET", "/files//a", true, "/files/{proxy+}", "ANY", params{"proxy": "/a"}},
		{"greedy rejects slashes only", "petstore", "GET", "/files///", false, "", "", nil},
		{"root greedy after collapsed slashes", "catchall", "GET", "//x/y", true, "/{proxy+}", "ANY", params{"proxy": "x/y"}},

		// Several parameters and intermediate resources.
		{"two params", "petstore", "GET", "/pets/5/toys/ball", true, "/pets/{petId}/toys/{toyId}", "GET", params{"petId": "5", "toyId": "ball"}},
		{"intermediate without methods", "petstore", "GET", "/pets/5/toys", false, "/pets/{petId}/toys", "", nil},
		{"intermediate without methods, trailing slash", "petstore", "GET", "/pets/5/toys/", false, "/pets/{petId}/toys", "", nil},

		// Encoded paths.
		{"encoded slash stays in param", "petstore", "GET", "/pets/a%2Fb", true, "/pets/{petId}", "GET", params{"petId": "a%2Fb"}},
		{"encoded slash stays in greedy", "petstore", "GET", "/files/a%2Fb/c", true, "/files/{proxy+}", "ANY", params{"proxy": "a%2Fb/c"}},
		{"encoded space kept", "petstore", "GET", "/pets/hello%20world", true, "/pets/{petId}", "GET", params{"petId": "hello%20world"}},
		{"encoded plus kept", "petstore", "GET", "/pets/test%2Balias", true, "/pets/{petId}", "GET", params{"petId": "test%2Balias"}},
		{"plus is not a space", "petstore", "GET", "/pets/a+b", true, "/pets/{petId}", "GET", params{"petId": "a+b"}},
		{"decoded literal match", "petstore", "GET", "/p%65ts", true, "/pets", "GET", nil},
		{"decoded literal beats param", "petstore", "GET", "/pets/m%69ne", true, "/pets/mine", "GET", nil},
		{"decoded lower-case hex", "petstore", "GET", "/pets/m%69%6e%65", true, "/pets/mine", "GET", nil},
		{"encoded plus matches literal plus", "petstore", "GET", "/a%2Bb", true, "/a+b", "GET", nil},
		{"encoded slash never splits literal", "petstore", "GET", "/pets%2Fmine", false, "", "", nil},
		{"malformed escape compared raw", "petstore", "GET", "/pets/%zz", true, "/pets/{petId}", "GET", params{"petId": "%zz"}},
		{"malformed escape cannot match literal", "petstore", "GET", "/pe%t", false, "", "", nil},

		// Trailing and double slashes.
		{"trailing slash", "petstore", "GET", "/pets/", true, "/pets", "GET", nil},
		{"trailing slash on param", "petstore", "GET", "/pets/42/", true, "/pets/{petId}", "GET", params{"petId": "42"}},
		{"leading double slash collapsed", "petstore", "GET", "//pets", true, "/pets", "GET", nil},
		{"many leading slashes collapsed", "petstore", "GET", "///pets/42", true, "/pets/{petId}", "GET", params{"petId": "42"}},
		{"interior empty segment never matches param", "petstore", "GET", "/pets//42", false, "", "", nil},
		{"interior empty segment never matches literal", "petstore", "GET", "/pets//mine", false, "", "", nil},
		{"only one trailing slash ignored", "petstore", "GET", "/pets//", false, "", "", nil},
		{"path without leading slash", "petstore", "GET", "pets", true, "/pets", "GET", nil},

		// Unknown paths.
		{"unknown top-level path", "petstore", "GET", "/nope", false, "", "", nil},
		{"unknown below literal", "petstore", "GET", "/pets/mine/extra/more", false, "", "", nil},
		{"too deep below param", "petstore", "GET", "/pets/1/toys/2/3", false, "", "", nil},
		{"unknown below greedy-less literal", "petstore", "GET", "/health/x", false, "", "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, ok := trees[tc.api].Lookup(tc.method, tc.path)
			if ok != tc.ok {
				t.Errorf("Lookup(%q, %q) ok = %v, want %v", tc.method, tc.path, ok, tc.ok)
			}
			if m.Resource != tc.resource {
				t.Errorf("Lookup(%q, %q) Resource = %q, want %q", tc.method, tc.path, m.Resource, tc.resource)
			}
			if m.Method != tc.matched {
				t.Errorf("Lookup(%q, %q) Method = %q, want %q", tc.method, tc.path, m.Method, tc.matched)
			}
			if !maps.Equal(m.PathParameters, tc.params) || (m.PathParameters == nil) != (tc.params == nil) {
				t.Errorf("Lookup(%q, %q) PathParameters = %#v, want %#v", tc.method, tc.path, m.PathParameters, tc.params)
			}
			wantValue := ""
			if tc.ok {
				wantValue = tc.matched + " " + tc.resource
			}
			if m.Value != wantValue {
				t.Errorf("Lookup(%q, %q) Value = %q, want %q", tc.method, tc.path, m.Value, wantValue)
			}
		})
	}
}

func TestNewErrors(t *testing.T) {
	r := func(resource, method string) Route[int] { return Route[int]{Resource: resource, Method: method} }
	tests := []struct {
		name   string       // what is wrong
		routes []Route[int] // input to New
		want   []string     // substrings the error must contain (resource names and reasons)
	}{
		{"no leading slash", []Route[int]{r("pets", "GET")}, []string{`"pets"`, "must start with"}},
		{"empty resource", []Route[int]{r("", "GET")}, []string{`""`, "must start with"}},
		{"double slash", []Route[int]{r("/pets//toys", "GET")}, []string{`"/pets//toys"`, "empty path segment"}},
		{"trailing slash", []Route[int]{r("/pets/", "GET")}, []string{`"/pets/"`, "empty path segment"}},
		{"unclosed brace", []Route[int]{r("/pets/{id", "GET")}, []string{`"/pets/{id"`, "malformed"}},
		{"unopened brace", []Route[int]{r("/pets/id}", "GET")}, []string{`"/pets/id}"`, "malformed"}},
		{"extra brace", []Route[int]{r("/pets/{id}}", "GET")}, []string{`"/pets/{id}}"`, "malformed"}},
		{"partial variable", []Route[int]{r("/pets/file{id}", "GET")}, []string{`"/pets/file{id}"`, "malformed"}},
		{"empty name", []Route[int]{r("/pets/{}", "GET")}, []string{`"/pets/{}"`, "empty variable name"}},
		{"empty greedy name", []Route[int]{r("/pets/{+}", "GET")}, []string{`"/pets/{+}"`, "empty variable name"}},
		{"bad name characters", []Route[int]{r("/pets/{pet id}", "GET")}, []string{`"/pets/{pet id}"`, "variable names"}},
		{"greedy not last", []Route[int]{r("/files/{proxy+}/meta", "GET")}, []string{`"/files/{proxy+}/meta"`, "must be the last"}},
		{"repeated variable", []Route[int]{r("/a/{id}/b/{id}", "GET")}, []string{`"/a/{id}/b/{id}"`, "more than once"}},
		{"sibling params", []Route[int]{r("/pets/{id}", "GET"), r("/pets/{petId}/toys", "GET")},
			[]string{`"/pets/{petId}/toys"`, "sibling ({id})", "only one is allowed"}},
		{"sibling param and greedy", []Route[int]{r("/{id}", "GET"), r("/{proxy+}", "ANY")},
			[]string{`"/{proxy+}"`, "sibling ({id})"}},
		{"sibling greedy names", []Route[int]{r("/f/{proxy+}", "ANY"), r("/f/{path+}", "ANY")},
			[]string{`"/f/{path+}"`, "sibling ({proxy+})"}},
		{"duplicate method", []Route[int]{r("/pets", "GET"), r("/pets", "GET")}, []string{`"/pets"`, "duplicate method GET"}},
		{"duplicate ANY", []Route[int]{r("/pets", "ANY"), r("/pets", "ANY")}, []string{`"/pets"`, "duplicate method ANY"}},
		{"lower-case method", []Route[int]{r("/pets", "get")}, []string{`"/pets"`, `invalid method "get"`}},
		{"unknown method", []Route[int]{r("/pets", "FETCH")}, []string{`"/pets"`, `invalid method "FETCH"`}},
		{"empty method", []Route[int]{r("/pets", "")}, []string{`"/pets"`, `invalid method ""`}},
		{"all problems collected", []Route[int]{r("pets", "GET"), r("/ok", "GET"), r("/x", "FOO"), r("/y/{a", "GET"), r("/ok", "GET")},
			[]string{`"pets"`, `"/x"`, `invalid method "FOO"`, `"/y/{a"`, `resource "/ok": duplicate method GET`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tr, err := New(tc.routes)
			if err == nil {
				t.Fatalf("New succeeded, want error containing %q", tc.want)
			}
			if tr != nil {
				t.Errorf("New returned a tree together with an error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestNewReportsBadResourceOnce(t *testing.T) {
	_, err := New([]Route[int]{{Resource: "/a//b", Method: "GET"}, {Resource: "/a//b", Method: "POST"}})
	if err == nil {
		t.Fatal("New succeeded")
	}
	if n := strings.Count(err.Error(), "empty path segment"); n != 1 {
		t.Errorf("error reported %d times, want once: %v", n, err)
	}
}

func TestNewValid(t *testing.T) {
	valid := [][]Route[int]{
		{},
		{{Resource: "/", Method: "GET"}},
		// GET and ANY on one resource are different methods.
		{{Resource: "/pets", Method: "GET"}, {Resource: "/pets", Method: "ANY"}},
		// The same variable under the same parent is one resource, not two.
		{{Resource: "/pets/{id}", Method: "GET"}, {Resource: "/pets/{id}/toys", Method: "GET"}},
		// Variables with different names at different parents are fine.
		{{Resource: "/pets/{petId}", Method: "GET"}, {Resource: "/users/{userId}", Method: "GET"}},
		{{Resource: "/v1.0/{my_var-1.x}", Method: "OPTIONS"}},
	}
	for _, routes := range valid {
		if _, err := New(routes); err != nil {
			t.Errorf("New(%v): %v", routes, err)
		}
	}
}

func TestRoutesSorted(t *testing.T) {
	tr := mustNew(t, petstoreRoutes)
	got := tr.Routes()
	if len(got) != len(petstoreRoutes) {
		t.Fatalf("Routes() has %d routes, want %d", len(got), len(petstoreRoutes))
	}
	sorted := slices.IsSortedFunc(got, func(a, b Route[string]) int {
		if c := strings.Compare(a.Resource, b.Resource); c != 0 {
			return c
		}
		return strings.Compare(a.Method, b.Method)
	})
	if !sorted {
		t.Errorf("Routes() not sorted: %v", got)
	}
	if got[0].Resource != "/" || got[1].Resource != "/a+b" {
		t.Errorf("Routes() starts with %v, %v", got[0], got[1])
	}
	// The result is a copy: changing it must not change the tree.
	got[0].Value = "changed"
	if m, _ := tr.Lookup("GET", "/"); m.Value != "GET /" {
		t.Errorf("Routes() result aliases the tree: Lookup gives %q", m.Value)
	}
}

func TestLookupAllocations(t *testing.T) {
	tr := mustNew(t, petstoreRoutes)
	for _, tc := range []struct {
		path string
		max  float64
	}{
		{"/pets/mine", 0},
		{"/p%65ts", 0},
		{"/nope/x", 0},
		{"/pets/5/toys", 0}, // intermediate resource: no method, no map
		{"/pets/5/toys/ball", 2},
		{"/files/a/b/c", 2},
	} {
		got := testing.AllocsPerRun(100, func() { tr.Lookup("GET", tc.path) })
		if got > tc.max {
			t.Errorf("Lookup(GET, %q): %v allocations, want at most %v", tc.path, got, tc.max)
		}
	}
}
