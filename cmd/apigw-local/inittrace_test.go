package main

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// maxInitBytes bounds what any package of this module may allocate while the binary starts, before main
// runs: package initialization is paid by every `serve` before its first answer, whether the work is used or
// not. Work such as compiling regexps belongs at first use (sync.OnceValue); the compiled patterns of
// internal/config alone were 628 KB and 3.7 ms of every start, those of internal/spec 218 KB. Allocated bytes,
// unlike durations, are the same on every run.
const maxInitBytes = 4096

// maxDependencyInitBytes bounds the same for a dependency's package. The largest today is regexp2's syntax
// tables (140 KB, for the VTL engine's Java regular expressions). kin-openapi from v0.136.0 on links
// santhosh-tekuri/jsonschema, whose init compiles five metaschemas: 1.7 MB and 10-13 ms of every start, which
// is why go.mod holds kin-openapi at v0.135.0 until a validator needs more.
const maxDependencyInitBytes = 256 << 10

// The init trace counts the allocations of each package's initialization; a package that does no work at
// initialization is not listed.
func TestStartupInitsAllocateLittle(t *testing.T) {
	cmd := exec.Command(binary, "version")
	godebug := "inittrace=1"
	if v := os.Getenv("GODEBUG"); v != "" {
		godebug = v + "," + godebug
	}
	cmd.Env = append(os.Environ(), "GODEBUG="+godebug)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("apigw-local version: %v\n%s", err, stderr.String())
	}
	traced := 0
	sc := bufio.NewScanner(&stderr)
	for sc.Scan() {
		// init github.com/apigw-local/apigw-local/internal/config @2.1 ms, 0.032 ms clock, 768 bytes, 24 allocs
		f := strings.Fields(sc.Text())
		if len(f) != 11 || f[0] != "init" || f[8] != "bytes," {
			continue
		}
		traced++
		n, err := strconv.Atoi(f[7])
		if err != nil {
			t.Fatalf("init trace line %q: %v", sc.Text(), err)
		}
		if !strings.HasPrefix(f[1], module+"/") && f[1] != module {
			if n > maxDependencyInitBytes {
				t.Errorf("dependency %s allocates %d bytes at initialization (at most %d): every start pays for it", f[1], n, maxDependencyInitBytes)
			}
			continue
		}
		if n > maxInitBytes {
			t.Errorf("package %s allocates %d bytes at initialization (at most %d): move the work to its first use", f[1], n, maxInitBytes)
		}
	}
	if traced == 0 {
		t.Fatalf("no init trace in the output of GODEBUG=%s apigw-local version:\n%s", godebug, stderr.String())
	}
}

// module is this module's path, the prefix of the packages the test holds to maxInitBytes.
const module = "github.com/apigw-local/apigw-local"
