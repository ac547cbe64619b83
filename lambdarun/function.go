package lambdarun

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"sync"
	"time"
)

// Invocation is one synchronous (RequestResponse) invocation, what the Lambda Invoke API receives.
type Invocation struct {
	// RequestID is the invocation's id (Lambda-Runtime-Aws-Request-Id, lambdacontext.AwsRequestID);
	// a UUID v4 is generated when it is empty. It must be unique among the function's invocations in
	// flight, as the runtime answers by id.
	RequestID string
	// Payload is the event, normally JSON; at most MaxRequestPayload bytes (6 MiB).
	Payload []byte
	// TraceID is the X-Ray trace header (Lambda-Runtime-Trace-Id), e.g.
	// "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0". One is generated when
	// it is empty, because Lambda always sends one and X-Ray SDKs expect it.
	TraceID string
	// ClientContext and CognitoIdentity are JSON documents passed as the Lambda-Runtime-Client-Context
	// and Lambda-Runtime-Cognito-Identity headers when not empty.
	ClientContext, CognitoIdentity string
}

// Result is the outcome of an invocation that reached the function: its response, or its error. Failures
// of the function (errors, panics, crashes, timeouts, oversized responses) are Results, not Go errors, as
// the Invoke API answers them with 200 and X-Amz-Function-Error.
type Result struct {
	// Payload is the function's response as the runtime posted it, at most MaxResponsePayload bytes. On a
	// function error it is the error JSON: {"errorMessage","errorType","stackTrace"} as the runtime posted
	// it, or one of Lambda's own errors (Sandbox.Timedout, Runtime.ExitError,
	// Function.ResponseSizeTooLarge, Runtime.InvalidEntrypoint).
	Payload []byte
	// FunctionError is "" on success and "Unhandled" on any function error (AWS's X-Amz-Function-Error).
	FunctionError string
	// Duration runs from the runtime's receipt of the invocation to its answer (REPORT Duration).
	Duration time.Duration
	// BilledDuration is Duration plus InitDuration, rounded up to the millisecond (REPORT Billed Duration).
	BilledDuration time.Duration
	// InitDuration is set on a cold start: the time from spawning the process to its first /next.
	InitDuration time.Duration
	// MaxMemoryUsed is the process's peak resident memory in MB (VmHWM in /proc), 0 where it cannot be
	// measured (in-process handlers, external runtimes, crashed processes, systems without /proc).
	MaxMemoryUsed int
}

// Stats is a snapshot of a function's pool, for tests and the inspector.
type Stats struct {
	Alive    int // processes started and not yet reaped, in any state (including those being stopped)
	Starting int // processes in init: spawned, no /next yet
	Idle     int // processes (or external runtimes) waiting in /next with nothing to do
	Busy     int // invocations being executed
	Queued   int // invocations waiting for a process (or an external runtime, or a handler slot)
	MaxAlive int // the most processes alive at one moment since Start

	Invocations uint64 // invocations completed with a Result (success or function error)
	ColdStarts  uint64 // invocations that were a process's first, and carry an InitDuration
	Spawns      uint64 // processes started
	Crashes     uint64 // processes that exited or failed init without being asked to
	Timeouts    uint64 // invocations that ran out of time
}

// Function runs one Lambda function: a pool of processes, an in-process handler or an external runtime,
// depending on its Config. Its methods are safe for concurrent use.
type Function struct {
	cfg         Config
	mode        mode
	arn         string
	log         *logger
	initTimeout time.Duration

	// mu guards everything below, the state of every proc and endpoint, and the pending invocations.
	// One lock for the whole function keeps the pool's invariants (counts, queue, idle stack) in one
	// place; the critical sections are short and never block on I/O.
	mu     sync.Mutex
	closed bool
	// draining refuses new invocations (ErrDraining) while those in flight finish (Drain); inflight
	// counts them in process and external modes, and drained is closed when it reaches 0 while draining.
	draining bool
	inflight int
	drained  chan struct{}

	queue      []*pending         // invocations waiting for a process, oldest first
	procs      map[*proc]struct{} // processes not yet reaped
	idle       []*proc            // idle processes, most recently used last
	starting   int                // processes in stStarting
	returning  int                // processes in stReturning
	backoff    time.Duration      // delay before the next spawn after failed inits; 0 when healthy
	retryAt    time.Time          // no spawn before this
	retryTimer *time.Timer

	ext *endpoint // ExternalPort mode: the one endpoint

	sem           chan struct{} // in-process mode: one token per running handler
	inprocQueued  int
	inprocBusy    int
	baseCtx       context.Context // in-process mode: parent of handler contexts, cancelled by Close
	cancelBaseCtx context.CancelFunc

	maxAlive                                           int
	invocations, coldStarts, spawns, crashes, timeouts uint64

	wg sync.WaitGroup // supervisors of processes, the external server
}

