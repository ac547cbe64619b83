package vtl

// JavaRegex is a java.util.regex pattern compiled for use outside templates: API Gateway's
// integration-response selection patterns are Java regular expressions too, and run on the same
// translation and engine as the templates' String methods, with the same time budget per match.
type JavaRegex struct{ c *compiledRegex }

// CompileJavaRegex compiles pattern as java.util.regex would; the error says what Java rejects, or what
// the emulator cannot run.
func CompileJavaRegex(pattern string) (*JavaRegex, error) {
	c := newCompiledRegex(pattern)
	if c.err != nil {
		return nil, c.err
	}
	return &JavaRegex{c: c}, nil
}

// Matches is Pattern.matches: the whole input must match. An error means the match was stopped (it ran
// past the time budget), not that it failed.
func (r *JavaRegex) Matches(s string) (bool, error) { return r.c.matches(s) }

// String returns the pattern as written.
func (r *JavaRegex) String() string { return r.c.pattern }
