package lambdaintegration

import "testing"

func TestParseLambdaURI(t *testing.T) {
	t.Parallel()
	cases := []struct {
		uri            string
		fn, qual, reg  string
		lambda, hasErr bool
	}{
		// the shape every export uses
		{"arn:aws:apigateway:us-west-2:lambda:path/2015-03-31/functions/arn:aws:lambda:us-west-2:123456789012:function:Calc/invocations", "Calc", "", "us-west-2", true, false},
		// an alias after the name
		{"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:GetPets:live/invocations", "GetPets", "live", "us-east-1", true, false},
		// the function's own region wins
		{"arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-central-1:123456789012:function:f/invocations", "f", "", "eu-central-1", true, false},
		// the 2015 importer's placeholder account id still names a function
		{"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:ACCOUNT_ID:function:myFunction/invocations", "myFunction", "", "us-east-1", true, false},
		// a bare function name
		{"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/plain/invocations", "plain", "", "us-east-1", true, false},
		// other partitions
		{"arn:aws-cn:apigateway:cn-north-1:lambda:path/2015-03-31/functions/arn:aws-cn:lambda:cn-north-1:123456789012:function:f/invocations", "f", "", "cn-north-1", true, false},
		// not Lambda: another AWS service action
		{"arn:aws:apigateway:us-east-1:dynamodb:action/PutItem", "", "", "", false, false},
		{"arn:aws:apigateway:us-east-1:s3:path/{bucket}", "", "", "", false, false},
		// Lambda path naming something else
		{"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:sqs:us-east-1:1:q/invocations", "", "", "", true, true},
	}
	for _, c := range cases {
		got, lambda, err := parseLambdaURI(c.uri)
		if lambda != c.lambda || (err != nil) != c.hasErr {
			t.Errorf("%s: lambda=%v err=%v", c.uri, lambda, err)
			continue
		}
		if got.Function != c.fn || got.Qualifier != c.qual || (c.lambda && !c.hasErr && got.Region != c.reg) {
			t.Errorf("%s: got %+v", c.uri, got)
		}
	}
}
