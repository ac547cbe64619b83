package throttle

import (
	"fmt"
	"strconv"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"
)

// Limit is a token-bucket setting (API Gateway's ThrottleSettings): Burst is the bucket's capacity and
// Rate the tokens added per second. A bucket starts full. Rate 0 lets Burst requests through and then
// none, and Burst 0 throttles every request, as a limit of 0 does on AWS.
type Limit struct {
	Rate  float64
	Burst int
}

func (l Limit) String() string {
	return "rate=" + strconv.FormatFloat(l.Rate, 'f', -1, 64) + " burst=" + strconv.Itoa(l.Burst)
}

// Bucket is one token bucket. The arithmetic is golang.org/x/time/rate's, always fed the time of a
// Clock; the limiter sits behind an atomic pointer so that a reset swaps in a full one while requests use
// the bucket.
type Bucket struct {
	limit Limit
	lim   atomic.Pointer[rate.Limiter]
}

func newBucket(l Limit) *Bucket {
	b := &Bucket{limit: l}
	b.fill()
	return b
}

func (b *Bucket) fill() { b.lim.Store(rate.NewLimiter(rate.Limit(b.limit.Rate), b.limit.Burst)) }

// Limit returns the bucket's setting.
func (b *Bucket) Limit() Limit { return b.limit }

// Take takes one token at time now, and reports false (taking nothing) when the bucket is empty.
func (b *Bucket) Take(now time.Time) bool { return b.lim.Load().AllowN(now, 1) }

// Tokens returns the tokens the bucket holds at time now.
func (b *Bucket) Tokens(now time.Time) float64 { return b.lim.Load().TokensAt(now) }

// Level names one of API Gateway's throttle levels, in the order they are checked (reference §b).
type Level int

const (
	// UsagePlanMethod is a usage plan's per-method limit for the calling API key.
	UsagePlanMethod Level = iota
	// UsagePlan is a usage plan's limit for the calling API key, across the plan's stages.
	UsagePlan
	// StageMethod is the stage's limit for the method: its methodSettings entry, else the stage default.
	StageMethod
	// Account is the account's limit across every API.
	Account
)

func (l Level) String() string {
	switch l {
	case UsagePlanMethod:
		return "usage-plan-method"
	case UsagePlan:
		return "usage-plan"
	case StageMethod:
		return "stage-method"
	case Account:
		return "account"
	}
	return fmt.Sprintf("Level(%d)", int(l))
}

// Check is one bucket a request must pass.
type Check struct {
	Level  Level
	Bucket *Bucket
}

// Admit takes a token from each bucket in order and returns the index of the first one that is empty,
// or -1 when every bucket let the request through. Nil buckets are skipped. As on AWS, the levels are
// checked one after the other: a request throttled at a later level has spent its token at the earlier
// ones.
func Admit(now time.Time, checks []Check) int {
	for i, c := range checks {
		if c.Bucket != nil && !c.Bucket.Take(now) {
			return i
		}
	}
	return -1
}
