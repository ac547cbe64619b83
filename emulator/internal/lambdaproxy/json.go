package lambdaproxy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// appendString appends s as a JSON string exactly as encoding/json writes it with HTML escaping off
// (AWS writes <, > and & literally): \b \f \n \r \t by name, other control bytes as \u00XX, invalid
// UTF-8 as \ufffd, and U+2028 / U+2029 escaped. It mirrors encoding/json's own appendString, so that
// the events stay byte-identical to what json.Encoder would write.
func appendString[S []byte | string](dst []byte, s S) []byte {
	dst = append(dst, '"')
	dst = appendEscaped(dst, s)
	return append(dst, '"')
}

// appendEscaped is appendString without the quotes.
func appendEscaped[S []byte | string](dst []byte, s S) []byte {
	const hex = "0123456789abcdef"
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		// At most four bytes are converted, so that a string's conversion stays on the stack.
		n := min(len(s)-i, utf8.UTFMax)
		r, size := utf8.DecodeRuneInString(string(s[i : i+n]))
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hex[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	return append(dst, s[start:]...)
}

// appendLowerString is appendString(dst, strings.ToLower(s)), lower-casing ASCII in place: the
// escapes appendString writes hold no upper-case letters, so folding its output is the same.
func appendLowerString(dst []byte, s string) []byte {
	if !isASCII(s) {
		return appendString(dst, strings.ToLower(s))
	}
	start := len(dst)
	dst = appendString(dst, s)
	for i := start; i < len(dst); i++ {
		dst[i] = lowerByte(dst[i])
	}
	return dst
}

// appendJoined is appendString(dst, strings.Join(list, ",")) without the join: escaping works rune by
// rune, and an ASCII separator ends any invalid UTF-8 sequence before it, so the escaped parts joined
// are the joined parts escaped.
func appendJoined(dst []byte, list []string) []byte {
	dst = append(dst, '"')
	for i, s := range list {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendEscaped(dst, s)
	}
	return append(dst, '"')
}

// appendStrings appends a JSON array of strings.
func appendStrings(dst []byte, list []string) []byte {
	dst = append(dst, '[')
	for i, s := range list {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendString(dst, s)
	}
	return append(dst, ']')
}

// maxInlineDepth bounds appendValue's own recursion: deeper values (and any cycle) go to encoding/json,
// which detects cycles and reports them with its own error.
const maxInlineDepth = 16

// appendValue appends a caller-supplied value (the authorizer object) as json.Encoder with HTML
// escaping off writes it. The shapes the gateway builds (maps of strings, numbers, booleans, claims)
// are written here without reflection; anything else is handed to encoding/json, so that its output
// and errors stay the reference.
func appendValue(dst []byte, v any, depth int) ([]byte, error) {
	if depth > maxInlineDepth {
		return appendEncoded(dst, v)
	}
	switch x := v.(type) {
	case nil:
		return append(dst, "null"...), nil
	case string:
		return appendString(dst, x), nil
	case bool:
		return strconv.AppendBool(dst, x), nil
	case int:
		return strconv.AppendInt(dst, int64(x), 10), nil
	case int64:
		return strconv.AppendInt(dst, x, 10), nil
	case float64:
		if math.IsInf(x, 0) || math.IsNaN(x) {
			return appendEncoded(dst, v) // encoding/json's error
		}
		return appendFloat(dst, x), nil
	case []string:
		if x == nil {
			return append(dst, "null"...), nil
		}
		return appendStrings(dst, x), nil
	case map[string]string:
		if x == nil {
			return append(dst, "null"...), nil
		}
		if len(x) == 0 {
			return append(dst, "{}"...), nil // appendStringMap's null is for the event's own maps
		}
		return appendStringMap(dst, x), nil
	case map[string]any:
		if x == nil {
			return append(dst, "null"...), nil
		}
		dst = append(dst, '{')
		var err error
		var keyBuf [16]string
		for i, k := range sortedKeys(x, keyBuf[:0]) {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendString(dst, k)
			dst = append(dst, ':')
			if dst, err = appendValue(dst, x[k], depth+1); err != nil {
				return nil, err
			}
		}
		return append(dst, '}'), nil
	case []any:
		if x == nil {
			return append(dst, "null"...), nil
		}
		dst = append(dst, '[')
		var err error
		for i, e := range x {
			if i > 0 {
				dst = append(dst, ',')
			}
			if dst, err = appendValue(dst, e, depth+1); err != nil {
				return nil, err
			}
		}
		return append(dst, ']'), nil
	}
	return appendEncoded(dst, v)
}

// appendFloat writes a float64 as encoding/json does (ES6 number formatting).
func appendFloat(dst []byte, f float64) []byte {
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	dst = strconv.AppendFloat(dst, f, format, -1, 64)
	if format == 'e' { // e-09 -> e-9, as encoding/json writes it
		n := len(dst)
		if n >= 4 && dst[n-4] == 'e' && dst[n-3] == '-' && dst[n-2] == '0' {
			dst[n-2] = dst[n-1]
			dst = dst[:n-1]
		}
	}
	return dst
}

// appendEncoded writes v with json.Encoder (no HTML escaping), without the newline Encoder adds.
func appendEncoded(dst []byte, v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return append(dst, bytes.TrimSuffix(buf.Bytes(), []byte("\n"))...), nil
}

// sortedKeys returns m's keys in encoding/json's order (byte-wise), appended to scratch (a caller's
// array, so that small maps need no allocation).
func sortedKeys[V any](m map[string]V, scratch []string) []string {
	keys := scratch[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// member is one member of a JSON object, its value left raw.
type member struct {
	key string
	val json.RawMessage
}

// members decodes the JSON object raw into its members in document order, duplicates included (callers
// decide what a duplicate means). It fails when raw is not exactly one JSON object. Results are read by
// the scanner (scan.go); members is what words their syntax errors, so that the reasons stay those
// encoding/json gives.
func members(raw []byte) ([]member, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, errors.New("not a JSON object")
	}
	var out []member
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, ok := tok.(string)
		if !ok {
			return nil, errors.New("object key is not a string")
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		out = append(out, member{key, trimJSONSpace(v)})
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("data after the JSON object")
	}
	return out, nil
}

// trimJSONSpace trims JSON's whitespace (space, tab, CR, LF) and nothing else: bytes.TrimSpace would
// also drop \v, \f and Unicode spaces, accepting payloads no JSON parser (AWS's included) accepts.
func trimJSONSpace(b []byte) []byte { return bytes.Trim(b, " \t\r\n") }

// kind is the JSON type of a raw value, from its first byte (values are trimmed).
func kind(raw []byte) byte {
	if len(raw) == 0 {
		return 0
	}
	switch c := raw[0]; c {
	case 'n', 't', 'f', '"', '{', '[':
		return c
	default:
		return '0' // a number
	}
}

// typeName names the JSON type of raw for error messages.
func typeName(raw []byte) string {
	switch kind(raw) {
	case 'n':
		return "null"
	case 't', 'f':
		return "a boolean"
	case '"':
		return "a string"
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '0':
		return "a number"
	}
	return "nothing"
}

// errNotString is scalarText's error for an object or an array.
func errNotString(raw []byte) error { return fmt.Errorf("expected a string, got %s", typeName(raw)) }
