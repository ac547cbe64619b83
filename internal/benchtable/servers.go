//go:build linux

package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// endpoint is a running server the driver measures.
type endpoint struct {
	url      string // the URL the load goes to
	pid      int
	statsURL string // the child's GET /stats; empty for a server that is not one of ours (the peer)
	stop     func() error
}

// startChild re-execs this program as a server child of role and waits for its ready line.
func startChild(role, path string, args ...string) (*endpoint, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(exe, append([]string{roleArg, role}, args...)...)
	// Its own process group, so that stopping it takes whatever it started along; Pdeathsig, so that a
	// driver killed mid-run leaves no server behind.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	exited := make(chan struct{})
	var waitErr error
	go func() { waitErr = cmd.Wait(); close(exited) }()
	stop := func() error {
		// Closing stdin asks the child to shut down (it stops its Lambda processes); a child that does
		// not within 5 s is killed with its group.
		_ = stdin.Close()
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-exited
		}
		return nil
	}
	lines := make(chan string, 1)
	go func() {
		r := bufio.NewReader(stdout)
		line, _ := r.ReadString('\n')
		lines <- line
		_, _ = io.Copy(io.Discard, r)
	}()
	var line string
	select {
	case line = <-lines:
	case <-time.After(30 * time.Second):
		_ = stop()
		return nil, fmt.Errorf("%s: not ready after 30 s", role)
	}
	f := strings.Fields(line)
	if len(f) != 3 || f[0] != "ready" {
		_ = stop()
		<-exited
		return nil, fmt.Errorf("%s did not start (%v): %q", role, waitErr, line)
	}
	return &endpoint{url: "http://" + f[1] + path, pid: cmd.Process.Pid, statsURL: "http://" + f[2] + "/stats", stop: stop}, nil
}

// statsClient is not http.DefaultClient, whose transport would send loopback requests to a proxy set in
// the environment.
var statsClient = &http.Client{Transport: &http.Transport{}}

func fetchStats(u string) (memStats, error) {
	var m memStats
	resp, err := statsClient.Get(u)
	if err != nil {
		return m, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return m, fmt.Errorf("%s: status %d", u, resp.StatusCode)
	}
	return m, json.NewDecoder(resp.Body).Decode(&m)
}

// freePort asks the kernel for a free loopback port and releases it for a server to take: the servers
// started by a script (the peer) and the cold-start runs need their port before they run.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// startScript runs a script that serves on port in the foreground (bench/peer/run.sh) and waits, up to
// timeout, for the first 200 of url.
func startScript(script string, port int, url string, timeout time.Duration) (*endpoint, error) {
	cmd := exec.Command("bash", script, strconv.Itoa(port))
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	var stderr bytes.Buffer
	cmd.Stderr = &limitedWriter{w: &stderr, n: 8 << 10}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	stop := func() error {
		// The script execs the server, but a server may start others (workers, a package runner's
		// child): the whole group goes, politely first.
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-exited
		}
		return nil
	}
	if err := waitFor200(url, timeout, 10*time.Millisecond, exited); err != nil {
		_ = stop()
		return nil, fmt.Errorf("%s %d: %w\n%s", script, port, err, stderr.String())
	}
	return &endpoint{url: url, pid: cmd.Process.Pid, stop: stop}, nil
}

// waitFor200 polls url every interval until it answers 200, the deadline passes, or exited closes (the
// server is gone: no point in waiting). Any other status is a failure, not a reason to wait.
func waitFor200(url string, timeout, interval time.Duration, exited <-chan struct{}) error {
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: timeout}
	deadline := time.Now().Add(timeout)
	for {
		resp, err := client.Get(url)
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return nil
			}
			return fmt.Errorf("GET %s: status %d", url, resp.StatusCode)
		}
		select {
		case <-exited:
			return errors.New("the server exited before answering")
		default:
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("GET %s: no answer within %v: %w", url, timeout, err)
		}
		time.Sleep(interval)
	}
}

// limitedWriter keeps the first n bytes of a chatty server's stderr, for the error message.
type limitedWriter struct {
	w io.Writer
	n int
}

func (l *limitedWriter) Write(p []byte) (int, error) {
	if l.n > 0 {
		k := min(len(p), l.n)
		_, _ = l.w.Write(p[:k])
		l.n -= k
	}
	return len(p), nil
}
