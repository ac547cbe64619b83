package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
)

// TestUsageErrorSuggestions runs mistyped command lines through the root command's Execute and main's exit
// code mapping, as main does: a mistyped command or flag is a usage error (exit 2) whose message suggests
// what was probably meant.
func TestUsageErrorSuggestions(t *testing.T) {
	for _, tc := range []struct {
		args []string // the command line after apigw-local
		want string   // what is printed on stderr, exactly
	}{
		{[]string{"serv"}, "apigw-local: unknown command \"serv\" for \"apigw-local\"\n\nDid you mean this?\n\tserve\n\n"},
		{[]string{"valdate", "x.yaml"}, "apigw-local: unknown command \"valdate\" for \"apigw-local\"\n\nDid you mean this?\n\tvalidate\n\n"},
		{[]string{"serve", "--prot", "3000"}, "apigw-local: unknown flag: --prot for \"apigw-local serve\"\n\nDid you mean this?\n\t-p, --port\n"},
		{[]string{"validate", "--strcit"}, "apigw-local: unknown flag: --strcit for \"apigw-local validate\"\n\nDid you mean this?\n\t--strict\n"},
		{[]string{"routes", "--conf", "a.yaml"}, "apigw-local: unknown flag: --conf for \"apigw-local routes\"\n\nDid you mean this?\n\t-c, --config\n"},
		{[]string{"serve", "-P", "3000"}, "apigw-local: unknown shorthand flag: 'P' in -P for \"apigw-local serve\"\n\nDid you mean this?\n\t-p, --port\n"},
		{[]string{"serve", "--bogus"}, "apigw-local: unknown flag: --bogus\nRun 'apigw-local serve --help' for the flags of serve.\n"},
		{[]string{"validate", "--config"}, "apigw-local: flag needs an argument: --config\n"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			var out, errOut bytes.Buffer
			root := newRootCommand(&out, &errOut)
			root.SetArgs(tc.args)
			err := root.ExecuteContext(context.Background())
			var code int
			printed := captureStderr(t, func() { code = exitCode(err) })
			if code != 2 {
				t.Errorf("exit %d, want 2 (a usage error)", code)
			}
			if got := errOut.String() + printed; got != tc.want {
				t.Errorf("stderr:\n%q\nwant\n%q", got, tc.want)
			}
			if out.Len() > 0 {
				t.Errorf("stdout: %q, want nothing", out.String())
			}
		})
	}
}

// captureStderr returns what f writes to os.Stderr.
func captureStderr(t *testing.T, f func()) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	saved := os.Stderr
	os.Stderr = w
	defer func() { os.Stderr = saved }()
	f()
	w.Close()
	var b bytes.Buffer
	if _, err := b.ReadFrom(r); err != nil {
		t.Fatal(err)
	}
	return b.String()
}
