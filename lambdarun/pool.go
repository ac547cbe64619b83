package lambdarun

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"runtime"
	"sync"
	"time"
)

// procState is where a process is in its lifecycle (see the package documentation).
type procState int

const (
	stStarting  procState = iota // spawned, no /next yet: running its init
	stIdle                       // waiting in /next, on the idle stack
	stBusy                       // an invocation is assigned to it (handed over or about to be)
	stReturning                  // answered its invocation, has not called /next again yet
	stStopping                   // being stopped (timeout, retirement, failed init, Close); still counts as alive
	stDead                       // reaped
)

// proc is one runtime process and its Runtime API endpoint. Every field but the channels is guarded by
// Function.mu.
type proc struct {
	ep        *endpoint
	pid       int  // also its process group id
	launched  bool // the process exists (cmd.Start succeeded)
	state     procState
	spawned   time.Time
	initDur   time.Duration // spawn to first /next
	cold      bool          // its next invocation is its first: it carries initDur
	idleSince time.Time
	idleTimer *time.Timer // retires it after IdleTimeout idle
	initTimer *time.Timer // fails its init after initTimeout
	timer     *time.Timer // the deadline of its current invocation; one timer per process, re-armed
	current   *pending    // the invocation it has received and not answered
	mem       *memMeter   // set with pid
	waited    chan struct{}
}

// dispatchLocked is the pool's one scheduling step, run after every change of state: it hands the oldest
// queued invocations to the most recently used idle processes, then spawns processes for the invocations
// that no process will soon serve. A process in init or one that is returning to /next counts as "soon":
// spawning a second process while the first is a millisecond away from /next would turn every sequential
// invocation into a cold start.
func (f *Function) dispatchLocked() {
	for len(f.queue) > 0 && len(f.idle) > 0 {
		p := f.idle[len(f.idle)-1]
		f.idle[len(f.idle)-1] = nil
		f.idle = f.idle[:len(f.idle)-1]
		p.state = stBusy
		p.ep.assignLocked(f.popQueueLocked())
	}
	if f.closed {
		return
	}
	for len(f.queue) > f.starting+f.returning && len(f.procs) < f.cfg.Concurrency {
		if f.backoff > 0 {
			if f.starting > 0 {
				return // while init keeps failing, one process at a time probes whether it works again
			}
			if wait := time.Until(f.retryAt); wait > 0 {
				if f.retryTimer == nil {
					f.retryTimer = time.AfterFunc(wait, f.retry)
				} else {
					f.retryTimer.Reset(wait)
				}
				return
			}
		}
		f.spawnLocked()
	}
}

// retry runs the scheduling step when a back-off delay has passed.
func (f *Function) retry() {
	f.mu.Lock()
	f.dispatchLocked()
	f.mu.Unlock()
}

func (f *Function) popQueueLocked() *pending {
	p := f.queue[0]
	f.queue[0] = nil
	f.queue = f.queue[1:]
	return p
}

// spawnLocked reserves a pool slot and launches a process into it. The fork and exec happen outside the
// lock, in the process's supervisor goroutine, so that a slow start does not hold up other invocations.
func (f *Function) spawnLocked() {
	p := &proc{state: stStarting, spawned: time.Now(), waited: make(chan struct{})}
	f.procs[p] = struct{}{}
	f.starting++
	f.spawns++
	f.maxAlive = max(f.maxAlive, len(f.procs))
	f.wg.Add(1)
	go f.supervise(p)
}

