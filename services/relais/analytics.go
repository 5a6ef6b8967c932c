package relais

import (
	"context"
	"errors"
	"fmt"
	"net"
	"path/filepath"

	"google.golang.org/grpc"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/relais-data/relais/pkg/grpcx"
	"github.com/relais-data/relais/pkg/sqldb"
	analyticsv1 "github.com/relais-data/relais/proto/relais/analytics/v1"
	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
	"github.com/relais-data/relais/services/analytics"
	"github.com/relais-data/relais/services/gateway"
)

// AnalyticsConfig is the analytics service's configuration (its database)
// and where it listens.
type AnalyticsConfig struct {
	analytics.Config `yaml:",inline"`
	GRPCAddr         string `yaml:"grpc_addr" usage:"gRPC listen address of the analytics service"`
	// CatalogAddr is where -target=analytics sends figures (with
	// catalog_api_key); empty keeps them in the analytics service only.
	CatalogAddr string `yaml:"catalog_addr" usage:"gRPC address of the catalog the figures are sent to (-target=analytics)"`
}

// analyticsModule is the analytics service of a running target.
type analyticsModule struct {
	db   *sqldb.DB
	svc  *analytics.Service
	grpc *grpcx.Server
	addr net.Addr
	stop context.CancelFunc
	done chan error
	conn *grpc.ClientConn // to the catalog
	gw   *grpc.ClientConn // the gateway's
}

// AnalyticsGRPCAddr is the analytics service's gRPC listen address once
// started (nil in targets that do not run it).
func (r *Relais) AnalyticsGRPCAddr() net.Addr { return r.an.addr }

func (r *Relais) startAnalyticsDB(ctx context.Context) (err error) {
	r.an.db, err = sqldb.Open(ctx, r.cfg.Analytics.DB)
	if err != nil {
		return fmt.Errorf("analytics database: %w", err)
	}
	return nil
}

func (r *Relais) stopAnalyticsDB(context.Context) error { return r.an.db.Close() }

// startAnalytics serves the analytics service on its own gRPC server and
// counts the events of the bus.
func (r *Relais) startAnalytics(ctx context.Context) error {
	log := r.log.With("service", "analytics")
	cfg := r.cfg.Analytics.Config
	deps := analytics.Deps{DB: r.an.db, Bus: r.bus, Log: log}
	target := r.cfg.Analytics.CatalogAddr
	if r.grpcAddr != nil {
		target = r.grpcAddr.String() // this process's catalog, over loopback gRPC
		if cfg.CatalogAPIKey == "" {
			key, err := r.serviceCatalogKey(ctx, "analytics")
			if err != nil {
				return fmt.Errorf("analytics catalog token: %w", err)
			}
			cfg.CatalogAPIKey = key
		}
	}
	if target != "" {
		conn, err := grpcx.Dial(target)
		if err != nil {
			return fmt.Errorf("analytics: dial catalog %s: %w", target, err)
		}
		r.an.conn = conn
		deps.Catalog = catalogv1.NewCatalogServiceClient(conn)
	}
	svc, err := analytics.New(ctx, cfg, deps)
	if err != nil {
		return err
	}
	r.an.svc = svc
	r.an.grpc = grpcx.NewServer(grpcx.ServerOptions{Log: log})
	svc.Register(r.an.grpc)
	r.an.grpc.Health.SetServingStatus(analyticsv1.AnalyticsService_ServiceDesc.ServiceName, healthpb.HealthCheckResponse_SERVING)
	ln, err := grpcx.Listen(r.cfg.Analytics.GRPCAddr)
	if err != nil {
		return fmt.Errorf("analytics grpc: %w", err)
	}
	r.an.addr = ln.Addr()
	go func() {
		if err := r.an.grpc.Serve(ln); err != nil && !errors.Is(err, grpc.ErrServerStopped) {
			log.Error("analytics grpc server stopped", "err", err)
		}
	}()
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	r.an.stop = cancel
	r.an.done = make(chan error, 1)
	go func() { r.an.done <- svc.Run(runCtx) }()
	log.Info("analytics listening", "grpc_addr", r.an.addr.String())
	return nil
}

func (r *Relais) stopAnalytics(ctx context.Context) error {
	_ = r.an.grpc.Shutdown(ctx)
	r.an.stop()
	select {
	case err := <-r.an.done:
		if err != nil && !errors.Is(err, context.Canceled) {
			return fmt.Errorf("analytics run: %w", err)
		}
	case <-ctx.Done():
		return fmt.Errorf("analytics run: %w", ctx.Err())
	}
	if r.an.conn != nil {
		return r.an.conn.Close()
	}
	return nil
}

// finishAnalytics fills the analytics defaults that depend on the data
// directory: its SQLite file.
func (c *Config) finishAnalytics() {
	if c.Analytics.DB.Driver == "" {
		c.Analytics.DB.Driver = "sqlite"
	}
	if c.Analytics.DB.Driver == "sqlite" && c.Analytics.DB.DSN == "" {
		c.Analytics.DB.DSN = filepath.Join(c.DataDir, "analytics.db")
	}
}

// dialAnalytics connects the gateway to the analytics service: the one of
// this process when it runs one, else gateway.analytics_addr; none leaves
// the metrics API answering 503.
func (r *Relais) dialAnalytics() analyticsv1.AnalyticsServiceClient {
	target := r.cfg.Gateway.AnalyticsAddr
	if r.an.addr != nil {
		target = r.an.addr.String()
	}
	if target == "" {
		return nil
	}
	conn, err := grpcx.Dial(target) // lazy: never fails on the address alone
	if err != nil {
		r.log.Error("metrics API disabled", "analytics_addr", target, "err", err)
		return nil
	}
	r.an.gw = conn
	return analyticsv1.NewAnalyticsServiceClient(conn)
}

func (r *Relais) closeAnalyticsConn() error {
	if r.an.gw == nil {
		return nil
	}
	return r.an.gw.Close()
}

// viewEvents is where the gateway publishes the views it serves: the bus
// when this target has one (-target=gateway needs events.url for it).
func (r *Relais) viewEvents() gateway.Publisher {
	if r.bus == nil {
		if r.cfg.Target == "gateway" {
			r.log.Warn("views are not recorded: events.url is not set")
		}
		return nil
	}
	return r.bus
}
