package emulator

import (
	"net/http/httptest"
	"net/netip"
	"testing"
)

// The admin endpoints answer the local user only: loopback clients, a Host this server answers to, and no
// state change from another site's page (issue 10: a web page could reset the limits; any Host passed).
func TestAdminEndpointsBelongToTheLocalUser(t *testing.T) {
	t.Parallel()
	snap := loadFiles(t, t.TempDir(), `openapi: "3.0.1"
info: {title: t, version: "1"}
paths:
  /a:
    get:
      x-amazon-apigateway-integration: `+mockIntegration+`
`, "")
	g := NewGateway(snap, nil, WithAllowedHosts("dev.example.test"))
	for _, c := range []struct {
		name    string
		method  string
		path    string
		remote  string            // the client's address
		host    string            // the Host header
		headers map[string]string // browser headers
		status  int
	}{
		{"loopback, localhost", "GET", "/_apigw/health", "127.0.0.1:5000", "localhost:3000", nil, 200},
		{"loopback IPv6", "GET", "/_apigw/health", "[::1]:5000", "[::1]:3000", nil, 200},
		{"an API host name", "GET", "/_apigw/routes", "127.0.0.1:5000", "petstore.execute-api.localhost:3000", nil, 200},
		{"a host allowed by --allow-host", "GET", "/_apigw/health", "127.0.0.1:5000", "dev.example.test:3000", nil, 200},
		{"a remote client", "GET", "/_apigw/health", "192.0.2.7:5000", "127.0.0.1:3000", nil, 403},
		{"DNS rebinding: a foreign Host", "GET", "/_apigw/routes", "127.0.0.1:5000", "evil.example:3000", nil, 403},
		{"curl resets", "POST", "/_apigw/reset", "127.0.0.1:5000", "127.0.0.1:3000", nil, 200},
		{"the emulator's own page resets", "POST", "/_apigw/reset", "127.0.0.1:5000", "127.0.0.1:3000",
			map[string]string{"Origin": "http://127.0.0.1:3000", "Sec-Fetch-Site": "same-origin"}, 200},
		{"another site's page: Origin", "POST", "/_apigw/reset", "127.0.0.1:5000", "127.0.0.1:3000",
			map[string]string{"Origin": "http://evil.example", "Content-Type": "text/plain"}, 403},
		{"another site's page: Sec-Fetch-Site", "POST", "/_apigw/reset", "127.0.0.1:5000", "127.0.0.1:3000",
			map[string]string{"Sec-Fetch-Site": "cross-site"}, 403},
		{"another site may read nothing either when its Host is foreign", "GET", "/_apigw/usage", "127.0.0.1:5000", "evil.example", nil, 403},
	} {
		r := httptest.NewRequest(c.method, c.path, nil)
		r.RemoteAddr, r.Host = c.remote, c.host
		for k, v := range c.headers {
			r.Header.Set(k, v)
		}
		w := httptest.NewRecorder()
		g.ServeHTTP(w, r)
		if w.Code != c.status {
			t.Errorf("%s: %s %s from %s, Host %s: %d %s, want %d", c.name, c.method, c.path, c.remote, c.host, w.Code, w.Body, c.status)
		}
	}
	// The APIs themselves are not restricted: API Gateway answers any client.
	r := httptest.NewRequest("GET", "/dev/a", nil)
	r.RemoteAddr, r.Host = "192.0.2.7:5000", "evil.example"
	w := httptest.NewRecorder()
	g.ServeHTTP(w, r)
	if w.Code != 200 {
		t.Errorf("an API request from a remote client: %d, want 200", w.Code)
	}
}

// The config's admin key opens the admin endpoints to more clients and host names (a gateway in a
// container is reached from the host through a bridge address, never loopback); nothing else is opened.
func TestAdminConfigOpensTheAdminEndpoints(t *testing.T) {
	t.Parallel()
	snap := loadFiles(t, t.TempDir(), `openapi: "3.0.1"
info: {title: t, version: "1"}
paths:
  /a:
    get:
      x-amazon-apigateway-integration: `+mockIntegration+`
`, `admin:
  allowedClients: ["192.0.2.0/24", "2001:db8::7"]
  allowedHosts: [gw.example.test]
`)
	g := NewGateway(snap, nil)
	for _, c := range []struct {
		name, remote, host string
		status             int
	}{
		{"a client in an allowed range, an allowed host", "192.0.2.7:5000", "gw.example.test:3000", 200},
		{"an allowed IPv6 client", "[2001:db8::7]:5000", "localhost:3000", 200},
		{"an IPv4-mapped allowed client", "[::ffff:192.0.2.9]:5000", "127.0.0.1:3000", 200},
		{"a client outside the ranges", "198.51.100.1:5000", "gw.example.test:3000", 403},
		{"an allowed client, a foreign host", "192.0.2.7:5000", "evil.example", 403},
		{"loopback still works", "127.0.0.1:5000", "localhost", 200},
	} {
		r := httptest.NewRequest("GET", "/_apigw/health", nil)
		r.RemoteAddr, r.Host = c.remote, c.host
		w := httptest.NewRecorder()
		g.ServeHTTP(w, r)
		if w.Code != c.status {
			t.Errorf("%s: %d %s, want %d", c.name, w.Code, w.Body, c.status)
		}
	}
}

// serve --admin-allow (WithAdminClients) opens the admin endpoints to a range, as the container image does
// for the bridge network; other clients stay refused.
func TestAdminClientsOption(t *testing.T) {
	t.Parallel()
	snap := loadFiles(t, t.TempDir(), `openapi: "3.0.1"
info: {title: t, version: "1"}
paths:
  /a:
    get:
      x-amazon-apigateway-integration: `+mockIntegration+`
`, "")
	g := NewGateway(snap, nil, WithAdminClients(netip.MustParsePrefix("172.16.0.0/12")))
	for remote, want := range map[string]int{"172.17.0.1:5000": 200, "192.0.2.7:5000": 403} {
		r := httptest.NewRequest("GET", "/_apigw/health", nil)
		r.RemoteAddr, r.Host = remote, "localhost:3000"
		w := httptest.NewRecorder()
		g.ServeHTTP(w, r)
		if w.Code != want {
			t.Errorf("%s: %d, want %d", remote, w.Code, want)
		}
	}
}
