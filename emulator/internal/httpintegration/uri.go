package httpintegration

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"sync"
)

// uriTemplate is an integration URI split once, when the snapshot is built, into literal text, stage
// variable references (${stageVariables.x}) and path placeholders ({name}, filled from
// integration.request.path.name).
type uriTemplate struct {
	parts []uriPart
}

type partKind int

const (
	literal partKind = iota
	stageVariable
	pathParam
)

type uriPart struct {
	kind partKind
	text string // the literal, or the variable/parameter name
	raw  string // a path placeholder as written ({proxy+} keeps its +), for when it has no value
}

var uriToken = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`\$\{stageVariables\.([A-Za-z0-9_]+)\}|\{([A-Za-z0-9_.\-]+)\+?\}`)
})

func parseURI(s string) *uriTemplate {
	t := &uriTemplate{}
	last := 0
	for _, m := range uriToken().FindAllStringSubmatchIndex(s, -1) {
		if m[0] > last {
			t.parts = append(t.parts, uriPart{kind: literal, text: s[last:m[0]]})
		}
		if m[2] >= 0 {
			t.parts = append(t.parts, uriPart{kind: stageVariable, text: s[m[2]:m[3]]})
		} else {
			t.parts = append(t.parts, uriPart{kind: pathParam, text: s[m[4]:m[5]], raw: s[m[0]:m[1]]})
		}
		last = m[1]
	}
	if last < len(s) {
		t.parts = append(t.parts, uriPart{kind: literal, text: s[last:]})
	}
	return t
}

// stageVariables lists the stage variables the URI needs.
func (t *uriTemplate) stageVariables() []string {
	var out []string
	for _, p := range t.parts {
		if p.kind == stageVariable {
			out = append(out, p.text)
		}
	}
	return out
}

// pathParams lists the {name} placeholders.
func (t *uriTemplate) pathParams() []string {
	var out []string
	for _, p := range t.parts {
		if p.kind == pathParam {
			out = append(out, p.text)
		}
	}
	return out
}

// errUnresolved is an unresolvable stage variable: AWS answers 500 Internal server error.
type errUnresolved struct{ name string }

func (e errUnresolved) Error() string {
	return fmt.Sprintf("stage variable %q used in the integration URI is not defined on this stage", e.name)
}

// expand fills the template. Path parameter values are inserted as received (still percent-encoded), as
// API Gateway does.
func (t *uriTemplate) expand(stageVars map[string]string, pathValue func(string) (string, bool)) (string, error) {
	var b strings.Builder
	for _, p := range t.parts {
		switch p.kind {
		case literal:
			b.WriteString(p.text)
		case stageVariable:
			v, ok := stageVars[p.text]
			if !ok {
				return "", errUnresolved{p.text}
			}
			b.WriteString(v)
		case pathParam:
			if v, ok := pathValue(p.text); ok {
				b.WriteString(v)
			} else {
				b.WriteString(p.raw) // left as written
			}
		}
	}
	return b.String(), nil
}

// staticCheck rejects, at build, a URI that names no usable endpoint whatever the request: one without
// stage variables whose scheme is not http(s) or which has no host. AWS answers every request to it 500;
// a URI with stage variables is checked per request, once they are substituted.
func (t *uriTemplate) staticCheck() error {
	if len(t.stageVariables()) > 0 {
		return nil
	}
	raw, _ := t.expand(nil, func(string) (string, bool) { return "x", true })
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("invalid endpoint address %q: the integration URI must be an absolute http or https URL", raw)
	}
	return nil
}
