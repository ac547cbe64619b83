package trafficreport

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)

func ev(sec float64, key string, o Outcome, level float64, bucket string) Event {
	return Event{Time: t0.Add(time.Duration(sec * float64(time.Second))), Key: key, Outcome: o, HasLevel: true, Level: level, Capacity: 5, Bucket: bucket}
}

// One point per second while the traffic spans no more seconds than allowed: counts per outcome, the
// offered sum, the lowest level of the second with its bucket, and null where a key had no request.
func TestChartPerSecond(t *testing.T) {
	tl := NewTimeline()
	tl.Add(ev(0, "k1", Accepted, 4, "plan"))
	tl.Add(ev(0.5, "k1", Accepted, 3, "plan"))
	tl.Add(ev(0.9, "k1", Throttled, 0.5, "stage"))
	tl.Add(ev(2, "k1", QuotaExceeded, 2, "plan"))
	tl.Add(ev(2.2, "k2", Forbidden, 9, "account"))
	c := tl.Chart(10, 100, func(k string) string { return "key " + k })
	if c.Steps != 3 || c.Step != 1 || !c.Start.Equal(t0) || c.StartMs != t0.UnixMilli() || len(c.Series) != 2 || c.Omitted != 0 {
		t.Fatalf("chart %+v", c)
	}
	k1 := c.Series[0]
	if k1.Key != "k1" || k1.Label != "key k1" || k1.Requests != 4 {
		t.Fatalf("the busiest key first: %+v", k1)
	}
	want := map[string][]float64{"offered": {3, 0, 1}, "accepted": {2, 0, 0}, "throttled": {1, 0, 0}, "quotaExceeded": {0, 0, 1}, "forbidden": {0, 0, 0}}
	got := map[string][]float64{"offered": k1.Offered, "accepted": k1.Accepted, "throttled": k1.Throttled, "quotaExceeded": k1.QuotaExceeded, "forbidden": k1.Forbidden}
	for name, w := range want {
		if fmt.Sprint(got[name]) != fmt.Sprint(w) {
			t.Errorf("%s = %v, want %v", name, got[name], w)
		}
	}
	if k1.Level[0] == nil || *k1.Level[0] != 0.5 || k1.Level[1] != nil || k1.Level[2] == nil || *k1.Level[2] != 2 {
		t.Errorf("levels %v", k1.Level)
	}
	if k1.Buckets[k1.Bucket[0]] != "stage" || k1.Bucket[1] != -1 || k1.Buckets[k1.Bucket[2]] != "plan" || k1.Capacity != 5 {
		t.Errorf("buckets %v %v capacity %v", k1.Buckets, k1.Bucket, k1.Capacity)
	}
	if k2 := c.Series[1]; k2.Forbidden[2] != 1 || k2.Offered[0] != 0 {
		t.Errorf("k2 %+v", k2)
	}
}

// A longer span is cut into coarser steps, each point the step's mean rate and lowest level; only the
// busiest keys are drawn, the others counted.
func TestChartSteps(t *testing.T) {
	tl := NewTimeline()
	for s := range 100 { // one request a second for 100 s: 10 per 10-second step, a rate of 1/s
		tl.Add(ev(float64(s), "busy", Accepted, float64(s%7), "plan"))
	}
	tl.Add(ev(5, "quiet", Throttled, 0, "plan"))
	tl.Add(ev(6, "quieter", Throttled, 0, "plan")) // ties with quiet: ordered by key
	c := tl.Chart(2, 10, func(k string) string { return k })
	if c.Step != 10 || c.Steps != 10 || len(c.Series) != 2 || c.Omitted != 1 || c.Series[0].Key != "busy" || c.Series[1].Key != "quiet" {
		t.Fatalf("step %d, %d steps, %d series, %d omitted", c.Step, c.Steps, len(c.Series), c.Omitted)
	}
	for i, v := range c.Series[0].Offered {
		if v != 1 || *c.Series[0].Level[i] != 0 {
			t.Errorf("step %d: %v/s, level %v", i, v, *c.Series[0].Level[i])
		}
	}
	if q := c.Series[1]; q.Throttled[0] != 0.1 {
		t.Errorf("one request in a 10 s step is 0.1/s: %v", q.Throttled)
	}
}

// AddLevel draws a modelled level beside requests counted elsewhere without counting a request.
func TestAddLevel(t *testing.T) {
	tl := NewTimeline()
	tl.Add(Event{Time: t0, Key: "k", Outcome: Throttled})
	tl.AddLevel(t0, "k", 0.25, 2, "model")
	tl.AddLevel(t0, "k", 1.25, 2, "model")
	c := tl.Chart(5, 5, func(k string) string { return k })
	if s := c.Series[0]; s.Requests != 1 || *s.Level[0] != 0.25 || s.Capacity != 2 || s.Throttled[0] != 1 {
		t.Errorf("%+v", s)
	}
	if tl.Events() != 1 {
		t.Errorf("events %d", tl.Events())
	}
}

// Names and values from a log are escaped, in the HTML and in the script's data: a key id that closes the
// script cannot end it.
func TestWriteEscapes(t *testing.T) {
	tl := NewTimeline()
	evil := `</script><script>alert(1)</script>`
	tl.Add(Event{Time: t0, Key: evil, Outcome: Accepted})
	var b bytes.Buffer
	err := Write(&b, Page{Title: "t <b>", Tables: []Table{{Caption: "c", Header: []string{"Key"}, Rows: [][]string{{evil}}}},
		Chart: tl.Chart(5, 5, func(k string) string { return k })})
	if err != nil {
		t.Fatal(err)
	}
	page := b.String()
	if strings.Count(page, "</script>") != 1 || strings.Contains(page, "<b>") || strings.Contains(page, "<script>alert") {
		t.Errorf("unescaped input in the page:\n%s", page)
	}
	if !strings.Contains(page, `&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;`) {
		t.Errorf("the table does not show the key as written")
	}
}
