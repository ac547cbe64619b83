package vtl

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/dlclark/regexp2/v2"
)

// Java regular expressions (java.util.regex) run here on regexp2, a backtracking engine with .NET
// syntax. translateJavaRegex rewrites a Java pattern into the regexp2 pattern that matches what Java
// matches: Java's own definitions of \s \d \w \h \v \R '.' '^' '$' \Z and the POSIX classes, Java's
// inline flags (d m s u x U are applied here; i is passed on), group numbering in pattern order, and
// Java's character-class union, intersection and negation. See the package documentation.

// regexMatchTimeout bounds one search of one pattern (regexp2's MatchTimeout, checked about every
// 100ms), so that a catastrophically backtracking pattern fails the render instead of hanging it.
var regexMatchTimeout = time.Second

// regexError describes a Java pattern that does not compile, or a match that was stopped.
type regexError struct {
	pattern string
	msg     string
}

func (e *regexError) Error() string {
	return fmt.Sprintf("Java regex %q: %s", e.pattern, e.msg)
}

// Java's flags, inline (?idmsuxU) or implied.
type reFlags uint8

const (
	flagI  reFlags = 1 << iota // CASE_INSENSITIVE (ASCII only unless UNICODE_CASE)
	flagD                      // UNIX_LINES: only \n ends a line
	flagM                      // MULTILINE
	flagS                      // DOTALL
	flagU                      // UNICODE_CASE
	flagX                      // COMMENTS
	flagUC                     // UNICODE_CHARACTER_CLASS
)

// javaSpaceClass is Java's \s: [ \t\n\x0B\f\r] (.NET's \s is Unicode's whitespace).
const javaSpaceClass = `\t\n\x0B\f\r `

const (
	javaHSpace  = `\t \xA0\u1680\u180E\u2000-\u200A\u202F\u205F\u3000`
	javaVSpace  = `\n\x0B\f\r\x85\u2028\u2029`
	javaLineEnd = `\n\r\x85\u2028\u2029` // Java's line terminators (\r\n counts as one)
)

// translator turns one Java pattern into a regexp2 pattern.
type translator struct {
	pat    string
	i      int
	out    strings.Builder
	flags  reFlags
	stack  []reFlags       // flags to restore at the ')' of each open group
	groups int             // capturing groups opened so far
	names  map[string]bool // named groups defined so far
	total  int             // capturing groups in the whole pattern (-1 on the first pass)
	atom   bool            // the last thing emitted can take a quantifier
	later  bool            // a back reference names a group opened later in the pattern
}

// translateJavaRegex converts a Java pattern to regexp2 syntax; it returns the number of capturing
// groups and the group names too.
func translateJavaRegex(pat string) (string, int, error) {
	t := &translator{pat: pat, total: -1}
	if err := t.run(); err != nil {
		return "", 0, err
	}
	if t.later {
		total := t.groups
		t = &translator{pat: pat, total: total}
		if err := t.run(); err != nil {
			return "", 0, err
		}
	}
	return t.out.String(), t.groups, nil
}

// fail reports a pattern Java rejects, with Java's message.
func (t *translator) fail(msg string) error {
	return &regexError{pattern: t.pat, msg: "java.util.regex.PatternSyntaxException: " + msg}
}

func (t *translator) unsupported(what string) error {
	return &regexError{pattern: t.pat, msg: what + " is not supported by the emulator"}
}

func (t *translator) run() error {
	for t.i < len(t.pat) {
		if t.skipComments() {
			continue
		}
		c := t.pat[t.i]
		switch c {
		case '\\':
			if err := t.escape(); err != nil {
				return err
			}
		case '[':
			s, err := t.class()
			if err != nil {
				return err
			}
			t.out.WriteString(s.expr())
			t.atom = true
		case '(':
			if err := t.open(); err != nil {
				return err
			}
		case ')':
			if len(t.stack) == 0 {
				return t.fail("Unmatched closing ')'")
			}
			t.flags = t.stack[len(t.stack)-1]
			t.stack = t.stack[:len(t.stack)-1]
			t.out.WriteByte(')')
			t.i++
			t.atom = true
		case '|':
			t.out.WriteByte('|')
			t.i++
			t.atom = false
		case '.':
			switch {
			case t.flags&flagS != 0:
				t.out.WriteString(`(?s:.)`)
			case t.flags&flagD != 0:
				t.out.WriteString(`[^\n]`)
			default:
				t.out.WriteString(`[^` + javaLineEnd + `]`)
			}
			t.i++
			t.atom = true
		case '^':
			t.out.WriteString(t.caret())
			t.i++
			t.atom = true
		case '$':
			t.out.WriteString(t.dollar(t.flags&flagM != 0))
			t.i++
			t.atom = true
		case '*', '+', '?', '{':
			if err := t.quantifier(); err != nil {
				return err
			}
		default:
			r, n := utf8.DecodeRuneInString(t.pat[t.i:])
			t.i += n
			t.literal(r)
		}
	}
	if len(t.stack) > 0 {
		return t.fail("Unclosed group")
	}
	return nil
}

