package vtl

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// The expected values are what java.util.regex gives (String.matches, replaceAll, split), reasoned
// from its documented semantics and its source.

func TestJavaRegexMatches(t *testing.T) {
	cases := []struct {
		pat, s string
		want   bool
	}{
		{`[a-z]+\d+`, "abc123", true},
		{`\d+`, "١٢", false}, // \d is ASCII in Java
		{`(?U)\d+`, "١٢", true},
		{`\w+`, "é", false},
		{`\s`, "\u000b", true},
		{`\s`, "\u00a0", false},
		{`\S`, "\u00a0", true},
		{`[\S]`, "\u00a0", true},
		{`[^\s]`, " ", false},
		{`[a\S]`, " ", false},
		{`[\s\d]+`, " 1\t", true},
		{`\h`, "\u2003", true},
		{`\v`, "\u2028", true},
		{`\R`, "\r\n", true},
		{`\R\n`, "\r\n", false}, // \R is atomic: it does not give back the \n
		{`.`, "\r", false},
		{`.`, "\u0085", false},
		{`(?s).`, "\r", true},
		{`(?d).`, "\r", true},
		{`(?d).`, "\n", false},
		{`abc$`, "abc", true},
		{`(?i)straße`, "STRAßE", true},
		{`(?i)é`, "É", false}, // CASE_INSENSITIVE alone folds US-ASCII only
		{`(?iu)é`, "É", true},
		{`(?i)k`, "\u212a", false}, // the Kelvin sign is not k without UNICODE_CASE
		{`(?iu)k`, "\u212a", true},
		{`(?i)[a-z]+`, "ABC", true},
		{`a(?i)b(?-i)c`, "aBc", true},
		{`a(?i)b(?-i)c`, "aBC", false},
		{`(?i:a)b`, "Ab", true},
		{`(?i:a)b`, "AB", false},
		{`(a(?i)b)c`, "aBc", true},
		{`(a(?i)b)c`, "aBC", false}, // the flag ends with its group
		{`\x41\x{1F600}\u0042`, "A😀B", true},
		{`\uD83D\uDE00`, "😀", true},
		{`\0101\011`, "A\t", true},
		{`\0777`, "?7", true}, // \077 then 7: three octal digits only when the first is 0-3
		{`\cA`, "\x01", true},
		{`\e\a\t`, "\x1b\x07\t", true},
		{`\Qa.b\E.`, "a.bx", true},
		{`\Qa.b\E`, "axb", false},
		{`(?i)\Qab\E`, "AB", true},
		{`\Qab`, "ab", true},
		{`[\Q]\E]`, "]", true},
		{`[]a]+`, "]a", true},
		{`[^]a]`, "b", true},
		{`[\w-z]+`, "a-z", true},
		{`[a-]+`, "-a", true},
		{`[a-c[x-z]]+`, "abxz", true},
		{`[a-z&&[^aeiou]]+`, "bcd", true},
		{`[a-z&&[^aeiou]]+`, "bad", false},
		{`[a-z&&def]+`, "fed", true},
		{`[^a[b]]`, "b", false}, // Java 9 and later negate the whole class
		{`[^a[b]]`, "c", true},
		{`[\P{Alpha}a]+`, "1a!", true},
		{`[\P{Alpha}a]+`, "b", false},
		{`\p{Alpha}`, "é", false},
		{`\p{L}\p{IsL}\p{Lu}\p{IsLatin}\p{script=Greek}\p{gc=Nd}\p{IsAlphabetic}`, "xxXéα1a", true},
		{`\pL\PL`, "a1", true},
		{`\p{javaLowerCase}`, "é", true},
		{`\p{Punct}+`, "!-/", true},
		{`\p{XDigit}+`, "0aF", true},
		{`(?x) a b # comment`, "ab", true},
		{`(?x)[a b]+`, "ab", true}, // COMMENTS applies inside classes too
		{`(?x)a\ b`, "a b", true},
		{`\_\-\@`, "_-@", true},
		{`a{2}b{1,}c{0,1}d{2,3}?`, "aabbcdd", true},
		{`a*+a`, "aaa", false},
		{`(?>a|ab)c`, "abc", false},
		{`(\w)\1`, "aa", true},
		{`(\w)\1`, "ab", false},
		{`(a)\2`, "aa", false}, // no group 2: never matches
		{`(?<x>a)\k<x>`, "aa", true},
		{`(?i)(a)\1`, "aA", true},
		{`(?<=a)b`, "b", false},
		{`.*(?<=a)b`, "ab", true},
		{`.*(?<!a)b`, "ab", false},
		{`a\Gb`, "ab", false},
		{`\Aab\z`, "ab", true},
		{`a\b`, "a", true},
	}
	for _, c := range cases {
		re := compileJavaRegex(c.pat)
		if re.err != nil {
			t.Errorf("%q: %v", c.pat, re.err)
			continue
		}
		got, err := re.matches(c.s)
		if err != nil || got != c.want {
			t.Errorf("%q.matches(%q) = %v, %v; want %v (regexp2 pattern %q)", c.s, c.pat, got, err, c.want, re.tr)
		}
	}
}

