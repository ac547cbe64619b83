package iampolicy

import (
	"strings"
	"testing"
)

func TestMatch(t *testing.T) {
	for _, tt := range []struct {
		pattern, subject string
		fold, want       bool
	}{
		{"", "", false, true},
		{"", "a", false, false},
		{"*", "", false, true},
		{"a*", "a", false, true},
		{"*a", "ba", false, true},
		{"*a", "ab", false, false},
		{"a*b*c", "a/x:b/y:c", false, true},
		{"a*b*c", "a/x:b/y:cd", false, false},
		{"a?c", "abc", false, true},
		{"a?c", "ac", false, false},
		{"a?c", "aéc", false, true},
		{"*?", "", false, false},
		{"*?", "é", false, true},
		{"??", "é", false, false},
		{"*é", "aé", false, true},
		{"a*a*a*b", "aaaaaaab", false, true},
		{"ab*", "AB/x", false, false},
		{"ab*", "AB/x", true, true},
		{"execute-api:in*", "execute-api:INVOKE", true, true},
		{"execute-api:invoke", "execute-api:INVOKEX", true, false},
	} {
		if got, _ := match(tt.pattern, tt.subject, tt.fold); got != tt.want {
			t.Errorf("match(%q, %q, fold %v) = %v, want %v", tt.pattern, tt.subject, tt.fold, got, tt.want)
		}
		if got := compile(tt.pattern).matches(tt.subject, tt.fold); got != tt.want {
			t.Errorf("compile(%q).matches(%q, fold %v) = %v, want %v", tt.pattern, tt.subject, tt.fold, got, tt.want)
		}
	}
}

// TestMatchPathological: patterns that make a backtracking matcher exponential cost this one at most
// len(pattern)·len(subject) steps.
func TestMatchPathological(t *testing.T) {
	for _, tt := range []struct{ pattern, subject string }{
		{strings.Repeat("a*", 30) + "b", strings.Repeat("a", 4000)},
		{strings.Repeat("*a", 30) + "?b", strings.Repeat("a", 4000)},
		{"arn:aws:execute-api:" + strings.Repeat("*/", 50) + "x", "arn:aws:execute-api:" + strings.Repeat("a/", 2000)},
	} {
		ok, steps := match(tt.pattern, tt.subject, false)
		if ok {
			t.Errorf("match(%.20q..., %.20q...) = true, want false", tt.pattern, tt.subject)
		}
		if bound := stepBound(tt.pattern, tt.subject); steps > bound {
			t.Errorf("match(%.20q..., %.20q...) took %d steps, more than %d", tt.pattern, tt.subject, steps, bound)
		}
	}
}

// stepBound is the most steps match may take: each retry after a `*` walks the pattern at most once.
func stepBound(pattern, subject string) int {
	return (len(pattern) + 1) * (len(subject) + 2)
}
