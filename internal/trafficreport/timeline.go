// Package trafficreport draws what `simulate` and `replay` found as one self-contained HTML page: per API
// key, the requests offered, accepted and refused per second over time with the level of the token bucket
// that limited them, and the summary tables. The page carries its data and its script inline (no network,
// no files beside it), so that it can be mailed or attached to a ticket.
package trafficreport

import (
	"math"
	"sort"
	"time"
)

// Outcome is what became of one request.
type Outcome int

const (
	Accepted      Outcome = iota
	Throttled             // 429 Too Many Requests
	QuotaExceeded         // 429 Limit Exceeded
	Forbidden             // 403
	outcomes
)

// Event is one request's outcome at its time, with the level of the bucket that had the fewest tokens
// after it (HasLevel false when the level is not known, as for a replay against a gateway whose buckets
// cannot be seen and no model of them).
type Event struct {
	Time     time.Time
	Key      string // the API key's id; "" for requests without one
	Outcome  Outcome
	HasLevel bool
	Level    float64 // tokens left
	Capacity float64 // that bucket's burst
	Bucket   string  // that bucket's name
}

// second is one key's requests in one second.
type second struct {
	counts   [outcomes]int32
	level    float64 // the lowest level seen in the second; NaN when none
	capacity float64
	bucket   string
}

// Timeline gathers events per key and second. It keeps only the seconds that had requests, so that a day
// of sparse traffic costs what its requests cost, not 86,400 entries per key.
type Timeline struct {
	first, last time.Time
	keys        map[string]*keySeries
	events      int
}

type keySeries struct {
	requests int
	seconds  map[int64]*second // by Unix second
}

// NewTimeline returns an empty timeline.
func NewTimeline() *Timeline { return &Timeline{keys: map[string]*keySeries{}} }

// Add counts one event.
func (t *Timeline) Add(e Event) {
	s := t.second(e.Time, e.Key)
	t.events++
	t.keys[e.Key].requests++
	if e.Outcome >= 0 && e.Outcome < outcomes {
		s.counts[e.Outcome]++
	}
	if e.HasLevel {
		s.lower(e.Level, e.Capacity, e.Bucket)
	}
}

// AddLevel records a bucket level without counting a request: a model's level beside answers observed
// elsewhere (replay).
func (t *Timeline) AddLevel(at time.Time, key string, level, capacity float64, bucket string) {
	t.second(at, key).lower(level, capacity, bucket)
}

func (t *Timeline) second(at time.Time, key string) *second {
	if t.first.IsZero() || at.Before(t.first) {
		t.first = at
	}
	if t.last.IsZero() || at.After(t.last) {
		t.last = at
	}
	ks := t.keys[key]
	if ks == nil {
		ks = &keySeries{seconds: map[int64]*second{}}
		t.keys[key] = ks
	}
	sec := at.Unix()
	s := ks.seconds[sec]
	if s == nil {
		s = &second{level: math.NaN()}
		ks.seconds[sec] = s
	}
	return s
}

func (s *second) lower(level, capacity float64, bucket string) {
	if math.IsNaN(level) || math.IsInf(level, 0) {
		return
	}
	if math.IsNaN(s.level) || level < s.level {
		s.level, s.capacity, s.bucket = level, capacity, bucket
	}
}

// Events is the number of events added.
func (t *Timeline) Events() int { return t.events }

// Series is one key's time series at a fixed step: per step, the mean requests per second of each outcome
// (Offered is their sum), and the lowest bucket level seen in the step (null where no request was).
type Series struct {
	Key           string     `json:"key"`
	Label         string     `json:"label"`
	Requests      int        `json:"requests"`
	Offered       []float64  `json:"offered"`
	Accepted      []float64  `json:"accepted"`
	Throttled     []float64  `json:"throttled"`
	QuotaExceeded []float64  `json:"quotaExceeded"`
	Forbidden     []float64  `json:"forbidden"`
	Level         []*float64 `json:"level"`
	Capacity      float64    `json:"capacity"` // the largest burst among the bucket levels drawn
	Buckets       []string   `json:"buckets"`  // the names Bucket indexes
	Bucket        []int      `json:"bucket"`   // per step, the lowest bucket's index in Buckets; -1 for none
}

