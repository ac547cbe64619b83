package iampolicy

import (
	"errors"
	"net/netip"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParse checks that Parse never panics, that its errors are *Error values with a problem, and that a
// parsed policy evaluates to one of the three decisions, the same for the document and its JSON-string form.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		authorizerPolicy, `{"Statement":[]}`, `{"Statement":{"Effect":"Deny","NotAction":"a","NotResource":["*"]}}`,
		`{"Statement":[{"Effect":"Allow","Principal":{"AWS":["123456789012","arn:aws:iam::123456789012:root","arn:aws:iam::1:user/x"]},"Action":"*","Resource":"*"}]}`,
		`{"Statement":[{"Effect":"Allow","NotPrincipal":"*","Action":"*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":["10.0.0.0/8","2001:db8::/32","1.2.3.4"]}}}]}`,
		`{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalOrgID":["o-1"]}}}]}`,
		`"{\"Statement\":[]}"`, `"\"x\""`, `[]`, `{"Version":"2012-10-17"}`, `{"Statement":[{"Effect":"allow"}]}`, `{`, ``,
	} {
		f.Add([]byte(s), "execute-api:Invoke", arnPet, alice, "10.1.2.3")
	}
	f.Fuzz(func(t *testing.T, data []byte, action, resource, caller, ip string) {
		p, err := Parse(data)
		if err != nil {
			var pe *Error
			if !errors.As(err, &pe) || pe.Problem == "" {
				t.Fatalf("error %T %q is not an *Error with a problem", err, err)
			}
			return
		}
		if p == nil {
			t.Fatal("Parse returned neither a policy nor an error")
		}
		addr, _ := netip.ParseAddr(ip)
		req := Request{Action: action, Resource: resource, Caller: Caller{ARN: caller, Anonymous: caller == ""}, SourceIP: addr}
		d := Evaluate(p, req)
		if d != NoMatch && d != Allow && d != ExplicitDeny {
			t.Fatalf("Evaluate = %v", d)
		}
		if !utf8.Valid(data) || len(data)*2 > MaxPolicyBytes {
			return // a string form would not round-trip or would not fit
		}
		wrapped := `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "\r", `\r`, "\t", `\t`).Replace(string(data)) + `"`
		if q, err := Parse([]byte(wrapped)); err == nil {
			if got := Evaluate(q, req); got != d {
				t.Fatalf("string form evaluates to %v, document to %v", got, d)
			}
		}
	})
}

// FuzzMatch checks the wildcard matcher against a plain dynamic-programming matcher over characters, and
// its step bound.
func FuzzMatch(f *testing.F) {
	for _, s := range [][2]string{
		{"a*b?c", "a/:b-c"}, {"*", ""}, {"?", "é"}, {"a*a*a*b", "aaaaaaaa"}, {"arn:*/GET/*", "arn:x/GET/y"}, {"*?*?", "ab"},
		{"Ab*", "aB"},
	} {
		f.Add(s[0], s[1], false)
		f.Add(s[0], s[1], true)
	}
	f.Fuzz(func(t *testing.T, pattern, subject string, fold bool) {
		if len(pattern) > 200 || len(subject) > 400 {
			return
		}
		if fold {
			pattern = asciiLower(pattern)
		}
		got, steps := match(pattern, subject, fold)
		if want := reference(pattern, subject, fold); got != want {
			t.Fatalf("match(%q, %q, fold %v) = %v, want %v", pattern, subject, fold, got, want)
		}
		if bound := stepBound(pattern, subject); steps > bound {
			t.Fatalf("match(%q, %q) took %d steps, more than %d", pattern, subject, steps, bound)
		}
		if c := compile(pattern); c.matches(subject, fold) != got {
			t.Fatalf("compile(%q).matches(%q) disagrees with match", pattern, subject)
		}
	})
}

// reference matches byte-wise for literals and character-wise for `?` and `*`, as match means to.
func reference(pattern, subject string, fold bool) bool {
	// ok[i]: pattern[:p] matches subject[:i]
	ok := make([]bool, len(subject)+1)
	ok[0] = true
	for p := 0; p < len(pattern); p++ {
		next := make([]bool, len(subject)+1)
		for i := 0; i <= len(subject); i++ {
			if !ok[i] {
				continue
			}
			switch c := pattern[p]; c {
			case '*':
				for j := i; j <= len(subject); {
					next[j] = true
					if j == len(subject) {
						break
					}
					_, n := utf8.DecodeRuneInString(subject[j:])
					j += n
				}
			case '?':
				if i < len(subject) {
					_, n := utf8.DecodeRuneInString(subject[i:])
					next[i+n] = true
				}
			default:
				if i < len(subject) && (c == subject[i] || fold && c == toLower(subject[i])) {
					next[i+1] = true
				}
			}
		}
		ok = next
	}
	return ok[len(subject)]
}
