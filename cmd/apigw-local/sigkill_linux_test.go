package main

import (
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// SIGKILL of serve (which no handler can catch) leaves no function process behind: the kernel ends them
// with the gateway (Pdeathsig). Before, a process that was not talking to the Runtime API at that moment
// (a handler busy in its init, or a runtime that never calls /next) was reparented to PID 1 and ran on;
// aws-lambda-go handlers waiting on /next exit by themselves once the connection breaks.
func TestSIGKILLOfServeLeavesNoFunctionProcess(t *testing.T) {
	dir := t.TempDir()
	// The "runtime" is a copy of sleep(1) of this test's own: it never calls /next, and only its processes
	// are counted.
	sleepBin, err := exec.LookPath("sleep")
	if err != nil {
		t.Skip("no sleep(1):", err)
	}
	data, err := os.ReadFile(sleepBin)
	if err != nil {
		t.Fatal(err)
	}
	runtime := filepath.Join(dir, "stuck-runtime")
	if err := os.WriteFile(runtime, data, 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "api.yaml"), stoppingSpec)
	writeFile(t, filepath.Join(dir, "apigw-local.yaml"), "specs: [api.yaml]\nfunctions:\n  Sleep: {command: [\""+runtime+"\", \"300\"]}\n")
	s := startServe(t, dir, "--no-watch")
	go func() { // the invocation starts the process; it waits for an init that never ends
		resp, err := http.Post(s.url+"/dev/sleep", "application/json", strings.NewReader(`{}`))
		if err == nil {
			resp.Body.Close()
		}
	}()
	waitFor(t, "the function process runs", func() bool { return countProcesses(runtime) > 0 })
	if err := s.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	pids := pidsOf(runtime)
	_ = s.cmd.Wait()
	// A surviving process would run for five minutes: wait for each one's exit through a pidfd (an
	// event), bounded.
	for _, pid := range pids {
		if fd, err := unix.PidfdOpen(pid, 0); err == nil {
			_, _ = unix.Poll([]unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}, 30_000)
			unix.Close(fd)
		}
	}
	if n := countProcesses(runtime); n != 0 {
		t.Errorf("%d function processes outlived serve", n)
	}
}

// waitFor polls cond until it holds; the 30 s limit is reached only when it never does.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("not within 30 s: %s", what)
		}
	}
}
