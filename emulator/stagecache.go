package emulator

import (
	"bytes"
	"net/http"
	"strings"
	"time"

	"github.com/apigw-local/apigw-local/emulator/internal/stagecache"
	"github.com/apigw-local/apigw-local/internal/config"
	"github.com/apigw-local/apigw-local/internal/gatewayresponse"
	"github.com/apigw-local/apigw-local/internal/integration"
	"github.com/apigw-local/apigw-local/internal/spec"
)

// cacheSetting is how one method is cached on one stage (reference §k), decided at build.
type cacheSetting struct {
	ttl       time.Duration
	namespace string     // cacheNamespace, else the resource id
	keys      []cacheKey // the cacheKeyParameters, as method request parameters
	// requireAuth makes Cache-Control: max-age=0 need a SigV4 caller; strategy is the answer otherwise.
	requireAuth bool
	strategy    string
}

// cacheKey is one method request parameter whose value splits cache entries.
type cacheKey struct{ location, name string }

// cacheSettingFor decides whether route r is cached on stage st: the stage cache on, the method's
// methodSettings (its own, its resource's "*", then "*/*") saying so or, without them, a GET; a TTL
// above 0. why lists the cacheKeyParameters that cannot split entries.
func cacheSettingFor(st *config.Stage, r *Route, in *spec.Integration) (cs *cacheSetting, unresolved []string) {
	if st == nil || !st.CacheClusterEnabled || in == nil {
		return nil, nil
	}
	method := r.Method.HTTPMethod
	enabled, ttl := method == http.MethodGet, st.CacheTTLInSeconds
	requireAuth, strategy := true, "SUCCEED_WITH_RESPONSE_HEADER"
	var enabledSet, ttlSet, authSet, strategySet bool
	for _, key := range methodSettingKeys(r.Resource, method) {
		ms, ok := st.MethodSettings[key]
		if !ok {
			continue
		}
		if ms.CachingEnabled != nil && !enabledSet {
			enabled, enabledSet = *ms.CachingEnabled, true
		}
		if ms.CacheTTLInSeconds != nil && !ttlSet {
			ttl, ttlSet = *ms.CacheTTLInSeconds, true
		}
		if ms.RequireAuthorizationForCacheControl != nil && !authSet {
			requireAuth, authSet = *ms.RequireAuthorizationForCacheControl, true
		}
		if ms.UnauthorizedCacheControlHeaderStrategy != "" && !strategySet {
			strategy, strategySet = ms.UnauthorizedCacheControlHeaderStrategy, true
		}
	}
	if !enabled || ttl == 0 {
		return nil, nil
	}
	cs = &cacheSetting{ttl: time.Duration(ttl) * time.Second, namespace: in.CacheNamespace, requireAuth: requireAuth, strategy: strategy}
	if cs.namespace == "" {
		cs.namespace = r.ResourceID
	}
	for _, p := range in.CacheKeyParameters {
		src := p
		if strings.HasPrefix(p, "integration.request.") {
			// An integration request parameter splits entries by the method request value it is mapped from.
			v, ok := spec.Lookup(in.RequestParameters, p)
			if !ok {
				unresolved = append(unresolved, p)
				continue
			}
			src = v
		}
		rest, ok := strings.CutPrefix(src, "method.request.")
		location, name, _ := strings.Cut(rest, ".")
		switch {
		case ok && name != "" && (location == "path" || location == "querystring" || location == "header"):
			cs.keys = append(cs.keys, cacheKey{location, name})
		default:
			unresolved = append(unresolved, p)
		}
	}
	return cs, unresolved
}

// key is the request's cache key: the API, the stage, the namespace, the method and the key parameters'
// values. Parameters that are not keys do not split entries, as on AWS.
func (cs *cacheSetting) key(x *exchange) string {
	var b strings.Builder
	b.WriteString(x.api.ID)
	b.WriteByte('/')
	b.WriteString(x.stage.Name)
	b.WriteByte('/')
	b.WriteString(cs.namespace)
	b.WriteByte(0)
	b.WriteString(x.r.Method)
	var query map[string][]string
	for _, k := range cs.keys {
		b.WriteByte(0)
		b.WriteString(k.location)
		b.WriteByte('.')
		b.WriteString(k.name)
		b.WriteByte('=')
		switch k.location {
		case "path":
			b.WriteString(x.params[k.name])
		case "querystring":
			if query == nil {
				query = x.r.URL.Query()
			}
			if vs := query[k.name]; len(vs) > 0 {
				b.WriteString(vs[len(vs)-1])
			}
		case "header":
			b.WriteString(x.r.Header.Get(k.name))
		}
	}
	return b.String()
}

