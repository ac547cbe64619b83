package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apigw-local/apigw-local/emulator"
)

// serveForTest serves what src loads over real HTTP, with opts (a clock, a log), until the test ends;
// stop ends it earlier (the stage access logs are then flushed and closed), once.
func serveForTest(t *testing.T, src emulator.Sources, log *emulator.AccessLog, opts ...emulator.Option) (url string, stop func()) {
	t.Helper()
	l, err := emulator.Load(src)
	if err != nil {
		t.Fatal(err)
	}
	snap, err := l.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	g := emulator.NewGateway(snap, log, opts...)
	srv := httptest.NewServer(g)
	var once sync.Once
	stop = func() { once.Do(func() { srv.Close(); g.Close() }) }
	t.Cleanup(stop)
	return srv.URL, stop
}

// replay sends a bounded log to a running gateway with the recorded keys and reports its answers; a
// --duration stops it before the log ends.
func TestReplay(t *testing.T) {
	dir := t.TempDir()
	spec, cfg := filepath.Join(dir, "openapi.yaml"), filepath.Join(dir, "apigw-local.yaml")
	writeFile(t, spec, simulateSpec)
	// A bucket of 2 that refills once in 1,000 s: the answers do not depend on how fast the replay goes.
	writeFile(t, cfg, strings.Replace(simulateConfig, "rateLimit: 1, burstLimit: 2", "rateLimit: 0.001, burstLimit: 2", 1))
	target, _ := serveForTest(t, emulator.Sources{Specs: []string{spec}, Config: cfg}, nil)

	t0 := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC).UnixMilli()
	var jl strings.Builder
	for i := range 5 {
		fmt.Fprintf(&jl, `{"requestTimeEpoch":%d,"httpMethod":"GET","resourcePath":"/pets","path":"/prod/pets","stage":"prod","apiKeyId":"k1"}`+"\n", t0+int64(i))
	}
	fmt.Fprintf(&jl, `{"requestTimeEpoch":%d,"httpMethod":"GET","resourcePath":"/pets","stage":"prod","apiKeyId":"nobody"}`+"\n", t0+10)
	logPath := filepath.Join(dir, "access.jsonl")
	writeFile(t, logPath, jl.String())
	var out bytes.Buffer
	if err := runReplay(context.Background(), &out, io.Discard, &replayOptions{config: cfg, log: logPath, target: target, speed: 0, clients: 1, json: true}); err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Keys []struct {
			KeyID                                    string
			Requests, Accepted, Throttled, Forbidden int
		} `json:"keys"`
		Sent int `json:"sent"`
	}
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil || rep.Sent != 6 || len(rep.Keys) != 2 {
		t.Fatalf("%v: %s", err, out.String())
	}
	if k := rep.Keys[0]; k.KeyID != "k1" || k.Requests != 5 || k.Accepted != 2 || k.Throttled != 3 {
		t.Errorf("k1 %+v", k)
	}
	if k := rep.Keys[1]; k.KeyID != "nobody" || k.Forbidden != 1 {
		t.Errorf("a key the config does not have %+v", k)
	}

	// At the recorded pace, a log spanning an hour is cut by --duration.
	writeFile(t, logPath, fmt.Sprintf(`{"requestTimeEpoch":%d,"httpMethod":"GET","resourcePath":"/pets","stage":"prod","apiKeyId":"k1"}`+"\n"+
		`{"requestTimeEpoch":%d,"httpMethod":"GET","resourcePath":"/pets","stage":"prod","apiKeyId":"k1"}`+"\n", t0, t0+3600_000))
	out.Reset()
	if err := runReplay(context.Background(), &out, io.Discard, &replayOptions{config: cfg, log: logPath, target: target, speed: 1, duration: 300 * time.Millisecond, clients: 1}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "stopped after 1 of 2 requests (--duration)") {
		t.Errorf("a bounded replay: %s", out.String())
	}
}

// Requests that get no answer are counted apart, not dropped: a target that is not listening answers none.
func TestReplayCountsRequestsWithoutAnswer(t *testing.T) {
	srv := httptest.NewServer(nil)
	target := srv.URL
	srv.Close() // nothing listens there any more
	dir := t.TempDir()
	logPath := filepath.Join(dir, "access.jsonl")
	writeFile(t, logPath, `{"requestTimeEpoch":1777629600000,"httpMethod":"GET","resourcePath":"/pets","stage":"prod","apiKeyId":"k1"}`+"\n"+
		`{"requestTimeEpoch":1777629600001,"httpMethod":"GET","resourcePath":"/pets","stage":"prod","apiKeyId":"k1"}`+"\n")
	var out bytes.Buffer
	if err := runReplay(context.Background(), &out, io.Discard, &replayOptions{config: filepath.Join(dir, "none.yaml"), log: logPath, target: target, clients: 1}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "2 requests got no answer and are not in the table (the first: ") || strings.Contains(out.String(), "k1") {
		t.Errorf("replay against a closed port:\n%s", out.String())
	}
}

// A merged log of two APIs replays to a gateway serving both with --host-per-api: each request reaches
// its own API (an apiId the gateway does not serve answers 403 Missing Authentication Token, counted as
// forbidden).
func TestReplayHostPerAPI(t *testing.T) {
	dir := t.TempDir()
	open := strings.Replace(simulateSpec, "      security: [{api_key: []}]\n", "", 1)
	writeFile(t, filepath.Join(dir, "orders.yaml"), strings.Replace(strings.Replace(open, "/pets:", "/orders:", 1), "title: sim", "title: orders", 1))
	writeFile(t, filepath.Join(dir, "pets.yaml"), strings.Replace(open, "title: sim", "title: pets", 1))
	cfg := filepath.Join(dir, "apigw-local.yaml")
	writeFile(t, cfg, "apis:\n  orders: {spec: orders.yaml, apiId: orders1111}\n  pets: {spec: pets.yaml, apiId: pets222222}\nstages: {prod: {}}\n")
	target, _ := serveForTest(t, emulator.Sources{Config: cfg}, nil)
	logPath := filepath.Join(dir, "access.jsonl")
	writeFile(t, logPath, `{"requestTimeEpoch":1777629600000,"httpMethod":"GET","resourcePath":"/orders","stage":"prod","apiId":"orders1111"}`+"\n"+
		`{"requestTimeEpoch":1777629600001,"httpMethod":"GET","resourcePath":"/pets","stage":"prod","apiId":"pets222222"}`+"\n")
	replay := func(hostPerAPI bool) string {
		var out bytes.Buffer
		if err := runReplay(context.Background(), &out, io.Discard, &replayOptions{config: cfg, log: logPath, target: target, clients: 1, hostPerAPI: hostPerAPI}); err != nil {
			t.Fatal(err)
		}
		return out.String()
	}
	if out := replay(true); !regexpMatch(`-\s+2\s+2\s+0\s+0\s+0`, out) {
		t.Errorf("with --host-per-api both reach their API:\n%s", out)
	}
	if out := replay(false); !regexpMatch(`-\s+2\s+0\s+0\s+0\s+2`, out) {
		t.Errorf("without it, 127.0.0.1 names neither of two APIs:\n%s", out)
	}
}
