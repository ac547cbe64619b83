package emulator

import (
	"encoding/json"
	"fmt"
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
	Stage              string  `json:"stage,omitempty"`
	Resource           string  `json:"resource,omitempty"`
	Status             int     `json:"status"`
	LatencyMs          float64 `json:"latencyMs"`
	IntegrationLatency float64 `json:"integrationLatencyMs"`
	Reason             string  `json:"reason,omitempty"`
}

// Record logs one finished exchange.
func (l *AccessLog) Record(x *exchange) {
	e := logEntry{Time: x.start.UTC().Format("2006-01-02T15:04:05.000Z07:00"), RequestID: x.requestID, Method: x.r.Method,
		Path: x.r.URL.RequestURI(), Resource: x.resource, Status: x.status,
		LatencyMs:          ms(time.Since(x.start)),
		IntegrationLatency: ms(x.integ), Reason: x.reason}
	if x.api != nil {
		e.API = x.api.ID
	}
	if x.stage != nil {
		e.Stage = x.stage.Name
	}
	var line []byte
	if l.format == LogJSON {
		line, _ = json.Marshal(e)
		line = append(line, '\n')
	} else {
		status := strconv.Itoa(e.Status)
		if l.color {
			status = colorStatus(e.Status) + status + "\x1b[0m"
		}
		stage := e.Stage
		if stage == "" {
			stage = "-"
		}
		line = fmt.Appendf(nil, "%s %s %s stage=%s %s %.1fms integration=%.1fms", e.Time,
			e.Method, e.Path, stage, status, e.LatencyMs, e.IntegrationLatency)
		if e.Reason != "" {
			line = append(line, ' ')
			line = append(line, e.Reason...)
		}
		line = append(line, '\n')
	}
	l.mu.Lock()
	_, _ = l.w.Write(line)
	l.mu.Unlock()
}

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
