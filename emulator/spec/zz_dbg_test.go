package spec

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestZZDump(t *testing.T) {
	files, _ := filepath.Glob("../../../shared/corpus/specs/*.*")
	var b strings.Builder
	for _, f := range files {
		if filepath.Ext(f) == ".md" {
			continue
		}
		api, fs := Load(f, Options{})
		fmt.Fprintln(&b, "=====", filepath.Base(f))
		for _, x := range fs {
			x.File = ""
			fmt.Fprintln(&b, "  ", x)
		}
		if api != nil {
			j, _ := json.Marshal(api)
			fmt.Fprintln(&b, "  api", string(j))
			for _, r := range api.Resources {
				for _, m := range r.Methods {
					j, _ := json.Marshal(m)
					fmt.Fprintf(&b, "    %s %s %s\n", m.HTTPMethod, r.Path, j)
				}
			}
		}
	}
	os.WriteFile(os.Getenv("DUMP"), []byte(b.String()), 0o644)
}
