package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"os"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/apigw-local/apigw-local/emulator"
	"github.com/apigw-local/apigw-local/internal/config"
	"github.com/apigw-local/apigw-local/internal/spec"
	"github.com/spf13/cobra"
)

type serveOptions struct {
	sourceFlags
	port      int
	host      string
	noWatch   bool
	logFormat string
	strict    bool
	allowHost []string
	// verbose lists the watched files at start.
	verbose bool
	// adminAllow are client addresses or CIDR ranges the admin endpoints accept besides loopback.
	adminAllow []string
	// limits, when set, replace the production connection limits (tests shorten them).
	limits *connLimits
}

func newServeCommand() *cobra.Command {
	o := &serveOptions{}
	cmd := &cobra.Command{
		Use:   "serve [SPEC ...]",
		Short: "Serve one or more exported specs (with none, the embedded example API)",
		RunE: func(cmd *cobra.Command, args []string) error {
			return runServe(cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr(), o, args)
		},
	}
	o.add(cmd)
	cmd.Flags().IntVarP(&o.port, "port", "p", 3000, "listen port (0 picks a free one)")
	cmd.Flags().StringVar(&o.host, "host", "127.0.0.1", "listen address")
	cmd.Flags().BoolVar(&o.noWatch, "no-watch", false, "disable hot reload (default: watch spec and config)")
	cmd.Flags().StringVar(&o.logFormat, "log-format", "text", "request log format: text or json")
	cmd.Flags().BoolVar(&o.strict, "strict", false, "refuse to start if the spec uses anything not emulated")
	cmd.Flags().StringSliceVar(&o.allowHost, "allow-host", nil, "a host name the admin endpoints accept besides localhost, 127.0.0.1, [::1] and *.execute-api.localhost (repeatable)")
	cmd.Flags().BoolVar(&o.verbose, "verbose", false, "list the files hot reload watches")
	cmd.Flags().StringSliceVar(&o.adminAllow, "admin-allow", nil, "a client address or CIDR range the admin endpoints accept besides loopback, e.g. 172.16.0.0/12 (repeatable; as admin.allowedClients)")
	return cmd
}

