package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/apigw-local/apigw-local/emulator"
	"github.com/apigw-local/apigw-local/fixtures"
	"github.com/apigw-local/apigw-local/internal/config"
	"github.com/apigw-local/apigw-local/internal/findings"
	"github.com/apigw-local/apigw-local/internal/spec"
	"github.com/spf13/cobra"
)

// sourceFlags are the flags every command that reads specs shares.
type sourceFlags struct {
	config        string
	maxSpecSize   sizeFlag
	maxConfigSize sizeFlag
	// functions are --function NAME=COMMAND, externals --external NAME=PORT.
	functions []string
	externals []string
	// refsOutside and refURLs let $refs leave the spec's directory and fetch URLs.
	refsOutside, refURLs bool
}

func (f *sourceFlags) add(cmd *cobra.Command) {
	cmd.Flags().StringVarP(&f.config, "config", "c", "", "config file (default: ./apigw-local.yaml if it exists)")
	f.maxSpecSize = sizeFlag(spec.MaxSize)
	f.maxConfigSize = sizeFlag(config.MaxSize)
	cmd.Flags().Var(&f.maxSpecSize, "max-spec-size", "largest spec file read (API Gateway imports up to 6 MB)")
	cmd.Flags().Var(&f.maxConfigSize, "max-config-size", "largest config file read")
	cmd.Flags().StringArrayVar(&f.functions, "function", nil, "NAME=COMMAND: run Lambda function NAME with COMMAND (split at spaces), added to or overriding the config's functions (repeatable)")
	cmd.Flags().BoolVar(&f.refsOutside, "allow-ref-outside", false, "let a spec's $refs read files outside its directory")
	cmd.Flags().BoolVar(&f.refURLs, "allow-ref-urls", false, "let a spec's $refs fetch http(s) URLs (read once per load, not watched)")
	cmd.Flags().StringArrayVar(&f.externals, "external", nil, "NAME=PORT: serve Lambda function NAME to a runtime you start, on a Runtime API endpoint at PORT (repeatable)")
}

// overrides parses --function and --external.
func (f *sourceFlags) overrides() (map[string][]string, map[string]int, error) {
	var cmds map[string][]string
	var ports map[string]int
	for _, v := range f.functions {
		name, command, ok := strings.Cut(v, "=")
		args := strings.Fields(command)
		if !ok || name == "" || len(args) == 0 {
			return nil, nil, fmt.Errorf("--function %q: want NAME=COMMAND, e.g. GetPets=./bin/get-pets", v)
		}
		if cmds == nil {
			cmds = map[string][]string{}
		}
		cmds[name] = args
	}
	for _, v := range f.externals {
		name, port, ok := strings.Cut(v, "=")
		n, err := strconv.Atoi(port)
		if !ok || name == "" || err != nil || n < 1 || n > 65535 {
			return nil, nil, fmt.Errorf("--external %q: want NAME=PORT with a port from 1 to 65535, e.g. GetPets=9001", v)
		}
		if ports == nil {
			ports = map[string]int{}
		}
		for other, p := range ports {
			if p == n && other != name {
				return nil, nil, fmt.Errorf("--external %q: port %d is already %s's", v, n, other)
			}
		}
		ports[name] = n
	}
	return cmds, ports, nil
}

func (f *sourceFlags) sources(specs []string) (emulator.Sources, error) {
	cmds, ports, err := f.overrides()
	if err != nil {
		return emulator.Sources{}, err // a usage error: exit 2
	}
	return emulator.Sources{FunctionCommands: cmds, ExternalPorts: ports, Specs: specs, Config: f.config, Fallback: fixtures.Example, FallbackName: fixtures.ExampleSpec, FallbackConfig: fixtures.ExampleConfig,
		FallbackFunctions: fixtures.ExampleFunctions(), Options: spec.Options{MaxSize: int64(f.maxSpecSize), RefsOutside: f.refsOutside, RefURLs: f.refURLs}, MaxConfigSize: int64(f.maxConfigSize)}, nil
}

// sizeFlag is a byte count written as 6MB, 512KB or a number of bytes.
type sizeFlag int64

func (s *sizeFlag) String() string { return findings.Size(int64(*s)) }
func (s *sizeFlag) Type() string   { return "size" }
func (s *sizeFlag) Set(v string) error {
	n, err := findings.ParseSize(v)
	if err != nil {
		return err
	}
	*s = sizeFlag(n)
	return nil
}

type validateOptions struct {
	sourceFlags
	strict bool
}

func newValidateCommand() *cobra.Command {
	o := &validateOptions{}
	cmd := &cobra.Command{
		Use:   "validate [SPEC ...]",
		Short: "Print findings (error / warning / info) with file and location",
		Long: `validate reads the specs and the config as serve would and prints every finding: errors for what cannot
be served, warnings for what is served differently from AWS or not emulated, infos for notes.
It exits 1 when there are errors (and, with --strict, warnings).`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runValidate(cmd.OutOrStdout(), o, args)
		},
	}
	o.add(cmd)
	cmd.Flags().BoolVar(&o.strict, "strict", false, "treat warnings as errors")
	return cmd
}

func runValidate(out io.Writer, o *validateOptions, specs []string) error {
	src, err := o.sources(specs)
	if err != nil {
		return err
	}
	l, err := emulator.Load(src)
	if l == nil {
		return fmt.Errorf("validate: %w", err)
	}
	fs := l.Findings // one build decides, for validate as for serve
	printFindings(out, fs)
	fmt.Fprintln(out, summary(fs))
	if fs.HasErrors() || (o.strict && fs.Count(spec.Warning) > 0) {
		return exitError{1}
	}
	return nil
}

func printFindings(out io.Writer, fs spec.Findings) {
	for _, f := range fs {
		fmt.Fprintln(out, f.String())
	}
}

func summary(fs spec.Findings) string {
	return fmt.Sprintf("%s, %s, %s", plural(fs.Count(spec.Error), "error"), plural(fs.Count(spec.Warning), "warning"), plural(fs.Count(spec.Info), "info"))
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// errorsOnly keeps the findings that prevent serving.
func errorsOnly(fs spec.Findings) string {
	var b strings.Builder
	for _, f := range fs {
		if f.Severity == spec.Error {
			b.WriteString(f.String())
			b.WriteByte('\n')
		}
	}
	return b.String()
}
