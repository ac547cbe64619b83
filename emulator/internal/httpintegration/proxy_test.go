package httpintegration

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apigw-local/apigw-local/internal/gatewayresponse"
	"github.com/apigw-local/apigw-local/internal/spec"
)

func kv(k, v string) spec.KV { return spec.KV{Key: k, Value: v} }

func TestURITemplate(t *testing.T) {
	cases := []struct {
		name      string
		uri       string
		stageVars map[string]string
		path      map[string]string // values of {name} placeholders; absent = no value
		want      string
		wantErr   string // the undefined stage variable, when expand must fail
	}{
		{name: "no placeholders", uri: "http://backend:8080/a/b?x=1", want: "http://backend:8080/a/b?x=1"},
		{name: "stage variable as the host", uri: "http://${stageVariables.host}/a",
			stageVars: map[string]string{"host": "example.com:9000"}, want: "http://example.com:9000/a"},
		{name: "stage variable in part of the host", uri: "https://api-${stageVariables.env}.example.com/",
			stageVars: map[string]string{"env": "dev"}, want: "https://api-dev.example.com/"},
		{name: "stage variable in the path", uri: "http://h/${stageVariables.p}/items",
			stageVars: map[string]string{"p": "v2"}, want: "http://h/v2/items"},
		{name: "stage variable as the whole query", uri: "http://h/x?${stageVariables.qs}",
			stageVars: map[string]string{"qs": "qs_key=qs_value"}, want: "http://h/x?qs_key=qs_value"},
		{name: "stage variable as a query value", uri: "http://h/x?a=${stageVariables.v}&b=1",
			stageVars: map[string]string{"v": "42"}, want: "http://h/x?a=42&b=1"},
		{name: "several stage variables", uri: "${stageVariables.scheme}://${stageVariables.host}/${stageVariables.path}",
			stageVars: map[string]string{"scheme": "http", "host": "h", "path": "p"}, want: "http://h/p"},
		{name: "a stage variable defined empty is no error", uri: "http://h/${stageVariables.p}x",
			stageVars: map[string]string{"p": ""}, want: "http://h/x"},
		{name: "undefined stage variable", uri: "http://${stageVariables.host}/a",
			stageVars: map[string]string{"other": "x"}, wantErr: "host"},
		{name: "undefined stage variable, no stage variables at all", uri: "http://h/${stageVariables.p}", wantErr: "p"},
		{name: "path placeholder", uri: "http://h/items/{id}", path: map[string]string{"id": "42"}, want: "http://h/items/42"},
		{name: "path placeholder inserted as received, still percent-encoded", uri: "http://h/items/{id}",
			path: map[string]string{"id": "test%2Balias"}, want: "http://h/items/test%2Balias"},
		{name: "greedy {proxy} placeholder takes slashes", uri: "http://h/files/{proxy}",
			path: map[string]string{"proxy": "a/b/c.txt"}, want: "http://h/files/a/b/c.txt"},
		{name: "greedy {proxy+} spelling", uri: "http://h/files/{proxy+}",
			path: map[string]string{"proxy": "a/b"}, want: "http://h/files/a/b"},
		{name: "placeholders in the query", uri: "http://h/?testVar={pathVar}&testQs={qsVar}",
			path: map[string]string{"pathVar": "foobar", "qsVar": "bar"}, want: "http://h/?testVar=foobar&testQs=bar"},
		{name: "placeholder names with dots and dashes", uri: "http://h/{a.b}/{c-d}",
			path: map[string]string{"a.b": "1", "c-d": "2"}, want: "http://h/1/2"},
		{name: "stage variable and placeholder together", uri: "http://${stageVariables.host}/{id}",
			stageVars: map[string]string{"host": "h"}, path: map[string]string{"id": "7"}, want: "http://h/7"},
		{name: "placeholder with no value left as written", uri: "http://h/items/{id}/x", want: "http://h/items/{id}/x"},
		{name: "greedy placeholder with no value left as written", uri: "http://h/files/{proxy+}", want: "http://h/files/{proxy+}"},
		{name: "placeholder with an empty value", uri: "http://h/items/{id}", path: map[string]string{"id": ""}, want: "http://h/items/"},
		{name: "a lone $ and braces that are no placeholder stay literal", uri: "http://h/a$b/{}/c", want: "http://h/a$b/{}/c"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := parseURI(c.uri).expand(c.stageVars, func(name string) (string, bool) {
				v, ok := c.path[name]
				return v, ok
			})
			if c.wantErr != "" {
				var unresolved errUnresolved
				if !errors.As(err, &unresolved) || unresolved.name != c.wantErr {
					t.Fatalf("got %q, %v; want the undefined stage variable %q", got, err, c.wantErr)
				}
				if !strings.Contains(err.Error(), `"`+c.wantErr+`"`) {
					t.Errorf("error %q does not name the variable", err)
				}
				return
			}
			if err != nil || got != c.want {
				t.Errorf("got %q, %v; want %q", got, err, c.want)
			}
		})
	}
}

