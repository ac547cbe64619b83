//go:build unix

package lambdarun

import "syscall"

// terminateGroup asks every process of the group to stop.
func terminateGroup(pgid int) {
	if pgid > 0 {
		_ = syscall.Kill(-pgid, syscall.SIGTERM) // ESRCH: already gone
	}
}

// killGroup kills every process of the group.
func killGroup(pgid int) {
	if pgid > 0 {
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
	}
}
