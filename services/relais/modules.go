package relais

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"path/filepath"
	"time"

	"github.com/relais-data/relais/pkg/app"
	"github.com/relais-data/relais/pkg/events"
	"github.com/relais-data/relais/pkg/grpcx"
	"github.com/relais-data/relais/pkg/sqldb"
	"github.com/relais-data/relais/pkg/telemetry"
	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
	"github.com/relais-data/relais/services/catalog"
	"github.com/relais-data/relais/services/gateway"
	"google.golang.org/grpc"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

// Module names. Which run in which target, and after what, is said once,
// in plan below.
const (
	modTelemetry   = "telemetry"
	modNATS        = "nats"
	modBus         = "bus"
	modCatalogDB   = "catalog-db"
	modCatalog     = "catalog"
	modStorageDB   = "storage-db"
	modStorage     = "storage"
	modPreviewDB   = "preview-db"
	modPreview     = "preview"
	modSearchDB    = "search-db"
	modSearch      = "search"
	modAnalyticsDB = "analytics-db"
	modAnalytics   = "analytics"
	modHarvestDB   = "harvest-db"
	modHarvest     = "harvest"
	modGateway     = "gateway"
	modDemo        = "demo"
)

// plan lists, for each target, the modules it runs. Dependencies between
// modules are declared on the modules themselves.
func plan(target string, cfg Config) []string {
	switch target {
	case "catalog":
		return []string{modTelemetry, modBus, modCatalogDB, modCatalog}
	case "storage":
		return []string{modTelemetry, modBus, modStorageDB, modStorage}
	case "preview":
		return []string{modTelemetry, modBus, modPreviewDB, modPreview}
	case "search":
		return []string{modTelemetry, modBus, modSearchDB, modSearch}
	case "analytics":
		return []string{modTelemetry, modBus, modAnalyticsDB, modAnalytics}
	case "harvest":
		if cfg.Events.URL == "" {
			return []string{modTelemetry, modHarvestDB, modHarvest} // runs queue in the process
		}
		return []string{modTelemetry, modBus, modHarvestDB, modHarvest}
	case "gateway":
		if cfg.Events.URL == "" {
			return []string{modTelemetry, modGateway} // views are not recorded
		}
		return []string{modTelemetry, modBus, modGateway}
	default: // all
		mods := []string{modTelemetry, modNATS, modBus, modCatalogDB, modCatalog, modStorageDB, modStorage, modPreviewDB, modPreview, modSearchDB, modSearch, modAnalyticsDB, modAnalytics, modHarvestDB, modHarvest, modGateway}
		if cfg.Demo.Load {
			mods = append(mods, modDemo)
		}
		return mods
	}
}

// Relais is one running binary: its configuration and the modules of its
// target, started in dependency order by pkg/app.
type Relais struct {
	cfg Config
	log *slog.Logger
	app *app.App

	nats       *events.Embedded
	bus        *events.Bus
	db         *sqldb.DB
	catalog    *catalog.Service
	grpcServer *grpcx.Server
	grpcAddr   net.Addr
	// gwGRPC serves health and reflection for -target=gateway.
	gwGRPC     *grpcx.Server
	gwGRPCAddr net.Addr
	st         storageModule
	pv         previewModule
	an         analyticsModule
	hv         harvestModule
	se         searchModule
	httpServer *http.Server
	httpAddr   net.Addr
	conn       *grpc.ClientConn
	gateway    *gateway.Gateway
	demo       DemoResult
	cancelRun  context.CancelFunc
	runDone    chan error
}

// New prepares the modules of cfg.Target; Run starts them.
func New(cfg Config, logger *slog.Logger) (*Relais, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.Target == "all" || cfg.Target == "catalog" {
		if err := cfg.ensureTokenSecret(); err != nil {
			return nil, err
		}
	}
	if err := cfg.ensureServiceToken(); err != nil {
		return nil, err
	}
	if err := cfg.ensureSessionKey(); err != nil {
		return nil, err
	}
	r := &Relais{cfg: cfg, log: logger}
	r.app = app.New(logger, app.Options{AdminAddr: cfg.AdminAddr})
	// Profiles on the admin address (loopback by default), next to /metrics.
	r.app.Handle("/debug/pprof/", http.HandlerFunc(pprof.Index))
	r.app.Handle("/debug/pprof/profile", http.HandlerFunc(pprof.Profile))
	r.app.Handle("/debug/pprof/trace", http.HandlerFunc(pprof.Trace))
	all := r.modules()
	for _, name := range plan(cfg.Target, cfg) {
		m, ok := all[name]
		if !ok {
			return nil, fmt.Errorf("target %s: no module %s", cfg.Target, name)
		}
		m.Name = name
		r.app.Add(m)
	}
	return r, nil
}

// Run starts the modules and blocks until ctx ends, then stops them in
// reverse order.
func (r *Relais) Run(ctx context.Context) error { return r.app.Run(ctx) }

// Started is closed once every module has started.
func (r *Relais) Started() <-chan struct{} { return r.app.Started() }

