package throttle

import (
	"strconv"
	"testing"
	"time"
)

var t0 = time.Date(2026, time.November, 18, 10, 0, 0, 0, time.UTC) // a Wednesday

// takeN takes n tokens at now and returns how many were granted.
func takeN(b *Bucket, now time.Time, n int) int {
	got := 0
	for i := 0; i < n; i++ {
		if b.Take(now) {
			got++
		}
	}
	return got
}

func TestBucketBurstThenSteadyRate(t *testing.T) {
	for _, c := range []struct {
		name  string
		limit Limit
		// steps: advance the clock by after, then offer offered requests at once; want are granted.
		steps []struct {
			after         time.Duration
			offered, want int
		}
	}{
		{"burst 5 at rate 2", Limit{Rate: 2, Burst: 5}, []struct {
			after         time.Duration
			offered, want int
		}{{0, 10, 5}, {0, 1, 0}, {500 * time.Millisecond, 3, 1}, {time.Second, 3, 2}, {10 * time.Second, 10, 5}}},
		{"burst smaller than rate", Limit{Rate: 10, Burst: 1}, []struct {
			after         time.Duration
			offered, want int
		}{{0, 3, 1}, {50 * time.Millisecond, 1, 0}, {50 * time.Millisecond, 1, 1}, {time.Second, 5, 1}}},
		{"fractional rate", Limit{Rate: 0.5, Burst: 1}, []struct {
			after         time.Duration
			offered, want int
		}{{0, 2, 1}, {time.Second, 1, 0}, {time.Second, 1, 1}}},
		{"rate 0 lets the burst through once", Limit{Rate: 0, Burst: 2}, []struct {
			after         time.Duration
			offered, want int
		}{{0, 3, 2}, {time.Hour, 1, 0}}},
		{"burst 0 throttles everything", Limit{Rate: 100, Burst: 0}, []struct {
			after         time.Duration
			offered, want int
		}{{0, 1, 0}, {time.Second, 1, 0}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			clock := NewManualClock(t0)
			b := NewStore(clock).Bucket("b", c.limit)
			for i, s := range c.steps {
				clock.Advance(s.after)
				if got := takeN(b, clock.Now(), s.offered); got != s.want {
					t.Errorf("step %d (+%v, %d offered): granted %d, want %d", i, s.after, s.offered, got, s.want)
				}
			}
		})
	}
}

// Over a long run, accepted = burst + rate × elapsed, whatever the offered load above the rate.
func TestBucketLongRun(t *testing.T) {
	clock := NewManualClock(t0)
	b := NewStore(clock).Bucket("b", Limit{Rate: 50, Burst: 20})
	granted := 0
	for i := 0; i < 10_000; i++ { // 10 s at 1,000 requests/s
		clock.Advance(time.Millisecond)
		if b.Take(clock.Now()) {
			granted++
		}
	}
	if want := 20 + 50*10; granted < want-1 || granted > want {
		t.Errorf("granted %d in 10 s, want %d (burst + rate × elapsed)", granted, want)
	}
}

// Admit checks the levels in AWS's order; the first empty bucket throttles, and the buckets after it are
// not touched.
func TestAdmitPrecedence(t *testing.T) {
	levels := []Level{UsagePlanMethod, UsagePlan, StageMethod, Account}
	for empty := range levels {
		t.Run(levels[empty].String(), func(t *testing.T) {
			clock := NewManualClock(t0)
			s := NewStore(clock)
			checks := make([]Check, len(levels))
			for i, l := range levels {
				limit := Limit{Rate: 1, Burst: 100}
				if i == empty {
					limit.Burst = 0
				}
				checks[i] = Check{Level: l, Bucket: s.Bucket(l.String(), limit)}
			}
			if got := Admit(clock.Now(), checks); got != empty {
				t.Fatalf("Admit = %d, want %d (%v)", got, empty, levels[empty])
			}
			for i, c := range checks {
				tokens := c.Bucket.Tokens(clock.Now())
				switch {
				case i < empty && tokens != 99:
					t.Errorf("%v checked before the empty bucket holds %v tokens, want 99 (its token is spent)", c.Level, tokens)
				case i > empty && tokens != 100:
					t.Errorf("%v after the empty bucket holds %v tokens, want 100 (not reached)", c.Level, tokens)
				}
			}
		})
	}
	t.Run("all pass, nil skipped", func(t *testing.T) {
		s := NewStore(nil)
		if got := Admit(t0, []Check{{UsagePlanMethod, nil}, {StageMethod, s.Bucket("x", Limit{1, 1})}}); got != -1 {
			t.Errorf("Admit = %d, want -1", got)
		}
	})
	// Two keys' buckets are independent: exhausting one leaves the other full.
	t.Run("keys are independent", func(t *testing.T) {
		s := NewStore(nil)
		alice, bob := s.Bucket("plan/basic/key/alice", Limit{1, 2}), s.Bucket("plan/basic/key/bob", Limit{1, 2})
		takeN(alice, t0, 5)
		if got := takeN(bob, t0, 5); got != 2 {
			t.Errorf("bob granted %d after alice emptied hers, want 2", got)
		}
	})
}

