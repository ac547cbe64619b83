package emulator

import (
	"bytes"
	"io"
	"net/http"
	"net/url"

	"github.com/apigw-local/apigw-local/emulator/internal/parammap"
	"github.com/apigw-local/apigw-local/internal/gatewayresponse"
	"github.com/apigw-local/apigw-local/internal/integration"
)

// mapRequest applies an HTTP API integration's requestParameters: the integration gets a copy of the
// request with the mapped headers, query string and path; the exchange keeps the client's.
func mapRequest(x *exchange, m *parammap.Request, req *integration.Request) *gatewayresponse.Error {
	r := x.r
	var body []byte
	if m.NeedsBody {
		b, gerr := readBody(x)
		if gerr != nil {
			return gerr
		}
		body = b
		r.Body = io.NopCloser(bytes.NewReader(b)) // for a Streamer, which reads the body itself
	}
	res := m.Apply(&parammap.Data{Header: r.Header, RawQuery: r.URL.RawQuery, Path: x.path, PathParameters: x.params,
		Body: body, Context: x.ctx.Get, StageVariables: x.stage.Variables})
	if res.Header == nil && res.RawQuery == nil && res.Path == nil {
		return nil
	}
	mapped := *r
	u := *r.URL
	mapped.URL = &u
	if res.Header != nil {
		mapped.Header = res.Header
	}
	if res.RawQuery != nil {
		u.RawQuery = *res.RawQuery
	}
	if res.Path != nil {
		req.Path = *res.Path
		if p, err := url.PathUnescape(req.Path); err == nil {
			u.Path, u.RawPath = p, req.Path
		} else {
			u.Path, u.RawPath = req.Path, ""
		}
	}
	req.HTTP = &mapped
	x.trace.add("integrate", "request parameters mapped")
	return nil
}

// mapResponse applies an HTTP API integration's responseParameters to a Responder's answer.
func mapResponse(x *exchange, m *parammap.Response, resp *integration.Response) {
	if mapped, _ := m.For(resp.Status); !mapped {
		return
	}
	if resp.Header == nil {
		resp.Header = http.Header{}
	}
	resp.Status = m.Apply(resp.Status, resp.Header, &parammap.Data{Header: resp.Header, Body: resp.Body,
		Context: x.ctx.Get, StageVariables: x.stage.Variables})
}

// mappingWriter applies responseParameters to a Streamer's answer (HTTP_PROXY) when its status is known.
// Mappings that read the body hold the response until it is complete (finish writes it).
type mappingWriter struct {
	http.ResponseWriter
	x       *exchange
	m       *parammap.Response
	held    *bytes.Buffer // the body, for mappings that read it
	status  int
	started bool
}

func (w *mappingWriter) WriteHeader(code int) {
	if w.started {
		return
	}
	w.started = true
	mapped, needsBody := w.m.For(code)
	switch {
	case !mapped:
		w.ResponseWriter.WriteHeader(code)
	case needsBody:
		w.status, w.held = code, &bytes.Buffer{}
	default:
		h := w.ResponseWriter.Header()
		w.ResponseWriter.WriteHeader(w.m.Apply(code, h, &parammap.Data{Header: h, Context: w.x.ctx.Get, StageVariables: w.x.stage.Variables}))
	}
}

func (w *mappingWriter) Write(b []byte) (int, error) {
	if !w.started {
		w.WriteHeader(http.StatusOK)
	}
	if w.held != nil {
		if w.held.Len()+len(b) > MaxBodyBytes { // the same bound as a Responder's body
			return 0, http.ErrContentLength
		}
		return w.held.Write(b)
	}
	return w.ResponseWriter.Write(b)
}

// Flush streams through, except while the response is held.
func (w *mappingWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok && w.held == nil {
		f.Flush()
	}
}

// finish writes a held response.
func (w *mappingWriter) finish() {
	if w.held == nil {
		return
	}
	h := w.ResponseWriter.Header()
	body := w.held.Bytes()
	status := w.m.Apply(w.status, h, &parammap.Data{Header: h, Body: body, Context: w.x.ctx.Get, StageVariables: w.x.stage.Variables})
	w.ResponseWriter.WriteHeader(status)
	_, _ = w.ResponseWriter.Write(body)
	w.held = nil
}
