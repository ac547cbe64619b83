package mapping

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/apigw-local/apigw-local/internal/testcorpus"
)

// vtlVectorsFile is the AWS vector file of the mapping templates (reference §V), in internal/testcorpus.
const vtlVectorsFile = "vtl-templates.json"

// TestEscapeJavaScript checks Apache commons-lang 2 StringEscapeUtils.escapeJavaScript, which API Gateway
// runs for $util.escapeJavaScript: it walks UTF-16 units; ' " \ / get a backslash; \b \t \n \f \r their
// short form; other units below 0x20 and every unit above 0x7f become \uXXXX with upper-case hex; 0x7f
// itself (DEL) is not escaped.
func TestEscapeJavaScript(t *testing.T) {
	cases := []struct {
		name string // what the case checks
		in   string // the Java string (Go UTF-8 text)
		want string // what commons-lang returns
	}{
		{"empty", "", ""},
		{"plain ASCII untouched", "Hello, World 123 ~!@#$%^&*()_+-=[]{}|;:<>?,.`", "Hello, World 123 ~!@#$%^&*()_+-=[]{}|;:<>?,.`"},
		{"double quote", `say "hi"`, `say \"hi\"`},
		{"single quote (docs: it's becomes it\\'s)", "it's", `it\'s`},
		{"backslash", `a\b`, `a\\b`},
		{"forward slash", "</script>", `<\/script>`},
		{"short control escapes", "\b\t\n\f\r", `\b\t\n\f\r`},
		{"NUL", "\x00", `\u0000`},
		{"other control below 0x10", "\x01\x0b\x0e", `\u0001\u000B\u000E`},
		{"control 0x10-0x1f", "\x10\x1f", `\u0010\u001F`},
		{"DEL 0x7f is not escaped", "\x7f", "\x7f"},
		{"Latin-1 above 0x7f", "é\u0080\u00ff", `\u00E9\u0080\u00FF`},
		{"BMP below 0x1000", "\u0100\u0fff", `\u0100\u0FFF`},
		{"BMP from 0x1000", "€\u4e2d\uffff", `\u20AC\u4E2D\uFFFF`},
		{"astral is a surrogate pair", "😀", `\uD83D\uDE00`},
		{"astral at the top", "\U0010FFFF", `\uDBFF\uDFFF`},
		{"JSON object text", `{"foo": 123}`, `{\"foo\": 123}`},
		{"mixed", "a\"b'c\\d/e\nf€", `a\"b\'c\\d\/e\nf\u20AC`},
	}
	for _, c := range cases {
		if got := EscapeJavaScript(c.in); got != c.want {
			t.Errorf("%s: EscapeJavaScript(%q) = %q, want %q", c.name, c.in, got, c.want)
		}
	}
}

