//go:build linux

package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestMain lets the test binary be the server children the smoke test starts: startChild re-execs
// os.Executable, which here is the test binary.
func TestMain(m *testing.M) {
	if len(os.Args) >= 3 && os.Args[1] == roleArg {
		if err := runChild(os.Args[2], os.Args[3:]); err != nil {
			os.Stderr.WriteString("benchtable child: " + err.Error() + "\n")
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func TestPercentile(t *testing.T) {
	var s []time.Duration
	for i := 1; i <= 100; i++ {
		s = append(s, time.Duration(i)*time.Millisecond)
	}
	for _, c := range []struct {
		p    float64
		want time.Duration
	}{{50, 50 * time.Millisecond}, {99, 99 * time.Millisecond}, {100, 100 * time.Millisecond}, {0, time.Millisecond}, {1, time.Millisecond}} {
		if got := percentile(s, c.p); got != c.want {
			t.Errorf("p%v of 1..100 ms = %v, want %v", c.p, got, c.want)
		}
	}
	// Nearest rank: p99 of 10 samples is the largest, not a value between the two largest.
	if got := percentile(s[:10], 99); got != 10*time.Millisecond {
		t.Errorf("p99 of 1..10 ms = %v, want 10ms", got)
	}
	if got := percentile(nil, 50); got != 0 {
		t.Errorf("p50 of nothing = %v, want 0", got)
	}
	if got := median([]time.Duration{3, 1, 2}); got != 2 {
		t.Errorf("median of 3,1,2 = %v, want 2", got)
	}
	if got := median([]time.Duration{4, 1, 2, 8}); got != 3 {
		t.Errorf("median of 4,1,2,8 = %v, want 3", got)
	}
}

func TestMean(t *testing.T) {
	if got := mean([]float64{1, 2, 6}); got != 3 {
		t.Errorf("mean = %v, want 3", got)
	}
	if got := mean(nil); got != 0 {
		t.Errorf("mean of nothing = %v, want 0", got)
	}
}

func TestParseProcStat(t *testing.T) {
	// A command name with spaces and a ')' of its own: counting fields from the first ')' or by spaces
	// would read the wrong ones.
	line := "4242 (my (odd) prog) S 17 4242 4242 0 -1 4194560 1000 0 0 0 123 45 6 7 20 0 9 0 100 1000000 200 18446744073709551615\n"
	s, err := parseProcStat(line)
	if err != nil {
		t.Fatal(err)
	}
	if s.ppid != 17 || s.utime != 123 || s.stime != 45 {
		t.Errorf("parsed %+v, want ppid 17, utime 123, stime 45", s)
	}
	for _, bad := range []string{"4242 prog S 1", "4242 (prog) S 1 2 3", "4242 (prog) S x 1 1 0 -1 0 0 0 0 0 1 1"} {
		if _, err := parseProcStat(bad); err == nil {
			t.Errorf("parseProcStat(%q): no error", bad)
		}
	}
	// This process's own line parses, whatever the kernel puts in it.
	if _, err := readProcStat(os.Getpid()); err != nil {
		t.Errorf("own /proc stat: %v", err)
	}
}

func TestReloadLatency(t *testing.T) {
	txt := `goos: linux
BenchmarkMeter-2   	 1000000	      1000 ns/op	       0 B/op	       0 allocs/op
BenchmarkReloadLatency-2   	       1	5000000000 ns/op	        12.50 p50-ms	        48.25 p99-ms
PASS
`
	p50, p99, ok, err := reloadLatency(strings.NewReader(txt))
	if err != nil || !ok || p50 != 12.5 || p99 != 48.25 {
		t.Errorf("reloadLatency = %v, %v, %v, %v; want 12.5, 48.25, true, nil", p50, p99, ok, err)
	}
	if _, _, ok, _ := reloadLatency(strings.NewReader("BenchmarkMeter-2 1 1 ns/op\n")); ok {
		t.Error("found a reload latency in a file without one")
	}
}

func TestFormatTable(t *testing.T) {
	got := formatTable([][]string{
		{"MOCK", "apigw-local MOCK route", "19980", "0.320", "2.124", "52.5", "86.0"},
		{"MOCK", "bare", "26826", "0.231", "1.465", "4.0", "-"},
	})
	want := `scenario  side                    req/s  p50 ms  p99 ms  server CPU µs/req  allocs/req
--------  ----------------------  -----  ------  ------  -----------------  ----------
MOCK      apigw-local MOCK route  19980   0.320   2.124               52.5        86.0
MOCK      bare                    26826   0.231   1.465                4.0           -
`
	if got != want {
		t.Errorf("table:\n%s\nwant:\n%s", got, want)
	}
}

func TestTargetLine(t *testing.T) {
	for _, c := range []struct {
		t    target
		want string
	}{
		{target{what: "MOCK gateway CPU per request", value: 31.24, unit: " µs", atMost: true, limit: 28}, "MOCK gateway CPU per request: 31.2 µs (target <= 28 µs) MISSED"},
		{target{what: "MOCK gateway CPU per request", value: 28, unit: " µs", atMost: true, limit: 28}, "MOCK gateway CPU per request: 28 µs (target <= 28 µs) ok"},
		{target{what: "ratio", value: 59.96, unit: "%", limit: 60}, "ratio: 60.0% (target >= 60%) MISSED"},
		{target{what: "ratio", value: 2.5, unit: "x", limit: 2}, "ratio: 2.50x (target >= 2x) ok"},
		{target{what: "peer", skipped: "node is not on PATH"}, "peer: skipped (node is not on PATH)"},
	} {
		if got := c.t.String(); got != c.want {
			t.Errorf("got  %q\nwant %q", got, c.want)
		}
	}
}

// One short run of the MOCK pair, each server in its own child, through the whole program: every cell
// of both rows is filled, and the table is written to -out.
func TestSmokeMockPair(t *testing.T) {
	out := filepath.Join(t.TempDir(), "table.txt")
	var b strings.Builder
	if err := run([]string{"-n", "50", "-rounds", "1", "-warmup", "5", "-coldstarts", "0", "-pairs", "mock", "-out", out}, &b); err != nil {
		t.Fatal(err)
	}
	written, err := os.ReadFile(out)
	if err != nil || string(written) != b.String() {
		t.Errorf("-out holds %q (%v), want what was printed", written, err)
	}
	// The rows are the lines between the table's dashes and the blank line after it.
	_, table, _ := strings.Cut(b.String(), "-----\n")
	table, _, _ = strings.Cut(table, "\n\n")
	var rows int
	for _, line := range strings.Split(table, "\n") {
		if !strings.HasPrefix(line, "MOCK ") {
			t.Errorf("row %q: not a MOCK row", line)
			continue
		}
		rows++
		f := strings.Fields(line)
		// scenario, side (words), then five figures.
		figures := f[len(f)-5:]
		for i, c := range figures {
			if c == "-" || c == "" {
				t.Errorf("row %q: cell %s is empty", line, columns[2+i])
			}
		}
	}
	if rows != 2 {
		t.Errorf("%d MOCK rows, want 2:\n%s", rows, b.String())
	}
	for _, want := range []string{"MOCK gateway CPU per request:", "MOCK allocations per request, the gateway's own", "MOCK gateway CPU relative to the bare handler's", "hot reload p99 (write to live): skipped"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("no %q line in:\n%s", want, b.String())
		}
	}
}
