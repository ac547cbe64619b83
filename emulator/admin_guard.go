package emulator

import (
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strings"

	"github.com/apigw-local/apigw-local/internal/config"
)

// The admin endpoints reset limits and show the whole configuration: they belong to the local user. A
// request reaches them only from a loopback client, addressed to a host name this server answers to
// (which defeats DNS rebinding: a page on evil.example that rebinds its name to 127.0.0.1 still sends
// Host: evil.example), and, for the calls that change state, not from another origin's page.

// WithAllowedHosts adds host names (without port) the admin endpoints accept in the Host header, beside
// localhost, 127.0.0.1, [::1] and *.execute-api.localhost (serve --allow-host).
func WithAllowedHosts(hosts ...string) Option {
	return func(g *Gateway) {
		for _, h := range hosts {
			g.allowedHosts[strings.ToLower(strings.TrimSuffix(h, "."))] = true
		}
	}
}

// WithAdminClients adds client addresses and ranges the admin endpoints accept besides loopback (serve
// --admin-allow; the config's admin.allowedClients adds more): a gateway in a container is reached from
// the host through the bridge's address.
func WithAdminClients(prefixes ...netip.Prefix) Option {
	return func(g *Gateway) { g.adminClients = append(g.adminClients, prefixes...) }
}

// adminAllowed says why r may not use the admin endpoints ("" when it may). The config's admin key opens
// them to more clients and host names; it is read from the snapshot serving, so an edit applies at once.
func (g *Gateway) adminAllowed(r *http.Request) string {
	var admin config.Admin
	if cur := g.cur.Load(); cur != nil && cur.snap.Config != nil {
		admin = cur.snap.Config.Admin
	}
	ip, err := netip.ParseAddr(sourceIP(r))
	in := func(p netip.Prefix) bool { return p.Contains(ip.Unmap()) }
	if err != nil || !ip.Unmap().IsLoopback() && !slices.ContainsFunc(admin.AllowedClients, in) && !slices.ContainsFunc(g.adminClients, in) {
		return "the admin endpoints answer loopback clients only (admin.allowedClients in the config adds more)"
	}
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.ToLower(strings.TrimSuffix(strings.Trim(host, "[]"), "."))
	if !g.hostServed(host) && !slices.Contains(admin.AllowedHosts, host) {
		return "Host " + r.Host + " is not a name this server answers to (serve --allow-host or admin.allowedHosts in the config adds one)"
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		// A browser marks requests from another site's page; tools such as curl send neither header.
		switch r.Header.Get("Sec-Fetch-Site") {
		case "", "same-origin", "none":
		default:
			return "cross-site requests may not change the emulator's state"
		}
		if origin := r.Header.Get("Origin"); origin != "" {
			u, err := url.Parse(origin)
			if err != nil || !strings.EqualFold(u.Host, r.Host) {
				return "requests from origin " + origin + " may not change the emulator's state"
			}
		}
	}
	return ""
}

func (g *Gateway) hostServed(host string) bool {
	switch {
	case host == "localhost", host == "127.0.0.1", host == "::1", strings.HasSuffix(host, ".execute-api.localhost"):
		return true
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return true
	}
	return g.allowedHosts[host]
}

// guardAdmin refuses, with 403 and the reason, the requests adminAllowed refuses.
func (g *Gateway) guardAdmin(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if why := g.adminAllowed(r); why != "" {
			writeJSON(w, http.StatusForbidden, map[string]string{"message": why})
			return
		}
		next.ServeHTTP(w, r)
	})
}
