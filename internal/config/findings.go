package config

import (
	"strings"

	"github.com/apigw-local/apigw-local/internal/findings"
)

// Finding is one problem in a configuration file, located by line, column and path (see findings.Finding).
// Parse reports errors; Config.Warnings and Config.CheckCommands report warnings and errors found after
// parsing.
type Finding = findings.Finding

// Findings is every problem found in a configuration file. Load and Parse return it as their error (never
// an empty one), in file order.
type Findings = findings.Findings

// suggest returns the candidate closest to s (ignoring case) within a small edit distance, else one that
// s is a prefix of or that is a prefix of s, or "".
func suggest(s string, candidates []string) string {
	if s == "" || len(s) > 128 {
		return ""
	}
	if len(candidates) > 1000 {
		candidates = candidates[:1000] // bound the work for huge (or alias-expanded) documents
	}
	for _, c := range candidates {
		if strings.EqualFold(s, c) {
			return c
		}
	}
	ls := strings.ToLower(s)
	best, bestDist := "", 0
	for _, c := range candidates {
		if len(c) < 2 || len(c) > 128 || len(c) > len(s)+2 || len(s) > len(c)+2 {
			continue
		}
		limit := 2
		if len(c) <= 4 {
			limit = 1
		}
		dist := findings.EditDistance(ls, strings.ToLower(c))
		if dist > limit || dist >= len(s) {
			continue
		}
		if best == "" || dist < bestDist {
			best, bestDist = c, dist
		}
	}
	if best == "" && len(s) >= 4 {
		// A shortened or lengthened key: "memory" for "memorySize", "timeoutSeconds" for "timeout".
		for _, c := range candidates {
			lc := strings.ToLower(c)
			if len(c) >= 4 && (strings.HasPrefix(lc, ls) || strings.HasPrefix(ls, lc)) {
				return c
			}
		}
	}
	return best
}
