package lambdarun

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
)

// Defaults and limits. They are AWS's own numbers unless the comment says otherwise.
const (
	// DefaultTimeout is Lambda's default function timeout.
	DefaultTimeout = 3 * time.Second
	// MaxTimeout is Lambda's largest function timeout (15 minutes).
	MaxTimeout = 15 * time.Minute
	// DefaultMemorySize is Lambda's default memory size in MB.
	DefaultMemorySize = 128
	// DefaultConcurrency is this emulator's default number of processes per function: enough for a
	// developer's parallel test run, few enough for a laptop.
	DefaultConcurrency = 10
	// DefaultIdleTimeout is how long this emulator keeps an idle process before retiring it.
	DefaultIdleTimeout = 5 * time.Minute
	// DefaultRegion and DefaultAccountID fill the function ARN and AWS_REGION when the config has none;
	// 123456789012 is the account id AWS's documentation uses.
	DefaultRegion    = "us-east-1"
	DefaultAccountID = "123456789012"

	// MaxRequestPayload is the synchronous (RequestResponse) invocation limit: 6 MiB.
	MaxRequestPayload = 6 * 1024 * 1024
	// MaxResponsePayload is the response limit that AWS's message names: 6 MiB + 100 bytes
	// ("... exceeded maximum allowed payload size (6291556 bytes).").
	MaxResponsePayload = 6*1024*1024 + 100

	// stopGrace is how long a process group has between SIGTERM and SIGKILL; Lambda gives extensions
	// 500 ms at shutdown too.
	stopGrace = 500 * time.Millisecond
	// backoffMin and backoffMax bound the delay between respawns of a process that keeps failing its init.
	backoffMin = 100 * time.Millisecond
	backoffMax = 5 * time.Second
)

// initTimeout is Lambda's limit on the init phase: a process that has not called /next by then is killed
// and one queued invocation fails. A variable, read by Start, so that tests need not wait 10 s.
var initTimeout = 10 * time.Second

// Config describes one Lambda function. It mirrors the function configuration of AWS (name, timeout,
// memory size, environment) plus what is needed to run it here: how to start the runtime, how many
// processes to keep, and where its logs go. Exactly one of Command, Handler and ExternalPort must be set.
type Config struct {
	// Name is the function name (AWS FunctionName): 1 to 64 letters, digits, hyphens or underscores. It
	// is passed as AWS_LAMBDA_FUNCTION_NAME, ends the function ARN and prefixes every log line.
	Name string

	// Command starts one runtime process per pool slot: the executable and its arguments, for example
	// ["./bin/get-pets"] for an aws-lambda-go binary. A relative path with a slash is relative to
	// Workdir; a bare name is looked up in PATH. The executable need not exist at Start (a build step may
	// produce it later); a failure to start it fails the invocation with Runtime.InvalidEntrypoint.
	Command []string
	// Workdir is the process's working directory and LAMBDA_TASK_ROOT (AWS: /var/task). Default: the
	// emulator's working directory.
	Workdir string
	// Env is the function's own environment (AWS Environment.Variables). It is applied last, over the
	// variables Lambda sets, except AWS_LAMBDA_RUNTIME_API, _LAMBDA_SERVER_PORT and
	// AWS_LAMBDA_MAX_CONCURRENCY, which Start refuses: the first would point the runtime away from its
	// endpoint and the other two switch aws-lambda-go into its RPC or multi-concurrency modes.
	Env map[string]string

	// Handler runs the function in the emulator's process instead of a child process; build it with
	// lambda.NewHandler(fn) from github.com/aws/aws-lambda-go/lambda. The handler gets a context with the
	// invocation's deadline and a lambdacontext.LambdaContext, as under the real runtime; a panic becomes
	// an error payload like aws-lambda-go's. A handler that ignores its context cannot be stopped at the
	// timeout: the invocation fails on time but the handler keeps its concurrency slot until it returns.
	Handler lambda.Handler

	// ExternalPort opens a Runtime API endpoint on 127.0.0.1:ExternalPort at Start and waits for a runtime
	// that the user starts (for example under a debugger, with AWS_LAMBDA_RUNTIME_API=127.0.0.1:port).
	// Invocations wait, up to Timeout, for that runtime to ask for them.
	ExternalPort int
	// ExternalHost is the address the ExternalPort endpoint listens on. Default 127.0.0.1; a server
	// listening on another address (serve --host 0.0.0.0 in a container) opens it there, so that a
	// runtime outside reaches it.
	ExternalHost string

	// Timeout is the function timeout (AWS Timeout): from the moment the runtime receives the invocation
	// (or, with ExternalPort, from the Invoke call) to its response. Default 3 s, at most 15 minutes.
	Timeout time.Duration
	// MemorySize in MB (AWS MemorySize, 128 to 10240): reported in AWS_LAMBDA_FUNCTION_MEMORY_SIZE and
	// REPORT lines, not enforced. Default 128.
	MemorySize int
	// Concurrency is the maximum number of processes (or in-process handler calls) at once, like a
	// reserved concurrency; invocations beyond it queue in arrival order. Default 10.
	Concurrency int
	// IdleTimeout retires a process that has been idle this long. Default 5 minutes.
	IdleTimeout time.Duration

	// Region and AccountID build the function ARN (arn:aws:lambda:{Region}:{AccountID}:function:{Name})
	// and AWS_REGION. Defaults: us-east-1 and 123456789012.
	Region, AccountID string

	// Log receives the function's output, one line per Write: the process's stdout and stderr lines as
	// "[Name] line", and START, END and REPORT lines (plus timeout and crash notices) as CloudWatch shows
	// them, for example "[Name] START RequestId: ... Version: $LATEST". Nil discards everything.
	Log io.Writer
}

