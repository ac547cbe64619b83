package main

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/apigw-local/apigw-local/internal/config"
	"github.com/apigw-local/apigw-local/internal/spec"

	"github.com/apigw-local/apigw-local/emulator"
	"github.com/spf13/cobra"
)

func newRoutesCommand() *cobra.Command {
	o := &sourceFlags{}
	cmd := &cobra.Command{
		Use:   "routes [SPEC ...]",
		Short: "Print the route table: stage, method, path, integration, authorizer, api key",
		RunE: func(cmd *cobra.Command, args []string) error {
			return runRoutes(cmd.OutOrStdout(), cmd.ErrOrStderr(), o, args)
		},
	}
	o.add(cmd)
	return cmd
}

func runRoutes(out, errOut io.Writer, o *sourceFlags, specs []string) error {
	src, err := o.sources(specs)
	if err != nil {
		return err
	}
	l, err := emulator.Load(src)
	if err != nil {
		if l == nil {
			return fmt.Errorf("routes: %w", err)
		}
		fmt.Fprint(errOut, errorsOnly(l.Findings))
		return exitError{1}
	}
	snap, err := l.Snapshot()
	if err != nil {
		fmt.Fprintln(errOut, err)
		return exitError{1}
	}
	printRoutes(out, snap)
	return nil
}

func printRoutes(out io.Writer, snap *emulator.Snapshot) {
	routes := snap.Routes()
	multi := len(snap.APIs) > 1
	for _, a := range snap.APIs {
		kind := "a REST API (API Gateway v1)"
		if a.Spec.Type == spec.HTTP {
			kind = "an HTTP API (API Gateway v2)"
		}
		fmt.Fprintf(out, "API %s is %s: %s\n", a.ID, kind, a.Spec.TypeReason)
	}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	if multi {
		fmt.Fprint(tw, "API\t")
	}
	fmt.Fprintln(tw, "STAGE\tMETHOD\tPATH\tINTEGRATION\tAUTHORIZER\tAPI KEY")
	var notes []string
	for _, r := range routes {
		if multi {
			fmt.Fprintf(tw, "%s\t", r.APIID)
		}
		integration := r.Integration
		if !r.Served {
			integration += " (not served*)"
			prefix := "/" + r.Stage
			if r.Stage == config.DefaultHTTPStage {
				prefix = ""
			}
			notes = append(notes, fmt.Sprintf("* %s %s%s: %s", r.Method, prefix, r.Path, r.Note))
		}
		auth := r.Authorization
		if r.Authorizer != "" {
			auth += " " + r.Authorizer
		}
		key := "no"
		if r.APIKeyRequired {
			key = "required"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.Stage, r.Method, r.Path, integration, auth, key)
	}
	tw.Flush()
	for _, n := range notes {
		fmt.Fprintln(out, n)
	}
}
