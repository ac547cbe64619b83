package config

import (
	"fmt"
	"net/netip"
	"net/url"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"
)

// Allowed keys at each level, in documentation order (used in messages).
var (
	topKeys           = []string{"specs", "apis", "apiType", "apiId", "region", "accountId", "stages", "functions", "apiKeys", "usagePlans", "account", "integrationTimeoutMax", "cognitoUserPools", "jwtIssuers", "credentials", "admin"}
	stageKeys         = []string{"variables", "throttling", "methodSettings", "routeSettings", "cacheClusterEnabled", "cacheTtlInSeconds", "cacheClusterSize", "accessLogFormat", "accessLogDestination", "autoDeploy"}
	routeSettingKeys  = []string{"throttlingRateLimit", "throttlingBurstLimit"}
	apiEntryKeys      = []string{"spec", "apiId", "apiType"}
	throttleKeys      = []string{"rateLimit", "burstLimit"}
	methodSettingKeys = []string{"throttling", "cachingEnabled", "cacheTtlInSeconds", "requireAuthorizationForCacheControl", "unauthorizedCacheControlHeaderStrategy"}
	functionKeys      = []string{"command", "workdir", "env", "timeout", "memorySize", "concurrency", "build", "watch", "external"}
	externalKeys      = []string{"port"}
	apiKeyKeys        = []string{"id", "name", "value", "enabled"}
	usagePlanKeys     = []string{"id", "name", "apiStages", "throttle", "quota", "apiKeys"}
	apiStageKeys      = []string{"stage", "throttle"}
	quotaKeys         = []string{"limit", "period", "offset"}
	accountKeys       = []string{"throttle"}
	userPoolKeys      = []string{"jwks"}
	jwtIssuerKeys     = []string{"jwks"}
	adminKeys         = []string{"allowedClients", "allowedHosts"}
	credentialKeys    = []string{"accessKeyId", "secretAccessKey", "userArn", "sessionToken", "userId"}

	httpMethods  = []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "ANY", "*"}
	quotaPeriods = []string{PeriodDay, PeriodWeek, PeriodMonth}
)

// The patterns are compiled on first use: a config that never sets these keys (the embedded example's,
// or none) should not pay for them at start, and the counted repetitions of the ARN patterns are costly to
// compile. Names checked by character class and length need no regexp at all (see run).
var (
	regionPattern      = lazyRegexp(`^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d+$`)
	varValueChar       = lazyRegexp(`[^A-Za-z0-9\-._~:/?#&=,]`)
	envNamePattern     = lazyRegexp(`^[a-zA-Z][a-zA-Z0-9_]+$`)
	userPoolARNPattern = lazyRegexp(`^arn:aws(-cn|-us-gov|-iso[a-z]?)?:cognito-idp:[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d+:\d{12}:userpool/[A-Za-z0-9-]+_[0-9A-Za-z]+$`)
	// principalARNPattern accepts the callers an AWS_IAM method sees: an IAM user (with a path), the
	// account root, an STS assumed-role session or a federated user.
	principalARNPattern = lazyRegexp(`^arn:aws(-cn|-us-gov|-iso[a-z]?)?:(iam::\d{12}:(root|user/([\x21-\x7e]+/)?[\w+=,.@-]{1,64})|sts::\d{12}:(assumed-role/[\w+=,.@-]{1,64}/[\w+=,.@-]{2,64}|federated-user/[\w+=,.@-]{2,32}))$`)
	paramSegment        = lazyRegexp(`^\{[A-Za-z0-9._-]+\+?\}$`)
	literalSegment      = lazyRegexp(`^[A-Za-z0-9._~:@!$&'()+,;=-]+$`)
)

func lazyRegexp(pattern string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(pattern) })
}

// run reports whether s is min to max bytes, each accepted by in: the regexp ^[class]{min,max}$ for an
// ASCII class (a non-ASCII rune fails both), without compiling one.
func run(s string, min, max int, in func(c byte) bool) bool {
	if len(s) < min || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !in(s[i]) {
			return false
		}
	}
	return true
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// isWord is \w: [0-9A-Za-z_].
func isWord(c byte) bool {
	return isDigit(c) || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_'
}

// isName is [A-Za-z0-9_-], the class of stage and function names.
func isName(c byte) bool { return isWord(c) || c == '-' }

// isAPIID is [a-z0-9-].
func isAPIID(c byte) bool { return isDigit(c) || 'a' <= c && c <= 'z' || c == '-' }

// reservedEnv are the variables the emulated Lambda runtime sets itself; Lambda rejects them too.
var reservedEnv = []string{
	"_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_EXECUTION_ENV",
	"AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION",
	"AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME",
	"AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR",
}

// config decodes the top-level mapping.
func (d *decoder) config(root *yaml.Node, c *Config) {
	if n := d.derefQuiet(root); n != nil && n.Kind != yaml.MappingNode && !isNull(n) {
		d.errorf(n, "", "expected a mapping of settings (specs, stages, functions, ...) at the top level, got %s", describe(n))
		return
	}
	o := d.object(root, "", topKeys)
	if o == nil {
		return
	}
	if v := o.val("specs"); v != nil {
		_, items, _ := d.strList(v, "specs", "a list of OpenAPI file paths", "[openapi.yaml]")
		for _, it := range items {
			if it.s == "" {
				d.errorf(it.node, index("specs", it.i), "must not be empty: give the path of an OpenAPI file, relative to this file")
				continue
			}
			c.SpecsRaw = append(c.SpecsRaw, it.s)
			c.Specs = append(c.Specs, resolve(c.Dir, it.s))
		}
	}
	if t, n, ok := d.str(o.val("apiType"), "apiType"); ok {
		// The kind of API the specs are served as, when an export does not say it clearly (an HTTP API
		// whose export carries no HTTP-API-only feature, or a REST API carrying one).
		switch u := strings.ToUpper(t); u {
		case "REST", "HTTP":
			c.APIType = u
		default:
			d.errorf(n, "apiType", "%s is not a kind of API: use REST (API Gateway v1) or HTTP (API Gateway v2)", quote(t))
		}
	}
	if v := o.val("apis"); v != nil {
		d.apis(v, c)
	}
	if s, n, ok := d.str(o.val("apiId"), "apiId"); ok {
		if !run(s, 1, 64, isAPIID) {
			d.errorf(n, "apiId", "%s is not a valid API ID: use 1 to 64 lowercase letters, digits and hyphens (API Gateway's own IDs look like \"a1b2c3d4e5\"), or omit apiId to derive it from the spec's title", quote(s))
		} else {
			c.APIID = s
		}
	}
	if s, n, ok := d.str(o.val("region"), "region"); ok {
		if !regionPattern().MatchString(s) {
			d.errorf(n, "region", "%s is not an AWS region: a region is two letters, an optional \"-gov\", a direction and a number, e.g. \"us-east-1\" or \"eu-central-1\"", quote(s))
		} else {
			c.Region = s
		}
	}
	if s, n, ok := d.str(o.val("accountId"), "accountId"); ok {
		if !run(s, 12, 12, isDigit) {
			d.errorf(n, "accountId", "%s is not an AWS account ID: an account ID is exactly 12 digits; quote it (\"012345678901\") so that YAML keeps leading zeros", quote(s))
		} else {
			c.AccountID = s
		}
	}
	if v := o.val("stages"); v != nil {
		d.stages(v, c)
	}
	if v := o.val("functions"); v != nil {
		d.functions(v, c)
	}
	var keyNodes map[string]*yaml.Node
	if v := o.val("apiKeys"); v != nil {
		keyNodes = d.apiKeys(v, c)
	}
	var plans []planNodes
	if v := o.val("usagePlans"); v != nil {
		plans = d.usagePlans(v, c)
	}
	if v := o.val("admin"); v != nil {
		d.admin(v, c)
	}
	if v := o.val("account"); v != nil {
		if ao := d.object(v, "account", accountKeys); ao != nil {
			if t := d.throttle(ao.val("throttle"), "account.throttle"); t != nil {
				c.Account.Throttle = *t
			}
		}
	}
	if v, n, ok := d.duration(o.val("integrationTimeoutMax"), "integrationTimeoutMax"); ok {
		if v.Duration < MinIntegrationTimeout || v.Duration > MaxIntegrationTimeoutMax {
			d.errorf(n, "integrationTimeoutMax", "%s is out of range: API Gateway integration timeouts are 50ms to 300s (29s unless AWS raised the quota for a Regional or private API)", v)
		} else {
			c.IntegrationTimeoutMax = v
		}
	}
	if v := o.val("cognitoUserPools"); v != nil {
		d.userPools(v, c)
	}
	if v := o.val("jwtIssuers"); v != nil {
		d.jwtIssuers(v, c)
	}
	if v := o.val("credentials"); v != nil {
		d.credentials(v, c)
	}
	d.crossCheck(c, keyNodes, plans)
}

