//go:build unix

package main

import "syscall"

// openFileLimit is the process's soft limit on open files (RLIM_INFINITY, all ones, is clamped by connCap).
func openFileLimit() (uint64, bool) {
	var r syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &r); err != nil {
		return 0, false
	}
	return uint64(r.Cur), true
}