// pending is an invocation in flight, from Invoke to its Result.
type pending struct {
	inv      Invocation
	started  time.Time     // when the runtime received it (or the in-process handler was called)
	deadline time.Time     // Lambda-Runtime-Deadline-Ms
	initDur  time.Duration // the init it waited for, on a cold start
	proc     *proc         // process executing it (process mode)
	ep       *endpoint     // endpoint it was handed to (process and external modes)
	// conn is the Runtime API connection the invocation claimed: its goroutine writes the event on it
	// and reads the answer (conn.go). ready wakes that goroutine when a connection is claimed for it
	// after it started waiting. Both guarded by Function.mu.
	conn      *rconn
	ready     chan struct{}
	delivered bool          // guarded by Function.mu; the runtime has received it
	timer     *time.Timer   // fires at the deadline (external runtimes; a process has its own timer)
	done      chan struct{} // closed when res or err is set
	res       *Result
	err       error
	finished  bool // guarded by Function.mu; true once res or err is set or the caller gave up
	counted   bool // guarded by Function.mu; on Function.inflight until it finishes
}

// Start validates cfg and returns a Function ready to be invoked. It starts no process: the first
// invocation does. With ExternalPort, the Runtime API endpoint listens from now on. ctx bounds Start only;
// the Function lives until Close.
func Start(ctx context.Context, cfg Config) (*Function, error) {
	m, err := cfg.normalize()
	if err != nil {
		return nil, err
	}
	f := &Function{
		cfg:         cfg,
		mode:        m,
		arn:         cfg.arn(),
		log:         newLogger(cfg.Log, cfg.Name),
		initTimeout: initTimeout,
		procs:       make(map[*proc]struct{}),
	}
	switch m {
	case modeInProcess:
		f.sem = make(chan struct{}, cfg.Concurrency)
		f.baseCtx, f.cancelBaseCtx = context.WithCancel(context.Background())
	case modeExternal:
		var lc net.ListenConfig
		host := cfg.ExternalHost
		if host == "" {
			host = "127.0.0.1"
		}
		ln, err := lc.Listen(ctx, "tcp", net.JoinHostPort(host, strconv.Itoa(cfg.ExternalPort)))
		if err != nil {
			return nil, fmt.Errorf("lambdarun: function %q: external runtime endpoint: %w", cfg.Name, err)
		}
		f.ext = newEndpoint(f, nil)
		f.ext.serve(ln, &f.wg)
	}
	return f, nil
}

