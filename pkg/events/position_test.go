package events

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A consumer has caught up with a sequence once it has handled every
// event up to it, even while later events keep it busy.
func TestBatchConsumerCaughtUp(t *testing.T) {
	ctx := context.Background()
	b := newBus(t)
	const n = 20
	for i := range n {
		require.NoError(t, b.Publish(ctx, testMsg(i)))
	}
	has, err := b.HasDurable(ctx, "test-caught-up")
	require.NoError(t, err)
	assert.False(t, has, "no durable before the first consumer")
	bounds, err := b.StreamBounds(ctx)
	require.NoError(t, err)
	assert.Equal(t, StreamBounds{First: 1, Last: n}, bounds)

	release := make(chan struct{}, 2*n)
	bc, err := b.ConsumeBatches(ctx, ConsumerConfig{Durable: "test-caught-up"}, BatchOptions{MaxBatch: n},
		func(ctx context.Context, _ []Message) error {
			select {
			case <-release:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
	require.NoError(t, err)
	defer bc.Stop()
	has, err = b.HasDurable(ctx, "test-caught-up")
	require.NoError(t, err)
	assert.True(t, has)

	caughtUp := func(seq uint64) bool {
		ok, err := bc.CaughtUp(ctx, seq)
		require.NoError(t, err)
		return ok
	}
	assert.False(t, caughtUp(bounds.Last), "nothing handled while the handler blocks")
	for range n {
		release <- struct{}{} // one batch or several: each takes one
	}
	require.Eventually(t, func() bool { return caughtUp(bounds.Last) }, 10*time.Second, 10*time.Millisecond)

	// Later events waiting in a blocked handler do not undo it.
	require.NoError(t, b.Publish(ctx, testMsg(n)))
	require.Eventually(t, func() bool {
		later, err := b.StreamBounds(ctx)
		require.NoError(t, err)
		return later.Last == n+1
	}, 5*time.Second, 10*time.Millisecond)
	assert.True(t, caughtUp(bounds.Last))
	assert.False(t, caughtUp(n+1), "the later event waits")
	release <- struct{}{}
	require.Eventually(t, func() bool { return caughtUp(n + 1) }, 10*time.Second, 10*time.Millisecond)
}

// A durable with an InactiveThreshold is deleted once no client pulls
// from it; one without stays.
func TestInactiveThreshold(t *testing.T) {
	ctx := context.Background()
	b := newBus(t)
	handle := func(context.Context, []Message) error { return nil }
	gone, err := b.ConsumeBatches(ctx, ConsumerConfig{Durable: "test-gone", InactiveThreshold: time.Second}, BatchOptions{}, handle)
	require.NoError(t, err)
	kept, err := b.ConsumeBatches(ctx, ConsumerConfig{Durable: "test-kept"}, BatchOptions{}, handle)
	require.NoError(t, err)
	// Pulling keeps it alive past its threshold.
	time.Sleep(2 * time.Second)
	has, err := b.HasDurable(ctx, "test-gone")
	require.NoError(t, err)
	assert.True(t, has, "a durable pulled from is active")

	gone.Stop()
	kept.Stop()
	require.Eventually(t, func() bool {
		has, err := b.HasDurable(ctx, "test-gone")
		return err == nil && !has
	}, 15*time.Second, 100*time.Millisecond, "the inactive durable is deleted")
	has, err = b.HasDurable(ctx, "test-kept")
	require.NoError(t, err)
	assert.True(t, has, "a durable without threshold stays")
}

// The stream is complete until events are dropped from its start.
func TestStreamBoundsComplete(t *testing.T) {
	ctx := context.Background()
	b := newBus(t)
	complete := func() bool {
		bounds, err := b.StreamBounds(ctx)
		require.NoError(t, err)
		return bounds.Complete()
	}
	assert.True(t, complete(), "empty stream")
	for i := range 3 {
		require.NoError(t, b.Publish(ctx, testMsg(i)))
	}
	assert.True(t, complete(), "nothing dropped")

	s, err := b.js.Stream(ctx, b.cfg.Stream)
	require.NoError(t, err)
	require.NoError(t, s.Purge(ctx))
	assert.False(t, complete(), "purged")
	require.NoError(t, b.Publish(ctx, testMsg(3)))
	assert.False(t, complete(), "purged, then published to")
}
