package router

import (
	"fmt"
	"testing"
)

// benchRoutes is a realistic mid-sized API: 50 routes mixing literal,
// {param} and greedy resources.
func benchRoutes() []Route[int] {
	var routes []Route[int]
	add := func(resource string, methods ...string) {
		for _, m := range methods {
			routes = append(routes, Route[int]{Resource: resource, Method: m, Value: len(routes)})
		}
	}
	add("/", "GET")
	for _, svc := range []string{"pets", "users", "orders", "stores"} {
		add("/"+svc, "GET", "POST")
		add("/"+svc+"/search", "GET")
		add("/"+svc+"/{id}", "GET", "PUT", "DELETE")
		add("/"+svc+"/{id}/notes", "GET", "POST")
		add("/"+svc+"/{id}/notes/{noteId}", "GET", "PATCH")
	}
	add("/static/{proxy+}", "GET", "HEAD")
	add("/admin/{proxy+}", "ANY")
	add("/health", "GET", "HEAD")
	add("/v1/{tenant}/reports/{reportId}", "GET")
	add("/v1/{tenant}/reports/latest", "GET")
	add("/{proxy+}", "ANY")
	return routes
}

func BenchmarkLookup(b *testing.B) {
	routes := benchRoutes()
	tr, err := New(routes)
	if err != nil {
		b.Fatal(err)
	}
	if len(routes) < 45 {
		b.Fatalf("only %d routes", len(routes))
	}
	for _, bc := range []struct{ name, method, path string }{
		{"literal", "GET", "/pets/search"},
		{"param", "GET", "/users/123"},
		{"two-params", "PATCH", "/orders/9/notes/abc"},
		{"encoded-literal", "GET", "/st%6Fres/search"},
		{"greedy", "GET", "/static/css/site/main.css"},
		{"backtrack-to-root-greedy", "GET", "/pets/1/notes/2/extra"},
		{"method-missing", "POST", "/health"},
	} {
		if _, ok := tr.Lookup(bc.method, bc.path); !ok && bc.name != "method-missing" {
			b.Fatalf("%s %s did not match", bc.method, bc.path)
		}
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				tr.Lookup(bc.method, bc.path)
			}
		})
	}
}

// Example-style smoke check that benchRoutes stays a valid API.
func TestBenchRoutesValid(t *testing.T) {
	if _, err := New(benchRoutes()); err != nil {
		t.Fatal(fmt.Errorf("benchRoutes: %w", err))
	}
}
