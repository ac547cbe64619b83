package emulator

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/apigw-local/apigw-local/internal/devkey"
	"github.com/apigw-local/apigw-local/internal/spec"
	"github.com/apigw-local/apigw-local/internal/testcorpus"
	"github.com/aws/aws-lambda-go/lambda"
	yaml "go.yaml.in/yaml/v3"
)

// corpusHTTPAPIs are the corpus's HTTP API exports, and what keeps one from being served as it is.
var corpusHTTPAPIs = map[string]string{
	"awsdocs__amazon-api-gateway-developer-guide__http-api-export-oas30.json":            "",
	"awsdocs__amazon-api-gateway-developer-guide__http-api-integrations-components.json": "",
	"localstack__localstack__http-api-petstore-cors.json":                                "",
	"localstack__localstack__stage-variables-http-proxy.json":                            "",
	"in28minutes__go-serverless__hello-world-http-oas30.yaml":                            "",
	"in28minutes__go-serverless__todo-api-http-jwt-oas30.yaml":                           "",
	// Fn::GetAtt and Ref resolved as CloudFormation would; its SQS-SendMessage route is not emulated (500).
	"aws-samples__serverless-patterns__http-api-sqs-integration.yaml": "intrinsics",
	// A SAM template: its HTTP API is served as CloudFormation would deploy it (deployedBody).
	"aws__aws-sam-cli__lambda-authorizers-swagger-http.yaml": "template",
}

// Every HTTP API of the corpus is recognised as one and validates; each of its routes answers from its
// integration: HTTP backends (the exports' hosts pointed at a local server), Lambda functions (served in
// process), behind their JWT (the development key as the issuer's) or Lambda authorizers, and preflights
// from the gateway where CORS is configured.
func TestCorpusHTTPAPIsAnswer(t *testing.T) {
	dir := testcorpus.Specs(t)
	t.Setenv("XDG_CONFIG_HOME", t.TempDir()) // the development key of this test only
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = fmt.Fprintf(w, "backend %s %s", r.Method, r.URL.Path)
	}))
	t.Cleanup(backend.Close)
	hostOf := regexp.MustCompile(`^https?://[^/]+`)
	for name, why := range corpusHTTPAPIs {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, name)
			notEmulated := why == "intrinsics"
			if why != "" {
				path = deployed(t, path, why == "template")
			}
			api, fs := spec.Load(path, spec.Options{})
			if api == nil || api.Type != spec.HTTP {
				t.Fatalf("not recognised as an HTTP API: %v", fs.Error())
			}
			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			text := string(raw)
			// The exports' backends are AWS hosts: point each HTTP integration at the local backend.
			for _, res := range api.Resources {
				for _, m := range res.Methods {
					if in := m.Integration; in != nil && strings.HasPrefix(in.Type, "HTTP") {
						if host := hostOf.FindString(in.URI); host != "" {
							text = strings.ReplaceAll(text, host, backend.URL)
						}
					}
				}
			}
			text = strings.ReplaceAll(text, "https://${stageVariables.TestHost}", "http://${stageVariables.TestHost}")
			cfg := fmt.Sprintf("stages:\n  $default:\n    variables: {TestHost: %q, testPath: stage-path, querystring: \"a=b\"}\n", strings.TrimPrefix(backend.URL, "http://"))
			var token string
			for _, az := range api.Authorizers {
				if az.Type == "jwt" {
					cfg += fmt.Sprintf("jwtIssuers:\n  %q: {jwks: dev}\n", az.JWTIssuer)
					claims := map[string]any{"iss": az.JWTIssuer, "sub": "corpus", "exp": time.Now().Add(time.Hour).Unix(), "iat": time.Now().Add(-time.Minute).Unix()}
					if len(az.JWTAudience) > 0 {
						claims["aud"] = az.JWTAudience[0]
					}
					if token, err = devkey.Sign(claims); err != nil {
						t.Fatal(err)
					}
				}
			}
			tmp := t.TempDir()
			specPath := filepath.Join(tmp, filepath.Base(name))
			_ = os.WriteFile(specPath, []byte(text), 0o644)
			cfgPath := filepath.Join(tmp, "apigw-local.yaml")
			_ = os.WriteFile(cfgPath, []byte(cfg), 0o644)
			l, err := Load(Sources{Specs: []string{specPath}, Config: cfgPath})
			if err != nil {
				t.Fatalf("does not validate: %v\n%s", err, l.Findings.Error())
			}
			snap, err := l.Snapshot()
			if err != nil {
				t.Fatal(err)
			}
			g := NewGateway(snap, NewAccessLog(io.Discard, LogText, false))
			t.Cleanup(func() { g.Close() })
			// Every function answers with its name; authorizers allow (simple response and policy alike).
			for _, fn := range functionNames(snap) {
				g.RegisterHandler(fn, echoNameHandler(fn))
			}
			srv := httptest.NewServer(g)
			t.Cleanup(srv.Close)
			for _, r := range snap.Routes() {
				method := r.Method
				if method == "ANY" {
					method = "GET"
				}
				p := regexp.MustCompile(`\{[^}]+\+\}`).ReplaceAllString(r.Path, "a/b")
				p = regexp.MustCompile(`\{[^}]+\}`).ReplaceAllString(p, "1")
				req, _ := http.NewRequest(method, srv.URL+p, strings.NewReader(`{"k": "v"}`))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer "+token)
				if token == "" {
					req.Header.Set("Authorization", "allow")
				}
				// Whatever else the route's Lambda authorizer reads, so that it is called.
				if az := api.Authorizers[r.Authorizer]; az != nil && az.Type != "jwt" {
					q := req.URL.Query()
					for _, src := range strings.Split(az.IdentitySource, ",") {
						src = strings.TrimSpace(src)
						if h, ok := strings.CutPrefix(src, "$request.header."); ok {
							req.Header.Set(h, "allow")
						} else if h, ok := strings.CutPrefix(src, "method.request.header."); ok {
							req.Header.Set(h, "allow")
						} else if k, ok := strings.CutPrefix(src, "$request.querystring."); ok {
							q.Set(k, "allow")
						}
					}
					req.URL.RawQuery = q.Encode()
				}
				preflight := method == "OPTIONS" && api.CORS != nil
				if preflight {
					req.Header.Set("Origin", "https://example.com")
					req.Header.Set("Access-Control-Request-Method", "GET")
				}
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(res.Body)
				res.Body.Close()
				switch {
				case notEmulated:
					if res.StatusCode != 500 || string(body) != `{"message":"Internal Server Error"}` || !strings.Contains(l.Findings.Error(), "is not emulated yet") {
						t.Errorf("%s %s (not emulated): %d %s", method, p, res.StatusCode, body)
					}
				case preflight:
					if res.StatusCode != 204 || res.Header.Get("Access-Control-Allow-Origin") == "" {
						t.Errorf("%s %s (a preflight): %d %v", method, p, res.StatusCode, res.Header)
					}
				case res.StatusCode != 200 || !(strings.HasPrefix(string(body), "backend ") || strings.HasPrefix(string(body), "function ")):
					t.Errorf("%s %s: %d %s, want 200 from its integration", method, p, res.StatusCode, body)
				}
			}
		})
	}
}

