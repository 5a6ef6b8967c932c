package relais

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"

	"google.golang.org/grpc"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/relais-data/relais/pkg/grpcx"
	"github.com/relais-data/relais/pkg/sqldb"
	storagev1 "github.com/relais-data/relais/proto/relais/storage/v1"
	"github.com/relais-data/relais/services/storage"
)

// StorageConfig is the storage service's configuration (its own database,
// its blob store, its token) and where it listens.
type StorageConfig struct {
	storage.Config `yaml:",inline"`
	GRPCAddr       string `yaml:"grpc_addr" usage:"gRPC listen address of the storage service"`
}

// Flow-control windows of storage streams. gRPC's default grows a
// stream's window with its bandwidth-delay estimate up to 16 MiB, which an
// upload fills (in the storage process's memory) whenever the disk is
// slower than loopback: 8 concurrent uploads then held ~130 MiB. Fixed
// windows bound that; on a local network 1 MiB keeps every stream at disk
// speed.
const (
	storageStreamWindow = 1 << 20
	storageConnWindow   = 8 << 20
)

// storageModule is the storage service of a running target, and the
// gateway's connection to it.
type storageModule struct {
	db    *sqldb.DB
	svc   *storage.Service
	grpc  *grpcx.Server
	addr  net.Addr
	stop  context.CancelFunc
	done  chan error
	conn  *grpc.ClientConn // the gateway's
	token string
}

// StorageGRPCAddr is the storage service's gRPC listen address once
// started (nil in targets that do not run it).
func (r *Relais) StorageGRPCAddr() net.Addr { return r.st.addr }

func (r *Relais) startStorageDB(ctx context.Context) (err error) {
	r.st.db, err = sqldb.Open(ctx, r.cfg.Storage.DB)
	if err != nil {
		return fmt.Errorf("storage database: %w", err)
	}
	return nil
}

func (r *Relais) stopStorageDB(context.Context) error { return r.st.db.Close() }

// startStorage serves the storage service on its own gRPC server, and
// runs its outbox and the collection of abandoned uploads.
func (r *Relais) startStorage(ctx context.Context) error {
	log := r.log.With("service", "storage")
	svc, err := storage.New(ctx, r.cfg.Storage.Config, storage.Deps{DB: r.st.db, Bus: r.bus, Log: log})
	if err != nil {
		return err
	}
	r.st.svc = svc
	r.st.grpc = grpcx.NewServer(grpcx.ServerOptions{Log: log},
		grpc.InitialWindowSize(storageStreamWindow), grpc.InitialConnWindowSize(storageConnWindow))
	svc.Register(r.st.grpc)
	r.st.grpc.Health.SetServingStatus(storagev1.StorageService_ServiceDesc.ServiceName, healthpb.HealthCheckResponse_SERVING)
	ln, err := grpcx.Listen(r.cfg.Storage.GRPCAddr)
	if err != nil {
		return fmt.Errorf("storage grpc: %w", err)
	}
	r.st.addr = ln.Addr()
	go func() {
		if err := r.st.grpc.Serve(ln); err != nil && !errors.Is(err, grpc.ErrServerStopped) {
			log.Error("storage grpc server stopped", "err", err)
		}
	}()
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	r.st.stop = cancel
	r.st.done = make(chan error, 1)
	go func() { r.st.done <- svc.Run(runCtx) }()
	log.Info("storage listening", "grpc_addr", r.st.addr.String(), "blob", blobBackend(r.cfg.Storage.Blob.Backend))
	return nil
}

func (r *Relais) stopStorage(ctx context.Context) error {
	_ = r.st.grpc.Shutdown(ctx)
	r.st.stop()
	select {
	case err := <-r.st.done:
		if err != nil && !errors.Is(err, context.Canceled) {
			return fmt.Errorf("storage run: %w", err)
		}
	case <-ctx.Done():
		return fmt.Errorf("storage run: %w", ctx.Err())
	}
	return nil
}

// dialStorage connects the gateway to the storage service: the one of
// this process when it runs one (still over real gRPC, on loopback), else
// gateway.storage_addr.
func (r *Relais) dialStorage() (storagev1.StorageServiceClient, error) {
	target := r.cfg.Gateway.StorageAddr
	if r.st.addr != nil {
		target = r.st.addr.String()
	}
	conn, err := grpcx.Dial(target,
		grpc.WithInitialWindowSize(storageStreamWindow), grpc.WithInitialConnWindowSize(storageConnWindow))
	if err != nil {
		return nil, fmt.Errorf("dial storage %s: %w", target, err)
	}
	r.st.conn = conn
	return storagev1.NewStorageServiceClient(conn), nil
}

func (r *Relais) closeStorageConn() error {
	if r.st.conn == nil {
		return nil
	}
	return r.st.conn.Close()
}

func blobBackend(b string) string {
	if b == "" {
		return "fs"
	}
	return b
}

// finishStorage fills the storage defaults that depend on the data
// directory: its SQLite file and, on the fs backend, its files.
func (c *Config) finishStorage() {
	if c.Storage.DB.Driver == "" {
		c.Storage.DB.Driver = "sqlite"
	}
	if c.Storage.DB.Driver == "sqlite" && c.Storage.DB.DSN == "" {
		c.Storage.DB.DSN = filepath.Join(c.DataDir, "storage.db")
	}
	c.Storage.Blob.Backend = blobBackend(c.Storage.Blob.Backend)
	if c.Storage.Blob.Backend == "fs" && c.Storage.Blob.Dir == "" {
		c.Storage.Blob.Dir = filepath.Join(c.DataDir, "files")
	}
	c.Gateway.MaxChunkSize = c.Storage.MaxChunkSize
}

// ensureServiceToken gives the storage service and the gateway their
// shared token. The laptop mode (-target=all) makes one once and keeps it
// in the data directory (mode 0600); run apart, both must be given the same
// storage.service_token.
func (c *Config) ensureServiceToken() error {
	defer func() { c.Gateway.StorageToken = c.Storage.ServiceToken }()
	if c.Storage.ServiceToken != "" || (c.Target != "all" && c.Target != "storage" && c.Target != "gateway") {
		return nil
	}
	if c.Target != "all" {
		return fmt.Errorf("storage.service_token (RELAIS_STORAGE_SERVICE_TOKEN) is required with -target=%s: the gateway and the storage service share it", c.Target)
	}
	path := filepath.Join(c.DataDir, "storage-token")
	if b, err := os.ReadFile(path); err == nil && len(bytes.TrimSpace(b)) > 0 {
		c.Storage.ServiceToken = string(bytes.TrimSpace(b))
		return nil
	} else if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("read storage token: %w", err)
	}
	token := make([]byte, 32)
	if _, err := rand.Read(token); err != nil {
		return err
	}
	if err := os.MkdirAll(c.DataDir, 0o755); err != nil {
		return err
	}
	c.Storage.ServiceToken = hex.EncodeToString(token)
	if err := os.WriteFile(path, []byte(c.Storage.ServiceToken+"\n"), 0o600); err != nil {
		return fmt.Errorf("keep storage token: %w", err)
	}
	return nil
}
