package config

import (
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/apigw-local/apigw-local/internal/findings"
	"go.yaml.in/yaml/v3"
)

var update = flag.Bool("update", false, "rewrite the testdata/invalid/*.golden files from the current output")

func ptr[T any](v T) *T { return &v }

// TestLoadFull loads the documented example and checks every typed value, default and resolved path.
func TestLoadFull(t *testing.T) {
	c, err := Load(filepath.Join("testdata", "valid", "full.yaml"), 0)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	dir, err := filepath.Abs(filepath.Join("testdata", "valid"))
	if err != nil {
		t.Fatal(err)
	}
	want := &Config{
		File:      filepath.Join("testdata", "valid", "full.yaml"),
		Dir:       dir,
		Specs:     []string{filepath.Join(dir, "openapi.yaml")},
		SpecsRaw:  []string{"openapi.yaml"},
		APIID:     "petstore",
		Region:    "us-east-1",
		AccountID: "123456789012",
		Stages: map[string]*Stage{
			"prod": {
				Name:       "prod",
				Variables:  map[string]string{"backendUrl": "http://127.0.0.1:8081"},
				Throttling: &Throttle{RateLimit: 100, BurstLimit: 50},
				MethodSettings: map[string]MethodSetting{
					"/pets/GET": {Throttling: &Throttle{RateLimit: 5, BurstLimit: 5}},
				},
				RouteSettings:       map[string]RouteSetting{"GET /pets": {Throttling: &Throttle{RateLimit: 2, BurstLimit: 1}}},
				CacheClusterEnabled: false,
				CacheTTLInSeconds:   300,
				CacheClusterSize:    0.5,
				AccessLogFormat:     "$context.requestId $context.httpMethod $context.path $context.status",
			},
		},
		StageNames: []string{"prod"},
		Functions: map[string]*Function{
			"GetPets": {
				Name:        "GetPets",
				Command:     []string{"./bin/get-pets"},
				Workdir:     dir,
				WorkdirRaw:  ".",
				Env:         map[string]string{"TABLE_NAME": "pets"},
				Timeout:     Duration{3 * time.Second},
				MemorySize:  128,
				Concurrency: 4,
				Build:       []string{"go", "build", "-o", "bin/get-pets", "./lambdas/getpets"},
				Watch:       []string{"lambdas/getpets/**/*.go"},
			},
			"MyAuthorizer": {
				Name:        "MyAuthorizer",
				Workdir:     dir,
				WorkdirRaw:  ".",
				Env:         map[string]string{},
				Timeout:     Duration{DefaultFunctionTimeout},
				MemorySize:  DefaultMemorySize,
				Concurrency: DefaultConcurrency,
				External:    &External{Port: 9001},
			},
		},
		FunctionNames: []string{"GetPets", "MyAuthorizer"},
		APIKeys:       []APIKey{{Name: "alice", Value: "alice-0123456789abcdefghij", Enabled: true}},
		UsagePlans: []UsagePlan{{
			Name: "basic",
			APIStages: []UsagePlanStage{{
				Stage:    "prod",
				Throttle: map[string]Throttle{"/pets/GET": {RateLimit: 1, BurstLimit: 1}},
			}},
			Throttle: &Throttle{RateLimit: 10, BurstLimit: 20},
			Quota:    &Quota{Limit: 1000, Period: PeriodDay, Offset: 0},
			APIKeys:  []string{"alice"},
		}},
		Account:               Account{Throttle: Throttle{RateLimit: 10000, BurstLimit: 5000}},
		IntegrationTimeoutMax: Duration{29 * time.Second},
		CognitoUserPools: map[string]CognitoUserPool{
			"arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc": {JWKS: filepath.Join(dir, "jwks.json"), JWKSRaw: "./jwks.json"},
		},
		CognitoUserPoolARNs: []string{"arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc"},
		JWTIssuers: map[string]JWTIssuer{
			"https://issuer.example.com": {JWKS: filepath.Join(dir, "issuer-jwks.json"), JWKSRaw: "./issuer-jwks.json"},
			"https://dev.example.com/":   {JWKS: "dev", JWKSRaw: "dev"},
		},
		JWTIssuerURLs: []string{"https://issuer.example.com", "https://dev.example.com/"},
		Credentials: []Credential{
			{AccessKeyID: "AKIAIOSFODNN7EXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", UserARN: "arn:aws:iam::123456789012:user/alice"},
			{AccessKeyID: "ASIAIOSFODNN7EXAMPLE", SecretAccessKey: "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY", SessionToken: "FQoGZXIvYXdzEXAMPLE",
				UserARN: "arn:aws:sts::123456789012:assumed-role/Admin/bob", UserID: "AROAEXAMPLEID:bob"},
		},
	}
	positions, warnings := c.positions, c.Warnings
	c.positions, c.Warnings = nil, nil
	if !reflect.DeepEqual(c, want) {
		t.Errorf("Load(full.yaml, 0) =\n%s\nwant\n%s", dump(c), dump(want))
	}
	c.positions = positions
	// Everything in full.yaml is acted on: no warnings (build and watch were accepted with one before).
	if len(warnings) != 0 {
		t.Errorf("Warnings:\n%s", warnings.Error())
	}

	for path, want := range map[string]Position{
		"stages.prod.throttling.rateLimit":                   {Line: 9, Column: 18},
		`stages.prod.methodSettings["/pets/GET"].throttling`: {Line: 11, Column: 21},
		`stages.prod.routeSettings["GET /pets"]`:             {Line: 13, Column: 7},
		"functions.MyAuthorizer.external.port":               {Line: 29, Column: 16},
		"usagePlans[0].apiStages[0].stage":                   {Line: 37, Column: 9},
		"usagePlans[0].apiKeys[0]":                           {Line: 41, Column: 15},
		"credentials[1].sessionToken":                        {Line: 58, Column: 5},
		`jwtIssuers["https://dev.example.com/"].jwks`:        {Line: 52, Column: 32},
	} {
		if got, ok := c.Position(path); !ok || got != want {
			t.Errorf("Position(%q) = %v, %v; want %v", path, got, ok, want)
		}
	}
	if _, ok := c.Position("stages.beta"); ok {
		t.Errorf("Position(stages.beta) found a position for a path not in the file")
	}
	f := c.Findingf("usagePlans[0].apiStages[0].stage", "stage %q is not in the spec", "prod")
	if got, want := f.Error(), filepath.Join("testdata", "valid", "full.yaml")+`:37:9: error: usagePlans[0].apiStages[0].stage: stage "prod" is not in the spec`; got != want {
		t.Errorf("Findingf = %q, want %q", got, want)
	}
}

func dump(v any) string {
	out, err := yaml.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%+v", v)
	}
	return string(out)
}

