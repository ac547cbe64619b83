package vtl

import (
	"fmt"
	"sort"
	"unicode/utf8"
)

// Mode selects the dialect.
type Mode int

const (
	// Velocity is stock Velocity 1.7: an undefined $x renders as the literal "$x", null is false in
	// #if, #set with a null value leaves its target unchanged.
	Velocity Mode = iota
	// APIGateway is Velocity as API Gateway runs it: a reference whose value is null (undefined variable,
	// missing key, method returning null) evaluates to the empty string — it renders as nothing, is true
	// in #if, equals "" — #macro definitions are ignored and macro calls and #evaluate print as written.
	APIGateway
)

func (m Mode) String() string {
	if m == APIGateway {
		return "APIGateway"
	}
	return "Velocity"
}

// Options configure Parse. Zero fields take the defaults.
type Options struct {
	Mode       Mode
	MaxSize    int // template bytes; 0 = 300 KB (API Gateway's limit, 307200 bytes)
	MaxForeach int // iterations per #foreach; 0 = 1000 (API Gateway's limit)
	MaxOutput  int // output bytes; 0 = 10 MB
	MaxDepth   int // nesting depth of directives/expressions (and #define expansion); 0 = 100
}

// Default limits.
const (
	DefaultMaxSize    = 300 * 1024
	DefaultMaxForeach = 1000
	DefaultMaxOutput  = 10 * 1024 * 1024
	DefaultMaxDepth   = 100
)

// Per-render budgets (issue 10): one request must not be able to exhaust the server.
const (
	// MaxSteps bounds the evaluation steps of one render (each directive, expression, method call
	// and #foreach iteration is a step). It protects CPU: a real template (AWS allows 300 KB of
	// template and 1,000 iterations per #foreach) renders in thousands of steps, so 1,000,000 is far
	// above any real one, while three nested #foreach of 1,000 (10^9 steps) stop here in well under
	// a second.
	MaxSteps = 1_000_000
	// MaxAllocBytes bounds the bytes of strings and list elements (16 bytes each) one render
	// creates. It protects memory: 16 MB is above API Gateway's 10 MB payload limit, so any real
	// transformation fits, while doubling a string or list is refused before it is built.
	MaxAllocBytes = 16 << 20
)

func (o Options) withDefaults() Options {
	if o.MaxSize <= 0 {
		o.MaxSize = DefaultMaxSize
	}
	if o.MaxForeach <= 0 {
		o.MaxForeach = DefaultMaxForeach
	}
	if o.MaxOutput <= 0 {
		o.MaxOutput = DefaultMaxOutput
	}
	if o.MaxDepth <= 0 {
		o.MaxDepth = DefaultMaxDepth
	}
	return o
}

// Error is a load or run error with its place in the template (line and column are 1-based; the
// column counts characters).
type Error struct {
	Name   string
	Line   int
	Column int
	Msg    string
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s:%d:%d: %s", e.Name, e.Line, e.Column, e.Msg)
}

// Template is a compiled template. It is immutable and safe for concurrent Execute calls.
type Template struct {
	name       string
	src        string
	opts       Options
	nodes      []node
	lineStarts []int
	notices    []*Error
}

// Notices lists the constructs that API Gateway accepts but does not execute (#macro definitions, macro
// calls and #evaluate, which it prints as written). The template renders them as AWS does; tools such as
// `validate` report them, because their author almost certainly expected them to run.
func (t *Template) Notices() []*Error { return t.notices }

func (p *parser) notice(pos int, format string, args ...any) {
	p.t.notices = append(p.t.notices, p.t.errorAt(p.base+pos, fmt.Sprintf(format, args...)))
}

// Name returns the name given to Parse.
func (t *Template) Name() string { return t.name }

// Options returns the options in force (defaults filled in).
func (t *Template) Options() Options { return t.opts }

// Parse compiles a template once; the *Template is immutable and safe for concurrent Execute.
// Errors are *Error with line and column. Constructs API Gateway cannot run (#include, #parse,
// alternate values ${a|b}) are load errors that say so; in Velocity mode #macro and #evaluate are too
// (this engine has no velocimacros), while APIGateway mode reproduces what API Gateway does with them
// (see the package documentation). A literal regex argument of matches/replaceAll/replaceFirst/split
// that Java rejects (or that uses one of the few Java features the emulator lacks) is a load error; a
// computed one is a run error.
func Parse(name, src string, opts Options) (*Template, error) {
	t := &Template{name: name, src: src, opts: opts.withDefaults()}
	t.lineStarts = append(t.lineStarts, 0)
	for i := 0; i < len(src); i++ {
		switch src[i] {
		case '\n':
			t.lineStarts = append(t.lineStarts, i+1)
		case '\r':
			if i+1 < len(src) && src[i+1] == '\n' {
				continue
			}
			t.lineStarts = append(t.lineStarts, i+1)
		}
	}
	if len(src) > t.opts.MaxSize {
		return nil, &Error{Name: name, Line: 1, Column: 1, Msg: fmt.Sprintf(
			"template is %d bytes, over the %d-byte limit (API Gateway allows 300 KB)", len(src), t.opts.MaxSize)}
	}
	p := &parser{t: t, src: src}
	nodes, tm, err := p.parseNodes()
	if err != nil {
		return nil, err
	}
	switch tm.kind {
	case termEnd:
		return nil, t.errorAt(tm.pos, "#end without a matching #if, #foreach, #define or #macro")
	case termElse:
		return nil, t.errorAt(tm.pos, "#else without #if")
	case termElseIf:
		return nil, t.errorAt(tm.pos, "#elseif without #if")
	}
	t.nodes = nodes
	return t, nil
}

// position returns the 1-based line and column of a byte offset.
func (t *Template) position(pos int) (int, int) {
	if pos < 0 {
		pos = 0
	}
	if pos > len(t.src) {
		pos = len(t.src)
	}
	line := sort.Search(len(t.lineStarts), func(i int) bool { return t.lineStarts[i] > pos })
	start := t.lineStarts[line-1]
	return line, utf8.RuneCountInString(t.src[start:pos]) + 1
}

func (t *Template) errorAt(pos int, msg string) *Error {
	line, col := t.position(pos)
	return &Error{Name: t.name, Line: line, Column: col, Msg: msg}
}
