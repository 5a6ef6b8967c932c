// Package app runs the modules of a Relais process: it starts them in
// dependency order, serves the admin endpoints (/healthz, /readyz,
// /metrics), waits for the end of the context, and stops the modules in
// reverse order within a bounded shutdown timeout.
//
// The modules of a target are listed in one place, Loki/Tempo-style:
//
//	a := app.New(logger, app.Options{AdminAddr: ":9090"})
//	a.Add(app.Module{Name: "db", Start: db.Open, Stop: db.Close})
//	a.Add(app.Module{Name: "catalog-grpc", Deps: []string{"db"}, Start: …, Stop: …})
//	err := a.Run(ctx) // ctx from signal.NotifyContext
package app

import (
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// DefaultShutdownTimeout bounds the stop phase when Options leaves it zero.
const DefaultShutdownTimeout = 15 * time.Second

// Options configures an App.
type Options struct {
	// AdminAddr is where /healthz, /readyz and /metrics are served, e.g.
	// ":9090" or "127.0.0.1:0"; "" means no admin server.
	AdminAddr string
	// ShutdownTimeout is the deadline of the contexts given to Stop, for the
	// whole stop phase; zero means 15s. A Stop that overruns it by a second
	// is abandoned; the next modules are still stopped, each given a second.
	ShutdownTimeout time.Duration
}

// App is a set of modules with a lifecycle. Its methods are safe for
// concurrent use; Run may be called once.
type App struct {
	log  *slog.Logger
	opts Options
	mux  *http.ServeMux

	mu        sync.Mutex
	modules   []Module
	running   bool
	phase     phase
	started   []*runningModule // in start order
	adminAddr string

	startedCh chan struct{}
	failCh    chan error // buffered, first failure wins
}

// phase is where the App is in its lifecycle.
type phase int

const (
	phaseStarting phase = iota
	phaseRunning
	phaseDraining
)

// New returns an App; add modules with Add, then call Run.
func New(log *slog.Logger, opts Options) *App {
	if opts.ShutdownTimeout <= 0 {
		opts.ShutdownTimeout = DefaultShutdownTimeout
	}
	a := &App{
		log:       log,
		opts:      opts,
		mux:       http.NewServeMux(),
		startedCh: make(chan struct{}),
		failCh:    make(chan error, 1),
	}
	a.mux.Handle("GET /healthz", a.HealthzHandler())
	a.mux.Handle("GET /readyz", a.ReadyzHandler())
	a.mux.Handle("GET /metrics", promhttp.Handler())
	return a
}

// Add registers a module. Run starts the modules in the order they were
// added, each one preceded by its not yet started dependencies (in the order
// of its Deps).
func (a *App) Add(m Module) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.modules = append(a.modules, m)
}

// Handle adds a route to the admin server (e.g. pprof).
func (a *App) Handle(pattern string, h http.Handler) {
	a.mux.Handle(pattern, h)
}

// Started is closed once every module has started.
func (a *App) Started() <-chan struct{} {
	return a.startedCh
}

// AdminAddr returns the address the admin server listens on (useful with
// port 0), or "" before Run has bound it or when there is none. It is set
// before the first module starts.
func (a *App) AdminAddr() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.adminAddr
}
