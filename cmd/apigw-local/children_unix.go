//go:build unix

package main

import (
	"bytes"
	"os"
	"strconv"
	"syscall"
)

// killChildren sends SIGKILL to the process group of every child of this process (lambdarun starts each
// Lambda runtime as the leader of its own group), or to the child alone when it shares this process's
// group. Children are found in /proc; where there is none (macOS), nothing is killed.
func killChildren() {
	self := os.Getpid()
	for _, pid := range childPIDs(self) {
		if pgid, err := syscall.Getpgid(pid); err == nil && pgid == pid {
			_ = syscall.Kill(-pid, syscall.SIGKILL)
		} else {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	}
}

// childPIDs lists the processes whose parent is ppid, from /proc.
func childPIDs(ppid int) []int {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...: comm may hold spaces and parentheses, so parse after the last ')'.
		i := bytes.LastIndexByte(stat, ')')
		if i < 0 {
			continue
		}
		fields := bytes.Fields(stat[i+1:])
		if len(fields) > 1 {
			if p, err := strconv.Atoi(string(fields[1])); err == nil && p == ppid {
				pids = append(pids, pid)
			}
		}
	}
	return pids
}
