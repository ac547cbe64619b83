package lambdarun

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

func TestInvokeProcess(t *testing.T) {
	t.Parallel()
	f := start(t, Config{Command: []string{fixture("echo")}})
	tests := []struct {
		name  string
		event string // the invocation's payload
		want  string // the function's response
	}{
		{"plain event is echoed", `{"hello":"world"}`, `{"hello":"world"}`},
		{"proxy event gets a proxy response", `{"httpMethod":"GET","path":"/pets"}`,
			`{"statusCode":200,"body":"{\"httpMethod\":\"GET\",\"path\":\"/pets\"}"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := invoke(t, f, tt.event)
			if res.FunctionError != "" || string(res.Payload) != tt.want {
				t.Fatalf("got %q %s, want success %s", res.FunctionError, res.Payload, tt.want)
			}
			if res.Duration <= 0 || res.BilledDuration < time.Millisecond || res.BilledDuration%time.Millisecond != 0 {
				t.Errorf("Duration %v, BilledDuration %v: want positive, billed in whole ms", res.Duration, res.BilledDuration)
			}
		})
	}
	if res := invoke(t, f, `{}`); res.MaxMemoryUsed <= 0 {
		t.Errorf("MaxMemoryUsed = %d, want the process's peak RSS from /proc", res.MaxMemoryUsed)
	}
}

func TestInvocationHeaders(t *testing.T) {
	t.Parallel()
	// The lambdacontext and deadline that aws-lambda-go builds from the /next headers are what a handler
	// sees; an in-process handler reports them, and must see what a process would.
	var got struct {
		RequestID, ARN, Trace, App string
		Identity                   string
		Deadline                   time.Time
	}
	f := start(t, Config{
		Name: "ctx", Region: "eu-west-1", AccountID: "111122223333", Timeout: 2 * time.Second,
		Handler: handlerFunc(func(ctx context.Context, _ []byte) ([]byte, error) {
			lc, _ := lambdacontextFrom(ctx)
			got.RequestID, got.ARN = lc.AwsRequestID, lc.InvokedFunctionArn
			got.App, got.Identity = lc.ClientContext.Client.AppTitle, lc.Identity.CognitoIdentityID
			got.Trace, _ = ctx.Value("x-amzn-trace-id").(string)
			got.Deadline, _ = ctx.Deadline()
			return []byte(`"ok"`), nil
		}),
	})
	before := time.Now()
	res, err := f.Invoke(context.Background(), Invocation{
		RequestID: "11111111-2222-4333-8444-555555555555", Payload: []byte(`{}`),
		ClientContext:   `{"Client":{"app_title":"pets"}}`,
		CognitoIdentity: `{"cognitoIdentityId":"us-east-1:abc"}`,
	})
	after := time.Now()
	if err != nil || res.FunctionError != "" {
		t.Fatalf("Invoke: %v %+v", err, res)
	}
	if got.RequestID != "11111111-2222-4333-8444-555555555555" || got.ARN != "arn:aws:lambda:eu-west-1:111122223333:function:ctx" ||
		got.App != "pets" || got.Identity != "us-east-1:abc" {
		t.Errorf("lambdacontext = %+v", got)
	}
	if !regexp.MustCompile(`^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0$`).MatchString(got.Trace) {
		t.Errorf("generated trace id %q", got.Trace)
	}
	// The handler was called between before and after; its deadline is the 2 s timeout from then.
	if got.Deadline.Before(before.Add(2*time.Second)) || got.Deadline.After(after.Add(2*time.Second)) {
		t.Errorf("deadline %v after Invoke (which took %v), want the 2 s timeout from the call of the handler",
			got.Deadline.Sub(before), after.Sub(before))
	}
}

func TestFunctionError(t *testing.T) {
	t.Parallel()
	f := start(t, Config{Command: []string{fixture("fail")}})
	res := invoke(t, f, `{"message":"no pets today"}`)
	if string(res.Payload) != `{"errorMessage":"no pets today","errorType":"errorString"}` {
		t.Errorf("payload %s: want the error JSON as aws-lambda-go posted it", res.Payload)
	}
	decodeError(t, res)
	if e := decodeError(t, invoke(t, f, `{}`)); e.ErrorMessage != "boom" {
		t.Errorf("default message %q", e.ErrorMessage)
	}
	if s := f.Stats(); s.Spawns != 1 || s.Crashes != 0 {
		t.Errorf("a function error must not cost the process: %+v", s)
	}
}

func TestPanic(t *testing.T) {
	t.Parallel()
	f := start(t, Config{Command: []string{fixture("panic")}})
	e := decodeError(t, invoke(t, f, `{"message":"nil pet"}`))
	if e.ErrorMessage != "nil pet" || e.ErrorType != "string" || len(e.StackTrace) == 0 {
		t.Errorf("panic payload %+v: want aws-lambda-go's message, type and stack", e)
	}
	// aws-lambda-go exits after reporting a panic: the next invocation gets a fresh process.
	e = decodeError(t, invoke(t, f, `{}`))
	if e.ErrorMessage != "boom" {
		t.Errorf("second invocation %+v", e)
	}
	if s := f.Stats(); s.Spawns != 2 || s.ColdStarts != 2 {
		t.Errorf("stats %+v: want a new process after the panic exit", s)
	}
}

func TestCrash(t *testing.T) {
	t.Parallel()
	log := &syncBuffer{}
	f := start(t, Config{Name: "crashy", Command: []string{fixture("exit")}, Log: log})
	ctx := context.Background()
	res, err := f.Invoke(ctx, Invocation{RequestID: "req-crash", Payload: []byte(`{}`)})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"errorType":"Runtime.ExitError","errorMessage":"RequestId: req-crash Error: Runtime exited with error: exit status 2"}`
	if res.FunctionError != "Unhandled" || string(res.Payload) != want {
		t.Fatalf("got %q %s, want %s", res.FunctionError, res.Payload, want)
	}
	if res.InitDuration <= 0 {
		t.Errorf("the crashed invocation was a cold start: InitDuration %v", res.InitDuration)
	}
	// The process is replaced on demand, and the replacement works.
	if res := invoke(t, f, `{"stay":true}`); string(res.Payload) != `{"stayed":true}` {
		t.Fatalf("after the crash: %q %s", res.FunctionError, res.Payload)
	}
	if s := f.Stats(); s.Spawns != 2 || s.Crashes != 1 || s.Alive != 1 {
		t.Errorf("stats %+v", s)
	}
	e := decodeError(t, invoke(t, f, `{"code":7}`))
	if !strings.HasSuffix(e.ErrorMessage, "Error: Runtime exited with error: exit status 7") {
		t.Errorf("exit 7: %q", e.ErrorMessage)
	}
	for _, line := range []string{
		"[crashy] RequestId: req-crash Error: Runtime exited with error: exit status 2",
		"[crashy] Runtime.ExitError",
		"exit: exiting with status 2",
	} {
		eventually(t, fmt.Sprintf("the log line %q in:\n%s", line, log), func() bool { return strings.Contains(log.String(), line) })
	}
}

func TestCrashBySignal(t *testing.T) {
	t.Parallel()
	log := &syncBuffer{}
	f := start(t, Config{Command: []string{fixture("sleep")}, Timeout: 3 * patience, Log: log})
	invoke(t, f, `{"ms":0}`) // warm, so that the pid is known
	pids := f.pids()
	if len(pids) != 1 {
		t.Fatalf("pids %v", pids)
	}
	// The handler would sleep far longer than the test waits: only the kill ends the invocation.
	done := goInvoke(t, f, Invocation{RequestID: "req-oom", Payload: fmt.Appendf(nil, `{"ms":%d}`, 2*patience.Milliseconds())})
	// Received, not only handed over (Busy): one killed before it read the event goes back to the queue.
	eventually(t, "the process has the invocation", func() bool { return strings.Contains(log.String(), "START RequestId: req-oom") })
	_ = syscall.Kill(pids[0], syscall.SIGKILL) // as the kernel's OOM killer would
	res := <-done
	if res == nil {
		return
	}
	want := `{"errorType":"Runtime.ExitError","errorMessage":"RequestId: req-oom Error: Runtime exited with error: signal: killed"}`
	if string(res.Payload) != want {
		t.Errorf("got %s, want %s", res.Payload, want)
	}
}

func TestTimeout(t *testing.T) {
	t.Parallel()
	log := &syncBuffer{}
	f := start(t, Config{Name: "slow", Command: []string{fixture("sleep")}, Timeout: 200 * time.Millisecond, Log: log})
	invoke(t, f, `{"ms":1}`) // warm: the pid of the process that will time out is known
	pids := f.pids()
	began := time.Now()
	// The handler sleeps far longer than the test waits: only the timeout ends the invocation.
	res, err := f.Invoke(context.Background(), Invocation{RequestID: "req-slow", Payload: fmt.Appendf(nil, `{"ms":%d}`, 2*patience.Milliseconds())})
	took := time.Since(began)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"errorType":"Sandbox.Timedout","errorMessage":"RequestId: req-slow Error: Task timed out after 0.20 seconds"}`
	if string(res.Payload) != want || res.FunctionError != "Unhandled" {
		t.Errorf("got %q %s, want %s", res.FunctionError, res.Payload, want)
	}
	// Never before the timeout; the upper bound only tells the timeout from the handler's own end.
	if took < 200*time.Millisecond || took > patience {
		t.Errorf("timed out after %v, want 200 ms", took)
	}
	if res.Duration < 200*time.Millisecond || res.Duration > patience {
		t.Errorf("Duration %v", res.Duration)
	}
	// SIGTERM reaches the runtime (aws-lambda-go registered its extension and logs the signal), then
	// SIGKILL ends the group.
	eventually(t, "the process group is gone", func() bool { return len(groupMembers(t, pids[0])) == 0 })
	eventually(t, "the runtime logged SIGTERM", func() bool { return strings.Contains(log.String(), "sleep: SIGTERM received") })
	if !regexp.MustCompile(`\[slow\] \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z req-slow Task timed out after 0.20 seconds`).MatchString(log.String()) {
		t.Errorf("log lacks the timeout line:\n%s", log)
	}
	// The next invocation gets a new process.
	if res := invoke(t, f, `{"ms":1}`); string(res.Payload) != `{"slept":1}` {
		t.Errorf("after the timeout: %s", res.Payload)
	}
	if s := f.Stats(); s.Timeouts != 1 || s.Spawns != 2 {
		t.Errorf("stats %+v", s)
	}
}

func TestConcurrencyLimit(t *testing.T) {
	const n, limit = 20, 3
	f := start(t, Config{Command: []string{fixture("sleep")}, Concurrency: limit})
	processes(t) // skips here, on the test's goroutine, where there is no /proc
	var maxSeen atomic.Int64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() { // count the real children in /proc, independently of Stats
		defer close(sampled)
		for {
			select {
			case <-stop:
				return
			default:
			}
			ps, _ := readProcesses()
			if c := int64(len(childrenOf(os.Getpid(), ps))); c > maxSeen.Load() {
				maxSeen.Store(c)
			}
			if a := int64(f.Stats().Alive); a > maxSeen.Load() {
				maxSeen.Store(a)
			}
			time.Sleep(2 * time.Millisecond)
		}
	}()
	var wg sync.WaitGroup
	errs := make(chan string, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := f.Invoke(context.Background(), Invocation{Payload: []byte(`{"ms":50}`)})
			if err != nil || string(res.Payload) != `{"slept":50}` {
				errs <- fmt.Sprintf("invocation %d: %v %+v", i, err, res)
			}
		}()
	}
	wg.Wait()
	close(stop)
	<-sampled
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	s := f.Stats()
	if s.MaxAlive > limit || maxSeen.Load() > limit {
		t.Errorf("processes alive at once: Stats %d, /proc %d; limit %d", s.MaxAlive, maxSeen.Load(), limit)
	}
	if s.Invocations != n || s.Spawns != limit {
		t.Errorf("stats %+v: want %d invocations on %d processes", s, n, limit)
	}
}

func TestQueueOrder(t *testing.T) {
	t.Parallel()
	log := &syncBuffer{}
	f := start(t, gatedConfig(t, Config{Concurrency: 1, Log: log}))
	invoke(t, f, `{}`)
	g := newGate(t)
	var done []<-chan *Result
	run := func(id, payload string) {
		done = append(done, goInvoke(t, f, Invocation{RequestID: id, Payload: []byte(payload)}))
	}
	run("busy", g.event()) // held until the five others are queued
	eventually(t, "the first invocation runs", func() bool { return f.Stats().Busy == 1 })
	var want []string
	for i := range 5 {
		id := fmt.Sprintf("queued-%d", i)
		want = append(want, id)
		run(id, `{}`)
		eventually(t, id+" is queued", func() bool { return f.Stats().Queued == i+1 })
	}
	g.open(t)
	for _, d := range done {
		<-d
	}
	var got []string
	for _, line := range log.lines() {
		if id, ok := strings.CutPrefix(line, "[fn] START RequestId: queued-"); ok {
			got = append(got, "queued-"+strings.Fields(id)[0])
		}
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("served in order %v, want %v", got, want)
	}
}

func TestWarmReuse(t *testing.T) {
	t.Parallel()
	f := start(t, Config{Command: []string{fixture("echo")}})
	for i := range 10 {
		res := invoke(t, f, `{}`)
		if cold := res.InitDuration > 0; cold != (i == 0) {
			t.Errorf("invocation %d: InitDuration %v", i, res.InitDuration)
		}
	}
	if s := f.Stats(); s.ColdStarts != 1 || s.Spawns != 1 {
		t.Errorf("sequential invocations: %+v, want one cold start", s)
	}
}

func TestMostRecentlyUsedFirst(t *testing.T) {
	t.Parallel()
	// Three processes, then a trickle of sequential invocations: the most recently used process serves
	// them all, so the two others reach their idle timeout and only one process is left. (With any other
	// choice the processes would take turns and none would ever be idle long enough to retire.)
	// The idle timeout is far above the trickle's gaps (an invocation and 10 ms), so that even a loaded
	// machine does not let the process serving the trickle expire as well.
	f := start(t, gatedConfig(t, Config{Concurrency: 3, IdleTimeout: 3 * time.Second}))
	g := newGate(t)
	var held []<-chan *Result
	for range 3 { // three invocations held at once need three processes
		held = append(held, goInvoke(t, f, event(g.event())))
	}
	eventually(t, "three invocations run at once", func() bool { return f.Stats().Busy == 3 })
	g.open(t)
	for _, h := range held {
		<-h
	}
	if s := f.Stats(); s.Alive != 3 {
		t.Fatalf("stats %+v: want 3 processes", s)
	}
	// The two others retire after 3 s idle; the one serving the trickle never idles for more than a few
	// milliseconds.
	eventually(t, "only the most recently used process is left", func() bool {
		invoke(t, f, `{}`)
		time.Sleep(10 * time.Millisecond) // a trickle, not a flood
		return f.Stats().Alive == 1
	})
	if s := f.Stats(); s.Spawns != 3 {
		t.Errorf("stats %+v: want the MRU process alone left, never replaced", s)
	}
}

func TestIdleRetirement(t *testing.T) {
	t.Parallel()
	f := start(t, Config{Command: []string{fixture("echo")}, IdleTimeout: 200 * time.Millisecond})
	invoke(t, f, `{}`)
	pids := f.pids()
	eventually(t, "the idle process is retired", func() bool { return f.Stats().Alive == 0 })
	eventually(t, "its process group is gone", func() bool { return len(groupMembers(t, pids[0])) == 0 })
	if res := invoke(t, f, `{}`); res.InitDuration == 0 {
		t.Error("the invocation after retirement must be a cold start")
	}
	if s := f.Stats(); s.Crashes != 0 || s.ColdStarts != 2 {
		t.Errorf("stats %+v", s)
	}
}

func TestEnvironment(t *testing.T) {
	// Variables of the emulator's own environment must not leak, least of all the two that switch
	// aws-lambda-go into other modes.
	t.Setenv("LAMBDARUN_LEAK_SENTINEL", "leaked")
	t.Setenv("_LAMBDA_SERVER_PORT", "9999")
	t.Setenv("AWS_LAMBDA_MAX_CONCURRENCY", "4")
	t.Setenv("AWS_PROFILE", "developer")
	dir := t.TempDir()
	f := start(t, Config{
		Name: "GetPets", Command: []string{fixture("env")}, Workdir: dir, MemorySize: 256,
		Region: "eu-west-1", Env: map[string]string{"TABLE_NAME": "pets", "TZ": "Europe/Paris"},
	})
	var env map[string]string
	if err := json.Unmarshal(invoke(t, f, `{}`).Payload, &env); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"AWS_LAMBDA_FUNCTION_NAME":        "GetPets",
		"AWS_LAMBDA_FUNCTION_VERSION":     "$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
		"AWS_LAMBDA_INITIALIZATION_TYPE":  "on-demand",
		"AWS_REGION":                      "eu-west-1",
		"AWS_DEFAULT_REGION":              "eu-west-1",
		"_HANDLER":                        "env",
		"LAMBDA_TASK_ROOT":                dir,
		"AWS_LAMBDA_LOG_GROUP_NAME":       "/aws/lambda/GetPets",
		"AWS_ACCESS_KEY_ID":               dummyAccessKeyID,
		"AWS_SECRET_ACCESS_KEY":           dummySecretAccessKey,
		"AWS_SESSION_TOKEN":               dummySessionToken,
		"LANG":                            "en_US.UTF-8",
		"GOMAXPROCS":                      "1", // one scheduler thread, as a sandbox has less than a vCPU
		"PATH":                            os.Getenv("PATH"),
		"HOME":                            os.Getenv("HOME"),
		"TABLE_NAME":                      "pets",         // Config.Env
		"TZ":                              "Europe/Paris", // Config.Env wins over Lambda's TZ=:UTC
	}
	for k, v := range want {
		if env[k] != v {
			t.Errorf("%s = %q, want %q", k, env[k], v)
		}
	}
	if !regexp.MustCompile(`^127\.0\.0\.1:\d+/[A-Z2-7]{26}$`).MatchString(env["AWS_LAMBDA_RUNTIME_API"]) {
		t.Errorf("AWS_LAMBDA_RUNTIME_API = %q", env["AWS_LAMBDA_RUNTIME_API"])
	}
	if !regexp.MustCompile(`^\d{4}/\d\d/\d\d/\[\$LATEST\][0-9a-f]{32}$`).MatchString(env["AWS_LAMBDA_LOG_STREAM_NAME"]) {
		t.Errorf("AWS_LAMBDA_LOG_STREAM_NAME = %q", env["AWS_LAMBDA_LOG_STREAM_NAME"])
	}
	for _, k := range []string{"LAMBDARUN_LEAK_SENTINEL", "_LAMBDA_SERVER_PORT", "AWS_LAMBDA_MAX_CONCURRENCY", "AWS_PROFILE"} {
		if v, ok := env[k]; ok {
			t.Errorf("%s=%q leaked into the function", k, v)
		}
	}
	// aws-lambda-go itself sets _X_AMZN_TRACE_ID from Lambda-Runtime-Trace-Id.
	if !strings.HasPrefix(env["_X_AMZN_TRACE_ID"], "Root=1-") {
		t.Errorf("_X_AMZN_TRACE_ID = %q", env["_X_AMZN_TRACE_ID"])
	}
	if len(env) != len(want)+3 {
		t.Errorf("%d variables, want %d: %v", len(env), len(want)+3, env)
	}
}

func TestPayloadLimits(t *testing.T) {
	t.Parallel()
	f := start(t, Config{Command: []string{fixture("large")}, Timeout: 10 * time.Second})
	echo := start(t, Config{Command: []string{fixture("echo")}, Timeout: 10 * time.Second})

	t.Run("request", func(t *testing.T) {
		limit := jsonString(MaxRequestPayload)
		res := invoke(t, echo, string(limit))
		if res.FunctionError != "" || len(res.Payload) != MaxRequestPayload {
			t.Fatalf("6 MiB request: %q, %d bytes back", res.FunctionError, len(res.Payload))
		}
		_, err := echo.Invoke(context.Background(), Invocation{Payload: jsonString(MaxRequestPayload + 1)})
		if !errors.Is(err, ErrPayloadTooLarge) {
			t.Fatalf("Invoke(6 MiB + 1) = %v, want ErrPayloadTooLarge", err)
		}
		if want := "6291457 byte payload is too large for the RequestResponse invocation type (limit 6291456 bytes)"; err.Error() != want {
			t.Errorf("error %q, want AWS's %q", err, want)
		}
	})
	t.Run("response", func(t *testing.T) {
		res := invoke(t, f, fmt.Sprintf(`{"bytes":%d}`, MaxResponsePayload))
		if res.FunctionError != "" || len(res.Payload) != MaxResponsePayload {
			t.Fatalf("response at the limit: %q, %d bytes", res.FunctionError, len(res.Payload))
		}
		res = invoke(t, f, fmt.Sprintf(`{"bytes":%d}`, MaxResponsePayload+1))
		want := `{"errorType":"Function.ResponseSizeTooLarge","errorMessage":"Response payload size (6291557 bytes) exceeded maximum allowed payload size (6291556 bytes)."}`
		if res.FunctionError != "Unhandled" || string(res.Payload) != want {
			t.Fatalf("oversized response: %q %s", res.FunctionError, res.Payload)
		}
		// aws-lambda-go exits when its response is refused; the next invocation still works.
		if res := invoke(t, f, `{"bytes":10}`); string(res.Payload) != `"xxxxxxxx"` {
			t.Errorf("after the oversized response: %s", res.Payload)
		}
	})
}

// jsonString returns a JSON string of exactly n bytes.
func jsonString(n int) []byte {
	b := []byte(strings.Repeat("x", n))
	b[0], b[n-1] = '"', '"'
	return b
}

func TestLogLines(t *testing.T) {
	t.Parallel()
	log := &syncBuffer{}
	f := start(t, Config{Name: "GetPets", Command: []string{fixture("echo")}, Log: log})
	for _, id := range []string{"req-1", "req-2"} {
		if _, err := f.Invoke(context.Background(), Invocation{RequestID: id, Payload: []byte(`{}`)}); err != nil {
			t.Fatal(err)
		}
	}
	eventually(t, "REPORT lines", func() bool { return strings.Count(log.String(), "REPORT") == 2 })
	lines := log.lines()
	report := `^\[GetPets\] REPORT RequestId: %s\tDuration: \d+\.\d\d ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB\tMax Memory Used: \d+ MB%s$`
	want := []*regexp.Regexp{
		regexp.MustCompile(`^\[GetPets\] START RequestId: req-1 Version: \$LATEST$`),
		regexp.MustCompile(`^\[GetPets\] END RequestId: req-1$`),
		regexp.MustCompile(fmt.Sprintf(report, "req-1", `\tInit Duration: \d+\.\d\d ms`)),
		regexp.MustCompile(`^\[GetPets\] START RequestId: req-2 Version: \$LATEST$`),
		regexp.MustCompile(`^\[GetPets\] END RequestId: req-2$`),
		regexp.MustCompile(fmt.Sprintf(report, "req-2", "")),
	}
	if len(lines) != len(want) {
		t.Fatalf("log:\n%s", log)
	}
	for i, re := range want {
		if !re.MatchString(lines[i]) {
			t.Errorf("line %d = %q, want %s", i, lines[i], re)
		}
	}
}

func TestCloseLeavesNoChild(t *testing.T) {
	// The runtime is a shell that leaves a grandchild behind in its process group, then becomes the echo
	// handler: Close must take the grandchild too.
	// Not parallel: it checks that the test process has no child left.
	f, err := Start(context.Background(), Config{
		Name:        "wrapped",
		Command:     []string{"/bin/sh", "-c", "sleep 300 & exec " + fixture("echo")},
		Concurrency: 3,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = f.Close() })
	var started []<-chan *Result
	for range 3 {
		started = append(started, goInvoke(t, f, event(`{}`)))
	}
	for _, s := range started {
		if <-s == nil {
			t.FailNow()
		}
	}
	pids := f.pids()
	if len(pids) == 0 || len(children(t)) == 0 {
		t.Fatalf("no process to close: %v", pids)
	}
	for _, pid := range pids {
		if len(groupMembers(t, pid)) < 2 {
			t.Fatalf("process group %d has no grandchild: %v", pid, groupMembers(t, pid))
		}
	}
	// An invocation in flight when Close is called ends with ErrClosed. Its handler sleeps far longer
	// than the test waits.
	slow, err := Start(context.Background(), Config{Name: "slow", Command: []string{fixture("sleep")}, Timeout: 3 * patience})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = slow.Close() })
	inflight := make(chan error, 1)
	go func() {
		_, err := slow.Invoke(context.Background(), Invocation{Payload: fmt.Appendf(nil, `{"ms":%d}`, 2*patience.Milliseconds())})
		inflight <- err
	}()
	eventually(t, "the slow invocation runs", func() bool { return slow.Stats().Busy == 1 })
	pids = append(pids, slow.pids()...)

	began := time.Now()
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if err := slow.Close(); err != nil {
		t.Fatal(err)
	}
	// Close does not wait for the processes to end by themselves (the grandchild sleeps 300 s, the
	// handler far longer than patience): SIGKILL follows SIGTERM after 500 ms.
	if took := time.Since(began); took > patience {
		t.Errorf("Close took %v", took)
	}
	if err := <-inflight; !errors.Is(err, ErrClosed) {
		t.Errorf("in-flight invocation: %v, want ErrClosed", err)
	}
	if c := children(t); len(c) != 0 {
		t.Errorf("children left after Close: %v", c)
	}
	for _, pid := range pids {
		if m := groupMembers(t, pid); len(m) != 0 {
			t.Errorf("process group %d left after Close: %v", pid, m)
		}
	}
	if _, err := f.Invoke(context.Background(), Invocation{Payload: []byte(`{}`)}); !errors.Is(err, ErrClosed) {
		t.Errorf("Invoke after Close: %v", err)
	}
	if s := f.Stats(); s.Alive != 0 {
		t.Errorf("stats after Close %+v", s)
	}
}

func TestInitCrashLoopBackoff(t *testing.T) {
	t.Parallel()
	log := &syncBuffer{}
	f := start(t, Config{Name: "broken", Command: []string{"/bin/sh", "-c", "echo cannot start; exit 3"}, Log: log})
	var took []time.Duration
	for i := range 5 {
		began := time.Now()
		res, err := f.Invoke(context.Background(), Invocation{RequestID: fmt.Sprint("req-", i), Payload: []byte(`{}`)})
		took = append(took, time.Since(began))
		if err != nil {
			t.Fatal(err)
		}
		want := fmt.Sprintf(`{"errorType":"Runtime.ExitError","errorMessage":"RequestId: req-%d Error: Runtime exited with error: exit status 3"}`, i)
		if string(res.Payload) != want {
			t.Errorf("invocation %d: %s", i, res.Payload)
		}
		// Each failed init doubles the delay before the next spawn: 100, 200, 400, 800, 1600 ms.
		f.mu.Lock()
		backoff := f.backoff
		f.mu.Unlock()
		if want := backoffMin << i; backoff != want {
			t.Errorf("after failed init %d: back-off %v, want %v", i+1, backoff, want)
		}
	}
	// The first init fails at once; then each respawn waits its back-off: never less (timers do not fire
	// early). How much more depends on the machine's load, so only patience bounds it.
	for i, backoff := range []time.Duration{100, 200, 400, 800} {
		backoff *= time.Millisecond
		if d := took[i+1]; d < backoff*9/10 || d > patience {
			t.Errorf("invocation %d waited %v, want %v of back-off (all: %v)", i+1, d, backoff, took)
		}
	}
	if s := f.Stats(); s.Spawns != 5 || s.Crashes != 5 || s.Alive != 0 {
		t.Errorf("stats %+v", s)
	}
	if !strings.Contains(log.String(), "[broken] cannot start") {
		t.Errorf("log lacks the process's output:\n%s", log)
	}
}

func TestInitError(t *testing.T) {
	t.Parallel()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	f := start(t, Config{Command: []string{exe}, Env: map[string]string{helperEnv: "initerror"}})
	res := invoke(t, f, `{}`)
	if want := `{"errorMessage":"cannot read config","errorType":"Runtime.ConfigError"}`; string(res.Payload) != want || res.FunctionError != "Unhandled" {
		t.Errorf("got %q %s, want the posted error %s", res.FunctionError, res.Payload, want)
	}
	if res.InitDuration <= 0 {
		t.Errorf("InitDuration %v", res.InitDuration)
	}
	eventually(t, "the process is discarded", func() bool { return f.Stats().Alive == 0 })
}

func TestInitTimeout(t *testing.T) {
	defer func(d time.Duration) { initTimeout = d }(initTimeout)
	initTimeout = 300 * time.Millisecond
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	f := start(t, Config{Command: []string{exe}, Env: map[string]string{helperEnv: "hang"}})
	began := time.Now()
	e := decodeError(t, invoke(t, f, `{}`))
	if e.ErrorType != "Sandbox.Timedout" || !strings.Contains(e.ErrorMessage, "Task timed out after 0.30 seconds") {
		t.Errorf("init timeout: %+v", e)
	}
	// The helper hangs for an hour: only the init timeout ends the invocation.
	if took := time.Since(began); took < 300*time.Millisecond || took > patience {
		t.Errorf("took %v", took)
	}
	eventually(t, "the hung process is killed", func() bool { return f.Stats().Alive == 0 })
}

func TestMissingExecutable(t *testing.T) {
	t.Parallel()
	f := start(t, Config{Command: []string{"./bin/not-built-yet"}, Workdir: t.TempDir()})
	res, err := f.Invoke(context.Background(), Invocation{RequestID: "req-x", Payload: []byte(`{}`)})
	if err != nil {
		t.Fatal(err)
	}
	e := decodeError(t, res)
	if e.ErrorType != "Runtime.InvalidEntrypoint" || !strings.HasPrefix(e.ErrorMessage, "RequestId: req-x Error: fork/exec ") ||
		!strings.HasSuffix(e.ErrorMessage, "bin/not-built-yet: no such file or directory") {
		t.Errorf("got %+v", e)
	}
}

func TestCancelledWhileQueued(t *testing.T) {
	t.Parallel()
	log := &syncBuffer{}
	f := start(t, gatedConfig(t, Config{Concurrency: 1, Log: log}))
	g := newGate(t)
	done := goInvoke(t, f, event(g.event())) // holds the only process until the gate opens
	eventually(t, "the first invocation runs", func() bool { return f.Stats().Busy == 1 })
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := f.Invoke(ctx, Invocation{RequestID: "req-gave-up", Payload: []byte(`{}`)})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Invoke = %v, want the context's error", err)
	}
	g.open(t)
	<-done
	if res := invoke(t, f, `{}`); res.FunctionError != "" {
		t.Fatalf("after: %s", res.Payload)
	}
	if strings.Contains(log.String(), "req-gave-up") {
		t.Errorf("an invocation abandoned while queued must never run:\n%s", log)
	}
}

func TestStartValidation(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want string // part of Start's error
	}{
		{"no way to run", Config{Name: "a"}, "exactly one of command, handler and external port"},
		{"two ways to run", Config{Name: "a", Command: []string{"x"}, ExternalPort: 9001}, "exactly one of"},
		{"bad name", Config{Name: "a b", Command: []string{"x"}}, `name "a b"`},
		{"RPC mode switch", Config{Name: "a", Command: []string{"x"}, Env: map[string]string{"_LAMBDA_SERVER_PORT": "1"}}, "_LAMBDA_SERVER_PORT: may not be set"},
		{"concurrency switch", Config{Name: "a", Command: []string{"x"}, Env: map[string]string{"AWS_LAMBDA_MAX_CONCURRENCY": "2"}}, "AWS_LAMBDA_MAX_CONCURRENCY"},
		{"runtime API", Config{Name: "a", Command: []string{"x"}, Env: map[string]string{"AWS_LAMBDA_RUNTIME_API": "h:1"}}, "AWS_LAMBDA_RUNTIME_API"},
		{"memory", Config{Name: "a", Command: []string{"x"}, MemorySize: 64}, "memory size 64 MB"},
		{"timeout", Config{Name: "a", Command: []string{"x"}, Timeout: time.Hour}, "timeout 1h0m0s"},
		{"port", Config{Name: "a", ExternalPort: 70000}, "external port 70000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Start(context.Background(), tt.cfg)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Start = %v, want an error containing %q", err, tt.want)
			}
		})
	}
	// Start itself runs nothing.
	f := start(t, Config{Command: []string{fixture("echo")}})
	if s := f.Stats(); s.Spawns != 0 || len(children(t)) != 0 {
		t.Errorf("Start spawned: %+v", s)
	}
}

// Function output is logged line by line with the function name and the id of the invocation it belongs to.
func TestOutputLinesCarryRequestID(t *testing.T) {
	t.Parallel()
	log := &syncBuffer{}
	f := start(t, Config{Name: "Quitter", Command: []string{fixture("exit")}, Log: log})
	res, err := f.Invoke(context.Background(), Invocation{RequestID: "req-exit", Payload: []byte(`{}`)})
	if err != nil || res.FunctionError == "" {
		t.Fatalf("exit fixture: %v %+v", err, res)
	}
	eventually(t, "the exit fixture's output line", func() bool {
		return strings.Contains(log.String(), "[Quitter] RequestId: req-exit ") && strings.Contains(log.String(), "exit: exiting with status")
	})
	for _, line := range log.lines() {
		if strings.Contains(line, "exit: exiting with status") && !regexp.MustCompile(`^\[Quitter\] RequestId: req-exit \S+ \S+ exit: exiting with status \d+$`).MatchString(line) {
			t.Errorf("output line %q lacks the function name and request id", line)
		}
	}
}
