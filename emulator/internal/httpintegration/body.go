package httpintegration

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"sync"

	"github.com/apigw-local/apigw-local/internal/gatewayresponse"
)

// MalformedBody reports whether err, met while reading a client's request body, says the body itself is
// malformed (bad chunked framing: a chunk size line that is not hex, a missing CRLF, bad trailers) rather
// than too large (MaxBytesError), cut short (the client went away: EOF, a connection error), timed out
// (the server's read deadline) or abandoned (a cancelled context). net/http does not export its chunked
// framing errors, so they are recognised as what remains once those cases are excluded.
func MalformedBody(err error) bool {
	if err == nil {
		return false
	}
	var tooLarge *http.MaxBytesError
	var netErr net.Error
	switch {
	case errors.As(err, &tooLarge), errors.As(err, &netErr),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, net.ErrClosed),
		errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded),
		errors.Is(err, http.ErrBodyReadAfterClose), errors.Is(err, http.ErrHandlerTimeout):
		return false
	}
	return true
}

// MalformedBodyError is the answer to a malformed request body: 400. On AWS such a request never
// reaches API Gateway: the front end (CloudFront for edge-optimised APIs, the regional load balancer
// otherwise) rejects the framing with a plain 400 of its own, which is not recorded in the reference.
// The closest answer the emulator can give from a gateway response is BAD_REQUEST_BODY:
// 400 {"message": "Invalid request body"}, BadRequestException.
func MalformedBodyError(err error) *gatewayresponse.Error {
	return gatewayresponse.New(gatewayresponse.BadRequestBody, "malformed request body: %v", err)
}

// bodyRecorder remembers the first error reading the client's body, so that a failed proxy call can tell
// a malformed body (the client's fault: 400) from a backend failure (504). The transport reads the body
// on its own goroutine, which may still run when the call fails: hence the lock.
type bodyRecorder struct {
	io.ReadCloser
	mu  sync.Mutex
	err error
}

func (b *bodyRecorder) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil && err != io.EOF {
		b.mu.Lock()
		if b.err == nil {
			b.err = err
		}
		b.mu.Unlock()
	}
	return n, err
}

// readErr is the first error reading the body, nil if none.
func (b *bodyRecorder) readErr() error {
	if b == nil {
		return nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.err
}
