package lambdaproxy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"unicode/utf8"
)

// object is a JSON object that keeps its keys in the order they were set. AWS's events have a fixed key
// order (see EventV1) that a Go map, always marshalled sorted, cannot express.
type object struct {
	keys []string
	vals []any
}

func (o *object) set(k string, v any) {
	o.keys = append(o.keys, k)
	o.vals = append(o.vals, v)
}

// jsonWriter writes the values the events are made of. Strings go through encoding/json with HTML
// escaping off: AWS writes <, > and & literally, Go's default would write \u003c.
type jsonWriter struct {
	buf bytes.Buffer
	enc *json.Encoder
}

func newJSONWriter() *jsonWriter {
	w := &jsonWriter{}
	w.enc = json.NewEncoder(&w.buf)
	w.enc.SetEscapeHTML(false)
	return w
}

// encode writes v with encoding/json (no HTML escaping) and drops the newline Encoder adds.
func (w *jsonWriter) encode(v any) error {
	if err := w.enc.Encode(v); err != nil {
		return err
	}
	w.buf.Truncate(w.buf.Len() - 1)
	return nil
}

func (w *jsonWriter) write(v any) error {
	switch x := v.(type) {
	case nil:
		w.buf.WriteString("null")
	case *object:
		if x == nil {
			w.buf.WriteString("null")
			return nil
		}
		w.buf.WriteByte('{')
		for i, k := range x.keys {
			if i > 0 {
				w.buf.WriteByte(',')
			}
			w.str(k)
			w.buf.WriteByte(':')
			if err := w.write(x.vals[i]); err != nil {
				return err
			}
		}
		w.buf.WriteByte('}')
	case bool:
		w.buf.WriteString(strconv.FormatBool(x))
	case int64:
		w.buf.WriteString(strconv.FormatInt(x, 10))
	case []string:
		w.buf.WriteByte('[')
		for i, s := range x {
			if i > 0 {
				w.buf.WriteByte(',')
			}
			w.str(s)
		}
		w.buf.WriteByte(']')
	case string:
		w.str(x)
	default: // caller-supplied values such as the authorizer context
		return w.encode(x)
	}
	return nil
}

// member is one member of a JSON object, its value left raw.
type member struct {
	key string
	val json.RawMessage
}

// members decodes the JSON object raw into its members in document order, duplicates included (callers
// decide what a duplicate means). It fails when raw is not exactly one JSON object.
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

// kind is the JSON type of a raw value, from its first byte (members trims the value).
func kind(raw json.RawMessage) byte {
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

// scalarText is the text a JSON scalar is coerced to where AWS expects a string (header values, body):
// strings as they are, true/false, numbers as written ("1.50" stays "1.50"). null reports isNull; objects
// and arrays cannot be coerced and are an error.
func scalarText(raw json.RawMessage) (text string, isNull bool, err error) {
	switch kind(raw) {
	case 'n':
		return "", true, nil
	case 't':
		return "true", false, nil
	case 'f':
		return "false", false, nil
	case '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", false, err
		}
		return s, false, nil
	case '0':
		return string(raw), false, nil
	default:
		return "", false, fmt.Errorf("expected a string, got %s", typeName(raw))
	}
}

// typeName names the JSON type of raw for error messages.
func typeName(raw json.RawMessage) string {
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

// str writes s as a JSON string exactly as encoding/json does with HTML escaping off (the events are
// built on every request; going through json.Encoder for each string cost most of EventV1's time).
func (w *jsonWriter) str(s string) {
	const hex = "0123456789abcdef"
	b := &w.buf
	b.WriteByte('"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b.WriteString(s[start:i])
			switch c {
			case '"', '\\':
				b.WriteByte('\\')
				b.WriteByte(c)
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
				b.WriteString(`\u00`)
				b.WriteByte(hex[c>>4])
				b.WriteByte(hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b.WriteString(s[start:i])
			b.WriteString(`\ufffd`)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b.WriteString(s[start:i])
			b.WriteString(`\u202`)
			b.WriteByte(hex[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b.WriteString(s[start:])
	b.WriteByte('"')
}
