package emulator

import (
	"bytes"
	"fmt"
	"io"
	"net/netip"
	"strings"

	"github.com/apigw-local/apigw-local/emulator/internal/authorizer"
	"github.com/apigw-local/apigw-local/emulator/internal/lambdaproxy"
	"github.com/apigw-local/apigw-local/internal/gatewayresponse"
	"github.com/apigw-local/apigw-local/internal/iampolicy"
	"github.com/apigw-local/apigw-local/internal/reqctx"
	"github.com/apigw-local/apigw-local/internal/spec"
)

// authorize enforces the method's authorization and the API's resource policy, in API Gateway's order
// (reference §m): a resource policy's explicit Deny is checked before a Lambda authorizer is called;
// with a Lambda authorizer or a same-account IAM caller, either the caller's side or the resource policy
// may allow (nothing denying); with Cognito or a cross-account IAM caller both must; an unauthenticated
// method needs the resource policy's explicit Allow. A method whose authorization cannot be enforced
// answers 500 rather than being served unprotected (fail closed).
func (g *Gateway) authorize(x *exchange) *gatewayresponse.Error {
	if x.route.unenforced != "" {
		return &gatewayresponse.Error{Type: gatewayresponse.APIConfigurationError, Reason: "not served: " + x.route.unenforced}
	}
	rp := x.api.policy
	if rp == nil && !x.route.iam && x.route.authorizer == nil {
		x.trace.add("authorize", "NONE")
		return nil
	}
	cfg := x.cur.snap.Config
	arn := authorizer.MethodARN(cfg.Region, cfg.AccountID, x.api.ID, x.stage.Name, x.r.Method, x.path)
	if len(arn) > maxMethodARN && x.api.Spec.Type != spec.HTTP {
		return &gatewayresponse.Error{Type: gatewayresponse.URITooLong, Reason: fmt.Sprintf("a method ARN of %d bytes, over %d", len(arn), maxMethodARN)}
	}
	switch {
	case x.route.iam:
		if gerr := g.authorizeIAM(x); gerr != nil {
			return gerr
		}
		if rp != nil {
			caller := iampolicy.Caller{ARN: x.ctx.Caller.UserARN, AccountID: x.ctx.Caller.AccountID}
			switch d := evaluateResourcePolicy(x, rp, arn, caller); {
			case d == iampolicy.ExplicitDeny:
				return resourcePolicyDenied(x, arn, caller.ARN, true)
			case d != iampolicy.Allow && caller.AccountID != cfg.AccountID: // cross-account: both sides must allow
				return resourcePolicyDenied(x, arn, caller.ARN, false)
			}
		}
		return nil
	case x.route.authorizer != nil:
		anonymous := iampolicy.Caller{Anonymous: true}
		var rpd iampolicy.Decision
		if rp != nil {
			if rpd = evaluateResourcePolicy(x, rp, arn, anonymous); rpd == iampolicy.ExplicitDeny {
				return resourcePolicyDenied(x, arn, "anonymous", true)
			}
		}
		return g.authorizeWith(x, x.route.authorizer, arn, rp != nil, rpd)
	case rp != nil:
		switch evaluateResourcePolicy(x, rp, arn, iampolicy.Caller{Anonymous: true}) {
		case iampolicy.Allow:
			x.trace.add("authorize", "resource policy allows")
			return nil
		case iampolicy.ExplicitDeny:
			return resourcePolicyDenied(x, arn, "anonymous", true)
		}
		return resourcePolicyDenied(x, arn, "anonymous", false)
	}
	x.trace.add("authorize", "NONE")
	return nil
}

