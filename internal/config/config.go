package config

import (
	"fmt"
	"net/netip"
	"path/filepath"
	"time"

	"github.com/apigw-local/apigw-local/internal/findings"
	"go.yaml.in/yaml/v3"
)

// FileName is the conventional name of the configuration file.
const FileName = "apigw-local.yaml"

// Defaults for omitted values. They are AWS's own defaults where AWS has one.
const (
	// DefaultRegion is the region used in ARNs and $context when region is omitted.
	DefaultRegion = "us-east-1"
	// DefaultAccountID is the account ID used in ARNs and $context when accountId is omitted
	// (the placeholder account of AWS's documentation).
	DefaultAccountID = "123456789012"
	// DefaultAccountRateLimit and DefaultAccountBurstLimit are API Gateway's default account-level
	// throttle per region: 10,000 requests per second with a burst of 5,000.
	DefaultAccountRateLimit  = 10000
	DefaultAccountBurstLimit = 5000
	// DefaultIntegrationTimeoutMax is API Gateway's default cap on an integration's timeoutInMillis.
	DefaultIntegrationTimeoutMax = 29 * time.Second
	// DefaultFunctionTimeout is Lambda's default function timeout.
	DefaultFunctionTimeout = 3 * time.Second
	// DefaultMemorySize is Lambda's default memory size, in MB.
	DefaultMemorySize = 128
	// DefaultConcurrency is the default maximum number of warm processes per function. It is not 1,
	// which would serialise every request to a function; Lambda itself runs requests concurrently.
	DefaultConcurrency = 10
	// DefaultCacheTTLInSeconds is API Gateway's default cache time-to-live.
	DefaultCacheTTLInSeconds = 300
	// DefaultCacheClusterSize is API Gateway's smallest (and default) cache size, in GB.
	DefaultCacheClusterSize = 0.5
	// DefaultStageName is the stage name used when the file declares no stages and the spec's basePath
	// or servers do not name one (chosen by the caller, which reads the spec).
	DefaultStageName = "dev"
	// DefaultHTTPStage is an HTTP API's stage served at the root of the URL, with no stage segment; an HTTP
	// API export without a stage in its servers' basePath gets it when the file declares no stages.
	DefaultHTTPStage = "$default"
)

// Limits enforced by validation, mirroring AWS's.
const (
	MinFunctionTimeout       = 1 * time.Second   // Lambda's minimum timeout
	MaxFunctionTimeout       = 900 * time.Second // Lambda's maximum timeout (15 minutes)
	MinMemorySize            = 128               // Lambda's minimum memory, MB
	MaxMemorySize            = 10240             // Lambda's maximum memory, MB
	MinIntegrationTimeout    = 50 * time.Millisecond
	MaxIntegrationTimeoutMax = 300 * time.Second // the highest raised quota observed for Regional/private APIs
	MaxCacheTTLInSeconds     = 3600              // API Gateway's maximum cache TTL
	MaxStageVariables        = 100               // stage variables per stage
	MinAPIKeyValueLength     = 20
	MaxAPIKeyValueLength     = 128
)

// Quota periods (UsagePlan quota.period).
const (
	PeriodDay   = "DAY"
	PeriodWeek  = "WEEK"
	PeriodMonth = "MONTH"
)

