package gatewaytest

import (
	"context"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/relais-data/relais/pkg/events"
	"github.com/relais-data/relais/pkg/grpcx"
	"github.com/relais-data/relais/pkg/searchindex"
	"github.com/relais-data/relais/pkg/sqldb"
	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
	searchv1 "github.com/relais-data/relais/proto/relais/search/v1"
	"github.com/relais-data/relais/services/search"
)

// SearchToken is the search service's admin token in tests.
const SearchToken = "gatewaytest-search-token"

// startSearch starts the search service on embedded indexes under dir and
// a fresh SQLite ledger, fed by the bus and reading the catalog, served
// over real gRPC on 127.0.0.1:0, and returns a client.
func startSearch(t testing.TB, dir string, bus *events.Bus, catalogClient catalogv1.CatalogServiceClient, log *slog.Logger) searchv1.SearchServiceClient {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)

	db, err := sqldb.Open(ctx, sqldb.Config{Driver: "sqlite", DSN: filepath.Join(dir, "search.db")})
	require.NoError(t, err, "open search database")
	t.Cleanup(func() { _ = db.Close() })

	cfg := search.Config{
		Index:        searchindex.Config{Backend: searchindex.BackendEmbedded, Dir: filepath.Join(dir, "search")},
		ServiceToken: SearchToken,
	}
	svc, err := search.New(ctx, cfg, search.Deps{DB: db, Bus: bus, Catalog: catalogClient, Log: log})
	require.NoError(t, err, "new search")
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = svc.Run(ctx) // ends with ctx
	}()
	t.Cleanup(func() {
		cancel()
		<-done
		_ = svc.Close()
	})

	srv := grpcx.NewServer(grpcx.ServerOptions{Log: log})
	svc.Register(srv)
	ln, err := grpcx.Listen("127.0.0.1:0")
	require.NoError(t, err, "listen search grpc")
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() {
		sctx, scancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer scancel()
		_ = srv.Shutdown(sctx)
	})

	conn, err := grpcx.Dial(ln.Addr().String())
	require.NoError(t, err, "dial search")
	t.Cleanup(func() { _ = conn.Close() })
	return searchv1.NewSearchServiceClient(conn)
}
