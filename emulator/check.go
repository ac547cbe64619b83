package emulator

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/apigw-local/apigw-local/internal/config"
	"github.com/apigw-local/apigw-local/internal/gatewayresponse"
	"github.com/apigw-local/apigw-local/emulator/internal/httpintegration"
	"github.com/apigw-local/apigw-local/internal/mapping"
	"github.com/apigw-local/apigw-local/emulator/internal/router"
	"github.com/apigw-local/apigw-local/internal/spec"
	"github.com/apigw-local/apigw-local/mock"
)

// Check reports what the emulator serves differently from AWS, or not at all, for these specs and this
// config: warnings for features not (yet) emulated, errors for what AWS itself would refuse. `validate`
// prints them, `serve` logs them at start, and --strict refuses to start on any warning.
func Check(apis []*spec.API, cfg *config.Config) spec.Findings {
	if cfg == nil {
		cfg = config.Default()
	}
	var fs spec.Findings
	at := func(sev spec.Severity, file string, p spec.Position, format string, args ...any) {
		fs = append(fs, spec.Finding{Severity: sev, File: file, Line: p.Line, Column: p.Column, Path: p.Path, Message: fmt.Sprintf(format, args...)})
	}
	for _, a := range apis {
		f := a.File
		top := spec.Position{Line: 1, Column: 1}
		if a.Type == spec.HTTP {
			at(spec.Warning, f, top, "this is an HTTP API (API Gateway v2); it is served with REST API rules for now (e.g. unknown routes answer 403 Missing Authentication Token where an HTTP API answers 404 Not Found)")
		}
		if strings.EqualFold(a.Protocol, "WEBSOCKET") {
			at(spec.Error, f, top, "this is a WebSocket API (x-amazon-apigateway-protocol: WEBSOCKET); apigw-local serves REST APIs")
		}
		if a.CORS != nil {
			at(spec.Warning, f, top, "x-amazon-apigateway-cors is not emulated yet: preflight requests are not answered and no CORS headers are added")
		}
		if a.Policy != nil {
			at(spec.Warning, f, top, "x-amazon-apigateway-policy (resource policy) is not enforced: every caller is allowed")
		}
		if a.MinimumCompression != nil {
			at(spec.Warning, f, top, "x-amazon-apigateway-minimum-compression-size is not emulated: responses are never compressed by the gateway")
		}
		if ec := a.EndpointConfig; ec != nil && len(ec.VPCEndpointIDs) > 0 {
			at(spec.Info, f, top, "PRIVATE endpoint: VPC endpoints are not emulated; the API is served on the local address")
		}
		if len(a.BinaryMediaTypes) > 0 {
			at(spec.Info, f, top, "binaryMediaTypes %v: proxy integrations pass bodies through byte for byte; content conversion for other integrations comes with them", a.BinaryMediaTypes)
		}
		if a.APIKeySource == "AUTHORIZER" {
			at(spec.Warning, f, top, "api-key-source AUTHORIZER takes API keys from a Lambda authorizer's usageIdentifierKey, and Lambda authorizers are not emulated yet: methods that require an API key answer 403 Forbidden")
		}
		for _, t := range sortedKeys(a.GatewayResponses) {
			gr := a.GatewayResponses[t]
			if !gatewayresponse.Known(t) {
				at(spec.Error, f, gr.Position, "unknown gateway response type %q; API Gateway's types are %s", t, typeList())
			}
		}
		checkResources(at, a)
		stageVars := map[string]bool{}
		for _, st := range cfg.Stages {
			for k := range st.Variables {
				stageVars[k] = true
			}
		}
		for _, r := range a.Resources {
			for _, m := range r.Methods {
				checkMethod(at, f, a, r, m, cfg, stageVars)
			}
		}
	}
	for _, name := range cfg.StageNames {
		st := cfg.Stages[name]
		if st == nil {
			continue
		}
		for _, key := range sortedKeys(st.MethodSettings) {
			if key != "*/*" && len(apis) > 0 && !methodKeyMatches(apis, key) {
				at(spec.Warning, cfg.File, spec.Position{Path: fmt.Sprintf("stages.%s.methodSettings[%q]", name, key)}, "%q matches no method of the API, so it limits nothing; keys are \"/{resource path}/{HTTP method}\" as the spec writes the path", key)
			}
		}
		if st.CacheClusterEnabled {
			at(spec.Warning, cfg.File, spec.Position{Path: "stages." + name + ".cacheClusterEnabled"}, "the stage cache is not emulated: every request reaches the integration")
		}
		if st.AccessLogFormat != "" {
			at(spec.Warning, cfg.File, spec.Position{Path: "stages." + name + ".accessLogFormat"}, "custom access log formats are not emulated yet: the request log uses apigw-local's own format")
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
					at(spec.Warning, cfg.File, spec.Position{Path: fmt.Sprintf("usagePlans[%d].apiStages[%d].throttle[%q]", i, j, key)}, "%q matches no method of the API, so it limits nothing; keys are \"/{resource path}/{HTTP method}\" as the spec writes the path", key)
				}
			}
			if st.Unchecked && len(apis) > 0 && !served[st.Stage] {
				cf := cfg.Findingf(fmt.Sprintf("usagePlans[%d].apiStages[%d].stage", i, j), "usage plan %q names stage %q, which is not served (stages: %s); declare it under stages: or use the stage the spec names", p.Name, st.Stage, strings.Join(sortedKeys(served), ", "))
				fs = append(fs, spec.Finding{Severity: spec.Error, File: cf.File, Line: cf.Line, Column: cf.Column, Path: cf.Path, Message: cf.Message})
			}
		}
	}
	if len(cfg.CognitoUserPools) > 0 {
		at(spec.Warning, cfg.File, spec.Position{Path: "cognitoUserPools"}, "Cognito and JWT authorizers are not emulated yet")
	}
	fs.Sort()
	return fs
}

