package findings

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// jsonNode builds the node tree of a JSON document, with lines and columns, for the valid JSON that the YAML
// parser rejects although YAML is a superset of JSON in principle: the \/ escape and UTF-16 surrogate pairs
// (\ud83d\ude00), which JSON encoders write for "/" and for characters beyond the BMP. Repeated keys are kept,
// as the YAML parser keeps them, so that DuplicateKeys reports them.
func jsonNode(file string, data []byte) (*yaml.Node, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	// start returns the position of the next token; line and col are those of byte at, and offsets only grow.
	line, col, at := 1, 1, 0
	start := func() (int, int) {
		off := int(dec.InputOffset())
		for off < len(data) && strings.IndexByte(" \t\r\n:,", data[off]) >= 0 {
			off++
		}
		for ; at < off; at++ {
			if data[at] == '\n' {
				line, col = line+1, 1
			} else if data[at]&0xC0 != 0x80 {
				col++
			}
		}
		return line, col
	}
	depth := 0 // of the value being read; the decoder's token stack has no limit of its own
	var value func() (*yaml.Node, error)
	value = func() (*yaml.Node, error) {
		l, c := start()
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		if depth++; depth > MaxDepth {
			return nil, tooDeep(file, l, c)
		}
		defer func() { depth-- }()
		n := &yaml.Node{Kind: yaml.ScalarNode, Line: l, Column: c}
		switch t := tok.(type) {
		case json.Delim:
			if t == '{' {
				n.Kind, n.Tag, n.Style = yaml.MappingNode, "!!map", yaml.FlowStyle
				for dec.More() {
					kl, kc := start()
					k, err := dec.Token()
					if err != nil {
						return nil, err
					}
					key, _ := k.(string)
					v, err := value()
					if err != nil {
						return nil, err
					}
					n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key, Line: kl, Column: kc}, v)
				}
			} else {
				n.Kind, n.Tag, n.Style = yaml.SequenceNode, "!!seq", yaml.FlowStyle
				for dec.More() {
					v, err := value()
					if err != nil {
						return nil, err
					}
					n.Content = append(n.Content, v)
				}
			}
			if _, err := dec.Token(); err != nil { // the closing delimiter
				return nil, err
			}
		case string:
			n.Tag, n.Value, n.Style = "!!str", t, yaml.DoubleQuotedStyle
		case json.Number:
			n.Tag, n.Value = "!!int", string(t)
			if strings.ContainsAny(n.Value, ".eE") {
				n.Tag = "!!float"
			}
		case bool:
			n.Tag, n.Value = "!!bool", strconv.FormatBool(t)
		case nil:
			n.Tag, n.Value = "!!null", "null"
		}
		return n, nil
	}
	root, err := value()
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("data after the JSON document")
	}
	return root, nil
}
