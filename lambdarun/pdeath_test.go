//go:build linux

package lambdarun

import (
	"runtime"
	"sync"
	"testing"
)

// The kernel sends a process's parent-death signal (SIGKILL here, so that a handler never outlives a
// gateway that died) when the thread that forked it ends, not the gateway: Go ends a thread when a
// goroutine locked to it returns, as libraries do. The thread a process was started from is kept for its
// supervisor, so threads ended elsewhere never kill a warm process. (Without that, this test fails in
// about one run of six here: the forking thread is usually the one its supervisor then blocks on.)
func TestThreadExitsDoNotKillProcesses(t *testing.T) {
	f := start(t, Config{Name: "echo", Command: []string{fixture("echo")}, Concurrency: 4})
	var wg sync.WaitGroup
	for range 4 { // four warm processes, each forked from some thread
		wg.Add(1)
		go func() { defer wg.Done(); invoke(t, f, `{}`) }()
	}
	wg.Wait()
	// End many threads: each goroutine locks the thread it runs on and returns.
	for range 50 {
		var ended sync.WaitGroup
		for range 64 {
			ended.Add(1)
			go func() { defer ended.Done(); runtime.LockOSThread() }()
		}
		ended.Wait()
		if res := invoke(t, f, `{"n":1}`); string(res.Payload) != `{"n":1}` {
			t.Fatalf("after threads ended: %s %s", res.FunctionError, res.Payload)
		}
	}
	if s := f.Stats(); s.Crashes != 0 || s.Spawns > 4 {
		t.Errorf("stats %+v: a process died with a thread of the gateway", s)
	}
}
