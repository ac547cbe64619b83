package main

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/apigw-local/apigw-local/internal/mapping"
	"github.com/apigw-local/apigw-local/vtl"
	"github.com/spf13/cobra"
)

type renderOptions struct {
	body      string
	headers   []string
	queries   []string
	paths     []string
	stageVars []string
	context   string
}

func newRenderCommand() *cobra.Command {
	o := &renderOptions{}
	cmd := &cobra.Command{
		Use:   "render TEMPLATE",
		Short: "Render a mapping template as API Gateway would and print the result",
		Long: `render compiles TEMPLATE (a file holding a mapping template) in API Gateway mode and renders it with
$input (the body and parameters given), $util, $context (the values API Gateway would set for a request
to stage "dev", overridden by --context) and $stageVariables.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runRender(cmd.InOrStdin(), cmd.OutOrStdout(), cmd.ErrOrStderr(), o, args[0])
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.body, "body", "", "request body: a file, or - for standard input")
	f.StringArrayVar(&o.headers, "header", nil, "request header K=V (repeatable)")
	f.StringArrayVar(&o.queries, "query", nil, "query string parameter K=V (repeatable)")
	f.StringArrayVar(&o.paths, "path", nil, "path parameter K=V (repeatable)")
	f.StringArrayVar(&o.stageVars, "stage-var", nil, "stage variable K=V (repeatable)")
	f.StringVar(&o.context, "context", "", "JSON file of $context values to set (e.g. {\"stage\": \"prod\", \"identity\": {\"sourceIp\": \"10.0.0.1\"}})")
	return cmd
}

func runRender(stdin io.Reader, out, errOut io.Writer, o *renderOptions, file string) error {
	src, err := os.ReadFile(file)
	if err != nil {
		fmt.Fprintf(errOut, "apigw-local: cannot read the template: %v\n", err)
		return exitError{1}
	}
	tmpl, err := vtl.Parse(file, string(src), vtl.Options{Mode: vtl.APIGateway})
	if err != nil {
		fmt.Fprintln(errOut, err)
		return exitError{1}
	}
	for _, n := range tmpl.Notices() {
		fmt.Fprintln(errOut, "warning:", n)
	}
	var body []byte
	switch o.body {
	case "":
	case "-":
		body, err = io.ReadAll(stdin)
	default:
		body, err = os.ReadFile(o.body)
	}
	if err != nil {
		fmt.Fprintf(errOut, "apigw-local: --body: %v\n", err)
		return exitError{1}
	}
	params := mapping.Params{Path: map[string]string{}, Query: url.Values{}, Header: http.Header{}}
	for _, kv := range []struct {
		flag  string
		items []string
		set   func(k, v string)
	}{
		{"--header", o.headers, func(k, v string) { params.Header.Add(k, v) }},
		{"--query", o.queries, func(k, v string) { params.Query.Add(k, v) }},
		{"--path", o.paths, func(k, v string) { params.Path[k] = v }},
	} {
		for _, item := range kv.items {
			k, v, ok := strings.Cut(item, "=")
			if !ok || k == "" {
				fmt.Fprintf(errOut, "apigw-local: %s %q: use K=V\n", kv.flag, item)
				return exitError{2}
			}
			kv.set(k, v)
		}
	}
	stageVars := map[string]string{}
	for _, item := range o.stageVars {
		k, v, ok := strings.Cut(item, "=")
		if !ok || k == "" {
			fmt.Fprintf(errOut, "apigw-local: --stage-var %q: use K=V\n", item)
			return exitError{2}
		}
		stageVars[k] = v
	}
	ctx := mapping.NewContext(mapping.RequestContext{AccountID: "123456789012", APIID: "local", DeploymentID: "local1",
		DomainName: "local.execute-api.localhost", DomainPrefix: "local", ExtendedRequestID: "render-extended-id",
		HTTPMethod: "POST", Path: "/dev/", Protocol: "HTTP/1.1", RequestID: "00000000-0000-4000-8000-000000000000",
		RequestTime: time.Now(), ResourceID: "000000", ResourcePath: "/", Stage: "dev", SourceIP: "127.0.0.1",
		UserAgent: params.Header.Get("User-Agent")})
	if o.context != "" {
		data, err := os.ReadFile(o.context)
		if err == nil {
			err = mapping.MergeContext(ctx, data)
		}
		if err != nil {
			fmt.Fprintf(errOut, "apigw-local: --context %s: %v\n", o.context, err)
			return exitError{1}
		}
	}
	env := &mapping.Env{Params: params, Context: ctx, StageVariables: stageVars}
	result, err := mapping.Render(tmpl, body, env)
	if err != nil {
		fmt.Fprintln(errOut, err)
		return exitError{1}
	}
	fmt.Fprint(out, result)
	return nil
}
