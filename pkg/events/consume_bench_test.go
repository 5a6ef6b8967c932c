package events

import (
	"context"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkConsumeBatches drains a backlog of b.N events already in the
// stream with ConsumeBatches and a handler that does nothing: the most a
// batch consumer (the analytics and search consumers) can take in here,
// beside ../shared/LIMITS.md's "durable pull consumer acking each".
//
//	cd pkg && go test -run '^$' -bench ConsumeBatches -benchtime 200000x ./events/
func BenchmarkConsumeBatches(b *testing.B) {
	ctx := context.Background()
	bus := newBus(b)
	msgs := benchMsgs(b.N)
	for start := 0; start < len(msgs); start += 1000 {
		if _, err := bus.PublishBatch(ctx, msgs[start:min(start+1000, len(msgs))]); err != nil {
			b.Fatal(err)
		}
	}
	var got atomic.Int64
	done := make(chan struct{})
	b.ResetTimer()
	start := time.Now()
	c, err := bus.ConsumeBatches(ctx, ConsumerConfig{Durable: "bench-drain"}, BatchOptions{MaxBatch: 1000},
		func(_ context.Context, ms []Message) error {
			if got.Add(int64(len(ms))) >= int64(b.N) {
				select {
				case <-done:
				default:
					close(done)
				}
			}
			return nil
		})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Stop()
	select {
	case <-done:
	case <-time.After(5 * time.Minute):
		b.Fatalf("consumed %d of %d", got.Load(), b.N)
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "msgs/s")
}
