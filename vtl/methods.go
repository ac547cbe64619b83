package vtl

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// Java methods on template values. A method that does not exist (or whose arguments do not fit) yields
// null, as Velocity's introspection does; a Java exception (index out of bounds, bad regex, ...) is a
// run error. void methods return "" (Velocity renders a void call as nothing).

// javaException is a Java runtime exception raised by a method.
type javaException struct{ msg string }

func (e *javaException) Error() string { return e.msg }

func exc(format string, args ...any) error { return &javaException{fmt.Sprintf(format, args...)} }

// getProperty resolves $v.name: Velocity tries getName(), get("name") on maps, then isName().
func getProperty(v any, name string) any {
	switch t := v.(type) {
	case *Map:
		x, _ := t.Get(name)
		return x
	case *foreachScope:
		return scopeProperty(t, name)
	case *mapEntry:
		switch name {
		case "key":
			return t.key
		case "value":
			return t.val
		}
	case *List:
		if name == "empty" {
			return len(t.items) == 0
		}
	case string:
		if name == "empty" {
			return t == ""
		}
	case Object:
		x, _ := t.Property(name)
		return x
	}
	return nil
}

func scopeProperty(s *foreachScope, name string) any {
	switch name {
	case "index":
		return int32(s.index)
	case "count":
		return int32(s.index + 1)
	case "hasNext":
		return s.hasNext
	case "first":
		return s.index == 0
	case "last":
		return !s.hasNext
	case "parent":
		if s.parent == nil {
			return nil
		}
		return s.parent
	case "topmost":
		for s.parent != nil {
			s = s.parent
		}
		return s
	case "depth":
		d := int32(1)
		for p := s.parent; p != nil; p = p.parent {
			d++
		}
		return d
	}
	return nil
}

func (st *state) callMethod(v any, part *refPart, args []any) (any, error) {
	name := part.name
	var r any
	var err error
	found := true
	switch t := v.(type) {
	case string:
		r, found, err = st.stringMethod(t, part, args)
	case *Map:
		r, found, err = st.mapMethod(t, name, args)
	case *List:
		r, found, err = st.listMethod(t, name, args)
	case *mapEntry:
		r, found = entryMethod(t, name, args)
	case int32, int64, float64, *big.Int:
		r, found, err = numberMethod(t, name, args)
	case bool:
		r, found = boolMethod(t, name, args)
	case *foreachScope:
		r, found = scopeMethod(t, name, args)
	case *blockRef:
		if name == "toString" && len(args) == 0 {
			r, err = t.render()
		} else {
			found = false
		}
	case Object:
		r, err = t.Call(name, args)
		if err != nil {
			if errors.Is(err, ErrNoMethod) {
				return nil, nil
			}
			var e *Error
			if errors.As(err, &e) {
				return nil, err
			}
			return nil, st.errorf(part.pos, "%s(): %v", name, err)
		}
		return r, nil
	default:
		found = false
	}
	if err != nil {
		var e *Error
		if errors.As(err, &e) {
			return nil, err
		}
		return nil, st.errorf(part.pos, "%s(): %v", name, err)
	}
	if !found {
		return commonMethod(v, name, args)
	}
	return r, nil
}

// commonMethod handles java.lang.Object's methods on any value.
func commonMethod(v any, name string, args []any) (any, error) {
	switch {
	case name == "toString" && len(args) == 0:
		return ToString(v), nil
	case name == "equals" && len(args) == 1:
		return javaEquals(v, args[0]), nil
	}
	return nil, nil
}

// ---- strings (UTF-16 indexes, as Java) ----

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// jstr is a Java string: ASCII strings index by byte, others by UTF-16 unit.
type jstr struct {
	s     string
	u     []uint16
	ascii bool
}

func newJstr(s string) jstr {
	if isASCII(s) {
		return jstr{s: s, ascii: true}
	}
	return jstr{s: s, u: utf16.Encode([]rune(s))}
}

func (j jstr) len() int {
	if j.ascii {
		return len(j.s)
	}
	return len(j.u)
}

func (j jstr) sub(b, e int) string {
	if j.ascii {
		return j.s[b:e]
	}
	return string(utf16.Decode(j.u[b:e]))
}

