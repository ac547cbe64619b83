package main

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"strconv"
	"time"

	"github.com/apigw-local/apigw-local/emulator"
	"github.com/apigw-local/apigw-local/internal/trafficreport"
)

// The chart of a report draws at most this many keys (the busiest) and points per key: a day at one
// point per minute, or a quarter of an hour at one per second. Everything else is in the tables.
const (
	reportKeys  = 24
	reportSteps = 1440
)

var outcomes = map[string]trafficreport.Outcome{
	"accepted":      trafficreport.Accepted,
	"throttled":     trafficreport.Throttled,
	"quotaExceeded": trafficreport.QuotaExceeded,
	"forbidden":     trafficreport.Forbidden,
}

// levelEvent is a simulated request's answer as the report counts it, at time at.
func levelEvent(at time.Time, ev emulator.SimEvent) trafficreport.Event {
	return trafficreport.Event{Time: at, Key: ev.Request.KeyID, Outcome: outcomes[ev.Outcome],
		HasLevel: !math.IsInf(ev.Level, 0), Level: ev.Level, Capacity: ev.Capacity, Bucket: ev.Bucket}
}

// keyTable is the per-key summary table of a report.
func keyTable(keys []*emulator.SimKey) trafficreport.Table {
	t := trafficreport.Table{Caption: "Per API key",
		Header: []string{"Key id", "Key", "Usage plan", "Requests", "Accepted", "Throttled (429)", "Quota exceeded (429)", "Forbidden (403)"}}
	for _, k := range keys {
		id, name := k.KeyID, k.KeyName
		if id == "" {
			id, name = "-", "(no key)"
		}
		t.Rows = append(t.Rows, []string{id, name, k.Plan, itoa(k.Requests), itoa(k.Accepted), itoa(k.Throttled), itoa(k.QuotaExceeded), itoa(k.Forbidden)})
	}
	return t
}

func itoa(n int) string { return strconv.Itoa(n) }

// keyLabel names a key on the chart: its name and id when the config knows it.
func keyLabel(names map[string]string) func(string) string {
	return func(id string) string {
		switch {
		case id == "":
			return "(no key)"
		case names[id] != "":
			return names[id] + " (" + id + ")"
		}
		return id
	}
}

// writeReport writes the page to path whole, or not at all.
func writeReport(path string, p trafficreport.Page) error {
	var b bytes.Buffer
	if err := trafficreport.Write(&b, p); err != nil {
		return fmt.Errorf("--report %s: %v", path, err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		return fmt.Errorf("--report: %v", err)
	}
	return nil
}
