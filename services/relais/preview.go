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
	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
	previewv1 "github.com/relais-data/relais/proto/relais/preview/v1"
	storagev1 "github.com/relais-data/relais/proto/relais/storage/v1"
	"github.com/relais-data/relais/services/preview"
)

// PreviewConfig is the preview service's configuration (its database, its
// fetch limits) and where it listens and finds the catalog and storage.
type PreviewConfig struct {
	preview.Config `yaml:",inline"`
	GRPCAddr       string `yaml:"grpc_addr" usage:"gRPC listen address of the preview service"`
	CatalogAddr    string `yaml:"catalog_addr" usage:"gRPC address of the catalog (-target=preview)"`
	StorageAddr    string `yaml:"storage_addr" usage:"gRPC address of the storage service (-target=preview)"`
}

// previewModule is the preview service of a running target, its
// connections to the catalog and storage, and the gateway's to it.
type previewModule struct {
	db    *sqldb.DB
	svc   *preview.Service
	grpc  *grpcx.Server
	addr  net.Addr
	conns []*grpc.ClientConn
	stop  context.CancelFunc
	done  chan error
	gw    *grpc.ClientConn // the gateway's
}

// PreviewGRPCAddr is the preview service's gRPC listen address once
// started (nil in targets that do not run it).
func (r *Relais) PreviewGRPCAddr() net.Addr { return r.pv.addr }

func (r *Relais) startPreviewDB(ctx context.Context) (err error) {
	r.pv.db, err = sqldb.Open(ctx, r.cfg.Preview.DB)
	if err != nil {
		return fmt.Errorf("preview database: %w", err)
	}
	return nil
}

func (r *Relais) stopPreviewDB(context.Context) error { return r.pv.db.Close() }

// startPreview serves the preview service on its own gRPC server and runs
// its consumers. It reaches the catalog and storage over gRPC: those of
// this process when it runs them, else preview.catalog_addr and
// preview.storage_addr.
func (r *Relais) startPreview(ctx context.Context) error {
	log := r.log.With("service", "preview")
	cfg := r.cfg.Preview.Config
	if cfg.ServiceToken == "" {
		cfg.ServiceToken = r.cfg.Storage.ServiceToken // it reads stored files
	}
	if cfg.CatalogAPIKey == "" && r.catalog != nil {
		key, err := r.serviceCatalogKey(ctx, "preview")
		if err != nil {
			return fmt.Errorf("preview catalog token: %w", err)
		}
		cfg.CatalogAPIKey = key
	}
	catalogConn, err := r.dialPeer(r.grpcAddr, r.cfg.Preview.CatalogAddr)
	if err != nil {
		return fmt.Errorf("preview: dial catalog: %w", err)
	}
	storageConn, err := r.dialPeer(r.st.addr, r.cfg.Preview.StorageAddr)
	if err != nil {
		return fmt.Errorf("preview: dial storage: %w", err)
	}
	svc, err := preview.New(ctx, cfg, preview.Deps{
		DB: r.pv.db, Bus: r.bus, Log: log,
		Catalog: catalogv1.NewCatalogServiceClient(catalogConn), Storage: storagev1.NewStorageServiceClient(storageConn),
	})
	if err != nil {
		return err
	}
	r.pv.svc = svc
	r.pv.grpc = grpcx.NewServer(grpcx.ServerOptions{Log: log})
	svc.Register(r.pv.grpc)
	r.pv.grpc.Health.SetServingStatus(previewv1.PreviewService_ServiceDesc.ServiceName, healthpb.HealthCheckResponse_SERVING)
	ln, err := grpcx.Listen(r.cfg.Preview.GRPCAddr)
	if err != nil {
		return fmt.Errorf("preview grpc: %w", err)
	}
	r.pv.addr = ln.Addr()
	go func() {
		if err := r.pv.grpc.Serve(ln); err != nil && !errors.Is(err, grpc.ErrServerStopped) {
			log.Error("preview grpc server stopped", "err", err)
		}
	}()
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	r.pv.stop = cancel
	r.pv.done = make(chan error, 1)
	go func() { r.pv.done <- svc.Run(runCtx) }()
	log.Info("preview listening", "grpc_addr", r.pv.addr.String())
	return nil
}

// dialPeer connects to a service: the one of this process (local, when it
// runs it), else the configured address.
func (r *Relais) dialPeer(local net.Addr, configured string) (*grpc.ClientConn, error) {
	target := configured
	if local != nil {
		target = local.String()
	}
	conn, err := grpcx.Dial(target)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", target, err)
	}
	r.pv.conns = append(r.pv.conns, conn)
	return conn, nil
}

func (r *Relais) stopPreview(ctx context.Context) error {
	_ = r.pv.grpc.Shutdown(ctx)
	r.pv.stop()
	var err error
	select {
	case err = <-r.pv.done:
		if errors.Is(err, context.Canceled) {
			err = nil
		}
	case <-ctx.Done():
		err = fmt.Errorf("preview run: %w", ctx.Err())
	}
	for _, c := range r.pv.conns {
		err = errors.Join(err, c.Close())
	}
	return errors.Join(err, r.pv.svc.Close())
}

// dialPreview connects the gateway to the preview service: the one of
// this process when it runs one, else gateway.preview_addr; none
// configured leaves the tabular API and previews answering 503.
func (r *Relais) dialPreview() (previewv1.PreviewServiceClient, error) {
	target := r.cfg.Gateway.PreviewAddr
	if r.pv.addr != nil {
		target = r.pv.addr.String()
	}
	if target == "" {
		return nil, nil
	}
	conn, err := grpcx.Dial(target)
	if err != nil {
		return nil, fmt.Errorf("dial preview %s: %w", target, err)
	}
	r.pv.gw = conn
	return previewv1.NewPreviewServiceClient(conn), nil
}

func (r *Relais) closePreviewConn() error {
	if r.pv.gw == nil {
		return nil
	}
	return r.pv.gw.Close()
}

// finishPreview fills the preview defaults that depend on other settings:
// its SQLite file in the data directory, the storage token it reads files
// with, the public URL of uploaded files.
func (c *Config) finishPreview() {
	if c.Preview.DB.Driver == "" {
		c.Preview.DB.Driver = "sqlite"
	}
	if c.Preview.DB.Driver == "sqlite" && c.Preview.DB.DSN == "" {
		c.Preview.DB.DSN = filepath.Join(c.DataDir, "preview.db")
	}
	if c.Preview.PublicURL == "" {
		c.Preview.PublicURL = c.Gateway.PublicURL
	}
	if c.Preview.Tabular.Engine == "duckdb" && c.Preview.Tabular.DuckDBPath == "" {
		c.Preview.Tabular.DuckDBPath = filepath.Join(c.DataDir, "tabular.duckdb")
	}
}
