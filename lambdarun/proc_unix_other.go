//go:build unix && !linux

package lambdarun

import (
	"os/exec"
	"syscall"
)

// setProcessGroup puts the process in a new process group whose id is its pid, so that signals reach the
// runtime's own children too. Outside Linux there is no parent-death signal: a handler outlives a gateway
// killed with SIGKILL (a normal stop, or SIGTERM/SIGINT, still stops it).
func setProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}