// TestDefaults checks what omitted values become.
func TestDefaults(t *testing.T) {
	d := Default()
	if d.Region != "us-east-1" || d.AccountID != "123456789012" ||
		d.Account.Throttle != (Throttle{RateLimit: 10000, BurstLimit: 5000}) ||
		d.IntegrationTimeoutMax.Duration != 29*time.Second ||
		d.Stages == nil || d.Functions == nil || d.CognitoUserPools == nil || d.JWTIssuers == nil ||
		d.APIID != "" || len(d.Specs) != 0 || len(d.StageNames) != 0 {
		t.Errorf("Default() = %+v", d)
	}

	for _, empty := range []string{"", "\n", "# only a comment\n", "---\n", "~\n", "{}\n"} {
		c, err := Parse("dir/apigw-local.yaml", []byte(empty))
		if err != nil {
			t.Errorf("Parse(%q): %v", empty, err)
			continue
		}
		abs, _ := filepath.Abs("dir")
		if c.File != "dir/apigw-local.yaml" || c.Dir != abs {
			t.Errorf("Parse(%q): File %q, Dir %q; want dir/apigw-local.yaml, %q", empty, c.File, c.Dir, abs)
		}
		c.File, c.Dir, c.positions = "", "", nil
		if !reflect.DeepEqual(c, Default()) {
			t.Errorf("Parse(%q) = %+v, want Default()", empty, c)
		}
	}

	c, err := Parse("apigw-local.yaml", []byte(`
stages:
  prod:
  dev: {variables: {a: b}}
functions:
  F: {command: [./f], workdir: lambdas/f}
  G: {external: {port: 9001}, timeout: 10}
apiKeys:
  - {name: k, value: "0123456789abcdefghij"}
  - {name: off, value: "0123456789abcdefghik", enabled: false}
usagePlans:
  - name: p
    apiStages: [{stage: prod}]
account: {}
integrationTimeoutMax: 60000ms
`))
	if err != nil {
		t.Fatal(err)
	}
	if got := c.StageNames; !reflect.DeepEqual(got, []string{"prod", "dev"}) {
		t.Errorf("StageNames = %v, want file order [prod dev]", got)
	}
	if got, want := c.Stages["prod"], DefaultStage("prod"); !reflect.DeepEqual(got, want) {
		t.Errorf("null stage = %+v, want %+v", got, want)
	}
	if got := c.Stages["dev"].CacheTTLInSeconds; got != 300 {
		t.Errorf("dev CacheTTLInSeconds = %d, want 300", got)
	}
	f := c.Functions["F"]
	if f.Timeout.Duration != 3*time.Second || f.MemorySize != 128 || f.Concurrency != 10 || f.External != nil || f.Build != nil || f.Watch != nil {
		t.Errorf("function defaults = %+v", f)
	}
	if want := filepath.Join(c.Dir, "lambdas", "f"); f.Workdir != want || f.WorkdirRaw != "lambdas/f" {
		t.Errorf("Workdir = %q (%q), want %q", f.Workdir, f.WorkdirRaw, want)
	}
	if g := c.Functions["G"]; g.Timeout.Duration != 10*time.Second || g.External == nil || g.External.Port != 9001 || g.Command != nil {
		t.Errorf("external function = %+v", g)
	}
	if !c.APIKeys[0].Enabled || c.APIKeys[1].Enabled {
		t.Errorf("APIKeys enabled = %v, %v; want true (default), false", c.APIKeys[0].Enabled, c.APIKeys[1].Enabled)
	}
	if p := c.UsagePlans[0]; p.Throttle != nil || p.Quota != nil || p.APIStages[0].Unchecked {
		t.Errorf("usage plan = %+v", p)
	}
	if c.Account.Throttle != (Throttle{10000, 5000}) {
		t.Errorf("account throttle = %+v", c.Account.Throttle)
	}
	if c.IntegrationTimeoutMax.Duration != time.Minute {
		t.Errorf("integrationTimeoutMax = %v", c.IntegrationTimeoutMax)
	}
}