// skipComments skips whitespace and #-comments under the COMMENTS flag, as Java does everywhere in
// the pattern (inside character classes too).
func (t *translator) skipComments() bool {
	if t.flags&flagX == 0 || t.i >= len(t.pat) {
		return false
	}
	switch c := t.pat[t.i]; c {
	case ' ', '\t', '\n', '\x0B', '\f', '\r':
		t.i++
		return true
	case '#':
		for t.i < len(t.pat) {
			r, n := utf8.DecodeRuneInString(t.pat[t.i:])
			t.i += n
			if r == '\n' || t.flags&flagD == 0 && (r == '\r' || r == 0x85 || r == 0x2028 || r == 0x2029) {
				break
			}
		}
		return true
	}
	return false
}

// caret is Java's '^': the start of input, or under MULTILINE after any line terminator (not between
// \r and \n) except at the end of input.
func (t *translator) caret() string {
	if t.flags&flagM == 0 {
		return `^`
	}
	if t.flags&flagD != 0 {
		return `(?:^|(?<=\n))(?!\z)`
	}
	return `(?:^|(?<=[` + javaLineEnd + `]))(?!\z)(?!(?<=\r)\n)`
}

// dollar is Java's '$' (and, not multiline, \Z): the end of input or before a final line terminator;
// under MULTILINE before any line terminator. Never between \r and \n.
func (t *translator) dollar(multiline bool) string {
	if t.flags&flagD != 0 {
		if multiline {
			return `(?=\n|\z)`
		}
		return `(?=\n?\z)`
	}
	if multiline {
		return `(?=[` + javaLineEnd + `]|\z)(?!(?<=\r)\n)`
	}
	return `(?=(?:\r\n|[` + javaLineEnd + `])?\z)(?!(?<=\r)\n)`
}

// literal emits one code point. Java's CASE_INSENSITIVE without UNICODE_CASE folds ASCII only, while
// regexp2 folds all of Unicode, so non-ASCII letters (and k and s, which fold to K and ſ) keep their
// case then.
func (t *translator) literal(r rune) {
	t.atom = true
	if t.flags&flagI != 0 && t.flags&flagU == 0 {
		switch {
		case r == 'k' || r == 'K':
			t.out.WriteString(`(?-i:[kK])`)
			return
		case r == 's' || r == 'S':
			t.out.WriteString(`(?-i:[sS])`)
			return
		case r >= utf8.RuneSelf && unicode.SimpleFold(r) != r:
			t.out.WriteString(`(?-i:` + string(r) + `)`)
			return
		}
	}
	t.out.WriteString(quoteRune(r))
}

