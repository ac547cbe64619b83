package emulator

import (
	"fmt"
	"hash/fnv"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/apigw-local/apigw-local/internal/config"
	"github.com/apigw-local/apigw-local/internal/gatewayresponse"
	"github.com/apigw-local/apigw-local/emulator/internal/httpintegration"
	"github.com/apigw-local/apigw-local/emulator/internal/router"
	"github.com/apigw-local/apigw-local/internal/spec"
	"github.com/apigw-local/apigw-local/mock"
)

// Snapshot is everything a request needs, built once from the specs and the config and never changed.
type Snapshot struct {
	Generation int64
	APIs       []*API
	Config     *config.Config
	byID       map[string]*API
	built      time.Time
}

// API is one served API.
type API struct {
	ID         string
	Spec       *spec.API
	Stages     map[string]*Stage
	StageNames []string
	Tree       *router.Tree[*Route]
	Responses  *gatewayresponse.Set
}

// Stage is a deployment stage of an API: a URL prefix and its stage variables.
type Stage struct {
	Name      string
	Variables map[string]string
}

// Route is one method of one resource, ready to serve.
type Route struct {
	Resource   string
	ResourceID string
	Method     *spec.Method
	proxy      *httpintegration.Integration // HTTP_PROXY
	custom     *httpintegration.Custom      // HTTP
	mock       *mock.Integration            // MOCK
	lambda     *lambdaRoute                 // AWS or AWS_PROXY calling Lambda
	timeout    time.Duration                // the integration timeout (timeoutInMillis, capped)
	// notServed explains why this method answers 500 instead of calling its integration: a feature the
	// emulator does not have yet, or a configuration AWS would reject at request time.
	notServed string
}

// IntegrationType returns the method's integration type, or "" when it has none.
func (r *Route) IntegrationType() string {
	if r.Method.Integration == nil {
		return ""
	}
	return r.Method.Integration.Type
}

// Build makes a snapshot. It fails only when nothing can be served (a spec with errors, routes API
// Gateway would refuse); findings about served-but-not-emulated features come from Check.
func Build(apis []*spec.API, cfg *config.Config) (*Snapshot, error) {
	if cfg == nil {
		cfg = config.Default()
	}
	s := &Snapshot{Config: cfg, byID: map[string]*API{}, built: time.Now()}
	var errs []string
	for i, sa := range apis {
		a := &API{Spec: sa, Stages: map[string]*Stage{}, Responses: gatewayresponse.NewSet(sa.GatewayResponses)}
		a.ID = apiID(cfg, sa, i, s.byID)
		a.StageNames, a.Stages = stagesFor(cfg, sa)
		var routes []router.Route[*Route]
		for _, res := range sa.Resources {
			for _, m := range res.Methods {
				r := &Route{Resource: res.Path, ResourceID: resourceID(res.Path), Method: m}
				prepare(r, cfg)
				routes = append(routes, router.Route[*Route]{Resource: res.Path, Method: m.HTTPMethod, Value: r})
			}
		}
		tree, err := router.New(routes)
		if err != nil {
			errs = append(errs, fmt.Sprintf("%s: %v", sa.File, err))
			continue
		}
		a.Tree = tree
		s.APIs = append(s.APIs, a)
		s.byID[a.ID] = a
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("%s", strings.Join(errs, "\n"))
	}
	return s, nil
}

// prepare compiles what the route's integration needs, or records why it cannot be served.
func prepare(r *Route, cfg *config.Config) {
	in := r.Method.Integration
	if in == nil {
		r.notServed = "the method has no integration (API Gateway answers 500)"
		return
	}
	r.timeout = httpintegration.DefaultTimeout
	if in.TimeoutInMillis > 0 {
		r.timeout = time.Duration(in.TimeoutInMillis) * time.Millisecond
	}
	if max := cfg.IntegrationTimeoutMax.Duration; max > 0 && r.timeout > max {
		r.timeout = max
	}
	switch in.Type {
	case spec.IntegrationHTTPProxy:
		// A VPC_LINK integration is called at its URI directly: locally there is no VPC link, and the
		// URI is what a user points at a local backend. Check reports it.
		p, err := httpintegration.Compile(in)
		if err != nil {
			r.notServed = err.Error()
			return
		}
		if max := cfg.IntegrationTimeoutMax.Duration; max > 0 && p.Timeout() > max {
			p.SetTimeout(max)
		}
		r.proxy = p
	case spec.IntegrationHTTP:
		c, err := httpintegration.CompileCustom(in)
		if err != nil {
			r.notServed = err.Error()
			return
		}
		if max := cfg.IntegrationTimeoutMax.Duration; max > 0 && c.Timeout() > max {
			c.SetTimeout(max)
		}
		r.custom = c
	case spec.IntegrationMock:
		m, err := mock.Compile(in)
		if err != nil {
			r.notServed = err.Error()
			return
		}
		r.mock = m
	case spec.IntegrationAWS, spec.IntegrationAWSProxy:
		lr, isLambda, err := compileLambda(in)
		switch {
		case err != nil:
			r.notServed = err.Error()
		case !isLambda:
			r.notServed = fmt.Sprintf("%s integrations with AWS services other than Lambda are not emulated (%s)", in.Type, in.URI)
		default:
			r.lambda = lr
		}
	default:
		r.notServed = fmt.Sprintf("%s integrations are not emulated yet", in.Type)
	}
}

var nonIDChars = regexp.MustCompile(`[^a-z0-9]+`)

// apiID is the config's apiId for a single API, else one derived from the title (lower case letters,
// digits and dashes), made unique.
func apiID(cfg *config.Config, sa *spec.API, i int, taken map[string]*API) string {
	id := ""
	if cfg.APIID != "" && i == 0 {
		id = cfg.APIID
	} else {
		id = strings.Trim(nonIDChars.ReplaceAllString(strings.ToLower(sa.Title), "-"), "-")
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
			vars := map[string]string{}
			if st != nil {
				for k, v := range st.Variables {
					vars[k] = v
				}
			}
			stages[name] = &Stage{Name: name, Variables: vars}
		}
		return append([]string(nil), cfg.StageNames...), stages
	}
	name := sa.DefaultStage
	if name == "" {
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
	TimeoutInMillis int64  `json:"timeoutInMillis,omitempty"`
	Served          bool   `json:"served"`
	Note            string `json:"note,omitempty"`
}

// Routes lists every route of every stage, sorted for stable output.
func (s *Snapshot) Routes() []RouteInfo {
	var out []RouteInfo
	for _, a := range s.APIs {
		for _, stage := range a.StageNames {
			for _, rt := range a.Tree.Routes() {
				r := rt.Value
				info := RouteInfo{APIID: a.ID, Stage: stage, Method: rt.Method, Path: rt.Resource,
					Integration: r.IntegrationType(), Authorizer: r.Method.Authorizer,
					Authorization: r.Method.AuthorizationType, APIKeyRequired: r.Method.APIKeyRequired,
					Served: r.notServed == "", Note: r.notServed, TimeoutInMillis: r.timeout.Milliseconds()}
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

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