// Config is a parsed apigw-local.yaml. Parse fills defaults for every omitted value; a zero-length file
// gives Default() with File and Dir set.
type Config struct {
	// File is the configuration file name as given to Load or Parse. Findings use it.
	File string
	// Dir is the absolute directory of File; relative paths in the file are resolved against it.
	Dir string

	// Specs are the OpenAPI (or Swagger) files to serve, resolved against Dir and cleaned (key specs).
	// Command-line arguments override them. Empty when omitted.
	Specs []string
	// SpecsRaw are the entries of specs exactly as written, parallel to Specs.
	SpecsRaw []string
	// APIType forces the kind of API (REST or HTTP) the specs are served as; "" lets each spec decide.
	APIType string
	// APIs are APIs by name (key apis): each its spec, a stable apiId and its own apiType, served after
	// the specs of specs. APINames are their names in file order.
	APIs     map[string]*API
	APINames []string

	// APIID is the REST API ID used in ARNs, $context.apiId and execute-api host names (key apiId;
	// mirrors the RestApi id). 1 to 64 lowercase letters, digits and hyphens. Empty when omitted: the
	// caller derives one from the spec's title.
	APIID string
	// Region is the AWS region used in ARNs and $context (key region). Default "us-east-1".
	Region string
	// AccountID is the 12-digit AWS account ID used in ARNs and $context.accountId (key accountId).
	// Default "123456789012".
	AccountID string

	// Stages are the deployed stages by name (key stages; mirrors AWS::ApiGateway::Stage). Empty when
	// omitted: the caller creates one stage named after the spec's basePath or servers, else "dev".
	Stages map[string]*Stage
	// StageNames are the keys of Stages in file order, for stable listings.
	StageNames []string

	// Functions are the Lambda functions by function name, as it appears in integration URIs
	// (key functions).
	Functions map[string]*Function
	// FunctionNames are the keys of Functions in file order.
	FunctionNames []string

	// APIKeys are the API keys, in file order (key apiKeys; mirrors AWS::ApiGateway::ApiKey).
	APIKeys []APIKey
	// UsagePlans are the usage plans, in file order (key usagePlans; mirrors AWS::ApiGateway::UsagePlan
	// with its keys attached as by AWS::ApiGateway::UsagePlanKey).
	UsagePlans []UsagePlan

	// Account holds account-level settings (key account; mirrors AWS::ApiGateway::Account and the
	// account's throttle quota).
	Account Account

	// IntegrationTimeoutMax caps integrations' timeoutInMillis (key integrationTimeoutMax). Default 29s,
	// AWS's default; raise it (up to 300s) to mirror a quota increase for Regional or private APIs.
	IntegrationTimeoutMax Duration

	// CognitoUserPools tells COGNITO_USER_POOLS (and JWT) authorizers where to find each pool's signing
	// keys, by user pool ARN (key cognitoUserPools).
	CognitoUserPools map[string]CognitoUserPool
	// CognitoUserPoolARNs are the keys of CognitoUserPools in file order.
	CognitoUserPoolARNs []string

	// JWTIssuers tells HTTP APIs' JWT authorizers where to find each issuer's signing keys, by issuer URL
	// as tokens carry it in iss (key jwtIssuers).
	JWTIssuers map[string]JWTIssuer
	// JWTIssuerURLs are the keys of JWTIssuers in file order.
	JWTIssuerURLs []string

	// Admin says who beyond the local user may use the admin endpoints (key admin).
	Admin Admin

	// InProcess names the functions a program serves with in-process handlers of its own (the embedded
	// example's authorizer): defined although the file does not list them. Not a key of the file.
	InProcess map[string]bool
	// Credentials are the AWS access keys that methods with authorizationType AWS_IAM accept (key
	// credentials), in file order; access key ids are unique. Empty when omitted.
	Credentials []Credential

	// Warnings are what Parse found that does not stop the configuration from loading, such as settings
	// that are accepted but not acted on yet; callers report them with their own findings.
	Warnings Findings

	// positions maps paths to the location of their key (or list item) in the file.
	positions map[string]Position
}

