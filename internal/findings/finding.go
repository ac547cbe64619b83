// Package findings is what apigw-local reports about the files it reads, and how it reads them.
//
// A Finding is one problem or note, located in its file by line, column and path (where in the document,
// e.g. `paths["/pets"].get` or stages.prod.throttling), with a Severity, and formatted for people as
// "file:line:col: severity: path: message". The spec reader (internal/spec), the config reader
// (internal/config) and the gateway's own checks all report Findings, so that validate and serve print one
// sorted list.
//
// Read is the one reader of YAML (and JSON) files for both specs and configs: it parses a file into a
// yaml.Node tree, whose nodes keep their lines and columns, and reports what the YAML library leaves out or
// locates badly: a syntax error at the line and column of the offending text (an unclosed quote, a line
// indented wrongly, a tab), and duplicate keys at the second occurrence (yaml.v3 keeps both when decoding
// into a node tree). Child, Index and Locate build and follow the paths that findings carry.
package findings

import (
	"fmt"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Severity ranks a finding. Errors stop a file from being served; warnings describe what is served
// differently from AWS (or not at all); infos are notes.
type Severity int

// The severities, from the least to the most serious.
const (
	Info Severity = iota
	Warning
	Error
)

func (s Severity) String() string {
	switch s {
	case Error:
		return "error"
	case Warning:
		return "warning"
	default:
		return "info"
	}
}

// Position locates a value in its file.
type Position struct {
	Line, Column int    // 1-based; 0 when unknown
	Path         string // where in the document, in the syntax of Finding.Path
}

// At returns the position of n (an unknown position when n is nil) with path.
func At(n *yaml.Node, path string) Position {
	if n == nil {
		return Position{Path: path}
	}
	return Position{Line: n.Line, Column: n.Column, Path: path}
}

// Finding is one problem or note about a file, located in it.
type Finding struct {
	Severity Severity
	// File is the file name as given to the reader.
	File string
	// Line is 1-based; 0 when unknown.
	Line int
	// Column is 1-based, in characters; 0 when unknown.
	Column int
	// Path says where in the document the problem is, e.g. `paths["/pets"].get.x-amazon-apigateway-integration.uri`,
	// "stages.prod.throttling.rateLimit" or "usagePlans[0].apiStages[1].stage". Keys that are not plain
	// identifiers are quoted in brackets (see Child). Empty for the top level.
	Path string
	// Message says what is wrong and what to do about it.
	Message string
}

// Newf returns a finding located at n (unknown when n is nil).
func Newf(sev Severity, file string, n *yaml.Node, path, format string, args ...any) Finding {
	f := Finding{Severity: sev, File: file, Path: path, Message: fmt.Sprintf(format, args...)}
	if n != nil {
		f.Line, f.Column = n.Line, n.Column
	}
	return f
}

// String formats the finding as "file:line:col: severity: path: message"; the parts that are unknown (no
// file, line 0, column 0, empty path) are left out.
func (f Finding) String() string {
	var b strings.Builder
	b.WriteString(f.File)
	if f.Line > 0 {
		if f.File != "" {
			b.WriteByte(':')
		}
		fmt.Fprintf(&b, "%d", f.Line)
		if f.Column > 0 {
			fmt.Fprintf(&b, ":%d", f.Column)
		}
	}
	if b.Len() > 0 {
		b.WriteString(": ")
	}
	b.WriteString(f.Severity.String())
	b.WriteString(": ")
	if f.Path != "" {
		b.WriteString(f.Path)
		b.WriteString(": ")
	}
	b.WriteString(f.Message)
	return b.String()
}

// Error returns String, so that a single Finding can be used as an error.
func (f Finding) Error() string { return f.String() }

// Findings is a list of findings; it implements error so that a reader can return all of them at once.
type Findings []Finding

// Error lists every finding, one per line.
func (fs Findings) Error() string {
	lines := make([]string, len(fs))
	for i, f := range fs {
		lines[i] = f.String()
	}
	return strings.Join(lines, "\n")
}

// HasErrors reports whether any finding is an error.
func (fs Findings) HasErrors() bool { return fs.Count(Error) > 0 }

// Count returns how many findings have the given severity.
func (fs Findings) Count(s Severity) int {
	n := 0
	for _, f := range fs {
		if f.Severity == s {
			n++
		}
	}
	return n
}

// Only returns the findings of severity s, in order.
func (fs Findings) Only(s Severity) Findings {
	var out Findings
	for _, f := range fs {
		if f.Severity == s {
			out = append(out, f)
		}
	}
	return out
}

// Sort orders findings by file, position, message and path, so that output is stable.
func (fs Findings) Sort() {
	sort.SliceStable(fs, func(i, j int) bool { return less(fs[i], fs[j]) })
}

func less(a, b Finding) bool {
	if a.File != b.File {
		return a.File < b.File
	}
	if a.Line != b.Line {
		return a.Line < b.Line
	}
	if a.Column != b.Column {
		return a.Column < b.Column
	}
	if a.Message != b.Message {
		return a.Message < b.Message
	}
	return a.Path < b.Path
}

// Compact sorts the findings and drops exact duplicates, which arise when an aliased YAML node is
// decoded more than once. It returns the shortened list.
func (fs Findings) Compact() Findings {
	fs.Sort()
	out := fs[:0]
	for i, f := range fs {
		if i > 0 && f == fs[i-1] {
			continue
		}
		out = append(out, f)
	}
	return out
}
