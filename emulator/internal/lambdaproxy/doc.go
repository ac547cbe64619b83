// Package lambdaproxy is API Gateway's Lambda proxy integration (AWS_PROXY) as pure data transformation:
// it builds the event API Gateway sends to the function and interprets the function's result. It starts
// no process and opens no connection; the gateway invokes the function and writes the response.
//
//   - EventV1 / ResponseV1: REST APIs (payload format 1.0), reference §e.1 and §e.2, checked against the
//     events and responses LocalStack recorded on real AWS (corpus aws-vectors/lambda-proxy.json).
//   - EventV2 / ResponseV2: HTTP APIs (payload format 2.0), reference §e.3, from the AWS documentation
//     and the captured example event of the AWS Lambda developer guide (no recording exists).
//
// Fidelity notes that hold for the whole package:
//
//   - Events are written with AWS's key order, not Go's sorted map order: the top level in the
//     documented order, requestContext and identity in the order of the event the Lambda developer guide
//     captured (Java HashMap iteration order; see contextKeyOrder), header maps sorted case-insensitively
//     as in both captured events (a case-insensitive TreeMap, which also explains why header names that
//     differ only in case merge and keep their first spelling).
//   - JSON is written without Go's HTML escaping (<, >, & stay literal), as AWS's serialiser does.
//   - Interpreting a 1.0 result follows a single model wherever §e is silent: AWS binds the result to a
//     typed object (Jackson-style), so scalars are coerced to the declared type (a header value true
//     becomes "true", a statusCode "201" becomes 201), objects where a scalar is declared are malformed,
//     and unknown fields are malformed. Every recorded case agrees with this model.
package lambdaproxy