// quoteRune writes a code point so that regexp2 reads it as itself, in or out of a class.
func quoteRune(r rune) string {
	switch {
	case r < 0x20 || r == 0x7F:
		return fmt.Sprintf(`\x{%X}`, r)
	case r < utf8.RuneSelf:
		c := byte(r)
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' {
			return string(c)
		}
		return `\` + string(c)
	case !utf8.ValidRune(r):
		return fmt.Sprintf(`\x{%X}`, r)
	}
	return string(r)
}

func (t *translator) open() error {
	start := t.i
	rest := t.pat[t.i:]
	push := func(emit string, n int) {
		t.stack = append(t.stack, t.flags)
		t.out.WriteString(emit)
		t.i += n
		t.atom = false
	}
	switch {
	case !strings.HasPrefix(rest, "(?"):
		t.groups++
		push("(", 1)
	case strings.HasPrefix(rest, "(?:"), strings.HasPrefix(rest, "(?="), strings.HasPrefix(rest, "(?!"),
		strings.HasPrefix(rest, "(?>"), strings.HasPrefix(rest, "(?<="), strings.HasPrefix(rest, "(?<!"):
		n := 3
		if rest[2] == '<' {
			n = 4
		}
		push(rest[:n], n)
	case strings.HasPrefix(rest, "(?<"):
		name, n, err := t.groupName(start + 3)
		if err != nil {
			return err
		}
		if t.names[name] {
			return t.fail("Named capturing group <" + name + "> is already defined")
		}
		if t.names == nil {
			t.names = map[string]bool{}
		}
		t.names[name] = true
		t.groups++
		push("(?<"+name+">", 3+n+1)
	default:
		// inline flags (?idmsuxU-idmsuxU) or (?idmsuxU-idmsuxU:X)
		f := t.flags
		on := true
		j := start + 2
		for ; j < len(t.pat); j++ {
			var bit reFlags
			switch t.pat[j] {
			case 'i':
				bit = flagI
			case 'd':
				bit = flagD
			case 'm':
				bit = flagM
			case 's':
				bit = flagS
			case 'u':
				bit = flagU
			case 'x':
				bit = flagX
			case 'U':
				bit = flagUC
			case '-':
				on = false
				continue
			case ')', ':':
			default:
				return t.fail("Unknown inline modifier")
			}
			if bit == 0 {
				break
			}
			if on {
				f |= bit
				if bit == flagUC {
					f |= flagU
				}
			} else {
				f &^= bit
			}
		}
		if j >= len(t.pat) {
			return t.fail("Unknown inline modifier")
		}
		ci := ""
		if f&flagI != t.flags&flagI {
			ci = "i"
			if f&flagI == 0 {
				ci = "-i"
			}
		}
		if t.pat[j] == ')' {
			if ci != "" {
				t.out.WriteString("(?" + ci + ")")
			}
			t.flags = f
			t.i = j + 1
			return nil
		}
		push("(?"+ci+":", j+1-start)
		t.flags = f
	}
	return nil
}

// groupName reads a Java group name ([a-zA-Z][a-zA-Z0-9]*) and its closing '>' at i.
func (t *translator) groupName(i int) (string, int, error) {
	j := i
	for j < len(t.pat) && (isASCIILetter(t.pat[j]) || j > i && t.pat[j] >= '0' && t.pat[j] <= '9') {
		j++
	}
	if j == i {
		return "", 0, t.fail("capturing group name does not start with a Latin letter")
	}
	if j >= len(t.pat) || t.pat[j] != '>' {
		return "", 0, t.fail("named capturing group is missing trailing '>'")
	}
	return t.pat[i:j], j - i, nil
}

func isASCIILetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

func (t *translator) quantifier() error {
	start := t.i
	c := t.pat[t.i]
	if !t.atom {
		return t.fail("Dangling meta character '" + string(c) + "'")
	}
	if c == '{' {
		j := start + 1
		digits := func() (int, bool) {
			k := j
			for j < len(t.pat) && t.pat[j] >= '0' && t.pat[j] <= '9' {
				j++
			}
			n, err := strconv.Atoi(t.pat[k:j])
			return n, j > k && err == nil
		}
		lo, ok := digits()
		if !ok {
			return t.fail("Illegal repetition")
		}
		hi := lo
		if j < len(t.pat) && t.pat[j] == ',' {
			j++
			if j < len(t.pat) && t.pat[j] != '}' {
				if hi, ok = digits(); !ok {
					return t.fail("Unclosed counted closure")
				}
			} else {
				hi = -1
			}
		}
		if j >= len(t.pat) || t.pat[j] != '}' {
			return t.fail("Unclosed counted closure")
		}
		if hi >= 0 && hi < lo {
			return t.fail("Illegal repetition range")
		}
		t.out.WriteString(t.pat[start : j+1])
		t.i = j + 1
	} else {
		t.out.WriteByte(c)
		t.i++
	}
	if t.i < len(t.pat) && (t.pat[t.i] == '?' || t.pat[t.i] == '+') {
		t.out.WriteByte(t.pat[t.i]) // lazy, or possessive (regexp2 has both)
		t.i++
	}
	t.atom = false
	return nil
}

// escape translates a backslash escape outside a character class.
func (t *translator) escape() error {
	if t.i+1 >= len(t.pat) {
		return t.fail("Unexpected internal error")
	}
	e := t.pat[t.i+1]
	switch {
	case e >= '1' && e <= '9':
		// Java: \1-\9 are always back references; more digits while that many groups exist so far
		t.i += 2
		n := int(e - '0')
		for t.i < len(t.pat) && t.pat[t.i] >= '0' && t.pat[t.i] <= '9' {
			m := n*10 + int(t.pat[t.i]-'0')
			if m > t.groups {
				break
			}
			n = m
			t.i++
		}
		switch {
		case n <= t.groups || n <= t.total:
			fmt.Fprintf(&t.out, `\k<%d>`, n)
		case t.total < 0:
			t.later = true // decided on the second pass, when the number of groups is known
		default:
			t.out.WriteString(`(?!)`) // a group that does not exist never matched
		}
		t.atom = true
		return nil
	case e == 'k':
		if t.i+2 >= len(t.pat) || t.pat[t.i+2] != '<' {
			return t.fail(`\k is not followed by '<' for named capturing group`)
		}
		name, n, err := t.groupName(t.i + 3)
		if err != nil {
			return err
		}
		if !t.names[name] {
			return t.fail("named capturing group <" + name + "> does not exist")
		}
		t.out.WriteString(`\k<` + name + `>`)
		t.i += 3 + n + 1
		t.atom = true
		return nil
	case e == 'b' || e == 'B':
		if strings.HasPrefix(t.pat[t.i+2:], "{") {
			return t.unsupported(`\b{g} (grapheme cluster boundary)`)
		}
		t.out.WriteString(t.pat[t.i : t.i+2])
	case e == 'A' || e == 'z' || e == 'G' || e == 'X':
		t.out.WriteString(t.pat[t.i : t.i+2])
	case e == 'Z':
		t.out.WriteString(t.dollar(false))
	case e == 'R':
		t.out.WriteString(`(?>\r\n|[` + javaVSpace + `])`)
	case e == 'N':
		return t.unsupported(`\N{name}`)
	default:
		it, err := t.escapeItem()
		if err != nil {
			return err
		}
		switch it.kind {
		case itemChar:
			t.literal(it.r)
		case itemQuote:
			for _, r := range it.quote {
				t.literal(r)
			}
			t.atom = it.quote != ""
		case itemSet:
			t.out.WriteString(it.set.expr())
			t.atom = true
		}
		return nil
	}
	t.i += 2
	t.atom = true
	return nil
}

type itemKind int

const (
	itemChar itemKind = iota
	itemQuote
	itemSet
)

// classItem is what an escape (or a character) stands for: one code point, quoted text, or a set.
type classItem struct {
	kind  itemKind
	r     rune
	quote string
	set   charSet
}

// charSet is a set of characters: [body] (or [^body] when neg) when complex is "", else the
// expression complex, which matches exactly one character of the set.
type charSet struct {
	body    string
	neg     bool
	complex string
}

// expr is the set as a pattern matching one character.
func (s charSet) expr() string {
	switch {
	case s.complex != "":
		return s.complex
	case s.body == "" && !s.neg:
		return `(?!)`
	case s.body == "":
		return `(?s:.)`
	case s.neg:
		return `[^` + s.body + `]`
	}
	return `[` + s.body + `]`
}

func (s charSet) negate() charSet {
	if s.complex == "" {
		s.neg = !s.neg
		return s
	}
	return charSet{complex: `(?:(?!` + s.complex + `)(?s:.))`}
}

func setOf(body string, neg bool) classItem {
	return classItem{kind: itemSet, set: charSet{body: body, neg: neg}}
}

// escapeItem translates an escape at t.i that stands for characters (the same in or out of a class).
func (t *translator) escapeItem() (classItem, error) {
	start := t.i
	e := t.pat[t.i+1]
	t.i += 2
	uc := t.flags&flagUC != 0
	switch e {
	case 'd', 'D':
		if uc {
			return setOf(`\p{Nd}`, e == 'D'), nil
		}
		return setOf(`0-9`, e == 'D'), nil
	case 'w', 'W':
		if uc {
			return setOf(`\w`, e == 'W'), nil
		}
		return setOf(`a-zA-Z_0-9`, e == 'W'), nil
	case 's', 'S':
		if uc {
			return setOf(`\s`, e == 'S'), nil
		}
		return setOf(javaSpaceClass, e == 'S'), nil
	case 'h', 'H':
		return setOf(javaHSpace, e == 'H'), nil
	case 'v', 'V':
		return setOf(javaVSpace, e == 'V'), nil
	case 'p', 'P':
		return t.property(e == 'P')
	case 'Q':
		end := strings.Index(t.pat[t.i:], `\E`)
		if end < 0 {
			q := t.pat[t.i:]
			t.i = len(t.pat)
			return classItem{kind: itemQuote, quote: q}, nil
		}
		q := t.pat[t.i : t.i+end]
		t.i += end + 2
		return classItem{kind: itemQuote, quote: q}, nil
	case 't':
		return classItem{r: '\t'}, nil
	case 'n':
		return classItem{r: '\n'}, nil
	case 'r':
		return classItem{r: '\r'}, nil
	case 'f':
		return classItem{r: '\f'}, nil
	case 'a':
		return classItem{r: '\a'}, nil
	case 'e':
		return classItem{r: 0x1B}, nil
	case 'c':
		if t.i >= len(t.pat) {
			return classItem{}, t.fail("Illegal control escape sequence")
		}
		r, n := utf8.DecodeRuneInString(t.pat[t.i:])
		t.i += n
		return classItem{r: r ^ 64}, nil
	case '0':
		digit := func(k int) bool { return k < len(t.pat) && t.pat[k] >= '0' && t.pat[k] <= '7' }
		if !digit(t.i) {
			return classItem{}, t.fail("Illegal octal escape sequence")
		}
		n := int(t.pat[t.i] - '0')
		t.i++
		if digit(t.i) {
			n = n*8 + int(t.pat[t.i]-'0')
			t.i++
			if digit(t.i) && t.pat[t.i-2] <= '3' {
				n = n*8 + int(t.pat[t.i]-'0')
				t.i++
			}
		}
		return classItem{r: rune(n)}, nil
	case 'x':
		if t.i < len(t.pat) && t.pat[t.i] == '{' {
			end := strings.IndexByte(t.pat[t.i:], '}')
			if end < 0 {
				return classItem{}, t.fail("Unclosed hexadecimal escape sequence")
			}
			n, err := strconv.ParseUint(t.pat[t.i+1:t.i+end], 16, 32)
			if err != nil || end == 1 || n > unicode.MaxRune {
				return classItem{}, t.fail("Illegal hexadecimal escape sequence")
			}
			t.i += end + 1
			return classItem{r: rune(n)}, nil
		}
		if t.i+2 > len(t.pat) {
			return classItem{}, t.fail("Illegal hexadecimal escape sequence")
		}
		n, err := strconv.ParseUint(t.pat[t.i:t.i+2], 16, 8)
		if err != nil {
			return classItem{}, t.fail("Illegal hexadecimal escape sequence")
		}
		t.i += 2
		return classItem{r: rune(n)}, nil
	case 'u':
		hex4 := func(k int) (rune, bool) {
			if k+4 > len(t.pat) {
				return 0, false
			}
			n, err := strconv.ParseUint(t.pat[k:k+4], 16, 16)
			return rune(n), err == nil
		}
		r, ok := hex4(t.i)
		if !ok {
			return classItem{}, t.fail("Illegal Unicode escape sequence")
		}
		t.i += 4
		if r >= 0xD800 && r < 0xDC00 && strings.HasPrefix(t.pat[t.i:], `\u`) {
			if lo, ok := hex4(t.i + 2); ok && lo >= 0xDC00 && lo < 0xE000 {
				t.i += 6
				r = (r-0xD800)<<10 + (lo - 0xDC00) + 0x10000
			}
		}
		return classItem{r: r}, nil
	}
	if isASCIILetter(e) || e >= '1' && e <= '9' {
		// a letter that is no escape, or (in a class) a back reference, anchor or \R
		return classItem{}, t.fail("Illegal/unsupported escape sequence")
	}
	// any other character after a backslash is itself
	r, n := utf8.DecodeRuneInString(t.pat[start+1:])
	t.i = start + 1 + n
	return classItem{r: r}, nil
}

// posixClasses are Java's POSIX and java.lang.Character classes (US-ASCII POSIX classes, as Java has
// them without UNICODE_CHARACTER_CLASS).
var posixClasses = map[string]string{
	"Lower": `a-z`, "Upper": `A-Z`, "ASCII": `\x00-\x7F`, "Alpha": `a-zA-Z`, "Digit": `0-9`,
	"Alnum": `a-zA-Z0-9`, "Punct": `!-/:-@\[-` + "`" + `{-~`, "Graph": `!-~`, "Print": ` -~`, "Blank": ` \t`,
	"Cntrl": `\x00-\x1F\x7F`, "XDigit": `0-9a-fA-F`, "Space": javaSpaceClass,
	"javaLowerCase": `\p{Ll}`, "javaUpperCase": `\p{Lu}`, "javaWhitespace": javaSpaceClass + `\x1C-\x1F\p{Zs}\u2028\u2029`,
	"javaDigit": `\p{Nd}`, "javaLetter": `\p{L}`, "javaLetterOrDigit": `\p{L}\p{Nd}`, "javaAlphabetic": `\p{L}\p{Nl}`,
	"javaSpaceChar": `\p{Z}`, "javaTitleCase": `\p{Lt}`, "javaISOControl": `\x00-\x1F\x7F-\x9F`,
	"IsAlphabetic": `\p{L}\p{Nl}`, "IsLetter": `\p{L}`, "IsDigit": `\p{Nd}`, "IsUppercase": `\p{Lu}`,
	"IsLowercase": `\p{Ll}`, "IsWhite_Space": javaSpaceClass + `\x85\p{Z}`, "IsWhiteSpace": javaSpaceClass + `\x85\p{Z}`,
	"IsPunctuation": `\p{P}`, "IsControl": `\p{Cc}`, "IsHex_Digit": `0-9a-fA-F\uFF10-\uFF19\uFF21-\uFF26\uFF41-\uFF46`,
	"IsIdeographic": `\p{Ideographic}`, "IsJoin_Control": `\u200C\u200D`, "all": `\x00-\x{10FFFF}`,
}

// property translates \p{...} / \P{...} (t.i is after the p).
func (t *translator) property(neg bool) (classItem, error) {
	var name string
	switch {
	case t.i >= len(t.pat):
		return classItem{}, t.fail("Illegal character family escape sequence")
	case t.pat[t.i] != '{':
		r, n := utf8.DecodeRuneInString(t.pat[t.i:])
		name = string(r)
		t.i += n
	default:
		end := strings.IndexByte(t.pat[t.i:], '}')
		if end < 0 {
			return classItem{}, t.fail("Unclosed character family")
		}
		name = t.pat[t.i+1 : t.i+end]
		t.i += end + 1
	}
	key, val, hasEq := strings.Cut(name, "=")
	var canon string
	ok := false
	switch {
	case hasEq && (key == "script" || key == "sc"):
		canon, ok = unicodeScript(val)
	case hasEq && (key == "general_category" || key == "gc"):
		canon, ok = unicodeCategory(val)
	case hasEq && (key == "block" || key == "blk"), !hasEq && strings.HasPrefix(name, "In"):
		return classItem{}, t.unsupported(`the Unicode block \p{` + name + `}`)
	case hasEq:
		return classItem{}, t.fail("Unknown Unicode property {name=<" + key + ">, value=<" + val + ">}")
	case strings.HasPrefix(name, "Is"):
		// a binary property (case-insensitive), a category or a script
		for k, body := range posixClasses {
			if strings.HasPrefix(k, "Is") && strings.EqualFold(k, name) {
				return setOf(body, neg), nil
			}
		}
		if canon, ok = unicodeCategory(name[2:]); !ok {
			canon, ok = unicodeScript(name[2:])
		}
	default:
		if body, found := posixClasses[name]; found {
			return setOf(body, neg), nil
		}
		canon, ok = unicodeCategory(name)
	}
	if !ok {
		return classItem{}, t.fail("Unknown character property name {" + name + "}")
	}
	if neg {
		return setOf(`\P{`+canon+`}`, false), nil
	}
	return setOf(`\p{`+canon+`}`, false), nil
}

// unicodeCategory finds a general category ("Lu", "L", "LC") among Go's Unicode tables, which
// regexp2 uses.
func unicodeCategory(n string) (string, bool) {
	if _, ok := unicode.Categories[n]; ok || n == "LC" {
		return n, true
	}
	return "", false
}

// unicodeScript finds a script by name in any case, as Java's Character.UnicodeScript.forName does.
func unicodeScript(n string) (string, bool) {
	for k := range unicode.Scripts {
		if strings.EqualFold(k, n) {
			return k, true
		}
	}
	return "", false
}

// class translates a Java character class at t.i ('['), with Java's unions ([a[b]]), intersections
// ([a-z&&[^aeiou]]) and negation of the whole class ([^a[b]], as Java 9 and later read it).
func (t *translator) class() (charSet, error) {
	t.i++
	neg := false
	if t.i < len(t.pat) && t.pat[t.i] == '^' {
		neg = true
		t.i++
	}
	var operands []charSet // the operands of &&, before the current one
	var u classUnion
	first := true
	for {
		if t.skipComments() {
			continue
		}
		if t.i >= len(t.pat) {
			return charSet{}, t.fail("Unclosed character class")
		}
		c := t.pat[t.i]
		switch {
		case c == ']' && !first:
			t.i++
			operands = append(operands, u.set())
			s := operands[0]
			if len(operands) > 1 {
				var b strings.Builder
				b.WriteString("(?:")
				for _, o := range operands[:len(operands)-1] {
					b.WriteString("(?=" + o.expr() + ")")
				}
				b.WriteString(operands[len(operands)-1].expr() + ")")
				s = charSet{complex: b.String()}
			}
			if neg {
				s = s.negate()
			}
			return s, nil
		case c == '[':
			s, err := t.class()
			if err != nil {
				return charSet{}, err
			}
			u.add(s)
		case c == '&' && strings.HasPrefix(t.pat[t.i:], "&&"):
			t.i += 2
			operands = append(operands, u.set())
			u = classUnion{}
		default:
			lo, err := t.classAtom()
			if err != nil {
				return charSet{}, err
			}
			if lo.kind != itemChar {
				if lo.kind == itemQuote {
					for _, r := range lo.quote {
						u.body.WriteString(quoteRune(r))
					}
				} else {
					u.add(lo.set)
				}
				break
			}
			if t.i+1 < len(t.pat) && t.pat[t.i] == '-' && t.pat[t.i+1] != ']' && t.pat[t.i+1] != '[' {
				t.i++
				hi, err := t.classAtom()
				if err != nil {
					return charSet{}, err
				}
				if hi.kind != itemChar {
					return charSet{}, t.fail("Illegal character range")
				}
				if hi.r < lo.r {
					return charSet{}, t.fail("Illegal character range")
				}
				u.body.WriteString(quoteRune(lo.r) + "-" + quoteRune(hi.r))
				break
			}
			u.body.WriteString(quoteRune(lo.r))
		}
		first = false
	}
}

// classAtom reads one character or escape inside a class.
func (t *translator) classAtom() (classItem, error) {
	if t.pat[t.i] == '\\' {
		if t.i+1 >= len(t.pat) {
			return classItem{}, t.fail("Unexpected internal error")
		}
		return t.escapeItem()
	}
	r, n := utf8.DecodeRuneInString(t.pat[t.i:])
	t.i += n
	return classItem{r: r}, nil
}

// classUnion collects the members of one class: plain members in body, the others as expressions.
type classUnion struct {
	body  strings.Builder
	alts  []string
	only  *charSet // the single negated set when it is the whole union
	count int
}

func (u *classUnion) add(s charSet) {
	u.count++
	switch {
	case s.complex == "" && !s.neg:
		u.body.WriteString(s.body)
	default:
		if s.complex == "" && u.only == nil {
			c := s
			u.only = &c
		}
		u.alts = append(u.alts, s.expr())
	}
}

func (u *classUnion) set() charSet {
	switch {
	case len(u.alts) == 0:
		return charSet{body: u.body.String()}
	case len(u.alts) == 1 && u.body.Len() == 0 && u.only != nil:
		return *u.only
	}
	var b strings.Builder
	b.WriteString("(?:")
	if u.body.Len() > 0 {
		b.WriteString("[" + u.body.String() + "]|")
	}
	b.WriteString(strings.Join(u.alts, "|") + ")")
	return charSet{complex: b.String()}
}

// compiledRegex is a Java pattern compiled for regexp2, plus its whole-string form for
// String.matches (compiled on first use).
type compiledRegex struct {
	pattern string
	re      *regexp2.Regexp
	groups  int
	err     error

	fullOnce sync.Once
	full     *regexp2.Regexp
	fullErr  error
	tr       string
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

func compileRegexp2(pat, tr string) (*regexp2.Regexp, error) {
	re, err := regexp2.Compile(tr, regexp2.OptionMaintainCaptureOrder())
	if err != nil {
		return nil, &regexError{pattern: pat, msg: err.Error()}
	}
	re.MatchTimeout = regexMatchTimeout
	return re, nil
}

// newCompiledRegex translates and compiles a Java pattern (no cache).
func newCompiledRegex(pat string) *compiledRegex {
	c := &compiledRegex{pattern: pat}
	tr, groups, err := translateJavaRegex(pat)
	if err == nil {
		c.re, err = compileRegexp2(pat, tr)
	}
	c.tr, c.groups, c.err = tr, groups, err
	return c
}

// matchError explains a match regexp2 stopped.
func (c *compiledRegex) matchError(err error, input int) error {
	switch {
	case errors.Is(err, regexp2.ErrMatchTimeout):
		return &regexError{pattern: c.pattern, msg: fmt.Sprintf("matching a %d-character input took longer than %v (catastrophic backtracking?); the emulator stops such matches", input, regexMatchTimeout)}
	case errors.Is(err, regexp2.ErrBacktrackingStackLimit):
		return &regexError{pattern: c.pattern, msg: fmt.Sprintf("matching a %d-character input exceeded the backtracking stack limit of the emulator's regex engine", input)}
	}
	return &regexError{pattern: c.pattern, msg: err.Error()}
}

// matches implements String.matches: the whole string must match.
func (c *compiledRegex) matches(s string) (bool, error) {
	c.fullOnce.Do(func() {
		c.full, c.fullErr = compileRegexp2(c.pattern, `\A(?:`+c.tr+`)\z`)
	})
	if c.fullErr != nil {
		return false, c.fullErr
	}
	ok, err := c.full.MatchString(s)
	if err != nil {
		return false, c.matchError(err, utf8.RuneCountInString(s))
	}
	return ok, nil
}

// runeText is the input of a search as regexp2 sees it (runes), with a cheap way back to the string.
type runeText struct {
	s     string
	runes []rune
	ascii bool
}

func newRuneText(s string) *runeText {
	t := &runeText{s: s, ascii: true}
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			t.ascii = false
			break
		}
	}
	if t.ascii {
		t.runes = make([]rune, len(s))
		for i := 0; i < len(s); i++ {
			t.runes[i] = rune(s[i])
		}
	} else {
		t.runes = []rune(s)
	}
	return t
}