// cacheLookup answers from the stage cache when it can (x.resp set, true). A Cache-Control: max-age=0
// from an authorised caller skips the entry so that the integration's answer replaces it; from another
// caller it is refused (FAIL_WITH_403) or ignored, as the method's strategy says.
func (g *Gateway) cacheLookup(x *exchange, cs *cacheSetting, key string) (bool, *gatewayresponse.Error) {
	if strings.Contains(strings.ToLower(x.r.Header.Get("Cache-Control")), "max-age=0") {
		// A configured SigV4 key stands for a caller allowed execute-api:InvalidateCache, as it stands for
		// one allowed execute-api:Invoke (users' IAM policies are not emulated).
		if !cs.requireAuth || x.ctx.Caller.AccessKey != "" {
			x.cacheLog = "invalidated"
			x.trace.add("cache", x.cacheLog)
			return false, nil
		}
		if cs.strategy == "FAIL_WITH_403" {
			x.cacheLog = "max-age=0-refused"
			// The documentation says "403 Unauthorized"; the body is assumed.
			return false, &gatewayresponse.Error{Type: gatewayresponse.AccessDenied, Message: "Unauthorized",
				Reason: "Cache-Control: max-age=0 from a caller not authorised to invalidate the cache (FAIL_WITH_403)"}
		}
		// SUCCEED_WITH(OUT)_RESPONSE_HEADER: the invalidation is ignored. AWS's warning header is not
		// documented (name or text), so none is added; the log line says it.
		x.cacheLog = "max-age=0-ignored"
		x.trace.add("cache", "max-age=0 ignored: not authorised ("+cs.strategy+")")
	}
	e, ok := g.stageCache.Get(key)
	if !ok {
		if x.cacheLog == "" {
			x.cacheLog = "miss"
		} else {
			x.cacheLog += ",miss"
		}
		x.trace.add("cache", "miss")
		return false, nil
	}
	if x.cacheLog == "" {
		x.cacheLog = "hit"
	} else {
		x.cacheLog += ",hit"
	}
	x.trace.add("cache", "hit")
	x.resp = &integration.Response{Status: e.Status, Header: e.Header.Clone(), Body: e.Body, ContentType: e.ContentType,
		RemapReserved: e.RemapReserved, Traced: e.Traced}
	return true, nil
}

// cacheStore keeps a Responder's answer.
func (g *Gateway) cacheStore(key string, cs *cacheSetting, resp *integration.Response) {
	g.stageCache.Put(key, &stagecache.Entry{Status: resp.Status, Header: resp.Header.Clone(), Body: resp.Body,
		ContentType: resp.ContentType, RemapReserved: resp.RemapReserved, Traced: resp.Traced}, cs.ttl)
}

// cachingWriter copies a Streamer's answer as it goes to the client, up to the largest cached size.
type cachingWriter struct {
	http.ResponseWriter
	status   int
	header   http.Header
	body     bytes.Buffer
	overflow bool
}

func (w *cachingWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status, w.header = code, w.ResponseWriter.Header().Clone()
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *cachingWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	if !w.overflow {
		if w.body.Len()+len(b) > stagecache.MaxEntryBytes {
			w.overflow = true
			w.body = bytes.Buffer{}
		} else {
			w.body.Write(b)
		}
	}
	return w.ResponseWriter.Write(b)
}

func (w *cachingWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// store keeps the streamed answer, unless it was too large to cache.
func (w *cachingWriter) store(g *Gateway, key string, cs *cacheSetting) {
	if w.overflow || w.status == 0 {
		return
	}
	h := w.header
	delete(h, "Content-Length") // respond sets it from the body
	g.stageCache.Put(key, &stagecache.Entry{Status: w.status, Header: h, Body: bytes.Clone(w.body.Bytes()), Traced: true}, cs.ttl)
}

// stageCacheBound is the memory a stage's cached answers may take: its cacheClusterSize.
func (g *Gateway) stageCacheBound(key string) int64 {
	stage := key
	if i := strings.IndexByte(key, '/'); i >= 0 {
		stage = key[i+1:]
		if j := strings.IndexByte(stage, '/'); j >= 0 {
			stage = stage[:j]
		}
	}
	size := config.DefaultCacheClusterSize
	if cur := g.cur.Load(); cur != nil && cur.snap.Config != nil {
		if st := cur.snap.Config.Stages[stage]; st != nil && st.CacheClusterSize > 0 {
			size = st.CacheClusterSize
		}
	}
	return int64(size * (1 << 30))
}

// FlushStageCache empties a stage's cache (every API's stage of that name; "" for every stage) and says
// how many answers it dropped, as API Gateway's FlushStageCache does for one stage.
func (g *Gateway) FlushStageCache(apiID, stage string) int {
	if stage == "" {
		return g.stageCache.Flush("")
	}
	if apiID != "" {
		return g.stageCache.Flush(apiID + "/" + stage + "/")
	}
	n := 0
	if cur := g.cur.Load(); cur != nil {
		for _, a := range cur.snap.APIs {
			n += g.stageCache.Flush(a.ID + "/" + stage + "/")
		}
	}
	return n
}
