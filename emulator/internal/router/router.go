// Package router selects the API Gateway resource and method that a request
// hits, following the rules of API Gateway REST APIs (v1) rather than those of
// a typical HTTP mux. The emulator is only useful if a request that works
// locally also works after deployment (and one that fails, fails), so every
// rule below mirrors what API Gateway does, including its surprising corners.
//
// # Resources
//
// An API is a tree of resources. Every prefix of a resource path is itself a
// resource: API Gateway cannot create /pets/{petId} without /pets, so an
// intermediate resource exists even when the spec gives it no methods. The
// root resource "/" always exists, and a request for the stage root (""
// or "/") hits it.
//
// A path part is a literal ("pets"), a path variable ("{petId}") matching
// exactly one non-empty segment, or a greedy variable ("{proxy+}") matching
// the rest of the path. A greedy variable must be the last part, because API
// Gateway does not allow children under a proxy resource.
//
// Of the children of one resource, at most one may be a variable, greedy or
// not. API Gateway refuses a second one ("A sibling ({id}) of this resource
// already has a variable path part -- only one is allowed"), and it refuses
// {id} next to {proxy+} too, so New does the same. An emulator that accepted
// them would let users build APIs that cannot be deployed.
//
// # Resource selection
//
// The resource is chosen from the path alone, segment by segment. A literal
// child beats the variable child, and a greedy variable is the last resort at
// its position. If the literal branch cannot reach a resource for the whole
// path, the search backtracks and tries the variable branch. The result is the
// most specific resource: comparing the candidates part by part, literal <
// {param} < {proxy+} at the first position where they differ. Because a
// variable sibling is unique and each resource sits at a fixed depth, the
// search visits each resource at most once, so backtracking cannot blow up.
//
// Only after the resource is chosen is the method looked up, on that resource
// alone: an explicit method first, then ANY. If neither exists (this includes
// an intermediate resource with no methods at all), the request fails. The
// search does NOT go back to a less specific resource that has the method,
// e.g. POST /pets does not fall through to /{proxy+} when /pets only defines
// GET. API Gateway answers such requests with 403 "Missing Authentication
// Token", and emulating that is what users need to see before deploying.
//
// # Path normalisation
//
// Lookup receives the raw (still percent-encoded) path after the stage
// prefix. Leading slashes are collapsed, because API Gateway strips them
// together with the stage. One trailing slash is ignored, so /pets/ hits
// /pets and /files/a/b/ gives proxy=a/b. Any other empty segment (/a//b, or
// the second slash of /pets//) is kept. It cannot match a literal or {param},
// because a segment must be non-empty, but a greedy variable takes it as is
// (/files/a//b gives proxy=a//b). The value of a greedy variable must contain
// at least one character that is not a slash, so /files and /files/ do not
// match /files/{proxy+}.
//
// Literal parts are compared with the percent-decoded segment, so /p%65ts hits
// /pets, just as it does on API Gateway. The path is split on raw slashes
// only, so an encoded slash (%2F) stays inside its segment. Since a literal
// cannot contain a slash, such a segment can only be taken by a variable. A
// segment with a malformed escape (%zz) is compared as is. Path parameter
// values are returned exactly as received, still percent-encoded, and "+"
// is not a space. This matches the pathParameters that API Gateway passes to
// a proxy integration, so handlers decode them themselves.
//
// # Methods
//
// Method names are case-sensitive and must be one of GET, HEAD, POST, PUT,
// PATCH, DELETE and OPTIONS, or ANY in a route (x-amazon-apigateway-any-method).
// HEAD is not answered by GET: API Gateway keeps HEAD as a separate method,
// reached only through HEAD or ANY. ANY covers only the seven standard
// methods. A request whose method is anything else (lower-case "get",
// "PROPFIND", even the literal "ANY") matches no method.
package router

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Route is one method of one API Gateway resource.
type Route[T any] struct {
	Resource string // resource path as in the spec, e.g. "/", "/pets", "/pets/{petId}", "/files/{proxy+}"
	Method   string // upper-case HTTP method, or "ANY" (x-amazon-apigateway-any-method)
	Value    T
}

