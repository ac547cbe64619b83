package emulator

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/apigw-local/apigw-local/internal/gatewayresponse"
)

// stageLogFormat is a stage's accessLogFormat, compiled once per snapshot: literal text and $context
// variables, substituted per request as API Gateway writes access logs (reference §f.2: the values as
// they are, "-" for one the request has none of; formats are not escaped, JSON presets included).
type stageLogFormat struct {
	parts []logPart
	dest  string // "stdout", "stderr" or a file
}

type logPart struct {
	lit      string
	variable string // after "$context."; "" for a literal
}

// accessLogVariables are the $context variables of access logging AWS documents, and the families whose
// members are open-ended (authorizer.<key>, identity.*, ...).
var accessLogVariables = map[string]bool{
	"accountId": true, "apiId": true, "awsEndpointRequestId": true, "deploymentId": true, "domainName": true,
	"domainPrefix": true, "extendedRequestId": true, "httpMethod": true, "integrationErrorMessage": true,
	"integrationLatency": true, "integrationStatus": true, "isCanaryRequest": true, "path": true, "protocol": true,
	"requestId": true, "requestTime": true, "requestTimeEpoch": true, "resourceId": true, "resourcePath": true,
	"responseLatency": true, "responseLength": true, "stage": true, "status": true, "wafResponseCode": true,
	"webaclArn": true, "xrayTraceId": true, "routeKey": true,
}

var accessLogFamilies = []string{"authorizer.", "authorize.", "authenticate.", "identity.", "error.",
	"integration.", "customDomain.", "requestOverride.", "responseOverride.", "waf.", "context."}

// compileLogFormat reads a format; unknown lists the variables AWS does not define (they render "-").
func compileLogFormat(format, dest string) (f *stageLogFormat, unknown []string) {
	f = &stageLogFormat{dest: dest}
	const prefix = "$context."
	for format != "" {
		i := strings.Index(format, prefix)
		if i < 0 {
			f.parts = append(f.parts, logPart{lit: format})
			break
		}
		if i > 0 {
			f.parts = append(f.parts, logPart{lit: format[:i]})
		}
		rest := format[i+len(prefix):]
		n := 0
		for n < len(rest) && isVariableByte(rest[n]) {
			n++
		}
		name := strings.TrimRight(rest[:n], ".") // "$context.status." ends a sentence
		if name == "" {
			f.parts = append(f.parts, logPart{lit: prefix})
			format = rest
			continue
		}
		if !knownAccessLogVariable(name) {
			unknown = append(unknown, prefix+name)
		}
		f.parts = append(f.parts, logPart{variable: name})
		format = rest[len(name):]
	}
	return f, unknown
}

func isVariableByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-'
}

func knownAccessLogVariable(name string) bool {
	if accessLogVariables[name] {
		return true
	}
	for _, f := range accessLogFamilies {
		if strings.HasPrefix(name, f) && len(name) > len(f) {
			return true
		}
	}
	return false
}

// render appends the line for x, with its newline.
func (f *stageLogFormat) render(dst []byte, x *exchange, now time.Time) []byte {
	for _, p := range f.parts {
		if p.variable == "" {
			dst = append(dst, p.lit...)
			continue
		}
		if v, ok := accessLogValue(x, p.variable, now); ok {
			dst = append(dst, v...)
		} else {
			dst = append(dst, '-')
		}
	}
	return append(dst, '\n')
}

// accessLogValue is a variable's value at the end of x: what the phases learned (the request context),
// and what only the finished exchange knows (status, length, latencies, the gateway error).
func accessLogValue(x *exchange, name string, now time.Time) (string, bool) {
	ms := func(d time.Duration) string { return strconv.FormatInt(d.Milliseconds(), 10) }
	switch name {
	case "status":
		return strconv.Itoa(x.w.status), x.w.status != 0
	case "responseLength":
		return strconv.FormatInt(x.w.written, 10), true
	case "responseLatency":
		return ms(now.Sub(x.start)), true
	case "integrationLatency", "integration.latency":
		return ms(x.integ), x.integ > 0
	case "error.message", "error.messageString", "error.responseType", "error.validationErrorString":
		if x.trace.ended == nil || x.trace.ended.Error == nil {
			return "", false
		}
		e := x.trace.ended.Error
		switch name {
		case "error.responseType":
			return string(e.Type), true
		case "error.validationErrorString":
			return e.ValidationError, e.ValidationError != ""
		case "error.messageString":
			return strconv.Quote(errorMessage(e.Type, e.Message)), true
		}
		return errorMessage(e.Type, e.Message), true
	case "xrayTraceId":
		return x.traceID, x.traceID != ""
	}
	return x.ctx.Value(name)
}

// stageLogs writes stages' access log lines to their files, opened once and kept across reloads.
type stageLogs struct {
	mu     sync.Mutex
	files  map[string]io.Writer
	failed map[string]bool
}

func (s *stageLogs) write(g *Gateway, dest string, line []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	w, ok := s.files[dest]
	if !ok {
		switch dest {
		case "stderr":
			w = os.Stderr
		default:
			f, err := os.OpenFile(dest, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
			if err != nil {
				if !s.failed[dest] && g.log != nil {
					g.log.writeLine([]byte(fmt.Sprintf("apigw-local: access log %s cannot be written: %v; its lines are dropped\n", dest, err)))
				}
				if s.failed == nil {
					s.failed = map[string]bool{}
				}
				s.failed[dest] = true
				return
			}
			w = f
		}
		if s.files == nil {
			s.files = map[string]io.Writer{}
		}
		s.files[dest] = w
	}
	_, _ = w.Write(line)
}

// close closes the files.
func (s *stageLogs) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for dest, w := range s.files {
		if c, ok := w.(io.Closer); ok && dest != "stderr" {
			_ = c.Close()
		}
	}
	s.files = nil
}

// errorMessage is $context.error.message: the gateway error's message, else its type's default.
func errorMessage(t gatewayresponse.Type, msg string) string {
	if msg != "" {
		return msg
	}
	return gatewayresponse.DefaultFor(t).Message
}