// Stage is one deployed stage (mirrors AWS::ApiGateway::Stage).
type Stage struct {
	// Name is the stage name (the key under stages): alphanumerics, hyphens and underscores, at most
	// 128 characters.
	Name string
	// Variables are the stage variables (key variables; mirrors Variables), available as
	// $stageVariables / ${stageVariables.name}. At most 100; names are alphanumerics and underscores
	// (at most 64), values match [A-Za-z0-9-._~:/?#&=,]+ (at most 512 characters).
	Variables map[string]string
	// Throttling is the stage's default method throttle (key throttling; the "*/*" method setting of
	// AWS). Nil when omitted: only the account and usage-plan limits apply.
	Throttling *Throttle
	// MethodSettings are per-method overrides keyed "/{resource path}/{HTTP method}", e.g. "/pets/GET",
	// "/pets/{id}/DELETE", "//GET" for the root resource, "/pets/*" for every method of /pets, or "*/*"
	// for every method (key methodSettings; mirrors MethodSettings, as stored by the API Gateway API).
	MethodSettings map[string]MethodSetting
	// RouteSettings are an HTTP API's per-route throttles keyed by route key ("GET /pets", "ANY
	// /{proxy+}", "$default") (key routeSettings; mirrors AWS::ApiGatewayV2::Stage RouteSettings, whose
	// throttlingBurstLimit and throttlingRateLimit they take). An HTTP API's stage default is Throttling.
	RouteSettings map[string]RouteSetting
	// CacheClusterEnabled enables the stage cache (key cacheClusterEnabled; mirrors CacheClusterEnabled).
	// Default false.
	CacheClusterEnabled bool
	// CacheTTLInSeconds is the stage's default cache time-to-live, 0 to 3600 (key cacheTtlInSeconds;
	// mirrors the CacheTtlInSeconds method setting). Default 300.
	CacheTTLInSeconds int
	// CacheClusterSize is the stage cache's size in GB, one of AWS's sizes (key cacheClusterSize; mirrors
	// CacheClusterSize). Default 0.5. Locally it bounds the memory the stage's cached answers take.
	CacheClusterSize float64
	// AccessLogFormat is the access log line format with $context variables (key accessLogFormat;
	// mirrors AccessLogSetting.Format). Empty (the default) means no access log. As in AWS it must
	// contain $context.requestId or $context.extendedRequestId.
	AccessLogFormat string
	// AccessLogDestination is where the stage's access log lines go (key accessLogDestination; stands in
	// for AccessLogSetting.DestinationArn, a CloudWatch log group): "stdout" (the default: the request
	// log's own output, where the line replaces apigw-local's), "stderr", or a file, resolved against Dir
	// and appended to. Used only with AccessLogFormat.
	AccessLogDestination string
}

// Throttle is a token-bucket limit (mirrors ThrottleSettings).
type Throttle struct {
	// RateLimit is the steady-state rate in requests per second, >= 0 (key rateLimit).
	RateLimit float64
	// BurstLimit is the bucket size in requests, >= 0 (key burstLimit).
	BurstLimit int
}

// API is one entry of apis: an API by name.
type API struct {
	Name string
	// Spec is its OpenAPI file, resolved against Dir (key spec); SpecRaw as written.
	Spec, SpecRaw string
	// APIID is its API ID (key apiId); "" derives one from the spec's title.
	APIID string
	// APIType forces its kind, REST or HTTP (key apiType); "" leaves it to the top-level apiType, then
	// the spec.
	APIType string
}

// APIFor is the apis entry serving the spec at path (nil for none).
func (c *Config) APIFor(path string) *API {
	for _, name := range c.APINames {
		if a := c.APIs[name]; a != nil && a.Spec == filepath.Clean(path) {
			return a
		}
	}
	return nil
}

// RouteSetting overrides an HTTP API stage's throttle for one route (mirrors RouteSettings).
type RouteSetting struct {
	// Throttling is the route's throttle (keys throttlingRateLimit and throttlingBurstLimit).
	Throttling *Throttle
}

// MethodSetting overrides stage settings for one method (mirrors MethodSetting).
type MethodSetting struct {
	// Throttling is the method's throttle (key throttling; mirrors ThrottlingRateLimit and
	// ThrottlingBurstLimit). Nil when omitted: the stage's throttle applies.
	Throttling *Throttle
	// CachingEnabled turns response caching on or off for the method (key cachingEnabled; mirrors
	// CachingEnabled). Nil when omitted: inherited ("*/*", else off).
	CachingEnabled *bool
	// CacheTTLInSeconds is the method's cache time-to-live, 0 to 3600 (key cacheTtlInSeconds; mirrors
	// CacheTtlInSeconds). Nil when omitted: the stage's CacheTTLInSeconds applies.
	CacheTTLInSeconds *int
	// RequireAuthorizationForCacheControl makes a Cache-Control: max-age=0 invalidation need an
	// authorised (SigV4) caller (key requireAuthorizationForCacheControl). Nil: inherited, else true.
	RequireAuthorizationForCacheControl *bool
	// UnauthorizedCacheControlHeaderStrategy is the answer to an unauthorised invalidation: FAIL_WITH_403,
	// SUCCEED_WITH_RESPONSE_HEADER or SUCCEED_WITHOUT_RESPONSE_HEADER (key
	// unauthorizedCacheControlHeaderStrategy). "": inherited, else SUCCEED_WITH_RESPONSE_HEADER.
	UnauthorizedCacheControlHeaderStrategy string
}