// resolve makes a relative path absolute against dir and cleans it.
func resolve(dir, p string) string {
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return filepath.Join(dir, p)
}

// apis reads apis: name → {spec, apiId, apiType}.
// resourceID reads an optional API Gateway resource id (an API key's or a usage plan's, as production
// has it): letters and digits, 1 to 64.
func (d *decoder) resourceID(o *object, key string) string {
	s, n, ok := d.str(o.val(key), o.sub(key))
	if !ok {
		return ""
	}
	if !run(s, 1, 64, isName) {
		d.errorf(n, o.sub(key), "%s is not an API Gateway id: use letters, digits, hyphens and underscores, up to 64", quote(s))
		return ""
	}
	return s
}

func (d *decoder) apis(v *yaml.Node, c *Config) {
	_, es, _ := d.mapping(v, "apis")
	ids := map[string]string{}
	for _, e := range es {
		p := child("apis", e.key)
		if !run(e.key, 1, 128, isName) {
			d.errorf(e.k, "apis", "invalid API name %s: use letters, digits, hyphens and underscores (custom domain mappings refer to the API by it)", quote(e.key))
		}
		o := d.object(e.v, p, apiEntryKeys)
		if o == nil {
			continue
		}
		a := &API{Name: e.key}
		if o.require("spec", "the path of its OpenAPI file, relative to this file") {
			if s, n, ok := d.str(o.val("spec"), o.sub("spec")); ok {
				if s == "" {
					d.errorf(n, o.sub("spec"), "must not be empty: give the path of an OpenAPI file, relative to this file")
				} else {
					a.SpecRaw, a.Spec = s, resolve(c.Dir, s)
				}
			}
		}
		if s, n, ok := d.str(o.val("apiId"), o.sub("apiId")); ok {
			switch {
			case !run(s, 1, 64, isAPIID):
				d.errorf(n, o.sub("apiId"), "%s is not a valid API ID: use 1 to 64 lowercase letters, digits and hyphens (API Gateway's own IDs look like \"a1b2c3d4e5\"), or omit apiId to derive it from the spec's title", quote(s))
			case ids[s] != "":
				d.errorf(n, o.sub("apiId"), "apiId %s is also the apiId of API %s: each API needs its own", quote(s), quote(ids[s]))
			default:
				a.APIID, ids[s] = s, e.key
			}
		}
		if t, n, ok := d.str(o.val("apiType"), o.sub("apiType")); ok {
			switch u := strings.ToUpper(t); u {
			case "REST", "HTTP":
				a.APIType = u
			default:
				d.errorf(n, o.sub("apiType"), "%s is not a kind of API: use REST (API Gateway v1) or HTTP (API Gateway v2)", quote(t))
			}
		}
		if c.APIs == nil {
			c.APIs = map[string]*API{}
		}
		c.APIs[e.key] = a
		c.APINames = append(c.APINames, e.key)
	}
}

func (d *decoder) stages(v *yaml.Node, c *Config) {
	_, es, _ := d.mapping(v, "stages")
	for _, e := range es {
		// $default is the one name outside the pattern: an HTTP API's stage served at the root (the
		// build refuses it for a REST API).
		if e.key != DefaultHTTPStage && !run(e.key, 1, 128, isName) {
			d.errorf(e.k, "stages", "invalid stage name %s: API Gateway stage names may contain only alphanumerics, hyphens and underscores, up to 128 characters", quote(e.key))
		}
		st := d.stage(e.v, child("stages", e.key), e.key, c.Dir)
		c.Stages[e.key] = st
		c.StageNames = append(c.StageNames, e.key)
	}
}