// deployed writes a spec as CloudFormation would deploy it, and returns its path: the intrinsics
// resolved (!Sub of a function's Arn and the region, Fn::GetAtt of an Arn, Ref), and for a SAM template
// the definition its AWS::ApiGatewayV2::Api carries as its Body.
func deployed(t *testing.T, template string, inTemplate bool) string {
	t.Helper()
	raw, err := os.ReadFile(template)
	if err != nil {
		t.Fatal(err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	get := func(n *yaml.Node, key string) *yaml.Node {
		for i := 0; n != nil && n.Kind == yaml.MappingNode && i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == key {
				return n.Content[i+1]
			}
		}
		return nil
	}
	body := doc.Content[0]
	resources := get(doc.Content[0], "Resources")
	for i := 1; resources != nil && i < len(resources.Content); i += 2 {
		if r := resources.Content[i]; get(r, "Type") != nil && get(r, "Type").Value == "AWS::ApiGatewayV2::Api" {
			body = get(get(r, "Properties"), "Body")
		}
	}
	if body == nil || inTemplate && body == doc.Content[0] {
		t.Fatalf("%s has no AWS::ApiGatewayV2::Api with a Body", template)
	}
	// ${Fn.Arn} of a function becomes its ARN, pseudo parameters their usual values, and any other
	// ${name} (another resource, a Terraform variable) a plain name, as a deployment would fill them.
	arns := regexp.MustCompile(`\$\{(\w+)\.Arn\}`)
	others := regexp.MustCompile(`\$\{(\w+)\}`)
	sub := func(v string) string {
		v = strings.NewReplacer("${AWS::Region}", "us-east-1", "${AWS::AccountId}", "123456789012", "${AWS::Partition}", "aws").Replace(v)
		v = arns.ReplaceAllString(v, "arn:aws:lambda:us-east-1:123456789012:function:$1")
		return others.ReplaceAllStringFunc(v, func(m string) string {
			name := m[2 : len(m)-1]
			switch strings.ToLower(name) {
			case "region", "aws_region":
				return "us-east-1"
			case "account", "account_id", "accountid":
				return "123456789012"
			}
			if strings.HasSuffix(name, "arn") || strings.HasSuffix(name, "_arn") {
				return "arn:aws:lambda:us-east-1:123456789012:function:" + name
			}
			return name
		})
	}
	scalar := func(v string) yaml.Node { return yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v} }
	var resolve func(n *yaml.Node)
	resolve = func(n *yaml.Node) {
		switch {
		case n.Tag == "!Sub" && n.Kind == yaml.ScalarNode:
			*n = scalar(sub(n.Value))
		case n.Tag == "!GetAtt":
			*n = scalar("arn:aws:iam::123456789012:role/" + strings.Split(n.Value, ".")[0])
		case n.Tag == "!Ref":
			*n = scalar(n.Value)
		case n.Kind == yaml.ScalarNode && !strings.Contains(n.Value, "${stageVariables.") &&
			(strings.Contains(n.Value, "arn:") && strings.Contains(n.Value, "${") || others.MatchString(n.Value) && others.FindString(n.Value) == n.Value):
			// Terraform placeholders: in ARNs and URIs, or a whole value ("${role}"); templates keep theirs
			n.Value = sub(n.Value)
		}
		if n.Kind == yaml.MappingNode && len(n.Content) == 2 {
			switch k, v := n.Content[0].Value, n.Content[1]; {
			case k == "Fn::Sub" && v.Kind == yaml.ScalarNode:
				*n = scalar(sub(v.Value))
			case k == "Fn::Sub" && v.Kind == yaml.SequenceNode && len(v.Content) > 0:
				*n = scalar(sub(v.Content[0].Value))
			case k == "Fn::GetAtt" && len(v.Content) == 2:
				*n = scalar("arn:aws:iam::123456789012:role/" + v.Content[0].Value)
			case k == "Fn::GetAtt" && v.Kind == yaml.ScalarNode:
				*n = scalar("arn:aws:iam::123456789012:role/" + strings.Split(v.Value, ".")[0])
			case k == "Ref":
				*n = scalar("https://sqs.us-east-1.amazonaws.com/123456789012/" + v.Value)
			case k == "Fn::If" && len(v.Content) == 3: // the condition taken as true
				*n = *v.Content[1]
			}
		}
		for _, c := range n.Content {
			resolve(c)
		}
	}
	resolve(body)
	out, err := yaml.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), filepath.Base(template))
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// functionNames are the Lambda functions a snapshot's routes and authorizers invoke.
func functionNames(snap *Snapshot) []string {
	seen := map[string]bool{}
	var out []string
	for _, a := range snap.APIs {
		for _, rt := range a.Tree.Routes() {
			for _, fn := range []string{rt.Value.function, authorizerFunction(rt.Value)} {
				if fn != "" && !seen[fn] {
					seen[fn] = true
					out = append(out, fn)
				}
			}
		}
	}
	return out
}

func authorizerFunction(r *Route) string {
	if r.authorizer == nil {
		return ""
	}
	return r.authorizer.FunctionName()
}

// echoNameHandler answers a proxy integration with "function <name>", and an authorizer with an Allow
// (a simple response and an IAM policy in one answer: each kind reads its own fields).
func echoNameHandler(name string) lambda.Handler {
	return handlerFunc(func(ctx context.Context, payload []byte) ([]byte, error) {
		var ev struct {
			Type      string `json:"type"`
			MethodArn string `json:"methodArn"`
			RouteArn  string `json:"routeArn"`
		}
		_ = json.Unmarshal(payload, &ev)
		if ev.Type == "REQUEST" || ev.Type == "TOKEN" {
			arn := ev.MethodArn
			if arn == "" {
				arn = ev.RouteArn
			}
			return json.Marshal(map[string]any{"isAuthorized": true, "principalId": "corpus",
				"policyDocument": map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": arn}}}})
		}
		return json.Marshal(map[string]any{"statusCode": 200, "body": "function " + name})
	})
}

// handlerFunc is a lambda.Handler reading its payload as sent.
type handlerFunc func(ctx context.Context, payload []byte) ([]byte, error)

func (f handlerFunc) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	return f(ctx, payload)
}
