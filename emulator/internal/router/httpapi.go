package router

import "strings"

// LookupHTTPAPI finds the route for a request to an HTTP API, whose priority differs from a REST API's
// (reference §j.1): 1) a route whose path matches without a greedy variable and that has the method (or
// ANY), 2) the most specific greedy route ({name+}) that has the method (or ANY), 3) none, for the caller's
// $default route. Unlike Lookup, a resource that matches the path but lacks the method does not end the
// search: GET /pets/cat/1 reaches GET /pets/{proxy+} when /pets/{id}/... has no GET.
func (t *Tree[T]) LookupHTTPAPI(method, path string) (m Match[T], ok bool) {
	mi := methodIndex(method)
	if mi < 0 || mi == mANY {
		return m, false
	}
	has := func(n *node[T]) bool { return n.methods[mi] != 0 || n.methods[mANY] != 0 }
	p := normalize(path)
	n := t.root
	if p == "" {
		if !has(n) {
			return m, false
		}
	} else if n = t.root.findExact(p, has); n == nil {
		if n = deepestGreedy(t.root, p, has); n == nil {
			return m, false
		}
	}
	idx := n.methods[mi]
	if idx == 0 {
		idx = n.methods[mANY]
	}
	r := &t.routes[idx-1]
	m.Resource, m.Value, m.Method = n.resource, r.Value, r.Method
	if len(n.vars) > 0 {
		m.PathParameters = n.params(p)
	}
	return m, true
}

// findExact is find without greedy variables, accepting only resources that has accepts; the search goes
// on past a resource that does not.
func (n *node[T]) findExact(p string, has func(*node[T]) bool) *node[T] {
	seg, rest, more := strings.Cut(p, "/")
	if seg == "" {
		return nil
	}
	if n.literals != nil {
		if c := n.literal(seg); c != nil {
			if !more && has(c) {
				return c
			}
			if more {
				if r := c.findExact(rest, has); r != nil {
					return r
				}
			}
		}
	}
	if v := n.variable; v != nil && !v.greedy {
		if !more && has(v) {
			return v
		}
		if more {
			if r := v.findExact(rest, has); r != nil {
				return r
			}
		}
	}
	return nil
}

// deepestGreedy is the most specific greedy resource below n whose prefix matches p and that has accepts:
// the deepest one, through literal segments before {param} ones; nil when there is none.
func deepestGreedy[T any](n *node[T], p string, has func(*node[T]) bool) *node[T] {
	seg, rest, more := strings.Cut(p, "/")
	if seg != "" && more {
		if n.literals != nil {
			if c := n.literal(seg); c != nil {
				if b := deepestGreedy(c, rest, has); b != nil {
					return b
				}
			}
		}
		if v := n.variable; v != nil && !v.greedy {
			if b := deepestGreedy(v, rest, has); b != nil {
				return b
			}
		}
	}
	if v := n.variable; v != nil && v.greedy && hasNonSlash(p) && has(v) {
		return v
	}
	return nil
}