func TestParseSource(t *testing.T) {
	cases := []struct {
		in      string
		want    source
		wantErr bool
	}{
		{in: "method.request.path.id", want: source{kind: "path", name: "id"}},
		{in: "method.request.path.proxy", want: source{kind: "path", name: "proxy"}},
		{in: "method.request.querystring.q", want: source{kind: "querystring", name: "q"}},
		{in: "method.request.multivaluequerystring.ids", want: source{kind: "multivaluequerystring", name: "ids"}},
		{in: "method.request.header.X-Custom-Header", want: source{kind: "header", name: "X-Custom-Header"}},
		{in: "method.request.multivalueheader.Accept", want: source{kind: "multivalueheader", name: "Accept"}},
		{in: "method.request.header.a.b", want: source{kind: "header", name: "a.b"}},
		{in: "method.request.body", want: source{kind: "body"}},
		{in: "method.request.body.user.name", want: source{kind: "body"}},
		{in: "method.request.body.items[0]", want: source{kind: "body"}},
		{in: "stageVariables.backendHost", want: source{kind: "stageVariables", name: "backendHost"}},
		{in: "context.requestId", want: source{kind: "context", name: "requestId"}},
		{in: "context.identity.sourceIp", want: source{kind: "context", name: "identity.sourceIp"}},
		{in: "'literal value'", want: source{kind: "literal", value: "literal value"}},
		{in: "''", want: source{kind: "literal", value: ""}},
		{in: "'application/json'", want: source{kind: "literal", value: "application/json"}},
		{in: "", wantErr: true},
		{in: "'", wantErr: true},
		{in: "'unterminated", wantErr: true},
		{in: "literal", wantErr: true},
		{in: "method.request.cookie.session", wantErr: true},
		{in: "method.request.path", wantErr: true},
		{in: "method.request.path.", wantErr: true},
		{in: "method.request.querystring", wantErr: true},
		{in: "method.request.bodyx", wantErr: true},
		{in: "method.request.body.", wantErr: true},
		{in: "method.response.header.X", wantErr: true},
		{in: "integration.response.header.X", wantErr: true},
		{in: "stageVariables.", wantErr: true},
		{in: "context.", wantErr: true},
		{in: "$context.requestId", wantErr: true},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			got, err := parseSource(c.in)
			if c.wantErr {
				if err == nil {
					t.Fatalf("parseSource(%q) = %+v, want an error", c.in, got)
				}
				if !strings.Contains(err.Error(), "unsupported mapping source") {
					t.Errorf("error %q", err)
				}
				return
			}
			if err != nil || got != c.want {
				t.Errorf("parseSource(%q) = %+v, %v; want %+v", c.in, got, err, c.want)
			}
		})
	}
}

