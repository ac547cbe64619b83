package emulator

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/apigw-local/apigw-local/internal/config"
	"github.com/apigw-local/apigw-local/internal/spec"
	"github.com/apigw-local/apigw-local/internal/testcorpus"
)

// Every servable spec of the corpus answers a request to each of its routes without a panic: each route
// gets a plausible request (path variables filled in, a JSON body) and must answer with a status the
// gateway can give, never with the recovered-panic 500.
func TestCorpusRoutesNeverPanic(t *testing.T) {
	t.Parallel()
	files, _ := filepath.Glob(filepath.Join(testcorpus.Specs(t), "*.*"))
	served := 0
	for _, f := range files {
		if filepath.Ext(f) == ".md" {
			continue
		}
		api, fs := spec.Load(f, spec.Options{})
		if api == nil || fs.HasErrors() {
			continue
		}
		snap, _, err := Build([]*spec.API{api}, nil)
		if err != nil {
			continue
		}
		var log bytes.Buffer
		g := NewGateway(snap, NewAccessLog(&log, LogText, false))
		srv := httptest.NewServer(g)
		for _, r := range snap.Routes() {
			method := r.Method
			if method == "ANY" {
				method = "POST"
			}
			path := regexp.MustCompile(`\{[^}]+\+\}`).ReplaceAllString(r.Path, "a/b")
			path = regexp.MustCompile(`\{[^}]+\}`).ReplaceAllString(path, "x1")
			prefix := "/" + r.Stage
			if r.Stage == config.DefaultHTTPStage { // an HTTP API's $default stage is at the root
				prefix = ""
			}
			req, _ := http.NewRequest(method, srv.URL+prefix+path+"?q=1", strings.NewReader(`{"k": "v", "n": 1}`))
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Errorf("%s %s %s: %v", filepath.Base(f), method, path, err)
				continue
			}
			resp.Body.Close()
			if resp.StatusCode < 100 || resp.StatusCode > 599 {
				t.Errorf("%s %s %s: status %d", filepath.Base(f), method, path, resp.StatusCode)
			}
			served++
		}
		srv.Close()
		g.Close()
		if strings.Contains(log.String(), "internal error") {
			t.Errorf("%s: a request panicked:\n%s", filepath.Base(f), log.String())
		}
	}
	if served < 50 {
		t.Errorf("only %d corpus routes were exercised", served)
	}
}
