package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/apigw-local/apigw-local/emulator"
	"github.com/apigw-local/apigw-local/internal/config"
	"github.com/spf13/cobra"
)

type replayOptions struct {
	config   string
	log      string
	target   string
	speed    float64
	duration time.Duration
	fields   []string
	json     bool
	clients  int
}

func newReplayCommand() *cobra.Command {
	o := &replayOptions{}
	cmd := &cobra.Command{
		Use:   "replay --log FILE --target URL",
		Short: "Send recorded access log requests to a running gateway at their recorded pace, and report the answers",
		Long: `replay reads an access log as simulate does and sends its requests to --target (this emulator, or
any other URL you run), at the recorded pace or --speed times faster, with the recorded API keys (their
values from the config's apiKeys, matched by id). It reports per key what the answers were: accepted,
throttled (429 Too Many Requests), over the quota (429 Limit Exceeded), forbidden (403). It stops at the
end of the log, or after --duration.

The request path is the log's path field ($context.path), else its resource path with every {variable}
filled with "1" under its stage.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runReplay(cmd.Context(), cmd.OutOrStdout(), o)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.config, "config", "c", "apigw-local.yaml", "the config whose apiKeys give the keys' values")
	f.StringVar(&o.log, "log", "", "the access log: JSON lines or CSV (required)")
	f.StringVar(&o.target, "target", "", "the gateway's base URL, e.g. http://127.0.0.1:3000 (required)")
	f.Float64Var(&o.speed, "speed", 1, "how many times faster than recorded (0: as fast as possible)")
	f.DurationVar(&o.duration, "duration", 0, "stop after this long (0: at the end of the log)")
	f.StringArrayVar(&o.fields, "field", nil, "NAME=COLUMN: where a field is (time, method, resource, path, stage, key, status)")
	f.BoolVar(&o.json, "json", false, "print one JSON object instead of the table")
	f.IntVar(&o.clients, "clients", 8, "requests in flight at most")
	return cmd
}

func runReplay(ctx context.Context, out io.Writer, o *replayOptions) error {
	if o.log == "" || o.target == "" {
		return errors.New("give --log FILE and --target URL")
	}
	if ctx == nil {
		ctx = context.Background()
	}
	values := map[string]string{} // key id -> value
	if data, err := os.ReadFile(o.config); err == nil {
		c, err := config.Parse(o.config, data)
		if err != nil {
			return err
		}
		for _, k := range c.APIKeys {
			if k.ID != "" {
				values[k.ID] = k.Value
			}
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return err
	}
	reqs, err := readLog(o.log, o.fields)
	if err != nil {
		return err
	}
	if o.duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, o.duration)
		defer cancel()
	}
	client := &http.Client{Timeout: 35 * time.Second}
	keys := map[string]*emulator.SimKey{}
	var mu sync.Mutex
	count := func(r emulator.LogRequest, status int, body string) {
		mu.Lock()
		defer mu.Unlock()
		k := keys[r.KeyID]
		if k == nil {
			k = &emulator.SimKey{KeyID: r.KeyID}
			keys[r.KeyID] = k
		}
		k.Requests++
		switch {
		case status == http.StatusTooManyRequests && strings.Contains(body, "Limit Exceeded"):
			k.QuotaExceeded++
		case status == http.StatusTooManyRequests:
			k.Throttled++
		case status == http.StatusForbidden:
			k.Forbidden++
		default:
			k.Accepted++
		}
	}
	slots := make(chan struct{}, max(o.clients, 1))
	var wg sync.WaitGroup
	start, t0 := time.Now(), reqs[0].Time
	target := strings.TrimSuffix(o.target, "/")
	sent := 0
replay:
	for _, r := range reqs {
		if o.speed > 0 {
			at := start.Add(time.Duration(float64(r.Time.Sub(t0)) / o.speed))
			select {
			case <-ctx.Done():
				break replay
			case <-time.After(time.Until(at)):
			}
		}
		select {
		case <-ctx.Done():
			break replay
		case slots <- struct{}{}:
		}
		sent++
		wg.Add(1)
		go func(r emulator.LogRequest) {
			defer wg.Done()
			defer func() { <-slots }()
			req, err := http.NewRequestWithContext(ctx, r.Method, target+replayPath(r), nil)
			if err != nil {
				return
			}
			if v, ok := values[r.KeyID]; ok {
				req.Header.Set("x-api-key", v)
			}
			res, err := client.Do(req)
			if err != nil {
				return
			}
			body, _ := io.ReadAll(io.LimitReader(res.Body, 4096))
			res.Body.Close()
			count(r, res.StatusCode, string(body))
		}(r)
	}
	wg.Wait()
	report := struct {
		Keys []*emulator.SimKey `json:"keys"`
		Sent int                `json:"sent"`
	}{Sent: sent}
	for _, k := range keys {
		report.Keys = append(report.Keys, k)
	}
	sort.Slice(report.Keys, func(i, j int) bool { return report.Keys[i].KeyID < report.Keys[j].KeyID })
	if o.json {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(report)
	}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "KEY ID\tREQUESTS\tACCEPTED\tTHROTTLED\tQUOTA EXCEEDED\tFORBIDDEN")
	for _, k := range report.Keys {
		id := k.KeyID
		if id == "" {
			id = "-"
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\n", id, k.Requests, k.Accepted, k.Throttled, k.QuotaExceeded, k.Forbidden)
	}
	_ = tw.Flush()
	if sent < len(reqs) {
		fmt.Fprintf(out, "stopped after %d of %d requests (--duration)\n", sent, len(reqs))
	}
	return nil
}

// replayPath is the path a recorded request was sent to: the log's path, else its resource path under
// its stage with each {variable} filled in.
func replayPath(r emulator.LogRequest) string {
	if r.Path != "" {
		return r.Path
	}
	var b strings.Builder
	if r.Stage != "" && r.Stage != "$default" {
		b.WriteString("/" + r.Stage)
	}
	res := r.Resource
	for {
		i := strings.IndexByte(res, '{')
		j := strings.IndexByte(res, '}')
		if i < 0 || j < i {
			break
		}
		res = res[:i] + "1" + res[j+1:]
	}
	b.WriteString(res)
	return b.String()
}
