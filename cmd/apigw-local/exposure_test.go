package main

import (
	"net/http"
	"strings"
	"testing"
)

// Binding anything but a loopback address says what becomes reachable.
func TestExposureWarning(t *testing.T) {
	for _, c := range []struct {
		host string
		warn bool
	}{{"127.0.0.1", false}, {"localhost", false}, {"::1", false}, {"127.0.0.2", false},
		{"0.0.0.0", true}, {"", true}, {"::", true}, {"192.0.2.10", true}} {
		w := exposureWarning(c.host)
		if (w != "") != c.warn || (c.warn && !strings.Contains(w, "other machines")) {
			t.Errorf("exposureWarning(%q) = %q, want a warning: %v", c.host, w, c.warn)
		}
	}
}

// --allow-host adds a name the admin endpoints answer to; any other foreign Host is refused.
func TestServeAllowHost(t *testing.T) {
	s := startServe(t, t.TempDir(), "--allow-host", "dev.example.test")
	for _, c := range []struct {
		host   string
		status int
	}{{"dev.example.test", 200}, {"evil.example", 403}} {
		req, _ := http.NewRequest("GET", s.url+"/_apigw/health", nil)
		req.Host = c.host
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != c.status {
			t.Errorf("Host %s: %d, want %d", c.host, resp.StatusCode, c.status)
		}
	}
}
