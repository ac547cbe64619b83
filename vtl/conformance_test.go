package vtl

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/apigw-local/apigw-local/internal/testcorpus"
)

// corpusCase is one record of vtl-aws.json (internal/testcorpus: rendered on real API Gateway).
type corpusCase struct {
	ID             string          `json:"id"`
	Template       string          `json:"template"`
	Context        json.RawMessage `json:"context"`
	RequestBody    string          `json:"request_body"`
	AWSOutput      string          `json:"aws_output"`
	Postprocessing string          `json:"aws_output_postprocessing"`
	Ambiguous      bool            `json:"ambiguous"`
}

const corpusPath = "vtl-aws.json"

func loadCorpus(t testing.TB) []corpusCase {
	t.Helper()
	data := testcorpus.VTL()
	var doc struct {
		Cases []corpusCase `json:"cases"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatalf("decoding %s: %v", corpusPath, err)
	}
	if len(doc.Cases) == 0 {
		t.Fatalf("%s holds no cases", corpusPath)
	}
	return doc.Cases
}

// corpusSkips names the cases that may not be run, with the reason. It is empty: every recorded case
// runs (the five "ambiguous" ones included: their outputs agree with the template recovered for them).
var corpusSkips = map[string]string{}

// bindContext binds the context the way the recording harness did: the request body goes through
// $util.parseJson and each top-level key is #set; a JSON null leaves the variable undefined because
// #set with a null value does nothing.
func bindContext(t *testing.T, c corpusCase) *Vars {
	vars := NewVars()
	body := strings.TrimSpace(c.RequestBody)
	if body == "" {
		return vars
	}
	v, err := FromJSON([]byte(body))
	if err != nil {
		t.Fatalf("request body %q: %v", body, err)
	}
	m, ok := v.(*Map)
	if !ok {
		t.Fatalf("request body %q is not an object", body)
	}
	for _, k := range m.Keys() {
		if x, _ := m.Get(k); x != nil {
			vars.Set(k, x)
		}
	}
	return vars
}

var pyWhitespace = regexp.MustCompile(`[\s\x0b\x1c-\x1f\x85\xa0]+`)

// normalizeWhitespace is the harness's ignore_whitespaces: '\n' to ' ', strip, collapse runs.
func normalizeWhitespace(s string) string {
	s = strings.ReplaceAll(s, "\n", " ")
	s = strings.TrimSpace(s)
	return pyWhitespace.ReplaceAllString(s, " ")
}

func TestConformanceAWS(t *testing.T) {
	cases := loadCorpus(t)
	passed, skipped, failed := 0, 0, 0
	for _, c := range cases {
		t.Run(c.ID, func(t *testing.T) {
			if reason, ok := corpusSkips[c.ID]; ok {
				skipped++
				t.Skip(reason)
			}
			tmpl, err := Parse(c.ID, c.Template, Options{Mode: APIGateway})
			if err != nil {
				failed++
				t.Fatalf("Parse: %v\ntemplate: %q", err, c.Template)
			}
			got, err := tmpl.Execute(bindContext(t, c))
			if err != nil {
				failed++
				t.Fatalf("Execute: %v\ntemplate: %q", err, c.Template)
			}
			want := c.AWSOutput
			if c.Postprocessing == "whitespace_normalized" {
				got = normalizeWhitespace(got)
			}
			if got != want {
				failed++
				t.Fatalf("output mismatch\ntemplate: %q\ncontext:  %s\ngot:      %q\nwant:     %q", c.Template, c.Context, got, want)
			}
			passed++
		})
	}
	t.Logf("AWS conformance: %d passed, %d skipped, %d failed of %d recorded cases", passed, skipped, failed, len(cases))
}