// isFunctionName is AWS's pattern for an unqualified function name, ^[A-Za-z0-9_-]{1,64}$, checked
// without a regexp to compile at start.
func isFunctionName(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// forbiddenEnv are the variables Config.Env may not set, with the reason shown in Start's error.
var forbiddenEnv = map[string]string{
	"AWS_LAMBDA_RUNTIME_API":     "it is the address of the process's own Runtime API endpoint",
	"_LAMBDA_SERVER_PORT":        "it switches aws-lambda-go to its RPC mode, which this emulator does not speak",
	"AWS_LAMBDA_MAX_CONCURRENCY": "it makes aws-lambda-go run several invocations in one process",
}

// mode is how a Function runs its handler.
type mode int

const (
	modeProcess mode = iota
	modeInProcess
	modeExternal
)

// normalize checks cfg and fills its defaults. Every problem is reported, so that a config file with
// several mistakes is fixed in one round.
func (cfg *Config) normalize() (mode, error) {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	if !isFunctionName(cfg.Name) {
		bad("name %q: must be 1 to 64 letters, digits, hyphens or underscores", cfg.Name)
	}
	var m mode
	set := 0
	if len(cfg.Command) > 0 {
		set++
		m = modeProcess
		if cfg.Command[0] == "" {
			bad("command: the executable is empty")
		}
	}
	if cfg.Handler != nil {
		set++
		m = modeInProcess
	}
	if cfg.ExternalPort != 0 {
		set++
		m = modeExternal
		if cfg.ExternalPort < 1 || cfg.ExternalPort > 65535 {
			bad("external port %d: must be 1 to 65535", cfg.ExternalPort)
		}
	}
	if set != 1 {
		bad("exactly one of command, handler and external port must be set (%d are)", set)
	}

	switch {
	case cfg.Timeout == 0:
		cfg.Timeout = DefaultTimeout
	case cfg.Timeout < 0 || cfg.Timeout > MaxTimeout:
		bad("timeout %v: must be positive and at most %v", cfg.Timeout, MaxTimeout)
	}
	switch {
	case cfg.MemorySize == 0:
		cfg.MemorySize = DefaultMemorySize
	case cfg.MemorySize < 128 || cfg.MemorySize > 10240:
		bad("memory size %d MB: must be 128 to 10240", cfg.MemorySize)
	}
	switch {
	case cfg.Concurrency == 0:
		cfg.Concurrency = DefaultConcurrency
	case cfg.Concurrency < 0:
		bad("concurrency %d: must be positive", cfg.Concurrency)
	}
	switch {
	case cfg.IdleTimeout == 0:
		cfg.IdleTimeout = DefaultIdleTimeout
	case cfg.IdleTimeout < 0:
		bad("idle timeout %v: must be positive", cfg.IdleTimeout)
	}
	if cfg.Region == "" {
		cfg.Region = DefaultRegion
	}
	if cfg.AccountID == "" {
		cfg.AccountID = DefaultAccountID
	}
	keys := make([]string, 0, len(cfg.Env))
	for k := range cfg.Env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if why, ok := forbiddenEnv[k]; ok {
			bad("env %s: may not be set: %s", k, why)
		} else if k == "" || strings.ContainsAny(k, "=\x00") {
			bad("env %q: not a valid variable name", k)
		}
	}
	// Own copies: the caller may reuse its slice and map, and processes are spawned long after Start.
	cfg.Command = slices.Clone(cfg.Command)
	cfg.Env = maps.Clone(cfg.Env)
	if cfg.Workdir == "" {
		cfg.Workdir = "."
	}
	if abs, err := filepath.Abs(cfg.Workdir); err != nil {
		bad("workdir %q: %v", cfg.Workdir, err)
	} else {
		cfg.Workdir = abs
	}
	if err := errors.Join(errs...); err != nil {
		return 0, fmt.Errorf("lambdarun: function %q: %w", cfg.Name, err)
	}
	return m, nil
}

