package lambdaintegration

import (
	"fmt"
	"regexp"
	"strings"
	"sync"
)

// lambdaTarget is the function an AWS or AWS_PROXY integration URI names.
type lambdaTarget struct {
	Function  string // the function name: the key under `functions:` in the config
	Qualifier string // alias or version after the name, if any
	Region    string
}

// lambdaURI matches API Gateway's Lambda invocation URI:
// arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{function ARN or name}/invocations.
var lambdaURI = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^arn:aws[a-z-]*:apigateway:([^:]*):lambda:path/[0-9-]+/functions/(.+)/invocations$`)
})

// lambdaFunctionARN matches arn:aws:lambda:{region}:{account}:function:{name}[:{qualifier}].
var lambdaFunctionARN = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^arn:aws[a-z-]*:lambda:([^:]*):([^:]*):function:([^:]+)(?::([^:]+))?$`)
})

// parseLambdaURI resolves an integration URI whose stage variables are already substituted. It returns
// ok=false when the URI does not call Lambda (another AWS service).
func parseLambdaURI(uri string) (lambdaTarget, bool, error) {
	m := lambdaURI().FindStringSubmatch(uri)
	if m == nil {
		return lambdaTarget{}, false, nil
	}
	t := lambdaTarget{Region: m[1]}
	fn := m[2]
	if f := lambdaFunctionARN().FindStringSubmatch(fn); f != nil {
		t.Function, t.Qualifier = f[3], f[4]
		if f[1] != "" {
			t.Region = f[1]
		}
		return t, true, nil
	}
	if strings.HasPrefix(fn, "arn:") {
		return lambdaTarget{}, true, fmt.Errorf("the integration URI names %q, which is not a Lambda function ARN", fn)
	}
	// A bare name (or name:qualifier) is accepted by Lambda's Invoke too.
	name, qualifier, _ := strings.Cut(fn, ":")
	t.Function, t.Qualifier = name, qualifier
	return t, true, nil
}
