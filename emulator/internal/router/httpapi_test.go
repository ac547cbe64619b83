package router

import "testing"

// HTTP API route priority, with the documented examples (reference §j.1): an exact path with the method,
// then the most specific greedy route with the method (or ANY), else nothing (the caller's $default route).
func TestLookupHTTPAPI(t *testing.T) {
	tr := mustNew(t, []Route[string]{
		{"/pets/dog/1", "GET", "GET /pets/dog/1"},
		{"/pets/dog/{id}", "GET", "GET /pets/dog/{id}"},
		{"/pets/{proxy+}", "GET", "GET /pets/{proxy+}"},
		{"/{proxy+}", "ANY", "ANY /{proxy+}"},
		{"/toys/{id}", "POST", "POST /toys/{id}"},
		{"/", "GET", "GET /"},
	})
	for _, c := range []struct {
		method, path, want string
		params             map[string]string
	}{
		{"GET", "/pets/dog/1", "GET /pets/dog/1", nil},                                    // static beats {id}
		{"GET", "/pets/dog/2", "GET /pets/dog/{id}", map[string]string{"id": "2"}},        // {id}
		{"GET", "/pets/cat/1", "GET /pets/{proxy+}", map[string]string{"proxy": "cat/1"}}, // deeper greedy beats ANY /{proxy+}
		{"POST", "/test/5", "ANY /{proxy+}", map[string]string{"proxy": "test/5"}},
		{"GET", "/toys/1", "ANY /{proxy+}", map[string]string{"proxy": "toys/1"}}, // /toys/{id} has no GET: REST would answer 403
		{"POST", "/toys/1", "POST /toys/{id}", map[string]string{"id": "1"}},
		{"POST", "/pets/dog/1", "ANY /{proxy+}", map[string]string{"proxy": "pets/dog/1"}},
		{"GET", "/", "GET /", nil},
	} {
		m, ok := tr.LookupHTTPAPI(c.method, c.path)
		if !ok || m.Value != c.want || len(m.PathParameters) != len(c.params) {
			t.Errorf("%s %s: %q %v (ok %v), want %q %v", c.method, c.path, m.Value, m.PathParameters, ok, c.want, c.params)
			continue
		}
		for k, v := range c.params {
			if m.PathParameters[k] != v {
				t.Errorf("%s %s: %s = %q, want %q", c.method, c.path, k, m.PathParameters[k], v)
			}
		}
	}
	// Without a catch-all, what no route takes is not found (the caller tries $default, then answers 404).
	tr = mustNew(t, []Route[string]{{"/toys/{id}", "POST", "POST /toys/{id}"}})
	for _, c := range []struct{ method, path string }{{"GET", "/toys/1"}, {"POST", "/toys"}, {"GET", "/"}, {"ANY", "/toys/1"}} {
		if m, ok := tr.LookupHTTPAPI(c.method, c.path); ok {
			t.Errorf("%s %s: %q, want no route", c.method, c.path, m.Value)
		}
	}
}