// authorizeWith runs the method's Lambda or Cognito authorizer. hasPolicy and rpd are the resource
// policy's verdict for an anonymous caller, which may complete a Lambda authorizer's (Table A) or must
// confirm a Cognito authorizer's (Table B).
func (g *Gateway) authorizeWith(x *exchange, az *authorizer.Authorizer, arn string, hasPolicy bool, rpd iampolicy.Decision) *gatewayresponse.Error {
	cfg := x.cur.snap.Config
	x.traceID = traceID(x.r.Header.Get("X-Amzn-Trace-Id"), x.start)
	req := &authorizer.Request{
		MethodARN:      arn,
		Header:         x.r.Header,
		RawQuery:       x.r.URL.RawQuery,
		StageVariables: x.stage.Variables,
		Context:        &x.ctx,
		Event:          func() *lambdaproxy.Request { return authorizerEvent(x) },
		TraceID:        x.traceID,
		Functions:      x.cur.runtime.Functions,
		Timeout:        cfg.IntegrationTimeoutMax.Duration,
		Scopes:         x.route.Method.AuthorizationScopes,
		Now:            g.clock.Now(),
	}
	if az.PayloadVersion() != "" { // an HTTP API's Lambda authorizer: its event and $context.routeKey
		req.RouteKey = x.route.routeKey
	}
	out, gerr := az.Authorize(x.r.Context(), req, g.authCache)
	how := "not-called"
	switch {
	case out.Cached:
		how = "cached"
	case out.Called:
		how = "called"
	}
	notAllowed := gerr != nil && gerr.Type == gatewayresponse.AccessDenied && gerr.Message != ""
	if notAllowed && hasPolicy && rpd == iampolicy.Allow && out.Answer != nil {
		gerr = nil // Table A: the resource policy allows what the authorizer's policy does not deny
	}
	if gerr == nil && az.Type == authorizer.TypeCognito && hasPolicy && rpd != iampolicy.Allow {
		gerr = resourcePolicyDenied(x, arn, "anonymous", false) // Table B: both must allow
	}
	verdict := "allow"
	if gerr != nil {
		switch {
		case notAllowed:
			verdict = "not-allowed"
		case gerr.Type == gatewayresponse.AccessDenied:
			verdict = "deny"
		case gerr.Type == gatewayresponse.Unauthorized:
			verdict = "unauthorized"
		default:
			verdict = "error"
		}
	}
	x.authLog = az.Name + ":" + verdict + ":" + how
	if a := out.Answer; a != nil {
		// Set on a deny too: gateway-response templates of ACCESS_DENIED may name the principal.
		x.ctx.Authorizer = a.Template()
	}
	if gerr != nil {
		return gerr
	}
	x.trace.add("authorize", x.authLog)
	if a := out.Answer; a != nil {
		ev := a.Event()
		ev["integrationLatency"] = out.Latency.Milliseconds()
		if in := x.route.Method.Integration; az.PayloadVersion() != "" && in != nil && in.PayloadFormatVersion == "2.0" {
			ev = map[string]any{"lambda": a.Lambda()} // an HTTP API's payload-2.0 integration (reference §j.6)
		}
		x.ctx.AuthorizerEvent = ev
		x.usageIdentifierKey = a.UsageIdentifierKey
	}
	if out.Claims != nil {
		x.ctx.Claims = out.Claims
		x.ctx.AuthorizerEvent = map[string]any{"claims": out.Claims}
		if az.Type == authorizer.TypeJWT {
			x.ctx.AuthorizerEvent = jwtAuthorizerEvent(x, out)
		}
	}
	return nil
}

// jwtAuthorizerEvent is a JWT authorizer's requestContext.authorizer: {"jwt": {"claims", "scopes"}} in a
// payload 2.0 event, {"claims", "scopes"} in a 1.0 one (reference §j.4, §j.5); scopes is null on routes
// without authorizationScopes.
func jwtAuthorizerEvent(x *exchange, out authorizer.Outcome) map[string]any {
	ev := map[string]any{"claims": out.Claims, "scopes": out.Scopes}
	if in := x.route.Method.Integration; in != nil && in.PayloadFormatVersion == "2.0" {
		return map[string]any{"jwt": ev}
	}
	return ev
}

