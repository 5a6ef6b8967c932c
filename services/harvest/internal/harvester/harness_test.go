package harvester_test

import (
	"context"
	"log/slog"
	"net"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/relais-data/relais/pkg/grpcx"
	"github.com/relais-data/relais/pkg/safehttp"
	"github.com/relais-data/relais/pkg/sqldb"
	"github.com/relais-data/relais/pkg/sqldb/sqldbtest"
	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
	"github.com/relais-data/relais/services/catalog"
	"github.com/relais-data/relais/services/harvest/internal/harvester"
	"github.com/relais-data/relais/services/harvest/internal/remote"
	"github.com/relais-data/relais/services/harvest/internal/store"
)

// exportPath is data.gouv.fr's catalogue export in ../shared/data.
const exportPath = "../../../../../shared/data/catalog/datagouv-export-dataset-20260116-sample-1in5.csv.gz"

// env is a real catalog service over loopback gRPC, a harvest store and
// a harvester writing with a sysadmin's token.
type env struct {
	catalog catalogv1.CatalogServiceClient
	key     string
	org     string // the local organization harvested datasets go to
	store   *store.Store
	h       *harvester.Harvester
}

func newEnv(t testing.TB, driver sqldb.Driver) *env {
	t.Helper()
	ctx := context.Background()
	catDB := sqldbtest.Open(t, driver)
	svc, err := catalog.New(ctx, catalog.Config{TokenSecret: "secret"}, catalog.Deps{DB: catDB, Log: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	srv := grpcx.NewServer(grpcx.ServerOptions{Log: slog.New(slog.DiscardHandler), Authenticate: svc.Authenticate})
	svc.Register(srv)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(srv.Stop)
	conn, err := grpcx.Dial(ln.Addr().String())
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	_, key, err := catalog.BootstrapUser(ctx, catDB, "secret", catalog.NewUser{Email: "harvest@relais.localhost", FirstName: "Relais", LastName: "Harvest", Sysadmin: true})
	require.NoError(t, err)
	e := &env{catalog: catalogv1.NewCatalogServiceClient(conn), key: key}
	org, err := e.catalog.CreateOrganization(grpcx.WithAPIKey(ctx, key), &catalogv1.CreateOrganizationRequest{
		Organization: &catalogv1.OrganizationInput{Name: "Région test", Description: "Harvests its collectivités"},
	})
	require.NoError(t, err)
	e.org = org.GetOrganization().GetId()

	hdb := sqldbtest.Open(t, driver)
	require.NoError(t, store.Migrate(ctx, hdb))
	e.store = store.New(hdb)
	fetcher, err := safehttp.New(safehttp.Config{Allow: []string{"127.0.0.1"}, MaxBytes: 64 << 20})
	require.NoError(t, err)
	e.h = &harvester.Harvester{
		Store: e.store, Catalog: e.catalog, APIKey: key, Log: slog.New(slog.DiscardHandler),
		Open: func(src store.Source) (remote.Source, error) {
			return remote.Open(src.Kind, src.URL, src.ParamsJSON, fetcher)
		},
	}
	return e
}

// licenses maps the catalog's licence titles (lowercase) to ids, as the
// export writes titles.
func (e *env) licenses(t testing.TB) map[string]string {
	lists, err := e.catalog.GetReferenceLists(context.Background(), &catalogv1.GetReferenceListsRequest{})
	require.NoError(t, err)
	ids := map[string]string{}
	for _, l := range lists.GetLicenses() {
		ids[strings.ToLower(l.GetTitle())] = l.GetId()
		for _, alt := range l.GetAlternateTitles() {
			ids[strings.ToLower(alt)] = l.GetId()
		}
	}
	return ids
}

// run starts and executes a run of source, and returns its report.
func (e *env) run(t testing.TB, sourceID string) store.Report {
	t.Helper()
	ctx := context.Background()
	r, err := e.h.Start(ctx, sourceID)
	require.NoError(t, err)
	require.NoError(t, e.h.Execute(ctx, r.ID))
	rep, err := e.store.Report(ctx, r.ID)
	require.NoError(t, err)
	return rep
}

// datasets lists the catalog's datasets of the organization (archived
// ones too), by id.
func (e *env) datasets(t testing.TB) map[string]*catalogv1.Dataset {
	t.Helper()
	out := map[string]*catalogv1.Dataset{}
	ctx := grpcx.WithAPIKey(context.Background(), e.key)
	for _, archived := range []bool{false, true} {
		for page := int32(1); ; page++ {
			resp, err := e.catalog.ListDatasets(ctx, &catalogv1.ListDatasetsRequest{Organization: e.org, Page: page, PageSize: 1000, Archived: &archived})
			require.NoError(t, err)
			for _, d := range resp.GetDatasets() {
				out[d.GetId()] = d
			}
			if int64(page)*1000 >= resp.GetTotal() {
				break
			}
		}
	}
	return out
}
