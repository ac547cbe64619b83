package vtl

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Object is a host object seen by templates (API Gateway's $input, $util and $context helpers are
// Objects). An Object may also implement fmt.Stringer (how it prints; without it, it prints as empty
// text) and PropertySetter (to accept #set($obj.name = value)).
type Object interface {
	// Property returns obj.name (Velocity tries getName(), get("name"), isName()); ok=false when absent.
	Property(name string) (any, bool)
	// Call invokes obj.name(args...). Return ErrNoMethod (wrapped) when there is no such method.
	// args is only valid during the call: the engine reuses its storage.
	Call(name string, args []any) (any, error)
}

// PropertySetter is an optional interface of an Object: #set($obj.name = value) calls SetProperty.
// Without it such a #set does nothing, as Velocity does when no setter exists.
type PropertySetter interface {
	SetProperty(name string, value any) error
}

// ErrNoMethod is returned (wrapped) by Object.Call when the object has no such method. The template then
// sees null, as Velocity does for a method it cannot find.
var ErrNoMethod = errors.New("no such method")

// Map is an insertion-ordered map from string keys to values: java.util.LinkedHashMap<String,Object>.
// Putting an existing key keeps its position. The zero value is not usable; call NewMap.
type Map struct {
	keys   []string
	vals   []any
	index  map[string]int // built once the map grows past a few keys
	opaque bool
}

const mapIndexThreshold = 8

// NewMap returns an empty map.
func NewMap() *Map { return &Map{} }

// NewOpaqueMap returns an empty map that prints as empty text, as API Gateway prints its nested
// $context maps (identity, requestOverride, ...). Its keys and values are readable as usual.
func NewOpaqueMap() *Map { return &Map{opaque: true} }

// Opaque reports whether the map prints as empty text (see NewOpaqueMap).
func (m *Map) Opaque() bool { return m.opaque }

func (m *Map) find(key string) int {
	if m.index != nil {
		if i, ok := m.index[key]; ok {
			return i
		}
		return -1
	}
	for i, k := range m.keys {
		if k == key {
			return i
		}
	}
	return -1
}

// Len returns the number of entries.
func (m *Map) Len() int { return len(m.keys) }

// Get returns the value stored under key.
func (m *Map) Get(key string) (any, bool) {
	if i := m.find(key); i >= 0 {
		return m.vals[i], true
	}
	return nil, false
}

// Put stores value under key and returns the previous value (nil if none).
func (m *Map) Put(key string, value any) any {
	if i := m.find(key); i >= 0 {
		prev := m.vals[i]
		m.vals[i] = value
		return prev
	}
	m.keys = append(m.keys, key)
	m.vals = append(m.vals, value)
	if m.index != nil {
		m.index[key] = len(m.keys) - 1
	} else if len(m.keys) > mapIndexThreshold {
		m.index = make(map[string]int, len(m.keys)*2)
		for i, k := range m.keys {
			m.index[k] = i
		}
	}
	return nil
}

// Remove deletes key and returns its previous value and whether it was present.
func (m *Map) Remove(key string) (any, bool) {
	i := m.find(key)
	if i < 0 {
		return nil, false
	}
	prev := m.vals[i]
	m.keys = append(m.keys[:i], m.keys[i+1:]...)
	m.vals = append(m.vals[:i], m.vals[i+1:]...)
	if m.index != nil {
		delete(m.index, key)
		for j := i; j < len(m.keys); j++ {
			m.index[m.keys[j]] = j
		}
	}
	return prev, true
}

// Delete deletes key and reports whether it was present.
func (m *Map) Delete(key string) bool {
	_, ok := m.Remove(key)
	return ok
}

// Keys returns the keys in insertion order (a copy).
func (m *Map) Keys() []string { return append([]string(nil), m.keys...) }

// Values returns the values in insertion order (a copy).
func (m *Map) Values() []any { return append([]any(nil), m.vals...) }

// Clear removes every entry.
func (m *Map) Clear() {
	m.keys, m.vals, m.index = m.keys[:0], m.vals[:0], nil
}

// ListKind says how a List prints; the values inside behave the same.
type ListKind uint8

const (
	// JavaList is a java.util.ArrayList (Velocity list literals and ranges): prints as "[a, b]".
	JavaList ListKind = iota
	// JSONList is a json-smart JSONArray (what API Gateway's JSON parsing produces for arrays):
	// prints as compact JSON, "[{"a":1},2]".
	JSONList
	// ArrayList is a Java array (String.split's result); it prints like JavaList here.
	ArrayList
)

// List is an ordered list of values: java.util.ArrayList<Object> (or a JSON array, see ListKind).
type List struct {
	items []any
	kind  ListKind
}

// NewList returns a Java list (ArrayList) holding items.
func NewList(items ...any) *List { return &List{items: items} }

// NewJSONList returns a list that prints as compact JSON, like the arrays API Gateway's JSON parsing
// ($input.path, $util.parseJson) produces.
func NewJSONList(items ...any) *List { return &List{items: items, kind: JSONList} }

// Kind returns how the list prints.
func (l *List) Kind() ListKind { return l.kind }

// Len returns the number of items.
func (l *List) Len() int { return len(l.items) }

// Items returns the items (the list's own slice: do not keep it across template executions).
func (l *List) Items() []any { return l.items }

// Get returns item i (nil when out of range).
func (l *List) Get(i int) any {
	if i < 0 || i >= len(l.items) {
		return nil
	}
	return l.items[i]
}

// Set replaces item i and returns the previous item (nil when out of range: nothing is stored).
func (l *List) Set(i int, v any) any {
	if i < 0 || i >= len(l.items) {
		return nil
	}
	prev := l.items[i]
	l.items[i] = v
	return prev
}

// Append adds items at the end.
func (l *List) Append(items ...any) { l.items = append(l.items, items...) }

// mapEntry is a java.util.Map.Entry from entrySet().
type mapEntry struct {
	m   *Map
	key string
	val any
}

// ToString converts a value to text as Java's String.valueOf does: maps "{k=v, k2=v2}", lists
// "[a, b]" (JSON lists as compact JSON), doubles "1.0" / "1.5E10", null "null".
func ToString(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	var b strings.Builder
	appendString(&b, v, 0, nil)
	return b.String()
}

const maxPrintDepth = 200

// appendString writes v's Java toString. A non-nil budget stops the output (returning false) when the
// builder grows past *budget bytes, so that printing cyclic or huge structures cannot run away.
func appendString(b *strings.Builder, v any, depth int, budget *int) bool {
	if budget != nil && b.Len() > *budget {
		return false
	}
	if depth > maxPrintDepth {
		b.WriteString("...")
		return true
	}
	switch t := v.(type) {
	case nil:
		b.WriteString("null")
	case string:
		b.WriteString(t)
	case bool:
		if t {
			b.WriteString("true")
		} else {
			b.WriteString("false")
		}
	case int32:
		var buf [16]byte
		b.Write(strconv.AppendInt(buf[:0], int64(t), 10))
	case int64:
		var buf [24]byte
		b.Write(strconv.AppendInt(buf[:0], t, 10))
	case int:
		b.WriteString(strconv.Itoa(t))
	case float64:
		b.WriteString(formatDouble(t))
	case float32:
		b.WriteString(formatFloat32(t))
	case *big.Int:
		b.WriteString(t.String())
	case *Map:
		if t.opaque {
			return true
		}
		b.WriteByte('{')
		for i, k := range t.keys {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(k)
			b.WriteByte('=')
			if t.vals[i] == any(t) {
				b.WriteString("(this Map)")
				continue
			}
			if !appendString(b, t.vals[i], depth+1, budget) {
				return false
			}
		}
		b.WriteByte('}')
	case *List:
		if t.kind == JSONList {
			return appendJSON(b, t, depth, budget)
		}
		b.WriteByte('[')
		for i, it := range t.items {
			if i > 0 {
				b.WriteString(", ")
			}
			if it == any(t) {
				b.WriteString("(this Collection)")
				continue
			}
			if !appendString(b, it, depth+1, budget) {
				return false
			}
		}
		b.WriteByte(']')
	case *mapEntry:
		b.WriteString(t.key)
		b.WriteByte('=')
		return appendString(b, t.val, depth+1, budget)
	case *blockRef:
		s, err := t.render()
		if err != nil {
			return false
		}
		b.WriteString(s)
	case *foreachScope:
		b.WriteString("org.apache.velocity.runtime.directive.ForeachScope")
	case fmt.Stringer:
		b.WriteString(t.String())
	case Object:
		// an opaque host object prints as nothing
	default:
		fmt.Fprint(b, t)
	}
	return true
}

// formatDouble formats a float64 as Java's Double.toString.
func formatDouble(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case f == 0:
		if math.Signbit(f) {
			return "-0.0"
		}
		return "0.0"
	}
	return javaFloatString(strconv.FormatFloat(f, 'e', -1, 64), math.Abs(f))
}

