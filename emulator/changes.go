package emulator

import (
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/apigw-local/apigw-local/internal/config"
)

// describeChanges says in a few words what a reload changed, for its one log line: routes added and
// removed, functions whose configuration changed (their processes are replaced), limits that changed
// (their buckets start full). "" when none of these did (a template or a response changed).
func describeChanges(old, cur *Snapshot) string {
	if old == nil || cur == nil {
		return ""
	}
	routes := func(s *Snapshot) map[string]bool {
		m := map[string]bool{}
		for _, r := range s.Routes() {
			m[fmt.Sprintf("%s %s /%s%s", r.APIID, r.Method, r.Stage, r.Path)] = true
		}
		return m
	}
	before, after := routes(old), routes(cur)
	var added, removed []string
	for r := range after {
		if !before[r] {
			added = append(added, r[strings.IndexByte(r, ' ')+1:])
		}
	}
	for r := range before {
		if !after[r] {
			removed = append(removed, r[strings.IndexByte(r, ' ')+1:])
		}
	}
	sort.Strings(added)
	sort.Strings(removed)
	var parts []string
	list := func(what string, items []string) {
		if len(items) == 0 {
			return
		}
		shown := items
		if len(shown) > 3 {
			shown = shown[:3]
		}
		p := fmt.Sprintf("%d route%s %s: %s", len(items), plural(len(items)), what, strings.Join(shown, ", "))
		if len(items) > 3 {
			p += ", ..."
		}
		parts = append(parts, p)
	}
	list("added", added)
	list("removed", removed)
	oc, cc := old.Config, cur.Config
	if oc != nil && cc != nil {
		var fns []string
		for name, f := range cc.Functions {
			if of := oc.Functions[name]; of == nil || !reflect.DeepEqual(*of, *f) {
				fns = append(fns, name)
			}
		}
		for name := range oc.Functions {
			if cc.Functions[name] == nil {
				fns = append(fns, name+" (removed)")
			}
		}
		sort.Strings(fns)
		if len(fns) > 0 {
			parts = append(parts, "functions changed: "+strings.Join(fns, ", "))
		}
		if !reflect.DeepEqual(oc.UsagePlans, cc.UsagePlans) || !reflect.DeepEqual(oc.APIKeys, cc.APIKeys) || !reflect.DeepEqual(oc.Account, cc.Account) || !stageLimitsEqual(oc.Stages, cc.Stages) {
			parts = append(parts, "limits changed")
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, "; ") + ")"
}

// stageLimitsEqual compares the stages' throttling (stage-wide and per method), nothing else of them.
func stageLimitsEqual(a, b map[string]*config.Stage) bool {
	limits := func(m map[string]*config.Stage) map[string]any {
		out := map[string]any{}
		for name, st := range m {
			if st != nil {
				out[name] = []any{st.Throttling, st.MethodSettings}
			}
		}
		return out
	}
	return reflect.DeepEqual(limits(a), limits(b))
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
