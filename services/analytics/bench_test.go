package analytics_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/relais-data/relais/pkg/events"
	"github.com/relais-data/relais/pkg/sqldb/sqldbtest"
	analyticsv1 "github.com/relais-data/relais/proto/relais/analytics/v1"
	"github.com/relais-data/relais/services/analytics/internal/store"
)

// BenchmarkIngest counts 100 000 views already in the stream (the backlog
// after an outage, the worst case), on each database, with the embedded
// NATS server, and reports events per second from the service's start to
// the last event counted.
//
//	cd services/analytics && go test -run '^$' -bench Ingest -benchtime 1x .
func BenchmarkIngest(b *testing.B) {
	const total = 100_000
	for _, driver := range sqldbtest.Drivers() {
		b.Run(string(driver), func(b *testing.B) {
			for range b.N {
				db := sqldbtest.Open(b, driver)
				bus := startBus(b)
				msgs := make([]events.Message, total)
				at := time.Now()
				for i := range msgs {
					msgs[i] = viewed(fmt.Sprintf("ev-%d", i), "dataset", objectID(i%5000), web, i%10 == 0, at)
				}
				_, err := bus.PublishBatch(context.Background(), msgs)
				require.NoError(b, err)
				start0 := time.Now()
				svc := start(b, db, bus)
				for siteTotal(b, svc.client, "datasets_views")+siteTotal(b, svc.client, "bot_datasets_views") < total {
					time.Sleep(10 * time.Millisecond)
				}
				elapsed := time.Since(start0)
				svc.stop()
				b.ReportMetric(total/elapsed.Seconds(), "events/s")
			}
		})
	}
}

// BenchmarkMetricsRead reads figures over real gRPC from a store holding a
// year of counts for 5 000 datasets (300 000 events): the totals of a
// page of 20 datasets, and the monthly series of one. It reports p50 and
// p99 latencies.
//
//	cd services/analytics && go test -run '^$' -bench MetricsRead -benchtime 2000x .
func BenchmarkMetricsRead(b *testing.B) {
	for _, driver := range sqldbtest.Drivers() {
		b.Run(string(driver), func(b *testing.B) {
			db := sqldbtest.Open(b, driver)
			svc := start(b, db, nil)
			st := store.New(db)
			const datasets, perMonth = 5000, 5
			at := time.Date(2025, 12, 15, 12, 0, 0, 0, time.UTC)
			var batch []store.Event
			for m := range 12 {
				for d := range datasets {
					for k := range perMonth {
						batch = append(batch, store.Event{ID: fmt.Sprintf("%d-%d-%d", m, d, k), At: at.AddDate(0, m, 0),
							Increments: []store.Increment{{ObjectType: "dataset", ObjectID: objectID(d), Metric: "views"}}})
					}
				}
				for start := 0; start < len(batch); start += 5000 {
					_, err := st.Record(context.Background(), batch[start:min(start+5000, len(batch))])
					require.NoError(b, err)
				}
				batch = batch[:0]
			}
			ids := make([]string, 20)
			for i := range ids {
				ids[i] = objectID(i * 97)
			}
			ctx := context.Background()
			for _, c := range []struct {
				name string
				call func(i int) error
			}{
				{"totals-of-20", func(int) error {
					_, err := svc.client.GetTotals(ctx, &analyticsv1.GetTotalsRequest{ObjectType: "dataset", ObjectIds: ids})
					return err
				}},
				{"monthly-of-1", func(i int) error {
					_, err := svc.client.ListMonthly(ctx, &analyticsv1.ListMonthlyRequest{ObjectType: "dataset", ObjectIds: []string{objectID(i % datasets)}})
					return err
				}},
			} {
				b.Run(c.name, func(b *testing.B) {
					lat := make([]time.Duration, 0, b.N)
					i := 0
					for b.Loop() {
						t0 := time.Now()
						require.NoError(b, c.call(i))
						lat = append(lat, time.Since(t0))
						i++
					}
					slices.Sort(lat)
					b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
					b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
				})
			}
		})
	}
}
