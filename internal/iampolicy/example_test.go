package iampolicy_test

import (
	"fmt"
	"net/netip"

	"github.com/apigw-local/apigw-local/internal/iampolicy"
)

// A resource policy that lets one account in from one network, and what it decides for three callers.
func ExampleEvaluate() {
	p, err := iampolicy.Parse([]byte(`{
	  "Version": "2012-10-17",
	  "Statement": [{
	    "Effect": "Allow",
	    "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
	    "Action": "execute-api:Invoke",
	    "Resource": "arn:aws:execute-api:us-east-1:123456789012:abc123/*",
	    "Condition": {"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "2001:db8::/32"]}}
	  }]
	}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	req := iampolicy.Request{
		Action:   "execute-api:Invoke",
		Resource: "arn:aws:execute-api:us-east-1:123456789012:abc123/dev/GET/pets",
		Caller:   iampolicy.Caller{ARN: "arn:aws:iam::123456789012:user/alice"},
		SourceIP: netip.MustParseAddr("10.1.2.3"),
	}
	fmt.Println(iampolicy.Evaluate(p, req))
	req.SourceIP = netip.MustParseAddr("192.0.2.1")
	fmt.Println(iampolicy.Evaluate(p, req))
	req.SourceIP, req.Caller = netip.MustParseAddr("10.1.2.3"), iampolicy.Caller{Anonymous: true}
	fmt.Println(iampolicy.Evaluate(p, req))
	// Output:
	// Allow
	// NoMatch
	// NoMatch
}
