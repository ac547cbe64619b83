package iampolicy

import (
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

func TestParseErrors(t *testing.T) {
	allowAll := `"Effect":"Allow","Action":"*","Resource":"*"`
	for _, tt := range []struct {
		name, policy, want string
	}{
		{"not JSON", `{"Statement":`, "policy is not valid JSON: unexpected end of JSON input"},
		{"trailing garbage", `{"Statement":[]} x`, "policy is not valid JSON: invalid character 'x' after top-level value"},
		{"empty input", ``, "policy is not valid JSON: unexpected end of JSON input"},
		{"array document", `[]`, "policy must be an object, got array"},
		{"string holding a string", `"\"{}\""`, "policy is a JSON string holding another JSON string; expected a policy document"},
		{"string holding an array", `"[1]"`, "policy must be an object, got array"},
		{"broken JSON string", `"{`, "policy is not valid JSON: unexpected end of JSON input"},
		{"no Statement", `{"Version":"2012-10-17"}`, "policy has no Statement"},
		{"lower-case element", `{"statement":[]}`, "statement is not a policy element (expected Version, Id or Statement; names are case-sensitive)"},
		{"Statement a string", `{"Statement":"x"}`, "Statement must be an object or a list of objects, got string"},
		{"Statement item a number", `{"Statement":[1]}`, "Statement[0] must be an object, got number"},
		{"bad Version", `{"Version":"2020-01-01","Statement":[]}`, `Version must be "2012-10-17" or "2008-10-17", got "2020-01-01"`},
		{"Version a number", `{"Version":2012,"Statement":[]}`, "Version must be a string, got number"},
		{"Effect lower-case", `{"Statement":[{` + allowAll + `},{"Effect":"allow","Action":"*","Resource":"*"}]}`,
			`Statement[1].Effect must be "Allow" or "Deny", got "allow"`},
		{"Effect missing", `{"Statement":{"Action":"*","Resource":"*"}}`, "Statement has no Effect"},
		{"Effect a list", `{"Statement":{"Effect":["Allow"],"Action":"*","Resource":"*"}}`, "Statement.Effect must be a string, got array"},
		{"unknown statement element", `{"Statement":[{` + allowAll + `,"action":"*"}]}`, "Statement[0].action is not a statement element (names are case-sensitive)"},
		{"no Action", `{"Statement":[{"Effect":"Allow","Resource":"*"}]}`, "Statement[0] has neither Action nor NotAction; exactly one is required"},
		{"Action and NotAction", `{"Statement":[{` + allowAll + `,"NotAction":"x"}]}`, "Statement[0] has both Action and NotAction; exactly one is required"},
		{"no Resource", `{"Statement":[{"Effect":"Allow","Action":"*"}]}`, "Statement[0] has neither Resource nor NotResource; exactly one is required"},
		{"Resource and NotResource", `{"Statement":[{` + allowAll + `,"NotResource":"x"}]}`, "Statement[0] has both Resource and NotResource; exactly one is required"},
		{"Action a number", `{"Statement":[{"Effect":"Allow","Action":1,"Resource":"*"}]}`, "Statement[0].Action must be a string or a list of strings, got number"},
		{"Action list with a number", `{"Statement":[{"Effect":"Allow","Action":["a",2],"Resource":"*"}]}`, "Statement[0].Action[1] must be a string, got number"},
		{"empty Resource list", `{"Statement":[{"Effect":"Allow","Action":"*","Resource":[]}]}`, "Statement[0].Resource must not be an empty list"},
		{"NotResource null", `{"Statement":[{"Effect":"Allow","Action":"*","NotResource":null}]}`, "Statement[0].NotResource must be a string or a list of strings, got null"},
		{"Principal and NotPrincipal", `{"Statement":[{` + allowAll + `,"Principal":"*","NotPrincipal":"*"}]}`, "Statement[0] has both Principal and NotPrincipal; at most one is allowed"},
		{"Principal a name", `{"Statement":[{` + allowAll + `,"Principal":"alice"}]}`, `Statement[0].Principal as a string must be "*", got "alice"; name principals as {"AWS": ...}`},
		{"Principal a list", `{"Statement":[{` + allowAll + `,"Principal":["*"]}]}`, `Statement[0].Principal must be "*" or an object such as {"AWS": ...}, got array`},
		{"Principal unknown type", `{"Statement":[{` + allowAll + `,"Principal":{"aws":"*"}}]}`, "Statement[0].Principal.aws is not a principal type (expected AWS, Service, Federated or CanonicalUser)"},
		{"Principal short account", `{"Statement":[{` + allowAll + `,"Principal":{"AWS":["*","12345"]}}]}`, `Statement[0].Principal.AWS[1] "12345" is neither "*", a 12-digit account id nor an ARN`},
		{"Principal wildcard ARN", `{"Statement":[{` + allowAll + `,"NotPrincipal":{"AWS":"arn:aws:iam::123456789012:user/*"}}]}`,
			`Statement[0].NotPrincipal.AWS[0] "arn:aws:iam::123456789012:user/*": wildcards are not allowed in a principal ARN`},
		{"Condition a list", `{"Statement":[{` + allowAll + `,"Condition":[]}]}`, "Statement[0].Condition must be an object, got array"},
		{"Condition operator a string", `{"Statement":[{` + allowAll + `,"Condition":{"IpAddress":"10.0.0.0/8"}}]}`, "Statement[0].Condition.IpAddress must be an object, got string"},
		{"bad CIDR", `{"Statement":[{` + allowAll + `,"Condition":{"IpAddress":{"aws:SourceIp":["10.0.0.0/8","10.0.0.300/8"]}}}]}`,
			`Statement[0].Condition.IpAddress.aws:SourceIp[1] "10.0.0.300/8" is not an IP address or CIDR block`},
		{"CIDR too long", `{"Statement":[{` + allowAll + `,"Condition":{"NotIpAddress":{"aws:SourceIp":"10.0.0.0/33"}}}]}`,
			`Statement[0].Condition.NotIpAddress.aws:SourceIp[0] "10.0.0.0/33" is not an IP address or CIDR block`},
		{"CIDR a number", `{"Statement":[{` + allowAll + `,"Condition":{"IpAddress":{"aws:SourceIp":10}}}]}`,
			"Statement[0].Condition.IpAddress.aws:SourceIp must be a string or a list of strings, got number"},
		{"too large", `{"Statement":[],"Id":"` + strings.Repeat("x", MaxPolicyBytes) + `"}`, "policy is 65560 bytes; at most 65536 are accepted"},
		{"too many statements", `{"Statement":[` + strings.Repeat(`{`+allowAll+`},`, MaxStatements) + `{` + allowAll + `}]}`,
			"Statement has 257 statements; at most 256 are accepted"},
		{"too many values", `{"Statement":{"Effect":"Allow","Action":"*","Resource":[` + strings.Repeat(`"a",`, MaxValues) + `"a"]}}`,
			"Statement.Resource brings the policy over 2048 values (actions, resources, principals, CIDRs)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Parse([]byte(tt.policy))
			if err == nil {
				t.Fatalf("Parse succeeded (%d statements), want error %q", len(p.statements), tt.want)
			}
			if err.Error() != tt.want {
				t.Errorf("error\n got %q\nwant %q", err.Error(), tt.want)
			}
			var pe *Error
			if !errors.As(err, &pe) {
				t.Errorf("error is %T, want *Error", err)
			}
		})
	}
}

