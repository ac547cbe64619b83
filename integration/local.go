package integration

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/apigw-local/apigw-local/emulator"
	"github.com/apigw-local/apigw-local/fixtures"
)

// Local is apigw-local served in the test process (see Start).
type Local struct {
	base   string
	client *http.Client
}

// Start serves opts' specs and config in the test process, over real HTTP on 127.0.0.1 on a free port,
// with no Docker: WithFunctionBinary runs the binary as a local process, WithHandler calls the handler
// in-process. With no spec and no config it serves the embedded example API. The server, and every
// function process it started, stops when the test ends; a problem in the sources fails the test.
func Start(t testing.TB, opts ...Option) *Local {
	t.Helper()
	var s settings
	for _, o := range opts {
		o.apply(&s)
	}
	src := emulator.Sources{Specs: s.specs, Config: s.config, FunctionCommands: s.commands,
		Fallback: fixtures.Example, FallbackName: fixtures.ExampleSpec, FallbackConfig: fixtures.ExampleConfig, FallbackFunctions: fixtures.ExampleFunctions()}
	srv, loaded, err := emulator.NewServer(src, nil, io.Discard)
	if err != nil {
		if loaded != nil {
			t.Fatalf("integration.Start: %v:\n%v", err, loaded.Findings)
		}
		t.Fatalf("integration.Start: %v", err)
	}
	for _, h := range s.handlers {
		srv.Gateway.RegisterHandler(h.name, h.handler)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		_ = srv.Gateway.Close()
		t.Fatalf("integration.Start: %v", err)
	}
	ln = emulator.WireNames(ln) // header names as the client wrote them, as on API Gateway
	hs := &http.Server{Handler: srv.Gateway, ReadHeaderTimeout: 10 * time.Second, ConnContext: emulator.WireConnContext}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("integration.Start: serve: %v", err)
		}
	}()
	tr := &http.Transport{}
	l := &Local{base: "http://" + ln.Addr().String(), client: &http.Client{Transport: tr}}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if hs.Shutdown(ctx) != nil {
			_ = hs.Close()
		}
		<-done
		_ = srv.Gateway.Close()
		tr.CloseIdleConnections()
	})
	return l
}

// URL is the base URL of stage: http://127.0.0.1:port/{stage}.
func (l *Local) URL(stage string) string { return l.base + "/" + stage }

// Usage is the usage of keyID under its usage plan (GET /_apigw/usage?keyId=...).
func (l *Local) Usage(ctx context.Context, keyID string) (*Usage, error) {
	return getUsage(ctx, l.client, l.base, keyID)
}

// Reset refills every token bucket and forgets every quota count and the authorizer cache
// (POST /_apigw/reset).
func (l *Local) Reset(ctx context.Context) error { return reset(ctx, l.client, l.base) }
