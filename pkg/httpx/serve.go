package httpx

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/relais-data/relais/pkg/app"
)

// DefaultShutdownTimeout bounds Serve's graceful shutdown.
const DefaultShutdownTimeout = 15 * time.Second

// NewServer returns an http.Server for h with a header read timeout and an
// idle timeout. It sets no read or write timeout: uploads and downloads of
// large files may take long.
func NewServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
}

// Serve serves srv on ln until ctx ends, then shuts down gracefully within
// DefaultShutdownTimeout, closing the remaining connections after it. It
// returns nil after a clean shutdown.
func Serve(ctx context.Context, srv *http.Server, ln net.Listener) error {
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		return fmt.Errorf("httpx: serve on %s: %w", ln.Addr(), err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), DefaultShutdownTimeout)
	defer cancel()
	return shutdown(sctx, srv)
}

// Module returns an app module that serves srv on ln, and shuts it down
// gracefully within the app's shutdown deadline. A Serve failure is
// reported with app.Fail.
func Module(name string, srv *http.Server, ln net.Listener, deps ...string) app.Module {
	return app.Module{
		Name: name,
		Deps: deps,
		Start: func(ctx context.Context) error {
			go func() {
				if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
					app.Fail(ctx, fmt.Errorf("serve HTTP on %s: %w", ln.Addr(), err))
				}
			}()
			return nil
		},
		Stop: func(ctx context.Context) error { return shutdown(ctx, srv) },
	}
}

func shutdown(ctx context.Context, srv *http.Server) error {
	if err := srv.Shutdown(ctx); err != nil {
		_ = srv.Close()
		return fmt.Errorf("httpx: graceful shutdown: %w", err)
	}
	return nil
}
