package emulator

import (
	"hash/fnv"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/apigw-local/apigw-local/emulator/internal/authorizer"
	"github.com/apigw-local/apigw-local/emulator/internal/cors"
	"github.com/apigw-local/apigw-local/emulator/internal/lambdaintegration"
	"github.com/apigw-local/apigw-local/emulator/internal/parammap"
	"github.com/apigw-local/apigw-local/emulator/internal/router"
	"github.com/apigw-local/apigw-local/emulator/internal/validator"
	"github.com/apigw-local/apigw-local/internal/config"
	"github.com/apigw-local/apigw-local/internal/gatewayresponse"
	"github.com/apigw-local/apigw-local/internal/iampolicy"
	"github.com/apigw-local/apigw-local/internal/integration"
	"github.com/apigw-local/apigw-local/internal/sigv4"
	"github.com/apigw-local/apigw-local/internal/spec"
)

// Snapshot is everything a request needs, built once from the specs and the config and never changed.
type Snapshot struct {
	Generation int64
	APIs       []*API
	Config     *config.Config
	byID       map[string]*API
	built      time.Time
	// verifier checks SigV4 signatures against the config's credentials (AWS_IAM methods).
	verifier *sigv4.Verifier
}

// API is one served API.
type API struct {
	ID         string
	Spec       *spec.API
	Stages     map[string]*Stage
	StageNames []string
	Tree       *router.Tree[*Route]
	Responses  *gatewayresponse.Set
	// policy is the API's resource policy (x-amazon-apigateway-policy); nil for none.
	policy *iampolicy.Policy
	// cors is an HTTP API's compiled x-amazon-apigateway-cors; nil for none.
	cors *cors.Config
}

// Stage is a deployment stage of an API: a URL prefix and its stage variables.
type Stage struct {
	Name      string
	Variables map[string]string
	// skipped names what this stage configures that only relaxes behaviour and is not emulated:
	// requests are served and their log line says what was skipped.
	skipped string
	// accessLog is the stage's accessLogFormat, compiled (nil without one).
	accessLog *stageLogFormat
}

// Route is one method of one resource, ready to serve: every decision about it is taken at build.
type Route struct {
	Resource   string
	ResourceID string
	Method     *spec.Method
	// key is "GET /pets", for the trace and the log.
	key string
	// routeKey is an HTTP API route's key as AWS writes it ("ANY /{proxy+}", "$default"), made once at
	// build for $context.routeKey and the events; "" for REST.
	routeKey    string
	integration integration.Integration
	timeout     time.Duration // the integration timeout (timeoutInMillis, capped)
	// callsBackend is false for MOCK: no timeout can act on it and it carries no X-Amzn-Trace-Id.
	callsBackend bool
	// notServed explains why this method answers 500 instead of calling its integration: a feature the
	// emulator does not have yet, or a configuration AWS would fail on at request time.
	notServed string
	// notServedIn is the same, for one stage only (a stage variable the stage does not define).
	notServedIn map[string]string
	// unenforced is the authorization this method requires and the emulator cannot enforce yet: the
	// authorize phase answers 500 rather than serve the method unprotected (fail closed).
	unenforced string
	// authorizer is the method's Lambda or Cognito authorizer (nil for none, or when unenforced).
	authorizer *authorizer.Authorizer
	// iam is true for authorizationType AWS_IAM: requests must be signed with SigV4 by a configured key.
	iam bool
	// validator is the method's request validator, compiled (nil when it validates nothing).
	validator *validator.Validator
	// skipped names what the method configures that only relaxes behaviour and is not emulated
	// (request validators, content handling): the method is served, and its log line says so.
	skipped string
	// function is the Lambda function the integration invokes, when the URI names it without stage
	// variables: whether it is configured is known only when the gateway serves (in-process handlers).
	function string
	// cache is the stage cache's setting for this method, by stage (absent where it does not cache).
	cache map[string]*cacheSetting
	// requestMap and responseMap are an HTTP API integration's parameter mappings (nil for none).
	requestMap  *parammap.Request
	responseMap *parammap.Response
}

// IntegrationType returns the method's integration type, or "" when it has none.
func (r *Route) IntegrationType() string {
	if r.Method.Integration == nil {
		return ""
	}
	return r.Method.Integration.Type
}

// servedIn says why the route answers 500 on this stage ("" when it is served).
func (r *Route) servedIn(stage string) string {
	if r.notServed != "" {
		return r.notServed
	}
	if r.unenforced != "" {
		return r.unenforced
	}
	return r.notServedIn[stage]
}

var nonIDChars = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`[^a-z0-9]+`) })

// apiID is the config's apiId for a single API, else one derived from the title (lower case letters,
// digits and dashes), made unique.
func apiID(cfg *config.Config, sa *spec.API, i int, taken map[string]*API) string {
	id := ""
	if a := cfg.APIFor(sa.File); a != nil && a.APIID != "" {
		id = a.APIID
	} else if cfg.APIID != "" && i == 0 {
		id = cfg.APIID
	} else {
		id = strings.Trim(nonIDChars().ReplaceAllString(strings.ToLower(sa.Title), "-"), "-")
		if len(id) > 40 {
			id = strings.Trim(id[:40], "-")
		}
		if id == "" {
			id = "api"
		}
	}
	base := id
	for n := 2; taken[id] != nil; n++ {
		id = base + "-" + strconv.Itoa(n)
	}
	return id
}

