package lambdaintegration

import (
	"bytes"
	"context"
	"net/http/httptest"
	"testing"

	"github.com/apigw-local/apigw-local/internal/integration"
	"github.com/apigw-local/apigw-local/internal/reqctx"
)

// keepingFunctions answers every invocation with result (or fails with err) and keeps each payload
// it was given, as an invocation still queued or running after its caller gave up would.
type keepingFunctions struct {
	result *integration.Invocation
	err    error
	kept   [][]byte
}

func (f *keepingFunctions) Invoke(_ context.Context, _ string, payload []byte, _ string) (*integration.Invocation, error) {
	f.kept = append(f.kept, payload)
	return f.result, f.err
}

func (f *keepingFunctions) InvokeAsync(string, []byte, string) error { return nil }

func proxyRequest(fns integration.Functions, path string) *integration.Request {
	return &integration.Request{
		HTTP:    httptest.NewRequest("GET", "http://api.example.com"+path, nil),
		Context: &reqctx.Context{Stage: "dev", ResourcePath: "/{proxy+}", RequestID: path},
		Runtime: &integration.Runtime{Functions: fns},
	}
}

// An event handed to an invocation that failed (the caller's context ended: the invocation may read it
// later) or whose function failed (a timeout: an in-process handler may still be running) is never
// reused for another event; one answered successfully may be.
func TestEventBufferNotReusedAfterFailure(t *testing.T) {
	ok := &keepingFunctions{result: &integration.Invocation{Payload: []byte(`{"statusCode":200}`)}}
	for name, failing := range map[string]*keepingFunctions{
		"invoke error":   {err: context.DeadlineExceeded},
		"function error": {result: &integration.Invocation{Payload: []byte(`{"errorType":"Sandbox.Timedout"}`), FunctionError: "Unhandled"}},
	} {
		t.Run(name, func(t *testing.T) {
			for _, k := range []integration.Responder{&proxyV1{target{fixed: "Fn"}}, &proxyV2{target{fixed: "Fn"}}} {
				failing.kept = nil
				if _, gerr := k.Respond(context.Background(), proxyRequest(failing, "/dev/kept")); gerr == nil {
					t.Fatal("no error")
				}
				kept := failing.kept[0]
				want := bytes.Clone(kept)
				for range 200 {
					if _, gerr := k.Respond(context.Background(), proxyRequest(ok, "/dev/other-request-with-a-longer-path")); gerr != nil {
						t.Fatal(gerr)
					}
				}
				if !bytes.Equal(kept, want) {
					t.Fatalf("the failed invocation's event was overwritten:\n%s\nwas\n%s", kept, want)
				}
			}
		})
	}
}
