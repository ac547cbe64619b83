package emulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/apigw-local/apigw-local/emulator/internal/cors"
	"github.com/apigw-local/apigw-local/emulator/internal/validator"
	"github.com/apigw-local/apigw-local/internal/devkey"
	"github.com/apigw-local/apigw-local/internal/findings"
	"github.com/apigw-local/apigw-local/internal/iampolicy"
	"github.com/go-jose/go-jose/v4"

	"github.com/apigw-local/apigw-local/emulator/internal/authorizer"
	"github.com/apigw-local/apigw-local/emulator/internal/httpintegration"
	"github.com/apigw-local/apigw-local/emulator/internal/lambdaintegration"
	"github.com/apigw-local/apigw-local/emulator/internal/parammap"
	"github.com/apigw-local/apigw-local/emulator/internal/router"
	"github.com/apigw-local/apigw-local/internal/config"
	"github.com/apigw-local/apigw-local/internal/gatewayresponse"
	"github.com/apigw-local/apigw-local/internal/integration"
	"github.com/apigw-local/apigw-local/internal/sigv4"
	"github.com/apigw-local/apigw-local/internal/spec"
	"github.com/apigw-local/apigw-local/mock"
)

var stageVariableRefs = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\$\{stageVariables\.([A-Za-z0-9_]+)\}`) })

// kinds is every integration kind the gateway serves, by integration type. A new kind (AWS services,
// VPC links, WebSocket routes) is a new type implementing integration.Responder or Streamer plus one
// entry here; no phase changes.
var kinds = integration.Registry{
	spec.IntegrationMock: func(in *spec.Integration, _ integration.Build) (integration.Integration, error) {
		m, err := mock.Compile(in)
		if err != nil {
			return nil, err
		}
		return m, nil
	},
	spec.IntegrationHTTP:      httpintegration.CompileHTTP,
	spec.IntegrationHTTPProxy: httpintegration.CompileProxy,
	spec.IntegrationAWS:       lambdaintegration.CompileAWS,
	spec.IntegrationAWSProxy:  lambdaintegration.CompileAWSProxy,
}

// What a compiled kind may tell the build about itself.
type (
	stageVariableUser interface{ StageVariables() []string }
	functionUser      interface{ FunctionName() string }
	noticer           interface{ Notices() []string }
	pathParamUser     interface{ UnmappedPathParams() []string }
)

// ErrNotServable means the findings hold errors: nothing is served from these sources.
var ErrNotServable = errors.New("the specs or the config have errors")

// Build compiles the specs and the config into a snapshot, once, and returns with it every finding about
// what the emulator serves differently from AWS, or not at all: warnings for features not (yet)
// emulated, errors for what AWS itself would refuse. `validate` prints these findings, `serve` logs them
// at start, and --strict refuses to start on any warning; the route table reads the same decisions.
// With any error finding the snapshot is nil and the error is ErrNotServable.
func Build(apis []*spec.API, cfg *config.Config) (*Snapshot, spec.Findings, error) {
	if cfg == nil {
		cfg = config.Default()
	}
	b := &builder{cfg: cfg}
	s := &Snapshot{Config: cfg, byID: map[string]*API{}, built: time.Now(), verifier: newVerifier(cfg)}
	for i, sa := range apis {
		a := &API{Spec: sa, Stages: map[string]*Stage{}, Responses: gatewayresponse.NewSet(sa.GatewayResponses)}
		a.ID = apiID(cfg, sa, i, s.byID)
		a.StageNames, a.Stages = stagesFor(cfg, sa)
		b.checkAPI(a)
		var routes []router.Route[*Route]
		for _, res := range sa.Resources {
			for _, m := range res.Methods {
				r := b.prepare(a, res, m)
				routes = append(routes, router.Route[*Route]{Resource: res.Path, Method: m.HTTPMethod, Value: r})
			}
		}
		tree, err := router.New(routes)
		if err != nil {
			b.resourceErrors(sa, err)
			continue
		}
		a.Tree = tree
		s.APIs = append(s.APIs, a)
		s.byID[a.ID] = a
	}
	b.checkStages(apis)
	// What the config accepts but does not act on yet, and function commands that cannot start (every
	// invocation would fail), are findings of the same build.
	b.fs = append(b.fs, cfg.Warnings...)
	b.fs = append(b.fs, cfg.CheckCommands()...)
	b.fs.Sort()
	if b.fs.HasErrors() {
		return nil, b.fs, ErrNotServable
	}
	return s, b.fs, nil
}

// expandExecuteAPI rewrites the resource policy shorthand "execute-api:/stage/METHOD/path" (how specs and
// the console write an API's own methods) into the full ARN, prefix followed by "stage/METHOD/path", as
// API Gateway does when it stores the policy. A policy written as a JSON string is read first.
func expandExecuteAPI(policy any, prefix string) any {
	if s, ok := policy.(string); ok {
		var doc any
		if json.Unmarshal([]byte(s), &doc) != nil {
			return policy // Parse reports it
		}
		policy = doc
	}
	expand := func(v any) any {
		switch r := v.(type) {
		case string:
			if rest, ok := strings.CutPrefix(r, "execute-api:/"); ok {
				return prefix + rest
			}
		case []any:
			out := make([]any, len(r))
			for i, x := range r {
				out[i] = x
				if s, ok := x.(string); ok {
					if rest, ok := strings.CutPrefix(s, "execute-api:/"); ok {
						out[i] = prefix + rest
					}
				}
			}
			return out
		}
		return v
	}
	doc, ok := policy.(map[string]any)
	if !ok {
		return policy
	}
	statements := []any{doc["Statement"]}
	if list, ok := doc["Statement"].([]any); ok {
		statements = list
	}
	for _, st := range statements {
		if m, ok := st.(map[string]any); ok {
			for _, k := range []string{"Resource", "NotResource"} {
				if v, ok := m[k]; ok {
					m[k] = expand(v)
				}
			}
		}
	}
	return doc
}

// newVerifier is the SigV4 verifier of cfg's credentials, built once per snapshot: a reload with new
// credentials gets a new one (the signer caches keys derived from the secrets).
func newVerifier(cfg *config.Config) *sigv4.Verifier {
	creds := make([]sigv4.Credential, len(cfg.Credentials))
	for i, c := range cfg.Credentials {
		creds[i] = sigv4.Credential{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken, UserARN: c.UserARN, UserID: c.UserID}
	}
	return sigv4.NewVerifier(cfg.Region, creds)
}

type builder struct {
	cfg *config.Config
	fs  spec.Findings
	// authorizers are compiled once per API and name; a nil entry is one that failed (already reported).
	authorizers map[*API]map[string]*authorizer.Authorizer
	authErrs    map[*API]map[string]string
}

func (b *builder) at(sev spec.Severity, file string, p spec.Position, format string, args ...any) {
	b.fs = append(b.fs, spec.Finding{Severity: sev, File: file, Line: p.Line, Column: p.Column, Path: p.Path, Message: fmt.Sprintf(format, args...)})
}

// cfgAt reports a finding about the config, located at the key path names.
func (b *builder) cfgAt(sev spec.Severity, path, format string, args ...any) {
	f := b.cfg.Findingf(path, format, args...)
	f.Severity = sev
	b.fs = append(b.fs, f)
}

// checkAPI reports the API-wide settings, and decides which of them keep methods from being served.
func (b *builder) checkAPI(a *API) {
	sa, f := a.Spec, a.Spec.File
	top := spec.Position{Line: 1, Column: 1}
	if sa.Type == spec.HTTP {
		if sa.RESTOnly != "" {
			b.at(spec.Warning, f, top, "an HTTP API (API Gateway v2): %s; but %s too, which only REST APIs have: an HTTP API import ignores or refuses it, and apigw-local serves it as written; apiType in the config can say otherwise", sa.TypeReason, sa.RESTOnly)
		} else {
			b.at(spec.Info, f, top, "an HTTP API (API Gateway v2): %s; served by HTTP API rules (the $default stage at the root, the $default route, 404 Not Found); apiType in the config can say otherwise", sa.TypeReason)
		}
	} else {
		b.at(spec.Info, f, top, "a REST API (API Gateway v1): %s; apiType in the config can say otherwise", sa.TypeReason)
	}
	if sa.Type != spec.HTTP && a.Stages[config.DefaultHTTPStage] != nil {
		b.cfgAt(spec.Error, findings.Child("stages", config.DefaultHTTPStage), "stage $default is an HTTP API's stage at the root; %s is a REST API, whose stages are always the first path segment: give the stage a name", f)
	}
	if strings.EqualFold(sa.Protocol, "WEBSOCKET") {
		b.at(spec.Error, f, top, "this is a WebSocket API (x-amazon-apigateway-protocol: WEBSOCKET); apigw-local serves REST APIs")
	}
	if sa.CORS != nil {
		if sa.Type == spec.HTTP {
			a.cors = cors.Compile(sa.CORS)
		} else {
			b.at(spec.Warning, f, top, "x-amazon-apigateway-cors is an HTTP API's CORS configuration; this API is served as a REST API (apiType in the config), where API Gateway ignores it: no preflight is answered and no CORS header added")
		}
	}
	if sa.Policy != nil {
		raw, _ := json.Marshal(expandExecuteAPI(sa.Policy, "arn:aws:execute-api:"+b.cfg.Region+":"+b.cfg.AccountID+":"+a.ID+"/"))
		p, err := iampolicy.Parse(raw)
		if err != nil {
			b.at(spec.Error, f, top, "x-amazon-apigateway-policy: %v; fix the resource policy (API Gateway rejects it too)", err)
		} else {
			a.policy = p
			for _, u := range p.Unsupported {
				b.at(spec.Warning, f, top, "x-amazon-apigateway-policy: %s", u)
			}
		}
	}
	if sa.MinimumCompression != nil {
		b.at(spec.Warning, f, top, "x-amazon-apigateway-minimum-compression-size is not emulated: responses are never compressed by the gateway")
	}
	if ec := sa.EndpointConfig; ec != nil && ec.DisableExecuteAPIEndpoint {
		b.at(spec.Info, f, top, "disableExecuteApiEndpoint: AWS serves this API only on its custom domains; apigw-local serves it on the local address (custom domain names are not emulated yet)")
	}
	if ec := sa.EndpointConfig; ec != nil && len(ec.VPCEndpointIDs) > 0 {
		b.at(spec.Info, f, top, "PRIVATE endpoint: VPC endpoints are not emulated; the API is served on the local address")
	}
	if len(sa.BinaryMediaTypes) > 0 {
		b.at(spec.Info, f, top, "binaryMediaTypes %v: proxy integrations pass bodies through byte for byte; MOCK, HTTP and AWS integrations convert them as contentHandling says", sa.BinaryMediaTypes)
	}
	for _, t := range sortedKeys(sa.GatewayResponses) {
		gr := sa.GatewayResponses[t]
		if !gatewayresponse.Known(t) {
			b.at(spec.Error, f, gr.Position, "unknown gateway response type %q; API Gateway's types are %s", t, typeList())
		}
	}
}

// authorizer compiles the API's authorizer name once, reporting what keeps it from working; a method
// using an authorizer that cannot run answers 500 (why says so) rather than being served unprotected.
func (b *builder) authorizer(a *API, name string) (*authorizer.Authorizer, string) {
	if b.authorizers == nil {
		b.authorizers, b.authErrs = map[*API]map[string]*authorizer.Authorizer{}, map[*API]map[string]string{}
	}
	if b.authorizers[a] == nil {
		b.authorizers[a], b.authErrs[a] = map[string]*authorizer.Authorizer{}, map[string]string{}
	}
	if az, ok := b.authorizers[a][name]; ok {
		return az, b.authErrs[a][name]
	}
	sa := a.Spec.Authorizers[name]
	var az *authorizer.Authorizer
	var why string
	switch {
	case sa == nil:
		why = fmt.Sprintf("authorizer %q is not defined in the spec", name)
	case sa.Type == authorizer.TypeCognito:
		var err error
		az, err = authorizer.CompileCognito(a.ID, sa, b.poolKeys)
		if err != nil {
			why = fmt.Sprintf("authorizer %q cannot verify tokens: %v", name, err)
			b.at(spec.Warning, a.Spec.File, sa.Position, "%s: the methods using it answer 500 rather than being served unprotected", why)
			az = nil
		}
	case sa.Type == authorizer.TypeJWT:
		var err error
		az, err = authorizer.CompileJWT(a.ID, sa, b.issuerKeys)
		if err != nil {
			why = fmt.Sprintf("authorizer %q cannot verify tokens: %v", name, err)
			if sa.JWTIssuer != "" { // without one, the spec's own finding says so already
				b.at(spec.Warning, a.Spec.File, sa.Position, "%s: the routes using it answer 500 rather than being served unprotected", why)
			}
			az = nil
		} else if len(sa.JWTAudience) == 0 {
			// AWS matches aud (or client_id) against this list: an empty one matches no token (assumed).
			b.at(spec.Warning, a.Spec.File, sa.Position, "authorizer %q has no jwtConfiguration.audience: no token's aud or client_id can match, so every request answers 401; list the client ids or audiences its tokens carry", name)
		}
	default:
		fingerprint := ""
		if fn := b.cfg.Functions[functionOfURI(sa.AuthorizerURI)]; fn != nil {
			fingerprint = fmt.Sprintf("%+v", *fn)
		}
		var err error
		if a.Spec.Type == spec.HTTP {
			var note string
			az, note, err = authorizer.CompileHTTP(a.ID, sa, fingerprint)
			if note != "" {
				b.at(spec.Warning, a.Spec.File, sa.Position, "authorizer %q: %s", name, note)
			}
		} else {
			az, err = authorizer.Compile(a.ID, sa, fingerprint)
		}
		if err != nil {
			why = fmt.Sprintf("authorizer %q cannot run: %v", name, err)
			if sa.AuthorizerURI != "" { // without one, the spec's own finding says so already
				b.at(spec.Warning, a.Spec.File, sa.Position, "%s: the methods using it answer 500 rather than being served unprotected", why)
			}
			az = nil
		} else if fn := az.FunctionName(); fn != "" && b.cfg.Functions[fn] == nil && !b.cfg.InProcess[fn] {
			answer := "500 AuthorizerConfigurationException"
			if a.Spec.Type == spec.HTTP {
				answer = "500 Internal Server Error"
			}
			b.at(spec.Warning, a.Spec.File, sa.Position, "authorizer %q calls Lambda function %q, which the config does not define (functions: {%s: {command: [...]}}): its methods answer %s unless an in-process handler is registered", name, fn, fn, answer)
		}
	}
	b.authorizers[a][name], b.authErrs[a][name] = az, why
	return az, why
}

// poolKeys is the key set of a user pool the config's cognitoUserPools lists: its JWKS file, or the local
// development key for jwks: dev.
func (b *builder) poolKeys(arn string) (*jose.JSONWebKeySet, error) {
	pool, ok := b.cfg.CognitoUserPools[arn]
	switch {
	case !ok:
		return nil, fmt.Errorf("user pool %s is not in the config's cognitoUserPools: add it with {jwks: ./jwks.json} (the pool's keys) or {jwks: dev} (tokens from apigw-local token)", arn)
	case strings.HasPrefix(pool.JWKS, "http://") || strings.HasPrefix(pool.JWKS, "https://"):
		return nil, fmt.Errorf("the keys of user pool %s are a URL (%s), which apigw-local does not fetch: save them to a file (curl -o jwks.json %s) and give its path", arn, pool.JWKS, pool.JWKS)
	}
	return readKeySet("user pool "+arn, pool.JWKS, pool.JWKSRaw)
}

// issuerKeys is the key set of a JWT issuer the config's jwtIssuers lists (the config refuses URLs).
func (b *builder) issuerKeys(issuer string) (*jose.JSONWebKeySet, error) {
	is, ok := b.cfg.JWTIssuers[issuer]
	if !ok {
		return nil, fmt.Errorf("issuer %s is not in the config's jwtIssuers: add jwtIssuers: {%q: {jwks: ./jwks.json}} (the issuer's keys, saved from its jwks_uri) or {jwks: dev} (tokens from apigw-local token --issuer %s)", issuer, issuer, issuer)
	}
	return readKeySet("issuer "+issuer, is.JWKS, is.JWKSRaw)
}

// readKeySet reads the JWKS file path of whose (a user pool or an issuer), or the local development key
// for jwks: dev.
func readKeySet(whose, path, raw string) (*jose.JSONWebKeySet, error) {
	if raw == config.DevJWKS {
		return devkey.KeySet()
	}
	data, err := findings.ReadFile(path, maxJWKSBytes)
	if err != nil {
		return nil, fmt.Errorf("reading the keys of %s: %v", whose, err)
	}
	var ks jose.JSONWebKeySet
	if err := json.Unmarshal(data, &ks); err != nil || len(ks.Keys) == 0 {
		return nil, fmt.Errorf("%s is not a JSON Web Key Set ({\"keys\": [...]}) with keys: %v", path, err)
	}
	return &ks, nil
}

// maxJWKSBytes bounds a JWKS file: a pool's set holds two keys of about 500 bytes.
const maxJWKSBytes = 1 << 20

// functionOfURI is the function an authorizerUri names without stage variables ("" otherwise).
func functionOfURI(uri string) string {
	if f, err := lambdaintegration.CompileFunction(uri); err == nil {
		return f.Name()
	}
	return ""
}

// prepare compiles one method once, decides whether and how it is served, and reports what it decided.
func (b *builder) prepare(a *API, res *spec.Resource, m *spec.Method) *Route {
	cfg, f, sa := b.cfg, a.Spec.File, a.Spec
	name := m.HTTPMethod + " " + res.Path
	r := &Route{Resource: res.Path, ResourceID: resourceID(res.Path), Method: m, key: name}
	if sa.Type == spec.HTTP {
		r.routeKey = httpRouteKey(res.Path, m.HTTPMethod)
	}

	// Authorization the emulator cannot enforce keeps the method from being served (fail closed).
	switch m.AuthorizationType {
	case "NONE", "":
	case "CUSTOM", "COGNITO_USER_POOLS", "JWT":
		if az, why := b.authorizer(a, m.Authorizer); az != nil {
			r.authorizer = az
		} else {
			r.unenforced = why
		}
	case "AWS_IAM":
		r.iam = true
		if len(cfg.Credentials) == 0 {
			b.at(spec.Warning, f, m.Position, "%s: AWS_IAM authorization: the config lists no credentials, so every request answers 403; add credentials: [{accessKeyId, secretAccessKey, userArn}] and sign requests with that key", name)
		}
	default:
		r.unenforced = fmt.Sprintf("%s authorizer %q is not enforced yet: answering 500 rather than serving the method without authorization", m.AuthorizationType, m.Authorizer)
		b.at(spec.Warning, f, m.Position, "%s: %s authorizer %q is not enforced yet: requests answer 500 rather than being served unprotected", name, m.AuthorizationType, m.Authorizer)
	}
	if m.APIKeyRequired && sa.APIKeySource != "AUTHORIZER" {
		var uncovered []string
		for _, st := range a.StageNames {
			if !stageHasKeys(cfg, st) {
				uncovered = append(uncovered, st)
			}
		}
		if len(uncovered) > 0 {
			b.at(spec.Warning, f, m.Position, "%s: requires an API key, but no usage plan with API keys covers stage %s: every request there answers 403 Forbidden; add apiKeys and a usagePlans entry with apiStages: [{stage: %s}] to the config", name, strings.Join(uncovered, ", "), uncovered[0])
		}
	}
	if m.RequestValidator != "" {
		var problems []string
		r.validator, problems = validator.Compile(sa.RequestValidators[m.RequestValidator], m, res.Path)
		for _, p := range problems {
			b.at(spec.Warning, f, m.Position, "%s: request validator %q: %s: the method answers 500 rather than pass bodies unvalidated; fix the model (API Gateway's validator reads JSON Schema draft 4)", name, m.RequestValidator, p)
		}
	}

	in := m.Integration
	if in == nil {
		r.notServed = "the method has no integration (API Gateway answers 500)"
		if sa.Type == spec.HTTP && sa.CORS != nil && m.HTTPMethod == "OPTIONS" {
			r.notServed = "the route has no integration: CORS preflights are answered by the gateway, other requests 500"
		}
		return r
	}
	r.timeout = httpintegration.DefaultTimeout
	r.callsBackend = in.Type != spec.IntegrationMock
	if in.TimeoutInMillis > 0 {
		r.timeout = time.Duration(in.TimeoutInMillis) * time.Millisecond
	}
	if sa.Type == spec.HTTP {
		// HTTP APIs: 30 s by default and at most, with no quota to raise (reference §j.9); a time-out
		// answers 503 (gatewayresponse.HTTPAPIAnswer).
		if in.TimeoutInMillis == 0 {
			r.timeout = HTTPAPITimeout
		}
		if r.timeout > HTTPAPITimeout {
			r.timeout = HTTPAPITimeout
			b.at(spec.Warning, f, in.Position, "%s: timeoutInMillis %d is above an HTTP API's maximum of 30000, which applies (AWS refuses the value)", name, in.TimeoutInMillis)
		}
	} else if max := cfg.IntegrationTimeoutMax.Duration; max > 0 && r.timeout > max {
		r.timeout = max
		if in.Type != spec.IntegrationMock && in.TimeoutInMillis > 0 {
			b.at(spec.Warning, f, in.Position, "%s: timeoutInMillis %d is above the cap of %s (integrationTimeoutMax); the cap applies, as on AWS without a quota increase", name, in.TimeoutInMillis, max)
		}
	}
	if in.IntegrationSubtype != "" {
		// AWS service integrations of HTTP APIs (reference §o.2) come with their own issue; until then the
		// route answers 500, as AWS does for an integration it cannot call, and says why.
		r.notServed = fmt.Sprintf("integrationSubtype %s (an HTTP API's AWS service integration) is not emulated yet", in.IntegrationSubtype)
		b.at(spec.Warning, f, in.Position, "%s: integrationSubtype %s is not emulated yet: requests answer 500 Internal Server Error (the log line says why)", name, in.IntegrationSubtype)
		return r
	}
	if sa.Type == spec.HTTP {
		in = b.parameterMappings(r, in, f, name)
		if r.notServed != "" {
			return r
		}
	} else if len(in.ResponseParameters) > 0 {
		b.at(spec.Warning, f, in.Position, "%s: responseParameters by status code belong to HTTP APIs; a REST API maps responses under responses.<pattern>.responseParameters, so these are ignored", name)
	}
	compiled, err := kinds.Compile(in, integration.Build{Timeout: r.timeout})
	if err != nil {
		r.notServed = err.Error()
		var ne *integration.NotEmulated
		switch {
		case (in.Type == spec.IntegrationAWS || in.Type == spec.IntegrationAWSProxy) && in.URI == "":
			// no URI (or a CloudFormation intrinsic in its place): already an error of the spec
		case in.Type == spec.IntegrationMock:
			// AWS deploys such a template and fails when it runs, so this is no reason to refuse the spec.
			b.at(spec.Warning, f, in.Position, "%s: %v: requests answer 500, as on AWS", name, err)
		case errors.As(err, &ne):
			b.at(spec.Warning, f, in.Position, "%s: %v: requests answer 500", name, err)
		default:
			b.at(spec.Warning, f, in.Position, "%s: %v: requests answer 500", name, err)
		}
		return r
	}
	r.integration = compiled

	// Stage variables: a stage that does not define one the URI (or the VPC link) needs answers 500,
	// as AWS does; the finding names the stage.
	var needed []string
	if u, ok := compiled.(stageVariableUser); ok {
		needed = u.StageVariables()
	}
	var vpcNeeds []string
	if in.ConnectionType == "VPC_LINK" {
		b.at(spec.Info, f, in.Position, "%s: VPC link %s is not emulated: the integration URI is called directly", name, in.ConnectionID)
		for _, m := range stageVariableRefs().FindAllStringSubmatch(in.ConnectionID, -1) {
			vpcNeeds = append(vpcNeeds, m[1])
		}
	}
	for _, st := range a.StageNames {
		vars := a.Stages[st].Variables
		for _, v := range needed {
			if _, ok := vars[v]; !ok {
				r.setNotServedIn(st, fmt.Sprintf("the integration URI uses ${stageVariables.%s}, which stage %s does not define (AWS answers 500)", v, st))
				b.at(spec.Warning, f, in.Position, "%s: the integration URI uses ${stageVariables.%s}, which stage %s does not define: requests there answer 500 as on AWS; set stages.%s.variables.%s in the config", name, v, st, st, v)
			}
		}
		for _, v := range vpcNeeds {
			if _, ok := vars[v]; !ok {
				r.setNotServedIn(st, fmt.Sprintf("the connectionId uses ${stageVariables.%s}, which stage %s does not define (AWS answers 500)", v, st))
				b.at(spec.Warning, f, in.Position, "%s: connectionId %s uses ${stageVariables.%s}, which stage %s does not define: requests there answer 500 as on AWS; set stages.%s.variables.%s in the config", name, in.ConnectionID, v, st, st, v)
			}
		}
	}
	if u, ok := compiled.(pathParamUser); ok {
		for _, pp := range u.UnmappedPathParams() {
			b.at(spec.Info, f, in.Position, "%s: the integration URI uses {%s} without an integration.request.path.%s mapping; the method's path parameter of that name is used", name, pp, pp)
		}
	}
	if u, ok := compiled.(functionUser); ok {
		r.function = u.FunctionName()
		if r.function != "" && cfg.Functions[r.function] == nil {
			b.at(spec.Warning, f, in.Position, "%s: function %q is not configured, so requests answer 500; add it to apigw-local.yaml: functions: {%s: {command: [./path/to/handler]}}", name, r.function, r.function)
		}
		if in.PayloadFormatVersion == "2.0" && in.Type == spec.IntegrationAWS {
			b.at(spec.Warning, f, in.Position, "%s: payloadFormatVersion 2.0 applies to AWS_PROXY integrations only", name)
		}
	}
	if u, ok := compiled.(noticer); ok {
		for _, n := range u.Notices() {
			b.at(spec.Warning, f, in.Position, "%s: %s", name, n)
		}
	}
	if in.TLSConfig != nil {
		b.at(spec.Warning, f, in.Position, "%s: tlsConfig is not emulated: an https backend's certificate is verified against the URI's host name, as by default (serverNameToVerify and insecureSkipVerification do not apply)", name)
	}
	if sa.Type != spec.HTTP {
		for _, st := range a.StageNames {
			cs, unresolved := cacheSettingFor(cfg.Stages[st], r, in)
			if cs == nil {
				continue
			}
			if r.cache == nil {
				r.cache = map[string]*cacheSetting{}
			}
			r.cache[st] = cs
			for _, p := range unresolved {
				b.at(spec.Warning, f, in.Position, "%s: cacheKeyParameters %s names no method request path, query string or header parameter (nor an integration.request parameter mapped from one), so it does not split cache entries on stage %s", name, p, st)
			}
		}
	}
	if in.ContentHandling != "" && in.Type == spec.IntegrationHTTPProxy {
		b.at(spec.Info, f, in.Position, "%s: contentHandling is ignored for proxy integrations, as on AWS", name)
	}
	return r
}

// HTTPAPITimeout is an HTTP API's integration time-out, default and maximum (reference §j.9).
const HTTPAPITimeout = 30 * time.Second

// parameterMappings compiles an HTTP API integration's requestParameters and responseParameters (reference
// §j.8) onto r, and returns the integration without them for its kind's compiler, which reads REST's
// integration.request.* mappings. Keys or values AWS's import refuses are errors, and the route answers
// 500 rather than being served without its mappings.
func (b *builder) parameterMappings(r *Route, in *spec.Integration, f, name string) *spec.Integration {
	if len(in.RequestParameters) == 0 && len(in.ResponseParameters) == 0 {
		return in
	}
	var errs []error
	if len(in.RequestParameters) > 0 {
		kvs := make([][2]string, len(in.RequestParameters))
		for i, kv := range in.RequestParameters {
			kvs[i] = [2]string{kv.Key, kv.Value}
		}
		m, es := parammap.CompileRequest(kvs)
		r.requestMap, errs = m, append(errs, es...)
	}
	if len(in.ResponseParameters) > 0 {
		byStatus := map[string][][2]string{}
		for _, sp := range in.ResponseParameters {
			for _, kv := range sp.Parameters {
				byStatus[sp.Status] = append(byStatus[sp.Status], [2]string{kv.Key, kv.Value})
			}
		}
		m, es := parammap.CompileResponse(byStatus)
		r.responseMap, errs = m, append(errs, es...)
	}
	for _, err := range errs {
		b.at(spec.Error, f, in.Position, "%s: parameter mapping: %v; API Gateway's import refuses it", name, err)
	}
	if len(errs) > 0 {
		r.notServed = "its parameter mapping has errors: " + errs[0].Error()
	}
	cp := *in
	cp.RequestParameters, cp.ResponseParameters = nil, nil
	return &cp
}

func (r *Route) setNotServedIn(stage, why string) {
	if r.notServedIn == nil {
		r.notServedIn = map[string]string{}
	}
	if r.notServedIn[stage] == "" {
		r.notServedIn[stage] = why
	}
}

// resourceErrors reports the resource trees API Gateway would refuse (sibling path variables, a greedy
// variable that is not last, ...), each at the first method of the resource it names.
func (b *builder) resourceErrors(a *spec.API, err error) {
	for _, line := range strings.Split(err.Error(), "\n") {
		where := spec.Position{Line: 1, Column: 1}
		for _, r := range a.Resources {
			if strings.Contains(line, strconv.Quote(r.Path)) && len(r.Methods) > 0 {
				where = r.Methods[0].Position
				break
			}
		}
		b.at(spec.Error, a.File, where, "%s", line)
	}
}

// checkStages reports the config's stage and usage-plan settings that cannot act.
func (b *builder) checkStages(apis []*spec.API) {
	cfg := b.cfg
	for _, name := range cfg.StageNames {
		st := cfg.Stages[name]
		if st == nil {
			continue
		}
		for _, key := range sortedKeys(st.MethodSettings) {
			if key != "*/*" && len(apis) > 0 && !methodKeyMatches(apis, key) {
				b.cfgAt(spec.Warning, fmt.Sprintf("stages.%s.methodSettings[%q]", name, key), "%q matches no method of the API, so it limits nothing; keys are \"/{resource path}/{HTTP method}\" as the spec writes the path", key)
			}
		}
		if len(st.MethodSettings) > 0 && len(apis) > 0 && allHTTP(apis) {
			b.cfgAt(spec.Warning, "stages."+name+".methodSettings", "HTTP APIs have no method settings, so these limit nothing: use throttling for the stage's default and routeSettings: {\"GET /pets\": {throttlingRateLimit: 10, throttlingBurstLimit: 5}} per route")
		}
		for _, key := range sortedKeys(st.RouteSettings) {
			if len(apis) > 0 && !routeKeyMatches(apis, key) {
				b.cfgAt(spec.Warning, fmt.Sprintf("stages.%s.routeSettings[%q]", name, key), "%q matches no route of an HTTP API, so it limits nothing; keys are route keys as AWS writes them: \"GET /pets\", \"ANY /{proxy+}\", \"$default\" (REST APIs use methodSettings)", key)
			}
		}
		if st.CacheClusterEnabled && len(apis) > 0 && allHTTP(apis) {
			b.cfgAt(spec.Warning, "stages."+name+".cacheClusterEnabled", "HTTP APIs have no response cache (reference §k): every request reaches the integration")
		}
		if st.AccessLogFormat != "" {
			if _, unknown := compileLogFormat(st.AccessLogFormat, ""); len(unknown) > 0 {
				b.cfgAt(spec.Warning, "stages."+name+".accessLogFormat", "%s: not $context variables of access logging; they are written as \"-\"", strings.Join(unknown, ", "))
			}
		}
	}
	served := map[string]bool{}
	for _, a := range apis {
		names, _ := stagesFor(cfg, a)
		for _, n := range names {
			served[n] = true
		}
	}
	for i, p := range cfg.UsagePlans {
		for j, st := range p.APIStages {
			for _, key := range sortedKeys(st.Throttle) {
				if len(apis) > 0 && !methodKeyMatches(apis, key) {
					b.cfgAt(spec.Warning, fmt.Sprintf("usagePlans[%d].apiStages[%d].throttle[%q]", i, j, key), "%q matches no method of the API, so it limits nothing; keys are \"/{resource path}/{HTTP method}\" as the spec writes the path", key)
				}
			}
			if st.Unchecked && len(apis) > 0 && !served[st.Stage] {
				b.cfgAt(spec.Error, fmt.Sprintf("usagePlans[%d].apiStages[%d].stage", i, j), "usage plan %q names stage %q, which is not served (stages: %s); declare it under stages: or use the stage the spec names", p.Name, st.Stage, strings.Join(sortedKeys(served), ", "))
			}
		}
	}
}

func typeList() string {
	var names []string
	for _, t := range gatewayresponse.Types() {
		names = append(names, string(t))
	}
	return strings.Join(names, ", ")
}

// stageHasKeys reports whether some usage plan with at least one API key applies to stage.
func stageHasKeys(cfg *config.Config, stage string) bool {
	for _, p := range cfg.UsagePlans {
		for _, st := range p.APIStages {
			if st.Stage == stage && len(p.APIKeys) > 0 {
				return true
			}
		}
	}
	return false
}

func allHTTP(apis []*spec.API) bool {
	for _, a := range apis {
		if a.Type != spec.HTTP {
			return false
		}
	}
	return true
}

// routeKeyMatches reports whether an HTTP API route key names a route of one of the HTTP APIs.
func routeKeyMatches(apis []*spec.API, key string) bool {
	for _, a := range apis {
		if a.Type != spec.HTTP {
			continue
		}
		for _, r := range a.Resources {
			for _, m := range r.Methods {
				if httpRouteKey(r.Path, m.HTTPMethod) == key {
					return true
				}
			}
		}
	}
	return false
}

// methodKeyMatches reports whether a method settings key ("/pets/GET", "//GET", "/pets/*") names a method
// of one of the APIs.
func methodKeyMatches(apis []*spec.API, key string) bool {
	i := strings.LastIndex(key, "/")
	resource, method := key[:i], key[i+1:]
	if resource == "/" || resource == "" {
		resource = "/"
	}
	for _, a := range apis {
		for _, r := range a.Resources {
			if r.Path != resource {
				continue
			}
			for _, m := range r.Methods {
				if method == "*" || m.HTTPMethod == method {
					return true
				}
			}
		}
	}
	return false
}