func (j jstr) indexOf(needle string, from int) int {
	n := j.len()
	if from < 0 {
		from = 0
	}
	if from > n {
		from = n
	}
	if j.ascii && isASCII(needle) {
		i := strings.Index(j.s[from:], needle)
		if i < 0 {
			return -1
		}
		return i + from
	}
	nu := utf16.Encode([]rune(needle))
	hay := j.units()
	for i := from; i+len(nu) <= len(hay); i++ {
		if equalUnits(hay[i:i+len(nu)], nu) {
			return i
		}
	}
	return -1
}

func (j jstr) lastIndexOf(needle string, from int) int {
	hay := j.units()
	nu := utf16.Encode([]rune(needle))
	start := len(hay) - len(nu)
	if from < start {
		start = from
	}
	for i := start; i >= 0; i-- {
		if i+len(nu) <= len(hay) && equalUnits(hay[i:i+len(nu)], nu) {
			return i
		}
	}
	return -1
}

func (j jstr) units() []uint16 {
	if j.u != nil || !j.ascii {
		return j.u
	}
	u := make([]uint16, len(j.s))
	for i := 0; i < len(j.s); i++ {
		u[i] = uint16(j.s[i])
	}
	return u
}

func equalUnits(a, b []uint16) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func codePointString(v any) (string, bool) {
	switch n := v.(type) {
	case string:
		return n, true
	case int32:
		if n >= 0 && n <= unicode.MaxRune {
			return string(rune(n)), true
		}
	}
	return "", false
}

func argInt(args []any, i int) (int, bool) {
	if i >= len(args) {
		return 0, false
	}
	return toIndex(args[i])
}

func argString(args []any, i int) (string, bool) {
	if i >= len(args) {
		return "", false
	}
	s, ok := args[i].(string)
	return s, ok
}

// Java's full case mappings that turn one character into several (Go maps them one to one).
var (
	javaUpper = strings.NewReplacer("ß", "SS", "ﬀ", "FF", "ﬁ", "FI", "ﬂ", "FL", "ﬃ", "FFI", "ﬄ", "FFL", "ﬅ", "ST", "ﬆ", "ST", "ŉ", "ʼN")
	javaLower = strings.NewReplacer("İ", "i̇")
)

func javaTrim(s string) string {
	b, e := 0, len(s)
	for b < e && s[b] <= ' ' {
		b++
	}
	for e > b && s[e-1] <= ' ' {
		e--
	}
	return s[b:e]
}

func javaHash(s string) int32 {
	var h int32
	for _, u := range utf16.Encode([]rune(s)) {
		h = 31*h + int32(u)
	}
	return h
}

func compareUTF16(a, b string) int {
	ua, ub := newJstr(a).units(), newJstr(b).units()
	n := len(ua)
	if len(ub) < n {
		n = len(ub)
	}
	for i := 0; i < n; i++ {
		if ua[i] != ub[i] {
			return int(ua[i]) - int(ub[i])
		}
	}
	return len(ua) - len(ub)
}

func (st *state) regexArg(part *refPart, args []any) (*compiledRegex, bool) {
	pat, ok := argString(args, 0)
	if !ok {
		return nil, false
	}
	if part.re != nil {
		return part.re, true
	}
	return compileJavaRegex(pat), true
}