func TestParseValid(t *testing.T) {
	for _, tt := range []struct {
		name, policy string
		version, id  string
		statements   int
	}{
		{"no Version", `{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`, "", "", 1},
		{"old Version and Id", `{"Version":"2008-10-17","Id":"p1","Statement":[{"Sid":"a","Effect":"Deny","Action":"*","Resource":"*"},{"Effect":"Allow","Action":"*","Resource":"*"}]}`,
			"2008-10-17", "p1", 2},
		{"whitespace around a JSON string", " \n\"{\\\"Statement\\\":[]}\" \n", "", "", 0},
		{"the statement-count budget is inclusive", `{"Statement":[` + strings.Repeat(`{"Effect":"Allow","Action":"*","Resource":"*"},`, MaxStatements-1) +
			`{"Effect":"Allow","Action":"*","Resource":"*"}]}`, "", "", MaxStatements},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Parse([]byte(tt.policy))
			if err != nil {
				t.Fatal(err)
			}
			if p.Version != tt.version || p.ID != tt.id || len(p.statements) != tt.statements || len(p.Unsupported) != 0 {
				t.Errorf("got Version %q, Id %q, %d statements, Unsupported %q; want %q, %q, %d, none",
					p.Version, p.ID, len(p.statements), p.Unsupported, tt.version, tt.id, tt.statements)
			}
		})
	}
}

func TestParseReportsUnsupported(t *testing.T) {
	policy := `{"Statement":[
		{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}},
		{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-1"}}},
		{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"ipaddress":{"aws:SourceIp":"10.0.0.0/8"},"IpAddress":{"aws:SourceIp":"10.0.0.0/8","aws:VpcSourceIp":"10.0.0.1"}}},
		{"Effect":"Allow","Principal":{"AWS":"*","Service":"apigateway.amazonaws.com"},"Action":"*","Resource":"*"}
	]}`
	p, err := Parse([]byte(policy))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"Statement[1].Condition: StringEquals on aws:PrincipalOrgID is not emulated; the statement is treated as not matching",
		"Statement[2].Condition: IpAddress on aws:VpcSourceIp is not emulated; the statement is treated as not matching",
		"Statement[2].Condition: ipaddress on aws:SourceIp is not emulated; the statement is treated as not matching",
		"Statement[3].Principal.Service is not emulated; those principals match no caller",
	}
	if !reflect.DeepEqual(p.Unsupported, want) {
		t.Errorf("Unsupported\n got %s\nwant %s", quoteAll(p.Unsupported), quoteAll(want))
	}
	var unsupported []bool
	for _, s := range p.statements {
		unsupported = append(unsupported, s.unsupported)
	}
	if want := []bool{false, true, true, false}; !reflect.DeepEqual(unsupported, want) {
		t.Errorf("statements treated as not matching: %v, want %v", unsupported, want)
	}
}

func quoteAll(ss []string) string {
	var b strings.Builder
	for _, s := range ss {
		b.WriteString("\n  " + strconv.Quote(s))
	}
	return b.String()
}
