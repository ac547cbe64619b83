package vtl

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/apigw-local/apigw-local/internal/testcorpus"
)

// The vectors of vtl-templates.json (internal/testcorpus: recorded on AWS) mostly need API Gateway's $input,
// $util and $context, which the mapping package binds and tests. Here:
//   - every vector template that needs no binding at all renders (verbatim: they are static text);
//   - the $input.path vectors run with a minimal stand-in for $input.path (dotted JSONPath over the
//     recorded body), because what they check is the engine's printing of maps, JSON arrays and nulls.

type vector struct {
	ID       string          `json:"id"`
	Template json.RawMessage `json:"template"`
	Input    struct {
		IntegrationResponseBody json.RawMessage `json:"integration_response_body"`
	} `json:"input"`
	Expected struct {
		Rendered *string `json:"rendered"`
	} `json:"expected"`
}

func loadVectors(t *testing.T) []vector {
	data := testcorpus.Vectors("vtl-templates.json")
	var doc struct {
		Vectors []vector `json:"vectors"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	return doc.Vectors
}

func vectorTemplates(v vector) map[string]string {
	out := map[string]string{}
	var s string
	if json.Unmarshal(v.Template, &s) == nil {
		out["template"] = s
		return out
	}
	var m map[string]any
	if json.Unmarshal(v.Template, &m) == nil {
		for k, x := range m {
			if s, ok := x.(string); ok && !strings.HasSuffix(k, "_file") {
				out[k] = s
			}
		}
	}
	return out
}

var needsBinding = regexp.MustCompile(`\$!?\{?(input|util|context|stageVariables)\b`)

func TestVectorsWithoutBindings(t *testing.T) {
	n := 0
	for _, v := range loadVectors(t) {
		for k, src := range vectorTemplates(v) {
			if needsBinding.MatchString(src) {
				continue
			}
			n++
			tmpl, err := Parse(v.ID, src, Options{Mode: APIGateway})
			if err != nil {
				t.Errorf("%s/%s: %v", v.ID, k, err)
				continue
			}
			got, err := tmpl.Execute(nil)
			if err != nil {
				t.Errorf("%s/%s: %v", v.ID, k, err)
				continue
			}
			want := src
			if v.Expected.Rendered != nil {
				want = *v.Expected.Rendered
			}
			if got != want {
				t.Errorf("%s/%s: got %q, want %q", v.ID, k, got, want)
			}
		}
	}
	if n == 0 {
		t.Fatal("no binding-free vector templates found")
	}
	t.Logf("%d binding-free vector templates render as recorded", n)
}

// pathInput is a stand-in for $input with only path("$.a.b") over a JSON document.
type pathInput struct{ doc any }

func (p pathInput) Property(string) (any, bool) { return nil, false }
func (p pathInput) Call(name string, args []any) (any, error) {
	if name != "path" || len(args) != 1 {
		return nil, ErrNoMethod
	}
	cur := p.doc
	for _, key := range strings.Split(strings.TrimPrefix(ToString(args[0]), "$"), ".")[1:] {
		m, ok := cur.(*Map)
		if !ok {
			return nil, nil
		}
		cur, _ = m.Get(key)
	}
	return cur, nil
}

var pathOnly = regexp.MustCompile(`^#set\(\$result = \$input\.path\("\$(\.\w+)*"\)\)`)

func TestVectorsInputPathPrinting(t *testing.T) {
	n := 0
	for _, v := range loadVectors(t) {
		src := vectorTemplates(v)["template"]
		if !strings.HasPrefix(v.ID, "input-path-") || !pathOnly.MatchString(src) || v.Expected.Rendered == nil {
			continue
		}
		n++
		body, err := FromJSON(v.Input.IntegrationResponseBody)
		if err != nil {
			t.Fatalf("%s: %v", v.ID, err)
		}
		if m, ok := body.(*Map); ok {
			m.Delete("...")
		}
		tmpl, err := Parse(v.ID, src, Options{Mode: APIGateway})
		if err != nil {
			t.Fatalf("%s: %v", v.ID, err)
		}
		vars := NewVars()
		vars.Set("input", pathInput{doc: body})
		got, err := tmpl.Execute(vars)
		if err != nil {
			t.Fatalf("%s: %v", v.ID, err)
		}
		if got != *v.Expected.Rendered {
			t.Errorf("%s: got %q, want %q", v.ID, got, *v.Expected.Rendered)
		}
	}
	if n < 10 {
		t.Fatalf("only %d input-path vectors matched", n)
	}
	t.Logf("%d $input.path printing vectors pass", n)
}