func (st *state) stringMethod(s string, part *refPart, args []any) (any, bool, error) {
	switch part.name {
	case "length":
		if len(args) == 0 {
			return int32(newJstr(s).len()), true, nil
		}
	case "isEmpty":
		if len(args) == 0 {
			return s == "", true, nil
		}
	case "toString", "intern", "toLowerCase", "toUpperCase", "trim":
		if len(args) > 1 {
			break
		}
		switch part.name {
		case "toLowerCase":
			return javaLower.Replace(strings.ToLower(s)), true, nil
		case "toUpperCase":
			return javaUpper.Replace(strings.ToUpper(s)), true, nil
		case "trim":
			return javaTrim(s), true, nil
		}
		return s, true, nil
	case "substring":
		j := newJstr(s)
		b, ok := argInt(args, 0)
		if !ok || len(args) > 2 {
			break
		}
		e := j.len()
		if len(args) == 2 {
			if e, ok = argInt(args, 1); !ok {
				break
			}
		}
		if b < 0 || e > j.len() || b > e {
			return nil, true, exc("java.lang.StringIndexOutOfBoundsException: begin %d, end %d, length %d", b, e, j.len())
		}
		return j.sub(b, e), true, nil
	case "charAt":
		j := newJstr(s)
		i, ok := argInt(args, 0)
		if !ok || len(args) != 1 {
			break
		}
		if i < 0 || i >= j.len() {
			return nil, true, exc("java.lang.StringIndexOutOfBoundsException: index %d, length %d", i, j.len())
		}
		return j.sub(i, i+1), true, nil
	case "indexOf", "lastIndexOf":
		needle, ok := codePointString(firstArg(args))
		if !ok || len(args) > 2 {
			break
		}
		j := newJstr(s)
		if part.name == "indexOf" {
			from := 0
			if len(args) == 2 {
				if from, ok = argInt(args, 1); !ok {
					break
				}
			}
			return int32(j.indexOf(needle, from)), true, nil
		}
		from := j.len()
		if len(args) == 2 {
			if from, ok = argInt(args, 1); !ok {
				break
			}
		}
		return int32(j.lastIndexOf(needle, from)), true, nil
	case "contains":
		if x, ok := argString(args, 0); ok && len(args) == 1 {
			return strings.Contains(s, x), true, nil
		}
	case "startsWith":
		x, ok := argString(args, 0)
		if !ok || len(args) > 2 {
			break
		}
		if len(args) == 2 {
			off, ok := argInt(args, 1)
			if !ok {
				break
			}
			j := newJstr(s)
			if off < 0 || off > j.len() {
				return false, true, nil
			}
			return strings.HasPrefix(j.sub(off, j.len()), x), true, nil
		}
		return strings.HasPrefix(s, x), true, nil
	case "endsWith":
		if x, ok := argString(args, 0); ok && len(args) == 1 {
			return strings.HasSuffix(s, x), true, nil
		}
	case "equalsIgnoreCase":
		if len(args) == 1 {
			x, ok := args[0].(string)
			return ok && strings.EqualFold(s, x), true, nil
		}
	case "concat":
		if x, ok := argString(args, 0); ok && len(args) == 1 {
			if err := st.grow(0, len(s)+len(x)); err != nil {
				return nil, true, err
			}
			return s + x, true, nil
		}
	case "compareTo", "compareToIgnoreCase":
		if x, ok := argString(args, 0); ok && len(args) == 1 {
			if part.name == "compareToIgnoreCase" {
				return int32(compareUTF16(strings.ToLower(strings.ToUpper(s)), strings.ToLower(strings.ToUpper(x)))), true, nil
			}
			return int32(compareUTF16(s, x)), true, nil
		}
	case "hashCode":
		if len(args) == 0 {
			return javaHash(s), true, nil
		}
	case "valueOf":
		if len(args) == 1 {
			return ToString(args[0]), true, nil
		}
	case "replace":
		a, ok1 := argString(args, 0)
		b, ok2 := argString(args, 1)
		if ok1 && ok2 && len(args) == 2 {
			// size before building: n matches (len(s)+1 for "") each replaced by b
			n := len(s) + 1
			if a != "" {
				n = strings.Count(s, a)
			}
			if err := st.grow(0, len(s)+n*(len(b)-len(a))); err != nil {
				return nil, true, err
			}
			return strings.ReplaceAll(s, a, b), true, nil
		}
	case "replaceAll", "replaceFirst":
		re, ok := st.regexArg(part, args)
		repl, ok2 := argString(args, 1)
		if !ok || !ok2 || len(args) != 2 {
			break
		}
		if re.err != nil {
			return nil, true, re.err
		}
		if err := st.work(0, len(s)); err != nil {
			return nil, true, err
		}
		r, err := re.replace(s, repl, part.name == "replaceAll", st.grower())
		if err != nil {
			return nil, true, err
		}
		return r, true, nil
	case "matches":
		re, ok := st.regexArg(part, args)
		if !ok || len(args) != 1 {
			break
		}
		if re.err != nil {
			return nil, true, re.err
		}
		if err := st.work(0, len(s)); err != nil {
			return nil, true, err
		}
		ok, err := re.matches(s)
		if err != nil {
			return nil, true, err
		}
		return ok, true, nil
	case "split":
		re, ok := st.regexArg(part, args)
		if !ok || len(args) > 2 {
			break
		}
		limit := 0
		if len(args) == 2 {
			if limit, ok = argInt(args, 1); !ok {
				break
			}
		}
		if re.err != nil {
			return nil, true, re.err
		}
		if err := st.work(0, len(s)); err != nil {
			return nil, true, err
		}
		parts, err := re.split(s, limit, st.grower())
		if err != nil {
			return nil, true, err
		}
		return &List{items: parts, kind: ArrayList}, true, nil
	}
	return nil, false, nil
}

