package trafficreport

import (
	_ "embed"
	"html/template"
	"io"
	"sync"
	"time"
)

// Page is one report.
type Page struct {
	Title   string
	Summary []string // lines under the title: the log, what was run, the agreement
	Notes   []string // what a reader must know to read the chart right
	Tables  []Table
	Chart   Chart
}

// Table is a summary table: the first column names the row, the others are numbers.
type Table struct {
	Caption string
	Header  []string
	Rows    [][]string
}

//go:embed page.html.tmpl
var pageSource string

// page is parsed when the first report is written, not at init: most runs of the binary write none, and
// start-up time is a target (TestStartupInitsAllocateLittle).
var page = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("report").Funcs(template.FuncMap{
		"utc": func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 UTC") },
	}).Parse(pageSource))
})

// Write writes the page. html/template escapes every name and value that came from a log or a config,
// in the HTML and in the script's data alike.
func Write(w io.Writer, p Page) error {
	return page().Execute(w, p)
}
