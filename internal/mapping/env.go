package mapping

import (
	"net/http"
	"net/url"

	"github.com/apigw-local/apigw-local/internal/reqctx"
)

// NewEnv builds what the mapping templates of one request see: its parameters ($input.params), the
// $context view of the request context, and the stage's variables.
func NewEnv(r *http.Request, pathParams map[string]string, stageVars map[string]string, rc *reqctx.Context) *Env {
	path := make(map[string]string, len(pathParams))
	for k, v := range pathParams {
		// Templates see path parameters decoded ($input.params('id')); the router keeps them as sent.
		if d, err := url.PathUnescape(v); err == nil {
			v = d
		}
		path[k] = v
	}
	query, _ := url.ParseQuery(r.URL.RawQuery)
	// Go's server moves Host out of the header map; templates see it like any other header
	// ($input.params('Host'), vtl-templates.json#input-params-header-visibility).
	header := r.Header
	if r.Host != "" {
		header = header.Clone()
		header.Set("Host", r.Host)
	}
	var c reqctx.Context
	if rc != nil {
		c = *rc
	}
	// $context is built when a template first uses it (ContextMap): most MOCK templates never do, and it
	// is the costliest part of the environment.
	return &Env{Params: Params{Path: path, Query: query, Header: header}, StageVariables: stageVars, Ctx: r.Context(), rc: &c}
}
