package events

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A burst comes in a few batches, each event once; a lone event comes
// alone, soon.
func TestConsumeBatches(t *testing.T) {
	ctx := context.Background()
	b := newBus(t)
	const n = 1000
	msgs := make([]Message, n)
	for i := range msgs {
		msgs[i] = testMsg(i)
	}
	_, err := b.PublishBatch(ctx, msgs)
	require.NoError(t, err)

	var mu sync.Mutex
	seen := map[string]int{}
	var calls atomic.Int64
	all := make(chan struct{})
	bc, err := b.ConsumeBatches(ctx, ConsumerConfig{Durable: "test-batches"}, BatchOptions{MaxBatch: 200},
		func(_ context.Context, ms []Message) error {
			calls.Add(1)
			mu.Lock()
			defer mu.Unlock()
			for _, m := range ms {
				seen[m.ID]++
			}
			if len(seen) == n+1 {
				close(all)
			}
			return nil
		})
	require.NoError(t, err)
	defer bc.Stop()
	require.Eventually(t, func() bool { mu.Lock(); defer mu.Unlock(); return len(seen) == n }, 10*time.Second, time.Millisecond)
	assert.LessOrEqual(t, calls.Load(), int64(n/10), "a burst is handled in batches")

	start := time.Now()
	require.NoError(t, b.Publish(ctx, testMsg(n)))
	select {
	case <-all:
	case <-time.After(5 * time.Second):
		t.Fatal("lone event not handled")
	}
	t.Logf("lone event handled in %v; %d calls for %d events", time.Since(start), calls.Load(), n+1)
	for id, c := range seen {
		assert.Equal(t, 1, c, id)
	}
}

// A failed batch is redelivered; nothing is acked before the handler
// succeeds, and a stopped consumer resumes where it was acked.
func TestConsumeBatchesRedelivers(t *testing.T) {
	ctx := context.Background()
	b := newBus(t)
	for i := range 10 {
		require.NoError(t, b.Publish(ctx, testMsg(i)))
	}
	var failed atomic.Bool
	got := make(chan int, 100)
	bc, err := b.ConsumeBatches(ctx, ConsumerConfig{Durable: "test-redeliver", RetryDelay: 10 * time.Millisecond},
		BatchOptions{}, func(_ context.Context, ms []Message) error {
			if failed.CompareAndSwap(false, true) {
				return errors.New("index down")
			}
			got <- len(ms)
			return nil
		})
	require.NoError(t, err)
	total := 0
	for total < 10 {
		select {
		case k := <-got:
			total += k
		case <-time.After(5 * time.Second):
			t.Fatalf("got %d of 10 events", total)
		}
	}
	bc.Stop()

	require.NoError(t, b.Publish(ctx, testMsg(10)))
	bc, err = b.ConsumeBatches(ctx, ConsumerConfig{Durable: "test-redeliver"}, BatchOptions{},
		func(_ context.Context, ms []Message) error { got <- len(ms); return nil })
	require.NoError(t, err)
	defer bc.Stop()
	select {
	case k := <-got:
		assert.Equal(t, 1, k, "only the event published after the stop")
	case <-time.After(5 * time.Second):
		t.Fatal("no event after restart")
	}
}
