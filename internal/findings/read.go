package findings

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// Document is a YAML (or JSON) file read into a located node tree.
type Document struct {
	// File is the file name as given to Read; findings name it.
	File string
	// Root is the top node of the file's first document (a mapping, list or scalar; aliases not expanded),
	// nil when the file holds no document (it is empty, or only comments).
	Root *yaml.Node
	// JSON is true when the file was read by the JSON reader: valid JSON that the YAML parser rejects
	// (the \/ escape, UTF-16 surrogate pairs, which JSON encoders write).
	JSON bool
	// Next is the document node of a second document, located at its "---", nil when there is none. Specs
	// ignore it; the config reports it.
	Next *yaml.Node
	// NextError is a syntax error after the first document, nil when there is none.
	NextError *SyntaxError
	// Duplicates are the duplicate keys of the first document: an error each, at the second occurrence.
	Duplicates Findings
}

// SyntaxError is a file that is not valid YAML (or JSON), located at the offending text.
type SyntaxError struct {
	File         string
	Line, Column int // 1-based; Column 0 when unknown
	// JSON is true when the file was read as JSON (its name ends in .json, or it holds JSON) and the
	// location and Problem are the JSON decoder's.
	JSON bool
	// Problem is the parser's description, e.g. "found unexpected end of stream".
	Problem string
	// Hint says what is likely wrong and what to do, e.g. "the quoted string that starts here is not
	// closed: add the closing \""; empty when there is nothing more to say.
	Hint string
	// Budget is true when the file is well-formed but over a reading limit (MaxDepth): Problem then says
	// so in full, and Finding does not call the file invalid.
	Budget bool
}

// Finding returns the error as an error finding whose message starts with what, e.g. "invalid YAML".
func (e *SyntaxError) Finding(what string) Finding {
	msg := what + ": " + e.Problem
	if e.Budget {
		msg = e.Problem
	}
	if e.Hint != "" {
		msg += "; " + e.Hint
	}
	return Finding{Severity: Error, File: e.File, Line: e.Line, Column: e.Column, Message: msg}
}

func (e *SyntaxError) Error() string {
	if e.JSON {
		return e.Finding("invalid JSON").String()
	}
	return e.Finding("invalid YAML").String()
}

// Read parses data, the content of file, as YAML (JSON is YAML; valid JSON that the YAML parser rejects is
// read as JSON). A file that cannot be parsed gives a *SyntaxError, located at the offending text. Read
// never panics: a panic of the YAML parser is a syntax error.
func Read(file string, data []byte) (*Document, error) {
	doc := &Document{File: file}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var first yaml.Node
	switch err := safeDecode(dec, &first); {
	case errors.Is(err, io.EOF):
		return doc, nil
	case err != nil:
		n, jerr := jsonNode(file, data)
		var se *SyntaxError
		switch {
		case errors.As(jerr, &se) && se.Budget:
			return nil, se
		case jerr != nil:
			return nil, syntaxError(file, data, err)
		}
		doc.Root, doc.JSON = n, true
	default:
		doc.Root = top(&first)
		if n := deeper(doc.Root); n != nil {
			return nil, tooDeep(file, n.Line, n.Column)
		}
		var next yaml.Node
		switch err := safeDecode(dec, &next); {
		case errors.Is(err, io.EOF):
		case err != nil:
			doc.NextError = syntaxError(file, data, err)
		default:
			doc.Next = &next
		}
	}
	doc.Duplicates = DuplicateKeys(file, doc.Root)
	return doc, nil
}

func top(n *yaml.Node) *yaml.Node {
	if n.Kind == yaml.DocumentNode {
		if len(n.Content) == 0 {
			return nil
		}
		return n.Content[0]
	}
	return n
}

// safeDecode decodes the next document, turning a panic of the YAML parser into an error.
func safeDecode(dec *yaml.Decoder, n *yaml.Node) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("yaml: %v", r)
		}
	}()
	return dec.Decode(n)
}

