// Command benchtable is what `make bench` runs after `go test -bench`: it prints one comparison table of
// apigw-local against the simplest thing doing the same job (a bare net/http handler for a MOCK route, a
// plain httputil.ReverseProxy for an HTTP_PROXY route, the same handler in-process for a Lambda process
// route, serverless-offline when it is installed), plus cold start and hot-reload latency, with a line per
// target of issue 14 saying ok or MISSED.
//
// It exists because `go test -bench` cannot give these numbers honestly: there the load generator, both
// servers of a comparison and their backends share one process, so neither CPU time nor allocations can
// be attributed to one server, and a comparison run in a separate invocation sees a different machine
// (this one is shared and noisy). Here every server runs in its own child process (the program re-execs
// itself with a hidden role argument), so its CPU comes from /proc/<pid>/stat and its allocations from
// its own runtime.MemStats (net/http's allocations count on both sides), and the two sides of a pair are
// measured in alternating rounds of one run. Every child sets the GC target `apigw-local serve` sets
// (emulator.DefaultGCPercent), so the sides run like for like.
//
// Usage (from the module's directory; it builds the Lambda fixture and the apigw-local binary with
// `go build`):
//
//	go run ./internal/benchtable [-n 20000] [-rounds 5] [-coldstarts 10] [-bench-txt bench.txt] [-out bench-table.txt]
//
// The exit status is 0 when targets are missed (the table is a report) and non-zero only when the harness
// fails: a server that does not start, an answer other than 200.
package main