func TestJavaRegexReplace(t *testing.T) {
	cases := []struct {
		pat, s, repl string
		all          bool
		want         string
	}{
		{`b*`, "abc", "-", true, "-a--c-"}, // after an empty match the search moves on one character
		{`x*`, "abc", "-", true, "-a-b-c-"},
		{`x*`, "", "-", true, "-"},
		{`a`, "aaa", "b", false, "baa"},
		{`(\w+)@(\w+)`, "me@host you@there", "$2.$1", true, "host.me there.you"},
		{`(?<u>\w+)@`, "me@host", "${u} at ", true, "me at host"},
		{`(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)`, "abcdefghij", "$10|$11", true, "j|a1"},
		{`a`, "a", `\\\$`, true, `\$`},
		{`(a)|b`, "ab", "[$1]", true, "[a][]"},
		{`$`, "ab\n", "!", true, "ab!\n!"}, // before the final line terminator and at the end
		{`$`, "ab\r\n", "!", true, "ab!\r\n!"},
		{`(?m)$`, "a\nb", "!", true, "a!\nb!"},
		{`(?m)^`, "a\nb\n", "!", true, "!a\n!b\n"}, // not at the end of input
		{`(?m)^`, "a\r\nb", "!", true, "!a\r\n!b"},
		{`(?m)$`, "a\r\nb", "!", true, "a!\r\nb!"},
		{`\Z`, "ab\n", "!", true, "ab!\n!"},
		{`(?d)$`, "ab\r", "!", true, "ab\r!"},
		{`é`, "café crème", "e", true, "cafe crème"},
		{`(.)`, "日本", "[$1]", true, "[日][本]"},
		{`\b`, "ab cd", "|", true, "|ab| |cd|"},
	}
	for _, c := range cases {
		re := compileJavaRegex(c.pat)
		if re.err != nil {
			t.Errorf("%q: %v", c.pat, re.err)
			continue
		}
		got, err := re.replace(c.s, c.repl, c.all, noBudget)
		if err != nil || got != c.want {
			t.Errorf("%q.replace(%q, %q, all=%v) = %q, %v; want %q (regexp2 pattern %q)", c.s, c.pat, c.repl, c.all, got, err, c.want, re.tr)
		}
	}
}

