package lambdarun

import (
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"time"
)

// Errors returned by Invoke itself. They are the caller's own failures; a function that fails produces a
// Result with FunctionError set instead, as the Lambda Invoke API answers 200 with X-Amz-Function-Error.
var (
	// ErrPayloadTooLarge is wrapped by the error Invoke returns for a request payload over
	// MaxRequestPayload; the error's text is AWS's RequestTooLargeException message, e.g. "6991583 byte
	// payload is too large for the RequestResponse invocation type (limit 6291456 bytes)".
	ErrPayloadTooLarge = errors.New("lambdarun: request payload too large")
	// ErrClosed is returned by Invoke after Close, and to invocations still waiting when Close is called.
	ErrClosed = errors.New("lambdarun: function closed")
	// ErrDraining is returned by Invoke after Drain: the invocation was refused before it started, so the
	// caller may send it to the function that replaced this one.
	ErrDraining = errors.New("lambdarun: function draining")
)

// payloadTooLargeError carries AWS's text and unwraps to ErrPayloadTooLarge, so that callers can both
// test for it and show the client what Lambda would have said.
type payloadTooLargeError struct{ size int }

func (e *payloadTooLargeError) Error() string {
	return fmt.Sprintf("%d byte payload is too large for the RequestResponse invocation type (limit %d bytes)",
		e.size, MaxRequestPayload)
}

func (e *payloadTooLargeError) Unwrap() error { return ErrPayloadTooLarge }

// Error types of the payloads this package makes itself, and the one it passes through when a runtime
// reports an init error without saying which.
const (
	errorTypeTimeout       = "Sandbox.Timedout"
	errorTypeExit          = "Runtime.ExitError"
	errorTypeEntrypoint    = "Runtime.InvalidEntrypoint"
	errorTypeTooLarge      = "Function.ResponseSizeTooLarge"
	errorTypeInit          = "Runtime.InitError"
	errorTypeUnknown       = "Runtime.Unknown"
	functionErrorUnhandled = "Unhandled"
)

// platformError is the shape of the error payloads Lambda itself writes (as opposed to those a runtime
// posts): errorType first, then errorMessage, no stack trace.
type platformError struct {
	Type    string `json:"errorType"`
	Message string `json:"errorMessage"`
}

func (e platformError) payload() []byte {
	b, _ := json.Marshal(e) // two strings: cannot fail
	return b
}

// timeoutError is what Lambda answers when an invocation outlives its timeout. Current AWS answers
// {"errorType":"Sandbox.Timedout","errorMessage":"RequestId: <id> Error: Task timed out after 3.00 seconds"};
// before 2024 the payload was {"errorMessage":"<timestamp> <id> Task timed out after 3.00 seconds"}. The
// current form is used; both contain the "Task timed out after N.NN seconds" that people search for.
func timeoutError(requestID string, timeout time.Duration) platformError {
	return platformError{
		Type:    errorTypeTimeout,
		Message: fmt.Sprintf("RequestId: %s Error: Task timed out after %.2f seconds", requestID, timeout.Seconds()),
	}
}

// exitError is what Lambda answers when the runtime process exits during an invocation (or during the
// init that the invocation waits for): "RequestId: <id> Error: Runtime exited with error: exit status 2",
// or "signal: killed" for a signal. Lambda's sandbox is written in Go, and the text after "error: " is
// exactly os/exec's description of the exit, which is what waitErr gives here. A clean exit (status 0) is
// "Runtime exited without providing a reason".
func exitError(requestID string, waitErr error) platformError {
	msg := "Runtime exited without providing a reason"
	var ee *exec.ExitError
	if errors.As(waitErr, &ee) {
		msg = "Runtime exited with error: " + ee.ProcessState.String()
	} else if waitErr != nil {
		msg = "Runtime exited with error: " + waitErr.Error()
	}
	return platformError{Type: errorTypeExit, Message: "RequestId: " + requestID + " Error: " + msg}
}

// entrypointError is what Lambda answers when the runtime cannot be started at all, e.g.
// "RequestId: <id> Error: fork/exec /var/task/bootstrap: no such file or directory".
func entrypointError(requestID string, err error) platformError {
	return platformError{Type: errorTypeEntrypoint, Message: "RequestId: " + requestID + " Error: " + err.Error()}
}

// tooLargeError is what Lambda answers when the function's response is over the limit. Older AWS
// messages omit the size ("Response payload size exceeded maximum allowed payload size (6291556
// bytes)."); current ones include it, and so does this one.
func tooLargeError(size int) platformError {
	return platformError{
		Type: errorTypeTooLarge,
		Message: fmt.Sprintf("Response payload size (%d bytes) exceeded maximum allowed payload size (%d bytes).",
			size, MaxResponsePayload),
	}
}

// initTimeoutError fails the invocation that waited for an init which did not finish in time. AWS
// retries such an init inside the invocation and finally reports the function timeout; here the init
// limit itself is reported, in the same shape, because that is what actually ran out.
func initTimeoutError(requestID string, limit time.Duration) platformError {
	return platformError{
		Type: errorTypeTimeout,
		Message: fmt.Sprintf("RequestId: %s Error: Task timed out after %.2f seconds (init did not finish)",
			requestID, limit.Seconds()),
	}
}

// runtimeErrorPayload is the payload of an invocation whose runtime posted /error or /init/error: the
// body as posted when it is non-empty (aws-lambda-go posts {"errorMessage","errorType","stackTrace"}),
// else an error built from the Lambda-Runtime-Function-Error-Type header, which is what the Runtime API
// specification says Lambda does when no payload is given.
func runtimeErrorPayload(body []byte, errorType, fallbackType string) []byte {
	if len(body) > 0 {
		return body
	}
	if errorType == "" {
		errorType = fallbackType
	}
	return platformError{Type: errorType, Message: ""}.payload()
}

// apiError is the body of a Runtime API error response, e.g. {"errorMessage":"Invalid request ID",
// "errorType":"InvalidRequestID"} (errorMessage first, as Lambda writes these).
type apiError struct {
	Message string `json:"errorMessage"`
	Type    string `json:"errorType"`
}
