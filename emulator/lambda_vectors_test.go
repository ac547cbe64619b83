package emulator

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apigw-local/apigw-local/internal/testcorpus"
	"github.com/aws/aws-lambda-go/lambda"
)

// End-to-end reproduction of lambda-proxy.json and of the Lambda rows of integrations.json
// (internal/testcorpus) over real HTTP, with real aws-lambda-go processes behind the gateway
// (the fixtures of ../fixtures/lambdas) unless a case says otherwise, plus the failure modes of reference
// §c: crashes, panics, function and integration timeouts, an external runtime and the concurrency cap.

// ---- vectors ------------------------------------------------------------------------------------------

// lvVector is one vector of lambda-proxy.json or integrations.json, its input kept raw: the two files
// shape their inputs differently.
type lvVector struct {
	ID       string                     `json:"id"`
	Input    json.RawMessage            `json:"input"`
	Expected map[string]json.RawMessage `json:"expected"`
}

func lvLoad(t *testing.T, file string) map[string]lvVector {
	t.Helper()
	data := testcorpus.Vectors(file)
	var doc struct {
		Vectors []lvVector `json:"vectors"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	out := map[string]lvVector{}
	for _, v := range doc.Vectors {
		out[v.ID] = v
	}
	return out
}

// lvIDs returns the ids with one of the prefixes, sorted.
func lvIDs(vs map[string]lvVector, prefixes ...string) []string {
	var ids []string
	for id := range vs {
		for _, p := range prefixes {
			if strings.HasPrefix(id, p) {
				ids = append(ids, id)
				break
			}
		}
	}
	sort.Strings(ids)
	return ids
}

// lvClientRequest is a vector's input.client_request.
type lvClientRequest struct {
	Method          string            `json:"method"`
	URLPathAndQuery string            `json:"url_path_and_query"` // the v1-event-* vectors
	Path            string            `json:"path"`               // the others
	Headers         map[string]string `json:"headers"`
	Body            *string           `json:"body"`
}

func lvClient(t *testing.T, input json.RawMessage) lvClientRequest {
	t.Helper()
	var in struct {
		ClientRequest lvClientRequest `json:"client_request"`
	}
	if err := json.Unmarshal(input, &in); err != nil {
		t.Fatalf("input: %v", err)
	}
	return in.ClientRequest
}

// lvURI is the integration URI of the Lambda function fn.
func lvURI(fn string) string {
	return q("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:" + fn + "/invocations")
}

// ---- raw HTTP ----------------------------------------------------------------------------------------

// lvWire is a response as it was on the wire: header names exactly as the gateway spelled them (Go's
// client would canonicalise "tesT-Multi" and "x-amzn-RequestId"), one entry per header line.
type lvWire struct {
	status int
	header [][2]string
	body   []byte
}

// values returns the values of the header lines named name, matched case-insensitively.
func (w lvWire) values(name string) []string {
	var vs []string
	for _, h := range w.header {
		if strings.EqualFold(h[0], name) {
			vs = append(vs, h[1])
		}
	}
	return vs
}

// exact returns the values of the header lines spelled exactly name.
func (w lvWire) exact(name string) []string {
	var vs []string
	for _, h := range w.header {
		if h[0] == name {
			vs = append(vs, h[1])
		}
	}
	return vs
}

// lvSend sends one request byte for byte over a new connection to the gateway at gwURL (the request
// target as given, so "//stage/x", "%2B" and "+" arrive unchanged; Host as given) and reads the final
// response (1xx ones are skipped). A Connection: close header is added unless headers has one, so that
// the response ends with the connection.
func lvSend(t *testing.T, gwURL, method, target, host string, headers [][2]string, body string) lvWire {
	t.Helper()
	w, err := lvSendErr(gwURL, method, target, host, headers, body)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func lvSendErr(gwURL, method, target, host string, headers [][2]string, body string) (lvWire, error) {
	addr := strings.TrimPrefix(gwURL, "http://")
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return lvWire{}, err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(15 * time.Second))
	if host == "" {
		host = addr
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: %s\r\n", method, target, host)
	hasConnection := false
	for _, h := range headers {
		hasConnection = hasConnection || strings.EqualFold(h[0], "Connection")
		fmt.Fprintf(&b, "%s: %s\r\n", h[0], h[1])
	}
	if !hasConnection {
		b.WriteString("Connection: close\r\n")
	}
	b.WriteString("\r\n")
	b.WriteString(body)
	if _, err := io.WriteString(c, b.String()); err != nil {
		return lvWire{}, err
	}
	data, err := io.ReadAll(c)
	if err != nil && len(data) == 0 {
		return lvWire{}, fmt.Errorf("reading the response: %v", err)
	}
	for {
		end := bytes.Index(data, []byte("\r\n\r\n"))
		if end < 0 {
			return lvWire{}, fmt.Errorf("no complete response head in %q", data)
		}
		lines := strings.Split(string(data[:end]), "\r\n")
		data = data[end+4:]
		fields := strings.SplitN(lines[0], " ", 3)
		if len(fields) < 2 {
			return lvWire{}, fmt.Errorf("bad status line %q", lines[0])
		}
		status, err := strconv.Atoi(fields[1])
		if err != nil {
			return lvWire{}, fmt.Errorf("bad status line %q", lines[0])
		}
		if status < 200 {
			continue // 100 Continue
		}
		w := lvWire{status: status}
		for _, l := range lines[1:] {
			k, v, _ := strings.Cut(l, ":")
			w.header = append(w.header, [2]string{k, strings.TrimSpace(v)})
		}
		switch {
		case len(w.values("Transfer-Encoding")) > 0:
			w.body, err = io.ReadAll(httputil.NewChunkedReader(bytes.NewReader(data)))
			if err != nil {
				return lvWire{}, fmt.Errorf("chunked body: %v", err)
			}
		case len(w.values("Content-Length")) > 0:
			n, _ := strconv.Atoi(w.values("Content-Length")[0])
			if n > len(data) {
				return lvWire{}, fmt.Errorf("body of %d bytes, Content-Length %d", len(data), n)
			}
			w.body = data[:n]
		default:
			w.body = data
		}
		return w, nil
	}
}

// lvPythonRequest turns a vector's client request into what went on the wire: the vectors were recorded
// with python-requests, which adds User-Agent, Accept-Encoding, Accept and Connection unless the test
// set them (the recorded events show "Accept: */*" and "Accept-Encoding: gzip, deflate" that no vector
// lists), drops a "#fragment" and percent-encodes a space in the URL (requote_uri).
func lvPythonRequest(cr lvClientRequest) (target string, headers [][2]string, body string) {
	target = cr.URLPathAndQuery
	if target == "" {
		target = cr.Path
	}
	target, _, _ = strings.Cut(target, "#")
	target = strings.ReplaceAll(target, " ", "%20")
	// Connection is dropped before the Lambda (REC v1-event-headers-dropped): "close" instead of
	// python's "keep-alive" changes nothing the event shows.
	defaults := [][2]string{{"User-Agent", "python-requests/2.32.3"}, {"Accept-Encoding", "gzip, deflate"}, {"Accept", "*/*"}, {"Connection", "close"}}
	for _, d := range defaults {
		overridden := false
		for k := range cr.Headers {
			overridden = overridden || strings.EqualFold(k, d[0])
		}
		if !overridden {
			headers = append(headers, d)
		}
	}
	names := make([]string, 0, len(cr.Headers))
	for k := range cr.Headers {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		headers = append(headers, [2]string{k, cr.Headers[k]})
	}
	if cr.Body != nil {
		body = *cr.Body
		headers = append(headers, [2]string{"Content-Length", strconv.Itoa(len(body))})
	}
	return target, headers, body
}

// ---- placeholder-aware comparison ---------------------------------------------------------------------

var (
	lvPlaceholderRE = regexp.MustCompile(`^<([^<>]+)>$`)
	lvUUIDRE        = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
)

// lvBinder remembers what the numbered placeholders of one recording session stood for. LocalStack's
// snapshot tool numbers values per session: <uuid:1> is one value everywhere, and <uuid:1> and <uuid:2>
// are different values (each request has its own id). Unnumbered placeholders (<request-time>,
// <X-Forwarded-For>, <api-id>) are key transformers: one value within one event only.
type lvBinder struct {
	bound map[string]string // placeholder -> the JSON of its value
	owner map[string]string // kind + "\x00" + value JSON -> placeholder, for numbered ones
}

func newLVBinder() *lvBinder {
	return &lvBinder{bound: map[string]string{}, owner: map[string]string{}}
}

// lvMatcher compares one expected value with what the gateway produced: every expected key present,
// with the same nullness and the same value where the vector has a literal; a placeholder matches any
// value of its shape, consistently; keys the vector does not have are errors.
type lvMatcher struct {
	session *lvBinder
	local   map[string]string // unnumbered placeholders of this event
	// skipHeader names headers excluded from the comparison (for both maps of headers).
	skipHeader func(name string) bool
	errs       []string
	casing     map[string]bool // header names matched only through Go's canonical spelling
}

func newLVMatcher(session *lvBinder, skipHeader func(string) bool) *lvMatcher {
	if skipHeader == nil {
		skipHeader = func(string) bool { return false }
	}
	return &lvMatcher{session: session, local: map[string]string{}, skipHeader: skipHeader, casing: map[string]bool{}}
}

func (m *lvMatcher) fail(path, format string, args ...any) {
	m.errs = append(m.errs, path+": "+fmt.Sprintf(format, args...))
}

func lvShow(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func lvDecode(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, errors.New("text after the JSON value")
	}
	return v, nil
}

func (m *lvMatcher) match(path string, want, got any) {
	if s, ok := want.(string); ok {
		if p := lvPlaceholderRE.FindStringSubmatch(s); p != nil {
			m.placeholder(path, p[1], got)
			return
		}
	}
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if s, isString := got.(string); isString {
			// The snapshot tool parsed JSON found in strings (the event's body): compare the string's JSON.
			if parsed, err := lvDecode([]byte(s)); err == nil {
				g, ok = parsed.(map[string]any)
			}
		}
		if !ok {
			m.fail(path, "got %s, want an object", lvShow(got))
			return
		}
		headers := strings.HasSuffix(path, ".headers") || strings.HasSuffix(path, ".multiValueHeaders")
		seen := map[string]bool{}
		for k, wv := range w {
			if headers && m.skipHeader(k) {
				continue
			}
			gk := k
			if _, present := g[k]; !present && headers {
				// Go's HTTP server canonicalises request header names as it parses them ("tEsT-HEADeR" ->
				// "Test-Header", "foobar" -> "Foobar"): the client's spelling never reaches the gateway.
				if c := http.CanonicalHeaderKey(k); c != k {
					if _, present := g[c]; present {
						gk = c
						m.casing[k+" -> "+c] = true
					}
				}
			}
			gv, present := g[gk]
			if !present {
				m.fail(path, "missing key %q", k)
				continue
			}
			seen[gk] = true
			m.match(path+"."+k, wv, gv)
		}
		for k, gv := range g {
			if !seen[k] && !(headers && m.skipHeader(k)) {
				m.fail(path, "unexpected key %q = %s", k, lvShow(gv))
			}
		}
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			m.fail(path, "got %s, want %s", lvShow(got), lvShow(want))
			return
		}
		for i := range w {
			m.match(fmt.Sprintf("%s[%d]", path, i), w[i], g[i])
		}
	case json.Number:
		g, ok := got.(json.Number)
		if !ok || g.String() != w.String() {
			m.fail(path, "got %s, want %s", lvShow(got), w)
		}
	default: // nil, bool, string
		if want != got {
			m.fail(path, "got %s, want %s", lvShow(got), lvShow(want))
		}
	}
}

func (m *lvMatcher) placeholder(path, name string, got any) {
	if list, ok := got.([]any); ok && len(list) == 1 && strings.Contains(path, ".multiValueHeaders.") {
		// Vector note: the transformer replaced the one-element lists of multiValueHeaders.X-Forwarded-*.
		got = list[0]
	}
	switch {
	case name == "request-time-epoch": // vector note: "requestTimeEpoch is a number"
		n, ok := got.(json.Number)
		if _, err := n.Int64(); !ok || err != nil {
			m.fail(path, "<%s>: got %s, want an integer number of milliseconds", name, lvShow(got))
			return
		}
	case name == "request-time":
		s, _ := got.(string)
		if _, err := time.Parse("02/Jan/2006:15:04:05 -0700", s); err != nil || !strings.HasSuffix(s, " +0000") {
			m.fail(path, "<%s>: got %s, want dd/MMM/yyyy:HH:mm:ss +0000", name, lvShow(got))
			return
		}
	case strings.HasPrefix(name, "uuid"):
		if s, _ := got.(string); !lvUUIDRE.MatchString(s) {
			m.fail(path, "<%s>: got %s, want a UUID", name, lvShow(got))
			return
		}
	default:
		if s, ok := got.(string); !ok || s == "" {
			m.fail(path, "<%s>: got %s, want a non-empty string", name, lvShow(got))
			return
		}
	}
	value := lvShow(got)
	bound := m.local
	kind, _, numbered := strings.Cut(name, ":")
	if numbered {
		bound = m.session.bound
	}
	if prev, ok := bound[name]; ok && prev != value {
		m.fail(path, "<%s> is %s here but %s elsewhere", name, value, prev)
		return
	}
	bound[name] = value
	if numbered {
		key := kind + "\x00" + value
		if other, ok := m.session.owner[key]; ok && other != name {
			m.fail(path, "<%s> and <%s> are the same value %s; the recording has two", name, other, value)
			return
		}
		m.session.owner[key] = name
	}
}

// ---- 1. the event: v1-event-* -------------------------------------------------------------------------

// lvEchoSpec serves the echo fixture, as the vectors' Lambda (which returned {statusCode: 200, body:
// json.dumps(event)}), on resources.
func lvEchoSpec(title string, resources string) string {
	return `openapi: "3.0.1"
info: {title: ` + title + `, version: "1"}
paths:
` + resources
}

// lvAnyProxy is an ANY method with an AWS_PROXY integration to fn on resource path, plus extra
// integration lines.
func lvAnyProxy(path, fn, extra string) string {
	return "  " + q(path) + ":\n    x-amazon-apigateway-any-method:\n      x-amazon-apigateway-integration:\n" +
		"        type: aws_proxy\n        httpMethod: POST\n        uri: " + lvURI(fn) + "\n" + extra
}

// edgeOnlyHeader: CloudFront adds these in front of an EDGE API (vector note: "CloudFront-* and
// Via/X-Amz-Cf-Id appear because the API is EDGE"); a local gateway has no CloudFront hop.
func edgeOnlyHeader(name string) bool {
	l := strings.ToLower(name)
	return strings.HasPrefix(l, "cloudfront-") || l == "via" || l == "x-amz-cf-id"
}

// lvEventSetup is one recorded deployment and the vectors recorded against it.
type lvEventSetup struct {
	name      string   // the LocalStack test the vectors come from
	ids       []string // its vectors, in recording order (placeholders are numbered in that order)
	resources string   // the spec's paths
	stage     string   // the stage the vector's URL names ("" when the vector gives the path only)
	edge      bool     // recorded on an EDGE API: CloudFront's headers are excluded
}

func TestLambdaProxyEventVectors(t *testing.T) {
	t.Parallel()
	vs := lvLoad(t, "lambda-proxy.json")
	if len(vs) != 42 {
		t.Errorf("%d vectors in lambda-proxy.json, want 42", len(vs))
	}
	setups := []lvEventSetup{
		{
			name: "test_lambda_aws_proxy_integration",
			ids: []string{"v1-event-without-trailing-slash", "v1-event-with-trailing-slash", "v1-event-with-double-slash",
				"v1-event-with-prepended-slash-to-stage", "v1-event-with-prepended-slash",
				"v1-event-without-trailing-slash-and-query-params", "v1-event-with-trailing-slash-and-query-params",
				"v1-event-with-path-encoded-email", "v1-event-with-params-encoding", "v1-event-with-params-encoding-multi",
				"v1-event-hardcoded"},
			// "resources /{proxy+} and /hardcoded, both ANY -> AWS_PROXY Lambda"
			resources: lvAnyProxy("/{proxy+}", "Echo", "") + lvAnyProxy("/hardcoded", "Echo", ""),
			stage:     "stage",
			edge:      true,
		},
		{
			name: "test_aws_proxy_integration_request_parameters (requestParameters are ignored)",
			ids:  []string{"v1-event-requestparameters-ignored"},
			resources: lvAnyProxy("/{pathVariable}", "Echo", `        requestParameters:
          integration.request.header.headerVar: method.request.header.foobar
          integration.request.path.qsVar: method.request.querystring.testVar
          integration.request.path.pathVar: method.request.path.pathVariable
          integration.request.querystring.queryString: method.request.querystring.testQueryString
          integration.request.querystring.testQs: method.request.querystring.testQueryString
          integration.request.querystring.testEmptyQs: method.request.header.emptyheader
`),
			stage: "test",
			edge:  true,
		},
		{
			name: "test_apigateway_header_remapping_aws[AWS_PROXY] (REGIONAL)",
			ids:  []string{"v1-event-headers-dropped"},
			resources: "  /no-param:\n    get:\n      x-amazon-apigateway-integration:\n        type: aws_proxy\n" +
				"        httpMethod: POST\n        uri: " + lvURI("Echo") + "\n",
			stage: "", // not recorded: the vector's path is below the stage
		},
	}
	covered := map[string]bool{}
	for _, s := range setups {
		for _, id := range s.ids {
			if _, ok := vs[id]; !ok {
				t.Fatalf("vector %s is not in lambda-proxy.json", id)
			}
			covered[id] = true
		}
	}
	for _, id := range lvIDs(vs, "v1-event-") {
		if !covered[id] {
			t.Errorf("vector %s has no end-to-end case: add it to a setup", id)
		}
	}

	echo := fixture(t, "echo")
	for _, s := range setups {
		stage := s.stage
		if stage == "" {
			stage = "dev"
		}
		// accountId: the recording's account (requestContext.accountId is a literal in the vectors).
		cfg := fmt.Sprintf("accountId: \"111111111111\"\nstages:\n  %s: {}\nfunctions:\n  Echo: {command: [%q]}\n", stage, echo)
		gw, g := newGateway(t, lvEchoSpec("proxy-events", s.resources), cfg)
		t.Cleanup(func() { g.Close() })
		// Callers reach an API by {apiId}.execute-api.<domain>; the recorded Host was AWS's own domain, so
		// only its consistency (Host header = domainName, apiId = domainPrefix) is checked, not its value.
		host := g.Snapshot().APIs[0].ID + ".execute-api.localhost"
		session := newLVBinder()
		for _, id := range s.ids {
			t.Run(id, func(t *testing.T) {
				v := vs[id]
				cr := lvClient(t, v.Input)
				if s.stage == "" {
					cr.Path = "/" + stage + cr.Path
				}
				target, headers, body := lvPythonRequest(cr)
				if id == "v1-event-headers-dropped" {
					// The same request as vtl-templates.json#input-params-header-visibility, in LocalStack's
					// order; Transfer-Encoding: chunked is sent, so the empty body is chunked.
					if len(cr.Headers) != len(headerVisibilityRequest) {
						t.Fatalf("the vector sends %d headers, headerVisibilityRequest %d", len(cr.Headers), len(headerVisibilityRequest))
					}
					for _, h := range headerVisibilityRequest {
						if cr.Headers[h[0]] != h[1] {
							t.Fatalf("header %s: vector %q, headerVisibilityRequest %q", h[0], cr.Headers[h[0]], h[1])
						}
					}
					headers, body = headerVisibilityRequest, "0\r\n\r\n"
				}
				w := lvSend(t, gw.URL, cr.Method, target, host, headers, body)
				want := 200 // the echo's statusCode; the vectors that record a status say 200 too
				if _, ok := v.Expected["status"]; ok {
					want = lvExpectedStatus(t, v)
				}
				if w.status != want {
					t.Fatalf("status %d, want %d: %s", w.status, want, w.body)
				}
				got, err := lvDecode(w.body)
				if err != nil {
					t.Fatalf("the echo's body is not the event (%v): %s", err, w.body)
				}
				var skip func(string) bool
				if s.edge {
					skip = edgeOnlyHeader
				}
				m := newLVMatcher(session, skip)
				if raw, ok := v.Expected["lambda_event"]; ok {
					want, err := lvDecode(raw)
					if err != nil {
						t.Fatal(err)
					}
					m.match("event", want, got)
					lvCheckRequestTime(t, got)
				} else {
					// Only the event's headers and body were recorded.
					want, _ := lvDecode(v.Expected["event_headers"])
					ev, _ := got.(map[string]any)
					m.match("event.headers", want, ev["headers"])
					wantBody, _ := lvDecode(v.Expected["event_body"])
					m.match("event.body", wantBody, ev["body"])
					lvCheckClientHeaders(t, v.Expected["client_response_headers"], w, nil)
				}
				for _, e := range m.errs {
					t.Error(e)
				}
				for c := range m.casing {
					t.Logf("excluded: header-name casing %s (Go's HTTP server canonicalises request header names)", c)
				}
				if t.Failed() {
					t.Logf("request: %s %s %q\nevent: %s", cr.Method, target, headers, w.body)
				}
			})
		}
	}
}

// lvCheckRequestTime: requestTime and requestTimeEpoch are one instant.
func lvCheckRequestTime(t *testing.T, event any) {
	t.Helper()
	ev, _ := event.(map[string]any)
	rc, _ := ev["requestContext"].(map[string]any)
	s, _ := rc["requestTime"].(string)
	n, _ := rc["requestTimeEpoch"].(json.Number)
	at, err1 := time.Parse("02/Jan/2006:15:04:05 -0700", s)
	ms, err2 := n.Int64()
	if err1 != nil || err2 != nil || at.Unix() != ms/1000 {
		t.Errorf("requestTime %q and requestTimeEpoch %s are not the same instant", s, n)
	}
	if d := time.Since(time.UnixMilli(ms)); d < 0 || d > time.Minute {
		t.Errorf("requestTimeEpoch %d is %v from now", ms, d)
	}
}

// cloudFrontResponseHeaders are added to responses by CloudFront in front of an EDGE API; a local
// gateway has no CloudFront hop.
var cloudFrontResponseHeaders = map[string]bool{"Via": true, "X-Amz-Cf-Id": true, "X-Amz-Cf-Pop": true, "X-Cache": true}

// lvCheckClientHeaders compares the response headers on the wire with a recorded set, names spelled
// exactly as recorded: every recorded header present (placeholders match any value, Content-Length is
// the length of this body), none that the recording lacks. Connection is the client's connection
// handling (these requests close theirs), and CloudFront's headers are excluded.
func lvCheckClientHeaders(t *testing.T, raw json.RawMessage, w lvWire, also map[string]string) {
	t.Helper()
	var want map[string]string
	if err := json.Unmarshal(raw, &want); err != nil {
		t.Fatalf("client headers: %v", err)
	}
	for k, v := range also {
		want[k] = v
	}
	bound := map[string]string{}
	for name, v := range want {
		if cloudFrontResponseHeaders[name] || name == "Connection" {
			continue
		}
		lines := w.exact(name)
		if len(lines) == 0 {
			t.Errorf("response header %q: not on the wire (names exactly: %q), want %q", name, w.header, v)
			continue
		}
		// The recording client (python-requests) joined repeated header lines with ", ": a
		// multiValueHeaders entry is several lines on the wire (as Set-Cookie needs), one value there.
		got := strings.Join(lines, ", ")
		switch {
		case name == "Content-Length":
			v = strconv.Itoa(len(w.body))
		case name == "x-amzn-RequestId" && !lvUUIDRE.MatchString(got):
			t.Errorf("x-amzn-RequestId %q is not a UUID", got)
		}
		if !matchPlaceholders(got, v, bound) {
			t.Errorf("response header %s = %q, want %q", name, got, v)
		}
	}
	for _, h := range w.header {
		if _, ok := want[h[0]]; !ok && h[0] != "Connection" {
			t.Errorf("response header %s: %s, which the recording does not have", h[0], h[1])
		}
	}
}

// ---- 2. the response: v1-response-*, v1-binary-response-*, v1-integration-method-get-fails ------------

const lvInternal = `{"message": "Internal server error"}`

func TestLambdaProxyResponseVectors(t *testing.T) {
	t.Parallel()
	vs := lvLoad(t, "lambda-proxy.json")
	ids := lvIDs(vs, "v1-response-", "v1-binary-response-", "v1-integration-method-get-fails")
	if len(ids) != 27 {
		t.Errorf("%d response vectors, want 27 (19 v1-response, 7 binary, 1 method-get)", len(ids))
	}
	for _, id := range ids {
		t.Run(id, func(t *testing.T) {
			v := vs[id]
			var in struct {
				Returns          json.RawMessage `json:"lambda_returns"`
				BinaryMediaTypes []string        `json:"binaryMediaTypes"`
				DeployedAPI      string          `json:"deployed_api"`
			}
			if err := json.Unmarshal(v.Input, &in); err != nil {
				t.Fatal(err)
			}
			cr := lvClient(t, v.Input)

			// The function: the recorded result as raw JSON, in process (the response contract is the
			// gateway's; the function only has to hand its bytes over).
			var calls atomic.Int32
			var handler any = func() (json.RawMessage, error) { calls.Add(1); return in.Returns, nil }
			integrationMethod := "POST"
			switch id {
			case "v1-response-empty-response":
				// "(Lambda raised an exception - see notes)": the recorded function raised in
				// json.loads(None); an unhandled function error.
				handler = func() (json.RawMessage, error) {
					calls.Add(1)
					return nil, errors.New("the JSON object must be str, bytes or bytearray, not NoneType")
				}
			case "v1-integration-method-get-fails":
				// "AWS_PROXY with integrationHttpMethod GET": the function must not be called.
				integrationMethod = "GET"
				handler = func() (json.RawMessage, error) { calls.Add(1); return json.RawMessage(`{"statusCode": 200}`), nil }
			}

			var spec strings.Builder
			spec.WriteString("openapi: \"3.0.1\"\ninfo: {title: proxy-responses, version: \"1\"}\n")
			if len(in.BinaryMediaTypes) > 0 {
				spec.WriteString("x-amazon-apigateway-binary-media-types: [")
				for i, b := range in.BinaryMediaTypes {
					if i > 0 {
						spec.WriteString(", ")
					}
					spec.WriteString(q(b))
				}
				spec.WriteString("]\n")
			}
			if strings.Contains(in.DeployedAPI, "INTEGRATION_FAILURE gateway response put without statusCode") {
				// LocalStack's test puts an INTEGRATION_FAILURE gateway response with responseParameters {}
				// and no statusCode; AWS still answers 500.
				spec.WriteString("x-amazon-apigateway-gateway-responses:\n  INTEGRATION_FAILURE: {responseParameters: {}}\n")
			}
			spec.WriteString("paths:\n  /{proxy+}:\n    x-amazon-apigateway-any-method:\n      x-amazon-apigateway-integration:\n")
			spec.WriteString("        type: aws_proxy\n        httpMethod: " + integrationMethod + "\n        uri: " + lvURI("Result") + "\n")
			gw, g := newGateway(t, spec.String(), vectorStageConfig)
			t.Cleanup(func() { g.Close() })
			g.RegisterHandler("Result", lambda.NewHandler(handler))

			// The path: "/test/test" names the stage test; the other vectors give the path below the stage
			// or none (binary: "POST" only).
			path := cr.Path
			switch {
			case path == "":
				path = "/test/binary"
			case !strings.HasPrefix(path, "/test/"):
				path = "/test" + path
			}
			method := cr.Method
			if method == "" {
				method = "POST"
			}
			var headers [][2]string
			for k, hv := range cr.Headers {
				headers = append(headers, [2]string{k, hv})
			}
			w := lvSend(t, gw.URL, method, path, "", headers, "")

			if want := lvExpectedStatus(t, v); w.status != want {
				t.Errorf("status %d, want %d (body %q)", w.status, want, w.body)
			}
			var wantBody string
			if err := json.Unmarshal(v.Expected["client_body"], &wantBody); err != nil {
				// An object: AWS's error body, byte for byte.
				if want, _ := lvDecode(v.Expected["client_body"]); lvShow(want) != lvShow(map[string]any{"message": "Internal server error"}) {
					t.Fatalf("unexpected client_body %s", v.Expected["client_body"])
				}
				wantBody = lvInternal
			}
			var returns struct {
				Body    string            `json:"body"`
				Headers map[string]string `json:"headers"`
			}
			_ = json.Unmarshal(in.Returns, &returns)
			switch wantBody {
			case "the base64 text unchanged":
				wantBody = returns.Body
			case "decoded PNG bytes":
				b, err := base64.StdEncoding.DecodeString(returns.Body)
				if err != nil {
					t.Fatal(err)
				}
				wantBody = string(b)
			}
			if string(w.body) != wantBody {
				t.Errorf("body %q, want %q", w.body, wantBody)
			}
			if strings.HasPrefix(id, "v1-binary-response-") {
				// The function's own headers reach the client as it set them.
				for k, hv := range returns.Headers {
					if got := w.exact(k); len(got) != 1 || got[0] != hv {
						t.Errorf("response header %s: %q, want %q", k, got, hv)
					}
				}
			}
			if raw, ok := v.Expected["client_headers"]; ok {
				lvCheckClientHeaders(t, raw, w, nil)
			}
			if raw, ok := v.Expected["headers_include"]; ok {
				var hs map[string]string
				_ = json.Unmarshal(raw, &hs)
				for k, hv := range hs {
					if got := w.exact(k); len(got) != 1 || got[0] != hv {
						t.Errorf("response header %s: %q, want %q", k, got, hv)
					}
				}
			}
			wantCalls := int32(1)
			if integrationMethod != "POST" {
				wantCalls = 0
			}
			if n := calls.Load(); n != wantCalls {
				t.Errorf("the function ran %d times, want %d", n, wantCalls)
			}
			if t.Failed() {
				t.Logf("response: %d %q %q", w.status, w.header, w.body)
			}
		})
	}
}

func lvExpectedStatus(t *testing.T, v lvVector) int {
	t.Helper()
	var n int
	if err := json.Unmarshal(v.Expected["status"], &n); err != nil {
		t.Fatalf("expected.status: %v", err)
	}
	return n
}

// ---- 3. AWS (non-proxy) Lambda integrations: integrations.json ----------------------------------------

// lvSelectionTemplate stands in for the vector's function ("'200' -> return 'Pass'; '400' -> raise
// Exception('Error: Raising four hundred ...'); '500' -> raise Exception('Error: Raising five hundred
// ...')") with the fixtures: the template gives the echo fixture "Pass" to return, or the fail fixture
// the message to fail with.
const lvSelectionTemplate = `#set($code = $input.params('statusCode'))
#if($code == '200')"Pass"#elseif($code == '400'){"message": "Error: Raising four hundred from within the Lambda function"}#else{"message": "Error: Raising five hundred from within the Lambda function"}#end`

func TestLambdaIntegrationVectors(t *testing.T) {
	t.Parallel()
	vs := lvLoad(t, "integrations.json")
	// The vector's resource /{statusCode} with its four integration responses, in the recorded order (the
	// empty pattern is the default). Its stage variable picks the fixture: stage ok -> echo, err -> fail.
	spec := `openapi: "3.0.1"
info: {title: lambda-custom, version: "1"}
paths:
  /{statusCode}:
    get:
      parameters: [{name: statusCode, in: path, required: true, schema: {type: string}}]
      x-amazon-apigateway-integration:
        type: aws
        httpMethod: POST
        uri: ` + lvURI("${stageVariables.fn}") + `
        requestTemplates:
          application/json: ` + q(lvSelectionTemplate) + `
        responses:
          default: {statusCode: "200"}
          ".*four hundred.*": {statusCode: "405"}
          ".+": {statusCode: "502"}
          "200": {statusCode: "504"}
  /test:
    post:
      x-amazon-apigateway-integration:
        type: aws
        httpMethod: POST
        uri: ` + lvURI("Echo") + `
        responses:
          default: {statusCode: "200"}
`
	cfg := fmt.Sprintf(`stages:
  ok: {variables: {fn: Echo}}
  err: {variables: {fn: Fail}}
functions:
  Echo: {command: [%q]}
  Fail: {command: [%q]}
`, fixture(t, "echo"), fixture(t, "fail"))
	gw, g := newGateway(t, spec, cfg)
	t.Cleanup(func() { g.Close() })

	cases := []struct {
		id     string // the vector; "" for a case of this test's own
		path   string // stage and path
		method string
		header map[string]string
		body   string
		// for the cases of this test's own:
		status int
		json   string
	}{
		{id: "lambda-selection-pattern-200", path: "/ok/200", method: "GET"},
		{id: "lambda-selection-pattern-400", path: "/err/400", method: "GET"},
		{id: "lambda-selection-pattern-500", path: "/err/500", method: "GET"},
		// "No Content-Type sent; body passes through to Lambda as the event and the Lambda result passes back."
		{id: "lambda-aws-passthrough", path: "/ok/test", method: "POST", body: `{"message": "hello world"}`},
		// A success whose text matches a selection pattern is still the default response: patterns are
		// matched against a function error's errorMessage only (reference §c).
		{path: "/ok/400", method: "GET", status: 200, json: `{"message": "Error: Raising four hundred from within the Lambda function"}`},
	}
	for _, c := range cases {
		name := c.id
		if name == "" {
			name = "success-never-matches-" + strings.TrimPrefix(c.path, "/ok/")
		}
		t.Run(name, func(t *testing.T) {
			r := do(t, c.method, gw.URL+c.path, c.header, c.body)
			if c.id == "" {
				if r.status != c.status {
					t.Errorf("status %d, want %d: %s", r.status, c.status, r.body)
				}
				assertJSONBody(t, r.body, []byte(c.json))
				return
			}
			v, ok := vs[c.id]
			if !ok {
				t.Fatalf("vector %s is not in integrations.json", c.id)
			}
			if want := lvExpectedStatus(t, v); r.status != want {
				t.Errorf("status %d, want %d: %s", r.status, want, r.body)
			}
			want, err := lvDecode(v.Expected["client_body_json"])
			if err != nil {
				t.Fatal(err)
			}
			got, err := lvDecode(r.body)
			if err != nil {
				t.Fatalf("body is not JSON (%v): %q", err, r.body)
			}
			if wm, _ := want.(map[string]any); wm["errorMessage"] != nil {
				// The error object passes through. errorMessage is the function's; the rest is the shape
				// of the recorded Python runtime's error, which a Go runtime does not have: errorType is
				// the runtime's exception type ("Exception" there, "errorString" for aws-lambda-go), and
				// requestId and stackTrace are added by the Python runtime only.
				gm, _ := got.(map[string]any)
				if gm["errorMessage"] != wm["errorMessage"] {
					t.Errorf("errorMessage %v, want %v", gm["errorMessage"], wm["errorMessage"])
				}
				if s, _ := gm["errorType"].(string); s == "" {
					t.Errorf("errorType %v, want the runtime's error type", gm["errorType"])
				}
				for k := range gm {
					if _, recorded := wm[k]; !recorded {
						t.Errorf("error object key %q, which the recording does not have", k)
					}
				}
				return
			}
			m := newLVMatcher(newLVBinder(), nil)
			m.match("body", want, got)
			for _, e := range m.errs {
				t.Error(e)
			}
		})
	}
	for _, id := range lvIDs(vs, "lambda-") {
		found := false
		for _, c := range cases {
			found = found || c.id == id
		}
		if !found {
			t.Errorf("vector %s has no end-to-end case", id)
		}
	}
}

// ---- 4. crashes, panics and timeouts -----------------------------------------------------------------

// lvHelperEnv marks a copy of this test binary started as a Lambda runtime (see
// TestLambdaHelperRuntime).
const lvHelperEnv = "APIGW_TEST_LAMBDA_RUNTIME"

// TestLambdaHelperRuntime is not a test: run by a function whose command is this test binary, it is an
// aws-lambda-go runtime that reads a proxy event's ?ms= and sleeps that long, ignoring its deadline,
// before answering 200. The fixtures' sleep handler cannot do this behind AWS_PROXY: its "ms" would have
// to be a top-level key of the proxy event.
func TestLambdaHelperRuntime(t *testing.T) {
	if os.Getenv(lvHelperEnv) != "sleep-proxy" {
		t.Skip("only runs as a Lambda runtime process (TestLambdaFailureModes)")
	}
	lambda.Start(func(e struct {
		Query map[string]string `json:"queryStringParameters"`
	}) (map[string]any, error) {
		ms, _ := strconv.Atoi(e.Query["ms"])
		time.Sleep(time.Duration(ms) * time.Millisecond)
		return map[string]any{"statusCode": 200, "body": "slept " + strconv.Itoa(ms)}, nil
	})
}

func TestLambdaFailureModes(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	spec := `openapi: "3.0.1"
info: {title: lambda-failures, version: "1"}
paths:
` + lvAnyProxy("/exit", "Exit", "") + lvAnyProxy("/echo", "Echo", "") + lvAnyProxy("/panic", "Panic", "") +
		lvAnyProxy("/sleep-proxy", "SleepProxy", "") + `
  /sleep-custom:
    post:
      x-amazon-apigateway-integration:
        type: aws
        httpMethod: POST
        uri: ` + lvURI("SleepFn") + `
        requestTemplates: {application/json: '{"ms": 60000}'}
        responses: {default: {statusCode: "200"}}
  /sleep-integration:
    post:
      x-amazon-apigateway-integration:
        type: aws
        httpMethod: POST
        timeoutInMillis: 300
        uri: ` + lvURI("SleepLong") + `
        requestTemplates: {application/json: '{"ms": 60000}'}
        responses: {default: {statusCode: "200"}}
`
	cfg := fmt.Sprintf(`stages:
  dev: {}
functions:
  Exit: {command: [%q]}
  Echo: {command: [%q]}
  Panic: {command: [%q]}
  SleepFn: {command: [%q], timeout: 1s}
  SleepLong: {command: [%q], timeout: 5s}
  SleepProxy: {command: [%q, "-test.run=^TestLambdaHelperRuntime$"], env: {%s: sleep-proxy}, timeout: 1s}
`, fixture(t, "exit"), fixture(t, "echo"), fixture(t, "panic"), fixture(t, "sleep"), fixture(t, "sleep"), self, lvHelperEnv)
	gw, g := newGateway(t, spec, cfg)
	t.Cleanup(func() { g.Close() })
	jsonType := map[string]string{"Content-Type": "application/json"}

	cases := []struct {
		name    string
		method  string
		path    string
		header  map[string]string
		status  int
		body    string        // exact, or
		substr  string        // contained in the body
		atLeast time.Duration // the answer takes at least this long (the function ran into its timeout)
		atMost  time.Duration // and at most this long
	}{
		// The process exits mid-invocation (Runtime.ExitError): an unhandled function error, 502.
		{name: "exit", method: "GET", path: "/dev/exit", status: 502, body: lvInternal, atMost: 30 * time.Second},
		// Another function is unaffected, and the crashed one is started anew (and crashes again).
		{name: "echo after a crash", method: "GET", path: "/dev/echo", status: 200, substr: `"httpMethod":"GET"`, atMost: 30 * time.Second},
		{name: "exit again", method: "GET", path: "/dev/exit", status: 502, body: lvInternal, atMost: 30 * time.Second},
		// aws-lambda-go reports the panic, then the process exits.
		{name: "panic", method: "GET", path: "/dev/panic", status: 502, body: lvInternal, atMost: 30 * time.Second},
		{name: "panic again", method: "GET", path: "/dev/panic", status: 502, body: lvInternal, atMost: 30 * time.Second},
		{name: "echo after a panic", method: "GET", path: "/dev/echo", status: 200, substr: `"path":"/echo"`, atMost: 30 * time.Second},
		// Function timeout, AWS non-proxy: the timeout is a function error like any other; no pattern, so
		// the default integration response (200) carries the error JSON.
		{name: "function timeout, AWS", method: "POST", path: "/dev/sleep-custom", header: jsonType, status: 200,
			substr: "Task timed out after 1.00 seconds", atLeast: 900 * time.Millisecond, atMost: 30 * time.Second},
		// Function timeout, AWS_PROXY: a function error, 502. The control first: without the sleep, 200.
		{name: "proxy control", method: "GET", path: "/dev/sleep-proxy?ms=0", status: 200, body: "slept 0", atMost: 30 * time.Second},
		{name: "function timeout, AWS_PROXY", method: "GET", path: "/dev/sleep-proxy?ms=60000", status: 502, body: lvInternal,
			atLeast: 900 * time.Millisecond, atMost: 30 * time.Second},
		// Integration timeout (300 ms) before the function's (5 s): 504, at 300 ms.
		{name: "integration timeout", method: "POST", path: "/dev/sleep-integration", header: jsonType, status: 504,
			body: `{"message": "Endpoint request timed out"}`, atLeast: 250 * time.Millisecond, atMost: 30 * time.Second},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			body := ""
			if c.method == "POST" {
				body = "{}"
			}
			start := time.Now()
			r := do(t, c.method, gw.URL+c.path, c.header, body)
			took := time.Since(start)
			if r.status != c.status {
				t.Errorf("status %d, want %d: %s", r.status, c.status, r.body)
			}
			if c.body != "" && string(r.body) != c.body {
				t.Errorf("body %q, want %q", r.body, c.body)
			}
			if c.substr != "" && !strings.Contains(string(r.body), c.substr) {
				t.Errorf("body %q, want it to contain %q", r.body, c.substr)
			}
			if took < c.atLeast || took > c.atMost {
				t.Errorf("answered after %v, want %v to %v", took, c.atLeast, c.atMost)
			}
		})
	}
}

