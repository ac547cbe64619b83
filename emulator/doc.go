// Package emulator serves exported API Gateway APIs: the Gateway http.Handler runs each request once
// through API Gateway's phases (resolve the API and stage, route to a method, integrate, respond, record),
// reading everything it needs from one immutable Snapshot built from the specs and the config. Reloading
// builds a new Snapshot off to the side and swaps it in atomically; requests already in flight finish on
// the snapshot they started with.
//
// Every phase that ends a request early does so with a gatewayresponse.Error, rendered in one place with
// the API's gateway-response customisations. What the emulator does not emulate yet is reported by Check
// (validate, serve's start-up log, --strict) and answered at request time with an explicit 500 whose log
// line names the missing feature, never with a pretend success.
package emulator