// supervise starts the process of p, waits for it to exit and cleans up after it: the process group, the
// output pipe, the endpoint, then the pool's state. It is the only goroutine that waits for the process.
func (f *Function) supervise(p *proc) {
	defer f.wg.Done()
	// The process's parent-death signal (proc_linux.go) is sent when the thread that forked it ends, not
	// the gateway (golang/go#27505), and Go ends a thread whenever a goroutine locked to it returns. Kept
	// locked to this goroutine from the fork to the reap, that thread runs nothing else, so it cannot end
	// while the process lives.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		f.launchFailed(p, err)
		return
	}
	ep := newEndpoint(f, p)
	ep.addr = ln.Addr().String()
	var serving sync.WaitGroup
	ep.serve(ln, &serving)
	f.mu.Lock()
	p.ep = ep
	f.mu.Unlock()

	cmd, outR, err := f.command(ep.runtimeAPI(ep.addr))
	if err != nil {
		ep.close()
		serving.Wait()
		f.launchFailed(p, err)
		return
	}
	copied := make(chan struct{})
	if outR != nil {
		go func() {
			f.log.copyLines(outR, func() string {
				f.mu.Lock()
				defer f.mu.Unlock()
				if p.current != nil {
					return p.current.inv.RequestID
				}
				return ""
			})
			close(copied)
		}()
	} else {
		close(copied)
	}

	f.mu.Lock()
	p.pid = cmd.Process.Pid
	p.mem = newMemMeter(p.pid)
	p.launched = true
	stopNow := p.state == stStopping // Close (or a failed init) came while it was starting
	if p.state == stStarting {       // (a fast runtime may have called /next already)
		p.initTimer = time.AfterFunc(f.initTimeout, func() { f.initExpired(p) })
	}
	f.mu.Unlock()
	if stopNow {
		f.wg.Add(1)
		go f.terminate(p)
	}

	waitErr := cmd.Wait()
	close(p.waited)
	p.mem.close()
	// The leader is gone; whatever it left in its process group goes too.
	killGroup(p.pid)
	if outR != nil {
		// A grandchild that escaped the group may still hold the pipe: give the output a moment to
		// drain, then cut it off rather than wait for a process we do not control.
		select {
		case <-copied:
		case <-time.After(time.Second):
			_ = outR.Close()
			<-copied
		}
		_ = outR.Close()
	}
	ep.close()
	serving.Wait()
	f.reap(p, waitErr)
}

// command starts the runtime process: its own process group, an environment built from scratch, stdout
// and stderr on one pipe (so that their lines keep their relative order) read by the caller.
func (f *Function) command(runtimeAPI string) (*exec.Cmd, *os.File, error) {
	path, err := f.cfg.executable()
	if err != nil {
		return nil, nil, err
	}
	cmd := &exec.Cmd{
		Path: path,
		Args: f.cfg.Command,
		Dir:  f.cfg.Workdir,
		Env:  f.cfg.processEnv(runtimeAPI, newLogStreamName(time.Now())),
	}
	setProcessGroup(cmd)
	var outR, outW *os.File
	if f.log.enabled() {
		// An *os.File (not an io.Writer) so that cmd.Wait returns when the leader exits, without waiting
		// for grandchildren that still hold the pipe.
		if outR, outW, err = os.Pipe(); err != nil {
			return nil, nil, err
		}
		cmd.Stdout, cmd.Stderr = outW, outW
	}
	err = cmd.Start()
	if outW != nil {
		_ = outW.Close()
	}
	if err != nil {
		if outR != nil {
			_ = outR.Close()
		}
		return nil, nil, err
	}
	return cmd, outR, nil
}

// launchFailed handles a process that could not be started at all: the oldest queued invocation fails
// with Runtime.InvalidEntrypoint, as in Lambda when the bootstrap cannot be executed.
func (f *Function) launchFailed(p *proc, err error) {
	now := time.Now()
	f.mu.Lock()
	prev := p.state
	p.state = stDead
	delete(f.procs, p)
	if prev == stStarting {
		f.starting--
	}
	f.crashes++
	var q *pending
	var res *Result
	if !f.closed && len(f.queue) > 0 {
		q, res = f.failInitLocked(p, now, func(id string) []byte { return entrypointError(id, err).payload() })
	}
	f.bumpBackoffLocked(p)
	f.dispatchLocked()
	f.mu.Unlock()
	close(p.waited)
	f.log.printf("cannot start %s: %v", f.cfg.Command[0], err)
	if q != nil {
		f.logFailure(q, res, entrypointError(q.inv.RequestID, err), true)
	}
}

