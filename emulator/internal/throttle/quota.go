package throttle

import (
	"sort"
	"sync"
	"time"
)

// Period is a quota period (QuotaSettings.period).
type Period string

const (
	Day   Period = "DAY"
	Week  Period = "WEEK"
	Month Period = "MONTH"
)

// PeriodStart returns the start of the period that contains t, in UTC: midnight for DAY, Sunday midnight
// for WEEK (the week AWS's older QuotaSettings text counts from: "offset 0 starts on Sunday"), the first
// of the month for MONTH.
func PeriodStart(p Period, t time.Time) time.Time {
	t = t.UTC()
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	switch p {
	case Week:
		return day.AddDate(0, 0, -int(day.Weekday()))
	case Month:
		return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
	}
	return day
}

// Quota is a usage plan's request quota per API key (QuotaSettings). Offset is, as the current API
// reference defines it, the number of requests subtracted from Limit in the initial period: the period
// in which the quota started to apply (here: when the server loaded it, or the last reset).
type Quota struct {
	Limit  int
	Period Period
	Offset int
}

// Usage counts the requests of one API key in one usage plan: per UTC day (what get-usage reports) and
// against the plan's quota, when it has one.
type Usage struct {
	mu      sync.Mutex
	quota   *Quota
	initial time.Time       // start of the initial period
	current time.Time       // start of the period that used counts
	next    time.Time       // start of the period after it: roll has nothing to do before then
	used    int             // requests in the current period
	daily   map[int64]int64 // requests per UTC day, keyed by days since 1970-01-01
}

// keepDays bounds the daily history; AWS keeps usage data for 90 days.
const keepDays = 90

func newUsage(q *Quota, now time.Time) *Usage {
	u := &Usage{daily: map[int64]int64{}}
	u.setQuota(q, now)
	return u
}

func (u *Usage) setQuota(q *Quota, now time.Time) {
	if q != nil {
		q2 := *q
		q = &q2
	}
	old := u.quota
	u.quota = q
	if q == nil {
		return
	}
	if old == nil || old.Period != q.Period || old.Offset != q.Offset {
		// A new period length or offset starts a new initial period; the requests already made in it
		// still count.
		u.initial = PeriodStart(q.Period, now)
		u.setCurrent(u.initial)
		u.used = int(u.sumDays(u.current, now))
	}
}

func dayNumber(t time.Time) int64 { return t.Unix() / 86400 }

func (u *Usage) sumDays(from, to time.Time) int64 {
	var n int64
	for d := dayNumber(from); d <= dayNumber(to); d++ {
		n += u.daily[d]
	}
	return n
}

// setCurrent makes the period starting at start the current one.
func (u *Usage) setCurrent(start time.Time) {
	u.current = start
	switch u.quota.Period {
	case Week:
		u.next = start.AddDate(0, 0, 7)
	case Month:
		u.next = start.AddDate(0, 1, 0)
	default:
		u.next = start.AddDate(0, 0, 1)
	}
}

// roll moves the quota to the period of now. Per request it is one comparison: the period boundary is
// computed once per period.
func (u *Usage) roll(now time.Time) {
	if u.quota == nil || now.Before(u.next) {
		return
	}
	u.setCurrent(PeriodStart(u.quota.Period, now))
	u.used = 0
}

func (u *Usage) allowedIn(start time.Time) int {
	if start.Equal(u.initial) {
		return u.quota.Limit - u.quota.Offset
	}
	return u.quota.Limit
}

// Exhausted reports whether the quota is used up at time now.
func (u *Usage) Exhausted(now time.Time) bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.quota == nil {
		return false
	}
	u.roll(now)
	return u.used >= u.allowedIn(u.current)
}

// Take counts one request at time now, or reports false (counting nothing) when the quota is used up.
func (u *Usage) Take(now time.Time) bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.quota != nil {
		u.roll(now)
		if u.used >= u.allowedIn(u.current) {
			return false
		}
		u.used++
	}
	d := dayNumber(now)
	if _, ok := u.daily[d]; !ok && len(u.daily) >= keepDays {
		delete(u.daily, minKey(u.daily))
	}
	u.daily[d]++
	return true
}