// Function says how to run one Lambda function: either a command the emulator starts (Command) or a
// Runtime API endpoint for a handler started by the user (External). Exactly one is set.
type Function struct {
	// Name is the function name (the key under functions), as in integration URIs: letters, digits,
	// hyphens and underscores, at most 64 characters.
	Name string
	// Command is the program and arguments of a Lambda Runtime API client (key command), started with
	// AWS_LAMBDA_RUNTIME_API pointing at the emulator. Empty for external functions.
	Command []string
	// Workdir is the working directory of Command and Build, resolved against Config.Dir (key workdir).
	// Default: Config.Dir.
	Workdir string
	// WorkdirRaw is workdir as written; "." when omitted.
	WorkdirRaw string
	// Env is added to the process environment (key env; mirrors Environment.Variables). Names match
	// Lambda's [a-zA-Z]([a-zA-Z0-9_])+ and must not be ones the runtime sets (AWS_REGION, _HANDLER, ...).
	Env map[string]string
	// Timeout is the function timeout, 1s to 900s (key timeout; mirrors Timeout). Default 3s.
	Timeout Duration
	// MemorySize is the memory in MB reported to the function, 128 to 10240 (key memorySize; mirrors
	// MemorySize). Default 128.
	MemorySize int
	// Concurrency is the maximum number of warm processes; requests queue beyond it (key concurrency;
	// loosely mirrors reserved concurrency). At least 1; default 10.
	Concurrency int
	// Build is a command to run in Workdir before the first start and after changes to Watch (key build).
	// Nil when omitted. Run at start (emulator.RunBuilds) and when a file matching Watch changes.
	Build []string
	// Watch are globs, relative to Workdir, whose changes are to rebuild (if Build is set) and restart the
	// function (key watch). path.Match syntax, plus "**" for any number of directories. serve follows the
	// matching files (hidden directories skipped).
	Watch []string
	// External is set for a handler the user starts (key external); nil otherwise.
	External *External
}

// External is a Runtime API endpoint served by the emulator for a handler the user starts, e.g. in a
// debugger, with AWS_LAMBDA_RUNTIME_API=127.0.0.1:Port.
type External struct {
	// Port is the TCP port of the Runtime API endpoint, 1 to 65535 (key port). Required; unique across
	// functions.
	Port int
}

// APIKey is one API key (mirrors AWS::ApiGateway::ApiKey).
type APIKey struct {
	// ID is the key's id, as production's (key id; mirrors Id): $context.identity.apiKeyId and usage
	// reports use it. "" derives a stable one from the name.
	ID string
	// Name is the key's name, referenced by usage plans (key name; mirrors Name). Required, unique.
	Name string
	// Value is the key sent in x-api-key, 20 to 128 characters (key value; mirrors Value). Required,
	// unique.
	Value string
	// Enabled says whether the key is accepted (key enabled; mirrors Enabled). Default true.
	Enabled bool
}

// UsagePlan is one usage plan with its keys (mirrors AWS::ApiGateway::UsagePlan).
type UsagePlan struct {
	// ID is the plan's id, as production's (key id; mirrors Id); "" derives a stable one from the name.
	ID string
	// Name is the plan's name (key name; mirrors UsagePlanName). Required, unique.
	Name string
	// APIStages are the stages the plan applies to (key apiStages; mirrors ApiStages).
	APIStages []UsagePlanStage
	// Throttle is the per-key limit across the plan's stages (key throttle; mirrors Throttle). Nil
	// when omitted: no per-key throttle.
	Throttle *Throttle
	// Quota is the per-key request quota (key quota; mirrors Quota). Nil when omitted: no quota.
	Quota *Quota
	// APIKeys are the names of the keys in the plan (key apiKeys; mirrors AWS::ApiGateway::UsagePlanKey),
	// each defined under apiKeys. A key may be in several plans, but not in two plans that share a stage.
	APIKeys []string
}

