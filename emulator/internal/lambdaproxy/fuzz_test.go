package lambdaproxy

import (
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/apigw-local/apigw-local/internal/testcorpus"
)

// fuzzSeeds are the function results of the vectors plus edge cases of the table tests.
func fuzzSeeds(f *testing.F) []string {
	seeds := []string{
		`{}`, `{"statusCode":"201"}`, `{"statusCode":"test"}`, `"justAString"`, `null`, `[]`, ``,
		`{"headers":{"a":true,"b":1.5,"c":null}}`, `{"multiValueHeaders":{"a":"x"}}`,
		`{"multiValueHeaders":{"A":["1",2,null]},"headers":{"a":"1"}}`, `{"body":{"a":1}}`,
		`{"body":"aGk=","isBase64Encoded":"true"}`, `{"statusCode":2e2}`, `{"headers":{"bad name":"x"}}`,
		`{"headers":{"a":"x\r\ny"}}`, `{"statusCode":200,"statusCode":"x"}`, `{"a":1}{}`, "{\"body\":\"\xff\"}",
	}
	data := testcorpus.Vectors(vectorFile)
	var file struct {
		Vectors []struct {
			Input struct {
				Returns json.RawMessage `json:"lambda_returns"`
			} `json:"input"`
		} `json:"vectors"`
	}
	if err := json.Unmarshal(data, &file); err != nil {
		f.Fatal(err)
	}
	for _, v := range file.Vectors {
		if len(v.Input.Returns) > 0 {
			seeds = append(seeds, string(v.Input.Returns))
		}
	}
	return seeds
}

// FuzzResponseV1: ResponseV1 never panics, is deterministic, and either fails with a MalformedError or
// returns a response the gateway can write as is.
func FuzzResponseV1(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add([]byte(s), "image/png", "image/png,*/test")
		f.Add([]byte(s), "", "")
	}
	f.Fuzz(func(t *testing.T, payload []byte, accept, types string) {
		var binaryTypes []string
		if types != "" {
			binaryTypes = strings.Split(types, ",")
		}
		resp, err := ResponseV1(payload, accept, binaryTypes)
		again, err2 := ResponseV1(payload, accept, binaryTypes)
		if !reflect.DeepEqual(resp, again) || (err == nil) != (err2 == nil) {
			t.Fatalf("not deterministic: %+v, %v / %+v, %v", resp, err, again, err2)
		}
		if err != nil {
			var me *MalformedError
			if !errors.As(err, &me) || resp != nil {
				t.Fatalf("error %T %v with response %+v", err, err, resp)
			}
			return
		}
		if !json.Valid(payload) {
			t.Fatalf("accepted invalid JSON %q", payload)
		}
		checkWritable(t, resp)
	})
}

// FuzzResponseV2: the same properties for 2.0, and every valid JSON value is accepted unless it
// describes a response (an object with statusCode).
func FuzzResponseV2(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		resp, err := ResponseV2(payload, nil)
		if err != nil {
			var me *MalformedError
			if !errors.As(err, &me) || resp != nil {
				t.Fatalf("error %T %v with response %+v", err, err, resp)
			}
			if json.Valid(payload) && !strings.Contains(string(payload), "statusCode") {
				t.Fatalf("rejected valid JSON without statusCode %q: %v", payload, err)
			}
			return
		}
		if !json.Valid(payload) {
			t.Fatalf("accepted invalid JSON %q", payload)
		}
		checkWritable(t, resp)
	})
}

// checkWritable: a status net/http can write, header names that are tokens and unique
// case-insensitively, values without control characters, exactly one Content-Type.
func checkWritable(t *testing.T, resp *Response) {
	t.Helper()
	if resp == nil || resp.Header == nil {
		t.Fatalf("nil response or header: %+v", resp)
	}
	if resp.Status < 100 || resp.Status > 599 {
		t.Fatalf("status %d", resp.Status)
	}
	seen := map[string]bool{}
	for name, values := range resp.Header {
		lower := strings.ToLower(name)
		if !validName(name) || seen[lower] {
			t.Fatalf("header name %q (duplicate %v)", name, seen[lower])
		}
		seen[lower] = true
		if len(values) == 0 {
			t.Fatalf("header %q without values", name)
		}
		for _, v := range values {
			if !validValue(v) {
				t.Fatalf("header %q value %q", name, v)
			}
		}
	}
	if !seen["content-type"] {
		t.Fatalf("no Content-Type: %v", resp.Header)
	}
}

// FuzzEventV1: whatever the request, the event is valid JSON with the top-level keys of §e.1.
func FuzzEventV1(f *testing.F) {
	f.Add("/dev//a%2Fb/", "dev", "a=1&a=2&b=x+y#f", "tEsT", "v<&>", []byte("body"), false)
	f.Add("//", "", "%", "", "", []byte{0xff}, true)
	f.Fuzz(func(t *testing.T, path, stage, query, hname, hvalue string, body []byte, b64 bool) {
		r := baseRequest()
		r.Path, r.Stage, r.RawQuery, r.Body, r.IsBase64 = path, stage, query, body, b64
		r.Header = http.Header{http.CanonicalHeaderKey(hname): {hvalue}}
		r.HeaderNames = []string{hname}
		for _, build := range []func(*Request) ([]byte, error){EventV1, EventV2} {
			ev, err := build(r)
			if err != nil {
				t.Fatal(err)
			}
			var m map[string]any
			if err := json.Unmarshal(ev, &m); err != nil {
				t.Fatalf("invalid JSON %q: %v", ev, err)
			}
			if _, ok := m["requestContext"]; !ok {
				t.Fatalf("no requestContext: %s", ev)
			}
		}
	})
}

// FuzzJSONString checks the hand-written string writer against encoding/json without HTML escaping.
func FuzzJSONString(f *testing.F) {
	for _, s := range []string{"", "plain", `q"b\s`, "\x00\x01\b\f\n\r\t\x1f", "<>&", "\u2028\u2029", "é€😀", "\xff\xfe", "a\xc3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		w := newJSONWriter()
		w.str(s)
		want := newJSONWriter()
		if err := want.encode(s); err != nil {
			t.Fatal(err)
		}
		if w.buf.String() != want.buf.String() {
			t.Errorf("%q: got %s, want %s", s, w.buf.String(), want.buf.String())
		}
	})
}