func TestCompile(t *testing.T) {
	cases := []struct {
		name         string
		in           spec.Integration
		wantErr      []string // substrings of the error; none = no error
		wantProblems int      // how many problems the error reports (errors.Join: one a line)
		wantTimeout  time.Duration
		wantMappings []paramMapping // checked when not nil
	}{
		{
			name:        "default timeout is 29 s",
			in:          spec.Integration{URI: "http://h/"},
			wantTimeout: 29 * time.Second,
		},
		{
			name:        "timeoutInMillis sets the timeout",
			in:          spec.Integration{URI: "http://h/", TimeoutInMillis: 1500},
			wantTimeout: 1500 * time.Millisecond,
		},
		{
			name:        "timeoutInMillis above 29 s is kept (the cap is the gateway's business)",
			in:          spec.Integration{URI: "http://h/", TimeoutInMillis: 60000},
			wantTimeout: time.Minute,
		},
		{
			name: "mappings compiled in order",
			in: spec.Integration{URI: "http://h/{id}", RequestParameters: []spec.KV{
				kv("integration.request.path.id", "method.request.path.id"),
				kv("integration.request.header.X-Ip", "context.identity.sourceIp"),
				kv("integration.request.querystring.v", "'1'"),
				kv("integration.request.multivalueheader.X-All", "method.request.multivalueheader.X-In"),
				kv("integration.request.multivaluequerystring.ids", "method.request.multivaluequerystring.id"),
			}},
			wantTimeout: DefaultTimeout,
			wantMappings: []paramMapping{
				{location: "path", name: "id", src: source{kind: "path", name: "id"}},
				{location: "header", name: "X-Ip", src: source{kind: "context", name: "identity.sourceIp"}},
				{location: "querystring", name: "v", src: source{kind: "literal", value: "1"}},
				{location: "multivalueheader", name: "X-All", src: source{kind: "multivalueheader", name: "X-In"}},
				{location: "multivaluequerystring", name: "ids", src: source{kind: "multivaluequerystring", name: "id"}},
			},
		},
		{
			name:    "mapping the Content-Length header is refused",
			in:      spec.Integration{URI: "http://h/", RequestParameters: []spec.KV{kv("integration.request.header.Content-Length", "'0'")}},
			wantErr: []string{"Content-Length"}, wantProblems: 1,
		},
		{
			name:    "mapping Transfer-Encoding is refused, whatever the case",
			in:      spec.Integration{URI: "http://h/", RequestParameters: []spec.KV{kv("integration.request.header.transfer-encoding", "'chunked'")}},
			wantErr: []string{"transfer-encoding"}, wantProblems: 1,
		},
		{
			name:    "as a multivalueheader too",
			in:      spec.Integration{URI: "http://h/", RequestParameters: []spec.KV{kv("integration.request.multivalueheader.CONTENT-LENGTH", "method.request.multivalueheader.x")}},
			wantErr: []string{"CONTENT-LENGTH"}, wantProblems: 1,
		},
		{
			name: "Content-Length as a query parameter is fine",
			in: spec.Integration{URI: "http://h/", RequestParameters: []spec.KV{
				kv("integration.request.querystring.Content-Length", "'0'")}},
			wantTimeout:  DefaultTimeout,
			wantMappings: []paramMapping{{location: "querystring", name: "Content-Length", src: source{kind: "literal", value: "0"}}},
		},
		{
			name:    "a target outside integration.request",
			in:      spec.Integration{URI: "http://h/", RequestParameters: []spec.KV{kv("method.request.header.X", "'v'")}},
			wantErr: []string{"method.request.header.X"}, wantProblems: 1,
		},
		{
			name:    "an unsupported source",
			in:      spec.Integration{URI: "http://h/", RequestParameters: []spec.KV{kv("integration.request.header.X", "method.request.cookie.c")}},
			wantErr: []string{"integration.request.header.X", "method.request.cookie.c"}, wantProblems: 1,
		},
		{
			name: "every problem is reported",
			in: spec.Integration{URI: "http://h/", RequestParameters: []spec.KV{
				kv("integration.request.header.Content-Length", "'0'"),
				kv("integration.request.header.Ok", "'fine'"),
				kv("integration.request.header.Transfer-Encoding", "'chunked'"),
				kv("integration.request.querystring.q", "nonsense"),
			}},
			wantErr: []string{"Content-Length", "Transfer-Encoding", "nonsense"}, wantProblems: 3,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := c.in
			got, err := Compile(&in)
			if len(c.wantErr) > 0 {
				if err == nil {
					t.Fatalf("Compile succeeded, want an error")
				}
				for _, s := range c.wantErr {
					if !strings.Contains(err.Error(), s) {
						t.Errorf("error %q does not mention %q", err, s)
					}
				}
				if n := strings.Count(err.Error(), "\n") + 1; n != c.wantProblems {
					t.Errorf("%d problems reported, want %d: %v", n, c.wantProblems, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Compile: %v", err)
			}
			if got.Timeout() != c.wantTimeout {
				t.Errorf("Timeout() = %v, want %v", got.Timeout(), c.wantTimeout)
			}
			if c.wantMappings != nil && !reflect.DeepEqual(got.mappings, c.wantMappings) {
				t.Errorf("mappings\n got %+v\nwant %+v", got.mappings, c.wantMappings)
			}
		})
	}
}

func TestSetTimeout(t *testing.T) {
	in, err := Compile(&spec.Integration{URI: "http://h/", TimeoutInMillis: 50000})
	if err != nil {
		t.Fatal(err)
	}
	in.SetTimeout(29 * time.Second)
	if in.Timeout() != 29*time.Second {
		t.Errorf("Timeout() = %v after SetTimeout(29s)", in.Timeout())
	}
}

func TestStageVariablesAndUnmappedPathParams(t *testing.T) {
	cases := []struct {
		name          string
		uri           string
		params        []spec.KV
		wantStageVars []string
		wantUnmapped  []string
	}{
		{name: "none", uri: "http://h/a"},
		{name: "stage variables in URI order", uri: "http://${stageVariables.host}/${stageVariables.path}?${stageVariables.qs}",
			wantStageVars: []string{"host", "path", "qs"}},
		{name: "placeholder without a mapping", uri: "http://h/{id}", wantUnmapped: []string{"id"}},
		{name: "placeholder with a mapping", uri: "http://h/{id}",
			params: []spec.KV{kv("integration.request.path.id", "method.request.path.id")}},
		{name: "a header mapping of the same name does not fill a path placeholder", uri: "http://h/{id}",
			params: []spec.KV{kv("integration.request.header.id", "method.request.path.id")}, wantUnmapped: []string{"id"}},
		{name: "some mapped, some not; greedy spelling", uri: "http://${stageVariables.h}/{a}/{b}/{proxy+}?x={c}",
			params:        []spec.KV{kv("integration.request.path.b", "'B'"), kv("integration.request.path.c", "method.request.querystring.c")},
			wantStageVars: []string{"h"}, wantUnmapped: []string{"a", "proxy"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in, err := Compile(&spec.Integration{URI: c.uri, RequestParameters: c.params})
			if err != nil {
				t.Fatal(err)
			}
			if got := in.StageVariables(); !slices.Equal(got, c.wantStageVars) {
				t.Errorf("StageVariables() = %v, want %v", got, c.wantStageVars)
			}
			if got := in.UnmappedPathParams(); !slices.Equal(got, c.wantUnmapped) {
				t.Errorf("UnmappedPathParams() = %v, want %v", got, c.wantUnmapped)
			}
		})
	}
}

// harness is a Proxy aimed at an httptest backend, recording what was handed to the transport and what
// the backend received.
type harness struct {
	backend *httptest.Server
	proxy   *Proxy

	mu      sync.Mutex
	sent    http.Header   // headers handed to the transport, before the wire
	saw     *http.Request // what the backend received (body drained)
	respond http.HandlerFunc
}

type recordingTransport struct {
	h    *harness
	base http.RoundTripper
}

func (rt recordingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	rt.h.mu.Lock()
	rt.h.sent = r.Header.Clone()
	rt.h.mu.Unlock()
	return rt.base.RoundTrip(r)
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	h := &harness{proxy: NewProxy()}
	h.backend = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		h.mu.Lock()
		h.saw = r.Clone(context.Background())
		respond := h.respond
		h.mu.Unlock()
		if respond != nil {
			respond(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/plain")
		_, _ = io.WriteString(w, "ok")
	}))
	t.Cleanup(h.backend.Close)
	rt := h.proxy.rp.Transport.(remappingTransport)
	h.proxy.rp.Transport = remappingTransport{recordingTransport{h: h, base: rt.base}}
	t.Cleanup(rt.base.(*http.Transport).CloseIdleConnections)
	return h
}