// DuplicateKeys reports every key that a mapping under root repeats, at the repetition, naming the line of
// the first occurrence. yaml.v3 keeps both entries when it decodes into a node tree (and JSON decoders
// silently keep the last), so that a repeated key would otherwise hide the first one's value. Merge keys
// (<<) are not keys of the mapping and are left out; aliased mappings are checked once, where they are
// defined.
func DuplicateKeys(file string, root *yaml.Node) Findings {
	var fs Findings
	seen := map[*yaml.Node]bool{}
	var walk func(n *yaml.Node, path *Path)
	walk = func(n *yaml.Node, path *Path) {
		if n == nil || n.Kind == yaml.AliasNode || seen[n] {
			return
		}
		seen[n] = true
		switch n.Kind {
		case yaml.DocumentNode:
			for _, c := range n.Content {
				walk(c, path)
			}
		case yaml.SequenceNode:
			for i, c := range n.Content {
				walk(c, path.Index(i))
			}
		case yaml.MappingNode:
			firsts := map[string]*yaml.Node{}
			for i := 0; i+1 < len(n.Content); i += 2 {
				kn := n.Content[i]
				k := Deref(kn)
				if k == nil || k.Kind != yaml.ScalarNode || k.ShortTag() == "!!merge" {
					walk(n.Content[i+1], path)
					continue
				}
				if prev, dup := firsts[k.Value]; dup {
					fs = append(fs, Newf(Error, file, kn, path.String(), "duplicate key %s (first at line %d): keep one of them; only one value can be used", shortQuote(k.Value), prev.Line))
				} else {
					firsts[k.Value] = kn
				}
				walk(n.Content[i+1], path.Key(k.Value))
			}
		}
	}
	walk(root, nil)
	return fs
}

// shortQuote quotes s for a message, shortening long values.
func shortQuote(s string) string {
	const max = 48
	if utf8.RuneCountInString(s) > max {
		r := []rune(s)
		return strconv.Quote(string(r[:max])) + "..."
	}
	return strconv.Quote(s)
}

var (
	yamlLineError = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^yaml: line (\d+): (.*)$`) })
	unknownAnchor = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^unknown anchor '(.*)' referenced$`) })
)

// syntaxError locates a parse error. The YAML parser names a line that is often not the offending one (the
// start of the enclosing mapping, 0-based for some errors, the end of the file for others) and never a
// column, so the line is found again: it is the first line at which the file, cut after that line, fails
// with the same problem; the column is then found on that line from the kind of problem (the opening quote
// of an unclosed string, the tab in an indentation, the first character of a line indented wrongly, ...).
// JSON files are located by the JSON decoder, which knows the byte offset.
func syntaxError(file string, data []byte, err error) *SyntaxError {
	problem := problemOf(err)
	e := &SyntaxError{File: file, Problem: problem}
	if strings.HasPrefix(problem, yamlMaxDepth) { // the parser's own limit, far above MaxDepth
		e.Line = offendingLine(data, lineStarts(data), problem)
		d := tooDeep(file, e.Line, 0)
		return d
	}
	isJSON := strings.HasSuffix(strings.ToLower(file), ".json")
	trimmed := bytes.TrimLeft(data, " \t\r\n\ufeff")
	if looksJSON := len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '['); isJSON || looksJSON {
		var se *json.SyntaxError
		if errors.As(json.Unmarshal(data, new(any)), &se) {
			// Offset counts the bytes read, the offending one included: point at that byte, not past it.
			off := int(se.Offset)
			if off > 0 && off <= len(data) && strings.HasPrefix(se.Error(), "invalid character") {
				off--
			}
			// JSON content in a .yaml file is located as JSON too (cut into lines, a JSON document fails
			// on every line), unless it is a YAML flow mapping that JSON rejects on its first line.
			if first := bytes.IndexByte(data, '\n'); isJSON || first >= 0 && off > first {
				e.JSON = true
				e.Line, e.Column = LineCol(data, off)
				e.Problem = se.Error()
				return e
			}
		}
	}
	offset := -1
	switch {
	case unknownAnchor().MatchString(problem):
		name := unknownAnchor().FindStringSubmatch(problem)[1]
		offset = aliasOffset(data, name)
		e.Hint = fmt.Sprintf("define the anchor (&%s) before an alias (*%s) uses it", name, name)
	case !utf8.Valid(data):
		for i := 0; i < len(data); {
			r, size := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && size <= 1 {
				offset = i
				break
			}
			i += size
		}
		e.Hint = "save the file as UTF-8"
	case strings.Contains(problem, "control characters"):
		for i, r := range string(data) {
			if r < 0x20 && r != '\t' && r != '\n' && r != '\r' || r == 0x7f {
				offset = i
				break
			}
		}
		e.Hint = "remove it, or write it as an escape (\\x..) in a double-quoted string"
	}
	if offset >= 0 {
		e.Line, e.Column = LineCol(data, offset)
		return e
	}
	special := e.Hint // an unknown anchor or a bad byte that could not be found: the line of the problem
	starts := lineStarts(data)
	bad := offendingLine(data, starts, problem)
	if qLine, qAt, q := openQuoteBefore(data, starts, bad); qLine > 0 {
		// The line breaks inside (or just after) a string that a quote on an earlier line opened: that quote
		// most likely lacks its closing one, and the string ran on until the next quote closed it.
		text := lineText(data, starts, qLine)
		e.Line, e.Column = qLine, 1+utf8.RuneCountInString(text[:qAt])
		e.Hint = fmt.Sprintf("the quoted string that starts here is not closed on its line, so it runs on to line %d, where the file breaks: add the closing %c", bad, q)
		return e
	}
	e.Line = bad
	line := lineText(data, starts, bad)
	var at int
	at, e.Hint = locateInLine(line, problem)
	if special != "" {
		at, e.Hint = -1, special
	}
	if at >= 0 {
		e.Column = 1 + utf8.RuneCountInString(line[:at])
	}
	return e
}

