package iampolicy

import (
	"strings"
	"unicode/utf8"
)

// pattern is an Action or Resource value compiled at Parse: most are either plain strings or "*", and
// those need no wildcard matching per request.
type pattern struct {
	text string
	kind patternKind
	// For wildcard patterns, the literal text before the first wildcard and after the last: most
	// subjects are rejected by comparing those, and the matcher then starts after the prefix.
	prefix, suffix string
}

type patternKind uint8

const (
	literal  patternKind = iota // no wildcard: compared whole
	anything                    // "*" (or "**"...): matches every subject
	wildcard                    // `*` and `?` inside
)

func compile(text string) pattern {
	switch {
	case strings.Trim(text, "*") == "":
		if text == "" {
			return pattern{text: text, kind: literal}
		}
		return pattern{text: text, kind: anything}
	case strings.ContainsAny(text, "*?"):
		first, last := strings.IndexAny(text, "*?"), strings.LastIndexAny(text, "*?")
		return pattern{text: text, kind: wildcard, prefix: text[:first], suffix: text[last+1:]}
	}
	return pattern{text: text, kind: literal}
}

// matches reports whether subject matches the pattern. With fold, the pattern is already lower-case and
// the subject is compared ASCII-case-insensitively (Action values); without, exactly (Resource values).
func (p pattern) matches(subject string, fold bool) bool {
	switch p.kind {
	case anything:
		return true
	case literal:
		return p.literalMatches(p.text, subject, fold)
	}
	if len(subject) < len(p.prefix)+len(p.suffix) ||
		!p.literalMatches(p.prefix, subject[:len(p.prefix)], fold) ||
		!p.literalMatches(p.suffix, subject[len(subject)-len(p.suffix):], fold) {
		return false
	}
	// The suffix only rejects: matching it off the end could split a character that `?` or `*` must
	// take whole, so the matcher still sees it. The prefix it walks byte by byte anyway.
	ok, _ := match(p.text[len(p.prefix):], subject[len(p.prefix):], fold)
	return ok
}

func (pattern) literalMatches(lit, s string, fold bool) bool {
	if fold {
		return equalFoldLower(lit, s)
	}
	return lit == s
}

// equalFoldLower compares an ASCII-lower-case pattern with a subject of any case without allocating.
func equalFoldLower(lower, s string) bool {
	if len(lower) != len(s) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if lower[i] != toLower(s[i]) {
			return false
		}
	}
	return true
}

func toLower(b byte) byte {
	if 'A' <= b && b <= 'Z' {
		return b + 'a' - 'A'
	}
	return b
}

// match is the glob matcher for `*` (any sequence, `/` and `:` included) and `?` (one character). It
// keeps only the last `*` as a backtrack point: a later `*` subsumes every retry of an earlier one, so
// the cost is at most len(pattern)·len(subject) steps, never exponential (a*a*a*a*b against a long run of
// a's). It returns the steps it took so that tests can check that bound.
func match(pat, s string, fold bool) (ok bool, steps int) {
	p, i := 0, 0         // next pattern byte, next subject byte
	star, retry := -1, 0 // after the last `*`: its pattern position, and where its match ends next try
	for {
		steps++
		if p < len(pat) {
			switch c := pat[p]; c {
			case '*':
				star, retry = p+1, i
				p++
				continue
			case '?':
				if i < len(s) {
					_, n := utf8.DecodeRuneInString(s[i:])
					p, i = p+1, i+n
					continue
				}
			default:
				if i < len(s) && (c == s[i] || fold && c == toLower(s[i])) {
					p, i = p+1, i+1
					continue
				}
			}
		} else if i == len(s) {
			return true, steps
		}
		// Mismatch: let the last `*` swallow one more character and retry after it.
		if star < 0 || retry >= len(s) {
			return false, steps
		}
		_, n := utf8.DecodeRuneInString(s[retry:])
		retry += n
		p, i = star, retry
	}
}
