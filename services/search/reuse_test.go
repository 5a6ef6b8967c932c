package search_test

import (
	"context"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/relais-data/relais/pkg/events"
	"github.com/relais-data/relais/pkg/grpcx"
	"github.com/relais-data/relais/pkg/searchindex"
	"github.com/relais-data/relais/pkg/sqldb"
	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
	eventsv1 "github.com/relais-data/relais/proto/relais/events/v1"
	searchv1 "github.com/relais-data/relais/proto/relais/search/v1"
	"github.com/relais-data/relais/services/search"
)

// reuseRig is a search service on real parts: embedded NATS, SQLite, the
// embedded index on disk, gRPC on loopback. Its catalog client points at
// a port nothing listens on: reuse events carry whole snapshots, so the
// catalog is never read.
type reuseRig struct {
	dir    string
	bus    *events.Bus
	db     *sqldb.DB
	noCat  catalogv1.CatalogServiceClient
	client searchv1.SearchServiceClient
	stop   func()
}

func newReuseRig(t testing.TB) *reuseRig {
	t.Helper()
	ctx := context.Background()
	r := &reuseRig{dir: t.TempDir()}
	log := slog.New(slog.DiscardHandler)
	nats, err := events.StartEmbedded(events.EmbeddedConfig{Port: -1, StoreDir: filepath.Join(r.dir, "nats")})
	require.NoError(t, err)
	t.Cleanup(nats.Shutdown)
	r.bus, err = events.Connect(ctx, events.Config{URL: nats.ClientURL()}, log)
	require.NoError(t, err)
	t.Cleanup(r.bus.Close)
	r.db, err = sqldb.Open(ctx, sqldb.Config{Driver: "sqlite", DSN: filepath.Join(r.dir, "search.db")})
	require.NoError(t, err)
	t.Cleanup(func() { _ = r.db.Close() })
	conn, err := grpcx.Dial("127.0.0.1:1")
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	r.noCat = catalogv1.NewCatalogServiceClient(conn)
	return r
}

// start runs the service until r.stop.
func (r *reuseRig) start(t testing.TB) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	log := slog.New(slog.DiscardHandler)
	svc, err := search.New(ctx, search.Config{
		Index:        searchindex.Config{Backend: searchindex.BackendEmbedded, Dir: filepath.Join(r.dir, "index")},
		ServiceToken: "test", BatchWait: 5 * time.Millisecond,
	}, search.Deps{DB: r.db, Bus: r.bus, Catalog: r.noCat, Log: log})
	require.NoError(t, err)
	srv := grpcx.NewServer(grpcx.ServerOptions{Log: log})
	svc.Register(srv)
	ln, err := grpcx.Listen("127.0.0.1:0")
	require.NoError(t, err)
	go func() { _ = srv.Serve(ln) }()
	conn, err := grpcx.Dial(ln.Addr().String())
	require.NoError(t, err)
	r.client = searchv1.NewSearchServiceClient(conn)
	done := make(chan error, 1)
	go func() { done <- svc.Run(ctx) }()
	r.stop = func() {
		cancel()
		require.NoError(t, <-done)
		_ = conn.Close()
		srv.Stop()
		require.NoError(t, svc.Close())
	}
}

func (r *reuseRig) publish(t testing.TB, verb string, u *catalogv1.Reuse) {
	t.Helper()
	b, err := proto.Marshal(&eventsv1.ReuseChanged{EventId: events.NewID(), Reuse: u})
	require.NoError(t, err)
	require.NoError(t, r.bus.Publish(context.Background(), events.Message{
		ID: events.NewID(), Subject: "relais.catalog.reuse." + verb, Type: "relais.events.v1.ReuseChanged", Data: b,
	}))
}

func (r *reuseRig) search(t testing.TB, q *searchv1.Query) *searchv1.Hits {
	t.Helper()
	resp, err := r.client.SearchReuses(context.Background(), &searchv1.SearchReusesRequest{Query: q})
	require.NoError(t, err)
	return resp.GetHits()
}

// eventually waits until the search for q finds exactly ids.
func (r *reuseRig) eventually(t testing.TB, q string, ids ...string) {
	t.Helper()
	require.Eventually(t, func() bool {
		got := r.search(t, &searchv1.Query{Q: q}).GetIds()
		return len(got) == len(ids) && (len(ids) == 0 || assert.ObjectsAreEqual(ids, got))
	}, 10*time.Second, 5*time.Millisecond, "search %q for %v", q, ids)
}