func formatFloat32(f float32) string {
	d := float64(f)
	switch {
	case math.IsNaN(d), math.IsInf(d, 0), d == 0:
		return formatDouble(d)
	}
	return javaFloatString(strconv.FormatFloat(d, 'e', -1, 32), math.Abs(d))
}

// javaFloatString turns Go's shortest "d.ddde±XX" into Java's notation: plain decimal for
// 1e-3 <= |f| < 1e7, else "d.dddE±X" (at least one fractional digit in both).
func javaFloatString(e string, abs float64) string {
	neg := false
	if e[0] == '-' {
		neg = true
		e = e[1:]
	}
	epos := strings.IndexByte(e, 'e')
	mant, expStr := e[:epos], e[epos+1:]
	exp, _ := strconv.Atoi(expStr)
	digits := strings.Replace(mant, ".", "", 1)
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	if abs >= 1e-3 && abs < 1e7 {
		if exp >= 0 {
			if len(digits) <= exp+1 {
				b.WriteString(digits)
				b.WriteString(strings.Repeat("0", exp+1-len(digits)))
				b.WriteString(".0")
			} else {
				b.WriteString(digits[:exp+1])
				b.WriteByte('.')
				b.WriteString(digits[exp+1:])
			}
		} else {
			b.WriteString("0.")
			b.WriteString(strings.Repeat("0", -exp-1))
			b.WriteString(digits)
		}
		return b.String()
	}
	b.WriteByte(digits[0])
	b.WriteByte('.')
	if len(digits) > 1 {
		b.WriteString(digits[1:])
	} else {
		b.WriteByte('0')
	}
	b.WriteByte('E')
	b.WriteString(strconv.Itoa(exp))
	return b.String()
}