// TestUncheckedStages: without stages, usage plan stages cannot be checked here and are marked.
func TestUncheckedStages(t *testing.T) {
	c, err := Parse("apigw-local.yaml", []byte("usagePlans:\n  - name: p\n    apiStages: [{stage: whatever}]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if s := c.UsagePlans[0].APIStages[0]; s.Stage != "whatever" || !s.Unchecked {
		t.Errorf("stage = %+v, want Unchecked", s)
	}
}

// TestValues checks less common spellings that are accepted.
func TestValues(t *testing.T) {
	c, err := Parse("/abs/apigw-local.yaml", []byte(`
x-defaults: &fn {memorySize: 256, timeout: 1m}
specs: [/specs/api.yaml, ../other/api.json]
accountId: 012345678901
region: us-gov-west-1
stages:
  v1_beta-2:
    throttling: {rateLimit: 0.5, burstLimit: 0}
    methodSettings:
      "*/*": {cachingEnabled: true}
      "//GET": {cacheTtlInSeconds: 0}
      "/pets/{id}/DELETE": {}
      "/pets/*": {}
      "/{proxy+}/ANY": {}
functions:
  F:
    <<: *fn
    command: [./f]
    timeout: 500s
cognitoUserPools:
  "arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_AbC123": {jwks: "https://example.com/jwks.json"}
`))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(c.Specs, []string{"/specs/api.yaml", "/other/api.json"}) || c.Dir != "/abs" {
		t.Errorf("Specs = %v (Dir %q)", c.Specs, c.Dir)
	}
	if c.AccountID != "012345678901" || c.Region != "us-gov-west-1" {
		t.Errorf("AccountID %q, Region %q", c.AccountID, c.Region)
	}
	st := c.Stages["v1_beta-2"]
	if *st.Throttling != (Throttle{0.5, 0}) || len(st.MethodSettings) != 5 ||
		*st.MethodSettings["*/*"].CachingEnabled != true || *st.MethodSettings["//GET"].CacheTTLInSeconds != 0 {
		t.Errorf("stage = %+v", st)
	}
	if f := c.Functions["F"]; f.MemorySize != 256 || f.Timeout.Duration != 500*time.Second {
		t.Errorf("merged function = %+v", f)
	}
	if up := c.CognitoUserPools["arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_AbC123"]; up.JWKS != "https://example.com/jwks.json" {
		t.Errorf("URL jwks = %q, want kept as written", up.JWKS)
	}
}

// TestCredentials checks the principal ARNs accepted and the warning for an unusual access key id.
func TestCredentials(t *testing.T) {
	for _, arn := range []string{
		"arn:aws:iam::123456789012:user/alice",
		"arn:aws:iam::123456789012:user/division/team/bob.smith@example.com",
		"arn:aws:iam::123456789012:root",
		"arn:aws:sts::123456789012:assumed-role/Admin/session-1",
		"arn:aws:sts::123456789012:federated-user/carol",
		"arn:aws-cn:iam::123456789012:user/dave",
		"arn:aws-us-gov:sts::123456789012:assumed-role/R/s2",
	} {
		in := "credentials:\n  - {accessKeyId: AKIAIOSFODNN7EXAMPLE, secretAccessKey: s, userArn: \"" + arn + "\"}\n"
		c, err := Parse("apigw-local.yaml", []byte(in))
		if err != nil {
			t.Errorf("%s: %v", arn, err)
			continue
		}
		if len(c.Credentials) != 1 || c.Credentials[0].UserARN != arn {
			t.Errorf("%s: Credentials = %+v", arn, c.Credentials)
		}
	}
	for _, arn := range []string{
		"arn:aws:iam::123456789012:role/Admin",
		"arn:aws:sts::123456789012:assumed-role/Admin",
		"arn:aws:iam::123456789012:user/",
		"arn:aws:iam:us-east-1:123456789012:user/a",
		"arn:aws:s3:::bucket",
	} {
		in := "credentials:\n  - {accessKeyId: AKIAIOSFODNN7EXAMPLE, secretAccessKey: s, userArn: \"" + arn + "\"}\n"
		if _, err := Parse("apigw-local.yaml", []byte(in)); err == nil || !strings.Contains(err.Error(), "is not an IAM or STS principal ARN") {
			t.Errorf("%s accepted (%v)", arn, err)
		}
	}
	c, err := Parse("apigw-local.yaml", []byte("credentials:\n  - {accessKeyId: local-key, secretAccessKey: s, userArn: \"arn:aws:iam::123456789012:user/a\"}\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := `apigw-local.yaml:2:19: warning: credentials[0].accessKeyId: "local-key" does not look like an AWS access key id (16 to 128 letters, digits and underscores, e.g. AKIAIOSFODNN7EXAMPLE); it is accepted as written`
	if got := c.Warnings.Error(); got != want {
		t.Errorf("Warnings:\n%s\nwant\n%s", got, want)
	}
}

// TestFindings checks the exact text, location and path of the finding each rule produces.
func TestFindings(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"typo-nested", "region: us-east-1\nstages:\n  prod:\n   variables: {a: b}\n   throttling: {rateLimt: 1, burstLimit: 1}\n",
			`apigw-local.yaml:5:17: error: stages.prod.throttling: unknown key "rateLimt" (did you mean "rateLimit"?)`},
		{"typo-top", "stage:\n  prod: {}\n",
			`apigw-local.yaml:1:1: error: unknown key "stage" (did you mean "stages"?)`},
		{"unknown-no-suggestion", "stages:\n  prod:\n    tracing: true\n",
			`apigw-local.yaml:3:5: error: stages.prod: unknown key "tracing" (allowed keys: variables, throttling, methodSettings, routeSettings, cacheClusterEnabled, cacheTtlInSeconds, cacheClusterSize, accessLogFormat, accessLogDestination, autoDeploy)`},
		{"wrong-type-burst", "stages:\n  prod:\n    throttling: {rateLimit: 1, burstLimit: ten}\n",
			`apigw-local.yaml:3:44: error: stages.prod.throttling.burstLimit: expected an integer, got string "ten"`},
		{"wrong-type-quoted-int", "account:\n  throttle: {rateLimit: 1, burstLimit: \"10\"}\n",
			`apigw-local.yaml:2:40: error: account.throttle.burstLimit: expected an integer, got string "10" (remove the quotes)`},
		{"wrong-type-mapping", "stages: [prod]\n",
			`apigw-local.yaml:1:9: error: stages: expected a mapping, got a list`},
		{"wrong-type-bool", "stages:\n  prod: {cacheClusterEnabled: yes}\n",
			`apigw-local.yaml:2:31: error: stages.prod.cacheClusterEnabled: expected a boolean (true or false), got string "yes"`},
		{"wrong-type-string", "region: [us-east-1]\n",
			`apigw-local.yaml:1:9: error: region: expected a string, got a list`},
		{"top-level-list", "- specs\n",
			`apigw-local.yaml:1:1: error: expected a mapping of settings (specs, stages, functions, ...) at the top level, got a list`},
		{"not-yaml", "stages:\n  prod: [\n",
			`apigw-local.yaml:2:9: error: invalid YAML: did not find expected node content; the [ that starts here is not closed, or its items are not separated by commas: separate them and close it with ]`},
		{"not-yaml-line1", "\t specs: []\n",
			`apigw-local.yaml:1:1: error: invalid YAML: found character that cannot start any token; YAML does not allow tabs in indentation: indent with spaces`},
		{"duplicate-key", "region: us-east-1\nregion: eu-west-1\n",
			`apigw-local.yaml:2:1: error: duplicate key "region" (first at line 1): keep one of them; only one value can be used`},
		{"second-document", "region: us-east-1\n---\nregion: eu-west-1\n",
			`apigw-local.yaml:2:1: error: a second YAML document starts here; the configuration is one document: remove the "---" separator and merge or delete what follows`},
		{"stage-name", "stages:\n  \"prod stage\": {}\n",
			`apigw-local.yaml:2:3: error: stages: invalid stage name "prod stage": API Gateway stage names may contain only alphanumerics, hyphens and underscores, up to 128 characters`},
		{"stage-name-long", "stages:\n  aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa: {}\n",
			`apigw-local.yaml:2:3: error: stages: invalid stage name "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"...: API Gateway stage names may contain only alphanumerics, hyphens and underscores, up to 128 characters`},
		{"apis-no-spec", "apis:\n  orders: {apiId: orders1}\n",
			`apigw-local.yaml:2:11: error: apis.orders: missing required key "spec" (the path of its OpenAPI file, relative to this file)`},
		{"apis-type", "apis:\n  orders: {spec: o.yaml, apiType: GRAPHQL}\n",
			`apigw-local.yaml:2:35: error: apis.orders.apiType: "GRAPHQL" is not a kind of API: use REST (API Gateway v1) or HTTP (API Gateway v2)`},
		{"apis-id-twice", "apis:\n  a: {spec: a.yaml, apiId: same}\n  b: {spec: b.yaml, apiId: same}\n",
			`apigw-local.yaml:3:28: error: apis.b.apiId: apiId "same" is also the apiId of API "a": each API needs its own`},
		{"apis-unknown-key", "apis:\n  a: {spec: a.yaml, stage: prod}\n",
			`apigw-local.yaml:2:21: error: apis.a: unknown key "stage" (allowed keys: spec, apiId, apiType)`},
		{"auto-deploy-type", "stages:\n  $default: {autoDeploy: sometimes}\n",
			`apigw-local.yaml:2:26: error: stages.$default.autoDeploy: expected a boolean (true or false), got string "sometimes"`},
		{"cache-size", "stages:\n  prod: {cacheClusterSize: 2}\n",
			`apigw-local.yaml:2:28: error: stages.prod.cacheClusterSize: 2 is not a cache size of API Gateway: use 0.5, 1.6, 6.1, 13.5, 28.4, 58.2, 118 or 237 (GB)`},
		{"cache-strategy", "stages:\n  prod:\n    methodSettings: {\"*/*\": {unauthorizedCacheControlHeaderStrategy: IGNORE}}\n",
			`apigw-local.yaml:3:70: error: stages.prod.methodSettings["*/*"].unauthorizedCacheControlHeaderStrategy: "IGNORE": use FAIL_WITH_403, SUCCEED_WITH_RESPONSE_HEADER or SUCCEED_WITHOUT_RESPONSE_HEADER`},
		{"log-destination-alone", "stages:\n  prod: {accessLogDestination: access.log}\n",
			`apigw-local.yaml:2:32: error: stages.prod.accessLogDestination: an access log destination needs accessLogFormat (the line's format, with $context variables)`},
		{"route-key", "stages:\n  prod:\n    routeSettings: {\"/pets/GET\": {throttlingRateLimit: 1, throttlingBurstLimit: 1}}\n",
			`apigw-local.yaml:3:21: error: stages.prod.routeSettings: invalid route key "/pets/GET": route keys are "$default" or "{METHOD} {path}", e.g. "GET /pets", "ANY /{proxy+}"`},
		{"route-key-method", "stages:\n  prod:\n    routeSettings: {\"FETCH /pets\": {throttlingRateLimit: 1, throttlingBurstLimit: 1}}\n",
			`apigw-local.yaml:3:21: error: stages.prod.routeSettings: invalid route key "FETCH /pets": unknown method "FETCH" (route keys are "$default" or "{METHOD} {path}", e.g. "GET /pets", "ANY /{proxy+}")`},
		{"route-setting-half", "stages:\n  prod:\n    routeSettings: {$default: {throttlingRateLimit: 1}}\n",
			`apigw-local.yaml:3:31: error: stages.prod.routeSettings.$default: missing required key "throttlingBurstLimit" (throttlingRateLimit is requests per second, throttlingBurstLimit the bucket size in requests; set both)`},
		{"route-setting-negative", "stages:\n  prod:\n    routeSettings: {$default: {throttlingRateLimit: -1, throttlingBurstLimit: 1}}\n",
			`apigw-local.yaml:3:53: error: stages.prod.routeSettings.$default.throttlingRateLimit: must be >= 0 requests per second, got -1`},
		{"variable-name", "stages:\n  prod:\n    variables: {back-end: x}\n",
			`apigw-local.yaml:3:17: error: stages.prod.variables: invalid stage variable name "back-end": names may contain only alphanumeric characters and underscores, up to 64 characters`},
		{"variable-value-char", "stages:\n  prod:\n    variables: {url: \"http://x/a b\"}\n",
			`apigw-local.yaml:3:22: error: stages.prod.variables.url: value contains " ", which AWS does not allow: AWS requires stage variable values to match [A-Za-z0-9-._~:/?#&=,]+ (alphanumerics and - . _ ~ : / ? # & = ,), at most 512 characters`},
		{"variable-value-empty", "stages:\n  prod:\n    variables: {url: \"\"}\n",
			`apigw-local.yaml:3:22: error: stages.prod.variables.url: value must not be empty: AWS requires stage variable values to match [A-Za-z0-9-._~:/?#&=,]+ (alphanumerics and - . _ ~ : / ? # & = ,), at most 512 characters`},
		{"variable-value-null", "stages:\n  prod:\n    variables:\n      url:\n",
			`apigw-local.yaml:4:7: error: stages.prod.variables.url: expected a string, got null (write "" for an empty value)`},
		{"rate-negative", "stages:\n  prod:\n    throttling: {rateLimit: -1, burstLimit: 1}\n",
			`apigw-local.yaml:3:29: error: stages.prod.throttling.rateLimit: must be >= 0 requests per second, got -1`},
		{"burst-negative", "stages:\n  prod:\n    throttling: {rateLimit: 1, burstLimit: -5}\n",
			`apigw-local.yaml:3:44: error: stages.prod.throttling.burstLimit: must be >= 0 requests, got -5`},
		{"rate-inf", "stages:\n  prod:\n    throttling: {rateLimit: .inf, burstLimit: 1}\n",
			`apigw-local.yaml:3:29: error: stages.prod.throttling.rateLimit: expected a finite number, got .inf`},
		{"throttle-missing", "stages:\n  prod:\n    throttling: {rateLimit: 1}\n",
			`apigw-local.yaml:3:17: error: stages.prod.throttling: missing required key "burstLimit" (rateLimit is requests per second, burstLimit the bucket size in requests; set both)`},
		{"method-key-star-path", "stages:\n  prod:\n    methodSettings:\n      \"/*/*\": {}\n",
			`apigw-local.yaml:4:7: error: stages.prod.methodSettings: invalid key "/*/*": resource paths cannot contain wildcards; write "*/*" for every method, or "/path/*" for every method of one resource`},
		{"method-key-lowercase", "stages:\n  prod:\n    methodSettings:\n      \"/pets/get\": {}\n",
			`apigw-local.yaml:4:7: error: stages.prod.methodSettings: invalid key "/pets/get": unknown HTTP method "get" (did you mean "GET"?)`},
		{"method-key-no-slash", "stages:\n  prod:\n    methodSettings:\n      \"pets/GET\": {}\n",
			`apigw-local.yaml:4:7: error: stages.prod.methodSettings: invalid key "pets/GET": keys are "*/*" (every method) or "/{resource path}/{HTTP method}", e.g. "/pets/GET", "/pets/{id}/DELETE" or "//GET" for the root resource`},
		{"method-key-root", "stages:\n  prod:\n    methodSettings:\n      \"/GET\": {}\n",
			`apigw-local.yaml:4:7: error: stages.prod.methodSettings: invalid key "/GET": the root resource's key is "//GET"`},
		{"method-key-bad-method", "stages:\n  prod:\n    methodSettings:\n      \"/pets/FETCH\": {}\n",
			`apigw-local.yaml:4:7: error: stages.prod.methodSettings: invalid key "/pets/FETCH": unknown HTTP method "FETCH" (did you mean "PATCH"?)`},
		{"method-key-empty-segment", "stages:\n  prod:\n    methodSettings:\n      \"/pets//GET\": {}\n",
			`apigw-local.yaml:4:7: error: stages.prod.methodSettings: invalid key "/pets//GET": the resource path has an empty segment; keys are "*/*" (every method) or "/{resource path}/{HTTP method}", e.g. "/pets/GET", "/pets/{id}/DELETE" or "//GET" for the root resource`},
		{"method-key-bad-segment", "stages:\n  prod:\n    methodSettings:\n      \"/pets/{id/GET\": {}\n",
			`apigw-local.yaml:4:7: error: stages.prod.methodSettings: invalid key "/pets/{id/GET": invalid resource path segment "{id" (use letters, digits, - . _ ~ and {param} or {proxy+}); keys are "*/*" (every method) or "/{resource path}/{HTTP method}", e.g. "/pets/GET", "/pets/{id}/DELETE" or "//GET" for the root resource`},
		{"method-star-conflict", "stages:\n  prod:\n    throttling: {rateLimit: 1, burstLimit: 1}\n    methodSettings:\n      \"*/*\": {throttling: {rateLimit: 2, burstLimit: 2}}\n",
			`apigw-local.yaml:5:15: error: stages.prod.methodSettings["*/*"].throttling: conflicts with stages.prod.throttling: both set the stage's default throttle (AWS's "*/*" method setting); keep one`},
		{"cache-ttl", "stages:\n  prod: {cacheTtlInSeconds: 3601}\n",
			`apigw-local.yaml:2:29: error: stages.prod.cacheTtlInSeconds: 3601 is out of range: API Gateway cache TTLs are 0 to 3600 seconds`},
		{"method-cache-ttl", "stages:\n  prod:\n    methodSettings:\n      \"/pets/GET\": {cacheTtlInSeconds: -1}\n",
			`apigw-local.yaml:4:40: error: stages.prod.methodSettings["/pets/GET"].cacheTtlInSeconds: -1 is out of range: API Gateway cache TTLs are 0 to 3600 seconds`},
		{"access-log", "stages:\n  prod: {accessLogFormat: \"$context.path\"}\n",
			`apigw-local.yaml:2:27: error: stages.prod.accessLogFormat: AWS requires an access log format to include $context.requestId or $context.extendedRequestId; add one of them`},
		{"function-neither", "functions:\n  GetPets:\n    timeout: 3s\n",
			`apigw-local.yaml:2:3: error: functions.GetPets: set "command" (the program that runs the function, e.g. ["./bin/getpets"]) or "external" (a Runtime API port for a handler you start yourself, e.g. {port: 9001})`},
		{"function-null", "functions:\n  GetPets:\n",
			`apigw-local.yaml:2:3: error: functions.GetPets: set "command" (the program that runs the function, e.g. ["./bin/getpets"]) or "external" (a Runtime API port for a handler you start yourself, e.g. {port: 9001})`},
		{"function-both", "functions:\n  GetPets:\n    command: [./get-pets]\n    external: {port: 9001}\n",
			`apigw-local.yaml:4:5: error: functions.GetPets: set only one of "command" and "external": command starts the function for you, external serves a Runtime API for a handler you start yourself`},
		{"function-command-string", "functions:\n  GetPets: {command: ./bin/get-pets}\n",
			`apigw-local.yaml:2:22: error: functions.GetPets.command: expected a list of the program and its arguments, got string "./bin/get-pets" (write ["./bin/get-pets"])`},
		{"function-command-empty", "functions:\n  GetPets: {command: []}\n",
			`apigw-local.yaml:2:22: error: functions.GetPets.command: must not be empty: give the program and its arguments, e.g. ["./bin/getpets"]`},
		{"function-name", "functions:\n  get.pets: {command: [x]}\n",
			`apigw-local.yaml:2:3: error: functions: invalid function name "get.pets": Lambda function names may contain only letters, digits, hyphens and underscores, up to 64 characters`},
		{"function-timeout-low", "functions:\n  F: {command: [x], timeout: 500ms}\n",
			`apigw-local.yaml:2:30: error: functions.F.timeout: 500ms is out of range: Lambda function timeouts are 1s to 900s (15 minutes); the default is 3s`},
		{"function-timeout-high", "functions:\n  F: {command: [x], timeout: 901}\n",
			`apigw-local.yaml:2:30: error: functions.F.timeout: 15m1s is out of range: Lambda function timeouts are 1s to 900s (15 minutes); the default is 3s`},
		{"function-timeout-bad", "functions:\n  F: {command: [x], timeout: 3 seconds}\n",
			`apigw-local.yaml:2:30: error: functions.F.timeout: expected a duration such as "3s" or "500ms", or a whole number of seconds, got string "3 seconds"`},
		{"function-timeout-float", "functions:\n  F: {command: [x], timeout: 2.5}\n",
			`apigw-local.yaml:2:30: error: functions.F.timeout: expected a duration such as "3s" or "500ms", or a whole number of seconds, got number 2.5 (write "2.5s" for fractional seconds)`},
		{"function-memory", "functions:\n  F: {command: [x], memorySize: 10241}\n",
			`apigw-local.yaml:2:33: error: functions.F.memorySize: 10241 is out of range: Lambda memory sizes are 128 to 10240 MB; the default is 128`},
		{"function-concurrency", "functions:\n  F: {command: [x], concurrency: 0}\n",
			`apigw-local.yaml:2:34: error: functions.F.concurrency: must be at least 1 (the maximum number of warm processes; requests queue beyond it), got 0`},
		{"function-port-range", "functions:\n  F: {external: {port: 0}}\n",
			`apigw-local.yaml:2:24: error: functions.F.external.port: port 0 is out of range: use 1 to 65535`},
		{"function-port-missing", "functions:\n  F: {external: {}}\n",
			`apigw-local.yaml:2:17: error: functions.F.external: missing required key "port" (the TCP port to serve this function's Runtime API on, e.g. 9001)`},
		{"function-port-duplicate", "functions:\n  F: {external: {port: 9001}}\n  G: {external: {port: 9001}}\n",
			`apigw-local.yaml:3:24: error: functions.G.external.port: port 9001 is also the port of function "F" (line 2); each external function needs its own port`},
		{"function-external-extras", "functions:\n  F:\n    external: {port: 9001}\n    build: [make]\n    watch: [\"*.go\"]\n",
			`apigw-local.yaml:4:5: error: functions.F: "build" has no effect on an external function, whose process you start yourself; remove it, or use "command" instead of "external"` + "\n" +
				`apigw-local.yaml:5:5: error: functions.F: "watch" has no effect on an external function, whose process you start yourself; remove it, or use "command" instead of "external"`},
		{"function-build-empty", "functions:\n  F: {command: [x], build: []}\n",
			`apigw-local.yaml:2:28: error: functions.F.build: must not be empty: give the build program and its arguments, e.g. ["go", "build", "-o", "bin/app", "."], or remove build`},
		{"function-watch-bad", "functions:\n  F: {command: [x], watch: [\"src/[a-/*.go\"]}\n",
			`apigw-local.yaml:2:29: error: functions.F.watch[0]: invalid glob "src/[a-/*.go" (syntax error in pattern): globs use path.Match syntax (*, ?, [a-z], \ escapes) plus "**" for any number of directories, e.g. "lambdas/getpets/**/*.go"`},
		{"function-env-reserved", "functions:\n  F: {command: [x], env: {AWS_LAMBDA_RUNTIME_API: x}}\n",
			`apigw-local.yaml:2:27: error: functions.F.env: AWS_LAMBDA_RUNTIME_API is set by the Lambda runtime and cannot be overridden (Lambda rejects reserved keys too); remove it`},
		{"function-env-name", "functions:\n  F: {command: [x], env: {1X: y}}\n",
			`apigw-local.yaml:2:27: error: functions.F.env: invalid environment variable name "1X": Lambda requires names to match [a-zA-Z]([a-zA-Z0-9_])+ (a letter, then at least one letter, digit or underscore)`},
		{"apikey-short", "apiKeys:\n  - {name: alice, value: tooshort}\n",
			`apigw-local.yaml:2:26: error: apiKeys[0].value: API Key value should be at least 20 characters (got 8)`},
		{"apikey-dup-name", "apiKeys:\n  - {name: alice, value: \"0123456789abcdefghijA\"}\n  - {name: alice, value: \"0123456789abcdefghijB\"}\n",
			`apigw-local.yaml:3:12: error: apiKeys[1].name: duplicate API key name "alice" (also at line 2); names must be unique`},
		{"apikey-dup-value", "apiKeys:\n  - {name: alice, value: \"0123456789abcdefghijA\"}\n  - {name: bob, value: \"0123456789abcdefghijA\"}\n",
			`apigw-local.yaml:3:24: error: apiKeys[1].value: API key "bob" has the same value as API key "alice" (line 2); values must be unique`},
		{"apikey-missing", "apiKeys:\n  - {enabled: false}\n",
			`apigw-local.yaml:2:5: error: apiKeys[0]: missing required key "name" (the name usage plans refer to the key by)` + "\n" +
				`apigw-local.yaml:2:5: error: apiKeys[0]: missing required key "value" (the key clients send in x-api-key, 20 to 128 characters)`},
		{"plan-name-missing", "usagePlans:\n  - apiStages: []\n",
			`apigw-local.yaml:2:5: error: usagePlans[0]: missing required key "name"`},
		{"plan-name-dup", "usagePlans:\n  - name: basic\n  - name: basic\n",
			`apigw-local.yaml:3:11: error: usagePlans[1].name: duplicate usage plan name "basic" (also at line 2); names must be unique`},
		{"plan-stage-undefined", "stages: {prod: {}, dev: {}}\nusagePlans:\n  - name: basic\n    apiStages: [{stage: beta}]\n",
			`apigw-local.yaml:4:25: error: usagePlans[0].apiStages[0].stage: stage "beta" is not defined under stages (defined stages: prod, dev)`},
		{"plan-stage-typo", "stages: {prod: {}}\nusagePlans:\n  - name: basic\n    apiStages: [{stage: prd}]\n",
			`apigw-local.yaml:4:25: error: usagePlans[0].apiStages[0].stage: stage "prd" is not defined under stages (did you mean "prod"?)`},
		{"plan-stage-dup", "usagePlans:\n  - name: basic\n    apiStages: [{stage: prod}, {stage: prod}]\n",
			`apigw-local.yaml:3:40: error: usagePlans[0].apiStages[1].stage: stage "prod" is already in this usage plan (line 3); list each stage once`},
		{"plan-throttle-key-all", "usagePlans:\n  - name: basic\n    apiStages:\n      - stage: prod\n        throttle: {\"*/*\": {rateLimit: 1, burstLimit: 1}}\n",
			`apigw-local.yaml:5:20: error: usagePlans[0].apiStages[0].throttle: "*/*" is not allowed here: set the usage plan's throttle to limit every method`},
		{"plan-throttle-key-bad", "usagePlans:\n  - name: basic\n    apiStages:\n      - stage: prod\n        throttle: {\"/pets\": {rateLimit: 1, burstLimit: 1}}\n",
			`apigw-local.yaml:5:20: error: usagePlans[0].apiStages[0].throttle: invalid key "/pets": the HTTP method after the last "/" must be GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS, ANY or *; keys are "/{resource path}/{HTTP method}", e.g. "/pets/GET", "/pets/{id}/DELETE" or "//GET" for the root resource`},
		{"quota-period", "usagePlans:\n  - name: basic\n    quota: {limit: 10, period: Weekly}\n",
			`apigw-local.yaml:3:32: error: usagePlans[0].quota.period: invalid period "Weekly": use DAY, WEEK or MONTH (did you mean "WEEK"?)`},
		{"quota-period-case", "usagePlans:\n  - name: basic\n    quota: {limit: 10, period: month}\n",
			`apigw-local.yaml:3:32: error: usagePlans[0].quota.period: invalid period "month": use DAY, WEEK or MONTH (did you mean "MONTH"?)`},
		{"quota-limit", "usagePlans:\n  - name: basic\n    quota: {limit: -1, period: DAY}\n",
			`apigw-local.yaml:3:20: error: usagePlans[0].quota.limit: must be >= 0 requests, got -1`},
		{"quota-missing", "usagePlans:\n  - name: basic\n    quota: {offset: 1}\n",
			`apigw-local.yaml:3:12: error: usagePlans[0].quota: missing required key "limit" (the number of requests per period)` + "\n" +
				`apigw-local.yaml:3:12: error: usagePlans[0].quota: missing required key "period" (DAY, WEEK or MONTH)`},
		{"quota-offset-negative", "usagePlans:\n  - name: basic\n    quota: {limit: 10, period: WEEK, offset: -1}\n",
			`apigw-local.yaml:3:46: error: usagePlans[0].quota.offset: must be >= 0, got -1`},
		{"quota-offset-day", "usagePlans:\n  - name: basic\n    quota: {limit: 10, period: DAY, offset: 10}\n",
			`apigw-local.yaml:3:45: error: usagePlans[0].quota.offset: offset 10 must be less than the limit (10) for a DAY quota: it is the number of requests subtracted from the limit in the first period`},
		{"plan-key-undefined", "apiKeys:\n  - {name: alice, value: \"0123456789abcdefghijA\"}\nusagePlans:\n  - name: basic\n    apiKeys: [alcie, bob]\n",
			`apigw-local.yaml:5:15: error: usagePlans[0].apiKeys[0]: API key "alcie" is not defined under apiKeys (did you mean "alice"?)` + "\n" +
				`apigw-local.yaml:5:22: error: usagePlans[0].apiKeys[1]: API key "bob" is not defined under apiKeys (defined keys: alice)`},
		{"plan-key-no-keys", "usagePlans:\n  - name: basic\n    apiKeys: [alice]\n",
			`apigw-local.yaml:3:15: error: usagePlans[0].apiKeys[0]: API key "alice" is not defined: add it under apiKeys with a name and a value`},
		{"plan-key-dup", "apiKeys:\n  - {name: alice, value: \"0123456789abcdefghijA\"}\nusagePlans:\n  - name: basic\n    apiKeys: [alice, alice]\n",
			`apigw-local.yaml:5:22: error: usagePlans[0].apiKeys[1]: API key "alice" is already in this usage plan (line 5); list each key once`},
		{"plan-key-shared-stage", "apiKeys:\n  - {name: alice, value: \"0123456789abcdefghijA\"}\nusagePlans:\n  - name: basic\n    apiStages: [{stage: prod}]\n    apiKeys: [alice]\n  - name: gold\n    apiStages: [{stage: dev}, {stage: prod}]\n    apiKeys: [alice]\n",
			`apigw-local.yaml:9:15: error: usagePlans[1].apiKeys[0]: API Key already associated with a usage plan that has the same stage: "alice" is also in usage plan "basic" (line 4), which shares stage "prod"; AWS allows a key in only one plan per stage`},
		{"account-throttle", "account:\n  throttle: {rateLimit: -2, burstLimit: 1.5}\n",
			`apigw-local.yaml:2:25: error: account.throttle.rateLimit: must be >= 0 requests per second, got -2` + "\n" +
				`apigw-local.yaml:2:41: error: account.throttle.burstLimit: expected an integer, got number 1.5`},
		{"integration-timeout-low", "integrationTimeoutMax: 10ms\n",
			`apigw-local.yaml:1:24: error: integrationTimeoutMax: 10ms is out of range: API Gateway integration timeouts are 50ms to 300s (29s unless AWS raised the quota for a Regional or private API)`},
		{"integration-timeout-high", "integrationTimeoutMax: 301s\n",
			`apigw-local.yaml:1:24: error: integrationTimeoutMax: 5m1s is out of range: API Gateway integration timeouts are 50ms to 300s (29s unless AWS raised the quota for a Regional or private API)`},
		{"admin", "admin:\n  allowedClients: [10.0.0.0/8, 10.0.0.300, fd00::/8]\n  allowedHosts: [\"http://x.test:80\", ok.test]\n",
			`apigw-local.yaml:2:32: error: admin.allowedClients[1]: "10.0.0.300" is neither an IP address nor a CIDR range: write e.g. "10.0.0.7", "192.168.1.0/24" or "fd00::/8"` + "\n" +
				`apigw-local.yaml:3:18: error: admin.allowedHosts[0]: "http://x.test:80" is not a host name: write the name alone, without scheme, port or path (e.g. "dev.example.test")`},
		{"region", "region: us-east\n",
			`apigw-local.yaml:1:9: error: region: "us-east" is not an AWS region: a region is two letters, an optional "-gov", a direction and a number, e.g. "us-east-1" or "eu-central-1"`},
		{"account-id", "accountId: 12345\n",
			`apigw-local.yaml:1:12: error: accountId: "12345" is not an AWS account ID: an account ID is exactly 12 digits; quote it ("012345678901") so that YAML keeps leading zeros`},
		{"api-id", "apiId: Pet_Store\n",
			`apigw-local.yaml:1:8: error: apiId: "Pet_Store" is not a valid API ID: use 1 to 64 lowercase letters, digits and hyphens (API Gateway's own IDs look like "a1b2c3d4e5"), or omit apiId to derive it from the spec's title`},
		{"specs-string", "specs: openapi.yaml\n",
			`apigw-local.yaml:1:8: error: specs: expected a list of OpenAPI file paths, got string "openapi.yaml" (write [openapi.yaml])`},
		{"specs-empty-item", "specs: [\"\", openapi.yaml]\n",
			`apigw-local.yaml:1:9: error: specs[0]: must not be empty: give the path of an OpenAPI file, relative to this file`},
		{"cognito-arn", "cognitoUserPools:\n  \"arn:aws:cognito-idp:us-east-1:123:userpool/abc\": {jwks: ./jwks.json}\n",
			`apigw-local.yaml:2:3: error: cognitoUserPools: invalid user pool ARN "arn:aws:cognito-idp:us-east-1:123:userpool/abc": expected arn:aws:cognito-idp:REGION:ACCOUNT:userpool/POOL_ID, e.g. "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc"`},
		{"cognito-jwks", "cognitoUserPools:\n  \"arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc\": {}\n",
			`apigw-local.yaml:2:3: error: cognitoUserPools["arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc"]: missing required key "jwks" (the pool's JSON Web Key Set: a file path relative to this file, e.g. ./jwks.json, or dev for the tokens apigw-local token signs)`},
		{"jwt-issuer-url", "jwtIssuers:\n  \"issuer.example.com\": {jwks: ./jwks.json}\n  \"https://x.test/?a=b\": {jwks: ./jwks.json}\n",
			`apigw-local.yaml:2:3: error: jwtIssuers: invalid issuer "issuer.example.com": expected the issuer URL exactly as tokens carry it in iss, e.g. "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_abc" or "https://example.auth0.com/"` + "\n" +
				`apigw-local.yaml:3:3: error: jwtIssuers: invalid issuer "https://x.test/?a=b": expected the issuer URL exactly as tokens carry it in iss, e.g. "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_abc" or "https://example.auth0.com/"`},
		{"jwt-issuer-jwks-missing", "jwtIssuers:\n  \"https://issuer.example.com\": {}\n",
			`apigw-local.yaml:2:3: error: jwtIssuers["https://issuer.example.com"]: missing required key "jwks" (the issuer's JSON Web Key Set: a file path relative to this file, e.g. ./jwks.json, or dev for the tokens apigw-local token --issuer signs)`},
		{"jwt-issuer-jwks-url", "jwtIssuers:\n  \"https://issuer.example.com\":\n    jwks: https://issuer.example.com/.well-known/jwks.json\n",
			`apigw-local.yaml:3:11: error: jwtIssuers["https://issuer.example.com"].jwks: https://issuer.example.com/.well-known/jwks.json is a URL, which apigw-local does not fetch: save the key set to a file (curl -o jwks.json https://issuer.example.com/.well-known/jwks.json) and give its path, e.g. {jwks: ./jwks.json}`},
		{"jwt-issuer-jwks-empty", "jwtIssuers:\n  \"https://issuer.example.com\": {jwks: \"\"}\n",
			`apigw-local.yaml:2:40: error: jwtIssuers["https://issuer.example.com"].jwks: must not be empty: give the path of the issuer's JSON Web Key Set, or dev`},
		{"jwt-issuer-jwks-type", "jwtIssuers:\n  \"https://issuer.example.com\": {jwks: [a]}\n",
			`apigw-local.yaml:2:40: error: jwtIssuers["https://issuer.example.com"].jwks: expected a string, got a list`},
		{"jwt-issuer-key", "jwtIssuers:\n  \"https://issuer.example.com\": {jwk: ./jwks.json}\n",
			`apigw-local.yaml:2:34: error: jwtIssuers["https://issuer.example.com"]: unknown key "jwk" (did you mean "jwks"?)`},
		{"jwt-issuers-list", "jwtIssuers: [https://issuer.example.com]\n",
			`apigw-local.yaml:1:13: error: jwtIssuers: expected a mapping, got a list`},
		{"credentials-list", "credentials: {accessKeyId: AKIAIOSFODNN7EXAMPLE}\n",
			`apigw-local.yaml:1:14: error: credentials: expected a list of credentials, got a mapping`},
		{"credentials-arn", "credentials:\n  - {accessKeyId: AKIAIOSFODNN7EXAMPLE, secretAccessKey: s, userArn: alice}\n",
			`apigw-local.yaml:2:70: error: credentials[0].userArn: "alice" is not an IAM or STS principal ARN: expected arn:aws:iam::ACCOUNT:user/NAME, arn:aws:iam::ACCOUNT:root, arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION or arn:aws:sts::ACCOUNT:federated-user/NAME, e.g. "arn:aws:iam::123456789012:user/alice"`},
		{"credentials-duplicate", "credentials:\n  - {accessKeyId: AKIAIOSFODNN7EXAMPLE, secretAccessKey: a, userArn: \"arn:aws:iam::123456789012:root\"}\n  - {accessKeyId: AKIAIOSFODNN7EXAMPLE, secretAccessKey: b, userArn: \"arn:aws:iam::123456789012:root\"}\n",
			`apigw-local.yaml:3:19: error: credentials[1].accessKeyId: duplicate accessKeyId "AKIAIOSFODNN7EXAMPLE" (also at line 2); each access key must be listed once`},
		{"credentials-secret", "credentials:\n  - {accessKeyId: AKIAIOSFODNN7EXAMPLE, userArn: \"arn:aws:iam::123456789012:user/a\"}\n",
			`apigw-local.yaml:2:5: error: credentials[0]: missing required key "secretAccessKey" (the secret the signature is computed with)`},
		{"credentials-akid-space", "credentials:\n  - {accessKeyId: \"AKIA EXAMPLE\", secretAccessKey: s, userArn: \"arn:aws:iam::123456789012:user/a\"}\n",
			`apigw-local.yaml:2:19: error: credentials[0].accessKeyId: "AKIA EXAMPLE" cannot be sent in a SigV4 Credential (it contains '/', ',', ';', '=' or a space): AWS access key ids are letters, digits and underscores`},
		{"variables-too-many", manyVariables(101),
			`apigw-local.yaml:4:5: error: stages.prod.variables: 101 variables: API Gateway allows at most 100 stage variables per stage`},
		{"apikey-long", "apiKeys:\n  - {name: alice, value: " + strings.Repeat("k", 129) + "}\n",
			`apigw-local.yaml:2:26: error: apiKeys[0].value: API Key value exceeds maximum size of 128 characters (got 129)`},
		{"alias-bomb", aliasBomb(),
			`apigw-local.yaml: error: the document is too large once YAML aliases are expanded; use fewer nested aliases`},
		{"control-character", "region: us-east-1\nstages:\n  prod: \x01\n",
			`apigw-local.yaml:3:9: error: invalid YAML: control characters are not allowed; remove it, or write it as an escape (\x..) in a double-quoted string`},
		{"invalid-utf8", "region: \xff\n",
			`apigw-local.yaml:1:9: error: invalid YAML: invalid leading UTF-8 octet; save the file as UTF-8`},
		{"unknown-anchor", "region: us-east-1\nstages:\n  prod: *base\n",
			`apigw-local.yaml:3:9: error: invalid YAML: unknown anchor 'base' referenced; define the anchor (&base) before an alias (*base) uses it`},
	}
	seen := map[string]bool{}
	for _, tt := range tests {
		if seen[tt.name] {
			t.Fatalf("duplicate test name %q", tt.name)
		}
		seen[tt.name] = true
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse("apigw-local.yaml", []byte(tt.in))
			if err == nil {
				t.Fatalf("Parse succeeded, want:\n%s", tt.want)
			}
			if c != nil {
				t.Errorf("Parse returned a config with an error")
			}
			var fs Findings
			if !errors.As(err, &fs) || len(fs) == 0 {
				t.Fatalf("error %T is not a non-empty Findings", err)
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("Parse:\n got: %s\nwant: %s", got, tt.want)
			}
		})
	}
}

