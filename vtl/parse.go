package vtl

import (
	"fmt"
	"math/big"
	"strconv"
	"strings"
)

// The parser is a hand-written recursive-descent parser working directly on the template text. It
// reproduces the lexical rules of Velocity 1.7's JavaCC grammar (Parser.jjt) that decide what is text
// and what is VTL, including whitespace gobbling; the comments name the 1.7 token each rule mirrors.
// Two lexical modes are used: template text (parseNodes) and directive/expression text (parseExpr and
// friends, where whitespace and newlines separate tokens); a double-quoted string literal that contains
// '$' or '#' pushes a nested template-text parse of its content.

type termKind uint8

const (
	termEOF termKind = iota
	termEnd
	termElse
	termElseIf
)

type term struct {
	kind termKind
	pos  int
	cond expr
}

type parser struct {
	t     *Template
	src   string
	base  int // offset of src in the template (nested string literals)
	pos   int
	depth int
}

func (p *parser) errAt(pos int, format string, args ...any) error {
	return p.t.errorAt(p.base+pos, fmt.Sprintf(format, args...))
}

func isAlpha(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// identStart/identChar: Velocity's IDENTIFIER, ( ALPHA | "_" ) ( ALPHA | DIGIT | "-" | "_" )*.
func identStart(c byte) bool { return isAlpha(c) || c == '_' }
func identChar(c byte) bool  { return isAlpha(c) || isDigit(c) || c == '-' || c == '_' }

// wordChar: Velocity's DIRECTIVE_CHAR.
func wordChar(c byte) bool { return isAlpha(c) || isDigit(c) || c == '_' || c == '@' }

// directiveNames are the names Velocity 1.7 registers as directives (directive.properties) in the
// given mode; they decide how escapes in front of '#name' render.
func (p *parser) isDirectiveName(name string) bool {
	switch name {
	case "foreach", "include", "parse", "macro", "literal", "break", "define", "stop":
		return true
	case "evaluate":
		return p.t.opts.Mode != APIGateway
	}
	return false
}

func (p *parser) enter(pos int) error {
	p.depth++
	if p.depth > p.t.opts.MaxDepth {
		return p.errAt(pos, "nesting deeper than %d levels", p.t.opts.MaxDepth)
	}
	return nil
}

func (p *parser) leave() { p.depth-- }

// gobble mirrors the 1.7 tokens RPAREN, END and ELSE, which swallow trailing spaces and tabs plus one
// newline, but only when the newline is there.
func (p *parser) gobble(i int) int {
	j := i
	for j < len(p.src) && (p.src[j] == ' ' || p.src[j] == '\t') {
		j++
	}
	if j < len(p.src) {
		switch p.src[j] {
		case '\n':
			return j + 1
		case '\r':
			if j+1 < len(p.src) && p.src[j+1] == '\n' {
				return j + 2
			}
			return j + 1
		}
	}
	return i
}

// setAhead reports whether "#set *(" or "#{set} *(" starts at i: 1.7's SET_DIRECTIVE token, which also
// swallows spaces and tabs in front of it when they begin a token.
func (p *parser) setAhead(i int) bool {
	s := p.src[i:]
	switch {
	case strings.HasPrefix(s, "#set"):
		s = s[4:]
	case strings.HasPrefix(s, "#{set}"):
		s = s[6:]
	default:
		return false
	}
	s = strings.TrimLeft(s, " ")
	return strings.HasPrefix(s, "(")
}

func appendText(nodes []node, s string) []node {
	if s == "" {
		return nodes
	}
	if n := len(nodes); n > 0 {
		if t, ok := nodes[n-1].(*textNode); ok {
			t.s += s
			return nodes
		}
	}
	return append(nodes, &textNode{s: s, pos: -1})
}

// textAt is appendText for text that starts at offset pos of p.src.
func (p *parser) textAt(nodes []node, pos int, s string) []node {
	nodes = appendText(nodes, s)
	if n := len(nodes); n > 0 {
		if t, ok := nodes[n-1].(*textNode); ok && t.pos < 0 {
			t.pos = p.base + pos
		}
	}
	return nodes
}

// parseNodes parses template text up to the end of input or a #end, #else or #elseif, which it
// returns as the terminator.
func (p *parser) parseNodes() ([]node, term, error) {
	var nodes []node
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		switch c {
		case '$':
			start := p.pos
			n, err := p.textReference(start, 0)
			if err != nil {
				return nil, term{}, err
			}
			if n != nil {
				nodes = append(nodes, n)
			} else {
				nodes = appendText(nodes, p.src[start:p.pos])
			}
		case '\\':
			var err error
			nodes, err = p.backslashes(nodes)
			if err != nil {
				return nil, term{}, err
			}
		case '#':
			var t term
			var err error
			nodes, t, err = p.hash(nodes)
			if err != nil {
				return nil, term{}, err
			}
			if t.kind != termEOF {
				return nodes, t, nil
			}
		default:
			q := strings.IndexAny(p.src[p.pos:], "$#\\")
			if q < 0 {
				q = len(p.src)
			} else {
				q += p.pos
			}
			seg := p.src[p.pos:q]
			if strings.Trim(seg, " \t") == "" && q < len(p.src) && p.setAhead(q) {
				p.pos = q // SET_DIRECTIVE eats the blanks that start a token
				continue
			}
			nodes = p.textAt(nodes, p.pos, seg)
			p.pos = q
		}
	}
	return nodes, term{kind: termEOF}, nil
}