// Invoke runs one invocation and waits for its Result. It returns an error only for the caller's own
// failures: a payload over 6 MiB (ErrPayloadTooLarge), ctx done before the result (ctx.Err()), or a
// closed function (ErrClosed). Everything the function does wrong is a Result with FunctionError set.
//
// An invocation waits in a FIFO queue while all processes are busy; ctx bounds that wait too. If ctx
// ends while the function is running, Invoke returns at once but the invocation runs on to its end or its
// timeout, as in Lambda, where a client that gives up does not stop the function; the process stays warm.
func (f *Function) Invoke(ctx context.Context, inv Invocation) (*Result, error) {
	if len(inv.Payload) > MaxRequestPayload {
		return nil, &payloadTooLargeError{size: len(inv.Payload)}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	now := time.Now()
	if inv.RequestID == "" {
		inv.RequestID = newRequestID()
	}
	if inv.TraceID == "" {
		inv.TraceID = newTraceID(now)
	}
	p := &pending{inv: inv, done: make(chan struct{})}

	if f.mode == modeInProcess {
		return f.invokeInProcess(ctx, p)
	}

	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		return nil, ErrClosed
	}
	if f.draining {
		f.mu.Unlock()
		return nil, ErrDraining
	}
	f.inflight++
	p.counted = true
	if f.mode == modeExternal {
		// The external runtime may not even be running yet: the timeout covers the wait for it too,
		// or an invocation would hang until the user starts a debugger.
		p.deadline = now.Add(f.cfg.Timeout)
		p.timer = time.AfterFunc(f.cfg.Timeout, func() { f.timeoutFired(p) })
		f.ext.assignLocked(p)
	} else {
		f.queue = append(f.queue, p)
		f.dispatchLocked()
	}
	claimed := p.conn != nil // a warm process was waiting: no hand-off at all
	if !claimed {
		p.ready = make(chan struct{}, 1)
	}
	f.mu.Unlock()

	for {
		if !claimed {
			select {
			case <-p.ready:
			case <-p.done:
				return p.res, p.err
			case <-ctx.Done():
				f.abandon(p)
				return nil, ctx.Err()
			}
		}
		f.mu.Lock()
		e := p.ep
		f.mu.Unlock()
		if res, err, done := e.exchange(ctx, p); done {
			return res, err
		}
		claimed = false
	}
}

// abandon forgets an invocation whose caller gave up: one still queued is removed so that it never runs;
// one already running goes on (see Invoke) and its result is dropped.
func (f *Function) abandon(p *pending) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if p.finished {
		return
	}
	if e := p.ep; e != nil && p.conn != nil && !p.delivered {
		e.unclaimLocked(p) // handed a connection as the caller left: it goes back to the endpoint
		p.finished = true
		f.uncountLocked(p)
		return
	}
	if removePending(&f.queue, p) || (p.ep != nil && removePending(&p.ep.queue, p)) {
		p.finished = true
		if p.timer != nil {
			p.timer.Stop()
		}
		f.uncountLocked(p)
	}
}

// finishLocked completes p once; it reports whether this call did, so that exactly one of the racing
// completions (response, crash, timeout, Close) logs the END and REPORT lines.
func (f *Function) finishLocked(p *pending, res *Result, err error) bool {
	if p.finished {
		return false
	}
	p.finished = true
	p.res, p.err = res, err
	if p.timer != nil {
		p.timer.Stop()
	}
	f.uncountLocked(p)
	if res != nil {
		f.invocations++
	}
	close(p.done)
	return true
}

// timeoutFired ends an invocation that reached its deadline: Lambda answers Sandbox.Timedout and throws
// the execution environment away, so the process is stopped and a fresh one serves the next invocation.
// With an external runtime the invocation may still be queued (no runtime asked for it in time).
func (f *Function) timeoutFired(p *pending) {
	now := time.Now()
	f.mu.Lock()
	delivered, queued := false, false
	if e := p.ep; e != nil && e.inflight[p.inv.RequestID] == p {
		delete(e.inflight, p.inv.RequestID)
		e.expireLocked(p.inv.RequestID)
		delivered = true
	} else if f.ext != nil {
		queued = removePending(&f.ext.queue, p) || (p.conn != nil && !p.delivered)
	}
	if !delivered && !queued {
		// Already answered, crashed, abandoned while queued, or failed by Close.
		f.mu.Unlock()
		return
	}
	if queued {
		p.started = p.deadline.Add(-f.cfg.Timeout) // the Invoke call: the whole timeout was spent waiting
	}
	res := f.newResult(p, now, timeoutError(p.inv.RequestID, f.cfg.Timeout).payload(), functionErrorUnhandled, 0)
	f.finishLocked(p, res, nil)
	f.timeouts++
	c := p.conn // its goroutine waits on it: woken to answer the caller now
	if p.proc != nil {
		// An abandoned invocation still holds its process: it is stopped all the same.
		p.proc.current = nil
		f.stopLocked(p.proc)
	}
	f.mu.Unlock()
	if c != nil {
		c.interrupt()
	}
	if queued {
		f.log.start(p.inv.RequestID) // nobody received it, so no START line was written yet
	}
	f.log.timedOut(p.inv.RequestID, now, f.cfg.Timeout)
	f.log.end(p.inv.RequestID, f.cfg.MemorySize, res)
}

