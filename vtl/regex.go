package vtl

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
)

// Java regular expressions (java.util.regex) run here on Go's RE2 engine (regexp). translateJavaRegex
// rewrites the Java syntax RE2 spells differently and rejects the features RE2 does not have
// (backreferences, lookaround, atomic groups, possessive quantifiers, \G, class intersection and nested
// classes, the COMMENTS flag). See the package documentation.

// regexError describes a Java pattern RE2 cannot run.
type regexError struct {
	pattern string
	msg     string
}

func (e *regexError) Error() string {
	return fmt.Sprintf("Java regex %q cannot run on RE2 (Go's regexp engine, which the emulator uses): %s", e.pattern, e.msg)
}

// javaWhitespace is Java's \s: [ \t\n\x0B\f\r] (Go's \s lacks \x0B).
const javaSpaceClass = `\t\n\x0B\f\r `

// translateJavaRegex converts a Java pattern to RE2 syntax.
func translateJavaRegex(pat string) (string, error) {
	var b strings.Builder
	fail := func(msg string) (string, error) { return "", &regexError{pattern: pat, msg: msg} }
	inClass := false
	classStart := 0
	for i := 0; i < len(pat); i++ {
		c := pat[i]
		switch {
		case c == '\\':
			if i+1 >= len(pat) {
				return fail("trailing backslash")
			}
			e := pat[i+1]
			i++
			switch {
			case e >= '1' && e <= '9' && !inClass:
				return fail("backreferences (\\" + string(e) + ") are not supported")
			case e == 'k' && !inClass:
				return fail("named backreferences (\\k<name>) are not supported")
			case e == 'G':
				return fail(`\G (end of previous match) is not supported`)
			case e == 'Z':
				return fail(`\Z is not supported (use \z or $)`)
			case e == 'Q':
				end := strings.Index(pat[i+1:], `\E`)
				var lit string
				if end < 0 {
					lit = pat[i+1:]
					i = len(pat)
				} else {
					lit = pat[i+1 : i+1+end]
					i = i + 1 + end + 1
				}
				b.WriteString(regexp.QuoteMeta(lit))
			case e == 's':
				if inClass {
					b.WriteString(javaSpaceClass)
				} else {
					b.WriteString(`[` + javaSpaceClass + `]`)
				}
			case e == 'S':
				if inClass {
					return fail(`\S inside a character class is not supported`)
				}
				b.WriteString(`[^` + javaSpaceClass + `]`)
			case e == 'h':
				if inClass {
					b.WriteString(`\t \x{A0}\x{1680}\x{180E}\x{2000}-\x{200A}\x{202F}\x{205F}\x{3000}`)
				} else {
					b.WriteString(`[\t \x{A0}\x{1680}\x{180E}\x{2000}-\x{200A}\x{202F}\x{205F}\x{3000}]`)
				}
			case e == 'H':
				if inClass {
					return fail(`\H inside a character class is not supported`)
				}
				b.WriteString(`[^\t \x{A0}\x{1680}\x{180E}\x{2000}-\x{200A}\x{202F}\x{205F}\x{3000}]`)
			case e == 'v':
				if inClass {
					b.WriteString(`\n\x0B\f\r\x{85}\x{2028}\x{2029}`)
				} else {
					b.WriteString(`[\n\x0B\f\r\x{85}\x{2028}\x{2029}]`)
				}
			case e == 'V':
				if inClass {
					return fail(`\V inside a character class is not supported`)
				}
				b.WriteString(`[^\n\x0B\f\r\x{85}\x{2028}\x{2029}]`)
			case e == 'R':
				if inClass {
					return fail(`\R inside a character class is not supported`)
				}
				b.WriteString(`(?:\r\n|[\n\x0B\f\r\x{85}\x{2028}\x{2029}])`)
			case e == 'e':
				b.WriteString(`\x1B`)
			case e == 'c':
				if i+1 >= len(pat) {
					return fail(`\c needs a character`)
				}
				i++
				fmt.Fprintf(&b, `\x{%X}`, pat[i]^64)
			case e == '0':
				j := i + 1
				for j < len(pat) && j < i+4 && pat[j] >= '0' && pat[j] <= '7' {
					j++
				}
				if j == i+1 {
					return fail(`\0 needs octal digits`)
				}
				n, _ := strconv.ParseUint(pat[i+1:j], 8, 32)
				if n > 0377 {
					j--
					n, _ = strconv.ParseUint(pat[i+1:j], 8, 32)
				}
				fmt.Fprintf(&b, `\x{%X}`, n)
				i = j - 1
			case e == 'u':
				if i+4 >= len(pat) {
					return fail(`\u needs four hex digits`)
				}
				h := pat[i+1 : i+5]
				if _, err := strconv.ParseUint(h, 16, 32); err != nil {
					return fail(`\u needs four hex digits`)
				}
				b.WriteString(`\x{` + h + `}`)
				i += 4
			case e == 'p' || e == 'P':
				name, n, ok := classNameAt(pat, i+1)
				if !ok {
					return fail(`malformed \p{...}`)
				}
				rep, ok := javaPropertyClass(name, e == 'P', inClass)
				if !ok {
					return fail(`unsupported character property \p{` + name + `}`)
				}
				b.WriteString(rep)
				i += n
			case e >= 'a' && e <= 'z' || e >= 'A' && e <= 'Z':
				switch e {
				case 'd', 'D', 'w', 'W', 'b', 'B', 'A', 'z', 't', 'n', 'r', 'f', 'a', 'x':
					b.WriteByte('\\')
					b.WriteByte(e)
				default:
					return fail(`unknown escape \` + string(e))
				}
			default:
				b.WriteByte('\\')
				b.WriteByte(e)
			}
		case inClass:
			switch c {
			case '[':
				if i+1 < len(pat) && pat[i+1] == ':' {
					b.WriteString(`\[`)
					continue
				}
				return fail("nested character classes (union) are not supported")
			case '&':
				if i+1 < len(pat) && pat[i+1] == '&' {
					return fail("character class intersection (&&) is not supported")
				}
				b.WriteByte(c)
			case ']':
				if i == classStart {
					b.WriteString(`\]`)
					continue
				}
				inClass = false
				b.WriteByte(c)
			default:
				b.WriteByte(c)
			}
		case c == '[':
			inClass = true
			b.WriteByte(c)
			if i+1 < len(pat) && pat[i+1] == '^' {
				b.WriteByte('^')
				i++
			}
			classStart = i + 1
		case c == '(':
			if strings.HasPrefix(pat[i:], "(?=") || strings.HasPrefix(pat[i:], "(?!") ||
				strings.HasPrefix(pat[i:], "(?<=") || strings.HasPrefix(pat[i:], "(?<!") {
				return fail("lookahead and lookbehind are not supported")
			}
			if strings.HasPrefix(pat[i:], "(?>") {
				return fail("atomic groups (?>...) are not supported")
			}
			if strings.HasPrefix(pat[i:], "(?") && !strings.HasPrefix(pat[i:], "(?<") && !strings.HasPrefix(pat[i:], "(?P<") {
				// inline flags (?idmsuxU-idmsuxU) or (?flags:...)
				j := i + 2
				for j < len(pat) && pat[j] != ')' && pat[j] != ':' {
					j++
				}
				if j >= len(pat) {
					return fail("unterminated group")
				}
				var flags strings.Builder
				for _, f := range pat[i+2 : j] {
					switch f {
					case 'i', 'm', 's', '-':
						flags.WriteRune(f)
					case 'u', 'd', 'U':
						// Unicode case folding / UNIX_LINES / UNICODE_CHARACTER_CLASS: no RE2 equivalent needed
					case 'x':
						return fail("the COMMENTS flag (?x) is not supported")
					default:
						return fail("unknown inline flag " + string(f))
					}
				}
				fs := strings.TrimSuffix(flags.String(), "-")
				if pat[j] == ')' && fs == "" {
					i = j
					continue
				}
				if pat[j] == ':' && fs == "" {
					b.WriteString("(?:")
				} else {
					b.WriteString("(?" + fs + string(pat[j]))
				}
				i = j
				continue
			}
			b.WriteByte(c)
		case c == '*' || c == '+' || c == '?' || c == '}':
			b.WriteByte(c)
			if i+1 < len(pat) && pat[i+1] == '+' && (c != '}' || isQuantifierBrace(pat, i)) {
				return fail("possessive quantifiers (" + string(c) + "+) are not supported")
			}
		default:
			b.WriteByte(c)
		}
	}
	if inClass {
		return fail("unclosed character class")
	}
	return b.String(), nil
}

// isQuantifierBrace reports whether the '}' at i closes a {n,m} quantifier.
func isQuantifierBrace(pat string, i int) bool {
	j := strings.LastIndexByte(pat[:i], '{')
	if j < 0 {
		return false
	}
	for _, c := range pat[j+1 : i] {
		if (c < '0' || c > '9') && c != ',' {
			return false
		}
	}
	return true
}

func classNameAt(pat string, i int) (string, int, bool) {
	if i >= len(pat) {
		return "", 0, false
	}
	if pat[i] != '{' {
		return pat[i : i+1], 1, true
	}
	end := strings.IndexByte(pat[i:], '}')
	if end < 0 {
		return "", 0, false
	}
	return pat[i+1 : i+end], end + 1, true
}

var posixClasses = map[string]string{
	"Lower": `a-z`, "Upper": `A-Z`, "ASCII": `\x00-\x7F`, "Alpha": `a-zA-Z`, "Digit": `0-9`,
	"Alnum": `a-zA-Z0-9`, "Punct": `!-/:-@\[-` + "`" + `{-~`, "Graph": `!-~`, "Print": ` -~`, "Blank": ` \t`,
	"Cntrl": `\x00-\x1F\x7F`, "XDigit": `0-9a-fA-F`, "Space": javaSpaceClass,
	"javaLowerCase": `\p{Ll}`, "javaUpperCase": `\p{Lu}`, "javaWhitespace": javaSpaceClass + `\x1C-\x1F\p{Zs}\x{2028}\x{2029}`,
	"IsAlphabetic": `\p{L}\p{Nl}`, "IsLetter": `\p{L}`, "IsDigit": `\p{Nd}`, "IsUppercase": `\p{Lu}`,
	"IsLowercase": `\p{Ll}`, "IsWhite_Space": javaSpaceClass + `\x{85}\p{Z}`, "IsPunctuation": `\p{P}`,
}

func javaPropertyClass(name string, negate, inClass bool) (string, bool) {
	body, ok := posixClasses[name]
	if !ok {
		n := strings.TrimPrefix(strings.TrimPrefix(name, "Is"), "general_category=")
		n = strings.TrimPrefix(n, "gc=")
		n = strings.TrimPrefix(n, "script=")
		n = strings.TrimPrefix(n, "sc=")
		if _, err := regexp.Compile(`\p{` + n + `}`); err != nil {
			return "", false
		}
		body = `\p{` + n + `}`
	}
	if inClass {
		if negate {
			return "", false
		}
		return body, true
	}
	if negate {
		return "[^" + body + "]", true
	}
	return "[" + body + "]", true
}

// compiledRegex is a Java pattern compiled for RE2, plus its whole-string form for String.matches.
type compiledRegex struct {
	re   *regexp.Regexp
	full *regexp.Regexp
	err  error
}

var regexCache sync.Map // string -> *compiledRegex
var regexCacheSize int64
var regexCacheMu sync.Mutex

const maxRegexCache = 4096

// compileJavaRegex compiles (with a process-wide cache) a Java pattern.
func compileJavaRegex(pat string) *compiledRegex {
	if c, ok := regexCache.Load(pat); ok {
		return c.(*compiledRegex)
	}
	c := newCompiledRegex(pat)
	regexCacheMu.Lock()
	if regexCacheSize < maxRegexCache {
		regexCacheSize++
		regexCache.Store(pat, c)
	}
	regexCacheMu.Unlock()
	return c
}

// newCompiledRegex translates and compiles a Java pattern (no cache).
func newCompiledRegex(pat string) *compiledRegex {
	c := &compiledRegex{}
	tr, err := translateJavaRegex(pat)
	if err == nil {
		c.re, err = regexp.Compile(tr)
		if err == nil {
			c.full, err = regexp.Compile(`^(?:` + tr + `)$`)
		}
		if err != nil {
			err = &regexError{pattern: pat, msg: err.Error()}
		}
	}
	c.err = err
	return c
}

// javaReplacement expands a Java replacement string ($1, ${name}, \$ and \\) for one match.
func javaReplacement(dst []byte, re *regexp.Regexp, repl, src string, m []int) ([]byte, error) {
	for i := 0; i < len(repl); i++ {
		c := repl[i]
		switch c {
		case '\\':
			i++
			if i >= len(repl) {
				return nil, fmt.Errorf("character to be escaped is missing")
			}
			dst = append(dst, repl[i])
		case '$':
			i++
			if i >= len(repl) {
				return nil, fmt.Errorf("Illegal group reference: group index is missing")
			}
			var g int
			if repl[i] == '{' {
				end := strings.IndexByte(repl[i:], '}')
				if end < 0 {
					return nil, fmt.Errorf("named capturing group is missing trailing '}'")
				}
				name := repl[i+1 : i+end]
				g = re.SubexpIndex(name)
				if g < 0 {
					return nil, fmt.Errorf("No group with name {%s}", name)
				}
				i += end
			} else {
				if repl[i] < '0' || repl[i] > '9' {
					return nil, fmt.Errorf("Illegal group reference")
				}
				g = int(repl[i] - '0')
				if g > re.NumSubexp() {
					return nil, fmt.Errorf("No group %d", g)
				}
				for i+1 < len(repl) && repl[i+1] >= '0' && repl[i+1] <= '9' {
					ng := g*10 + int(repl[i+1]-'0')
					if ng > re.NumSubexp() {
						break
					}
					g = ng
					i++
				}
			}
			if m[2*g] >= 0 {
				dst = append(dst, src[m[2*g]:m[2*g+1]]...)
			}
		default:
			dst = append(dst, c)
		}
	}
	return dst, nil
}

// javaReplace implements String.replaceAll (all=true) and replaceFirst.
func javaReplace(re *regexp.Regexp, src, repl string, all bool) (string, error) {
	n := 1
	if all {
		n = -1
	}
	matches := re.FindAllStringSubmatchIndex(src, n)
	if len(matches) == 0 {
		return src, nil
	}
	out := make([]byte, 0, len(src)+len(repl))
	last := 0
	for _, m := range matches {
		out = append(out, src[last:m[0]]...)
		var err error
		out, err = javaReplacement(out, re, repl, src, m)
		if err != nil {
			return "", err
		}
		last = m[1]
	}
	out = append(out, src[last:]...)
	return string(out), nil
}

// javaSplit implements String.split(regex, limit).
func javaSplit(re *regexp.Regexp, s string, limit int) []any {
	if s == "" {
		return []any{""}
	}
	n := -1
	if limit > 0 {
		n = limit
	}
	var parts []any
	start := 0
	for _, m := range re.FindAllStringIndex(s, -1) {
		if limit > 0 && len(parts) >= n-1 {
			break
		}
		if m[1] == 0 {
			// a zero-width match at the beginning never produces an empty leading substring
			continue
		}
		if m[0] == m[1] && m[0] >= len(s) {
			continue
		}
		parts = append(parts, s[start:m[0]])
		start = m[1]
	}
	if parts == nil {
		return []any{s}
	}
	parts = append(parts, s[start:])
	if limit == 0 {
		for len(parts) > 0 && parts[len(parts)-1] == "" {
			parts = parts[:len(parts)-1]
		}
	}
	return parts
}
