package config

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/apigw-local/apigw-local/internal/findings"
	"go.yaml.in/yaml/v3"
)

const (
	// maxVisits bounds the work of decoding (nodes visited, plus a share for long strings), so that
	// documents that expand aliases exponentially are rejected instead of decoded for ever.
	maxVisits = 1 << 20
	// maxFindings bounds the findings reported.
	maxFindings = 200
)

// decoder walks the YAML node tree of one file, decoding typed values and collecting located findings.
type decoder struct {
	file      string
	findings  Findings
	warnings  Findings
	pos       map[string]Position
	visits    int
	exhausted bool
}

func (d *decoder) errorf(n *yaml.Node, path, format string, args ...any) {
	d.findings = append(d.findings, findings.Newf(findings.Error, d.file, n, path, format, args...))
}

// warnf reports what does not stop the configuration from loading: it goes to Config.Warnings.
func (d *decoder) warnf(n *yaml.Node, path, format string, args ...any) {
	d.warnings = append(d.warnings, findings.Newf(findings.Warning, d.file, n, path, format, args...))
}

// result returns the findings sorted, deduplicated and bounded.
func (d *decoder) result() Findings {
	if d.exhausted {
		return Findings{{Severity: findings.Error, File: d.file, Message: "the document is too large once YAML aliases are expanded; use fewer nested aliases"}}
	}
	fs := d.findings.Compact()
	if len(fs) > maxFindings {
		more := len(fs) - maxFindings
		fs = append(fs[:maxFindings:maxFindings], Finding{Severity: findings.Error, File: d.file, Message: fmt.Sprintf("%d more problems not shown; fix the ones above first", more)})
	}
	return fs
}

// parse decodes the single YAML document in data into c.
func (d *decoder) parse(data []byte, c *Config) {
	doc, err := findings.Read(d.file, data)
	var se *findings.SyntaxError
	switch {
	case errors.As(err, &se):
		d.findings = append(d.findings, se.Finding("invalid YAML"))
		return
	case err != nil:
		d.errorf(nil, "", "invalid YAML: %v", err)
		return
	}
	if doc.NextError != nil {
		d.findings = append(d.findings, doc.NextError.Finding("invalid YAML"))
		return
	}
	if doc.Next != nil {
		d.errorf(doc.Next, "", "a second YAML document starts here; the configuration is one document: remove the \"---\" separator and merge or delete what follows")
	}
	d.findings = append(d.findings, doc.Duplicates...)
	if doc.Root == nil {
		return // an empty file is an empty configuration
	}
	d.config(doc.Root, c)
}

// deref follows aliases and counts the visit; it returns nil (a null) once the visit budget is spent.
func (d *decoder) deref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode; i++ {
		if i > 100 {
			return nil
		}
		n = n.Alias
	}
	if n != nil {
		d.visits += 1 + len(n.Value)/64 // long strings cost more: they are copied into paths and matched
	}
	if d.visits > maxVisits {
		d.exhausted = true
		return nil
	}
	return n
}

func (d *decoder) at(path string, n *yaml.Node) {
	if n != nil && path != "" {
		if _, ok := d.pos[path]; !ok {
			d.pos[path] = Position{Line: n.Line, Column: n.Column}
		}
	}
}

func isNull(n *yaml.Node) bool {
	return n == nil || n.Kind == 0 || (n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null")
}

// child extends a path: plain keys are joined with dots, others are quoted in brackets.
func child(path, key string) string { return findings.Child(path, key) }

func index(path string, i int) string { return findings.Index(path, i) }

// quote quotes s for a message, shortening long values.
func quote(s string) string {
	const max = 48
	if utf8.RuneCountInString(s) > max {
		r := []rune(s)
		return strconv.Quote(string(r[:max])) + "..."
	}
	return strconv.Quote(s)
}

// describe names a node's type and value for "expected X, got Y" messages.
func describe(n *yaml.Node) string {
	if isNull(n) {
		return "null"
	}
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch tag := n.ShortTag(); tag {
		case "!!str":
			return "string " + quote(n.Value)
		case "!!int":
			return "integer " + n.Value
		case "!!float":
			return "number " + n.Value
		case "!!bool":
			return "boolean " + n.Value
		default:
			return "a value tagged " + tag + " (" + quote(n.Value) + ")"
		}
	}
	return "an unexpected node"
}