// serve compiles in (its URI relative to the backend) and sends c through it.
func (h *harness) serve(t *testing.T, in *spec.Integration, c *Call) (*httptest.ResponseRecorder, *gatewayresponse.Error) {
	t.Helper()
	in.URI = h.backend.URL + in.URI
	compiled, err := Compile(in)
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	rec := httptest.NewRecorder()
	return rec, h.proxy.Serve(rec, compiled, c)
}

func sortedValues(vs url.Values) url.Values {
	out := url.Values{}
	for k, v := range vs {
		out[k] = slices.Sorted(slices.Values(v))
	}
	return out
}

// Mapping merge rules not covered by the end-to-end tests of package emulator.
func TestServeMappings(t *testing.T) {
	h := newHarness(t)
	cases := []struct {
		name       string
		uri        string    // relative to the backend
		params     []spec.KV // requestParameters
		target     string    // the client request path and query
		header     [][2]string
		pathParams map[string]string
		stageVars  map[string]string
		context    map[string]string // nil = no Context func
		wantQuery  url.Values        // the backend query, exactly
		unordered  bool              // compare query values ignoring their order
		wantHeader http.Header       // backend headers that must have exactly these values
		noHeader   []string          // headers that must reach neither the transport nor the backend
	}{
		{
			name:      "multivaluequerystring source to a multivaluequerystring target keeps every value in order",
			uri:       "/",
			params:    []spec.KV{kv("integration.request.multivaluequerystring.ids", "method.request.multivaluequerystring.id")},
			target:    "/r?id=3&id=1&id=2",
			wantQuery: url.Values{"ids": {"3", "1", "2"}, "id": {"3", "1", "2"}},
		},
		{
			name:      "querystring source of a repeated key takes the last value, as the proxy event does",
			uri:       "/",
			params:    []spec.KV{kv("integration.request.querystring.one", "method.request.querystring.id")},
			target:    "/r?id=1&id=2",
			wantQuery: url.Values{"one": {"2"}, "id": {"1", "2"}},
		},
		{
			name:      "multivaluequerystring source absent: omitted",
			uri:       "/",
			params:    []spec.KV{kv("integration.request.multivaluequerystring.ids", "method.request.multivaluequerystring.id")},
			target:    "/r",
			wantQuery: url.Values{},
		},
		{
			name:       "multivalueheader source keeps every header line",
			uri:        "/",
			params:     []spec.KV{kv("integration.request.multivalueheader.X-All", "method.request.multivalueheader.X-In")},
			target:     "/r",
			header:     [][2]string{{"X-In", "a"}, {"X-In", "b"}},
			wantQuery:  url.Values{},
			wantHeader: http.Header{"X-All": {"a", "b"}, "X-In": {"a", "b"}},
		},
		{
			name:       "multivalueheader target replaces the client's header of that name",
			uri:        "/",
			params:     []spec.KV{kv("integration.request.multivalueheader.X-All", "method.request.multivalueheader.X-In")},
			target:     "/r",
			header:     [][2]string{{"X-All", "client"}, {"X-In", "a"}, {"X-In", "b"}},
			wantQuery:  url.Values{},
			wantHeader: http.Header{"X-All": {"a", "b"}},
		},
		{
			name:       "multivalueheader source absent: the client's header is kept",
			uri:        "/",
			params:     []spec.KV{kv("integration.request.multivalueheader.X-All", "method.request.multivalueheader.X-In")},
			target:     "/r",
			header:     [][2]string{{"X-All", "client"}},
			wantQuery:  url.Values{},
			wantHeader: http.Header{"X-All": {"client"}},
		},
		{
			name:      "literal querystring mapping, encoded on the way",
			uri:       "/",
			params:    []spec.KV{kv("integration.request.querystring.lit", "'v 1&x=2'")},
			target:    "/r",
			wantQuery: url.Values{"lit": {"v 1&x=2"}},
		},
		{
			name:      "literal querystring mapping and the client's value of the same name are both sent",
			uri:       "/",
			params:    []spec.KV{kv("integration.request.querystring.q", "'mapped'")},
			target:    "/r?q=client",
			wantQuery: url.Values{"q": {"client", "mapped"}},
			unordered: true,
		},
		{
			name:      "URI value first, then the mapped one (testQs=bar,foo)",
			uri:       "/?k=uri",
			params:    []spec.KV{kv("integration.request.querystring.k", "'mapped'")},
			target:    "/r",
			wantQuery: url.Values{"k": {"uri", "mapped"}},
		},
		{
			name:       "context.requestId as a source",
			uri:        "/",
			params:     []spec.KV{kv("integration.request.header.X-Request-Id", "context.requestId"), kv("integration.request.querystring.rid", "context.requestId")},
			target:     "/r",
			context:    map[string]string{"requestId": "c0ffee00-0000-4000-8000-000000000001"},
			wantQuery:  url.Values{"rid": {"c0ffee00-0000-4000-8000-000000000001"}},
			wantHeader: http.Header{"X-Request-Id": {"c0ffee00-0000-4000-8000-000000000001"}},
		},
		{
			name:       "nested context key as a source",
			uri:        "/",
			params:     []spec.KV{kv("integration.request.header.X-Source-Ip", "context.identity.sourceIp")},
			target:     "/r",
			context:    map[string]string{"identity.sourceIp": "203.0.113.7"},
			wantQuery:  url.Values{},
			wantHeader: http.Header{"X-Source-Ip": {"203.0.113.7"}},
		},
		{
			name:      "context value absent: omitted",
			uri:       "/",
			params:    []spec.KV{kv("integration.request.header.X-Nope", "context.nope"), kv("integration.request.querystring.nope", "context.nope")},
			target:    "/r",
			context:   map[string]string{"requestId": "r"},
			wantQuery: url.Values{},
			noHeader:  []string{"X-Nope"},
		},
		{
			name:      "no Context func: context sources omitted",
			uri:       "/",
			params:    []spec.KV{kv("integration.request.header.X-Request-Id", "context.requestId")},
			target:    "/r",
			wantQuery: url.Values{},
			noHeader:  []string{"X-Request-Id"},
		},
		{
			name: "stage variable, path and header sources",
			uri:  "/",
			params: []spec.KV{kv("integration.request.header.X-Stage", "stageVariables.color"),
				kv("integration.request.querystring.id", "method.request.path.id"),
				kv("integration.request.querystring.h", "method.request.header.X-In")},
			target:     "/r",
			header:     [][2]string{{"X-In", "v"}},
			pathParams: map[string]string{"id": "42"},
			stageVars:  map[string]string{"color": "blue"},
			wantQuery:  url.Values{"id": {"42"}, "h": {"v"}},
			wantHeader: http.Header{"X-Stage": {"blue"}},
		},
		{
			// integrations.json#http-header-remapping-full: mapped Connection/Expect/Proxy-Authenticate/TE/Via
			// values never reach the backend; the other mapped values do, Content-MD5 and Max-Forwards included.
			name: "mapped Via and Connection never reach the backend",
			uri:  "/",
			params: []spec.KV{
				kv("integration.request.header.Via", "'othersite.net'"),
				kv("integration.request.header.Connection", "'keep-alive'"),
				kv("integration.request.header.Expect", "'100-continue'"),
				kv("integration.request.header.Proxy-Authenticate", "'Basic'"),
				kv("integration.request.header.TE", "'trailers'"),
				kv("integration.request.header.Accept", "'text/html'"),
				kv("integration.request.header.User-Agent", "'Override-Agent'"),
				kv("integration.request.header.Authorization", "'request_params_authorization'"),
				kv("integration.request.header.Content-MD5", "'request_params_Content-MD5'"),
				kv("integration.request.header.Max-Forwards", "'2'"),
				kv("integration.request.header.Server", "'https://example.com/page'"),
				kv("integration.request.header.WWW-Authenticate", "'Basic YWxhZGRpbjpvcGVuc2VzYW1l'"),
				kv("integration.request.header.Pragma", "'no-cache'"),
			},
			target:    "/r",
			header:    [][2]string{{"Accept", "application/xml"}, {"User-Agent", "client/1.0"}},
			wantQuery: url.Values{},
			wantHeader: http.Header{"Accept": {"text/html"}, "User-Agent": {"Override-Agent"}, "Authorization": {"request_params_authorization"},
				"Content-Md5": {"request_params_Content-MD5"}, "Max-Forwards": {"2"}, "Server": {"https://example.com/page"},
				"Www-Authenticate": {"Basic YWxhZGRpbjpvcGVuc2VzYW1l"}, "Pragma": {"no-cache"}},
			noHeader: []string{"Via", "Connection", "Expect", "Proxy-Authenticate", "Te"},
		},
		{
			name:   "client Content-MD5, Expect, Max-Forwards, Server, WWW-Authenticate are dropped",
			uri:    "/",
			target: "/r",
			header: [][2]string{{"Content-MD5", "Q2hlY2sgSW50ZWdyaXR5IQ=="}, {"Expect", "100-continue"}, {"Max-Forwards", "3"},
				{"Server", "client"}, {"WWW-Authenticate", "Basic"}, {"Proxy-Authenticate", "Basic"}, {"X-Kept", "yes"}},
			wantQuery:  url.Values{},
			wantHeader: http.Header{"X-Kept": {"yes"}},
			noHeader:   []string{"Content-Md5", "Expect", "Max-Forwards", "Server", "Www-Authenticate", "Proxy-Authenticate"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "http://gateway.local/dev"+c.target, nil)
			for _, hv := range c.header {
				r.Header.Add(hv[0], hv[1])
			}
			call := &Call{Request: r, PathParameters: c.pathParams, StageVariables: c.stageVars, APIID: "api1",
				TraceID: "Root=1-00000000-000000000000000000000001", SourceIP: "198.51.100.1"}
			if c.context != nil {
				call.Context = func(k string) string { return c.context[k] }
			}
			rec, gerr := h.serve(t, &spec.Integration{URI: c.uri, HTTPMethod: "GET", RequestParameters: c.params}, call)
			if gerr != nil {
				t.Fatalf("Serve: %v", gerr)
			}
			if rec.Code != 200 || rec.Body.String() != "ok" {
				t.Fatalf("client got %d %q", rec.Code, rec.Body)
			}
			h.mu.Lock()
			saw, sent := h.saw, h.sent
			h.mu.Unlock()
			gotQuery, wantQuery := saw.URL.Query(), c.wantQuery
			if c.unordered {
				gotQuery, wantQuery = sortedValues(gotQuery), sortedValues(wantQuery)
			}
			if !reflect.DeepEqual(gotQuery, wantQuery) {
				t.Errorf("backend query %v (%q), want %v", gotQuery, saw.URL.RawQuery, wantQuery)
			}
			for k, want := range c.wantHeader {
				if got := saw.Header.Values(k); !slices.Equal(got, want) {
					t.Errorf("backend header %s = %q, want %q", k, got, want)
				}
			}
			for _, k := range c.noHeader {
				if v, ok := sent[http.CanonicalHeaderKey(k)]; ok {
					t.Errorf("header %s = %q handed to the transport", k, v)
				}
				if v, ok := saw.Header[http.CanonicalHeaderKey(k)]; ok {
					t.Errorf("header %s = %q reached the backend", k, v)
				}
			}
		})
	}
}

