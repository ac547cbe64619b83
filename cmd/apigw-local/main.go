// Command apigw-local serves exported Amazon API Gateway specs locally, the way API Gateway would.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := newRootCommand(os.Stdout, os.Stderr).ExecuteContext(ctx)
	os.Exit(exitCode(err))
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