func (d *decoder) stage(v *yaml.Node, p, name, dir string) *Stage {
	st := DefaultStage(name)
	o := d.object(v, p, stageKeys)
	if o == nil {
		return st
	}
	if vv := o.val("variables"); vv != nil {
		vp := o.sub("variables")
		_, es, vals := d.strMap(vv, vp)
		if len(es) > MaxStageVariables {
			d.errorf(o.keyNode("variables"), vp, "%d variables: API Gateway allows at most %d stage variables per stage", len(es), MaxStageVariables)
		}
		for i, e := range es {
			if !run(e.key, 1, 64, isWord) {
				d.errorf(e.k, vp, "invalid stage variable name %s: names may contain only alphanumeric characters and underscores, up to 64 characters", quote(e.key))
			}
			val := vals[i]
			const rule = "AWS requires stage variable values to match [A-Za-z0-9-._~:/?#&=,]+ (alphanumerics and - . _ ~ : / ? # & = ,), at most 512 characters"
			switch bad := varValueChar().FindString(val.s); {
			case val.s == "":
				d.errorf(val.node, child(vp, e.key), "value must not be empty: %s", rule)
			case len(val.s) > 512:
				d.errorf(val.node, child(vp, e.key), "value is %d characters long: %s", len(val.s), rule)
			case bad != "":
				d.errorf(val.node, child(vp, e.key), "value contains %q, which AWS does not allow: %s", bad, rule)
			}
			st.Variables[e.key] = val.s
		}
	}
	st.Throttling = d.throttle(o.val("throttling"), o.sub("throttling"))
	if mv := o.val("methodSettings"); mv != nil {
		mp := o.sub("methodSettings")
		_, es, _ := d.mapping(mv, mp)
		for _, e := range es {
			if msg := checkMethodKey(e.key, true); msg != "" {
				d.errorf(e.k, mp, "%s", msg)
			}
			st.MethodSettings[e.key] = d.methodSetting(e.v, child(mp, e.key))
			if e.key == "*/*" && st.Throttling != nil && st.MethodSettings[e.key].Throttling != nil {
				mo := d.derefQuiet(e.v)
				loc := e.k
				if mo != nil && mo.Kind == yaml.MappingNode {
					for i := 0; i+1 < len(mo.Content); i += 2 {
						if mo.Content[i].Value == "throttling" {
							loc = mo.Content[i]
						}
					}
				}
				d.errorf(loc, child(mp, e.key)+".throttling", "conflicts with %s.throttling: both set the stage's default throttle (AWS's \"*/*\" method setting); keep one", p)
			}
		}
	}
	if rv := o.val("routeSettings"); rv != nil {
		rp := o.sub("routeSettings")
		_, es, _ := d.mapping(rv, rp)
		for _, e := range es {
			if msg := checkRouteKey(e.key); msg != "" {
				d.errorf(e.k, rp, "%s", msg)
				continue
			}
			st.RouteSettings[e.key] = d.routeSetting(e.v, child(rp, e.key))
		}
	}
	// An HTTP API stage's autoDeploy is what hot reload always does here: accepted (type-checked) for
	// configs that mirror a template, with nothing more to do.
	_, _, _ = d.boolean(o.val("autoDeploy"), o.sub("autoDeploy"))
	if b, _, ok := d.boolean(o.val("cacheClusterEnabled"), o.sub("cacheClusterEnabled")); ok {
		st.CacheClusterEnabled = b
	}
	if ttl, ok := d.cacheTTL(o.val("cacheTtlInSeconds"), o.sub("cacheTtlInSeconds")); ok {
		st.CacheTTLInSeconds = ttl
	}
	if size, n, ok := d.number(o.val("cacheClusterSize"), o.sub("cacheClusterSize")); ok {
		switch size {
		case 0.5, 1.6, 6.1, 13.5, 28.4, 58.2, 118, 237:
			st.CacheClusterSize = size
		default:
			d.errorf(n, o.sub("cacheClusterSize"), "%s is not a cache size of API Gateway: use 0.5, 1.6, 6.1, 13.5, 28.4, 58.2, 118 or 237 (GB)", n.Value)
		}
	}
	if s, n, ok := d.str(o.val("accessLogFormat"), o.sub("accessLogFormat")); ok {
		if s != "" && !strings.Contains(s, "$context.requestId") && !strings.Contains(s, "$context.extendedRequestId") {
			d.errorf(n, o.sub("accessLogFormat"), "AWS requires an access log format to include $context.requestId or $context.extendedRequestId; add one of them")
		}
		st.AccessLogFormat = s
	}
	if s, n, ok := d.str(o.val("accessLogDestination"), o.sub("accessLogDestination")); ok {
		switch {
		case s == "":
			d.errorf(n, o.sub("accessLogDestination"), "must not be empty: use stdout, stderr or a file path")
		case st.AccessLogFormat == "":
			d.errorf(n, o.sub("accessLogDestination"), "an access log destination needs accessLogFormat (the line's format, with $context variables)")
		case s == "stdout" || s == "stderr":
			st.AccessLogDestination = s
		default:
			st.AccessLogDestination = resolve(dir, s)
		}
	}
	return st
}

func (d *decoder) cacheTTL(v *yaml.Node, p string) (int, bool) {
	ttl, n, ok := d.integer(v, p)
	if !ok {
		return 0, false
	}
	if ttl < 0 || ttl > MaxCacheTTLInSeconds {
		d.errorf(n, p, "%d is out of range: API Gateway cache TTLs are 0 to 3600 seconds", ttl)
		return 0, false
	}
	return ttl, true
}

func (d *decoder) methodSetting(v *yaml.Node, p string) MethodSetting {
	var ms MethodSetting
	o := d.object(v, p, methodSettingKeys)
	if o == nil {
		return ms
	}
	ms.Throttling = d.throttle(o.val("throttling"), o.sub("throttling"))
	if b, _, ok := d.boolean(o.val("cachingEnabled"), o.sub("cachingEnabled")); ok {
		ms.CachingEnabled = &b
	}
	if ttl, ok := d.cacheTTL(o.val("cacheTtlInSeconds"), o.sub("cacheTtlInSeconds")); ok {
		ms.CacheTTLInSeconds = &ttl
	}
	if b, _, ok := d.boolean(o.val("requireAuthorizationForCacheControl"), o.sub("requireAuthorizationForCacheControl")); ok {
		ms.RequireAuthorizationForCacheControl = &b
	}
	if s, n, ok := d.str(o.val("unauthorizedCacheControlHeaderStrategy"), o.sub("unauthorizedCacheControlHeaderStrategy")); ok {
		switch s {
		case "FAIL_WITH_403", "SUCCEED_WITH_RESPONSE_HEADER", "SUCCEED_WITHOUT_RESPONSE_HEADER":
			ms.UnauthorizedCacheControlHeaderStrategy = s
		default:
			d.errorf(n, o.sub("unauthorizedCacheControlHeaderStrategy"), "%s: use FAIL_WITH_403, SUCCEED_WITH_RESPONSE_HEADER or SUCCEED_WITHOUT_RESPONSE_HEADER", quote(s))
		}
	}
	return ms
}

// routeSetting reads one routeSettings entry: AWS's throttlingRateLimit and throttlingBurstLimit, both
// required (a route setting without one would leave half of its bucket undefined here).
func (d *decoder) routeSetting(v *yaml.Node, p string) RouteSetting {
	var rs RouteSetting
	o := d.object(v, p, routeSettingKeys)
	if o == nil {
		return rs
	}
	const hint = "throttlingRateLimit is requests per second, throttlingBurstLimit the bucket size in requests; set both"
	t, ok := &Throttle{}, true
	if o.require("throttlingRateLimit", hint) {
		r, n, good := d.number(o.val("throttlingRateLimit"), o.sub("throttlingRateLimit"))
		if good && r < 0 {
			d.errorf(n, o.sub("throttlingRateLimit"), "must be >= 0 requests per second, got %s", n.Value)
		}
		ok = ok && good && r >= 0
		t.RateLimit = r
	} else {
		ok = false
	}
	if o.require("throttlingBurstLimit", hint) {
		b, n, good := d.integer(o.val("throttlingBurstLimit"), o.sub("throttlingBurstLimit"))
		if good && b < 0 {
			d.errorf(n, o.sub("throttlingBurstLimit"), "must be >= 0 requests, got %d", b)
		}
		ok = ok && good && b >= 0
		t.BurstLimit = b
	} else {
		ok = false
	}
	if ok {
		rs.Throttling = t
	}
	return rs
}

// checkRouteKey validates an HTTP API route key ("GET /pets", "ANY /{proxy+}", "$default").
func checkRouteKey(key string) string {
	const form = `route keys are "$default" or "{METHOD} {path}", e.g. "GET /pets", "ANY /{proxy+}"`
	if key == "$default" {
		return ""
	}
	method, path, ok := strings.Cut(key, " ")
	if !ok || !strings.HasPrefix(path, "/") || strings.ContainsAny(path, " \t") {
		return fmt.Sprintf("invalid route key %s: %s", quote(key), form)
	}
	switch method {
	case "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY":
		return ""
	}
	return fmt.Sprintf("invalid route key %s: unknown method %q (%s)", quote(key), method, form)
}

// checkMethodKey validates a method settings key ("*/*" only when allowAll); it returns a message or "".
func checkMethodKey(key string, allowAll bool) string {
	form := `keys are "/{resource path}/{HTTP method}", e.g. "/pets/GET", "/pets/{id}/DELETE" or "//GET" for the root resource`
	if allowAll {
		form = `keys are "*/*" (every method) or "/{resource path}/{HTTP method}", e.g. "/pets/GET", "/pets/{id}/DELETE" or "//GET" for the root resource`
	}
	if key == "*/*" {
		if allowAll {
			return ""
		}
		return `"*/*" is not allowed here: set the usage plan's throttle to limit every method`
	}
	i := strings.LastIndex(key, "/")
	if !strings.HasPrefix(key, "/") || i < 0 {
		return fmt.Sprintf("invalid key %s: %s", quote(key), form)
	}
	resource, method := key[:i], key[i+1:]
	if !contains(httpMethods, method) {
		if sug := suggest(method, httpMethods[:len(httpMethods)-1]); sug != "" {
			return fmt.Sprintf("invalid key %s: unknown HTTP method %s (did you mean %q?)", quote(key), quote(method), sug)
		}
		return fmt.Sprintf("invalid key %s: the HTTP method after the last \"/\" must be GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS, ANY or *; %s", quote(key), form)
	}
	if resource == "" {
		return fmt.Sprintf("invalid key %s: the root resource's key is %q", quote(key), "/"+key)
	}
	if resource == "/" {
		return ""
	}
	for _, seg := range strings.Split(resource[1:], "/") {
		switch {
		case seg == "":
			return fmt.Sprintf("invalid key %s: the resource path has an empty segment; %s", quote(key), form)
		case strings.Contains(seg, "*"):
			if allowAll {
				return fmt.Sprintf("invalid key %s: resource paths cannot contain wildcards; write \"*/*\" for every method, or \"/path/*\" for every method of one resource", quote(key))
			}
			return fmt.Sprintf("invalid key %s: resource paths cannot contain wildcards; write \"/path/*\" for every method of one resource", quote(key))
		case !paramSegment().MatchString(seg) && !literalSegment().MatchString(seg):
			return fmt.Sprintf("invalid key %s: invalid resource path segment %s (use letters, digits, - . _ ~ and {param} or {proxy+}); %s", quote(key), quote(seg), form)
		}
	}
	return ""
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// throttle decodes a Throttle; nil when absent, null or invalid.
func (d *decoder) throttle(v *yaml.Node, p string) *Throttle {
	if v == nil || isNull(d.derefQuiet(v)) {
		return nil
	}
	o := d.object(v, p, throttleKeys)
	if o == nil {
		return nil
	}
	const hint = "rateLimit is requests per second, burstLimit the bucket size in requests; set both"
	t := &Throttle{}
	ok := true
	if o.require("rateLimit", hint) {
		r, n, good := d.number(o.val("rateLimit"), o.sub("rateLimit"))
		switch {
		case !good:
			ok = false
		case r < 0:
			d.errorf(n, o.sub("rateLimit"), "must be >= 0 requests per second, got %s", n.Value)
			ok = false
		default:
			t.RateLimit = r
		}
	} else {
		ok = false
	}
	if o.require("burstLimit", hint) {
		b, n, good := d.integer(o.val("burstLimit"), o.sub("burstLimit"))
		switch {
		case !good:
			ok = false
		case b < 0:
			d.errorf(n, o.sub("burstLimit"), "must be >= 0 requests, got %d", b)
			ok = false
		default:
			t.BurstLimit = b
		}
	} else {
		ok = false
	}
	if !ok {
		return nil
	}
	return t
}

func (d *decoder) functions(v *yaml.Node, c *Config) {
	_, es, _ := d.mapping(v, "functions")
	ports := map[int]string{}
	portNodes := map[int]*yaml.Node{}
	for _, e := range es {
		if !run(e.key, 1, 64, isName) {
			d.errorf(e.k, "functions", "invalid function name %s: Lambda function names may contain only letters, digits, hyphens and underscores, up to 64 characters", quote(e.key))
		}
		p := child("functions", e.key)
		f, portNode := d.function(e.v, e.k, p, e.key, c.Dir)
		if f.External != nil && portNode != nil {
			if other, dup := ports[f.External.Port]; dup {
				d.errorf(portNode, p+".external.port", "port %d is also the port of function %q (line %d); each external function needs its own port", f.External.Port, other, portNodes[f.External.Port].Line)
			} else {
				ports[f.External.Port] = e.key
				portNodes[f.External.Port] = portNode
			}
		}
		c.Functions[e.key] = f
		c.FunctionNames = append(c.FunctionNames, e.key)
	}
}

// function decodes one function; it returns the node of a valid external port, for the uniqueness check.
func (d *decoder) function(v, keyNode *yaml.Node, p, name, dir string) (*Function, *yaml.Node) {
	f := DefaultFunction(name, dir)
	o := d.object(v, p, functionKeys)
	if o == nil {
		return f, nil
	}
	hasCommand, hasExternal := o.has("command"), o.has("external")
	switch {
	case !hasCommand && !hasExternal:
		if !o.suggested["command"] && !o.suggested["external"] {
			d.errorf(keyNode, p, "set \"command\" (the program that runs the function, e.g. [\"./bin/%s\"]) or \"external\" (a Runtime API port for a handler you start yourself, e.g. {port: 9001})", strings.ToLower(name))
		}
	case hasCommand && hasExternal:
		d.errorf(o.keyNode("external"), p, "set only one of \"command\" and \"external\": command starts the function for you, external serves a Runtime API for a handler you start yourself")
	}
	if cv := o.val("command"); cv != nil {
		cp := o.sub("command")
		example := `["./bin/` + strings.ToLower(name) + `"]`
		if v := d.derefQuiet(cv).Value; v != "" && len(v) <= 64 {
			example = "[" + strconv.Quote(v) + "]"
		}
		node, items, ok := d.strList(cv, cp, "a list of the program and its arguments", example)
		switch {
		case ok && len(items) == 0 && !isNull(node):
			d.errorf(node, cp, "must not be empty: give the program and its arguments, e.g. [\"./bin/%s\"]", strings.ToLower(name))
		case ok && len(items) > 0 && items[0].s == "":
			d.errorf(items[0].node, index(cp, items[0].i), "the program name must not be empty")
		}
		for _, it := range items {
			f.Command = append(f.Command, it.s)
		}
	}
	var portNode *yaml.Node
	if ev := o.val("external"); ev != nil && !isNull(d.derefQuiet(ev)) {
		ep := o.sub("external")
		if eo := d.object(ev, ep, externalKeys); eo != nil {
			f.External = &External{}
			if eo.require("port", "the TCP port to serve this function's Runtime API on, e.g. 9001") {
				port, n, ok := d.integer(eo.val("port"), eo.sub("port"))
				switch {
				case ok && (port < 1 || port > 65535):
					d.errorf(n, eo.sub("port"), "port %d is out of range: use 1 to 65535", port)
				case ok:
					f.External.Port = port
					portNode = n
				}
			}
		}
	}
	return d.functionRest(o, f, dir, hasExternal && !hasCommand), portNode
}

// functionRest decodes the function settings other than command and external.
func (d *decoder) functionRest(o *object, f *Function, dir string, external bool) *Function {
	notForExternal := func(key string) {
		if external && o.has(key) {
			d.errorf(o.keyNode(key), o.path, "%q has no effect on an external function, whose process you start yourself; remove it, or use \"command\" instead of \"external\"", key)
		}
	}
	if s, n, ok := d.str(o.val("workdir"), o.sub("workdir")); ok {
		if s == "" {
			d.errorf(n, o.sub("workdir"), "must not be empty: omit workdir to use the directory of this file")
		} else {
			f.WorkdirRaw = s
			f.Workdir = resolve(dir, s)
		}
	}
	notForExternal("workdir")
	if ev := o.val("env"); ev != nil {
		ep := o.sub("env")
		_, es, vals := d.strMap(ev, ep)
		for i, e := range es {
			switch {
			case contains(reservedEnv, e.key):
				d.errorf(e.k, ep, "%s is set by the Lambda runtime and cannot be overridden (Lambda rejects reserved keys too); remove it", e.key)
			case !envNamePattern().MatchString(e.key):
				d.errorf(e.k, ep, "invalid environment variable name %s: Lambda requires names to match [a-zA-Z]([a-zA-Z0-9_])+ (a letter, then at least one letter, digit or underscore)", quote(e.key))
			}
			f.Env[e.key] = vals[i].s
		}
	}
	notForExternal("env")
	if t, n, ok := d.duration(o.val("timeout"), o.sub("timeout")); ok {
		if t.Duration < MinFunctionTimeout || t.Duration > MaxFunctionTimeout {
			d.errorf(n, o.sub("timeout"), "%s is out of range: Lambda function timeouts are 1s to 900s (15 minutes); the default is 3s", t)
		} else {
			f.Timeout = t
		}
	}
	if m, n, ok := d.integer(o.val("memorySize"), o.sub("memorySize")); ok {
		if m < MinMemorySize || m > MaxMemorySize {
			d.errorf(n, o.sub("memorySize"), "%d is out of range: Lambda memory sizes are 128 to 10240 MB; the default is 128", m)
		} else {
			f.MemorySize = m
		}
	}
	if cc, n, ok := d.integer(o.val("concurrency"), o.sub("concurrency")); ok {
		if cc < 1 {
			d.errorf(n, o.sub("concurrency"), "must be at least 1 (the maximum number of warm processes; requests queue beyond it), got %d", cc)
		} else {
			f.Concurrency = cc
		}
	}
	if bv := o.val("build"); bv != nil {
		bp := o.sub("build")
		node, items, ok := d.strList(bv, bp, "a list of the build program and its arguments", `["make", "build"]`)
		switch {
		case ok && len(items) == 0:
			d.errorf(node, bp, "must not be empty: give the build program and its arguments, e.g. [\"go\", \"build\", \"-o\", \"bin/app\", \".\"], or remove build")
		case ok && items[0].s == "":
			d.errorf(items[0].node, index(bp, items[0].i), "the program name must not be empty")
		}
		if ok {
			f.Build = []string{}
			for _, it := range items {
				f.Build = append(f.Build, it.s)
			}
		}
	}
	notForExternal("build")
	if wv := o.val("watch"); wv != nil {
		wp := o.sub("watch")
		_, items, _ := d.strList(wv, wp, "a list of globs", `["**/*.go"]`)
		for _, it := range items {
			if msg := checkGlob(it.s); msg != "" {
				d.errorf(it.node, index(wp, it.i), "%s", msg)
				continue
			}
			f.Watch = append(f.Watch, it.s)
		}
	}
	notForExternal("watch")
	return f
}

// checkGlob validates a watch glob: path.Match syntax, with "**" for any number of directories.
func checkGlob(g string) string {
	const syntax = `globs use path.Match syntax (*, ?, [a-z], \ escapes) plus "**" for any number of directories, e.g. "lambdas/getpets/**/*.go"`
	if g == "" {
		return "must not be empty: " + syntax
	}
	for _, seg := range strings.Split(g, "/") {
		if seg == "**" {
			continue
		}
		if _, err := path.Match(seg, ""); err != nil {
			return fmt.Sprintf("invalid glob %s (%v): %s", quote(g), err, syntax)
		}
	}
	return ""
}

// apiKeys decodes the API keys; it returns the name nodes of the keys by name.
func (d *decoder) apiKeys(v *yaml.Node, c *Config) map[string]*yaml.Node {
	names := map[string]*yaml.Node{}
	values := map[string]string{}
	valueNodes := map[string]*yaml.Node{}
	for _, e := range d.objects(v, "apiKeys", "a list of API keys", "name and value", apiKeyKeys) {
		o := e.o
		k := APIKey{Enabled: true}
		k.ID = d.resourceID(o, "id")
		if o.require("name", "the name usage plans refer to the key by") {
			if s, n, ok := d.str(o.val("name"), o.sub("name")); ok {
				switch prev, dup := names[s]; {
				case s == "":
					d.errorf(n, o.sub("name"), "must not be empty")
				case dup:
					d.errorf(n, o.sub("name"), "duplicate API key name %s (also at line %d); names must be unique", quote(s), prev.Line)
				default:
					names[s] = n
				}
				k.Name = s
			}
		}
		if o.require("value", "the key clients send in x-api-key, 20 to 128 characters") {
			if s, n, ok := d.str(o.val("value"), o.sub("value")); ok {
				switch prev, dup := values[s]; {
				case len(s) < MinAPIKeyValueLength:
					d.errorf(n, o.sub("value"), "API Key value should be at least 20 characters (got %d)", len(s))
				case len(s) > MaxAPIKeyValueLength:
					d.errorf(n, o.sub("value"), "API Key value exceeds maximum size of 128 characters (got %d)", len(s))
				case dup:
					d.errorf(n, o.sub("value"), "API key %s has the same value as API key %s (line %d); values must be unique", quote(k.Name), quote(prev), valueNodes[s].Line)
				default:
					values[s] = k.Name
					valueNodes[s] = n
				}
				k.Value = s
			}
		}
		if b, _, ok := d.boolean(o.val("enabled"), o.sub("enabled")); ok {
			k.Enabled = b
		}
		c.APIKeys = append(c.APIKeys, k)
	}
	return names
}

// planNodes keeps the nodes of a usage plan's references for the cross-checks.
type planNodes struct {
	index      int // in Config.UsagePlans
	item       int // in the file's list, for paths
	nameNode   *yaml.Node
	stageNodes []*yaml.Node // parallel to the plan's APIStages; nil for an invalid stage
	stageItems []int        // file index of each of the plan's APIStages
	keyNodes   []*yaml.Node // parallel to the plan's APIKeys
	keyItems   []int        // file index of each of the plan's APIKeys
}

func (d *decoder) usagePlans(v *yaml.Node, c *Config) []planNodes {
	var plans []planNodes
	names := map[string]*yaml.Node{}
	for _, e := range d.objects(v, "usagePlans", "a list of usage plans", "name, apiStages, throttle, quota and apiKeys", usagePlanKeys) {
		i, o := e.i, e.o
		var plan UsagePlan
		plan.ID = d.resourceID(o, "id")
		pn := planNodes{index: len(c.UsagePlans), item: i}
		if o.require("name", "") {
			if s, n, ok := d.str(o.val("name"), o.sub("name")); ok {
				switch prev, dup := names[s]; {
				case s == "":
					d.errorf(n, o.sub("name"), "must not be empty")
				case dup:
					d.errorf(n, o.sub("name"), "duplicate usage plan name %s (also at line %d); names must be unique", quote(s), prev.Line)
				default:
					names[s] = n
				}
				plan.Name = s
				pn.nameNode = n
			}
		}
		if sv := o.val("apiStages"); sv != nil {
			sp := o.sub("apiStages")
			_, stages, _ := d.seq(sv, sp, "a list of stages", "")
			for j, st := range stages {
				stp := index(sp, j)
				if isNull(d.derefQuiet(st)) {
					d.errorf(d.derefQuiet(st), stp, "expected a mapping with stage and throttle, got null")
					continue
				}
				so := d.object(st, stp, apiStageKeys)
				if so == nil {
					continue
				}
				ps := UsagePlanStage{Throttle: map[string]Throttle{}}
				var stageNode *yaml.Node
				if so.require("stage", "the name of a stage") {
					if s, n, ok := d.str(so.val("stage"), so.sub("stage")); ok {
						if s == "" {
							d.errorf(n, so.sub("stage"), "must not be empty")
						} else {
							ps.Stage, stageNode = s, n
						}
					}
				}
				if tv := so.val("throttle"); tv != nil {
					tp := so.sub("throttle")
					_, es, _ := d.mapping(tv, tp)
					for _, e := range es {
						if msg := checkMethodKey(e.key, false); msg != "" {
							d.errorf(e.k, tp, "%s", msg)
						}
						ep := child(tp, e.key)
						if isNull(d.derefQuiet(e.v)) {
							d.errorf(e.k, ep, "expected a mapping with rateLimit and burstLimit, got null")
							continue
						}
						if t := d.throttle(e.v, ep); t != nil {
							ps.Throttle[e.key] = *t
						}
					}
				}
				plan.APIStages = append(plan.APIStages, ps)
				pn.stageNodes = append(pn.stageNodes, stageNode)
				pn.stageItems = append(pn.stageItems, j)
			}
		}
		plan.Throttle = d.throttle(o.val("throttle"), o.sub("throttle"))
		if qv := o.val("quota"); qv != nil && !isNull(d.derefQuiet(qv)) {
			plan.Quota = d.quota(qv, o.sub("quota"))
		}
		if kv := o.val("apiKeys"); kv != nil {
			_, keys, _ := d.strList(kv, o.sub("apiKeys"), "a list of API key names", "[alice]")
			for _, k := range keys {
				plan.APIKeys = append(plan.APIKeys, k.s)
				pn.keyNodes = append(pn.keyNodes, k.node)
				pn.keyItems = append(pn.keyItems, k.i)
			}
		}
		c.UsagePlans = append(c.UsagePlans, plan)
		plans = append(plans, pn)
	}
	return plans
}

func (d *decoder) quota(v *yaml.Node, p string) *Quota {
	o := d.object(v, p, quotaKeys)
	if o == nil {
		return nil
	}
	q := &Quota{}
	limitOK := false
	if o.require("limit", "the number of requests per period") {
		if l, n, ok := d.integer(o.val("limit"), o.sub("limit")); ok {
			if l < 0 {
				d.errorf(n, o.sub("limit"), "must be >= 0 requests, got %d", l)
			} else {
				q.Limit, limitOK = l, true
			}
		}
	}
	if o.require("period", "DAY, WEEK or MONTH") {
		if s, n, ok := d.str(o.val("period"), o.sub("period")); ok {
			if !contains(quotaPeriods, s) {
				d.errorf(n, o.sub("period"), "invalid period %s: use DAY, WEEK or MONTH%s", quote(s), suggestSuffix(s, quotaPeriods))
			}
			q.Period = s
		}
	}
	if off, n, ok := d.integer(o.val("offset"), o.sub("offset")); ok {
		switch {
		case off < 0:
			d.errorf(n, o.sub("offset"), "must be >= 0, got %d", off)
		case q.Period == PeriodDay && limitOK && off > 0 && off >= q.Limit:
			d.errorf(n, o.sub("offset"), "offset %d must be less than the limit (%d) for a DAY quota: it is the number of requests subtracted from the limit in the first period", off, q.Limit)
		}
		q.Offset = off
	}
	return q
}

// suggestSuffix returns ` (did you mean "x"?)` or "".
func suggestSuffix(s string, candidates []string) string {
	if sug := suggest(s, candidates); sug != "" {
		return fmt.Sprintf(" (did you mean %q?)", sug)
	}
	return ""
}

func (d *decoder) userPools(v *yaml.Node, c *Config) {
	_, es, _ := d.mapping(v, "cognitoUserPools")
	for _, e := range es {
		if !userPoolARNPattern().MatchString(e.key) {
			d.errorf(e.k, "cognitoUserPools", "invalid user pool ARN %s: expected arn:aws:cognito-idp:REGION:ACCOUNT:userpool/POOL_ID, e.g. \"arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc\"", quote(e.key))
		}
		p := child("cognitoUserPools", e.key)
		o := d.object(e.v, p, userPoolKeys)
		if o == nil {
			continue
		}
		var up CognitoUserPool
		if !o.has("jwks") && !o.suggested["jwks"] {
			d.errorf(e.k, p, "missing required key \"jwks\" (the pool's JSON Web Key Set: a file path relative to this file, e.g. ./jwks.json, or dev for the tokens apigw-local token signs)")
		} else if s, n, ok := d.str(o.val("jwks"), o.sub("jwks")); ok {
			if s == "" {
				d.errorf(n, o.sub("jwks"), "must not be empty: give the path or URL of the pool's JSON Web Key Set")
			} else {
				up.JWKSRaw = s
				up.JWKS = s
				if s != DevJWKS && !strings.HasPrefix(s, "http://") && !strings.HasPrefix(s, "https://") {
					up.JWKS = resolve(c.Dir, s)
				}
			}
		}
		c.CognitoUserPools[e.key] = up
		c.CognitoUserPoolARNs = append(c.CognitoUserPoolARNs, e.key)
	}
}

// jwtIssuers decodes where the JWT authorizers' issuers keep their keys. A URL is refused here rather
// than at build (as cognitoUserPools do): JWKS URLs are what users copy from their issuer's discovery
// document, and saying at once that they must be saved to a file is the useful answer.
func (d *decoder) jwtIssuers(v *yaml.Node, c *Config) {
	_, es, _ := d.mapping(v, "jwtIssuers")
	for _, e := range es {
		if !isIssuerURL(e.key) {
			d.errorf(e.k, "jwtIssuers", "invalid issuer %s: expected the issuer URL exactly as tokens carry it in iss, e.g. \"https://cognito-idp.us-east-1.amazonaws.com/us-east-1_abc\" or \"https://example.auth0.com/\"", quote(e.key))
		}
		p := child("jwtIssuers", e.key)
		o := d.object(e.v, p, jwtIssuerKeys)
		if o == nil {
			continue
		}
		var is JWTIssuer
		if !o.has("jwks") && !o.suggested["jwks"] {
			d.errorf(e.k, p, "missing required key \"jwks\" (the issuer's JSON Web Key Set: a file path relative to this file, e.g. ./jwks.json, or dev for the tokens apigw-local token --issuer signs)")
		} else if s, n, ok := d.str(o.val("jwks"), o.sub("jwks")); ok {
			switch {
			case s == "":
				d.errorf(n, o.sub("jwks"), "must not be empty: give the path of the issuer's JSON Web Key Set, or dev")
			case strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://"):
				d.errorf(n, o.sub("jwks"), "%s is a URL, which apigw-local does not fetch: save the key set to a file (curl -o jwks.json %s) and give its path, e.g. {jwks: ./jwks.json}", s, s)
			default:
				is.JWKSRaw, is.JWKS = s, s
				if s != DevJWKS {
					is.JWKS = resolve(c.Dir, s)
				}
			}
		}
		c.JWTIssuers[e.key] = is
		c.JWTIssuerURLs = append(c.JWTIssuerURLs, e.key)
	}
}

// isIssuerURL tells an absolute http(s) URL with a host and no query or fragment: what an issuer is.
func isIssuerURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" && u.RawQuery == "" && u.Fragment == "" && !strings.ContainsAny(s, " \t")
}