// HTTPAddr is the gateway's listen address once started (nil otherwise).
func (r *Relais) HTTPAddr() net.Addr { return r.httpAddr }

// GRPCAddr is the catalog's gRPC listen address once started.
func (r *Relais) GRPCAddr() net.Addr { return r.grpcAddr }

// GatewayGRPCAddr is where -target=gateway serves gRPC health and
// reflection once started (nil in other targets).
func (r *Relais) GatewayGRPCAddr() net.Addr { return r.gwGRPCAddr }

// AdminAddr is the address of /healthz, /readyz and /metrics.
func (r *Relais) AdminAddr() string { return r.app.AdminAddr() }

// Demo says what the demo module did (zero when it did not run).
func (r *Relais) Demo() DemoResult { return r.demo }

func (r *Relais) modules() map[string]app.Module {
	var shutdownTelemetry func(context.Context) error
	return map[string]app.Module{
		modTelemetry: {
			Start: func(ctx context.Context) (err error) {
				shutdownTelemetry, err = telemetry.Setup(ctx, r.cfg.Telemetry)
				return err
			},
			Stop: func(ctx context.Context) error { return shutdownTelemetry(ctx) },
		},
		modNATS: {
			Start: func(context.Context) (err error) {
				if r.cfg.Events.URL != "" {
					return nil // an external server is configured
				}
				r.nats, err = events.StartEmbedded(events.EmbeddedConfig{
					Host:       "127.0.0.1",
					Port:       r.cfg.Events.EmbeddedPort,
					StoreDir:   filepath.Join(r.cfg.DataDir, "nats"),
					ServerName: "relais",
				})
				if err != nil {
					return fmt.Errorf("start embedded nats: %w", err)
				}
				r.cfg.Events.URL = r.nats.ClientURL()
				return nil
			},
			Stop: func(context.Context) error {
				if r.nats != nil {
					r.nats.Shutdown()
				}
				return nil
			},
		},
		modBus: {
			Deps: r.optional(modNATS),
			Start: func(ctx context.Context) (err error) {
				r.bus, err = events.Connect(ctx, r.cfg.Events.Config, r.log)
				return err
			},
			Stop: func(context.Context) error { r.bus.Close(); return nil },
		},
		modCatalogDB: {
			Start: func(ctx context.Context) (err error) {
				r.db, err = sqldb.Open(ctx, r.cfg.Catalog.DB)
				return err
			},
			Stop: func(context.Context) error { return r.db.Close() },
		},
		modCatalog: {
			Deps:  []string{modTelemetry, modBus, modCatalogDB},
			Start: r.startCatalog,
			Stop:  r.stopCatalog,
		},
		modStorageDB: {
			Start: r.startStorageDB,
			Stop:  r.stopStorageDB,
		},
		modStorage: {
			Deps:  []string{modTelemetry, modBus, modStorageDB},
			Start: r.startStorage,
			Stop:  r.stopStorage,
		},
		modSearchDB: {
			Start: r.startSearchDB,
			Stop:  r.stopSearchDB,
		},
		modSearch: {
			Deps:  append([]string{modTelemetry, modBus, modSearchDB}, r.optional(modCatalog)...),
			Start: r.startSearch,
			Stop:  r.stopSearch,
			Ready: r.searchReady,
		},
		modAnalyticsDB: {
			Start: r.startAnalyticsDB,
			Stop:  r.stopAnalyticsDB,
		},
		modAnalytics: {
			Deps:  append([]string{modTelemetry, modBus, modAnalyticsDB}, r.optional(modCatalog)...),
			Start: r.startAnalytics,
			Stop:  r.stopAnalytics,
		},
		modHarvestDB: {
			Start: r.startHarvestDB,
			Stop:  r.stopHarvestDB,
		},
		modHarvest: {
			Deps:  append(append([]string{modTelemetry, modHarvestDB}, r.optional(modBus)...), r.optional(modCatalog)...),
			Start: r.startHarvest,
			Stop:  r.stopHarvest,
		},
		modPreviewDB: {
			Start: r.startPreviewDB,
			Stop:  r.stopPreviewDB,
		},
		modPreview: {
			Deps:  append(append([]string{modTelemetry, modBus, modPreviewDB}, r.optional(modCatalog)...), r.optional(modStorage)...),
			Start: r.startPreview,
			Stop:  r.stopPreview,
		},
		modGateway: {
			Deps: append(append(append(append([]string{modTelemetry}, r.optional(modBus)...), r.optional(modCatalog)...), r.optional(modStorage)...),
				append(append(r.optional(modPreview), r.optional(modSearch)...), r.optional(modAnalytics)...)...),
			Start: r.startGateway,
			Stop:  r.stopGateway,
		},
		modDemo: {
			Deps:  []string{modCatalog, modGateway},
			Start: r.startDemo,
		},
	}
}

// optional returns name as a dependency when the target runs it.
func (r *Relais) optional(name string) []string {
	for _, m := range plan(r.cfg.Target, r.cfg) {
		if m == name {
			return []string{name}
		}
	}
	return nil
}

