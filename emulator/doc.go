// Package emulator serves exported API Gateway APIs. The Gateway http.Handler runs each request once
// through API Gateway's phases (resolve the API and stage, route to a method, authorize, meter, validate,
// integrate, respond), with request ids, panic recovery and the log line (record) as middleware around
// them, reading everything it needs from one immutable Snapshot. Each phase writes its decision to the
// exchange's trace, which the log line reads.
//
// Build compiles the specs and the config into that Snapshot once and returns, with it, every finding
// about what is served differently from AWS or not at all; validate, the start-up summary and the route
// table read the same decisions. Integrations are compiled per route behind the internal/integration
// interface, one type per kind, registered in one table (build.go). Reloading builds a new Snapshot off to
// the side and swaps it in atomically; requests already in flight finish on the snapshot they started
// with.
//
// Every phase that ends a request early does so with a gatewayresponse.Error, rendered in one place with
// the API's gateway-response customisations. What the emulator does not emulate is never a pretend
// success: a method whose protection it cannot enforce answers 500 with the reason in its log line (fail
// closed), and a feature that only relaxes behaviour is served with the log line naming what was skipped.
// ARCHITECTURE.md at the repository's root draws the whole picture.
package emulator
