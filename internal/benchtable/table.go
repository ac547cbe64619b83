//go:build linux

package main

import (
	"fmt"
	"strings"
	"time"
)

// columns of the table; a cell that does not apply (a peer without a stats listener, a single-value row)
// holds "-".
var columns = []string{"scenario", "side", "req/s", "p50 ms", "p99 ms", "server CPU µs/req", "allocs/req"}

// sideResult accumulates one side of a pair over its rounds.
type sideResult struct {
	scenario, side string
	rps            []float64 // one per round: the mean of rounds is the figure, as in make bench before
	lat            []time.Duration
	requests       int
	cpuTicks       int64 // the server process's own CPU over the measured rounds
	childTicks     int64 // its descendants' (Lambda processes): reported apart, not in cpuTicks
	hasChildren    bool
	wholeTree      bool // cpuTicks includes the descendants' (see side.wholeTree)
	mallocs        uint64
	hasAllocs      bool
}

func (r *sideResult) meanRPS() float64 { return mean(r.rps) }

func (r *sideResult) cpuPerRequest(hz float64) float64 {
	if r.requests == 0 {
		return 0
	}
	return float64(r.cpuTicks) / hz * 1e6 / float64(r.requests)
}

func (r *sideResult) childCPUPerRequest(hz float64) float64 {
	if r.requests == 0 {
		return 0
	}
	return float64(r.childTicks) / hz * 1e6 / float64(r.requests)
}

func (r *sideResult) allocsPerRequest() float64 {
	if r.requests == 0 {
		return 0
	}
	return float64(r.mallocs) / float64(r.requests)
}

// row renders the side as the table's cells; lat must be sorted.
func (r *sideResult) row(hz float64) []string {
	allocs := "-"
	if r.hasAllocs {
		allocs = fmt.Sprintf("%.1f", r.allocsPerRequest())
	}
	return []string{
		r.scenario, r.side,
		fmt.Sprintf("%.0f", r.meanRPS()),
		ms(percentile(r.lat, 50)), ms(percentile(r.lat, 99)),
		fmt.Sprintf("%.1f", r.cpuPerRequest(hz)),
		allocs,
	}
}

func ms(d time.Duration) string { return fmt.Sprintf("%.3f", float64(d)/float64(time.Millisecond)) }

// target is one line under the table: a measured value against issue 14's limit.
type target struct {
	what    string
	value   float64
	unit    string // printed after the value and the limit: "µs", "%", "x", " ms", ""
	atMost  bool   // the limit is a ceiling (CPU, allocations, latency) rather than a floor (throughput)
	limit   float64
	skipped string // why it was not measured; the line says so instead of ok / MISSED
}

func (t target) String() string {
	if t.skipped != "" {
		return fmt.Sprintf("%s: skipped (%s)", t.what, t.skipped)
	}
	op, met := ">=", t.value >= t.limit
	if t.atMost {
		op, met = "<=", t.value <= t.limit
	}
	verdict := "MISSED"
	if met {
		verdict = "ok"
	}
	return fmt.Sprintf("%s: %s%s (target %s %s%s) %s", t.what, num(t.value), t.unit, op, num(t.limit), t.unit, verdict)
}

// num prints a value with one decimal, or none when it is whole (the limits: 28, 60%, 2x).
func num(v float64) string {
	if v == float64(int64(v)) {
		return fmt.Sprintf("%.0f", v)
	}
	if v < 10 && v > -10 {
		return fmt.Sprintf("%.2f", v) // ratios
	}
	return fmt.Sprintf("%.1f", v)
}

// formatTable aligns rows under columns: text columns (the first two) to the left, numbers to the right,
// so that figures of one column line up by their last digit.
func formatTable(rows [][]string) string {
	widths := make([]int, len(columns))
	all := append([][]string{columns}, rows...)
	for _, r := range all {
		for i, c := range r {
			widths[i] = max(widths[i], len([]rune(c)))
		}
	}
	var b strings.Builder
	line := func(r []string) {
		for i, c := range r {
			pad := strings.Repeat(" ", widths[i]-len([]rune(c)))
			if i > 0 {
				b.WriteString("  ")
			}
			if i < 2 {
				b.WriteString(c + pad)
			} else {
				b.WriteString(pad + c)
			}
		}
		b.WriteString("\n")
	}
	line(columns)
	sep := make([]string, len(columns))
	for i := range sep {
		sep[i] = strings.Repeat("-", widths[i])
	}
	line(sep)
	for _, r := range rows {
		line(r)
	}
	return b.String()
}
