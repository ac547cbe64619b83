//go:build !unix

package lambdarun

import (
	"os"
	"os/exec"
)

// Without process groups only the runtime process itself can be stopped, and only by killing it.

func setProcessGroup(cmd *exec.Cmd) {}

func terminateGroup(pid int) { killGroup(pid) }

func killGroup(pid int) {
	if p, err := os.FindProcess(pid); err == nil {
		_ = p.Kill()
	}
}
