package main

import (
	"regexp"
	"strings"
	"testing"
)

var (
	pathTag = regexp.MustCompile(`<path [^>]*>`)
	attr    = regexp.MustCompile(`([a-z-]+)="([^"]*)"`)
)

// chartSeries reads, from a rendered report's DOM, the series drawn for each key: key -> series name ->
// the path's data attributes (points, total, low).
func chartSeries(t *testing.T, dom string) map[string]map[string]map[string]string {
	t.Helper()
	out := map[string]map[string]map[string]string{}
	sections := strings.Split(dom, "<section ")
	for _, sec := range sections[1:] {
		key := attr.FindStringSubmatch(sec)
		if key == nil || key[1] != "data-key" {
			t.Fatalf("a section without its key: %.200s", sec)
		}
		series := map[string]map[string]string{}
		for _, tag := range pathTag.FindAllString(sec, -1) {
			attrs := map[string]string{}
			for _, m := range attr.FindAllStringSubmatch(tag, -1) {
				attrs[m[1]] = m[2]
			}
			series[attrs["data-series"]] = attrs
		}
		out[htmlUnescape(key[2])] = series
	}
	return out
}

func htmlUnescape(s string) string {
	return strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">", "&quot;", `"`).Replace(s)
}
