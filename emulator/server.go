package emulator

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/apigw-local/apigw-local/internal/spec"
	"github.com/fsnotify/fsnotify"
)

// Server keeps a Gateway serving the latest good snapshot of its sources.
type Server struct {
	Gateway *Gateway
	sources Sources
	out     io.Writer // start-up and reload messages
	mu      sync.Mutex
	files   []string
	gen     int64
	// hashes are the contents of files as last loaded: an event that changes none of them (an editor
	// touching a file, a save without changes) reloads nothing.
	hashes map[string][sha256.Size]byte
	// hook, when set (tests), is told each watch outcome: "unchanged", "reloaded", "waiting" or "failed".
	hook func(outcome string)
	// changes says what the last reload changed, for its log line.
	changes string
	// fnWatches are the functions' build commands and watch globs.
	fnWatches []functionWatch
}

// reloadDebounce is how long the watcher waits after the last event before it reloads: editors save by
// writing, renaming and changing modes within a few milliseconds, and one edit must make one reload.
const reloadDebounce = 20 * time.Millisecond

// NewServer loads the sources and returns a server for them, or the findings that prevent serving. The
// options configure its Gateway.
func NewServer(src Sources, access *AccessLog, out io.Writer, opts ...Option) (*Server, *Loaded, error) {
	RunBuilds(context.Background(), src, out) // before the config's commands are checked: builds make them
	l, err := Load(src)
	if err != nil {
		return nil, l, err
	}
	snap, err := l.Snapshot()
	if err != nil {
		return nil, l, err
	}
	snap.Generation = 1
	s := &Server{Gateway: NewGateway(snap, access, opts...), sources: src, out: out, files: absAll(l.Files), gen: 1}
	s.hashes = hashFiles(s.files)
	s.fnWatches = functionWatches(l.Config)
	if l.Embedded {
		for name, h := range src.FallbackFunctions {
			s.Gateway.RegisterHandler(name, h)
		}
	}
	return s, l, nil
}

// Reload rebuilds the snapshot from the sources; on any error the previous snapshot keeps serving.
func (s *Server) Reload() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	l, err := Load(s.sources)
	if l != nil && len(l.Files) > 0 {
		s.files = absAll(l.Files)
	}
	s.hashes = hashFiles(s.files)
	if err == nil {
		s.fnWatches = functionWatches(l.Config)
	}
	if err != nil {
		var errs spec.Findings
		for _, f := range l.Findings {
			if f.Severity == spec.Error {
				errs = append(errs, f)
			}
		}
		return fmt.Errorf("reload failed, still serving generation %d:\n%w", s.gen, errs)
	}
	snap, err := l.Snapshot()
	if err != nil {
		return fmt.Errorf("reload failed, still serving generation %d: %w", s.gen, err)
	}
	s.gen++
	snap.Generation = s.gen
	old := s.Gateway.Snapshot()
	s.Gateway.Swap(snap)
	s.changes = describeChanges(old, snap)
	return nil
}

// functionsWatching names the functions whose watch globs match file.
func (s *Server) functionsWatching(file string) []string {
	abs, err := filepath.Abs(file)
	if err != nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, fw := range s.fnWatches {
		if fw.matches(abs) {
			out = append(out, fw.name)
		}
	}
	return out
}

// rebuild runs the build of each function whose watched files changed; a function without a build is
// restarted instead (its sources are read at start, e.g. a script). A new binary from a build is then
// seen by the reload like any rebuilt binary.
func (s *Server) rebuild(ctx context.Context, dirty map[string]bool) {
	s.mu.Lock()
	fws := s.fnWatches
	s.mu.Unlock()
	for _, fw := range fws {
		if !dirty[fw.name] {
			continue
		}
		if len(fw.build) > 0 {
			_ = runBuild(ctx, fw, s.out)
			continue
		}
		if s.Gateway.functions.restart(fw.name) {
			fmt.Fprintf(s.out, "function %s: a watched file changed; new requests go to new processes\n", fw.name)
		}
	}
}

// Files are the files hot reload watches (absolute): specs, the config, function binaries.
func (s *Server) Files() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.files...)
}

// hashFiles fingerprints the files' contents (specs, the config, function binaries); a file that cannot
// be read, or is not a regular file, has none (and so differs from one that could).
func hashFiles(files []string) map[string][sha256.Size]byte {
	out := make(map[string][sha256.Size]byte, len(files))
	for _, name := range files {
		if st, err := os.Stat(name); err != nil || !st.Mode().IsRegular() {
			continue
		}
		f, err := os.Open(name)
		if err != nil {
			continue
		}
		h := sha256.New()
		_, err = io.Copy(h, f)
		f.Close()
		if err == nil {
			var sum [sha256.Size]byte
			copy(sum[:], h.Sum(nil))
			out[name] = sum
		}
	}
	return out
}

