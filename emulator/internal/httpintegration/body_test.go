package httpintegration

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
)

// The chunked reader's own errors (not exported by net/http) count as malformed; a body cut short, too
// large, timed out or abandoned does not.
func TestMalformedBody(t *testing.T) {
	chunked := func(raw string) error {
		req, err := http.ReadRequest(bufio.NewReader(strings.NewReader(
			"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + raw)))
		if err != nil {
			t.Fatal(err)
		}
		_, err = io.ReadAll(req.Body)
		return err
	}
	for name, err := range map[string]error{
		"bad chunk size": chunked("zz\r\nabc\r\n0\r\n\r\n"),
		"missing CRLF":   chunked("3\r\nabcX0\r\n\r\n"),
		"huge chunk":     chunked("ffffffffffffffffff\r\n"),
	} {
		if err == nil || !MalformedBody(err) {
			t.Errorf("%s: %v should count as a malformed body", name, err)
		}
	}
	for name, err := range map[string]error{
		"none":      nil,
		"cut short": chunked("3\r\nab"),
		"too large": &http.MaxBytesError{Limit: 10},
		"timeout":   &net.OpError{Op: "read", Err: os.ErrDeadlineExceeded},
		"reset":     &net.OpError{Op: "read", Err: errors.New("connection reset by peer")},
		"cancelled": context.Canceled,
		"closed":    net.ErrClosed,
	} {
		if MalformedBody(err) {
			t.Errorf("%s: %v counted as a malformed body", name, err)
		}
	}
}