// entry is one key of a YAML mapping, in document order.
type entry struct {
	key  string
	k, v *yaml.Node // the key (dereferenced) and the value (as written; may be an alias)
}

// mapping returns the entries of the mapping n (dereferenced and returned as node). A null is an empty
// mapping; anything else is reported and ok is false.
func (d *decoder) mapping(n *yaml.Node, path string) (node *yaml.Node, es []entry, ok bool) {
	n = d.deref(n)
	if isNull(n) {
		return n, nil, true
	}
	if n.Kind != yaml.MappingNode {
		d.errorf(n, path, "expected a mapping, got %s", describe(n))
		return n, nil, false
	}
	es = d.entries(n, path, 0)
	for _, e := range es {
		d.at(child(path, e.key), e.k)
	}
	return n, es, true
}

// entries lists a mapping's entries, expanding YAML merge keys ("<<: *base"); explicit keys win over
// merged ones, and earlier merged mappings over later ones.
func (d *decoder) entries(n *yaml.Node, path string, depth int) []entry {
	var out []entry
	seen := map[string]*yaml.Node{}
	var merges []*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := d.deref(n.Content[i])
		if k == nil {
			continue
		}
		if k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge" {
			merges = append(merges, n.Content[i+1])
			continue
		}
		if k.Kind != yaml.ScalarNode {
			d.errorf(k, path, "keys must be strings, got %s", describe(k))
			continue
		}
		if _, dup := seen[k.Value]; dup {
			continue // reported by findings.Read; the first one is used
		}
		seen[k.Value] = k
		out = append(out, entry{key: k.Value, k: k, v: n.Content[i+1]})
	}
	for _, m := range merges {
		mn := d.deref(m)
		var sources []*yaml.Node
		switch {
		case isNull(mn):
		case mn.Kind == yaml.MappingNode:
			sources = append(sources, mn)
		case mn.Kind == yaml.SequenceNode:
			for _, s := range mn.Content {
				s = d.deref(s)
				if s != nil && s.Kind == yaml.MappingNode {
					sources = append(sources, s)
				} else if s != nil {
					d.errorf(s, path, "a merge key (<<) takes mappings, got %s", describe(s))
				}
			}
		default:
			d.errorf(mn, path, "a merge key (<<) takes a mapping or a list of mappings, got %s", describe(mn))
		}
		if depth > 20 {
			continue
		}
		for _, s := range sources {
			for _, e := range d.entries(s, path, depth+1) {
				if _, dup := seen[e.key]; dup {
					continue
				}
				seen[e.key] = e.k
				out = append(out, e)
			}
		}
	}
	return out
}

// object is a YAML mapping with a fixed set of keys, being decoded at path.
type object struct {
	d         *decoder
	node      *yaml.Node // dereferenced; a null node for an empty value
	path      string
	vals      map[string]entry
	suggested map[string]bool // allowed keys suggested for unknown ones, not reported again as missing
}

// object reports unknown keys of the mapping n and returns it for field access; nil if n is not a mapping.
func (d *decoder) object(n *yaml.Node, path string, allowed []string) *object {
	node, es, ok := d.mapping(n, path)
	if !ok {
		return nil
	}
	o := &object{d: d, node: node, path: path, vals: map[string]entry{}, suggested: map[string]bool{}}
	for _, e := range es {
		if path == "" && strings.HasPrefix(e.key, "x-") {
			continue // top-level extension keys hold YAML anchors for reuse; they are ignored
		}
		known := false
		for _, a := range allowed {
			if e.key == a {
				known = true
				break
			}
		}
		if !known {
			sug := suggest(e.key, allowed)
			if sug != "" {
				o.suggested[sug] = true
				d.errorf(e.k, path, "unknown key %s (did you mean %q?)", quote(e.key), sug)
			} else {
				d.errorf(e.k, path, "unknown key %s (allowed keys: %s)", quote(e.key), strings.Join(allowed, ", "))
			}
			continue
		}
		o.vals[e.key] = e
	}
	return o
}

