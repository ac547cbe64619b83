package vtl

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Vars is a variable scope (Velocity's context). #set writes into it, so Execute's caller can read
// results back; maps and lists are shared by reference (e.g. $context.requestOverride maps mutated by
// the template are visible to the caller). A Vars must not be used by two Execute calls at once.
type Vars struct {
	m map[string]any
}

// NewVars returns an empty scope.
func NewVars() *Vars { return &Vars{m: make(map[string]any)} }

// Set binds name to value (nil makes the name undefined).
func (v *Vars) Set(name string, value any) {
	if value == nil {
		delete(v.m, name)
		return
	}
	v.m[name] = value
}

// Get returns the value bound to name.
func (v *Vars) Get(name string) (any, bool) {
	x, ok := v.m[name]
	return x, ok
}

// errStop ends rendering (#stop); breakSignal ends a #foreach (#break).
var errStop = errors.New("#stop")

type breakSignal struct{ scope *foreachScope }

func (*breakSignal) Error() string { return "#break" }

// foreachScope is $foreach.
type foreachScope struct {
	index   int
	hasNext bool
	parent  *foreachScope
}

// blockRef is the value of a #define'd name: it renders its body each time it is used.
type blockRef struct {
	body []node
	st   *state
}

func (b *blockRef) render() (string, error) {
	st := b.st
	buf := st.pushBuf()
	err := st.renderBlock(b)
	s := string(st.out)
	st.popBuf(buf)
	if err != nil {
		return "", err
	}
	return s, nil
}

type state struct {
	t     *Template
	vars  *Vars
	out   []byte
	aws   bool
	loops int // active #foreach loops
	depth int // #define expansion depth
	spare [][]byte
	args  []any // method argument stack
	ctx   context.Context
	steps int // evaluation steps so far (MaxSteps)
	alloc int // bytes of strings and list elements created so far (MaxAllocBytes)
}

// step counts one evaluation step against MaxSteps and checks the context every 1024 steps.
func (st *state) step(pos int) error {
	st.steps++
	if st.steps > MaxSteps {
		return st.errorf(pos, "render exceeded the step budget (vtl.MaxSteps = %d)", MaxSteps)
	}
	if st.steps&1023 == 0 && st.ctx != nil {
		if err := st.ctx.Err(); err != nil {
			return st.errorf(pos, "render cancelled: %v", err)
		}
	}
	return nil
}

// grow counts n bytes the render is about to allocate against MaxAllocBytes; call it before
// allocating.
func (st *state) grow(pos int, n int) error {
	if n < 0 || n > MaxAllocBytes-st.alloc {
		return st.errorf(pos, "render exceeded the allocation budget (vtl.MaxAllocBytes = %d bytes)", MaxAllocBytes)
	}
	st.alloc += n
	return nil
}

// listElementBytes is what a list element (or a map entry's value) is charged against MaxAllocBytes: the
// interface value that holds it.
const listElementBytes = 16

// grower is grow as a function, for the regex operations that build their results match by match.
func (st *state) grower() func(int) error { return func(n int) error { return st.grow(0, n) } }

// growMap charges a new entry of m (its key and value) before it is stored; replacing a value is free.
func (st *state) growMap(m *Map, key string) error {
	if _, ok := m.Get(key); ok {
		return nil
	}
	return st.grow(0, listElementBytes+len(key))
}

// work charges an operation that scans n bytes of text (a regular expression over a string) as n/64
// steps, so that a loop of scans over a large body stops at the step budget like a loop of many small
// steps (a #foreach of 1,000 replaceAll over a 10 MB body would otherwise scan 10 GB, and convert it to
// 40 GB of runes, as 1,000 steps). The budget still allows 64 MB of scanning: a few operations on the
// largest body API Gateway accepts.
func (st *state) work(pos, n int) error {
	if n < 64 {
		return nil
	}
	st.steps += n/64 - 1
	return st.step(pos)
}

// Execute renders the template with the given variables (nil: none). Runtime errors are *Error with
// line and column.
func (t *Template) Execute(vars *Vars) (string, error) {
	return t.ExecuteContext(context.Background(), vars)
}

// ExecuteContext is Execute that stops (with an error) when ctx is done, checked every 1024 steps,
// and before the first.
func (t *Template) ExecuteContext(ctx context.Context, vars *Vars) (string, error) {
	out, _, err := t.execute(ctx, vars)
	return out, err
}

// execute renders and returns the render's state for the budget checks of the tests.
func (t *Template) execute(ctx context.Context, vars *Vars) (string, *state, error) {
	if vars == nil {
		vars = NewVars()
	}
	if err := ctx.Err(); err != nil {
		return "", nil, t.errorAt(0, "render cancelled: "+err.Error())
	}
	st := &state{t: t, vars: vars, aws: t.opts.Mode == APIGateway, ctx: ctx}
	st.out = make([]byte, 0, len(t.src)+len(t.src)/2+64)
	err := st.render(t.nodes)
	if err != nil {
		var bs *breakSignal
		if err != errStop && !errors.As(err, &bs) {
			return "", st, err
		}
	}
	return string(st.out), st, nil
}

func (st *state) errorf(pos int, format string, args ...any) error {
	return st.t.errorAt(pos, fmt.Sprintf(format, args...))
}

// pushBuf makes st.out a fresh buffer and returns the previous one.
func (st *state) pushBuf() []byte {
	prev := st.out
	if n := len(st.spare); n > 0 {
		st.out = st.spare[n-1][:0]
		st.spare = st.spare[:n-1]
	} else {
		st.out = make([]byte, 0, 64)
	}
	return prev
}

func (st *state) popBuf(prev []byte) {
	st.spare = append(st.spare, st.out)
	st.out = prev
}

func (st *state) write(pos int, s string) error {
	if len(st.out)+len(s) > st.t.opts.MaxOutput {
		return st.errorf(pos, "output exceeds %d bytes", st.t.opts.MaxOutput)
	}
	st.out = append(st.out, s...)
	return nil
}

func (st *state) render(nodes []node) error {
	for _, n := range nodes {
		var err error
		switch n := n.(type) {
		case *textNode:
			if len(st.out)+len(n.s) > st.t.opts.MaxOutput {
				pos := n.pos
				if pos < 0 {
					pos = 0
				}
				return st.errorf(pos, "output exceeds %d bytes", st.t.opts.MaxOutput)
			}
			st.out = append(st.out, n.s...)
		case *refNode:
			err = st.renderRef(n)
		case *setNode:
			err = st.doSet(n)
		case *ifNode:
			err = st.doIf(n)
		case *foreachNode:
			err = st.doForeach(n)
		case *defineNode:
			st.vars.m[n.name] = &blockRef{body: n.body, st: st}
		case *stopNode:
			return errStop
		case *breakNode:
			err = st.doBreak(n)
		case *macroNode:
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (st *state) renderBlock(b *blockRef) error {
	st.depth++
	defer func() { st.depth-- }()
	if st.depth > st.t.opts.MaxDepth {
		return st.errorf(0, "#define blocks nested deeper than %d levels (recursive #define?)", st.t.opts.MaxDepth)
	}
	return st.render(b.body)
}

// renderRef prints a reference with Velocity 1.7's rules for escapes and nulls.
func (st *state) renderRef(r *refNode) error {
	v, err := st.evalRef(r)
	if err != nil {
		return err
	}
	esc := ""
	if r.escapes > 0 {
		esc = strings.Repeat(`\`, r.escapes/2)
	}
	if r.escapes%2 == 1 {
		if v == nil {
			return st.write(r.pos, esc+`\`+r.literal)
		}
		return st.write(r.pos, esc+r.literal)
	}
	if v == nil {
		if r.quiet {
			return st.write(r.pos, esc+esc)
		}
		return st.write(r.pos, esc+esc+r.literal)
	}
	if esc != "" {
		if err := st.write(r.pos, esc); err != nil {
			return err
		}
	}
	switch t := v.(type) {
	case string:
		return st.write(r.pos, t)
	case int32:
		if len(st.out)+11 > st.t.opts.MaxOutput {
			break
		}
		st.out = strconv.AppendInt(st.out, int64(t), 10)
		return nil
	case int64:
		if len(st.out)+20 > st.t.opts.MaxOutput {
			break
		}
		st.out = strconv.AppendInt(st.out, t, 10)
		return nil
	case bool:
		return st.write(r.pos, strconv.FormatBool(t))
	case *blockRef:
		if t.st == st {
			return st.renderBlock(t)
		}
	}
	var b strings.Builder
	budget := st.t.opts.MaxOutput - len(st.out)
	if !appendString(&b, v, 0, &budget) || b.Len() > budget {
		return st.errorf(r.pos, "output exceeds %d bytes", st.t.opts.MaxOutput)
	}
	return st.write(r.pos, b.String())
}

// nullRef is what a reference evaluating to null yields: nil in Velocity, "" on API Gateway.
func (st *state) nullRef() any {
	if st.aws {
		return ""
	}
	return nil
}

// evalRef evaluates a reference as an expression.
func (st *state) evalRef(r *refNode) (any, error) {
	v := st.vars.m[r.root]
	if v == nil {
		return st.nullRef(), nil
	}
	for i := range r.parts {
		var err error
		v, err = st.applyPart(v, &r.parts[i])
		if err != nil {
			return nil, err
		}
		if v == nil {
			return st.nullRef(), nil
		}
	}
	return v, nil
}

func (st *state) applyPart(v any, part *refPart) (any, error) {
	switch part.kind {
	case partProp:
		return getProperty(v, part.name), nil
	case partIndex:
		idx, err := st.eval(part.args[0])
		if err != nil {
			return nil, err
		}
		return st.index(v, idx, part.pos)
	default:
		// Arguments live on a stack reused across calls (Object.Call must not keep args).
		base := len(st.args)
		defer func() {
			clear(st.args[base:])
			st.args = st.args[:base]
		}()
		for _, a := range part.args {
			x, err := st.eval(a)
			if err != nil {
				return nil, err
			}
			st.args = append(st.args, x)
		}
		return st.callMethod(v, part, st.args[base:len(st.args):len(st.args)])
	}
}

func (st *state) index(v, idx any, pos int) (any, error) {
	if n, ok := idx.(int32); ok && n < 0 {
		size, ok := sizeOf(v)
		if !ok {
			return nil, st.errorf(pos, "a 'size()' method is required for the negative index %d", n)
		}
		idx = int32(size) + n
	}
	switch t := v.(type) {
	case *List:
		i, ok := toIndex(idx)
		if !ok {
			return nil, nil
		}
		if i < 0 || i >= len(t.items) {
			return nil, st.errorf(pos, "index %d out of bounds for length %d", i, len(t.items))
		}
		return t.items[i], nil
	case *Map:
		if idx == nil {
			return nil, nil
		}
		x, _ := t.Get(ToString(idx))
		return x, nil
	case Object:
		x, err := t.Call("get", []any{idx})
		if err != nil {
			if errors.Is(err, ErrNoMethod) {
				if s, ok := idx.(string); ok {
					x, _ := t.Property(s)
					return x, nil
				}
				return nil, nil
			}
			return nil, st.errorf(pos, "%v", err)
		}
		return x, nil
	}
	return nil, nil
}

func sizeOf(v any) (int, bool) {
	switch t := v.(type) {
	case *List:
		return len(t.items), true
	case *Map:
		return len(t.keys), true
	}
	return 0, false
}

// toIndex converts an Integer (or a Long that fits) to an int index.
func toIndex(v any) (int, bool) {
	switch n := v.(type) {
	case int32:
		return int(n), true
	case int64:
		if n >= -1<<31 && n < 1<<31 {
			return int(n), true
		}
	case int:
		return n, true
	}
	return 0, false
}

func (st *state) doSet(n *setNode) error {
	v, err := st.eval(n.rhs)
	if err != nil {
		return err
	}
	if v == nil {
		return nil // Velocity 1.7: a null right-hand side leaves the target unchanged
	}
	lhs := n.lhs
	if len(lhs.parts) == 0 {
		st.vars.m[lhs.root] = v
		return nil
	}
	base := st.vars.m[lhs.root]
	if base == nil {
		return nil
	}
	for i := 0; i < len(lhs.parts)-1; i++ {
		base, err = st.applyPart(base, &lhs.parts[i])
		if err != nil {
			return err
		}
		if base == nil {
			return nil
		}
	}
	last := &lhs.parts[len(lhs.parts)-1]
	switch last.kind {
	case partProp:
		switch t := base.(type) {
		case *Map:
			t.Put(last.name, v)
		case PropertySetter:
			if err := t.SetProperty(last.name, v); err != nil {
				return st.errorf(last.pos, "%v", err)
			}
		}
	case partIndex:
		idx, err := st.eval(last.args[0])
		if err != nil {
			return err
		}
		if n, ok := idx.(int32); ok && n < 0 {
			if size, ok := sizeOf(base); ok {
				idx = int32(size) + n
			}
		}
		switch t := base.(type) {
		case *List:
			i, ok := toIndex(idx)
			if !ok {
				return nil
			}
			if i < 0 || i >= len(t.items) {
				return st.errorf(last.pos, "index %d out of bounds for length %d", i, len(t.items))
			}
			t.items[i] = v
		case *Map:
			if idx != nil {
				k := ToString(idx)
				if err := st.growMap(t, k); err != nil {
					return err
				}
				t.Put(k, v)
			}
		case Object:
			if _, err := t.Call("put", []any{idx, v}); err != nil && !errors.Is(err, ErrNoMethod) {
				return st.errorf(last.pos, "%v", err)
			}
		}
	}
	return nil
}

func (st *state) doIf(n *ifNode) error {
	for i, c := range n.conds {
		ok, err := st.cond(c)
		if err != nil {
			return err
		}
		if ok {
			return st.render(n.blocks[i])
		}
	}
	if n.els != nil {
		return st.render(n.els)
	}
	return nil
}

// iterItems returns what #foreach iterates: list items, map values; nil when v is not iterable.
func iterItems(v any) ([]any, bool) {
	switch t := v.(type) {
	case *List:
		return t.items, true
	case *Map:
		return t.vals, true
	}
	return nil, false
}

func (st *state) doForeach(n *foreachNode) error {
	v, err := st.eval(n.iter)
	if err != nil {
		return err
	}
	items, ok := iterItems(v)
	if !ok {
		return nil
	}
	vars := st.vars.m
	savedElem, hadElem := vars[n.varName]
	savedCount, hadCount := vars["velocityCount"]
	savedHasNext, hadHasNext := vars["velocityHasNext"]
	savedScope, hadScope := vars["foreach"]
	scope := &foreachScope{}
	if ps, ok := savedScope.(*foreachScope); ok {
		scope.parent = ps
	}
	st.loops++
	total := len(items)
	var loopErr error
	for i := 0; i < total && i < len(items); i++ {
		if i >= st.t.opts.MaxForeach {
			loopErr = st.errorf(n.pos, "#foreach exceeded %d iterations (API Gateway's limit)", st.t.opts.MaxForeach)
			break
		}
		if loopErr = st.step(n.pos); loopErr != nil {
			break
		}
		scope.index = i
		scope.hasNext = i+1 < len(items)
		vars["velocityCount"] = int32(i + 1)
		vars["velocityHasNext"] = scope.hasNext
		vars["foreach"] = scope
		if it := items[i]; it != nil {
			vars[n.varName] = it
		} else {
			delete(vars, n.varName)
		}
		if err := st.render(n.body); err != nil {
			var bs *breakSignal
			if errors.As(err, &bs) && (bs.scope == nil || bs.scope == scope) {
				break
			}
			loopErr = err
			break
		}
	}
	st.loops--
	restore := func(name string, v any, had bool) {
		if had {
			vars[name] = v
		} else {
			delete(vars, name)
		}
	}
	restore(n.varName, savedElem, hadElem)
	restore("velocityCount", savedCount, hadCount)
	restore("velocityHasNext", savedHasNext, hadHasNext)
	restore("foreach", savedScope, hadScope)
	return loopErr
}

func (st *state) doBreak(n *breakNode) error {
	if n.scope == nil {
		if st.loops == 0 {
			return errStop
		}
		return &breakSignal{}
	}
	v, err := st.evalRef(n.scope)
	if err != nil {
		return err
	}
	if s, ok := v.(*foreachScope); ok && st.loops > 0 {
		return &breakSignal{scope: s}
	}
	return errStop
}

// eval evaluates an expression to a value.
func (st *state) eval(e expr) (any, error) {
	if err := st.step(0); err != nil {
		return nil, err
	}
	switch e := e.(type) {
	case *constExpr:
		return e.v, nil
	case *refNode:
		return st.evalRef(e)
	case *interpExpr:
		prev := st.pushBuf()
		err := st.render(e.nodes)
		out := st.out
		if n := len(out); n > 0 && out[n-1] == ' ' {
			out = out[:n-1] // the space the parser appended
		}
		s := string(out)
		st.popBuf(prev)
		if err != nil {
			return nil, err
		}
		return s, nil
	case *listExpr:
		l := &List{items: make([]any, 0, len(e.elems))}
		for _, x := range e.elems {
			v, err := st.eval(x)
			if err != nil {
				return nil, err
			}
			l.items = append(l.items, v)
		}
		return l, nil
	case *mapExpr:
		m := NewMap()
		for i, k := range e.keys {
			kv, err := st.eval(k)
			if err != nil {
				return nil, err
			}
			vv, err := st.eval(e.vals[i])
			if err != nil {
				return nil, err
			}
			m.Put(ToString(kv), vv)
		}
		return m, nil
	case *rangeExpr:
		return st.evalRange(e)
	case *binExpr:
		return st.evalBin(e)
	case *notExpr:
		b, err := st.cond(e.x)
		if err != nil {
			return nil, err
		}
		return !b, nil
	case *negExpr:
		v, err := st.eval(e.x)
		if err != nil {
			return nil, err
		}
		return negate(v), nil
	}
	return nil, fmt.Errorf("vtl: unknown expression %T", e)
}

const maxRange = 1 << 20

func (st *state) evalRange(e *rangeExpr) (any, error) {
	lo, err := st.eval(e.lo)
	if err != nil {
		return nil, err
	}
	hi, err := st.eval(e.hi)
	if err != nil {
		return nil, err
	}
	l, ok1 := intValue(lo)
	h, ok2 := intValue(hi)
	if !ok1 || !ok2 {
		return nil, nil
	}
	n := h - l
	if n < 0 {
		n = -n
	}
	if n >= maxRange {
		return nil, st.errorf(e.pos, "range [%d..%d] has more than %d elements", l, h, maxRange)
	}
	items := make([]any, 0, n+1)
	if l <= h {
		for i := l; i <= h; i++ {
			items = append(items, int32(i))
		}
	} else {
		for i := l; i >= h; i-- {
			items = append(items, int32(i))
		}
	}
	return &List{items: items}, nil
}

// intValue is Number.intValue() for range bounds.
func intValue(v any) (int64, bool) {
	switch n := v.(type) {
	case int32:
		return int64(n), true
	case int64:
		return int64(int32(n)), true
	case float64:
		return int64(int32(n)), true
	case int:
		return int64(int32(n)), true
	}
	if b, ok := bigOf(v); ok {
		return int64(int32(b.Int64())), true
	}
	return 0, false
}

// cond evaluates an expression as an #if condition, as Velocity 1.7 does: references are true unless
// null or false, true/false literals and boolean operators are what they say, and anything else (string
// or number literals, arithmetic, lists, maps) is false.
func (st *state) cond(e expr) (bool, error) {
	switch e := e.(type) {
	case *refNode:
		v, err := st.evalRef(e)
		if err != nil || v == nil {
			return false, err
		}
		if b, ok := v.(bool); ok {
			return b, nil
		}
		return true, nil
	case *constExpr:
		b, _ := e.v.(bool)
		return b, nil
	case *notExpr:
		b, err := st.cond(e.x)
		return !b, err
	case *binExpr:
		switch e.op {
		case opOr:
			l, err := st.cond(e.l)
			if err != nil || l {
				return l, err
			}
			return st.cond(e.r)
		case opAnd:
			l, err := st.cond(e.l)
			if err != nil || !l {
				return false, err
			}
			return st.cond(e.r)
		case opEq, opNe, opLt, opLe, opGt, opGe:
			v, err := st.evalBin(e)
			b, _ := v.(bool)
			return b, err
		}
	}
	return false, nil
}

func (st *state) evalBin(e *binExpr) (any, error) {
	switch e.op {
	case opOr, opAnd:
		return st.cond(e)
	}
	l, err := st.eval(e.l)
	if err != nil {
		return nil, err
	}
	r, err := st.eval(e.r)
	if err != nil {
		return nil, err
	}
	switch e.op {
	case opEq:
		return velocityEquals(l, r), nil
	case opNe:
		return !velocityEquals(l, r), nil
	case opLt, opLe, opGt, opGe:
		if !isNumber(l) || !isNumber(r) {
			return false, nil
		}
		c := compareNumbers(l, r)
		switch e.op {
		case opLt:
			return c < 0, nil
		case opLe:
			return c <= 0, nil
		case opGt:
			return c > 0, nil
		}
		return c >= 0, nil
	case opAdd:
		_, ls := l.(string)
		_, rs := r.(string)
		if ls || rs {
			var lt, rt string
			if l == nil {
				lt = e.lsrc
			} else {
				lt = ToString(l)
			}
			if r == nil {
				rt = e.rsrc
			} else {
				rt = ToString(r)
			}
			if len(lt)+len(rt) > st.t.opts.MaxOutput {
				return nil, st.errorf(e.pos, "string exceeds %d bytes", st.t.opts.MaxOutput)
			}
			if err := st.grow(e.pos, len(lt)+len(rt)); err != nil {
				return nil, err
			}
			return lt + rt, nil
		}
	}
	if !isNumber(l) || !isNumber(r) {
		return nil, nil // Velocity logs and yields null
	}
	return arith(e.op, l, r), nil
}
