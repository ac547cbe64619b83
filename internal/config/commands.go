package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/apigw-local/apigw-local/internal/findings"
)

// CheckCommands reports the functions whose command cannot be started: the program does not exist, is a
// directory, or is not executable. Each is an error at the function's command key, since every invocation
// of the function would fail (Lambda's Runtime.InvalidEntrypoint). Unlike Parse it looks at the file system
// and at PATH, resolving the program as the function runner does: an absolute path as is, a path with a
// slash against the function's workdir (by default the directory of this file), a bare name through PATH.
func (c *Config) CheckCommands() Findings {
	var out Findings
	for _, name := range c.FunctionNames {
		f := c.Functions[name]
		if f == nil || len(f.Command) == 0 || f.Command[0] == "" {
			continue
		}
		if msg := commandProblem(f.Command[0], f.Workdir, f.WorkdirRaw); msg != "" {
			fd := c.Findingf(child(child("functions", name), "command"), "%s", msg)
			if len(f.Build) > 0 {
				// serve runs the build before it checks the command, so this is only a warning for
				// validate (which builds nothing); serve reports it as an error if the build failed.
				fd.Severity = findings.Warning
				fd.Message += fmt.Sprintf(" (serve runs its build, %s, first)", quote(strings.Join(f.Build, " ")))
			}
			out = append(out, fd)
		}
	}
	return out
}

// CommandFile is the file a function's command runs when it is given as a path (absolute, or relative to
// the workdir, as lambdarun resolves it); "" for a program looked up in PATH, an in-process handler or an
// external runtime. Hot reload watches it: a rebuilt binary replaces the function's processes.
func (f *Function) CommandFile() string {
	if f == nil || len(f.Command) == 0 {
		return ""
	}
	program := f.Command[0]
	switch {
	case filepath.IsAbs(program):
		return program
	case strings.ContainsRune(program, filepath.Separator) || strings.ContainsRune(program, '/'):
		return filepath.Join(f.Workdir, program)
	}
	return ""
}

// commandProblem says why program, resolved as lambdarun resolves Command[0], cannot be started; "" when it
// can.
func commandProblem(program, workdir, workdirRaw string) string {
	var path string
	switch {
	case filepath.IsAbs(program):
		path = program
	case strings.ContainsRune(program, filepath.Separator) || strings.ContainsRune(program, '/'):
		path = filepath.Join(workdir, program)
	default:
		p, err := exec.LookPath(program)
		switch {
		case errors.Is(err, exec.ErrDot):
			return fmt.Sprintf("%s is found only in the current directory, which PATH lookups skip: write %s to run it from the function's workdir", quote(program), quote("./"+program))
		case err != nil:
			return fmt.Sprintf("%s is not found in PATH: install it, or give its path (./%s is relative to the function's workdir)", quote(program), program)
		}
		path = p
	}
	where := ""
	if path != program {
		where = " (" + path + ")"
		if workdirRaw != "" && workdirRaw != "." && !filepath.IsAbs(program) && strings.ContainsRune(program, '/') {
			where = fmt.Sprintf(" (%s, relative to workdir %s)", path, quote(workdirRaw))
		}
	}
	info, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Sprintf("the program %s%s does not exist, so every invocation of the function fails: build it first, or fix the path (a relative path is relative to the function's workdir, by default the directory of this file)", quote(program), where)
	case err != nil:
		return fmt.Sprintf("the program %s%s cannot be read: %v", quote(program), where, errors.Unwrap(err))
	case info.IsDir():
		return fmt.Sprintf("the program %s%s is a directory: name the executable in it", quote(program), where)
	case runtime.GOOS != "windows" && info.Mode().Perm()&0o111 == 0:
		return fmt.Sprintf("the program %s%s is not executable, so every invocation of the function fails: make it executable (chmod +x %s)", quote(program), where, path)
	}
	return ""
}
