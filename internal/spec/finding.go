package spec

import "github.com/apigw-local/apigw-local/internal/findings"

// The findings of a spec are those of package findings; these names keep spec.Finding and friends working
// for the code that reports on specs.
type (
	// Severity ranks a finding: Error, Warning or Info.
	Severity = findings.Severity
	// Finding is one problem or note about a spec, located in its file.
	Finding = findings.Finding
	// Findings is a list of findings; it implements error.
	Findings = findings.Findings
	// Position locates a value in its file.
	Position = findings.Position
)

// The severities. Errors stop a spec from being served; warnings describe what is served differently
// from AWS (or not at all); infos are notes.
const (
	Info    = findings.Info
	Warning = findings.Warning
	Error   = findings.Error
)
