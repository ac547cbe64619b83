package iampolicy

import (
	"net/netip"
	"strings"
)

// Decision is the outcome of evaluating a policy for one request.
type Decision uint8

// The decisions, in IAM's words. NoMatch is IAM's implicit deny: API Gateway refuses the request, but no
// statement said so, which matters when a resource policy and an authorizer policy are combined.
const (
	NoMatch Decision = iota
	Allow
	ExplicitDeny
)

func (d Decision) String() string {
	switch d {
	case NoMatch:
		return "NoMatch"
	case Allow:
		return "Allow"
	case ExplicitDeny:
		return "ExplicitDeny"
	}
	return "Decision(invalid)"
}

// Request is what a policy is evaluated against.
type Request struct {
	Action   string // e.g. execute-api:Invoke
	Resource string // e.g. arn:aws:execute-api:us-east-1:123456789012:abc123/dev/GET/pets/1
	Caller   Caller
	// SourceIP is the aws:SourceIp context key; the zero Addr means the key is absent.
	SourceIP netip.Addr
}

// Caller is the principal making the request, as a resource policy's Principal sees it.
type Caller struct {
	ARN       string // e.g. arn:aws:iam::123456789012:user/alice
	AccountID string // "" to take it from ARN
	Anonymous bool   // no AWS credentials: only "*" principals match
}

// Evaluate decides req under p: ExplicitDeny if a Deny statement matches, else Allow if an Allow statement
// matches, else NoMatch. A nil policy matches nothing. It allocates nothing.
func Evaluate(p *Policy, req Request) Decision {
	if p == nil {
		return NoMatch
	}
	allowed := false
	for i := range p.statements {
		s := &p.statements[i]
		if !s.matches(&req) {
			continue
		}
		if s.deny {
			return ExplicitDeny
		}
		allowed = true
	}
	if allowed {
		return Allow
	}
	return NoMatch
}

// matches checks the cheap parts first: the principal and conditions before the wildcard patterns.
func (s *statement) matches(req *Request) bool {
	if s.unsupported {
		return false
	}
	if s.principal != nil && s.principal.matches(&req.Caller) == s.notPrincipal {
		return false
	}
	for _, c := range s.conditions {
		if !c.holds(req.SourceIP) {
			return false
		}
	}
	return anyMatches(s.actions, req.Action, true) != s.notAction &&
		anyMatches(s.resources, req.Resource, false) != s.notResource
}

func anyMatches(patterns []pattern, subject string, fold bool) bool {
	for _, p := range patterns {
		if p.matches(subject, fold) {
			return true
		}
	}
	return false
}

func (p *principals) matches(c *Caller) bool {
	if p.any {
		return true
	}
	if c.Anonymous {
		return false
	}
	if c.ARN != "" {
		for _, arn := range p.arns {
			if arn == c.ARN {
				return true
			}
		}
	}
	account := c.AccountID
	if account == "" {
		account = arnAccount(c.ARN)
	}
	if account != "" {
		for _, a := range p.accounts {
			if a == account {
				return true
			}
		}
	}
	return false
}

// arnAccount is the account field of arn:partition:service:region:account:resource, "" if there is none.
func arnAccount(arn string) string {
	if !strings.HasPrefix(arn, "arn:") {
		return ""
	}
	rest := arn
	for range 4 {
		i := strings.IndexByte(rest, ':')
		if i < 0 {
			return ""
		}
		rest = rest[i+1:]
	}
	if i := strings.IndexByte(rest, ':'); i >= 0 {
		return rest[:i]
	}
	return ""
}

// holds follows IAM for an absent key: IpAddress is false and NotIpAddress true.
func (c *ipCondition) holds(ip netip.Addr) bool {
	if !ip.IsValid() {
		return c.not
	}
	ip = ip.Unmap().WithZone("")
	for _, p := range c.prefixes {
		if p.Contains(ip) {
			return !c.not
		}
	}
	return c.not
}