func firstArg(args []any) any {
	if len(args) == 0 {
		return nil
	}
	return args[0]
}

// ---- maps ----

// mapKey converts a key argument to the string keys of Map.
func mapKey(v any) (string, bool) {
	switch k := v.(type) {
	case string:
		return k, true
	case nil:
		return "", false
	case int32, int64, float64, bool, *big.Int:
		return ToString(k), true
	}
	return "", false
}

func (st *state) mapMethod(m *Map, name string, args []any) (any, bool, error) {
	switch name {
	case "get":
		if len(args) == 1 {
			k, ok := mapKey(args[0])
			if !ok {
				return nil, true, nil
			}
			v, _ := m.Get(k)
			return v, true, nil
		}
	case "getOrDefault":
		if len(args) == 2 {
			if k, ok := mapKey(args[0]); ok {
				if v, ok := m.Get(k); ok {
					return v, true, nil
				}
			}
			return args[1], true, nil
		}
	case "put", "putIfAbsent":
		if len(args) == 2 {
			k, ok := mapKey(args[0])
			if !ok {
				k = "null"
			}
			if name == "putIfAbsent" {
				if v, ok := m.Get(k); ok && v != nil {
					return v, true, nil
				}
			}
			if err := st.growMap(m, k); err != nil {
				return nil, true, err
			}
			return m.Put(k, args[1]), true, nil
		}
	case "putAll":
		if len(args) == 1 {
			src, ok := args[0].(*Map)
			if !ok {
				return nil, false, nil
			}
			keys, vals := append([]string(nil), src.keys...), append([]any(nil), src.vals...)
			for i, k := range keys {
				if err := st.growMap(m, k); err != nil {
					return nil, true, err
				}
				m.Put(k, vals[i])
			}
			return "", true, nil
		}
	case "containsKey":
		if len(args) == 1 {
			k, ok := mapKey(args[0])
			if !ok {
				return false, true, nil
			}
			_, ok = m.Get(k)
			return ok, true, nil
		}
	case "containsValue":
		if len(args) == 1 {
			for _, v := range m.vals {
				if javaEquals(v, args[0]) {
					return true, true, nil
				}
			}
			return false, true, nil
		}
	case "remove":
		if len(args) == 1 {
			k, ok := mapKey(args[0])
			if !ok {
				return nil, true, nil
			}
			v, _ := m.Remove(k)
			return v, true, nil
		}
	case "size":
		if len(args) == 0 {
			return int32(m.Len()), true, nil
		}
	case "isEmpty":
		if len(args) == 0 {
			return m.Len() == 0, true, nil
		}
	case "clear":
		if len(args) == 0 {
			m.Clear()
			return "", true, nil
		}
	case "keySet":
		if len(args) == 0 {
			items := make([]any, len(m.keys))
			for i, k := range m.keys {
				items[i] = k
			}
			return &List{items: items}, true, nil
		}
	case "values":
		if len(args) == 0 {
			return &List{items: append([]any(nil), m.vals...)}, true, nil
		}
	case "entrySet":
		if len(args) == 0 {
			items := make([]any, len(m.keys))
			for i, k := range m.keys {
				items[i] = &mapEntry{m: m, key: k, val: m.vals[i]}
			}
			return &List{items: items}, true, nil
		}
	}
	return nil, false, nil
}

