package mapping

import (
	"encoding/base64"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/apigw-local/apigw-local/vtl"
)

// Util is $util.
type Util struct{}

// Property implements vtl.Object: $util has no properties.
func (Util) Property(string) (any, bool) { return nil, false }

// Call implements vtl.Object.
func (Util) Call(name string, args []any) (any, error) {
	if len(args) != 1 {
		return nil, fmt.Errorf("$util.%s takes one argument, got %d: %w", name, len(args), vtl.ErrNoMethod)
	}
	arg := args[0]
	switch name {
	case "escapeJavaScript":
		if arg == nil {
			return nil, nil
		}
		return EscapeJavaScript(vtl.ToString(arg)), nil
	case "parseJson":
		if arg == nil {
			return nil, nil
		}
		v, err := vtl.FromJSON([]byte(vtl.ToString(arg)))
		if err != nil {
			return nil, fmt.Errorf("$util.parseJson: %v", err)
		}
		return v, nil
	case "urlEncode":
		if arg == nil {
			return "", nil
		}
		return URLEncode(vtl.ToString(arg)), nil
	case "urlDecode":
		if arg == nil {
			return "", nil
		}
		return URLDecode(vtl.ToString(arg))
	case "base64Encode":
		if arg == nil {
			return nil, nil
		}
		return base64.StdEncoding.EncodeToString([]byte(vtl.ToString(arg))), nil
	case "base64Decode":
		if arg == nil {
			return nil, nil
		}
		b, err := base64.StdEncoding.DecodeString(vtl.ToString(arg))
		if err != nil {
			return nil, fmt.Errorf("$util.base64Decode: %v", err)
		}
		return string(b), nil
	}
	return nil, fmt.Errorf("$util.%s: %w", name, vtl.ErrNoMethod)
}

// EscapeJavaScript escapes like Apache commons-lang StringEscapeUtils.escapeJavaScript, which API Gateway
// uses: quotes, backslash and slash get a backslash, control characters their short or \u form, and
// characters outside ASCII become \uXXXX (upper-case hex, UTF-16 units).
func EscapeJavaScript(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\'':
			b.WriteString(`\'`)
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
			switch {
			case r < 0x20:
				fmt.Fprintf(&b, `\u%04X`, r)
			case r <= 0x7f: // commons-lang escapes units above 0x7f: DEL itself goes out as it is
				b.WriteRune(r)
			case r > 0xffff:
				r1, r2 := utf16Pair(r)
				fmt.Fprintf(&b, `\u%04X\u%04X`, r1, r2)
			default:
				fmt.Fprintf(&b, `\u%04X`, r)
			}
		}
	}
	return b.String()
}

func utf16Pair(r rune) (rune, rune) {
	r -= 0x10000
	return 0xd800 + (r>>10)&0x3ff, 0xdc00 + r&0x3ff
}

// URLEncode is Java's URLEncoder.encode(s, "UTF-8"): letters, digits and ".-*_" stay, space becomes "+",
// everything else is %XX of its UTF-8 bytes (upper-case hex). Go's url.QueryEscape differs on "*" and "~".
func URLEncode(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '.', c == '-', c == '*', c == '_':
			b.WriteByte(c)
		case c == ' ':
			b.WriteByte('+')
		default:
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
	return b.String()
}

// URLDecode is Java's URLDecoder.decode(s, "UTF-8"): "+" is a space; each run of consecutive %XX escapes
// is one byte array decoded as UTF-8, with every maximal ill-formed subsequence replaced by U+FFFD (as the
// JDK's decoder does); an escape that is cut short or not hexadecimal is an error (Java throws
// IllegalArgumentException). As in Java, whose Integer.parseInt reads the two characters, a '+' sign in
// front of one hex digit is accepted ("%+A" is a newline).
func URLDecode(s string) (string, error) {
	var b strings.Builder
	var run []byte
	for i := 0; i < len(s); {
		c := s[i]
		if c != '%' {
			if c == '+' {
				b.WriteByte(' ')
			} else {
				b.WriteByte(c)
			}
			i++
			continue
		}
		run = run[:0]
		for i < len(s) && s[i] == '%' {
			if i+2 >= len(s) {
				return "", fmt.Errorf("$util.urlDecode: incomplete trailing escape (%%) pattern in %q", s)
			}
			v, ok := escapeValue(s[i+1], s[i+2])
			if !ok {
				return "", fmt.Errorf("$util.urlDecode: illegal hex characters in escape (%%) pattern %q in %q", s[i:i+3], s)
			}
			run = append(run, v)
			i += 3
		}
		appendUTF8Replacing(&b, run)
	}
	return b.String(), nil
}

// escapeValue is Integer.parseInt(hi+lo, 16) for a value that fits a byte, as URLDecoder reads it.
func escapeValue(hi, lo byte) (byte, bool) {
	switch {
	case isHex(hi) && isHex(lo):
		return unhex(hi)<<4 | unhex(lo), true
	case hi == '+' && isHex(lo):
		return unhex(lo), true
	}
	return 0, false
}

// appendUTF8Replacing decodes p as UTF-8, writing U+FFFD for each maximal subpart of an ill-formed
// sequence (Unicode §3.9, the practice Java's decoder follows): a truncated sequence is one replacement,
// a byte that cannot start or continue one is one replacement.
func appendUTF8Replacing(b *strings.Builder, p []byte) {
	for len(p) > 0 {
		r, size := utf8.DecodeRune(p)
		if r != utf8.RuneError || size > 1 {
			b.Write(p[:size])
			p = p[size:]
			continue
		}
		b.WriteRune(utf8.RuneError)
		p = p[maximalSubpart(p):]
	}
}

// maximalSubpart is the length of the longest prefix of p that starts a well-formed UTF-8 sequence
// (at least 1), for a p that does not start with a complete one.
func maximalSubpart(p []byte) int {
	lead := p[0]
	var need int
	lo, hi := byte(0x80), byte(0xBF) // the range of the second byte
	switch {
	case lead >= 0xC2 && lead <= 0xDF:
		need = 2
	case lead == 0xE0:
		need, lo = 3, 0xA0
	case lead >= 0xE1 && lead <= 0xEC, lead == 0xEE, lead == 0xEF:
		need = 3
	case lead == 0xED:
		need, hi = 3, 0x9F
	case lead == 0xF0:
		need, lo = 4, 0x90
	case lead >= 0xF1 && lead <= 0xF3:
		need = 4
	case lead == 0xF4:
		need, hi = 4, 0x8F
	default:
		return 1
	}
	n := 1
	for n < need && n < len(p) {
		c := p[n]
		if n == 1 && (c < lo || c > hi) || n > 1 && (c < 0x80 || c > 0xBF) {
			break
		}
		n++
	}
	return n
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	}
	return c - 'a' + 10
}
