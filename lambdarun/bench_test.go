package lambdarun

import (
	"context"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"
)

// BenchmarkInvoke measures the round trip of one invocation with 8 concurrent callers: through a warm
// aws-lambda-go process (Invoke → GET /next → handler → POST /response → Result) and through an
// in-process handler. It reports the p50 and p99 latencies and the throughput.
func BenchmarkInvoke(b *testing.B) {
	const callers = 8
	payload := []byte(`{"httpMethod":"GET","path":"/pets","headers":{"Accept":"application/json"}}`)
	b.Run("process", func(b *testing.B) {
		benchmarkInvoke(b, Config{Name: "echo", Command: []string{fixture("echo")}, Concurrency: callers}, callers, payload)
	})
	b.Run("in-process", func(b *testing.B) {
		h := handlerFunc(func(_ context.Context, p []byte) ([]byte, error) { return p, nil })
		benchmarkInvoke(b, Config{Name: "echo", Handler: h, Concurrency: callers}, callers, payload)
	})
}

func benchmarkInvoke(b *testing.B, cfg Config, callers int, payload []byte) {
	f := start(b, cfg)
	ctx := context.Background()
	// Warm every process: the benchmark is about warm invocations.
	var wg sync.WaitGroup
	for range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 50 {
				if _, err := f.Invoke(ctx, Invocation{Payload: payload}); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()

	latencies := make([][]time.Duration, callers)
	work := make(chan struct{}, b.N)
	for range b.N {
		work <- struct{}{}
	}
	close(work)
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := selfCPU()
	began := time.Now()
	for i := range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range work {
				t0 := time.Now()
				res, err := f.Invoke(ctx, Invocation{Payload: payload})
				latencies[i] = append(latencies[i], time.Since(t0))
				if err != nil || res.FunctionError != "" {
					b.Errorf("Invoke: %v %+v", err, res)
					return
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(began)
	// This process's CPU: the callers and the gateway's side of the hop, not the function processes.
	b.ReportMetric(float64((selfCPU()-cpu0).Microseconds())/float64(b.N), "gateway-cpu-µs/op")
	b.StopTimer()
	all := slices.Concat(latencies...)
	slices.Sort(all)
	if len(all) == 0 {
		return
	}
	pct := func(p float64) float64 { return float64(all[int(float64(len(all)-1)*p)].Microseconds()) }
	b.ReportMetric(pct(0.50), "p50-µs")
	b.ReportMetric(pct(0.99), "p99-µs")
	b.ReportMetric(float64(len(all))/elapsed.Seconds(), "req/s")
}

// selfCPU is this process's user and system time (its children's not included).
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