func entryMethod(e *mapEntry, name string, args []any) (any, bool) {
	switch {
	case (name == "getKey" || name == "key") && len(args) == 0:
		return e.key, true
	case (name == "getValue" || name == "value") && len(args) == 0:
		return e.val, true
	case name == "setValue" && len(args) == 1:
		prev := e.val
		e.val = args[0]
		if e.m != nil {
			e.m.Put(e.key, args[0])
		}
		return prev, true
	}
	return nil, false
}

// ---- lists ----

func (st *state) listMethod(l *List, name string, args []any) (any, bool, error) {
	n := len(l.items)
	switch name {
	case "size":
		if len(args) == 0 {
			return int32(n), true, nil
		}
	case "isEmpty":
		if len(args) == 0 {
			return n == 0, true, nil
		}
	case "get":
		if i, ok := argInt(args, 0); ok && len(args) == 1 {
			if i < 0 || i >= n {
				return nil, true, exc("java.lang.IndexOutOfBoundsException: Index %d out of bounds for length %d", i, n)
			}
			return l.items[i], true, nil
		}
	case "add":
		switch len(args) {
		case 1:
			if err := st.grow(0, 16); err != nil {
				return nil, true, err
			}
			l.items = append(l.items, args[0])
			return true, true, nil
		case 2:
			i, ok := toIndex(args[0])
			if !ok {
				break
			}
			if i < 0 || i > n {
				return nil, true, exc("java.lang.IndexOutOfBoundsException: Index: %d, Size: %d", i, n)
			}
			l.items = append(l.items, nil)
			copy(l.items[i+1:], l.items[i:])
			l.items[i] = args[1]
			return "", true, nil
		}
	case "set":
		if i, ok := argInt(args, 0); ok && len(args) == 2 {
			if i < 0 || i >= n {
				return nil, true, exc("java.lang.IndexOutOfBoundsException: Index %d out of bounds for length %d", i, n)
			}
			prev := l.items[i]
			l.items[i] = args[1]
			return prev, true, nil
		}
	case "contains":
		if len(args) == 1 {
			return listIndex(l.items, args[0]) >= 0, true, nil
		}
	case "indexOf":
		if len(args) == 1 {
			return int32(listIndex(l.items, args[0])), true, nil
		}
	case "lastIndexOf":
		if len(args) == 1 {
			for i := n - 1; i >= 0; i-- {
				if javaEquals(l.items[i], args[0]) {
					return int32(i), true, nil
				}
			}
			return int32(-1), true, nil
		}
	case "remove":
		if len(args) == 1 {
			if i, ok := args[0].(int32); ok {
				if int(i) < 0 || int(i) >= n {
					return nil, true, exc("java.lang.IndexOutOfBoundsException: Index %d out of bounds for length %d", i, n)
				}
				prev := l.items[i]
				l.items = append(l.items[:i], l.items[i+1:]...)
				return prev, true, nil
			}
			if i := listIndex(l.items, args[0]); i >= 0 {
				l.items = append(l.items[:i], l.items[i+1:]...)
				return true, true, nil
			}
			return false, true, nil
		}
	case "addAll":
		switch len(args) {
		case 1:
			src, ok := args[0].(*List)
			if !ok {
				break
			}
			if err := st.grow(0, 16*len(src.items)); err != nil {
				return nil, true, err
			}
			items := append([]any(nil), src.items...)
			l.items = append(l.items, items...)
			return len(items) > 0, true, nil
		case 2:
			i, ok := toIndex(args[0])
			src, ok2 := args[1].(*List)
			if !ok || !ok2 {
				break
			}
			if i < 0 || i > n {
				return nil, true, exc("java.lang.IndexOutOfBoundsException: Index: %d, Size: %d", i, n)
			}
			items := append([]any(nil), src.items...)
			rest := append([]any(nil), l.items[i:]...)
			l.items = append(append(l.items[:i], items...), rest...)
			return len(items) > 0, true, nil
		}
	case "containsAll":
		if src, ok := firstArg(args).(*List); ok && len(args) == 1 {
			for _, it := range src.items {
				if listIndex(l.items, it) < 0 {
					return false, true, nil
				}
			}
			return true, true, nil
		}
	case "clear":
		if len(args) == 0 {
			l.items = l.items[:0]
			return "", true, nil
		}
	case "subList":
		a, ok1 := argInt(args, 0)
		b, ok2 := argInt(args, 1)
		if ok1 && ok2 && len(args) == 2 {
			if a < 0 || b > n || a > b {
				return nil, true, exc("java.lang.IndexOutOfBoundsException: fromIndex %d, toIndex %d, size %d", a, b, n)
			}
			return &List{items: append([]any(nil), l.items[a:b]...), kind: l.kind}, true, nil
		}
	}
	return nil, false, nil
}

