package lambdaproxy

import (
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apigw-local/apigw-local/internal/reqctx"
)

// fuzzRequest builds a Request from fuzz input: headers are "name:value" lines (a name may repeat),
// spelled the client's names, params and vars "key=value" lines, and the bits of flags switch the
// optional parts on.
func fuzzRequest(path, stage, query, headers, spelled, params, text string, body []byte, flags uint16, n int64) *Request {
	r := baseRequest()
	r.Path, r.Stage, r.RawQuery, r.Body = path, stage, query, body
	r.Resource = text
	r.IsBase64 = flags&1 != 0
	r.Header = http.Header{}
	for line := range strings.SplitSeq(headers, "\n") {
		k, v, _ := strings.Cut(line, ":")
		if flags&2 != 0 {
			r.Header[k] = append(r.Header[k], v) // not canonical: the map as a caller may fill it
		} else {
			r.Header.Add(k, v)
		}
	}
	if flags&4 != 0 {
		r.Header["X-Empty"] = []string{}
	}
	if spelled != "" {
		r.HeaderNames = strings.Split(spelled, "\n")
	}
	lines := func(s string) map[string]string {
		if s == "" {
			return nil
		}
		m := map[string]string{}
		for line := range strings.SplitSeq(s, "\n") {
			k, v, _ := strings.Cut(line, "=")
			m[k] = v
		}
		return m
	}
	r.PathParameters = lines(params)
	if flags&8 != 0 {
		r.StageVariables = lines(params + "\n" + text)
	} else if flags&16 != 0 {
		r.StageVariables = map[string]string{}
	}
	if flags&32 != 0 {
		r.SourceIP, r.UserAgent, r.DomainName, r.TraceID = "", text, "", ""
	}
	if flags&64 != 0 {
		r.APIKey, r.APIKeyID = text, stage
	}
	if flags&128 != 0 {
		r.Caller = reqctx.Caller{AccessKey: "AKID" + text, AccountID: stage, Caller: text, User: "", UserARN: path}
	}
	if flags&256 != 0 {
		r.Protocol, r.DomainPrefix, r.RouteKey, r.Method = text, stage, text, text
	}
	r.HTTPAPI = flags&(1<<12) != 0
	r.RequestTime = time.UnixMilli(n).In(time.FixedZone("x", 3600))
	f := math.Float64frombits(uint64(n))
	switch flags >> 9 & 7 {
	case 1:
		r.Authorizer = map[string]any{}
	case 2:
		r.Authorizer = map[string]any{"claims": lines(params + "\n" + text)}
	case 3:
		r.Authorizer = map[string]any{"principalId": text, "integrationLatency": n, "n": f, "b": flags&1 != 0,
			"i": int(n), "nil": nil, "list": []string{text, stage}, "nilList": []string(nil),
			"nested": map[string]any{text: []any{text, f, n, map[string]string{}, map[string]any(nil)}}}
	case 4:
		r.Authorizer = map[string]any{"raw": json.RawMessage(text), "ctx": lines(text)}
	case 5:
		r.Authorizer = map[string]any{"uint": uint8(n), "f32": float32(f), "time": time.UnixMilli(n).UTC()}
	case 6:
		deep := map[string]any{"leaf": text}
		for range int(n&63) + 1 {
			deep = map[string]any{"d": deep, "s": []any{text, n}} // past appendValue's own depth
		}
		r.Authorizer = deep
	}
	return r
}

func sameEvent(t *testing.T, name string, got []byte, gotErr error, want []byte, wantErr error) {
	t.Helper()
	if (gotErr == nil) != (wantErr == nil) || gotErr != nil && gotErr.Error() != wantErr.Error() {
		t.Fatalf("%s: error %v, oracle %v", name, gotErr, wantErr)
	}
	if string(got) != string(want) {
		t.Fatalf("%s:\n got %s\nwant %s", name, got, want)
	}
}