func manyVariables(n int) string {
	var b strings.Builder
	b.WriteString("stages:\n  prod:\n    # many\n    variables:\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "      v%d: x\n", i)
	}
	return b.String()
}

// aliasBomb merges each level ten times into the next: 10^9 mappings if expanded.
func aliasBomb() string {
	var b strings.Builder
	b.WriteString("x-0: &a0 {cacheTtlInSeconds: 1}\n")
	for i := 1; i < 10; i++ {
		fmt.Fprintf(&b, "x-%d: &a%d {<<: [", i, i)
		for j := 0; j < 10; j++ {
			if j > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "*a%d", i-1)
		}
		b.WriteString("]}\n")
	}
	b.WriteString("stages: {prod: *a9}\n")
	return b.String()
}

func TestMaxVariablesAccepted(t *testing.T) {
	if _, err := Parse("apigw-local.yaml", []byte(manyVariables(100))); err != nil {
		t.Errorf("100 variables: %v", err)
	}
}

// TestGolden parses each testdata/invalid/*.yaml and compares all findings with the .golden file next to it;
// each testdata/valid/*.yaml must parse without findings. Run with -update to rewrite the golden files.
func TestGolden(t *testing.T) {
	inputs, err := filepath.Glob(filepath.Join("testdata", "invalid", "*.yaml"))
	if err != nil || len(inputs) == 0 {
		t.Fatalf("no testdata/invalid/*.yaml (%v)", err)
	}
	for _, in := range inputs {
		t.Run(filepath.Base(in), func(t *testing.T) {
			data, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			_, perr := Parse(FileName, data)
			if perr == nil {
				t.Fatalf("Parse succeeded; want findings")
			}
			got := perr.Error() + "\n"
			golden := strings.TrimSuffix(in, ".yaml") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -run TestGolden -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("findings differ from %s:\n got:\n%s\nwant:\n%s", golden, got, want)
			}
		})
	}
	valid, _ := filepath.Glob(filepath.Join("testdata", "valid", "*.yaml"))
	for _, in := range valid {
		if _, err := Load(in, 0); err != nil {
			t.Errorf("Load(%s, 0): %v", in, err)
		}
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), FileName), 0)
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Load of a missing file: %v, want fs.ErrNotExist", err)
	}
}

