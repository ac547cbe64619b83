package main

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/apigw-local/apigw-local/internal/fixturebin"
	"github.com/apigw-local/apigw-local/internal/testcorpus"
)

// binary is the apigw-local executable built once for the end-to-end tests.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "apigw-local-e2e")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "apigw-local")
	build := exec.Command("go", "build", "-o", binary, ".")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		panic("building apigw-local: " + err.Error())
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// server is a running `apigw-local serve` process.
type server struct {
	cmd  *exec.Cmd
	url  string
	logs chan string
}

var listening = regexp.MustCompile(`listening on (http://\S+)`)

func startServe(t *testing.T, dir string, args ...string) *server {
	t.Helper()
	cmd := exec.Command(binary, append([]string{"serve", "--port", "0"}, args...)...)
	cmd.Dir = dir
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &server{cmd: cmd, logs: make(chan string, 1000)}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			t.Error("serve did not stop on SIGTERM")
		}
	})
	sc := bufio.NewScanner(stdout)
	found := make(chan string, 1)
	go func() {
		for sc.Scan() {
			line := sc.Text()
			if m := listening.FindStringSubmatch(line); m != nil {
				found <- m[1]
			}
			select {
			case s.logs <- line:
			default:
			}
		}
		close(s.logs)
	}()
	select {
	case s.url = <-found:
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not start")
	}
	return s
}

// waitLog returns the first log line matching re.
func (s *server) waitLog(t *testing.T, re string) string {
	t.Helper()
	pattern := regexp.MustCompile(re)
	deadline := time.After(10 * time.Second)
	for {
		select {
		case line, ok := <-s.logs:
			if !ok {
				t.Fatalf("serve exited before logging %q", re)
			}
			if pattern.MatchString(line) {
				return line
			}
		case <-deadline:
			t.Fatalf("no log line matching %q", re)
		}
	}
}

func writeFile(t testing.TB, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

const e2eSpec = `openapi: "3.0.1"
info: {title: orders, version: "1"}
servers:
  - url: "https://abc.execute-api.us-east-1.amazonaws.com/{basePath}"
    variables: {basePath: {default: ignored}}
paths:
  /orders/{id}:
    get:
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      x-amazon-apigateway-integration:
        type: http_proxy
        httpMethod: GET
        uri: "${stageVariables.backend}/v2/orders/{id}"
        requestParameters:
          integration.request.path.id: method.request.path.id
          integration.request.header.X-Tenant: "'acme'"
          integration.request.querystring.source: "'gateway'"
`

const e2eConfig = `stages:
  prod:
    variables: {backend: "BACKEND"}
`

// The end-to-end test of the issue: serve on 127.0.0.1:0 with a spec and a config, drive an HTTP_PROXY
// route to a local backend, check what the backend receives and what the client gets.
func TestServeHTTPProxyEndToEnd(t *testing.T) {
	var seen *http.Request
	var seenBody []byte
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = r.Clone(r.Context())
		seenBody, _ = io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Backend", "yes")
		w.WriteHeader(201)
		io.WriteString(w, `{"order":"42"}`)
	}))
	defer backend.Close()
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "openapi.yaml"), e2eSpec)
	writeFile(t, filepath.Join(dir, "apigw-local.yaml"), strings.Replace(e2eConfig, "BACKEND", backend.URL, 1))
	s := startServe(t, dir, "openapi.yaml") // the config is found as ./apigw-local.yaml

	req, _ := http.NewRequest("GET", s.url+"/prod/orders/42?verbose=true", strings.NewReader("payload"))
	req.Header.Set("X-Client", "c1")
	req.Header.Set("X-Tenant", "client-value")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()

	// What the client gets.
	if resp.StatusCode != 201 || string(body) != `{"order":"42"}` || resp.Header.Get("X-Backend") != "yes" {
		t.Errorf("client got %d %s %v", resp.StatusCode, body, resp.Header)
	}
	for _, h := range []string{"x-amzn-RequestId", "x-amz-apigw-id", "X-Amzn-Trace-Id", "X-Amzn-Remapped-Date", "X-Amzn-Remapped-Content-Length"} {
		if resp.Header.Get(h) == "" {
			t.Errorf("client response lacks %s: %v", h, resp.Header)
		}
	}
	// What the backend receives.
	if seen == nil {
		t.Fatal("the backend was not called")
	}
	if seen.Method != "GET" || seen.URL.Path != "/v2/orders/42" || string(seenBody) != "payload" {
		t.Errorf("backend saw %s %s %q", seen.Method, seen.URL.Path, seenBody)
	}
	q := seen.URL.Query()
	if q.Get("verbose") != "true" || q.Get("source") != "gateway" {
		t.Errorf("backend query %v: the client's and the mapped parameters are both sent", q)
	}
	if seen.Header.Get("X-Client") != "c1" || seen.Header.Get("X-Tenant") != "acme" || seen.Header.Get("X-Amzn-Apigateway-Api-Id") != "orders" {
		t.Errorf("backend headers %v", seen.Header)
	}
	if seen.Header.Get("X-Forwarded-For") != "127.0.0.1" || seen.Header.Get("X-Amzn-Trace-Id") != resp.Header.Get("X-Amzn-Trace-Id") {
		t.Errorf("forwarding headers %v", seen.Header)
	}
	// One log line per request, with the stage and status.
	s.waitLog(t, `GET /prod/orders/42\?verbose=true stage=prod 201 `)

	// Unknown stage: AWS's 403.
	resp, err = http.Get(s.url + "/dev/orders/42")
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 403 || string(body) != `{"message":"Missing Authentication Token"}` {
		t.Errorf("unknown stage: %d %s", resp.StatusCode, body)
	}
	s.waitLog(t, `GET /dev/orders/42 stage=- 403 .*MISSING_AUTHENTICATION_TOKEN no stage "dev"`)
}