// unchanged reports whether the watched files hold what was last loaded.
func (s *Server) unchanged() bool {
	s.mu.Lock()
	files, last := s.files, s.hashes
	s.mu.Unlock()
	now := hashFiles(files)
	if len(now) != len(last) {
		return false
	}
	for f, h := range now {
		if last[f] != h {
			return false
		}
	}
	return true
}

// emptied names a watched file that is empty now but was not when last loaded: an editor (or a tool)
// that writes in place truncates the file first, and the watcher may wake between the truncation and the
// write. An empty config is a valid one (no functions, no stages), so loading it would serve 500s until
// the write lands; such a reload waits for the next change instead.
func (s *Server) emptied() string {
	s.mu.Lock()
	files, last := s.files, s.hashes
	s.mu.Unlock()
	empty := sha256.Sum256(nil)
	for _, f := range files {
		if st, err := os.Stat(f); err == nil && st.Size() == 0 {
			if h, ok := last[f]; ok && h != empty {
				return f
			}
		}
	}
	return ""
}

// Watch starts reloading whenever a watched file changes, until ctx ends. It returns once the watches
// are in place, so that an edit made right after it returns is seen. Editors save in many ways (write in
// place, write and rename, remove and create), so the directories are watched and events are debounced.
func (s *Server) Watch(ctx context.Context) error {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return err
	}
	dirs := map[string]bool{}
	s.mu.Lock()
	for _, f := range s.files {
		dirs[filepath.Dir(f)] = true
	}
	s.mu.Unlock()
	for d := range dirs {
		if err := w.Add(d); err != nil {
			w.Close()
			return fmt.Errorf("watch %s: %w", d, err)
		}
	}
	s.mu.Lock()
	fws := s.fnWatches
	s.mu.Unlock()
	n := len(dirs)
	for _, fw := range fws {
		for _, d := range fw.dirs(maxWatchedDirs - n) {
			if !dirs[d] {
				dirs[d] = true
				n++
				if err := w.Add(d); err != nil {
					fmt.Fprintf(s.out, "watch %s (function %s): %v\n", d, fw.name, err)
				}
			}
		}
	}
	go s.watchLoop(ctx, w, dirs)
	return nil
}

func (s *Server) watchLoop(ctx context.Context, w *fsnotify.Watcher, watchedDirs map[string]bool) {
	defer w.Close()
	var timer *time.Timer
	fire := make(chan struct{}, 1)
	dirty := map[string]bool{} // functions whose watched files changed since the last run
	for {
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-w.Events:
			if !ok {
				return
			}
			if ev.Op == fsnotify.Chmod {
				continue
			}
			if !s.watched(ev.Name) {
				fns := s.functionsWatching(ev.Name)
				if len(fns) == 0 {
					continue
				}
				if ev.Op&fsnotify.Create != 0 {
					if st, err := os.Stat(ev.Name); err == nil && st.IsDir() {
						_ = w.Add(ev.Name) // a new directory under a watched tree
					}
				}
				for _, name := range fns {
					dirty[name] = true
				}
			}
			if timer != nil {
				timer.Stop()
			}
			timer = time.AfterFunc(reloadDebounce, func() {
				select {
				case fire <- struct{}{}:
				default:
				}
			})
		case <-fire:
			s.rebuild(ctx, dirty)
			clear(dirty)
			outcome := "reloaded"
			switch f := s.emptied(); {
			case s.unchanged():
				outcome = "unchanged"
			case f != "":
				outcome = "waiting"
				fmt.Fprintf(s.out, "%s is empty: still serving generation %d until it is written (an emptied file is taken for a write in progress)\n", f, s.Gateway.Snapshot().Generation)
			default:
				err := s.Reload()
				// An edit may bring files in new directories ($ref'd files, a new config's specs).
				for _, f := range s.Files() {
					if d := filepath.Dir(f); !watchedDirs[d] {
						if w.Add(d) == nil {
							watchedDirs[d] = true
						}
					}
				}
				if err != nil {
					outcome = "failed"
					fmt.Fprintln(s.out, err)
				} else {
					fmt.Fprintf(s.out, "reloaded: now serving generation %d%s\n", s.Gateway.Snapshot().Generation, s.changes)
				}
			}
			if s.hook != nil {
				s.hook(outcome)
			}
		case err, ok := <-w.Errors:
			if !ok {
				return
			}
			fmt.Fprintln(s.out, "watch:", err)
		}
	}
}

func (s *Server) watched(name string) bool {
	abs, err := filepath.Abs(name)
	if err != nil {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, f := range s.files {
		if f == abs {
			return true
		}
	}
	return false
}
