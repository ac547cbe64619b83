// Package integration runs apigw-local from Go tests, in the two ways a test suite needs:
//
//   - Run starts the apigw-local container image with testcontainers-go, in the shape of
//     testcontainers-go's modules: Run(ctx, "apigw-local:dev", integration.WithSpec("openapi.yaml"), ...)
//     returns a *Container whose URL gives http://host:port/{stage}. Specs, the config and handler
//     binaries are copied into the container's /work (the config as /work/apigw-local.yaml, so that its
//     relative paths keep working, each spec as /work/<base name>).
//   - Start serves the same sources in the test process (no Docker): Start(t, integration.WithSpec(...))
//     returns a *Local listening on 127.0.0.1 on a free port, stopped when the test ends.
//
// The options apply to both: WithSpec, WithConfig, WithFunctionBinary (a static Lambda handler binary
// that serves a function, through serve --function), WithHandler (a Go handler, as lambda.Start takes,
// run in the test process: in-process with Start; with Run, over the Runtime API of an external function
// the container exposes, through serve --external).
//
// Usage and Reset read and clear the API keys' usage (/_apigw/usage, /_apigw/reset) between tests.
package integration
