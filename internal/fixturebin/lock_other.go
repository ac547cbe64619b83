//go:build !unix

package fixturebin

// lock does nothing where there is no flock: processes that start together may then each build, into
// their own temporary directory, and the first rename wins (see build).
func lock(string) (unlock func(), err error) { return func() {}, nil }
