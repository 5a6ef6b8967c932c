package events

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/relais-data/relais/pkg/sqldb"
	"github.com/relais-data/relais/pkg/sqldb/sqldbtest"
)

// benchMsgs returns n messages with unique ids and a 256-byte payload, about
// the size of a DatasetChanged event.
func benchMsgs(n int) []Message {
	data := make([]byte, 256)
	msgs := make([]Message, n)
	for i := range msgs {
		msgs[i] = Message{
			ID:      NewID(),
			Subject: "relais.bench.dataset.updated",
			Type:    "relais.events.v1.DatasetChanged",
			Data:    data,
		}
	}
	return msgs
}

func reportRate(b *testing.B, n int) {
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "msgs/s")
}

// BenchmarkPublish measures publishing to an embedded server with a file
// store and deduplication ids: one at a time waiting for each ack (sync), and
// pipelined batches (batch, what the outbox relay does).
func BenchmarkPublish(b *testing.B) {
	ctx := context.Background()
	b.Run("sync", func(b *testing.B) {
		bus := newBus(b)
		msgs := benchMsgs(b.N)
		b.ResetTimer()
		for _, m := range msgs {
			if err := bus.Publish(ctx, m); err != nil {
				b.Fatal(err)
			}
		}
		reportRate(b, b.N)
	})
	for _, size := range []int{100, 1000} {
		b.Run(fmt.Sprintf("batch=%d", size), func(b *testing.B) {
			bus := newBus(b)
			msgs := benchMsgs(b.N)
			b.ResetTimer()
			for start := 0; start < len(msgs); start += size {
				batch := msgs[start:min(start+size, len(msgs))]
				if n, err := bus.PublishBatch(ctx, batch); err != nil || n != len(batch) {
					b.Fatalf("published %d of %d: %v", n, len(batch), err)
				}
			}
			reportRate(b, b.N)
		})
	}
}

// BenchmarkOutboxRelay measures how fast a relay drains a backlog: read a
// batch, publish it pipelined, delete it. Filling the outbox is not timed.
func BenchmarkOutboxRelay(b *testing.B) {
	ctx := context.Background()
	for _, d := range sqldbtest.Drivers() {
		b.Run(string(d), func(b *testing.B) {
			db := outboxDB(b, sqldbtest.Open(b, d))
			bus := newBus(b)
			msgs := benchMsgs(b.N)
			for start := 0; start < len(msgs); start += 1000 {
				require.NoError(b, db.InTx(ctx, func(tx *sqldb.Tx) error {
					for _, m := range msgs[start:min(start+1000, len(msgs))] {
						if err := Enqueue(ctx, tx, m); err != nil {
							return err
						}
					}
					return nil
				}))
			}
			r := NewRelay(db, bus, nil, RelayOptions{})
			b.ResetTimer()
			for relayed := 0; relayed < b.N; {
				n, err := r.relayBatch(ctx)
				if err != nil {
					b.Fatal(err)
				}
				relayed += n
			}
			b.StopTimer()
			reportRate(b, b.N)
			require.Equal(b, 0, outboxRows(b, db))
			require.Equal(b, uint64(b.N), streamMsgs(b, bus))
		})
	}
}
