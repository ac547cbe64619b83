package lambdarun

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"sync"
	"time"
)

// logger writes whole lines to Config.Log, each prefixed with "[Name] ". Lines of different processes
// interleave but never mix, because each line is one Write under a mutex.
type logger struct {
	mu     sync.Mutex
	w      io.Writer // nil: discard (and skip the formatting)
	prefix string
	buf    []byte
}

func newLogger(w io.Writer, name string) *logger {
	return &logger{w: w, prefix: "[" + name + "] "}
}

// enabled reports whether anything is written, so that callers can skip building lines.
func (l *logger) enabled() bool { return l.w != nil }

// line writes one line; text must not end with a newline.
func (l *logger) line(text []byte) {
	if l.w == nil {
		return
	}
	l.mu.Lock()
	l.buf = append(append(append(l.buf[:0], l.prefix...), text...), '\n')
	_, _ = l.w.Write(l.buf) // a failing log sink must not fail invocations
	l.mu.Unlock()
}

func (l *logger) printf(format string, args ...any) {
	if l.w == nil {
		return
	}
	l.line(fmt.Appendf(nil, format, args...))
}

// start logs Lambda's START line.
func (l *logger) start(requestID string) {
	l.printf("START RequestId: %s Version: $LATEST", requestID)
}

// end logs Lambda's END and REPORT lines, e.g.
//
//	END RequestId: 8f5e...
//	REPORT RequestId: 8f5e...	Duration: 1.52 ms	Billed Duration: 47 ms	Memory Size: 128 MB	Max Memory Used: 12 MB	Init Duration: 45.03 ms
//
// Fields are tab-separated as in CloudWatch; Init Duration only appears on a cold start.
func (l *logger) end(requestID string, memorySize int, r *Result) {
	if l.w == nil {
		return
	}
	l.printf("END RequestId: %s", requestID)
	line := fmt.Appendf(nil, "REPORT RequestId: %s\tDuration: %.2f ms\tBilled Duration: %d ms\tMemory Size: %d MB\tMax Memory Used: %d MB",
		requestID, ms(r.Duration), r.BilledDuration.Milliseconds(), memorySize, r.MaxMemoryUsed)
	if r.InitDuration > 0 {
		line = fmt.Appendf(line, "\tInit Duration: %.2f ms", ms(r.InitDuration))
	}
	l.line(line)
}

// timedOut logs the line Lambda writes when an invocation times out:
// "2024-05-01T10:00:03.012Z <id> Task timed out after 3.00 seconds".
func (l *logger) timedOut(requestID string, now time.Time, timeout time.Duration) {
	l.printf("%s %s Task timed out after %.2f seconds", now.UTC().Format("2006-01-02T15:04:05.000Z"), requestID, timeout.Seconds())
}

// functionError logs the two lines Lambda writes for an error it made itself, e.g.
// "RequestId: <id> Error: Runtime exited with error: exit status 2" then "Runtime.ExitError".
func (l *logger) functionError(e platformError) {
	l.printf("%s", e.Message)
	l.printf("%s", e.Type)
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// billed rounds the billed time up to the next millisecond, as Lambda has since December 2020. It
// includes the init duration: Lambda bills the init of provided runtimes (the ones aws-lambda-go binaries
// use) and, since August 2025, of every runtime.
func billed(duration, init time.Duration) time.Duration {
	n := math.Ceil(ms(duration + init))
	if n < 1 {
		n = 1
	}
	return time.Duration(n) * time.Millisecond
}

// maxLogLine bounds one log line; a longer line is cut into pieces of this size rather than buffered
// without limit (CloudWatch cuts events at 256 KB).
const maxLogLine = 256 * 1024

// copyLines reads a process's output and logs it line by line until EOF. requestID names the invocation
// the process is running ("" between invocations): each line carries it, so that output of concurrent
// invocations can be told apart, as CloudWatch's per-request lines can.
func (l *logger) copyLines(r io.Reader, requestID func() string) {
	br := bufio.NewReaderSize(r, maxLogLine)
	for {
		line, err := br.ReadSlice('\n')
		if len(line) > 0 {
			if line[len(line)-1] == '\n' {
				line = line[:len(line)-1]
			}
			if len(line) > 0 && line[len(line)-1] == '\r' {
				line = line[:len(line)-1]
			}
			if id := requestID(); id != "" && l.enabled() {
				l.line(append([]byte("RequestId: "+id+" "), line...))
			} else {
				l.line(line)
			}
		}
		if err != nil && !errors.Is(err, bufio.ErrBufferFull) {
			return
		}
	}
}
