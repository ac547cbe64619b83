package emulator

import (
	"time"

	"github.com/apigw-local/apigw-local/emulator/internal/throttle"
)

// Clock is what the token buckets and quotas read the time from (WithClock). The limiter itself is
// internal; its clock is part of the API so that tests outside this module can drive it.
type Clock = throttle.Clock

// ManualClock is a Clock that moves only when told to (Advance, Set), for deterministic tests.
type ManualClock = throttle.ManualClock

// NewManualClock returns a clock stopped at t.
func NewManualClock(t time.Time) *ManualClock { return throttle.NewManualClock(t) }
