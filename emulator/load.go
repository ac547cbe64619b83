package emulator

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"

	"github.com/apigw-local/apigw-local/internal/config"
	"github.com/apigw-local/apigw-local/internal/findings"
	"github.com/apigw-local/apigw-local/internal/spec"
	"github.com/aws/aws-lambda-go/lambda"
)

// Sources says where specs and config come from.
type Sources struct {
	// Specs are spec files given on the command line; they override the config's `specs`.
	Specs []string
	// Config is the config file; empty means ./apigw-local.yaml when it exists.
	Config string
	// Fallback serves when neither specs nor a config are given (the embedded example API).
	Fallback fs.FS
	// FallbackName is the file in Fallback to serve.
	FallbackName string
	// FallbackConfig is the config file in Fallback that goes with it; empty for none.
	FallbackConfig string
	// FallbackFunctions are the in-process Lambda handlers the fallback API uses (its authorizer).
	FallbackFunctions map[string]lambda.Handler
	// Options change how specs are imported; Options.MaxSize caps each spec file.
	Options spec.Options
	// MaxConfigSize caps the config file, in bytes; 0 means config.MaxSize.
	MaxConfigSize int64
	// FunctionCommands set (or override) functions' commands after the config is read (serve
	// --function NAME=COMMAND): a function the config lacks is added with Lambda's defaults, and one the
	// config makes external runs the command instead.
	FunctionCommands map[string][]string
	// ExternalPorts make functions external on these ports after the config is read (serve --external
	// NAME=PORT), added with Lambda's defaults when the config lacks them. They win over FunctionCommands.
	ExternalPorts map[string]int
}

// Loaded is the outcome of reading the sources.
type Loaded struct {
	APIs     []*spec.API
	Config   *config.Config
	Findings spec.Findings // spec, config and emulation findings, sorted
	Files    []string      // files read from disk, for hot reload
	Embedded bool          // the fallback example is served
	snap     *Snapshot     // built once, with the findings; nil when they hold errors
}

