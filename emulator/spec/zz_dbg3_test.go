package spec

import (
	"fmt"
	"testing"

	"gopkg.in/yaml.v3"
)

func TestZZDup(t *testing.T) {
	for _, s := range []string{`{"a": "\ud83d\ude00"}`, `{"a": "\u00e9"}`, `{"a": "x\/y"}`, "{\"a\": \"tab\there\"}", `{"a": "\u0000"}`, "{\"a\":\n\t{\"b\": 1}}", `{"a":1,"a":2}`} {
		var n yaml.Node
		err := yaml.Unmarshal([]byte(s), &n)
		fmt.Printf("%s -> %v\n", s, err)
	}
}
