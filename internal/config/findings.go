package config

import (
	"fmt"
	"sort"
	"strings"
)

// Finding is one problem in a configuration file, located by line, column and path.
type Finding struct {
	// File is the file name as given to Load or Parse.
	File string
	// Line is 1-based; 0 when unknown.
	Line int
	// Column is 1-based; 0 when unknown.
	Column int
	// Path says where in the document the problem is, e.g. "stages.prod.throttling.rateLimit",
	// "usagePlans[0].apiStages[1].stage" or `stages.prod.methodSettings["/pets/GET"].throttling`.
	// Keys that are not plain identifiers are quoted in brackets. Empty for the top level.
	Path string
	// Message says what is wrong and what to do about it.
	Message string
}

// String formats the finding as "file:line:col: path: message"; the location parts that are unknown
// (line 0, empty path) are left out.
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
	if f.Path != "" {
		b.WriteString(f.Path)
		b.WriteString(": ")
	}
	b.WriteString(f.Message)
	return b.String()
}

// Error returns String, so that a single Finding can be used as an error.
func (f Finding) Error() string { return f.String() }

// Findings is every problem found in a configuration file. Load and Parse return it as their error (never
// an empty one), in file order.
type Findings []Finding

// Error lists every finding, one per line.
func (fs Findings) Error() string {
	lines := make([]string, len(fs))
	for i, f := range fs {
		lines[i] = f.String()
	}
	return strings.Join(lines, "\n")
}

// sortFindings orders findings by position (then message) and drops exact duplicates, which arise when an
// aliased YAML node is decoded more than once.
func sortFindings(fs Findings) Findings {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Column != b.Column {
			return a.Column < b.Column
		}
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		return a.Message < b.Message
	})
	out := fs[:0]
	for i, f := range fs {
		if i > 0 && f == fs[i-1] {
			continue
		}
		out = append(out, f)
	}
	return out
}

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
		dist := editDistance(ls, strings.ToLower(c))
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

// editDistance is the optimal string alignment distance (Levenshtein plus adjacent transpositions) in bytes.
func editDistance(a, b string) int {
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}
