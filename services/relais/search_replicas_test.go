package relais

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	"github.com/relais-data/relais/pkg/events"
	"github.com/relais-data/relais/pkg/grpcx"
	"github.com/relais-data/relais/pkg/sqldb"
	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
	searchv1 "github.com/relais-data/relais/proto/relais/search/v1"
	"github.com/relais-data/relais/services/catalog"
	"github.com/relais-data/relais/services/search"
)

// Search replicas of the embedded backend, each with its own durable
// consumer (search.durable), its own ledger and its own index, as the
// chart's StatefulSet runs them: every replica indexes every event, so
// each holds exactly the catalog; a stopped replica catches up on restart
// before it is ready; a replica back on a new volume, or new on a stream
// that dropped its first events, starts from the catalog. Real parts: an embedded NATS, the
// catalog and the search targets in this process on loopback gRPC.
func TestSearchReplicasOwnDurables(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	log := slog.New(slog.DiscardHandler)
	ns, err := events.StartEmbedded(events.EmbeddedConfig{Port: -1, StoreDir: filepath.Join(dir, "nats")})
	require.NoError(t, err)
	t.Cleanup(ns.Shutdown)

	const tokenSecret, serviceToken = "replica-test-token-secret-0123456789", "replica-test-service-token"
	base := func(target, name string) Config {
		cfg := DefaultConfig()
		cfg.Target, cfg.DataDir, cfg.AdminAddr = target, filepath.Join(dir, name), "127.0.0.1:0"
		cfg.Events.URL = ns.ClientURL()
		cfg.Catalog.TokenSecret = tokenSecret
		cfg.Catalog.GRPCAddr = "127.0.0.1:0"
		cfg.Storage.ServiceToken = serviceToken
		return cfg
	}
	cat := runTarget(t, base("catalog", "catalog"), log)
	catAddr := cat.GRPCAddr().String()

	db, err := sqldb.Open(ctx, sqldb.Config{Driver: "sqlite", DSN: filepath.Join(dir, "catalog", "catalog.db")})
	require.NoError(t, err)
	_, token, err := catalog.BootstrapUser(ctx, db, tokenSecret, catalog.NewUser{Email: "admin@example.org", FirstName: "A", LastName: "Dmin", Sysadmin: true})
	require.NoError(t, err)
	require.NoError(t, db.Close())
	conn, err := grpcx.Dial(catAddr)
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	catalogClient := catalogv1.NewCatalogServiceClient(conn)
	asAdmin := metadata.AppendToOutgoingContext(ctx, "x-api-key", token)

	var ids []string
	create := func(n int) {
		for range n {
			i := len(ids)
			resp, err := catalogClient.CreateDataset(asAdmin, &catalogv1.CreateDatasetRequest{Dataset: &catalogv1.DatasetInput{
				Title: fmt.Sprintf("Relevé des compteurs vélo %d", i), Description: "Comptages horaires.", License: "lov2", Frequency: "daily",
			}})
			require.NoError(t, err)
			ids = append(ids, resp.GetDataset().GetId())
		}
	}
	update := func(id string) {
		_, err := catalogClient.UpdateDataset(asAdmin, &catalogv1.UpdateDatasetRequest{Dataset: id,
			Input: &catalogv1.DatasetInput{Title: "Qualité de l'air " + id}, UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"title"}}})
		require.NoError(t, err)
	}
	remove := func(id string) {
		_, err := catalogClient.DeleteDataset(asAdmin, &catalogv1.DeleteDatasetRequest{Dataset: id})
		require.NoError(t, err)
	}
	replica := func(name string) Config {
		cfg := base("search", name)
		cfg.Search.Durable = "search-index-" + name
		cfg.Search.CatalogAddr = catAddr
		cfg.Search.ServiceToken = serviceToken
		cfg.Search.GRPCAddr = "127.0.0.1:0"
		cfg.Search.Index.Backend = "embedded"
		return cfg
	}

	create(30) // before any replica: read from the stream's start
	r1, r2 := runTarget(t, replica("search-1"), log), runTarget(t, replica("search-2"), log)
	create(20)
	for _, id := range ids[:10] {
		update(id)
	}
	for _, id := range ids[40:] {
		remove(id)
	}
	const searchable = 40
	holdsCatalog(t, "search-1", r1, searchable)
	holdsCatalog(t, "search-2", r2, searchable)

	// The durables are the replicas' own, deleted by JetStream a day
	// after their replica is gone.
	js := jetStream(t, ns.ClientURL())
	for _, name := range []string{"search-index-search-1", "search-index-search-2"} {
		c, err := js.Consumer(ctx, "RELAIS", name)
		require.NoError(t, err, name)
		assert.Equal(t, search.ReplicaDurableInactive, c.CachedInfo().Config.InactiveThreshold, name)
	}

	// search-2 stops; the catalog changes; back, it catches up before it
	// is ready.
	r2.stop(t)
	create(15)
	for _, id := range ids[10:20] {
		update(id)
	}
	for _, id := range ids[20:25] {
		remove(id)
	}
	r2 = runTarget(t, replica("search-2"), log)
	assert.True(t, r2.ready(t), "ready once caught up")
	holdsCatalog(t, "search-2", r2, searchable+15-5)
	holdsCatalog(t, "search-1", r1, searchable+15-5)

	// search-1 comes back on a new volume while its durable lives on: it
	// starts from the catalog, not from where its durable stood.
	r1.stop(t)
	require.NoError(t, os.RemoveAll(filepath.Join(dir, "search-1")))
	create(3)
	r1 = runTarget(t, replica("search-1"), log)
	assert.True(t, r1.ready(t))
	holdsCatalog(t, "search-1", r1, searchable+15-5+3)

	// A stream that dropped its first events: a new replica indexes the
	// catalog, then the stream's later events.
	stream, err := js.Stream(ctx, "RELAIS")
	require.NoError(t, err)
	require.NoError(t, stream.Purge(ctx))
	create(5)
	r3 := runTarget(t, replica("search-3"), log)
	assert.True(t, r3.ready(t))
	holdsCatalog(t, "search-3", r3, searchable+15-5+3+5)
	holdsCatalog(t, "search-1", r1, searchable+15-5+3+5)
}