func TestStoreKeepsBucketsAcrossReloads(t *testing.T) {
	clock := NewManualClock(t0)
	s := NewStore(clock)
	b := s.Bucket("stage/prod/GET /pets", Limit{Rate: 1, Burst: 3})
	takeN(b, clock.Now(), 3)
	if s.Bucket("stage/prod/GET /pets", Limit{Rate: 1, Burst: 3}) != b {
		t.Fatal("an unchanged limit got a new bucket: a reload would refill it")
	}
	if got := takeN(s.Bucket("stage/prod/GET /pets", Limit{Rate: 1, Burst: 3}), clock.Now(), 1); got != 0 {
		t.Errorf("the bucket kept across a reload granted %d, want 0 (still empty)", got)
	}
	changed := s.Bucket("stage/prod/GET /pets", Limit{Rate: 1, Burst: 4})
	if changed == b || takeN(changed, clock.Now(), 5) != 4 {
		t.Error("a changed limit must start a full new bucket")
	}
	s.Retain(map[string]bool{})
	if ids := s.IDs(); len(ids) != 0 {
		t.Errorf("Retain(nothing) left %v", ids)
	}
}

func TestStoreReset(t *testing.T) {
	clock := NewManualClock(t0)
	s := NewStore(clock)
	b := s.Bucket("b", Limit{Rate: 0, Burst: 2})
	u := s.Usage("u", &Quota{Limit: 1, Period: Day})
	takeN(b, clock.Now(), 2)
	u.Take(clock.Now())
	s.Reset()
	if takeN(b, clock.Now(), 3) != 2 {
		t.Error("Reset did not refill the bucket in place")
	}
	if !u.Take(clock.Now()) {
		t.Error("Reset did not clear the quota")
	}
}

func TestPeriodStart(t *testing.T) {
	for _, c := range []struct {
		p    Period
		t    time.Time
		want time.Time
	}{
		{Day, t0, time.Date(2026, 11, 18, 0, 0, 0, 0, time.UTC)},
		{Day, time.Date(2026, 11, 18, 23, 30, 0, 0, time.FixedZone("UTC-5", -5*3600)), time.Date(2026, 11, 19, 0, 0, 0, 0, time.UTC)},
		{Week, t0, time.Date(2026, 11, 15, 0, 0, 0, 0, time.UTC)}, // Sunday
		{Week, time.Date(2026, 11, 15, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 15, 0, 0, 0, 0, time.UTC)},
		{Week, time.Date(2026, 11, 14, 23, 59, 59, 0, time.UTC), time.Date(2026, 11, 8, 0, 0, 0, 0, time.UTC)},
		{Week, time.Date(2027, 1, 2, 12, 0, 0, 0, time.UTC), time.Date(2026, 12, 27, 0, 0, 0, 0, time.UTC)}, // across a year
		{Month, t0, time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)},
		{Month, time.Date(2028, 2, 29, 23, 0, 0, 0, time.UTC), time.Date(2028, 2, 1, 0, 0, 0, 0, time.UTC)},
	} {
		if got := PeriodStart(c.p, c.t); !got.Equal(c.want) {
			t.Errorf("PeriodStart(%s, %v) = %v, want %v", c.p, c.t, got, c.want)
		}
	}
}

// A quota of Limit per period; the initial period allows Limit - Offset; the count starts again at each
// period boundary (UTC).
func TestQuotaRollOver(t *testing.T) {
	for _, c := range []struct {
		name  string
		quota Quota
		start time.Time
		// steps: move the clock to at, offer offered requests; want are granted.
		steps []struct {
			at            time.Time
			offered, want int
		}
	}{
		{"day", Quota{Limit: 3, Period: Day}, t0, []struct {
			at            time.Time
			offered, want int
		}{
			{t0, 5, 3},
			{time.Date(2026, 11, 18, 23, 59, 59, 0, time.UTC), 1, 0},
			{time.Date(2026, 11, 19, 0, 0, 0, 0, time.UTC), 5, 3}, // midnight UTC
		}},
		{"day with offset", Quota{Limit: 3, Period: Day, Offset: 2}, t0, []struct {
			at            time.Time
			offered, want int
		}{
			{t0, 5, 1}, // the initial period allows 3 - 2
			{time.Date(2026, 11, 19, 0, 0, 0, 0, time.UTC), 5, 3},
			{time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC), 5, 3},
		}},
		{"week", Quota{Limit: 4, Period: Week}, t0, []struct {
			at            time.Time
			offered, want int
		}{
			{t0, 3, 3},
			{time.Date(2026, 11, 21, 23, 0, 0, 0, time.UTC), 3, 1}, // Saturday: same week
			{time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC), 5, 4},  // Sunday: a new week
		}},
		{"week with offset", Quota{Limit: 4, Period: Week, Offset: 3}, t0, []struct {
			at            time.Time
			offered, want int
		}{
			{t0, 3, 1},
			{time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC), 5, 4},
		}},
		{"month", Quota{Limit: 2, Period: Month}, time.Date(2026, 1, 31, 12, 0, 0, 0, time.UTC), []struct {
			at            time.Time
			offered, want int
		}{
			{time.Date(2026, 1, 31, 12, 0, 0, 0, time.UTC), 3, 2},
			{time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC), 3, 2},
			{time.Date(2026, 2, 28, 23, 59, 59, 0, time.UTC), 1, 0},
			{time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), 3, 2},
		}},
		{"month with offset", Quota{Limit: 10, Period: Month, Offset: 7}, time.Date(2026, 12, 20, 0, 0, 0, 0, time.UTC), []struct {
			at            time.Time
			offered, want int
		}{
			{time.Date(2026, 12, 20, 0, 0, 0, 0, time.UTC), 5, 3},
			{time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), 12, 10}, // across a year
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			clock := NewManualClock(c.start)
			u := NewStore(clock).Usage("plan/key", &c.quota)
			for i, s := range c.steps {
				clock.Set(s.at)
				got := 0
				for j := 0; j < s.offered; j++ {
					if u.Take(clock.Now()) {
						got++
					}
				}
				if got != s.want {
					t.Errorf("step %d at %v: granted %d of %d, want %d", i, s.at, got, s.offered, s.want)
				}
				if ex := u.Exhausted(clock.Now()); ex != (s.offered > s.want) {
					t.Errorf("step %d: Exhausted = %v after %d of %d granted", i, ex, got, s.offered)
				}
			}
		})
	}
}

