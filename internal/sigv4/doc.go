// Package sigv4 verifies AWS Signature Version 4 on requests to API Gateway's data plane (execute-api), as
// API Gateway does for methods whose authorizationType is AWS_IAM, and answers rejected requests the way
// AWS does. It exists so that a client that signs its calls (an AWS SDK, aws4, Amplify, a SigV4 proxy) is
// tested locally against the same checks, and so that a mistake (wrong region, a clock off by minutes, a
// body changed after signing) fails locally with AWS's message instead of first failing in the cloud.
//
// # What is verified
//
// Verifier.Verify takes the request, its body (already read) and the current time (injectable, for
// deterministic tests). It accepts the Authorization header form and the presigned query form and checks,
// in the order AWS's request front end does (recorded from DynamoDB's answers, which come from the same
// front end: the com.amazon.coral.service errors; assumed identical for execute-api): both forms present;
// missing parameters; the date's format, then its age (5 minutes either way; X-Amz-Expires for presigned
// URLs); host signed; the algorithm (AWS4-HMAC-SHA256); the credential's five elements; the scope's region
// (the gateway's), service (execute-api), terminator (aws4_request) and date (X-Amz-Date's), all named in
// one answer; the access key id; the signature; the session token.
//
// The signature is never computed here: the request is rebuilt with only what the signature covers (method,
// path and query as received, the headers named in SignedHeaders, the signing time, region and service of
// the scope, the payload hash) and signed again with aws-sdk-go-v2's v4 signer (SignHTTP, or PresignHTTP for
// the query form), whose signature is compared with the client's in constant time. The canonical request and
// string to sign of AWS's "should have been" answer are captured from the signer's own signing log
// (SignerOptions.LogSigning), not rebuilt. Path escaping is the SDK's default (DisableURIPathEscaping false),
// which is what execute-api expects; paths with spaces, %2F and non-ASCII characters verify.
//
// The payload hash is SHA-256 of the body as received. For presigned URLs UNSIGNED-PAYLOAD is accepted too
// (botocore's presigner always uses it; aws-sdk-go-v2's PresignHTTP signs whatever hash its caller gives).
//
// # AWS's answers: recorded and assumed
//
// Every rejection is 403 with the body {"message": ...}; Error carries the gateway response type, the
// x-amzn-ErrorType and the message.
//
// Recorded from API Gateway (answers quoted in public issues and pages, or given by our reference):
//   - no signature: MISSING_AUTHENTICATION_TOKEN, MissingAuthenticationTokenException, "Missing
//     Authentication Token";
//   - an Authorization header that is not key=value pairs ("Bearer x"): IncompleteSignatureException,
//     "Invalid key=value pair (missing equal-sign) in Authorization header (hashed with SHA-256 and encoded
//     with Base64): '<base64 sha256>'.";
//   - missing parameters: "Authorization header requires 'Credential' parameter. ... Authorization header
//     requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=<value>" (aws/chalice#828,
//     nordcloud/cognitocurl#15, aws-amplify/amplify-js#476);
//   - wrong region or service: "Credential should be scoped to a valid region, not 'us-east-1'. Credential
//     should be scoped to correct service: 'execute-api'. " (Kong/insomnia#713; each sentence ends with a
//     space);
//   - unknown access key or wrong session token: UnrecognizedClientException, "The security token included
//     in the request is invalid." (zenn.dev/hiroga, kndt84/aws-api-gateway-client#31);
//   - a wrong signature: InvalidSignatureException, "The request signature we calculated does not match
//     ... The Canonical String for this request should have been ... The String-to-Sign should have
//     been ...";
//   - the clock: "Signature expired: 20170212T175938Z is now earlier than 20170215T145534Z
//     (20170215T150034Z - 5 min.)" (aws/aws-sdk-js#573, mhart/aws4#118), and its mirror "Signature not yet
//     current: ...".
//
// Recorded from DynamoDB (mhart/dynalite's notes of AWS's answers), assumed for execute-api: the order of
// the checks; "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header.";
// "AWS query-string parameters must include '<param>'. ... Re-examine the query-string parameters.";
// "Date must be in ISO-8601 'basic format'. Got '<date>'. See http://en.wikipedia.org/wiki/ISO_8601";
// "Unsupported AWS 'algorithm': '<alg>' (only AWS4-HMAC-SHA256 for now). "; "Credential must have exactly 5
// slash-delimited elements, e.g. keyid/date/region/service/term, got '<credential>'" (trailing slashes
// ignored); the terminator and scope-date sentences. "'Host' or ':authority' must be a 'SignedHeader' in
// the AWS Authorization." is the current wording of AWS services quoted by SigV4 reimplementations.
//
// Assumed, no source found: the gateway response type of UnrecognizedClientException (INVALID_SIGNATURE;
// see unrecognized); the expired presigned URL ("Request has expired", S3's answer, aws/aws-sdk-js#3493)
// and X-Amz-Expires over a week (S3's text, bryanjos/aws_auth#31); a presigned URL without X-Amz-Expires
// gets the header form's 5-minute window; a non-numeric X-Amz-Expires; the texts of the emulator's own
// budgets.
//
// # Limits
//
// Budgets bound the work per request: the Authorization header (MaxAuthorizationLength), the number of
// signed headers (MaxSignedHeaders), their total size (MaxSignedHeaderBytes) and the query
// (MaxQueryLength); a request costs at most two signature computations (presigned: body hash, then
// UNSIGNED-PAYLOAD).
//
// Because the SDK signer decides what it signs, two valid client behaviours do not verify: signing with a
// Date header and no X-Amz-Date (the SDK always signs x-amz-date; such a request passes the clock checks and
// is answered with a signature mismatch), and signing a header the SDK never signs (authorization,
// user-agent, x-amzn-trace-id, expect, transfer-encoding). Clients using AWS SDKs, botocore or aws4 do
// neither.
//
// A Verifier's credentials are fixed: the signer caches derived keys per access key id and day, so a
// changed secret needs a new Verifier (as a configuration reload builds).
//
// The package imports no other package of the emulator (layer 20 of ARCHITECTURE.md); wiring it into the
// request phases is left to the emulator.
package sigv4