// failInitLocked fails the oldest queued invocation because a process failed its init: each failed init
// costs one invocation, as Lambda's on-demand init fails the invocation that triggered it. payload makes
// the error payload for the invocation's request id.
func (f *Function) failInitLocked(p *proc, now time.Time, payload func(requestID string) []byte) (*pending, *Result) {
	q := f.popQueueLocked()
	q.started = now
	q.initDur = now.Sub(p.spawned)
	res := f.newResult(q, now, payload(q.inv.RequestID), functionErrorUnhandled, 0)
	f.finishLocked(q, res, nil)
	return q, res
}

// bumpBackoffLocked lengthens the delay before the next spawn after a failed init: 100 ms, doubling up
// to 5 s, reset by the next init that succeeds. Processes spawned together and failing together count once.
func (f *Function) bumpBackoffLocked(p *proc) {
	if !f.retryAt.IsZero() && p.spawned.Before(f.retryAt.Add(-f.backoff)) {
		return
	}
	f.backoff = min(max(2*f.backoff, backoffMin), backoffMax)
	f.retryAt = time.Now().Add(f.backoff)
}

// initExpired fails a process that has not called /next within the init limit.
func (f *Function) initExpired(p *proc) {
	now := time.Now()
	f.mu.Lock()
	if p.state != stStarting {
		f.mu.Unlock()
		return
	}
	var q *pending
	var res *Result
	if !f.closed && len(f.queue) > 0 {
		q, res = f.failInitLocked(p, now, func(id string) []byte { return initTimeoutError(id, f.initTimeout).payload() })
	}
	f.crashes++
	f.bumpBackoffLocked(p)
	f.stopLocked(p)
	f.mu.Unlock()
	f.log.printf("INIT_REPORT Init Duration: %.2f ms\tPhase: init\tStatus: timeout", ms(now.Sub(p.spawned)))
	if q != nil {
		f.logFailure(q, res, initTimeoutError(q.inv.RequestID, f.initTimeout), true)
	}
}

// deadlineFired runs when p's invocation timer fires. The timer is re-armed for each invocation and
// stopped when one is answered, but a firing can still be stale: only a current invocation past its
// deadline times out.
func (f *Function) deadlineFired(p *proc) {
	f.mu.Lock()
	q := p.current
	f.mu.Unlock()
	if q != nil && !time.Now().Before(q.deadline) {
		f.timeoutFired(q)
	}
}

// procWaitingLocked is called when p's runtime calls /next: init is over, or it is back from an
// invocation. p goes on top of the idle stack and the scheduler runs.
func (f *Function) procWaitingLocked(p *proc) {
	now := time.Now()
	switch p.state {
	case stStarting:
		f.starting--
		p.initDur = now.Sub(p.spawned)
		p.cold = true
		if p.initTimer != nil {
			p.initTimer.Stop()
		}
		f.backoff, f.retryAt = 0, time.Time{} // the command works (again)
	case stReturning:
		f.returning--
	default:
		return // already idle (a repeated /next), or being stopped
	}
	p.state = stIdle
	f.idle = append(f.idle, p)
	p.idleSince = now
	if p.idleTimer == nil {
		p.idleTimer = time.AfterFunc(f.cfg.IdleTimeout, func() { f.idleExpired(p) })
	} else {
		p.idleTimer.Reset(f.cfg.IdleTimeout)
	}
	f.dispatchLocked()
}

// procBackLocked returns p to the idle stack when the invocation handed to it was taken back before
// its runtime received it (the caller left, or it timed out waiting).
func (f *Function) procBackLocked(p *proc) {
	if p.state == stBusy {
		p.state = stReturning
		f.returning++
	}
	f.procWaitingLocked(p)
}

// idleExpired retires p if it has been idle for IdleTimeout. The timer is only re-armed, never stopped,
// when p gets work, so a firing may be stale: it checks, and re-arms for the rest of the time.
func (f *Function) idleExpired(p *proc) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if p.state != stIdle {
		return
	}
	if rest := f.cfg.IdleTimeout - time.Since(p.idleSince); rest > 0 {
		p.idleTimer.Reset(rest)
		return
	}
	f.stopLocked(p)
}