func listIndex(items []any, v any) int {
	for i, it := range items {
		if javaEquals(it, v) {
			return i
		}
	}
	return -1
}

// ---- numbers and booleans ----

func javaIntCast(f float64) int64 {
	switch {
	case math.IsNaN(f):
		return 0
	case f >= math.MaxInt64:
		return math.MaxInt64
	case f <= math.MinInt64:
		return math.MinInt64
	}
	return int64(f)
}

func numberMethod(v any, name string, args []any) (any, bool, error) {
	if len(args) == 0 {
		switch name {
		case "intValue":
			if f, ok := v.(float64); ok {
				x := javaIntCast(f)
				if x > math.MaxInt32 {
					return int32(math.MaxInt32), true, nil
				}
				if x < math.MinInt32 {
					return int32(math.MinInt32), true, nil
				}
				return int32(x), true, nil
			}
			return int32(toInt64(v)), true, nil
		case "longValue":
			if f, ok := v.(float64); ok {
				return javaIntCast(f), true, nil
			}
			return toInt64(v), true, nil
		case "doubleValue":
			return toFloat(v), true, nil
		case "floatValue":
			return float32(toFloat(v)), true, nil
		case "hashCode":
			switch n := v.(type) {
			case int32:
				return n, true, nil
			case int64:
				return int32(n ^ int64(uint64(n)>>32)), true, nil
			case float64:
				b := math.Float64bits(n)
				return int32(int64(b ^ (b >> 32))), true, nil
			}
		case "isNaN":
			if f, ok := v.(float64); ok {
				return math.IsNaN(f), true, nil
			}
		case "isInfinite":
			if f, ok := v.(float64); ok {
				return math.IsInf(f, 0), true, nil
			}
		}
		return nil, false, nil
	}
	if name == "compareTo" && len(args) == 1 {
		if !isNumber(args[0]) {
			return nil, true, exc("java.lang.ClassCastException: cannot compare a number with %s", ToString(args[0]))
		}
		return int32(compareNumbers(v, args[0])), true, nil
	}
	return nil, false, nil
}

func boolMethod(b bool, name string, args []any) (any, bool) {
	switch {
	case name == "booleanValue" && len(args) == 0:
		return b, true
	case name == "hashCode" && len(args) == 0:
		if b {
			return int32(1231), true
		}
		return int32(1237), true
	case name == "compareTo" && len(args) == 1:
		o, ok := args[0].(bool)
		if !ok {
			return nil, false
		}
		switch {
		case b == o:
			return int32(0), true
		case b:
			return int32(1), true
		}
		return int32(-1), true
	}
	return nil, false
}

func scopeMethod(s *foreachScope, name string, args []any) (any, bool) {
	if len(args) != 0 {
		return nil, false
	}
	switch name {
	case "getIndex", "index":
		return scopeProperty(s, "index"), true
	case "getCount", "count":
		return scopeProperty(s, "count"), true
	case "hasNext", "getHasNext":
		return s.hasNext, true
	case "isFirst", "getFirst", "first":
		return s.index == 0, true
	case "isLast", "getLast", "last":
		return !s.hasNext, true
	case "getParent", "parent":
		return scopeProperty(s, "parent"), true
	case "getTopmost", "topmost":
		return scopeProperty(s, "topmost"), true
	}
	return nil, false
}
