package config

import (
	"regexp"
	"strings"
	"testing"
)

// The name checks replaced these patterns; they must accept exactly what the patterns accept.
func TestRunMatchesThePatternsItReplaced(t *testing.T) {
	cases := []struct {
		pattern string
		check   func(string) bool
	}{
		{`^[a-z0-9-]{1,64}$`, func(s string) bool { return run(s, 1, 64, isAPIID) }},
		{`^\d{12}$`, func(s string) bool { return run(s, 12, 12, isDigit) }},
		{`^[A-Za-z0-9_-]{1,128}$`, func(s string) bool { return run(s, 1, 128, isName) }},
		{`^[A-Za-z0-9_]{1,64}$`, func(s string) bool { return run(s, 1, 64, isWord) }},
		{`^[A-Za-z0-9_-]{1,64}$`, func(s string) bool { return run(s, 1, 64, isName) }},
		{`^\w{16,128}$`, func(s string) bool { return run(s, 16, 128, isWord) }},
	}
	var inputs []string
	for c := 0; c < 256; c++ {
		inputs = append(inputs, string(rune(c)), "a"+string(rune(c)), strings.Repeat("7", 11)+string(byte(c)))
	}
	for _, n := range []int{0, 1, 11, 12, 13, 15, 16, 63, 64, 65, 127, 128, 129} {
		for _, s := range []string{"a", "Z", "0", "_", "-", "é", "\xff", "a\n"} {
			inputs = append(inputs, strings.Repeat(s, n), strings.Repeat("b", n)+s)
		}
	}
	inputs = append(inputs, "us-east-1", "AKIAIOSFODNN7EXAMPLE", "012345678901", "dev", "my_fn-1", "a b", "ü", "ab\x00")
	for _, c := range cases {
		re := regexp.MustCompile(c.pattern)
		for _, s := range inputs {
			if got, want := c.check(s), re.MatchString(s); got != want {
				t.Errorf("%s on %q: %v, the pattern says %v", c.pattern, s, got, want)
			}
		}
	}
}
