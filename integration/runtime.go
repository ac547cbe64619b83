package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

// serveHandlers runs one Runtime API client per handler against its external function's endpoint in
// the container, until the returned stop is called (it waits for the clients to end).
func (c *Container) serveHandlers(ctx context.Context, hs []namedHandler) (func(), error) {
	tr := &http.Transport{}
	hc := &http.Client{Transport: tr}
	rctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	stop := func() {
		cancel()
		wg.Wait()
		tr.CloseIdleConnections()
	}
	for _, h := range hs {
		addr, err := c.PortEndpoint(ctx, strconv.Itoa(h.port)+"/tcp", "http")
		if err != nil {
			stop()
			return nil, fmt.Errorf("integration: WithHandler(%q): the Runtime API port: %w", h.name, err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			runtimeLoop(rctx, hc, addr+"/2018-06-01/runtime/invocation/", h.handler)
		}()
	}
	return stop, nil
}

// runtimeLoop asks base+"next" for invocations and answers each, until ctx ends. Failures to reach the
// endpoint (not listening yet, a container restarting) are retried after a short pause.
func runtimeLoop(ctx context.Context, hc *http.Client, base string, h lambda.Handler) {
	for ctx.Err() == nil {
		if err := serveOne(ctx, hc, base, h); err != nil {
			select {
			case <-ctx.Done():
			case <-time.After(50 * time.Millisecond):
			}
		}
	}
}

func serveOne(ctx context.Context, hc *http.Client, base string, h lambda.Handler) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"next", nil)
	if err != nil {
		return err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	payload, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return err
	}
	id := resp.Header.Get("Lambda-Runtime-Aws-Request-Id")
	if resp.StatusCode != http.StatusOK || id == "" {
		return fmt.Errorf("next: %s", resp.Status)
	}
	ictx := lambdacontext.NewContext(ctx, &lambdacontext.LambdaContext{AwsRequestID: id, InvokedFunctionArn: resp.Header.Get("Lambda-Runtime-Invoked-Function-Arn")})
	if ms, err := strconv.ParseInt(resp.Header.Get("Lambda-Runtime-Deadline-Ms"), 10, 64); err == nil {
		var cancel context.CancelFunc
		ictx, cancel = context.WithDeadline(ictx, time.UnixMilli(ms))
		defer cancel()
	}
	out, herr := invoke(ictx, h, payload)
	path, body := base+id+"/response", out
	if herr != nil {
		path = base + id + "/error"
		body, _ = json.Marshal(map[string]string{"errorMessage": herr.Error(), "errorType": errorType(herr)})
	}
	post, err := http.NewRequestWithContext(ctx, http.MethodPost, path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	post.Header.Set("Content-Type", "application/json")
	presp, err := hc.Do(post)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, presp.Body)
	presp.Body.Close()
	return nil
}

// invoke calls the handler, turning a panic into an error as aws-lambda-go does.
func invoke(ctx context.Context, h lambda.Handler, payload []byte) (out []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	return h.Invoke(ctx, payload)
}

func errorType(err error) string {
	t := reflect.TypeOf(err)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.Name()
}
