package iampolicy

import (
	"net/netip"
	"testing"
)

const (
	arnRoot = "arn:aws:execute-api:us-east-1:123456789012:abc123/dev/GET/"
	arnPet  = "arn:aws:execute-api:us-east-1:123456789012:abc123/dev/GET/pets/1"
	arnPost = "arn:aws:execute-api:us-east-1:123456789012:abc123/dev/POST/pets"
	alice   = "arn:aws:iam::123456789012:user/alice"
	bob     = "arn:aws:iam::123456789012:user/bob"
	mallory = "arn:aws:iam::999999999999:user/mallory"
)

// stmt builds a one-statement policy from the statement's JSON members.
func stmt(members string) string {
	return `{"Version":"2012-10-17","Statement":{` + members + `}}`
}

func invoke(resource string) Request {
	return Request{Action: "execute-api:Invoke", Resource: resource, Caller: Caller{ARN: alice}}
}

func with(r Request, f func(*Request)) Request { f(&r); return r }

func asCaller(c Caller) func(*Request) { return func(r *Request) { r.Caller = c } }

func fromIP(ip string) func(*Request) {
	return func(r *Request) { r.SourceIP = netip.MustParseAddr(ip) }
}

func TestEvaluate(t *testing.T) {
	anonymous := asCaller(Caller{Anonymous: true})
	for _, tt := range []struct {
		name   string
		policy string
		req    Request
		want   Decision
	}{
		// Effects.
		{"allow matches", stmt(`"Effect":"Allow","Action":"execute-api:Invoke","Resource":"` + arnPet + `"`), invoke(arnPet), Allow},
		{"deny matches", stmt(`"Effect":"Deny","Action":"execute-api:Invoke","Resource":"` + arnPet + `"`), invoke(arnPet), ExplicitDeny},
		{"no statement matches", stmt(`"Effect":"Allow","Action":"execute-api:Invoke","Resource":"` + arnPost + `"`), invoke(arnPet), NoMatch},
		{"deny beats allow, whatever the order", `{"Statement":[
			{"Effect":"Deny","Action":"*","Resource":"` + arnPet + `"},
			{"Effect":"Allow","Action":"*","Resource":"*"}]}`, invoke(arnPet), ExplicitDeny},
		{"deny beats allow, deny last", `{"Statement":[
			{"Effect":"Allow","Action":"*","Resource":"*"},
			{"Effect":"Deny","Action":"*","Resource":"` + arnPet + `"}]}`, invoke(arnPet), ExplicitDeny},
		{"a deny elsewhere leaves the allow", `{"Statement":[
			{"Effect":"Allow","Action":"*","Resource":"*"},
			{"Effect":"Deny","Action":"*","Resource":"` + arnPost + `"}]}`, invoke(arnPet), Allow},
		{"empty statement list matches nothing", `{"Statement":[]}`, invoke(arnPet), NoMatch},

		// Action.
		{"action wildcard service", stmt(`"Effect":"Allow","Action":"execute-api:*","Resource":"*"`), invoke(arnPet), Allow},
		{"action is case-insensitive", stmt(`"Effect":"Allow","Action":"Execute-API:INVOKE","Resource":"*"`), invoke(arnPet), Allow},
		{"action of the request in odd case", stmt(`"Effect":"Allow","Action":"execute-api:Invoke","Resource":"*"`),
			with(invoke(arnPet), func(r *Request) { r.Action = "EXECUTE-API:invoke" }), Allow},
		{"action wildcard in case-folded pattern", stmt(`"Effect":"Allow","Action":"Execute-Api:In*","Resource":"*"`), invoke(arnPet), Allow},
		{"other action", stmt(`"Effect":"Allow","Action":"execute-api:ManageConnections","Resource":"*"`), invoke(arnPet), NoMatch},
		{"action list, second matches", stmt(`"Effect":"Allow","Action":["execute-api:ManageConnections","execute-api:Invoke"],"Resource":"*"`), invoke(arnPet), Allow},
		{"NotAction excludes the action", stmt(`"Effect":"Allow","NotAction":"execute-api:Invoke","Resource":"*"`), invoke(arnPet), NoMatch},
		{"NotAction matches other actions", stmt(`"Effect":"Allow","NotAction":"execute-api:ManageConnections","Resource":"*"`), invoke(arnPet), Allow},
		{"NotAction deny", stmt(`"Effect":"Deny","NotAction":["execute-api:ManageConnections"],"Resource":"*"`), invoke(arnPet), ExplicitDeny},

		// Resource.
		{"star spans slashes", stmt(`"Effect":"Allow","Action":"*","Resource":"arn:aws:execute-api:us-east-1:123456789012:abc123/*"`), invoke(arnPet), Allow},
		{"star spans colons", stmt(`"Effect":"Allow","Action":"*","Resource":"arn:aws:execute-api:*/GET/pets/*"`), invoke(arnPet), Allow},
		{"star per segment", stmt(`"Effect":"Allow","Action":"*","Resource":"arn:aws:execute-api:us-east-1:123456789012:abc123/*/GET/*"`), invoke(arnPet), Allow},
		{"star in the method segment", stmt(`"Effect":"Allow","Action":"*","Resource":"arn:aws:execute-api:us-east-1:123456789012:abc123/dev/*/pets"`), invoke(arnPost), Allow},
		{"star needs the literal tail", stmt(`"Effect":"Allow","Action":"*","Resource":"arn:aws:execute-api:us-east-1:123456789012:abc123/dev/*/pets"`), invoke(arnPet), NoMatch},
		{"question mark is one character", stmt(`"Effect":"Allow","Action":"*","Resource":"arn:aws:execute-api:us-east-1:123456789012:abc123/dev/GET/pets/?"`), invoke(arnPet), Allow},
		{"question mark is not two", stmt(`"Effect":"Allow","Action":"*","Resource":"arn:aws:execute-api:us-east-1:123456789012:abc123/dev/GET/pets/?"`),
			invoke(arnPet + "0"), NoMatch},
		{"question mark is not zero", stmt(`"Effect":"Allow","Action":"*","Resource":"arn:aws:execute-api:us-east-1:123456789012:abc123/dev/GET/pets/1?"`), invoke(arnPet), NoMatch},
		{"question mark is one multi-byte character", stmt(`"Effect":"Allow","Action":"*","Resource":"arn:aws:execute-api:us-east-1:123456789012:abc123/dev/GET/pets/?"`),
			invoke(arnPet[:len(arnPet)-1] + "é"), Allow},
		{"resource is case-sensitive", stmt(`"Effect":"Allow","Action":"*","Resource":"arn:aws:execute-api:us-east-1:123456789012:abc123/dev/get/pets/1"`), invoke(arnPet), NoMatch},
		{"resource wildcard is case-sensitive", stmt(`"Effect":"Allow","Action":"*","Resource":"arn:aws:execute-api:*/Pets/*"`), invoke(arnPet), NoMatch},
		{"root resource ends with a slash", stmt(`"Effect":"Allow","Action":"*","Resource":"` + arnRoot + `"`), invoke(arnRoot), Allow},
		{"root resource is not its children", stmt(`"Effect":"Allow","Action":"*","Resource":"` + arnRoot + `"`), invoke(arnPet), NoMatch},
		{"resource list", stmt(`"Effect":"Allow","Action":"*","Resource":["` + arnPost + `","` + arnPet + `"]`), invoke(arnPet), Allow},
		{"NotResource excludes the resource", stmt(`"Effect":"Allow","Action":"*","NotResource":"arn:aws:execute-api:*/pets/*"`), invoke(arnPet), NoMatch},
		{"NotResource matches others", stmt(`"Effect":"Allow","Action":"*","NotResource":"arn:aws:execute-api:*/pets/*"`), invoke(arnPost), Allow},
		{"deny NotResource", `{"Statement":[
			{"Effect":"Allow","Action":"*","Resource":"*"},
			{"Effect":"Deny","Action":"*","NotResource":["` + arnPost + `"]}]}`, invoke(arnPet), ExplicitDeny},

		// Principal.
		{"no Principal: any caller", stmt(`"Effect":"Allow","Action":"*","Resource":"*"`), with(invoke(arnPet), anonymous), Allow},
		{"Principal * matches anonymous", stmt(`"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"`), with(invoke(arnPet), anonymous), Allow},
		{"Principal AWS * matches anonymous", stmt(`"Effect":"Allow","Principal":{"AWS":"*"},"Action":"*","Resource":"*"`), with(invoke(arnPet), anonymous), Allow},
		{"account id matches a user of the account", stmt(`"Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"*","Resource":"*"`), invoke(arnPet), Allow},
		{"account id from Caller.AccountID", stmt(`"Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"*","Resource":"*"`),
			with(invoke(arnPet), asCaller(Caller{ARN: "arn:aws:sts::123456789012:assumed-role/r/s", AccountID: "123456789012"})), Allow},
		{"account id does not match another account", stmt(`"Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"*","Resource":"*"`),
			with(invoke(arnPet), asCaller(Caller{ARN: mallory})), NoMatch},
		{"account id does not match anonymous", stmt(`"Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"*","Resource":"*"`),
			with(invoke(arnPet), anonymous), NoMatch},
		{"account root ARN matches a user of the account", stmt(`"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"*","Resource":"*"`), invoke(arnPet), Allow},
		{"account root ARN, other account", stmt(`"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"*","Resource":"*"`),
			with(invoke(arnPet), asCaller(Caller{ARN: mallory})), NoMatch},
		{"user ARN matches that user", stmt(`"Effect":"Allow","Principal":{"AWS":["` + bob + `","` + alice + `"]},"Action":"*","Resource":"*"`), invoke(arnPet), Allow},
		{"user ARN does not match another user of the account", stmt(`"Effect":"Allow","Principal":{"AWS":["` + bob + `"]},"Action":"*","Resource":"*"`), invoke(arnPet), NoMatch},
		{"user ARN does not match anonymous", stmt(`"Effect":"Allow","Principal":{"AWS":"` + alice + `"},"Action":"*","Resource":"*"`),
			with(invoke(arnPet), asCaller(Caller{ARN: alice, Anonymous: true})), NoMatch},
		{"NotPrincipal excludes the named caller", stmt(`"Effect":"Deny","NotPrincipal":{"AWS":"` + alice + `"},"Action":"*","Resource":"*"`), invoke(arnPet), NoMatch},
		{"NotPrincipal applies to other callers", stmt(`"Effect":"Deny","NotPrincipal":{"AWS":"` + alice + `"},"Action":"*","Resource":"*"`),
			with(invoke(arnPet), asCaller(Caller{ARN: bob})), ExplicitDeny},
		{"NotPrincipal applies to anonymous", stmt(`"Effect":"Deny","NotPrincipal":{"AWS":"123456789012"},"Action":"*","Resource":"*"`),
			with(invoke(arnPet), anonymous), ExplicitDeny},
		{"NotPrincipal account excludes its users", stmt(`"Effect":"Deny","NotPrincipal":{"AWS":"123456789012"},"Action":"*","Resource":"*"`), invoke(arnPet), NoMatch},
		{"Service principal matches no caller", stmt(`"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"*","Resource":"*"`), invoke(arnPet), NoMatch},

		// Condition.
		{"IpAddress IPv4 CIDR in", stmt(`"Effect":"Allow","Action":"*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`),
			with(invoke(arnPet), fromIP("10.1.2.3")), Allow},
		{"IpAddress IPv4 CIDR out", stmt(`"Effect":"Allow","Action":"*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`),
			with(invoke(arnPet), fromIP("11.1.2.3")), NoMatch},
		{"IpAddress list, second matches", stmt(`"Effect":"Allow","Action":"*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":["192.168.0.0/16","10.0.0.0/8"]}}`),
			with(invoke(arnPet), fromIP("10.1.2.3")), Allow},
		{"IpAddress bare IP is a /32", stmt(`"Effect":"Allow","Action":"*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.1.2.3"}}`),
			with(invoke(arnPet), fromIP("10.1.2.4")), NoMatch},
		{"IpAddress IPv6 CIDR in", stmt(`"Effect":"Allow","Action":"*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"2001:db8::/32"}}`),
			with(invoke(arnPet), fromIP("2001:db8:1::5")), Allow},
		{"IpAddress IPv6 CIDR out", stmt(`"Effect":"Allow","Action":"*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"2001:db8::/32"}}`),
			with(invoke(arnPet), fromIP("2001:db9::5")), NoMatch},
		{"IpAddress IPv4 source against IPv6 CIDR", stmt(`"Effect":"Allow","Action":"*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"2001:db8::/32"}}`),
			with(invoke(arnPet), fromIP("10.1.2.3")), NoMatch},
		{"IpAddress IPv4-mapped source", stmt(`"Effect":"Allow","Action":"*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`),
			with(invoke(arnPet), fromIP("::ffff:10.1.2.3")), Allow},
		{"IpAddress without a source IP", stmt(`"Effect":"Allow","Action":"*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"0.0.0.0/0"}}`),
			invoke(arnPet), NoMatch},
		{"condition key is case-insensitive", stmt(`"Effect":"Allow","Action":"*","Resource":"*","Condition":{"IpAddress":{"AWS:SOURCEIP":"10.0.0.0/8"}}`),
			with(invoke(arnPet), fromIP("10.1.2.3")), Allow},
		{"NotIpAddress IPv4 in", stmt(`"Effect":"Deny","Action":"*","Resource":"*","Condition":{"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`),
			with(invoke(arnPet), fromIP("10.1.2.3")), NoMatch},
		{"NotIpAddress IPv4 out", stmt(`"Effect":"Deny","Action":"*","Resource":"*","Condition":{"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`),
			with(invoke(arnPet), fromIP("192.0.2.1")), ExplicitDeny},
		{"NotIpAddress IPv6 in", stmt(`"Effect":"Deny","Action":"*","Resource":"*","Condition":{"NotIpAddress":{"aws:SourceIp":["10.0.0.0/8","2001:db8::/32"]}}`),
			with(invoke(arnPet), fromIP("2001:db8::1")), NoMatch},
		{"NotIpAddress IPv6 out", stmt(`"Effect":"Deny","Action":"*","Resource":"*","Condition":{"NotIpAddress":{"aws:SourceIp":"2001:db8::/32"}}`),
			with(invoke(arnPet), fromIP("2001:db9::1")), ExplicitDeny},
		{"NotIpAddress without a source IP holds", stmt(`"Effect":"Deny","Action":"*","Resource":"*","Condition":{"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`),
			invoke(arnPet), ExplicitDeny},
		{"IpAddress and NotIpAddress are ANDed", stmt(`"Effect":"Allow","Action":"*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"},"NotIpAddress":{"aws:SourceIp":"10.9.0.0/16"}}`),
			with(invoke(arnPet), fromIP("10.9.1.1")), NoMatch},
		{"unsupported condition: allow does not match", stmt(`"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-1"}}`),
			invoke(arnPet), NoMatch},
		{"unsupported condition: deny does not apply", `{"Statement":[
			{"Effect":"Allow","Action":"*","Resource":"*"},
			{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringNotEquals":{"aws:SourceVpce":"vpce-1"}}}]}`, invoke(arnPet), Allow},
		{"unsupported key beside a supported one", stmt(`"Effect":"Allow","Action":"*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8","aws:VpcSourceIp":"10.0.0.0/8"}}`),
			with(invoke(arnPet), fromIP("10.1.2.3")), NoMatch},

		// Forms of the document.
		{"statement list", `{"Statement":[{"Effect":"Allow","Action":["execute-api:Invoke"],"Resource":["` + arnPet + `"]}]}`, invoke(arnPet), Allow},
		{"JSON string holding the document", `"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"execute-api:Invoke\",\"Resource\":\"` + arnPet + `\"}]}"`,
			invoke(arnPet), Allow},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Parse([]byte(tt.policy))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if got := Evaluate(p, tt.req); got != tt.want {
				t.Errorf("Evaluate = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestEvaluateNilPolicy(t *testing.T) {
	if got := Evaluate(nil, invoke(arnPet)); got != NoMatch {
		t.Errorf("Evaluate(nil) = %v, want NoMatch", got)
	}
}

func TestDecisionString(t *testing.T) {
	for d, want := range map[Decision]string{NoMatch: "NoMatch", Allow: "Allow", ExplicitDeny: "ExplicitDeny", 7: "Decision(invalid)"} {
		if got := d.String(); got != want {
			t.Errorf("%d.String() = %q, want %q", d, got, want)
		}
	}
}

// authorizerPolicy is what a typical Lambda authorizer returns: allow the API's reads, deny one path,
// allow one method on another.
const authorizerPolicy = `{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "reads", "Effect": "Allow", "Action": "execute-api:Invoke", "Resource": "arn:aws:execute-api:us-east-1:123456789012:abc123/dev/GET/*"},
    {"Sid": "admin", "Effect": "Deny", "Action": "execute-api:*", "Resource": ["arn:aws:execute-api:us-east-1:123456789012:abc123/*/*/admin/*"]},
    {"Sid": "orders", "Effect": "Allow", "Action": ["execute-api:Invoke"], "Resource": "arn:aws:execute-api:us-east-1:123456789012:abc123/dev/POST/orders"}
  ]
}`

func TestEvaluateAllocatesNothing(t *testing.T) {
	p, err := Parse([]byte(authorizerPolicy))
	if err != nil {
		t.Fatal(err)
	}
	req := invoke(arnPet)
	req.SourceIP = netip.MustParseAddr("10.1.2.3")
	if n := testing.AllocsPerRun(100, func() { Evaluate(p, req) }); n != 0 {
		t.Errorf("Evaluate allocates %v times per call, want 0", n)
	}
}

func BenchmarkEvaluate(b *testing.B) {
	p, err := Parse([]byte(authorizerPolicy))
	if err != nil {
		b.Fatal(err)
	}
	req := invoke(arnPet)
	b.ReportAllocs()
	for b.Loop() {
		if Evaluate(p, req) != Allow {
			b.Fatal("want Allow")
		}
	}
}
