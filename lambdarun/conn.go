package lambdarun

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// A Runtime API connection (rconn) is owned by exactly one party at a time, which alone reads from it:
//
//   - a reader goroutine (serveConn), from accept until the runtime calls /next on it;
//   - the endpoint, while the connection is parked: the runtime waits in /next on it, or it has just
//     answered an invocation on it and will call /next there next ("unread");
//   - an invocation that claimed it: the goroutine of Invoke reads the runtime's /next (if unread),
//     writes the event, reads the answer and acknowledges it, then parks the connection again.
//
// So a warm invocation costs the gateway no goroutine hand-off, no net/http routing and no per-request
// server machinery (deadlines, background reads): the invoking goroutine does its own I/O on the
// runtime's keep-alive connection. Requests are parsed by net/http's ReadRequest (chunked bodies and
// trailers included); answers are written here, as they are a status line, a few headers and a body.

// errInterrupted is what a connection's wait returns when another goroutine needs its owner to look at
// the invocation's state again: a timeout, Close, the caller gone, the answer arriving on another
// connection, or the runtime calling /next on another connection.
var errInterrupted = errors.New("lambdarun: wait interrupted")

// aLongTimeAgo is a read deadline in the past: it ends a blocked read at once.
var aLongTimeAgo = time.Unix(1, 0)

const (
	// maxHeaderBytes bounds a request's head, as net/http's server does by default (1 MB), so that a
	// client cannot make the gateway buffer an endless header block.
	maxHeaderBytes = 1 << 20
	// maxDrain is how much of a body nobody reads is discarded to keep the connection; beyond it the
	// connection is closed instead.
	maxDrain = 256 << 10
	// inlinePayload is the largest event copied behind its headers for a single write; a larger one is
	// written from where it is (writev).
	inlinePayload = 32 << 10
)

// action says what a handled request leaves the connection to.
type action int

const (
	keepConn   action = iota // read the next request
	closeConn                // close the connection
	parkedConn               // the connection is no longer the caller's: parked, or handed to an invocation
)

type rconn struct {
	e   *endpoint
	nc  net.Conn
	lim headLimiter
	br  *bufio.Reader
	rw  respWriter
	out []byte // the answer being written

	// unread (guarded by Function.mu) marks a parked or claimed connection on which the runtime answered
	// its last invocation: its next request, normally /next, has not been read yet.
	unread bool

	imu         sync.Mutex
	waiting     bool // the owner is blocked in wait
	interrupted bool // a wake-up the owner has not seen yet
}

func (e *endpoint) newConn(nc net.Conn) *rconn {
	c := &rconn{e: e, nc: nc}
	c.lim.r = nc
	c.br = bufio.NewReaderSize(&c.lim, 4096)
	c.rw.h = make(http.Header, 4)
	return c
}

// headLimiter caps how much is read while a request's head is parsed.
type headLimiter struct {
	r io.Reader
	n int64 // bytes left; < 0: no limit
}

var errHeadTooLarge = errors.New("request head too large")

