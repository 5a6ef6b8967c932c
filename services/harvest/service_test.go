package harvest_test

import (
	"context"
	"log/slog"
	"net"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/relais-data/relais/pkg/events"
	"github.com/relais-data/relais/pkg/grpcx"
	"github.com/relais-data/relais/pkg/safehttp"
	"github.com/relais-data/relais/pkg/sqldb"
	"github.com/relais-data/relais/pkg/sqldb/sqldbtest"
	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
	harvestv1 "github.com/relais-data/relais/proto/relais/harvest/v1"
	"github.com/relais-data/relais/services/catalog"
	"github.com/relais-data/relais/services/harvest"
	"github.com/relais-data/relais/services/harvest/internal/udatatest"
)

const exportPath = "../../../shared/data/catalog/datagouv-export-dataset-20260116-sample-1in5.csv.gz"

// serve serves a gRPC service on loopback and returns a connection to it.
func serve(t *testing.T, register func(grpc.ServiceRegistrar), auth func(context.Context, string) (context.Context, error)) string {
	t.Helper()
	srv := grpcx.NewServer(grpcx.ServerOptions{Log: slog.New(slog.DiscardHandler), Authenticate: auth})
	register(srv)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(srv.Stop)
	return ln.Addr().String()
}

type world struct {
	catalog catalogv1.CatalogServiceClient
	harvest harvestv1.HarvestServiceClient
	admin   string // a sysadmin's token
	user    string // a plain user's token
	org     string
	db      *sqldb.DB
	bus     *events.Bus
	cfg     harvest.Config
	stopped chan error
	stop    context.CancelFunc
}

// start runs a catalog, embedded NATS and the harvest service, each over
// real gRPC on loopback.
func start(t *testing.T, scheduleEvery time.Duration) *world {
	t.Helper()
	ctx := context.Background()
	log := slog.New(slog.DiscardHandler)
	catDB := sqldbtest.Open(t, sqldb.SQLite)
	cat, err := catalog.New(ctx, catalog.Config{TokenSecret: "s"}, catalog.Deps{DB: catDB, Log: log})
	require.NoError(t, err)
	catAddr := serve(t, cat.Register, cat.Authenticate)
	conn, err := grpcx.Dial(catAddr)
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	w := &world{catalog: catalogv1.NewCatalogServiceClient(conn)}
	_, w.admin, err = catalog.BootstrapUser(ctx, catDB, "s", catalog.NewUser{Email: "harvest@relais.localhost", FirstName: "R", LastName: "H", Sysadmin: true})
	require.NoError(t, err)
	_, w.user, err = catalog.BootstrapUser(ctx, catDB, "s", catalog.NewUser{Email: "someone@example.org", FirstName: "S", LastName: "O"})
	require.NoError(t, err)
	org, err := w.catalog.CreateOrganization(grpcx.WithAPIKey(ctx, w.admin), &catalogv1.CreateOrganizationRequest{
		Organization: &catalogv1.OrganizationInput{Name: "Région", Description: "Région."},
	})
	require.NoError(t, err)
	w.org = org.GetOrganization().GetId()

	nats, err := events.StartEmbedded(events.EmbeddedConfig{Port: -1, StoreDir: filepath.Join(t.TempDir(), "nats")})
	require.NoError(t, err)
	t.Cleanup(nats.Shutdown)
	w.bus, err = events.Connect(ctx, events.Config{URL: nats.ClientURL()}, log)
	require.NoError(t, err)
	t.Cleanup(w.bus.Close)

	w.db = sqldbtest.Open(t, sqldb.SQLite)
	w.cfg = harvest.Config{CatalogAPIKey: w.admin, Fetch: safehttp.Config{Allow: []string{"127.0.0.1"}}, ScheduleEvery: scheduleEvery}
	w.startHarvest(t)
	return w
}

