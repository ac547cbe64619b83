package lambdarun

import (
	"bytes"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"io"
	"log"
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

// endpoint is one Runtime API server: one per process, or the single one of an external runtime. It
// receives invocations through assignLocked and hands them to the runtime's GET /next. All its state is
// guarded by Function.mu.
type endpoint struct {
	f    *Function
	proc *proc // nil for an external runtime
	srv  *http.Server

	// secret is the first path segment of every request a process's runtime makes ("" for an external
	// runtime): the process learns it from AWS_LAMBDA_RUNTIME_API=127.0.0.1:port/<secret>, which clients
	// use as "http://" + value + "/2018-06-01/runtime/...". Any other local process can connect to the
	// port but cannot know the secret: it gets 403 and a log line, never an invocation (issue 10).
	secret string
	addr   string // host:port, for the log line about a refused caller

	queue      []*pending          // handed to this endpoint, not yet received by the runtime
	waiters    []chan struct{}     // GET /next calls waiting for work, oldest first
	inflight   map[string]*pending // received by the runtime, not yet answered, by request id
	expired    []string            // external only: ids recently timed out, whose late answers are accepted
	extensions map[string]string   // registered extension id -> name

	done      chan struct{} // closed when the endpoint shuts down: wakes blocked handlers
	closeOnce sync.Once
}

func newEndpoint(f *Function, p *proc) *endpoint {
	e := &endpoint{
		f:          f,
		proc:       p,
		secret:     newEndpointSecret(p),
		inflight:   make(map[string]*pending, 1),
		extensions: make(map[string]string),
		done:       make(chan struct{}),
	}
	e.srv = &http.Server{
		Handler: e,
		// A runtime that dies mid-request is routine here (crashes, timeouts); net/http's complaints
		// about it are noise.
		ErrorLog: log.New(io.Discard, "", 0),
	}
	return e
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

// authorize strips the secret from path. A request without it is refused with 403 and logged, naming
// the endpoint and the caller: it is another local process, not the runtime this endpoint serves.
func (e *endpoint) authorize(w http.ResponseWriter, r *http.Request) (path string, ok bool) {
	path = r.URL.Path
	if e.secret == "" {
		return path, true
	}
	seg, rest, _ := strings.Cut(strings.TrimPrefix(path, "/"), "/")
	if subtle.ConstantTimeCompare([]byte(seg), []byte(e.secret)) == 1 {
		return "/" + rest, true
	}
	e.f.log.printf("Runtime API %s refused a request from %s (%s %s): not the function's own process",
		e.addr, r.RemoteAddr, r.Method, strings.ToValidUTF8(path, "?"))
	writeAPIError(w, http.StatusForbidden, "Forbidden: this Runtime API endpoint serves one runtime process only", "AccessDeniedException")
	return "", false
}

// Paths of the Runtime API (2018-06-01) and of the Extensions API (2020-01-01).
const (
	runtimePrefix      = "/2018-06-01/runtime/"
	invocationPrefix   = "invocation/"
	extensionsRegister = "/2020-01-01/extension/register"
	extensionsNext     = "/2020-01-01/extension/event/next"
)

// ServeHTTP routes a Runtime API call. A hand-written switch rather than http.ServeMux patterns: this
// runs twice per invocation, and the API has five routes.
func (e *endpoint) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path, ok := e.authorize(w, r)
	if !ok {
		return
	}
	if rest, ok := strings.CutPrefix(path, runtimePrefix); ok {
		switch {
		case rest == "invocation/next":
			if allow(w, r, http.MethodGet) {
				e.next(w, r)
			}
			return
		case rest == "init/error":
			if allow(w, r, http.MethodPost) {
				e.initError(w, r)
			}
			return
		case strings.HasPrefix(rest, invocationPrefix):
			id, action, ok := strings.Cut(rest[len(invocationPrefix):], "/")
			if ok && id != "" && (action == "response" || action == "error") {
				if allow(w, r, http.MethodPost) {
					e.complete(w, r, id, action == "error")
				}
				return
			}
		}
	}
	switch path {
	case extensionsRegister:
		if allow(w, r, http.MethodPost) {
			e.register(w, r)
		}
	case extensionsNext:
		if allow(w, r, http.MethodGet) {
			e.extensionNext(w, r)
		}
	default:
		http.NotFound(w, r)
	}
}

// allow answers 405 unless r uses method.
func allow(w http.ResponseWriter, r *http.Request, method string) bool {
	if r.Method == method {
		return true
	}
	w.Header().Set("Allow", method)
	http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
	return false
}

// serve answers on ln until close.
func (e *endpoint) serve(ln net.Listener, wg *sync.WaitGroup) {
	wg.Add(1)
	go func() {
		defer wg.Done()
		_ = e.srv.Serve(ln) // returns http.ErrServerClosed after close
	}()
}

// close stops the server and every handler blocked in it.
func (e *endpoint) close() {
	e.closeOnce.Do(func() {
		close(e.done)
		_ = e.srv.Close()
	})
}

// assignLocked hands p to this endpoint's runtime: the next GET /next receives it.
func (e *endpoint) assignLocked(p *pending) {
	p.ep = e
	e.queue = append(e.queue, p)
	if len(e.waiters) > 0 {
		w := e.waiters[0]
		e.waiters[0] = nil
		e.waiters = e.waiters[1:]
		w <- struct{}{} // buffered, and each waiter is signalled once per registration
	}
}

// failAllLocked completes every invocation handed to this endpoint with err (used by Close).
func (e *endpoint) failAllLocked(err error) {
	for _, p := range e.queue {
		e.f.finishLocked(p, nil, err)
	}
	e.queue = nil
	for id, p := range e.inflight {
		delete(e.inflight, id)
		e.f.finishLocked(p, nil, err)
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

// next serves GET /runtime/invocation/next: it blocks until an invocation is handed to this endpoint,
// then answers with the event and its headers. For a process, the first call ends its init, and every
// call puts it back on the idle stack.
func (e *endpoint) next(w http.ResponseWriter, r *http.Request) {
	f := e.f
	var wake chan struct{}
	for {
		f.mu.Lock()
		if len(e.queue) > 0 {
			p := e.queue[0]
			e.queue[0] = nil
			e.queue = e.queue[1:]
			e.deliverLocked(p, time.Now())
			f.mu.Unlock()
			f.log.start(p.inv.RequestID)
			e.writeInvocation(w, p)
			return
		}
		if pr := e.proc; pr != nil {
			if pr.state == stBusy {
				// Its invocation was delivered and not answered: Lambda refuses to hand out another.
				f.mu.Unlock()
				writeAPIError(w, http.StatusForbidden,
					"State transition from RuntimeInvokeReady to RuntimeReady failed for runtime. Error: State transition is not allowed",
					"InvalidStateTransition")
				return
			}
			f.procWaitingLocked(pr)
			if len(e.queue) > 0 {
				f.mu.Unlock()
				continue
			}
		}
		if wake == nil {
			wake = make(chan struct{}, 1)
		}
		e.waiters = append(e.waiters, wake)
		f.mu.Unlock()

		select {
		case <-wake:
		case <-r.Context().Done(): // the runtime went away
			f.mu.Lock()
			e.dropWaiterLocked(wake)
			f.mu.Unlock()
			return
		case <-e.done:
			// Shutting down: drop the connection rather than answer 200 with no invocation, which a
			// runtime would take for an event with an empty request id.
			panic(http.ErrAbortHandler)
		}
	}
}

// dropWaiterLocked forgets the waiter wake of a /next call whose client went away. If wake was
// signalled already (an invocation was handed over as the client left), the signal passes to the next
// waiter: dropping it would leave the invocation in the queue with a waiting runtime never woken, and the
// process counted busy until the Invoke call gave up.
func (e *endpoint) dropWaiterLocked(wake chan struct{}) {
	for i, x := range e.waiters {
		if x == wake {
			e.waiters = append(e.waiters[:i], e.waiters[i+1:]...)
			return
		}
	}
	select {
	case <-wake: // signalled: pass it on
		if len(e.queue) > 0 && len(e.waiters) > 0 {
			w := e.waiters[0]
			e.waiters[0] = nil
			e.waiters = e.waiters[1:]
			w <- struct{}{}
		}
	default:
	}
}

// deliverLocked records that the runtime receives p now: for a process, its timeout starts here (the
// time spent queued or in init is not the function's), and a first invocation carries the init duration.
func (e *endpoint) deliverLocked(p *pending, now time.Time) {
	f := e.f
	p.started = now
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

// writeInvocation writes the /next answer: the event as the body and the invocation's context in headers.
func (e *endpoint) writeInvocation(w http.ResponseWriter, p *pending) {
	h := w.Header()
	h[hdrRequestID] = []string{p.inv.RequestID}
	h[hdrDeadline] = []string{strconv.FormatInt(p.deadline.UnixMilli(), 10)}
	h[hdrFunctionArn] = []string{e.f.arn}
	h[hdrTraceID] = []string{p.inv.TraceID}
	if p.inv.ClientContext != "" {
		h[hdrClientContext] = []string{p.inv.ClientContext}
	}
	if p.inv.CognitoIdentity != "" {
		h[hdrCognitoIdentity] = []string{p.inv.CognitoIdentity}
	}
	h["Content-Type"] = []string{"application/json"}
	h["Content-Length"] = []string{strconv.Itoa(len(p.inv.Payload))}
	h["Date"] = nil // not needed by a runtime; saves formatting and parsing it twice per invocation
	w.WriteHeader(http.StatusOK)
	// A failed write means the runtime is gone; its exit or the timeout completes the invocation.
	_, _ = w.Write(p.inv.Payload)
}

// complete serves POST /runtime/invocation/{id}/response and .../error: it records the runtime's answer to an invocation it received: the response, or the error it
// reports (isError). An answer over the size limit gets 413 and fails the invocation with
// Function.ResponseSizeTooLarge, as Lambda does.
func (e *endpoint) complete(w http.ResponseWriter, r *http.Request, id string, isError bool) {
	f := e.f
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
			return
		}
		writeAPIError(w, http.StatusBadRequest, "Invalid request ID", "InvalidRequestID")
		return
	}

	body, size, err := readBody(r, MaxResponsePayload)
	if err != nil {
		return // the runtime broke the connection mid-body: its exit or the timeout decides
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
		return
	}
	delete(e.inflight, id)
	res := f.newResult(p, now, payload, functionError, maxMem)
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

	f.log.end(id, f.cfg.MemorySize, res)
	if tooLarge {
		writeAPIError(w, http.StatusRequestEntityTooLarge,
			"Exceeded maximum allowed payload size ("+strconv.Itoa(MaxResponsePayload)+" bytes).", "RequestEntityTooLarge")
		return
	}
	writeAccepted(w)
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
// process goes away, which is what aws-lambda-go's internal extension expects.
func (e *endpoint) extensionNext(w http.ResponseWriter, r *http.Request) {
	id := r.Header.Get(hdrExtensionID)
	if id == "" {
		writeAPIError(w, http.StatusForbidden, "Missing Lambda-Extension-Identifier header", "Extension.MissingExtensionIdentifier")
		return
	}
	e.f.mu.Lock()
	_, ok := e.extensions[id]
	e.f.mu.Unlock()
	if !ok {
		writeAPIError(w, http.StatusForbidden, "Unknown extension identifier", "Extension.UnknownExtensionIdentifier")
		return
	}
	select {
	case <-r.Context().Done():
	case <-e.done:
		panic(http.ErrAbortHandler) // no event to deliver: drop the connection
	}
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
