package main

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/apigw-local/apigw-local/emulator"
	"github.com/apigw-local/apigw-local/internal/trafficreport"
	"github.com/ohler55/ojg/oj"
	"github.com/spf13/cobra"
)

type simulateOptions struct {
	sourceFlags
	log    string
	fields []string
	json   bool
	report string
}

func newSimulateCommand() *cobra.Command {
	o := &simulateOptions{}
	cmd := &cobra.Command{
		Use:   "simulate --log FILE [SPEC ...]",
		Short: "Run recorded access logs through the limiter on a virtual clock and report who would be throttled",
		Long: `simulate reads API Gateway access logs (JSON lines, e.g. the console's JSON preset plus
$context.identity.apiKeyId and $context.requestTimeEpoch, or CSV exported from CloudWatch Logs Insights)
and runs each request, in time order, through the same API key, usage plan, quota and throttle checks serve
uses, on a virtual clock: a day of traffic in seconds, the same answers every run. It reports, per API key,
the requests accepted, throttled (429 Too Many Requests), over the quota (429 Limit Exceeded) and forbidden
(403). When the log has production's status, it compares the two, request by request.

Fields are found by name (time: requestTimeEpoch, requestTime; method: httpMethod; resource: resourcePath;
stage; api: apiId, to tell the APIs of one account apart; key: apiKeyId; status); --field time=myTime
overrides one.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runSimulate(cmd.OutOrStdout(), cmd.ErrOrStderr(), o, args)
		},
	}
	o.add(cmd)
	f := cmd.Flags()
	f.StringVar(&o.log, "log", "", "the access log: JSON lines or CSV (required)")
	f.StringArrayVar(&o.fields, "field", nil, "NAME=COLUMN: where a field is (time, method, resource, path, stage, api, key, status)")
	f.BoolVar(&o.json, "json", false, "print one JSON object instead of the table")
	f.StringVar(&o.report, "report", "", "also write an HTML page: per key over time, requests offered, accepted and refused with the bucket's level")
	return cmd
}

// logFields are the names each field goes by in the logs simulate reads, most specific first.
var logFields = map[string][]string{
	"time":     {"requestTimeEpoch", "requestTime", "timestamp", "@timestamp", "time"},
	"method":   {"httpMethod", "method"},
	"resource": {"resourcePath", "resource"},
	"path":     {"path"},
	"stage":    {"stage"},
	"api":      {"apiId"},
	"key":      {"apiKeyId", "identity.apiKeyId", "keyId", "apiKey"},
	"status":   {"status", "statusCode"},
}

// logReader turns log lines into requests.
type logReader struct {
	field map[string]string // field -> column name, from --field
	csv   *csv.Reader
	cols  map[string]int // CSV: column name -> index
	lines *bufio.Scanner
	line  int
	// lineBytes is the size of the last line read, for an estimate of how many a file holds.
	lineBytes int
	// parser keeps its maps from line to line (Reuse): reading the JSON is most of simulate's cost, and
	// ojg's parser with kept buffers is about twice as fast as encoding/json's into a map.
	parser oj.Parser
	// interned holds one copy of each method, resource, stage, key id and path seen, so that a million
	// requests hold a few thousand strings, not five million.
	interned map[string]string
}

// maxInterned bounds the interned strings: paths with ids in them are as many as the requests.
const maxInterned = 1 << 16

func (lr *logReader) intern(s string) string {
	if v, ok := lr.interned[s]; ok {
		return v
	}
	if len(lr.interned) < maxInterned {
		lr.interned[s] = s
	}
	return s
}

func newLogReader(r io.Reader, overrides []string) (*logReader, error) {
	lr := &logReader{field: map[string]string{}, parser: oj.Parser{Reuse: true}, interned: map[string]string{}}
	for _, kv := range overrides {
		k, v, ok := strings.Cut(kv, "=")
		if _, known := logFields[k]; !ok || !known || v == "" {
			return nil, fmt.Errorf("--field %q: write NAME=COLUMN with NAME one of time, method, resource, path, stage, api, key, status", kv)
		}
		lr.field[k] = v
	}
	br := bufio.NewReaderSize(r, 64<<10)
	head, _ := br.Peek(1)
	if len(head) == 1 && head[0] != '{' {
		lr.csv = csv.NewReader(br)
		lr.csv.ReuseRecord = true
		names, err := lr.csv.Read()
		if err != nil {
			return nil, fmt.Errorf("the CSV header: %v", err)
		}
		lr.cols = map[string]int{}
		for i, n := range names {
			lr.cols[strings.TrimSpace(n)] = i
		}
		lr.line = 1
		return lr, nil
	}
	lr.lines = bufio.NewScanner(br)
	lr.lines.Buffer(make([]byte, 64<<10), 1<<20)
	return lr, nil
}

// next returns the next request; io.EOF at the end. A line it cannot read is an error naming it.
func (lr *logReader) next() (emulator.LogRequest, error) {
	get := func(lookup func(string) (string, bool), field string) string {
		if c, ok := lr.field[field]; ok {
			v, _ := lookup(c)
			return v
		}
		for _, name := range logFields[field] {
			if v, ok := lookup(name); ok {
				return v
			}
		}
		return ""
	}
	var lookup func(string) (string, bool)
	if lr.csv != nil {
		before := lr.csv.InputOffset()
		rec, err := lr.csv.Read()
		if err != nil {
			return emulator.LogRequest{}, err
		}
		lr.line++
		lr.lineBytes = int(lr.csv.InputOffset() - before)
		lookup = func(name string) (string, bool) {
			if i, ok := lr.cols[name]; ok && i < len(rec) {
				return rec[i], true
			}
			return "", false
		}
	} else {
		for {
			if !lr.lines.Scan() {
				if err := lr.lines.Err(); err != nil {
					return emulator.LogRequest{}, err
				}
				return emulator.LogRequest{}, io.EOF
			}
			lr.line++
			if len(bytes.TrimSpace(lr.lines.Bytes())) > 0 {
				break
			}
		}
		lr.lineBytes = len(lr.lines.Bytes()) + 1
		v, err := lr.parser.Parse(lr.lines.Bytes())
		obj, isObject := v.(map[string]any)
		if err != nil || !isObject {
			if err == nil {
				err = fmt.Errorf("it is a %T", v)
			}
			return emulator.LogRequest{}, fmt.Errorf("line %d is not a JSON object: %v", lr.line, err)
		}
		lookup = func(name string) (string, bool) {
			v, ok := obj[name]
			switch v := v.(type) {
			case string:
				return v, ok
			case int64:
				return strconv.FormatInt(v, 10), ok
			case float64:
				return strconv.FormatFloat(v, 'f', -1, 64), ok
			}
			return "", false
		}
	}
	req := emulator.LogRequest{Method: lr.intern(get(lookup, "method")), Resource: lr.intern(get(lookup, "resource")),
		Path: lr.intern(get(lookup, "path")), Stage: lr.intern(get(lookup, "stage")), APIID: lr.intern(get(lookup, "api")), KeyID: lr.intern(get(lookup, "key"))}
	if req.KeyID == "-" {
		req.KeyID = ""
	}
	t, err := parseLogTime(get(lookup, "time"))
	if err != nil {
		return emulator.LogRequest{}, fmt.Errorf("line %d: %v", lr.line, err)
	}
	req.Time = t
	if s := get(lookup, "status"); s != "" && s != "-" {
		if req.Status, err = strconv.Atoi(s); err != nil {
			return emulator.LogRequest{}, fmt.Errorf("line %d: status %q is not a number", lr.line, s)
		}
	}
	return req, nil
}

// parseLogTime reads milliseconds since the epoch ($context.requestTimeEpoch), API Gateway's
// requestTime (02/Jan/2006:15:04:05 -0700) or RFC 3339 (Logs Insights' @timestamp).
func parseLogTime(s string) (time.Time, error) {
	if ms, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.UnixMilli(ms).UTC(), nil
	}
	for _, layout := range []string{"02/Jan/2006:15:04:05 -0700", time.RFC3339Nano, "2006-01-02 15:04:05.000"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("time %q: use requestTimeEpoch (ms), requestTime (02/Jan/2006:15:04:05 -0700) or RFC 3339", s)
}

// readLog reads a whole access log, in time order: as the gateway met the requests (quotas then start
// from the first request's period).
func readLog(path string, fields []string) ([]emulator.LogRequest, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	lr, err := newLogReader(f, fields)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	var reqs []emulator.LogRequest
	for {
		r, err := lr.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %v", path, err)
		}
		if reqs == nil {
			// Room for as many requests as the file has lines of the first one's size: growing a slice of
			// a million requests by doubling copies and clears it some twenty times.
			n := 16
			if st, err := f.Stat(); err == nil && lr.lineBytes > 0 {
				n = min(int(st.Size()/int64(lr.lineBytes))+16, 1<<24)
			}
			reqs = make([]emulator.LogRequest, 0, n)
		}
		reqs = append(reqs, r)
	}
	if len(reqs) == 0 {
		return nil, fmt.Errorf("%s: no requests", path)
	}
	sort.SliceStable(reqs, func(i, j int) bool { return reqs[i].Time.Before(reqs[j].Time) })
	return reqs, nil
}

func runSimulate(out, errOut io.Writer, o *simulateOptions, specs []string) error {
	if o.log == "" {
		return errors.New("give --log FILE (an access log: JSON lines or CSV)")
	}
	reqs, err := readLog(o.log, o.fields)
	if err != nil {
		return err
	}
	src, err := o.sources(specs)
	if err != nil {
		return err
	}
	l, err := emulator.Load(src)
	if err != nil {
		if l != nil {
			fmt.Fprintln(errOut, l.Findings.Error())
		}
		return err
	}
	snap, err := l.Snapshot()
	if err != nil {
		return err
	}
	clock := emulator.NewManualClock(reqs[0].Time)
	g := emulator.NewGateway(snap, nil, emulator.WithClock(clock))
	defer g.Close()
	i := 0
	var timeline *trafficreport.Timeline
	var observe func(emulator.SimEvent)
	if o.report != "" {
		timeline = trafficreport.NewTimeline()
		observe = func(ev emulator.SimEvent) { timeline.Add(levelEvent(ev.Request.Time, ev)) }
	}
	report := g.Simulate(func() (emulator.LogRequest, bool) {
		if i == len(reqs) {
			return emulator.LogRequest{}, false
		}
		i++
		return reqs[i-1], true
	}, clock, observe)
	if o.report != "" {
		if err := writeReport(o.report, simulatePage(o.log, reqs, report, timeline)); err != nil {
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
	fmt.Fprintln(tw, "KEY ID\tKEY\tPLAN\tREQUESTS\tACCEPTED\tTHROTTLED\tQUOTA EXCEEDED\tFORBIDDEN")
	for _, k := range report.Keys {
		id, name := k.KeyID, k.KeyName
		if id == "" {
			id, name = "-", "(no key)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%d\t%d\t%d\n", id, name, k.Plan, k.Requests, k.Accepted, k.Throttled, k.QuotaExceeded, k.Forbidden)
	}
	fmt.Fprintln(tw, "")
	multi := len(snap.APIs) > 1
	if multi {
		fmt.Fprint(tw, "API\t")
	}
	fmt.Fprintln(tw, "STAGE\tMETHOD\tRESOURCE\tREQUESTS\tACCEPTED\tTHROTTLED\tQUOTA EXCEEDED\tFORBIDDEN")
	for _, m := range report.Methods {
		if multi {
			fmt.Fprint(tw, m.APIID+"\t")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%d\t%d\t%d\n", m.Stage, m.Method, m.Resource, m.Requests, m.Accepted, m.Throttled, m.QuotaExceeded, m.Forbidden)
	}
	_ = tw.Flush()
	if report.Unmatched > 0 {
		fmt.Fprintf(out, "%d requests match no route and stage of the specs: not counted\n", report.Unmatched)
	}
	if a := report.Agreement; a != nil {
		fmt.Fprintf(out, "agreement with production: %d of %d requests (%.1f%%)\n", a.Agreed, a.Compared, a.Percent)
		if len(a.Largest) > 0 {
			fmt.Fprintln(out, "largest disagreements:")
		}
		for _, d := range a.Largest {
			fmt.Fprintf(out, "  %d requests, %s to %s, key %s %s %s: production %d, apigw-local %d\n", d.Count, d.Time.Format(time.RFC3339Nano),
				d.Until.Format(time.RFC3339Nano), keyOrDash(d.KeyID), d.Method, d.Resource, d.Production, d.Emulator)
		}
	}
	return nil
}

// simulatePage is simulate's report as a page.
func simulatePage(logPath string, reqs []emulator.LogRequest, r *emulator.SimReport, tl *trafficreport.Timeline) trafficreport.Page {
	names := map[string]string{}
	for _, k := range r.Keys {
		names[k.KeyID] = k.KeyName
	}
	p := trafficreport.Page{
		Title: "apigw-local simulate: " + filepath.Base(logPath),
		Summary: []string{fmt.Sprintf("%d requests from %s, %s to %s, run through the configured API keys, usage plans, quotas and throttles on a virtual clock.",
			len(reqs), logPath, reqs[0].Time.Format(time.RFC3339), reqs[len(reqs)-1].Time.Format(time.RFC3339))},
		Notes: []string{"The bucket level is the number of tokens left, just after a request, in the lowest of the buckets it met: " +
			"the usage plan's method and key buckets, the stage's method bucket, the account's. A request is throttled when a bucket it meets is below one token."},
		Chart: tl.Chart(reportKeys, reportSteps, keyLabel(names)),
	}
	if r.Unmatched > 0 {
		p.Notes = append(p.Notes, fmt.Sprintf("%d requests match no route and stage of the specs: not counted.", r.Unmatched))
	}
	p.Tables = append(p.Tables, keyTable(r.Keys))
	mt := trafficreport.Table{Caption: "Per method and stage",
		Header: []string{"API", "Stage", "Method", "Resource", "Requests", "Accepted", "Throttled (429)", "Quota exceeded (429)", "Forbidden (403)"}}
	for _, m := range r.Methods {
		mt.Rows = append(mt.Rows, []string{m.APIID, m.Stage, m.Method, m.Resource, itoa(m.Requests), itoa(m.Accepted), itoa(m.Throttled), itoa(m.QuotaExceeded), itoa(m.Forbidden)})
	}
	p.Tables = append(p.Tables, mt)
	if a := r.Agreement; a != nil {
		p.Summary = append(p.Summary, fmt.Sprintf("Agreement with production: %d of %d requests (%.1f%%).", a.Agreed, a.Compared, a.Percent))
		if len(a.Largest) > 0 {
			dt := trafficreport.Table{Caption: "Where production and apigw-local answered differently",
				Header: []string{"Requests", "From", "To", "Key id", "Method", "Resource", "Production", "apigw-local"}}
			for _, d := range a.Largest {
				dt.Rows = append(dt.Rows, []string{itoa(d.Count), d.Time.Format(time.RFC3339Nano), d.Until.Format(time.RFC3339Nano),
					keyOrDash(d.KeyID), d.Method, d.Resource, itoa(d.Production), itoa(d.Emulator)})
			}
			p.Tables = append(p.Tables, dt)
		}
	}
	return p
}

func keyOrDash(id string) string {
	if id == "" {
		return "-"
	}
	return id
}
