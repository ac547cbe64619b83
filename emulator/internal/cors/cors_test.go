package cors

import (
	"net/http"
	"strings"
	"testing"

	"github.com/apigw-local/apigw-local/internal/spec"
)

func req(method string, h map[string]string) *http.Request {
	r, _ := http.NewRequest(method, "http://api.example/x", nil)
	for k, v := range h {
		r.Header.Set(k, v)
	}
	return r
}

func TestAllowOrigin(t *testing.T) {
	for _, c := range []struct {
		name    string
		origins []string
		origin  string
		want    string
		ok      bool
	}{
		{"exact", []string{"https://www.example.com"}, "https://www.example.com", "https://www.example.com", true},
		{"exact ignores case, echoes the request", []string{"https://WWW.example.com"}, "https://www.Example.com", "https://www.Example.com", true},
		{"port counts", []string{"http://localhost:3000"}, "http://localhost:3001", "", false},
		{"not listed", []string{"https://a.example"}, "https://b.example", "", false},
		{"star answers star", []string{"*"}, "https://anything.example", "*", true},
		{"https://* takes any https origin", []string{"https://*"}, "https://x.example", "https://x.example", true},
		{"https://* refuses http", []string{"https://*"}, "http://x.example", "", false},
		{"http://* takes http", []string{"http://*"}, "http://localhost:8080", "http://localhost:8080", true},
		{"a bare scheme is no origin", []string{"https://*"}, "https://", "", false},
		{"an undocumented wildcard matches nothing", []string{"https://*.example.com"}, "https://a.example.com", "", false},
		{"no Origin", []string{"*"}, "", "", false},
		{"nothing configured", nil, "https://a.example", "", false},
	} {
		got, ok := Compile(&spec.CORS{AllowOrigins: c.origins}).AllowOrigin(c.origin)
		if got != c.want || ok != c.ok {
			t.Errorf("%s: AllowOrigin(%q) = %q %v, want %q %v", c.name, c.origin, got, ok, c.want, c.ok)
		}
	}
}

