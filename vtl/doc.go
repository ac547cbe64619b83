// Package vtl is the Apache Velocity (VTL) engine of apigw-local: it renders API Gateway mapping
// templates byte for byte as API Gateway renders them. It knows nothing of AWS beyond a mode switch for
// API Gateway's quirks; $input, $util and $context are bound by the caller as Objects and Maps.
//
// # Use
//
//	t, err := vtl.Parse("request.vtl", src, vtl.Options{Mode: vtl.APIGateway}) // once
//	vars := vtl.NewVars()
//	vars.Set("input", myInput) // an Object
//	out, err := t.Execute(vars) // many times, concurrently if each call has its own Vars
//
// Errors from Parse and Execute are *Error values carrying the template name, line and column.
//
// # Language
//
// The engine implements Velocity 1.7, the version API Gateway runs: references ($a, $!a, ${a}, $!{a},
// $a.b.c, $a.m(args), $a[0], $a["k"], $a[$i], negative indexes), #set (including $m.k, $m["k"] and
// $l[i] targets), #if/#elseif/#else/#end, #foreach with $foreach.index/count/hasNext/first/last/parent,
// $velocityCount and $velocityHasNext, #break, #stop, #define, #literal, ## and #* *# comments, #[[ ]]#
// unparsed blocks, braced directives (#{if}), escapes (\$a, \#if), string literals (single-quoted plain,
// double-quoted interpolated and able to hold directives, a doubled quote for a quote, \uXXXX decoded in
// double quotes, no other backslash escapes), integer/float/boolean literals, lists [1, "a"], maps
// {"k": v}, ranges [1..$n], arithmetic + - * / % (with string concatenation when either side of + is a
// string), comparisons == != < <= > >= and eq ne lt le gt ge, and && || ! with and or not. The lexical
// rules are 1.7's, including its whitespace gobbling: the ')' closing a directive, and #else and #end,
// swallow trailing blanks plus one newline when the newline is there; "##" swallows its newline;
// blanks in front of #set are swallowed when they start a token (after a directive, a reference, a
// comment, or at the start of the template) but kept after other text (so indentation is kept). A
// template ending in '$' or '#' is a load error, as in 1.7. The grammar is a little more lenient than
// 1.7's: method arguments, indexes and list/map elements may be any expression, and `null` is a literal
// (API Gateway accepts $m.put('k', null)).
//
// Truthiness is 1.7's: a reference is false only when null or false (empty strings, 0 and empty lists
// are true); true/false literals and boolean operators are what they say; any other literal or
// arithmetic is false. == compares numbers by value, same-class values with equals(), and otherwise
// their toString() forms ('1' == 1 is true).
//
// # Values
//
// Templates see Go values with Java semantics: nil (null), string, bool, int32 (Integer), int64 (Long),
// *big.Int (BigInteger), float64 (Double), *Map (LinkedHashMap: insertion order), *List (ArrayList), and
// host Objects. Integer arithmetic follows Velocity's MathUtils: Integer op Integer is an Integer unless
// it overflows, then a Long, then a BigInteger; a Double operand gives a Double; division truncates;
// division by zero gives null. Doubles print as Java does (1.0, 0.05, 1.0E10). Java methods are
// available on strings (with UTF-16 indexes, as Java), maps, lists, map entries, numbers and booleans; a
// missing method yields null and a Java exception (say an index out of bounds) is a run error.
//
// Lists print as Java's ArrayList does ("[a, b]") except JSON lists (NewJSONList, and every array
// FromJSON produces), which print as compact JSON ("[{"a":1}]"): API Gateway's JSON parser (json-smart)
// yields JSONArray objects whose toString() is JSON, while its objects are LinkedHashMaps printing as
// "{a=1}". So $input.path('$') of {"a":[{"b":1}]} prints {a=[{"b":1}]} on API Gateway and here.
// NewOpaqueMap makes a map that prints as empty text, as API Gateway prints its nested $context maps.
//
// # API Gateway mode
//
// Mode APIGateway reproduces what recordings of real API Gateway show (shared/corpus/vtl, 205 cases,
// all passing):
//
//   - A reference whose value is null — undefined variable, missing key or property, method returning
//     null — evaluates to the empty string, as if an InvalidReferenceEventHandler returned "". So it
//     renders as nothing (also inside string literals: "$missing" is ""), it is TRUE in #if (because
//     only null and false are false in 1.7), !$missing is false, $missing == "" and $missing == $null
//     are both true, and #set($x = $missing) sets $x to "". A chain stops at the first null
//     ($a.b.c with $a undefined is "").
//   - #set with a null right-hand side (which in this mode only arithmetic such as 1/0 or a `null`
//     literal can produce) leaves the target unchanged, as in stock 1.7.
//   - #macro definitions are parsed and ignored, and a macro call #name(args) prints as written (the
//     arguments are not evaluated), as does #evaluate(...), which API Gateway does not have.
//     #include and #parse are load errors (no template can be loaded), and so are alternate values
//     ${a|b}, which API Gateway rejects.
//
// Mode Velocity is stock Velocity 1.7: null references print as their source text ($missing), $!
// references as nothing; null is false in #if; null == null. #macro and #evaluate are load errors there,
// because this engine has no velocimacros.
//
// # Limits
//
// Options bound everything a template can do: MaxSize (template bytes, default 300 KB as on API
// Gateway, a load error), MaxForeach (iterations of one #foreach, default 1000 as on API Gateway; the
// 1001st iteration is a run error at the #foreach), MaxOutput (default 10 MB; also bounds strings built
// by interpolation and concatenation), MaxDepth (default 100: nesting of directives, expressions and
// string literals at load time, and #define expansion at run time, so that neither deep input nor a
// recursive #define can exhaust the Go stack). Ranges are limited to 2^20 elements.
//
// Every render also runs on a budget, the exported constants MaxSteps and MaxAllocBytes: at most
// MaxSteps (1,000,000) evaluation steps (a directive, expression, method call or #foreach
// iteration each; a regular expression over a string costs one more step per 64 bytes it scans), and
// at most MaxAllocBytes (16 MB) of strings, list elements and map entries (16 bytes each, plus the
// key) created by concat, replace, replaceAll, replaceFirst, split, +, add, addAll, put, putAll and
// #set($m[k] = v), counted before the result is built (replace("", x) on n characters is refused
// before making its n+1 copies of x; replaceAll charges each match's text as it goes). Real templates (300 KB, 1,000
// iterations per #foreach) stay far below both; doubling a string or list, or nested #foreach of
// 1,000, stop with a run error naming the budget ("render exceeded the step budget (vtl.MaxSteps =
// 1000000)"). ExecuteContext also stops the render, with an error, once its context is done
// (checked every 1024 steps).
//
// # Regular expressions
//
// String.matches, replaceAll, replaceFirst and split take Java regular expressions (java.util.regex).
// The engine runs them on regexp2 (github.com/dlclark/regexp2/v2), a backtracking engine with .NET
// syntax, after translating the Java syntax into the regexp2 pattern that matches what Java matches:
// \s \d \w \h \v \R '.' '^' '$' and \Z get Java's definitions (\s includes \x0B; \d and \w are
// US-ASCII; '.' excludes \r, \u0085, \u2028 and \u2029; '$' also matches before a final line
// terminator; ^ and $ under (?m) see Java's line terminators, \r\n as one), the inline flags d, m, s,
// u, x and U are applied by the translation and i is passed on (US-ASCII folding only, unless u),
// \Q...\E, \x{h..h}, \uXXXX (surrogate pairs too), \0oct, \cX and \e are rewritten, POSIX and java*
// classes (\p{Alpha}, \p{javaLowerCase}, ...), categories and scripts (\p{Lu}, \p{IsLatin},
// \p{script=Greek}) are expanded, groups are numbered in pattern order, and character classes keep
// Java's union ([a-c[x-z]]), intersection ([a-z&&[^aeiou]]) and negation of the whole class (as Java 9
// and later read [^a[b]]). Features RE2 lacked run as in Java: back references (\1, \k<name>),
// lookahead and lookbehind, atomic groups, possessive quantifiers (a*+), \G. Matching iterates as
// Java's Matcher.find does (an empty match may directly follow a match, and after an empty match the
// next search starts one character later: "abc".replaceAll("b*", "-") is "-a--c-", where Go's
// regexp gives "-a-c-"), and split follows Pattern.split. Replacement strings use
// Java's syntax ($1, ${name}, \$, \\) with Java's exceptions for bad references.
//
// A pattern Java rejects is an error with Java's PatternSyntaxException message ("Illegal repetition",
// "Unclosed character class", ...), and so are the few Java features the emulator lacks: Unicode
// blocks (\p{InGreek}), \N{name} and \b{g}. When the pattern is a literal argument of one of those
// methods the error is a load error (Parse fails); when it is computed at run time it is a run error
// at the call. Every search has a time limit (1s), so a catastrophically backtracking pattern fails
// the render with a run error instead of hanging it. Remaining differences, accepted: a lookbehind
// without an obvious maximum length, which Java rejects, runs; \b uses .NET's word characters
// (letters, digits, marks and connector punctuation: close to Java 8-18, which use letters and
// digits); under (?i) without (?u), character ranges and classes still fold non-ASCII letters (a
// literal é or k does not); (?U) makes \d \w \s Unicode but leaves the POSIX classes US-ASCII.
//
// # Not done
//
// Velocimacros (not available on API Gateway), #include/#parse, Velocity's other event handlers and
// tools, Java's locale-sensitive and a few full Unicode case mappings (only ß, ligatures and İ are
// special-cased), and printing Java arrays (String.split results print like lists, where Java would
// print "[Ljava.lang.String;@1b6d3586").
package vtl
