package e2e

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/relais-data/relais/pkg/events"
	"github.com/relais-data/relais/pkg/grpcx"
	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
	"github.com/relais-data/relais/services/relais"
)

// figuresBatch is how many datasets' views one push changes: the
// analytics service's largest SetMetrics call.
const figuresBatch = 5000

// BenchmarkSearchFiguresPush measures what a push of new views of 5 000
// datasets costs the search index, on the demo data: the metrics_changed
// events the catalog publishes for it, and the time from SetMetrics
// returning to /api/2/datasets/search/?sort=-views listing the 5 000 in
// their new order. Run it once:
//
//	go test ./services/relais/e2e -run '^$' -bench SearchFiguresPush -benchtime 3x
func BenchmarkSearchFiguresPush(b *testing.B) {
	natsPort := freePorts(b, 1)[0]
	p, _ := startPortalWith(b, "all-in-one", b.TempDir(), func(c *relais.Config) { c.Events.EmbeddedPort = natsPort })
	ctx := context.Background()
	bus, err := events.Connect(ctx, events.Config{URL: fmt.Sprintf("nats://127.0.0.1:%d", natsPort)}, slog.New(slog.DiscardHandler))
	require.NoError(b, err)
	defer bus.Close()
	var published atomic.Int64
	cons, err := bus.Consume(ctx, events.ConsumerConfig{Durable: "bench-figures", FilterSubjects: []string{"relais.catalog.dataset.metrics_changed"}},
		func(context.Context, events.Message) error { published.Add(1); return nil })
	require.NoError(b, err)
	defer cons.Stop()

	conn, err := grpcx.Dial(p.catalogGRPC)
	require.NoError(b, err)
	defer conn.Close()
	cat := catalogv1.NewCatalogServiceClient(conn)
	var ids []string
	for page := int32(1); len(ids) < figuresBatch; page++ {
		resp, err := cat.ListDatasets(ctx, &catalogv1.ListDatasetsRequest{Page: page, PageSize: 1000, Sort: "created"})
		require.NoError(b, err)
		for _, d := range resp.GetDatasets() {
			ids = append(ids, d.GetId())
		}
		if len(resp.GetDatasets()) < 1000 {
			break
		}
	}
	// The demo data has fewer: more are created.
	for i := len(ids); i < figuresBatch; i++ {
		resp, err := cat.CreateDataset(grpcx.WithAPIKey(ctx, p.token), &catalogv1.CreateDatasetRequest{Dataset: &catalogv1.DatasetInput{
			Title: fmt.Sprintf("Fréquentation des piscines %d", i), Description: "Entrées par jour."}})
		require.NoError(b, err)
		ids = append(ids, resp.GetDataset().GetId())
	}
	ids = ids[:figuresBatch]
	// The demo's datasets are indexed once their count stops moving.
	waitIndexed(b, p)

	var total time.Duration
	rounds := 0
	for b.Loop() { // the setup above runs once
		round := rounds
		rounds++
		// Views above every earlier round's, increasing with i in even
		// rounds and decreasing in odd ones, so that the order of the
		// round before never passes: once every dataset is indexed again,
		// first comes first and last at rank figuresBatch.
		order := slices.Clone(ids)
		if round%2 == 1 {
			slices.Reverse(order)
		}
		first, last := order[figuresBatch-1], order[0]
		req := &catalogv1.SetMetricsRequest{}
		for i, id := range order {
			req.Objects = append(req.Objects, &catalogv1.ObjectMetrics{ObjectType: "dataset", ObjectId: id,
				Metrics: map[string]int64{"views": int64((round+1)*1_000_000 + i)}})
		}
		before := published.Load()
		_, err := cat.SetMetrics(grpcx.WithAPIKey(ctx, p.token), req)
		require.NoError(b, err)
		start := time.Now()
		lastPage := fmt.Sprintf("/api/2/datasets/search/?sort=-views&page_size=100&page=%d", figuresBatch/100)
		for !hitAt(p, "/api/2/datasets/search/?sort=-views&page_size=1", 0, first) || !hitAt(p, lastPage, 99, last) {
			if time.Since(start) > time.Minute {
				b.Fatalf("the search does not sort the %d datasets by their new views after a minute", figuresBatch)
			}
			time.Sleep(20 * time.Millisecond)
		}
		took := time.Since(start)
		total += took
		time.Sleep(200 * time.Millisecond) // let the counting consumer catch up
		b.Logf("round %d: SetMetrics of %d datasets' views → %d metrics_changed events; sort=-views orders all of them after %v",
			round+1, figuresBatch, published.Load()-before, took.Round(time.Millisecond))
	}
	b.ReportMetric(float64(total.Milliseconds())/float64(rounds), "ms/push")
	b.ReportMetric(float64(published.Load())/float64(rounds), "events/push")
}

// waitIndexed waits until the dataset search's total stays put for 2 s.
func waitIndexed(b *testing.B, p *portal) {
	var last any
	stable := time.Now()
	for time.Since(stable) < 2*time.Second {
		total := p.do("GET", "/api/2/datasets/search/?page_size=1", "", nil).Object()["total"]
		if total != last {
			last, stable = total, time.Now()
		}
		time.Sleep(100 * time.Millisecond)
	}
	b.Logf("%v datasets indexed", last)
}

// hitAt says whether the hit at pos of a search path is id.
func hitAt(p *portal, path string, pos int, id string) bool {
	r := p.do("GET", path, "", nil)
	data, _ := r.Object()["data"].([]any)
	return r.Status == http.StatusOK && len(data) > pos && data[pos].(map[string]any)["id"] == id
}