// ---- 5. an external runtime ----------------------------------------------------------------------------

// lvSyncBuffer collects a process's output for the failure message.
type lvSyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *lvSyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *lvSyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func (s *lvSyncBuffer) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.b.Reset()
}

func lvFreePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// A handler the user starts, as the docs say, with only AWS_LAMBDA_RUNTIME_API pointing at the function's
// endpoint: started once the gateway is up, before any request, it must find its endpoint (aws-lambda-go
// exits when its first /next fails) and answer what the gateway sends.
func TestLambdaExternalRuntime(t *testing.T) {
	port := lvFreePort(t)
	spec := lvEchoSpec("lambda-external", lvAnyProxy("/ext/{id}", "Ext", ""))
	cfg := fmt.Sprintf("stages:\n  dev: {}\nfunctions:\n  Ext: {external: {port: %d}}\n", port)
	gw, g := newGateway(t, spec, cfg)
	t.Cleanup(func() { g.Close() })

	var out lvSyncBuffer
	cmd := exec.Command(fixture(t, "echo"))
	cmd.Env = []string{"AWS_LAMBDA_RUNTIME_API=127.0.0.1:" + strconv.Itoa(port), "PATH=" + os.Getenv("PATH")}
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{}) // closed when the process has exited, with waitErr set
	var waitErr error
	go func() { waitErr = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
	})
	// As a user would, the handler runs before the first request: its first /next call, which fails at
	// once (and the process exits) if nothing listens on the port yet, must find the endpoint waiting.
	waiting := func() bool {
		g.functions.mu.Lock()
		r := g.functions.running["Ext"]
		g.functions.mu.Unlock()
		return r != nil && r.fn.Stats().Idle == 1
	}
	for deadline := time.Now().Add(30 * time.Second); !waiting(); time.Sleep(10 * time.Millisecond) {
		select {
		case <-exited:
			t.Fatalf("the runtime exited before any request (%v):\n%s", waitErr, out.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("the runtime never called /next:\n%s", out.String())
		}
	}

	for i := 1; i <= 2; i++ { // the second request reuses the same runtime
		r := do(t, "GET", gw.URL+"/dev/ext/"+strconv.Itoa(i)+"?x=y", nil, "")
		var event struct {
			HTTPMethod     string            `json:"httpMethod"`
			PathParameters map[string]string `json:"pathParameters"`
			Query          map[string]string `json:"queryStringParameters"`
		}
		if r.status != 200 || json.Unmarshal(r.body, &event) != nil || event.HTTPMethod != "GET" ||
			event.PathParameters["id"] != strconv.Itoa(i) || event.Query["x"] != "y" {
			select {
			case <-exited:
				t.Fatalf("request %d: %d %s; the runtime exited (%v):\n%s", i, r.status, r.body, waitErr, out.String())
			default:
			}
			t.Fatalf("request %d: %d %s", i, r.status, r.body)
		}
	}
	select {
	case <-exited:
		t.Errorf("the runtime exited: %v\n%s", waitErr, out.String())
	default:
	}
}