func (l *headLimiter) Read(p []byte) (int, error) {
	if l.n < 0 {
		return l.r.Read(p)
	}
	if l.n == 0 {
		return 0, errHeadTooLarge
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	n, err := l.r.Read(p)
	l.n -= int64(n)
	return n, err
}

// wait blocks until the runtime has sent something on c, or until interrupt. It returns nil when bytes
// are there to read (even if an interrupt came with them: the owner checks the invocation's state at
// every decision anyway), errInterrupted, or the connection's error.
func (c *rconn) wait() error {
	if c.br.Buffered() > 0 {
		return nil
	}
	c.imu.Lock()
	if c.interrupted {
		c.interrupted = false
		c.imu.Unlock()
		return errInterrupted
	}
	c.waiting = true
	c.imu.Unlock()
	_, err := c.br.Peek(1)
	c.imu.Lock()
	c.waiting = false
	if c.interrupted {
		c.interrupted = false
		_ = c.nc.SetReadDeadline(time.Time{})
		if err != nil && errors.Is(err, os.ErrDeadlineExceeded) {
			err = errInterrupted
		}
	}
	c.imu.Unlock()
	return err
}

// interrupt wakes c's owner from wait, or makes its next wait return at once.
func (c *rconn) interrupt() {
	c.imu.Lock()
	c.interrupted = true
	if c.waiting {
		_ = c.nc.SetReadDeadline(aLongTimeAgo)
	}
	c.imu.Unlock()
}

// read parses the runtime's next request. The body stays on the connection: the handler reads it, and
// finish drains what it left.
func (c *rconn) read() (*http.Request, error) {
	c.lim.n = maxHeaderBytes
	r, err := http.ReadRequest(c.br)
	c.lim.n = -1
	if err != nil {
		if !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, net.ErrClosed) {
			_, _ = io.WriteString(c.nc, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
		}
		return nil, err
	}
	if r.ContentLength != 0 && strings.EqualFold(r.Header.Get("Expect"), "100-continue") {
		// A client that asks first (curl does, for bodies over 1 KB) waits for this before sending the
		// body; every body here is read.
		if _, err := io.WriteString(c.nc, "HTTP/1.1 100 Continue\r\n\r\n"); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// finish drains what is left of r's body and writes the answer the handler put in c.rw.
func (c *rconn) finish(r *http.Request) action {
	keep := !r.Close
	if r.Body != nil && r.Body != http.NoBody {
		if n, err := io.CopyN(io.Discard, r.Body, maxDrain+1); n > maxDrain || (err != nil && err != io.EOF) {
			keep = false
		}
	}
	if err := c.flush(!keep); err != nil || !keep {
		return closeConn
	}
	return keepConn
}

// flush writes the answer collected in c.rw and resets it.
func (c *rconn) flush(closing bool) error {
	w := &c.rw
	status := w.status
	if status == 0 {
		status = http.StatusOK
	}
	b := append(c.out[:0], "HTTP/1.1 "...)
	b = strconv.AppendInt(b, int64(status), 10)
	b = append(b, ' ')
	b = append(b, http.StatusText(status)...)
	b = append(b, "\r\n"...)
	for k, vs := range w.h {
		if k == "Content-Length" || k == "Date" {
			continue
		}
		for _, v := range vs {
			b = appendHeader(b, k, v)
		}
	}
	b = appendHeader(b, "Content-Length", strconv.Itoa(len(w.body)))
	if closing {
		b = append(b, "Connection: close\r\n"...)
	}
	b = append(b, "\r\n"...)
	b = append(b, w.body...)
	c.out = b
	clear(w.h)
	w.status = 0
	w.body = w.body[:0]
	_, err := c.nc.Write(b)
	return err
}

// appendHeader writes one header line; a CR or LF in the value becomes a space, as net/http's server
// does, so that a value (a request id, a trace header) cannot add lines of its own.
func appendHeader(b []byte, k, v string) []byte {
	b = append(b, k...)
	b = append(b, ": "...)
	if strings.ContainsAny(v, "\r\n") {
		v = strings.NewReplacer("\r", " ", "\n", " ").Replace(v)
	}
	b = append(b, v...)
	return append(b, "\r\n"...)
}

// writeInvocation answers the runtime's /next with p: the event as the body, the invocation's context in
// headers.
func (c *rconn) writeInvocation(p *pending, arn string) error {
	b := append(c.out[:0], "HTTP/1.1 200 OK\r\n"...)
	b = appendHeader(b, hdrRequestID, p.inv.RequestID)
	b = append(b, hdrDeadline+": "...)
	b = strconv.AppendInt(b, p.deadline.UnixMilli(), 10)
	b = append(b, "\r\n"...)
	b = appendHeader(b, hdrFunctionArn, arn)
	b = appendHeader(b, hdrTraceID, p.inv.TraceID)
	if p.inv.ClientContext != "" {
		b = appendHeader(b, hdrClientContext, p.inv.ClientContext)
	}
	if p.inv.CognitoIdentity != "" {
		b = appendHeader(b, hdrCognitoIdentity, p.inv.CognitoIdentity)
	}
	b = append(b, "Content-Type: application/json\r\nContent-Length: "...)
	b = strconv.AppendInt(b, int64(len(p.inv.Payload)), 10)
	b = append(b, "\r\n\r\n"...)
	var err error
	if len(p.inv.Payload) <= inlinePayload {
		b = append(b, p.inv.Payload...)
		_, err = c.nc.Write(b)
	} else {
		bufs := net.Buffers{b, p.inv.Payload}
		_, err = bufs.WriteTo(c.nc)
	}
	c.out = b[:0]
	return err
}

// respWriter collects a handler's answer for flush. It is the connection's own (one request at a time),
// reused for every request.
type respWriter struct {
	h      http.Header
	status int
	body   []byte
}

func (w *respWriter) Header() http.Header { return w.h }

func (w *respWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
}

func (w *respWriter) Write(b []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	w.body = append(w.body, b...)
	return len(b), nil
}

// serve accepts the runtime's connections on ln until close. Each one gets a reader goroutine.
func (e *endpoint) serve(ln net.Listener, wg *sync.WaitGroup) {
	e.ln = ln
	e.wg = wg
	wg.Add(1)
	go func() {
		defer wg.Done()
		var delay time.Duration
		for {
			nc, err := ln.Accept()
			if err != nil {
				if errors.Is(err, net.ErrClosed) {
					return
				}
				// Out of file descriptors, or the like: retry as net/http's server does, backing off
				// from 5 ms to 1 s, rather than stop serving the runtime.
				delay = min(max(2*delay, 5*time.Millisecond), time.Second)
				select {
				case <-time.After(delay):
				case <-e.done:
					return
				}
				continue
			}
			delay = 0
			c := e.newConn(nc)
			e.f.mu.Lock()
			e.startConnLocked(c, nil)
			e.f.mu.Unlock()
		}
	}()
}

// startConnLocked gives c a reader goroutine, which first handles r if it is not nil (a request its
// previous owner read and cannot handle). After close, c is closed instead.
func (e *endpoint) startConnLocked(c *rconn, r *http.Request) {
	if e.closing {
		_ = c.nc.Close()
		return
	}
	e.conns[c] = struct{}{}
	e.wg.Add(1) // the accept goroutine, or the closing check above, keeps the count from reaching 0 meanwhile
	go e.serveConn(c, r)
}

// serveConn reads and handles requests on c until the runtime calls /next on it (c is then parked) or
// the connection ends.
func (e *endpoint) serveConn(c *rconn, r *http.Request) {
	defer e.wg.Done()
	for {
		if r == nil {
			var err error
			if r, err = c.read(); err != nil {
				e.drop(c)
				return
			}
		}
		switch e.handle(c, r) {
		case parkedConn:
			return
		case closeConn:
			e.drop(c)
			return
		}
		r = nil
	}
}

// drop closes c and forgets it.
func (e *endpoint) drop(c *rconn) {
	e.f.mu.Lock()
	e.dropLocked(c)
	e.f.mu.Unlock()
}

func (e *endpoint) dropLocked(c *rconn) {
	delete(e.conns, c)
	_ = c.nc.Close()
}

// alive reports whether the peer of a parked connection is still there (a non-blocking peek: nothing
// is consumed). An external runtime stopped in a debugger may have gone while it waited in /next.
func (c *rconn) alive() bool {
	return c.br.Buffered() > 0 || peekAlive(c.nc)
}
