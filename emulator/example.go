package emulator

import (
	"crypto/sha256"
	"encoding/hex"

	"github.com/apigw-local/apigw-local/internal/spec"
)

// parseFallback is spec.Parse for the fallback spec. The embedded example API, which `serve` reads on every
// start without a spec, comes already parsed (example_api.go, generated from fixtures/example/openapi.yaml
// and checked against spec.Parse by TestExampleAPIIsGenerated): reading it with kin-openapi was the largest
// part of the start after package init. Any other data, name or base path mode is parsed.
func parseFallback(name string, data []byte, opts spec.Options) (*spec.API, spec.Findings) {
	if name == exampleName && opts.BasePathMode == "" && opts.Type == "" {
		if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) == exampleSHA256 {
			return exampleAPI()
		}
	}
	return spec.Parse(name, data, opts)
}