// ---- 6. the concurrency cap ----------------------------------------------------------------------------

// lvPrivateCopy gives the executable at path a name of this test's own (a hard link, or a copy), so
// that processesRunning counts this test's processes only.
func lvPrivateCopy(t *testing.T, path string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), filepath.Base(path)+"-private")
	if err := os.Link(path, dst); err == nil {
		return dst
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, data, 0o755); err != nil {
		t.Fatal(err)
	}
	return dst
}

func TestLambdaConcurrencyCap(t *testing.T) {
	t.Parallel()
	const requests, concurrency = 20, 3
	echo := lvPrivateCopy(t, fixture(t, "echo"))
	spec := lvEchoSpec("lambda-concurrency", lvAnyProxy("/items/{id}", "Echo3", ""))
	cfg := fmt.Sprintf("stages:\n  dev: {}\nfunctions:\n  Echo3: {command: [%q], concurrency: %d}\n", echo, concurrency)
	gw, g := newGateway(t, spec, cfg)
	t.Cleanup(func() { g.Close() })

	// Sample the function's processes while the burst runs.
	stop := make(chan struct{})
	sampled := make(chan int)
	go func() {
		most := 0
		for {
			most = max(most, processesRunning(echo))
			select {
			case <-stop:
				sampled <- max(most, processesRunning(echo))
				return
			case <-time.After(2 * time.Millisecond):
			}
		}
	}()

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	errs := make(chan error, requests)
	for i := 0; i < requests; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			req, _ := http.NewRequestWithContext(ctx, "GET", gw.URL+"/dev/items/"+strconv.Itoa(i), nil)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				errs <- fmt.Errorf("request %d: %v", i, err)
				return
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != 200 || !strings.Contains(string(body), `"pathParameters":{"id":"`+strconv.Itoa(i)+`"}`) {
				errs <- fmt.Errorf("request %d: %d %s", i, resp.StatusCode, body)
			}
		}(i)
	}
	wg.Wait()
	close(stop)
	most := <-sampled
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if most < 1 || most > concurrency {
		t.Errorf("up to %d processes of the function during the burst, want 1 to %d", most, concurrency)
	}
	t.Logf("%d requests, at most %d processes seen", requests, most)
}
