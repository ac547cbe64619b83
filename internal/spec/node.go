package spec

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/apigw-local/apigw-local/internal/findings"
	"go.yaml.in/yaml/v3"
)

// decoder walks the YAML node tree of one file, decoding typed values and collecting located findings.
type decoder struct {
	file     string
	findings Findings
	// intrinsics marks nodes already reported as CloudFormation intrinsics, so that the typed decoders do
	// not report them a second time as values of the wrong type.
	intrinsics map[*yaml.Node]bool
	sigv4      map[string]bool // security schemes with x-amazon-apigateway-authtype: awsSigv4

	// $refs to other files (refs.go): the files read, in order; each read once; the spec's directory, out
	// of which references may not lead; the references already warned about; the file each inlined node
	// was written in, for findings; the file the last resolved reference read.
	refList     []string
	refFiles    map[string]*refFile
	refRoot     string
	warnedRef   map[string]bool
	nodeFile    map[*yaml.Node]string
	lastRefFile string
	opts        Options
}

func (d *decoder) add(sev Severity, n *yaml.Node, path, format string, args ...any) {
	if file, ok := d.nodeFile[n]; ok {
		d.addIn(sev, file, n, path, format, args...)
		return
	}
	d.findings = append(d.findings, findings.Newf(sev, d.file, n, path, format, args...))
}

// deref follows aliases; checkAliases has rejected cycles before any value is decoded.
func deref(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

// child extends a path for display: plain keys are joined with dots, others are quoted in brackets.
func child(path, key string) string { return findings.Child(path, key) }

func index(path string, i int) string { return findings.Index(path, i) }

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "an object"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!null":
			return "null"
		case "!!int", "!!float":
			return "a number (" + n.Value + ")"
		case "!!bool":
			return "a boolean (" + n.Value + ")"
		}
		return "a string"
	}
	return "an unexpected value"
}

// keyValue is one entry of a YAML mapping, in document order.
type keyValue struct {
	Key   string
	KeyN  *yaml.Node
	Value *yaml.Node
}

// object is a YAML mapping being decoded at a known path.
type object struct {
	d    *decoder
	n    *yaml.Node
	path string
}

// asObject returns n as an object, reporting a wrong-type error when it is not a mapping.
func (d *decoder) asObject(n *yaml.Node, path, what string) (object, bool) {
	n = deref(n)
	if n == nil {
		return object{}, false
	}
	if n.Kind != yaml.MappingNode {
		if !d.intrinsics[n] {
			d.add(Error, n, path, "%s must be an object, got %s", what, kindName(n))
		}
		return object{}, false
	}
	return object{d: d, n: n, path: path}, true
}

func (o object) valid() bool { return o.n != nil }

func (o object) entries() []keyValue {
	if o.n == nil {
		return nil
	}
	out := make([]keyValue, 0, len(o.n.Content)/2)
	for i := 0; i+1 < len(o.n.Content); i += 2 {
		k := deref(o.n.Content[i])
		out = append(out, keyValue{Key: k.Value, KeyN: k, Value: deref(o.n.Content[i+1])})
	}
	return out
}

func (o object) get(key string) *yaml.Node {
	if o.n == nil {
		return nil
	}
	var found *yaml.Node
	for i := 0; i+1 < len(o.n.Content); i += 2 {
		if deref(o.n.Content[i]).Value == key {
			found = deref(o.n.Content[i+1]) // the last one wins, as in JSON decoders
		}
	}
	return found
}

// getFold finds a key ignoring case, for the few places where API Gateway itself ignores case.
func (o object) getFold(key string) (string, *yaml.Node) {
	for _, e := range o.entries() {
		if strings.EqualFold(e.Key, key) {
			return e.Key, e.Value
		}
	}
	return "", nil
}

func (o object) has(key string) bool { return o.get(key) != nil }

func (o object) at(key string) string { return child(o.path, key) }

// str decodes a string. Numbers and booleans are accepted and kept as written, because API Gateway's
// importer reads JSON scalars loosely (a statusCode of 200 and of "200" import the same).
func (o object) str(key string) string {
	n := o.get(key)
	if n == nil {
		return ""
	}
	s, _ := o.d.scalar(n, o.at(key), key)
	return s
}

