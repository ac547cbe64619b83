package emulator

import (
	"os"
	"strconv"
	"strings"
)

// machineCPUTicks returns the busy CPU time of the whole machine (all processes: the clients, the gateway and
// the function processes) in clock ticks, from /proc/stat. The Lambda benchmark divides it by the number of
// requests: on a saturated 2-core machine that figure, not the gateway's own code, bounds the latency that 8
// concurrent clients can see (Little's law).
func machineCPUTicks() (uint64, bool) {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, false
	}
	line, _, _ := strings.Cut(string(data), "\n")
	fields := strings.Fields(line)
	if len(fields) < 8 || fields[0] != "cpu" {
		return 0, false
	}
	var busy uint64
	for i, f := range fields[1:] {
		if i == 3 || i == 4 { // idle, iowait
			continue
		}
		v, err := strconv.ParseUint(f, 10, 64)
		if err != nil {
			return 0, false
		}
		busy += v
	}
	return busy, true
}

// selfCPUTicks returns this process's CPU time (user + system) in clock ticks: the clients and the gateway,
// without the function processes.
func selfCPUTicks() (uint64, bool) {
	data, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return 0, false
	}
	// Fields after the command name, which is in parentheses and may contain spaces.
	i := strings.LastIndexByte(string(data), ')')
	if i < 0 {
		return 0, false
	}
	fields := strings.Fields(string(data[i+1:]))
	if len(fields) < 13 {
		return 0, false
	}
	utime, err1 := strconv.ParseUint(fields[11], 10, 64)
	stime, err2 := strconv.ParseUint(fields[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	return utime + stime, true
}

// clockTicksPerSecond is USER_HZ, 100 on every Linux architecture Go supports.
const clockTicksPerSecond = 100