// Match is the outcome of a lookup.
//
// When Lookup reports ok=false, Resource still names the resource the path
// selected (empty if none did), so callers can log "resource found, method
// missing" apart from "no such resource". Both are 403 on API Gateway.
type Match[T any] struct {
	Value          T
	Resource       string            // the matched resource path as written in the spec ("/pets/{petId}")
	Method         string            // the matched method as defined ("ANY" when the ANY method served it)
	PathParameters map[string]string // nil when the resource has none; values stay percent-encoded as received
}

// Method slots are indexed so that a lookup costs one switch and one array
// read instead of a map access.
const (
	mGET = iota
	mHEAD
	mPOST
	mPUT
	mPATCH
	mDELETE
	mOPTIONS
	mANY
	numMethods
)

func methodIndex(m string) int {
	switch m {
	case "GET":
		return mGET
	case "HEAD":
		return mHEAD
	case "POST":
		return mPOST
	case "PUT":
		return mPUT
	case "PATCH":
		return mPATCH
	case "DELETE":
		return mDELETE
	case "OPTIONS":
		return mOPTIONS
	case "ANY":
		return mANY
	}
	return -1
}

// pathVar records where a variable of a resource sits. The parameter values
// are extracted only after a successful match, so that failed branches of the
// search cost no allocations.
type pathVar struct {
	depth  int // index of the segment (0 = first segment after "/")
	name   string
	greedy bool
}

type node[T any] struct {
	resource string              // full resource path as written in the spec
	part     string              // this node's path part as written ("{id}"), for error messages
	greedy   bool                // part is a {name+} variable
	literals map[string]*node[T] // literal children keyed by their spec text
	variable *node[T]            // the single {param} or {proxy+} child, if any
	vars     []pathVar           // all variables of resource, in path order
	methods  [numMethods]int32   // 1-based index into Tree.routes, 0 = not defined
}

// Tree is an immutable set of routes. It is safe for concurrent Lookup.
type Tree[T any] struct {
	root   *node[T]
	routes []Route[T] // sorted by resource, then method
}

// New builds the tree. It rejects everything API Gateway would refuse to
// import, so that a spec that loads locally also deploys: resource paths that
// do not start with "/", empty segments, malformed braces, a greedy variable
// that is not the last part, repeated variable names within a path, a second
// variable path part among siblings, duplicate (resource, method) pairs and
// unknown methods. It reports all problems at once (errors.Join), each naming
// its resource, because fixing a spec one error per run is tedious.
func New[T any](routes []Route[T]) (*Tree[T], error) {
	root := &node[T]{resource: "/"}
	var errs []error

	type key struct{ resource, method string }
	seen := make(map[key]bool, len(routes))
	// A resource shared by several methods is validated once, so that one bad
	// path yields one error and not one per method.
	nodes := make(map[string]*node[T])
	accepted := make([]Route[T], 0, len(routes))

	for _, r := range routes {
		mi := methodIndex(r.Method)
		if mi < 0 {
			errs = append(errs, fmt.Errorf("resource %q: invalid method %q: must be one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS or ANY", r.Resource, r.Method))
		}
		n, done := nodes[r.Resource]
		if !done {
			var perrs []error
			n, perrs = insert(root, r.Resource)
			nodes[r.Resource] = n
			errs = append(errs, perrs...)
		}
		if n == nil || mi < 0 {
			continue
		}
		k := key{r.Resource, r.Method}
		if seen[k] {
			errs = append(errs, fmt.Errorf("resource %q: duplicate method %s", r.Resource, r.Method))
			continue
		}
		seen[k] = true
		accepted = append(accepted, r)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}

	slices.SortStableFunc(accepted, func(a, b Route[T]) int {
		return cmp.Or(cmp.Compare(a.Resource, b.Resource), cmp.Compare(a.Method, b.Method))
	})
	for i, r := range accepted {
		nodes[r.Resource].methods[methodIndex(r.Method)] = int32(i + 1)
	}
	return &Tree[T]{root: root, routes: accepted}, nil
}