func (r *Relais) startCatalog(ctx context.Context) error {
	svc, err := catalog.New(ctx, r.cfg.Catalog.Config, catalog.Deps{DB: r.db, Bus: r.bus, Log: r.log.With("service", "catalog")})
	if err != nil {
		return fmt.Errorf("catalog: %w", err)
	}
	r.catalog = svc
	r.grpcServer = grpcx.NewServer(grpcx.ServerOptions{Log: r.log, Authenticate: svc.Authenticate})
	svc.Register(r.grpcServer)
	// Per-service health, for probes naming the service (grpc-health-probe
	// -service=relais.catalog.v1.CatalogService).
	r.grpcServer.Health.SetServingStatus(catalogv1.CatalogService_ServiceDesc.ServiceName, healthpb.HealthCheckResponse_SERVING)
	ln, err := grpcx.Listen(r.cfg.Catalog.GRPCAddr)
	if err != nil {
		return fmt.Errorf("catalog grpc: %w", err)
	}
	r.grpcAddr = ln.Addr()
	go func() {
		if err := r.grpcServer.Serve(ln); err != nil && !errors.Is(err, grpc.ErrServerStopped) {
			r.log.Error("catalog grpc server stopped", "err", err)
		}
	}()
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	r.cancelRun = cancel
	r.runDone = make(chan error, 1)
	go func() { r.runDone <- svc.Run(runCtx) }()
	r.log.Info("catalog listening", "grpc_addr", r.grpcAddr.String())
	return nil
}

func (r *Relais) stopCatalog(ctx context.Context) error {
	// NOT_SERVING first, then a graceful stop (forced when ctx ends: the
	// outbox run below is still stopped).
	_ = r.grpcServer.Shutdown(ctx)
	r.cancelRun()
	select {
	case err := <-r.runDone:
		if err != nil && !errors.Is(err, context.Canceled) {
			return fmt.Errorf("catalog run: %w", err)
		}
	case <-ctx.Done():
		return fmt.Errorf("catalog run: %w", ctx.Err())
	}
	return nil
}

func (r *Relais) startGateway(ctx context.Context) error {
	target := r.cfg.Gateway.CatalogAddr
	if r.grpcAddr != nil {
		target = r.grpcAddr.String() // same process: still real gRPC, on loopback
	}
	conn, err := grpcx.Dial(target)
	if err != nil {
		return fmt.Errorf("dial catalog %s: %w", target, err)
	}
	r.conn = conn
	storageClient, err := r.dialStorage()
	if err != nil {
		return err
	}
	previewClient, err := r.dialPreview()
	if err != nil {
		return err
	}
	searchClient, err := r.dialSearch()
	if err != nil {
		return err
	}
	gw, err := gateway.New(r.cfg.Gateway, gateway.Deps{
		Catalog: catalogv1.NewCatalogServiceClient(conn), Storage: storageClient, Preview: previewClient,
		Search: searchClient, Events: r.viewEvents(), Analytics: r.dialAnalytics(), Log: r.log.With("service", "gateway"),
	})
	if err != nil {
		return fmt.Errorf("gateway: %w", err)
	}
	r.gateway = gw
	mux := http.NewServeMux()
	mux.Handle("/healthz", r.app.HealthzHandler())
	mux.Handle("/readyz", r.app.ReadyzHandler())
	mux.Handle("/", gw.Handler())
	ln, err := net.Listen("tcp", r.cfg.Gateway.Addr)
	if err != nil {
		return fmt.Errorf("gateway listen: %w", err)
	}
	r.httpAddr = ln.Addr()
	r.httpServer = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := r.httpServer.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			r.log.Error("gateway http server stopped", "err", err)
		}
	}()
	r.log.Info("gateway listening", "addr", r.httpAddr.String(), "public_url", r.cfg.Gateway.PublicURL)
	if r.grpcServer == nil {
		// Alone, the gateway still serves gRPC health and reflection, as
		// every target does.
		r.gwGRPC = grpcx.NewServer(grpcx.ServerOptions{Log: r.log})
		gln, err := grpcx.Listen(r.cfg.Gateway.GRPCAddr)
		if err != nil {
			return fmt.Errorf("gateway grpc: %w", err)
		}
		r.gwGRPCAddr = gln.Addr()
		go func() {
			if err := r.gwGRPC.Serve(gln); err != nil && !errors.Is(err, grpc.ErrServerStopped) {
				r.log.Error("gateway grpc server stopped", "err", err)
			}
		}()
		r.log.Info("gateway health listening", "grpc_addr", r.gwGRPCAddr.String())
	}
	return nil
}

func (r *Relais) stopGateway(ctx context.Context) error {
	err := r.httpServer.Shutdown(ctx)
	if r.gwGRPC != nil {
		err = errors.Join(err, r.gwGRPC.Shutdown(ctx))
	}
	// The download records still queued go to storage before it stops.
	err = errors.Join(err, r.gateway.Close(ctx), r.closeStorageConn(), r.closePreviewConn(), r.closeSearchConn(), r.closeAnalyticsConn())
	return errors.Join(err, r.conn.Close())
}
