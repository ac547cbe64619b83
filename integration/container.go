package integration

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/testcontainers/testcontainers-go"
	"github.com/testcontainers/testcontainers-go/wait"
)

// Port is the port apigw-local listens on inside the container.
const Port = "3000/tcp"

// Container is a running apigw-local container.
type Container struct {
	testcontainers.Container

	// stopRuntimes ends the Runtime API clients serving WithHandler functions; nil without any.
	stopRuntimes func()
	stopOnce     sync.Once
}

// Run starts the apigw-local image img (e.g. "apigw-local:dev", built by `make image`) with opts, and
// waits until /_apigw/health answers 200. Like testcontainers-go's modules it returns the container even
// with an error, once one was created, so that testcontainers.CleanupContainer can be deferred before the
// error check. Options of this package copy the specs, the config and handler binaries into /work and
// pass the specs as the command's arguments; any other testcontainers.ContainerCustomizer applies as well.
func Run(ctx context.Context, img string, opts ...testcontainers.ContainerCustomizer) (*Container, error) {
	var s settings
	for _, o := range opts {
		if o, ok := o.(Option); ok {
			o.apply(&s)
		}
	}
	all := append([]testcontainers.ContainerCustomizer{
		testcontainers.WithExposedPorts(Port),
		testcontainers.WithWaitStrategy(wait.ForHTTP("/_apigw/health").WithPort(Port).WithStartupTimeout(60 * time.Second)),
	}, opts...)
	ctr, err := testcontainers.Run(ctx, img, all...)
	var c *Container
	if ctr != nil {
		c = &Container{Container: ctr}
	}
	if err != nil {
		return c, fmt.Errorf("integration: run %s: %w", img, err)
	}
	if len(s.handlers) > 0 {
		c.stopRuntimes, err = c.serveHandlers(ctx, s.handlers)
		if err != nil {
			return c, err
		}
	}
	return c, nil
}

// URL is the base URL of stage: http://host:port/{stage}.
func (c *Container) URL(ctx context.Context, stage string) (string, error) {
	base, err := c.base(ctx)
	if err != nil {
		return "", err
	}
	return base + "/" + stage, nil
}

func (c *Container) base(ctx context.Context) (string, error) {
	return c.PortEndpoint(ctx, Port, "http")
}

// Usage is the usage of keyID under its usage plan (GET /_apigw/usage?keyId=...).
func (c *Container) Usage(ctx context.Context, keyID string) (*Usage, error) {
	base, err := c.base(ctx)
	if err != nil {
		return nil, err
	}
	return getUsage(ctx, http.DefaultClient, base, keyID)
}

// Reset refills every token bucket and forgets every quota count and the authorizer cache
// (POST /_apigw/reset).
func (c *Container) Reset(ctx context.Context) error {
	base, err := c.base(ctx)
	if err != nil {
		return err
	}
	return reset(ctx, http.DefaultClient, base)
}

// Terminate stops the Runtime API clients serving WithHandler functions, then the container.
func (c *Container) Terminate(ctx context.Context, opts ...testcontainers.TerminateOption) error {
	c.stop()
	if c.Container == nil {
		return errors.New("integration: no container")
	}
	return c.Container.Terminate(ctx, opts...)
}

func (c *Container) stop() {
	c.stopOnce.Do(func() {
		if c.stopRuntimes != nil {
			c.stopRuntimes()
		}
	})
}