func TestJavaRegexReplacementErrors(t *testing.T) {
	cases := []struct{ pat, repl, want string }{
		{`a`, `$`, "java.lang.IllegalArgumentException: Illegal group reference: group index is missing"},
		{`a`, `\`, "java.lang.IllegalArgumentException: character to be escaped is missing"},
		{`a`, `$x`, "java.lang.IllegalArgumentException: Illegal group reference"},
		{`a`, `$1`, "java.lang.IndexOutOfBoundsException: No group 1"},
		{`a`, `${}`, "java.lang.IllegalArgumentException: named capturing group has 0 length name"},
		{`a`, `${a`, "java.lang.IllegalArgumentException: named capturing group is missing trailing '}'"},
		{`a`, `${1a}`, "java.lang.IllegalArgumentException: capturing group name {1a} starts with digit character"},
		{`a`, `${b}`, "java.lang.IllegalArgumentException: No group with name {b}"},
	}
	for _, c := range cases {
		_, err := compileJavaRegex(c.pat).replace("a", c.repl, true, noBudget)
		if err == nil || err.Error() != c.want {
			t.Errorf("replaceAll(%q, %q): %v; want %s", c.pat, c.repl, err, c.want)
		}
	}
	// no match: the replacement is never read, as in Java
	if got, err := compileJavaRegex(`x`).replace("a", `$9`, true, noBudget); err != nil || got != "a" {
		t.Errorf("no match: %q, %v", got, err)
	}
}

func TestJavaRegexSplit(t *testing.T) {
	cases := []struct {
		pat, s string
		limit  int
		want   string
	}{
		{`,`, "a,b,,c,,", 0, "[a b  c]"},
		{`,`, "a,b,,c,,", -1, "[a b  c  ]"},
		{`,`, "a,b,c", 2, "[a b,c]"},
		{`,`, "a,b,c", 1, "[a,b,c]"},
		{``, "abc", 0, "[a b c]"},
		{``, "abc", -1, "[a b c ]"},
		{`,`, "", 0, "[]"},
		{`,`, ",a", 0, "[ a]"},
		{`(?=b)`, "abab", 0, "[a ba b]"},
		// after the match of " " at 0 the next search starts at 1 and finds an empty match there
		{`\s*`, " a b", 0, "[  a  b]"},
		{`x`, "abc", 0, "[abc]"},
		{`(?<=,)`, "a,b", 0, "[a, b]"},
	}
	for _, c := range cases {
		parts, err := compileJavaRegex(c.pat).split(c.s, c.limit, noBudget)
		if err != nil {
			t.Errorf("%q.split(%q, %d): %v", c.s, c.pat, c.limit, err)
			continue
		}
		strs := make([]string, len(parts))
		for i, p := range parts {
			strs[i] = p.(string)
		}
		if got := "[" + strings.Join(strs, " ") + "]"; got != c.want {
			t.Errorf("%q.split(%q, %d) = %s; want %s", c.s, c.pat, c.limit, got, c.want)
		}
	}
}

func TestJavaRegexSyntaxErrors(t *testing.T) {
	cases := []struct{ pat, want string }{
		{`\y`, "Illegal/unsupported escape sequence"},
		{`[\1]`, "Illegal/unsupported escape sequence"},
		{`*a`, "Dangling meta character '*'"},
		{`a**`, "Dangling meta character '*'"},
		{`a{`, "Illegal repetition"},
		{`a{x}`, "Illegal repetition"},
		{`a{1`, "Unclosed counted closure"},
		{`a{2,1}`, "Illegal repetition range"},
		{`(a`, "Unclosed group"},
		{`a)`, "Unmatched closing ')'"},
		{`[a`, "Unclosed character class"},
		{`[z-a]`, "Illegal character range"},
		{`(?#c)`, "Unknown inline modifier"},
		{`(?'n'a)`, "Unknown inline modifier"},
		{`(?<1a>x)`, "capturing group name does not start with a Latin letter"},
		{`(?<a>x)(?<a>y)`, "Named capturing group <a> is already defined"},
		{`\k<a>(?<a>x)`, "named capturing group <a> does not exist"},
		{`\kx`, `\k is not followed by '<' for named capturing group`},
		{`\0`, "Illegal octal escape sequence"},
		{`\xZZ`, "Illegal hexadecimal escape sequence"},
		{`\u12`, "Illegal Unicode escape sequence"},
		{`\p{Foo}`, "Unknown character property name {Foo}"},
		{`\p{Latin}`, "Unknown character property name {Latin}"},
		{`\p{InGreek}`, "the Unicode block \\p{InGreek} is not supported by the emulator"},
		{`\N{LATIN SMALL LETTER A}`, "\\N{name} is not supported by the emulator"},
	}
	for _, c := range cases {
		err := newCompiledRegex(c.pat).err
		var re *regexError
		if !errors.As(err, &re) || !strings.HasSuffix(err.Error(), c.want) {
			t.Errorf("%q: %v; want ...%s", c.pat, err, c.want)
		}
	}
}

// A catastrophically backtracking match stops at regexMatchTimeout with a clear error.
func TestJavaRegexTimeout(t *testing.T) {
	old := regexMatchTimeout
	regexMatchTimeout = 50 * time.Millisecond
	defer func() { regexMatchTimeout = old }()
	c := newCompiledRegex(`(x+x+)+y`)
	s := strings.Repeat("x", 64)
	start := time.Now()
	for _, op := range []func() error{
		func() error { _, err := c.matches(s); return err },
		func() error { _, err := c.replace(s, "", true, noBudget); return err },
		func() error { _, err := c.split(s, 0, noBudget); return err },
	} {
		err := op()
		if err == nil || !strings.Contains(err.Error(), "took longer than 50ms (catastrophic backtracking?)") {
			t.Errorf("error %v", err)
		}
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("three stopped matches took %v", d)
	}
}

func Example_javaRegexTranslation() {
	for _, p := range []string{`\s+`, `a.$`, `[a-z&&[^aeiou]]`, `(?i)é`} {
		tr, _, _ := translateJavaRegex(p)
		fmt.Printf("%s => %s\n", p, tr)
	}
	// Output:
	// \s+ => [\t\n\x0B\f\r ]+
	// a.$ => a[^\n\r\x85\u2028\u2029](?=(?:\r\n|[\n\r\x85\u2028\u2029])?\z)(?!(?<=\r)\n)
	// [a-z&&[^aeiou]] => (?:(?=[a-z])[^aeiou])
	// (?i)é => (?i)(?-i:é)
}

// FuzzJavaRegex: any pattern either fails with a *regexError or translates to a regexp2 pattern that
// compiles and runs (a translation regexp2 rejects is an emulator bug).
func FuzzJavaRegex(f *testing.F) {
	for _, p := range []string{`a(?=b)\1[\w&&[^a]]`, `(?x)a # c`, `[^a[b]]\Q.\E\p{L}`, `(?i)(?<n>k)\k<n>$`, `\R\h\v\cA\0101\x{41}`} {
		f.Add(p, "ab\nKk 1")
	}
	f.Fuzz(func(t *testing.T, pat, s string) {
		c := newCompiledRegex(pat)
		if c.err != nil {
			var re *regexError
			if !errors.As(c.err, &re) {
				t.Fatalf("%q: error %T %v", pat, c.err, c.err)
			}
			if strings.Contains(c.err.Error(), "error parsing regexp") {
				t.Fatalf("%q translated to %q, which regexp2 rejects: %v", pat, c.tr, c.err)
			}
			return
		}
		c.re.MatchTimeout = 100 * time.Millisecond
		c.matches(s)
		c.replace(s, "<$0>", true, noBudget)
		c.split(s, -1, noBudget)
	})
}

// noBudget lets a regex operation allocate without limit, for tests of its results.
func noBudget(int) error { return nil }
