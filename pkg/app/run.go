package app

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"slices"
	"time"
)

// runningModule is a started module and the cancel of its Start context.
type runningModule struct {
	Module
	cancel context.CancelFunc
}

// Run starts the modules, serves the admin endpoints, waits until ctx is
// done or a module fails (see Fail), then stops the started modules in
// reverse order within the shutdown timeout. It returns nil after a clean
// shutdown, else the start, failure and stop errors joined. The end of ctx
// during the start phase is a clean shutdown too.
func (a *App) Run(ctx context.Context) error {
	a.mu.Lock()
	if a.running {
		a.mu.Unlock()
		return errors.New("app: Run called twice")
	}
	a.running = true
	modules := slices.Clone(a.modules)
	a.mu.Unlock()

	ordered, err := order(modules)
	if err != nil {
		return fmt.Errorf("app: %w", err)
	}
	admin, adminErr, err := a.serveAdmin()
	if err != nil {
		return err
	}

	startErr := a.startAll(ctx, ordered)
	var runErr error
	if startErr == nil && ctx.Err() == nil {
		a.setPhase(phaseRunning)
		close(a.startedCh)
		a.log.Info("all modules started", "modules", len(ordered))
		select {
		case <-ctx.Done():
			a.log.Info("shutting down", "cause", context.Cause(ctx).Error())
		case runErr = <-a.failCh:
			a.log.Info("shutting down after a module failure")
		case err := <-adminErr:
			runErr = fmt.Errorf("app: admin server: %w", err)
			a.log.Info("shutting down after an admin server failure")
		}
	}
	a.setPhase(phaseDraining)

	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), a.opts.ShutdownTimeout)
	defer cancel()
	errs := append([]error{startErr, runErr}, a.stopAll(sctx)...)
	if admin != nil {
		if err := admin.Shutdown(sctx); err != nil {
			_ = admin.Close()
		}
	}
	return errors.Join(errs...)
}

// serveAdmin starts the admin HTTP server, when configured. The returned
// channel receives the error that ended Serve early.
func (a *App) serveAdmin() (*http.Server, <-chan error, error) {
	if a.opts.AdminAddr == "" {
		return nil, nil, nil
	}
	ln, err := net.Listen("tcp", a.opts.AdminAddr)
	if err != nil {
		return nil, nil, fmt.Errorf("app: listen on admin address %s: %w", a.opts.AdminAddr, err)
	}
	a.mu.Lock()
	a.adminAddr = ln.Addr().String()
	a.mu.Unlock()

	srv := &http.Server{Handler: a.mux, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() {
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			errc <- err
		}
	}()
	a.log.Info("admin server listening", "addr", ln.Addr().String())
	return srv, errc, nil
}

// startAll starts the modules in order. It stops at the first error, and
// quietly when ctx ends.
func (a *App) startAll(ctx context.Context, ordered []Module) error {
	for _, m := range ordered {
		if ctx.Err() != nil {
			return nil
		}
		// The module's context outlives ctx (so that its goroutines keep
		// running until it is stopped) except while Start is running.
		mctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		mctx = context.WithValue(mctx, failKey{}, failer{app: a, module: m.Name})
		unlink := context.AfterFunc(ctx, cancel)

		begin := time.Now()
		err := m.Start(mctx)
		unlink()
		if err != nil {
			cancel()
			if ctx.Err() != nil {
				a.log.Info("module start interrupted", "module", m.Name, "err", err)
				return nil
			}
			return fmt.Errorf("app: start module %s: %w", m.Name, err)
		}
		a.mu.Lock()
		a.started = append(a.started, &runningModule{Module: m, cancel: cancel})
		a.mu.Unlock()
		a.log.Info("module started", "module", m.Name, "duration", time.Since(begin))
	}
	return nil
}

// stopGrace is how long Run still waits for a Stop past the shutdown
// deadline (or past its call, when called after the deadline): enough to
// close files and connections, not enough to hang.
const stopGrace = time.Second

// stopAll stops the started modules in reverse order, each with ctx. A Stop
// overrunning stopGrace is abandoned (left running) and reported, and the
// next modules are still stopped.
func (a *App) stopAll(ctx context.Context) []error {
	a.mu.Lock()
	started := slices.Clone(a.started)
	a.mu.Unlock()

	var errs []error
	for _, m := range slices.Backward(started) {
		begin := time.Now()
		if err := stopOne(ctx, m.Module); err != nil {
			errs = append(errs, fmt.Errorf("app: stop module %s: %w", m.Name, err))
		}
		m.cancel()
		a.log.Info("module stopped", "module", m.Name, "duration", time.Since(begin))
	}
	return errs
}

// stopOne calls m.Stop(ctx) and waits for it until stopGrace after ctx's
// deadline, or after now when the deadline has passed.
func stopOne(ctx context.Context, m Module) error {
	if m.Stop == nil {
		return nil
	}
	limit := time.Now()
	if deadline, ok := ctx.Deadline(); ok && deadline.After(limit) {
		limit = deadline
	}
	timer := time.NewTimer(time.Until(limit.Add(stopGrace)))
	defer timer.Stop()

	done := make(chan error, 1)
	go func() { done <- m.Stop(ctx) }()
	select {
	case err := <-done:
		return err
	case <-timer.C:
		return fmt.Errorf("abandoned after the shutdown timeout: %w", context.DeadlineExceeded)
	}
}

func (a *App) setPhase(p phase) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.phase = p
}
