package grpcapi_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/relais-data/relais/pkg/events"
	"github.com/relais-data/relais/pkg/grpcx"
	"github.com/relais-data/relais/pkg/sqldb"
	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
	"github.com/relais-data/relais/services/catalog"
)

// env is a catalog served over real gRPC on 127.0.0.1, on a real database
// and an embedded NATS server.
type env struct {
	client catalogv1.CatalogServiceClient
	bus    *events.Bus
}

func startEnv(t *testing.T, db *sqldb.DB) *env {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	log := slog.New(slog.DiscardHandler)

	nats, err := events.StartEmbedded(events.EmbeddedConfig{Port: -1, StoreDir: t.TempDir()})
	require.NoError(t, err)
	t.Cleanup(nats.Shutdown)
	bus, err := events.Connect(ctx, events.Config{URL: nats.ClientURL()}, log)
	require.NoError(t, err)
	t.Cleanup(bus.Close)

	svc, err := catalog.New(ctx, catalog.Config{TokenSecret: "test-secret"}, catalog.Deps{DB: db, Bus: bus, Log: log})
	require.NoError(t, err)
	done := make(chan struct{})
	go func() { defer close(done); _ = svc.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })

	srv := grpcx.NewServer(grpcx.ServerOptions{Log: log, Authenticate: svc.Authenticate})
	svc.Register(srv)
	ln, err := grpcx.Listen("127.0.0.1:0")
	require.NoError(t, err)
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(srv.Stop)

	conn, err := grpcx.Dial(ln.Addr().String())
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	return &env{client: catalogv1.NewCatalogServiceClient(conn), bus: bus}
}

func as(ctx context.Context, key string) context.Context { return grpcx.WithAPIKey(ctx, key) }

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func requireCode(t *testing.T, err error, code codes.Code) *status.Status {
	t.Helper()
	require.Error(t, err)
	st, ok := status.FromError(err)
	require.True(t, ok, "not a status: %v", err)
	require.Equal(t, code, st.Code(), st.Message())
	return st
}

func requireDeleted(t *testing.T, err error) {
	t.Helper()
	st := requireCode(t, err, codes.NotFound)
	for _, d := range st.Details() {
		if info, ok := d.(*errdetails.ErrorInfo); ok && info.GetReason() == "DELETED" {
			return
		}
	}
	t.Fatalf("NOT_FOUND without ErrorInfo DELETED: %v", st.Details())
}

func requireFieldViolation(t *testing.T, err error, field string) {
	t.Helper()
	st := requireCode(t, err, codes.InvalidArgument)
	for _, d := range st.Details() {
		if br, ok := d.(*errdetails.BadRequest); ok {
			for _, v := range br.GetFieldViolations() {
				if v.GetField() == field {
					return
				}
			}
		}
	}
	t.Fatalf("no violation of %s in %v", field, st.Details())
}
