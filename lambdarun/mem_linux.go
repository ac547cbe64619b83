package lambdarun

import (
	"bytes"
	"os"
	"strconv"
	"sync"
	"time"
)

// memSampleEvery bounds how often a process's /proc/<pid>/status is read. The kernel builds that whole
// text on every read, which costs about as much CPU as the rest of an invocation's bookkeeping; peak
// memory only grows, so a value at most this old is a fair "Max Memory Used".
const memSampleEvery = 100 * time.Millisecond

// memMeter reads the peak resident set size (VmHWM) of one process. Lambda reports the peak of the whole
// execution environment, which likewise only grows over its invocations; here the runtime process is
// measured, not its children, because reading the whole group would cost more than the invocation.
type memMeter struct {
	mu     sync.Mutex
	pid    int
	f      *os.File // kept open: opening /proc files costs more than reading them
	closed bool     // the process is gone: its pid may be reused, never reopen
	last   time.Time
	mb     int
}

func newMemMeter(pid int) *memMeter { return &memMeter{pid: pid} }

// maxMB returns the peak RSS in MB, rounded up, or 0 if it cannot be read.
func (m *memMeter) maxMB() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := time.Now()
	if m.mb > 0 && now.Sub(m.last) < memSampleEvery {
		return m.mb
	}
	if m.closed {
		return m.mb
	}
	if m.f == nil {
		f, err := os.Open("/proc/" + strconv.Itoa(m.pid) + "/status")
		if err != nil {
			return m.mb
		}
		m.f = f
	}
	var buf [4096]byte
	n, _ := m.f.ReadAt(buf[:], 0)
	if kb := vmHWM(buf[:n]); kb > 0 {
		m.mb = (kb + 1023) / 1024
		m.last = now
	}
	return m.mb
}

// close releases the open /proc file.
func (m *memMeter) close() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.closed = true
	if m.f != nil {
		_ = m.f.Close()
		m.f = nil
	}
}

// vmHWM extracts VmHWM (kB) from the text of /proc/<pid>/status.
func vmHWM(status []byte) int {
	i := bytes.Index(status, []byte("VmHWM:"))
	if i < 0 {
		return 0
	}
	s := bytes.TrimLeft(status[i+len("VmHWM:"):], " \t")
	if j := bytes.IndexByte(s, ' '); j >= 0 {
		s = s[:j]
	}
	kb, _ := strconv.Atoi(string(s))
	return kb
}
