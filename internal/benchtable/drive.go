//go:build linux

package main

import (
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// clients is the number of concurrent keep-alive connections of the load: the same 8 as the emulator's
// benchmarks, four per core of the reference machine.
const clients = 8

func newClient() *http.Client {
	// DisableCompression: neither side compresses, and the client should not ask either to.
	return &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 2 * clients, DisableCompression: true}}
}

// load sends n GETs of url from the clients and records each latency in lat (len n) when lat is not nil.
// It stops at the first error or non-200 answer: a comparison with failed requests on one side is no
// comparison.
func load(client *http.Client, url string, n int, lat []time.Duration) error {
	var next atomic.Int64
	var failed atomic.Bool
	var once sync.Once
	var firstErr error
	var wg sync.WaitGroup
	for range clients {
		wg.Go(func() {
			for !failed.Load() {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				t0 := time.Now()
				resp, err := client.Get(url)
				if err == nil {
					_, err = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if err == nil && resp.StatusCode != 200 {
						err = fmt.Errorf("GET %s: status %d", url, resp.StatusCode)
					}
				}
				if err != nil {
					once.Do(func() { firstErr = err })
					failed.Store(true)
					return
				}
				if lat != nil {
					lat[i] = time.Since(t0)
				}
			}
		})
	}
	wg.Wait()
	return firstErr
}

// measureRound warms the server up (connections, Lambda processes, caches) and then measures n requests,
// reading the server's CPU and allocations on both sides of the measured requests only.
func measureRound(e *endpoint, n, warmup int, r *sideResult) error {
	client := newClient()
	defer client.CloseIdleConnections()
	if err := load(client, e.url, warmup, nil); err != nil {
		return fmt.Errorf("%s, warm-up: %w", r.side, err)
	}
	var m0, m1 memStats
	var err error
	if e.statsURL != "" {
		if m0, err = fetchStats(e.statsURL); err != nil {
			return err
		}
	}
	cpu0, err := cpuTicks(e.pid)
	if err != nil {
		return err
	}
	kids0 := descendantTicks(e.pid)
	lat := make([]time.Duration, n)
	start := time.Now()
	if err := load(client, e.url, n, lat); err != nil {
		return fmt.Errorf("%s: %w", r.side, err)
	}
	elapsed := time.Since(start)
	cpu1, err := cpuTicks(e.pid)
	if err != nil {
		return err
	}
	kids1 := descendantTicks(e.pid)
	if e.statsURL != "" {
		if m1, err = fetchStats(e.statsURL); err != nil {
			return err
		}
		r.mallocs += m1.Mallocs - m0.Mallocs
		r.hasAllocs = true
	}
	r.rps = append(r.rps, float64(n)/elapsed.Seconds())
	r.lat = append(r.lat, lat...)
	r.requests += n
	r.cpuTicks += cpu1 - cpu0
	if r.wholeTree {
		r.cpuTicks += kids1 - kids0
	} else {
		r.childTicks += kids1 - kids0
	}
	return nil
}

// side is one column of a pair: how to get its server, and whether it is started afresh for each round
// (the peer: a serverless-offline that has served rounds before is not the one users start).
type side struct {
	name     string
	start    func() (*endpoint, error)
	perRound bool
	// children: the server's descendants do the work (Lambda processes); their CPU is reported apart.
	children bool
	// wholeTree: the server's CPU is its process tree's (the peer: a script's server may run under a
	// package runner, or fork workers).
	wholeTree bool
}

// runPair measures a against b in alternating rounds, a first: the machine's drift (other tenants, CPU
// frequency) falls on both sides alike.
func runPair(scenario string, a, b side, rounds, n, warmup int) (ra, rb *sideResult, err error) {
	sides := []side{a, b}
	results := []*sideResult{
		{scenario: scenario, side: a.name, hasChildren: a.children, wholeTree: a.wholeTree},
		{scenario: scenario, side: b.name, hasChildren: b.children, wholeTree: b.wholeTree},
	}
	running := make([]*endpoint, 2)
	defer func() {
		for _, e := range running {
			if e != nil {
				_ = e.stop()
			}
		}
	}()
	for i, s := range sides {
		if !s.perRound {
			if running[i], err = s.start(); err != nil {
				return nil, nil, err
			}
		}
	}
	for range rounds {
		for i, s := range sides {
			e := running[i]
			if s.perRound {
				if e, err = s.start(); err != nil {
					return nil, nil, err
				}
			}
			err = measureRound(e, n, warmup, results[i])
			if s.perRound {
				_ = e.stop()
			}
			if err != nil {
				return nil, nil, fmt.Errorf("%s: %w", scenario, err)
			}
		}
	}
	return results[0], results[1], nil
}
