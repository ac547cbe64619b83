package lambdarun

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

// handlerFunc adapts a function to lambda.Handler without aws-lambda-go's reflection.
type handlerFunc func(ctx context.Context, payload []byte) ([]byte, error)

func (h handlerFunc) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	return h(ctx, payload)
}

var lambdacontextFrom = lambdacontext.FromContext

func TestInvokeInProcess(t *testing.T) {
	t.Parallel()
	type event struct {
		Name  string `json:"name"`
		Panic bool   `json:"panic"`
		Fail  bool   `json:"fail"`
		Typed bool   `json:"typed"`
		Sleep int    `json:"sleep"`
	}
	log := &syncBuffer{}
	f := start(t, Config{
		Name: "hello", Timeout: 300 * time.Millisecond, Log: log,
		Handler: lambda.NewHandler(func(ctx context.Context, e event) (map[string]string, error) {
			switch {
			case e.Panic:
				panic("no name")
			case e.Fail:
				return nil, errors.New("cannot greet " + e.Name)
			case e.Typed:
				return nil, messages.InvokeResponse_Error{Message: "gone", Type: "PetGone"}
			case e.Sleep > 0:
				time.Sleep(time.Duration(e.Sleep) * time.Millisecond)
			}
			lc, _ := lambdacontext.FromContext(ctx)
			return map[string]string{"greeting": "hello " + e.Name, "requestId": lc.AwsRequestID}, nil
		}),
	})
	tests := []struct {
		name          string
		event         string
		wantPayload   string // exact payload, if set
		wantErrorType string // errorType of a function error, if set
		wantMessage   string
		wantStack     bool
	}{
		{name: "success", event: `{"name":"rex"}`, wantPayload: `{"greeting":"hello rex","requestId":"req"}`},
		{name: "error", event: `{"name":"rex","fail":true}`, wantPayload: `{"errorMessage":"cannot greet rex","errorType":"errorString"}`},
		{name: "typed error", event: `{"typed":true}`, wantPayload: `{"errorMessage":"gone","errorType":"PetGone"}`},
		{name: "panic", event: `{"panic":true}`, wantErrorType: "string", wantMessage: "no name", wantStack: true},
		{name: "bad event", event: `{"name":1}`, wantErrorType: "UnmarshalTypeError", wantMessage: "json: cannot unmarshal number"},
		{name: "timeout", event: fmt.Sprintf(`{"sleep":%d}`, 2*patience.Milliseconds()),
			wantPayload: `{"errorType":"Sandbox.Timedout","errorMessage":"RequestId: req Error: Task timed out after 0.30 seconds"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			began := time.Now()
			res, err := f.Invoke(context.Background(), Invocation{RequestID: "req", Payload: []byte(tt.event)})
			if err != nil {
				t.Fatal(err)
			}
			// Far below what the timeout case's handler sleeps: the timeout, not the handler, ended it.
			if time.Since(began) > patience {
				t.Errorf("took %v", time.Since(began))
			}
			if tt.wantPayload != "" && string(res.Payload) != tt.wantPayload {
				t.Errorf("payload %s, want %s", res.Payload, tt.wantPayload)
			}
			if tt.wantErrorType == "" && strings.Contains(tt.wantPayload, "errorType") == (res.FunctionError == "") {
				t.Errorf("FunctionError %q", res.FunctionError)
			}
			if tt.wantErrorType != "" {
				e := decodeError(t, res)
				if e.ErrorType != tt.wantErrorType || !strings.HasPrefix(e.ErrorMessage, tt.wantMessage) || (len(e.StackTrace) > 0) != tt.wantStack {
					t.Errorf("error %+v", e)
				}
			}
		})
	}
	// The timeout's log lines follow its result.
	eventually(t, "the timeout in the log:\n"+log.String(), func() bool { return strings.Contains(log.String(), "Task timed out after 0.30 seconds") })
	if !strings.Contains(log.String(), "[hello] START RequestId: req Version: $LATEST") {
		t.Errorf("log:\n%s", log)
	}
	if s := f.Stats(); s.Timeouts != 1 || s.Alive != 0 {
		t.Errorf("stats %+v", s)
	}
}

func TestInProcessPanicStack(t *testing.T) {
	t.Parallel()
	f := start(t, Config{Handler: handlerFunc(func(context.Context, []byte) ([]byte, error) {
		var m map[string]int
		m["boom"]++ // a runtime error panic
		return nil, nil
	})})
	res := invoke(t, f, `{}`)
	e := decodeError(t, res)
	if e.ErrorType != "plainError" || e.ErrorMessage != "assignment to entry in nil map" {
		t.Errorf("error %+v", e)
	}
	// The stack starts where the panic started (here inside the runtime's map code, which panicked on
	// behalf of the handler) and leaves out the panic machinery and this package's recovery.
	stack := string(res.Payload)
	if !strings.Contains(stack, `lambdarun/inprocess_test.go","line":`) || !strings.Contains(stack, `"label":"TestInProcessPanicStack.func1"`) {
		t.Errorf("the stack lacks the panicking handler: %s", stack)
	}
	for _, hidden := range []string{"gopanic", "panicStack", "callHandler.func"} {
		if strings.Contains(stack, hidden) {
			t.Errorf("the stack shows %s: %s", hidden, stack)
		}
	}
}

func TestInProcessConcurrency(t *testing.T) {
	t.Parallel()
	// Every handler waits for the test to release it: ten invocations make two run and eight wait, and
	// none of that depends on how fast the machine is.
	var running, most atomic.Int32
	release := make(chan struct{})
	f := start(t, Config{Concurrency: 2, Timeout: 3 * patience, Handler: handlerFunc(func(context.Context, []byte) ([]byte, error) {
		n := running.Add(1)
		defer running.Add(-1)
		for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
		}
		<-release
		return []byte(`1`), nil
	})})
	var done []<-chan *Result
	for range 10 {
		done = append(done, goInvoke(t, f, event(`{}`)))
	}
	eventually(t, "two handlers run and eight invocations wait", func() bool {
		s := f.Stats()
		return s.Busy == 2 && s.Queued == 8
	})
	if n := running.Load(); n != 2 {
		t.Errorf("%d handlers run at once, want 2", n)
	}
	close(release)
	for _, d := range done {
		<-d
	}
	if most.Load() != 2 {
		t.Errorf("at most %d handlers ran at once, want 2", most.Load())
	}
	if s := f.Stats(); s.Invocations != 10 {
		t.Errorf("stats %+v", s)
	}
}

func TestInProcessResponseTooLarge(t *testing.T) {
	t.Parallel()
	f := start(t, Config{Handler: handlerFunc(func(context.Context, []byte) ([]byte, error) {
		return make([]byte, MaxResponsePayload+1), nil
	})})
	res := invoke(t, f, `{}`)
	if e := decodeError(t, res); e.ErrorType != "Function.ResponseSizeTooLarge" {
		t.Errorf("error %+v", e)
	}
}
