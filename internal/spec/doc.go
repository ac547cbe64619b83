// Package spec reads an API definition exported from (or written for) Amazon API Gateway — Swagger 2.0 or
// OpenAPI 3.0.x, JSON or YAML — into a typed model of what API Gateway would import: resources, methods,
// integrations, authorizers, request validators, gateway responses and the API-wide settings carried by the
// x-amazon-apigateway-* extensions.
//
// The standard OpenAPI parts (paths, operations, parameters, security) are read with kin-openapi; the
// x-amazon-apigateway-* extensions are decoded from the YAML node tree of the same file, because that tree
// keeps the order users wrote (integration responses, templates) and the line and column of every value,
// so that each problem is reported where it is.
//
// The file is read by internal/findings, the reader shared with the config: syntax errors are reported at
// the offending text and duplicate keys (in YAML and JSON) at the repetition. Loading never stops at the
// first problem: every finding (error, warning, info; spec.Finding is findings.Finding) is collected with
// its file, line, column and path. An error means API Gateway would not import the file, or the emulator cannot serve
// it as written (a CloudFormation intrinsic, an unresolved template placeholder); the message says what to
// do about it. Whether a parsed feature is emulated is not decided here but by the emulator.
package spec
