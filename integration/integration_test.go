package integration_test

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/apigw-local/apigw-local/integration"
	"github.com/aws/aws-lambda-go/events"
	"github.com/moby/moby/client"
	"github.com/testcontainers/testcontainers-go"
)

// image is the container image Run tests use (make image builds apigw-local:dev; APIGW_IMAGE names
// another).
var image = cmp.Or(os.Getenv("APIGW_IMAGE"), "apigw-local:dev")

const apiKey = "tester-key-0123456789abcdef"

func TestMain(m *testing.M) {
	// testcontainers-go must neither start its reaper (an image that cannot be pulled here) nor guess
	// the Docker host from the default gateway.
	setDefault("TESTCONTAINERS_RYUK_DISABLED", "true")
	setDefault("TESTCONTAINERS_HOST_OVERRIDE", "127.0.0.1")
	os.Exit(m.Run())
}

func setDefault(k, v string) {
	if _, ok := os.LookupEnv(k); !ok {
		os.Setenv(k, v)
	}
}

// greet is the Go handler served in the test process: a Lambda proxy handler.
func greet(ctx context.Context, e events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	if e.QueryStringParameters["name"] == "" {
		return events.APIGatewayProxyResponse{}, errors.New("no name")
	}
	return events.APIGatewayProxyResponse{StatusCode: 200, Body: fmt.Sprintf(`{"greeting": "hello, %s"}`, e.QueryStringParameters["name"])}, nil
}

// echoBinary builds fixtures/lambdas/echo as a static executable (the container image has no libc), for
// Linux when it goes into the container.
func echoBinary(t testing.TB, forContainer bool) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "echo")
	cmd := exec.Command("go", "build", "-trimpath", "-o", out, "../fixtures/lambdas/echo")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if forContainer {
		cmd.Env = append(cmd.Env, "GOOS=linux")
	}
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building the echo handler: %v\n%s", err, b)
	}
	return out
}

// server is what the scenarios need of Start's *Local and Run's *Container.
type server struct {
	url   string // the stage's base URL
	usage func(ctx context.Context, keyID string) (*integration.Usage, error)
	reset func(ctx context.Context) error
}

// scenarios are the same checks through Start and through Run.
func scenarios(t *testing.T, s server) {
	hc := &http.Client{Transport: &http.Transport{}, Timeout: 20 * time.Second}
	defer hc.CloseIdleConnections()
	ctx := t.Context()
	get := func(t *testing.T, path string, header ...string) (int, string) {
		t.Helper()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.url+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, string(b)
	}
	t.Run("mock", func(t *testing.T) {
		code, body := get(t, "/hello")
		if code != 200 || body != `{"message": "hello from a mock", "stage": "test"}` {
			t.Fatalf("GET /hello: %d %s", code, body)
		}
	})
	t.Run("unknown route", func(t *testing.T) {
		code, body := get(t, "/nowhere")
		if code != 403 || !strings.Contains(body, "Missing Authentication Token") {
			t.Fatalf("GET /nowhere: %d %s", code, body)
		}
	})
	t.Run("handler binary", func(t *testing.T) {
		code, body := get(t, "/echo?x=1")
		var ev events.APIGatewayProxyRequest
		if code != 200 || json.Unmarshal([]byte(body), &ev) != nil || ev.Path != "/echo" || ev.QueryStringParameters["x"] != "1" {
			t.Fatalf("GET /echo: %d %s", code, body)
		}
	})
	t.Run("Go handler", func(t *testing.T) {
		code, body := get(t, "/greet?name=gopher")
		if code != 200 || body != `{"greeting": "hello, gopher"}` {
			t.Fatalf("GET /greet: %d %s", code, body)
		}
		// The handler's error reaches the gateway as a function error: AWS's 502.
		code, body = get(t, "/greet")
		if code != 502 || body != `{"message": "Internal server error"}` {
			t.Fatalf("GET /greet (the handler fails): %d %s", code, body)
		}
	})
	t.Run("throttled, usage, reset", func(t *testing.T) {
		if err := s.reset(ctx); err != nil {
			t.Fatal(err)
		}
		if code, body := get(t, "/limited"); code != 403 {
			t.Fatalf("GET /limited without a key: %d %s, want 403", code, body)
		}
		if code, body := get(t, "/limited", "x-api-key", apiKey); code != 200 {
			t.Fatalf("GET /limited: %d %s, want 200", code, body)
		}
		code, body := get(t, "/limited", "x-api-key", apiKey)
		if code != 429 || body != `{"message":"Too Many Requests"}` {
			t.Fatalf("GET /limited again: %d %s, want 429 (burst 1)", code, body)
		}
		u, err := s.usage(ctx, "tester")
		if err != nil {
			t.Fatal(err)
		}
		if u.UsagePlanID == "" || len(u.Values) != 1 || u.Used() != 1 {
			t.Fatalf("usage: %+v, want 1 request counted", u)
		}
		if err := s.reset(ctx); err != nil {
			t.Fatal(err)
		}
		if code, body := get(t, "/limited", "x-api-key", apiKey); code != 200 {
			t.Fatalf("GET /limited after reset: %d %s, want 200", code, body)
		}
		u, err = s.usage(ctx, "tester")
		if err != nil {
			t.Fatal(err)
		}
		if n := u.Used(); n != 1 {
			t.Fatalf("usage after reset and one request: %d, want 1", n)
		}
	})
}