// ToJSON returns the compact JSON text of a value, written as json-smart (the JSON library behind API
// Gateway's JSONPath) writes it: strings escape '"', '\', control characters and '/' ("\/"), numbers
// print as Java prints them (1.0 for a Double), maps as objects in their order, lists as arrays.
// A host Object is written as its string form.
func ToJSON(v any) string {
	var b strings.Builder
	appendJSON(&b, v, 0, nil)
	return b.String()
}

func appendJSON(b *strings.Builder, v any, depth int, budget *int) bool {
	if budget != nil && b.Len() > *budget {
		return false
	}
	if depth > maxPrintDepth {
		b.WriteString("null")
		return true
	}
	switch t := v.(type) {
	case nil:
		b.WriteString("null")
	case string:
		appendJSONString(b, t)
	case bool, int32, int64, int, *big.Int:
		appendString(b, t, depth, budget)
	case float64:
		if math.IsNaN(t) || math.IsInf(t, 0) {
			b.WriteString("null")
		} else {
			b.WriteString(formatDouble(t))
		}
	case *Map:
		b.WriteByte('{')
		for i, k := range t.keys {
			if i > 0 {
				b.WriteByte(',')
			}
			appendJSONString(b, k)
			b.WriteByte(':')
			if t.vals[i] == any(t) {
				b.WriteString("null")
				continue
			}
			if !appendJSON(b, t.vals[i], depth+1, budget) {
				return false
			}
		}
		b.WriteByte('}')
	case *List:
		b.WriteByte('[')
		for i, it := range t.items {
			if i > 0 {
				b.WriteByte(',')
			}
			if it == any(t) {
				b.WriteString("null")
				continue
			}
			if !appendJSON(b, it, depth+1, budget) {
				return false
			}
		}
		b.WriteByte(']')
	case *mapEntry:
		b.WriteByte('{')
		appendJSONString(b, t.key)
		b.WriteByte(':')
		if !appendJSON(b, t.val, depth+1, budget) {
			return false
		}
		b.WriteByte('}')
	default:
		var sb strings.Builder
		if !appendString(&sb, t, depth, budget) {
			return false
		}
		appendJSONString(b, sb.String())
	}
	return true
}

const hexDigits = "0123456789ABCDEF"

// appendJSONString writes s quoted with json-smart's default (web-safe) escaping.
func appendJSONString(b *strings.Builder, s string) {
	b.WriteByte('"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch c {
			case '"':
				b.WriteString(`\"`)
			case '\\':
				b.WriteString(`\\`)
			case '/':
				b.WriteString(`\/`)
			case '\b':
				b.WriteString(`\b`)
			case '\f':
				b.WriteString(`\f`)
			case '\n':
				b.WriteString(`\n`)
			case '\r':
				b.WriteString(`\r`)
			case '\t':
				b.WriteString(`\t`)
			default:
				if c < 0x20 || c == 0x7f {
					b.WriteString(`\u00`)
					b.WriteByte(hexDigits[c>>4])
					b.WriteByte(hexDigits[c&0xF])
				} else {
					b.WriteByte(c)
				}
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if (r >= 0x80 && r <= 0x9f) || (r >= 0x2000 && r <= 0x20ff) {
			b.WriteString(`\u`)
			b.WriteByte(hexDigits[(r>>12)&0xF])
			b.WriteByte(hexDigits[(r>>8)&0xF])
			b.WriteByte(hexDigits[(r>>4)&0xF])
			b.WriteByte(hexDigits[r&0xF])
		} else {
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	b.WriteByte('"')
}