type reporter func(sev spec.Severity, file string, p spec.Position, format string, args ...any)

func checkMethod(at reporter, f string, a *spec.API, r *spec.Resource, m *spec.Method, cfg *config.Config, stageVars map[string]bool) {
	name := m.HTTPMethod + " " + r.Path
	switch m.AuthorizationType {
	case "NONE", "":
	case "AWS_IAM":
		at(spec.Warning, f, m.Position, "%s: AWS_IAM authorization is not emulated: requests are served without SigV4 checks", name)
	default:
		at(spec.Warning, f, m.Position, "%s: %s authorizer %q is not emulated yet: requests are served without authorization", name, m.AuthorizationType, m.Authorizer)
	}
	if m.APIKeyRequired && a.APIKeySource != "AUTHORIZER" {
		stages, _ := stagesFor(cfg, a)
		var uncovered []string
		for _, st := range stages {
			if !stageHasKeys(cfg, st) {
				uncovered = append(uncovered, st)
			}
		}
		if len(uncovered) > 0 {
			at(spec.Warning, f, m.Position, "%s: requires an API key, but no usage plan with API keys covers stage %s: every request there answers 403 Forbidden; add apiKeys and a usagePlans entry with apiStages: [{stage: %s}] to the config", name, strings.Join(uncovered, ", "), uncovered[0])
		}
	}
	if m.RequestValidator != "" {
		if v := a.RequestValidators[m.RequestValidator]; v != nil && (v.ValidateRequestBody || v.ValidateRequestParameters) {
			at(spec.Warning, f, m.Position, "%s: request validator %q is not enforced yet: invalid requests are not answered 400", name, m.RequestValidator)
		}
	}
	in := m.Integration
	if in == nil {
		return
	}
	switch in.Type {
	case spec.IntegrationHTTPProxy, spec.IntegrationHTTP:
		p, err := httpintegration.Compile(in)
		if err == nil && in.Type == spec.IntegrationHTTP {
			_, err = httpintegration.CompileCustom(in)
		}
		if err != nil {
			at(spec.Warning, f, in.Position, "%s: %v: requests answer 500", name, err)
			return
		}
		if in.ConnectionType == "VPC_LINK" {
			at(spec.Info, f, in.Position, "%s: VPC link %s is not emulated: the integration URI is called directly", name, in.ConnectionID)
		}
		for _, v := range p.StageVariables() {
			if !stageVars[v] {
				at(spec.Warning, f, in.Position, "%s: the integration URI uses ${stageVariables.%s}, which no stage defines: requests answer 500 as on AWS; set stages.<name>.variables.%s in the config", name, v, v)
			}
		}
		for _, pp := range p.UnmappedPathParams() {
			at(spec.Info, f, in.Position, "%s: the integration URI uses {%s} without an integration.request.path.%s mapping; the method's path parameter of that name is used", name, pp, pp)
		}
		if max := cfg.IntegrationTimeoutMax.Duration; in.TimeoutInMillis > 0 && max > 0 && int64(in.TimeoutInMillis) > max.Milliseconds() {
			at(spec.Warning, f, in.Position, "%s: timeoutInMillis %d is above the cap of %s (integrationTimeoutMax); the cap applies, as on AWS without a quota increase", name, in.TimeoutInMillis, max)
		}
	case spec.IntegrationMock:
		if _, err := mock.Compile(in); err != nil {
			// AWS deploys such a template and fails when it runs, so this is no reason to refuse the spec.
			at(spec.Warning, f, in.Position, "%s: %v: requests answer 500, as on AWS", name, err)
		}
	case spec.IntegrationAWS, spec.IntegrationAWSProxy:
		lr, isLambda, err := compileLambda(in)
		switch {
		case in.URI == "":
			// no URI (or a CloudFormation intrinsic in its place): already an error of the spec
		case err != nil:
			at(spec.Warning, f, in.Position, "%s: %v: requests answer 500", name, err)
		case !isLambda:
			at(spec.Warning, f, in.Position, "%s: %s integrations with AWS services other than Lambda are not emulated: requests answer 500", name, in.Type)
		case lr.proxy && lr.method != "POST":
			at(spec.Warning, f, in.Position, "%s: AWS_PROXY integration httpMethod is %s; Lambda is invoked with POST, so AWS answers 500, and so does apigw-local", name, lr.method)
		default:
			if t, _, _ := parseLambdaURI(stageVariableRef.ReplaceAllString(in.URI, "x")); !strings.Contains(in.URI, "${stageVariables.") && cfg.Functions[t.Function] == nil {
				at(spec.Warning, f, in.Position, "%s: function %q is not configured, so requests answer 500; add it to apigw-local.yaml: functions: {%s: {command: [./path/to/handler]}}", name, t.Function, t.Function)
			}
			if in.PayloadFormatVersion == "2.0" && in.Type == spec.IntegrationAWS {
				at(spec.Warning, f, in.Position, "%s: payloadFormatVersion 2.0 applies to AWS_PROXY integrations only", name)
			}
		}
	default:
		at(spec.Warning, f, in.Position, "%s: %s integrations are not emulated yet: requests answer 500", name, in.Type)
	}
	if in.Type == spec.IntegrationMock || in.Type == spec.IntegrationHTTP || in.Type == spec.IntegrationAWS {
		if m, err := mapping.Compile(in); err == nil {
			for _, n := range m.Notices() {
				at(spec.Warning, f, in.Position, "%s: %s", name, n)
			}
		}
	}
	if len(in.CacheKeyParameters) > 0 {
		at(spec.Info, f, in.Position, "%s: cacheKeyParameters have no effect: the stage cache is not emulated", name)
	}
	if in.Type == spec.IntegrationMock || in.Type == spec.IntegrationHTTP {
		if in.ContentHandling != "" {
			at(spec.Warning, f, in.Position, "%s: contentHandling %s is not emulated yet: payloads are mapped as text", name, in.ContentHandling)
		}
		for _, r := range in.Responses {
			if r.ContentHandling != "" {
				at(spec.Warning, f, r.Position, "%s: integration response contentHandling %s is not emulated yet: payloads are mapped as text", name, r.ContentHandling)
			}
		}
	}
	if in.ContentHandling != "" && in.Type == spec.IntegrationHTTPProxy {
		at(spec.Info, f, in.Position, "%s: contentHandling is ignored for proxy integrations, as on AWS", name)
	}
}

func typeList() string {
	var names []string
	for _, t := range gatewayresponse.Types() {
		names = append(names, string(t))
	}
	return strings.Join(names, ", ")
}

// checkResources reports the resource trees API Gateway would refuse (sibling path variables, a greedy
// variable that is not last, ...), each at the first method of the resource it names, so that validate
// says what serve would refuse.
func checkResources(at reporter, a *spec.API) {
	var routes []router.Route[*spec.Method]
	for _, r := range a.Resources {
		for _, m := range r.Methods {
			routes = append(routes, router.Route[*spec.Method]{Resource: r.Path, Method: m.HTTPMethod, Value: m})
		}
	}
	_, err := router.New(routes)
	if err == nil {
		return
	}
	for _, line := range strings.Split(err.Error(), "\n") {
		where := spec.Position{Line: 1, Column: 1}
		for _, r := range a.Resources {
			if strings.Contains(line, strconv.Quote(r.Path)) && len(r.Methods) > 0 {
				where = r.Methods[0].Position
				break
			}
		}
		at(spec.Error, a.File, where, "%s", line)
	}
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