func (t *runeText) appendSub(dst []byte, i, j int) []byte {
	if t.ascii {
		return append(dst, t.s[i:j]...)
	}
	for _, r := range t.runes[i:j] {
		dst = utf8.AppendRune(dst, r)
	}
	return dst
}

// byteLen is the length in UTF-8 of runes i to j: exact for ASCII text, an upper bound otherwise.
func (t *runeText) byteLen(i, j int) int {
	if t.ascii {
		return j - i
	}
	return utf8.UTFMax * (j - i)
}

func (t *runeText) sub(i, j int) string {
	if t.ascii {
		return t.s[i:j]
	}
	return string(t.runes[i:j])
}

// javaReplacement expands a Java replacement string ($1, ${name}, \$ and \\) for one match, as
// Matcher.appendReplacement does.
func (c *compiledRegex) javaReplacement(dst []byte, repl string, text *runeText, m regexp2.MatchView, grow func(int) error) ([]byte, error) {
	for i := 0; i < len(repl); i++ {
		ch := repl[i]
		switch ch {
		case '\\':
			i++
			if i >= len(repl) {
				return nil, exc("java.lang.IllegalArgumentException: character to be escaped is missing")
			}
			dst = append(dst, repl[i])
		case '$':
			i++
			if i >= len(repl) {
				return nil, exc("java.lang.IllegalArgumentException: Illegal group reference: group index is missing")
			}
			var g int
			if repl[i] == '{' {
				j := i + 1
				for j < len(repl) && (isASCIILetter(repl[j]) || repl[j] >= '0' && repl[j] <= '9') {
					j++
				}
				name := repl[i+1 : j]
				switch {
				case name == "":
					return nil, exc("java.lang.IllegalArgumentException: named capturing group has 0 length name")
				case j >= len(repl) || repl[j] != '}':
					return nil, exc("java.lang.IllegalArgumentException: named capturing group is missing trailing '}'")
				case name[0] >= '0' && name[0] <= '9':
					return nil, exc("java.lang.IllegalArgumentException: capturing group name {%s} starts with digit character", name)
				}
				g = c.re.GroupNumberFromName(name)
				if g < 0 {
					return nil, exc("java.lang.IllegalArgumentException: No group with name {%s}", name)
				}
				i = j
			} else {
				if repl[i] < '0' || repl[i] > '9' {
					return nil, exc("java.lang.IllegalArgumentException: Illegal group reference")
				}
				g = int(repl[i] - '0')
				for i+1 < len(repl) && repl[i+1] >= '0' && repl[i+1] <= '9' {
					ng := g*10 + int(repl[i+1]-'0')
					if ng > c.groups {
						break
					}
					g = ng
					i++
				}
				if g > c.groups {
					return nil, exc("java.lang.IndexOutOfBoundsException: No group %d", g)
				}
			}
			if at, n, ok := m.GroupRange(g); ok {
				// Charged before it is copied: a replacement of many group references ($0$0$0...)
				// multiplies the input.
				if err := grow(text.byteLen(at, at+n)); err != nil {
					return nil, err
				}
				dst = text.appendSub(dst, at, at+n)
			}
		default:
			dst = append(dst, ch)
		}
	}
	return dst, nil
}

