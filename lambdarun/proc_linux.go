package lambdarun

import (
	"os/exec"
	"syscall"
)

// setProcessGroup puts the process in a new process group whose id is its pid, so that signals reach the
// runtime's own children too (a shell wrapper, a language runtime's workers). The kernel also sends it
// SIGKILL when the gateway dies without stopping it (SIGKILL of serve, a crash): a handler is never left
// running, reparented to PID 1. That covers the runtime process itself; a grandchild it started in the
// background (or in a session of its own, with setsid) is its own business, as on any Unix.
func setProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