func TestStart(t *testing.T) {
	bin := echoBinary(t, false)
	t.Run("scenarios", func(t *testing.T) {
		l := integration.Start(t,
			integration.WithSpec("testdata/openapi.yaml"),
			integration.WithConfig("testdata/apigw-local.yaml"),
			integration.WithFunctionBinary("Echo", bin),
			integration.WithHandler("Greet", greet),
		)
		scenarios(t, server{url: l.URL("test"), usage: l.Usage, reset: l.Reset})
	})
	// The subtest's cleanup stopped the server: no handler process and no goroutine is left.
	if pids := processesOf(t, bin); len(pids) > 0 {
		t.Errorf("processes of %s still running after the test: %v", bin, pids)
	}
	noGoroutinesOfOurs(t)
}

func TestRun(t *testing.T) {
	requireDocker(t)
	bin := echoBinary(t, true)
	ctx := t.Context()
	start := time.Now()
	c, err := integration.Run(ctx, image,
		integration.WithSpec("testdata/openapi.yaml"),
		integration.WithConfig("testdata/apigw-local.yaml"),
		integration.WithFunctionBinary("Echo", bin),
		integration.WithHandler("Greet", greet),
	)
	testcontainers.CleanupContainer(t, c)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("container started and healthy in %v", time.Since(start).Round(time.Millisecond))
	url, err := c.URL(ctx, "test")
	if err != nil {
		t.Fatal(err)
	}
	scenarios(t, server{url: url, usage: c.Usage, reset: c.Reset})

	id := c.GetContainerID()
	if err := c.Terminate(context.Background()); err != nil {
		t.Fatal(err)
	}
	if left := containersWithID(t, id); left > 0 {
		t.Errorf("container %s still exists after Terminate", id)
	}
	noGoroutinesOfOurs(t)
}

// requireDocker skips the test without Docker or the image, unless APIGW_REQUIRE_DOCKER=1 makes that a
// failure.
func requireDocker(t *testing.T) {
	t.Helper()
	miss := t.Skipf
	if os.Getenv("APIGW_REQUIRE_DOCKER") == "1" {
		miss = t.Fatalf
	}
	const how = "to run it: install Docker, build the image with `make image`, and set TESTCONTAINERS_RYUK_DISABLED=true and TESTCONTAINERS_HOST_OVERRIDE=127.0.0.1 (APIGW_REQUIRE_DOCKER=1 makes this a failure instead of a skip)"
	p, err := testcontainers.NewDockerProvider()
	if err != nil {
		miss("Docker is not available (%v); %s", err, how)
		return
	}
	defer p.Close()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if err := p.Health(ctx); err != nil {
		miss("Docker is not available (%v); %s", err, how)
		return
	}
	if _, err := p.Client().ImageInspect(ctx, image); err != nil {
		miss("the image %s is missing (%v); %s", image, err, how)
	}
}

// containersWithID counts the containers, running or not, with id (docker ps -a --filter id=...).
func containersWithID(t *testing.T, id string) int {
	t.Helper()
	p, err := testcontainers.NewDockerProvider()
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	res, err := p.Client().ContainerList(t.Context(), client.ContainerListOptions{All: true, Filters: make(client.Filters).Add("id", id)})
	if err != nil {
		t.Fatal(err)
	}
	return len(res.Items)
}

// noGoroutinesOfOurs checks that no goroutine runs code of this module but the test's own: Start's
// cleanup and Terminate wait for what they started (servers, function processes and their watchers, the
// handler clients), so it is checked at once, not polled. Goroutines of net/http and testcontainers that
// wind down on their own (idle keep-alive connections) are not ours to wait for.
func noGoroutinesOfOurs(t *testing.T) {
	t.Helper()
	// A goroutine that has signalled its end (a WaitGroup's Done in its last deferred call) may not have
	// returned yet when Close does: it shows as runnable on its closing brace. Look again, yielding the
	// processor in between so that it can return, and fail only on goroutines that stay through a
	// thousand yields: one that is still working is blocked somewhere, not on its way out.
	var left []string
	for range 1000 {
		left = left[:0]
		buf := make([]byte, 1<<20)
		buf = buf[:runtime.Stack(buf, true)]
		for _, g := range strings.Split(string(buf), "\n\n") {
			if strings.Contains(g, "github.com/apigw-local/apigw-local/") && !strings.Contains(g, "testing.tRunner") {
				left = append(left, g)
			}
		}
		if len(left) == 0 {
			return
		}
		runtime.Gosched()
	}
	for _, g := range left {
		t.Errorf("a goroutine of apigw-local is left running:\n%s", g)
	}
}

// processesOf lists the processes running the executable path (Linux: /proc/*/exe).
func processesOf(t *testing.T, path string) []string {
	t.Helper()
	if runtime.GOOS != "linux" {
		return nil
	}
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatal(err)
	}
	var pids []string
	for _, e := range entries {
		if exe, err := os.Readlink(filepath.Join("/proc", e.Name(), "exe")); err == nil && exe == path {
			pids = append(pids, e.Name())
		}
	}
	return pids
}
