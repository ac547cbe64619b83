// Package iampolicy evaluates IAM policy documents for execute-api, the one evaluator behind the two places
// where API Gateway decides access with an IAM policy: the policy a Lambda authorizer returns, and an
// API's resource policy (x-amazon-apigateway-policy). Keeping one evaluator means the two can never
// disagree about what a statement matches. It is a pure library: it knows nothing of the gateway, and the
// gateway builds a Request from what it has learned about the call.
//
// Parse checks and compiles a document once (patterns, CIDRs, principals), so that Evaluate does no
// parsing and allocates nothing per request. Parse reports what it cannot emulate in Policy.Unsupported,
// so that `validate` can warn instead of the emulator silently deciding differently from AWS.
//
// # IAM rules relied on (IAM User Guide, "IAM JSON policy elements")
//
//   - Effect is required and case-sensitive: exactly "Allow" or "Deny".
//   - A statement has exactly one of Action / NotAction and exactly one of Resource / NotResource; each is
//     a string or a list of strings. A Lambda authorizer policy without them is invalid.
//   - Statement is an object or a list of objects. Version, when given, is "2012-10-17" or "2008-10-17".
//   - Action matching is case-insensitive; Resource matching is case-sensitive. Both take the wildcards
//     `*` (any sequence of characters, possibly empty) and `?` (exactly one character).
//   - Evaluation: an explicit Deny in any matching statement wins; otherwise an Allow in a matching
//     statement allows; otherwise the request is implicitly denied (NoMatch).
//   - Principal "*" and {"AWS": "*"} both mean everyone, anonymous callers included. An account id or
//     arn:aws:iam::ACCOUNT:root names every caller of that account; another ARN names that caller only.
//     NotPrincipal applies the statement to every caller it does not name.
//   - Condition: operators are ANDed, keys under an operator are ANDed, the values of one key are ORed.
//     Context key names are case-insensitive (aws:SourceIp = AWS:SOURCEIP). A "Not" operator whose key is
//     absent from the request is true (IpAddress false, NotIpAddress true when there is no source IP).
//   - The default API Gateway quota for a resource policy is 8192 characters (it can be raised).
//
// # Assumptions (not found in AWS's documentation, or chosen for the emulator)
//
//   - Element names (Statement, Effect, Action, ...) are matched exactly, as IAM's grammar spells them;
//     an unknown or differently cased element is an error rather than silently ignored.
//   - `*` in a Resource spans `/` and `:` anywhere in the ARN. IAM documents `*` as matching within a
//     colon-separated segment (`/` included) and across colons only at a segment's end; execute-api ARNs
//     put the stage, method and path in the last segment, where the two rules agree, so we apply the
//     simpler one everywhere.
//   - Condition operator names are case-sensitive (IpAddress, not ipaddress), as IAM's grammar spells
//     them; a differently spelled operator is reported as unsupported.
//   - A bare IP in an IpAddress value means a /32 (IPv4) or /128 (IPv6); IPv4-mapped IPv6 source
//     addresses are compared as IPv4.
//   - Only IpAddress and NotIpAddress on aws:SourceIp are emulated. A statement with any other condition
//     never matches. For Allow this fails closed. For Deny it means the deny does not apply, which can let
//     a request through that AWS would refuse; we accept that because the alternative (treating such a
//     deny as matching) would refuse requests AWS lets through for an unsupported condition that does not
//     hold, and either way Policy.Unsupported names the statement so that `validate` warns about it.
//   - Principal types other than AWS (Service, Federated, CanonicalUser) name no caller the emulator can
//     have, so those entries never match; they are reported in Unsupported.
//   - A statement without Principal or NotPrincipal (the authorizer case) applies to every caller.
//   - An empty Statement list is a valid policy that matches nothing (every request is implicitly denied).
//   - Case-insensitive action matching folds ASCII letters only: action names are ASCII.
//
// # Budgets
//
// Parse accepts at most MaxPolicyBytes of input, MaxStatements statements and MaxValues values (actions,
// resources, principals, CIDRs) in all, so that the cost of one Evaluate is bounded by the policy's size
// times the request's length: the wildcard matcher is linear in the pattern times the subject in the
// worst case and never backtracks exponentially.
package iampolicy