// UsagePlanStage is one stage of a usage plan (mirrors ApiStage; the API is always this one).
type UsagePlanStage struct {
	// Stage is the stage name (key stage; mirrors Stage). Required. When the file declares stages it
	// must be one of them.
	Stage string
	// Throttle are per-method, per-key limits keyed "/{resource path}/{HTTP method}" as in
	// Stage.MethodSettings, without "*/*" (key throttle; mirrors Throttle).
	Throttle map[string]Throttle
	// Unchecked is true when the file declares no stages, so Stage could not be checked here: the stage
	// comes from the spec, and the caller must check Stage against it (Config.Findingf locates the
	// finding at "usagePlans[i].apiStages[j].stage").
	Unchecked bool
}

// Quota is a request quota per key (mirrors QuotaSettings).
type Quota struct {
	// Limit is the number of requests allowed per period, >= 0 (key limit). Required.
	Limit int
	// Period is DAY, WEEK or MONTH (key period). Required.
	Period string
	// Offset is >= 0 (key offset). Default 0. AWS's current API reference calls it "the number of
	// requests subtracted from the given limit in the initial time period", while older documentation
	// calls it "the day that a time period starts"; validation accepts both readings except that, for
	// DAY, a non-zero offset must be less than Limit. The emulator applies the current reading: the
	// initial period (the one in which the quota was loaded, changed or reset) allows Limit - Offset.
	Offset int
}

// Account is account-level settings.
type Account struct {
	// Throttle is the account-level limit across all APIs in the region (key throttle). Default
	// 10000 requests per second, burst 5000 (AWS's regional default).
	Throttle Throttle
}

// Admin opens the admin endpoints (/_apigw/*) beyond loopback clients addressing the server as localhost:
// for a gateway in a container or on another machine. They reset limits and show the whole configuration,
// so nothing is opened by default.
type Admin struct {
	// AllowedClients are client addresses and CIDR ranges that may use them besides loopback (key
	// allowedClients); 0.0.0.0/0 and ::/0 open them to everyone.
	AllowedClients []netip.Prefix
	// AllowedHosts are host names (lower case, no port) accepted in the Host header besides localhost,
	// 127.0.0.1, [::1] and *.execute-api.localhost (key allowedHosts; serve --allow-host adds more).
	AllowedHosts []string
}

// DevJWKS is the jwks value that trusts the local development key (apigw-local token signs with it).
const DevJWKS = "dev"

// CognitoUserPool locates a user pool's signing keys.
type CognitoUserPool struct {
	// JWKS is the JSON Web Key Set: a file path resolved against Config.Dir, an http(s) URL kept as
	// written, or DevJWKS (key jwks). Required.
	JWKS string
	// JWKSRaw is jwks as written.
	JWKSRaw string
}

// JWTIssuer locates a JWT issuer's signing keys. AWS fetches them from the issuer's OpenID discovery
// document; apigw-local fetches nothing, so they come from a file or the development key.
type JWTIssuer struct {
	// JWKS is the JSON Web Key Set: a file path resolved against Config.Dir, or DevJWKS (key jwks).
	// Required; a URL is refused.
	JWKS string
	// JWKSRaw is jwks as written.
	JWKSRaw string
}

// Credential is an AWS access key that signs requests to AWS_IAM methods, and the caller it stands for.
type Credential struct {
	// AccessKeyID is the key id of the SigV4 Credential (key accessKeyId). Required, unique; AWS ids are 16
	// to 128 letters, digits and underscores (others load with a warning).
	AccessKeyID string
	// SecretAccessKey is the secret the signature is computed with (key secretAccessKey). Required.
	SecretAccessKey string
	// UserARN is the caller, $context.identity.userArn (key userArn): an IAM user, the account root, an
	// STS assumed-role session or a federated user. Required. Its account is $context.identity.accountId.
	UserARN string
	// SessionToken makes the key temporary (key sessionToken): requests must then carry it in
	// X-Amz-Security-Token. Optional.
	SessionToken string
	// UserID is the principal id of $context.identity.caller and .user (key userId), e.g. "AIDA..." or
	// "AROA...:session". Optional: the access key id by default.
	UserID string
}

// Duration is a time.Duration written either as a Go duration string ("3s", "500ms", "1m30s") or as a
// plain integer number of seconds (3).
type Duration struct {
	time.Duration
}

// UnmarshalYAML decodes a duration string or an integer number of seconds.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 100; i++ {
		n = n.Alias
	}
	v, msg := parseDuration(n)
	if msg != "" {
		if n == nil {
			return fmt.Errorf("%s", msg)
		}
		return fmt.Errorf("line %d: %s", n.Line, msg)
	}
	d.Duration = v
	return nil
}

