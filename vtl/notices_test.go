package vtl

import (
	"strings"
	"testing"
)

// Constructs API Gateway accepts but does not run render as AWS does and are listed as notices.
func TestNotices(t *testing.T) {
	cases := []struct {
		name, src string
		want      []string // notice texts, in order
		render    string
	}{
		{"plain", "Hello $name", nil, "Hello "},
		{"macro definition and call", "#macro(m)x#end\n#m()", []string{
			"t:1:1: #macro is ignored by API Gateway: the definition renders nothing and its calls are printed as written",
			"t:2:1: #m(...) calls a velocimacro; API Gateway has none and prints the call as written"}, "#m()"},
		{"evaluate", "a #evaluate($x)", []string{"t:1:3: #evaluate is not a directive on API Gateway: it is printed as written"}, "a #evaluate($x)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tmpl, err := Parse("t", c.src, Options{Mode: APIGateway})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, n := range tmpl.Notices() {
				got = append(got, n.Error())
			}
			if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
				t.Errorf("notices:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(c.want, "\n"))
			}
			out, err := tmpl.Execute(NewVars())
			if err != nil || out != c.render {
				t.Errorf("render %q, %v; want %q", out, err, c.render)
			}
		})
	}
}
