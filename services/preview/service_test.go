package preview

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	"github.com/relais-data/relais/pkg/events"
	"github.com/relais-data/relais/pkg/sqldb"
	"github.com/relais-data/relais/pkg/sqldb/sqldbtest"
	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
	eventsv1 "github.com/relais-data/relais/proto/relais/events/v1"
	"github.com/relais-data/relais/services/preview/internal/records"
	"github.com/relais-data/relais/services/preview/internal/tabular"
)

// harness runs the service on a real embedded NATS server and SQLite,
// without catalog nor storage (extras stay in the records).
type harness struct {
	bus *events.Bus
	db  *sqldb.DB
	svc *Service
}

func start(t *testing.T) *harness {
	t.Helper()
	return startWith(t, TabularConfig{})
}

// startWith is start with the tabular store of tab.
func startWith(t *testing.T, tab TabularConfig) *harness {
	t.Helper()
	return startConfig(t, Config{Tabular: tab})
}

// startConfig is start with cfg (its service token and fetch allowance
// set here).
func startConfig(t *testing.T, cfg Config) *harness {
	t.Helper()
	ctx := context.Background()
	nats, err := events.StartEmbedded(events.EmbeddedConfig{Port: -1, StoreDir: t.TempDir()})
	require.NoError(t, err)
	t.Cleanup(nats.Shutdown)
	log := slog.New(slog.DiscardHandler)
	bus, err := events.Connect(ctx, events.Config{URL: nats.ClientURL()}, log)
	require.NoError(t, err)
	t.Cleanup(bus.Close)
	db := sqldbtest.Open(t, sqldb.SQLite)
	return &harness{bus: bus, db: db, svc: runService(t, cfg, Deps{DB: db, Bus: bus, Log: log})}
}

// runService runs a preview service on deps until the test ends.
func runService(t *testing.T, cfg Config, deps Deps) *Service {
	t.Helper()
	cfg.ServiceToken = "t"
	cfg.Fetch.Allow = []string{"127.0.0.1"}
	svc, err := New(context.Background(), cfg, deps)
	require.NoError(t, err)
	runCtx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- svc.Run(runCtx) }()
	t.Cleanup(func() { cancel(); require.NoError(t, <-done); require.NoError(t, svc.Close()) })
	return svc
}

func (h *harness) publish(t *testing.T, id, subject string, r *catalogv1.Resource) {
	t.Helper()
	data, err := proto.Marshal(&eventsv1.ResourceChanged{EventId: id, DatasetId: "d1", Resource: r})
	require.NoError(t, err)
	require.NoError(t, h.bus.Publish(context.Background(), events.Message{
		ID: id, Subject: subject, Type: "relais.events.v1.ResourceChanged", Data: data,
	}))
}

func (h *harness) waitRecord(t *testing.T, rid string, ok func(*records.Record) bool) *records.Record {
	t.Helper()
	var rec *records.Record
	require.Eventually(t, func() bool {
		var err error
		rec, err = h.svc.records.Get(context.Background(), rid)
		return err == nil && ok(rec)
	}, 20*time.Second, 10*time.Millisecond)
	return rec
}

func TestRemoteResourceEvents(t *testing.T) {
	engines := map[string]TabularConfig{tabular.EngineSQL: {}}
	if tabular.DuckDBAvailable {
		engines[tabular.EngineDuckDB] = TabularConfig{Engine: tabular.EngineDuckDB, DuckDBPath: filepath.Join(t.TempDir(), "tabular.duckdb")}
	}
	for name, tab := range engines {
		t.Run(name, func(t *testing.T) { testRemoteResourceEvents(t, tab) })
	}
}

func testRemoteResourceEvents(t *testing.T, tab TabularConfig) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := hits.Add(1)
		fmt.Fprintf(w, "commune;population\nNice;348085\nAntibes;%d\n", 74000+n)
	}))
	t.Cleanup(srv.Close)
	h := startWith(t, tab)
	res := &catalogv1.Resource{Id: "r1", Filetype: "remote", Url: srv.URL + "/communes.csv", Title: "Communes"}

	h.publish(t, "e1", SubjectResourceCreated, res)
	first := h.waitRecord(t, "r1", func(r *records.Record) bool { return r.State == records.StateDone })
	require.True(t, first.Tabular)
	require.Equal(t, "d1", first.DatasetID)

	// A replay of the same event, and an update that changes nothing of
	// the bytes (the title), analyze nothing again.
	h.publish(t, "e1", SubjectResourceCreated, res)
	res.Title = "Communes des Alpes-Maritimes"
	h.publish(t, "e2", SubjectResourceUpdated, res)
	// A new URL is analyzed again.
	res.Url = srv.URL + "/communes-2025.csv"
	h.publish(t, "e3", SubjectResourceUpdated, res)
	second := h.waitRecord(t, "r1", func(r *records.Record) bool { return r.Signature == "url:"+res.Url })
	require.EqualValues(t, 2, hits.Load(), "one fetch per URL")
	require.True(t, second.AnalyzedAt.After(first.AnalyzedAt))

	body, err := h.svc.tabular.DataQuery(context.Background(), "r1", "commune__exact=Antibes", "http://x")
	require.NoError(t, err)
	require.Contains(t, string(body), `"population": 74002`)

	h.publish(t, "e4", SubjectResourceDeleted, &catalogv1.Resource{Id: "r1"})
	require.Eventually(t, func() bool {
		_, err := h.svc.records.Get(context.Background(), "r1")
		return err != nil
	}, 20*time.Second, 10*time.Millisecond)
	_, err = h.svc.tabular.DataQuery(context.Background(), "r1", "", "http://x")
	require.Error(t, err, "the table is dropped with its resource")
}
