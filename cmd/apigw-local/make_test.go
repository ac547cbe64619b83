//go:build linux

package main

import (
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// `make run` stops with make: when make is killed (SIGTERM to its PID, which make passes on to the
// recipe it runs) and on Ctrl-C (SIGINT to the whole job), the server stops, its port closes and no
// process of the job is left. Under `go run` the server was a grandchild that outlived a killed make.
// Linux only, as the processes are found in /proc.
func TestMakeRunStopsWithMake(t *testing.T) {
	makePath, err := exec.LookPath("make")
	if err != nil {
		t.Skip("no make")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "apigw-local")
	for _, c := range []struct {
		name  string
		sig   syscall.Signal
		group bool // signal the whole job, as Ctrl-C does, rather than make alone
	}{
		{"kill make", syscall.SIGTERM, false},
		{"Ctrl-C", syscall.SIGINT, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			// PORT=0 picks a free port; the server says which. BIN keeps the build out of the work tree.
			cmd := exec.Command(makePath, "--no-print-directory", "-C", root, "run", "PORT=0", "BIN="+bin)
			cmd.Env = withoutMakeVars(os.Environ())
			j := startJob(t, cmd)
			job := cmd.Process.Pid
			// make builds the binary first
			base := listening.FindStringSubmatch(j.waitLine(t, `listening on (http://\S+)`, 120*time.Second))[1]
			waitHealthy(t, base)
			resp, err := http.Get(base + "/dev/pets")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Fatalf("GET /dev/pets: %d (make run serves the embedded example API)", resp.StatusCode)
			}
			if ignoresSIGINT(job) {
				t.Fatal("make ignores SIGINT: Ctrl-C would not reach it as it does from a terminal")
			}
			family := familyOf(job)
			var server *procInfo
			for i, p := range family {
				if p.comm == "apigw-local" {
					server = &family[i]
				}
			}
			if server == nil {
				t.Fatalf("no apigw-local process in make's job %v", family)
			}
			if server.ppid != job {
				t.Errorf("the server is not make's child: make is %d, its job %v", job, family)
			}

			target := job
			if c.group {
				target = -job
			}
			sent := time.Now()
			if err := syscall.Kill(target, c.sig); err != nil {
				t.Fatal(err)
			}
			if !j.wait(20 * time.Second) {
				t.Fatalf("make run still running 20 s after %v:\n%s", c.sig, j.log())
			}
			t.Logf("%s: make exited (%v) %v after %v", c.name, cmd.ProcessState, time.Since(sent).Round(time.Millisecond), c.sig)
			if !j.outputEnds(5 * time.Second) {
				t.Errorf("make run's output is still open after make exited: a process of the job holds it")
			}
			if !regexp.MustCompile(`stopped in \S+`).MatchString(j.log()) {
				t.Errorf("the server did not stop gracefully:\n%s", j.log())
			}
			addr := strings.TrimPrefix(base, "http://")
			if conn, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
				conn.Close()
				t.Errorf("%s still accepts connections", addr)
			}
			assertAllGone(t, job, family)
		})
	}
}

// withoutMakeVars drops what an enclosing make (`make test`) exports to its recipes, so that the make
// under test neither joins that make's jobserver nor counts itself as a sub-make.
func withoutMakeVars(env []string) []string {
	var out []string
	for _, kv := range env {
		if strings.HasPrefix(kv, "MAKEFLAGS=") || strings.HasPrefix(kv, "MFLAGS=") || strings.HasPrefix(kv, "MAKELEVEL=") {
			continue
		}
		out = append(out, kv)
	}
	return out
}

// ignoresSIGINT reads the process's ignored signals (SigIgn, a hexadecimal mask, bit n-1 for signal n).
func ignoresSIGINT(pid int) bool {
	status, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	m := regexp.MustCompile(`(?m)^SigIgn:\s*([0-9a-f]+)$`).FindSubmatch(status)
	if m == nil {
		return false
	}
	mask, _ := strconv.ParseUint(string(m[1]), 16, 64)
	return mask&(1<<(uint(syscall.SIGINT)-1)) != 0
}
