package main

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/apigw-local/apigw-local/internal/fixturebin"
)

// --function NAME=COMMAND overrides a function the config gives and adds one it lacks; --external
// NAME=PORT makes a function external, its endpoint listening from the start.
func TestServeFunctionAndExternalFlags(t *testing.T) {
	fixtures, err := fixturebin.Dir()
	if err != nil {
		t.Fatal(err)
	}
	echo := filepath.Join(fixtures, "echo")
	dir := t.TempDir()
	fn := func(name string) string {
		return "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:" + name + "/invocations"
	}
	writeFile(t, filepath.Join(dir, "api.yaml"), `openapi: "3.0.1"
info: {title: fn, version: "1"}
paths:
  /configured:
    get:
      x-amazon-apigateway-integration: {type: aws_proxy, httpMethod: POST, uri: "`+fn("Configured")+`"}
  /added:
    get:
      x-amazon-apigateway-integration: {type: aws_proxy, httpMethod: POST, uri: "`+fn("Added")+`"}
  /external:
    get:
      x-amazon-apigateway-integration: {type: aws_proxy, httpMethod: POST, uri: "`+fn("Ext")+`"}
`)
	// The configured command does not exist: without the override, nothing would be served.
	writeFile(t, filepath.Join(dir, "apigw-local.yaml"), "specs: [api.yaml]\nfunctions:\n  Configured: {command: [./missing], timeout: 5s}\n")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	s := startServe(t, dir, "--no-watch", "--function", "Configured="+echo, "--function", "Added="+echo, "--external", "Ext="+strconv.Itoa(port))
	for _, path := range []string{"/dev/configured", "/dev/added"} {
		resp, err := http.Get(s.url + path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !bytes.Contains(b, []byte(`"httpMethod":"GET"`)) {
			t.Errorf("GET %s: %d %s", path, resp.StatusCode, b)
		}
	}
	c, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		t.Fatalf("the external function's Runtime API endpoint is not listening: %v", err)
	}
	c.Close()
}

func TestFunctionFlagUsage(t *testing.T) {
	for _, args := range [][]string{
		{"validate", "--function", "Echo"},
		{"validate", "--function", "=./echo"},
		{"validate", "--external", "Ext=0"},
		{"routes", "--external", "Ext=http"},
		{"validate", "--external", "A=9001", "--external", "B=9001"},
	} {
		var out bytes.Buffer
		cmd := newRootCommand(&out, &out)
		cmd.SetArgs(args)
		err := cmd.Execute()
		if err == nil || (!strings.Contains(err.Error(), "want NAME=") && !strings.Contains(err.Error(), "already")) {
			t.Errorf("%v: %v, want a usage error", args, err)
		}
	}
}