// problemOf returns the parser's description of a YAML error, without "yaml: " and "line N: ".
func problemOf(err error) string {
	msg := err.Error()
	if m := yamlLineError().FindStringSubmatch(msg); m != nil {
		return m[2]
	}
	return strings.TrimPrefix(msg, "yaml: ")
}

// aliasOffset returns the offset of the alias *name in data, or -1.
func aliasOffset(data []byte, name string) int {
	pat := []byte("*" + name)
	for from := 0; from < len(data); {
		i := bytes.Index(data[from:], pat)
		if i < 0 {
			return -1
		}
		i += from
		end := i + len(pat)
		if end == len(data) || !isAnchorChar(data[end]) {
			return i
		}
		from = i + 1
	}
	return -1
}

// isAnchorChar reports whether c continues an anchor or alias name, as the YAML parser reads them.
func isAnchorChar(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == '-'
}

// lineStarts returns the offset of the first byte of every line; a file has at least one line.
func lineStarts(data []byte) []int {
	starts := []int{0}
	for i, c := range data {
		if c == '\n' && i+1 < len(data) {
			starts = append(starts, i+1)
		}
	}
	return starts
}

// offendingLine returns the first line L such that data cut after line L fails to parse with problem, by
// bisection: before the offending line the cut file parses (or fails otherwise: a multi-line value cut in
// two), from it on it fails as the whole file does.
func offendingLine(data []byte, starts []int, problem string) int {
	cut := func(line int) []byte {
		if line < len(starts) {
			return data[:starts[line]]
		}
		return data
	}
	lo, hi := 1, len(starts)
	for lo < hi {
		mid := (lo + hi) / 2
		if err := parseAll(cut(mid)); err != nil && problemOf(err) == problem {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo
}

// parseAll parses every document of data and returns the first error.
func parseAll(data []byte) error {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var n yaml.Node
		if err := safeDecode(dec, &n); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
	}
}

// locateInLine returns the byte offset in line of the text that causes problem (-1 when the line is blank)
// and a hint saying what to do.
func locateInLine(line, problem string) (int, string) {
	s := scanLine(line, 0)
	const indent = "check the indentation of this line: the keys of one mapping (and the items of one list) line up, and a nested value is indented more than its key"
	switch problem {
	case "found unexpected end of stream":
		if s.openQuote >= 0 {
			q := line[s.openQuote]
			return s.openQuote, fmt.Sprintf("the quoted string that starts here is not closed: add the closing %c", q)
		}
		if s.unmatched >= 0 {
			return s.unmatched, fmt.Sprintf("the %c that starts here is not closed: add the closing %c", line[s.unmatched], closer(line[s.unmatched]))
		}
	case "did not find expected ',' or ']'", "did not find expected ',' or '}'", "did not find expected node content":
		if s.unmatched >= 0 {
			o := line[s.unmatched]
			return s.unmatched, fmt.Sprintf("the %c that starts here is not closed, or its items are not separated by commas: separate them and close it with %c", o, closer(o))
		}
		if s.openQuote >= 0 {
			return s.openQuote, fmt.Sprintf("the quoted string that starts here is not closed: add the closing %c", line[s.openQuote])
		}
	case "found character that cannot start any token":
		if s.tab >= 0 {
			return s.tab, "YAML does not allow tabs in indentation: indent with spaces"
		}
		if s.reserved >= 0 {
			return s.reserved, fmt.Sprintf("a value cannot start with %c: put the value in quotes", line[s.reserved])
		}
	case "mapping values are not allowed in this context":
		if len(s.colons) >= 2 {
			return s.colons[1], `a value cannot contain ": " unless it is quoted: put the value in quotes`
		}
		return s.first, indent
	case "did not find expected key":
		if s.afterQuote >= 0 {
			return s.afterQuote, "text follows the closing quote: put it inside the quotes, or remove it"
		}
		return s.first, indent
	case "did not find expected '-' indicator", "block sequence entries are not allowed in this context":
		return s.first, indent
	}
	return s.first, ""
}

func closer(open byte) byte {
	if open == '[' {
		return ']'
	}
	return '}'
}

// lineFacts are the places in one line of YAML where a syntax error can be; -1 when absent.
type lineFacts struct {
	first      int   // the first character that is not a space or a tab
	tab        int   // a tab in the indentation
	openQuote  int   // a quote that starts a string not closed on the line
	afterQuote int   // text after the closing quote of a string, which cannot follow it
	unmatched  int   // the first [ or { not closed on the line
	reserved   int   // a @ or ` that starts a value
	colons     []int // the mapping indicators (": ", or ":" at the end) outside brackets and quotes
	closedAt   int   // for a line that starts inside a quoted string: its closing quote, -1 when it goes on
	block      bool  // the line ends with the header of a block scalar (| or >), whose lines follow
	indent     int   // the number of spaces before the first character
}

// scanLine finds the facts of one line of YAML, reading it token by token: quotes only start a string at the
// start of a value, and # only starts a comment after a space. inQuote is the quote of a string that the
// line starts inside of (a string that started on an earlier line), or 0.
func scanLine(line string, inQuote byte) lineFacts {
	s := lineFacts{first: -1, tab: -1, openQuote: -1, afterQuote: -1, unmatched: -1, reserved: -1, closedAt: -1}
	for s.indent < len(line) && line[s.indent] == ' ' {
		s.indent++
	}
	var stack []int
	valueStart := true // at the start of a value: after the indentation, "- ", ": ", "? ", "[", "{" or ","
	i := 0
	if inQuote != 0 {
		end := closingQuote(line, 0, inQuote)
		if end < 0 {
			return s
		}
		s.closedAt = end
		s.afterQuote = textAfter(line, end)
		i, valueStart = end+1, false
	}
	for ; i < len(line); i++ {
		c := line[i]
		switch {
		case c == ' ' || c == '\t':
			if c == '\t' && s.first < 0 && s.tab < 0 {
				s.tab = i
			}
			continue
		case c == '#' && (i == 0 || line[i-1] == ' ' || line[i-1] == '\t'):
			i = len(line) // a comment ends the line
			continue
		}
		if s.first < 0 {
			s.first = i
		}
		switch {
		case valueStart && (c == '"' || c == '\''):
			end := closingQuote(line, i+1, c)
			if end < 0 {
				s.openQuote = i
				i = len(line)
				continue
			}
			if s.afterQuote < 0 {
				s.afterQuote = textAfter(line, end)
			}
			i = end
			valueStart = false
		case c == '[' || c == '{':
			stack = append(stack, i)
			valueStart = true
		case c == ']' || c == '}':
			if len(stack) > 0 && closer(line[stack[len(stack)-1]]) == c {
				stack = stack[:len(stack)-1]
			}
			valueStart = false
		case c == ',' && len(stack) > 0:
			valueStart = true
		case c == ':' && (i+1 == len(line) || line[i+1] == ' ' || line[i+1] == '\t' || len(stack) > 0 && strings.IndexByte(",]}", line[i+1]) >= 0):
			if len(stack) == 0 {
				s.colons = append(s.colons, i)
			}
			valueStart = true
		case (c == '-' || c == '?') && valueStart && (i+1 == len(line) || line[i+1] == ' ' || line[i+1] == '\t'):
			// a list item or a complex key: a value starts after it
		case valueStart && (c == '|' || c == '>') && len(stack) == 0:
			rest := strings.TrimLeft(line[i+1:], "0123456789+-")
			if t := strings.TrimLeft(rest, " \t"); t == "" || t[0] == '#' && len(t) < len(rest) {
				s.block = true
			}
			i = len(line)
		case valueStart && (c == '@' || c == '`'):
			if s.reserved < 0 {
				s.reserved = i
			}
			valueStart = false
		default:
			valueStart = false
		}
	}
	if len(stack) > 0 {
		s.unmatched = stack[0]
	}
	return s
}

// textAfter returns where text follows the closing quote at line[end] that cannot follow a string (anything
// but a comment, ":", ",", "]" or "}"), or -1.
func textAfter(line string, end int) int {
	j := end + 1
	for j < len(line) && (line[j] == ' ' || line[j] == '\t') {
		j++
	}
	if j < len(line) && strings.IndexByte("#:,]}", line[j]) < 0 {
		return j
	}
	return -1
}

// closingQuote returns the index of the quote q that closes a string, searching line from index from, or -1.
func closingQuote(line string, from int, q byte) int {
	for j := from; j < len(line); j++ {
		switch {
		case q == '"' && line[j] == '\\':
			j++
		case line[j] == q:
			if q == '\'' && j+1 < len(line) && line[j+1] == '\'' {
				j++ // '' is an escaped quote
				continue
			}
			return j
		}
	}
	return -1
}

// openQuoteBefore returns where the quoted string starts that line (1-based) starts inside of, and its
// quote; line 0 when the line does not start inside a string. The lines of block scalars (| and >) are
// skipped: quotes in them are text.
func openQuoteBefore(data []byte, starts []int, line int) (qLine, qAt int, q byte) {
	blockIndent := -1
	for ln := 1; ln < line; ln++ {
		text := lineText(data, starts, ln)
		if q == 0 && blockIndent >= 0 {
			if strings.TrimSpace(text) == "" || len(text)-len(strings.TrimLeft(text, " ")) > blockIndent {
				continue
			}
			blockIndent = -1
		}
		s := scanLine(text, q)
		if q != 0 {
			if s.closedAt < 0 {
				continue
			}
			q = 0
		}
		if s.openQuote >= 0 {
			q, qLine, qAt = text[s.openQuote], ln, s.openQuote
		}
		if s.block {
			blockIndent = s.indent
		}
	}
	if q == 0 {
		return 0, 0, 0
	}
	return qLine, qAt, q
}

// lineText returns line (1-based) without its line break.
func lineText(data []byte, starts []int, line int) string {
	end := len(data)
	if line < len(starts) {
		end = starts[line]
	}
	return strings.TrimRight(string(data[starts[line-1]:end]), "\r\n")
}

// LineCol returns the 1-based line and column (in characters, as YAML positions count) of a byte offset.
func LineCol(data []byte, offset int) (int, int) {
	offset = max(0, min(offset, len(data)))
	line, col := 1, 1
	for _, c := range data[:offset] {
		if c == '\n' {
			line, col = line+1, 1
		} else if c&0xC0 != 0x80 { // count characters, not UTF-8 continuation bytes
			col++
		}
	}
	return line, col
}
