package spec

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/apigw-local/apigw-local/internal/findings"
	"go.yaml.in/yaml/v3"
)

// maxRefFiles bounds the files a spec may pull in through $ref, and maxRefDepth how deeply references
// may lead to references: budgets on what one edit can make a reload read.
const (
	maxRefFiles = 200
	maxRefDepth = 32
)

// refFile is a file read for a $ref: its node tree, once.
type refFile struct {
	root *yaml.Node
}

// inlineRefs replaces every $ref to another file (relative paths, at any depth: path items, schemas,
// responses, parameters, extension values) with a copy of the value it names, so that the rest of the
// import sees one document, as a bundler would make it. References inside the referenced files are
// resolved against those files. Each external $ref is a warning: API Gateway's import refuses them, so
// the spec must be bundled before it is deployed. A reference to a URL, or to a file outside the spec's
// directory tree, is an error. The files read are recorded for hot reload.
func (d *decoder) inlineRefs(root *yaml.Node, opts Options) {
	d.opts = opts
	d.refFiles, d.warnedRef, d.nodeFile = map[string]*refFile{}, map[string]bool{}, map[*yaml.Node]string{}
	base, err := filepath.Abs(d.file)
	if err != nil {
		return
	}
	d.refRoot = filepath.Dir(base)
	d.inline(root, base, nil, 0, map[string]bool{})
}

func (d *decoder) inline(n *yaml.Node, file string, path *findings.Path, depth int, active map[string]bool) {
	if n == nil || n.Kind == yaml.AliasNode {
		return
	}
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Value != "$ref" || v.Kind != yaml.ScalarNode {
				continue
			}
			ref := v.Value
			target, local := ref, strings.HasPrefix(ref, "#")
			if local && file == d.mainFile() {
				break // a reference within the spec itself: kin-openapi resolves it
			}
			if local {
				target = file[strings.LastIndexAny(file, "/"+string(filepath.Separator))+1:] + ref // within a referenced file: that file, not the spec
			}
			if repl := d.resolveRef(v, target, file, path.Key("$ref"), depth, active, !local); repl != nil {
				from := d.lastRefFile
				*n = *repl
				d.nodeFile[n] = from
				_, pointer, _ := strings.Cut(target, "#")
				key := from + "#" + pointer
				active[key] = true
				d.inline(n, from, path, depth+1, active)
				delete(active, key)
				return
			}
			break
		}
	}
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			d.inline(n.Content[i+1], file, path.Key(n.Content[i].Value), depth, active)
		}
	case yaml.SequenceNode, yaml.DocumentNode:
		for i, c := range n.Content {
			d.inline(c, file, path.Index(i), depth, active)
		}
	}
}

func (d *decoder) mainFile() string {
	abs, _ := filepath.Abs(d.file)
	return abs
}

