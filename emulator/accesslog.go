package emulator

import (
	"encoding/json"
	"io"
	"strconv"
	"sync"
	"time"
)

// LogFormat is the request log's format.
type LogFormat string

const (
	LogText LogFormat = "text"
	LogJSON LogFormat = "json"
)

// AccessLog writes one line per request: time, method, path, stage, status, latency, integration latency,
// and the reason for any gateway response.
type AccessLog struct {
	mu     sync.Mutex
	w      io.Writer
	format LogFormat
	color  bool
}

// NewAccessLog logs to w; color adds ANSI colours to the status in text format (for a terminal).
func NewAccessLog(w io.Writer, format LogFormat, color bool) *AccessLog {
	return &AccessLog{w: w, format: format, color: color}
}

type logEntry struct {
	Time               string  `json:"time"`
	RequestID          string  `json:"requestId"`
	API                string  `json:"apiId,omitempty"`
	Method             string  `json:"method"`
	Path               string  `json:"path"`
	Host               string  `json:"host,omitempty"`
	Stage              string  `json:"stage,omitempty"`
	Resource           string  `json:"resource,omitempty"`
	Status             int     `json:"status"`
	LatencyMs          float64 `json:"latencyMs"`
	IntegrationLatency float64 `json:"integrationLatencyMs"`
	Reason             string  `json:"reason,omitempty"`
	// Authorizer is the authorizer's verdict and where it came from, e.g. "tok:allow:cached".
	Authorizer string `json:"authorizer,omitempty"`
	// Cache is the stage cache's decision: hit, miss, invalidated, max-age=0-ignored.
	Cache string `json:"cache,omitempty"`
	// Trace is each phase's decision, in order.
	Trace []step `json:"trace,omitempty"`
}

// writeLine writes a line as it is: a stage's own access log line, in place of this log's.
func (l *AccessLog) writeLine(line []byte) {
	l.mu.Lock()
	_, _ = l.w.Write(line)
	l.mu.Unlock()
}

var linePool = sync.Pool{New: func() any { b := make([]byte, 0, 256); return &b }}

// Record logs one finished exchange. The text format is built by appending into a pooled buffer: it runs
// once per request.
func (l *AccessLog) Record(x *exchange) {
	stage := "-"
	if x.stage != nil {
		stage = x.stage.Name
	}
	bp := linePool.Get().(*[]byte)
	line := (*bp)[:0]
	if l.format == LogJSON {
		c := capture(x, time.Now())
		e := c.entry(true)
		b, _ := json.Marshal(e)
		line = append(append(line, b...), '\n')
	} else {
		line = x.start.UTC().AppendFormat(line, timeLayout)
		line = append(line, ' ')
		line = append(line, x.r.Method...)
		line = append(line, ' ')
		line = append(line, x.r.URL.RequestURI()...)
		line = append(line, " stage="...)
		line = append(line, stage...)
		line = append(line, ' ')
		if l.color {
			line = append(line, colorStatus(x.w.status)...)
		}
		line = strconv.AppendInt(line, int64(x.w.status), 10)
		if l.color {
			line = append(line, "\x1b[0m"...)
		}
		line = append(line, ' ')
		line = strconv.AppendFloat(line, ms(time.Since(x.start)), 'f', 1, 64)
		line = append(line, "ms integration="...)
		line = strconv.AppendFloat(line, ms(x.integ), 'f', 1, 64)
		line = append(line, "ms"...)
		if x.authLog != "" {
			line = append(line, " authorizer="...)
			line = append(line, x.authLog...)
		}
		if x.cacheLog != "" {
			line = append(line, " cache="...)
			line = append(line, x.cacheLog...)
		}
		if x.trace.ended != nil || x.trace.hasSkips() {
			line = append(line, ' ')
			line = x.trace.appendReason(line)
		}
		line = append(line, '\n')
	}
	l.mu.Lock()
	_, _ = l.w.Write(line)
	l.mu.Unlock()
	*bp = line
	linePool.Put(bp)
}

const timeLayout = "2006-01-02T15:04:05.000Z07:00"

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func colorStatus(code int) string {
	switch {
	case code >= 500:
		return "\x1b[31m"
	case code >= 400:
		return "\x1b[33m"
	default:
		return "\x1b[32m"
	}
}