// startHarvest starts (again) the harvest service process.
func (w *world) startHarvest(t *testing.T) {
	t.Helper()
	svc, err := harvest.New(context.Background(), w.cfg, harvest.Deps{DB: w.db, Bus: w.bus, Catalog: w.catalog, Log: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	addr := serve(t, svc.Register, svc.Authenticate)
	conn, err := grpcx.Dial(addr)
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	w.harvest = harvestv1.NewHarvestServiceClient(conn)
	ctx, cancel := context.WithCancel(context.Background())
	w.stop, w.stopped = cancel, make(chan error, 1)
	go func() { w.stopped <- svc.Run(ctx) }()
	t.Cleanup(func() { w.stopHarvest() })
}

func (w *world) stopHarvest() {
	if w.stop != nil {
		w.stop()
		<-w.stopped
		w.stop = nil
	}
}

func (w *world) ctx() context.Context { return grpcx.WithAPIKey(context.Background(), w.admin) }

// await polls a run until its status is one of want.
func (w *world) await(t *testing.T, runID string, want ...string) *harvestv1.Run {
	t.Helper()
	var run *harvestv1.Run
	require.Eventually(t, func() bool {
		resp, err := w.harvest.GetRun(w.ctx(), &harvestv1.GetRunRequest{RunId: runID})
		require.NoError(t, err)
		run = resp.GetRun()
		for _, st := range want {
			if run.GetStatus() == st {
				return true
			}
		}
		return false
	}, 30*time.Second, 50*time.Millisecond)
	return run
}

func apiSource(t *testing.T, n int, w *world) *udatatest.Server {
	lists, err := w.catalog.GetReferenceLists(context.Background(), &catalogv1.GetReferenceListsRequest{})
	require.NoError(t, err)
	licenses := map[string]string{}
	for _, l := range lists.GetLicenses() {
		licenses[l.GetTitle()] = l.GetId()
	}
	ds, err := udatatest.FromExport(exportPath, n, licenses)
	require.NoError(t, err)
	src := udatatest.New(ds)
	t.Cleanup(src.Close)
	return src
}

func TestRunsAreJobsOnTheBusWithApproval(t *testing.T) {
	w := start(t, time.Hour)
	src := apiSource(t, 40, w)

	_, err := w.harvest.ListSources(grpcx.WithAPIKey(context.Background(), w.user), &harvestv1.ListSourcesRequest{})
	assert.Equal(t, codes.PermissionDenied, status.Code(err))
	_, err = w.harvest.ListSources(context.Background(), &harvestv1.ListSourcesRequest{})
	assert.Equal(t, codes.Unauthenticated, status.Code(err))
	_, err = w.harvest.CreateSource(w.ctx(), &harvestv1.CreateSourceRequest{Source: &harvestv1.Source{Id: "Bad Id", Kind: "udata"}})
	assert.Equal(t, codes.InvalidArgument, status.Code(err))
	_, err = w.harvest.CreateSource(w.ctx(), &harvestv1.CreateSourceRequest{Source: &harvestv1.Source{Id: "x", Kind: "csw"}})
	assert.Equal(t, codes.InvalidArgument, status.Code(err))

	_, err = w.harvest.CreateSource(w.ctx(), &harvestv1.CreateSourceRequest{Source: &harvestv1.Source{
		Id: "dgf", Name: "data.gouv.fr", Kind: "udata", Url: src.URL, PageSize: 15, Organization: w.org,
	}})
	require.NoError(t, err)
	started, err := w.harvest.StartRun(w.ctx(), &harvestv1.StartRunRequest{SourceId: "dgf"})
	require.NoError(t, err)
	run := w.await(t, started.GetRun().GetId(), "planned")
	assert.Equal(t, int64(40), run.GetSeen())
	assert.Equal(t, int64(40), run.GetCounts()["create/planned"])

	items, err := w.harvest.ListItems(w.ctx(), &harvestv1.ListItemsRequest{RunId: run.GetId()})
	require.NoError(t, err)
	require.Len(t, items.GetItems(), 40)
	assert.Contains(t, items.GetItems()[0].GetDiffJson(), `"field":"title"`)
	approved, err := w.harvest.Approve(w.ctx(), &harvestv1.ApproveRequest{RunId: run.GetId()})
	require.NoError(t, err)
	assert.Equal(t, int64(40), approved.GetApproved())
	run = w.await(t, run.GetId(), "done")
	assert.Equal(t, int64(40), run.GetCounts()["create/applied"])

	_, err = w.harvest.Approve(w.ctx(), &harvestv1.ApproveRequest{RunId: run.GetId()})
	assert.Equal(t, codes.FailedPrecondition, status.Code(err))
	_, err = w.harvest.GetRun(w.ctx(), &harvestv1.GetRunRequest{RunId: "nope"})
	assert.Equal(t, codes.NotFound, status.Code(err))
}

func TestScheduledSourcesRunAndUnfinishedRunsResume(t *testing.T) {
	w := start(t, 50*time.Millisecond)
	src := apiSource(t, 10, w)
	_, err := w.harvest.CreateSource(w.ctx(), &harvestv1.CreateSourceRequest{Source: &harvestv1.Source{
		Id: "auto", Kind: "udata", Url: src.URL, Organization: w.org, AutoApply: true, EverySeconds: 3600,
	}})
	require.NoError(t, err)
	var runs *harvestv1.ListRunsResponse
	require.Eventually(t, func() bool {
		runs, err = w.harvest.ListRuns(w.ctx(), &harvestv1.ListRunsRequest{SourceId: "auto"})
		require.NoError(t, err)
		return len(runs.GetRuns()) == 1
	}, 10*time.Second, 20*time.Millisecond)
	run := w.await(t, runs.GetRuns()[0].GetId(), "done")
	assert.Equal(t, int64(10), run.GetCounts()["create/applied"])
	time.Sleep(200 * time.Millisecond)
	runs, err = w.harvest.ListRuns(w.ctx(), &harvestv1.ListRunsRequest{SourceId: "auto"})
	require.NoError(t, err)
	assert.Len(t, runs.GetRuns(), 1, "next run in an hour")

	// A run recorded while no harvest process runs (or left by a crash)
	// is taken up by the next one.
	_, err = w.harvest.CreateSource(w.ctx(), &harvestv1.CreateSourceRequest{Source: &harvestv1.Source{
		Id: "later", Kind: "udata", Url: src.URL, Organization: w.org, AutoApply: true,
	}})
	require.NoError(t, err)
	w.stopHarvest()
	_, err = w.db.ExecContext(context.Background(), `INSERT INTO harvest_runs (id, source_id, status, started_at, finished_at, error, seen, skipped)
		VALUES ('0123456789abcdef01234567', 'later', 'planning', 1, 0, '', 0, 0)`)
	require.NoError(t, err)
	w.startHarvest(t)
	run = w.await(t, "0123456789abcdef01234567", "done")
	assert.Equal(t, int64(10), run.GetCounts()["create/applied"], "each source has its own mapping")
}
