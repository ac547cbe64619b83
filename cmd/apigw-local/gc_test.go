package main

import (
	"os"
	"runtime/debug"
	"testing"

	"github.com/apigw-local/apigw-local/emulator"
)

// serve raises Go's GC target when GOGC is not set (the gateway's live heap is small; the default
// collects many times a second under load).
func TestServeRaisesTheGCTarget(t *testing.T) {
	if _, set := os.LookupEnv("GOGC"); set {
		t.Skip("GOGC is set: serve leaves the GC target alone")
	}
	debug.SetGCPercent(100)
	serveInProcess(t, nil, "http://127.0.0.1:1")
	if got := debug.SetGCPercent(100); got != emulator.DefaultGCPercent {
		t.Errorf("GC target %d%%, want %d%%", got, emulator.DefaultGCPercent)
	}
}