// MarshalYAML encodes the duration as a Go duration string.
func (d Duration) MarshalYAML() (any, error) { return d.Duration.String(), nil }

// Position is a 1-based line and column (in characters) in the configuration file; Config.Position leaves
// its Path empty.
type Position = findings.Position

// Default returns the configuration an empty file means.
func Default() *Config {
	return &Config{
		Region:                DefaultRegion,
		AccountID:             DefaultAccountID,
		Stages:                map[string]*Stage{},
		Functions:             map[string]*Function{},
		CognitoUserPools:      map[string]CognitoUserPool{},
		JWTIssuers:            map[string]JWTIssuer{},
		Account:               Account{Throttle: Throttle{RateLimit: DefaultAccountRateLimit, BurstLimit: DefaultAccountBurstLimit}},
		IntegrationTimeoutMax: Duration{DefaultIntegrationTimeoutMax},
	}
}

// DefaultFunction returns a function with Lambda's defaults (timeout, memory, concurrency) and dir as its
// working directory, neither command nor external set: what a functions: entry starts from.
func DefaultFunction(name, dir string) *Function {
	return &Function{
		Name:        name,
		Workdir:     dir,
		WorkdirRaw:  ".",
		Env:         map[string]string{},
		Timeout:     Duration{DefaultFunctionTimeout},
		MemorySize:  DefaultMemorySize,
		Concurrency: DefaultConcurrency,
	}
}

// DefaultStage returns a stage with the given name and default settings, as the caller creates when the
// file declares no stages.
func DefaultStage(name string) *Stage {
	return &Stage{
		Name:              name,
		Variables:         map[string]string{},
		MethodSettings:    map[string]MethodSetting{},
		RouteSettings:     map[string]RouteSetting{},
		CacheTTLInSeconds: DefaultCacheTTLInSeconds,
		CacheClusterSize:  DefaultCacheClusterSize,
	}
}

// MaxSize is the default largest configuration file Load reads, in bytes. A hand-written configuration
// is a few kilobytes; one generated by `apigw-local import aws` from thousands of API keys stays well
// under a megabyte (a key is about 150 bytes).
const MaxSize = 1 << 20

// Load reads and parses the configuration file at path, refusing one larger than maxSize bytes (0 means
// MaxSize) and one that is not a regular file. An error reading the file is returned as is
// (errors.Is(err, fs.ErrNotExist) tells a missing file; *findings.TooLargeError and
// *findings.NotAFileError the refusals); problems in its content are returned as Findings.
func Load(path string, maxSize int64) (*Config, error) {
	if maxSize <= 0 {
		maxSize = MaxSize
	}
	data, err := findings.ReadFile(path, maxSize)
	if err != nil {
		return nil, err
	}
	return Parse(path, data)
}

// Parse parses data as the configuration file filename, which names the file in findings and locates
// relative paths (it is not read). It returns every problem found as Findings, and then a nil Config.
func Parse(filename string, data []byte) (*Config, error) {
	c := Default()
	c.File = filename
	dir := filepath.Dir(filename)
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	c.Dir = dir
	d := &decoder{file: filename, pos: map[string]Position{}}
	d.parse(data, c)
	if len(d.findings) > 0 || d.exhausted {
		return nil, d.result()
	}
	c.positions = d.pos
	c.Warnings = d.warnings.Compact()
	return c, nil
}

// Position returns where the value at path (in the syntax of Finding.Path, e.g.
// "usagePlans[0].apiStages[1].stage" or `stages.prod.methodSettings["/pets/GET"]`) is written: the
// position of its key, or of the list item. ok is false for paths not in the file.
func (c *Config) Position(path string) (pos Position, ok bool) {
	pos, ok = c.positions[path]
	return pos, ok
}

// Findingf returns an error finding located at path (see Position), for problems the caller finds, such as a
// usage plan stage the spec does not define.
func (c *Config) Findingf(path, format string, args ...any) Finding {
	pos, _ := c.Position(path)
	return Finding{Severity: findings.Error, File: c.File, Line: pos.Line, Column: pos.Column, Path: path, Message: fmt.Sprintf(format, args...)}
}
