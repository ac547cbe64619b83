package emulator

import (
	"bytes"
	"net"
	"net/http"
	"sync"
)

// Header names as the client wrote them. net/http gives handlers canonical names ("X-Custom-Header" for
// "x-custom-HEADER"), but API Gateway keeps the client's spelling where a name reaches the user: the keys
// of $input.params().header and the headers of REST proxy and REQUEST authorizer events. A listener from
// WireNames keeps the last bytes each connection read, and the gateway finds a request's head in them.

// maxWireBytes bounds what a connection keeps: a request head is at most 32 KiB (the server's limit) and
// the server reads ahead by one buffer of 4 KiB.
const maxWireBytes = 64 << 10

// WireNames wraps ln so that the gateway serving its connections sees header names as the clients wrote
// them. Without it (httptest servers, other listeners) names are canonical.
func WireNames(ln net.Listener) net.Listener { return &wireListener{Listener: ln} }

type wireListener struct{ net.Listener }

func (l *wireListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	wc := &wireConn{Conn: c}
	wireConns.Store(connKey(c.LocalAddr().String(), c.RemoteAddr().String()), wc)
	return wc, nil
}

// wireConns finds a request's connection by its addresses (a request carries both).
var wireConns sync.Map // connKey -> *wireConn

func connKey(local, remote string) string { return local + "|" + remote }

type wireConn struct {
	net.Conn
	mu     sync.Mutex
	buf    []byte // the bytes read and not yet passed, at most maxWireBytes
	closed bool
}

func (c *wireConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 {
		c.mu.Lock()
		c.buf = append(c.buf, p[:n]...)
		if over := len(c.buf) - maxWireBytes; over > 0 {
			c.buf = append(c.buf[:0], c.buf[over:]...)
		}
		c.mu.Unlock()
	}
	return n, err
}

func (c *wireConn) Close() error {
	c.mu.Lock()
	if !c.closed {
		c.closed = true
		wireConns.Delete(connKey(c.LocalAddr().String(), c.RemoteAddr().String()))
	}
	c.mu.Unlock()
	return c.Conn.Close()
}

// headerNames returns the header names of r's head as written, in order, and forgets the bytes up to its
// end. The head is the first one, from the start of what is kept, whose request line is r's: bodies and
// earlier heads before it are skipped.
func (c *wireConn) headerNames(r *http.Request) []string {
	line := r.Method + " " + r.RequestURI + " " + r.Proto + "\r\n"
	c.mu.Lock()
	defer c.mu.Unlock()
	i := 0
	for {
		j := bytes.Index(c.buf[i:], []byte(line))
		if j < 0 {
			return nil
		}
		if start := i + j; start == 0 || c.buf[start-1] == '\n' {
			i = start
			break
		}
		i += j + 1
	}
	head := c.buf[i+len(line):]
	end := bytes.Index(head, []byte("\r\n\r\n"))
	if end < 0 {
		return nil
	}
	var names []string
	for _, l := range bytes.Split(head[:end], []byte("\r\n")) {
		if len(l) == 0 || l[0] == ' ' || l[0] == '\t' { // obsolete line folding continues a value
			continue
		}
		if k := bytes.IndexByte(l, ':'); k > 0 {
			names = append(names, string(l[:k]))
		}
	}
	consumed := i + len(line) + end + 4
	c.buf = append(c.buf[:0], c.buf[consumed:]...)
	return names
}

// wireHeaderNames are r's header names as its client wrote them, nil when its connection did not come
// from a WireNames listener.
func wireHeaderNames(r *http.Request) []string {
	local, _ := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
	if local == nil {
		return nil
	}
	v, ok := wireConns.Load(connKey(local.String(), r.RemoteAddr))
	if !ok {
		return nil
	}
	return v.(*wireConn).headerNames(r)
}