// Hot reload: an edit is served by the next request; a broken edit is reported and the previous
// version keeps serving.
func TestServeHotReload(t *testing.T) {
	dir := t.TempDir()
	specPath := filepath.Join(dir, "api.yaml")
	mockSpec := func(body string) string {
		return `swagger: "2.0"
info: {title: reload, version: "1"}
basePath: /live
paths:
  /hello:
    get:
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates: {application/json: '{"statusCode": 200}'}
        responses: {default: {statusCode: "200", responseTemplates: {application/json: '` + body + `'}}}
`
	}
	writeFile(t, specPath, mockSpec(`{"v":1}`))
	s := startServe(t, dir, "api.yaml", "--verbose")
	s.waitLog(t, `^hot reload: watching 1 file `)
	s.waitLog(t, `^  watching .*/api.yaml$`)
	get := func() (int, string) {
		resp, err := http.Get(s.url + "/live/hello")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if _, b := get(); b != `{"v":1}` {
		t.Fatalf("before reload: %s", b)
	}
	writeFile(t, specPath, mockSpec(`{"v":2}`))
	s.waitLog(t, `reloaded: now serving generation 2`)
	if _, b := get(); b != `{"v":2}` {
		t.Errorf("after reload: %s", b)
	}
	writeFile(t, specPath, "paths: [unclosed")
	s.waitLog(t, `reload failed, still serving generation 2`)
	s.waitLog(t, `api.yaml:1:\d+: error: `)
	if code, b := get(); code != 200 || b != `{"v":2}` {
		t.Errorf("a broken edit must keep the previous version serving: %d %s", code, b)
	}
	resp, err := http.Get(s.url + "/_apigw/health")
	if err != nil {
		t.Fatal(err)
	}
	var health struct{ Generation int }
	_ = json.NewDecoder(resp.Body).Decode(&health)
	resp.Body.Close()
	if health.Generation != 2 {
		t.Errorf("generation %d, want 2", health.Generation)
	}
}

// Bad input gives one clear message naming the file and the location, and a non-zero exit.
func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "garbage.json"), "{\n  \"openapi\": \"3.0.1\",\n  \"paths\": {,}\n}\n")
	writeFile(t, filepath.Join(dir, "garbage.yaml"), "openapi: 3.0.1\npaths:\n  /a: [\n")
	writeFile(t, filepath.Join(dir, "wrongtype.yaml"), "openapi: \"3.0.1\"\ninfo: {title: t, version: \"1\"}\npaths:\n  /a:\n    get:\n      x-amazon-apigateway-integration:\n        type: http_proxy\n        httpMethod: GET\n        uri: http://127.0.0.1:1/\n        timeoutInMillis: soon\n")
	writeFile(t, filepath.Join(dir, "ok.yaml"), "openapi: \"3.0.1\"\ninfo: {title: t, version: \"1\"}\npaths: {}\n")
	writeFile(t, filepath.Join(dir, "typo.yaml"), "stages:\n  prod:\n    throttling: {rateLimt: 5}\n")
	cases := []struct {
		name string
		args []string
		want string // regexp on the combined output
	}{
		{"json syntax", []string{"garbage.json"}, `garbage.json:3:\d+: error: not valid JSON: `},
		{"yaml syntax", []string{"garbage.yaml"}, `garbage.yaml:\d+:\d+: error: neither YAML nor JSON: `},
		{"extension of the wrong type", []string{"wrongtype.yaml"}, `wrongtype.yaml:10:26: error: paths\["/a"\].get.x-amazon-apigateway-integration.timeoutInMillis: timeoutInMillis must be an integer, got a string`},
		{"config typo", []string{"-c", "typo.yaml", "ok.yaml"}, `typo.yaml:3:\d+: error: stages.prod.throttling: unknown key "rateLimt" \(did you mean "rateLimit"\?\)`},
		{"missing file", []string{"nope.yaml"}, `nope.yaml: error: cannot read the spec`},
	}
	for _, c := range cases {
		for _, command := range []string{"validate", "serve"} {
			args := append([]string{command}, c.args...)
			if command == "serve" {
				args = append(args, "--port", "0", "--no-watch")
			}
			cmd := exec.Command(binary, args...)
			cmd.Dir = dir
			out, err := cmd.CombinedOutput()
			if !regexp.MustCompile(c.want).Match(out) {
				t.Errorf("%s %s: output lacks %q:\n%s", command, c.name, c.want, out)
			}
			if code := cmd.ProcessState.ExitCode(); err == nil || code != 1 {
				t.Errorf("%s %s: exit %d, want 1", command, c.name, code)
			}
			if strings.Contains(string(out), "panic") || strings.Contains(string(out), "goroutine ") {
				t.Errorf("%s %s panicked:\n%s", command, c.name, out)
			}
		}
	}
}