// credentials decodes the access keys AWS_IAM methods accept.
func (d *decoder) credentials(v *yaml.Node, c *Config) {
	ids := map[string]*yaml.Node{}
	for _, e := range d.objects(v, "credentials", "a list of credentials", "accessKeyId, secretAccessKey and userArn", credentialKeys) {
		o := e.o
		var cr Credential
		if o.require("accessKeyId", "the key id clients sign with, e.g. AKIAIOSFODNN7EXAMPLE") {
			if s, n, ok := d.str(o.val("accessKeyId"), o.sub("accessKeyId")); ok {
				prev, dup := ids[s]
				switch {
				case s == "":
					d.errorf(n, o.sub("accessKeyId"), "must not be empty")
				case strings.ContainsAny(s, "/,; \t="):
					d.errorf(n, o.sub("accessKeyId"), "%s cannot be sent in a SigV4 Credential (it contains '/', ',', ';', '=' or a space): AWS access key ids are letters, digits and underscores", quote(s))
				case dup:
					d.errorf(n, o.sub("accessKeyId"), "duplicate accessKeyId %s (also at line %d); each access key must be listed once", quote(s), prev.Line)
				default:
					ids[s] = n
					if !run(s, 16, 128, isWord) {
						d.warnf(n, o.sub("accessKeyId"), "%s does not look like an AWS access key id (16 to 128 letters, digits and underscores, e.g. AKIAIOSFODNN7EXAMPLE); it is accepted as written", quote(s))
					}
				}
				cr.AccessKeyID = s
			}
		}
		if o.require("secretAccessKey", "the secret the signature is computed with") {
			if s, n, ok := d.str(o.val("secretAccessKey"), o.sub("secretAccessKey")); ok {
				if s == "" {
					d.errorf(n, o.sub("secretAccessKey"), "must not be empty")
				}
				cr.SecretAccessKey = s
			}
		}
		if o.require("userArn", "the caller's ARN, e.g. arn:aws:iam::123456789012:user/alice") {
			if s, n, ok := d.str(o.val("userArn"), o.sub("userArn")); ok {
				if !principalARNPattern().MatchString(s) {
					d.errorf(n, o.sub("userArn"), "%s is not an IAM or STS principal ARN: expected arn:aws:iam::ACCOUNT:user/NAME, arn:aws:iam::ACCOUNT:root, arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION or arn:aws:sts::ACCOUNT:federated-user/NAME, e.g. \"arn:aws:iam::123456789012:user/alice\"", quote(s))
				}
				cr.UserARN = s
			}
		}
		if s, n, ok := d.str(o.val("sessionToken"), o.sub("sessionToken")); ok {
			if s == "" {
				d.errorf(n, o.sub("sessionToken"), "must not be empty: omit sessionToken for long-term keys")
			}
			cr.SessionToken = s
		}
		if s, n, ok := d.str(o.val("userId"), o.sub("userId")); ok {
			if s == "" {
				d.errorf(n, o.sub("userId"), "must not be empty: omit userId to use the access key id")
			}
			cr.UserID = s
		}
		c.Credentials = append(c.Credentials, cr)
	}
}