// running is a Relais running one target until stop.
type running struct {
	*Relais
	cancel context.CancelFunc
	done   chan error
}

// runTarget runs cfg's target and waits until it has started; it is
// stopped at the end of the test when still running.
func runTarget(t *testing.T, cfg Config, log *slog.Logger) *running {
	t.Helper()
	r, err := New(cfg, log)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	run := &running{Relais: r, cancel: cancel, done: make(chan error, 1)}
	go func() { run.done <- r.Run(ctx) }()
	select {
	case <-r.Started():
	case err := <-run.done:
		t.Fatalf("%s: %v", cfg.Target, err)
	case <-time.After(30 * time.Second):
		t.Fatalf("%s did not start", cfg.Target)
	}
	t.Cleanup(func() { run.stop(t) })
	return run
}

func (r *running) stop(t *testing.T) {
	if r.cancel == nil {
		return
	}
	r.cancel()
	r.cancel = nil
	require.NoError(t, <-r.done)
}

// ready waits (up to 30 s) for the target's /readyz to answer 200.
func (r *running) ready(t *testing.T) bool {
	t.Helper()
	url := "http://" + r.AdminAddr() + "/readyz"
	return assert.Eventually(t, func() bool {
		resp, err := http.Get(url)
		if err != nil {
			return false
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}, 30*time.Second, 50*time.Millisecond)
}

// holdsCatalog waits until the replica's indexes hold exactly the
// catalog's searchable datasets (Verify finds nothing missing, stale or
// extra, and counts them).
func holdsCatalog(t *testing.T, name string, r *running, datasets int64) {
	t.Helper()
	conn, err := grpcx.Dial(r.SearchGRPCAddr().String())
	require.NoError(t, err)
	defer conn.Close()
	client := searchv1.NewSearchServiceClient(conn)
	ctx := search.WithServiceToken(context.Background(), r.cfg.Search.ServiceToken)
	var rep *searchv1.VerifyResponse // the last answer
	ok := assert.Eventually(t, func() bool {
		got, err := client.Verify(ctx, &searchv1.VerifyRequest{})
		if err != nil {
			return false
		}
		rep = got
		return rep.GetChecked() == datasets && len(rep.GetMissing())+len(rep.GetStale())+len(rep.GetExtra()) == 0 &&
			rep.GetIndexedDocuments() == rep.GetExpectedDocuments()
	}, 30*time.Second, 50*time.Millisecond, "%s holds the catalog", name)
	if !ok {
		t.Logf("%s: checked %d, missing %v, stale %v, extra %v, indexed %d of %d", name, rep.GetChecked(),
			rep.GetMissing(), rep.GetStale(), rep.GetExtra(), rep.GetIndexedDocuments(), rep.GetExpectedDocuments())
	}
}

// jetStream is a JetStream client on url, to look at the durables.
func jetStream(t *testing.T, url string) jetstream.JetStream {
	t.Helper()
	nc, err := nats.Connect(url)
	require.NoError(t, err)
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	require.NoError(t, err)
	return js
}

// A durable name JetStream would refuse is a configuration error, said
// before anything starts.
func TestSearchDurableChecked(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Target, cfg.DataDir = "search", t.TempDir()
	cfg.Events.URL, cfg.Search.CatalogAddr, cfg.Search.ServiceToken = "nats://127.0.0.1:4222", "127.0.0.1:9091", "token"
	require.NoError(t, cfg.Validate())
	assert.Equal(t, search.DefaultDurable, cfg.Search.Durable, "default")
	for _, bad := range []string{"search.index", "search index", "search-*", "search->"} {
		cfg.Search.Durable = bad
		err := cfg.Validate()
		require.Error(t, err, bad)
		assert.Contains(t, err.Error(), "search.durable (RELAIS_SEARCH_DURABLE)", bad)
	}
}
