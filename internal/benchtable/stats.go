//go:build linux

package main

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"time"
)

// percentile is the nearest-rank percentile (p in [0, 100]) of sorted samples: a sample that was
// actually observed, never an interpolation between two.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	rank = min(max(rank, 1), len(sorted))
	return sorted[rank-1]
}

func mean(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	var s float64
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}

// median is the middle sample, or the mean of the two middle ones: with the 10 cold starts, the nearest
// rank would be the 5th, biased low.
func median(xs []time.Duration) time.Duration {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// procStat is what the table needs of /proc/<pid>/stat: the parent and the CPU time in clock ticks.
type procStat struct {
	ppid         int
	utime, stime int64
}

// parseProcStat reads one /proc/<pid>/stat line. Field 2 is the command name in parentheses and may
// itself hold spaces and parentheses ("(a) b)"), so the fields are counted from the last ')'.
func parseProcStat(line string) (procStat, error) {
	end := strings.LastIndexByte(line, ')')
	if end < 0 {
		return procStat{}, fmt.Errorf("proc stat %q: no ')' closing the command name", line)
	}
	// After the name: field 3 (state), 4 (ppid), ..., 14 (utime), 15 (stime).
	f := strings.Fields(line[end+1:])
	if len(f) < 13 {
		return procStat{}, fmt.Errorf("proc stat %q: %d fields after the command name, want 13 or more", line, len(f))
	}
	var s procStat
	var err error
	if s.ppid, err = strconv.Atoi(f[1]); err != nil {
		return procStat{}, fmt.Errorf("proc stat ppid: %w", err)
	}
	if s.utime, err = strconv.ParseInt(f[11], 10, 64); err != nil {
		return procStat{}, fmt.Errorf("proc stat utime: %w", err)
	}
	if s.stime, err = strconv.ParseInt(f[12], 10, 64); err != nil {
		return procStat{}, fmt.Errorf("proc stat stime: %w", err)
	}
	return s, nil
}

func readProcStat(pid int) (procStat, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return procStat{}, err
	}
	return parseProcStat(string(b))
}

// cpuTicks is a process's own CPU time (user + system), without its children's.
func cpuTicks(pid int) (int64, error) {
	s, err := readProcStat(pid)
	return s.utime + s.stime, err
}

// descendantTicks sums the CPU time of every live descendant of pid (not pid itself): the Lambda
// processes a gateway child runs, or the workers a peer server forks. Processes that end between two
// readings drop out of the sum; in a measured round none should.
func descendantTicks(pid int) int64 {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return 0
	}
	stats := map[int]procStat{}
	for _, e := range entries {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if s, err := readProcStat(p); err == nil {
			stats[p] = s
		}
	}
	var sum int64
	for _, s := range stats {
		for anc := s.ppid; anc > 1; anc = stats[anc].ppid {
			if anc == pid {
				sum += s.utime + s.stime
				break
			}
			if _, known := stats[anc]; !known {
				break
			}
		}
	}
	return sum
}

// clockTicksPerSecond is the unit of /proc/<pid>/stat's times, asked of getconf once; Linux has used 100
// on every common architecture for decades, the fallback.
func clockTicksPerSecond() float64 {
	out, err := exec.Command("getconf", "CLK_TCK").Output()
	if err != nil {
		return 100
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(out)))
	if err != nil || n <= 0 {
		return 100
	}
	return float64(n)
}

// reloadLatency reads p50 and p99 (ms) from bench.txt's BenchmarkReloadLatency line; ok is false when the
// file has none.
func reloadLatency(r io.Reader) (p50, p99 float64, ok bool, err error) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 0 || !strings.HasPrefix(f[0], "BenchmarkReloadLatency") {
			continue
		}
		var has50, has99 bool
		for i := 1; i+1 < len(f); i++ {
			v, perr := strconv.ParseFloat(f[i], 64)
			if perr != nil {
				continue
			}
			switch f[i+1] {
			case "p50-ms":
				p50, has50 = v, true
			case "p99-ms":
				p99, has99 = v, true
			}
		}
		if has50 && has99 {
			return p50, p99, true, nil
		}
	}
	return 0, 0, false, sc.Err()
}