// Backend response headers: API Gateway's own come back as X-Amzn-Remapped-*; Transfer-Encoding is dropped;
// a missing Content-Type becomes application/json.
func TestServeResponseHeaders(t *testing.T) {
	h := newHarness(t)
	cases := []struct {
		name       string
		respond    http.HandlerFunc
		wantStatus int
		wantBody   string
		wantHeader map[string]string // client headers with exactly this value ("" = present, any value)
		noHeader   []string          // client headers that must be absent
	}{
		{
			name: "remapped headers",
			respond: func(w http.ResponseWriter, r *http.Request) {
				for k, v := range map[string]string{"Authorization": "Bearer backend", "Server": "echo/1.0", "User-Agent": "backend-agent",
					"WWW-Authenticate": `Basic realm="b"`, "Content-MD5": "bWQ1", "x-amzn-RequestId": "backend-request-id",
					"X-Custom": "kept", "Via": "1.1 backend", "Content-Type": "text/plain"} {
					w.Header().Set(k, v)
				}
				w.WriteHeader(201)
				_, _ = io.WriteString(w, "created")
			},
			wantStatus: 201, wantBody: "created",
			wantHeader: map[string]string{"X-Amzn-Remapped-Authorization": "Bearer backend", "X-Amzn-Remapped-Server": "echo/1.0",
				"X-Amzn-Remapped-User-Agent": "backend-agent", "X-Amzn-Remapped-Www-Authenticate": `Basic realm="b"`,
				"X-Amzn-Remapped-Content-Md5": "bWQ1", "X-Amzn-Remapped-X-Amzn-Requestid": "backend-request-id",
				"X-Amzn-Remapped-Content-Length": "7", "X-Amzn-Remapped-Date": "",
				"X-Custom": "kept", "Via": "1.1 backend", "Content-Type": "text/plain",
				"X-Amzn-Trace-Id": "Root=1-00000000-000000000000000000000002"},
			noHeader: []string{"Authorization", "Server", "User-Agent", "Www-Authenticate", "Content-Md5", "X-Amzn-Requestid", "Content-Length", "Date"},
		},
		{
			name: "chunked body: Transfer-Encoding dropped, body streamed whole",
			respond: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/plain")
				_, _ = io.WriteString(w, "part one, ")
				w.(http.Flusher).Flush()
				_, _ = io.WriteString(w, "part two")
			},
			wantStatus: 200, wantBody: "part one, part two",
			wantHeader: map[string]string{"Content-Type": "text/plain"},
			noHeader:   []string{"Transfer-Encoding", "X-Amzn-Remapped-Content-Length", "X-Amzn-Remapped-Transfer-Encoding"},
		},
		{
			name: "no Content-Type from the backend: application/json",
			respond: func(w http.ResponseWriter, r *http.Request) {
				w.Header()["Content-Type"] = nil // keep net/http from sniffing one
				w.WriteHeader(404)
				_, _ = io.WriteString(w, "<html>not json</html>")
			},
			wantStatus: 404, wantBody: "<html>not json</html>",
			wantHeader: map[string]string{"Content-Type": "application/json"},
		},
		{
			name: "the backend's trace id is replaced by the gateway's",
			respond: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("X-Amzn-Trace-Id", "Root=backend")
				w.Header().Set("Content-Type", "application/xml")
				_, _ = io.WriteString(w, "<a/>")
			},
			wantStatus: 200, wantBody: "<a/>",
			wantHeader: map[string]string{"X-Amzn-Trace-Id": "Root=1-00000000-000000000000000000000002", "Content-Type": "application/xml"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h.mu.Lock()
			h.respond = c.respond
			h.mu.Unlock()
			call := &Call{Request: httptest.NewRequest("GET", "http://gateway.local/dev/r", nil), TraceID: "Root=1-00000000-000000000000000000000002"}
			rec, gerr := h.serve(t, &spec.Integration{URI: "/"}, call)
			if gerr != nil {
				t.Fatalf("Serve: %v", gerr)
			}
			if rec.Code != c.wantStatus || rec.Body.String() != c.wantBody {
				t.Errorf("client got %d %q, want %d %q", rec.Code, rec.Body, c.wantStatus, c.wantBody)
			}
			got := rec.Result().Header
			for k, want := range c.wantHeader {
				vs, ok := got[http.CanonicalHeaderKey(k)]
				if !ok || (want != "" && !slices.Equal(vs, []string{want})) {
					t.Errorf("client header %s = %q (present %v), want %q", k, vs, ok, want)
				}
			}
			for _, k := range c.noHeader {
				if vs, ok := got[http.CanonicalHeaderKey(k)]; ok {
					t.Errorf("client header %s = %q must be absent", k, vs)
				}
			}
		})
	}
}

