package emulator

import (
	_ "embed"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// recentSize is how many finished requests the inspector keeps (GET /_apigw/, /_apigw/requests).
const recentSize = 200

// inspected is one finished request as the inspector shows it. Its strings are the request's own and its
// trace a copy of the exchange's array: keeping the last requests costs one struct copy per request under
// a lock, no allocation, and nothing is rendered until someone asks.
type inspected struct {
	start             time.Time
	requestID         string
	method, path, raw string // raw: the query string
	host              string
	apiID, stage      string
	resource          string
	status            int
	latency, integ    time.Duration
	trace             trace
	endedAt           int // the step that ended the request with a gateway response; -1 for none
	authLog, cacheLog string
}

// recent is a ring of the last recentSize finished requests.
type recent struct {
	mu   sync.Mutex
	ring [recentSize]inspected
	n    uint64 // requests recorded so far; the next goes to ring[n%recentSize]
}

func (rc *recent) add(x *exchange, now time.Time) {
	c := capture(x, now)
	rc.mu.Lock()
	rc.ring[rc.n%recentSize] = c
	rc.n++
	rc.mu.Unlock()
}

// capture is what a finished exchange leaves for the inspector and the JSON log.
func capture(x *exchange, now time.Time) inspected {
	c := inspected{start: x.start, requestID: x.ctx.RequestID, method: x.r.Method, path: x.r.URL.EscapedPath(),
		raw: x.r.URL.RawQuery, host: x.r.Host, resource: x.ctx.ResourcePath, status: x.w.status,
		latency: now.Sub(x.start), integ: x.integ, trace: x.trace, endedAt: -1, authLog: x.authLog, cacheLog: x.cacheLog}
	if x.api != nil {
		c.apiID = x.api.ID
	}
	if x.stage != nil {
		c.stage = x.stage.Name
	}
	// The copied trace's ended points into the exchange's array, which the copy must not keep: an index
	// stands for it, made a pointer again in entry.
	c.trace.ended = nil
	for i := range x.trace.n {
		if &x.trace.steps[i] == x.trace.ended {
			c.endedAt = i
		}
	}
	return c
}

// list returns up to limit records, newest first.
func (rc *recent) list(limit int) []inspected {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	n := min(uint64(limit), rc.n, recentSize)
	out := make([]inspected, 0, n)
	for i := range n {
		out = append(out, rc.ring[(rc.n-1-i)%recentSize])
	}
	return out
}

// find returns the record of a request id still in the ring.
func (rc *recent) find(id string) (inspected, bool) {
	for _, e := range rc.list(recentSize) {
		if e.requestID == id {
			return e, true
		}
	}
	return inspected{}, false
}

// entry is the record in the JSON log's shape, so that the log and the inspector name every field alike;
// withTrace adds each phase's step, the authorizer's verdict and the cache's decision.
func (e *inspected) entry(withTrace bool) logEntry {
	t := e.trace
	if e.endedAt >= 0 {
		t.ended = &t.steps[e.endedAt]
	}
	path := e.path
	if e.raw != "" {
		path += "?" + e.raw
	}
	le := logEntry{Time: e.start.UTC().Format(timeLayout), RequestID: e.requestID, API: e.apiID, Method: e.method, Path: path,
		Host: e.host, Stage: e.stage, Resource: e.resource, Status: e.status, LatencyMs: ms(e.latency),
		IntegrationLatency: ms(e.integ), Reason: t.reason()}
	if withTrace {
		le.Authorizer, le.Cache = e.authLog, e.cacheLog
		le.Trace = t.Steps()
	}
	return le
}

//go:embed inspector.html
var inspectorPage []byte

// inspectorHandlers adds the inspector's endpoints to the admin mux.
func (g *Gateway) inspectorHandlers(mux *http.ServeMux) {
	page := func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		// The page runs only its own inline script and talks only to this gateway's admin endpoints.
		h.Set("Content-Security-Policy", "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'")
		h.Set("Cache-Control", "no-store")
		_, _ = w.Write(inspectorPage)
	}
	mux.HandleFunc("/_apigw/{$}", only(http.MethodGet, page))
	mux.HandleFunc("/_apigw", only(http.MethodGet, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/_apigw/", http.StatusMovedPermanently)
	}))
	mux.HandleFunc("/_apigw/requests", only(http.MethodGet, func(w http.ResponseWriter, r *http.Request) {
		limit := recentSize
		if v := r.URL.Query().Get("limit"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				writeJSON(w, http.StatusBadRequest, map[string]string{"message": "limit must be a positive number"})
				return
			}
			limit = min(n, recentSize)
		}
		list := g.recent.list(limit)
		out := make([]logEntry, 0, len(list))
		for i := range list {
			out = append(out, list[i].entry(false))
		}
		writeJSON(w, http.StatusOK, map[string]any{"requests": out, "kept": recentSize})
	}))
	mux.HandleFunc("/_apigw/requests/{id}", only(http.MethodGet, func(w http.ResponseWriter, r *http.Request) {
		e, ok := g.recent.find(r.PathValue("id"))
		if !ok {
			writeJSON(w, http.StatusNotFound, map[string]string{"message": "request " + r.PathValue("id") + " is not among the last " + strconv.Itoa(recentSize)})
			return
		}
		writeJSON(w, http.StatusOK, e.entry(true))
	}))
}