// stopLocked takes p out of service and stops its process (SIGTERM, then SIGKILL after the grace
// period). p stays alive, and keeps its pool slot, until it has been reaped, so that Concurrency bounds
// the processes that really exist.
func (f *Function) stopLocked(p *proc) {
	switch p.state {
	case stStopping, stDead:
		return
	case stStarting:
		f.starting--
	case stReturning:
		f.returning--
	case stIdle:
		removeProc(&f.idle, p)
	}
	p.state = stStopping
	if p.launched {
		f.wg.Add(1) // p's supervisor is still running, so the count is above zero: safe during Close's Wait
		go f.terminate(p)
	} // else its supervisor stops it as soon as it exists
	f.dispatchLocked()
}

// terminate sends SIGTERM to p's process group and SIGKILL after the grace period. SIGTERM first lets
// a runtime (aws-lambda-go with lambda.WithEnableSIGTERM) run its shutdown hooks, as in Lambda.
func (f *Function) terminate(p *proc) {
	defer f.wg.Done()
	terminateGroup(p.pid)
	t := time.NewTimer(stopGrace)
	defer t.Stop()
	select {
	case <-p.waited:
	case <-t.C:
		killGroup(p.pid)
	}
}

// reap updates the pool after p's process has exited. An invocation it was running fails with
// Runtime.ExitError; one it was handed but never received goes back to the head of the queue; an exit
// during init fails the oldest queued invocation and lengthens the back-off.
func (f *Function) reap(p *proc, waitErr error) {
	now := time.Now()
	type failure struct {
		q     *pending
		res   *Result
		e     platformError
		start bool // no START line was written for it yet
	}
	var failures []failure

	f.mu.Lock()
	prev := p.state
	p.state = stDead
	delete(f.procs, p)
	p.current = nil
	for _, t := range []*time.Timer{p.idleTimer, p.initTimer, p.timer} {
		if t != nil {
			t.Stop()
		}
	}
	switch prev {
	case stStarting:
		f.starting--
	case stReturning:
		f.returning--
	case stIdle:
		removeProc(&f.idle, p)
	}
	crashed := prev != stStopping
	if crashed {
		f.crashes++
	}
	for id, q := range p.ep.inflight {
		delete(p.ep.inflight, id)
		if q.conn != nil {
			q.conn.interrupt() // its goroutine reads the connection of a process that is gone
		}
		e := exitError(id, waitErr)
		res := f.newResult(q, now, e.payload(), functionErrorUnhandled, 0)
		if f.finishLocked(q, res, nil) {
			failures = append(failures, failure{q, res, e, false})
		}
	}
	if len(p.ep.queue) > 0 && !f.closed {
		f.queue = append(p.ep.queue, f.queue...)
	}
	p.ep.queue = nil
	if prev == stStarting {
		if !f.closed && len(f.queue) > 0 {
			q, res := f.failInitLocked(p, now, func(id string) []byte { return exitError(id, waitErr).payload() })
			failures = append(failures, failure{q, res, exitError(q.inv.RequestID, waitErr), true})
		}
		f.bumpBackoffLocked(p)
	}
	f.dispatchLocked()
	f.mu.Unlock()

	if crashed && len(failures) == 0 {
		f.log.printf("process %d exited: %s", p.pid, exitDescription(waitErr))
	}
	for _, x := range failures {
		f.logFailure(x.q, x.res, x.e, x.start)
	}
}

// logFailure logs an invocation that failed with one of Lambda's own errors the way CloudWatch shows it.
func (f *Function) logFailure(q *pending, res *Result, e platformError, start bool) {
	if start {
		f.log.start(q.inv.RequestID)
	}
	f.log.functionError(e)
	f.log.end(q.inv.RequestID, f.cfg.MemorySize, res)
}

// exitDescription says how a process ended, in os/exec's words ("exit status 2", "signal: killed").
func exitDescription(waitErr error) string {
	if waitErr == nil {
		return "exit status 0"
	}
	return fmt.Sprint(waitErr)
}

func removeProc(s *[]*proc, p *proc) {
	for i, x := range *s {
		if x == p {
			copy((*s)[i:], (*s)[i+1:])
			(*s)[len(*s)-1] = nil
			*s = (*s)[:len(*s)-1]
			return
		}
	}
}