// The commands and flags of product.md, with their exit codes.
func TestCommandLineContract(t *testing.T) {
	out, _, code := run("version")
	if code != 0 || !strings.HasPrefix(out, "apigw-local ") {
		t.Errorf("version: %d %q", code, out)
	}
	out, _, code = run("validate")
	if code != 0 || !strings.Contains(out, "0 errors") {
		t.Errorf("validate of the embedded example: %d %q", code, out)
	}
	out, _, code = run("routes")
	if code != 0 || !strings.Contains(out, "dev    GET      /pets ") {
		t.Errorf("routes of the embedded example: %d\n%s", code, out)
	}
	_, errOut, code := run("serve", "--bogus")
	if code != 2 || !strings.Contains(errOut, "unknown flag: --bogus") {
		t.Errorf("usage error: %d %q", code, errOut)
	}
	t.Run("validate --strict with warnings", func(t *testing.T) {
		_, _, code := run("validate", "--strict", filepath.Join(testcorpus.Specs(t), "awsdocs__amazon-api-gateway-developer-guide__simple-calc-lambda-api.json"))
		if code != 1 {
			t.Errorf("validate --strict with warnings: exit %d, want 1", code)
		}
	})
	cmd := newServeCommand()
	for flag, def := range map[string]string{"port": "3000", "host": "127.0.0.1", "no-watch": "false", "log-format": "text", "strict": "false", "config": ""} {
		f := cmd.Flags().Lookup(flag)
		if f == nil || f.DefValue != def {
			t.Errorf("serve --%s: %v, want default %q", flag, f, def)
		}
	}
	if cmd.Flags().ShorthandLookup("p") == nil || cmd.Flags().ShorthandLookup("c") == nil {
		t.Error("serve needs -p and -c")
	}
}

