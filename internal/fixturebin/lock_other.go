//go:build !unix

package fixturebin

// lock is a no-op where flock is not available: concurrent test processes may then build the fixtures
// more than once, into the same directory, which costs time but stays correct (go build writes each
// binary whole).
func lock(string) (func(), error) { return func() {}, nil }