// replace implements String.replaceAll (all=true) and replaceFirst: Matcher's find loop (after an
// empty match the next search starts one character later) with Java's replacement syntax. grow is
// charged every byte of the result before it is written (the render's allocation budget).
func (c *compiledRegex) replace(src, repl string, all bool, grow func(int) error) (string, error) {
	text := newRuneText(src)
	var out []byte
	last := 0
	var rerr error
	err := c.re.FindRunesMatches(text.runes, 0, func(m regexp2.MatchView) bool {
		at, n, _ := m.GroupRange(0)
		if out == nil {
			out = make([]byte, 0, len(src)+len(repl))
		}
		// The text before the match and the replacement's literal part (at most repl); group references
		// are charged as they are expanded.
		if rerr = grow(text.byteLen(last, at) + len(repl)); rerr != nil {
			return false
		}
		out = text.appendSub(out, last, at)
		out, rerr = c.javaReplacement(out, repl, text, m, grow)
		last = at + n
		return rerr == nil && all
	})
	if err != nil {
		return "", c.matchError(err, len(text.runes))
	}
	if rerr != nil {
		return "", rerr
	}
	if out == nil {
		return src, nil
	}
	out = text.appendSub(out, last, len(text.runes))
	return string(out), nil
}

// split implements String.split(regex, limit) as Java's Pattern.split does. grow is charged each part (a
// list element and its text) before it is made.
func (c *compiledRegex) split(s string, limit int, grow func(int) error) ([]any, error) {
	text := newRuneText(s)
	var parts []any
	index := 0
	var gerr error
	err := c.re.FindRunesMatches(text.runes, 0, func(m regexp2.MatchView) bool {
		at, n, _ := m.GroupRange(0)
		if limit <= 0 || len(parts) < limit-1 {
			if index == 0 && at == 0 && n == 0 {
				// a zero-width match at the beginning never produces an empty leading substring
				return true
			}
			if gerr = grow(listElementBytes + text.byteLen(index, at)); gerr != nil {
				return false
			}
			parts = append(parts, text.sub(index, at))
			index = at + n
			return true
		}
		return false
	})
	if err != nil {
		return nil, c.matchError(err, len(text.runes))
	}
	if gerr != nil {
		return nil, gerr
	}
	if index == 0 {
		return []any{s}, nil
	}
	parts = append(parts, text.sub(index, len(text.runes)))
	if limit == 0 {
		for len(parts) > 0 && parts[len(parts)-1] == "" {
			parts = parts[:len(parts)-1]
		}
	}
	return parts, nil
}