// stagesFor returns the configured stages, or one default stage named after the spec's base path
// ("dev" when it names none).
func stagesFor(cfg *config.Config, sa *spec.API) ([]string, map[string]*Stage) {
	stages := map[string]*Stage{}
	if len(cfg.StageNames) > 0 {
		for _, name := range cfg.StageNames {
			st := cfg.Stages[name]
			s := &Stage{Name: name, Variables: map[string]string{}}
			if st != nil {
				for k, v := range st.Variables {
					s.Variables[k] = v
				}
				if st.AccessLogFormat != "" {
					s.accessLog, _ = compileLogFormat(st.AccessLogFormat, st.AccessLogDestination)
				}
			}
			stages[name] = s
		}
		return append([]string(nil), cfg.StageNames...), stages
	}
	name := sa.DefaultStage
	switch {
	case name != "":
	case sa.Type == spec.HTTP:
		// An HTTP API export of the $default stage leaves the basePath empty (reference §j.1).
		name = config.DefaultHTTPStage
	default:
		name = config.DefaultStageName
	}
	stages[name] = &Stage{Name: name, Variables: map[string]string{}}
	return []string{name}, stages
}

// resourceID stands in for API Gateway's random resource id: stable across reloads, 6 characters.
func resourceID(path string) string {
	h := fnv.New32a()
	h.Write([]byte(path))
	id := strconv.FormatUint(uint64(h.Sum32()), 36)
	for len(id) < 6 {
		id = "0" + id
	}
	return id[:6]
}

// api finds the API a request is for: by Host (`{apiId}.execute-api.localhost`) when several are served.
func (s *Snapshot) api(host string) *API {
	if len(s.APIs) == 1 {
		return s.APIs[0]
	}
	if i := strings.Index(host, ".execute-api."); i > 0 {
		return s.byID[host[:i]]
	}
	return nil
}

// RouteInfo is one row of the route table (`apigw-local routes`, GET /_apigw/routes).
type RouteInfo struct {
	APIID          string `json:"apiId"`
	APIType        string `json:"apiType"`       // REST or HTTP
	APITypeReason  string `json:"apiTypeReason"` // what in the definition (or the config) decided it
	Stage          string `json:"stage"`
	Method         string `json:"method"`
	Path           string `json:"path"`
	Integration    string `json:"integration"`
	URI            string `json:"uri,omitempty"`
	Authorizer     string `json:"authorizer,omitempty"`
	Authorization  string `json:"authorizationType"`
	APIKeyRequired bool   `json:"apiKeyRequired"`
	// TimeoutInMillis is the integration timeout that applies: timeoutInMillis, else AWS's default of
	// 29,000, capped by integrationTimeoutMax.
	TimeoutInMillis int64 `json:"timeoutInMillis,omitempty"`
	// Served is false when every request to the route answers 500; Note says why.
	Served bool   `json:"served"`
	Note   string `json:"note,omitempty"`
	// Skipped names what the route configures that is not emulated but only relaxes behaviour.
	Skipped string `json:"skipped,omitempty"`
}

// Routes lists every route of every stage, sorted for stable output. A Lambda route whose function is
// not configured counts as not served: Gateway.Routes also knows the in-process handlers.
func (s *Snapshot) Routes() []RouteInfo { return s.routes(nil) }

func (s *Snapshot) routes(hasFunction func(string) bool) []RouteInfo {
	if hasFunction == nil {
		hasFunction = func(name string) bool { return s.Config.Functions[name] != nil }
	}
	var out []RouteInfo
	for _, a := range s.APIs {
		for _, stage := range a.StageNames {
			for _, rt := range a.Tree.Routes() {
				r := rt.Value
				note := r.servedIn(stage)
				if note == "" && r.function != "" && !hasFunction(r.function) {
					note = (&lambdaintegration.NotConfigured{Name: r.function}).Error()
				}
				if az := r.authorizer; note == "" && az != nil && az.FunctionName() != "" && !hasFunction(az.FunctionName()) {
					note = "authorizer " + az.Name + ": " + (&lambdaintegration.NotConfigured{Name: az.FunctionName()}).Error()
				}
				skipped := r.skipped
				if st := a.Stages[stage]; st.skipped != "" {
					skipped = joinNotes(skipped, st.skipped)
				}
				info := RouteInfo{APIID: a.ID, APIType: string(a.Spec.Type), APITypeReason: a.Spec.TypeReason, Stage: stage, Method: rt.Method, Path: rt.Resource,
					Integration: r.IntegrationType(), Authorizer: r.Method.Authorizer,
					Authorization: r.Method.AuthorizationType, APIKeyRequired: r.Method.APIKeyRequired,
					Served: note == "", Note: note, Skipped: skipped, TimeoutInMillis: r.timeout.Milliseconds()}
				if r.Method.Integration != nil {
					info.URI = r.Method.Integration.URI
				}
				if info.Integration == "" {
					info.Integration = "-"
				}
				out = append(out, info)
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].APIID != out[j].APIID {
			return out[i].APIID < out[j].APIID
		}
		return out[i].Stage < out[j].Stage
	})
	return out
}

func joinNotes(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "; " + b
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
