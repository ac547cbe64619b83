package archtest

import (
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/apigw-local/apigw-local"

// layers is ARCHITECTURE.md's package map: a package may import only packages of a lower layer. Keep
// the two in step.
var layers = map[string]int{
	"cmd/apigw-local":     60,
	"internal/benchtable": 60, // make bench's comparison table: a program, imported by nothing

	"integration": 55, // what users import in their tests (testcontainers module, in-process starter)

	"emulator": 50,

	"emulator/internal/authorizer": 45,

	"emulator/internal/httpintegration":   40,
	"emulator/internal/lambdaintegration": 40,

	"mock":                          30,
	"lambdarun":                     30,
	"emulator/internal/lambdaproxy": 30,
	"emulator/internal/router":      30,
	"emulator/internal/cors":        30,
	"emulator/internal/validator":   30,
	"emulator/internal/parammap":    30,
	"emulator/internal/stagecache":  30,
	"emulator/internal/throttle":    30,

	"internal/integration":     24,
	"internal/mapping":         23,
	"internal/gatewayresponse": 22,
	"internal/spec":            21,
	"internal/config":          21,
	"internal/awsimport":       22,
	"internal/reqctx":          21,
	"internal/findings":        20,
	"internal/sigv4":           20, // AWS_IAM signature verification; imports no internal package
	"internal/iampolicy":       20,
	"internal/devkey":          20,
	"internal/trafficreport":   20, // simulate's and replay's HTML report

	"vtl":              10,
	"fixtures":         12,
	"fixtures/lambdas": 12,
	"fixtures/authz":   11, // the fixture authorizers' decisions, for the example API and the handlers

	// Test support, imported by _test.go files only (checked below).
	"internal/testcorpus":   5,
	"internal/fixturebin":   5,
	"internal/archtest":     5,
	"internal/chromiumtest": 5, // headless Chromium for the tests of pages
}

// testOnly are packages no non-test code may import.
var testOnly = map[string]bool{"internal/testcorpus": true, "internal/fixturebin": true, "internal/archtest": true, "internal/chromiumtest": true}

func TestImportsPointDown(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}}|{{join .Imports \" \"}}|{{join .TestImports \" \"}} {{join .XTestImports \" \"}}", module+"/...").Output()
	if err != nil {
		t.Skipf("go list is not available here: %v", err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		parts := strings.SplitN(line, "|", 3)
		pkg := rel(parts[0])
		if strings.HasPrefix(pkg, "fixtures/lambdas/") {
			continue // the Lambda handler programs tests build: main packages, imported by nothing
		}
		from, ok := layers[pkg]
		if !ok {
			t.Errorf("package %s is in no layer: add it to ARCHITECTURE.md's package map and to layers here", pkg)
			continue
		}
		for _, imp := range strings.Fields(parts[1]) {
			if !strings.HasPrefix(imp, module+"/") {
				continue
			}
			to, ok := layers[rel(imp)]
			switch {
			case !ok:
				t.Errorf("%s imports %s, which is in no layer", pkg, rel(imp))
			case testOnly[rel(imp)]:
				t.Errorf("%s imports the test-only package %s outside its tests", pkg, rel(imp))
			case to >= from:
				t.Errorf("%s (layer %d) imports %s (layer %d): imports must point down the layers of ARCHITECTURE.md", pkg, from, rel(imp), to)
			}
		}
	}
}

// TestLayersMatchArchitectureDoc checks that every package of the table is named in ARCHITECTURE.md.
func TestLayersMatchArchitectureDoc(t *testing.T) {
	doc, err := os.ReadFile("../../ARCHITECTURE.md")
	if err != nil {
		t.Fatalf("ARCHITECTURE.md: %v", err)
	}
	var missing []string
	for pkg := range layers {
		if !strings.Contains(string(doc), "`"+pkg+"`") {
			missing = append(missing, strconv.Quote(pkg))
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("ARCHITECTURE.md does not name %s", strings.Join(missing, ", "))
	}
}

func rel(importPath string) string {
	return strings.TrimPrefix(strings.TrimPrefix(importPath, module), "/")
}
