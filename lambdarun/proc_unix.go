//go:build unix

package lambdarun

import (
	"os/exec"
	"syscall"
)

// setProcessGroup puts the process in a new process group whose id is its pid, so that signals reach the
// runtime's own children too (a shell wrapper, a language runtime's workers).
func setProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

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
