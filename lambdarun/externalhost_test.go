package lambdarun

import (
	"context"
	"net"
	"strconv"
	"testing"
)

// ExternalHost is where the external endpoint listens (serve --host 0.0.0.0 in a container).
func TestExternalHost(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		t.Skipf("no 127.0.0.2 here: %v", err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	f, err := Start(context.Background(), Config{Name: "ext", ExternalPort: port, ExternalHost: "127.0.0.2"})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	c, err := net.Dial("tcp", "127.0.0.2:"+strconv.Itoa(port))
	if err != nil {
		t.Fatalf("the endpoint does not listen on ExternalHost: %v", err)
	}
	c.Close()
}
