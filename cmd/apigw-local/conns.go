package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/apigw-local/apigw-local/internal/config"
)

// Connection hygiene: how long a client may take, and how many may hold a connection at once, so that
// slow or idle clients cannot hold the server's resources (issue 10, point 5).
const (
	// readHeaderTimeout bounds the request line and headers: 30 s, as before. A client that has not sent
	// its headers by then is not a client API Gateway would wait for either.
	readHeaderTimeout = 30 * time.Second
	// readMargin is added to readHeaderTimeout and the largest integration timeout to make ReadTimeout.
	readMargin = 30 * time.Second
	// writeMargin is added to ReadTimeout to make WriteTimeout.
	writeMargin = 30 * time.Second
	// idleTimeout closes a keep-alive connection with no request for that long. AWS's own front-end value
	// is not in the reference; 60 s keeps idle connections from counting against maxConns for long
	// while any client's keep-alive pool (Go: 90 s, browsers: a few minutes) simply redials.
	idleTimeout = 60 * time.Second
	// maxHeaderBytes bounds the request line and headers (net/http adds 4 KiB of slack). AWS accepts up
	// to 10,240 bytes of URL plus 10,240 bytes of header values (REST) or 10,240 bytes of request line and
	// headers (HTTP APIs); 32 KiB is above the REST sum with header names, so every request AWS accepts is
	// read, and a larger one answers 431 before any of it is held.
	maxHeaderBytes = 32 << 10
	// Connection cap: the open-file limit minus a reserve for what else the process opens (function
	// processes' pipes, backend connections, spec files, the watcher), between minConns and maxConnsCap.
	minConns    = 16
	maxConnsCap = 1024
	minReserve  = 128
)

// connLimits are the http.Server's limits and the connection cap; tests shorten them.
type connLimits struct {
	readHeader, read, write, idle time.Duration
	maxHeaderBytes                int
	maxConns                      int
	fdLimit                       uint64 // what maxConns was derived from, for the log line; 0 if not
}

// productionLimits derives the limits from the largest integration timeout in force (the config's
// integrationTimeoutMax; AWS's 29 s without one).
//
// ReadTimeout runs from the first byte of a request until its handler ends, not only while the body
// arrives: once the body is read, net/http keeps a read pending to notice a client that goes away, and
// when the deadline passes that read fails and cancels the request's context. So it must cover the
// headers (readHeaderTimeout), the integration (its timeout bounds the whole call, streamed HTTP_PROXY
// responses included) and a margin for the body and the gateway's own work: 30 + 29 + 30 = 89 s by
// default. A body that trickles in for longer than that is cut.
//
// WriteTimeout runs from the end of the request headers until the response is written, and the handler
// reads the body of non-streamed integrations before calling them: a legitimate slow upload (10 MB on a
// slow link) followed by a slow integration may end just before the read deadline and must still be able
// to send its answer. So WriteTimeout is ReadTimeout plus writeMargin for the client to take the response:
// 119 s by default. It cuts a client that does not read its response. One global value is enough
// because every integration, the streaming HTTP_PROXY included, ends within its timeout (no
// per-request deadline through http.ResponseController is needed).
//
// Both are fixed when serve starts: a hot reload that raises integrationTimeoutMax above the value at
// start is served with the limits of the start (restart serve to widen them).
func productionLimits(integrationMax time.Duration) connLimits {
	if integrationMax <= 0 {
		integrationMax = config.DefaultIntegrationTimeoutMax
	}
	fd, ok := openFileLimit()
	return connLimits{
		readHeader:     readHeaderTimeout,
		read:           readHeaderTimeout + integrationMax + readMargin,
		write:          readHeaderTimeout + integrationMax + readMargin + writeMargin,
		idle:           idleTimeout,
		maxHeaderBytes: maxHeaderBytes,
		maxConns:       connCap(fd, ok),
		fdLimit:        fd,
	}
}

// connCap is the connection cap for an open-file limit: the limit less a reserve of a quarter (at least
// minReserve), clamped to [minConns, maxConnsCap]. Without a known limit, maxConnsCap.
func connCap(fdLimit uint64, known bool) int {
	if !known {
		return maxConnsCap
	}
	reserve := max(fdLimit/4, minReserve)
	if fdLimit <= reserve+minConns {
		return minConns
	}
	return int(min(fdLimit-reserve, maxConnsCap))
}

func (l connLimits) server(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: l.readHeader,
		ReadTimeout:       l.read,
		WriteTimeout:      l.write,
		IdleTimeout:       l.idle,
		MaxHeaderBytes:    l.maxHeaderBytes,
	}
}

// capListener admits at most cap connections at once: when they are all open, Accept waits until one
// closes (the semantics of golang.org/x/net/netutil.LimitListener; written here to say so in the log,
// once, rather than add a dependency). Connections beyond the cap wait in the kernel's accept queue.
type capListener struct {
	net.Listener
	sem       chan struct{}
	done      chan struct{}
	closeOnce sync.Once
	warnOnce  sync.Once
	warn      func()
}

func newCapListener(ln net.Listener, n int, log io.Writer, fdLimit uint64) *capListener {
	l := &capListener{Listener: ln, sem: make(chan struct{}, n), done: make(chan struct{})}
	l.warn = func() {
		from := ""
		if fdLimit > 0 {
			from = fmt.Sprintf(", derived from the open-file limit of %d (ulimit -n)", fdLimit)
		}
		fmt.Fprintf(log, "apigw-local: %d connections open, the limit%s: new connections wait until one closes (logged once)\n", n, from)
	}
	return l
}

func (l *capListener) Accept() (net.Conn, error) {
	select {
	case l.sem <- struct{}{}:
	case <-l.done:
		return nil, net.ErrClosed
	default:
		l.warnOnce.Do(l.warn)
		select {
		case l.sem <- struct{}{}:
		case <-l.done:
			return nil, net.ErrClosed
		}
	}
	c, err := l.Listener.Accept()
	if err != nil {
		<-l.sem
		return nil, err
	}
	return &cappedConn{Conn: c, release: func() { <-l.sem }}, nil
}

func (l *capListener) Close() error {
	l.closeOnce.Do(func() { close(l.done) })
	return l.Listener.Close()
}

// cappedConn gives its place back once, on the first Close.
type cappedConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *cappedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}
