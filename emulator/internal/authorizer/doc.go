// Package authorizer enforces a REST API's authorizers as API Gateway does, from the exported spec:
// Lambda TOKEN and REQUEST authorizers (the user's own handler, invoked through the gateway's running
// functions) with their result cache, and COGNITO_USER_POOLS authorizers (tokens verified against the
// pool's keys); and an HTTP API's JWT authorizers (tokens verified against the issuer's keys, reference
// §j.5: 401 with a www-authenticate invalid_token challenge, 403 for a missing scope).
//
// The decision table is reference §d, exactly: an identity source missing (or failing
// identityValidationExpression) answers 401 without calling the function; a function error whose
// message is exactly "Unauthorized" answers 401; a policy that explicitly denies the method ARN answers
// 403 with the explicit-deny message, one that does not allow it 403 "User is not authorized to access
// this resource"; any other error, a timeout or an invalid answer (no principalId, a bad policy, an
// object or list in context) answers 500 AuthorizerConfigurationException. Each is a gateway response,
// so an API's customisations apply.
//
// The cache keeps the authorizer's answer (principal, context and policy), not its verdict: the policy
// is evaluated against each request's method ARN, so a policy that allows only the first method called
// denies the others until the entry expires, as on AWS. Entries are keyed by the authorizer's identity
// (its settings and its function's, so an edit starts afresh) and its identity-source values, and expire
// on the gateway's clock.
//
// An HTTP API's Lambda authorizers (CompileHTTP, reference §j.6) send the payload-1.0 event (REST's
// REQUEST event with version, identitySource and authorizationToken) or the payload-2.0 one (the 2.0
// request without its body, with type, routeArn and identitySource), and read an IAM policy or, with
// enableSimpleResponses, {"isAuthorized", "context"}; context values may be objects and lists. Every
// identity source must be present (401 otherwise, caching or not), a denial is 403, a failure of any
// kind 500, and the function has 10 s. The cache is the same store, keyed the same way: an answer is
// shared by every route using the authorizer unless $context.routeKey is one of its identity sources.
package authorizer
