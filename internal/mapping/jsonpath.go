package mapping

import (
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/apigw-local/apigw-local/vtl"
	"github.com/ohler55/ojg/jp"
)

// orderedMap and orderedList let jp walk vtl's values without copying them into Go maps, which would lose
// the key order that API Gateway keeps (LinkedHashMap).
type orderedMap struct{ m *vtl.Map }

func (o orderedMap) ValueForKey(key string) (any, bool) {
	v, ok := o.m.Get(key)
	return wrap(v), ok
}
func (o orderedMap) SetValueForKey(key string, value any) { o.m.Put(key, unwrap(value)) }
func (o orderedMap) RemoveValueForKey(key string)         { o.m.Remove(key) }
func (o orderedMap) Keys() []string                       { return o.m.Keys() }

type orderedList struct{ l *vtl.List }

func (o orderedList) ValueAtIndex(i int) any {
	if i < 0 || i >= o.l.Len() {
		return nil
	}
	return wrap(o.l.Get(i))
}
func (o orderedList) SetValueAtIndex(i int, v any) { o.l.Set(i, unwrap(v)) }
func (o orderedList) Size() int                    { return o.l.Len() }

func wrap(v any) any {
	switch t := v.(type) {
	case *vtl.Map:
		return orderedMap{t}
	case *vtl.List:
		return orderedList{t}
	}
	return v
}

func unwrap(v any) any {
	switch t := v.(type) {
	case orderedMap:
		return t.m
	case orderedList:
		return t.l
	}
	return v
}

// path is a compiled JSONPath expression.
type path struct {
	src      string
	expr     jp.Expr
	definite bool // a path naming at most one value: its result is that value, not a list of matches
}

// pathCache keeps parsed expressions: most come from template literals and repeat on every request.
// Expressions built from request data could grow it without end, so it stops growing at maxCachedPaths.
var (
	pathCache      sync.Map // string -> *path
	pathCacheCount atomic.Int64
)

const maxCachedPaths = 4096

// compilePath parses a JSONPath expression, once for the expressions templates use.
func compilePath(s string) (*path, error) {
	if p, ok := pathCache.Load(s); ok {
		return p.(*path), nil
	}
	x, err := jp.ParseString(s)
	if err != nil {
		return nil, fmt.Errorf("invalid JSONPath %q: %v", s, err)
	}
	p := &path{src: s, expr: x, definite: isDefinite(x)}
	if pathCacheCount.Load() < maxCachedPaths {
		if _, loaded := pathCache.LoadOrStore(s, p); !loaded {
			pathCacheCount.Add(1)
		}
	}
	return p, nil
}

// isDefinite follows Jayway JsonPath (which API Gateway uses): a path of names and single indexes is
// definite; wildcards, deep scans, filters, slices and unions are not.
func isDefinite(x jp.Expr) bool {
	for _, f := range x {
		switch f.(type) {
		case jp.Root, jp.At, jp.Child, jp.Nth, jp.Bracket:
		default:
			return false
		}
	}
	return true
}

// eval applies the path to a document. A definite path yields the value or nil; an indefinite one yields
// a list of every match (possibly empty).
func (p *path) eval(doc any) any {
	results := p.expr.Get(wrap(doc))
	if p.definite {
		if len(results) == 0 {
			return nil
		}
		return unwrap(results[0])
	}
	l := vtl.NewJSONList()
	for _, r := range results {
		l.Append(unwrap(r))
	}
	return l
}

// String returns the expression as written.
func (p *path) String() string { return p.src }