func minKey(m map[int64]int64) int64 {
	first := true
	var k int64
	for d := range m {
		if first || d < k {
			k, first = d, false
		}
	}
	return k
}

// Remaining returns the requests left in the current period at time now, and false when there is no
// quota.
func (u *Usage) Remaining(now time.Time) (int, bool) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.quota == nil {
		return 0, false
	}
	u.roll(now)
	return max(0, u.allowedIn(u.current)-u.used), true
}

// DayUsage is one day of a get-usage report.
type DayUsage struct {
	Date      time.Time // midnight UTC
	Used      int64
	Remaining *int64 // quota left at the end of the day; nil when the plan has no quota
}

// Days reports each UTC day from from to to (inclusive): the requests made, and the quota left at the
// end of that day (or now, for today). Days before the quota applied report the full allowance.
func (u *Usage) Days(from, to time.Time) []DayUsage {
	u.mu.Lock()
	defer u.mu.Unlock()
	var out []DayUsage
	for d := dayNumber(from); d <= dayNumber(to); d++ {
		date := time.Unix(d*86400, 0).UTC()
		du := DayUsage{Date: date, Used: u.daily[d]}
		if u.quota != nil {
			start := PeriodStart(u.quota.Period, date)
			if start.Before(u.initial) {
				start = u.initial
			}
			rem := int64(u.allowedIn(PeriodStart(u.quota.Period, date))) - u.sumDays(start, date)
			if rem < 0 {
				rem = 0
			}
			du.Remaining = &rem
		}
		out = append(out, du)
	}
	return out
}

// reset forgets every request counted, and starts a new initial period at now.
func (u *Usage) reset(now time.Time) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.daily = map[int64]int64{}
	u.used = 0
	if u.quota != nil {
		u.initial = PeriodStart(u.quota.Period, now)
		u.setCurrent(u.initial)
	}
}

// Store holds buckets and usage by id, so that they outlive the snapshot that asked for them.
type Store struct {
	clock   Clock
	mu      sync.Mutex
	buckets map[string]*Bucket
	usage   map[string]*Usage
}

// NewStore returns an empty store reading the time from clock (SystemClock when nil).
func NewStore(clock Clock) *Store {
	if clock == nil {
		clock = SystemClock{}
	}
	return &Store{clock: clock, buckets: map[string]*Bucket{}, usage: map[string]*Usage{}}
}

// Clock returns the store's clock.
func (s *Store) Clock() Clock { return s.clock }

// Bucket returns the bucket id with limit l: the same bucket as before when its limit is unchanged, a
// full new one otherwise.
func (s *Store) Bucket(id string, l Limit) *Bucket {
	s.mu.Lock()
	defer s.mu.Unlock()
	if b := s.buckets[id]; b != nil && b.limit == l {
		return b
	}
	b := newBucket(l)
	s.buckets[id] = b
	return b
}

// Usage returns the usage counter id with quota q (nil: no quota, usage is still counted). A changed
// quota applies to the requests already counted in the current period; a changed period or offset
// starts a new initial period.
func (s *Store) Usage(id string, q *Quota) *Usage {
	now := s.clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.usage[id]
	if u == nil {
		u = newUsage(q, now)
		s.usage[id] = u
		return u
	}
	u.mu.Lock()
	u.setQuota(q, now)
	u.mu.Unlock()
	return u
}

// Retain forgets the buckets and usage whose ids keep does not hold: limits that are gone from the
// configuration.
func (s *Store) Retain(keep map[string]bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for id := range s.buckets {
		if !keep[id] {
			delete(s.buckets, id)
		}
	}
	for id := range s.usage {
		if !keep[id] {
			delete(s.usage, id)
		}
	}
}

// Reset refills every bucket and forgets every request counted.
func (s *Store) Reset() {
	now := s.clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, b := range s.buckets {
		b.fill()
	}
	for _, u := range s.usage {
		u.reset(now)
	}
}

// IDs lists the ids the store holds, sorted (for tests and diagnostics).
func (s *Store) IDs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var ids []string
	for id := range s.buckets {
		ids = append(ids, "bucket "+id)
	}
	for id := range s.usage {
		ids = append(ids, "usage "+id)
	}
	sort.Strings(ids)
	return ids
}
