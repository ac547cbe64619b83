package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/apigw-local/apigw-local/internal/awsimport"
	"github.com/apigw-local/apigw-local/internal/config"
	"github.com/spf13/cobra"
)

type importOptions struct {
	config, usagePlans, apiKeys, account string
	planKeys, stages, httpStages         []string
	dryRun                               bool
}

func newImportCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "import",
		Short: "Import settings from elsewhere into apigw-local.yaml",
	}
	cmd.AddCommand(newImportAWSCommand())
	return cmd
}

func newImportAWSCommand() *cobra.Command {
	o := &importOptions{}
	cmd := &cobra.Command{
		Use:   "aws",
		Short: "Merge production's usage plans, API keys, stage and account limits, saved from the AWS CLI, into the config",
		Long: `import aws reads what the AWS CLI prints about your API's production settings, saved to files, and
merges it into apigw-local.yaml: usage plans (with their ids, names, stages, throttles and quotas), their
keys, the API keys (placeholder values when saved without --include-values), stages (variables,
method settings' throttling and caching, the cache, the access log format) and the account's throttle.
It never calls AWS. Other settings and comments of the config stay; what has no setting here is listed.

  aws apigateway get-usage-plans > usage-plans.json
  aws apigateway get-usage-plan-keys --usage-plan-id a1b2c3 > keys-a1b2c3.json
  aws apigateway get-api-keys --include-values > api-keys.json
  aws apigateway get-stage --rest-api-id abcd123456 --stage-name prod > stage-prod.json
  aws apigateway get-account > account.json
  aws apigatewayv2 get-stages --api-id a1b2c3d4 > http-stages.json            # an HTTP API's stages
  apigw-local import aws --usage-plans usage-plans.json --usage-plan-keys a1b2c3=keys-a1b2c3.json \
      --api-keys api-keys.json --stage stage-prod.json --account account.json -o apigw-local.yaml`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runImportAWS(cmd.OutOrStdout(), cmd.ErrOrStderr(), o)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.config, "output", "o", "apigw-local.yaml", "the config to merge into and write (created if missing)")
	f.StringVar(&o.usagePlans, "usage-plans", "", "output of aws apigateway get-usage-plans")
	f.StringArrayVar(&o.planKeys, "usage-plan-keys", nil, "PLAN_ID=FILE: output of aws apigateway get-usage-plan-keys --usage-plan-id PLAN_ID (repeatable)")
	f.StringVar(&o.apiKeys, "api-keys", "", "output of aws apigateway get-api-keys --include-values")
	f.StringArrayVar(&o.stages, "stage", nil, "output of aws apigateway get-stage or get-stages (repeatable)")
	f.StringVar(&o.account, "account", "", "output of aws apigateway get-account")
	f.StringArrayVar(&o.httpStages, "apigatewayv2", nil, "output of aws apigatewayv2 get-stages --api-id ID (an HTTP API's stages; repeatable)")
	f.BoolVar(&o.dryRun, "dry-run", false, "print the merged config instead of writing it")
	return cmd
}

func runImportAWS(out, errOut io.Writer, o *importOptions) error {
	read := func(flag, path string) ([]byte, error) {
		if path == "" {
			return nil, nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("--%s: %v", flag, err)
		}
		return b, nil
	}
	var in awsimport.Inputs
	var err error
	if in.UsagePlans, err = read("usage-plans", o.usagePlans); err != nil {
		return err
	}
	if in.APIKeys, err = read("api-keys", o.apiKeys); err != nil {
		return err
	}
	if in.Account, err = read("account", o.account); err != nil {
		return err
	}
	for _, s := range o.stages {
		b, err := read("stage", s)
		if err != nil {
			return err
		}
		in.Stages = append(in.Stages, b)
	}
	for _, s := range o.httpStages {
		b, err := read("apigatewayv2", s)
		if err != nil {
			return err
		}
		in.HTTPStages = append(in.HTTPStages, b)
	}
	in.UsagePlanKeys = map[string][]byte{}
	for _, kv := range o.planKeys {
		id, path, ok := strings.Cut(kv, "=")
		if !ok || id == "" || path == "" {
			return fmt.Errorf("--usage-plan-keys %q: write PLAN_ID=FILE", kv)
		}
		b, err := read("usage-plan-keys", path)
		if err != nil {
			return err
		}
		in.UsagePlanKeys[id] = b
	}
	if in.UsagePlans == nil && in.APIKeys == nil && in.Account == nil && len(in.Stages) == 0 && len(in.HTTPStages) == 0 {
		return errors.New("nothing to import: give --usage-plans, --api-keys, --stage, --apigatewayv2 or --account (files saved from the AWS CLI)")
	}
	existing, err := os.ReadFile(o.config)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	res, err := awsimport.Import(in, existing)
	if err != nil {
		return err
	}
	// The result must be a config apigw-local accepts before it replaces the user's.
	if _, err := config.Parse(o.config, res.Config); err != nil {
		return fmt.Errorf("the imported settings do not make a valid config (nothing was written): %v", err)
	}
	for _, n := range res.Notes {
		fmt.Fprintln(errOut, "note:", n)
	}
	if o.dryRun {
		_, err := out.Write(res.Config)
		return err
	}
	if err := os.WriteFile(o.config, res.Config, 0o644); err != nil {
		return err
	}
	for _, c := range res.Changes {
		fmt.Fprintf(out, "%s: set %s\n", o.config, c)
	}
	return nil
}
