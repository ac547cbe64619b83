package router

import "strings"

// Lookup finds the route for a request. path is the request path after the
// stage prefix, raw (still percent-encoded) as sent by the client, without
// the query string, e.g. "/pets/42", "/files/a%2Fb/c" or "" for the stage root.
//
// ok=false means API Gateway would answer 403 Missing Authentication Token.
// In that case m.Resource still names the resource the path selected, if any,
// so the caller can tell a missing method from a missing resource.
//
// Lookup allocates only the PathParameters map, and only for resources that
// have variables.
func (t *Tree[T]) Lookup(method, path string) (m Match[T], ok bool) {
	p := normalize(path)
	n := t.root
	if p != "" {
		if n = n.find(p); n == nil {
			return m, false
		}
	}
	m.Resource = n.resource

	// A client cannot invoke ANY itself: ANY is a route, not a method.
	mi := methodIndex(method)
	if mi < 0 || mi == mANY {
		return m, false
	}
	idx := n.methods[mi]
	if idx == 0 {
		idx = n.methods[mANY]
	}
	if idx == 0 {
		return m, false
	}
	r := &t.routes[idx-1]
	m.Value = r.Value
	m.Method = r.Method
	if len(n.vars) > 0 {
		m.PathParameters = n.params(p)
	}
	return m, true
}

// normalize removes all leading slashes and a single trailing slash. The
// result is "" for the stage root, otherwise segments separated by '/'.
// Further empty segments are kept for a greedy variable to take.
func normalize(path string) string {
	for len(path) > 0 && path[0] == '/' {
		path = path[1:]
	}
	if len(path) > 0 && path[len(path)-1] == '/' {
		path = path[:len(path)-1]
	}
	return path
}

// find returns the most specific resource below n matching p, the rest of the
// path (segments separated by '/'), or nil. The order of the attempts is the
// precedence: literal child, then {param} child, then the greedy child. Each
// branch is followed to the end of the path before the next one is tried.
func (n *node[T]) find(p string) *node[T] {
	seg, rest, more := strings.Cut(p, "/")
	if seg != "" {
		if n.literals != nil {
			if c := n.literal(seg); c != nil {
				if !more {
					return c
				}
				if r := c.find(rest); r != nil {
					return r
				}
			}
		}
		if v := n.variable; v != nil && !v.greedy {
			if !more {
				return v
			}
			if r := v.find(rest); r != nil {
				return r
			}
		}
	}
	if v := n.variable; v != nil && v.greedy && hasNonSlash(p) {
		return v
	}
	return nil
}

// literal looks up the literal child for a raw segment, comparing with the
// percent-decoded form. The decoded bytes go to a stack buffer, and the
// string(b) conversion in a map index does not allocate.
func (n *node[T]) literal(seg string) *node[T] {
	if strings.IndexByte(seg, '%') < 0 {
		return n.literals[seg]
	}
	var buf [64]byte
	b, ok := unescape(buf[:0], seg)
	if !ok {
		return n.literals[seg]
	}
	return n.literals[string(b)]
}

// params extracts the variables of n from the normalised path p that matched
// it. The positions are known from the resource, so no work is done for the
// failed branches of the search.
func (n *node[T]) params(p string) map[string]string {
	m := make(map[string]string, len(n.vars))
	vi := 0
	for depth := 0; vi < len(n.vars); depth++ {
		v := n.vars[vi]
		if v.depth == depth && v.greedy {
			m[v.name] = p
			break
		}
		seg, rest, _ := strings.Cut(p, "/")
		if v.depth == depth {
			m[v.name] = seg
			vi++
		}
		p = rest
	}
	return m
}

func hasNonSlash(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] != '/' {
			return true
		}
	}
	return false
}

// unescape appends the percent-decoding of s to dst. It reports false for a
// malformed escape. '+' is kept, because it only means space in query strings.
func unescape(dst []byte, s string) ([]byte, bool) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '%' {
			dst = append(dst, c)
			continue
		}
		if i+2 >= len(s) {
			return dst, false
		}
		hi, ok1 := unhex(s[i+1])
		lo, ok2 := unhex(s[i+2])
		if !ok1 || !ok2 {
			return dst, false
		}
		dst = append(dst, hi<<4|lo)
		i += 2
	}
	return dst, true
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}