// FuzzEventEquivalence: the events appended into a buffer are byte for byte the events of the oracle
// (the object-and-encoder implementation they replace).
func FuzzEventEquivalence(f *testing.F) {
	f.Add("/dev//a%2Fb/", "dev", "a=1&a=2&b=x+y#f", "Accept:x\nX-A:1\nx-a:2\nCookie:a=b; c=d", "accept\nx-A", "id=1", "/{proxy+}", []byte("body"), uint16(0), int64(1583349317135))
	f.Add("//", "", "%", "tEsT:<&>\nHost:h\nContent-Length:3\nX-Forwarded-For:1.2.3.4", "tEsT-HEADeR", "", "", []byte{0xff}, uint16(1|8|64|128|3<<9), int64(-1))
	f.Add("/x", "x", "q=\u2028&q=\xff", "K\u212a:\x01\nİ:x\nCOOKIE:z=1\nbad name:v", "bad name\nk\u212a", "a=\"\\", "\t", []byte("\u2029"), uint16(2|4|16|32|256|2<<9), int64(0))
	f.Add("/p", "p", "", "User-Agent:ua\nAuthorization:t", "user-agent", "k=v", "txt", []byte(nil), uint16(4<<9), int64(42))
	f.Add("/p", "p", "", "", "", "", `{"a":1}`, []byte(nil), uint16(4<<9), int64(42))
	f.Add("/p", "p", "", "", "", "", "x", []byte(nil), uint16(5<<9), int64(7))
	f.Add("/p", "m", "", "", "O\xa2\x06\xa5L\xf1\xa2", "", "x", []byte(""), uint16(3573), int64(92)) // 30 levels of authorizer
	f.Add("/p", "p", "", "", "", "", "x", []byte(nil), uint16(3<<9), int64(0x7ff8000000000001))
	f.Add("/$default/p", "$default", "a=1", "X-Mixed-Case:1\nx-mixed-case:2\nCookie:a=b", "X-MIXED-case", "id=1", "/p", []byte("b"), uint16(1<<12), int64(7))
	f.Add("/p", "dev", "", "Accept:x", "", "", "x", []byte(nil), uint16(1<<12|2<<9), int64(7))
	f.Fuzz(func(t *testing.T, path, stage, query, headers, spelled, params, text string, body []byte, flags uint16, n int64) {
		r := fuzzRequest(path, stage, query, headers, spelled, params, text, body, flags, n)
		got, gotErr := EventV1(r)
		want, wantErr := oracleEventV1(r)
		sameEvent(t, "EventV1", got, gotErr, want, wantErr)
		// Appended after other bytes, the event leaves them as they were.
		if appended, err := AppendEventV1([]byte("prefix"), r); err == nil && string(appended) != "prefix"+string(got) {
			t.Fatalf("AppendEventV1 after a prefix: %s", appended)
		}
		got, gotErr = EventV2(r)
		want, wantErr = oracleEventV2(r)
		sameEvent(t, "EventV2", got, gotErr, want, wantErr)
		got, gotErr = RequestAuthorizerEvent(r, text)
		want, wantErr = oracleRequestAuthorizerEvent(r, text)
		sameEvent(t, "RequestAuthorizerEvent", got, gotErr, want, wantErr)
	})
}

// corpusPayloads reads the first []byte value of each file of the fuzz corpus of target.
func corpusPayloads(f *testing.F, target string) [][]byte {
	files, _ := filepath.Glob(filepath.Join("testdata", "fuzz", target, "*"))
	var out [][]byte
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		for line := range strings.SplitSeq(string(data), "\n") {
			if inner, ok := strings.CutPrefix(line, "[]byte("); ok {
				if s, err := strconv.Unquote(strings.TrimSuffix(inner, ")")); err == nil {
					out = append(out, []byte(s))
				}
				break
			}
		}
	}
	return out
}

func sameResponse(t *testing.T, name string, payload []byte, got *Response, gotErr error, want *Response, wantErr error) {
	t.Helper()
	if (gotErr == nil) != (wantErr == nil) || gotErr != nil && gotErr.Error() != wantErr.Error() {
		t.Fatalf("%s(%q): error %v, oracle %v", name, payload, gotErr, wantErr)
	}
	if gotErr != nil {
		var me *MalformedError
		if !errors.As(gotErr, &me) || got != nil {
			t.Fatalf("%s(%q): error %T with response %+v", name, payload, gotErr, got)
		}
		return
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s(%q):\n got %+v\nwant %+v", name, payload, got, want)
	}
}

// FuzzResponseEquivalence: the one-pass reading of a function result gives the oracle's response, or
// its error with the same text, for 1.0 (with any Accept and binaryMediaTypes) and 2.0.
func FuzzResponseEquivalence(f *testing.F) {
	var seeds [][]byte
	for _, s := range fuzzSeeds(f) {
		seeds = append(seeds, []byte(s))
	}
	for _, target := range []string{"FuzzResponseV1", "FuzzResponseV2", "FuzzResponseEquivalence"} {
		seeds = append(seeds, corpusPayloads(f, target)...)
	}
	seeds = append(seeds, benchResponse,
		[]byte(`{"status\u0043ode":"201","h\u0065aders":{"a\u00e9":"x"},"body":"\ud83d\ude00\ud800x\udc00"}`),
		[]byte(`{"cookies":["a=1",null,2,true],"statusCode":200.0,"body":"aGk","isBase64Encoded":"TRUE"}`),
		[]byte(`{"multiValueHeaders":{"A":["1","1"]},"headers":{"a":"1","A":"2"},"body":""}`),
		[]byte(`{"statusCode":200,"body":"aGk=","isBase64Encoded":true}`),
		[]byte(` [1, 2.5e3, "x"] `), []byte(`"str\"ing"`), []byte(`{"a":[[[[]]]]} `), []byte(`{"a":1,}`), []byte(`{"a" 1}`),
		[]byte(`{"statusCode":200}x`), []byte(`{"statusCode":-0}`), []byte(`{"statusCode":1e400}`), []byte(`{"body":01}`))
	for _, s := range seeds {
		f.Add(s, "image/png", "image/png,*/test")
		f.Add(s, "", "")
		f.Add(s, "*/*;q=1", "*/*")
	}
	f.Fuzz(func(t *testing.T, payload []byte, accept, types string) {
		var binaryTypes []string
		if types != "" {
			binaryTypes = strings.Split(types, ",")
		}
		got, gotErr := ResponseV1(payload, accept, binaryTypes)
		want, wantErr := oracleResponseV1(payload, accept, binaryTypes)
		sameResponse(t, "ResponseV1", payload, got, gotErr, want, wantErr)
		got, gotErr = ResponseV2(payload, binaryTypes)
		want, wantErr = oracleResponseV2(payload, binaryTypes)
		sameResponse(t, "ResponseV2", payload, got, gotErr, want, wantErr)
	})
}