// stubTransport answers every request with a copy of resp.
type stubTransport struct{ resp *http.Response }

func (s stubTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp := *s.resp
	resp.Header = s.resp.Header.Clone()
	resp.Body = io.NopCloser(strings.NewReader(""))
	resp.Request = r
	return &resp, nil
}

// The full remapping list of remappingTransport, on headers exactly as given (no net/http in between).
func TestRemappingTransport(t *testing.T) {
	remapped := []string{"Authorization", "Connection", "Content-Md5", "Date", "Expect", "Host", "Max-Forwards",
		"Proxy-Authenticate", "Server", "Trailer", "Upgrade", "User-Agent", "Www-Authenticate", "X-Amzn-Requestid"}
	kept := []string{"Accept", "Accept-Charset", "Age", "Cache-Control", "Content-Encoding", "Content-Type", "Pragma",
		"Range", "Referer", "Te", "Via", "Warn", "X-Custom"}
	cases := []struct {
		name          string
		header        http.Header
		contentLength int64
		want          http.Header // the whole header afterwards
	}{
		{
			name: "every remapped header, Transfer-Encoding dropped, the rest kept",
			header: func() http.Header {
				h := http.Header{"Transfer-Encoding": {"chunked"}}
				for _, n := range append(remapped, kept...) {
					h[n] = []string{"v-" + n}
				}
				return h
			}(),
			contentLength: -1,
			want: func() http.Header {
				h := http.Header{"X-Amzn-Trace-Id": {"Root=trace"}}
				for _, n := range remapped {
					h["X-Amzn-Remapped-"+n] = []string{"v-" + n}
				}
				for _, n := range kept {
					h[n] = []string{"v-" + n}
				}
				return h
			}(),
		},
		{
			name:          "Content-Length from the response length, remapped; missing Content-Type becomes application/json",
			header:        http.Header{},
			contentLength: 12,
			want: http.Header{"X-Amzn-Remapped-Content-Length": {"12"}, "Content-Type": {"application/json"},
				"X-Amzn-Trace-Id": {"Root=trace"}},
		},
		{
			name:          "Content-Length header as sent, remapped; several values of a remapped header kept",
			header:        http.Header{"Content-Length": {"5"}, "Server": {"a", "b"}, "Content-Type": {"text/plain"}},
			contentLength: 5,
			want: http.Header{"X-Amzn-Remapped-Content-Length": {"5"}, "X-Amzn-Remapped-Server": {"a", "b"},
				"Content-Type": {"text/plain"}, "X-Amzn-Trace-Id": {"Root=trace"}},
		},
		{
			name:          "the backend's X-Amzn-Trace-Id is replaced",
			header:        http.Header{"X-Amzn-Trace-Id": {"Root=backend"}, "Content-Type": {"text/plain"}},
			contentLength: -1,
			want:          http.Header{"X-Amzn-Trace-Id": {"Root=trace"}, "Content-Type": {"text/plain"}},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rt := remappingTransport{stubTransport{&http.Response{StatusCode: 200, Header: c.header, ContentLength: c.contentLength}}}
			req := httptest.NewRequest("GET", "http://backend/", nil)
			req = req.WithContext(context.WithValue(req.Context(), callKey{}, &Call{TraceID: "Root=trace"}))
			resp, err := rt.RoundTrip(req)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(resp.Header, c.want) {
				t.Errorf("headers\n got %v\nwant %v", resp.Header, c.want)
			}
		})
	}
}

