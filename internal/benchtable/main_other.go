//go:build !linux

package main

import (
	"fmt"
	"os"
)

// The harness reads servers' CPU time from /proc, which only Linux has.
func main() {
	fmt.Fprintln(os.Stderr, "benchtable: needs Linux (/proc/<pid>/stat)")
	os.Exit(1)
}