// newResult builds a Result for p completed at now.
func (f *Function) newResult(p *pending, now time.Time, payload []byte, functionError string, maxMem int) *Result {
	d := now.Sub(p.started)
	if d < 0 {
		d = 0
	}
	return &Result{
		Payload:        payload,
		FunctionError:  functionError,
		Duration:       d,
		BilledDuration: billed(d, p.initDur),
		InitDuration:   p.initDur,
		MaxMemoryUsed:  maxMem,
	}
}

// uncountLocked takes a finished invocation off the in-flight count, and ends a drain at the last one.
func (f *Function) uncountLocked(p *pending) {
	if !p.counted {
		return
	}
	p.counted = false
	f.inflight--
	if f.draining && f.inflight == 0 && f.drained != nil {
		close(f.drained)
		f.drained = nil
	}
}

// Drain replaces the function gracefully: new invocations are refused with ErrDraining (never started, so
// the caller can send them to the function's replacement), the invocations waiting or running finish, and
// then the function is closed as by Close. The wait is bounded by the function's timeout (an invocation
// cannot run longer), plus the time its processes take to start. In-process functions are closed at once:
// their handlers end with their contexts.
func (f *Function) Drain() error {
	f.mu.Lock()
	if f.closed || f.draining || f.mode == modeInProcess {
		f.mu.Unlock()
		return f.Close()
	}
	f.draining = true
	var wait chan struct{}
	if f.inflight > 0 {
		wait = make(chan struct{})
		f.drained = wait
	}
	f.mu.Unlock()
	if wait != nil {
		select {
		case <-wait:
		case <-time.After(f.cfg.Timeout + f.initTimeout + time.Second):
		}
	}
	return f.Close()
}

// Close stops the function: invocations still waiting or running get ErrClosed, every process gets
// SIGTERM and, 500 ms later, SIGKILL to its process group, and Close returns once every process has been
// reaped and every goroutine watching one has ended, so that nothing is left behind. In-process handlers
// cannot be stopped: their contexts are cancelled, invocations waiting for a slot get ErrClosed, and
// running ones end with whatever their handler returns. Close is idempotent.
func (f *Function) Close() error {
	f.mu.Lock()
	if !f.closed {
		f.closed = true
		for _, p := range f.queue {
			f.finishLocked(p, nil, ErrClosed)
		}
		f.queue = nil
		for p := range f.procs {
			if p.ep != nil {
				p.ep.failAllLocked(ErrClosed)
			}
			f.stopLocked(p)
		}
		if f.ext != nil {
			f.ext.failAllLocked(ErrClosed)
		}
		if f.retryTimer != nil {
			f.retryTimer.Stop()
		}
	}
	f.mu.Unlock()
	if f.ext != nil {
		f.ext.close()
	}
	if f.cancelBaseCtx != nil {
		f.cancelBaseCtx()
	}
	f.wg.Wait()
	return nil
}

// Stats returns a snapshot of the function's pool and counters.
func (f *Function) Stats() Stats {
	f.mu.Lock()
	defer f.mu.Unlock()
	s := Stats{
		Alive:       len(f.procs),
		Starting:    f.starting,
		Idle:        len(f.idle),
		Queued:      len(f.queue),
		MaxAlive:    f.maxAlive,
		Invocations: f.invocations,
		ColdStarts:  f.coldStarts,
		Spawns:      f.spawns,
		Crashes:     f.crashes,
		Timeouts:    f.timeouts,
	}
	for p := range f.procs {
		if p.state == stBusy {
			s.Busy++
		}
	}
	if f.ext != nil {
		s.Idle = len(f.ext.parked)
		s.Busy = len(f.ext.inflight)
		s.Queued = len(f.ext.queue)
	}
	if f.mode == modeInProcess {
		s.Busy = f.inprocBusy
		s.Queued = f.inprocQueued
	}
	return s
}

// removePending deletes p from q, keeping the order of the others, and reports whether it was there.
func removePending(q *[]*pending, p *pending) bool {
	for i, x := range *q {
		if x == p {
			copy((*q)[i:], (*q)[i+1:])
			(*q)[len(*q)-1] = nil
			*q = (*q)[:len(*q)-1]
			return true
		}
	}
	return false
}
