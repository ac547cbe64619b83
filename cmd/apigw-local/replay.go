package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/apigw-local/apigw-local/emulator"
	"github.com/apigw-local/apigw-local/internal/config"
	"github.com/apigw-local/apigw-local/internal/trafficreport"
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
	report   string
	// hostPerAPI sends each request with Host {apiId}.execute-api.localhost, as serve tells several APIs
	// apart.
	hostPerAPI bool
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
filled with "1" under its stage. A log of several APIs (apiId) replays to apigw-local serving them all
with --host-per-api: each request then carries Host {apiId}.execute-api.localhost.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runReplay(cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr(), o)
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
	f.BoolVar(&o.hostPerAPI, "host-per-api", false, "send each request with Host {apiId}.execute-api.localhost from the log's apiId, as apigw-local serves several APIs side by side")
	f.StringVar(&o.report, "report", "", "also write an HTML page: per key over time, requests offered, accepted and refused, with the bucket level the config's limits give")
	return cmd
}

func runReplay(ctx context.Context, out, errOut io.Writer, o *replayOptions) error {
	if o.log == "" || o.target == "" {
		return errors.New("give --log FILE and --target URL")
	}
	if ctx == nil {
		ctx = context.Background()
	}
	values := map[string]string{} // key id -> value
	names := map[string]string{}  // key id -> name
	if data, err := os.ReadFile(o.config); err == nil {
		c, err := config.Parse(o.config, data)
		if err != nil {
			return err
		}
		for _, k := range c.APIKeys {
			if k.ID != "" {
				values[k.ID] = k.Value
				names[k.ID] = k.Name
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
	var timeline *trafficreport.Timeline
	if o.report != "" {
		timeline = trafficreport.NewTimeline()
	}
	var mu sync.Mutex
	count := func(r emulator.LogRequest, at time.Time, status int, body string) {
		mu.Lock()
		defer mu.Unlock()
		k := keys[r.KeyID]
		if k == nil {
			k = &emulator.SimKey{KeyID: r.KeyID, KeyName: names[r.KeyID]}
			keys[r.KeyID] = k
		}
		k.Requests++
		outcome := trafficreport.Accepted
		switch {
		case status == http.StatusTooManyRequests && strings.Contains(body, "Limit Exceeded"):
			k.QuotaExceeded++
			outcome = trafficreport.QuotaExceeded
		case status == http.StatusTooManyRequests:
			k.Throttled++
			outcome = trafficreport.Throttled
		case status == http.StatusForbidden:
			k.Forbidden++
			outcome = trafficreport.Forbidden
		default:
			k.Accepted++
		}
		if timeline != nil {
			timeline.Add(trafficreport.Event{Time: at, Key: r.KeyID, Outcome: outcome})
		}
	}
	// Requests that got no answer (the target refused the connection, --duration ended them) are counted
	// apart: a table of answers must not look as if they had been accepted or never sent.
	failed, firstFailure := 0, ""
	fail := func(err error) {
		mu.Lock()
		defer mu.Unlock()
		if failed == 0 {
			firstFailure = err.Error()
		}
		failed++
	}
	slots := make(chan struct{}, max(o.clients, 1))
	var wg sync.WaitGroup
	start, t0 := time.Now(), reqs[0].Time
	target := strings.TrimSuffix(o.target, "/")
	sent := 0
replay:
	for _, r := range reqs {
		// at is when the request is sent on the replay's time axis: the log's time, the gaps divided by
		// --speed; as fast as possible, the time it was sent.
		at := time.Now()
		if o.speed > 0 {
			at = t0.Add(scaled(r.Time.Sub(t0), o.speed))
			select {
			case <-ctx.Done():
				break replay
			case <-time.After(time.Until(start.Add(at.Sub(t0)))):
			}
		}
		select {
		case <-ctx.Done():
			break replay
		case slots <- struct{}{}:
		}
		sent++
		wg.Add(1)
		go func(r emulator.LogRequest, at time.Time) {
			defer wg.Done()
			defer func() { <-slots }()
			req, err := http.NewRequestWithContext(ctx, r.Method, target+replayPath(r), nil)
			if err != nil {
				fail(err)
				return
			}
			if v, ok := values[r.KeyID]; ok {
				req.Header.Set("x-api-key", v)
			}
			if o.hostPerAPI && r.APIID != "" {
				req.Host = r.APIID + ".execute-api.localhost"
			}
			res, err := client.Do(req)
			if err != nil {
				fail(err)
				return
			}
			body, _ := io.ReadAll(io.LimitReader(res.Body, 4096))
			res.Body.Close()
			count(r, at, res.StatusCode, string(body))
		}(r, at)
	}
	wg.Wait()
	report := struct {
		Keys     []*emulator.SimKey `json:"keys"`
		Sent     int                `json:"sent"`
		NoAnswer int                `json:"noAnswer"`
	}{Sent: sent, NoAnswer: failed}
	for _, k := range keys {
		report.Keys = append(report.Keys, k)
	}
	sort.Slice(report.Keys, func(i, j int) bool { return report.Keys[i].KeyID < report.Keys[j].KeyID })
	if o.report != "" {
		if err := writeReport(o.report, replayPage(o, reqs[:sent], report.Keys, timeline, names, failed)); err != nil {
			return err
		}
		fmt.Fprintf(errOut, "report: %s\n", o.report)
	}
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
	if failed > 0 {
		fmt.Fprintf(out, "%d requests got no answer and are not in the table (the first: %s)\n", failed, firstFailure)
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

// scaled is a gap of the log replayed speed times faster.
func scaled(d time.Duration, speed float64) time.Duration { return time.Duration(float64(d) / speed) }

// replayPage is replay's report as a page. The target's buckets cannot be seen from outside; when the
// config names its specs, the bucket level drawn is the config's limits run on the replay's timeline (what
// apigw-local serving that config would hold), and the page says so.
func replayPage(o *replayOptions, sent []emulator.LogRequest, keys []*emulator.SimKey, tl *trafficreport.Timeline, names map[string]string, noAnswer int) trafficreport.Page {
	p := trafficreport.Page{
		Title:   "apigw-local replay: " + filepath.Base(o.log) + " to " + o.target,
		Summary: []string{fmt.Sprintf("%d requests from %s sent to %s, %s.", len(sent), o.log, o.target, pace(o.speed))},
	}
	if noAnswer > 0 {
		p.Summary = append(p.Summary, fmt.Sprintf("%d of them got no answer (connection errors, or --duration ended them): they are in neither the chart nor the table.", noAnswer))
	}
	if note := modelLevels(o, sent, tl); note != "" {
		p.Notes = append(p.Notes, note)
	}
	p.Chart = tl.Chart(reportKeys, reportSteps, keyLabel(names))
	p.Tables = append(p.Tables, keyTable(keys))
	return p
}

func pace(speed float64) string {
	switch {
	case speed == 1:
		return "at the recorded pace"
	case speed > 0:
		return fmt.Sprintf("%g times faster than recorded (the time axis is the replay's: the log's first request's time, the gaps divided by %g)", speed, speed)
	}
	return "as fast as possible (the time axis is when each request was sent)"
}

// modelLevels adds to tl the bucket levels of the config's limits over the replay's timeline, and says
// what the level line is, or why there is none.
func modelLevels(o *replayOptions, sent []emulator.LogRequest, tl *trafficreport.Timeline) string {
	if o.speed <= 0 {
		return "No bucket level: requests sent as fast as possible have no timeline to run the limits on."
	}
	if len(sent) == 0 {
		return ""
	}
	l, err := emulator.Load(emulator.Sources{Config: o.config})
	if err != nil {
		return fmt.Sprintf("No bucket level: the config's APIs could not be loaded to model the limits (%v).", firstLine(err.Error()))
	}
	snap, err := l.Snapshot()
	if err != nil {
		return fmt.Sprintf("No bucket level: %v.", firstLine(err.Error()))
	}
	t0 := sent[0].Time
	clock := emulator.NewManualClock(t0)
	g := emulator.NewGateway(snap, nil, emulator.WithClock(clock))
	defer g.Close()
	i := 0
	g.Simulate(func() (emulator.LogRequest, bool) {
		if i == len(sent) {
			return emulator.LogRequest{}, false
		}
		r := sent[i]
		r.Time = t0.Add(scaled(r.Time.Sub(t0), o.speed))
		i++
		return r, true
	}, clock, func(ev emulator.SimEvent) {
		if e := levelEvent(ev.Request.Time, ev); e.HasLevel {
			tl.AddLevel(e.Time, e.Key, e.Level, e.Capacity, e.Bucket)
		}
	})
	return "The bucket level is modelled: the target's buckets cannot be seen from outside, so the line is " + o.config +
		"'s limits run on the replay's timeline, the tokens left in the lowest bucket each request met. Where the target is apigw-local serving that config, its 429s fall where the line drops below one token."
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}