func (d *decoder) scalar(n *yaml.Node, path, what string) (string, bool) {
	if n.Kind != yaml.ScalarNode {
		if !d.intrinsics[n] {
			d.add(Error, n, path, "%s must be a string, got %s", what, kindName(n))
		}
		return "", false
	}
	if n.Tag == "!!null" {
		return "", false
	}
	return n.Value, true
}

func (o object) integer(key string) (int, bool) {
	n := o.get(key)
	if n == nil {
		return 0, false
	}
	if n.Kind == yaml.ScalarNode && n.Tag != "!!null" {
		if v, err := strconv.Atoi(strings.TrimSpace(n.Value)); err == nil {
			return v, true
		}
	}
	if !o.d.intrinsics[n] {
		o.d.add(Error, n, o.at(key), "%s must be an integer, got %s", key, kindName(n))
	}
	return 0, false
}

func (o object) boolean(key string) (bool, bool) {
	n := o.get(key)
	if n == nil {
		return false, false
	}
	if n.Kind == yaml.ScalarNode {
		switch strings.ToLower(n.Value) {
		case "true":
			return true, true
		case "false":
			return false, true
		}
	}
	if !o.d.intrinsics[n] {
		o.d.add(Error, n, o.at(key), "%s must be true or false, got %s", key, kindName(n))
	}
	return false, false
}

// strList decodes a list of strings; a single string (not a number or boolean) is accepted as a one-element
// list, as AWS's importer does for a few list-valued fields.
func (o object) strList(key string) []string {
	n := o.get(key)
	if n == nil {
		return nil
	}
	return o.d.strList(n, o.at(key), key)
}

func (d *decoder) strList(n *yaml.Node, path, what string) []string {
	n = deref(n)
	if n.Kind == yaml.ScalarNode && n.Tag != "!!null" && n.Tag != "!!int" && n.Tag != "!!float" && n.Tag != "!!bool" {
		return []string{n.Value}
	}
	if n.Kind != yaml.SequenceNode {
		if !d.intrinsics[n] && n.Tag != "!!null" {
			d.add(Error, n, path, "%s must be a list of strings, got %s", what, kindName(n))
		}
		return nil
	}
	out := make([]string, 0, len(n.Content))
	for i, c := range n.Content {
		if s, ok := d.scalar(deref(c), index(path, i), what+" entry"); ok {
			out = append(out, s)
		}
	}
	return out
}

// strMap decodes an object of strings, keeping document order.
func (o object) strMap(key string) []KV {
	n := o.get(key)
	if n == nil {
		return nil
	}
	m, ok := o.d.asObject(n, o.at(key), key)
	if !ok {
		return nil
	}
	out := make([]KV, 0, len(m.entries()))
	for _, e := range m.entries() {
		if s, ok := o.d.scalar(e.Value, m.at(e.Key), e.Key); ok {
			out = append(out, KV{Key: e.Key, Value: s})
		} else if e.Value.Kind == yaml.ScalarNode {
			out = append(out, KV{Key: e.Key}) // null: an empty template, as API Gateway stores it
		}
	}
	return out
}

// unknownKeys warns about keys this extension does not define: API Gateway ignores them on import, and a
// typo in a key is easy to miss otherwise.
func (o object) unknownKeys(what string, allowed ...string) {
	for _, e := range o.entries() {
		known := false
		for _, a := range allowed {
			if e.Key == a {
				known = true
				break
			}
		}
		if !known && !strings.HasPrefix(e.Key, "x-") {
			hint := ""
			if s := closest(e.Key, allowed); s != "" {
				hint = fmt.Sprintf(" (did you mean %q?)", s)
			}
			o.d.add(Warning, e.KeyN, o.at(e.Key), "unknown key %q in %s is ignored by API Gateway%s", e.Key, what, hint)
		}
	}
}

// closest returns the allowed word nearest to s when it is a plausible typo of it.
func closest(s string, words []string) string {
	best, bestD := "", 3
	for _, w := range words {
		if d := findings.EditDistance(strings.ToLower(s), strings.ToLower(w)); d < bestD {
			best, bestD = w, d
		}
	}
	return best
}
