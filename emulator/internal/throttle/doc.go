// Package throttle is API Gateway's metering arithmetic: token buckets (capacity = burst, refill = rate
// per second, one token per request), quotas per API key and usage plan over UTC days, weeks and months,
// the daily usage that get-usage reports, and the clock they all read.
//
// Nothing here reads the wall clock directly: every decision takes the time from a Clock, so tests drive
// time with a ManualClock and never sleep. State lives in a Store, keyed by an id the caller chooses,
// so that it outlives the snapshot that asked for it: a hot reload that leaves a limit unchanged gets the
// same bucket back, half empty as it was.
package throttle
