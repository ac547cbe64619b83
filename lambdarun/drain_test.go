package lambdarun

import (
	"context"
	"errors"
	"testing"
)

// Drain lets the invocations in flight finish, refuses new ones with ErrDraining (so that a caller can
// send them to a replacement), and then closes the function. Close, by contrast, fails them.
func TestDrainFinishesInvocationsInFlight(t *testing.T) {
	t.Parallel()
	g := newGate(t)
	f := start(t, gatedConfig(t, Config{Concurrency: 1}))
	held := goInvoke(t, f, event(g.event())) // runs until the gate opens
	eventually(t, "the invocation to start", func() bool { return f.Stats().Busy == 1 })
	drained := make(chan error, 1)
	go func() { drained <- f.Drain() }()
	eventually(t, "the drain to begin", func() bool {
		f.mu.Lock()
		defer f.mu.Unlock()
		return f.draining
	})
	if _, err := f.Invoke(context.Background(), event(`{}`)); !errors.Is(err, ErrDraining) {
		t.Errorf("a new invocation while draining: %v, want ErrDraining", err)
	}
	select {
	case err := <-drained:
		t.Fatalf("Drain returned (%v) with an invocation in flight", err)
	default:
	}
	g.open(t)
	if res := <-held; res == nil || res.FunctionError != "" {
		t.Errorf("the invocation in flight: %+v", res)
	}
	if err := <-drained; err != nil {
		t.Errorf("Drain: %v", err)
	}
	if _, err := f.Invoke(context.Background(), event(`{}`)); !errors.Is(err, ErrClosed) {
		t.Errorf("after the drain: %v, want ErrClosed", err)
	}
}