func testReuse(id, title string, second int, datasets ...string) *catalogv1.Reuse {
	return &catalogv1.Reuse{
		Id: id, Title: title, Description: "Une réutilisation.", Type: "application", Topic: "transport_and_mobility",
		Tags: []string{"carte"}, DatasetIds: datasets,
		Organization: &catalogv1.OrganizationRef{Id: "534fff75a3a7292c64a77de4", Name: "Rennes Métropole", Badges: []*catalogv1.Badge{{Kind: "public-service"}}},
		Metrics:      &catalogv1.ReuseMetrics{Followers: int64(second), Views: 10},
		CreatedAt:    timestamppb.New(time.Date(2024, 1, 1, 0, 0, second, 0, time.UTC)),
		LastModified: timestamppb.New(time.Date(2024, 1, 1, 0, 0, second, 0, time.UTC)),
	}
}

// Reuse events reach SearchReuses through JetStream; filters, facets and
// sorts are udata's; a restart loses no event and replays change nothing.
func TestSearchReusesFromEvents(t *testing.T) {
	r := newReuseRig(t)
	r.start(t)
	a := testReuse("aaaaaaaaaaaaaaaaaaaaaaaa", "Carte des vélos en libre service", 1, "d1")
	b := testReuse("bbbbbbbbbbbbbbbbbbbbbbbb", "Application des horaires de bus", 2, "d1", "d2")
	b.Type, b.Featured, b.Organization = "api", true, nil
	b.Owner = &catalogv1.UserRef{Id: "cccccccccccccccccccccccc"}
	private := testReuse("dddddddddddddddddddddddd", "Carte privée des vélos", 3, "d1")
	private.Private = true
	orphan := testReuse("eeeeeeeeeeeeeeeeeeeeeeee", "Carte des vélos sans jeu de données", 4)
	for _, u := range []*catalogv1.Reuse{a, b, private, orphan} {
		r.publish(t, "created", u)
	}
	r.eventually(t, "velos", a.GetId())
	r.eventually(t, "horaires bus", b.GetId())

	// Filters, facets and sorts of /api/2/reuses/search/.
	h := r.search(t, &searchv1.Query{
		Filters: []*searchv1.Filter{{Field: "type", Values: []string{"api"}}},
		Facets:  []string{"type", "producer_type", "featured"},
	})
	assert.Equal(t, []string{b.GetId()}, h.GetIds())
	require.Len(t, h.GetFacets(), 3)
	assert.Equal(t, "type", h.GetFacets()[0].GetName())
	assert.Equal(t, []*searchv1.FacetValue{{Name: "user", Count: 1}}, h.GetFacets()[1].GetValues())
	h = r.search(t, &searchv1.Query{Sort: "-datasets"})
	assert.Equal(t, []string{b.GetId(), a.GetId()}, h.GetIds())
	h = r.search(t, &searchv1.Query{Sort: "followers"})
	assert.Equal(t, []string{a.GetId(), b.GetId()}, h.GetIds())
	h = r.search(t, &searchv1.Query{Filters: []*searchv1.Filter{{Field: "dataset", Values: []string{"d2"}}}})
	assert.Equal(t, []string{b.GetId()}, h.GetIds())
	h = r.search(t, &searchv1.Query{Filters: []*searchv1.Filter{{Field: "last_update_range", Values: []string{"last_30_days"}}}})
	assert.Empty(t, h.GetIds(), "changed in 2024")
	_, err := r.client.SearchReuses(context.Background(), &searchv1.SearchReusesRequest{Query: &searchv1.Query{Sort: "title"}})
	assert.Equal(t, codes.InvalidArgument, status.Code(err), "udata sorts reuses by created, datasets, followers, views")
	_, err = r.client.SearchReuses(context.Background(), &searchv1.SearchReusesRequest{Query: &searchv1.Query{Facets: []string{"geozone"}}})
	assert.Equal(t, codes.InvalidArgument, status.Code(err))

	// Changes published while the service is down are applied on restart;
	// the older snapshot replayed after them changes nothing.
	r.stop()
	renamed := testReuse(a.GetId(), "Carte des trottinettes", 10, "d1")
	r.publish(t, "updated", renamed)
	r.publish(t, "deleted", testReuse(b.GetId(), "Application des horaires de bus", 11, "d1", "d2"))
	r.publish(t, "updated", a)
	r.start(t)
	defer r.stop()
	r.eventually(t, "trottinettes", a.GetId())
	r.eventually(t, "horaires bus")
	r.eventually(t, "velos")
	assert.Equal(t, int64(1), r.search(t, &searchv1.Query{}).GetTotal())
}
