package emulator

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"sync"
)

// Header names as the client wrote them. net/http gives handlers canonical names ("X-Custom-Header" for
// "x-custom-HEADER"), but API Gateway keeps the client's spelling where a name reaches the user: the keys
// of $input.params().header and the headers of REST proxy and REQUEST authorizer events. A listener from
// WireNames keeps the last bytes each connection read, and the gateway finds a request's head in them.

// maxWireBytes bounds what a connection keeps: a request head is at most 32 KiB (the server's limit) and
// the server reads ahead by one buffer of 4 KiB. The buffer is cut back to it when it reaches twice as
// much, so that a large upload costs one copy per 64 KiB, not one per read.
const maxWireBytes = 64 << 10

// WireNames wraps ln so that the gateway serving its connections sees header names as the clients wrote
// them; the server must also use WireConnContext as its ConnContext. Without them (httptest servers,
// other listeners) names are canonical.
func WireNames(ln net.Listener) net.Listener { return &wireListener{Listener: ln} }

// WireConnContext is the http.Server ConnContext that goes with WireNames.
func WireConnContext(ctx context.Context, c net.Conn) context.Context {
	if wc, ok := c.(*wireConn); ok {
		return context.WithValue(ctx, wireConnKey{}, wc)
	}
	return ctx
}

type wireConnKey struct{}

type wireListener struct{ net.Listener }

func (l *wireListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &wireConn{Conn: c}, nil
}

type wireConn struct {
	net.Conn
	mu  sync.Mutex
	buf []byte // the last bytes read, at most 2*maxWireBytes
}

func (c *wireConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 {
		c.mu.Lock()
		c.buf = append(c.buf, p[:n]...)
		if len(c.buf) > 2*maxWireBytes {
			c.buf = append(c.buf[:0], c.buf[len(c.buf)-maxWireBytes:]...)
		}
		c.mu.Unlock()
	}
	return n, err
}

// headerNames returns the header names of r's head as written, in order: the last head in what the
// connection read whose request line is r's (HTTP/1.1 serves one request at a time; the server may
// have read the start of the next, pipelined one, which then has another request line or comes after).
func (c *wireConn) headerNames(r *http.Request) []string {
	line := r.Method + " " + r.RequestURI + " " + r.Proto + "\r\n"
	c.mu.Lock()
	defer c.mu.Unlock()
	buf := c.buf
	for {
		j := bytes.LastIndex(buf, []byte(line))
		if j < 0 {
			return nil
		}
		if j == 0 || buf[j-1] == '\n' {
			buf = c.buf[j+len(line):]
			break
		}
		buf = buf[:j]
	}
	end := bytes.Index(buf, []byte("\r\n\r\n"))
	if end < 0 {
		return nil
	}
	var names []string
	for _, l := range bytes.Split(buf[:end], []byte("\r\n")) {
		if len(l) == 0 || l[0] == ' ' || l[0] == '\t' { // obsolete line folding continues a value
			continue
		}
		if k := bytes.IndexByte(l, ':'); k > 0 {
			names = append(names, string(l[:k]))
		}
	}
	return names
}

// wireConnOf is r's connection when it came from a WireNames listener.
func wireConnOf(r *http.Request) *wireConn {
	wc, _ := r.Context().Value(wireConnKey{}).(*wireConn)
	return wc
}