// Chart is what the page draws: from Start, Steps steps of Step seconds, one series per key.
type Chart struct {
	Start   time.Time `json:"-"`
	StartMs int64     `json:"startMs"`
	Step    int       `json:"step"`
	Steps   int       `json:"steps"`
	Series  []Series  `json:"series"`
	// Omitted counts the keys not drawn (the chart keeps the keys with the most requests).
	Omitted int `json:"omitted"`
}

// Chart builds the series for at most maxKeys keys (those with the most requests, ties by key) and at most
// maxSteps steps: one second per step when the traffic spans no more, else as many seconds per step as it
// takes. label names a key for the page.
func (t *Timeline) Chart(maxKeys, maxSteps int, label func(key string) string) Chart {
	if len(t.keys) == 0 {
		return Chart{Step: 1}
	}
	start := t.first.Unix()
	span := t.last.Unix() - start + 1
	step := int64(1)
	if span > int64(maxSteps) {
		step = (span + int64(maxSteps) - 1) / int64(maxSteps)
	}
	steps := int((span + step - 1) / step)
	keys := make([]string, 0, len(t.keys))
	for k := range t.keys {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := t.keys[keys[i]].requests, t.keys[keys[j]].requests
		if a != b {
			return a > b
		}
		return keys[i] < keys[j]
	})
	c := Chart{Start: time.Unix(start, 0).UTC(), StartMs: start * 1000, Step: int(step), Steps: steps}
	if len(keys) > maxKeys {
		c.Omitted = len(keys) - maxKeys
		keys = keys[:maxKeys]
	}
	for _, k := range keys {
		ks := t.keys[k]
		s := Series{Key: k, Label: label(k), Requests: ks.requests,
			Offered: make([]float64, steps), Accepted: make([]float64, steps), Throttled: make([]float64, steps),
			QuotaExceeded: make([]float64, steps), Forbidden: make([]float64, steps),
			Level: make([]*float64, steps), Bucket: make([]int, steps)}
		for i := range s.Bucket {
			s.Bucket[i] = -1
		}
		bucketIndex := map[string]int{}
		counts := make([][outcomes]int32, steps)
		secs := make([]int64, 0, len(ks.seconds))
		for sec := range ks.seconds {
			secs = append(secs, sec)
		}
		// In time order, so that the bucket names are numbered, and a tie between two seconds' levels is
		// broken, the same way every run.
		sort.Slice(secs, func(i, j int) bool { return secs[i] < secs[j] })
		for _, sec := range secs {
			v := ks.seconds[sec]
			i := int((sec - start) / step)
			for o := range outcomes {
				counts[i][o] += v.counts[o]
			}
			if math.IsNaN(v.level) {
				continue
			}
			if s.Level[i] == nil || v.level < *s.Level[i] {
				lv := v.level
				s.Level[i] = &lv
				bi, ok := bucketIndex[v.bucket]
				if !ok {
					bi = len(s.Buckets)
					bucketIndex[v.bucket] = bi
					s.Buckets = append(s.Buckets, v.bucket)
				}
				s.Bucket[i] = bi
			}
			s.Capacity = math.Max(s.Capacity, v.capacity)
		}
		per := float64(step)
		for i, cs := range counts {
			s.Accepted[i] = float64(cs[Accepted]) / per
			s.Throttled[i] = float64(cs[Throttled]) / per
			s.QuotaExceeded[i] = float64(cs[QuotaExceeded]) / per
			s.Forbidden[i] = float64(cs[Forbidden]) / per
			s.Offered[i] = float64(cs[Accepted]+cs[Throttled]+cs[QuotaExceeded]+cs[Forbidden]) / per
		}
		c.Series = append(c.Series, s)
	}
	return c
}
