package lambdarun

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

// invokeInProcess runs p through Config.Handler in this process, with the same contract as a process:
// at most Concurrency at once (the rest wait in arrival order), a deadline, a lambdacontext, and every
// failure turned into an error payload.
func (f *Function) invokeInProcess(ctx context.Context, p *pending) (*Result, error) {
	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		return nil, ErrClosed
	}
	f.inprocQueued++
	f.mu.Unlock()
	select {
	case f.sem <- struct{}{}:
	case <-ctx.Done():
		f.mu.Lock()
		f.inprocQueued--
		f.mu.Unlock()
		return nil, ctx.Err()
	case <-f.baseCtx.Done():
		f.mu.Lock()
		f.inprocQueued--
		f.mu.Unlock()
		return nil, ErrClosed
	}
	f.mu.Lock()
	f.inprocQueued--
	if f.closed {
		f.mu.Unlock()
		<-f.sem
		return nil, ErrClosed
	}
	f.inprocBusy++
	now := time.Now()
	p.started = now
	p.deadline = now.Add(f.cfg.Timeout)
	f.mu.Unlock()

	// The handler's context deadline is the timeout: its timer, and no second one, ends the invocation.
	hctx, cancel := context.WithDeadline(f.baseCtx, p.deadline)
	stop := context.AfterFunc(hctx, func() {
		if errors.Is(hctx.Err(), context.DeadlineExceeded) {
			f.inprocTimeout(p)
		}
	})
	f.log.start(p.inv.RequestID)
	go f.runHandler(hctx, p, func() {
		stop() // before cancel, so that a normal return does not start the callback
		cancel()
	})

	select {
	case <-p.done:
		return p.res, p.err
	case <-ctx.Done():
		return nil, ctx.Err() // the handler runs on; its END and REPORT lines still appear
	}
}

// runHandler calls the handler and completes p with its outcome, unless the timeout did first. It holds
// the concurrency slot until the handler returns, however late: a handler that ignores its context
// occupies a slot like a process that ignores SIGTERM would, and the pool must not pretend otherwise.
func (f *Function) runHandler(hctx context.Context, p *pending, release func()) {
	defer func() {
		release()
		f.mu.Lock()
		f.inprocBusy--
		f.mu.Unlock()
		<-f.sem
	}()
	out, errResp := f.callHandler(hctx, p.inv)
	now := time.Now()

	var res *Result
	switch {
	case !now.Before(p.deadline):
		return // the timeout has answered (or is about to): a late result is dropped, as in Lambda
	case errResp != nil:
		res = f.newResult(p, now, marshalInvokeError(errResp), functionErrorUnhandled, 0)
	case len(out) > MaxResponsePayload:
		res = f.newResult(p, now, tooLargeError(len(out)).payload(), functionErrorUnhandled, 0)
	default:
		res = f.newResult(p, now, out, "", 0)
	}
	f.mu.Lock()
	won := f.finishLocked(p, res, nil)
	f.mu.Unlock()
	if won {
		if errResp != nil && f.log.enabled() {
			// aws-lambda-go logs the error payload of a failed invocation; so does this, for parity.
			f.log.line(marshalInvokeError(errResp))
		}
		f.log.end(p.inv.RequestID, f.cfg.MemorySize, res)
	}
}

// inprocTimeout completes an in-process invocation at its deadline.
func (f *Function) inprocTimeout(p *pending) {
	now := time.Now()
	res := f.newResult(p, now, timeoutError(p.inv.RequestID, f.cfg.Timeout).payload(), functionErrorUnhandled, 0)
	f.mu.Lock()
	won := f.finishLocked(p, res, nil)
	if won {
		f.timeouts++
	}
	f.mu.Unlock()
	if won {
		f.log.timedOut(p.inv.RequestID, now, f.cfg.Timeout)
		f.log.end(p.inv.RequestID, f.cfg.MemorySize, res)
	}
}

