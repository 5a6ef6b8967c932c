package gatewaytest

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/relais-data/relais/pkg/blob"
	"github.com/relais-data/relais/pkg/blob/blobtest"
	"github.com/relais-data/relais/pkg/events"
	"github.com/relais-data/relais/pkg/grpcx"
	"github.com/relais-data/relais/pkg/sqldb"
	storagev1 "github.com/relais-data/relais/proto/relais/storage/v1"
	"github.com/relais-data/relais/services/storage"
)

// StorageToken is the storage service's token in tests.
const StorageToken = "gatewaytest-storage-token"

// startStorage starts the storage service on a fresh SQLite file and a
// fresh blob store of backend (fs under dir, or a new bucket on the test
// MinIO, see blobtest), served over real gRPC on 127.0.0.1:0, and returns
// a client. tune adjusts its configuration.
func startStorage(t testing.TB, dir, backend string, bus *events.Bus, log *slog.Logger, tune func(*storage.Config)) storagev1.StorageServiceClient {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)

	db, err := sqldb.Open(ctx, sqldb.Config{Driver: "sqlite", DSN: filepath.Join(dir, "storage.db")})
	require.NoError(t, err, "open storage database")
	t.Cleanup(func() { _ = db.Close() })

	cfg := storage.Config{ServiceToken: StorageToken}
	switch backend {
	case "", blob.BackendFS:
		cfg.Blob = blob.Config{Backend: blob.BackendFS, Dir: filepath.Join(dir, "files")}
	default:
		cfg.Blob = blobtest.Config(t, backend)
		cfg.Blob.S3.PartSize = blob.MinPartSize
	}
	if tune != nil {
		tune(&cfg)
	}
	svc, err := storage.New(ctx, cfg, storage.Deps{DB: db, Bus: bus, Log: log})
	require.NoError(t, err, "new storage")
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = svc.Run(ctx) // ends with ctx
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})

	srv := grpcx.NewServer(grpcx.ServerOptions{Log: log})
	svc.Register(srv)
	ln, err := grpcx.Listen("127.0.0.1:0")
	require.NoError(t, err, "listen storage grpc")
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() {
		sctx, scancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer scancel()
		_ = srv.Shutdown(sctx)
	})

	conn, err := grpcx.Dial(ln.Addr().String())
	require.NoError(t, err, "dial storage")
	t.Cleanup(func() { _ = conn.Close() })
	return storagev1.NewStorageServiceClient(conn)
}

// StorageCtx returns a context carrying the storage service token, for
// calls to Env.Storage.
func StorageCtx(ctx context.Context) context.Context {
	return storage.WithServiceToken(ctx, StorageToken)
}

// Send sends req to the gateway as it is (redirects are not followed) and
// reads the answer.
func (e *Env) Send(t testing.TB, req *http.Request) *Response {
	t.Helper()
	resp, err := e.client.Do(req)
	require.NoError(t, err, "%s %s", req.Method, req.URL)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return &Response{Status: resp.StatusCode, Header: resp.Header, Body: data}
}
