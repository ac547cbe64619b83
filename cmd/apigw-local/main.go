// Command apigw-local serves exported Amazon API Gateway specs locally, the way API Gateway would.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// forceAfter bounds a graceful stop: once this long has passed since the first SIGINT or SIGTERM, the
// process exits whatever is still running, so that `serve` is gone within 5 s of being asked to stop.
const forceAfter = 4500 * time.Millisecond

func main() {
	ctx, cancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-sigs
		cancel() // the command stops gracefully: serve ends its requests and its Lambda processes
		select {
		case sig := <-sigs:
			forceExit(fmt.Sprintf("second %v: exiting now", sig))
		case <-time.After(forceAfter):
			forceExit(fmt.Sprintf("still stopping after %v: exiting now", forceAfter))
		}
	}()
	err := newRootCommand(os.Stdout, os.Stderr).ExecuteContext(ctx)
	os.Exit(exitCode(err))
}

// forceExit ends the process at once, after killing the Lambda processes it started (each leads its own
// process group, which would otherwise outlive it).
func forceExit(why string) {
	killChildren()
	fmt.Fprintln(os.Stderr, "apigw-local:", why)
	os.Exit(1)
}

// exitCode maps a command's outcome to the process exit code: 0 success, 1 findings or a failed run,
// 2 a usage error.
func exitCode(err error) int {
	if err == nil {
		return 0
	}
	var ee exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	fmt.Fprintln(os.Stderr, "apigw-local:", err)
	return 2 // cobra's own errors are about usage: unknown flag, wrong argument count
}

// exitError ends a command with a code after it has printed what the user needs.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }
