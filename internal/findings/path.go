package findings

import (
	"regexp"
	"strconv"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"
)

var plainKey = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9_$-]+$`) })

// Child extends a path with a mapping key: plain keys (letters, digits, _, $ and -) are joined with dots,
// others are quoted in brackets: Child("paths", "/pets") is `paths["/pets"]`, Child("a", "b") is "a.b".
func Child(path, key string) string {
	if !plainKey().MatchString(key) {
		return path + "[" + strconv.Quote(key) + "]"
	}
	if path == "" {
		return key
	}
	return path + "." + key
}

// Index extends a path with a list index: Index("specs", 2) is "specs[2]".
func Index(path string, i int) string { return path + "[" + strconv.Itoa(i) + "]" }

// Segment is one step of a path: a mapping key, or a list index when IsIndex.
type Segment struct {
	Key     string
	Index   int
	IsIndex bool
}

// SplitPath parses a path written by Child and Index into its steps; ok is false for a malformed path.
func SplitPath(path string) (segs []Segment, ok bool) {
	for s := path; s != ""; {
		switch {
		case strings.HasPrefix(s, `["`):
			q, err := strconv.QuotedPrefix(s[1:])
			if err != nil || !strings.HasPrefix(s[1+len(q):], "]") {
				return nil, false
			}
			key, _ := strconv.Unquote(q)
			segs = append(segs, Segment{Key: key})
			s = s[1+len(q)+1:]
		case strings.HasPrefix(s, "["):
			end := strings.IndexByte(s, ']')
			i, err := strconv.Atoi(s[1:max(end, 1)])
			if end < 0 || err != nil || i < 0 {
				return nil, false
			}
			segs = append(segs, Segment{Index: i, IsIndex: true})
			s = s[end+1:]
		default:
			end := strings.IndexAny(s, ".[")
			if end < 0 {
				end = len(s)
			}
			if end == 0 {
				return nil, false
			}
			segs = append(segs, Segment{Key: s[:end]})
			s = s[end:]
		}
		if strings.HasPrefix(s, ".") {
			s = s[1:]
			if s == "" || s[0] == '.' || s[0] == '[' {
				return nil, false
			}
		}
	}
	return segs, true
}

// Locate follows path from root (a document's top node) and returns the node that names the value there:
// the key node of a mapping entry, or the item of a list, which is where a finding about the value is
// reported. Aliases are followed; merge keys (<<) are not. ok is false when the path is not in the document.
func Locate(root *yaml.Node, path string) (n *yaml.Node, ok bool) {
	segs, ok := SplitPath(path)
	if !ok {
		return nil, false
	}
	cur := Deref(root)
	if cur != nil && cur.Kind == yaml.DocumentNode && len(cur.Content) > 0 {
		cur = Deref(cur.Content[0])
	}
	n = cur
	for _, seg := range segs {
		if cur == nil {
			return nil, false
		}
		switch {
		case seg.IsIndex:
			if cur.Kind != yaml.SequenceNode || seg.Index >= len(cur.Content) {
				return nil, false
			}
			n = cur.Content[seg.Index]
			cur = Deref(n)
		default:
			if cur.Kind != yaml.MappingNode {
				return nil, false
			}
			found := false
			for i := 0; i+1 < len(cur.Content); i += 2 {
				if k := Deref(cur.Content[i]); k != nil && k.Kind == yaml.ScalarNode && k.Value == seg.Key {
					n, cur, found = k, Deref(cur.Content[i+1]), true
					break
				}
			}
			if !found {
				return nil, false
			}
		}
	}
	return n, n != nil
}

// Deref follows aliases to the node they name (at most 100 steps; nil beyond).
func Deref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode; i++ {
		if i >= 100 {
			return nil
		}
		n = n.Alias
	}
	return n
}

// Path is where a walker is in a document, kept as a chain of steps: descending a level costs one small
// value, whatever the depth, and the text (`paths["/pets"].get`) is built only when a finding needs it.
// Building the text at every level instead made walking a deeply nested document cost memory growing with
// the square of its depth. The nil *Path is the document's top.
type Path struct {
	parent *Path
	key    string
	index  int // -1 for a mapping key
}

// Key extends the path with a mapping key.
func (p *Path) Key(key string) *Path { return &Path{parent: p, key: key, index: -1} }

// Index extends the path with a list index.
func (p *Path) Index(i int) *Path { return &Path{parent: p, index: i} }

// String writes the path as Child and Index do, e.g. `paths["/pets"].parameters[0]`.
func (p *Path) String() string {
	var steps []*Path
	for s := p; s != nil; s = s.parent {
		steps = append(steps, s)
	}
	var b strings.Builder
	for i := len(steps) - 1; i >= 0; i-- {
		s := steps[i]
		switch {
		case s.index >= 0:
			b.WriteString("[" + strconv.Itoa(s.index) + "]")
		case !plainKey().MatchString(s.key):
			b.WriteString("[" + strconv.Quote(s.key) + "]")
		default:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(s.key)
		}
	}
	return b.String()
}
