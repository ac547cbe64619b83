package httpintegration

import (
	"fmt"
	"net/url"
	"strings"
)

// source is the right-hand side of a request parameter mapping.
type source struct {
	kind  string // literal, path, querystring, multivaluequerystring, header, multivalueheader, stageVariables, context, body
	name  string
	value string // the literal
}

func parseSource(s string) (source, error) {
	switch {
	case len(s) >= 2 && strings.HasPrefix(s, "'") && strings.HasSuffix(s, "'"):
		return source{kind: "literal", value: s[1 : len(s)-1]}, nil
	case s == "method.request.body" || (strings.HasPrefix(s, "method.request.body.") && len(s) > len("method.request.body.")):
		return source{kind: "body"}, nil // not method.request.bodyx, nor method.request.body. with no JSONPath
	case strings.HasPrefix(s, "method.request."):
		rest := strings.TrimPrefix(s, "method.request.")
		kind, name, ok := strings.Cut(rest, ".")
		if !ok || name == "" {
			break
		}
		switch kind {
		case "path", "querystring", "multivaluequerystring", "header", "multivalueheader":
			return source{kind: kind, name: name}, nil
		}
	case strings.HasPrefix(s, "stageVariables.") && len(s) > len("stageVariables."):
		return source{kind: "stageVariables", name: strings.TrimPrefix(s, "stageVariables.")}, nil
	case strings.HasPrefix(s, "context.") && len(s) > len("context."):
		return source{kind: "context", name: strings.TrimPrefix(s, "context.")}, nil
	}
	return source{}, fmt.Errorf("unsupported mapping source %q", s)
}

// paramMapping is one integration.request.<location>.<name> = source.
type paramMapping struct {
	location string // header, querystring, path, multivalueheader, multivaluequerystring
	name     string
	src      source
}

// values resolves a source for one request; an absent source yields nothing, and AWS then omits the
// mapped parameter (integrations.json#http-proxy-request-parameter-merge, testEmptyQs).
func (s source) values(c *Call) []string {
	switch s.kind {
	case "literal":
		return []string{s.value}
	case "path":
		if v, ok := c.PathParameters[s.name]; ok {
			return []string{v}
		}
	case "querystring":
		if vs := c.query()[s.name]; len(vs) > 0 {
			return vs[len(vs)-1:] // the last value wins, as in the proxy event
		}
	case "multivaluequerystring":
		return c.query()[s.name]
	case "header":
		if vs := c.Request.Header.Values(s.name); len(vs) > 0 {
			return vs[:1]
		}
	case "multivalueheader":
		return c.Request.Header.Values(s.name)
	case "stageVariables":
		if v, ok := c.StageVariables[s.name]; ok {
			return []string{v}
		}
	case "context":
		if c.Context != nil {
			if v := c.Context(s.name); v != "" {
				return []string{v}
			}
		}
	}
	return nil
}

func (c *Call) query() url.Values {
	if c.parsedQuery == nil {
		c.parsedQuery, _ = url.ParseQuery(c.Request.URL.RawQuery)
		if c.parsedQuery == nil {
			c.parsedQuery = url.Values{}
		}
	}
	return c.parsedQuery
}
