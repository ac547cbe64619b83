package integration

import (
	"fmt"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/testcontainers/testcontainers-go"
)

// Option configures Run and Start alike. Passed to Run, it is a testcontainers.ContainerCustomizer
// (the files it copies and the arguments it adds to the container's command); passed to Start, it
// configures the in-process server.
type Option interface {
	testcontainers.ContainerCustomizer
	apply(*settings)
}

// settings are what the options say, for Start and for Run's runtime clients.
type settings struct {
	specs    []string
	config   string
	commands map[string][]string
	handlers []namedHandler
}

type namedHandler struct {
	name    string
	handler lambda.Handler
	port    int // the Runtime API port inside the container
}

type option struct {
	local     func(*settings)
	customize func(*testcontainers.GenericContainerRequest) error
}

func (o option) apply(s *settings) { o.local(s) }

func (o option) Customize(req *testcontainers.GenericContainerRequest) error {
	return o.customize(req)
}

// workDir is the container's working directory, where files are copied.
const workDir = "/work"

// firstExternalPort is the container port of the first WithHandler function's Runtime API endpoint; the
// next ones follow.
const firstExternalPort = 9001

// WithSpec serves the spec file at path (repeatable: several APIs side by side). In the container it is
// /work/<base name of path>.
func WithSpec(p string) Option {
	target := path.Join(workDir, filepath.Base(p))
	return option{
		local: func(s *settings) { s.specs = append(s.specs, p) },
		customize: func(req *testcontainers.GenericContainerRequest) error {
			req.Files = append(req.Files, testcontainers.ContainerFile{HostFilePath: p, ContainerFilePath: target, FileMode: 0o644})
			req.Cmd = append(req.Cmd, target)
			return nil
		},
	}
}

// WithConfig uses the config file at path. In the container it is /work/apigw-local.yaml, which serve
// reads from its working directory; paths in it are relative to /work, and only the config is copied:
// give its specs with WithSpec (they land in /work under their base names) and its functions' programs
// with WithFunctionBinary. Without WithConfig, Start reads ./apigw-local.yaml when it exists, as serve does.
func WithConfig(p string) Option {
	return option{
		local: func(s *settings) { s.config = p },
		customize: func(req *testcontainers.GenericContainerRequest) error {
			req.Files = append(req.Files, testcontainers.ContainerFile{HostFilePath: p, ContainerFilePath: path.Join(workDir, "apigw-local.yaml"), FileMode: 0o644})
			return nil
		},
	}
}

// WithFunctionBinary serves the Lambda function name with the handler program at path (an aws-lambda-go
// binary or any Runtime API client), replacing the command the config may give. For Run the program is
// copied into the container, whose image has no libc: it must be a static Linux executable (build it
// with CGO_ENABLED=0 GOOS=linux).
func WithFunctionBinary(name, p string) Option {
	target := path.Join(workDir, ".functions", name)
	return option{
		local: func(s *settings) {
			if s.commands == nil {
				s.commands = map[string][]string{}
			}
			abs, err := filepath.Abs(p)
			if err != nil {
				abs = p
			}
			s.commands[name] = []string{abs}
		},
		customize: func(req *testcontainers.GenericContainerRequest) error {
			if strings.ContainsAny(name, "= \t") || name == "" {
				return fmt.Errorf("integration: WithFunctionBinary: function name %q", name)
			}
			req.Files = append(req.Files, testcontainers.ContainerFile{HostFilePath: p, ContainerFilePath: target, FileMode: 0o755})
			req.Cmd = append(req.Cmd, "--function", name+"="+target)
			return nil
		},
	}
}

// WithHandler serves the Lambda function name with a Go handler, of any form lambda.Start takes (or a
// lambda.Handler), run in the test process. With Start it is called in-process; with Run the function is
// external inside the container and the test process serves it over the Runtime API until the container
// is terminated. Each WithHandler function gets container port 9001, 9002, ... in order: the config
// must not give those ports to other external functions. The Runtime API client runs only in this
// package's Run, not when the option is passed to testcontainers.Run itself. A lambda.Handler must not
// keep its payload after Invoke returns (see emulator.Gateway.RegisterHandler); copy what it records.
func WithHandler(name string, handler any) Option {
	h, ok := handler.(lambda.Handler)
	if !ok {
		h = lambda.NewHandler(handler)
	}
	return option{
		local: func(s *settings) {
			s.handlers = append(s.handlers, namedHandler{name: name, handler: h, port: firstExternalPort + len(s.handlers)})
		},
		customize: func(req *testcontainers.GenericContainerRequest) error {
			if strings.ContainsAny(name, "= \t") || name == "" {
				return fmt.Errorf("integration: WithHandler: function name %q", name)
			}
			n := 0
			for _, a := range req.Cmd {
				if a == "--external" {
					n++
				}
			}
			port := firstExternalPort + n
			req.Cmd = append(req.Cmd, "--external", name+"="+strconv.Itoa(port))
			req.ExposedPorts = append(req.ExposedPorts, strconv.Itoa(port)+"/tcp")
			return nil
		},
	}
}