func TestUsageDays(t *testing.T) {
	clock := NewManualClock(t0)
	s := NewStore(clock)
	u := s.Usage("basic/alice", &Quota{Limit: 10, Period: Week, Offset: 1})
	for i, n := range []int{3, 0, 2} { // Wed, Thu, Fri
		clock.Set(t0.AddDate(0, 0, i))
		for j := 0; j < n; j++ {
			u.Take(clock.Now())
		}
	}
	clock.Set(time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)) // Sunday: a new week
	u.Take(clock.Now())
	days := u.Days(time.Date(2026, 11, 17, 0, 0, 0, 0, time.UTC), clock.Now())
	type row struct{ used, remaining int64 }
	want := []row{{0, 9}, {3, 6}, {0, 6}, {2, 4}, {0, 4}, {1, 9}} // Tue..Sun; the initial week allows 10 - 1
	if len(days) != len(want) {
		t.Fatalf("%d days, want %d", len(days), len(want))
	}
	for i, d := range days {
		if d.Used != want[i].used || d.Remaining == nil || *d.Remaining != want[i].remaining {
			rem := "nil"
			if d.Remaining != nil {
				rem = strconv.FormatInt(*d.Remaining, 10)
			}
			t.Errorf("%s: used %d remaining %s, want %v", d.Date.Format("2006-01-02"), d.Used, rem, want[i])
		}
	}
	if r, ok := u.Remaining(clock.Now()); !ok || r != 9 {
		t.Errorf("Remaining = %d %v, want 9", r, ok)
	}
	free := s.Usage("free/alice", nil)
	free.Take(clock.Now())
	if d := free.Days(clock.Now(), clock.Now()); len(d) != 1 || d[0].Used != 1 || d[0].Remaining != nil {
		t.Errorf("a plan without quota reports %+v, want used 1 and no remaining", d)
	}
}

// A reload that changes the quota's limit keeps the count; one that changes the period starts a new
// initial period counting the requests already made in it.
func TestUsageQuotaChange(t *testing.T) {
	clock := NewManualClock(t0)
	s := NewStore(clock)
	u := s.Usage("p/k", &Quota{Limit: 5, Period: Day})
	for i := 0; i < 4; i++ {
		u.Take(clock.Now())
	}
	if s.Usage("p/k", &Quota{Limit: 4, Period: Day}) != u || !u.Exhausted(clock.Now()) {
		t.Error("lowering the limit to what is used must exhaust the quota, keeping the count")
	}
	s.Usage("p/k", &Quota{Limit: 6, Period: Month})
	if r, _ := u.Remaining(clock.Now()); r != 2 {
		t.Errorf("Remaining after the switch to MONTH = %d, want 2 (6 - the 4 of today)", r)
	}
}

func BenchmarkAdmit(b *testing.B) {
	s := NewStore(nil)
	checks := []Check{
		{UsagePlan, s.Bucket("plan", Limit{Rate: 1e9, Burst: 1 << 30})},
		{StageMethod, s.Bucket("stage", Limit{Rate: 1e9, Burst: 1 << 30})},
		{Account, s.Bucket("account", Limit{Rate: 1e9, Burst: 1 << 30})},
	}
	u := s.Usage("usage", &Quota{Limit: 1 << 30, Period: Day})
	b.SetParallelism(4)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			now := time.Now()
			if u.Exhausted(now) || Admit(now, checks) != -1 || !u.Take(now) {
				b.Error("throttled")
				return
			}
		}
	})
}
