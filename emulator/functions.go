package emulator

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"sync"

	"github.com/apigw-local/apigw-local/emulator/internal/lambdaintegration"
	"github.com/apigw-local/apigw-local/internal/config"
	"github.com/apigw-local/apigw-local/internal/integration"
	"github.com/apigw-local/apigw-local/lambdarun"
	"github.com/aws/aws-lambda-go/lambda"
)

// functions keeps Lambda functions warm across reloads: a function's processes live outside the
// snapshot and are replaced only when the function's own configuration changes.
type functions struct {
	mu        sync.Mutex
	log       io.Writer
	running   map[string]*runningFunction
	inProcess map[string]lambda.Handler
	closed    bool
	// externalHost is the address external functions' endpoints listen on ("" for 127.0.0.1).
	externalHost string
	retiring     sync.WaitGroup // replaced functions still draining (retire)
}

type runningFunction struct {
	cfg lambdarun.Config
	src *config.Config // the config it was last checked against: the same snapshot needs no new check
	fn  *lambdarun.Function
	// binary is the content hash of the command's file when the processes started (zero for none):
	// a rebuilt binary with the same config replaces them.
	binary [sha256.Size]byte
}

// restart replaces the function's processes at its next invocation; in-flight invocations finish on the
// old ones. It reports whether the function was running.
func (fs *functions) restart(name string) bool {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	r := fs.running[name]
	if r == nil {
		return false
	}
	delete(fs.running, name)
	if r.cfg.ExternalPort != 0 {
		_ = r.fn.Close()
	} else {
		fs.retire(r.fn)
	}
	return true
}

// binaryHash fingerprints a function's command file; zero when it has none or cannot be read.
func binaryHash(f *config.Function) [sha256.Size]byte {
	p := f.CommandFile()
	if p == "" {
		return [sha256.Size]byte{}
	}
	file, err := os.Open(p)
	if err != nil {
		return [sha256.Size]byte{}
	}
	defer file.Close()
	h := sha256.New()
	if _, err := io.Copy(h, file); err != nil {
		return [sha256.Size]byte{}
	}
	var out [sha256.Size]byte
	copy(out[:], h.Sum(nil))
	return out
}

func newFunctions(log io.Writer) *functions {
	if log == nil {
		log = io.Discard
	}
	return &functions{log: log, running: map[string]*runningFunction{}, inProcess: map[string]lambda.Handler{}}
}

// get returns the running function for name, starting (or restarting, after a config change) it.
func (fs *functions) get(name string, cfg *config.Config) (*lambdarun.Function, error) {
	fs.mu.Lock()
	if r := fs.running[name]; r != nil && r.src == cfg {
		fs.mu.Unlock()
		return r.fn, nil
	}
	fs.mu.Unlock()
	want, ok := fs.configFor(name, cfg)
	if !ok {
		return nil, &lambdaintegration.NotConfigured{Name: name}
	}
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if fs.closed {
		return nil, fmt.Errorf("the gateway is shutting down")
	}
	bin := binaryHash(cfg.Functions[name])
	if r := fs.running[name]; r != nil {
		if sameConfig(r.cfg, want) && r.binary == bin {
			r.src = cfg
			return r.fn, nil
		}
		if sameConfig(r.cfg, want) {
			fmt.Fprintf(fs.log, "function %s: its binary changed; new requests go to new processes, requests in flight finish on the old ones\n", name)
		}
		if r.cfg.ExternalPort != 0 {
			// The new endpoint needs the same port: close the old one first.
			_ = r.fn.Close()
		} else {
			fs.retire(r.fn) // in-flight invocations finish on the old processes
		}
		delete(fs.running, name)
	}
	fn, err := lambdarun.Start(context.Background(), want)
	if err != nil {
		return nil, err
	}
	fs.running[name] = &runningFunction{cfg: want, src: cfg, fn: fn, binary: bin}
	return fn, nil
}

// startExternal opens the Runtime API endpoint of every external function of cfg now, rather than at
// its first invocation: the user starts such a handler (AWS_LAMBDA_RUNTIME_API=127.0.0.1:port) once the
// gateway is up, and aws-lambda-go exits when its first /next call finds nothing listening. A failure (a
// port in use) is logged; the first invocation tries again and answers the error.
func (fs *functions) startExternal(cfg *config.Config) {
	if cfg == nil {
		return
	}
	for _, name := range cfg.FunctionNames {
		if f := cfg.Functions[name]; f == nil || f.External == nil {
			continue
		}
		if _, err := fs.get(name, cfg); err != nil {
			fmt.Fprintf(fs.log, "[%s] %v\n", name, err)
		}
	}
}