// TestFindingsAreErrors checks that what Parse returns prints as errors, the way validate shows them.
func TestFindingsAreErrors(t *testing.T) {
	_, err := Parse("a.yaml", []byte("stages:\n  prod: {throttling: {rateLimt: 5, burstLimit: 1}}\nregion: x\n"))
	var fs Findings
	if !errors.As(err, &fs) || fs.Count(findings.Error) != len(fs) {
		t.Fatalf("Parse = %v, want only errors", err)
	}
	want := "a.yaml:2:23: error: stages.prod.throttling: unknown key \"rateLimt\" (did you mean \"rateLimit\"?)\n" +
		"a.yaml:3:9: error: region: \"x\" is not an AWS region: a region is two letters, an optional \"-gov\", a direction and a number, e.g. \"us-east-1\" or \"eu-central-1\""
	if got := fs.Error(); got != want {
		t.Errorf("Findings.Error() =\n%s\nwant\n%s", got, want)
	}
}

func TestDuration(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"3s": 3 * time.Second, "500ms": 500 * time.Millisecond, "29s": 29 * time.Second, "1m30s": 90 * time.Second,
		"3": 3 * time.Second, "0": 0, `"10s"`: 10 * time.Second,
	} {
		var v struct{ D Duration }
		if err := yaml.Unmarshal([]byte("d: "+in), &v); err != nil || v.D.Duration != want {
			t.Errorf("Duration %s = %v, %v; want %v", in, v.D.Duration, err, want)
		}
	}
	for _, in := range []string{"3 seconds", "1.5", "[1]", `"3"`, "true"} {
		var v struct{ D Duration }
		if err := yaml.Unmarshal([]byte("d: "+in), &v); err == nil {
			t.Errorf("Duration %s = %v, want an error", in, v.D)
		}
	}
	out, err := yaml.Marshal(struct{ D Duration }{Duration{1500 * time.Millisecond}})
	if err != nil || string(out) != "d: 1.5s\n" {
		t.Errorf("Marshal = %q, %v", out, err)
	}
}

func TestSuggest(t *testing.T) {
	keys := []string{"rateLimit", "burstLimit"}
	for in, want := range map[string]string{
		"rateLimt": "rateLimit", "ratelimit": "rateLimit", "burstlimit": "burstLimit", "brustLimit": "burstLimit",
		"rate": "rateLimit", "burstLimitRPS": "burstLimit", "limit": "", "bur": "", "": "",
	} {
		if got := suggest(in, keys); got != want {
			t.Errorf("suggest(%q) = %q, want %q", in, got, want)
		}
	}
	if d := findings.EditDistance("kitten", "sitting"); d != 3 {
		t.Errorf("editDistance = %d, want 3", d)
	}
}
