package search_test

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"testing"
	"time"

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
	"github.com/relais-data/relais/services/search/internal/corpus"
	"github.com/relais-data/relais/services/search/internal/docs"
)

// BenchmarkEventsToSearch measures the service as it runs: catalog events
// through JetStream, the batched indexer, the embedded index on disk, the
// gRPC server. It prints how fast a burst of one event per real dataset
// (24 189) is indexed, then the delay from publishing a single change to
// seeing it in search (200 changes, p50/p99). Run it once:
//
//	go test ./services/search -run '^$' -bench EventsToSearch -benchtime 1x
func BenchmarkEventsToSearch(b *testing.B) {
	datasets, err := corpus.Load(corpus.SamplePath())
	if err != nil {
		b.Skipf("the real catalogue sample is missing (%v)", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dir := b.TempDir()
	log := slog.New(slog.DiscardHandler)
	nats, err := events.StartEmbedded(events.EmbeddedConfig{Port: -1, StoreDir: filepath.Join(dir, "nats")})
	must(b, err)
	defer nats.Shutdown()
	bus, err := events.Connect(ctx, events.Config{URL: nats.ClientURL()}, log)
	must(b, err)
	defer bus.Close()
	db, err := sqldb.Open(ctx, sqldb.Config{Driver: "sqlite", DSN: filepath.Join(dir, "search.db")})
	must(b, err)
	defer db.Close()
	// Every event carries its whole dataset: the catalog is never read.
	// This client points at a port nothing listens on, so a read would fail.
	noCatalog, err := grpcx.Dial("127.0.0.1:1")
	must(b, err)
	defer noCatalog.Close()

	now := time.Now()
	msgs := make([]events.Message, len(datasets))
	for i, d := range datasets {
		d.LastModifiedInternal = timestamppb.New(now)
		msgs[i] = datasetEvent(b, "created", d)
	}
	start := time.Now()
	_, err = bus.PublishBatch(ctx, msgs)
	must(b, err)
	published := time.Since(start)

	svc, err := search.New(ctx, search.Config{
		Index:        searchindex.Config{Backend: searchindex.BackendEmbedded, Dir: filepath.Join(dir, "index")},
		ServiceToken: "bench",
	}, search.Deps{DB: db, Bus: bus, Catalog: catalogv1.NewCatalogServiceClient(noCatalog), Log: log})
	must(b, err)
	srv := grpcx.NewServer(grpcx.ServerOptions{Log: log})
	svc.Register(srv)
	ln, err := grpcx.Listen("127.0.0.1:0")
	must(b, err)
	go func() { _ = srv.Serve(ln) }()
	defer srv.Stop()
	conn, err := grpcx.Dial(ln.Addr().String())
	must(b, err)
	defer conn.Close()
	client := searchv1.NewSearchServiceClient(conn)

	b.ResetTimer()
	start = time.Now()
	runDone := make(chan error, 1)
	go func() { runDone <- svc.Run(ctx) }()
	ids := map[string]bool{}
	for _, d := range datasets {
		if _, ok := docs.Dataset(d); ok {
			ids[d.GetId()] = true
		}
	}
	searchable := len(ids)
	for n := int64(0); n < int64(searchable); n = total(b, client, "") {
		if time.Since(start) > 5*time.Minute {
			b.Fatalf("%d of %d datasets indexed after 5 minutes", n, searchable)
		}
		time.Sleep(10 * time.Millisecond)
	}
	burst := time.Since(start)

	var delays []time.Duration
	for i := range 200 {
		d := proto.CloneOf(datasets[i*100])
		word := fmt.Sprintf("benchword%d", i)
		d.Title = word + " " + d.GetTitle()
		d.Private, d.Deleted, d.Archived = false, nil, nil
		d.LastModifiedInternal = timestamppb.New(now.Add(time.Duration(i+1) * time.Second))
		start := time.Now()
		must(b, bus.Publish(ctx, datasetEvent(b, "updated", d)))
		for !found(b, client, word, d.GetId()) {
			if time.Since(start) > time.Minute {
				b.Fatalf("change %d not visible after a minute", i)
			}
			time.Sleep(time.Millisecond)
		}
		delays = append(delays, time.Since(start))
	}
	b.StopTimer()
	cancel()
	<-runDone
	must(b, svc.Close())

	slices.Sort(delays)
	p50, p99 := delays[len(delays)/2], delays[len(delays)*99/100]
	b.ReportMetric(float64(len(msgs))/burst.Seconds(), "events/s")
	b.ReportMetric(float64(p99.Microseconds())/1000, "p99-ms")
	fmt.Printf("burst: %d events published in %v, indexed (%d searchable) in %v: %.0f events/s\n",
		len(msgs), published.Round(time.Millisecond), searchable, burst.Round(time.Millisecond), float64(len(msgs))/burst.Seconds())
	fmt.Printf("single change → visible in search (%d changes): p50 %v, p99 %v, max %v\n",
		len(delays), p50.Round(100*time.Microsecond), p99.Round(100*time.Microsecond), delays[len(delays)-1].Round(100*time.Microsecond))
}

// datasetEvent is the event of a change of d. Like the catalog's, its
// snapshot stays under NATS's 1 MB message limit: a larger dataset's
// description is cut (here without snapshot_truncated, since no catalog
// runs to read the rest).
func datasetEvent(b *testing.B, verb string, d *catalogv1.Dataset) events.Message {
	data, err := proto.Marshal(&eventsv1.DatasetChanged{Dataset: d})
	must(b, err)
	if len(data) > maxSnapshot {
		d = proto.CloneOf(d)
		d.Description = d.GetDescription()[:min(len(d.GetDescription()), 10000)]
		d.Resources = d.Resources[:min(len(d.Resources), 100)]
		data, err = proto.Marshal(&eventsv1.DatasetChanged{Dataset: d})
		must(b, err)
	}
	return events.Message{ID: events.NewID(), Subject: "relais.catalog.dataset." + verb, Type: "relais.events.v1.DatasetChanged", Data: data}
}

const maxSnapshot = 900 << 10

// found says whether a search for q finds id first (earlier changes'
// words are one typo away).
func found(b *testing.B, c searchv1.SearchServiceClient, q, id string) bool {
	resp, err := c.SearchDatasets(context.Background(), &searchv1.SearchDatasetsRequest{Query: &searchv1.Query{Q: q, PageSize: 1}})
	must(b, err)
	return len(resp.GetHits().GetIds()) > 0 && resp.GetHits().GetIds()[0] == id
}

func total(b *testing.B, c searchv1.SearchServiceClient, q string) int64 {
	resp, err := c.SearchDatasets(context.Background(), &searchv1.SearchDatasetsRequest{Query: &searchv1.Query{Q: q, PageSize: 1}})
	must(b, err)
	return resp.GetHits().GetTotal()
}

func must(b *testing.B, err error) {
	b.Helper()
	if err != nil {
		b.Fatal(err)
	}
}
