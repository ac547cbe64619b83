//go:build linux

package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/apigw-local/apigw-local/internal/fixturebin"
	"golang.org/x/sys/unix"
)

// How `serve` stops on SIGINT and SIGTERM: within 5 s, exit code 0, and no Lambda process left, whether
// the server is idle, has warm functions, or has an invocation in flight that would run for a minute.
// The processes are found in /proc, hence Linux only.

// lambdaFixtures returns the directory of the built handlers of fixtures/lambdas (internal/fixturebin:
// built once per test run).
func lambdaFixtures(t *testing.T) string {
	t.Helper()
	d, err := fixturebin.Dir()
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// stoppingSpec has a Lambda proxy route to Echo and a custom Lambda route to Sleep, whose request body
// ({"ms": N}) is passed through as the event.
const stoppingSpec = `openapi: "3.0.1"
info: {title: stopping, version: "1"}
paths:
  /echo:
    post:
      x-amazon-apigateway-integration: {type: aws_proxy, httpMethod: POST, uri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:Echo/invocations"}
  /sleep:
    post:
      x-amazon-apigateway-integration: {type: aws, httpMethod: POST, uri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:Sleep/invocations", responses: {default: {statusCode: "200"}}}
`

// job is a process started the way a shell starts a job: leading a process group of its own (so that
// SIGINT can be sent the way Ctrl-C sends it, to the whole group) and with SIGINT at its default action.
// Its output (stdout and stderr) is kept and scanned line by line.
type job struct {
	cmd    *exec.Cmd
	mu     sync.Mutex
	output bytes.Buffer
	lines  chan string   // the output's lines, until it ends (then closed)
	ended  chan struct{} // closed once the output has ended: no process holds it any more
	exited chan struct{} // closed once the process has exited; its output may stay open, held by orphans
}

func startJob(t *testing.T, cmd *exec.Cmd) *job {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = w, w
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	// A program started with SIGINT ignored (this test, when a non-interactive shell started it in the
	// background) passes that on; a shell's foreground job has the default action. While a Go handler is
	// installed for SIGINT, a child starts with the default action; signal.Stop puts back what we had.
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt)
	err = cmd.Start()
	signal.Stop(ch)
	w.Close()
	if err != nil {
		r.Close()
		t.Fatal(err)
	}
	j := &job{cmd: cmd, lines: make(chan string, 10000), ended: make(chan struct{}), exited: make(chan struct{})}
	go func() {
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			j.mu.Lock()
			j.output.WriteString(sc.Text() + "\n")
			j.mu.Unlock()
			select {
			case j.lines <- sc.Text():
			default: // nobody waits for so late a line; the output keeps it
			}
		}
		close(j.lines)
		close(j.ended)
	}()
	go func() {
		_ = cmd.Wait()
		close(j.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-j.exited:
		default:
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-j.exited
		}
		// Whatever it left (a failing test) goes too, and with it the output's last writers.
		for _, p := range familyOf(cmd.Process.Pid) {
			_ = syscall.Kill(p.pid, syscall.SIGKILL)
		}
		r.Close()
	})
	return j
}

// waitLine returns the next output line matching re.
func (j *job) waitLine(t *testing.T, re string, timeout time.Duration) string {
	t.Helper()
	pattern := regexp.MustCompile(re)
	deadline := time.After(timeout)
	for {
		select {
		case line, ok := <-j.lines:
			if !ok {
				t.Fatalf("the output ended before a line matching %q:\n%s", re, j.log())
			}
			if pattern.MatchString(line) {
				return line
			}
		case <-deadline:
			t.Fatalf("no output line matching %q:\n%s", re, j.log())
		}
	}
}

// wait reports whether the process exits within timeout.
func (j *job) wait(timeout time.Duration) bool {
	select {
	case <-j.exited:
		return true
	case <-time.After(timeout):
		return false
	}
}

// outputEnds reports whether the output ends within timeout: then log has all of it, and no process
// is left holding it.
func (j *job) outputEnds(timeout time.Duration) bool {
	select {
	case <-j.ended:
		return true
	case <-time.After(timeout):
		return false
	}
}

func (j *job) log() string {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.output.String()
}

// stoppingServer is `apigw-local serve` of stoppingSpec, started as a job.
type stoppingServer struct {
	*job
	url string
}

