package analytics_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/relais-data/relais/pkg/events"
	"github.com/relais-data/relais/pkg/sqldb/sqldbtest"
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
