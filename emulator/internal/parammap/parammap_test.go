package parammap

import (
	"net/http"
	"reflect"
	"strings"
	"testing"
)

// What AWS's import refuses (reference §j.8): each is an error naming the key.
func TestCompileErrors(t *testing.T) {
	for _, c := range []struct {
		key, value, want string
	}{
		{"integration.request.header.x", "method.request.header.y", "is not a mapping key"},
		{"replace:header.x", "1", "the action must be append, overwrite or remove"},
		{"overwrite:header", "1", "is not a mapping key"},
		{"overwrite:header.Authorization", "x", "the Authorization header is reserved"},
		{"append:header.x-amzn-trace-id", "x", "reserved"},
		{"overwrite:header.Access-Control-Allow-Origin", "x", "reserved"},
		{"append:path", "/x", "the path can only be overwritten"},
		{"overwrite:statuscode", "200", "is not a mapping key"},
		{"overwrite:header.x", "$response.header.y", "not available in request parameters"},
		{"overwrite:header.x", "$request.cookie.y", "is not a mapping variable"},
		{"overwrite:header.x", "${request.header.y", "without its closing }"},
		{"overwrite:header.x", "$request.body..name", "recursive descent"},
		{"overwrite:header.x", "$request.body.items[?(@.a)]", "filter expressions"},
	} {
		_, errs := CompileRequest([][2]string{{c.key, c.value}})
		if len(errs) != 1 || !strings.Contains(errs[0].Error(), c.want) {
			t.Errorf("%s: %s: %v, want an error containing %q", c.key, c.value, errs, c.want)
		}
	}
	for _, c := range []struct {
		status, key, value, want string
	}{
		{"2xx", "overwrite:statuscode", "200", "must be a status code from 200 to 599"},
		{"199", "overwrite:statuscode", "200", "must be a status code from 200 to 599"},
		{"500", "overwrite:statuscode", "OK", "is not a status code"},
		{"500", "overwrite:querystring.a", "1", "is not a mapping key"},
		{"500", "overwrite:path", "/a", "is not a mapping key"},
		{"500", "overwrite:header.x", "$request.header.y", "not available in response parameters"},
		{"500", "remove:header.Content-Length", "", "reserved"},
	} {
		_, errs := CompileResponse(map[string][][2]string{c.status: {{c.key, c.value}}})
		if len(errs) != 1 || !strings.Contains(errs[0].Error(), c.want) {
			t.Errorf("%s %s: %s: %v, want an error containing %q", c.status, c.key, c.value, errs, c.want)
		}
	}
}

func TestRequestApply(t *testing.T) {
	m, errs := CompileRequest([][2]string{
		{"overwrite:header.x-user", "${request.path.id}-$context.requestId"},
		{"append:header.X-Tag", "$request.header.x-tag"},
		{"remove:header.x-secret", "''"},
		{"overwrite:header.x-missing", "$request.header.nope"},
		{"overwrite:header.x-query", "$request.querystring.q"},
		{"overwrite:header.x-body", "$request.body.user.name"},
		{"overwrite:header.x-obj", "$request.body.user"},
		{"overwrite:header.x-stage", "$stageVariables.env"},
		{"overwrite:header.x-path", "$request.path"},
		{"overwrite:header.x-static", "static value"},
		{"append:querystring.q", "added"},
		{"overwrite:querystring.page", "${request.header.x-page}"},
		{"remove:querystring.drop", ""},
		{"overwrite:path", "/v2/$request.path.id"},
	})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if !m.NeedsBody {
		t.Error("NeedsBody is false, but values read the body")
	}
	h := http.Header{}
	h.Add("X-Tag", "a")
	h.Add("X-Tag", "b")
	h.Set("X-Secret", "s")
	h.Set("X-Page", "7")
	d := &Data{Header: h, RawQuery: "q=1&drop=x&q=2&page=1&keep=%2F", Path: "/items/42", PathParameters: map[string]string{"id": "42"},
		Body: []byte(`{"user": {"name": "ann", "n": 1}}`), StageVariables: map[string]string{"env": "beta"},
		Context: func(name string) string {
			if name == "requestId" {
				return "rid"
			}
			return ""
		}}
	res := m.Apply(d)
	want := http.Header{
		"X-Tag":    {"a", "b", "a,b"},
		"X-Page":   {"7"},
		"X-User":   {"42-rid"},
		"X-Query":  {"1,2"},
		"X-Body":   {"ann"},
		"X-Obj":    {`{"name":"ann","n":1}`},
		"X-Stage":  {"beta"},
		"X-Path":   {"/items/42"},
		"X-Static": {"static value"},
	}
	if !reflect.DeepEqual(res.Header, want) {
		t.Errorf("headers\n got %v\nwant %v", res.Header, want)
	}
	if h.Get("X-Secret") != "s" || len(h["X-Tag"]) != 2 {
		t.Errorf("the request's own headers changed: %v", h)
	}
	if res.RawQuery == nil || *res.RawQuery != "q=1&q=2&keep=%2F&q=added&page=7" {
		t.Errorf("query %v, want q=1&q=2&keep=%%2F&q=added&page=7", deref(res.RawQuery))
	}
	if res.Path == nil || *res.Path != "/v2/42" {
		t.Errorf("path %v, want /v2/42", deref(res.Path))
	}
	// Nothing changes: no copies.
	none, _ := CompileRequest([][2]string{{"overwrite:header.x", "$request.header.absent"}})
	if r := none.Apply(&Data{Header: http.Header{}}); r.Header != nil || r.RawQuery != nil || r.Path != nil {
		t.Errorf("an absent source changed the request: %+v", r)
	}
}