// textReference parses a reference in template text starting at the '$' at p.pos, written after
// `escapes` backslashes. It returns nil (with p.pos past the '$' or '$!') when no reference starts
// there, so that the caller prints the text as is.
func (p *parser) textReference(start, escapes int) (node, error) {
	i := p.pos + 1
	if i < len(p.src) && p.src[i] == '!' {
		i++
	}
	if i >= len(p.src) {
		return nil, p.errAt(p.pos, "the template ends with %q: Velocity cannot lex a '$' at the end of input", p.src[p.pos:])
	}
	c := p.src[i]
	if !(identStart(c) || c == '{' && i+1 < len(p.src) && identStart(p.src[i+1])) {
		p.pos = i
		return nil, nil
	}
	r, err := p.parseRef()
	if err != nil {
		return nil, err
	}
	r.escapes = escapes
	return r, nil
}

// backslashes handles a run of '\' in template text (1.7 tokens DOUBLE_ESCAPE, ESCAPE,
// ESCAPE_DIRECTIVE and the backslash prefix of DOLLAR).
func (p *parser) backslashes(nodes []node) ([]node, error) {
	start := p.pos
	q := start
	for q < len(p.src) && p.src[q] == '\\' {
		q++
	}
	n := q - start
	if q >= len(p.src) {
		p.pos = q
		return appendText(nodes, p.src[start:q]), nil
	}
	switch p.src[q] {
	case '$':
		p.pos = q
		r, err := p.textReference(start, n)
		if err != nil {
			return nil, err
		}
		if r != nil {
			return append(nodes, r), nil
		}
		return appendText(nodes, p.src[start:p.pos]), nil
	case '#':
		name, end, _, ok := p.wordAt(q)
		if n%2 == 1 && ok {
			// ESCAPE_DIRECTIVE: \#name prints "#name" (with half the other backslashes) when name is a
			// directive; otherwise the text stays as written.
			p.pos = end
			if p.isDirectiveName(name) || name == "if" || name == "end" || name == "set" || name == "else" || name == "elseif" {
				return appendText(nodes, strings.Repeat(`\`, (n-1)/2)+p.src[q:end]), nil
			}
			return appendText(nodes, p.src[start:end]), nil
		}
		control := false
		if n%2 == 0 && ok {
			braced := p.src[q+1] == '{'
			switch name {
			case "if", "else", "elseif", "end":
				control = true
			default:
				control = !braced && p.isDirectiveName(name)
			}
		}
		p.pos = q
		if control {
			return appendText(nodes, strings.Repeat(`\`, n/2)), nil
		}
		return appendText(nodes, p.src[start:q]), nil
	}
	p.pos = q
	return appendText(nodes, p.src[start:q]), nil
}

// wordAt reads a directive name after the '#' at i: WORD or BRACKETED_WORD ("{name}").
func (p *parser) wordAt(i int) (name string, end int, braced bool, ok bool) {
	j := i + 1
	if j >= len(p.src) {
		return "", 0, false, false
	}
	if p.src[j] == '{' {
		k := j + 1
		if k >= len(p.src) || !(isAlpha(p.src[k]) || p.src[k] == '_') {
			return "", 0, false, false
		}
		for k < len(p.src) && wordChar(p.src[k]) {
			k++
		}
		if k >= len(p.src) || p.src[k] != '}' {
			return "", 0, false, false
		}
		return p.src[j+1 : k], k + 1, true, true
	}
	c := p.src[j]
	if !(isAlpha(c) || c == '_' || c == '@') {
		return "", 0, false, false
	}
	k := j + 1
	for k < len(p.src) && wordChar(p.src[k]) {
		k++
	}
	return p.src[j:k], k, false, true
}

// hash handles a '#' in template text: comments, text blocks, directives, and '#' that is just text.
func (p *parser) hash(nodes []node) ([]node, term, error) {
	start := p.pos
	if start+1 >= len(p.src) {
		return nil, term{}, p.errAt(start, "the template ends with '#': Velocity cannot lex a '#' at the end of input")
	}
	switch p.src[start+1] {
	case '#': // ## comment: to the end of the line, newline included
		i := start + 2
		for i < len(p.src) && p.src[i] != '\n' && p.src[i] != '\r' {
			i++
		}
		if i < len(p.src) {
			if p.src[i] == '\r' && i+1 < len(p.src) && p.src[i+1] == '\n' {
				i++
			}
			i++
		}
		p.pos = i
		return nodes, term{}, nil
	case '*': // #* ... *# comment (the newline after it is kept)
		end := strings.Index(p.src[start+2:], "*#")
		if end < 0 {
			p.pos = len(p.src)
		} else {
			p.pos = start + 2 + end + 2
		}
		return nodes, term{}, nil
	case '[':
		if start+2 < len(p.src) && p.src[start+2] == '[' {
			end := strings.Index(p.src[start+3:], "]]#")
			if end < 0 {
				return nil, term{}, p.errAt(start, "unclosed #[[ text block (no ]]#)")
			}
			p.pos = start + 3 + end + 3
			return appendText(nodes, p.src[start+3:start+3+end]), term{}, nil
		}
	}
	name, end, _, ok := p.wordAt(start)
	if !ok {
		p.pos = start + 1
		return appendText(nodes, "#"), term{}, nil
	}
	mode := p.t.opts.Mode
	if parse := p.blockDirective(name); parse != nil {
		n, err := parse(start, end)
		if err != nil {
			return nil, term{}, err
		}
		return append(nodes, n), term{}, nil
	}
	switch name {
	case "set":
		if p.setAhead(start) {
			n, err := p.parseSet(start, end)
			if err != nil {
				return nil, term{}, err
			}
			return append(nodes, n), term{}, nil
		}
	case "elseif":
		cond, err := p.parenExpr("#elseif", start, end)
		if err != nil {
			return nil, term{}, err
		}
		return nodes, term{kind: termElseIf, pos: start, cond: cond}, nil
	case "else":
		p.pos = p.gobble(end)
		return nodes, term{kind: termElse, pos: start}, nil
	case "end":
		p.pos = p.gobble(end)
		return nodes, term{kind: termEnd, pos: start}, nil
	case "stop":
		p.pos = end
		return append(nodes, &stopNode{}), term{}, nil
	case "literal":
		s, err := p.parseLiteral(start, end)
		if err != nil {
			return nil, term{}, err
		}
		return appendText(nodes, s), term{}, nil
	case "macro":
		if mode != APIGateway {
			return nil, term{}, p.errAt(start, "#macro is not supported: this engine has no velocimacros (API Gateway ignores #macro definitions and prints macro calls as written)")
		}
		if err := p.parseMacro(start, end); err != nil {
			return nil, term{}, err
		}
		p.notice(start, "#macro is ignored by API Gateway: the definition renders nothing and its calls are printed as written")
		return append(nodes, &macroNode{}), term{}, nil
	case "evaluate":
		if mode != APIGateway {
			return nil, term{}, p.errAt(start, "#evaluate is not supported (API Gateway does not have it and prints it as written)")
		}
		p.notice(start, "#evaluate is not a directive on API Gateway: it is printed as written")
	case "include", "parse":
		return nil, term{}, p.errAt(start, "#%s is not supported: API Gateway mapping templates cannot load other templates", name)
	}
	if strings.HasPrefix(name, "@") {
		return nil, term{}, p.errAt(start, "block macro calls (#%s) are not supported", name)
	}
	// Not a directive: with an argument list it is a call of an undefined velocimacro, which Velocity
	// prints as written (arguments unevaluated); a bare #name is text too.
	j := end
	for j < len(p.src) && isWS(p.src[j]) {
		j++
	}
	if j < len(p.src) && p.src[j] == '(' {
		if name != "evaluate" {
			p.notice(start, "#%s(...) calls a velocimacro; API Gateway has none and prints the call as written", name)
		}
		p.pos = j + 1
		if err := p.directiveArgs(start, "#"+name); err != nil {
			return nil, term{}, err
		}
		endPos := p.gobble(p.pos)
		p.pos = endPos
		return appendText(nodes, p.src[start:endPos]), term{}, nil
	}
	p.pos = end
	return appendText(nodes, p.src[start:end]), term{}, nil
}

func isWS(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func (p *parser) skipWS() {
	for p.pos < len(p.src) && isWS(p.src[p.pos]) {
		p.pos++
	}
}

// openParen skips whitespace after a directive name and consumes its '('.
func (p *parser) openParen(what string, start, i int) error {
	p.pos = i
	p.skipWS()
	if p.pos >= len(p.src) || p.src[p.pos] != '(' {
		return p.errAt(start, "%s must be followed by '('", what)
	}
	p.pos++
	return nil
}

// closeParen consumes the directive's ')' and the whitespace and newline it swallows.
func (p *parser) closeParen(what string, start int) error {
	p.skipWS()
	if p.pos >= len(p.src) || p.src[p.pos] != ')' {
		if p.pos >= len(p.src) {
			return p.errAt(start, "%s is missing its closing ')'", what)
		}
		return p.errAt(p.pos, "unexpected %q in %s (expected ')')", p.src[p.pos], what)
	}
	p.pos = p.gobble(p.pos + 1)
	return nil
}

func (p *parser) parenExpr(what string, start, i int) (expr, error) {
	if err := p.openParen(what, start, i); err != nil {
		return nil, err
	}
	e, err := p.parseExpr()
	if err != nil {
		return nil, err
	}
	if err := p.closeParen(what, start); err != nil {
		return nil, err
	}
	return e, nil
}

func (p *parser) parseSet(start, end int) (node, error) {
	i := end
	for i < len(p.src) && p.src[i] == ' ' {
		i++
	}
	p.pos = i + 1 // past '(' (setAhead checked it)
	p.skipWS()
	if p.pos >= len(p.src) || p.src[p.pos] != '$' {
		return nil, p.errAt(start, "#set must start with a reference: #set($name = value)")
	}
	lhs, err := p.parseRef()
	if err != nil {
		return nil, err
	}
	p.skipWS()
	if p.pos >= len(p.src) || p.src[p.pos] != '=' || (p.pos+1 < len(p.src) && p.src[p.pos+1] == '=') {
		return nil, p.errAt(start, "#set needs '=' after %s", lhs.literal)
	}
	p.pos++
	rhs, err := p.parseExpr()
	if err != nil {
		return nil, err
	}
	if err := p.closeParen("#set", start); err != nil {
		return nil, err
	}
	return &setNode{pos: p.base + start, lhs: lhs, rhs: rhs}, nil
}

func (p *parser) parseIf(start, end int) (node, error) {
	if err := p.enter(start); err != nil {
		return nil, err
	}
	defer p.leave()
	cond, err := p.parenExpr("#if", start, end)
	if err != nil {
		return nil, err
	}
	n := &ifNode{pos: p.base + start}
	for {
		block, t, err := p.parseNodes()
		if err != nil {
			return nil, err
		}
		n.conds = append(n.conds, cond)
		n.blocks = append(n.blocks, block)
		switch t.kind {
		case termElseIf:
			cond = t.cond
			continue
		case termElse:
			els, t2, err := p.parseNodes()
			if err != nil {
				return nil, err
			}
			if t2.kind != termEnd {
				return nil, p.unterminated(t2, start, "#if")
			}
			if els == nil {
				els = []node{}
			}
			n.els = els
			return n, nil
		case termEnd:
			return n, nil
		default:
			return nil, p.unterminated(t, start, "#if")
		}
	}
}

func (p *parser) unterminated(t term, start int, what string) error {
	switch t.kind {
	case termEOF:
		return p.errAt(start, "%s has no matching #end", what)
	case termElse:
		return p.errAt(t.pos, "#else without #if")
	case termElseIf:
		return p.errAt(t.pos, "#elseif without #if")
	}
	return p.errAt(t.pos, "unexpected #end")
}

// block parses a directive body up to its #end.
func (p *parser) block(start int, what string) ([]node, int, error) {
	if err := p.enter(start); err != nil {
		return nil, 0, err
	}
	defer p.leave()
	body, t, err := p.parseNodes()
	if err != nil {
		return nil, 0, err
	}
	if t.kind != termEnd {
		return nil, 0, p.unterminated(t, start, what)
	}
	return body, t.pos, nil
}

func (p *parser) simpleRef(what string, start int) (*refNode, error) {
	p.skipWS()
	if p.pos >= len(p.src) || p.src[p.pos] != '$' {
		return nil, p.errAt(start, "%s needs a $reference", what)
	}
	r, err := p.parseRef()
	if err != nil {
		return nil, err
	}
	if len(r.parts) > 0 {
		return nil, p.errAt(r.pos-p.base, "%s needs a plain $name, not %s", what, r.literal)
	}
	return r, nil
}

func (p *parser) parseForeach(start, end int) (node, error) {
	if err := p.openParen("#foreach", start, end); err != nil {
		return nil, err
	}
	v, err := p.simpleRef("#foreach", start)
	if err != nil {
		return nil, err
	}
	p.skipWS()
	if !p.word("in") {
		return nil, p.errAt(start, "#foreach needs 'in': #foreach($item in $list)")
	}
	iter, err := p.parseExpr()
	if err != nil {
		return nil, err
	}
	if err := p.closeParen("#foreach", start); err != nil {
		return nil, err
	}
	body, _, err := p.block(start, "#foreach")
	if err != nil {
		return nil, err
	}
	return &foreachNode{pos: p.base + start, varName: v.root, iter: iter, body: body}, nil
}

func (p *parser) parseDefine(start, end int) (node, error) {
	if err := p.openParen("#define", start, end); err != nil {
		return nil, err
	}
	v, err := p.simpleRef("#define", start)
	if err != nil {
		return nil, err
	}
	if err := p.closeParen("#define", start); err != nil {
		return nil, err
	}
	body, _, err := p.block(start, "#define")
	if err != nil {
		return nil, err
	}
	return &defineNode{name: v.root, body: body}, nil
}

func (p *parser) parseBreak(start, end int) (node, error) {
	n := &breakNode{pos: p.base + start}
	j := end
	for j < len(p.src) && isWS(p.src[j]) {
		j++
	}
	if j < len(p.src) && p.src[j] == '(' {
		p.pos = j + 1
		p.skipWS()
		if p.pos < len(p.src) && p.src[p.pos] == '$' {
			r, err := p.parseRef()
			if err != nil {
				return nil, err
			}
			n.scope = r
		}
		if err := p.closeParen("#break", start); err != nil {
			return nil, err
		}
		return n, nil
	}
	p.pos = end
	return n, nil
}

func (p *parser) parseLiteral(start, end int) (string, error) {
	if err := p.openParen("#literal", start, end); err != nil {
		return "", err
	}
	if err := p.closeParen("#literal", start); err != nil {
		return "", err
	}
	bodyStart := p.pos
	_, endPos, err := p.block(start, "#literal")
	if err != nil {
		return "", err
	}
	return p.src[bodyStart:endPos], nil
}

func (p *parser) parseMacro(start, end int) error {
	if err := p.openParen("#macro", start, end); err != nil {
		return err
	}
	if err := p.directiveArgs(start, "#macro"); err != nil {
		return err
	}
	p.pos = p.gobble(p.pos)
	_, _, err := p.block(start, "#macro")
	return err
}

// directiveArgs parses the arguments of a macro call or #macro up to and including the ')': references,
// words, literals, lists, ranges and maps separated by whitespace or commas (1.7's DirectiveArg).
func (p *parser) directiveArgs(start int, what string) error {
	for {
		p.skipWS()
		if p.pos < len(p.src) && p.src[p.pos] == ',' {
			p.pos++
			p.skipWS()
		}
		if p.pos >= len(p.src) {
			return p.errAt(start, "%s(...) is missing its closing ')'", what)
		}
		c := p.src[p.pos]
		if c == ')' {
			p.pos++
			return nil
		}
		if isAlpha(c) || c == '_' || c == '@' {
			i := p.pos + 1
			for i < len(p.src) && wordChar(p.src[i]) {
				i++
			}
			p.pos = i
			continue
		}
		if _, err := p.parsePrimary(); err != nil {
			return err
		}
	}
}

// word consumes an operator word (and, or, not, eq, in, ...) when it stands alone.
func (p *parser) word(w string) bool {
	if !strings.HasPrefix(p.src[p.pos:], w) {
		return false
	}
	i := p.pos + len(w)
	if i < len(p.src) && wordChar(p.src[i]) {
		return false
	}
	p.pos = i
	return true
}

// parseRef parses a reference at the '$' at p.pos: $name, $!name, ${name}, $!{name}, followed by
// .property, .method(args) and [index] parts.
func (p *parser) parseRef() (*refNode, error) {
	start := p.pos
	i := start + 1
	r := &refNode{pos: p.base + start}
	if i < len(p.src) && p.src[i] == '!' {
		r.quiet = true
		i++
	}
	formal := false
	if i < len(p.src) && p.src[i] == '{' {
		formal = true
		i++
	}
	if i >= len(p.src) || !identStart(p.src[i]) {
		return nil, p.errAt(start, "expected a reference name after %q", p.src[start:i])
	}
	j := i + 1
	for j < len(p.src) && identChar(p.src[j]) {
		j++
	}
	r.root = p.src[i:j]
	p.pos = j
	if err := p.enter(start); err != nil {
		return nil, err
	}
	defer p.leave()
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		if c == '[' {
			pos := p.pos
			p.pos++
			e, err := p.parseExpr()
			if err != nil {
				return nil, err
			}
			p.skipWS()
			if p.pos >= len(p.src) || p.src[p.pos] != ']' {
				return nil, p.errAt(pos, "index in %s is missing its ']'", p.src[start:pos])
			}
			p.pos++
			r.parts = append(r.parts, refPart{kind: partIndex, pos: p.base + pos, args: []expr{e}})
			continue
		}
		if c == '.' && p.pos+1 < len(p.src) && isAlpha(p.src[p.pos+1]) {
			pos := p.pos + 1
			k := pos + 1
			for k < len(p.src) && identChar(p.src[k]) {
				k++
			}
			name := p.src[pos:k]
			p.pos = k
			if k < len(p.src) && p.src[k] == '(' {
				p.pos++
				args, err := p.callArgs(pos, name)
				if err != nil {
					return nil, err
				}
				part := refPart{kind: partMethod, pos: p.base + pos, name: name, args: args}
				if err := p.precompileRegex(&part); err != nil {
					return nil, err
				}
				r.parts = append(r.parts, part)
				continue
			}
			r.parts = append(r.parts, refPart{kind: partProp, pos: p.base + pos, name: name})
			continue
		}
		break
	}
	if formal {
		if p.pos >= len(p.src) || p.src[p.pos] != '}' {
			if p.pos < len(p.src) && p.src[p.pos] == '|' {
				return nil, p.errAt(start, "alternate values (${a|b}) are not supported: API Gateway rejects them")
			}
			return nil, p.errAt(start, "formal reference %s is missing its '}'", p.src[start:p.pos])
		}
		p.pos++
	}
	r.literal = p.src[start:p.pos]
	return r, nil
}

func (p *parser) callArgs(pos int, name string) ([]expr, error) {
	var args []expr
	p.skipWS()
	if p.pos < len(p.src) && p.src[p.pos] == ')' {
		p.pos++
		return nil, nil
	}
	for {
		e, err := p.parseExpr()
		if err != nil {
			return nil, err
		}
		args = append(args, e)
		p.skipWS()
		if p.pos >= len(p.src) {
			return nil, p.errAt(pos, "method call .%s( is missing its ')'", name)
		}
		switch p.src[p.pos] {
		case ',':
			p.pos++
		case ')':
			p.pos++
			return args, nil
		default:
			return nil, p.errAt(p.pos, "unexpected %q in the arguments of .%s() (expected ',' or ')')", p.src[p.pos], name)
		}
	}
}

// precompileRegex compiles a literal regex argument of matches/replaceAll/replaceFirst/split at load
// time, so that a pattern Java rejects (or the emulator cannot run) is a load error.
func (p *parser) precompileRegex(part *refPart) error {
	switch part.name {
	case "matches", "replaceAll", "replaceFirst", "split":
	default:
		return nil
	}
	if len(part.args) == 0 {
		return nil
	}
	c, ok := part.args[0].(*constExpr)
	if !ok {
		return nil
	}
	s, ok := c.v.(string)
	if !ok {
		return nil
	}
	re := compileJavaRegex(s)
	if re.err != nil {
		return p.t.errorAt(part.pos, re.err.Error())
	}
	part.re = re
	return nil
}

// Expressions: Velocity's precedence, lowest first: || (or), && (and), == != (eq ne),
// < <= > >= (lt le gt ge), + -, * / %, ! (not), primary.

func (p *parser) parseExpr() (expr, error) {
	if err := p.enter(p.pos); err != nil {
		return nil, err
	}
	defer p.leave()
	return p.parseOr()
}

// blockDirective returns the parser of a directive that becomes one node of its own, or nil. (A switch,
// not a map: the parsers reach parseNodes again, which a package-level map would make an
// initialisation cycle.)
func (p *parser) blockDirective(name string) func(start, end int) (node, error) {
	switch name {
	case "if":
		return p.parseIf
	case "foreach":
		return p.parseForeach
	case "define":
		return p.parseDefine
	case "break":
		return p.parseBreak
	}
	return nil
}

// binaryOp is a binary operator of one precedence level, written as a symbol or as Velocity's word form.
type binaryOp struct {
	text string
	word bool
	op   binOp
}

// The levels of binary operators, loosest first; + and - (parseAdd) come between the comparisons and
// the multiplicative level. Symbols are tried longest first ("<=" before "<").
var (
	orOps  = []binaryOp{{"||", false, opOr}, {"or", true, opOr}}
	andOps = []binaryOp{{"&&", false, opAnd}, {"and", true, opAnd}}
	eqOps  = []binaryOp{{"==", false, opEq}, {"!=", false, opNe}, {"eq", true, opEq}, {"ne", true, opNe}}
	relOps = []binaryOp{{"<=", false, opLe}, {">=", false, opGe}, {"<", false, opLt}, {">", false, opGt},
		{"le", true, opLe}, {"ge", true, opGe}, {"lt", true, opLt}, {"gt", true, opGt}}
	mulOps = []binaryOp{{"*", false, opMul}, {"/", false, opDiv}, {"%", false, opMod}}
)

func (p *parser) parseOr() (expr, error)  { return p.parseBinary(orOps, p.parseAnd) }
func (p *parser) parseAnd() (expr, error) { return p.parseBinary(andOps, p.parseEq) }
func (p *parser) parseEq() (expr, error)  { return p.parseBinary(eqOps, p.parseRel) }
func (p *parser) parseRel() (expr, error) { return p.parseBinary(relOps, p.parseAdd) }

// parseBinary parses a left-associative chain of one level's operators between operands of the next
// tighter level.
func (p *parser) parseBinary(ops []binaryOp, operand func() (expr, error)) (expr, error) {
	l, err := operand()
	if err != nil {
		return nil, err
	}
	for {
		p.skipWS()
		pos := p.pos
		op, ok := p.binaryOperator(ops)
		if !ok {
			return l, nil
		}
		r, err := operand()
		if err != nil {
			return nil, err
		}
		l = &binExpr{op: op, pos: p.base + pos, l: l, r: r}
	}
}

// binaryOperator consumes one of ops at the current position.
func (p *parser) binaryOperator(ops []binaryOp) (binOp, bool) {
	for _, o := range ops {
		if o.word {
			if p.word(o.text) {
				return o.op, true
			}
			continue
		}
		if strings.HasPrefix(p.src[p.pos:], o.text) {
			p.pos += len(o.text)
			return o.op, true
		}
	}
	return 0, false
}

func (p *parser) parseAdd() (expr, error) {
	p.skipWS()
	lstart := p.pos
	l, err := p.parseMul()
	if err != nil {
		return nil, err
	}
	lend := p.pos
	for {
		p.skipWS()
		pos := p.pos
		var op binOp
		switch {
		case strings.HasPrefix(p.src[p.pos:], "+"):
			op = opAdd
		case strings.HasPrefix(p.src[p.pos:], "-"):
			op = opSub
		default:
			return l, nil
		}
		p.pos++
		p.skipWS()
		rstart := p.pos
		r, err := p.parseMul()
		if err != nil {
			return nil, err
		}
		b := &binExpr{op: op, pos: p.base + pos, l: l, r: r}
		if op == opAdd {
			b.lsrc, b.rsrc = p.src[lstart:lend], p.src[rstart:p.pos]
		}
		l, lend = b, p.pos
	}
}

func (p *parser) parseMul() (expr, error) { return p.parseBinary(mulOps, p.parseUnary) }

func (p *parser) parseUnary() (expr, error) {
	p.skipWS()
	pos := p.pos
	if p.pos < len(p.src) && p.src[p.pos] == '!' && !strings.HasPrefix(p.src[p.pos:], "!=") {
		p.pos++
	} else if !p.word("not") {
		if p.pos+1 < len(p.src) && p.src[p.pos] == '-' && !isDigit(p.src[p.pos+1]) && p.src[p.pos+1] != '.' {
			p.pos++
			if err := p.enter(pos); err != nil {
				return nil, err
			}
			defer p.leave()
			x, err := p.parseUnary()
			if err != nil {
				return nil, err
			}
			return &negExpr{pos: p.base + pos, x: x}, nil
		}
		return p.parsePrimary()
	}
	if err := p.enter(pos); err != nil {
		return nil, err
	}
	defer p.leave()
	x, err := p.parseUnary()
	if err != nil {
		return nil, err
	}
	return &notExpr{x: x}, nil
}

func (p *parser) parsePrimary() (expr, error) {
	p.skipWS()
	if p.pos >= len(p.src) {
		return nil, p.errAt(p.pos, "unexpected end of template in an expression")
	}
	start := p.pos
	c := p.src[p.pos]
	switch {
	case c == '$':
		return p.parseRef()
	case c == '"' || c == '\'':
		return p.parseString()
	case isDigit(c) || (c == '-' || c == '.') && p.pos+1 < len(p.src) && (isDigit(p.src[p.pos+1]) || p.src[p.pos+1] == '.' && c == '-'):
		return p.parseNumber()
	case c == '(':
		p.pos++
		e, err := p.parseExpr()
		if err != nil {
			return nil, err
		}
		p.skipWS()
		if p.pos >= len(p.src) || p.src[p.pos] != ')' {
			return nil, p.errAt(start, "missing ')'")
		}
		p.pos++
		return e, nil
	case c == '[':
		return p.parseList()
	case c == '{':
		return p.parseMap()
	case p.word("true"):
		return &constExpr{v: true}, nil
	case p.word("false"):
		return &constExpr{v: false}, nil
	case p.word("null"):
		return &constExpr{v: nil}, nil
	}
	if isAlpha(c) || c == '_' {
		i := p.pos
		for i < len(p.src) && wordChar(p.src[i]) {
			i++
		}
		return nil, p.errAt(start, "unexpected word %q in an expression (references start with '$')", p.src[start:i])
	}
	return nil, p.errAt(start, "unexpected %q in an expression", c)
}

func (p *parser) parseString() (expr, error) {
	start := p.pos
	q := p.src[start]
	i := start + 1
	for i < len(p.src) {
		if p.src[i] == q {
			if i+1 < len(p.src) && p.src[i+1] == q {
				i += 2
				continue
			}
			break
		}
		i++
	}
	if i >= len(p.src) {
		return nil, p.errAt(start, "unterminated string literal")
	}
	raw := p.src[start+1 : i]
	p.pos = i + 1
	if q == '\'' {
		return &constExpr{v: strings.ReplaceAll(raw, "''", "'")}, nil
	}
	content := strings.ReplaceAll(unescapeUnicode(raw), `""`, `"`)
	if !strings.ContainsAny(raw, "$#") {
		return &constExpr{v: content}, nil
	}
	// Velocity 1.7 parses the content with a space appended (its "dreaded MORE kludge", so that a '$' or
	// '#' at the end lexes) and removes that space from the rendered result.
	sub := &parser{t: p.t, src: content + " ", base: p.base + start + 1, depth: p.depth}
	if err := sub.enter(start); err != nil {
		return nil, err
	}
	nodes, t, err := sub.parseNodes()
	if err != nil {
		return nil, err
	}
	if t.kind != termEOF {
		return nil, sub.unterminated(t, 0, "string literal")
	}
	return &interpExpr{pos: p.base + start, nodes: nodes}, nil
}

// unescapeUnicode replaces \uXXXX escapes, which Velocity 1.7 decodes in double-quoted literals.
func unescapeUnicode(s string) string {
	if !strings.Contains(s, `\u`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+5 < len(s)+0 && i+6 <= len(s) && s[i+1] == 'u' {
			if n, err := strconv.ParseUint(s[i+2:i+6], 16, 32); err == nil {
				b.WriteRune(rune(n))
				i += 5
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func (p *parser) parseNumber() (expr, error) {
	start := p.pos
	i := p.pos
	if p.src[i] == '-' {
		i++
	}
	for i < len(p.src) && isDigit(p.src[i]) {
		i++
	}
	isFloat := false
	if i < len(p.src) && p.src[i] == '.' && !(i+1 < len(p.src) && p.src[i+1] == '.') {
		isFloat = true
		i++
		for i < len(p.src) && isDigit(p.src[i]) {
			i++
		}
	}
	if i < len(p.src) && (p.src[i] == 'e' || p.src[i] == 'E') {
		j := i + 1
		if j < len(p.src) && (p.src[j] == '+' || p.src[j] == '-') {
			j++
		}
		if j < len(p.src) && isDigit(p.src[j]) {
			for j < len(p.src) && isDigit(p.src[j]) {
				j++
			}
			isFloat = true
			i = j
		}
	}
	text := p.src[start:i]
	p.pos = i
	if text == "-" || text == "." || text == "-." {
		return nil, p.errAt(start, "invalid number %q", text)
	}
	if isFloat {
		f, err := strconv.ParseFloat(text, 64)
		if err != nil && !isRangeErr(err) {
			return nil, p.errAt(start, "invalid number %q", text)
		}
		return &constExpr{v: f}, nil
	}
	v := integerValue(text)
	if v == nil {
		return nil, p.errAt(start, "invalid number %q", text)
	}
	if b, ok := v.(*big.Int); ok {
		return &constExpr{v: b}, nil
	}
	return &constExpr{v: v}, nil
}

func (p *parser) parseList() (expr, error) {
	start := p.pos
	p.pos++
	p.skipWS()
	if p.pos < len(p.src) && p.src[p.pos] == ']' {
		p.pos++
		return &listExpr{}, nil
	}
	first, err := p.parseExpr()
	if err != nil {
		return nil, err
	}
	p.skipWS()
	if strings.HasPrefix(p.src[p.pos:], "..") {
		p.pos += 2
		hi, err := p.parseExpr()
		if err != nil {
			return nil, err
		}
		p.skipWS()
		if p.pos >= len(p.src) || p.src[p.pos] != ']' {
			return nil, p.errAt(start, "range is missing its ']'")
		}
		p.pos++
		return &rangeExpr{pos: p.base + start, lo: first, hi: hi}, nil
	}
	l := &listExpr{elems: []expr{first}}
	for {
		p.skipWS()
		if p.pos >= len(p.src) {
			return nil, p.errAt(start, "list is missing its ']'")
		}
		switch p.src[p.pos] {
		case ']':
			p.pos++
			return l, nil
		case ',':
			p.pos++
			e, err := p.parseExpr()
			if err != nil {
				return nil, err
			}
			l.elems = append(l.elems, e)
		default:
			return nil, p.errAt(p.pos, "unexpected %q in a list (expected ',' or ']')", p.src[p.pos])
		}
	}
}

func (p *parser) parseMap() (expr, error) {
	start := p.pos
	p.pos++
	m := &mapExpr{}
	p.skipWS()
	if p.pos < len(p.src) && p.src[p.pos] == '}' {
		p.pos++
		return m, nil
	}
	for {
		k, err := p.parseExpr()
		if err != nil {
			return nil, err
		}
		p.skipWS()
		if p.pos >= len(p.src) || p.src[p.pos] != ':' {
			return nil, p.errAt(start, "map entry is missing its ':'")
		}
		p.pos++
		v, err := p.parseExpr()
		if err != nil {
			return nil, err
		}
		m.keys = append(m.keys, k)
		m.vals = append(m.vals, v)
		p.skipWS()
		if p.pos >= len(p.src) {
			return nil, p.errAt(start, "map is missing its '}'")
		}
		switch p.src[p.pos] {
		case '}':
			p.pos++
			return m, nil
		case ',':
			p.pos++
		default:
			return nil, p.errAt(p.pos, "unexpected %q in a map (expected ',' or '}')", p.src[p.pos])
		}
	}
}