// Load reads the config and the specs and checks them. It returns ErrNotServable when any finding is an
// error; the findings say what and where.
func Load(src Sources) (*Loaded, error) {
	l := &Loaded{}
	cfgPath := src.Config
	if cfgPath == "" {
		if _, err := os.Stat(config.FileName); err == nil {
			cfgPath = config.FileName
		}
	}
	if cfgPath != "" {
		cfg, err := config.Load(cfgPath, src.MaxConfigSize)
		l.Files = append(l.Files, cfgPath)
		var cfs config.Findings
		var tl *findings.TooLargeError
		switch {
		case errors.As(err, &tl):
			l.Findings = append(l.Findings, spec.Finding{Severity: spec.Error, File: cfgPath, Message: fmt.Sprintf("the config is larger than %s; a config of that size is likely not one (check the path), or raise the limit with --max-config-size", findings.Size(tl.Limit))})
		case errors.As(err, &cfs):
			for _, f := range cfs {
				l.Findings = append(l.Findings, spec.Finding{Severity: spec.Error, File: f.File, Line: f.Line, Column: f.Column, Path: f.Path, Message: f.Message})
			}
		case err != nil:
			l.Findings = append(l.Findings, spec.Finding{Severity: spec.Error, File: cfgPath, Message: err.Error()})
		}
		l.Config = cfg
	}
	if l.Config == nil {
		l.Config = config.Default()
	}
	src.applyFunctions(l.Config)
	specs := src.Specs
	if len(specs) == 0 && cfgPath != "" && l.Findings.Count(spec.Error) == 0 {
		specs = append([]string(nil), l.Config.Specs...)
		for _, name := range l.Config.APINames {
			if a := l.Config.APIs[name]; a.Spec != "" {
				specs = append(specs, a.Spec)
			}
		}
	}
	switch {
	case len(specs) > 0:
		for _, p := range specs {
			opts := src.Options
			opts.Type = spec.APIType(l.Config.APIType)
			if a := l.Config.APIFor(p); a != nil && a.APIType != "" {
				opts.Type = spec.APIType(a.APIType) // the API's own apiType wins over the top-level one
			}
			api, fs := spec.Load(p, opts)
			l.Files = append(l.Files, p)
			if api != nil {
				l.Files = append(l.Files, api.RefFiles...) // the files its $refs read
			}
			l.Findings = append(l.Findings, fs...)
			if api != nil {
				l.APIs = append(l.APIs, api)
			}
		}
	case cfgPath == "" && src.Fallback != nil:
		data, err := fs.ReadFile(src.Fallback, src.FallbackName)
		if err != nil {
			return nil, fmt.Errorf("embedded example API: %w", err)
		}
		api, findings := parseFallback(src.FallbackName, data, src.Options)
		l.Findings = append(l.Findings, findings...)
		if src.FallbackConfig != "" {
			cdata, err := fs.ReadFile(src.Fallback, src.FallbackConfig)
			if err != nil {
				return nil, fmt.Errorf("embedded example config: %w", err)
			}
			cfg, err := config.Parse(src.FallbackConfig, cdata)
			if err != nil { // a bug in the embedded example, caught by its tests
				return nil, fmt.Errorf("embedded example config: %w", err)
			}
			l.Config = cfg
		}
		if api != nil {
			l.APIs = append(l.APIs, api)
		}
		l.Embedded = true
		if len(src.FallbackFunctions) > 0 {
			if l.Config == nil {
				l.Config = config.Default()
			}
			l.Config.InProcess = map[string]bool{}
			for name := range src.FallbackFunctions {
				l.Config.InProcess[name] = true
			}
		}
	case l.Findings.Count(spec.Error) == 0:
		where := "the config names none (specs: [...])"
		if cfgPath == "" {
			where = "no " + config.FileName + " here"
		}
		l.Findings = append(l.Findings, spec.Finding{Severity: spec.Error, File: cfgPath, Message: "no spec to serve: " + where + "; pass a spec file (apigw-local serve openapi.yaml) or list it under specs: in the config"})
	}
	// The functions' binaries are watched too: a rebuilt handler replaces its processes on reload.
	for _, name := range l.Config.FunctionNames {
		if p := l.Config.Functions[name].CommandFile(); p != "" {
			l.Files = append(l.Files, p)
		}
	}
	snap, built, _ := Build(l.APIs, l.Config)
	l.Findings = append(l.Findings, built...)
	l.Findings.Sort()
	if !l.Findings.HasErrors() {
		l.snap = snap
	}
	if l.Findings.HasErrors() {
		return l, ErrNotServable
	}
	return l, nil
}

// applyFunctions applies FunctionCommands and ExternalPorts to cfg's functions, in name order.
func (src Sources) applyFunctions(cfg *config.Config) {
	if len(src.FunctionCommands) == 0 && len(src.ExternalPorts) == 0 {
		return
	}
	if cfg.Functions == nil {
		cfg.Functions = map[string]*config.Function{}
	}
	entry := func(name string) *config.Function {
		f := cfg.Functions[name]
		if f == nil {
			f = config.DefaultFunction(name, cfg.Dir)
			cfg.Functions[name] = f
			cfg.FunctionNames = append(cfg.FunctionNames, name)
		}
		return f
	}
	for _, name := range slices.Sorted(maps.Keys(src.FunctionCommands)) {
		f := entry(name)
		f.Command, f.External = slices.Clone(src.FunctionCommands[name]), nil
	}
	for _, name := range slices.Sorted(maps.Keys(src.ExternalPorts)) {
		f := entry(name)
		f.Command, f.External = nil, &config.External{Port: src.ExternalPorts[name]}
	}
}

// Snapshot is the snapshot built for what was loaded, by the same build whose findings Load returned.
func (l *Loaded) Snapshot() (*Snapshot, error) {
	if l.snap == nil {
		return nil, ErrNotServable
	}
	return l.snap, nil
}

func absAll(paths []string) []string {
	out := make([]string, 0, len(paths))
	for _, p := range paths {
		if a, err := filepath.Abs(p); err == nil {
			out = append(out, a)
		}
	}
	return out
}
