package authorizer

import (
	"encoding/json"

	"github.com/apigw-local/apigw-local/internal/iampolicy"
)

// decision is a policy's verdict on one method ARN.
type decision int

const (
	noMatch decision = iota
	allow
	explicitDeny
)

// policy is an authorizer's policyDocument, parsed once per answer and evaluated per request.
type policy struct{ p *iampolicy.Policy }

func parsePolicy(raw json.RawMessage) (*policy, error) {
	p, err := iampolicy.Parse(raw)
	if err != nil {
		return nil, err
	}
	return &policy{p}, nil
}

// evaluate judges execute-api:Invoke on methodARN.
func (p *policy) evaluate(methodARN string) decision {
	switch iampolicy.Evaluate(p.p, iampolicy.Request{Action: "execute-api:Invoke", Resource: methodARN}) {
	case iampolicy.Allow:
		return allow
	case iampolicy.ExplicitDeny:
		return explicitDeny
	}
	return noMatch
}
