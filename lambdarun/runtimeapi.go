package lambdarun

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Runtime API header names (Lambda's spelling, which is also Go's canonical form, so the maps are written
// directly without canonicalising on every invocation).
const (
	hdrRequestID       = "Lambda-Runtime-Aws-Request-Id"
	hdrDeadline        = "Lambda-Runtime-Deadline-Ms"
	hdrFunctionArn     = "Lambda-Runtime-Invoked-Function-Arn"
	hdrTraceID         = "Lambda-Runtime-Trace-Id"
	hdrClientContext   = "Lambda-Runtime-Client-Context"
	hdrCognitoIdentity = "Lambda-Runtime-Cognito-Identity"
	hdrErrorType       = "Lambda-Runtime-Function-Error-Type"
	hdrErrorBody       = "Lambda-Runtime-Function-Error-Body" // trailer: aws-lambda-go's error while streaming a response
	hdrExtensionName   = "Lambda-Extension-Name"
	hdrExtensionID     = "Lambda-Extension-Identifier"
)

// endpoint is one Runtime API server: one per process, or the single one of an external runtime. Its
// connections are described in conn.go. All its state is guarded by Function.mu.
type endpoint struct {
	f    *Function
	proc *proc // nil for an external runtime
	ln   net.Listener
	wg   *sync.WaitGroup // the accept goroutine and the connections' reader goroutines

	// secret is the first path segment of every request a process's runtime makes ("" for an external
	// runtime): the process learns it from AWS_LAMBDA_RUNTIME_API=127.0.0.1:port/<secret>, which clients
	// use as "http://" + value + "/2018-06-01/runtime/...". Any other local process can connect to the
	// port but cannot know the secret: it gets 403 and a log line, never an invocation (issue 10).
	secret string
	addr   string // host:port, for the log line about a refused caller

	// parked are the connections on which the runtime waits for an invocation, oldest first: at most
	// one for a process, any number for an external runtime.
	parked []*rconn
	// claims are invocations handed to an unread connection whose runtime has not called /next on it
	// yet: a /next on another connection is given to the oldest of them.
	claims     []*pending
	queue      []*pending          // handed to this endpoint with no connection parked
	inflight   map[string]*pending // received by the runtime, not yet answered, by request id
	expired    []string            // external only: ids recently timed out, whose late answers are accepted
	extensions map[string]string   // registered extension id -> name
	conns      map[*rconn]struct{} // every open connection, whoever owns it: close closes them all
	closing    bool

	done      chan struct{} // closed when the endpoint shuts down: wakes blocked handlers
	closeOnce sync.Once
}

func newEndpoint(f *Function, p *proc) *endpoint {
	return &endpoint{
		f:          f,
		proc:       p,
		secret:     newEndpointSecret(p),
		inflight:   make(map[string]*pending, 1),
		extensions: make(map[string]string),
		conns:      make(map[*rconn]struct{}),
		done:       make(chan struct{}),
	}
}

// newEndpointSecret returns the path secret of a process's endpoint: random from crypto/rand (this one
// is a credential, unlike the ids of ids.go), or "" for an external runtime (p == nil), whose user opened
// the port to whatever runtime they start and has no way to pass it a secret.
func newEndpointSecret(p *proc) string {
	if p == nil {
		return ""
	}
	return rand.Text() // 26 characters of base32 (A-Z, 2-7): 130 bits, path-safe
}

// runtimeAPI is the value of AWS_LAMBDA_RUNTIME_API for the process of this endpoint, listening on addr.
func (e *endpoint) runtimeAPI(addr string) string {
	if e.secret == "" {
		return addr
	}
	return addr + "/" + e.secret
}

// Paths of the Runtime API (2018-06-01) and of the Extensions API (2020-01-01).
const (
	runtimePrefix      = "/2018-06-01/runtime/"
	invocationPrefix   = "invocation/"
	extensionsRegister = "/2020-01-01/extension/register"
	extensionsNext     = "/2020-01-01/extension/event/next"
)

// call is what a request asks for.
type call int

const (
	callNotFound call = iota
	callRefused       // not the endpoint's own runtime (no secret)
	callMethod        // a known path with the wrong method: 405
	callNext
	callResponse
	callError
	callInitError
	callRegister
	callExtensionNext
)

// route says what r asks for: the call, the request id of an answer, the method a 405 allows. A
// hand-written switch rather than http.ServeMux patterns: this runs twice per invocation, and the API has
// five routes.
func (e *endpoint) route(r *http.Request) (c call, id, allow string) {
	path := r.URL.Path
	if e.secret != "" {
		seg, rest, _ := strings.Cut(strings.TrimPrefix(path, "/"), "/")
		if subtle.ConstantTimeCompare([]byte(seg), []byte(e.secret)) != 1 {
			return callRefused, "", ""
		}
		path = "/" + rest
	}
	method := func(want string, c call) (call, string, string) {
		if r.Method != want {
			return callMethod, "", want
		}
		return c, id, ""
	}
	if rest, ok := strings.CutPrefix(path, runtimePrefix); ok {
		switch {
		case rest == "invocation/next":
			return method(http.MethodGet, callNext)
		case rest == "init/error":
			return method(http.MethodPost, callInitError)
		case strings.HasPrefix(rest, invocationPrefix):
			var action string
			var ok bool
			id, action, ok = strings.Cut(rest[len(invocationPrefix):], "/")
			if ok && id != "" && (action == "response" || action == "error") {
				if action == "error" {
					return method(http.MethodPost, callError)
				}
				return method(http.MethodPost, callResponse)
			}
		}
	}
	switch path {
	case extensionsRegister:
		return method(http.MethodPost, callRegister)
	case extensionsNext:
		return method(http.MethodGet, callExtensionNext)
	}
	return callNotFound, "", ""
}

// handle serves one request read from c by its reader goroutine (or by an invocation's goroutine, for a
// request that is not the one it waits for).
func (e *endpoint) handle(c *rconn, r *http.Request) action {
	w := &c.rw
	call, id, allow := e.route(r)
	switch call {
	case callRefused:
		e.f.log.printf("Runtime API %s refused a request from %s (%s %s): not the function's own process",
			e.addr, c.nc.RemoteAddr(), r.Method, strings.ToValidUTF8(r.URL.Path, "?"))
		writeAPIError(w, http.StatusForbidden, "Forbidden: this Runtime API endpoint serves one runtime process only", "AccessDeniedException")
	case callMethod:
		w.Header().Set("Allow", allow)
		http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
	case callNext:
		if a, parked := e.next(c); parked {
			return a
		}
	case callResponse, callError:
		return e.complete(c, r, id, call == callError)
	case callInitError:
		e.initError(w, r)
	case callRegister:
		e.register(w, r)
	case callExtensionNext:
		if e.extensionNext(c, w, r) {
			return closeConn
		}
	default:
		http.NotFound(w, r)
	}
	return c.finish(r)
}

// close stops the listener and closes every connection, which ends every goroutine reading one.
func (e *endpoint) close() {
	e.closeOnce.Do(func() {
		close(e.done)
		e.f.mu.Lock()
		e.closing = true
		for c := range e.conns {
			_ = c.nc.Close()
		}
		clear(e.conns)
		e.parked = nil
		e.f.mu.Unlock()
		if e.ln != nil {
			_ = e.ln.Close()
		}
	})
}

// parkLocked makes c the connection the endpoint's next invocation is written to. A process has one:
// when its runtime switches connections (a client that does not keep them alive), the connection it
// called /next on wins over one it merely answered on, and the loser goes back to a reader goroutine.
func (e *endpoint) parkLocked(c *rconn, unread bool) {
	c.unread = unread
	if e.proc != nil && len(e.parked) > 0 {
		old := e.parked[0]
		if unread && !old.unread {
			// The runtime called /next on another connection before this answer was acknowledged.
			e.startConnLocked(c, nil)
			return
		}
		e.parked = e.parked[:0]
		e.startConnLocked(old, nil)
	}
	e.parked = append(e.parked, c)
}

// popParkedLocked takes the oldest parked connection whose runtime is still there, or returns nil.
func (e *endpoint) popParkedLocked() *rconn {
	for len(e.parked) > 0 {
		c := e.parked[0]
		e.parked[0] = nil
		e.parked = e.parked[1:]
		// A process's runtime leaves /next only by exiting, which its supervisor sees; an external
		// runtime may be gone (a stopped debugging session) while another waits.
		if e.proc != nil || c.unread || c.alive() {
			return c
		}
		e.dropLocked(c)
	}
	return nil
}

// assignLocked hands p to this endpoint's runtime: to a parked connection if there is one, or to the
// queue that the next /next takes from.
func (e *endpoint) assignLocked(p *pending) {
	p.ep = e
	if c := e.popParkedLocked(); c != nil {
		e.claimLocked(p, c)
		return
	}
	e.queue = append(e.queue, p)
}

// claimLocked gives connection c to invocation p, whose goroutine does the exchange; it is woken if it
// is waiting for one.
func (e *endpoint) claimLocked(p *pending, c *rconn) {
	p.ep = e
	p.conn = c
	if c.unread {
		e.claims = append(e.claims, p)
	}
	if p.ready != nil {
		select {
		case p.ready <- struct{}{}:
		default:
		}
	}
}

// assignQueuedLocked hands queued invocations to parked connections.
func (e *endpoint) assignQueuedLocked() {
	for len(e.queue) > 0 {
		c := e.popParkedLocked()
		if c == nil {
			return
		}
		p := e.queue[0]
		e.queue[0] = nil
		e.queue = e.queue[1:]
		e.claimLocked(p, c)
	}
}

// unclaimLocked takes back the connection of an invocation that will not be delivered (its caller gave
// up, or it timed out waiting): the connection is parked again, as it was.
func (e *endpoint) unclaimLocked(p *pending) {
	c := p.conn
	p.conn = nil
	removePending(&e.claims, p)
	if c == nil {
		return
	}
	e.parkLocked(c, c.unread)
	if pr := e.proc; pr != nil {
		e.f.procBackLocked(pr)
		return
	}
	e.assignQueuedLocked()
}

// requeueLocked puts p back in line after its connection broke before the runtime asked for it: the
// runtime left that connection (to call /next on another, or to exit).
func (e *endpoint) requeueLocked(p *pending) {
	f := e.f
	p.conn = nil
	removePending(&e.claims, p)
	if p.ready == nil {
		p.ready = make(chan struct{}, 1)
	}
	if f.closed {
		f.finishLocked(p, nil, ErrClosed)
		return
	}
	if pr := e.proc; pr != nil {
		if pr.state == stBusy {
			pr.state = stReturning
			f.returning++
		}
		f.queue = append([]*pending{p}, f.queue...)
		f.dispatchLocked()
		return
	}
	e.queue = append([]*pending{p}, e.queue...)
	e.assignQueuedLocked()
}

// failAllLocked completes every invocation handed to this endpoint with err (used by Close).
func (e *endpoint) failAllLocked(err error) {
	for _, p := range e.queue {
		e.f.finishLocked(p, nil, err)
	}
	e.queue = nil
	for _, p := range e.claims {
		e.f.finishLocked(p, nil, err)
		p.conn.interrupt()
	}
	e.claims = nil
	for id, p := range e.inflight {
		delete(e.inflight, id)
		e.f.finishLocked(p, nil, err)
		if p.conn != nil {
			p.conn.interrupt()
		}
	}
}

// expireLocked remembers a timed-out request id of an external runtime, so that its late answer gets 202
// and a log line instead of a 400 that would make aws-lambda-go exit: the user is probably stepping
// through the handler in a debugger. A process, by contrast, is killed at its timeout.
func (e *endpoint) expireLocked(id string) {
	if e.proc != nil {
		return
	}
	const keep = 64
	if len(e.expired) == keep {
		copy(e.expired, e.expired[1:])
		e.expired = e.expired[:keep-1]
	}
	e.expired = append(e.expired, id)
}

func (e *endpoint) isExpiredLocked(id string) bool {
	for _, x := range e.expired {
		if x == id {
			return true
		}
	}
	return false
}

// next serves GET /runtime/invocation/next on a reader goroutine's connection. Unless it is refused, c
// is parked (or handed to an invocation waiting for it) and parked is true. For a process, the first
// call ends its init, and every call puts it back on the idle stack.
func (e *endpoint) next(c *rconn) (a action, parked bool) {
	f := e.f
	f.mu.Lock()
	if e.closing {
		f.mu.Unlock()
		return closeConn, true
	}
	if len(e.claims) > 0 {
		// The runtime answered its last invocation on another connection than this one: the invocation
		// handed to that connection takes this one.
		q := e.claims[0]
		e.claims = e.claims[1:]
		old := q.conn
		c.unread = false
		q.conn = c
		f.mu.Unlock()
		old.interrupt()
		return parkedConn, true
	}
	if pr := e.proc; pr != nil {
		if len(e.queue) > 0 { // handed to this process while no connection was parked
			q := e.queue[0]
			e.queue[0] = nil
			e.queue = e.queue[1:]
			c.unread = false
			e.claimLocked(q, c)
			f.mu.Unlock()
			return parkedConn, true
		}
		if pr.state == stBusy {
			// Its invocation was delivered and not answered: Lambda refuses to hand out another.
			f.mu.Unlock()
			writeAPIError(&c.rw, http.StatusForbidden,
				"State transition from RuntimeInvokeReady to RuntimeReady failed for runtime. Error: State transition is not allowed",
				"InvalidStateTransition")
			return keepConn, false
		}
		e.parkLocked(c, false)
		f.procWaitingLocked(pr)
		f.mu.Unlock()
		return parkedConn, true
	}
	e.parkLocked(c, false)
	e.assignQueuedLocked()
	f.mu.Unlock()
	return parkedConn, true
}

// exchange runs invocation p on the connection it claimed, on the goroutine of Invoke: it reads the
// runtime's /next if the connection has not been read yet, writes the event, and waits for the answer.
// done is false when p went back to the queue (its connection broke before the runtime took it): the
// caller waits to be handed another.
func (e *endpoint) exchange(ctx context.Context, p *pending) (res *Result, err error, done bool) {
	f := e.f
	if ctx.Done() != nil {
		stop := context.AfterFunc(ctx, func() { f.interrupt(p) })
		defer stop()
	}
	f.mu.Lock()
	for {
		c := p.conn
		if p.finished { // Close, or an external runtime's timeout
			if c != nil {
				e.unclaimLocked(p)
			}
			f.mu.Unlock()
			return p.res, p.err, true
		}
		if !c.unread {
			break
		}
		f.mu.Unlock()
		werr := c.wait()
		var r *http.Request
		if werr == nil {
			r, werr = c.read()
		}
		f.mu.Lock()
		switch {
		case p.conn != c:
			// A /next on another connection took over (see next); this one goes back to a reader.
			e.startConnLocked(c, r)
			continue
		case werr == errInterrupted:
			if ctx.Err() != nil && !p.finished {
				e.unclaimLocked(p)
				p.finished = true
				f.uncountLocked(p)
				f.mu.Unlock()
				return nil, ctx.Err(), true
			}
			continue
		case werr != nil:
			e.dropLocked(c)
			e.requeueLocked(p)
			f.mu.Unlock()
			return nil, nil, false
		}
		f.mu.Unlock()
		if call, _, _ := e.route(r); call == callNext {
			f.mu.Lock()
			removePending(&e.claims, p)
			c.unread = false
			continue
		}
		// Something else first (an extension registering on this connection): served as usual.
		a := e.handle(c, r)
		f.mu.Lock()
		if a != keepConn && p.conn == c {
			if a == closeConn {
				e.dropLocked(c)
			}
			e.requeueLocked(p)
			f.mu.Unlock()
			return nil, nil, false
		}
	}
	c := p.conn
	removePending(&e.claims, p)
	e.deliverLocked(p, time.Now())
	f.mu.Unlock()
	f.log.start(p.inv.RequestID)
	// A failed write means the runtime is gone: awaitAnswer sees the connection end, and its exit or
	// the timeout completes the invocation.
	_ = c.writeInvocation(p, f.arn)
	res, err = e.awaitAnswer(ctx, c, p)
	return res, err, true
}

// awaitAnswer reads the runtime's answer to p, delivered on c, and acknowledges it. With a nil ctx it
// runs on after the caller gave up (the invocation runs to its end, as in Lambda).
func (e *endpoint) awaitAnswer(ctx context.Context, c *rconn, p *pending) (*Result, error) {
	f := e.f
	for {
		err := c.wait()
		if err == errInterrupted {
			f.mu.Lock()
			switch {
			case p.finished: // timed out, closed, or answered on another connection
				if p.conn == c {
					p.conn = nil
				}
				e.startConnLocked(c, nil) // for what the runtime sends next: a late answer, /next
				f.mu.Unlock()
				return p.res, p.err
			case ctx != nil && ctx.Err() != nil:
				if e.closing {
					e.dropLocked(c)
				} else {
					e.wg.Add(1)
					go func() {
						defer e.wg.Done()
						_, _ = e.awaitAnswer(nil, c, p)
					}()
				}
				f.mu.Unlock()
				return nil, ctx.Err()
			}
			f.mu.Unlock()
			continue
		}
		var r *http.Request
		if err == nil {
			r, err = c.read()
		}
		if err != nil {
			// The runtime broke the connection with the invocation in hand: its exit or the timeout
			// decides.
			f.mu.Lock()
			e.dropLocked(c)
			if p.conn == c {
				p.conn = nil
			}
			f.mu.Unlock()
			return f.waitDone(ctx, p)
		}
		if call, id, _ := e.route(r); (call == callResponse || call == callError) && id == p.inv.RequestID {
			switch e.complete(c, r, id, call == callError) {
			case closeConn:
				e.drop(c)
			case keepConn:
				f.mu.Lock()
				e.startConnLocked(c, nil)
				f.mu.Unlock()
			}
			return f.waitDone(ctx, p)
		}
		switch e.handle(c, r) {
		case parkedConn: // the connection was taken over (an external runtime's second /next)
			return f.waitDone(ctx, p)
		case closeConn:
			f.mu.Lock()
			e.dropLocked(c)
			if p.conn == c {
				p.conn = nil
			}
			f.mu.Unlock()
			return f.waitDone(ctx, p)
		}
	}
}

// waitDone waits for p's result from whoever completes it (the answer, the timeout, the process's exit).
// Without a caller (ctx nil) nobody waits: the goroutine ends, as its process's supervisor may be
// waiting for it before it reaps the process, which is what completes p.
func (f *Function) waitDone(ctx context.Context, p *pending) (*Result, error) {
	if ctx == nil {
		return nil, nil
	}
	select {
	case <-p.done:
		return p.res, p.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// interrupt wakes the goroutine doing p's exchange so that it looks at p again.
func (f *Function) interrupt(p *pending) {
	f.mu.Lock()
	c := p.conn
	f.mu.Unlock()
	if c != nil {
		c.interrupt()
	}
}

// deliverLocked records that the runtime receives p now: for a process, its timeout starts here (the
// time spent queued or in init is not the function's), and a first invocation carries the init duration.
func (e *endpoint) deliverLocked(p *pending, now time.Time) {
	f := e.f
	p.started = now
	p.delivered = true
	e.inflight[p.inv.RequestID] = p
	if pr := e.proc; pr != nil {
		p.proc = pr
		p.deadline = now.Add(f.cfg.Timeout)
		if pr.cold {
			pr.cold = false
			p.initDur = pr.initDur
			f.coldStarts++
		}
		pr.current = p
		if pr.timer == nil {
			pr.timer = time.AfterFunc(f.cfg.Timeout, func() { f.deadlineFired(pr) })
		} else {
			pr.timer.Reset(f.cfg.Timeout)
		}
	}
}

// complete serves POST /runtime/invocation/{id}/response and .../error: it records the runtime's answer
// to an invocation it received: the response, or the error it reports (isError). An answer over the size
// limit gets 413 and fails the invocation with Function.ResponseSizeTooLarge, as Lambda does. When c is
// the connection the invocation was delivered on, it is parked again once acknowledged (parkedConn): the
// runtime calls /next on it next.
func (e *endpoint) complete(c *rconn, r *http.Request, id string, isError bool) action {
	f := e.f
	w := &c.rw
	f.mu.Lock()
	p := e.inflight[id]
	expired := p == nil && e.isExpiredLocked(id)
	var mem *memMeter
	if e.proc != nil {
		mem = e.proc.mem
	}
	f.mu.Unlock()
	if p == nil {
		if expired {
			_, _ = io.Copy(io.Discard, r.Body)
			f.log.printf("RequestId: %s answered after its timeout; the answer is discarded", id)
			writeAccepted(w)
			return c.finish(r)
		}
		writeAPIError(w, http.StatusBadRequest, "Invalid request ID", "InvalidRequestID")
		return c.finish(r)
	}

	body, size, err := readBody(r, MaxResponsePayload)
	if err != nil {
		return closeConn // the runtime broke the connection mid-body: its exit or the timeout decides
	}
	now := time.Now()
	var payload []byte
	functionError := ""
	tooLarge := size > MaxResponsePayload
	switch {
	case tooLarge:
		payload, functionError = tooLargeError(size).payload(), functionErrorUnhandled
	case isError:
		payload = runtimeErrorPayload(body, r.Header.Get(hdrErrorType), errorTypeUnknown)
		functionError = functionErrorUnhandled
	case r.Trailer.Get(hdrErrorType) != "":
		// aws-lambda-go's response reader failed mid-stream: it sends the error in trailers.
		payload, _ = base64.StdEncoding.DecodeString(r.Trailer.Get(hdrErrorBody))
		payload = runtimeErrorPayload(payload, r.Trailer.Get(hdrErrorType), errorTypeUnknown)
		functionError = functionErrorUnhandled
	default:
		payload = body
	}
	maxMem := 0
	if mem != nil {
		maxMem = mem.maxMB()
	}

	f.mu.Lock()
	if e.inflight[id] != p || !now.Before(p.deadline) {
		// Timed out, crashed or closed meanwhile; or answered at its deadline, which the timer settles.
		f.mu.Unlock()
		writeAccepted(w)
		return c.finish(r)
	}
	delete(e.inflight, id)
	res := f.newResult(p, now, payload, functionError, maxMem)
	owner := p.conn == c
	other := p.conn
	p.conn = nil
	if pr := e.proc; pr != nil {
		pr.current = nil
		pr.timer.Stop()
		if pr.state == stBusy {
			pr.state = stReturning
			f.returning++
		}
	}
	f.finishLocked(p, res, nil)
	f.mu.Unlock()
	if other != nil && !owner {
		other.interrupt() // the invocation's goroutine waits on the connection it was delivered on
	}

	f.log.end(id, f.cfg.MemorySize, res)
	if tooLarge {
		writeAPIError(w, http.StatusRequestEntityTooLarge,
			"Exceeded maximum allowed payload size ("+strconv.Itoa(MaxResponsePayload)+" bytes).", "RequestEntityTooLarge")
	} else {
		writeAccepted(w)
	}
	a := c.finish(r)
	pr := e.proc
	if a != keepConn || !owner || pr == nil {
		// An external runtime's connection goes back to a reader goroutine: a person driving it may send
		// anything next.
		return a
	}
	// A process's runtime calls /next next, on this connection: it is parked unread, and the next
	// invocation's goroutine reads that /next itself. Parked only now that the acknowledgement is
	// written, as that goroutine writes on the connection too.
	f.mu.Lock()
	if e.closing {
		e.dropLocked(c)
	} else {
		e.parkLocked(c, true)
		f.procWaitingLocked(pr)
	}
	f.mu.Unlock()
	return parkedConn
}

// initError serves POST /runtime/init/error: the runtime could not initialise. The oldest queued
// invocation fails with the error as posted and the process is discarded. After init, Lambda refuses
// the call (403). With an external runtime, the oldest invocation waiting for it fails.
func (e *endpoint) initError(w http.ResponseWriter, r *http.Request) {
	f := e.f
	body, size, err := readBody(r, MaxResponsePayload)
	if err != nil {
		return
	}
	if size > MaxResponsePayload {
		writeAPIError(w, http.StatusRequestEntityTooLarge,
			"Exceeded maximum allowed payload size ("+strconv.Itoa(MaxResponsePayload)+" bytes).", "RequestEntityTooLarge")
		return
	}
	errorType := r.Header.Get(hdrErrorType)
	if errorType == "" {
		errorType = errorTypeInit
	}
	payload := runtimeErrorPayload(body, errorType, errorTypeInit)
	now := time.Now()

	var q *pending
	var res *Result
	var initDur time.Duration
	f.mu.Lock()
	if pr := e.proc; pr != nil {
		if pr.state != stStarting {
			f.mu.Unlock()
			writeAPIError(w, http.StatusForbidden,
				"State transition from Ready to InitError failed for runtime. Error: State transition is not allowed",
				"InvalidStateTransition")
			return
		}
		initDur = now.Sub(pr.spawned)
		if !f.closed && len(f.queue) > 0 {
			q, res = f.failInitLocked(pr, now, func(string) []byte { return payload })
		}
		f.crashes++
		f.bumpBackoffLocked(pr)
		f.stopLocked(pr)
	} else if len(e.queue) > 0 {
		q = e.queue[0]
		e.queue[0] = nil
		e.queue = e.queue[1:]
		q.started = now
		res = f.newResult(q, now, payload, functionErrorUnhandled, 0)
		f.finishLocked(q, res, nil)
	}
	f.mu.Unlock()

	f.log.printf("INIT_REPORT Init Duration: %.2f ms\tPhase: init\tStatus: error\tError Type: %s", ms(initDur), errorType)
	if q != nil {
		f.log.start(q.inv.RequestID)
		f.log.end(q.inv.RequestID, f.cfg.MemorySize, res)
	}
	writeAccepted(w)
}

// register serves POST /extension/register. aws-lambda-go registers an internal extension (named
// "GoLangEnableSIGTERM") when lambda.WithEnableSIGTERM is used, so that Lambda sends SIGTERM before
// shutting the environment down; it only needs a 200 with an identifier. Lambda's answer also describes
// the function.
func (e *endpoint) register(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	name := r.Header.Get(hdrExtensionName)
	if name == "" {
		writeAPIError(w, http.StatusForbidden, "Empty extension name", "Extension.InvalidExtensionName")
		return
	}
	id := newRequestID()
	e.f.mu.Lock()
	e.extensions[id] = name
	e.f.mu.Unlock()
	handler := ""
	if len(e.f.cfg.Command) > 0 {
		handler = filepath.Base(e.f.cfg.Command[0])
	}
	body, _ := json.Marshal(struct {
		FunctionName    string `json:"functionName"`
		FunctionVersion string `json:"functionVersion"`
		Handler         string `json:"handler"`
	}{e.f.cfg.Name, "$LATEST", handler})
	h := w.Header()
	h[hdrExtensionID] = []string{id}
	h["Content-Type"] = []string{"application/json"}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

// extensionNext serves GET /extension/event/next. This emulator delivers no events to extensions
// (INVOKE is not emulated, and SHUTDOWN is a signal for internal extensions), so the call blocks until the
// process goes away, which is what aws-lambda-go's internal extension expects; the connection is then
// dropped (blocked is true). An unknown extension gets 403.
func (e *endpoint) extensionNext(c *rconn, w http.ResponseWriter, r *http.Request) (blocked bool) {
	id := r.Header.Get(hdrExtensionID)
	if id == "" {
		writeAPIError(w, http.StatusForbidden, "Missing Lambda-Extension-Identifier header", "Extension.MissingExtensionIdentifier")
		return false
	}
	e.f.mu.Lock()
	_, ok := e.extensions[id]
	e.f.mu.Unlock()
	if !ok {
		writeAPIError(w, http.StatusForbidden, "Unknown extension identifier", "Extension.UnknownExtensionIdentifier")
		return false
	}
	// Nothing is sent while the client waits: this returns when it goes away or close closes c.
	_ = c.wait()
	return true
}

// readBody reads a request body up to limit bytes. Over the limit it reads (and drops) the rest, to
// report the full size as Lambda's error message does.
func readBody(r *http.Request, limit int) (body []byte, size int, err error) {
	var buf bytes.Buffer
	if n := r.ContentLength; n > 0 && n <= int64(limit) {
		buf.Grow(int(n))
	}
	n, err := buf.ReadFrom(io.LimitReader(r.Body, int64(limit)+1))
	if err != nil {
		return nil, 0, err
	}
	if n > int64(limit) {
		rest, err := io.Copy(io.Discard, r.Body)
		return nil, int(n + rest), err
	}
	return buf.Bytes(), int(n), nil
}

var acceptedBody = []byte(`{"status":"OK"}`)

func writeAccepted(w http.ResponseWriter) {
	w.Header()["Content-Type"] = []string{"application/json"}
	w.Header()["Date"] = nil
	w.WriteHeader(http.StatusAccepted)
	_, _ = w.Write(acceptedBody)
}

func writeAPIError(w http.ResponseWriter, status int, message, errorType string) {
	body, _ := json.Marshal(apiError{Message: message, Type: errorType})
	w.Header()["Content-Type"] = []string{"application/json"}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
