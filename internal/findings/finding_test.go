package findings

import (
	"reflect"
	"testing"
)

func TestFindingString(t *testing.T) {
	for _, tt := range []struct {
		f    Finding // the finding to format
		want string  // its String and Error
	}{
		{Finding{Severity: Error, File: "a.yaml", Line: 5, Column: 17, Path: "stages.prod", Message: "m"}, "a.yaml:5:17: error: stages.prod: m"},
		{Finding{Severity: Warning, File: "a.yaml", Line: 5, Message: "m"}, "a.yaml:5: warning: m"},
		{Finding{Severity: Info, File: "a.yaml", Path: "p", Message: "m"}, "a.yaml: info: p: m"},
		{Finding{Severity: Error, Line: 2, Column: 3, Message: "m"}, "2:3: error: m"},
		{Finding{Severity: Error, Message: "m"}, "error: m"},
	} {
		if got := tt.f.String(); got != tt.want {
			t.Errorf("%+v.String() = %q, want %q", tt.f, got, tt.want)
		}
		if got := tt.f.Error(); got != tt.want {
			t.Errorf("%+v.Error() = %q, want %q", tt.f, got, tt.want)
		}
	}
	fs := Findings{{Severity: Error, File: "a", Line: 1, Column: 1, Message: "x"}, {Severity: Warning, File: "a", Line: 2, Column: 1, Message: "y"}}
	if got := fs.Error(); got != "a:1:1: error: x\na:2:1: warning: y" {
		t.Errorf("Findings.Error() = %q", got)
	}
	if !fs.HasErrors() || fs.Count(Warning) != 1 || fs.Count(Info) != 0 || len(fs.Only(Warning)) != 1 || fs.Only(Warning)[0].Message != "y" {
		t.Errorf("HasErrors/Count/Only of %v", fs)
	}
}

func TestSortAndCompact(t *testing.T) {
	fs := Findings{
		{File: "b", Line: 1, Message: "z"},
		{File: "a", Line: 2, Column: 1, Message: "b"},
		{File: "a", Line: 2, Column: 1, Message: "a", Path: "q"},
		{File: "a", Line: 2, Column: 1, Message: "a", Path: "p"},
		{File: "a", Line: 2, Column: 1, Message: "a", Path: "p"},
		{File: "a", Line: 1, Column: 9, Message: "c"},
	}
	got := fs.Compact()
	want := Findings{
		{File: "a", Line: 1, Column: 9, Message: "c"},
		{File: "a", Line: 2, Column: 1, Message: "a", Path: "p"},
		{File: "a", Line: 2, Column: 1, Message: "a", Path: "q"},
		{File: "a", Line: 2, Column: 1, Message: "b"},
		{File: "b", Line: 1, Message: "z"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Compact:\n got %v\nwant %v", got, want)
	}
}
