package emulator

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"

	"github.com/apigw-local/apigw-local/internal/config"
	"github.com/bmatcuk/doublestar/v4"
)

// maxWatchedDirs bounds the directories the watch globs of all functions may add to the watcher: a glob
// like "**/*.go" at the root of a large tree must not exhaust inotify watches or start-up time.
const maxWatchedDirs = 4096

// functionWatch is one function's build command and watch globs, as the config gives them.
type functionWatch struct {
	name    string
	workdir string
	build   []string
	globs   []string
}

func functionWatches(cfg *config.Config) []functionWatch {
	if cfg == nil {
		return nil
	}
	var out []functionWatch
	for _, name := range cfg.FunctionNames {
		f := cfg.Functions[name]
		if f == nil || f.External != nil || len(f.Build) == 0 && len(f.Watch) == 0 {
			continue
		}
		out = append(out, functionWatch{name: name, workdir: f.Workdir, build: f.Build, globs: f.Watch})
	}
	return out
}

// matches reports whether file (absolute) matches one of the function's watch globs, relative to its
// workdir.
func (w functionWatch) matches(file string) bool {
	rel, err := filepath.Rel(w.workdir, file)
	if err != nil || strings.HasPrefix(rel, "..") {
		return false
	}
	rel = filepath.ToSlash(rel)
	for _, g := range w.globs {
		if ok, _ := doublestar.Match(g, rel); ok {
			return true
		}
	}
	return false
}

// dirs lists the directories the watcher must follow for the function's globs: the fixed part of each
// glob, and below it every directory (hidden ones skipped) when the glob descends.
func (w functionWatch) dirs(limit int) []string {
	var out []string
	for _, g := range w.globs {
		base, pattern := doublestar.SplitPattern(g)
		root := filepath.Join(w.workdir, filepath.FromSlash(base))
		if !strings.Contains(pattern, "/") && !strings.Contains(pattern, "**") {
			out = append(out, root)
			continue
		}
		_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || !d.IsDir() {
				return nil
			}
			if p != root && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			if len(out) >= limit {
				return filepath.SkipAll
			}
			out = append(out, p)
			return nil
		})
	}
	return out
}

// runBuild runs the function's build command in its workdir, its output shown line by line with the
// function's name. A failed build leaves the previous binary in place, and serving goes on with it.
func runBuild(ctx context.Context, w functionWatch, out io.Writer) error {
	if len(w.build) == 0 {
		return nil
	}
	cmd := exec.CommandContext(ctx, w.build[0], w.build[1:]...)
	cmd.Dir = w.workdir
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			fmt.Fprintf(out, "[build %s] %s\n", w.name, sc.Text())
		}
		_, _ = io.Copy(io.Discard, pr)
	}()
	err := cmd.Run()
	pw.Close()
	wg.Wait()
	if err != nil {
		fmt.Fprintf(out, "[build %s] failed (%v): the previous binary keeps serving\n", w.name, err)
		return err
	}
	fmt.Fprintf(out, "[build %s] ok\n", w.name)
	return nil
}

// RunBuilds runs the build command of every function of the sources' config that has one, before the
// config is checked (a build makes the binary its command names). Failures are reported to out and do not
// stop serving.
func RunBuilds(ctx context.Context, src Sources, out io.Writer) {
	cfgPath := src.Config
	if cfgPath == "" {
		if _, err := os.Stat(config.FileName); err != nil {
			return
		}
		cfgPath = config.FileName
	}
	cfg, err := config.Load(cfgPath, src.MaxConfigSize)
	if err != nil {
		return // Load reports the config's problems
	}
	for _, w := range functionWatches(cfg) {
		_ = runBuild(ctx, w, out)
	}
}