// failWriter fails the test on any write: errors found before the backend is called are returned, not written.
type failWriter struct {
	t *testing.T
	h http.Header
}

func (w *failWriter) Header() http.Header {
	if w.h == nil {
		w.h = http.Header{}
	}
	return w.h
}
func (w *failWriter) Write(b []byte) (int, error) { w.t.Errorf("Write(%q)", b); return len(b), nil }
func (w *failWriter) WriteHeader(code int)        { w.t.Errorf("WriteHeader(%d)", code) }

func TestServeConfigurationErrors(t *testing.T) {
	cases := []struct {
		name      string
		uri       string
		stageVars map[string]string
		atBuild   bool // the URI is wrong whatever the request: Compile refuses it
	}{
		{"not a URL", "not a url", nil, true},
		{"ftp scheme", "ftp://x/", nil, true},
		{"no scheme", "backend.local:8080/a", nil, true},
		{"no host", "http:///path", nil, true},
		{"unparsable escape", "http://h/%zz", nil, true},
		{"placeholder left as written in the host", "http://{host}/", nil, false},
		{"stage variable undefined", "http://${stageVariables.host}/", map[string]string{"other": "x"}, false},
		{"stage variable expands to a bad host", "http://${stageVariables.host}/", map[string]string{"host": ""}, false},
	}
	p := NewProxy()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in, err := Compile(&spec.Integration{URI: c.uri})
			if c.atBuild {
				if err == nil || !strings.Contains(err.Error(), "invalid endpoint address") {
					t.Fatalf("Compile = %v, want an invalid endpoint address error at build", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			w := &failWriter{t: t}
			call := &Call{Request: httptest.NewRequest("GET", "http://gateway.local/dev/r", nil), StageVariables: c.stageVars}
			gerr := p.Serve(w, in, call)
			if gerr == nil || gerr.Type != gatewayresponse.APIConfigurationError {
				t.Fatalf("Serve = %v, want API_CONFIGURATION_ERROR", gerr)
			}
			if len(w.h) != 0 {
				t.Errorf("headers set on the client response: %v", w.h)
			}
		})
	}
}