// callHandler calls the handler the way aws-lambda-go's invoke loop does: with a lambdacontext and the
// trace id in the context, a panic recovered into an error with a stack trace, an error turned into
// {"errorMessage","errorType"}.
func (f *Function) callHandler(ctx context.Context, inv Invocation) (out []byte, errResp *messages.InvokeResponse_Error) {
	lc := lambdacontext.LambdaContext{AwsRequestID: inv.RequestID, InvokedFunctionArn: f.arn}
	if inv.ClientContext != "" {
		if err := json.Unmarshal([]byte(inv.ClientContext), &lc.ClientContext); err != nil {
			return nil, invokeError(fmt.Errorf("failed to unmarshal client context json: %v", err))
		}
	}
	if inv.CognitoIdentity != "" {
		if err := json.Unmarshal([]byte(inv.CognitoIdentity), &lc.Identity); err != nil {
			return nil, invokeError(fmt.Errorf("failed to unmarshal cognito identity json: %v", err))
		}
	}
	ctx = lambdacontext.NewContext(ctx, &lc)
	// aws-lambda-go puts the trace id under this plain string key, and the X-Ray SDK reads it from there.
	ctx = context.WithValue(ctx, "x-amzn-trace-id", inv.TraceID) //nolint:staticcheck // key fixed by aws-lambda-go

	defer func() {
		if v := recover(); v != nil {
			out, errResp = nil, panicError(v)
		}
	}()
	out, err := f.cfg.Handler.Invoke(ctx, inv.Payload)
	if err != nil {
		return nil, invokeError(err)
	}
	return out, nil
}

// invokeError describes a handler's error as aws-lambda-go does: its message, and as its type the name of
// the error's Go type without the pointer ("errorString" for errors.New). An InvokeResponse_Error is used
// as it is, which is how a handler chooses its own errorType.
func invokeError(err error) *messages.InvokeResponse_Error {
	if ive, ok := err.(messages.InvokeResponse_Error); ok {
		return &ive
	}
	return &messages.InvokeResponse_Error{Message: err.Error(), Type: typeName(err)}
}

// panicError describes a recovered panic as aws-lambda-go does: the value printed with %v, the name of its
// type, and the stack from the panicking function down.
func panicError(v any) *messages.InvokeResponse_Error {
	if ive, ok := v.(messages.InvokeResponse_Error); ok {
		return &ive
	}
	return &messages.InvokeResponse_Error{Message: fmt.Sprintf("%v", v), Type: typeName(v), StackTrace: panicStack()}
}

func typeName(v any) string {
	t := reflect.TypeOf(v)
	if t == nil {
		return ""
	}
	if t.Kind() == reflect.Pointer {
		return t.Elem().Name()
	}
	return t.Name()
}

// panicStack returns the stack of the goroutine that is panicking, starting at the function that called
// panic (the frames of the runtime's panic machinery and of this package's recovery are left out). Frames
// are written as aws-lambda-go writes them: the file path from the package directory on, and the function
// name without its package.
func panicStack() []*messages.InvokeResponse_Error_StackFrame {
	pcs := make([]uintptr, 64)
	pcs = pcs[:runtime.Callers(1, pcs)]
	frames := runtime.CallersFrames(pcs)
	var out []*messages.InvokeResponse_Error_StackFrame
	afterPanic := false
	for {
		fr, more := frames.Next()
		if afterPanic {
			out = append(out, stackFrame(fr))
		} else if fr.Function == "runtime.gopanic" {
			afterPanic = true
		}
		if !more {
			break
		}
	}
	return out
}

func stackFrame(fr runtime.Frame) *messages.InvokeResponse_Error_StackFrame {
	// Keep as many trailing path elements as the function's import path has, plus the file name:
	// "github.com/x/y/pkg.F" in ".../src/github.com/x/y/pkg/f.go" gives "github.com/x/y/pkg/f.go".
	path := fr.File
	i := len(path)
	for n := strings.Count(fr.Function, "/") + 2; n > 0; n-- {
		i = strings.LastIndex(path[:i], "/")
		if i < 0 {
			break
		}
	}
	path = path[i+1:]
	label := fr.Function[strings.LastIndex(fr.Function, "/")+1:]
	label = label[strings.Index(label, ".")+1:]
	return &messages.InvokeResponse_Error_StackFrame{Path: path, Line: int32(fr.Line), Label: label}
}

// marshalInvokeError gives the error payload aws-lambda-go posts: {"errorMessage","errorType"} and, for a
// panic, "stackTrace".
func marshalInvokeError(e *messages.InvokeResponse_Error) []byte {
	b, err := json.Marshal(e)
	if err != nil {
		b, _ = json.Marshal(messages.InvokeResponse_Error{Message: err.Error(), Type: "Runtime.SerializationError"})
	}
	return b
}