func startStoppingServer(t *testing.T) *stoppingServer {
	t.Helper()
	fixtures := lambdaFixtures(t)
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "api.yaml"), stoppingSpec)
	writeFile(t, filepath.Join(dir, "apigw-local.yaml"), fmt.Sprintf(`specs: [api.yaml]
functions:
  Echo: {command: [%q]}
  Sleep: {command: [%q], timeout: 120s}
`, filepath.Join(fixtures, "echo"), filepath.Join(fixtures, "sleep")))
	cmd := exec.Command(binary, "serve", "--port", "0", "--no-watch")
	cmd.Dir = dir
	s := &stoppingServer{job: startJob(t, cmd)}
	s.url = listening.FindStringSubmatch(s.waitLine(t, `listening on (http://\S+)`, 20*time.Second))[1]
	waitHealthy(t, s.url)
	return s
}

func waitHealthy(t *testing.T, base string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get(base + "/_apigw/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s/_apigw/health does not answer: %v", base, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// post sends body to the route of stage dev and returns the status, or the error when no answer came.
func post(base, path, body string) (int, string, error) {
	resp, err := http.Post(base+"/dev"+path, "application/json", strings.NewReader(body))
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), nil
}

func TestServeStopsOnSignal(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		for _, state := range []string{"idle", "warm functions", "invocation in flight"} {
			t.Run(fmt.Sprintf("%v/%s", sig, state), func(t *testing.T) {
				s := startStoppingServer(t)
				var answer chan string
				switch state {
				case "warm functions":
					for path, body := range map[string]string{"/echo": `{}`, "/sleep": `{"ms": 0}`} {
						if code, b, err := post(s.url, path, body); err != nil || code != 200 {
							t.Fatalf("POST %s: %d %s %v", path, code, b, err)
						}
					}
				case "invocation in flight":
					answer = make(chan string, 1)
					go func() {
						code, b, err := post(s.url, "/sleep", `{"ms": 60000}`)
						answer <- fmt.Sprintf("%d %s %v", code, b, err)
					}()
					s.waitLine(t, `START RequestId: `, 20*time.Second) // the runtime has received the invocation
				}
				group := familyOf(s.cmd.Process.Pid)
				functions := 0
				for _, p := range group {
					if p.ppid == s.cmd.Process.Pid {
						functions++
					}
				}
				if want := map[string]int{"idle": 0, "warm functions": 2, "invocation in flight": 1}[state]; functions != want {
					t.Fatalf("%d function processes before the signal, want %d: %v", functions, want, group)
				}

				// Ctrl-C signals the whole foreground job; kill(1) signals the server alone.
				target := s.cmd.Process.Pid
				if sig == syscall.SIGINT {
					target = -target
				}
				sent := time.Now()
				if err := syscall.Kill(target, sig); err != nil {
					t.Fatal(err)
				}
				if !s.wait(20 * time.Second) {
					t.Fatalf("serve still running 20 s after %v:\n%s", sig, s.log())
				}
				measured := time.Since(sent)
				if !s.outputEnds(5 * time.Second) {
					t.Errorf("serve's output is still open after it exited: a process it started holds it")
				}
				if code := s.cmd.ProcessState.ExitCode(); code != 0 {
					t.Errorf("exit code %d after %v, want 0:\n%s", code, sig, s.log())
				}
				m := regexp.MustCompile(`stopped in (\S+)`).FindStringSubmatch(s.log())
				if m == nil {
					t.Fatalf("no 'stopped in' line:\n%s", s.log())
				}
				own, err := time.ParseDuration(m[1])
				if err != nil || own > 5*time.Second {
					t.Errorf("serve took %s to stop, want at most 5s", m[1])
				}
				t.Logf("%v, %s: stopped in %v by its own clock, exited %v after the signal", sig, state, own, measured.Round(time.Millisecond))
				assertAllGone(t, s.cmd.Process.Pid, group)
				if answer != nil {
					t.Logf("the invocation in flight was answered: %s", <-answer)
				}
			})
		}
	}
}

// A second signal during the stop exits at once (exit code 1), still without leaving a Lambda process.
func TestServeSecondSignalExitsNow(t *testing.T) {
	s := startStoppingServer(t)
	go func() { _, _, _ = post(s.url, "/sleep", `{"ms": 60000}`) }()
	s.waitLine(t, `START RequestId: `, 20*time.Second)
	group := familyOf(s.cmd.Process.Pid)
	if len(group) == 0 {
		t.Fatal("no function process before the signal")
	}
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	s.waitLine(t, `^stopping: `, 20*time.Second) // the first signal has been handled: the requests' grace has begun
	second := time.Now()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if !s.wait(20 * time.Second) {
		t.Fatalf("serve still running 20 s after a second SIGTERM:\n%s", s.log())
	}
	t.Logf("exited %v after the second signal", time.Since(second).Round(time.Millisecond))
	if !s.outputEnds(5 * time.Second) {
		t.Errorf("serve's output is still open after it exited: a process it started holds it")
	}
	if code := s.cmd.ProcessState.ExitCode(); code != 1 {
		t.Errorf("exit code %d, want 1:\n%s", code, s.log())
	}
	if !strings.Contains(s.log(), "apigw-local: second terminated: exiting now") {
		t.Errorf("the forced exit is not explained:\n%s", s.log())
	}
	if strings.Contains(s.log(), "stopped in") {
		t.Errorf("the graceful stop finished before the second signal took effect (requests get 2 s):\n%s", s.log())
	}
	assertAllGone(t, s.cmd.Process.Pid, group)
}

// assertAllGone checks, after the server exited, that none of the processes recorded while it ran is
// alive, and that nothing else runs in their process groups or the server's.
func assertAllGone(t *testing.T, server int, recorded []procInfo) {
	t.Helper()
	// The kernel kills the children (Pdeathsig, the group's SIGKILL) as the server exits, but a killed
	// process is gone a moment later: wait for each one's exit through a pidfd, which becomes readable
	// when the process ends (an event, not a poll); only a survivor keeps it silent for 5 s.
	for _, p := range recorded {
		if !p.alive() {
			continue
		}
		fd, err := unix.PidfdOpen(p.pid, 0)
		if err != nil {
			continue // gone between the check and the open
		}
		fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
		_, _ = unix.Poll(fds, 5000)
		unix.Close(fd)
		if p.alive() {
			t.Errorf("process %v was left running", p)
		}
	}
	seeds := []int{server}
	for _, p := range recorded {
		seeds = append(seeds, p.pid)
	}
	if left := familyOf(seeds...); len(left) > 0 {
		t.Errorf("processes left running: %v", left)
	}
}

// procInfo is a process as /proc/PID/stat describes it.
type procInfo struct {
	pid, ppid, pgid int
	comm            string
	state           string
	start           string // start time in clock ticks since boot: tells a reused PID apart
}

func (p procInfo) String() string {
	return fmt.Sprintf("%d(%s ppid=%d pgid=%d %s)", p.pid, p.comm, p.ppid, p.pgid, p.state)
}

func readProc(pid int) (procInfo, bool) {
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return procInfo{}, false
	}
	open, end := bytes.IndexByte(stat, '('), bytes.LastIndexByte(stat, ')')
	if open < 0 || end < open {
		return procInfo{}, false
	}
	f := strings.Fields(string(stat[end+1:])) // state ppid pgrp session tty tpgid flags minflt ... starttime
	if len(f) < 20 {
		return procInfo{}, false
	}
	ppid, _ := strconv.Atoi(f[1])
	pgid, _ := strconv.Atoi(f[2])
	return procInfo{pid: pid, ppid: ppid, pgid: pgid, comm: string(stat[open+1 : end]), state: f[0], start: f[19]}, true
}

// alive reports whether the process still runs: not gone, not a zombie, and not another process that
// got its PID since.
func (p procInfo) alive() bool {
	now, ok := readProc(p.pid)
	return ok && now.start == p.start && now.state != "Z"
}

// familyOf lists the live processes that pids[0] started, directly or not, every process in their
// process groups or in its own group, and the same for the other pids (processes recorded before
// pids[0] exited: its orphans have another parent now), pids[0] itself aside. A Lambda runtime leads its
// own group, so what it starts is found even when it has left the runtime's descendants.
func familyOf(pids ...int) []procInfo {
	entries, _ := os.ReadDir("/proc")
	var all []procInfo
	for _, e := range entries {
		if n, err := strconv.Atoi(e.Name()); err == nil {
			if p, ok := readProc(n); ok && p.state != "Z" {
				all = append(all, p)
			}
		}
	}
	in := map[int]bool{}
	for _, pid := range pids {
		in[pid] = true
	}
	for grew := true; grew; {
		grew = false
		for _, p := range all {
			if !in[p.pid] && (in[p.ppid] || in[p.pgid]) {
				in[p.pid], grew = true, true
			}
		}
	}
	var family []procInfo
	for _, p := range all {
		if in[p.pid] && p.pid != pids[0] {
			family = append(family, p)
		}
	}
	return family
}
