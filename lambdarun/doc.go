// Package lambdarun runs AWS Lambda handlers on the local machine as warm processes that speak the Lambda
// Runtime API (version 2018-06-01), so that an unchanged aws-lambda-go binary, or any other runtime client
// (a custom "provided" runtime, the Runtime Interface Client of another language), serves invocations in
// milliseconds instead of the seconds a container start would take.
//
// The package knows nothing about HTTP requests from clients: it takes an [Invocation] (an event payload
// and a few ids) and gives back a [Result] (the function's response or its error JSON), the way the Lambda
// Invoke API does. Mapping requests to events and results to responses is the emulator's job.
//
// # Three ways to run a function
//
//   - Command: every pool slot is a process started from [Config.Command], each with its own Runtime API
//     endpoint on 127.0.0.1:0, passed in AWS_LAMBDA_RUNTIME_API as 127.0.0.1:port/<secret>. This is the
//     normal mode.
//   - Handler: a [lambda.Handler] called in the emulator's own process, for Go handlers linked into a test
//     or into the emulator. The contract of [Function.Invoke] is the same, without a process.
//   - ExternalPort: a Runtime API endpoint on ExternalHost:ExternalPort (127.0.0.1 by default) that waits for a runtime the user
//     starts (typically under a debugger). Nothing is spawned and nothing is killed. This endpoint has no
//     secret (the user's runtime has no way to learn one): any local process that calls it is served as
//     the runtime, and receives invocations with their headers. The user chose to open that port.
//
// # Who may call an endpoint
//
// A process's endpoint serves that process only. Its secret, 130 random bits from crypto/rand, is the
// first path segment of every request: clients build their URLs as "http://" + AWS_LAMBDA_RUNTIME_API +
// "/2018-06-01/runtime/..." (aws-lambda-go does so for the Runtime and the Extensions API alike), so an
// unchanged runtime sends it without knowing. Any other local process can reach the port but not guess
// the path: it gets 403 and one line in [Config.Log] naming the endpoint and its address, never an
// invocation. (A secret rather than "the first connection is the runtime's": aws-lambda-go's Extensions
// API client, used by lambda.WithEnableSIGTERM, opens a second connection, and a runtime in another
// language may open several; rather than peer-PID checks through /proc: Linux-only and racy.)
// A runtime that takes an invocation and then disappears or never answers is covered by the process's
// exit (Runtime.ExitError) or by the timeout, which stops and replaces the process.
//
// # Lifecycle of a process
//
// A process is spawned when an invocation finds no idle process and fewer than [Config.Concurrency]
// processes are alive; [Start] itself starts nothing. Its states are
//
//	spawned/init ──first GET /next──► idle ──invocation──► busy ──POST response|error──► returning ──GET /next──► idle
//	      │                             │                    │
//	      └── exit, init/error,         └── IdleTimeout      └── exit (Runtime.ExitError) or
//	          10 s without /next            (retired)            timeout (Sandbox.Timedout)
//	          (the oldest queued                                  ──► stopping ──► dead
//	          invocation fails)
//
// Invocations wait in one FIFO queue and are never lost: an invocation handed to a process that dies
// before receiving it goes back to the head of the queue. An idle process is picked most-recently-used
// first, so that a trickle of traffic keeps one process warm and lets the others reach IdleTimeout. A
// process that fails its init repeatedly is respawned with exponential back-off (100 ms doubling to 5 s),
// so that a broken binary does not become a fork loop; each failed init fails one queued invocation, as the
// on-demand init of AWS does.
//
// A process runs in its own process group with an environment built from scratch (see [Config]); stopping
// it sends SIGTERM to the group, then SIGKILL after 500 ms, and a process group is always SIGKILLed once its
// leader has exited, so that grandchildren die too. Its stdout and stderr are read line by line into
// [Config.Log], prefixed with the function name, between START, END and REPORT lines like CloudWatch's.
//
// # Who does the I/O
//
// An endpoint is not a net/http server. A connection has one owner at a time (conn.go): a reader goroutine
// until the runtime calls /next on it, then the endpoint (parked), then the invocation that claims it. The
// goroutine of [Function.Invoke] writes the event on its claimed connection, reads the answer and
// acknowledges it; after a process's answer the connection is parked "unread", as the runtime calls /next
// on it next, and the next invocation's goroutine reads that /next itself. A warm invocation thus costs no
// goroutine hand-off and no server machinery. Requests are parsed by net/http's ReadRequest (chunked
// bodies, trailers, Expect: 100-continue); a runtime that opens a connection per request, or answers on
// another connection than the one it was given the event on, is followed. Timeouts, crashes, [Function.Close]
// and a caller that gives up wake the owner (a read deadline in the past, only while it waits for bytes).
//
// # Runtime API subset
//
// Runtime API 2018-06-01:
//
//	GET  /2018-06-01/runtime/invocation/next            blocks until an invocation; 200 with the event
//	POST /2018-06-01/runtime/invocation/{id}/response   202; 400 InvalidRequestID; 413 RequestEntityTooLarge
//	POST /2018-06-01/runtime/invocation/{id}/error      202; 400 InvalidRequestID; 413 RequestEntityTooLarge
//	POST /2018-06-01/runtime/init/error                 202; 403 InvalidStateTransition after init
//
// Extensions API 2020-01-01, as much as aws-lambda-go's lambda.WithEnableSIGTERM needs (it registers an
// internal extension so that Lambda sends SIGTERM before shutdown, then parks a GET event/next forever):
//
//	POST /2020-01-01/extension/register                 200 with Lambda-Extension-Identifier
//	GET  /2020-01-01/extension/event/next               blocks until the process is stopped
//
// Anything else answers 404 (405 for a known path with the wrong method). Not emulated: response streaming (Lambda-Runtime-Function-Response-Mode), the
// Telemetry and Logs APIs, INVOKE events for extensions, and external extensions (nothing is started from
// /opt/extensions).
//
// # Limits, as AWS's
//
//   - Request payload: 6,291,456 bytes (6 MiB); a larger one is refused by [Function.Invoke] with
//     [ErrPayloadTooLarge] before any process sees it.
//   - Response payload (and error payload): 6,291,556 bytes (6 MiB + 100 bytes, the figure in AWS's own
//     message). A larger one is answered 413 to the runtime and the invocation fails with
//     Function.ResponseSizeTooLarge.
//   - Timeout: 3 s by default, at most 15 minutes. Init has its own limit of 10 s.
//   - Memory size is only reported (AWS_LAMBDA_FUNCTION_MEMORY_SIZE, REPORT lines), not enforced.
//
// The error payloads the package makes itself (timeouts, crashes, oversized responses) are AWS's texts,
// documented where they are built.
package lambdarun
