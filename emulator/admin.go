package emulator

import (
	"encoding/json"
	"net/http"
)

// adminMux routes the emulator's own endpoints under /_apigw/. They read the snapshot being served at
// the time of the request.
func (g *Gateway) adminMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("/_apigw/health", only(http.MethodGet, func(w http.ResponseWriter, r *http.Request) {
		st := g.stageCache.Stats()
		writeJSON(w, http.StatusOK, map[string]any{"status": "ok", "generation": g.Snapshot().Generation,
			"stageCache": map[string]any{"hits": st.Hits, "misses": st.Misses, "entries": st.Entries, "bytes": st.Bytes}})
	}))
	mux.HandleFunc("/_apigw/routes", only(http.MethodGet, func(w http.ResponseWriter, r *http.Request) {
		routes := g.Routes()
		if routes == nil {
			routes = []RouteInfo{}
		}
		writeJSON(w, http.StatusOK, routes)
	}))
	mux.HandleFunc("/_apigw/usage", only(http.MethodGet, func(w http.ResponseWriter, r *http.Request) {
		status, body := g.cur.Load().meter.usage(r.URL.Query(), g.clock.Now())
		writeJSON(w, status, body)
	}))
	mux.HandleFunc("/_apigw/reset", only(http.MethodPost, func(w http.ResponseWriter, r *http.Request) {
		g.ResetLimits()
		writeJSON(w, http.StatusOK, map[string]any{"reset": []string{"tokenBuckets", "quotas", "usage", "authorizerCache", "stageCache"}})
	}))
	// API Gateway's FlushStageCache (DELETE /restapis/{id}/stages/{stage}/cache/data): 202, for every API's
	// stage of that name, or one API's with ?apiId=.
	mux.HandleFunc("/_apigw/stages/{stage}/cache/data", only(http.MethodDelete, func(w http.ResponseWriter, r *http.Request) {
		n := g.FlushStageCache(r.URL.Query().Get("apiId"), r.PathValue("stage"))
		writeJSON(w, http.StatusAccepted, map[string]any{"flushed": n})
	}))
	g.inspectorHandlers(mux)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "unknown admin endpoint " + r.URL.Path})
	})
	return mux
}

// only answers other methods 405 in JSON, as the rest of the admin API speaks (ServeMux's own 405 is
// plain text). GET also allows HEAD.
func only(method string, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Method == method || (method == http.MethodGet && r.Method == http.MethodHead) {
			h(w, r)
			return
		}
		w.Header().Set("Allow", method)
		writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"message": "use " + method})
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}
