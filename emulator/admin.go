package emulator

import (
	"encoding/json"
	"net/http"
)

// admin serves the emulator's own endpoints under /_apigw/.
func (g *Gateway) admin(w http.ResponseWriter, r *http.Request, cur *served) {
	snap := cur.snap
	switch r.URL.Path {
	case "/_apigw/health":
		if !allow(w, r, http.MethodGet) {
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"status": "ok", "generation": snap.Generation})
	case "/_apigw/routes":
		if !allow(w, r, http.MethodGet) {
			return
		}
		routes := snap.Routes()
		if routes == nil {
			routes = []RouteInfo{}
		}
		writeJSON(w, http.StatusOK, routes)
	case "/_apigw/usage":
		if !allow(w, r, http.MethodGet) {
			return
		}
		status, body := cur.meter.usage(r.URL.Query(), g.clock.Now())
		writeJSON(w, status, body)
	case "/_apigw/reset":
		if !allow(w, r, http.MethodPost) {
			return
		}
		g.ResetLimits()
		// There is no authorizer cache yet; when authorizers come, the reset empties it too.
		writeJSON(w, http.StatusOK, map[string]any{"reset": []string{"tokenBuckets", "quotas", "usage"}})
	case "/_apigw/", "/_apigw":
		// The inspector comes with a later feature; say so instead of pretending.
		writeJSON(w, http.StatusNotImplemented, map[string]string{"message": r.URL.Path + " is not implemented in this version of apigw-local"})
	default:
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "unknown admin endpoint " + r.URL.Path})
	}
}

func allow(w http.ResponseWriter, r *http.Request, method string) bool {
	if r.Method == method || (method == http.MethodGet && r.Method == http.MethodHead) {
		return true
	}
	w.Header().Set("Allow", method)
	writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"message": "use " + method})
	return false
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}