// crossCheck validates references between sections: usage plan stages and keys.
func (d *decoder) crossCheck(c *Config, keyNodes map[string]*yaml.Node, plans []planNodes) {
	if d.exhausted {
		return
	}
	var keyNames []string
	keyListed := map[string]bool{}
	for _, k := range c.APIKeys {
		if k.Name != "" && !keyListed[k.Name] {
			keyListed[k.Name] = true
			keyNames = append(keyNames, k.Name)
		}
	}
	for _, pn := range plans {
		plan := &c.UsagePlans[pn.index]
		p := index("usagePlans", pn.item)
		stageSeen := map[string]*yaml.Node{}
		for j := range plan.APIStages {
			ps := &plan.APIStages[j]
			n := pn.stageNodes[j]
			if n == nil {
				continue
			}
			sp := index(p+".apiStages", pn.stageItems[j]) + ".stage"
			if prev, dup := stageSeen[ps.Stage]; dup {
				d.errorf(n, sp, "stage %s is already in this usage plan (line %d); list each stage once", quote(ps.Stage), prev.Line)
			}
			stageSeen[ps.Stage] = n
			if len(c.StageNames) == 0 {
				ps.Unchecked = true
				continue
			}
			if _, ok := c.Stages[ps.Stage]; !ok {
				d.errorf(n, sp, "stage %s is not defined under stages%s", quote(ps.Stage), listSuffix(ps.Stage, c.StageNames, "defined stages"))
			}
		}
		keySeen := map[string]*yaml.Node{}
		for j, name := range plan.APIKeys {
			n := pn.keyNodes[j]
			kp := index(p+".apiKeys", pn.keyItems[j])
			if prev, dup := keySeen[name]; dup {
				d.errorf(n, kp, "API key %s is already in this usage plan (line %d); list each key once", quote(name), prev.Line)
				continue
			}
			keySeen[name] = n
			if _, ok := keyNodes[name]; !ok {
				if len(keyNames) == 0 {
					d.errorf(n, kp, "API key %s is not defined: add it under apiKeys with a name and a value", quote(name))
				} else {
					d.errorf(n, kp, "API key %s is not defined under apiKeys%s", quote(name), listSuffix(name, keyNames, "defined keys"))
				}
			}
		}
	}
	// A key may be in several plans, but not in two plans that share a stage. owner[key][stage] is the
	// first plan (index in plans) with the key on the stage.
	owner := map[string]map[string]int{}
	for b, pn := range plans {
		pb := &c.UsagePlans[pn.index]
		var stages []string
		stageSet := map[string]bool{}
		for _, ps := range pb.APIStages {
			if ps.Stage != "" && !stageSet[ps.Stage] {
				stageSet[ps.Stage] = true
				stages = append(stages, ps.Stage)
			}
		}
		if d.visits += len(pb.APIKeys) * (len(stages) + 1); d.visits > maxVisits {
			d.exhausted = true
			return
		}
		done := map[string]bool{}
		for j, name := range pb.APIKeys {
			if done[name] {
				continue
			}
			done[name] = true
			if owner[name] == nil {
				owner[name] = map[string]int{}
			}
			reported := false
			for _, st := range stages {
				a, taken := owner[name][st]
				if !taken {
					owner[name][st] = b
					continue
				}
				if a == b || reported {
					continue
				}
				reported = true
				pa := &c.UsagePlans[plans[a].index]
				line := 0
				if plans[a].nameNode != nil {
					line = plans[a].nameNode.Line
				}
				d.errorf(pn.keyNodes[j], index(index("usagePlans", pn.item)+".apiKeys", pn.keyItems[j]),
					"API Key already associated with a usage plan that has the same stage: %s is also in usage plan %s (line %d), which shares stage %s; AWS allows a key in only one plan per stage", quote(name), quote(pa.Name), line, quote(st))
			}
		}
	}
}

