package main

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/apigw-local/apigw-local/internal/findings"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// version is set at build time with -ldflags "-X main.version=..."; otherwise the module version is used.
var version = ""

func newRootCommand(stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:   "apigw-local",
		Short: "Serve exported Amazon API Gateway specs locally, the way API Gateway would",
		Long: `apigw-local reads an API Gateway export (OpenAPI 3.0 or Swagger 2.0 with the x-amazon-apigateway-*
extensions) and serves it with API Gateway's routing, stages, integrations and error responses.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	// A mistyped command gets cobra's "Did you mean this?" (apigw-local serv -> serve): names within this
	// edit distance, or that start with what was typed. Cobra suggests no flags; flagError does.
	root.SuggestionsMinimumDistance = 2
	root.SetFlagErrorFunc(flagError)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.AddCommand(newServeCommand(), newValidateCommand(), newRoutesCommand(), newRenderCommand(), newTokenCommand(), newImportCommand(), newSimulateCommand(), newReplayCommand(), newVersionCommand())
	return root
}

func newVersionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprintf(cmd.OutOrStdout(), "apigw-local %s (%s %s/%s)\n", versionString(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
			return nil
		},
	}
}

func versionString() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// flagError adds to pflag's error for an unknown flag the command's flags that are close to it, in the form
// cobra uses for commands, and otherwise where to find the flags. The result is still a usage error (exit 2).
func flagError(cmd *cobra.Command, err error) error {
	msg := err.Error()
	var typed string
	short := false
	switch {
	case strings.HasPrefix(msg, "unknown flag: --"):
		typed = strings.TrimPrefix(msg, "unknown flag: --")
	case strings.HasPrefix(msg, "unknown shorthand flag: '"):
		rest := strings.TrimPrefix(msg, "unknown shorthand flag: '")
		typed, _, _ = strings.Cut(rest, "'")
		short = true
	default:
		return err
	}
	var suggestions []string
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		if f.Hidden || f.Deprecated != "" {
			return
		}
		name := "--" + f.Name
		if f.Shorthand != "" {
			name = "-" + f.Shorthand + ", " + name
		}
		switch {
		case short && f.Shorthand != "" && strings.EqualFold(f.Shorthand, typed):
			suggestions = append(suggestions, name)
		case !short && (findings.EditDistance(strings.ToLower(typed), strings.ToLower(f.Name)) <= cmd.Root().SuggestionsMinimumDistance ||
			len(typed) >= 2 && strings.HasPrefix(f.Name, typed)):
			suggestions = append(suggestions, name)
		}
	})
	if len(suggestions) == 0 {
		return fmt.Errorf("%w\nRun '%s --help' for the flags of %s.", err, cmd.CommandPath(), cmd.Name())
	}
	return fmt.Errorf("%w for %q\n\nDid you mean this?\n\t%s", err, cmd.CommandPath(), strings.Join(suggestions, "\n\t"))
}