// val returns the value of key, or nil when the key is absent.
func (o *object) val(key string) *yaml.Node {
	if e, ok := o.vals[key]; ok {
		return e.v
	}
	return nil
}

// keyNode returns the key node of key, or the mapping node when absent (for locating findings).
func (o *object) keyNode(key string) *yaml.Node {
	if e, ok := o.vals[key]; ok {
		return e.k
	}
	return o.node
}

// has reports whether key is present with a non-null value.
func (o *object) has(key string) bool {
	e, ok := o.vals[key]
	return ok && !isNull(o.d.derefQuiet(e.v))
}

// derefQuiet follows aliases without counting a visit.
func (d *decoder) derefQuiet(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i <= 100; i++ {
		n = n.Alias
	}
	return n
}

// require reports key as missing unless it is present with a non-null value.
func (o *object) require(key, hint string) bool {
	if o.has(key) {
		return true
	}
	if o.suggested[key] {
		return false
	}
	if hint != "" {
		hint = " (" + hint + ")"
	}
	o.d.errorf(o.keyNode(key), o.path, "missing required key %q%s", key, hint)
	return false
}

func (o *object) sub(key string) string { return child(o.path, key) }

// isStringTag reports whether a scalar can be read as a string: any standard tag but null.
func isStringTag(n *yaml.Node) bool {
	tag := n.ShortTag()
	return strings.HasPrefix(tag, "!!") && tag != "!!null" && tag != "!!merge"
}

// str decodes a string. Numbers and booleans are taken as written. ok is false for null (no finding)
// and for other types (reported).
func (d *decoder) str(n *yaml.Node, path string) (s string, node *yaml.Node, ok bool) {
	n = d.deref(n)
	if isNull(n) {
		return "", n, false
	}
	if n.Kind != yaml.ScalarNode || !isStringTag(n) {
		d.errorf(n, path, "expected a string, got %s", describe(n))
		return "", n, false
	}
	return n.Value, n, true
}

// integer decodes an integer.
func (d *decoder) integer(n *yaml.Node, path string) (v int, node *yaml.Node, ok bool) {
	n = d.deref(n)
	if isNull(n) {
		return 0, n, false
	}
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!int" {
		var i int64
		if err := n.Decode(&i); err == nil && i >= math.MinInt32 && i <= math.MaxInt32 {
			return int(i), n, true
		}
		d.errorf(n, path, "integer %s is out of range", n.Value)
		return 0, n, false
	}
	hint := ""
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!str" {
		if _, err := strconv.Atoi(strings.TrimSpace(n.Value)); err == nil {
			hint = " (remove the quotes)"
		}
	}
	d.errorf(n, path, "expected an integer, got %s%s", describe(n), hint)
	return 0, n, false
}

// number decodes a finite number.
func (d *decoder) number(n *yaml.Node, path string) (v float64, node *yaml.Node, ok bool) {
	n = d.deref(n)
	if isNull(n) {
		return 0, n, false
	}
	if n.Kind == yaml.ScalarNode && (n.ShortTag() == "!!int" || n.ShortTag() == "!!float") {
		if err := n.Decode(&v); err == nil {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				d.errorf(n, path, "expected a finite number, got %s", n.Value)
				return 0, n, false
			}
			return v, n, true
		}
		d.errorf(n, path, "number %s is out of range", n.Value)
		return 0, n, false
	}
	hint := ""
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!str" {
		if _, err := strconv.ParseFloat(strings.TrimSpace(n.Value), 64); err == nil {
			hint = " (remove the quotes)"
		}
	}
	d.errorf(n, path, "expected a number, got %s%s", describe(n), hint)
	return 0, n, false
}