// BenchmarkExpandAndMap is the per-request work before the proxy: URI expansion and mapping merge.
func BenchmarkExpandAndMap(b *testing.B) {
	in, err := Compile(&spec.Integration{URI: "http://${stageVariables.host}/items/{id}?testVar={id}", RequestParameters: []spec.KV{
		kv("integration.request.path.id", "method.request.path.id"),
		kv("integration.request.header.X-Request-Id", "context.requestId"),
		kv("integration.request.header.X-Stage", "stageVariables.color"),
		kv("integration.request.querystring.q", "method.request.querystring.q"),
		kv("integration.request.multivaluequerystring.ids", "method.request.multivaluequerystring.id"),
		kv("integration.request.querystring.lit", "'v'"),
	}})
	if err != nil {
		b.Fatal(err)
	}
	r := httptest.NewRequest("GET", "http://gateway.local/dev/items/42?q=x&id=1&id=2", nil)
	stage := map[string]string{"host": "backend.local:8080", "color": "blue"}
	path := map[string]string{"id": "42"}
	ctx := func(k string) string { return "req-1" }
	b.ReportAllocs()
	for b.Loop() {
		c := &Call{Request: r, PathParameters: path, StageVariables: stage, Context: ctx}
		raw, err := in.uri.expand(c.StageVariables, func(name string) (string, bool) {
			v, ok := c.PathParameters[name]
			return v, ok
		})
		if err != nil {
			b.Fatal(err)
		}
		if c.target, err = url.Parse(raw); err != nil {
			b.Fatal(err)
		}
		if gerr := c.applyMappings(in.mappings); gerr != nil {
			b.Fatal(gerr)
		}
	}
}

// BenchmarkServe is one whole call through the ReverseProxy, the backend replaced by a canned response.
func BenchmarkServe(b *testing.B) {
	in, err := Compile(&spec.Integration{URI: "http://backend.local/items/{id}", RequestParameters: []spec.KV{
		kv("integration.request.path.id", "method.request.path.id"),
		kv("integration.request.header.X-Request-Id", "context.requestId"),
	}})
	if err != nil {
		b.Fatal(err)
	}
	p := NewProxy()
	p.rp.Transport = remappingTransport{stubTransport{&http.Response{StatusCode: 200, ContentLength: 0,
		Header: http.Header{"Content-Type": {"application/json"}, "Date": {"x"}}, ProtoMajor: 1, ProtoMinor: 1}}}
	ctx := func(k string) string { return "req-1" }
	b.ReportAllocs()
	for b.Loop() {
		c := &Call{Request: httptest.NewRequest("GET", "http://gateway.local/dev/items/42?q=x", nil),
			PathParameters: map[string]string{"id": "42"}, Context: ctx, TraceID: "Root=1", SourceIP: "127.0.0.1"}
		rec := httptest.NewRecorder()
		if gerr := p.Serve(rec, in, c); gerr != nil || rec.Code != 200 {
			b.Fatalf("%d %v", rec.Code, gerr)
		}
	}
}