func TestPreflight(t *testing.T) {
	full := &spec.CORS{AllowOrigins: []string{"https://app.example"}, AllowMethods: []string{"POST", "GET", "OPTIONS", "GET"},
		AllowHeaders: []string{"Content-Type", "Authorization"}, ExposeHeaders: []string{"X-Total", "Date"},
		AllowCredentials: true, MaxAge: new(300)}
	stars := &spec.CORS{AllowOrigins: []string{"*"}, AllowMethods: []string{"*"}, AllowHeaders: []string{"*"}}
	zero := &spec.CORS{AllowOrigins: []string{"*"}, MaxAge: new(0)}
	for _, c := range []struct {
		name string
		cfg  *spec.CORS
		hdr  map[string]string
		want map[string]string // nil: refused, no access-control-* header
	}{
		{"allowed, every header", full, map[string]string{"Origin": "https://app.example", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type, authorization"},
			map[string]string{"Access-Control-Allow-Origin": "https://app.example", "Access-Control-Allow-Methods": "GET,OPTIONS,POST",
				"Access-Control-Allow-Headers": "authorization,content-type", "Access-Control-Max-Age": "300", "Access-Control-Allow-Credentials": "true"}},
		{"foreign origin", full, map[string]string{"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"}, nil},
		{"method not allowed", full, map[string]string{"Origin": "https://app.example", "Access-Control-Request-Method": "DELETE"}, nil},
		{"a header not allowed", full, map[string]string{"Origin": "https://app.example", "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "content-type,x-secret"}, nil},
		{"header names ignore case", full, map[string]string{"Origin": "https://app.example", "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "AUTHORIZATION"},
			map[string]string{"Access-Control-Allow-Origin": "https://app.example", "Access-Control-Allow-Headers": "authorization,content-type"}},
		{"stars", stars, map[string]string{"Origin": "https://x.example", "Access-Control-Request-Method": "PATCH", "Access-Control-Request-Headers": "x-anything"},
			map[string]string{"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Methods": "*", "Access-Control-Allow-Headers": "*", "Access-Control-Max-Age": "", "Access-Control-Allow-Credentials": ""}},
		{"maxAge 0 is sent", zero, map[string]string{"Origin": "https://x.example", "Access-Control-Request-Method": "GET"},
			map[string]string{"Access-Control-Allow-Origin": "*", "Access-Control-Max-Age": "0", "Access-Control-Allow-Methods": ""}},
	} {
		h := http.Header{}
		ok := Compile(c.cfg).Preflight(h, req("OPTIONS", c.hdr))
		if ok != (c.want != nil) {
			t.Errorf("%s: allowed %v, want %v (%v)", c.name, ok, c.want != nil, h)
		}
		if c.want == nil && len(h) != 0 {
			t.Errorf("%s: refused preflight has headers %v", c.name, h)
		}
		for k, v := range c.want {
			if got := h.Get(k); got != v {
				t.Errorf("%s: %s = %q, want %q", c.name, k, got, v)
			}
		}
	}
}

func TestApply(t *testing.T) {
	c := Compile(&spec.CORS{AllowOrigins: []string{"https://app.example"}, ExposeHeaders: []string{"X-Total"}, AllowCredentials: true,
		AllowMethods: []string{"GET"}, MaxAge: new(60)})
	backend := func() http.Header {
		return http.Header{"Access-Control-Allow-Origin": {"*"}, "access-control-max-age": {"9"}, "X-Total": {"3"}}
	}
	for _, x := range []struct {
		name   string
		method string
		hdr    map[string]string
		want   map[string]string
	}{
		{"allowed origin", "GET", map[string]string{"Origin": "https://app.example"},
			map[string]string{"Access-Control-Allow-Origin": "https://app.example", "Access-Control-Expose-Headers": "x-total", "Access-Control-Allow-Credentials": "true", "Access-Control-Max-Age": "", "X-Total": "3"}},
		{"foreign origin: backend's CORS headers still dropped", "GET", map[string]string{"Origin": "https://evil.example"},
			map[string]string{"Access-Control-Allow-Origin": "", "Access-Control-Expose-Headers": "", "X-Total": "3"}},
		{"no Origin", "GET", nil, map[string]string{"Access-Control-Allow-Origin": "", "X-Total": "3"}},
		{"a preflight a route took gets the preflight's headers", "OPTIONS", map[string]string{"Origin": "https://app.example", "Access-Control-Request-Method": "GET"},
			map[string]string{"Access-Control-Allow-Origin": "https://app.example", "Access-Control-Allow-Methods": "GET", "Access-Control-Max-Age": "60", "Access-Control-Expose-Headers": ""}},
	} {
		h := backend()
		c.Apply(h, req(x.method, x.hdr))
		if v, ok := h["access-control-max-age"]; ok {
			t.Errorf("%s: the backend's non-canonical access-control-max-age survived: %v", x.name, v)
		}
		for k, v := range x.want {
			if got := h.Get(k); got != v {
				t.Errorf("%s: %s = %q, want %q", x.name, k, got, v)
			}
		}
	}
}

func TestIsPreflight(t *testing.T) {
	for _, c := range []struct {
		method string
		hdr    map[string]string
		want   bool
	}{
		{"OPTIONS", map[string]string{"Origin": "https://a", "Access-Control-Request-Method": "GET"}, true},
		{"OPTIONS", map[string]string{"Origin": "https://a"}, false},
		{"OPTIONS", map[string]string{"Access-Control-Request-Method": "GET"}, false},
		{"GET", map[string]string{"Origin": "https://a", "Access-Control-Request-Method": "GET"}, false},
	} {
		if got := IsPreflight(req(c.method, c.hdr)); got != c.want {
			t.Errorf("IsPreflight(%s %v) = %v", c.method, c.hdr, got)
		}
	}
}

// FuzzCORS checks the invariants of matching on any configuration and request: an allowed origin is
// answered with itself or *, a refused preflight carries no header, and Apply never leaves a header the
// backend set under access-control-*.
func FuzzCORS(f *testing.F) {
	f.Add("https://a.example,https://*", "GET,POST", "content-type", "https://a.example", "GET", "Content-Type")
	f.Add("*", "*", "*", "http://x", "DELETE", "x-a, x-b")
	f.Add("http://*", "", "", "http://", "", "")
	f.Fuzz(func(t *testing.T, origins, methods, headers, origin, method, reqHeaders string) {
		c := Compile(&spec.CORS{AllowOrigins: strings.Split(origins, ","), AllowMethods: strings.Split(methods, ","), AllowHeaders: strings.Split(headers, ",")})
		v, ok := c.AllowOrigin(origin)
		if ok && v != "*" && v != origin {
			t.Fatalf("AllowOrigin(%q) = %q", origin, v)
		}
		if !ok && v != "" {
			t.Fatalf("refused origin %q answered %q", origin, v)
		}
		r, err := http.NewRequest("OPTIONS", "http://h/", nil)
		if err != nil {
			t.Skip()
		}
		r.Header["Origin"] = []string{origin}
		r.Header["Access-Control-Request-Method"] = []string{method}
		r.Header["Access-Control-Request-Headers"] = []string{reqHeaders}
		h := http.Header{}
		if !c.Preflight(h, r) && len(h) != 0 {
			t.Fatalf("refused preflight answered %v", h)
		}
		h = http.Header{"access-control-x": {"1"}, "Access-Control-Allow-Origin": {"evil"}}
		r.Method = "GET"
		c.Apply(h, r)
		if _, ok := h["access-control-x"]; ok {
			t.Fatal("a backend access-control-* header survived")
		}
		if got := h.Get("Access-Control-Allow-Origin"); got == "evil" {
			t.Fatal("the backend's allow-origin survived")
		}
	})
}
