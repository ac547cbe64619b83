//go:build !unix

package main

// openFileLimit is unknown here: the connection cap is maxConnsCap.
func openFileLimit() (uint64, bool) { return 0, false }