// authorizeIAM verifies an AWS_IAM method's SigV4 signature against the config's credentials. The
// signature covers the body, so the body is read here (and kept for the integration). A configured key
// stands for a caller whose IAM policies allow execute-api:Invoke: the emulator has no IAM policies of
// users to evaluate (a resource policy can still deny).
func (g *Gateway) authorizeIAM(x *exchange) *gatewayresponse.Error {
	body, gerr := readBody(x)
	if gerr != nil {
		return gerr
	}
	x.r.Body = io.NopCloser(bytes.NewReader(body)) // for a Streamer (HTTP_PROXY), which reads it itself
	id, verr := x.cur.snap.verifier.Verify(x.r, body, g.clock.Now())
	if verr != nil {
		x.authLog = "AWS_IAM:" + verr.ErrorType
		return &gatewayresponse.Error{Type: gatewayresponse.Type(verr.ResponseType), Message: verr.Message, ErrorType: verr.ErrorType,
			Reason: "AWS_IAM: " + firstLine(verr.Message)}
	}
	x.ctx.Caller = reqctx.Caller{AccessKey: id.AccessKey, AccountID: id.AccountID, Caller: id.Caller, User: id.User, UserARN: id.UserARN}
	x.authLog = "AWS_IAM:allow:" + id.UserARN
	x.trace.add("authorize", x.authLog)
	return nil
}

func evaluateResourcePolicy(x *exchange, rp *iampolicy.Policy, arn string, caller iampolicy.Caller) iampolicy.Decision {
	ip, _ := netip.ParseAddr(x.ctx.SourceIP)
	return iampolicy.Evaluate(rp, iampolicy.Request{Action: "execute-api:Invoke", Resource: arn, Caller: caller, SourceIP: ip.Unmap()})
}

// resourcePolicyDenied is API Gateway's 403 for a resource policy that denies (explicitly or by allowing
// nothing): the caller in full, the account of the resource masked to its last 4 digits (reference §m).
func resourcePolicyDenied(x *exchange, arn, who string, explicit bool) *gatewayresponse.Error {
	msg := "User: " + who + " is not authorized to perform: execute-api:Invoke on resource: " + maskAccount(arn)
	if explicit {
		msg += " with an explicit deny"
	}
	if x.authLog == "" {
		x.authLog = "resource-policy:deny"
	}
	return &gatewayresponse.Error{Type: gatewayresponse.AccessDenied, Message: msg, Reason: "the API's resource policy: " + msg}
}

// maskAccount writes arn:aws:execute-api:region:123456789012:... as arn:aws:execute-api:region:********9012:...
func maskAccount(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) == 6 && len(parts[4]) > 4 {
		parts[4] = strings.Repeat("*", len(parts[4])-4) + parts[4][len(parts[4])-4:]
	}
	return strings.Join(parts, ":")
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// authorizerEvent is the method request as a REQUEST authorizer's event describes it.
func authorizerEvent(x *exchange) *lambdaproxy.Request {
	rc := &x.ctx
	r := x.r
	return &lambdaproxy.Request{Method: r.Method, Path: r.URL.EscapedPath(), Stage: rc.Stage,
		Resource: rc.ResourcePath, PathParameters: x.params, RawQuery: r.URL.RawQuery, Header: r.Header,
		StageVariables: x.stage.Variables, SourceIP: rc.SourceIP, UserAgent: rc.UserAgent, Protocol: rc.Protocol,
		AccountID: rc.AccountID, APIID: rc.APIID, DeploymentID: rc.DeploymentID, DomainName: rc.DomainName,
		DomainPrefix: rc.DomainPrefix, ExtendedRequestID: rc.ExtendedRequestID, RequestID: rc.RequestID,
		ResourceID: rc.ResourceID, RequestTime: rc.RequestTime, TraceID: x.traceID, HeaderNames: x.headerNames()}
}