// insert validates resource and adds it (with all its prefixes) to the tree.
// It returns nil and the problems if the resource is invalid.
func insert[T any](root *node[T], resource string) (*node[T], []error) {
	if !strings.HasPrefix(resource, "/") {
		return nil, []error{fmt.Errorf("resource %q: path must start with \"/\"", resource)}
	}
	if resource == "/" {
		return root, nil
	}

	// Check the whole path before changing the tree, and report every problem
	// in it.
	parts := strings.Split(resource[1:], "/")
	var errs []error
	names := make(map[string]bool)
	for i, part := range parts {
		if part == "" {
			errs = append(errs, fmt.Errorf("resource %q: empty path segment at position %d", resource, i+1))
			continue
		}
		name, greedy, isVar, err := parsePart(part)
		if err != nil {
			errs = append(errs, fmt.Errorf("resource %q: %w", resource, err))
			continue
		}
		if !isVar {
			continue
		}
		if greedy && i != len(parts)-1 {
			errs = append(errs, fmt.Errorf("resource %q: greedy path variable %s must be the last path part", resource, part))
		}
		if names[name] {
			errs = append(errs, fmt.Errorf("resource %q: path variable %q appears more than once", resource, name))
		}
		names[name] = true
	}
	if len(errs) > 0 {
		return nil, errs
	}

	n := root
	var vars []pathVar
	for i, part := range parts {
		name, greedy, isVar, _ := parsePart(part)
		path := "/" + strings.Join(parts[:i+1], "/")
		if !isVar {
			child := n.literals[part]
			if child == nil {
				child = &node[T]{resource: path, part: part, vars: vars}
				if n.literals == nil {
					n.literals = make(map[string]*node[T])
				}
				n.literals[part] = child
			}
			n = child
			continue
		}
		vars = append(slices.Clip(vars), pathVar{depth: i, name: name, greedy: greedy})
		switch {
		case n.variable == nil:
			n.variable = &node[T]{resource: path, part: part, greedy: greedy, vars: vars}
		case n.variable.part != part:
			return nil, []error{fmt.Errorf("resource %q: a sibling (%s) of this resource already has a variable path part -- only one is allowed", resource, n.variable.part)}
		}
		n = n.variable
	}
	return n, nil
}

// parsePart classifies one path part. Variable names are restricted to the
// characters API Gateway accepts (letters, digits, '.', '_', '-'), and braces
// anywhere else are an error, because API Gateway has no partial variables
// such as "file{id}".
func parsePart(part string) (name string, greedy, isVar bool, err error) {
	if !strings.ContainsAny(part, "{}") {
		return "", false, false, nil
	}
	if len(part) < 2 || part[0] != '{' || part[len(part)-1] != '}' {
		return "", false, false, fmt.Errorf("malformed path part %q: a variable must be a whole segment, {name} or {name+}", part)
	}
	name = part[1 : len(part)-1]
	if strings.HasSuffix(name, "+") {
		greedy = true
		name = name[:len(name)-1]
	}
	if name == "" {
		return "", false, false, fmt.Errorf("malformed path part %q: empty variable name", part)
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-') {
			return "", false, false, fmt.Errorf("malformed path part %q: variable names may only contain letters, digits, '.', '_' and '-'", part)
		}
	}
	return name, greedy, true, nil
}

// Routes returns a copy of all routes sorted by resource, then method, so
// that listings are stable.
func (t *Tree[T]) Routes() []Route[T] {
	return slices.Clone(t.routes)
}
