package lambdaproxy

import (
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// The function result is read by one scanner: it checks the whole payload with encoding/json's
// grammar (the same texts are valid or not, nesting included) and, while doing so, records where the
// top-level members are; the members' values are then read from those spans. A result that is not
// valid JSON is rare, and its reason is worded by members, so that the log keeps encoding/json's
// wording.

// maxNesting is encoding/json's limit on nested arrays and objects: deeper input is invalid JSON.
const maxNesting = 10000

// isSpace reports JSON whitespace.
func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

func skipSpace(data []byte, i int) int {
	for i < len(data) && isSpace(data[i]) {
		i++
	}
	return i
}

// scanValue checks the value at data[i:] (no leading whitespace) and returns the index after it, or -1
// when it is not valid JSON. depth is the nesting of the enclosing value.
func scanValue(data []byte, i, depth int) int {
	if i >= len(data) {
		return -1
	}
	switch c := data[i]; {
	case c == '"':
		return scanString(data, i)
	case c == '{':
		return scanObject(data, i, depth+1, nil)
	case c == '[':
		if depth+1 > maxNesting {
			return -1
		}
		i = skipSpace(data, i+1)
		if i < len(data) && data[i] == ']' {
			return i + 1
		}
		for {
			if i = scanValue(data, i, depth+1); i < 0 {
				return -1
			}
			if i = skipSpace(data, i); i >= len(data) {
				return -1
			}
			switch data[i] {
			case ',':
				i = skipSpace(data, i+1)
			case ']':
				return i + 1
			default:
				return -1
			}
		}
	case c == 't':
		return scanLiteral(data, i, "true")
	case c == 'f':
		return scanLiteral(data, i, "false")
	case c == 'n':
		return scanLiteral(data, i, "null")
	case c == '-' || '0' <= c && c <= '9':
		return scanNumber(data, i)
	}
	return -1
}

func scanLiteral(data []byte, i int, lit string) int {
	if len(data)-i < len(lit) || string(data[i:i+len(lit)]) != lit {
		return -1
	}
	return i + len(lit)
}

// scanNumber checks JSON's number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func scanNumber(data []byte, i int) int {
	if data[i] == '-' {
		i++
	}
	switch {
	case i < len(data) && data[i] == '0':
		i++
	case i < len(data) && '1' <= data[i] && data[i] <= '9':
		i = digits(data, i)
	default:
		return -1
	}
	if i < len(data) && data[i] == '.' {
		if j := digits(data, i+1); j > i+1 {
			i = j
		} else {
			return -1
		}
	}
	if i < len(data) && (data[i] == 'e' || data[i] == 'E') {
		i++
		if i < len(data) && (data[i] == '+' || data[i] == '-') {
			i++
		}
		j := digits(data, i)
		if j == i {
			return -1
		}
		i = j
	}
	return i
}

func digits(data []byte, i int) int {
	for i < len(data) && '0' <= data[i] && data[i] <= '9' {
		i++
	}
	return i
}

// scanString checks the string at data[i] == '"'. Like encoding/json, it accepts invalid UTF-8 (which
// decodes to U+FFFD) and rejects raw control characters.
func scanString(data []byte, i int) int {
	for i++; i < len(data); i++ {
		switch c := data[i]; {
		case c == '"':
			return i + 1
		case c < 0x20:
			return -1
		case c == '\\':
			i++
			if i >= len(data) {
				return -1
			}
			switch data[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if len(data)-i < 5 {
					return -1
				}
				for _, h := range data[i+1 : i+5] {
					if !isHex(h) {
						return -1
					}
				}
				i += 4
			default:
				return -1
			}
		}
	}
	return -1
}

// scanObject checks the object at data[i] == '{' (depth counts it) and returns the index after it, or
// -1. With visit, each member's raw key (quoted) and value are passed to it in document order.
func scanObject(data []byte, i, depth int, visit func(key, val []byte)) int {
	if depth > maxNesting {
		return -1
	}
	i = skipSpace(data, i+1)
	if i < len(data) && data[i] == '}' {
		return i + 1
	}
	for {
		if i >= len(data) || data[i] != '"' {
			return -1
		}
		k := i
		if i = scanString(data, i); i < 0 {
			return -1
		}
		key := data[k:i]
		if i = skipSpace(data, i); i >= len(data) || data[i] != ':' {
			return -1
		}
		v := skipSpace(data, i+1)
		if i = scanValue(data, v, depth); i < 0 {
			return -1
		}
		if visit != nil {
			visit(key, data[v:i])
		}
		if i = skipSpace(data, i); i >= len(data) {
			return -1
		}
		switch data[i] {
		case ',':
			i = skipSpace(data, i+1)
		case '}':
			return i + 1
		default:
			return -1
		}
	}
}