// serve with no arguments serves the embedded example API (make run).
func TestServeEmbeddedExample(t *testing.T) {
	s := startServe(t, t.TempDir(), "--log-format", "json")
	resp, err := http.Get(s.url + "/dev/pets")
	if err != nil {
		t.Fatal(err)
	}
	var pets []map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&pets)
	resp.Body.Close()
	if resp.StatusCode != 200 || len(pets) != 3 || resp.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("GET /dev/pets: %d %v %v", resp.StatusCode, pets, resp.Header)
	}
	line := s.waitLog(t, `"path":"/dev/pets"`)
	var entry map[string]any
	if err := json.Unmarshal([]byte(line), &entry); err != nil || entry["status"] != float64(200) || entry["stage"] != "dev" {
		t.Errorf("json log line %q", line)
	}
	// The embedded config's API key and usage plan: 403 without the key, burst 2, then 429.
	for i, want := range []struct {
		key    string
		status int
	}{{"", 403}, {"demo-key-0123456789abcdef", 200}, {"demo-key-0123456789abcdef", 200}, {"demo-key-0123456789abcdef", 429}} {
		req, _ := http.NewRequest("GET", s.url+"/dev/premium", nil)
		if want.key != "" {
			req.Header.Set("X-Api-Key", want.key)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want.status {
			t.Errorf("GET /dev/premium #%d: %d, want %d", i+1, resp.StatusCode, want.status)
		}
	}
	s.waitLog(t, `THROTTLED usage-plan=demo-plan key=demo`)
	// GET /dev/private is behind the example's Lambda TOKEN authorizer, run in-process.
	for _, c := range []struct {
		token  string
		status int
		body   string
	}{{"", 401, `{"message":"Unauthorized"}`}, {"allow", 200, `{"message": "Hello, user-allow", "token": "allow"}`},
		{"deny", 403, `{"Message":"User is not authorized to access this resource with an explicit deny in an identity-based policy"}`}} {
		req, _ := http.NewRequest("GET", s.url+"/dev/private", nil)
		if c.token != "" {
			req.Header.Set("Authorization", c.token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != c.status || string(b) != c.body {
			t.Errorf("GET /dev/private with %q: %d %s, want %d %s", c.token, resp.StatusCode, b, c.status, c.body)
		}
	}
}

// Throttling and quotas over the real server: the buckets survive a hot reload of an unrelated edit,
// /_apigw/usage counts what got through, and /_apigw/reset starts again.
func TestServeThrottlingAcrossReload(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "api.yaml"), `openapi: "3.0.1"
info: {title: metered, version: "1"}
paths:
  /pets:
    get:
      security: [{key: []}]
      x-amazon-apigateway-integration: {type: mock, requestTemplates: {application/json: '{"statusCode": 200}'}, responses: {default: {statusCode: "200"}}}
components:
  securitySchemes:
    key: {type: apiKey, name: x-api-key, in: header}
`)
	config := func(vars string) string {
		return `specs: [api.yaml]
stages:
  prod: {variables: {` + vars + `}}
apiKeys: [{name: alice, value: "alice-0123456789abcdefghij"}]
usagePlans:
  - {name: basic, apiStages: [{stage: prod}], throttle: {rateLimit: 0.01, burstLimit: 3}, quota: {limit: 100, period: MONTH}, apiKeys: [alice]}
`
	}
	writeFile(t, filepath.Join(dir, "apigw-local.yaml"), config("v: '1'"))
	s := startServe(t, dir)
	get := func() int {
		req, _ := http.NewRequest("GET", s.url+"/prod/pets", nil)
		req.Header.Set("x-api-key", "alice-0123456789abcdefghij")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for i, want := range []int{200, 200, 200, 429} {
		if got := get(); got != want {
			t.Fatalf("request %d: %d, want %d", i+1, got, want)
		}
	}
	writeFile(t, filepath.Join(dir, "apigw-local.yaml"), config("v: '2'"))
	s.waitLog(t, `reloaded: now serving generation 2`)
	if got := get(); got != 429 {
		t.Errorf("after an unrelated edit: %d, want 429 (the bucket must survive the reload)", got)
	}
	resp, err := http.Get(s.url + "/_apigw/usage?usagePlanId=basic&keyId=alice")
	if err != nil {
		t.Fatal(err)
	}
	var usage struct {
		Values map[string][][]int64 `json:"values"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&usage)
	resp.Body.Close()
	for _, rows := range usage.Values {
		if last := rows[len(rows)-1]; last[0] != 3 || last[1] != 97 {
			t.Errorf("usage today: %v, want [3 97]", last)
		}
	}
	if len(usage.Values) != 1 {
		t.Errorf("usage: %v", usage)
	}
	resp, err = http.Post(s.url+"/_apigw/reset", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := get(); resp.StatusCode != 200 || got != 200 {
		t.Errorf("after reset: %d, then %d", resp.StatusCode, got)
	}
}

// Stopping `serve` leaves no Lambda process behind.
func TestServeStopsFunctionProcesses(t *testing.T) {
	dir := t.TempDir()
	fixtures, err := fixturebin.Dir()
	if err != nil {
		t.Fatal(err)
	}
	// A path of this test's own (a hard link, or a copy) for the shared fixture binary, so that
	// countProcesses sees this test's function processes only, not those of other packages' tests.
	echo := filepath.Join(dir, "echo")
	if err := os.Link(filepath.Join(fixtures, "echo"), echo); err != nil {
		b, err := os.ReadFile(filepath.Join(fixtures, "echo"))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(echo, b, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	writeFile(t, filepath.Join(dir, "api.yaml"), `openapi: "3.0.1"
info: {title: fn, version: "1"}
paths:
  /{proxy+}:
    x-amazon-apigateway-any-method:
      x-amazon-apigateway-integration: {type: aws_proxy, httpMethod: POST, uri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:Echo/invocations"}
`)
	writeFile(t, filepath.Join(dir, "apigw-local.yaml"), "specs: [api.yaml]\nfunctions:\n  Echo: {command: [\""+echo+"\"], concurrency: 3}\n")
	cmd := exec.Command(binary, "serve", "--port", "0", "--no-watch")
	cmd.Dir = dir
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	sc := bufio.NewScanner(stdout)
	var base string
	for sc.Scan() {
		if m := listening.FindStringSubmatch(sc.Text()); m != nil {
			base = m[1]
			break
		}
	}
	go func() {
		for sc.Scan() {
		}
	}()
	if base == "" {
		t.Fatal("serve did not start")
	}
	var wg sync.WaitGroup
	for i := 0; i < 6; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := http.Get(base + "/dev/hello")
			if err != nil {
				t.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Errorf("status %d", resp.StatusCode)
			}
		}()
	}
	wg.Wait()
	if n := countProcesses(echo); n == 0 {
		t.Fatal("no function process was started")
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("serve exited with %v after SIGTERM", err)
	}
	if n := countProcesses(echo); n != 0 {
		t.Errorf("%d function processes outlived serve", n)
	}
}

// countProcesses counts live (not zombie) processes running the executable path, from /proc.
func countProcesses(path string) int { return len(pidsOf(path)) }

// pidsOf lists the live processes running the executable path (Linux: /proc/*/exe).
func pidsOf(path string) []int {
	entries, _ := os.ReadDir("/proc")
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if exe, err := os.Readlink(filepath.Join("/proc", e.Name(), "exe")); err == nil && exe == path {
			if stat, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "stat")); !strings.Contains(string(stat), ") Z ") {
				pids = append(pids, pid)
			}
		}
	}
	return pids
}