// TestURLEncode checks Java's URLEncoder.encode(s, "UTF-8"): letters, digits and . - * _ stay; space is
// +; everything else is %XX of its UTF-8 bytes, upper-case hex.
func TestURLEncode(t *testing.T) {
	cases := []struct {
		in   string // the argument
		want string // the expected result
	}{
		{"", ""},
		{"abcXYZ019", "abcXYZ019"},
		{".-*_", ".-*_"}, // Java keeps '*' (Go's QueryEscape encodes it)
		{"~", "%7E"},     // Java encodes '~' (Go's QueryEscape keeps it)
		{"a b", "a+b"},   // space is '+', never %20
		{"x=a+b", "x%3Da%2Bb"},
		{`{"some": "value"}`, "%7B%22some%22%3A+%22value%22%7D"}, // vtl-templates.json#input-body-url-encode-json-body
		{"!'()", "%21%27%28%29"},
		{"/?#&%", "%2F%3F%23%26%25"},
		{"é", "%C3%A9"},
		{"€", "%E2%82%AC"},
		{"😀", "%F0%9F%98%80"},
		{"\n\t", "%0A%09"},
	}
	for _, c := range cases {
		if got := URLEncode(c.in); got != c.want {
			t.Errorf("URLEncode(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// TestURLDecode checks Java's URLDecoder.decode(s, "UTF-8"): + is a space, each run of %XX escapes is
// one byte array decoded as UTF-8 with malformed input replaced by U+FFFD (one per maximal ill-formed
// subsequence, as the JDK decoder does); a bad escape is an IllegalArgumentException.
func TestURLDecode(t *testing.T) {
	cases := []struct {
		in      string // the argument
		want    string // the expected result
		wantErr bool   // Java throws IllegalArgumentException
	}{
		{in: "", want: ""},
		{in: "x=a+b", want: "x=a b"},         // vtl-templates.json#ls-unit-urldecode-plus
		{in: "a%20b+c", want: "a b c"},       // %20 and + both give a space
		{in: "%7B%7D", want: "{}"},           // upper-case hex
		{in: "%7b%7d", want: "{}"},           // lower-case hex
		{in: "%C3%A9t%C3%A9", want: "été"},   // multi-byte UTF-8
		{in: "%F0%9F%98%80", want: "😀"},      // astral
		{in: "~*._-", want: "~*._-"},         // literal characters stay
		{in: "€", want: "€"},                 // non-ASCII text stays
		{in: "%FF", want: "\uFFFD"},          // a byte that never starts UTF-8
		{in: "%FF%FE", want: "\uFFFD\uFFFD"}, // one replacement per bad byte
		{in: "%E2%82", want: "\uFFFD"},       // a truncated sequence is one replacement
		{in: "%E2%82A", want: "\uFFFDA"},     // ... also before plain text
		{in: "%E2A%82%AC", want: "\uFFFDA\uFFFD\uFFFD"},
		{in: "%+A", want: "\n"},        // Integer.parseInt("+A", 16) is 10: Java accepts it
		{in: "%", wantErr: true},       // incomplete trailing escape
		{in: "a%4", wantErr: true},     // incomplete trailing escape
		{in: "%zz", wantErr: true},     // illegal hex characters
		{in: "%-1", wantErr: true},     // negative value
		{in: "%4g", wantErr: true},     // illegal hex characters
		{in: "%41%", wantErr: true},    // a trailing % after a run
		{in: "100%25", want: "100%"},   // an escaped percent sign
		{in: "%2B", want: "+"},         // an escaped plus is a plus
		{in: "%41%42%43", want: "ABC"}, // a run of escapes
		{in: "caf%C3%A9+%E2%82%AC", want: "café €"},
	}
	for _, c := range cases {
		got, err := URLDecode(c.in)
		if c.wantErr {
			if err == nil {
				t.Errorf("URLDecode(%q) = %q, want an error (Java throws IllegalArgumentException)", c.in, got)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("URLDecode(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
}

// TestUtilThroughTemplates runs $util's methods from templates, with API Gateway's null handling.
func TestUtilThroughTemplates(t *testing.T) {
	cases := []struct {
		name     string // what the case checks
		template string // the mapping template
		body     string // the payload ($input)
		want     string // the expected result
	}{
		{"base64Encode", `$util.base64Encode("hello world")`, "", "aGVsbG8gd29ybGQ="},
		{"base64Encode UTF-8 bytes", `$util.base64Encode("é€")`, "", "w6nigqw="},
		{"base64Encode empty", `[$util.base64Encode("")]`, "", "[]"},
		{"base64Decode", `$util.base64Decode("aGVsbG8gd29ybGQ=")`, "", "hello world"},
		{"base64Decode UTF-8", `$util.base64Decode("w6nigqw=")`, "", "é€"},
		{"base64 round trip of the body", `$util.base64Decode($util.base64Encode($input.body))`, `{"a": 1}`, `{"a": 1}`},
		// vtl-templates.json#mock-requestoverride-carried-to-response-invoke-path1's first step
		{"base64Decode JSON", `$util.base64Decode("eyJtZXNzYWdlIjogInBhdGgxIn0=")`, "", `{"message": "path1"}`},
		{"urlEncode", `$util.urlEncode("a b&c=d~*")`, "", "a+b%26c%3Dd%7E*"},
		{"urlDecode", `$util.urlDecode("a+b%26c%3Dd%7E*")`, "", "a b&c=d~*"},
		{"urlEncode of a missing value is empty", `[$util.urlEncode($input.body.nothing)]`, "", "[]"},
		{"urlEncode of the empty body is %7B%7D", `$util.urlEncode($input.body)`, "", "%7B%7D"},
		{"escapeJavaScript", `$util.escapeJavaScript('it''s a "test"')`, "", `it\'s a \"test\"`},
		{"escapeJavaScript of $input.json", `$util.escapeJavaScript($input.json('$'))`, `{"a":"b"}`, `{\"a\":\"b\"}`},
		{"escapeJavaScript then the documented replaceAll", `$util.escapeJavaScript("it's").replaceAll("\\'","'")`, "", "it's"},
		{"parseJson object prints as a Java map", `$util.parseJson('{"a":1,"b":"x"}')`, "", "{a=1, b=x}"},
		{"parseJson array prints as JSON", `$util.parseJson('[1,"x",{"a":true}]')`, "", `[1,"x",{"a":true}]`},
		{"parseJson navigation", `$util.parseJson('{"a":{"b":[10,20]}}').a.b[1]`, "", "20"},
		{"parseJson size", `$util.parseJson('{"a":1,"b":2}').size()`, "", "2"},
		{"parseJson keySet order kept", `#foreach($k in $util.parseJson('{"z":1,"a":2,"m":3}').keySet())$k#end`, "", "zam"},
		{"parseJson of a string field", `#set($o = $util.parseJson($input.path('$.inner')))$o.k`, `{"inner":"{\"k\":\"v\"}"}`, "v"},
		{"parseJson of a JSON string", `$util.parseJson('"text"')`, "", "text"},
		{"parseJson number", `#set($n = $util.parseJson('41'))#set($m = $n + 1)$m`, "", "42"},
	}
	for _, c := range cases {
		got, gerr := renderString(t, c.template, c.body, testEnv(Params{}))
		if gerr != nil {
			t.Errorf("%s: %s: error %v", c.name, c.template, gerr)
			continue
		}
		if got != c.want {
			t.Errorf("%s: %s\n got %q\nwant %q", c.name, c.template, got, c.want)
		}
	}
}

// TestUtilErrors: an argument Java's URLDecoder or json-smart throws on fails the template.
func TestUtilErrors(t *testing.T) {
	for _, tmpl := range []string{`$util.urlDecode("%zz")`, `$util.urlDecode("100%")`, `$util.parseJson('{"a":')`} {
		if out, gerr := renderString(t, tmpl, "", testEnv(Params{})); gerr == nil {
			t.Errorf("%s rendered %q, want a template error", tmpl, out)
		}
	}
}

// vtlVector is one vector of vtl-templates.json, with the raw JSON kept where key order matters.
type vtlVector struct {
	ID       string          `json:"id"`
	Evidence string          `json:"evidence"`
	Template json.RawMessage `json:"template"`
	Input    struct {
		ClientRequest           json.RawMessage `json:"client_request"`
		IntegrationResponseBody json.RawMessage `json:"integration_response_body"`
		Body                    json.RawMessage `json:"body"`
	} `json:"input"`
	Expected map[string]json.RawMessage `json:"expected"`
	Notes    string                     `json:"notes"`
}

func loadVTLVectors(t *testing.T) map[string]vtlVector {
	t.Helper()
	data := testcorpus.Vectors(vtlVectorsFile)
	var doc struct {
		Vectors []vtlVector `json:"vectors"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	out := make(map[string]vtlVector, len(doc.Vectors))
	for _, v := range doc.Vectors {
		out[v.ID] = v
	}
	return out
}

// templates returns the vector's template(s): a plain string is under "template"; an object gives its
// string members (request, response, any).
func (v vtlVector) templates(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	var s string
	if json.Unmarshal(v.Template, &s) == nil {
		out["template"] = s
		return out
	}
	var m map[string]*string
	if err := json.Unmarshal(v.Template, &m); err != nil {
		t.Fatalf("%s: template: %v", v.ID, err)
	}
	for k, p := range m {
		if p != nil && !strings.HasSuffix(k, "_file") {
			out[k] = *p
		}
	}
	return out
}

func (v vtlVector) expectedString(t *testing.T, key string) string {
	t.Helper()
	raw, ok := v.Expected[key]
	if !ok {
		t.Fatalf("%s: no expected.%s", v.ID, key)
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		t.Fatalf("%s: expected.%s: %v", v.ID, key, err)
	}
	return s
}

// payload decodes input.body / integration_response_body: a JSON string is the payload text, null is
// no payload, anything else is the JSON text itself (key order kept).
func payload(t *testing.T, raw json.RawMessage) string {
	t.Helper()
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return string(raw)
}

// TestUtilVectors reproduces the renderer expectations of vtl-templates.json: the ls-unit-* rows
// (LocalStack's unit expectations, weakest evidence) and the docs-util-* rows (AWS documentation).
func TestUtilVectors(t *testing.T) {
	vs := loadVTLVectors(t)
	ran := 0
	for id, v := range vs {
		if !strings.HasPrefix(id, "ls-unit-") && !strings.HasPrefix(id, "docs-util-") {
			continue
		}
		t.Run(id, func(t *testing.T) {
			ran++
			tm := v.templates(t)
			env := testEnv(Params{})
			var src, body string
			switch {
			case tm["any"] != "":
				src, body = tm["any"], payload(t, v.Input.Body)
			case tm["response"] != "": // docs-util-parsejson-example: over the integration response body
				src, body = tm["response"], payload(t, v.Input.IntegrationResponseBody)
			case tm["request"] != "": // docs-util-escapejavascript-single-quote: GET /?q=it's
				var cr struct{ Path string }
				_ = json.Unmarshal(v.Input.ClientRequest, &cr)
				src, env = tm["request"], testEnv(paramsFromURL(t, cr.Path, nil))
			default:
				t.Fatalf("no template in %s", v.Template)
			}
			got, gerr := renderString(t, src, body, env)
			if gerr != nil {
				t.Fatalf("template %q: %v", src, gerr)
			}
			if want := v.expectedString(t, "rendered"); got != want {
				t.Errorf("template %q over %q\n got %q\nwant %q", src, body, got, want)
			}
		})
	}
	if ran < 16 {
		t.Errorf("ran %d ls-unit/docs-util vectors, want all 16 (14 ls-unit + 2 docs-util)", ran)
	}
}
