package config

import (
	"os"
	"strings"
	"testing"
)

// The README's config sample is a config this package accepts, key for key.
func TestREADMEConfigSampleParses(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(readme), "### Config file (`apigw-local.yaml`)")
	if !ok {
		t.Fatal("README.md has no config file section")
	}
	_, rest, _ = strings.Cut(rest, "```yaml\n")
	sample, _, ok := strings.Cut(rest, "```")
	if !ok {
		t.Fatal("the config file section has no yaml block")
	}
	if _, err := Parse("README.md", []byte(sample)); err != nil {
		t.Errorf("the README's config sample: %v", err)
	}
}