// validJSON reports whether data (trimmed) is exactly one valid JSON value.
func validJSON(data []byte) bool { return scanValue(data, 0, 0) == len(data) }

// memberAt reads the member at raw[i:] of a valid object, i being just after the opening brace or the
// previous value; ok is false at the closing brace.
func memberAt(raw []byte, i int) (key, val []byte, next int, ok bool) {
	if i = skipSpace(raw, i); raw[i] == ',' {
		i = skipSpace(raw, i+1)
	}
	if raw[i] == '}' {
		return nil, nil, i, false
	}
	k := i
	i = scanString(raw, i)
	key = raw[k:i]
	v := skipSpace(raw, skipSpace(raw, i)+1) // past the colon
	next = scanValue(raw, v, 1)
	return key, raw[v:next], next, true
}

// elementAt reads the element at raw[i:] of a valid array, i being just after the opening bracket or
// the previous element; ok is false at the closing bracket.
func elementAt(raw []byte, i int) (item []byte, next int, ok bool) {
	if i = skipSpace(raw, i); raw[i] == ',' {
		i = skipSpace(raw, i+1)
	}
	if raw[i] == ']' {
		return nil, i, false
	}
	next = scanValue(raw, i, 1)
	return raw[i:next], next, true
}

// keyIs reports whether the raw (quoted) key decodes to name, allocating only for an escaped key.
func keyIs(raw []byte, name string) bool {
	for _, c := range raw {
		if c == '\\' {
			return unquote(raw) == name
		}
	}
	return string(raw[1:len(raw)-1]) == name
}

// unquote decodes a valid JSON string (quotes included) as encoding/json does: invalid UTF-8 and lone
// surrogates become U+FFFD.
func unquote(raw []byte) string {
	if s := raw[1 : len(raw)-1]; plain(s) {
		return string(s)
	}
	return string(unquoteBytes(raw))
}

// plain reports whether the string content s decodes to itself: no escapes, no invalid UTF-8.
func plain(s []byte) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c == '\\' || c == '"' || c < ' ' {
			return false
		}
		if c < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(s[i:])
		if r == utf8.RuneError && size == 1 {
			return false
		}
		i += size
	}
	return true
}

// unquoteBytes is unquote into a new byte slice (the copy is the caller's).
func unquoteBytes(raw []byte) []byte {
	s := raw[1 : len(raw)-1]
	r := 0
	for r < len(s) {
		c := s[r]
		if c == '\\' || c == '"' || c < ' ' {
			break
		}
		if c < utf8.RuneSelf {
			r++
			continue
		}
		rr, size := utf8.DecodeRune(s[r:])
		if rr == utf8.RuneError && size == 1 {
			break
		}
		r += size
	}
	if r == len(s) {
		return append(make([]byte, 0, len(s)), s...) // never nil: "" is an empty body, not none
	}
	b := make([]byte, 0, len(s)+2*utf8.UTFMax)
	b = append(b, s[:r]...)
	for r < len(s) {
		switch c := s[r]; {
		case c == '\\':
			r++
			switch s[r] {
			case 'b':
				b = append(b, '\b')
			case 'f':
				b = append(b, '\f')
			case 'n':
				b = append(b, '\n')
			case 'r':
				b = append(b, '\r')
			case 't':
				b = append(b, '\t')
			case 'u':
				rr := getu4(s[r-1:])
				r += 5
				if utf16.IsSurrogate(rr) {
					if rr1 := getu4(s[r:]); rr1 >= 0 {
						if dec := utf16.DecodeRune(rr, rr1); dec != unicode.ReplacementChar {
							r += 6
							b = utf8.AppendRune(b, dec)
							continue
						}
					}
					rr = unicode.ReplacementChar
				}
				b = utf8.AppendRune(b, rr)
				continue
			default: // '"', '\\', '/'
				b = append(b, s[r])
			}
			r++
		case c < utf8.RuneSelf:
			b = append(b, c)
			r++
		default:
			rr, size := utf8.DecodeRune(s[r:])
			r += size
			b = utf8.AppendRune(b, rr)
		}
	}
	return b
}

// getu4 decodes \uXXXX at the start of s, or returns -1.
func getu4(s []byte) rune {
	if len(s) < 6 || s[0] != '\\' || s[1] != 'u' {
		return -1
	}
	var r rune
	for _, c := range s[2:6] {
		if !isHex(c) {
			return -1
		}
		r = r*16 + rune(unhex(c))
	}
	return r
}