func TestResponseApply(t *testing.T) {
	m, errs := CompileResponse(map[string][][2]string{
		"404": {{"overwrite:statuscode", "200"}, {"append:header.x-was", "404"}},
		"200": {{"overwrite:header.x-id", "$response.body.id"}, {"remove:header.Server", ""}, {"append:header.x-copy", "$response.header.x-backend"},
			{"overwrite:statuscode", "$response.header.x-status"}},
	})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if mapped, body := m.For(404); !mapped || body {
		t.Errorf("For(404) = %v, %v", mapped, body)
	}
	if mapped, body := m.For(200); !mapped || !body {
		t.Errorf("For(200) = %v, %v", mapped, body)
	}
	if mapped, _ := m.For(500); mapped {
		t.Error("For(500): mapped")
	}
	h := http.Header{"Server": {"b"}, "X-Backend": {"v"}, "X-Status": {"201"}}
	if s := m.Apply(200, h, &Data{Header: h, Body: []byte(`{"id": 7}`)}); s != 201 {
		t.Errorf("status %d, want 201", s)
	}
	want := http.Header{"X-Backend": {"v"}, "X-Status": {"201"}, "X-Id": {"7"}, "X-Copy": {"v"}}
	if !reflect.DeepEqual(h, want) {
		t.Errorf("headers %v, want %v", h, want)
	}
	h = http.Header{}
	if s := m.Apply(404, h, &Data{Header: h}); s != 200 || h.Get("X-Was") != "404" {
		t.Errorf("404: %d %v", s, h)
	}
}

func deref(s *string) string {
	if s == nil {
		return "<nil>"
	}
	return *s
}

// The value and key parsers read spec text: they never panic, and what they accept evaluates.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"$request.header.x", "${request.path.id}-${context.requestId}", "$request.body.a[0].b", "lit$", "${}", "$request.body", "$$", "${request.querystring.a b}"} {
		f.Add("overwrite:header.x", s, false)
		f.Add("overwrite:statuscode", s, true)
	}
	f.Fuzz(func(t *testing.T, key, value string, response bool) {
		o, err := parseKey(key, response)
		if err != nil {
			return
		}
		v, err := parseValue(value, response)
		if err != nil {
			return
		}
		o.value = v
		d := &Data{Header: http.Header{"X": {"1"}}, Body: []byte(`{"a":[{"b":1}]}`), RawQuery: "a=1"}
		if response {
			_ = (&Response{byStatus: map[int][]op{200: {o}}}).Apply(200, http.Header{}, d)
		} else {
			_ = (&Request{ops: []op{o}}).Apply(d)
		}
	})
}