// arn is the unqualified function ARN, sent as Lambda-Runtime-Invoked-Function-Arn.
func (cfg *Config) arn() string {
	return "arn:aws:lambda:" + cfg.Region + ":" + cfg.AccountID + ":function:" + cfg.Name
}

// Dummy credentials: the Lambda execution role's temporary credentials do not exist here, and the
// emulator's own credentials must not leak into a function by accident. They are AWS's documented example
// keys, so an SDK signs requests (to LocalStack, say) instead of failing to find credentials; Config.Env
// can replace them.
const (
	dummyAccessKeyID     = "AKIAIOSFODNN7EXAMPLE"
	dummySecretAccessKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	dummySessionToken    = "apigw-local-dummy-session-token"
	// defaultPath is the PATH of a Lambda sandbox, used when the emulator has none.
	defaultPath = "/usr/local/bin:/usr/bin/:/bin:/opt/bin"
)

// processEnv builds a process's environment from scratch, as Lambda does: the reserved variables of the
// sandbox, PATH and HOME from the emulator (so that the runtime finds its tools), then Config.Env. The
// emulator's environment is never inherited wholesale: a function that works here because of a variable in
// the developer's shell would fail in AWS.
func (cfg *Config) processEnv(runtimeAPI, logStream string) []string {
	path := os.Getenv("PATH")
	if path == "" {
		path = defaultPath
	}
	env := []string{
		"AWS_LAMBDA_FUNCTION_NAME=" + cfg.Name,
		"AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=" + strconv.Itoa(cfg.MemorySize),
		"AWS_LAMBDA_INITIALIZATION_TYPE=on-demand",
		"AWS_REGION=" + cfg.Region,
		"AWS_DEFAULT_REGION=" + cfg.Region,
		"AWS_LAMBDA_RUNTIME_API=" + runtimeAPI,
		"_HANDLER=" + filepath.Base(cfg.Command[0]),
		"LAMBDA_TASK_ROOT=" + cfg.Workdir,
		"AWS_LAMBDA_LOG_GROUP_NAME=/aws/lambda/" + cfg.Name,
		"AWS_LAMBDA_LOG_STREAM_NAME=" + logStream,
		"AWS_ACCESS_KEY_ID=" + dummyAccessKeyID,
		"AWS_SECRET_ACCESS_KEY=" + dummySecretAccessKey,
		"AWS_SESSION_TOKEN=" + dummySessionToken,
		"TZ=:UTC",
		"LANG=en_US.UTF-8",
		"PATH=" + path,
		// One scheduler thread, as a Lambda sandbox of up to 1,769 MB has less than one vCPU: a Go
		// handler otherwise spends a large share of its time on all cores' worth of scheduler work
		// (measured: handler CPU -19%, requests/s +11%). Config.Env may set another value.
		"GOMAXPROCS=1",
	}
	if home, ok := os.LookupEnv("HOME"); ok {
		env = append(env, "HOME="+home)
	}
	if len(cfg.Env) == 0 {
		return env
	}
	// Config.Env wins: drop the defaults it redefines rather than relying on which duplicate a
	// runtime's getenv picks.
	keys := make([]string, 0, len(cfg.Env))
	for k := range cfg.Env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := env[:0]
	for _, kv := range env {
		if _, ok := cfg.Env[kv[:strings.IndexByte(kv, '=')]]; !ok {
			out = append(out, kv)
		}
	}
	for _, k := range keys {
		out = append(out, k+"="+cfg.Env[k])
	}
	return out
}

// executable resolves Command[0] the way a user writing a config file expects: relative to Workdir when it
// names a path, through PATH when it is a bare name.
func (cfg *Config) executable() (string, error) {
	name := cfg.Command[0]
	switch {
	case filepath.IsAbs(name):
		return name, nil
	case strings.ContainsRune(name, filepath.Separator) || strings.ContainsRune(name, '/'):
		return filepath.Join(cfg.Workdir, name), nil
	default:
		return exec.LookPath(name)
	}
}