func runServe(ctx context.Context, out, errOut io.Writer, o *serveOptions, specs []string) error {
	if _, set := os.LookupEnv("GOGC"); !set {
		// See emulator.DefaultGCPercent for why and what it gains. GOGC overrides it.
		debug.SetGCPercent(emulator.DefaultGCPercent)
	}
	format := emulator.LogFormat(o.logFormat)
	if format != emulator.LogText && format != emulator.LogJSON {
		return fmt.Errorf("--log-format must be text or json, got %q", o.logFormat)
	}
	access := emulator.NewAccessLog(out, format, format == emulator.LogText && isTerminal(out))
	var clients []netip.Prefix
	for _, a := range o.adminAllow {
		p, err := netip.ParsePrefix(a)
		if err != nil {
			addr, aerr := netip.ParseAddr(a)
			if aerr != nil {
				return fmt.Errorf("--admin-allow %q: not an IP address or a CIDR range (e.g. 10.0.0.7, 172.16.0.0/12)", a)
			}
			p = netip.PrefixFrom(addr, addr.BitLen())
		}
		clients = append(clients, p.Masked())
	}
	src, err := o.sources(specs)
	if err != nil {
		return err
	}
	srv, loaded, err := emulator.NewServer(src, access, errOut, emulator.WithAllowedHosts(o.allowHost...), emulator.WithAdminClients(clients...), emulator.WithExternalHost(o.host))
	if err != nil {
		if loaded != nil {
			fmt.Fprint(errOut, errorsOnly(loaded.Findings))
		} else {
			fmt.Fprintln(errOut, err)
		}
		fmt.Fprintln(errOut, "apigw-local: nothing served; fix the errors above (apigw-local validate lists every finding)")
		return exitError{1}
	}
	for _, f := range loaded.Findings {
		if f.Severity == spec.Warning {
			fmt.Fprintln(errOut, f.String())
		}
	}
	if o.strict && loaded.Findings.Count(spec.Warning) > 0 {
		fmt.Fprintln(errOut, "apigw-local: --strict: the spec uses features that are not emulated (warnings above)")
		return exitError{1}
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(o.host, strconv.Itoa(o.port)))
	if err != nil {
		fmt.Fprintf(errOut, "apigw-local: cannot listen: %v\n", err)
		return exitError{1}
	}
	if w := exposureWarning(o.host); w != "" {
		fmt.Fprintln(errOut, w)
	}
	base := "http://" + ln.Addr().String()
	snap := srv.Gateway.Snapshot()
	if loaded.Embedded {
		fmt.Fprintln(out, "serving the embedded example API (pass a spec file to serve your own)")
	}
	routes := srv.Gateway.Routes()
	served := 0
	for _, r := range routes {
		if r.Served {
			served++
		}
	}
	for _, a := range snap.APIs {
		for _, st := range a.StageNames {
			host := base
			if len(snap.APIs) > 1 {
				host = "http://" + a.ID + ".execute-api.localhost:" + strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
			}
			if st == config.DefaultHTTPStage {
				fmt.Fprintf(out, "stage %s: %s/ (an HTTP API's $default stage has no stage segment)\n", st, host)
			} else {
				fmt.Fprintf(out, "stage %s: %s/%s\n", st, host, st)
			}
		}
	}
	fmt.Fprintf(out, "%d routes (%d served, %d answer 500: see apigw-local routes); admin: %s/_apigw/health\n", len(routes), served, len(routes)-served, base)
	if !o.noWatch && !loaded.Embedded {
		if err := srv.Watch(ctx); err != nil {
			fmt.Fprintln(errOut, "hot reload disabled:", err)
		} else {
			files := srv.Files()
			noun := "files"
			if len(files) == 1 {
				noun = "file"
			}
			fmt.Fprintf(out, "hot reload: watching %d %s (specs, config, function binaries; --no-watch turns it off, --verbose lists them)\n", len(files), noun)
			if o.verbose {
				for _, f := range files {
					fmt.Fprintf(out, "  watching %s\n", f)
				}
			}
		}
	}
	fmt.Fprintf(out, "listening on %s\n", base)

	var integrationMax time.Duration // 0: AWS's default
	if snap.Config != nil {
		integrationMax = snap.Config.IntegrationTimeoutMax.Duration
	}
	limits := productionLimits(integrationMax)
	if o.limits != nil {
		limits = *o.limits
	}
	hs := limits.server(srv.Gateway)
	capped := newCapListener(ln, limits.maxConns, errOut, limits.fdLimit)
	// Header names as clients write them reach templates and proxy events, as on API Gateway.
	hs.ConnContext = emulator.WireConnContext
	done := make(chan error, 1)
	go func() { done <- hs.Serve(emulator.WireNames(capped)) }()
	select {
	case err := <-done:
		_ = srv.Gateway.Close() // no Lambda process outlives the server
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	start := time.Now()
	fmt.Fprintf(out, "stopping: requests in flight have %v, then every Lambda process is stopped (again to exit now)\n", requestGrace)
	stop(hs, srv.Gateway)
	fmt.Fprintf(out, "stopped in %v\n", time.Since(start).Round(time.Millisecond))
	return nil
}

// The stop's budget: main forces the exit 4.5 s after the signal; these phases end well before.
const (
	// requestGrace is how long requests in flight may take to finish once the server stops accepting.
	requestGrace = 2 * time.Second
	// answerGrace is how long requests still running when the functions are stopped (their invocation
	// now fails) get to write that answer before their connections are closed.
	answerGrace = 500 * time.Millisecond
)

// stop ends serving in bounded time: no new connections, requestGrace for the requests in flight, then
// every Lambda function is stopped (lambdarun: SIGTERM to each process group, SIGKILL 500 ms later,
// returning once every process has been reaped), which fails the invocations still running; their
// requests get answerGrace to answer, then every connection left is closed.
func stop(hs *http.Server, gw io.Closer) {
	ctx, cancel := context.WithTimeout(context.Background(), requestGrace)
	err := hs.Shutdown(ctx)
	cancel()
	_ = gw.Close()
	if err == nil {
		return
	}
	ctx, cancel = context.WithTimeout(context.Background(), answerGrace)
	defer cancel()
	if hs.Shutdown(ctx) != nil {
		_ = hs.Close()
	}
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// exposureWarning says what binding host makes reachable from other machines ("" for a loopback address).
func exposureWarning(host string) string {
	if host == "localhost" {
		return ""
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return ""
	}
	return fmt.Sprintf("apigw-local: warning: listening on %q, not a loopback address: every API served here, the Lambda functions behind it and the Runtime API endpoints of external functions (which take any runtime) can be called from other machines (protected only by the authorizers, keys and policies the specs and config set up, with the local development key trusted for pools with jwks: dev); the admin endpoints (/_apigw/) still answer loopback clients only, unless admin.allowedClients in the config opens them", host)
}