// boolean decodes true or false.
func (d *decoder) boolean(n *yaml.Node, path string) (v bool, node *yaml.Node, ok bool) {
	n = d.deref(n)
	if isNull(n) {
		return false, n, false
	}
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!bool" {
		if err := n.Decode(&v); err == nil {
			return v, n, true
		}
	}
	d.errorf(n, path, "expected a boolean (true or false), got %s", describe(n))
	return false, n, false
}

// duration decodes a Duration.
func (d *decoder) duration(n *yaml.Node, path string) (v Duration, node *yaml.Node, ok bool) {
	n = d.deref(n)
	if isNull(n) {
		return Duration{}, n, false
	}
	dur, msg := parseDuration(n)
	if msg != "" {
		d.errorf(n, path, "%s", msg)
		return Duration{}, n, false
	}
	return Duration{dur}, n, true
}

// parseDuration reads a Go duration string or an integer number of seconds; msg describes a failure.
func parseDuration(n *yaml.Node) (v time.Duration, msg string) {
	const expected = `expected a duration such as "3s" or "500ms", or a whole number of seconds`
	if n == nil || n.Kind != yaml.ScalarNode {
		return 0, expected + ", got " + describe(n)
	}
	switch n.ShortTag() {
	case "!!int":
		var secs int64
		if err := n.Decode(&secs); err != nil || secs > math.MaxInt64/int64(time.Second) || secs < math.MinInt64/int64(time.Second) {
			return 0, fmt.Sprintf("%s seconds is out of range", n.Value)
		}
		return time.Duration(secs) * time.Second, ""
	case "!!str":
		if v, err := time.ParseDuration(strings.TrimSpace(n.Value)); err == nil {
			return v, ""
		}
	case "!!float":
		return 0, fmt.Sprintf("%s, got number %s (write %q for fractional seconds)", expected, n.Value, n.Value+"s")
	}
	return 0, expected + ", got " + describe(n)
}

// seq returns the items of the list n. A null is an empty list; anything else is reported with the
// expected description, and with example as a hint for a lone scalar.
func (d *decoder) seq(n *yaml.Node, path, expected, example string) (node *yaml.Node, items []*yaml.Node, ok bool) {
	n = d.deref(n)
	if isNull(n) {
		return n, nil, true
	}
	if n.Kind != yaml.SequenceNode {
		hint := ""
		if example != "" && n.Kind == yaml.ScalarNode {
			hint = " (write " + example + ")"
		}
		d.errorf(n, path, "expected %s, got %s%s", expected, describe(n), hint)
		return n, nil, false
	}
	for i, it := range n.Content {
		d.at(index(path, i), d.derefQuiet(it))
	}
	return n, n.Content, true
}

// strItem is one string of a list, with its node for locating findings.
type strItem struct {
	s    string
	node *yaml.Node
	i    int // index in the list
}

// strList decodes a list of strings; null items are reported.
func (d *decoder) strList(n *yaml.Node, path, expected, example string) (node *yaml.Node, out []strItem, ok bool) {
	node, items, ok := d.seq(n, path, expected, example)
	if !ok {
		return node, nil, false
	}
	for i, it := range items {
		p := index(path, i)
		s, sn, good := d.str(it, p)
		if !good {
			if isNull(sn) {
				d.errorf(sn, p, "expected a string, got null")
			}
			ok = false
			continue
		}
		out = append(out, strItem{s: s, node: sn, i: i})
	}
	return node, out, ok
}

// strMap decodes a mapping of strings to strings, in file order; null values are reported.
func (d *decoder) strMap(n *yaml.Node, path string) (node *yaml.Node, es []entry, vals []strItem) {
	node, es, ok := d.mapping(n, path)
	if !ok {
		return node, nil, nil
	}
	var keep []entry
	for _, e := range es {
		p := child(path, e.key)
		s, sn, good := d.str(e.v, p)
		if !good {
			if isNull(sn) {
				d.errorf(e.k, p, `expected a string, got null (write "" for an empty value)`)
			}
			continue
		}
		keep = append(keep, e)
		vals = append(vals, strItem{s: s, node: sn})
	}
	return node, keep, vals
}