// listSuffix suggests a close name, else lists the names (at most 10).
func listSuffix(s string, names []string, what string) string {
	if sug := suggest(s, names); sug != "" {
		return fmt.Sprintf(" (did you mean %q?)", sug)
	}
	shown := names
	more := ""
	if len(shown) > 10 {
		shown, more = shown[:10], ", ..."
	}
	return fmt.Sprintf(" (%s: %s%s)", what, strings.Join(shown, ", "), more)
}

// admin decodes who else may use the admin endpoints: client addresses or ranges, and host names.
func (d *decoder) admin(v *yaml.Node, c *Config) {
	ao := d.object(v, "admin", adminKeys)
	if ao == nil {
		return
	}
	if lv := ao.val("allowedClients"); lv != nil {
		_, items, _ := d.strList(lv, "admin.allowedClients", "a list of client addresses or CIDR ranges", `["192.168.1.0/24", "10.0.0.7"]`)
		for _, it := range items {
			p, err := netip.ParsePrefix(it.s)
			if err != nil {
				a, aerr := netip.ParseAddr(it.s)
				if aerr != nil {
					d.errorf(it.node, index("admin.allowedClients", it.i), "%s is neither an IP address nor a CIDR range: write e.g. \"10.0.0.7\", \"192.168.1.0/24\" or \"fd00::/8\"", quote(it.s))
					continue
				}
				p = netip.PrefixFrom(a, a.BitLen())
			}
			c.Admin.AllowedClients = append(c.Admin.AllowedClients, p.Masked())
		}
	}
	if lv := ao.val("allowedHosts"); lv != nil {
		_, items, _ := d.strList(lv, "admin.allowedHosts", "a list of host names", `["dev.example.test"]`)
		for _, it := range items {
			if !hostNamePattern().MatchString(it.s) {
				d.errorf(it.node, index("admin.allowedHosts", it.i), "%s is not a host name: write the name alone, without scheme, port or path (e.g. \"dev.example.test\")", quote(it.s))
				continue
			}
			c.Admin.AllowedHosts = append(c.Admin.AllowedHosts, strings.ToLower(strings.TrimSuffix(it.s, ".")))
		}
	}
}

// hostNamePattern matches a DNS name or an IP address literal, as a Host header carries one without its port.
var hostNamePattern = lazyRegexp(`^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*\.?)$`)

// listObject is one mapping of a list of mappings (objects).
type listObject struct {
	i int // index in the list
	o *object
}

// objects decodes a list of mappings at path (usage plans, API keys, credentials): a null item is
// reported, naming the keys a mapping there has; items that are not mappings are reported by object.
func (d *decoder) objects(v *yaml.Node, path, expected, keysDesc string, allowed []string) []listObject {
	_, items, _ := d.seq(v, path, expected, "")
	var out []listObject
	for i, it := range items {
		p := index(path, i)
		if isNull(d.derefQuiet(it)) {
			d.errorf(d.derefQuiet(it), p, "expected a mapping with %s, got null", keysDesc)
			continue
		}
		if o := d.object(it, p, allowed); o != nil {
			out = append(out, listObject{i: i, o: o})
		}
	}
	return out
}