func (fs *functions) configFor(name string, cfg *config.Config) (lambdarun.Config, bool) {
	fs.mu.Lock()
	h := fs.inProcess[name]
	fs.mu.Unlock()
	lc := lambdarun.Config{Name: name, Region: cfg.Region, AccountID: cfg.AccountID, Log: fs.log}
	f := cfg.Functions[name]
	if h != nil {
		// An in-process handler still takes the function's timeout, memory and concurrency from the
		// config when it has an entry there.
		lc.Handler = h
		if f != nil {
			lc.Timeout, lc.MemorySize, lc.Concurrency = f.Timeout.Duration, f.MemorySize, f.Concurrency
		}
		return lc, true
	}
	if f == nil {
		return lc, false
	}
	lc.Command, lc.Workdir, lc.Env = f.Command, f.Workdir, f.Env
	lc.Timeout, lc.MemorySize, lc.Concurrency = f.Timeout.Duration, f.MemorySize, f.Concurrency
	if f.External != nil {
		lc.ExternalPort = f.External.Port
		lc.ExternalHost = fs.externalHost
	}
	return lc, true
}

// sameConfig compares what decides how a function runs. Handlers are not compared (a handler value may
// not be comparable): register replaces a running in-process function itself.
func sameConfig(a, b lambdarun.Config) bool {
	if (a.Handler == nil) != (b.Handler == nil) {
		return false
	}
	a.Handler, b.Handler = nil, nil
	a.Log, b.Log = nil, nil
	return reflect.DeepEqual(a, b)
}

// register makes name an in-process Go handler (for library users and fast tests); it wins over the config.
func (fs *functions) register(name string, h lambda.Handler) {
	fs.mu.Lock()
	fs.inProcess[name] = h
	if r := fs.running[name]; r != nil {
		fs.retire(r.fn)
		delete(fs.running, name)
	}
	fs.mu.Unlock()
}

// close stops every function and its processes.
func (fs *functions) close() error {
	fs.mu.Lock()
	fs.closed = true
	running := fs.running
	fs.running = map[string]*runningFunction{}
	fs.mu.Unlock()
	var wg sync.WaitGroup
	for _, r := range running {
		wg.Add(1)
		go func() { defer wg.Done(); _ = r.fn.Close() }()
	}
	wg.Wait()
	fs.retiring.Wait() // replaced functions still draining end too: nothing is left behind
	return nil
}

// retire drains a replaced function in the background: its invocations in flight finish, new ones go to
// its replacement. close (and tests, through retired) wait for every retirement to end.
func (fs *functions) retire(fn *lambdarun.Function) {
	fs.retiring.Add(1)
	go func() {
		defer fs.retiring.Done()
		_ = fn.Drain()
	}()
}

// retired waits until every replaced function has drained and closed: its processes are reaped and its
// goroutines ended.
func (fs *functions) retired() { fs.retiring.Wait() }

// has reports whether name can be invoked: configured, or an in-process handler.
func (fs *functions) has(name string, cfg *config.Config) bool {
	_, ok := fs.configFor(name, cfg)
	return ok
}

// functionsOf is the gateway's functions as one snapshot's config sees them: what its Lambda
// integrations invoke.
type functionsOf struct {
	fs  *functions
	cfg *config.Config
}

// Invoke runs one invocation and waits for its answer.
func (f functionsOf) Invoke(ctx context.Context, name string, payload []byte, traceID string) (*integration.Invocation, error) {
	var res *lambdarun.Result
	// A function replaced between get and Invoke refuses the invocation before starting it (ErrDraining):
	// it goes to the replacement. Three tries cover replacements in quick succession.
	for try := 0; ; try++ {
		fn, err := f.fs.get(name, f.cfg)
		if err != nil {
			return nil, err
		}
		res, err = fn.Invoke(ctx, lambdarun.Invocation{Payload: payload, TraceID: traceID})
		if errors.Is(err, lambdarun.ErrDraining) && try < 2 {
			continue
		}
		if err != nil {
			return nil, err
		}
		break
	}
	return &integration.Invocation{Payload: res.Payload, FunctionError: res.FunctionError}, nil
}

// InvokeAsync queues an invocation (type Event): the function's own timeout bounds it, and the client's
// request is answered without waiting.
func (f functionsOf) InvokeAsync(name string, payload []byte, traceID string) error {
	fn, err := f.fs.get(name, f.cfg)
	if err != nil {
		return err
	}
	go func() {
		_, _ = fn.Invoke(context.Background(), lambdarun.Invocation{Payload: payload, TraceID: traceID})
	}()
	return nil
}
