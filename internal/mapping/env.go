package mapping

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/apigw-local/apigw-local/internal/reqctx"
)

// NewEnv builds what the mapping templates of one request see: its parameters ($input.params), the
// $context view of the request context, and the stage's variables.
func NewEnv(r *http.Request, pathParams map[string]string, stageVars map[string]string, rc *reqctx.Context) *Env {
	// Templates see path parameters decoded ($input.params('id')); the router keeps them as sent. The
	// router's map (this request's own, read only here) serves as it is when nothing needs decoding.
	path := pathParams
	for _, v := range pathParams {
		if strings.IndexByte(v, '%') >= 0 {
			path = make(map[string]string, len(pathParams))
			for k, v := range pathParams {
				if d, err := url.PathUnescape(v); err == nil {
					v = d
				}
				path[k] = v
			}
			break
		}
	}
	var query url.Values
	if r.URL.RawQuery != "" {
		query, _ = url.ParseQuery(r.URL.RawQuery)
	}
	var c reqctx.Context
	if rc != nil {
		c = *rc
	}
	// $context is built when a template first uses it (ContextMap): most MOCK templates never do, and it
	// is the costliest part of the environment.
	return &Env{Params: Params{Path: path, Query: query, Header: r.Header, Host: r.Host}, StageVariables: stageVars, Ctx: r.Context(), rc: &c}
}