// resolveRef reads the value that ref (file#/json/pointer) names, relative to from; nil (with a finding)
// when it cannot. The value is a deep copy, marked with the file it comes from for findings.
func (d *decoder) resolveRef(at *yaml.Node, ref, from string, path *findings.Path, depth int, active map[string]bool, warn bool) *yaml.Node {
	fail := func(format string, args ...any) *yaml.Node {
		d.addIn(Error, from, at, path.String(), format, args...)
		return nil
	}
	name, pointer, _ := strings.Cut(ref, "#")
	var target string
	switch {
	case isURL(ref) || isURL(from):
		if !d.opts.RefURLs {
			return fail("$ref %q is a URL (or is read from one): apigw-local fetches references only with --allow-ref-urls; or download it and refer to the file", ref)
		}
		base, err := url.Parse(from)
		if !isURL(from) {
			base, err = url.Parse("file://" + filepath.ToSlash(from))
		}
		u, uerr := url.Parse(name)
		if err != nil || uerr != nil {
			return fail("$ref %q is not a valid URL", ref)
		}
		target = base.ResolveReference(u).String()
	default:
		target = filepath.Join(filepath.Dir(from), filepath.FromSlash(name))
		if rel, err := filepath.Rel(d.refRoot, target); !d.opts.RefsOutside && (err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator))) {
			return fail("$ref %q leaves the spec's directory (%s): refer to files inside it, bundle the spec, or allow it with --allow-ref-outside", ref, d.refRoot)
		}
	}
	key := target + "#" + pointer
	if active[key] {
		return fail("$ref %q is circular across files: bundle the spec, or make the cycle a reference within one file", ref)
	}
	if depth >= maxRefDepth {
		return fail("$ref %q: references lead to references more than %d deep", ref, maxRefDepth)
	}
	rf := d.refFiles[target]
	if rf == nil {
		if target == d.mainFile() {
			return fail("$ref %q refers back to the spec itself by name: write it as a local reference (#%s)", ref, pointer)
		}
		if len(d.refFiles) >= maxRefFiles {
			return fail("$ref %q: the spec refers to more than %d files", ref, maxRefFiles)
		}
		data, err := d.readRef(target)
		if err != nil {
			var pe *fs.PathError
			if errors.As(err, &pe) {
				err = pe.Err
			}
			return fail("$ref %q: cannot read %s (%v); refer to a file beside the spec or below it", ref, name, err)
		}
		doc, err := findings.Read(target, data)
		if err != nil {
			if se, ok := err.(*findings.SyntaxError); ok {
				d.findings = append(d.findings, se.Finding("invalid YAML"))
				return nil
			}
			return fail("$ref %q: %v", ref, err)
		}
		d.findings = append(d.findings, doc.Duplicates...)
		rf = &refFile{root: doc.Root}
		d.refFiles[target] = rf
		if !isURL(target) { // files are watched; URLs are read once per load
			d.refList = append(d.refList, target)
		}
	}
	n, ok := pointerNode(rf.root, pointer)
	if !ok {
		return fail("$ref %q: %s has no value at #%s", ref, name, pointer)
	}
	if warn && !d.warnedRef[from+"\x00"+ref] {
		d.warnedRef[from+"\x00"+ref] = true
		d.addIn(Warning, from, at, path.String(), "$ref to another file (%s): served here, but API Gateway's import refuses references to other files: bundle the spec into one file before deploying it", ref)
	}
	cp := deepCopy(n, target, d.nodeFile)
	d.lastRefFile = target
	return cp
}

func isURL(s string) bool { return strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://") }

// refFetchTimeout bounds the fetch of a referenced URL (--allow-ref-urls).
const refFetchTimeout = 10 * time.Second

// readRef reads a referenced file, or fetches a referenced URL, within the spec size budget.
func (d *decoder) readRef(target string) ([]byte, error) {
	if !isURL(target) {
		return findings.ReadFile(target, MaxSize)
	}
	ctx, cancel := context.WithTimeout(context.Background(), refFetchTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET answered %s", resp.Status)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxSize+1))
	if err == nil && len(data) > MaxSize {
		err = fmt.Errorf("larger than %s", findings.Size(MaxSize))
	}
	return data, err
}

// pointerNode follows a JSON pointer ("/components/schemas/Pet", "" for the whole document).
func pointerNode(root *yaml.Node, pointer string) (*yaml.Node, bool) {
	n := deref(root)
	if pointer == "" || pointer == "/" {
		return n, n != nil
	}
	for _, tok := range strings.Split(strings.TrimPrefix(pointer, "/"), "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		n = deref(n)
		if n == nil {
			return nil, false
		}
		switch n.Kind {
		case yaml.MappingNode:
			var next *yaml.Node
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == tok {
					next = n.Content[i+1]
					break
				}
			}
			if next == nil {
				return nil, false
			}
			n = next
		case yaml.SequenceNode:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(n.Content) {
				return nil, false
			}
			n = n.Content[i]
		default:
			return nil, false
		}
	}
	return deref(n), true
}

// deepCopy copies n, recording each copied node's file, so that a finding about it names the file it
// was written in.
func deepCopy(n *yaml.Node, file string, files map[*yaml.Node]string) *yaml.Node {
	if n == nil {
		return nil
	}
	n = deref(n)
	cp := *n
	cp.Content = make([]*yaml.Node, len(n.Content))
	for i, c := range n.Content {
		cp.Content[i] = deepCopy(c, file, files)
	}
	files[&cp] = file
	return &cp
}

// addIn reports a finding located in file (a file a $ref pulled in, or the spec).
func (d *decoder) addIn(sev Severity, file string, n *yaml.Node, path, format string, args ...any) {
	f := findings.Newf(sev, file, n, path, format, args...)
	if file == d.mainFile() {
		f.File = d.file
	} else if rel, err := filepath.Rel(filepath.Dir(d.mainFile()), file); err == nil {
		f.File = filepath.Join(filepath.Dir(d.file), rel)
	}
	d.findings = append(d.findings, f)
}
